//! The accounts function's own settings, and its signing secret.

use baladiya::http::TokenSigner;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
#[error("accounts configuration: {0}")]
pub struct SettingsError(pub String);

#[derive(Debug, Clone)]
pub struct Settings {
    /// `BALADIYA_SIGNING_SECRET`: name or ARN of the Secrets Manager secret holding
    /// the signing key and the phone-digest key.
    pub signing_secret: String,
    /// `BALADIYA_ACCESS_TTL`: access-token lifetime in seconds (default 900).
    pub access_ttl: u64,
    /// `BALADIYA_SMS_DAILY_CAP`: SMS the platform sends per UTC day at most.
    pub sms_daily_cap: u64,
    /// `BALADIYA_SMS_COUNTRIES`: country calling codes sign-in SMS may go to
    /// (comma-separated, default `216`).
    pub sms_countries: Vec<String>,
    /// `BALADIYA_SMS_SENDER_ID`: sender name on SMS, where the country allows it.
    pub sms_sender_id: Option<String>,
    /// `BALADIYA_PUSH_FCM_APP`, `BALADIYA_PUSH_APNS_APP`: SNS platform applications.
    pub fcm_app: Option<String>,
    pub apns_app: Option<String>,
    /// `BALADIYA_ALERTS_TOPIC`: where the operator is told the SMS budget runs low.
    pub alerts_topic: Option<String>,
    /// `BALADIYA_SIGNIN_CLIENT_HOURLY_CAP`: sign-in codes one client address may ask
    /// for per hour, all numbers together (default 60: mobile carriers put many
    /// people behind one address).
    pub client_hourly_cap: u64,
}

impl Settings {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let number = |k: &'static str, default: u64| -> Result<u64, SettingsError> {
            match get(k) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| SettingsError(format!("{k}: a positive whole number"))),
            }
        };
        let sms_countries: Vec<String> = get("BALADIYA_SMS_COUNTRIES")
            .unwrap_or_else(|| "216".into())
            .split(',')
            .map(|c| c.trim().trim_start_matches('+').to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        if sms_countries.is_empty()
            || sms_countries
                .iter()
                .any(|c| c.len() > 3 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(SettingsError(
                "BALADIYA_SMS_COUNTRIES: calling codes such as 216,33".into(),
            ));
        }
        Ok(Settings {
            signing_secret: get("BALADIYA_SIGNING_SECRET")
                .ok_or_else(|| SettingsError("BALADIYA_SIGNING_SECRET is not set".into()))?,
            access_ttl: match number("BALADIYA_ACCESS_TTL", 900)? {
                // Access tokens cannot be revoked: they stay short-lived.
                ttl if ttl > 3600 => {
                    return Err(SettingsError(
                        "BALADIYA_ACCESS_TTL: at most 3600 seconds".into(),
                    ));
                }
                ttl => ttl,
            },
            client_hourly_cap: number("BALADIYA_SIGNIN_CLIENT_HOURLY_CAP", 60)?,
            sms_daily_cap: number("BALADIYA_SMS_DAILY_CAP", 20_000)?,
            sms_countries,
            sms_sender_id: get("BALADIYA_SMS_SENDER_ID"),
            fcm_app: get("BALADIYA_PUSH_FCM_APP"),
            apns_app: get("BALADIYA_PUSH_APNS_APP"),
            alerts_topic: get("BALADIYA_ALERTS_TOPIC"),
        })
    }
}

/// The secret's JSON: `{"kid", "private_key_pem", "phone_key"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningSecret {
    /// Key id, published in the JWKS and stated in every token's header.
    pub kid: String,
    /// Ed25519 private key, PKCS#8 PEM.
    pub private_key_pem: String,
    /// HMAC key of phone-number digests and code hashes (≥ 32 bytes). Changing it
    /// orphans every account's phone lookup: it is not rotated.
    pub phone_key: String,
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningSecret")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningSecret {
    pub fn parse(json: &str) -> Result<SigningSecret, SettingsError> {
        let s: SigningSecret = serde_json::from_str(json)
            .map_err(|_| SettingsError("signing secret: not the expected JSON".into()))?;
        if s.phone_key.len() < 32 {
            return Err(SettingsError(
                "signing secret: phone_key is shorter than 32 bytes".into(),
            ));
        }
        if s.kid.is_empty() {
            return Err(SettingsError("signing secret: empty kid".into()));
        }
        Ok(s)
    }

    pub async fn fetch(
        aws: &baladiya::config::Aws,
        secret_id: &str,
    ) -> Result<SigningSecret, SettingsError> {
        let text = aws
            .secret_string(secret_id)
            .await
            .map_err(|code| SettingsError(format!("reading the signing secret: {code}")))?;
        SigningSecret::parse(&text)
    }
}

