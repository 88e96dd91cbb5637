//! The export of a person's data, and erasure.

use super::*;

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
    assert!(every_item_in_the_table().await.contains(&national));

    let gone = send(api.delete("/v1/me").bearer_auth(&tok)).await;
    assert_eq!(gone.status, 204, "{}", gone.body);

    let all = every_item_in_the_table().await;
    assert!(!all.contains(&national), "the number is in no item");
    assert!(
        !all.contains(&format!("P#USER#{user}")),
        "the partition is gone"
    );
    assert!(!all.contains(&format!("USER#{user}")), "no session is left");
    // The erased account's access token stops working on every function.
    send(api.get("/v1/me").bearer_auth(&tok))
        .await
        .assert_problem(401, "invalid_token");
    send(
        api.get("/v1/municipalities/tunis/complaints/mine")
            .bearer_auth(&tok),
    )
    .await
    .assert_problem(401, "invalid_token");
    send(
        api.post("/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_of(&r.body) })),
    )
    .await
    .assert_problem(401, "refresh_token_invalid");
    // Erasing twice: the token no longer speaks for anyone.
    send(api.delete("/v1/me").bearer_auth(&tok))
        .await
        .assert_problem(401, "invalid_token");
    // The number can sign up again, as a new person.
    let again = sign_in(&api, &phone).await;
    assert_eq!(again["new_account"], true);
    assert_ne!(again["user_id"], user.as_str());
}
