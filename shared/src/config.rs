//! Configuration, read once per cold start from the environment that
//! `template.yaml` (or the local stack) sets.

use std::env;

use crate::domain::GeoBounds;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {0}")]
    Missing(&'static str),
    #[error("invalid environment variable {0}: {1}")]
    Invalid(&'static str, String),
}

#[derive(Clone)]
pub struct Config {
    /// `BALADIYA_TABLE`: the single DynamoDB table.
    pub table: String,
    /// `BALADIYA_JWKS`: public keys verifying access tokens.
    pub jwks: String,
    /// `BALADIYA_TOKEN_ISSUER`.
    pub token_issuer: String,
    /// `BALADIYA_CURSOR_KEY`: HMAC key for pagination cursors (≥ 32 bytes).
    pub cursor_key: Vec<u8>,
    /// `BALADIYA_GEO_BOUNDS`: accepted area for coordinates; Tunisia by default.
    pub geo_bounds: GeoBounds,
    /// `BALADIYA_ATTACHMENTS_BUCKET`, `BALADIYA_DOCUMENTS_BUCKET`: set only for the
    /// functions that use them.
    pub attachments_bucket: Option<String>,
    pub documents_bucket: Option<String>,
    /// `BALADIYA_READ_CACHE_SECS`: how long a container keeps the municipalities
    /// and holidays it read (default 30, at most 300; 0 keeps nothing). A change
    /// of activation or of the holiday table may take that long to show.
    pub read_cache: std::time::Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cursor key is a secret: never printed.
        f.debug_struct("Config")
            .field("table", &self.table)
            .field("token_issuer", &self.token_issuer)
            .field("geo_bounds", &self.geo_bounds)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|k| env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let required = |k: &'static str| {
            get(k)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(k))
        };
        let cursor_key = key_from_lookup(&get, "BALADIYA_CURSOR_KEY")?;
        let geo_bounds = match get("BALADIYA_GEO_BOUNDS").filter(|v| !v.is_empty()) {
            Some(raw) => GeoBounds::parse(&raw)
                .map_err(|e| ConfigError::Invalid("BALADIYA_GEO_BOUNDS", e.to_string()))?,
            None => GeoBounds::TUNISIA,
        };
        Ok(Config {
            table: required("BALADIYA_TABLE")?,
            jwks: required("BALADIYA_JWKS")?,
            token_issuer: get("BALADIYA_TOKEN_ISSUER")
                .unwrap_or_else(|| "baladiya-accounts".into()),
            cursor_key,
            geo_bounds,
            attachments_bucket: get("BALADIYA_ATTACHMENTS_BUCKET"),
            documents_bucket: get("BALADIYA_DOCUMENTS_BUCKET"),
            read_cache: read_cache(get("BALADIYA_READ_CACHE_SECS"))?,
        })
    }
}

/// Seconds a container keeps what it read through [`crate::store::cache`].
fn read_cache(raw: Option<String>) -> Result<std::time::Duration, ConfigError> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(std::time::Duration::from_secs(30)),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= 300)
            .map(std::time::Duration::from_secs)
            .ok_or_else(|| {
                ConfigError::Invalid("BALADIYA_READ_CACHE_SECS", "0 to 300 seconds".into())
            }),
    }
}

/// A secret key one function alone needs (an HMAC key, say), from the environment:
/// required and at least 32 bytes. The caller keeps it out of `Debug` and logs.
pub fn key_from_env(name: &'static str) -> Result<Vec<u8>, ConfigError> {
    key_from_lookup(|k| env::var(k).ok(), name)
}

