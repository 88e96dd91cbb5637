//! Access and refresh tokens: forged, rotated, revoked.

use super::*;

#[tokio::test]
async fn forged_expired_and_tampered_tokens_are_refused_everywhere() {
    let api = Api::from_env();
    let t = sign_in(&api, &unique_phone()).await;
    let good = access(&t);
    let parts: Vec<&str> = good.split('.').collect();
    let payload: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();

    let mut forgeries: Vec<(&str, String)> = Vec::new();
    forgeries.push(("no signature", format!("{}.{}.", parts[0], parts[1])));
    let none = B64.encode(br#"{"alg":"none","typ":"JWT","kid":"dev-1"}"#);
    forgeries.push(("alg none", format!("{none}.{}.", parts[1])));
    // HS256 keyed with the published public key: the classic confusion attack.
    let jwks = send(api.get("/.well-known/jwks.json")).await;
    let x = jwks.body["keys"][0]["x"].as_str().unwrap().to_owned();
    let hs = B64.encode(br#"{"alg":"HS256","typ":"JWT","kid":"dev-1"}"#);
    let mut mac = Hmac::<Sha256>::new_from_slice(x.as_bytes()).unwrap();
    mac.update(format!("{hs}.{}", parts[1]).as_bytes());
    let sig = B64.encode(mac.finalize().into_bytes());
    forgeries.push((
        "HS256 with the public key",
        format!("{hs}.{}.{sig}", parts[1]),
    ));
    // Signed with another key under our kid, and under an unknown kid.
    let claims: AccessClaims = serde_json::from_value(payload.clone()).unwrap();
    let foreign = TokenSigner::from_ed_pem("dev-1", FOREIGN_PEM.as_bytes()).unwrap();
    forgeries.push(("another key", foreign.sign(&claims).unwrap()));
    let unknown_kid = TokenSigner::from_ed_pem("dev-9", FOREIGN_PEM.as_bytes()).unwrap();
    forgeries.push(("unknown kid", unknown_kid.sign(&claims).unwrap()));
    // Our own key, but expired.
    let mut old = AccessClaims::for_principal(
        &Principal::Citizen {
            user: Id::parse("usr", t["user_id"].as_str().unwrap()).unwrap(),
        },
        "baladiya-accounts",
        900,
    );
    old.iat -= 3600;
    old.exp = now() - 120;
    forgeries.push(("expired", dev_signer().sign(&old).unwrap()));
    // The real signature over a payload promoted to administrator.
    let mut promoted = payload.clone();
    promoted["role"] = json!("admin");
    let forged = B64.encode(serde_json::to_vec(&promoted).unwrap());
    forgeries.push((
        "tampered payload",
        format!("{}.{forged}.{}", parts[0], parts[2]),
    ));
    // One flipped character of the signature.
    let mut flipped = good.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    forgeries.push(("flipped signature", flipped));

    for (what, token) in &forgeries {
        remember_secret(token);
        let a = send(api.get("/v1/me").bearer_auth(token)).await;
        assert_eq!(a.status, 401, "{what}: {}", a.body);
        a.assert_problem(401, "invalid_token");
        assert!(
            a.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token"),
            "{what}"
        );
        // The municipalities function verifies with the same shared code.
        send(
            api.post("/v1/municipalities")
                .bearer_auth(token)
                .json(&json!({})),
        )
        .await
        .assert_problem(401, "invalid_token");
    }
    // The genuine token still works.
    assert_eq!(send(api.get("/v1/me").bearer_auth(&good)).await.status, 200);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_second_use_revokes_the_session() {
    let api = Api::from_env();
    let t = sign_in(&api, &unique_phone()).await;
    let r1 = refresh_of(&t);
    let a = send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": r1 })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    remember_tokens(&a.body);
    let r2 = refresh_of(&a.body);
    assert_ne!(r1, r2);
    assert_eq!(
        send(api.get("/v1/me").bearer_auth(access(&a.body)))
            .await
            .status,
        200
    );
    // r1 again: someone kept a copy. The whole session ends, r2 included.
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": r1 })),
    )
    .await
    .assert_problem(401, "refresh_token_reused");
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": r2 })),
    )
    .await
    .assert_problem(401, "refresh_token_invalid");
    for junk in ["", "nodot", "a.b", "01ARZ3NDEKTSV4RRFFQ69G5FAV.", "x.y.z"] {
        send(
            api.post("/v1/auth/refresh")
                .json(&json!({ "refresh_token": junk })),
        )
        .await
        .assert_problem(401, "refresh_token_invalid");
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_and_everywhere_ends_them_all() {
    let api = Api::from_env();
    let phone = unique_phone();
    let a = sign_in(&api, &phone).await;
    let r = send(
        api.post("/v1/auth/logout")
            .json(&json!({ "refresh_token": refresh_of(&a) })),
    )
    .await;
    assert_eq!(r.status, 204);
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&a) })),
    )
    .await
    .assert_problem(401, "refresh_token_invalid");

    age_code(&phone, &[("issued_at", now() - 61)]).await;
    let b = sign_in(&api, &phone).await;
    age_code(&phone, &[("issued_at", now() - 61)]).await;
    let c = sign_in(&api, &phone).await;
    send(api.post("/v1/auth/logout").json(&json!({ "all": true })))
        .await
        .assert_problem(401, "unauthenticated");
    let r = send(
        api.post("/v1/auth/logout")
            .bearer_auth(access(&c))
            .json(&json!({ "all": true })),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    for t in [&b, &c] {
        send(
            api.post("/v1/auth/refresh")
                .json(&json!({ "refresh_token": refresh_of(t) })),
        )
        .await
        .assert_problem(401, "refresh_token_invalid");
    }
}
