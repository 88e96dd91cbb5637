//! Who sees a complaint: private ones, staff of other categories.

use super::*;

#[tokio::test]
async fn private_complaints_exist_only_for_their_reporter_and_the_right_staff() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-priv").await;
    let other_m = new_municipality(&api, "cmp-priv-o").await;
    let reporter = citizen();
    let mut body = report(36.81, 10.17);
    body["public"] = json!(false);
    body["hide_name"] = json!(true);
    let c = file(&api, &m, &reporter, &body).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/v1/municipalities/{m}/complaints/{id}");

    let list = send(api.get(&format!("/v1/municipalities/{m}/complaints"))).await;
    assert_eq!(list.status, 200);
    assert!(
        !list.body.to_string().contains(id),
        "a private complaint is not listed"
    );
    for token in [
        None,
        Some(citizen()),
        Some(staff(&other_m, None, &[Permission::Complaints])),
        Some(staff(&m, None, &[Permission::News])),
    ] {
        let mut req = api.get(&path);
        if let Some(t) = &token {
            req = req.bearer_auth(t);
        }
        send(req).await.assert_problem(404, "not_found");
    }
    let own = send(api.get(&path).bearer_auth(&reporter)).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["mine"], true);
    let handler = send(
        api.get(&path)
            .bearer_auth(staff(&m, None, &[Permission::Complaints])),
    )
    .await;
    assert_eq!(handler.status, 200, "{}", handler.body);
    assert_eq!(handler.body["hide_name"], true);
}

/// Staff limited to other categories learn nothing of a complaint, not even its
/// state through a refused move; they cannot manage categories either.
#[tokio::test]
async fn staff_of_other_categories_learn_nothing() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-scope").await;
    let mut body = report(36.73, 10.10);
    body["public"] = json!(false);
    let c = file(&api, &m, &citizen(), &body).await;
    let id = c["id"].as_str().unwrap();
    let scoped = token_for(&baladiya::domain::Principal::Staff {
        user: baladiya::domain::Id::generate("usr"),
        staff_id: baladiya::domain::Id::generate("stf"),
        municipality: baladiya::domain::MunicipalityId::parse(&m).unwrap(),
        permissions: [Permission::Complaints].into_iter().collect(),
        complaint_categories: Some(["waste".to_owned()].into_iter().collect()),
    });
    for state in ["resolved", "withdrawn", "received"] {
        send(
            api.post(&format!(
                "/v1/municipalities/{m}/complaints/{id}/transitions"
            ))
            .bearer_auth(&scoped)
            .json(&json!({ "state": state })),
        )
        .await
        .assert_problem(404, "not_found");
    }
    send(
        api.put(&format!(
            "/v1/municipalities/{m}/complaint-categories/waste"
        ))
        .bearer_auth(&scoped)
        .json(&json!({ "name": { "ar": "الفضلات", "fr": "Déchets" }, "active": false })),
    )
    .await
    .assert_problem(403, "forbidden");
}
