//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/accounts/` — against the local emulator
//! (started by `scripts/test`, which also provides the signing secret).

use std::path::Path;

use accounts::{Ctx, handle};

fn body_json(r: &lambda_http::Response<lambda_http::Body>) -> serde_json::Value {
    match r.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap_or_default(),
        _ => serde_json::Value::Null,
    }
}

fn fixture(name: &str) -> lambda_http::Request {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/accounts")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn ctx() -> Ctx {
    Ctx::from_env()
        .await
        .expect("run with scripts/test: the stack's environment or signing secret is missing")
}

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = ctx().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/accounts");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(expected) = name
            .strip_suffix(".json")
            .and_then(|n| n.rsplit('.').next())
            .and_then(|s| s.parse::<u16>().ok())
        else {
            continue;
        };
        let res = handle(&ctx, fixture(&name)).await;
        assert_eq!(
            res.status().as_u16(),
            expected,
            "{name}: {}",
            body_json(&res)
        );
        if expected >= 400 {
            assert_eq!(
                res.headers()["content-type"],
                "application/problem+json",
                "{name}"
            );
        }
        seen += 1;
    }
    assert!(seen >= 10, "fixtures found: {seen}");
}

#[tokio::test]
async fn the_key_set_is_public_and_cacheable() {
    let ctx = ctx().await;
    let res = handle(&ctx, fixture("public-keys.200.json")).await;
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    let body = body_json(&res);
    let key = &body["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert!(key.get("d").is_none(), "never the private part");
}

#[tokio::test]
async fn refusals_speak_the_callers_language() {
    let ctx = ctx().await;
    let res = handle(&ctx, fixture("request-code-for-a-landline.422.json")).await;
    assert_eq!(res.headers()["content-language"], "fr");
    let body = body_json(&res);
    assert_eq!(body["errors"][0]["field"], "phone");
    assert_eq!(body["errors"][0]["reason"], "not_mobile");
}
