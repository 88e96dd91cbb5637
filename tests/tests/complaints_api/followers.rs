//! "Me too", followers, and what they are told.

use super::*;

#[tokio::test]
async fn me_too_is_counted_once_and_supporters_follow_the_complaint() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-sup").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.77, 10.14)).await;
    let id = c["id"].as_str().unwrap();
    let neighbour = citizen();
    let support = || {
        api.post(&format!("/v1/municipalities/{m}/complaints/{id}/support"))
            .bearer_auth(&neighbour)
    };
    let a = send(support()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body, json!({ "supporters": 1, "counted": true }));
    let a = send(support()).await;
    assert_eq!(a.body, json!({ "supporters": 1, "counted": false }));
    let detail = send(api.get(&format!("/v1/municipalities/{m}/complaints/{id}"))).await;
    assert_eq!(detail.body["supporters"], 1);
    let own = send(
        api.post(&format!("/v1/municipalities/{m}/complaints/{id}/support"))
            .bearer_auth(&reporter),
    )
    .await;
    own.assert_problem(422, "invalid_field");
    assert_eq!(own.body["errors"][0]["reason"], "own_complaint");

    // Supporting made the neighbour a follower.
    let followed = format!("/v1/municipalities/{m}/complaints/followed");
    let f = send(api.get(&followed).bearer_auth(&neighbour)).await;
    assert_eq!(f.status, 200, "{}", f.body);
    assert_eq!(f.body["items"][0]["id"], id);
    let path = format!("/v1/municipalities/{m}/complaints/{id}/follow");
    for _ in 0..2 {
        assert_eq!(
            send(api.delete(&path).bearer_auth(&neighbour)).await.status,
            204
        );
    }
    let f = send(api.get(&followed).bearer_auth(&neighbour)).await;
    assert!(f.body["items"].as_array().unwrap().is_empty());
    for _ in 0..2 {
        assert_eq!(
            send(api.put(&path).bearer_auth(&neighbour)).await.status,
            204
        );
    }
    let f = send(api.get(&followed).bearer_auth(&neighbour)).await;
    assert_eq!(f.body["items"].as_array().unwrap().len(), 1);
    send(
        api.put(&format!(
            "/v1/municipalities/{m}/complaints/cmp_01JDQ2Y8V0K7N3M5P9R2T4W6XA/follow"
        ))
        .bearer_auth(&neighbour),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_reporter_and_followers_are_told_of_a_state_change() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-ntf").await;
    // The reporter wants an SMS when there is no device, in French.
    let phone = unique_phone();
    let t = sign_in(&api, &phone).await;
    let reporter = t["access_token"].as_str().unwrap().to_owned();
    let p = send(
        api.patch("/v1/me")
            .bearer_auth(&reporter)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    // A neighbour follows it from their phone (push).
    let n = sign_in(&api, &unique_phone()).await;
    let neighbour = n["access_token"].as_str().unwrap().to_owned();
    let dev = send(
        api.post("/v1/me/devices")
            .bearer_auth(&neighbour)
            .json(&json!({ "platform": "fcm", "token": format!("ntf-{}", ulid::Ulid::new()) })),
    )
    .await;
    assert_eq!(dev.status, 201);

    let c = file(&api, &m, &reporter, &report(36.76, 10.13)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let follow = send(
        api.put(&format!("/v1/municipalities/{m}/complaints/{id}/follow"))
            .bearer_auth(&neighbour),
    )
    .await;
    assert_eq!(follow.status, 204);

    let moved = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(staff(&m, None, &[Permission::Complaints]))
        .json(&json!({ "state": "in_progress", "note": "Équipe en route." })),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);

    let reference = id[id.len() - 6..].to_owned();
    eventually("the reporter's SMS", || {
        let phone = phone.clone();
        let reference = reference.clone();
        async move {
            sms_to(&phone)
                .await
                .iter()
                .any(|m| m.contains(&reference) && m.contains("en cours de traitement"))
        }
    })
    .await;
    let mine = send(api.get("/v1/me/notifications").bearer_auth(&reporter)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let first = &mine.body["items"][0];
    assert_eq!(first["case_id"], id.as_str());
    assert_eq!(first["channel"], "sms");
    assert_eq!(first["status"], "sent");
    eventually("the neighbour's push", || {
        let api = &api;
        let neighbour = neighbour.clone();
        async move {
            let a = send(api.get("/v1/me/notifications").bearer_auth(&neighbour)).await;
            a.body["items"][0]["channel"] == "push" && a.body["items"][0]["status"] == "sent"
        }
    })
    .await;
}
