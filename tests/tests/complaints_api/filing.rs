//! Filing a report: checks, retries, nearby reports, the map.

use super::*;

#[tokio::test]
async fn a_citizen_reports_and_a_retried_request_files_one_complaint() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-new").await;
    // A real account with a name: the report carries it.
    let phone = unique_phone();
    let t = sign_in(&api, &phone).await;
    let tok = t["access_token"].as_str().unwrap().to_owned();
    send(
        api.patch("/v1/me")
            .bearer_auth(&tok)
            .json(&json!({ "name": "Sami Trabelsi" })),
    )
    .await;
    let (lat, lon) = somewhere();
    let key = format!("report-{}", ulid::Ulid::new());
    let post = || {
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(&tok)
            .header("idempotency-key", &key)
            .json(&report(lat, lon))
    };
    let first = send(post()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let id = first.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cmp_"));
    assert_eq!(first.body["state"], "received");
    assert_eq!(first.body["mine"], true);
    assert_eq!(first.body["reporter_name"], "Sami Trabelsi");
    assert_eq!(first.body["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(
        first.headers["location"].to_str().unwrap(),
        format!("/v1/municipalities/{m}/complaints/{id}")
    );
    let again = send(post()).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], id.as_str());
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let mut other = report(lat, lon);
    other["description"] = json!("Une autre description, assez longue.");
    send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(&tok)
            .header("idempotency-key", &key)
            .json(&other),
    )
    .await
    .assert_problem(422, "idempotency_key_reused");

    let mine = send(
        api.get(&format!("/v1/municipalities/{m}/complaints/mine"))
            .bearer_auth(&tok),
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        1,
        "one complaint"
    );

    // The public sees it, without the reporter's id.
    let public = send(api.get(&format!("/v1/municipalities/{m}/complaints/{id}"))).await;
    assert_eq!(public.status, 200);
    assert!(public.body.get("mine").is_none());
    assert!(
        !public
            .body
            .to_string()
            .contains(t["user_id"].as_str().unwrap())
    );

    // A read is tagged by what it shows: the public's tag is not the reporter's,
    // and a client holding the current one is told so (304) without the body.
    let url = format!("/v1/municipalities/{m}/complaints/{id}");
    let public_tag = public.headers["etag"].to_str().unwrap().to_owned();
    let held = send(api.get(&url).header("if-none-match", &public_tag)).await;
    assert_eq!(held.status, 304);
    assert!(held.body.is_null());
    let own = send(
        api.get(&url)
            .bearer_auth(&tok)
            .header("if-none-match", &public_tag),
    )
    .await;
    assert_eq!(own.status, 200, "the reporter's view is another");
    assert_eq!(own.body["mine"], true);
    assert_ne!(own.headers["etag"].to_str().unwrap(), public_tag);
}

#[tokio::test]
async fn reports_are_checked() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-bad").await;
    let tok = citizen();
    let cases = [
        (
            json!({"category": "weather", "description": "Il pleut beaucoup trop ici.", "address": "Rue X"}),
            "category",
            "unknown",
        ),
        (
            json!({"category": "waste", "subcategory": "pothole", "description": "Il y a un trou dans la route.", "address": "Rue X"}),
            "subcategory",
            "unknown",
        ),
        (
            json!({"category": "waste", "description": "court", "address": "Rue X"}),
            "description",
            "too_short",
        ),
        (
            json!({"category": "waste", "description": "Pas de lieu indiqué du tout."}),
            "location",
            "required",
        ),
        (
            json!({"category": "waste", "description": "À Paris, loin de la Tunisie.", "location": {"lat": 48.85, "lon": 2.35}}),
            "location",
            "outside_area",
        ),
    ];
    for (body, field, reason) in cases {
        let a = send(
            api.post(&format!("/v1/municipalities/{m}/complaints"))
                .bearer_auth(&tok)
                .json(&body),
        )
        .await;
        a.assert_problem(422, "invalid_field");
        assert_eq!(a.body["errors"][0]["field"], field, "{body}");
        assert_eq!(a.body["errors"][0]["reason"], reason, "{body}");
    }
    send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .json(&report(36.8, 10.18)),
    )
    .await
    .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn nearby_suggests_open_reports_within_100_metres() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-near").await;
    let (lat, lon) = somewhere();
    let c = file(&api, &m, &citizen(), &report(lat, lon)).await;
    let near = |dlat: f64, category: Option<&str>| {
        let mut url = format!(
            "/v1/municipalities/{m}/complaints/nearby?lat={}&lon={lon}",
            lat + dlat
        );
        if let Some(cat) = category {
            url.push_str(&format!("&category={cat}"));
        }
        api.get(&url)
    };
    // About 55 m north.
    let a = send(near(0.0005, None)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", a.body);
    assert_eq!(items[0]["id"], c["id"]);
    let d = items[0]["distance_m"].as_u64().unwrap();
    assert!((50..=60).contains(&d), "{d}");
    // Another category, or 300 m away: nothing.
    let a = send(near(0.0005, Some("waste"))).await;
    assert!(a.body["items"].as_array().unwrap().is_empty());
    let a = send(near(0.0027, None)).await;
    assert!(a.body["items"].as_array().unwrap().is_empty());
    send(api.get(&format!(
        "/v1/municipalities/{m}/complaints/nearby?lat=x&lon=1"
    )))
    .await
    .assert_problem(400, "invalid_query");

    // A resolved complaint is no longer suggested.
    let id = c["id"].as_str().unwrap();
    let done = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(staff(&m, None, &[Permission::Complaints]))
        .json(&json!({ "state": "resolved", "note": "Lampe remplacée." })),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let a = send(near(0.0005, None)).await;
    assert!(a.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_map_lists_public_complaints_inside_a_box() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-map").await;
    let inside = file(&api, &m, &citizen(), &report(36.80, 10.18)).await;
    let outside = file(&api, &m, &citizen(), &report(36.90, 10.30)).await;
    let page = send(api.get(&format!(
        "/v1/municipalities/{m}/complaints?bbox=10.15,36.79,10.20,36.82"
    )))
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = page.body.to_string();
    assert!(text.contains(inside["id"].as_str().unwrap()));
    assert!(!text.contains(outside["id"].as_str().unwrap()));
    for bad in ["1,2,3", "10.2,36.8,10.1,36.9", "a,b,c,d"] {
        send(api.get(&format!("/v1/municipalities/{m}/complaints?bbox={bad}")))
            .await
            .assert_problem(400, "invalid_query");
    }
}
