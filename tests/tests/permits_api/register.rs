//! Registering dossiers: numbering, checks.

use super::*;

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
