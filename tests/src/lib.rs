//! Helpers for the black-box tests: the running local stack's address, tokens
//! minted with the development key, unique names and numbers per test.
//!
//! These tests expect `scripts/test` to have started the stack: it exports
//! `BALADIYA_API` (the API's base URL) and `AWS_ENDPOINT_URL` (the emulator).

pub mod contract;
pub mod scheduler;
pub mod uploads;
pub mod xml;

pub use scheduler::{
    run_notifications_on, run_notifications_sweep, run_scheduler, run_scheduler_at,
};
pub use uploads::{SMALL_PDF, upload};

use std::io::Write;
use std::path::{Path, PathBuf};

use baladiya::domain::{Id, MunicipalityId, Permission, Principal};
use baladiya::http::{AccessClaims, TokenSigner};
use reqwest::{Client, RequestBuilder};
use serde_json::Value;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The running API. Panics with instructions when the stack is not up: a test that
/// silently skipped would prove nothing.
pub struct Api {
    pub base: String,
    pub http: Client,
}

impl Api {
    pub fn from_env() -> Api {
        let base = std::env::var("BALADIYA_API")
            .expect("BALADIYA_API is not set: run these tests with scripts/test, which starts the local stack");
        Api {
            base: base.trim_end_matches('/').to_owned(),
            http: Client::new(),
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }
    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.http.patch(format!("{}{path}", self.base))
    }
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.http.delete(format!("{}{path}", self.base))
    }
}

/// A response read whole: status, headers we check, JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// Send a request and read its answer whole; the answer is checked against
/// `openapi.yaml` ([`contract::check`]): a status it does not list, or a JSON body
/// that does not match its schema, fails the test.
pub async fn send(req: RequestBuilder) -> Answer {
    let (client, req) = req.build_split();
    let req = req.expect("a well-formed request");
    let method = req.method().to_string();
    let path = req.url().path().to_owned();
    let res = client.execute(req).await.expect("the API answers");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    contract::check(&method, &path, status, &content_type, &body);
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

impl Answer {
    /// Assert a problem+json answer with `status` and `code`.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "content type; body: {}",
            self.body
        );
        assert_eq!(self.body["code"], code, "code; body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
}

fn signer() -> TokenSigner {
    let pem = std::fs::read(root().join("tools/devstack/keys/dev-ed25519.pem")).expect("dev key");
    TokenSigner::from_ed_pem("dev-1", &pem).expect("valid dev key")
}

/// Remember a secret the API saw, so that `scripts/test` can check no log has it.
pub fn remember_secret(s: &str) {
    if let Ok(path) = std::env::var("BALADIYA_SECRETS_FILE")
        && let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    {
        let _ = writeln!(f, "{s}");
    }
}

pub fn token_for(who: &Principal) -> String {
    let t = signer()
        .sign(&AccessClaims::for_principal(who, "baladiya-accounts", 900))
        .expect("signs");
    remember_secret(&t);
    t
}

pub fn admin() -> String {
    token_for(&Principal::PlatformAdmin {
        user: Id::generate("usr"),
    })
}

pub fn citizen() -> String {
    token_for(&Principal::Citizen {
        user: Id::generate("usr"),
    })
}

/// A staff token of `m` with `perms`, for staff record `staff_id`.
pub fn staff(m: &str, staff_id: Option<&str>, perms: &[Permission]) -> String {
    token_for(&Principal::Staff {
        user: Id::generate("usr"),
        staff_id: staff_id
            .map(|s| Id::parse("stf", s).expect("staff id"))
            .unwrap_or_else(|| Id::generate("stf")),
        municipality: MunicipalityId::parse(m).expect("slug"),
        permissions: perms.iter().copied().collect(),
        complaint_categories: None,
    })
}

fn random() -> u128 {
    ulid::Ulid::new().random()
}

/// A municipality id no other test uses.
pub fn unique_slug(prefix: &str) -> String {
    let r = random();
    let suffix: String = (0..8)
        .map(|i| {
            let d = ((r >> (i * 5)) & 31) as u8 % 26;
            (b'a' + d) as char
        })
        .collect();
    format!("{prefix}-{suffix}")
}

/// A valid Tunisian mobile number (`+2162…`) no other test uses, in E.164.
pub fn unique_phone() -> String {
    let mut digits = random() % 10_000_000;
    // The emulator treats numbers ending in 99 as opted out of SMS.
    if digits % 100 == 99 {
        digits -= 1;
    }
    let phone = format!("+2162{digits:07}");
    remember_secret(&phone);
    phone
}

/// Create a municipality as platform administrator; returns its id.
pub async fn new_municipality(api: &Api, prefix: &str) -> String {
    municipality_with(api, prefix, serde_json::json!({"complaints": "ACTIVATED"})).await
}

/// Create a municipality with `services` (`{"reports": "ACTIVATED", …}`).
pub async fn municipality_with(api: &Api, prefix: &str, services: Value) -> String {
    let id = unique_slug(prefix);
    let a = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&serde_json::json!({
                "id": id,
                "governorate": "TN-11",
                "name": {"ar": "بلدية تجريبية", "fr": "Commune de test"},
                "status": "ACTIVATED",
                "services": services
            })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    id
}

impl Api {
    pub fn put(&self, path: &str) -> RequestBuilder {
        self.http.put(format!("{}{path}", self.base))
    }
}

/// The AWS SDK setup pointing at the emulator.
pub fn aws() -> baladiya::config::Aws {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: run these tests with scripts/test"
    );
    baladiya::config::Aws::from_env().expect("AWS settings")
}

