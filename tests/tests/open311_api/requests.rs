//! A request posted over Open311, handled by staff, followed by clients.

use super::*;

#[tokio::test]
async fn a_request_posted_over_open311_is_a_complaint_staff_handle_and_clients_follow() {
    let api = Api::from_env();
    let (m, staff_token, api_key) = municipality_with_key(&api, "o311-req").await;
    let base = format!("/open311/v2/{m}");
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(2);

    // POST, XML: the realtime answer has the id and no token.
    let (lat, long) = point();
    let description = "Lampadaire éteint devant l'école <primaire> & la poste.";
    let form = [
        ("api_key", api_key.as_str()),
        ("jurisdiction_id", m.as_str()),
        ("service_code", "lighting"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
        ("address_string", "Rue de la Poste, Médina"),
        ("description", description),
        ("email", "amel@example.org"),
        ("first_name", "Amel"),
        ("last_name", "Ben Salah"),
        ("phone", "+21620000001"),
        ("media_url", "https://photos.example.org/p/1.jpg"),
        ("attribute[subcategory]", "lamp-out"),
        // A client's own attribute: ignored.
        ("attribute[fixmystreet_id]", "4242"),
    ];
    let res = post_form(&api, &format!("{base}/requests.xml"), &form).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let created = parse_xml(&res.text().await.unwrap());
    assert_eq!(created.name, "service_requests");
    let request = &created.children[0];
    assert_eq!(request.name, "request");
    let mut names = request.names();
    names.sort();
    let mut want = CREATED.to_vec();
    want.sort();
    assert_eq!(names, want);
    let id = request.text_of("service_request_id").to_owned();
    assert!(!id.is_empty());
    assert!(!request.text_of("service_notice").is_empty());

    // A client's retry with an Idempotency-Key: the same request; the same
    // form without one is another report.
    let keyed = || {
        api.http
            .post(format!("{}{base}/requests.xml", api.base))
            .header("idempotency-key", format!("retry-{id}"))
            .form(&form)
    };
    let first_try = parse_xml(&keyed().send().await.unwrap().text().await.unwrap());
    let retried = keyed().send().await.unwrap();
    assert_eq!(retried.status().as_u16(), 200);
    let retried = parse_xml(&retried.text().await.unwrap());
    let keyed_id = first_try.children[0]
        .text_of("service_request_id")
        .to_owned();
    assert_ne!(keyed_id, id);
    assert_eq!(retried.children[0].text_of("service_request_id"), keyed_id);
    // Staff hide that second copy: it leaves every public list (checked below).
    let hid = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{keyed_id}/moderation"
        ))
        .bearer_auth(&staff_token)
        .json(&json!({"hidden": true, "reason": "doublon"})),
    )
    .await;
    assert_eq!(hid.status, 200, "{}", hid.body);

    // POST, JSON: an array of one; an address is enough.
    let json_form = [
        ("api_key", api_key.as_str()),
        ("service_code", "roads"),
        ("address_string", "Avenue Habib Bourguiba, 12"),
        ("description", "Nid-de-poule dangereux."),
    ];
    let res = post_form(&api, &format!("{base}/requests.json"), &json_form).await;
    assert_eq!(res.status().as_u16(), 200);
    let posted: Value = res.json().await.unwrap();
    let mut keys: Vec<&str> = posted[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, want);
    assert!(posted[0]["account_id"].is_null());
    let second = posted[0]["service_request_id"].as_str().unwrap().to_owned();

    // GET one request, both formats, every field of the specification.
    let (one, onej) = both(
        &api,
        &format!("{base}/requests/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(one.children.len(), 1);
    let r = &one.children[0];
    fields(r, &onej[0], REQUEST);
    for f in REQUEST_REQUIRED {
        assert!(!r.text_of(f).is_empty(), "{f} is given");
    }
    assert_eq!(r.text_of("service_request_id"), id);
    assert_eq!(r.text_of("status"), "open");
    assert_eq!(r.text_of("service_code"), "lighting");
    assert_eq!(r.text_of("service_name"), "الإنارة العمومية");
    assert_eq!(r.text_of("description"), description);
    assert_eq!(r.text_of("address"), "Rue de la Poste, Médina");
    assert_eq!(r.text_of("media_url"), "https://photos.example.org/p/1.jpg");
    assert!(r.text_of("status_notes").is_empty());
    assert_eq!(onej[0]["lat"].as_f64(), lat.parse::<f64>().ok());
    assert_eq!(onej[0]["long"].as_f64(), long.parse::<f64>().ok());
    assert!(onej[0]["address_id"].is_null());
    let requested = datetime(r.text_of("requested_datetime"));
    assert!(requested >= before);
    assert!(datetime(r.text_of("updated_datetime")) >= requested);
    // Personal details are not published.
    let public = onej.to_string();
    assert!(!public.contains("amel@example.org") && !public.contains("+21620000001"));
    assert!(!public.contains("Ben Salah"));

    // Staff see a normal complaint, with where it came from.
    let complaint_path = format!("/v1/municipalities/{m}/complaints/{id}");
    let seen = send(api.get(&complaint_path).bearer_auth(&staff_token)).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.body["subcategory"], "lamp-out");
    assert_eq!(seen.body["origin"]["client"], "FixMyStreet Tunisie");
    assert_eq!(seen.body["origin"]["email"], "amel@example.org");
    assert_eq!(seen.body["reporter_name"], "Amel Ben Salah");
    let public_view = send(api.get(&complaint_path)).await;
    assert!(public_view.body.get("origin").is_none());
    assert!(public_view.body["reporter_name"].is_null());

    // Staff move it along: our finer states read as open/closed with notes.
    for (state, note) in [
        ("in_progress", "Équipe envoyée."),
        ("resolved", "Lampe remplacée."),
    ] {
        let moved = send(
            api.post(&format!("{complaint_path}/transitions"))
                .bearer_auth(&staff_token)
                .json(&json!({"state": state, "note": note})),
        )
        .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
    }
    let (one, _) = both(
        &api,
        &format!("{base}/requests/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    let r = &one.children[0];
    assert_eq!(r.text_of("status"), "closed");
    assert_eq!(r.text_of("status_notes"), "Lampe remplacée.");
    assert!(datetime(r.text_of("updated_datetime")) >= requested);

    // Lists: by default the last 90 days, newest first.
    let (all, allj) = both(
        &api,
        &format!("{base}/requests"),
        &[],
        200,
        "service_requests",
    )
    .await;
    let ids: Vec<&str> = all
        .children
        .iter()
        .map(|r| r.text_of("service_request_id"))
        .collect();
    assert_eq!(ids, [second.as_str(), id.as_str()]);
    for (i, r) in all.children.iter().enumerate() {
        fields(r, &allj[i], REQUEST);
        assert!(["open", "closed"].contains(&r.text_of("status")));
    }
    // By status, by service, by ids (which override the rest), by window.
    let (open, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", "open")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(open.children.len(), 1);
    assert_eq!(open.children[0].text_of("service_request_id"), second);
    let (closed, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", "closed")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(closed.children[0].text_of("service_request_id"), id);
    let (both_status, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", "open,closed")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(both_status.children.len(), 2);
    let (roads, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("service_code", "roads,water")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(roads.children.len(), 1);
    assert_eq!(roads.children[0].text_of("service_code"), "roads");
    let listed = format!("{second},{id}");
    let (by_id, _) = both(
        &api,
        &format!("{base}/requests"),
        &[
            ("service_request_id", &listed),
            ("status", "open"),
            ("service_code", "water"),
        ],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(by_id.children.len(), 2, "ids override the other filters");
    let (empty, emptyj) = both(
        &api,
        &format!("{base}/requests"),
        &[
            ("start_date", "2026-01-01T00:00:00Z"),
            ("end_date", "2026-02-01T00:00:00+01:00"),
        ],
        200,
        "service_requests",
    )
    .await;
    assert!(empty.children.is_empty() && emptyj.as_array().unwrap().is_empty());
    let start = (before - time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (window, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("start_date", &start)],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(window.children.len(), 2);
    // An empty parameter is as if not given.
    let (blank, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", ""), ("service_code", "")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(blank.children.len(), 2);

    // Token: requests are realtime; a token is the request's id.
    let (t, tj) = both(
        &api,
        &format!("{base}/tokens/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    fields(&t.children[0], &tj[0], TOKEN);
    assert_eq!(t.children[0].text_of("service_request_id"), id);

    // mySociety's updates: each change, oldest first, FixMyStreet's statuses.
    let (u, uj) = both(
        &api,
        &format!("{base}/servicerequestupdates"),
        &[("start_date", &start), ("api_key", "")],
        200,
        "service_request_updates",
    )
    .await;
    assert_eq!(u.children.len(), 2, "{uj}");
    for (i, up) in u.children.iter().enumerate() {
        fields(up, &uj[i], UPDATE);
        assert_eq!(up.text_of("service_request_id"), id);
        assert!(UPDATE_STATUSES.contains(&up.text_of("status")));
        datetime(up.text_of("updated_datetime"));
    }
    assert_eq!(u.children[0].text_of("status"), "IN_PROGRESS");
    assert_eq!(u.children[0].text_of("description"), "Équipe envoyée.");
    assert_eq!(u.children[1].text_of("status"), "FIXED");
    assert_eq!(u.children[1].text_of("external_status_code"), "resolved");
    assert_ne!(
        u.children[0].text_of("update_id"),
        u.children[1].text_of("update_id")
    );
    let (none, _) = both(
        &api,
        &format!("{base}/servicerequestupdates"),
        &[
            ("start_date", "2026-01-01T00:00:00Z"),
            ("end_date", "2026-01-02T00:00:00Z"),
        ],
        200,
        "service_request_updates",
    )
    .await;
    assert!(none.children.is_empty());

    // Hidden by staff: gone from every Open311 answer.
    let hidden = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{second}/moderation"
        ))
        .bearer_auth(&staff_token)
        .json(&json!({"hidden": true, "reason": "test"})),
    )
    .await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    for f in ["xml", "json"] {
        error(&api, api.get(&format!("{base}/requests/{second}.{f}")), 404).await;
    }
    let (all, _) = both(
        &api,
        &format!("{base}/requests"),
        &[],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(all.children.len(), 1);
}
