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
        let cursor_key = required("BALADIYA_CURSOR_KEY")?.into_bytes();
        if cursor_key.len() < 32 {
            return Err(ConfigError::Invalid(
                "BALADIYA_CURSOR_KEY",
                "shorter than 32 bytes".into(),
            ));
        }
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
        })
    }
}

/// The AWS SDK configuration: region and credentials from the environment, and an
/// endpoint override (`AWS_ENDPOINT_URL`) when running against the local emulator.
pub async fn aws() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
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
}
