//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/permits/` — against the local emulator's
//! DynamoDB (started by `scripts/test`).
// The handler futures nest deeply (tenancy, access, the case flow): their layout
// needs more than the default 128 query levels.
#![recursion_limit = "256"]

use baladiya::fixtures::{body_json, context, fixture, problem_answer, serve_fixtures};

use permits::{Ctx, handle};

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = &context(Ctx::new);
    serve_fixtures("permits", 10, |req| handle(ctx, req), problem_answer).await;
}

#[tokio::test]
async fn an_unknown_dossier_is_a_problem_in_the_callers_language() {
    let ctx = context(Ctx::new);
    let res = handle(&ctx, fixture("permits", "unknown-dossier.404.json")).await;
    let body = body_json(&res);
    assert_eq!(body["code"], "not_found");
    assert_eq!(res.headers()["content-language"], "fr");
}

#[tokio::test]
async fn staff_lists_need_a_bearer_token_and_say_so() {
    let ctx = context(Ctx::new);
    let res = handle(&ctx, fixture("permits", "list-without-token.401.json")).await;
    assert_eq!(body_json(&res)["code"], "unauthenticated");
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let forged = handle(
        &ctx,
        fixture("permits", "list-with-a-forged-token.401.json"),
    )
    .await;
    assert_eq!(body_json(&forged)["code"], "invalid_token");
}

#[tokio::test]
async fn the_list_accepts_get_and_post_only() {
    let ctx = context(Ctx::new);
    let res = handle(&ctx, fixture("permits", "delete-the-list.405.json")).await;
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
