//! Errors as the specification's documents.

use super::*;

#[tokio::test]
async fn errors_follow_the_specification() {
    let api = Api::from_env();
    let (m, _, api_key) = municipality_with_key(&api, "o311-err").await;
    let base = format!("/open311/v2/{m}");
    let (lat, long) = point();
    let good: Vec<(&str, &str)> = vec![
        ("api_key", api_key.as_str()),
        ("service_code", "lighting"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
        ("description", "Lampadaire cassé."),
    ];
    let with = |changes: &[(&'static str, &'static str)], drop: &[&str]| {
        let mut f: Vec<(&str, String)> = good
            .iter()
            .filter(|(k, _)| !drop.contains(k) && !changes.iter().any(|(c, _)| c == k))
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        f.extend(changes.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let long_text = "x".repeat(4001);
    let cases: Vec<(Vec<(&str, String)>, u16)> = vec![
        (with(&[], &["api_key"]), 403),
        (
            with(
                &[(
                    "api_key",
                    "key_01ARZ3NDEKTSV4RRFFQ69G5FAV.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                )],
                &[],
            ),
            403,
        ),
        (with(&[("api_key", "nonsense")], &[]), 403),
        (with(&[], &["service_code"]), 400),
        (with(&[("service_code", "teleportation")], &[]), 404),
        (with(&[], &["lat", "long"]), 400),
        (with(&[("address_id", "545483")], &["lat", "long"]), 400),
        (with(&[], &["long"]), 400),
        (with(&[("lat", "48.85"), ("long", "2.35")], &[]), 400),
        (with(&[("lat", "north")], &[]), 400),
        (with(&[("attribute[subcategory]", "unicorns")], &[]), 400),
        (with(&[("email", "not-an-address")], &[]), 400),
        (with(&[("media_url", "javascript:alert(1)")], &[]), 400),
        (with(&[("jurisdiction_id", "somewhere-else")], &[]), 404),
    ];
    for (form, status) in &cases {
        for f in ["xml", "json"] {
            let req = api
                .http
                .post(format!("{}{base}/requests.{f}", api.base))
                .form(form);
            let description = error(&api, req, *status).await;
            assert!(!description.contains(&api_key), "the key is not echoed");
        }
    }
    let too_long = with(&[], &["description"]);
    let mut too_long: Vec<(&str, &str)> = too_long.iter().map(|(k, v)| (*k, v.as_str())).collect();
    too_long.push(("description", &long_text));
    error(
        &api,
        api.http
            .post(format!("{}{base}/requests.xml", api.base))
            .form(&too_long),
        400,
    )
    .await;
    // Not form-encoded.
    error(
        &api,
        api.http
            .post(format!("{}{base}/requests.xml", api.base))
            .json(&json!({"api_key": api_key})),
        400,
    )
    .await;
    // A singlevaluelist takes one value.
    let mut two = with(&[], &[]);
    two.push(("attribute[subcategory][]", "lamp-out".into()));
    two.push(("attribute[subcategory][]", "lit-by-day".into()));
    let description = error(
        &api,
        api.http
            .post(format!("{}{base}/requests.xml", api.base))
            .form(&two),
        400,
    )
    .await;
    assert_eq!(description, "attribute[subcategory] takes one value");
    // Text that is not UTF-8 is refused, not stored with replacement characters.
    let form_of = |extra: &[u8]| {
        let mut body: Vec<u8> = good
            .iter()
            .filter(|(k, _)| *k != "description")
            .map(|(k, v)| format!("{k}={}&", v.replace(' ', "+")))
            .collect::<String>()
            .into_bytes();
        body.extend_from_slice(extra);
        body
    };
    for bad in [
        &b"description=caf%E9"[..],
        b"description=caf\xE9",
        b"description=%ED%A0%80",
    ] {
        let description = error(
            &api,
            api.http
                .post(format!("{}{base}/requests.xml", api.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form_of(bad)),
            400,
        )
        .await;
        assert_eq!(description, "description is not valid UTF-8 text");
    }
    // Nor in the query string, which a POST may use too.
    let description = error(
        &api,
        api.http
            .post(format!(
                "{}{base}/requests.xml?description=caf%E9",
                api.base
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_of(b"")),
        400,
    )
    .await;
    assert_eq!(description, "description is not valid UTF-8 text");
    // Nothing was filed by any of these.
    let (all, _) = both(
        &api,
        &format!("{base}/requests"),
        &[],
        200,
        "service_requests",
    )
    .await;
    assert!(all.children.is_empty());

    // Searches.
    for (query, status) in [
        (vec![("start_date", "yesterday")], 400),
        (vec![("start_date", "2026-11-01T00:00:00")], 400),
        (
            vec![
                ("start_date", "2026-01-01T00:00:00Z"),
                ("end_date", "2026-06-01T00:00:00Z"),
            ],
            400,
        ),
        (
            vec![
                ("start_date", "2026-02-01T00:00:00Z"),
                ("end_date", "2026-01-01T00:00:00Z"),
            ],
            400,
        ),
        (vec![("status", "fixed")], 400),
        (vec![("jurisdiction_id", "elsewhere")], 404),
    ] {
        for f in ["xml", "json"] {
            error(
                &api,
                api.get(&format!("{base}/requests.{f}")).query(&query),
                status,
            )
            .await;
        }
    }
    for f in ["xml", "json"] {
        error(
            &api,
            api.get(&format!("{base}/servicerequestupdates.{f}?end_date=never")),
            400,
        )
        .await;
        // What does not exist is 404.
        error(
            &api,
            api.get(&format!(
                "{base}/requests/cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV.{f}"
            )),
            404,
        )
        .await;
        error(&api, api.get(&format!("{base}/requests/42.{f}")), 404).await;
        error(&api, api.get(&format!("{base}/tokens/12345.{f}")), 404).await;
        error(
            &api,
            api.get(&format!("/open311/v2/atlantis-x/services.{f}")),
            404,
        )
        .await;
    }
    // Every path and method under /open311/v2/ gets the specification's errors
    // (the gateway sends them all to the function): an unknown resource or format
    // is 404, a method a resource does not take is 400 (in the format asked for).
    for (method, path, status) in [
        ("GET", format!("{base}/services.html"), 404),
        ("GET", format!("{base}/discovery"), 404),
        ("GET", format!("{base}/complaints.xml"), 404),
        ("GET", "/open311/v2/discovery.xml".to_owned(), 404),
        ("PUT", format!("{base}/requests.xml"), 400),
        ("DELETE", format!("{base}/services.json"), 400),
        ("POST", format!("{base}/servicerequestupdates.xml"), 400),
    ] {
        let req = api.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", api.base),
        );
        error(&api, req, status).await;
    }
    // HEAD is GET without the body.
    let head = api
        .http
        .head(format!("{}{base}/discovery.xml", api.base))
        .send()
        .await
        .expect("answers");
    assert_eq!(head.status(), 200);
    assert!(
        head.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    // (Whether a body came is not observable: HTTP clients read none for HEAD.)
    // The feed of updates (mySociety) sets no widest window, unlike the search.
    let (updates, _) = both(
        &api,
        &format!("{base}/servicerequestupdates"),
        &[
            ("start_date", "2025-01-01T00:00:00Z"),
            ("end_date", "2026-12-31T00:00:00Z"),
        ],
        200,
        "service_request_updates",
    )
    .await;
    assert!(updates.children.is_empty(), "nothing happened here yet");

    // A resource without a format is not one.
    error(
        &api,
        api.get(&format!("{base}/requests/cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV")),
        404,
    )
    .await;

    // A private complaint filed in the app is not published.
    let private = send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(citizen())
            .json(&json!({
                "category": "lighting",
                "description": "Une affaire privée, pas pour le public.",
                "address": "Chez moi",
                "public": false
            })),
    )
    .await;
    assert_eq!(private.status, 201, "{}", private.body);
    let pid = private.body["id"].as_str().unwrap();
    error(&api, api.get(&format!("{base}/requests/{pid}.xml")), 404).await;
    let (all, _) = both(
        &api,
        &format!("{base}/requests"),
        &[],
        200,
        "service_requests",
    )
    .await;
    assert!(all.children.is_empty());

    // Where complaints are not activated there is no Open311 server.
    let off = unique_slug("o311-off");
    let created = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!({
                "id": off, "governorate": "TN-12",
                "name": {"ar": "بلدية", "fr": "Commune"}, "status": "ACTIVATED"
            })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    for f in ["xml", "json"] {
        error(
            &api,
            api.get(&format!("/open311/v2/{off}/discovery.{f}")),
            404,
        )
        .await;
        error(
            &api,
            api.get(&format!("/open311/v2/{off}/services.{f}")),
            404,
        )
        .await;
    }
}
