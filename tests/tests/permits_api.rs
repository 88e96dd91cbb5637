//! Black-box tests of the permits function over HTTP, against the running local
//! stack (started by `scripts/test`): dossiers registered at the counter and
//! submitted online, following by reference and national ID, the stages with
//! their notes and SMS, documents, tenant isolation and the BLDS open-data export.

use baladiya::domain::Permission;
use baladiya::domain::permit::blds::{BLDS_FIELDS, BLDS_REQUIRED, validate};
use baladiya_tests::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A municipality with the permits service activated; returns its id.
async fn permits_municipality(api: &Api, prefix: &str) -> String {
    let id = unique_slug(prefix);
    let a = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!({
                "id": id,
                "governorate": "TN-11",
                "name": {"ar": "بلدية تجريبية", "fr": "Commune de test"},
                "status": "ACTIVATED",
                "services": {"permits": "ACTIVATED"}
            })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    id
}

/// A national ID (CIN) no other test uses. It must reach no log.
fn national_id() -> String {
    let cin = format!("{:08}", ulid::Ulid::new().random() % 100_000_000);
    remember_secret(&cin);
    cin
}

/// A holder's name unique to the test. Personal data: it must reach no log.
fn holder_name() -> String {
    let suffix: String = ulid::Ulid::new().to_string()[20..].to_lowercase();
    let name = format!("Mongia Ben Salah {suffix}");
    remember_secret(&name);
    name
}

/// A dossier deposited at the counter.
fn deposited(kind: &str, cin: &str, name: &str) -> Value {
    json!({
        "type": kind,
        "description": "Construction d'une maison individuelle R+1 avec garage",
        "address": "12 rue de Marseille",
        "postal_code": "1000",
        "location": {"lat": 36.8008, "lon": 10.1817},
        "holder_national_id": cin,
        "holder_name": name,
    })
}

fn dossiers(m: &str) -> String {
    format!("/v1/municipalities/{m}/permits")
}

