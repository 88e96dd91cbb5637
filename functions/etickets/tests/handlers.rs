//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/etickets/` — against the local emulator's
//! DynamoDB (started by `scripts/test`, which seeds `tunis`).

use baladiya::fixtures::{context, json_answer, serve_fixtures};
use etickets::{Ctx, handle};

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = &context(Ctx::new);
    serve_fixtures("etickets", 8, |req| handle(ctx, req), json_answer).await;
}
