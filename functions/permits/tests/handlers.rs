//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/permits/` — against the local emulator's
//! DynamoDB (started by `scripts/test`).

use std::path::Path;

use baladiya::fixtures::{Fixture, body_json, fixtures};

use baladiya::config::Config;
use permits::{Ctx, handle};

async fn ctx() -> Ctx {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = baladiya::config::Aws::from_env().expect("AWS settings");
    Ctx::new(&config, &aws).expect("valid JWKS and keys")
}

fn fixture(name: &str) -> lambda_http::Request {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/permits")
        .join(name);
    lambda_http::request::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = ctx().await;
    let fixtures = fixtures("permits");
    assert!(fixtures.len() >= 10, "fixtures found: {}", fixtures.len());
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
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_unknown_dossier_is_a_problem_in_the_callers_language() {
    let ctx = ctx().await;
    let res = handle(&ctx, fixture("unknown-dossier.404.json")).await;
    let body = body_json(&res);
    assert_eq!(body["code"], "not_found");
    assert_eq!(res.headers()["content-language"], "fr");
}

#[tokio::test]
async fn staff_lists_need_a_bearer_token_and_say_so() {
    let ctx = ctx().await;
    let res = handle(&ctx, fixture("list-without-token.401.json")).await;
    assert_eq!(body_json(&res)["code"], "unauthenticated");
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let forged = handle(&ctx, fixture("list-with-a-forged-token.401.json")).await;
    assert_eq!(body_json(&forged)["code"], "invalid_token");
}

#[tokio::test]
async fn the_list_accepts_get_and_post_only() {
    let ctx = ctx().await;
    let res = handle(&ctx, fixture("delete-the-list.405.json")).await;
    assert_eq!(res.headers()["allow"], "GET, POST");
}

#[test]
fn literal_routes_come_before_the_dossier_id() {
    let id = permits::ROUTES
        .iter()
        .position(|r| r.path.ends_with("/{id}"))
        .unwrap();
    for literal in ["/mine", "/follow", "/exports"] {
        let i = permits::ROUTES
            .iter()
            .position(|r| r.path.ends_with(literal))
            .unwrap();
        assert!(i < id, "{literal}");
    }
}
