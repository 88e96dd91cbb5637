//! Black-box tests of the accounts function over HTTP, against the running local
//! stack: sign-in by reading the SMS the emulator received, the code's limits,
//! tokens (forged, expired, tampered, refreshed twice), profile, follows, devices,
//! export and erasure. Started by `scripts/test`.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use baladiya::domain::account::phone_digest;
use baladiya::domain::{Id, Phone, Principal};
use baladiya::http::{AccessClaims, TokenSigner};
use baladiya_tests::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Change stored fields of a number's sign-in code state: how these tests make
/// minutes pass.
async fn age_code(phone: &str, set: &[(&str, u64)]) {
    let key = phone_key().await;
    let digest = phone_digest(&key, &Phone::parse(phone).unwrap());
    let mut req = aws()
        .dynamodb()
        .update_item()
        .table_name(table())
        .key("PK", AttributeValue::S(format!("P#OTP#{digest}")))
        .key("SK", AttributeValue::S("OTP".into()))
        .condition_expression("attribute_exists(PK)");
    let mut expr = Vec::new();
    for (i, (name, value)) in set.iter().enumerate() {
        expr.push(format!("#n{i} = :v{i}"));
        req = req
            .expression_attribute_names(format!("#n{i}"), *name)
            .expression_attribute_values(format!(":v{i}"), AttributeValue::N(value.to_string()));
    }
    req.update_expression(format!("SET {}", expr.join(", ")))
        .send()
        .await
        .expect("the code state exists");
}

async fn token_answer(api: &Api, phone: &str, code: &str) -> Answer {
    send(
        api.post("/v1/auth/token")
            .header("accept-language", "en")
            .json(&json!({ "phone": phone, "code": code })),
    )
    .await
}

fn access(t: &Value) -> String {
    t["access_token"].as_str().unwrap().to_owned()
}

fn refresh_of(t: &Value) -> String {
    t["refresh_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_citizen_signs_in_by_sms_and_the_account_is_created_once() {
    let api = Api::from_env();
    let phone = unique_phone();
    let first = sign_in(&api, &phone).await;
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["role"], "citizen");
    assert_eq!(first["new_account"], true);
    assert_eq!(first["expires_in"], 900);
    let me = send(api.get("/v1/me").bearer_auth(access(&first))).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["phone"], phone.as_str());
    assert_eq!(me.body["id"], first["user_id"]);
    assert_eq!(me.headers["etag"], "\"1\"");

    // Signing in again (a minute later) finds the same account.
    age_code(&phone, &[("issued_at", now() - 61)]).await;
    let again = sign_in(&api, &phone).await;
    assert_eq!(again["user_id"], first["user_id"]);
    assert!(again.get("new_account").is_none(), "{again}");

    // The SMS is the one the citizen's language asked for, one segment.
    let a = send(
        api.post("/v1/auth/otp")
            .json(&json!({ "phone": unique_phone(), "lang": "fr" })),
    )
    .await;
    assert_eq!(a.status, 202);
}

#[tokio::test]
async fn invited_staff_sign_in_the_same_way_and_their_token_works_on_the_municipalities_function() {
    let api = Api::from_env();
    let m = new_municipality(&api, "acct").await;
    let other = new_municipality(&api, "acct-other").await;
    let phone = unique_phone();
    add_staff(&api, &m, &phone, &["permissions", "news"]).await;

    let t = sign_in(&api, &phone).await;
    assert_eq!(t["role"], "staff", "{t}");
    assert_eq!(t["municipality"], m.as_str());
    let roles = t["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 2, "staff of {m} and citizen: {t}");

    // Another function accepts the token: staff of m manage m's staff…
    let own = send(
        api.get(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(access(&t)),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
    // …and learn nothing of another municipality.
    send(
        api.get(&format!("/v1/municipalities/{other}/staff"))
            .bearer_auth(access(&t)),
    )
    .await
    .assert_problem(404, "not_found");

    // The same person may act as a citizen, and switch back on refresh.
    age_code(&phone, &[("issued_at", now() - 61)]).await;
    let c = sign_in_as(&api, &phone, json!({ "role": "citizen" })).await;
    assert_eq!(c["role"], "citizen");
    send(
        api.get(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(access(&c)),
    )
    .await
    .assert_problem(403, "forbidden");
    let back = send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&c), "municipality": m })),
    )
    .await;
    assert_eq!(back.status, 200, "{}", back.body);
    remember_tokens(&back.body);
    assert_eq!(back.body["role"], "staff");
    // A role not held is refused.
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&back.body), "role": "admin" })),
    )
    .await
    .assert_problem(403, "role_not_held");

    // Staff cannot erase their account: the staff record is the municipality's.
    send(api.delete("/v1/me").bearer_auth(access(&t)))
        .await
        .assert_problem(409, "account_has_roles");
}

