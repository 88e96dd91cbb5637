//! A dossier through its stages, from the counter or the app.

use super::*;

#[tokio::test]
async fn staff_move_a_dossier_through_its_stages_with_notes_and_the_holder_is_told() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-stg").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let d = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let (id, reference) = (
        d["id"].as_str().unwrap().to_owned(),
        d["reference"].as_str().unwrap().to_owned(),
    );
    let (phone, holder) = citizen_told_by_sms(&api).await;
    assert_eq!(
        follow(&api, &m, &holder, &reference, &cin).await.status,
        200
    );

    step(&api, &m, &id, &agent, json!({"state": "in_review"}))
        .await
        .assert_problem(422, "invalid_field");
    step(
        &api,
        &m,
        &id,
        &agent,
        json!({"state": "flying", "note": "?"}),
    )
    .await
    .assert_problem(422, "unknown_state");
    step(
        &api,
        &m,
        &id,
        &agent,
        json!({"state": "issued", "note": "Trop tôt."}),
    )
    .await
    .assert_problem(409, "transition_not_allowed");
    let stages = [
        (
            "in_review",
            "Dossier complet, transmis au service technique.",
        ),
        ("committee", "Inscrit à la commission du 12 mars."),
        ("fees_due", "Avis favorable : frais de 240 dinars à régler."),
        ("issued", "Frais réglés : permis délivré."),
    ];
    let mut last = Value::Null;
    for (state, note) in stages {
        let a = step(&api, &m, &id, &agent, json!({"state": state, "note": note})).await;
        assert_eq!(a.status, 200, "{state}: {}", a.body);
        assert_eq!(a.body["state"], state);
        last = a.body;
    }
    let timeline = last["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 5);
    assert_eq!(timeline[4]["note"], "Frais réglés : permis délivré.");
    assert_eq!(timeline[4]["by"], "staff");
    assert!(last["issued_at"].is_string());
    assert_eq!(last["next_states"], json!(["completed"]));
    let queue = send(api.get(&dossiers(&m)).bearer_auth(&agent)).await;
    assert!(
        !queue.body.to_string().contains(&id),
        "issued: the municipality owes nothing more, off the queue"
    );

    for words in ["en cours d'étude", "en commission", "permis délivré"] {
        eventually(words, || {
            let (phone, reference) = (phone.clone(), reference.clone());
            async move {
                sms_to(&phone)
                    .await
                    .iter()
                    .any(|s| s.contains(&reference) && s.contains(words))
            }
        })
        .await;
    }

    let done = step(
        &api,
        &m,
        &id,
        &agent,
        json!({"state": "completed", "note": "Travaux achevés."}),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["closed"], true);
    assert!(done.body.get("due_at").is_none(), "off the queue");
    let queue = send(api.get(&dossiers(&m)).bearer_auth(&agent)).await;
    assert!(
        !queue.body.to_string().contains(&id),
        "closed: off the queue"
    );
}

#[tokio::test]
async fn a_citizen_submits_a_dossier_and_sends_the_missing_document() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-doc").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let me = citizen();
    let d = register(
        &api,
        &m,
        &me,
        &json!({
            "type": "sanitation",
            "description": "Branchement d'un logement au réseau de l'ONAS",
            "address": "Cité Ennasr, rue 5",
            "postal_code": "2037",
        }),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_owned();
    assert_eq!(d["channel"], "online");
    assert_eq!(d["mine"], true);
    assert_eq!(d["next_states"], json!(["cancelled"]));
    let mine = send(api.get(&format!("{}/mine", dossiers(&m))).bearer_auth(&me)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body["items"][0]["id"], id.as_str());

    let a = step(
        &api,
        &m,
        &id,
        &agent,
        json!({"state": "not_clear", "note": "Plan de situation manquant."}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);

    let upload_url = format!("{}/{id}/documents", dossiers(&m));
    send(
        api.post(&upload_url)
            .bearer_auth(&me)
            .json(&json!({"content_type": "text/plain", "size": 10})),
    )
    .await
    .assert_problem(422, "invalid_field");
    send(
        api.post(&upload_url)
            .bearer_auth(&me)
            .json(&json!({"content_type": "application/pdf", "size": 30_000_000})),
    )
    .await
    .assert_problem(422, "invalid_field");
    let pdf = b"%PDF-1.4\n% plan de situation\n%%EOF\n".to_vec();
    let u = send(
        api.post(&upload_url)
            .bearer_auth(&me)
            .json(&json!({"content_type": "application/pdf", "size": pdf.len()})),
    )
    .await;
    assert_eq!(u.status, 201, "{}", u.body);
    let doc = u.body["id"].as_str().unwrap().to_owned();
    // Not uploaded yet: it cannot go with a step.
    step(
        &api,
        &m,
        &id,
        &me,
        json!({"state": "received", "document": doc}),
    )
    .await
    .assert_problem(422, "invalid_field");
    let put = api
        .http
        .put(u.body["upload"]["url"].as_str().unwrap())
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let back = step(
        &api,
        &m,
        &id,
        &me,
        json!({"state": "received", "document": doc}),
    )
    .await;
    assert_eq!(back.status, 200, "{}", back.body);
    let last = back.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["document"], doc.as_str());
    assert_eq!(last["by"], "owner");
    let docs = back.body["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["status"], "ready");
    let link = docs[0]["url"]
        .as_str()
        .expect("a link to the ready document");
    let got = api
        .http
        .get(link)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.to_vec(), pdf);
    // Staff see it too.
    let seen = send(
        api.get(&format!("{}/{id}", dossiers(&m)))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(seen.body["documents"][0]["id"], doc.as_str());

    // The submitter cancels; a closed dossier takes no more documents.
    let cancelled = step(&api, &m, &id, &me, json!({"state": "cancelled"})).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    send(
        api.post(&upload_url)
            .bearer_auth(&me)
            .json(&json!({"content_type": "application/pdf", "size": 100})),
    )
    .await
    .assert_problem(422, "invalid_field");
}
