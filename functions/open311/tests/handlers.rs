//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/open311/` — against the local emulator's
//! DynamoDB (started by `scripts/test`, which seeds `tunis`).

use baladiya::fixtures::{body_text, context, serve_fixtures};
use open311::{Ctx, handle};

/// Every fixture names the status it must get: `<name>.<status>.json`; an
/// Open311 answer is in the format its path names, errors included.
#[tokio::test]
async fn event_fixtures_get_their_expected_status_and_format() {
    let ctx = &context(Ctx::new);
    serve_fixtures(
        "open311",
        10,
        |req| handle(ctx, req),
        |name, url, res| {
            let ct = res.headers()["content-type"].to_str().unwrap();
            if url.starts_with("/open311/") {
                if url.ends_with(".json") {
                    assert!(ct.starts_with("application/json"), "{name}: {ct}");
                    serde_json::from_str::<serde_json::Value>(&body_text(res)).expect("JSON");
                } else {
                    assert!(ct.starts_with("text/xml"), "{name}: {ct}");
                    assert!(
                        body_text(res).starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
                    );
                }
            }
        },
    )
    .await;
}