#[tokio::test]
async fn a_removed_staff_member_loses_the_role_at_the_next_refresh() {
    let api = Api::from_env();
    let m = new_municipality(&api, "acct-rm").await;
    let phone = unique_phone();
    let member = add_staff(&api, &m, &phone, &["news"]).await;
    let t = sign_in(&api, &phone).await;
    assert_eq!(t["role"], "staff");
    let removed = send(
        api.delete(&format!(
            "/v1/municipalities/{m}/staff/{}",
            member["id"].as_str().unwrap()
        ))
        .bearer_auth(admin()),
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&t) })),
    )
    .await
    .assert_problem(401, "role_revoked");
}

#[tokio::test]
async fn the_code_answer_does_not_tell_whether_a_number_has_an_account() {
    let api = Api::from_env();
    let known = unique_phone();
    sign_in(&api, &known).await;
    // A minute later (by the code's clock), ask again for the known number.
    age_code(&known, &[("issued_at", now() - 61)]).await;
    let unknown = unique_phone();
    let a = send(api.post("/v1/auth/otp").json(&json!({ "phone": known }))).await;
    let b = send(api.post("/v1/auth/otp").json(&json!({ "phone": unknown }))).await;
    assert_eq!((a.status, b.status), (202, 202));
    assert_eq!(a.body, b.body);
    // And a wrong code is wrong the same way for both.
    let wa = token_answer(&api, &known, "000000").await;
    let wb = token_answer(&api, &unknown, "000000").await;
    wa.assert_problem(400, "otp_invalid");
    wb.assert_problem(400, "otp_invalid");
    // Never asked for a code: the same answer again.
    token_answer(&api, &unique_phone(), "123456")
        .await
        .assert_problem(400, "otp_invalid");
}

#[tokio::test]
async fn five_wrong_tries_burn_the_code_even_for_the_right_one() {
    let api = Api::from_env();
    let phone = unique_phone();
    let code = request_code(&api, &phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let a = token_answer(&api, &phone, wrong).await;
        a.assert_problem(400, "otp_invalid");
        assert_eq!(a.body["detail"], format!("tries left: {left}"));
    }
    token_answer(&api, &phone, wrong)
        .await
        .assert_problem(400, "otp_locked");
    token_answer(&api, &phone, &code)
        .await
        .assert_problem(400, "otp_locked");
    // A malformed code is not a try.
    send(
        api.post("/v1/auth/token")
            .json(&json!({ "phone": phone, "code": "12ab56" })),
    )
    .await
    .assert_problem(422, "invalid_field");
}

