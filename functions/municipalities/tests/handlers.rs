//! Handler tests: the function's `handle` called in-process with API Gateway
//! events — the fixtures of `events/municipalities/` — against the local
//! emulator's DynamoDB (started by `scripts/test`).

use baladiya::fixtures::{body_json, context, fixture, serve_fixtures};

use municipalities::{Ctx, handle};

/// Every fixture names the status it must get: `<name>.<status>.json`.
#[tokio::test]
async fn event_fixtures_get_their_expected_status() {
    let ctx = &context(Ctx::new);
    serve_fixtures("municipalities", 5, |req| handle(ctx, req), |_, _, _| {}).await;
}

#[tokio::test]
async fn the_ghazala_fixture_returns_ghazala() {
    let ctx = context(Ctx::new);
    let res = handle(&ctx, fixture("municipalities", "get-municipality.200.json")).await;
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
    let ctx = context(Ctx::new);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/municipalities");
    let text =
        std::fs::read_to_string(dir.join("create-municipality-without-token.401.json")).unwrap();
    let token = {
        let pem = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tools/devstack/keys/dev-ed25519.pem"),
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
