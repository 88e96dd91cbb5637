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
    let mut answers = Vec::new();
    for _ in 0..5 {
        let a = token_answer(&api, &phone, wrong).await;
        a.assert_problem(400, "otp_invalid");
        answers.push(a.body);
    }
    let burnt = token_answer(&api, &phone, &code).await;
    burnt.assert_problem(400, "otp_invalid");
    // Every refusal says the same: no count of tries left, nothing about the
    // number's state.
    let never = token_answer(&api, &unique_phone(), wrong).await;
    answers.push(burnt.body);
    assert!(answers.iter().all(|b| *b == never.body), "{answers:?}");
    assert!(never.body.get("detail").is_none(), "{}", never.body);
    assert_eq!(stored_code(&phone).await.wrong_attempts, 5);
    // A malformed code is not a try.
    send(
        api.post("/v1/auth/token")
            .json(&json!({ "phone": phone, "code": "12ab56" })),
    )
    .await
    .assert_problem(422, "invalid_field");
}

/// What is stored of a number's sign-in code.
async fn stored_code(phone: &str) -> baladiya::domain::otp::OtpState {
    let key = phone_key().await;
    let digest = phone_digest(&key, &Phone::parse(phone).unwrap());
    store()
        .get_otp(&digest)
        .await
        .unwrap()
        .expect("the code state")
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
    while let Some(a) = set.join_next().await {
        a.unwrap().assert_problem(400, "otp_invalid");
    }
    let tries = stored_code(&phone).await.wrong_attempts;
    assert!((1..=5).contains(&tries), "{tries} tries counted");
    let right = token_answer(&api, &phone, &code).await;
    if tries == 5 {
        // Burnt: five tries were counted.
        right.assert_problem(400, "otp_invalid");
    } else {
        // Fewer than five counted: the right code still works, once.
        assert_eq!(right.status, 200, "{}", right.body);
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
        .assert_problem(400, "otp_invalid");
    assert!(stored_code(&phone).await.spent);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let api = Api::from_env();
    let phone = unique_phone();
    let code = request_code(&api, &phone).await;
    age_code(&phone, &[("expires_at", now() - 1)]).await;
    token_answer(&api, &phone, &code)
        .await
        .assert_problem(400, "otp_invalid");
    assert!(!stored_code(&phone).await.spent, "not spent: expired");
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