/// Guesses sent all at once cannot get more than 5 tries: each counted try is one
/// change of the stored state, and a guess that lost the race to another is not
/// counted (nor could it succeed).
#[tokio::test]
async fn concurrent_guesses_get_no_more_tries() {
    let api = Api::from_env();
    let phone = unique_phone();
    let code = request_code(&api, &phone).await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..24u32 {
        let guess = format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000);
        let req = api
            .post("/v1/auth/token")
            .json(&json!({ "phone": phone, "code": guess }));
        set.spawn(async move { send(req).await });
    }
    let mut lefts = Vec::new();
    let mut locked = 0;
    while let Some(a) = set.join_next().await {
        let a = a.unwrap();
        assert_eq!(a.status, 400, "{}", a.body);
        match a.body["code"].as_str().unwrap() {
            "otp_invalid" => {
                if let Some(d) = a.body["detail"].as_str() {
                    lefts.push(d.to_owned());
                }
            }
            "otp_locked" => locked += 1,
            other => panic!("{other}"),
        }
    }
    let mut distinct = lefts.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        lefts.len(),
        "each try counted once: {lefts:?}"
    );
    assert!(lefts.len() <= 4, "{lefts:?}");
    if locked > 0 {
        // Burnt: five tries were counted, the four before the last each told.
        assert_eq!(lefts.len(), 4, "{lefts:?}");
        token_answer(&api, &phone, &code)
            .await
            .assert_problem(400, "otp_locked");
    } else {
        // Fewer than five counted: the right code still works, once.
        assert_eq!(token_answer(&api, &phone, &code).await.status, 200);
    }
}

#[tokio::test]
async fn a_used_code_cannot_sign_in_twice() {
    let api = Api::from_env();
    let phone = unique_phone();
    let code = request_code(&api, &phone).await;
    assert_eq!(token_answer(&api, &phone, &code).await.status, 200);
    token_answer(&api, &phone, &code)
        .await
        .assert_problem(400, "otp_locked");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let api = Api::from_env();
    let phone = unique_phone();
    let code = request_code(&api, &phone).await;
    age_code(&phone, &[("expires_at", now() - 1)]).await;
    token_answer(&api, &phone, &code)
        .await
        .assert_problem(400, "otp_expired");
}

#[tokio::test]
async fn resending_too_soon_and_past_the_hourly_cap_is_refused() {
    let api = Api::from_env();
    let phone = unique_phone();
    request_code(&api, &phone).await;
    let sent = sms_to(&phone).await.len();
    let a = send(api.post("/v1/auth/otp").json(&json!({ "phone": phone }))).await;
    a.assert_problem(429, "otp_cooldown");
    let wait: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    // Five codes this hour, the last more than a minute ago.
    age_code(&phone, &[("issued_at", now() - 61), ("sent_in_window", 5)]).await;
    let a = send(api.post("/v1/auth/otp").json(&json!({ "phone": phone }))).await;
    a.assert_problem(429, "otp_rate_limited");
    let wait: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert_eq!(sms_to(&phone).await.len(), sent, "no SMS was sent");
}

#[tokio::test]
async fn numbers_that_cannot_get_a_code_are_refused() {
    let api = Api::from_env();
    for (phone, reason) in [
        ("71 123 456", "not_mobile"),
        ("+33612345678", "country_not_served"),
        ("12", "format"),
    ] {
        let a = send(api.post("/v1/auth/otp").json(&json!({ "phone": phone }))).await;
        a.assert_problem(422, "invalid_field");
        assert_eq!(a.body["errors"][0]["reason"], reason, "{phone}");
    }
    send(
        api.post("/v1/auth/otp")
            .json(&json!({ "phone": "20123456", "pin": 1 })),
    )
    .await
    .assert_problem(422, "invalid_body");
}

// Another Ed25519 key: what an attacker could sign with.
const FOREIGN_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBiPU/MeVrY9ZRYtArHyRgfgn8zTgLEVvnfcDar0Gb/M\n-----END PRIVATE KEY-----\n";

fn dev_signer() -> TokenSigner {
    let pem = std::fs::read(root().join("tools/devstack/keys/dev-ed25519.pem")).unwrap();
    TokenSigner::from_ed_pem("dev-1", &pem).unwrap()
}

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

