//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/complaints/` — against the local emulator's
//! DynamoDB (started by `scripts/test`).

use std::path::Path;

use baladiya::fixtures::{Fixture, body_json, fixtures};

use baladiya::config::Config;
use complaints::{Ctx, handle};

async fn ctx() -> Ctx {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = baladiya::config::Aws::from_env().expect("AWS settings");
    Ctx::new(&config, &aws).expect("valid JWKS")
}

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = ctx().await;
    let fixtures = fixtures("complaints");
    assert!(fixtures.len() >= 8, "fixtures found: {}", fixtures.len());
    for Fixture {
        name,
        expected,
        request: req,
    } in fixtures
    {
        let res = handle(&ctx, req).await;
        assert_eq!(
            res.status().as_u16(),
            expected,
            "{name}: {}",
            body_json(&res)
        );
    }
}

#[tokio::test]
async fn categories_are_named_in_the_callers_language() {
    let ctx = ctx().await;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/complaints/categories-of-tunis.200.json");
    let req = lambda_http::request::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let res = handle(&ctx, req).await;
    let body = body_json(&res);
    assert_eq!(body["items"][0]["label"], "Éclairage public");
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
}
