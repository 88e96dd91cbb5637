//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/complaints/` — against the local emulator's
//! DynamoDB (started by `scripts/test`).

use baladiya::fixtures::{body_json, context, fixture, serve_fixtures};

use complaints::{Ctx, handle};

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = &context(Ctx::new);
    serve_fixtures("complaints", 8, |req| handle(ctx, req), |_, _, _| {}).await;
}

#[tokio::test]
async fn categories_are_named_in_the_callers_language() {
    let ctx = context(Ctx::new);
    let res = handle(&ctx, fixture("complaints", "categories-of-tunis.200.json")).await;
    let body = body_json(&res);
    assert_eq!(body["items"][0]["label"], "Éclairage public");
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
}
