//! Staff move complaints; the reporter withdraws; assignment, duplicates, moderation.

use super::*;

#[tokio::test]
async fn staff_move_complaints_through_the_workflow_and_citizens_cannot() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-flow").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.79, 10.16)).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/v1/municipalities/{m}/complaints/{id}/transitions");
    let agent = staff(&m, None, &[Permission::Complaints]);

    let a = send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "action_scheduled", "note": "Intervention prévue jeudi." })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["state"], "action_scheduled");
    let timeline = a.body["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[1]["note"], "Intervention prévue jeudi.");
    assert_eq!(timeline[1]["by"], "staff");

    // The reporter cannot move it on; another citizen does not see it to move.
    send(
        api.post(&path)
            .bearer_auth(&reporter)
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(409, "transition_not_allowed");
    send(
        api.post(&path)
            .bearer_auth(citizen())
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(404, "not_found");
    // Staff without the permission: 403; scoped to other categories: 404.
    send(
        api.post(&path)
            .bearer_auth(staff(&m, None, &[Permission::News]))
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(403, "forbidden");
    let scoped = token_for(&baladiya::domain::Principal::Staff {
        user: baladiya::domain::Id::generate("usr"),
        staff_id: baladiya::domain::Id::generate("stf"),
        municipality: baladiya::domain::MunicipalityId::parse(&m).unwrap(),
        permissions: [Permission::Complaints].into_iter().collect(),
        complaint_categories: Some(["waste".to_owned()].into_iter().collect()),
    });
    send(
        api.post(&path)
            .bearer_auth(&scoped)
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(404, "not_found");
    // Not a state of the workflow, and a move it does not allow.
    send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "teleported" })),
    )
    .await
    .assert_problem(422, "unknown_state");
    send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "withdrawn" })),
    )
    .await
    .assert_problem(409, "transition_not_allowed");

    // Closing says why: the reporter reads it.
    send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(422, "invalid_field");
    let done = send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "resolved", "note": "Lampe remplacée." })),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let list = send(api.get(&format!(
        "/v1/municipalities/{m}/complaints?state=resolved&category=lighting"
    )))
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"][0]["id"], id);
    send(api.get(&format!("/v1/municipalities/{m}/complaints?state=lost")))
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn the_reporter_may_withdraw_their_complaint() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-wd").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.78, 10.15)).await;
    let id = c["id"].as_str().unwrap();
    let a = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(&reporter)
        .json(&json!({ "state": "withdrawn", "note": "Réparé entre-temps." })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["timeline"][1]["by"], "owner");
}

#[tokio::test]
async fn staff_assign_mark_duplicates_and_hide_abusive_reports() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-staff").await;
    let (lat, lon) = somewhere();
    let first = file(&api, &m, &citizen(), &report(lat, lon)).await;
    let reporter = citizen();
    let second = file(&api, &m, &reporter, &report(lat, lon)).await;
    let (a, b) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );
    let agent = staff(&m, None, &[Permission::Complaints]);
    let base = format!("/v1/municipalities/{m}/complaints");

    // Assignment: to a colleague who handles complaints of this category.
    let lighting = add_staff(&api, &m, &unique_phone(), &["complaints"]).await;
    let news_only = add_staff(&api, &m, &unique_phone(), &["news"]).await;
    let assigned = send(
        api.post(&format!("{base}/{a}/assignment"))
            .bearer_auth(&agent)
            .json(&json!({ "staff_id": lighting["id"] })),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(assigned.body["assigned_to"], lighting["id"]);
    let refused = send(
        api.post(&format!("{base}/{a}/assignment"))
            .bearer_auth(&agent)
            .json(&json!({ "staff_id": news_only["id"] })),
    )
    .await;
    refused.assert_problem(422, "invalid_field");
    assert_eq!(refused.body["errors"][0]["reason"], "cannot_handle");
    send(
        api.post(&format!("{base}/{a}/assignment"))
            .bearer_auth(citizen())
            .json(&json!({ "staff_id": null })),
    )
    .await
    .assert_problem(403, "forbidden");
    let public = send(api.get(&format!("{base}/{a}"))).await;
    assert!(public.body.get("assigned_to").is_none(), "staff only");

    // Duplicate: needs the complaint it repeats.
    send(
        api.post(&format!("{base}/{b}/transitions"))
            .bearer_auth(&agent)
            .json(&json!({ "state": "duplicate" })),
    )
    .await
    .assert_problem(422, "invalid_field");
    send(
        api.post(&format!("{base}/{b}/transitions"))
            .bearer_auth(&agent)
            .json(&json!({ "state": "duplicate", "duplicate_of": b })),
    )
    .await
    .assert_problem(422, "invalid_field");
    let dup = send(
        api.post(&format!("{base}/{b}/transitions"))
            .bearer_auth(&agent)
            .json(&json!({ "state": "duplicate", "duplicate_of": a, "note": "Déjà signalé." })),
    )
    .await;
    assert_eq!(dup.status, 200, "{}", dup.body);
    assert_eq!(dup.body["duplicate_of"], a.as_str());
    let seen = send(api.get(&format!("{base}/{b}"))).await;
    assert_eq!(seen.body["duplicate_of"], a.as_str());

    // Hiding: out of public sight, not out of the reporter's.
    let hidden = send(
        api.post(&format!("{base}/{b}/moderation"))
            .bearer_auth(&agent)
            .json(&json!({ "hidden": true, "reason": "Propos injurieux" })),
    )
    .await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    assert_eq!(hidden.body["hidden"], true);
    send(api.get(&format!("{base}/{b}")))
        .await
        .assert_problem(404, "not_found");
    let own = send(api.get(&format!("{base}/{b}")).bearer_auth(&reporter)).await;
    assert_eq!(own.status, 200);
    let list = send(api.get(&base)).await;
    assert!(!list.body.to_string().contains(&b), "not listed");
    assert!(list.body.to_string().contains(&a));
    let shown = send(
        api.post(&format!("{base}/{b}/moderation"))
            .bearer_auth(&agent)
            .json(&json!({ "hidden": false })),
    )
    .await;
    assert_eq!(shown.status, 200);
    assert_eq!(send(api.get(&format!("{base}/{b}"))).await.status, 200);
}
