//! What the reporter hears back: by SMS in the language they signed in with
//! when they have no device (the default), with the staff note's first words
//! and the short reference; in the app with a link and a read state. Followers
//! without a device are told in the app only.

use super::*;

#[tokio::test]
async fn a_french_speaking_reporter_without_the_app_gets_the_resolution_by_sms() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-sms").await;
    let phone = unique_phone();
    let t = sign_in_speaking(&api, &phone, "fr").await;
    let reporter = t["access_token"].as_str().unwrap().to_owned();
    // A neighbour without a device follows it: they are told in the app only.
    let neighbour_phone = unique_phone();
    let n = sign_in(&api, &neighbour_phone).await;
    let neighbour = n["access_token"].as_str().unwrap().to_owned();

    let c = file(&api, &m, &reporter, &report(36.77, 10.12)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let reference = c["reference"].as_str().unwrap().to_owned();
    let follow = send(
        api.put(&format!("/v1/municipalities/{m}/complaints/{id}/follow"))
            .bearer_auth(&neighbour),
    )
    .await;
    assert_eq!(follow.status, 204);
    let before = sms_to(&neighbour_phone).await.len();

    let note =
        "Le lampadaire a été remplacé par l'équipe de nuit ce mardi ; merci de votre signalement.";
    let done = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(staff(&m, None, &[Permission::Complaints]))
        .json(&json!({ "state": "resolved", "note": note })),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);

    eventually("the reporter's French SMS", || {
        let phone = phone.clone();
        let reference = reference.clone();
        async move {
            sms_to(&phone).await.iter().any(|m| {
                m.starts_with("Baladiya : votre signalement")
                    && m.contains(&reference)
                    && m.contains("résolu")
                    && m.contains("\"Le lampadaire a été remplacé")
            })
        }
    })
    .await;

    // In the app: the same words, a link to the case, unread until read.
    let path = format!("/v1/municipalities/{m}/complaints/{id}");
    let mine = send(api.get("/v1/me/notifications").bearer_auth(&reporter)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let first = &mine.body["items"][0];
    assert_eq!(first["channel"], "sms", "{}", mine.body);
    assert_eq!(first["status"], "sent");
    assert_eq!(first["kind"], "complaint");
    assert_eq!(first["reference"], reference.as_str());
    assert_eq!(first["path"], path.as_str());
    assert_eq!(first["read"], false);
    assert!(
        first["updated_at"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );
    assert_eq!(mine.body["unread"], 1);
    let opened = send(api.get(&path).bearer_auth(&reporter)).await;
    assert_eq!(
        opened.status, 200,
        "the link opens the case: {}",
        opened.body
    );

    let read = send(
        api.post("/v1/me/notifications/read")
            .bearer_auth(&reporter)
            .json(&json!({ "ids": [first["id"]] })),
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["unread"], 0);
    let again = send(api.get("/v1/me/notifications").bearer_auth(&reporter)).await;
    assert_eq!(again.body["items"][0]["read"], true);
    assert_eq!(again.body["unread"], 0);
    // The follower: in the app, no SMS, unread whatever the reporter read.
    eventually("the neighbour's notice in the app", || {
        let api = &api;
        let neighbour = neighbour.clone();
        async move {
            let a = send(api.get("/v1/me/notifications").bearer_auth(&neighbour)).await;
            a.body["items"][0]["status"] == "in_app" && a.body["unread"] == 1
        }
    })
    .await;
    // Someone who was not told: the id makes nothing appear for them.
    let stranger = citizen();
    let other = send(
        api.post("/v1/me/notifications/read")
            .bearer_auth(&stranger)
            .json(&json!({ "ids": [first["id"]] })),
    )
    .await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert_eq!(other.body["unread"], 0);
    let theirs = send(api.get("/v1/me/notifications").bearer_auth(&stranger)).await;
    assert_eq!(theirs.body["items"], json!([]), "{}", theirs.body);
    send(
        api.post("/v1/me/notifications/read")
            .bearer_auth(&neighbour)
            .json(&json!({})),
    )
    .await
    .assert_problem(422, "invalid_field");
    assert_eq!(
        sms_to(&neighbour_phone).await.len(),
        before,
        "no SMS to a follower"
    );
    let all = send(
        api.post("/v1/me/notifications/read")
            .bearer_auth(&neighbour)
            .json(&json!({ "all": true })),
    )
    .await;
    assert_eq!(all.body["unread"], 0, "{}", all.body);
}