pub fn table() -> String {
    std::env::var("BALADIYA_TABLE").expect("BALADIYA_TABLE (scripts/test sets it)")
}

/// The stack's table, for reading items as stored and for making time pass
/// (`Store::raw_*`).
pub fn store() -> baladiya::store::Store {
    baladiya::store::Store::new(aws().dynamodb(), table())
}

/// Every item of the stack's table, one JSON document a line: for checking
/// what is stored, and what is not (the test may Scan; requests never do).
pub async fn every_item_in_the_table() -> String {
    let items = store().raw_scan().await.expect("scan");
    items.iter().map(|i| format!("{i}\n")).collect()
}

/// Everything the emulator holds, as its dashboard reads it.
async fn emulator_data() -> Value {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
    reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .expect("emulator answers")
        .json()
        .await
        .expect("emulator data")
}

/// The SMS the emulator recorded for `phone` (E.164), oldest first.
pub async fn sms_to(phone: &str) -> Vec<String> {
    let data = emulator_data().await;
    data["sns"]["SMS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["phone_number"] == phone)
        .filter_map(|m| m["message"].as_str().map(str::to_owned))
        .collect()
}

/// The push messages the emulator recorded for the device whose platform
/// token is `token` (each as published: the JSON of every platform's payload).
pub async fn pushes_to(token: &str) -> Vec<String> {
    let data = emulator_data().await;
    data["sns"]["PlatformEndpoint"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["token"] == token)
        .flat_map(|e| e["messages"].as_object().cloned().unwrap_or_default())
        .filter_map(|(_, m)| m.as_str().map(str::to_owned))
        .collect()
}

/// The 6-digit code in an SMS text.
pub fn code_in(text: &str) -> String {
    let digits: Vec<char> = text.chars().collect();
    digits
        .windows(6)
        .find(|w| w.iter().all(|c| c.is_ascii_digit()))
        .map(|w| w.iter().collect())
        .expect("a 6-digit code in the SMS")
}

/// Ask for a sign-in code for `phone` and read it from the SMS the emulator got.
pub async fn request_code(api: &Api, phone: &str) -> String {
    request_code_in(api, phone, None).await
}

/// The same, asked in language `lang` (`ar`, `fr`, `en`).
pub async fn request_code_in(api: &Api, phone: &str, lang: Option<&str>) -> String {
    let before = sms_to(phone).await.len();
    let mut body = serde_json::json!({ "phone": phone });
    if let Some(lang) = lang {
        body["lang"] = lang.into();
    }
    let a = send(api.post("/v1/auth/otp").json(&body)).await;
    assert_eq!(a.status, 202, "{}", a.body);
    let sms = sms_to(phone).await;
    assert_eq!(sms.len(), before + 1, "one SMS per code");
    let code = code_in(sms.last().expect("an SMS"));
    remember_secret(&code);
    code
}

/// Sign in by SMS code; returns the token answer. Remembers the tokens as secrets
/// that must not appear in any log.
pub async fn sign_in(api: &Api, phone: &str) -> Value {
    sign_in_as(api, phone, serde_json::json!({})).await
}

/// Sign in having asked for the code in `lang`, as a new citizen would from
/// the app's first screen.
pub async fn sign_in_speaking(api: &Api, phone: &str, lang: &str) -> Value {
    let code = request_code_in(api, phone, Some(lang)).await;
    let body = serde_json::json!({ "phone": phone, "code": code });
    let a = send(api.post("/v1/auth/token").json(&body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    remember_tokens(&a.body);
    a.body
}

/// Sign in asking for a role (`{"role": …, "municipality": …}`).
pub async fn sign_in_as(api: &Api, phone: &str, role: Value) -> Value {
    let code = request_code(api, phone).await;
    let mut body = serde_json::json!({ "phone": phone, "code": code });
    if let (Some(b), Some(r)) = (body.as_object_mut(), role.as_object()) {
        b.extend(r.clone());
    }
    let a = send(api.post("/v1/auth/token").json(&body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    remember_tokens(&a.body);
    a.body
}

pub fn remember_tokens(answer: &Value) {
    for k in ["access_token", "refresh_token"] {
        if let Some(t) = answer[k].as_str() {
            remember_secret(t);
        }
    }
}

/// The accounts function's phone-digest key, from the local signing secret.
pub async fn phone_key() -> Vec<u8> {
    let id = std::env::var("BALADIYA_SIGNING_SECRET").expect("BALADIYA_SIGNING_SECRET");
    let secret = aws()
        .secret_string(&id)
        .await
        .expect("the local signing secret");
    let v: Value = serde_json::from_str(&secret).expect("JSON");
    v["phone_key"]
        .as_str()
        .expect("phone_key")
        .as_bytes()
        .to_vec()
}

/// Add a staff member to `m` as platform administrator; returns the record.
pub async fn add_staff(api: &Api, m: &str, phone: &str, perms: &[&str]) -> Value {
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(admin())
            .json(&serde_json::json!({
                "phone": phone,
                "name": "Agent de test",
                "permissions": perms,
            })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

/// Wait until `check` holds, polling every half second for 30 s at most: for
/// what the stack does asynchronously (notices delivered by the relay).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..60 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    panic!("not within 30 s: {what}");
}

/// Agencies "always open" in the tests keep 00:00 to 23:59 in Tunis (a shift
/// excludes its closing minute): a test about to take a ticket in that last
/// minute waits for the next day's first.
pub async fn not_in_the_closing_minute() {
    let local = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+1));
    if local.hour() == 23 && local.minute() == 59 {
        let wait = 61 - u64::from(local.second());
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    }
}
