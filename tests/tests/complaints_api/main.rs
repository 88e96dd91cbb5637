//! Black-box tests of the complaints function over HTTP, against the running local
//! stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

mod access;
mod categories;
mod filing;
mod followers;
mod inbox;
mod notices;
mod photos;
mod workflow;

fn report(lat: f64, lon: f64) -> Value {
    json!({
        "category": "lighting",
        "subcategory": "lamp-out",
        "description": "Le lampadaire devant le numéro 12 est éteint depuis une semaine.",
        "location": { "lat": lat, "lon": lon },
    })
}

async fn file(api: &Api, m: &str, token: &str, body: &Value) -> Value {
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(token)
            .json(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

/// A point inside Tunisia unique to this run, so tests do not see each other's
/// complaints nearby.
fn somewhere() -> (f64, f64) {
    let r = ulid::Ulid::new().random();
    (
        33.5 + (r % 10_000) as f64 / 10_000.0,
        9.0 + ((r >> 16) % 10_000) as f64 / 10_000.0,
    )
}

/// Upload `bytes` as a JPEG photo of complaint `id` as `token`; the photo's id.
async fn upload_photo(api: &Api, m: &str, id: &str, token: &str, bytes: Vec<u8>) -> String {
    let path = format!("/v1/municipalities/{m}/complaints/{id}/attachments");
    upload(api, &path, token, "image/jpeg", &bytes).await
}
