//! The staff inbox: every complaint its member handles, private ones included,
//! filtered, ordered and paged; the counts behind its tabs; a complaint found by
//! the short reference its reporter was told; a resolution contested.

use super::*;

fn ids(a: &Answer) -> Vec<String> {
    a.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {}", a.body))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn step(api: &Api, m: &str, id: &str, token: &str, body: Value) -> Answer {
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(token)
        .json(&body),
    )
    .await
}

#[tokio::test]
async fn staff_find_private_complaints_in_their_inbox_and_nobody_else_does() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-inbox").await;
    let base = format!("/v1/municipalities/{m}/complaints");
    let reporter = citizen();
    let (lat, lon) = somewhere();
    let mut private = report(lat, lon);
    private["public"] = json!(false);
    let hidden = file(&api, &m, &reporter, &private).await;
    let open = file(&api, &m, &citizen(), &report(lat, lon)).await;
    let (p, o) = (hidden["id"].as_str().unwrap(), open["id"].as_str().unwrap());
    let me = add_staff(&api, &m, &unique_phone(), &["complaints"]).await;
    let agent = staff(&m, me["id"].as_str(), &[Permission::Complaints]);
    let inbox = format!("{base}/inbox");

    // Staff: both, oldest first by default, newest first when asked.
    let all = send(api.get(&inbox).bearer_auth(&agent)).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(ids(&all), [p, o]);
    assert_eq!(all.body["items"][0]["public"], false);
    let newest = send(
        api.get(&format!("{inbox}?order=newest"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&newest), [o, p]);

    // Nobody else lists the private one.
    let public = send(api.get(&base)).await;
    assert_eq!(ids(&public), [o], "the public list");
    let others = send(api.get(&format!("{base}/mine")).bearer_auth(citizen())).await;
    assert!(ids(&others).is_empty(), "{}", others.body);
    send(api.get(&inbox).bearer_auth(&reporter))
        .await
        .assert_problem(403, "forbidden");
    send(api.get(&inbox))
        .await
        .assert_problem(401, "unauthenticated");
    send(
        api.get(&inbox)
            .bearer_auth(staff(&m, None, &[Permission::News])),
    )
    .await
    .assert_problem(403, "forbidden");
    let elsewhere = new_municipality(&api, "cmp-inbox-x").await;
    let stranger = staff(&elsewhere, None, &Permission::ALL);
    send(api.get(&inbox).bearer_auth(&stranger))
        .await
        .assert_problem(404, "not_found");
    let waste_only = token_for(&baladiya::domain::Principal::Staff {
        user: baladiya::domain::Id::generate("usr"),
        staff_id: baladiya::domain::Id::generate("stf"),
        municipality: baladiya::domain::MunicipalityId::parse(&m).unwrap(),
        permissions: [Permission::Complaints].into_iter().collect(),
        complaint_categories: Some(["waste".to_owned()].into_iter().collect()),
    });
    let theirs = send(api.get(&inbox).bearer_auth(&waste_only)).await;
    assert!(ids(&theirs).is_empty(), "other categories: {}", theirs.body);

    // Filters: category, assignee, state.
    let lit = send(
        api.get(&format!("{inbox}?category=lighting"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&lit), [p, o]);
    let roads = send(
        api.get(&format!("{inbox}?category=roads"))
            .bearer_auth(&agent),
    )
    .await;
    assert!(ids(&roads).is_empty());
    let assigned = send(
        api.post(&format!("{base}/{p}/assignment"))
            .bearer_auth(&agent)
            .json(&json!({ "staff_id": me["id"] })),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    let mine = send(api.get(&format!("{inbox}?assigned=me")).bearer_auth(&agent)).await;
    assert_eq!(ids(&mine), [p]);
    let nobody = send(
        api.get(&format!("{inbox}?assigned=none"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&nobody), [o]);
    let a = step(
        &api,
        &m,
        o,
        &agent,
        json!({ "state": "resolved", "note": "Lampe changée." }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let backlog = send(api.get(&inbox).bearer_auth(&agent)).await;
    assert_eq!(ids(&backlog), [p], "the open backlog");
    let resolved = send(
        api.get(&format!("{inbox}?state=resolved"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&resolved), [o]);
    let received = send(
        api.get(&format!("{inbox}?state=received"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&received), [p]);
    let every = send(
        api.get(&format!("{inbox}?state=all&order=newest"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&every), [o, p]);

    // Pages: a cursor resumes its own view and no other.
    let first = send(
        api.get(&format!("{inbox}?state=all&limit=1"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&first), [p]);
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = send(
        api.get(&format!("{inbox}?state=all&limit=1&cursor={cursor}"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&second), [o], "{}", second.body);
    send(
        api.get(&format!("{inbox}?state=resolved&limit=1&cursor={cursor}"))
            .bearer_auth(&agent),
    )
    .await
    .assert_problem(400, "invalid_cursor");

    // What the inbox refuses.
    for bad in [
        "due=today",
        "state=lost",
        "assigned=someone",
        "order=random",
        "colour=red",
    ] {
        send(api.get(&format!("{inbox}?{bad}")).bearer_auth(&agent))
            .await
            .assert_problem(400, "invalid_query");
    }
    let overdue = send(api.get(&format!("{inbox}?due=overdue")).bearer_auth(&agent)).await;
    assert_eq!(overdue.status, 200, "{}", overdue.body);
}

#[tokio::test]
async fn the_counts_follow_filings_and_steps() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-counts").await;
    let agent = staff(&m, None, &[Permission::Complaints]);
    let counts = format!("/v1/municipalities/{m}/complaints/inbox/counts");
    let zero = send(api.get(&counts).bearer_auth(&agent)).await;
    assert_eq!(zero.status, 200, "{}", zero.body);
    assert_eq!(
        (zero.body["total"].as_u64(), zero.body["open"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(zero.body["states"]["received"], 0);
    assert_eq!(zero.body["states"]["reopened"], 0);

    let (lat, lon) = somewhere();
    let mut filed = Vec::new();
    for _ in 0..3 {
        let c = file(&api, &m, &citizen(), &report(lat, lon)).await;
        filed.push(c["id"].as_str().unwrap().to_owned());
    }
    let a = step(
        &api,
        &m,
        &filed[0],
        &agent,
        json!({ "state": "in_progress" }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = step(
        &api,
        &m,
        &filed[1],
        &agent,
        json!({ "state": "rejected", "note": "Hors sujet." }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    // A refused step counts nothing.
    step(&api, &m, &filed[2], &agent, json!({ "state": "rejected" }))
        .await
        .assert_problem(422, "invalid_field");

    let c = send(api.get(&counts).bearer_auth(&agent)).await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["states"]["received"], 1, "{}", c.body);
    assert_eq!(c.body["states"]["in_progress"], 1);
    assert_eq!(c.body["states"]["rejected"], 1);
    assert_eq!(
        (c.body["open"].as_u64(), c.body["total"].as_u64()),
        (Some(2), Some(3))
    );
    send(api.get(&counts).bearer_auth(citizen()))
        .await
        .assert_problem(403, "forbidden");
    send(api.get(&format!("{counts}?state=open")).bearer_auth(&agent))
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn the_short_reference_finds_a_complaint_for_its_staff_and_its_reporter_only() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-ref").await;
    let reporter = citizen();
    let mut body = report(36.80, 10.18);
    body["public"] = json!(false);
    let c = file(&api, &m, &reporter, &body).await;
    let id = c["id"].as_str().unwrap();
    let reference = c["reference"].as_str().expect("the reference").to_owned();
    assert_eq!(reference.len(), 6);
    assert!(
        id.to_ascii_uppercase().ends_with(&reference),
        "{id} {reference}"
    );
    let by_ref = |r: &str| format!("/v1/municipalities/{m}/complaints/by-reference/{r}");
    let agent = staff(&m, None, &[Permission::Complaints]);

    let found = send(api.get(&by_ref(&reference)).bearer_auth(&agent)).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(ids(&found), [id]);
    assert_eq!(found.body["items"][0]["reference"], reference.as_str());
    // As typed on a phone: lower case, spaces around.
    let typed = by_ref(&format!("%20{}%20", reference.to_lowercase()));
    let own = send(api.get(&typed).bearer_auth(&reporter)).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(ids(&own), [id]);

    // Anyone else learns nothing.
    for token in [
        citizen(),
        staff(&m, None, &[Permission::News]),
        staff(
            &new_municipality(&api, "cmp-ref-x").await,
            None,
            &Permission::ALL,
        ),
    ] {
        send(api.get(&by_ref(&reference)).bearer_auth(token))
            .await
            .assert_problem(404, "not_found");
    }
    send(api.get(&by_ref("ZZZZZZ")).bearer_auth(&agent))
        .await
        .assert_problem(404, "not_found");
    send(api.get(&by_ref("no%23such")).bearer_auth(&agent))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_reporter_contests_a_resolution_and_staff_are_told() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-contest").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.81, 10.17)).await;
    let id = c["id"].as_str().unwrap();
    let agent = staff(&m, None, &[Permission::Complaints]);
    let a = step(
        &api,
        &m,
        id,
        &agent,
        json!({ "state": "resolved", "note": "Lampe remplacée." }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);

    // Saying why is required; only the reporter may contest.
    step(&api, &m, id, &reporter, json!({ "state": "reopened" }))
        .await
        .assert_problem(422, "invalid_field");
    step(
        &api,
        &m,
        id,
        &citizen(),
        json!({ "state": "reopened", "note": "Non." }),
    )
    .await
    .assert_problem(404, "not_found");
    step(
        &api,
        &m,
        id,
        &agent,
        json!({ "state": "reopened", "note": "Non." }),
    )
    .await
    .assert_problem(409, "transition_not_allowed");
    let r = step(
        &api,
        &m,
        id,
        &reporter,
        json!({ "state": "reopened", "note": "La lampe est toujours éteinte." }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "reopened");

    // Back in the open backlog, counted, and the staff told.
    let inbox = send(
        api.get(&format!(
            "/v1/municipalities/{m}/complaints/inbox?state=reopened"
        ))
        .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&inbox), [id]);
    let counts = send(
        api.get(&format!("/v1/municipalities/{m}/complaints/inbox/counts"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(counts.body["states"]["reopened"], 1, "{}", counts.body);
    assert_eq!(counts.body["states"]["resolved"], 0);
    let told = send(
        api.get(&format!("/v1/municipalities/{m}/reminders"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(told.status, 200, "{}", told.body);
    let items = told.body["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|r| r["what"] == "contested" && r["case_id"] == id && r["kind"] == "complaint"),
        "{}",
        told.body
    );
    // Staff take it up again.
    let again = step(&api, &m, id, &agent, json!({ "state": "in_progress" })).await;
    assert_eq!(again.status, 200, "{}", again.body);
}
