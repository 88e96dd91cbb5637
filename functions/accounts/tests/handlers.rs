//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/accounts/` — against the local emulator
//! (started by `scripts/test`, which also provides the signing secret).

use baladiya::fixtures::{body_json, fixture, serve_fixtures};

use accounts::{Ctx, handle};

async fn ctx() -> Ctx {
    Ctx::from_env()
        .await
        .expect("run with scripts/test: the stack's environment or signing secret is missing")
}

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = &ctx().await;
    serve_fixtures(
        "accounts",
        10,
        |req| handle(ctx, req),
        |name, _, res| {
            if res.status().as_u16() >= 400 {
                assert_eq!(
                    res.headers()["content-type"],
                    "application/problem+json",
                    "{name}"
                );
            }
        },
    )
    .await;
}

#[tokio::test]
async fn the_key_set_is_public_and_cacheable() {
    let ctx = ctx().await;
    let res = handle(&ctx, fixture("accounts", "public-keys.200.json")).await;
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
    let res = handle(
        &ctx,
        fixture("accounts", "request-code-for-a-landline.422.json"),
    )
    .await;
    assert_eq!(res.headers()["content-language"], "fr");
    let body = body_json(&res);
    assert_eq!(body["errors"][0]["field"], "phone");
    assert_eq!(body["errors"][0]["reason"], "not_mobile");
}

/// One client address cycling through numbers gets no more codes an hour than
/// the cap, whatever the numbers (API Gateway gives the address; locally every
/// client is 127.0.0.1, so this is tested in-process with addresses of its own).
#[tokio::test]
async fn one_client_address_gets_a_bounded_number_of_codes() {
    let mut ctx = ctx().await;
    ctx.settings.client_hourly_cap = 2;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/accounts/request-code-for-a-landline.422.json");
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let random = ulid::Ulid::new().random();
    let address = format!(
        "10.{}.{}.{}",
        random % 250,
        (random >> 8) % 250,
        (random >> 16) % 250
    );
    let mut statuses = Vec::new();
    for i in 0..3u128 {
        let mut event = template.clone();
        let mut digits = (random >> 24).wrapping_add(i * 7) % 10_000_000;
        // The emulator treats numbers ending in 99 as opted out of SMS.
        if digits % 100 == 99 {
            digits -= 1;
        }
        let phone = format!("+2162{digits:07}");
        event["body"] = serde_json::json!(serde_json::json!({ "phone": phone }).to_string());
        event["requestContext"]["http"]["sourceIp"] = serde_json::json!(address);
        let req = lambda_http::request::from_str(&event.to_string()).unwrap();
        let res = handle(&ctx, req).await;
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            assert_eq!(body_json(&res)["code"], "too_many_requests");
            let wait: u64 = res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=3600).contains(&wait));
        }
    }
    assert_eq!(statuses, vec![202, 202, 429]);
}

/// The signing secret is read by the first request that needs it, not at the
/// cold start: a container serves the key set without it, and a secret that
/// cannot be read is a 503 for the routes that sign, written nowhere.
#[tokio::test]
async fn the_signing_secret_is_read_on_first_use_only() {
    let config = baladiya::config::Config::from_env().expect("run with scripts/test");
    let aws = baladiya::config::Aws::from_env().expect("run with scripts/test");
    let mut settings =
        accounts::Settings::from_lookup(|k| std::env::var(k).ok()).expect("run with scripts/test");
    settings.signing_secret = "baladiya-no-such-secret".into();
    let without = Ctx::lazy(&config, settings, &aws).expect("no secret is read here");
    let keys = handle(&without, fixture("accounts", "public-keys.200.json")).await;
    assert_eq!(keys.status(), 200);
    let signing = handle(
        &without,
        fixture("accounts", "sign-in-without-a-code-asked.400.json"),
    )
    .await;
    assert_eq!(signing.status(), 503);
    assert_eq!(
        signing.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(body_json(&signing)["code"], "service_unavailable");
    // The same request with the stack's own secret gets the answer it expects.
    let ctx = ctx().await;
    let res = handle(
        &ctx,
        fixture("accounts", "sign-in-without-a-code-asked.400.json"),
    )
    .await;
    assert_eq!(res.status(), 400);
}
