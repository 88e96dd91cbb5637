//! Black-box tests of access-to-information requests and of the scheduler over
//! HTTP, against the running local stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

/// A municipality with the access-to-information service on.
async fn municipality(api: &Api, prefix: &str) -> String {
    let id = unique_slug(prefix);
    let a = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!({
                "id": id,
                "governorate": "TN-11",
                "name": {"ar": "بلدية تجريبية", "fr": "Commune de test"},
                "status": "ACTIVATED",
                "services": {"access_to_information": "ACTIVATED"}
            })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    id
}

fn officer(m: &str) -> String {
    staff(m, None, &[Permission::AccessToInformation])
}

async fn ask(api: &Api, m: &str, token: &str, body: Value) -> Value {
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/info-requests"))
            .bearer_auth(token)
            .header("accept-language", "fr")
            .json(&body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

async fn step(api: &Api, m: &str, id: &str, token: &str, body: Value) -> Answer {
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/info-requests/{id}/transitions"
        ))
        .bearer_auth(token)
        .json(&body),
    )
    .await
}

fn at(v: &Value) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(
        v.as_str().expect("a date"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339")
}

#[tokio::test]
async fn a_request_gets_its_legal_deadline_and_the_reasons_for_it() {
    let api = Api::from_env();
    let m = municipality(&api, "air-new").await;
    let me = citizen();
    let before = time::OffsetDateTime::now_utc();

    // 20 days, moved to a working day, explained with the law's article.
    let r = ask(
        &api,
        &m,
        &me,
        json!({"information": "Le budget communal 2026 et son exécution.", "access_mode": "electronic_copy", "publish_consent": true}),
    )
    .await;
    assert_eq!(r["state"], "received");
    assert_eq!(r["deadline"]["rule"], "standard");
    let due = at(&r["deadline"]["due_at"]);
    assert!(due >= before + time::Duration::days(20));
    assert!(due <= before + time::Duration::days(25), "{due}");
    assert!(
        r["deadline"]["due_local"]
            .as_str()
            .unwrap()
            .ends_with("+01:00")
    );
    let why = r["deadline"]["explanation"].as_array().unwrap();
    assert!(why.len() >= 3, "{why:?}");
    assert!(why.iter().any(|l| l.as_str().unwrap().contains("2016-22")));
    assert_eq!(r["overdue"], false);

    // On-site consultation: 10 days; urgent: 48 hours exactly, with a reason.
    let onsite = ask(
        &api,
        &m,
        &me,
        json!({"information": "Consulter le registre des permis de 2025.", "access_mode": "on_site"}),
    )
    .await;
    assert_eq!(onsite["deadline"]["rule"], "on_site");
    assert!(at(&onsite["deadline"]["due_at"]) < due);
    send(
        api.post(&format!("/v1/municipalities/{m}/info-requests"))
            .bearer_auth(&me)
            .json(&json!({"information": "Le plan d'évacuation du quartier.", "access_mode": "paper_copy", "urgent": true})),
    )
    .await
    .assert_problem(422, "invalid_field");
    let urgent = ask(
        &api,
        &m,
        &me,
        json!({"information": "Le plan d'évacuation du quartier inondé.", "access_mode": "paper_copy", "urgent": true, "urgent_reason": "Inondation : des familles sont bloquées."}),
    )
    .await;
    assert_eq!(urgent["deadline"]["rule"], "urgent");
    let created = at(&urgent["created_at"]);
    assert_eq!(
        at(&urgent["deadline"]["due_at"]) - created,
        time::Duration::hours(48)
    );

    // In Arabic on request.
    let id = r["id"].as_str().unwrap();
    let ar = send(
        api.get(&format!("/v1/municipalities/{m}/info-requests/{id}"))
            .bearer_auth(&me)
            .header("accept-language", "ar"),
    )
    .await;
    assert_eq!(ar.status, 200, "{}", ar.body);
    assert!(
        ar.body["deadline"]["explanation"][0]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    );
    assert!(
        ar.body["next_states"]
            .as_array()
            .unwrap()
            .contains(&json!("withdrawn"))
    );

    // Bad input.
    send(
        api.post(&format!("/v1/municipalities/{m}/info-requests"))
            .bearer_auth(&me)
            .json(&json!({"information": "Tout.", "access_mode": "telepathy"})),
    )
    .await
    .assert_problem(422, "invalid_field");
    send(
        api.post(&format!("/v1/municipalities/{m}/info-requests"))
            .json(&json!({"information": "Le budget communal 2026.", "access_mode": "on_site"})),
    )
    .await
    .assert_problem(401, "unauthenticated");

    // The holiday table the deadlines use is public.
    let h = send(api.get("/v1/holidays")).await;
    assert_eq!(h.status, 200, "{}", h.body);
    assert!(
        h.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2026-12-17")
    );
}

/// Upload a small PDF as a document of request `id`; returns its id.
async fn upload_pdf(api: &Api, m: &str, id: &str, token: &str) -> String {
    let path = format!("/v1/municipalities/{m}/info-requests/{id}/documents");
    upload(api, &path, token, "application/pdf", SMALL_PDF).await
}

#[tokio::test]
async fn staff_work_the_queue_extend_once_answer_refuse_and_publish() {
    let api = Api::from_env();
    let m = municipality(&api, "air-staff").await;
    let me = citizen();
    let officer = officer(&m);
    let slow = ask(
        &api,
        &m,
        &me,
        json!({"information": "Les marchés publics passés en 2025.", "access_mode": "electronic_copy", "publish_consent": true}),
    )
    .await;
    let fast = ask(
        &api,
        &m,
        &me,
        json!({"information": "Les horaires du service d'état civil.", "access_mode": "on_site"}),
    )
    .await;
    let slow_id = slow["id"].as_str().unwrap();
    let fast_id = fast["id"].as_str().unwrap();

    // The queue: soonest deadline first; staff only, of this municipality.
    let q = send(
        api.get(&format!("/v1/municipalities/{m}/info-requests"))
            .bearer_auth(&officer),
    )
    .await;
    assert_eq!(q.status, 200, "{}", q.body);
    let ids: Vec<&str> = q.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [fast_id, slow_id]);
    send(
        api.get(&format!("/v1/municipalities/{m}/info-requests"))
            .bearer_auth(&me),
    )
    .await
    .assert_problem(403, "forbidden");
    let other = municipality(&api, "air-other").await;
    send(
        api.get(&format!("/v1/municipalities/{m}/info-requests/{slow_id}"))
            .bearer_auth(officer_of(&other)),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.get(&format!("/v1/municipalities/{m}/info-requests/{slow_id}"))
            .bearer_auth(citizen()),
    )
    .await
    .assert_problem(404, "not_found");
    // The requester cannot answer their own request.
    step(
        &api,
        &m,
        slow_id,
        &me,
        json!({"state": "accepted", "note": "Oui."}),
    )
    .await
    .assert_problem(409, "transition_not_allowed");

    // Extension: once, with a reason; the deadline moves 10 days.
    let before = at(&slow["deadline"]["due_at"]);
    let p = step(&api, &m, slow_id, &officer, json!({"state": "processing"})).await;
    assert_eq!(p.status, 200, "{}", p.body);
    step(
        &api,
        &m,
        slow_id,
        &officer,
        json!({"state": "extended", "note": "Plusieurs marchés."}),
    )
    .await
    .assert_problem(422, "invalid_field");
    let e = step(
        &api,
        &m,
        slow_id,
        &officer,
        json!({"state": "extended", "extension": "multiple", "note": "Plusieurs dizaines de marchés."}),
    )
    .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert_eq!(e.body["deadline"]["rule"], "extended");
    assert!(at(&e.body["deadline"]["due_at"]) >= before + time::Duration::days(10));
    assert_eq!(e.body["extended"], true);

    // The answer, with its document; published in the register (consent).
    step(&api, &m, slow_id, &officer, json!({"state": "accepted"}))
        .await
        .assert_problem(422, "invalid_field");
    let doc = upload_pdf(&api, &m, slow_id, &officer).await;
    let done = step(
        &api,
        &m,
        slow_id,
        &officer,
        json!({"state": "accepted", "note": "La liste des marchés est jointe.", "document": doc}),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.get("deadline").is_none(),
        "no deadline once answered"
    );
    let documents = done.body["documents"].as_array().unwrap();
    assert_eq!(documents[0]["id"], doc.as_str());
    assert_eq!(documents[0]["status"], "ready");
    let pdf = api
        .http
        .get(documents[0]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let reg = send(api.get(&format!("/v1/municipalities/{m}/info-requests/register"))).await;
    assert_eq!(reg.status, 200, "{}", reg.body);
    let published = reg.body["items"].as_array().unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["id"], slow_id);
    assert_eq!(published[0]["answer"], "La liste des marchés est jointe.");
    assert!(published[0].get("requester_name").is_none());
    // Anyone may open it: the municipality's answer and its document only.
    let public = send(api.get(&format!("/v1/municipalities/{m}/info-requests/{slow_id}"))).await;
    assert_eq!(public.status, 200, "{}", public.body);
    let steps = public.body["timeline"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0]["state"], "accepted");
    assert_eq!(public.body["documents"].as_array().unwrap().len(), 1);
    assert!(public.body.get("deadline").is_none());
    // The queue no longer holds it.
    let q = send(
        api.get(&format!("/v1/municipalities/{m}/info-requests"))
            .bearer_auth(&officer),
    )
    .await;
    assert_eq!(q.body["items"].as_array().unwrap().len(), 1);

    // A refusal needs its legal ground; it opens a 20-day appeal window.
    step(
        &api,
        &m,
        fast_id,
        &officer,
        json!({"state": "rejected", "note": "Non."}),
    )
    .await
    .assert_problem(422, "invalid_field");
    let no = step(
        &api,
        &m,
        fast_id,
        &officer,
        json!({"state": "rejected", "note": "Données personnelles de tiers.", "legal_ground": "privacy"}),
    )
    .await;
    assert_eq!(no.status, 200, "{}", no.body);
    assert_eq!(no.body["legal_ground"]["code"], "privacy");
    assert!(
        at(&no.body["appeal_until"]["due_at"])
            > at(&no.body["updated_at"]) + time::Duration::days(19)
    );
    // Not published: refused (and no consent).
    let reg = send(api.get(&format!("/v1/municipalities/{m}/info-requests/register"))).await;
    assert_eq!(reg.body["items"].as_array().unwrap().len(), 1);
    // The requester appeals to the head of the body: 10 days to answer.
    let appeal = step(
        &api,
        &m,
        fast_id,
        &me,
        json!({"state": "appealed", "note": "Les horaires ne sont pas des données personnelles."}),
    )
    .await;
    assert_eq!(appeal.status, 200, "{}", appeal.body);
    assert_eq!(appeal.body["deadline"]["rule"], "appeal_answer");
}

