//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/info-requests/` — against the local emulator's
//! DynamoDB (started by `scripts/test`, which seeds `tunis`).

use baladiya::fixtures::{serve_fixtures, stack};
use info_requests::{Ctx, handle};

async fn ctx() -> Ctx {
    let (config, aws) = stack();
    Ctx::new(&config, &aws).expect("valid JWKS")
}

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = &ctx().await;
    serve_fixtures(
        "info-requests",
        8,
        |req| handle(ctx, req),
        |name, _, res| {
            let ct = res.headers()["content-type"].to_str().unwrap();
            assert!(ct.starts_with("application/"), "{name}: {ct}");
        },
    )
    .await;
}