/// Refuse to start with a key other functions would not accept: its public half
/// must be in `BALADIYA_JWKS` under its kid (publish first, then sign with it).
pub fn check_key_is_published(signer: &TokenSigner, jwks: &str) -> Result<(), SettingsError> {
    let own: serde_json::Value = serde_json::from_str(
        &signer
            .public_jwks()
            .map_err(|e| SettingsError(e.to_string()))?,
    )
    .map_err(|e| SettingsError(e.to_string()))?;
    let own = &own["keys"][0];
    let published: serde_json::Value =
        serde_json::from_str(jwks).map_err(|e| SettingsError(format!("BALADIYA_JWKS: {e}")))?;
    let keys = published["keys"].as_array().cloned().unwrap_or_default();
    // The set is published as configured: it must hold public keys only.
    if keys.iter().any(|k| k.get("d").is_some()) {
        return Err(SettingsError(
            "BALADIYA_JWKS holds a private key (a \"d\" member): publish public keys only".into(),
        ));
    }
    let found = keys
        .iter()
        .any(|k| k["kid"] == own["kid"] && k["x"] == own["x"]);
    if found {
        Ok(())
    } else {
        Err(SettingsError(
            "the signing key is not in BALADIYA_JWKS under its kid: publish it first".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIOhDt9Yzbaeam++b94ieRzAKpCkPqXRyDefO2rFe0Ad8\n-----END PRIVATE KEY-----\n";
    const OTHER: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBiPU/MeVrY9ZRYtArHyRgfgn8zTgLEVvnfcDar0Gb/M\n-----END PRIVATE KEY-----\n";

    #[test]
    fn settings_defaults_and_checks() {
        let s = Settings::from_lookup(|k| {
            (k == "BALADIYA_SIGNING_SECRET").then(|| "baladiya/signing".to_owned())
        })
        .unwrap();
        assert_eq!(s.access_ttl, 900);
        assert_eq!(s.sms_countries, vec!["216"]);
        assert!(s.fcm_app.is_none());
        assert!(Settings::from_lookup(|_| None).is_err());
        let bad = |k: &'static str, v: &'static str| {
            Settings::from_lookup(move |key| match key {
                "BALADIYA_SIGNING_SECRET" => Some("x".into()),
                _ if key == k => Some(v.into()),
                _ => None,
            })
        };
        assert!(bad("BALADIYA_ACCESS_TTL", "0").is_err());
        assert!(bad("BALADIYA_ACCESS_TTL", "86400").is_err());
        assert_eq!(bad("BALADIYA_ACCESS_TTL", "600").unwrap().access_ttl, 600);
        assert!(bad("BALADIYA_SMS_COUNTRIES", "tn").is_err());
        assert_eq!(
            bad("BALADIYA_SMS_COUNTRIES", "+216, 33")
                .unwrap()
                .sms_countries,
            vec!["216", "33"]
        );
    }

    #[test]
    fn the_secret_is_checked_and_never_printed() {
        let json = serde_json::json!({
            "kid": "k1", "private_key_pem": PEM, "phone_key": "p".repeat(32)
        })
        .to_string();
        let s = SigningSecret::parse(&json).unwrap();
        assert!(!format!("{s:?}").contains("PRIVATE"));
        assert!(!format!("{s:?}").contains("pppp"));
        let short = json.replace(&"p".repeat(32), "short");
        assert!(SigningSecret::parse(&short).is_err());
        assert!(SigningSecret::parse("{}").is_err());
    }

    #[test]
    fn the_signing_key_must_be_published() {
        let signer = TokenSigner::from_ed_pem("k1", PEM.as_bytes()).unwrap();
        let published = signer.public_jwks().unwrap();
        assert!(check_key_is_published(&signer, &published).is_ok());
        let other = TokenSigner::from_ed_pem("k1", OTHER.as_bytes())
            .unwrap()
            .public_jwks()
            .unwrap();
        assert!(check_key_is_published(&signer, &other).is_err());
        assert!(check_key_is_published(&signer, r#"{"keys":[]}"#).is_err());
        let mut leaked: serde_json::Value = serde_json::from_str(&published).unwrap();
        leaked["keys"][0]["d"] = serde_json::json!("c2VjcmV0");
        assert!(check_key_is_published(&signer, &leaked.to_string()).is_err());
    }
}
