//! Following a dossier by its reference and the holder's national ID.

use super::*;

#[tokio::test]
async fn a_citizen_follows_a_dossier_with_its_reference_and_national_id() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-fol").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let d = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let (id, reference) = (
        d["id"].as_str().unwrap().to_owned(),
        d["reference"].as_str().unwrap().to_owned(),
    );
    let (_, holder) = citizen_told_by_sms(&api).await;

    // Before proving anything, the dossier does not exist for them.
    send(
        api.get(&format!("{}/{id}", dossiers(&m)))
            .bearer_auth(&holder),
    )
    .await
    .assert_problem(404, "not_found");
    // A wrong number and an unknown reference get the same answer.
    let wrong = follow(&api, &m, &holder, &reference, &national_id()).await;
    wrong.assert_problem(404, "not_found");
    let unknown = follow(&api, &m, &holder, "2001-000042", &cin).await;
    assert_eq!(unknown.body, wrong.body);
    follow(&api, &m, &holder, "42", &cin)
        .await
        .assert_problem(422, "invalid_field");

    let ok = follow(&api, &m, &holder, &reference, &cin).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["id"], id.as_str());
    assert_eq!(ok.body["reference"], reference.as_str());
    assert_eq!(ok.body["following"], true);
    assert!(ok.body.get("holder_name").is_none(), "staff only");
    assert_eq!(ok.body["next_states"], json!([]));
    let seen = send(
        api.get(&format!("{}/{id}", dossiers(&m)))
            .bearer_auth(&holder),
    )
    .await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.body["timeline"][0]["state"], "received");
    // Following is not managing: no stage, no upload.
    step(&api, &m, &id, &holder, json!({"state": "cancelled"}))
        .await
        .assert_problem(403, "forbidden");
    send(
        api.post(&format!("{}/{id}/documents", dossiers(&m)))
            .bearer_auth(&holder)
            .json(&json!({"content_type": "application/pdf", "size": 1000})),
    )
    .await
    .assert_problem(403, "forbidden");
    // Someone else still does not see it.
    send(
        api.get(&format!("{}/{id}", dossiers(&m)))
            .bearer_auth(citizen()),
    )
    .await
    .assert_problem(404, "not_found");

    // Guessing: FOLLOW_TRIES wrong numbers on one reference, then it is locked
    // for an hour, even for the right number.
    let (cin2, name2) = (national_id(), holder_name());
    let other = register(&api, &m, &agent, &deposited("gas", &cin2, &name2)).await;
    let other_ref = other["reference"].as_str().unwrap().to_owned();
    let guesser = citizen();
    for _ in 0..5 {
        follow(&api, &m, &guesser, &other_ref, &national_id())
            .await
            .assert_problem(404, "not_found");
    }
    let locked = follow(&api, &m, &guesser, &other_ref, &cin2).await;
    locked.assert_problem(429, "too_many_requests");
    let retry: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    for a in [&wrong, &unknown, &ok, &seen, &locked] {
        assert!(!a.body.to_string().contains(&cin));
        assert!(!a.body.to_string().contains(&cin2));
    }
}

#[tokio::test]
async fn the_national_id_is_kept_only_as_a_keyed_digest() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-cin").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let key = format!("permit-{}", ulid::Ulid::new());
    let d = send(
        api.post(&dossiers(&m))
            .bearer_auth(&agent)
            .header("idempotency-key", &key)
            .json(&deposited("subdivision", &cin, &name)),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.body);
    // A citizen's own dossier, with their number.
    let own_cin = national_id();
    let own = register(
        &api,
        &m,
        &citizen(),
        &json!({
            "type": "electricity",
            "description": "Branchement électrique d'un local commercial",
            "address": "Avenue de la Liberté 20",
            "postal_code": "1002",
            "holder_national_id": own_cin,
        }),
    )
    .await;
    let (_, holder) = citizen_told_by_sms(&api).await;
    let reference = d.body["reference"].as_str().unwrap();
    let followed = follow(&api, &m, &holder, reference, &cin).await;
    assert_eq!(followed.status, 200, "{}", followed.body);
    let wrong = follow(&api, &m, &holder, reference, &national_id()).await;
    wrong.assert_problem(404, "not_found");

    let table = every_item_in_the_table().await;
    assert!(table.contains(reference), "the scan sees the dossiers");
    for n in [&cin, &own_cin] {
        assert!(!table.contains(n.as_str()), "a national ID is stored");
    }
    for a in [&d.body, &own, &followed.body, &wrong.body] {
        for n in [&cin, &own_cin] {
            assert!(
                !a.to_string().contains(n.as_str()),
                "a national ID in an answer"
            );
        }
    }
}

#[tokio::test]
async fn strangers_guessing_do_not_lock_out_the_dossiers_own_submitter() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-lock").await;
    let submitter = citizen();
    let cin = national_id();
    let d = register(
        &api,
        &m,
        &submitter,
        &json!({
            "type": "electricity",
            "description": "Branchement électrique d'un local commercial",
            "address": "Avenue de la Liberté 20",
            "postal_code": "1002",
            "holder_national_id": cin,
        }),
    )
    .await;
    let reference = d["reference"].as_str().unwrap().to_owned();
    let guesser = citizen();
    for _ in 0..5 {
        follow(&api, &m, &guesser, &reference, &national_id())
            .await
            .assert_problem(404, "not_found");
    }
    follow(&api, &m, &guesser, &reference, &cin)
        .await
        .assert_problem(429, "too_many_requests");
    // Locked for strangers, not for the one who filed it (signed in as such).
    let own = follow(&api, &m, &submitter, &reference, &cin).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.body["reference"], reference.as_str());
    // Their right number does not lift the lock for the guesser.
    follow(&api, &m, &guesser, &reference, &cin)
        .await
        .assert_problem(429, "too_many_requests");
    // A wrong number from the submitter is still refused, and not counted.
    follow(&api, &m, &submitter, &reference, &national_id())
        .await
        .assert_problem(404, "not_found");
}