pub fn key_from_lookup(
    get: impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<u8>, ConfigError> {
    let key = get(name)
        .filter(|v| !v.is_empty())
        .ok_or(ConfigError::Missing(name))?
        .into_bytes();
    if key.len() < 32 {
        return Err(ConfigError::Invalid(name, "shorter than 32 bytes".into()));
    }
    Ok(key)
}

/// Where and as whom the AWS SDK clients talk: read once per cold start.
///
/// Built by hand rather than with `aws-config`: Lambda gives a function its region
/// and credentials as environment variables, and nothing else (profile files, SSO,
/// STS) is needed. The HTTPS client trusts only the AWS root CAs, embedded in the
/// binary, so a cold start reads no system certificate store.
#[derive(Clone, Debug)]
pub struct Aws {
    region: aws_sdk_dynamodb::config::Region,
    credentials: aws_sdk_dynamodb::config::Credentials,
    /// `AWS_ENDPOINT_URL`: the local emulator.
    endpoint: Option<String>,
    http: aws_sdk_dynamodb::config::SharedHttpClient,
    /// Each client built once, on first use, and shared by every part of a
    /// function that asks for it (a client is a handle: clones share it).
    clients: std::sync::Arc<Clients>,
}

#[derive(Debug, Default)]
struct Clients {
    dynamodb: std::sync::OnceLock<aws_sdk_dynamodb::Client>,
    s3: std::sync::OnceLock<aws_sdk_s3::Client>,
    sns: std::sync::OnceLock<aws_sdk_sns::Client>,
}

/// Root CAs of the AWS service endpoints (Amazon Trust Services, and the Starfield
/// root they are cross-signed by).
const AWS_ROOTS: &[u8] = include_bytes!("../certs/aws-roots.pem");

impl Aws {
    pub fn from_env() -> Result<Aws, ConfigError> {
        Self::from_lookup(|k| env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Aws, ConfigError> {
        let required = |k: &'static str| {
            get(k)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(k))
        };
        let region = get("AWS_REGION")
            .or_else(|| get("AWS_DEFAULT_REGION"))
            .filter(|v| !v.is_empty())
            .ok_or(ConfigError::Missing("AWS_REGION"))?;
        let credentials = aws_sdk_dynamodb::config::Credentials::new(
            required("AWS_ACCESS_KEY_ID")?,
            required("AWS_SECRET_ACCESS_KEY")?,
            get("AWS_SESSION_TOKEN").filter(|v| !v.is_empty()),
            None,
            "lambda-environment",
        );
        use aws_smithy_http_client::tls;
        let trust = tls::TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(AWS_ROOTS);
        let context = tls::TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .map_err(|e| ConfigError::Invalid("TLS", e.to_string()))?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(context)
            .build_https();
        Ok(Aws {
            region: aws_sdk_dynamodb::config::Region::new(region),
            credentials,
            endpoint: get("AWS_ENDPOINT_URL").filter(|v| !v.is_empty()),
            http,
            clients: Default::default(),
        })
    }

    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The DynamoDB client, built on the first call (with the call counter).
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        self.clients
            .dynamodb
            .get_or_init(|| self.build_dynamodb())
            .clone()
    }

    fn build_dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let conf = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(self.region.clone())
            .credentials_provider(self.credentials.clone())
            .http_client(self.http.clone())
            .interceptor(CountDynamoDbCalls);
        let conf = match &self.endpoint {
            Some(e) => conf.endpoint_url(e),
            None => conf,
        };
        aws_sdk_dynamodb::Client::from_conf(conf.build())
    }

    /// The S3 client, built on the first call. Path-style addressing against the
    /// emulator (it has no per-bucket host names).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.clients.s3.get_or_init(|| self.build_s3()).clone()
    }

    fn build_s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(self.region.to_string()))
            .credentials_provider(self.credentials.clone())
            .http_client(self.http.clone())
            .force_path_style(self.endpoint.is_some());
        let conf = match &self.endpoint {
            Some(e) => conf.endpoint_url(e),
            None => conf,
        };
        aws_sdk_s3::Client::from_conf(conf.build())
    }

    /// The string value of secret `id` (Secrets Manager); on failure, the
    /// error's code only (a message could echo the secret's name or value).
    pub async fn secret_string(&self, id: &str) -> Result<String, String> {
        use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
        let out = self
            .secrets()
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(|e| e.code().unwrap_or("unreachable").to_owned())?;
        out.secret_string
            .ok_or_else(|| "no string value".to_owned())
    }

    /// Create secret `name` with `value`, or give it that value if it exists
    /// (the local stack's signing secret).
    pub async fn put_secret(&self, name: &str, value: &str) -> Result<(), String> {
        use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
        let secrets = self.secrets();
        let created = secrets
            .create_secret()
            .name(name)
            .secret_string(value)
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(e) if e.code().is_some_and(|c| c.contains("ResourceExists")) => secrets
                .put_secret_value()
                .secret_id(name)
                .secret_string(value)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("update secret {name}: {e:?}")),
            Err(e) => Err(format!("create secret {name}: {e:?}")),
        }
    }

    fn secrets(&self) -> aws_sdk_secretsmanager::Client {
        let conf = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
            .region(aws_sdk_secretsmanager::config::Region::new(
                self.region.to_string(),
            ))
            .credentials_provider(self.credentials.clone())
            .http_client(self.http.clone());
        let conf = match &self.endpoint {
            Some(e) => conf.endpoint_url(e),
            None => conf,
        };
        aws_sdk_secretsmanager::Client::from_conf(conf.build())
    }

    /// The SNS client, built on the first call.
    pub fn sns(&self) -> aws_sdk_sns::Client {
        self.clients.sns.get_or_init(|| self.build_sns()).clone()
    }

    fn build_sns(&self) -> aws_sdk_sns::Client {
        let conf = aws_sdk_sns::Config::builder()
            .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
            .region(aws_sdk_sns::config::Region::new(self.region.to_string()))
            .credentials_provider(self.credentials.clone())
            .http_client(self.http.clone());
        let conf = match &self.endpoint {
            Some(e) => conf.endpoint_url(e),
            None => conf,
        };
        aws_sdk_sns::Client::from_conf(conf.build())
    }
}

