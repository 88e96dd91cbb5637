//! Signing in by SMS, for citizens and staff.

use super::*;

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
    assert!(me.headers["etag"].to_str().unwrap().starts_with("\"1."));

    // Signing in again (a minute later) finds the same account.
    age_code(&phone, &[("issued_at", now() - 61)]).await;
    let again = sign_in(&api, &phone).await;
    assert_eq!(again["user_id"], first["user_id"]);
    assert!(again.get("new_account").is_none(), "{again}");

    // By default: Arabic, and an SMS where there is no device.
    assert_eq!(me.body["lang"], "ar");
    assert_eq!(me.body["notify"], "push_then_sms");
}

#[tokio::test]
async fn the_language_asked_at_sign_in_is_the_new_accounts() {
    let api = Api::from_env();
    let phone = unique_phone();
    let t = sign_in_speaking(&api, &phone, "fr").await;
    assert_eq!(t["new_account"], true);
    // The code came in French, and so will everything after.
    let sms = sms_to(&phone).await;
    assert!(sms.last().unwrap().contains("votre code"), "{sms:?}");
    let me = send(
        api.get("/v1/me")
            .header("accept-language", "ar")
            .bearer_auth(access(&t)),
    )
    .await;
    assert_eq!(me.body["lang"], "fr", "{}", me.body);
    // An existing account keeps its own (changed with PATCH /v1/me).
    age_code(&phone, &[("issued_at", now() - 61)]).await;
    let again = sign_in_speaking(&api, &phone, "en").await;
    let me = send(api.get("/v1/me").bearer_auth(access(&again))).await;
    assert_eq!(me.body["lang"], "fr");
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
    let mine = format!("/v1/municipalities/{m}/complaints/mine");
    for path in ["/v1/me", mine.as_str()] {
        let before = send(api.get(path).bearer_auth(access(&t))).await;
        assert_eq!(before.status, 200, "{path}: {}", before.body);
    }
    let removed = send(
        api.delete(&format!(
            "/v1/municipalities/{m}/staff/{}",
            member["id"].as_str().unwrap()
        ))
        .bearer_auth(admin()),
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    // Their staff token stops working on every function now (within 30 s
    // where functions keep the revocations; the tests read them every time),
    // not when it expires.
    for path in ["/v1/me", mine.as_str()] {
        send(api.get(path).bearer_auth(access(&t)))
            .await
            .assert_problem(401, "invalid_token");
    }
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&t) })),
    )
    .await
    .assert_problem(401, "role_revoked");
}

#[tokio::test]
async fn a_staff_members_new_permissions_take_effect_within_a_minute() {
    let api = Api::from_env();
    let m = new_municipality(&api, "acct-perm").await;
    let phone = unique_phone();
    let member = add_staff(&api, &m, &phone, &["news"]).await;
    let one = format!(
        "/v1/municipalities/{m}/staff/{}",
        member["id"].as_str().unwrap()
    );
    let t = sign_in(&api, &phone).await;
    let patch = |body: Value| api.patch(&one).bearer_auth(admin()).json(&body);
    // A new name changes nothing a token states: it keeps working.
    let renamed = send(patch(json!({"name": "Agent renommé"}))).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let me = send(api.get("/v1/me").bearer_auth(access(&t))).await;
    assert_eq!(me.status, 200, "{}", me.body);
    // New permissions do: the old token stops, a refresh states the new ones.
    let changed = send(patch(json!({"permissions": ["news", "complaints"]}))).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    send(api.get("/v1/me").bearer_auth(access(&t)))
        .await
        .assert_problem(401, "invalid_token");
    let fresh = send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&t) })),
    )
    .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    remember_tokens(&fresh.body);
    let me = send(api.get("/v1/me").bearer_auth(access(&fresh.body))).await;
    assert_eq!(me.status, 200, "{}", me.body);
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
