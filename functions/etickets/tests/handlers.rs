//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/etickets/` — against the local emulator's
//! DynamoDB (started by `scripts/test`, which seeds `tunis`).

use std::path::Path;

use baladiya::config::Config;
use etickets::{Ctx, handle};

async fn ctx() -> Ctx {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = baladiya::config::Aws::from_env().expect("AWS settings");
    Ctx::new(&config, &aws).expect("valid JWKS")
}

fn body(r: &lambda_http::Response<lambda_http::Body>) -> String {
    match r.body() {
        lambda_http::Body::Text(t) => t.clone(),
        _ => String::new(),
    }
}

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = ctx().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/etickets");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(expected) = name
            .strip_suffix(".json")
            .and_then(|n| n.rsplit('.').next())
            .and_then(|s| s.parse::<u16>().ok())
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let req = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let res = handle(&ctx, req).await;
        assert_eq!(res.status().as_u16(), expected, "{name}: {}", body(&res));
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("application/"), "{name}: {ct}");
        seen += 1;
    }
    assert!(seen >= 8, "fixtures found: {seen}");
}
