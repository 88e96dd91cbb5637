//! The permits inbox: every dossier of the municipality for its staff, by type
//! and state, counted per stage; a dossier found by its number.

use super::*;

fn ids(a: &Answer) -> Vec<&str> {
    a.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {}", a.body))
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn staff_work_dossiers_from_their_inbox_and_find_one_by_its_number() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-inbox").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let building = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let water = register(&api, &m, &agent, &deposited("water", &cin, &name)).await;
    let (b, w) = (
        building["id"].as_str().unwrap(),
        water["id"].as_str().unwrap(),
    );
    let inbox = format!("{}/inbox", dossiers(&m));

    let all = send(api.get(&inbox).bearer_auth(&agent)).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(ids(&all), [b, w]);
    let typed = send(api.get(&format!("{inbox}?type=water")).bearer_auth(&agent)).await;
    assert_eq!(ids(&typed), [w]);
    send(
        api.get(&format!("{inbox}?category=water"))
            .bearer_auth(&agent),
    )
    .await
    .assert_problem(400, "invalid_query");
    send(api.get(&inbox).bearer_auth(citizen()))
        .await
        .assert_problem(403, "forbidden");

    let step = send(
        api.post(&format!("{}/{b}/transitions", dossiers(&m)))
            .bearer_auth(&agent)
            .json(&json!({ "state": "in_review", "note": "Dossier complet." })),
    )
    .await;
    assert_eq!(step.status, 200, "{}", step.body);
    let review = send(
        api.get(&format!("{inbox}?state=in_review"))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(ids(&review), [b]);
    let counts = send(api.get(&format!("{inbox}/counts")).bearer_auth(&agent)).await;
    assert_eq!(counts.status, 200, "{}", counts.body);
    assert_eq!(counts.body["states"]["received"], 1, "{}", counts.body);
    assert_eq!(counts.body["states"]["in_review"], 1);
    assert_eq!(counts.body["total"], 2);

    // The number on the receipt finds the dossier, for its staff only.
    let number = building["reference"].as_str().unwrap();
    let by_number = format!("{}/by-reference/{number}", dossiers(&m));
    let found = send(api.get(&by_number).bearer_auth(&agent)).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(ids(&found), [b]);
    send(api.get(&by_number).bearer_auth(citizen()))
        .await
        .assert_problem(404, "not_found");
    let other = permits_municipality(&api, "prm-inbox-x").await;
    send(
        api.get(&format!("{}/by-reference/{number}", dossiers(&other)))
            .bearer_auth(staff(&other, None, &[Permission::Permits])),
    )
    .await
    .assert_problem(404, "not_found");
}