fn officer_of(m: &str) -> String {
    officer(m)
}

/// Put a case's deadline an hour in the past, as time would.
async fn expire(m: &str, id: &str) {
    let past = (time::OffsetDateTime::now_utc() - time::Duration::hours(1))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let past = past.as_str();
    store()
        .raw_set(
            &format!("M#{m}#AIR#{id}"),
            "CASE",
            &[
                ("due_at", json!(past)),
                ("GSI3SK", json!(format!("{past}#{id}"))),
                ("data.deadline.due_at", json!(past)),
            ],
        )
        .await
        .expect("the case is updated");
}

#[tokio::test]
async fn overdue_requests_and_silent_appeals_are_handled_once_by_the_scheduler() {
    let api = Api::from_env();
    let m = municipality(&api, "air-sched").await;
    let phone = unique_phone();
    let t = sign_in(&api, &phone).await;
    let me = t["access_token"].as_str().unwrap().to_owned();
    let p = send(
        api.patch("/v1/me")
            .bearer_auth(&me)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let r = ask(
        &api,
        &m,
        &me,
        json!({"information": "Le rapport d'audit de la commune pour 2025.", "access_mode": "electronic_copy"}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_owned();
    let reference = id[id.len() - 6..].to_owned();
    // Not overdue yet: no appeal.
    step(
        &api,
        &m,
        &id,
        &me,
        json!({"state": "appealed", "note": "Pas de réponse."}),
    )
    .await
    .assert_problem(422, "invalid_field");

    // The deadline passes without an answer. Two runs: one reminder, one SMS.
    expire(&m, &id).await;
    // Too late to extend or to ask for details: the refusal is already implied.
    let officer = officer(&m);
    step(&api, &m, &id, &officer, json!({"state": "processing"})).await;
    step(
        &api,
        &m,
        &id,
        &officer,
        json!({"state": "extended", "extension": "multiple", "note": "Trop tard."}),
    )
    .await
    .assert_problem(422, "invalid_field");
    let first = run_scheduler(&api);
    let second = run_scheduler(&api);
    assert_eq!(second["errors"], 0, "{second}");
    assert_eq!(
        second["citizens_told"], 0,
        "the second run tells nobody again: {second}"
    );
    let reminders = send(
        api.get(&format!("/v1/municipalities/{m}/reminders"))
            .bearer_auth(&officer),
    )
    .await;
    assert_eq!(reminders.status, 200, "{}", reminders.body);
    let overdue: Vec<&Value> = reminders.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["case_id"] == id.as_str() && r["what"] == "overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "one reminder: {first} {second}");
    let overdue_sms = || {
        let phone = phone.clone();
        let reference = reference.clone();
        async move {
            sms_to(&phone)
                .await
                .iter()
                .filter(|m| m.contains(&reference) && m.contains("recours possible"))
                .count()
        }
    };
    eventually("the overdue SMS", || async { overdue_sms().await >= 1 }).await;
    let view = send(
        api.get(&format!("/v1/municipalities/{m}/info-requests/{id}"))
            .bearer_auth(&me),
    )
    .await;
    assert_eq!(view.body["overdue"], true);

    // Silence is a refusal: the requester appeals; the head does not answer.
    let appeal = step(
        &api,
        &m,
        &id,
        &me,
        json!({"state": "appealed", "note": "Aucune réponse reçue."}),
    )
    .await;
    assert_eq!(appeal.status, 200, "{}", appeal.body);
    expire(&m, &id).await;
    let a = run_scheduler(&api);
    let b = run_scheduler(&api);
    let refused = send(
        api.get(&format!("/v1/municipalities/{m}/info-requests/{id}"))
            .bearer_auth(&me),
    )
    .await;
    assert_eq!(refused.body["state"], "appeal_rejected", "{a} {b}");
    let by_system: Vec<&Value> = refused.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["by"] == "system")
        .collect();
    assert_eq!(by_system.len(), 1, "refused once");
    eventually("the refusal's SMS", || {
        let phone = phone.clone();
        let reference = reference.clone();
        async move {
            sms_to(&phone)
                .await
                .iter()
                .any(|m| m.contains(&reference) && m.contains("recours rejeté"))
        }
    })
    .await;
    // However often it runs, one of each.
    run_scheduler(&api);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(overdue_sms().await, 1);
    let refusals = sms_to(&phone)
        .await
        .iter()
        .filter(|m| m.contains(&reference) && m.contains("recours rejeté"))
        .count();
    assert_eq!(refusals, 1);
}

#[tokio::test]
async fn officers_work_requests_from_their_inbox_and_find_one_by_its_reference() {
    let api = Api::from_env();
    let m = municipality(&api, "air-inbox").await;
    let requester = citizen();
    let body = json!({
        "information": "Le budget voté de la commune pour 2026.",
        "access_mode": "electronic_copy",
    });
    let first = ask(&api, &m, &requester, body.clone()).await;
    let second = ask(&api, &m, &citizen(), body).await;
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    let inbox = format!("/v1/municipalities/{m}/info-requests/inbox");
    let ids = |x: &Answer| -> Vec<String> {
        x.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("a list: {}", x.body))
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = send(api.get(&inbox).bearer_auth(officer(&m))).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(ids(&all), [a, b]);
    let newest = send(
        api.get(&format!("{inbox}?order=newest&limit=1"))
            .bearer_auth(officer(&m)),
    )
    .await;
    assert_eq!(ids(&newest), [b]);
    assert!(newest.body["next_cursor"].is_string(), "{}", newest.body);
    send(api.get(&inbox).bearer_auth(&requester))
        .await
        .assert_problem(403, "forbidden");
    let counts = send(api.get(&format!("{inbox}/counts")).bearer_auth(officer(&m))).await;
    assert_eq!(counts.body["states"]["received"], 2, "{}", counts.body);
    assert_eq!(counts.body["open"], 2);

    let reference = first["reference"].as_str().expect("a reference");
    let by_ref = format!("/v1/municipalities/{m}/info-requests/by-reference/{reference}");
    for token in [officer(&m), requester.clone()] {
        let found = send(api.get(&by_ref).bearer_auth(token)).await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert_eq!(ids(&found), [a]);
    }
    send(api.get(&by_ref).bearer_auth(citizen()))
        .await
        .assert_problem(404, "not_found");
}
