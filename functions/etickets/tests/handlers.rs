//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/etickets/` — against the local emulator's
//! DynamoDB (started by `scripts/test`, which seeds `tunis`).

use baladiya::config::Config;
use baladiya::fixtures::{Fixture, body_text, fixtures};
use etickets::{Ctx, handle};

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
    let fixtures = fixtures("etickets");
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
            body_text(&res)
        );
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("application/"), "{name}: {ct}");
    }
}