#[tokio::test]
async fn the_profile_follows_and_their_rules() {
    let api = Api::from_env();
    let t = sign_in(&api, &unique_phone()).await;
    let tok = access(&t);
    let a = send(
        api.patch("/v1/me")
            .bearer_auth(&tok)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", "\"1\"")
            .body(
                json!({
                    "name": "  Amel Ben Salah ",
                    "lang": "fr",
                    "municipality": "ariana",
                    "notify": "push_then_sms"
                })
                .to_string(),
            ),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["name"], "Amel Ben Salah");
    assert_eq!(a.body["lang"], "fr");
    assert_eq!(a.body["municipality"], "ariana");
    assert_eq!(a.body["notify"], "push_then_sms");
    assert_eq!(a.headers["etag"], "\"2\"");

    // A stale If-Match, bad values, a null where removal makes no sense.
    send(
        api.patch("/v1/me")
            .bearer_auth(&tok)
            .header("if-match", "\"1\"")
            .json(&json!({ "name": "X" })),
    )
    .await
    .assert_problem(412, "precondition_failed");
    for (body, code) in [
        (json!({ "lang": "de" }), "invalid_body"),
        (json!({ "lang": null }), "invalid_body"),
        (json!({ "notify": "pigeon" }), "invalid_body"),
        (json!({ "name": "" }), "invalid_field"),
        (json!({ "municipality": "atlantis" }), "invalid_field"),
        (json!({ "municipality": "NOT A SLUG" }), "invalid_field"),
        (json!({ "phone": "20123456" }), "invalid_body"),
    ] {
        send(api.patch("/v1/me").bearer_auth(&tok).json(&body))
            .await
            .assert_problem(422, code);
    }
    // Removing the name and the preferred municipality.
    let a = send(
        api.patch("/v1/me")
            .bearer_auth(&tok)
            .json(&json!({ "name": null, "municipality": null })),
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(a.body["name"].is_null() && a.body["municipality"].is_null());

    // Follows: idempotent, unknown municipalities do not exist.
    for _ in 0..2 {
        let r = send(api.put("/v1/me/follows/sfax").bearer_auth(&tok)).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    send(api.put("/v1/me/follows/atlantis").bearer_auth(&tok))
        .await
        .assert_problem(404, "not_found");
    let me = send(api.get("/v1/me").bearer_auth(&tok)).await;
    let follows = me.body["follows"].as_array().unwrap();
    assert_eq!(follows.len(), 1);
    assert_eq!(follows[0]["municipality"], "sfax");
    for _ in 0..2 {
        let r = send(api.delete("/v1/me/follows/sfax").bearer_auth(&tok)).await;
        assert_eq!(r.status, 204);
    }
    let me = send(api.get("/v1/me").bearer_auth(&tok)).await;
    assert!(me.body["follows"].as_array().unwrap().is_empty());

    send(api.get("/v1/me"))
        .await
        .assert_problem(401, "unauthenticated");
}

async fn endpoints_of(app_platform: &str, app_name: &str) -> Vec<String> {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-3".into());
    let arn = format!("arn:aws:sns:{region}:123456789012:app/{app_platform}/{app_name}");
    aws()
        .sns()
        .list_endpoints_by_platform_application()
        .platform_application_arn(arn)
        .send()
        .await
        .expect("the local push application")
        .endpoints()
        .iter()
        .filter_map(|e| e.endpoint_arn().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn devices_register_once_move_between_accounts_and_are_removed() {
    let api = Api::from_env();
    let a = access(&sign_in(&api, &unique_phone()).await);
    let b = access(&sign_in(&api, &unique_phone()).await);
    let push_token = format!("fcm-{}", ulid::Ulid::new());
    let body = json!({ "platform": "fcm", "token": push_token, "name": "Samsung A14" });

    let first = send(api.post("/v1/me/devices").bearer_auth(&a).json(&body)).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let id = first.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        first.headers["location"].to_str().unwrap(),
        format!("/v1/me/devices/{id}")
    );
    let again = send(api.post("/v1/me/devices").bearer_auth(&a).json(&body)).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], id.as_str());

    // The phone changes hands: b registers the same token; a no longer has it.
    let moved = send(api.post("/v1/me/devices").bearer_auth(&b).json(&body)).await;
    assert_eq!(moved.status, 201, "{}", moved.body);
    let me_a = send(api.get("/v1/me").bearer_auth(&a)).await;
    assert!(
        me_a.body["devices"].as_array().unwrap().is_empty(),
        "{}",
        me_a.body
    );
    let me_b = send(api.get("/v1/me").bearer_auth(&b)).await;
    assert_eq!(me_b.body["devices"][0]["name"], "Samsung A14");

    let b_id = moved.body["id"].as_str().unwrap();
    // The export names the SNS endpoint behind the device.
    let export = send(api.get("/v1/me/export").bearer_auth(&b)).await;
    let arn = export.body["devices"][0]["endpoint_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(endpoints_of("GCM", "baladiya-fcm").await.contains(&arn));
    send(api.delete(&format!("/v1/me/devices/{id}")).bearer_auth(&a))
        .await
        .assert_problem(404, "not_found");
    send(
        api.delete(&format!("/v1/me/devices/{b_id}"))
            .bearer_auth(&a),
    )
    .await
    .assert_problem(404, "not_found");
    let gone = send(
        api.delete(&format!("/v1/me/devices/{b_id}"))
            .bearer_auth(&b),
    )
    .await;
    assert_eq!(gone.status, 204);
    assert!(
        !endpoints_of("GCM", "baladiya-fcm").await.contains(&arn),
        "the SNS endpoint is deleted"
    );

    for (body, reason) in [
        (json!({ "platform": "fcm", "token": "has space" }), "format"),
        (json!({ "platform": "fcm", "token": "" }), "empty"),
    ] {
        let r = send(api.post("/v1/me/devices").bearer_auth(&a).json(&body)).await;
        r.assert_problem(422, "invalid_field");
        assert_eq!(r.body["errors"][0]["reason"], reason);
    }
    send(
        api.post("/v1/me/devices")
            .bearer_auth(&a)
            .json(&json!({ "platform": "blackberry", "token": "x" })),
    )
    .await
    .assert_problem(422, "invalid_body");
    let ios =
        send(api.post("/v1/me/devices").bearer_auth(&a).json(
            &json!({ "platform": "apns", "token": format!("{:064x}", ulid::Ulid::new().0) }),
        ))
        .await;
    assert_eq!(ios.status, 201, "{}", ios.body);
}

/// Every string attribute of every item (the test may Scan; requests never do).
async fn every_string_in_the_table() -> String {
    let db = aws().dynamodb();
    let mut out = String::new();
    let mut start = None;
    loop {
        let page = db
            .scan()
            .table_name(table())
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        for item in page.items() {
            out.push_str(&format!("{item:?}\n"));
        }
        match page.last_evaluated_key() {
            Some(k) => start = Some(k.clone()),
            None => return out,
        }
    }
}

#[tokio::test]
async fn export_then_erase_leaves_no_trace_of_the_phone_number() {
    let api = Api::from_env();
    let phone = unique_phone();
    let national = phone.trim_start_matches("+216").to_owned();
    let t = sign_in(&api, &phone).await;
    let tok = access(&t);
    let user = t["user_id"].as_str().unwrap().to_owned();
    send(
        api.patch("/v1/me")
            .bearer_auth(&tok)
            .json(&json!({ "name": "Effacé Bientôt", "municipality": "tunis" })),
    )
    .await;
    assert_eq!(
        send(api.put("/v1/me/follows/bizerte").bearer_auth(&tok))
            .await
            .status,
        204
    );
    let dev = send(
        api.post("/v1/me/devices")
            .bearer_auth(&tok)
            .json(&json!({ "platform": "fcm", "token": format!("erase-{}", ulid::Ulid::new()) })),
    )
    .await;
    assert_eq!(dev.status, 201);
    let r = send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&t) })),
    )
    .await;
    assert_eq!(r.status, 200);
    remember_tokens(&r.body);

    let export = send(api.get("/v1/me/export").bearer_auth(&tok)).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let e = &export.body;
    assert_eq!(e["account"]["phone"], phone.as_str());
    assert_eq!(e["account"]["name"], "Effacé Bientôt");
    assert_eq!(e["follows"][0]["municipality"], "bizerte");
    assert_eq!(e["devices"].as_array().unwrap().len(), 1);
    assert_eq!(e["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(e["sign_in_codes"]["codes_sent_this_hour"], 1);
    let text = e.to_string();
    assert!(
        !text.contains(&refresh_of(&r.body)) && !text.contains("current_hash"),
        "no token or hash in the export"
    );
    assert!(every_string_in_the_table().await.contains(&national));

    let gone = send(api.delete("/v1/me").bearer_auth(&tok)).await;
    assert_eq!(gone.status, 204, "{}", gone.body);

    let all = every_string_in_the_table().await;
    assert!(!all.contains(&national), "the number is in no item");
    assert!(
        !all.contains(&format!("P#USER#{user}")),
        "the partition is gone"
    );
    assert!(!all.contains(&format!("USER#{user}")), "no session is left");
    send(api.get("/v1/me").bearer_auth(&tok))
        .await
        .assert_problem(404, "not_found");
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&r.body) })),
    )
    .await
    .assert_problem(401, "refresh_token_invalid");
    // Erasing twice finds nothing to erase.
    send(api.delete("/v1/me").bearer_auth(&tok))
        .await
        .assert_problem(404, "not_found");
    // The number can sign up again, as a new person.
    let again = sign_in(&api, &phone).await;
    assert_eq!(again["new_account"], true);
    assert_ne!(again["user_id"], user.as_str());
}