async fn register(api: &Api, m: &str, token: &str, body: &Value) -> Value {
    let a = send(
        api.post(&dossiers(m))
            .bearer_auth(token)
            .header("accept-language", "fr")
            .json(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

/// Move a dossier as `token`; returns the answer.
async fn step(api: &Api, m: &str, id: &str, token: &str, body: Value) -> Answer {
    send(
        api.post(&format!("{}/{id}/transitions", dossiers(m)))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

async fn follow(api: &Api, m: &str, token: &str, reference: &str, cin: &str) -> Answer {
    send(
        api.post(&format!("{}/follow", dossiers(m)))
            .bearer_auth(token)
            .json(&json!({ "reference": reference, "national_id": cin })),
    )
    .await
}

/// A signed-in citizen (a real account) told by SMS, in French.
async fn citizen_told_by_sms(api: &Api) -> (String, String) {
    let phone = unique_phone();
    let t = sign_in(api, &phone).await;
    let token = t["access_token"].as_str().unwrap().to_owned();
    let p = send(
        api.patch("/v1/me")
            .bearer_auth(&token)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    (phone, token)
}

/// Every item of the table as text (the test may Scan; requests never do).
async fn every_item_in_the_table() -> String {
    let db = aws().dynamodb();
    let mut out = String::new();
    let mut start = None;
    loop {
        let page = db
            .scan()
            .table_name(table())
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        for item in page.items() {
            out.push_str(&format!("{item:?}\n"));
        }
        match page.last_evaluated_key() {
            Some(k) => start = Some(k.clone()),
            None => return out,
        }
    }
}

fn year_in_tunisia() -> i32 {
    OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+1))
        .year()
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a date"), &Rfc3339).expect("RFC 3339")
}

#[tokio::test]
async fn staff_register_dossiers_numbered_per_municipality_and_year() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-reg").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let first = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let year = year_in_tunisia();
    assert_eq!(first["reference"], format!("{year}-000001"));
    let id = first["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("prm_"));
    assert_eq!(first["state"], "received");
    assert_eq!(first["channel"], "counter");
    assert_eq!(first["type"]["code"], "building");
    assert_eq!(first["type"]["name"], "Permis de bâtir");
    assert_eq!(first["holder_name"], name.as_str(), "staff see the holder");
    assert_eq!(first["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(first["timeline"][0]["by"], "staff");
    assert_eq!(
        first["next_states"],
        json!(["in_review", "not_clear", "rejected", "cancelled"])
    );
    // A building permit's service target: 60 days.
    let target = instant(&first["due_at"]) - instant(&first["created_at"]);
    assert_eq!(target.whole_days(), 60);

    let (cin2, name2) = (national_id(), holder_name());
    let second = register(&api, &m, &agent, &deposited("water", &cin2, &name2)).await;
    assert_eq!(second["reference"], format!("{year}-000002"), "consecutive");
    // Another municipality numbers its own.
    let other = permits_municipality(&api, "prm-reg2").await;
    let elsewhere = register(
        &api,
        &other,
        &staff(&other, None, &[Permission::Permits]),
        &deposited("building", &cin, &name),
    )
    .await;
    assert_eq!(elsewhere["reference"], format!("{year}-000001"));

    // The queue: open dossiers, the soonest due first (water: 30 days).
    let queue = send(api.get(&dossiers(&m)).bearer_auth(&agent)).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let refs: Vec<&str> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        [format!("{year}-000002"), format!("{year}-000001")],
        "soonest due first"
    );
    let paged = send(
        api.get(&format!("{}?limit=1", dossiers(&m)))
            .bearer_auth(&agent),
    )
    .await;
    let cursor = paged.body["next_cursor"].as_str().expect("a next page");
    let rest = send(
        api.get(&format!("{}?limit=1&cursor={cursor}", dossiers(&m)))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(rest.body["items"][0]["reference"], format!("{year}-000001"));

    // A retried registration files one dossier.
    let key = format!("permit-{}", ulid::Ulid::new());
    let (cin3, name3) = (national_id(), holder_name());
    let body = deposited("electricity", &cin3, &name3);
    let post = |body: &Value| {
        api.post(&dossiers(&m))
            .bearer_auth(&agent)
            .header("idempotency-key", &key)
            .json(body)
    };
    let once = send(post(&body)).await;
    assert_eq!(once.status, 201, "{}", once.body);
    assert_eq!(
        once.headers["location"].to_str().unwrap(),
        format!(
            "/v1/municipalities/{m}/permits/{}",
            once.body["id"].as_str().unwrap()
        )
    );
    let again = send(post(&body)).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["reference"], once.body["reference"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let mut changed = body.clone();
    changed["holder_national_id"] = json!(national_id());
    send(post(&changed))
        .await
        .assert_problem(422, "idempotency_key_reused");
    for answer in [&first, &second, &once.body, &again.body] {
        let text = answer.to_string();
        for cin in [&cin, &cin2, &cin3] {
            assert!(!text.contains(cin.as_str()), "a national ID in an answer");
        }
    }
}

#[tokio::test]
async fn dossiers_are_checked() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-bad").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let with = |field: &str, value: Value| {
        let mut b = deposited("building", &cin, &name);
        b[field] = value;
        b
    };
    let mut without_cin = deposited("building", &cin, &name);
    without_cin
        .as_object_mut()
        .unwrap()
        .remove("holder_national_id");
    let cases = [
        (
            agent.clone(),
            with("type", json!("castle")),
            "type",
            "unknown",
        ),
        (
            agent.clone(),
            with("description", json!("court")),
            "description",
            "too_short",
        ),
        (
            agent.clone(),
            with("address", json!("  ")),
            "address",
            "empty",
        ),
        (
            agent.clone(),
            with("postal_code", json!("100")),
            "postal_code",
            "format",
        ),
        (
            agent.clone(),
            with("postal_code", json!("0100")),
            "postal_code",
            "format",
        ),
        (
            agent.clone(),
            with("location", json!({"lat": 48.85, "lon": 2.35})),
            "location",
            "outside_area",
        ),
        (
            agent.clone(),
            with("holder_national_id", json!("1234567")),
            "holder_national_id",
            "format",
        ),
        (agent.clone(), without_cin, "holder_national_id", "required"),
        // A citizen does not name a holder: the dossier is their own.
        (
            citizen(),
            with("holder_name", json!("Quelqu'un")),
            "holder_name",
            "not_allowed",
        ),
    ];
    for (token, body, field, reason) in cases {
        let a = send(api.post(&dossiers(&m)).bearer_auth(&token).json(&body)).await;
        a.assert_problem(422, "invalid_field");
        assert_eq!(a.body["errors"][0]["field"], field, "{body}");
        assert_eq!(a.body["errors"][0]["reason"], reason, "{body}");
    }
    send(
        api.post(&dossiers(&m))
            .bearer_auth(&agent)
            .json(&with("colour", json!("blue"))),
    )
    .await
    .assert_problem(422, "invalid_body");
    send(
        api.post(&dossiers(&m))
            .json(&deposited("building", &cin, &name)),
    )
    .await
    .assert_problem(401, "unauthenticated");
    // Nothing was numbered by the refused requests.
    let ok = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    assert_eq!(ok["reference"], format!("{}-000001", year_in_tunisia()));
}

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

#[tokio::test]
async fn other_municipalities_and_citizens_are_kept_out() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-ten").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let d = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let id = d["id"].as_str().unwrap().to_owned();
    let reference = d["reference"].as_str().unwrap().to_owned();

    let other = permits_municipality(&api, "prm-oth").await;
    let stranger = staff(&other, None, &[Permission::Permits]);
    let base = dossiers(&m);
    let tries = [
        api.get(&base).bearer_auth(&stranger),
        api.post(&base)
            .bearer_auth(&stranger)
            .json(&deposited("building", &cin, &name)),
        api.get(&format!("{base}/mine")).bearer_auth(&stranger),
        api.get(&format!("{base}/{id}")).bearer_auth(&stranger),
        api.post(&format!("{base}/{id}/transitions"))
            .bearer_auth(&stranger)
            .json(&json!({"state": "in_review", "note": "Pas chez nous."})),
        api.post(&format!("{base}/{id}/documents"))
            .bearer_auth(&stranger)
            .json(&json!({"content_type": "application/pdf", "size": 100})),
        api.post(&format!("{base}/follow"))
            .bearer_auth(&stranger)
            .json(&json!({"reference": reference, "national_id": cin})),
        api.post(&format!("{base}/exports")).bearer_auth(&stranger),
    ];
    for req in tries {
        let a = send(req).await;
        a.assert_problem(404, "not_found");
        assert!(!a.body.to_string().contains(&cin));
    }
    // Citizens do not manage dossiers.
    let someone = citizen();
    send(api.get(&base).bearer_auth(&someone))
        .await
        .assert_problem(403, "forbidden");
    send(api.post(&format!("{base}/exports")).bearer_auth(&someone))
        .await
        .assert_problem(403, "forbidden");
    // Nor do the municipality's own staff without the permission.
    let editor = staff(&m, None, &[Permission::News]);
    send(api.get(&base).bearer_auth(&editor))
        .await
        .assert_problem(403, "forbidden");
    send(api.get(&format!("{base}/{id}")).bearer_auth(&editor))
        .await
        .assert_problem(403, "forbidden");
    send(api.get(&base))
        .await
        .assert_problem(401, "unauthenticated");
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

/// A downloaded export file.
async fn download(api: &Api, file: &Value) -> String {
    let res = api
        .http
        .get(file["url"].as_str().expect("a download link"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    res.text().await.unwrap()
}

#[tokio::test]
async fn the_open_data_export_is_blds_without_personal_data() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-exp").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let mut secrets = Vec::new();
    let (cin, name) = (national_id(), holder_name());
    secrets.extend([cin.clone(), name.clone()]);
    let built = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let id = built["id"].as_str().unwrap().to_owned();
    for (state, note) in [
        ("in_review", "Complet."),
        ("issued", "Permis délivré."),
        ("completed", "Travaux achevés."),
    ] {
        let a = step(&api, &m, &id, &agent, json!({"state": state, "note": note})).await;
        assert_eq!(a.status, 200, "{}", a.body);
    }
    // A description naming its holder is published as the dossier type's name.
    let (cin2, name2) = (national_id(), holder_name());
    secrets.extend([cin2.clone(), name2.clone()]);
    let mut naming = deposited("water", &cin2, &name2);
    naming["description"] = json!(format!("Branchement de la maison de {name2}"));
    naming.as_object_mut().unwrap().remove("location");
    let water = register(&api, &m, &agent, &naming).await;
    let own_cin = national_id();
    secrets.push(own_cin.clone());
    register(
        &api,
        &m,
        &citizen(),
        &json!({
            "type": "public_road_use",
            "description": "Échafaudage devant la façade pendant deux semaines",
            "address": "Rue du Pacha 3",
            "postal_code": "1006",
            "holder_national_id": own_cin,
        }),
    )
    .await;

    let e = send(
        api.post(&format!("{}/exports", dossiers(&m)))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(e.status, 201, "{}", e.body);
    assert_eq!(e.body["records"], 3);
    assert_eq!(e.body["csv"]["key"], format!("{m}/open-data/permits.csv"));
    assert_eq!(e.body["json"]["key"], format!("{m}/open-data/permits.json"));

    let json_text = download(&api, &e.body["json"]).await;
    let csv_text = download(&api, &e.body["csv"]).await;
    for s in &secrets {
        assert!(!json_text.contains(s.as_str()), "personal data in the JSON");
        assert!(!csv_text.contains(s.as_str()), "personal data in the CSV");
    }

    let records: Vec<Value> = serde_json::from_str(&json_text).expect("a JSON array");
    assert_eq!(records.len(), 3);
    let mut as_fields = Vec::new();
    for r in &records {
        let obj = r.as_object().expect("an object per dossier");
        let names: Vec<&str> = obj.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = BLDS_FIELDS.to_vec();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        expected.sort_unstable();
        assert_eq!(sorted, expected, "the BLDS fields, no other");
        for f in BLDS_REQUIRED {
            assert!(obj.contains_key(*f), "{f} missing");
        }
        assert_eq!(r["OriginalCity"], "Commune de test");
        assert_eq!(r["OriginalState"], "TN-11");
        assert_eq!(r["Jurisdiction"], m.as_str());
        assert!(r["Link"].is_null(), "no link to private data");
        as_fields.push(
            BLDS_FIELDS
                .iter()
                .map(|f| {
                    let v = match &r[*f] {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (*f, v)
                })
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(validate(&as_fields), Vec::<String>::new());
    let by_ref = |r: &Value| {
        records
            .iter()
            .find(|x| x["PermitNum"] == r["reference"])
            .expect("exported")
            .clone()
    };
    let b = by_ref(&built);
    assert_eq!(b["StatusCurrent"], "completed");
    assert_eq!(b["StatusCurrentMapped"], "Permit Finaled");
    assert!(b["IssuedDate"].is_string() && b["CompletedDate"].is_string());
    assert_eq!(b["PermitTypeMapped"], "Building");
    assert_eq!(b["OriginalZip"], "1000");
    assert!(b["Latitude"].is_number());
    let w = by_ref(&water);
    assert_eq!(
        w["Description"],
        "Autorisation de branchement au réseau d'eau potable"
    );
    assert!(w["IssuedDate"].is_null());

    let header = csv_text.lines().next().expect("a header");
    assert_eq!(header, BLDS_FIELDS.join(","));
    assert_eq!(csv_text.trim_end().lines().count(), 4, "header and 3 rows");
}
