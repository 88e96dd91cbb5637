//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/municipalities/` — against the local
//! emulator's DynamoDB (started by `scripts/test`).

use std::path::Path;

use baladiya::fixtures::{Fixture, body_json, fixtures};

use baladiya::config::Config;
use municipalities::{Ctx, handle};

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
    let fixtures = fixtures("municipalities");
    assert!(fixtures.len() >= 5, "fixtures found: {}", fixtures.len());
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
async fn the_ghazala_fixture_returns_ghazala() {
    let ctx = ctx().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/municipalities");
    let text = std::fs::read_to_string(dir.join("get-municipality.200.json")).unwrap();
    let res = handle(&ctx, lambda_http::request::from_str(&text).unwrap()).await;
    let body = body_json(&res);
    assert_eq!(body["id"], "ghazala");
    assert_eq!(body["name"]["ar"], "غزالة");
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
}

/// Bytes a local emulator cannot carry but API Gateway can: a body that is not
/// UTF-8 (delivered base64-encoded, as `Body::Binary`) and header values that are
/// not ASCII. The function answers 4xx, never 5xx.
#[tokio::test]
async fn binary_bodies_and_non_ascii_headers_are_client_errors() {
    let ctx = ctx().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/municipalities");
    let text =
        std::fs::read_to_string(dir.join("create-municipality-without-token.401.json")).unwrap();
    let token = {
        let pem = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/devstack/keys/dev-ed25519.pem"),
        )
        .unwrap();
        let signer = baladiya::http::TokenSigner::from_ed_pem("dev-1", &pem).unwrap();
        let admin = baladiya::domain::Principal::PlatformAdmin {
            user: baladiya::domain::Id::generate("usr"),
        };
        signer
            .sign(&baladiya::http::AccessClaims::for_principal(
                &admin,
                "baladiya-accounts",
                300,
            ))
            .unwrap()
    };
    let with = |body: lambda_http::Body, headers: &[(&str, &[u8])]| {
        let mut req = lambda_http::request::from_str(&text).unwrap();
        *req.body_mut() = body;
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        for (name, value) in headers {
            req.headers_mut().insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        req
    };

    let res = handle(
        &ctx,
        with(lambda_http::Body::Binary(vec![0x0f, b'@', 0xff, 0xfe]), &[]),
    )
    .await;
    assert_eq!(res.status(), 400, "{}", body_json(&res));
    assert_eq!(body_json(&res)["code"], "malformed_json");

    let ok_body = lambda_http::Body::Text(
        r#"{"id":"x","governorate":"TN-11","name":{"ar":"أ","fr":"x"}}"#.into(),
    );
    let res = handle(
        &ctx,
        with(ok_body.clone(), &[("idempotency-key", b"abc\xff\xfedefgh")]),
    )
    .await;
    assert_eq!(res.status(), 400);
    assert_eq!(body_json(&res)["code"], "invalid_idempotency_key");

    let mut req = with(ok_body.clone(), &[("accept-language", b"fr\xff")]);
    req.headers_mut().insert(
        "authorization",
        http::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
    );
    let res = handle(&ctx, req).await;
    assert_eq!(res.status(), 401);
    assert_eq!(body_json(&res)["code"], "invalid_token");
}