/// The function's own log lines during a full sign-in, refresh, profile read and
/// sign-out: none holds the number, the code or a token.
#[tokio::test]
async fn a_full_sign_in_leaves_no_number_code_or_token_in_the_logs() {
    let api = Api::from_env();
    let log = std::env::var("BALADIYA_API_LOG")
        .expect("BALADIYA_API_LOG is not set: run these tests with scripts/test");
    let start = std::fs::metadata(&log).unwrap().len() as usize;
    let phone = unique_phone();
    let code = request_code(&api, &phone).await;
    let t = token_answer(&api, &phone, &code).await;
    assert_eq!(t.status, 200);
    remember_tokens(&t.body);
    let r = send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&t.body) })),
    )
    .await;
    remember_tokens(&r.body);
    assert_eq!(
        send(api.get("/v1/me").bearer_auth(access(&r.body)))
            .await
            .status,
        200
    );
    let out = send(
        api.post("/v1/auth/logout")
            .json(&json!({ "refresh_token": refresh_of(&r.body) })),
    )
    .await;
    assert_eq!(out.status, 204);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let bytes = std::fs::read(&log).unwrap();
    let captured = String::from_utf8_lossy(&bytes[start.min(bytes.len())..]).into_owned();
    assert!(
        captured.contains("/v1/auth/token") && captured.contains("/v1/auth/refresh"),
        "the sign-in's log lines were captured: {captured}"
    );
    let national = phone.trim_start_matches("+216");
    let mut secrets = vec![phone.clone(), national.to_owned(), code.clone()];
    for a in [&t.body, &r.body] {
        for k in ["access_token", "refresh_token"] {
            let tok = a[k].as_str().unwrap();
            secrets.push(tok.to_owned());
            // Any one part of a token is enough to be a leak.
            secrets.extend(tok.split('.').filter(|p| p.len() >= 16).map(str::to_owned));
        }
    }
    for s in &secrets {
        assert!(
            !captured.contains(s.as_str()),
            "a secret ({}…) is in the logs",
            &s[..4.min(s.len())]
        );
    }
}
