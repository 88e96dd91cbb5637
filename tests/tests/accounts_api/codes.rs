//! Sign-in codes: tries, expiry, resends, numbers refused.

use super::*;

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
