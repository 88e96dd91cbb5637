//! The profile, follows and push devices.

use super::*;

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

#[tokio::test]
async fn devices_register_once_move_to_another_account_only_with_the_pushed_code_and_are_removed() {
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

    // Someone else registers the same token: it does not move on their word.
    // A code goes to the phone; a keeps the device meanwhile.
    assert!(pushes_to(&push_token).await.is_empty());
    let asked = send(api.post("/v1/me/devices").bearer_auth(&b).json(&body)).await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    assert_eq!(asked.body["status"], "confirmation_sent");
    let me_a = send(api.get("/v1/me").bearer_auth(&a)).await;
    assert_eq!(me_a.body["devices"][0]["id"], id.as_str(), "{}", me_a.body);
    // Asking again at once pushes nothing more (one code a minute a device).
    send(api.post("/v1/me/devices").bearer_auth(&b).json(&body))
        .await
        .assert_problem(429, "too_many_requests");
    let pushed = pushes_to(&push_token).await;
    assert_eq!(pushed.len(), 1, "one push, to the phone: {pushed:?}");
    let code = code_in(&pushed[0]);
    remember_secret(&code);
    let with = |code: &str| {
        let mut b = body.clone();
        b["confirmation"] = code.into();
        b
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = send(
        api.post("/v1/me/devices")
            .bearer_auth(&b)
            .json(&with(wrong)),
    )
    .await;
    refused.assert_problem(422, "invalid_field");
    assert_eq!(refused.body["errors"][0]["reason"], "mismatch");
    // The code proves nothing for a third account.
    let c = access(&sign_in(&api, &unique_phone()).await);
    let other = send(
        api.post("/v1/me/devices")
            .bearer_auth(&c)
            .json(&with(&code)),
    )
    .await;
    other.assert_problem(422, "invalid_field");
    assert_eq!(other.body["errors"][0]["reason"], "expired");
    // Whoever holds the phone read it: now the device moves, once.
    let moved = send(
        api.post("/v1/me/devices")
            .bearer_auth(&b)
            .json(&with(&code)),
    )
    .await;
    assert_eq!(moved.status, 201, "{}", moved.body);
    let again = send(
        api.post("/v1/me/devices")
            .bearer_auth(&b)
            .json(&with(&code)),
    )
    .await;
    assert_eq!(again.status, 200, "already b's: {}", again.body);
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
