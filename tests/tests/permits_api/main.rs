//! Black-box tests of the permits function over HTTP, against the running local
//! stack (started by `scripts/test`): dossiers registered at the counter and
//! submitted online, following by reference and national ID, the stages with
//! their notes and SMS, documents, tenant isolation and the BLDS open-data export.

use baladiya::domain::Permission;
use baladiya::domain::permit::blds::{BLDS_FIELDS, BLDS_REQUIRED, validate};
use baladiya_tests::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

mod access;
mod export;
mod follow;
mod inbox;
mod register;
mod workflow;

/// A municipality with the permits service activated; returns its id.
async fn permits_municipality(api: &Api, prefix: &str) -> String {
    let id = unique_slug(prefix);
    let a = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!({
                "id": id,
                "governorate": "TN-11",
                "name": {"ar": "بلدية تجريبية", "fr": "Commune de test"},
                "status": "ACTIVATED",
                "services": {"permits": "ACTIVATED"}
            })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    id
}

/// A national ID (CIN) no other test uses. It must reach no log.
fn national_id() -> String {
    let cin = format!("{:08}", ulid::Ulid::new().random() % 100_000_000);
    remember_secret(&cin);
    cin
}

/// A holder's name unique to the test. Personal data: it must reach no log.
fn holder_name() -> String {
    let suffix: String = ulid::Ulid::new().to_string()[20..].to_lowercase();
    let name = format!("Mongia Ben Salah {suffix}");
    remember_secret(&name);
    name
}

/// A dossier deposited at the counter.
fn deposited(kind: &str, cin: &str, name: &str) -> Value {
    json!({
        "type": kind,
        "description": "Construction d'une maison individuelle R+1 avec garage",
        "address": "12 rue de Marseille",
        "postal_code": "1000",
        "location": {"lat": 36.8008, "lon": 10.1817},
        "holder_national_id": cin,
        "holder_name": name,
    })
}

fn dossiers(m: &str) -> String {
    format!("/v1/municipalities/{m}/permits")
}

async fn register(api: &Api, m: &str, token: &str, body: &Value) -> Value {
    let a = send(
        api.post(&dossiers(m))
            .bearer_auth(token)
            .header("accept-language", "fr")
            .json(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

/// Move a dossier as `token`; returns the answer.
async fn step(api: &Api, m: &str, id: &str, token: &str, body: Value) -> Answer {
    send(
        api.post(&format!("{}/{id}/transitions", dossiers(m)))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

async fn follow(api: &Api, m: &str, token: &str, reference: &str, cin: &str) -> Answer {
    send(
        api.post(&format!("{}/follow", dossiers(m)))
            .bearer_auth(token)
            .json(&json!({ "reference": reference, "national_id": cin })),
    )
    .await
}

/// A signed-in citizen (a real account) told by SMS, in French.
async fn citizen_told_by_sms(api: &Api) -> (String, String) {
    let phone = unique_phone();
    let t = sign_in(api, &phone).await;
    let token = t["access_token"].as_str().unwrap().to_owned();
    let p = send(
        api.patch("/v1/me")
            .bearer_auth(&token)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    (phone, token)
}

fn year_in_tunisia() -> i32 {
    OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+1))
        .year()
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a date"), &Rfc3339).expect("RFC 3339")
}

/// A downloaded export file.
async fn download(api: &Api, file: &Value) -> String {
    let res = api
        .http
        .get(file["url"].as_str().expect("a download link"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    res.text().await.unwrap()
}
