//! Black-box tests of the accounts function over HTTP, against the running local
//! stack: sign-in by reading the SMS the emulator received, the code's limits,
//! tokens (forged, expired, tampered, refreshed twice), profile, follows, devices,
//! export and erasure. Started by `scripts/test`.

use std::time::{SystemTime, UNIX_EPOCH};

use baladiya::domain::account::phone_digest;
use baladiya::domain::{Id, Phone, Principal};
use baladiya::http::{AccessClaims, TokenSigner};
use baladiya_tests::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

mod codes;
mod personal_data;
mod profile;
mod sign_in;
mod tokens;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Change stored fields of a number's sign-in code state: how these tests make
/// minutes pass.
async fn age_code(phone: &str, set: &[(&str, u64)]) {
    let key = phone_key().await;
    let digest = phone_digest(&key, &Phone::parse(phone).unwrap());
    let fields: Vec<(&str, Value)> = set.iter().map(|(k, v)| (*k, json!(v))).collect();
    store()
        .raw_set(&format!("P#OTP#{digest}"), "OTP", &fields)
        .await
        .expect("the code state exists");
}

async fn token_answer(api: &Api, phone: &str, code: &str) -> Answer {
    send(
        api.post("/v1/auth/token")
            .header("accept-language", "en")
            .json(&json!({ "phone": phone, "code": code })),
    )
    .await
}

fn access(t: &Value) -> String {
    t["access_token"].as_str().unwrap().to_owned()
}

fn refresh_of(t: &Value) -> String {
    t["refresh_token"].as_str().unwrap().to_owned()
}

// Another Ed25519 key: what an attacker could sign with.
const FOREIGN_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBiPU/MeVrY9ZRYtArHyRgfgn8zTgLEVvnfcDar0Gb/M\n-----END PRIVATE KEY-----\n";

fn dev_signer() -> TokenSigner {
    let pem = std::fs::read(root().join("tools/devstack/keys/dev-ed25519.pem")).unwrap();
    TokenSigner::from_ed_pem("dev-1", &pem).unwrap()
}

async fn endpoints_of(app_platform: &str, app_name: &str) -> Vec<String> {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-3".into());
    let arn = format!("arn:aws:sns:{region}:123456789012:app/{app_platform}/{app_name}");
    aws()
        .sns()
        .list_endpoints_by_platform_application()
        .platform_application_arn(arn)
        .send()
        .await
        .expect("the local push application")
        .endpoints()
        .iter()
        .filter_map(|e| e.endpoint_arn().map(str::to_owned))
        .collect()
}