/// Counts each DynamoDB operation once (retries are not new calls), for the
/// request's log line (`telemetry::take_ddb_calls`).
#[derive(Debug)]
struct CountDynamoDbCalls;

impl aws_sdk_dynamodb::config::Intercept for CountDynamoDbCalls {
    fn name(&self) -> &'static str {
        "CountDynamoDbCalls"
    }

    fn read_before_execution(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef<
            '_,
        >,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        crate::telemetry::count_ddb_call();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_required_and_defaults() {
        let c = Config::from_lookup(lookup(&[
            ("BALADIYA_TABLE", "t"),
            ("BALADIYA_JWKS", "{\"keys\":[]}"),
            ("BALADIYA_CURSOR_KEY", &"k".repeat(32)),
        ]))
        .unwrap();
        assert_eq!(c.geo_bounds, GeoBounds::TUNISIA);
        assert_eq!(c.token_issuer, "baladiya-accounts");
        assert!(!format!("{c:?}").contains("kkkk"));
        assert_eq!(c.read_cache, std::time::Duration::from_secs(30));
    }

    #[test]
    fn the_read_cache_is_from_zero_to_five_minutes() {
        let base = [("BALADIYA_TABLE", "t"), ("BALADIYA_JWKS", "{\"keys\":[]}")];
        let key = "k".repeat(32);
        let cases = [
            ("0", Some(0)),
            ("45", Some(45)),
            ("300", Some(300)),
            ("301", None),
            ("-1", None),
            ("soon", None),
        ];
        for (raw, expected) in cases {
            let mut pairs = base.to_vec();
            pairs.push(("BALADIYA_CURSOR_KEY", &key));
            pairs.push(("BALADIYA_READ_CACHE_SECS", raw));
            let got = Config::from_lookup(lookup(&pairs))
                .ok()
                .map(|c| c.read_cache.as_secs());
            assert_eq!(got, expected, "{raw}");
        }
    }

    #[test]
    fn aws_setup_from_the_lambda_environment() {
        let aws = Aws::from_lookup(lookup(&[
            ("AWS_REGION", "eu-west-3"),
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIK7MDENG"),
            ("AWS_SESSION_TOKEN", "session"),
        ]))
        .unwrap();
        assert_eq!(aws.endpoint(), None);
        assert!(
            !format!("{aws:?}").contains("wJalrXUtnFEMIK7MDENG"),
            "credentials are redacted"
        );
        assert!(matches!(
            Aws::from_lookup(lookup(&[("AWS_REGION", "eu-west-3")])),
            Err(ConfigError::Missing("AWS_ACCESS_KEY_ID"))
        ));
        assert_eq!(
            AWS_ROOTS
                .windows(11)
                .filter(|w| w == b"BEGIN CERTI")
                .count(),
            5
        );
    }

    #[test]
    fn refuses_missing_or_weak_settings() {
        assert!(matches!(
            Config::from_lookup(lookup(&[("BALADIYA_CURSOR_KEY", &"k".repeat(32))])),
            Err(ConfigError::Missing("BALADIYA_TABLE"))
        ));
        assert!(matches!(
            Config::from_lookup(lookup(&[
                ("BALADIYA_TABLE", "t"),
                ("BALADIYA_JWKS", "{}"),
                ("BALADIYA_CURSOR_KEY", "short")
            ])),
            Err(ConfigError::Invalid(..))
        ));
    }

    #[test]
    fn a_functions_own_key_is_required_and_long_enough() {
        let key = "n".repeat(32);
        assert_eq!(
            key_from_lookup(lookup(&[("K", &key)]), "K").unwrap(),
            key.as_bytes()
        );
        assert!(matches!(
            key_from_lookup(lookup(&[]), "K"),
            Err(ConfigError::Missing("K"))
        ));
        assert!(matches!(
            key_from_lookup(lookup(&[("K", "")]), "K"),
            Err(ConfigError::Missing("K"))
        ));
        match key_from_lookup(lookup(&[("K", &"n".repeat(31))]), "K") {
            Err(e @ ConfigError::Invalid("K", _)) => assert!(!e.to_string().contains("nnn")),
            other => panic!("a 31-byte key was taken: {other:?}"),
        }
    }
}
