//! Black-box tests of the complaints function over HTTP, against the running local
//! stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

fn report(lat: f64, lon: f64) -> Value {
    json!({
        "category": "lighting",
        "subcategory": "lamp-out",
        "description": "Le lampadaire devant le numéro 12 est éteint depuis une semaine.",
        "location": { "lat": lat, "lon": lon },
    })
}

async fn file(api: &Api, m: &str, token: &str, body: &Value) -> Value {
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(token)
            .json(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

/// A point inside Tunisia unique to this run, so tests do not see each other's
/// complaints nearby.
fn somewhere() -> (f64, f64) {
    let r = ulid::Ulid::new().random();
    (
        33.5 + (r % 10_000) as f64 / 10_000.0,
        9.0 + ((r >> 16) % 10_000) as f64 / 10_000.0,
    )
}

#[tokio::test]
async fn categories_in_three_languages_and_only_where_the_service_is_on() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-cat").await;
    let a = send(api.get(&format!("/v1/municipalities/{m}/complaint-categories"))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let lighting = &a.body["items"][0];
    assert_eq!(lighting["code"], "lighting");
    assert_eq!(lighting["label"], "الإنارة العمومية", "Arabic by default");
    assert_eq!(lighting["name"]["fr"], "Éclairage public");
    assert!(!lighting["subcategories"].as_array().unwrap().is_empty());

    // A municipality without the complaints service.
    let off = unique_slug("cmp-off");
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
    send(api.get(&format!("/v1/municipalities/{off}/complaint-categories")))
        .await
        .assert_problem(403, "service_not_active");
    send(
        api.post(&format!("/v1/municipalities/{off}/complaints"))
            .bearer_auth(citizen())
            .json(&report(36.8, 10.18)),
    )
    .await
    .assert_problem(403, "service_not_active");
    send(api.get("/v1/municipalities/atlantis-x/complaints"))
        .await
        .assert_problem(404, "not_found");
}

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
async fn private_complaints_exist_only_for_their_reporter_and_the_right_staff() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-priv").await;
    let other_m = new_municipality(&api, "cmp-priv-o").await;
    let reporter = citizen();
    let mut body = report(36.81, 10.17);
    body["public"] = json!(false);
    body["hide_name"] = json!(true);
    let c = file(&api, &m, &reporter, &body).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/v1/municipalities/{m}/complaints/{id}");

    let list = send(api.get(&format!("/v1/municipalities/{m}/complaints"))).await;
    assert_eq!(list.status, 200);
    assert!(
        !list.body.to_string().contains(id),
        "a private complaint is not listed"
    );
    for token in [
        None,
        Some(citizen()),
        Some(staff(&other_m, None, &[Permission::Complaints])),
        Some(staff(&m, None, &[Permission::News])),
    ] {
        let mut req = api.get(&path);
        if let Some(t) = &token {
            req = req.bearer_auth(t);
        }
        send(req).await.assert_problem(404, "not_found");
    }
    let own = send(api.get(&path).bearer_auth(&reporter)).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["mine"], true);
    let handler = send(
        api.get(&path)
            .bearer_auth(staff(&m, None, &[Permission::Complaints])),
    )
    .await;
    assert_eq!(handler.status, 200, "{}", handler.body);
    assert_eq!(handler.body["hide_name"], true);
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
async fn staff_move_complaints_through_the_workflow_and_citizens_cannot() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-flow").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.79, 10.16)).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/v1/municipalities/{m}/complaints/{id}/transitions");
    let agent = staff(&m, None, &[Permission::Complaints]);

    let a = send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "action_scheduled", "note": "Intervention prévue jeudi." })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["state"], "action_scheduled");
    let timeline = a.body["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[1]["note"], "Intervention prévue jeudi.");
    assert_eq!(timeline[1]["by"], "staff");

    // The reporter cannot move it on; another citizen does not see it to move.
    send(
        api.post(&path)
            .bearer_auth(&reporter)
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(409, "transition_not_allowed");
    send(
        api.post(&path)
            .bearer_auth(citizen())
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(404, "not_found");
    // Staff without the permission: 403; scoped to other categories: 404.
    send(
        api.post(&path)
            .bearer_auth(staff(&m, None, &[Permission::News]))
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(403, "forbidden");
    let scoped = token_for(&baladiya::domain::Principal::Staff {
        user: baladiya::domain::Id::generate("usr"),
        staff_id: baladiya::domain::Id::generate("stf"),
        municipality: baladiya::domain::MunicipalityId::parse(&m).unwrap(),
        permissions: [Permission::Complaints].into_iter().collect(),
        complaint_categories: Some(["waste".to_owned()].into_iter().collect()),
    });
    send(
        api.post(&path)
            .bearer_auth(&scoped)
            .json(&json!({ "state": "resolved" })),
    )
    .await
    .assert_problem(404, "not_found");
    // Not a state of the workflow, and a move it does not allow.
    send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "teleported" })),
    )
    .await
    .assert_problem(422, "unknown_state");
    send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "withdrawn" })),
    )
    .await
    .assert_problem(409, "transition_not_allowed");

    let done = send(
        api.post(&path)
            .bearer_auth(&agent)
            .json(&json!({ "state": "resolved" })),
    )
    .await;
    assert_eq!(done.status, 200);
    let list = send(api.get(&format!(
        "/v1/municipalities/{m}/complaints?state=resolved&category=lighting"
    )))
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"][0]["id"], id);
    send(api.get(&format!("/v1/municipalities/{m}/complaints?state=lost")))
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn the_reporter_may_withdraw_their_complaint() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-wd").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.78, 10.15)).await;
    let id = c["id"].as_str().unwrap();
    let a = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(&reporter)
        .json(&json!({ "state": "withdrawn", "note": "Réparé entre-temps." })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["timeline"][1]["by"], "owner");
}

#[tokio::test]
async fn me_too_is_counted_once_and_supporters_follow_the_complaint() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-sup").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.77, 10.14)).await;
    let id = c["id"].as_str().unwrap();
    let neighbour = citizen();
    let support = || {
        api.post(&format!("/v1/municipalities/{m}/complaints/{id}/support"))
            .bearer_auth(&neighbour)
    };
    let a = send(support()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body, json!({ "supporters": 1, "counted": true }));
    let a = send(support()).await;
    assert_eq!(a.body, json!({ "supporters": 1, "counted": false }));
    let detail = send(api.get(&format!("/v1/municipalities/{m}/complaints/{id}"))).await;
    assert_eq!(detail.body["supporters"], 1);
    let own = send(
        api.post(&format!("/v1/municipalities/{m}/complaints/{id}/support"))
            .bearer_auth(&reporter),
    )
    .await;
    own.assert_problem(422, "invalid_field");
    assert_eq!(own.body["errors"][0]["reason"], "own_complaint");

    // Supporting made the neighbour a follower.
    let followed = format!("/v1/municipalities/{m}/complaints/followed");
    let f = send(api.get(&followed).bearer_auth(&neighbour)).await;
    assert_eq!(f.status, 200, "{}", f.body);
    assert_eq!(f.body["items"][0]["id"], id);
    let path = format!("/v1/municipalities/{m}/complaints/{id}/follow");
    for _ in 0..2 {
        assert_eq!(
            send(api.delete(&path).bearer_auth(&neighbour)).await.status,
            204
        );
    }
    let f = send(api.get(&followed).bearer_auth(&neighbour)).await;
    assert!(f.body["items"].as_array().unwrap().is_empty());
    for _ in 0..2 {
        assert_eq!(
            send(api.put(&path).bearer_auth(&neighbour)).await.status,
            204
        );
    }
    let f = send(api.get(&followed).bearer_auth(&neighbour)).await;
    assert_eq!(f.body["items"].as_array().unwrap().len(), 1);
    send(
        api.put(&format!(
            "/v1/municipalities/{m}/complaints/cmp_01JDQ2Y8V0K7N3M5P9R2T4W6XA/follow"
        ))
        .bearer_auth(&neighbour),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_reporter_and_followers_are_told_of_a_state_change() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-ntf").await;
    // The reporter wants an SMS when there is no device, in French.
    let phone = unique_phone();
    let t = sign_in(&api, &phone).await;
    let reporter = t["access_token"].as_str().unwrap().to_owned();
    let p = send(
        api.patch("/v1/me")
            .bearer_auth(&reporter)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    // A neighbour follows it from their phone (push).
    let n = sign_in(&api, &unique_phone()).await;
    let neighbour = n["access_token"].as_str().unwrap().to_owned();
    let dev = send(
        api.post("/v1/me/devices")
            .bearer_auth(&neighbour)
            .json(&json!({ "platform": "fcm", "token": format!("ntf-{}", ulid::Ulid::new()) })),
    )
    .await;
    assert_eq!(dev.status, 201);

    let c = file(&api, &m, &reporter, &report(36.76, 10.13)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let follow = send(
        api.put(&format!("/v1/municipalities/{m}/complaints/{id}/follow"))
            .bearer_auth(&neighbour),
    )
    .await;
    assert_eq!(follow.status, 204);

    let moved = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/transitions"
        ))
        .bearer_auth(staff(&m, None, &[Permission::Complaints]))
        .json(&json!({ "state": "in_progress", "note": "Équipe en route." })),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);

    let reference = id[id.len() - 6..].to_owned();
    eventually("the reporter's SMS", || {
        let phone = phone.clone();
        let reference = reference.clone();
        async move {
            sms_to(&phone)
                .await
                .iter()
                .any(|m| m.contains(&reference) && m.contains("en cours de traitement"))
        }
    })
    .await;
    let mine = send(api.get("/v1/me/notifications").bearer_auth(&reporter)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let first = &mine.body["items"][0];
    assert_eq!(first["case_id"], id.as_str());
    assert_eq!(first["channel"], "sms");
    assert_eq!(first["status"], "sent");
    eventually("the neighbour's push", || {
        let api = &api;
        let neighbour = neighbour.clone();
        async move {
            let a = send(api.get("/v1/me/notifications").bearer_auth(&neighbour)).await;
            a.body["items"][0]["channel"] == "push" && a.body["items"][0]["status"] == "sent"
        }
    })
    .await;
}

#[tokio::test]
async fn a_report_with_a_photo_shows_it_without_its_metadata() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-photo").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.75, 10.12)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let attach = |ct: &str, size: usize| {
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/attachments"
        ))
        .bearer_auth(&reporter)
        .json(&json!({ "content_type": ct, "size": size }))
    };
    let photo = media::samples::jpeg_with_exif(120, 80, 1);
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    let a = send(attach("image/jpeg", photo.len())).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let upload = &a.body["upload"];
    assert_eq!(upload["method"], "PUT");
    let put = api
        .http
        .put(upload["url"].as_str().unwrap())
        .header("content-type", "image/jpeg")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());

    // A text file renamed .jpg, uploaded the same way.
    let text = b"this is not a photo, only text".to_vec();
    let b = send(attach("image/jpeg", text.len())).await;
    assert_eq!(b.status, 201);
    let put = api
        .http
        .put(b.body["upload"]["url"].as_str().unwrap())
        .header("content-type", "image/jpeg")
        .body(text)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());

    let detail = format!("/v1/municipalities/{m}/complaints/{id}");
    eventually("both uploads checked", || {
        let api = &api;
        let detail = detail.clone();
        let reporter = reporter.clone();
        async move {
            let d = send(api.get(&detail).bearer_auth(&reporter)).await;
            let list = d.body["attachments"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            list.len() == 2 && list.iter().all(|x| x["status"] != "pending")
        }
    })
    .await;
    let mine = send(api.get(&detail).bearer_auth(&reporter)).await;
    let list = mine.body["attachments"].as_array().unwrap();
    assert_eq!(list[0]["status"], "ready", "{}", mine.body);
    assert_eq!(list[1]["status"], "rejected");
    assert_eq!(list[1]["reason"], "not_an_image");

    // The public sees the photo only, through a short-lived link.
    let public = send(api.get(&detail)).await;
    let shown = public.body["attachments"].as_array().unwrap();
    assert_eq!(shown.len(), 1);
    for link in ["url", "thumbnail_url"] {
        let bytes = api
            .http
            .get(shown[0][link].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "{link} is a JPEG");
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{link}: no EXIF");
        assert!(
            !bytes.windows(3).any(|w| w == b"GPS"),
            "{link}: no position"
        );
    }

    // Only images, of a sane size; only the reporter and staff.
    send(attach("text/plain", 10))
        .await
        .assert_problem(422, "invalid_field");
    send(attach("image/jpeg", 50 * 1024 * 1024))
        .await
        .assert_problem(422, "invalid_field");
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/attachments"
        ))
        .bearer_auth(citizen())
        .json(&json!({ "content_type": "image/jpeg", "size": 10 })),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn staff_assign_mark_duplicates_and_hide_abusive_reports() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-staff").await;
    let (lat, lon) = somewhere();
    let first = file(&api, &m, &citizen(), &report(lat, lon)).await;
    let reporter = citizen();
    let second = file(&api, &m, &reporter, &report(lat, lon)).await;
    let (a, b) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );
    let agent = staff(&m, None, &[Permission::Complaints]);
    let base = format!("/v1/municipalities/{m}/complaints");

    // Assignment: to a colleague who handles complaints of this category.
    let lighting = add_staff(&api, &m, &unique_phone(), &["complaints"]).await;
    let news_only = add_staff(&api, &m, &unique_phone(), &["news"]).await;
    let assigned = send(
        api.post(&format!("{base}/{a}/assignment"))
            .bearer_auth(&agent)
            .json(&json!({ "staff_id": lighting["id"] })),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(assigned.body["assigned_to"], lighting["id"]);
    let refused = send(
        api.post(&format!("{base}/{a}/assignment"))
            .bearer_auth(&agent)
            .json(&json!({ "staff_id": news_only["id"] })),
    )
    .await;
    refused.assert_problem(422, "invalid_field");
    assert_eq!(refused.body["errors"][0]["reason"], "cannot_handle");
    send(
        api.post(&format!("{base}/{a}/assignment"))
            .bearer_auth(citizen())
            .json(&json!({ "staff_id": null })),
    )
    .await
    .assert_problem(403, "forbidden");
    let public = send(api.get(&format!("{base}/{a}"))).await;
    assert!(public.body.get("assigned_to").is_none(), "staff only");

    // Duplicate: needs the complaint it repeats.
    send(
        api.post(&format!("{base}/{b}/transitions"))
            .bearer_auth(&agent)
            .json(&json!({ "state": "duplicate" })),
    )
    .await
    .assert_problem(422, "invalid_field");
    send(
        api.post(&format!("{base}/{b}/transitions"))
            .bearer_auth(&agent)
            .json(&json!({ "state": "duplicate", "duplicate_of": b })),
    )
    .await
    .assert_problem(422, "invalid_field");
    let dup = send(
        api.post(&format!("{base}/{b}/transitions"))
            .bearer_auth(&agent)
            .json(&json!({ "state": "duplicate", "duplicate_of": a, "note": "Déjà signalé." })),
    )
    .await;
    assert_eq!(dup.status, 200, "{}", dup.body);
    assert_eq!(dup.body["duplicate_of"], a.as_str());
    let seen = send(api.get(&format!("{base}/{b}"))).await;
    assert_eq!(seen.body["duplicate_of"], a.as_str());

    // Hiding: out of public sight, not out of the reporter's.
    let hidden = send(
        api.post(&format!("{base}/{b}/moderation"))
            .bearer_auth(&agent)
            .json(&json!({ "hidden": true, "reason": "Propos injurieux" })),
    )
    .await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    assert_eq!(hidden.body["hidden"], true);
    send(api.get(&format!("{base}/{b}")))
        .await
        .assert_problem(404, "not_found");
    let own = send(api.get(&format!("{base}/{b}")).bearer_auth(&reporter)).await;
    assert_eq!(own.status, 200);
    let list = send(api.get(&base)).await;
    assert!(!list.body.to_string().contains(&b), "not listed");
    assert!(list.body.to_string().contains(&a));
    let shown = send(
        api.post(&format!("{base}/{b}/moderation"))
            .bearer_auth(&agent)
            .json(&json!({ "hidden": false })),
    )
    .await;
    assert_eq!(shown.status, 200);
    assert_eq!(send(api.get(&format!("{base}/{b}"))).await.status, 200);
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

/// Ask for an upload URL as `token` and PUT `bytes` there; returns the photo's id.
async fn upload(api: &Api, m: &str, id: &str, token: &str, bytes: Vec<u8>) -> String {
    let a = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/attachments"
        ))
        .bearer_auth(token)
        .json(&json!({ "content_type": "image/jpeg", "size": bytes.len() })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let put = api
        .http
        .put(a.body["upload"]["url"].as_str().unwrap())
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    a.body["id"].as_str().unwrap().to_owned()
}

/// The whole story over HTTP: a citizen reports with a photo, staff move
/// the report through its states (the last with a photo of the work done), and
/// each change reaches the reporter as an SMS the emulator received.
#[tokio::test]
async fn a_report_with_a_photo_moves_to_resolved_and_the_reporter_is_told() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-story").await;
    let phone = unique_phone();
    let t = sign_in(&api, &phone).await;
    let reporter = t["access_token"].as_str().unwrap().to_owned();
    send(
        api.patch("/v1/me")
            .bearer_auth(&reporter)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    let c = file(&api, &m, &reporter, &report(36.74, 10.11)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let photo = upload(
        &api,
        &m,
        &id,
        &reporter,
        media::samples::jpeg_with_exif(90, 60, 1),
    )
    .await;
    let agent = staff(&m, None, &[Permission::Complaints]);
    let detail = format!("/v1/municipalities/{m}/complaints/{id}");
    let ready = |att: String| {
        let (api, detail, agent) = (&api, detail.clone(), agent.clone());
        async move {
            let d = send(api.get(&detail).bearer_auth(&agent)).await;
            d.body["attachments"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["id"] == att.as_str() && a["status"] == "ready")
        }
    };
    eventually("the citizen's photo checked", || ready(photo.clone())).await;

    let step = |body: Value| {
        api.post(&format!("{detail}/transitions"))
            .bearer_auth(&agent)
            .json(&body)
    };
    assert_eq!(
        send(step(json!({ "state": "in_progress" }))).await.status,
        200
    );
    let work = upload(
        &api,
        &m,
        &id,
        &agent,
        media::samples::jpeg_with_exif(90, 60, 1),
    )
    .await;
    // A photo not checked yet cannot go with a change.
    let early = send(step(json!({ "state": "resolved", "attachment": work }))).await;
    if early.status != 200 {
        early.assert_problem(422, "invalid_field");
        eventually("the staff photo checked", || ready(work.clone())).await;
        let done = send(step(json!({
            "state": "resolved", "note": "Lampe remplacée.", "attachment": work
        })))
        .await;
        assert_eq!(done.status, 200, "{}", done.body);
    }
    let d = send(api.get(&detail)).await;
    assert_eq!(d.body["state"], "resolved");
    let last = d.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["attachment"], work.as_str());
    assert_eq!(d.body["attachments"].as_array().unwrap().len(), 2);

    let reference = id[id.len() - 6..].to_owned();
    for words in ["en cours de traitement", "résolu"] {
        eventually(words, || {
            let (phone, reference) = (phone.clone(), reference.clone());
            async move {
                sms_to(&phone)
                    .await
                    .iter()
                    .any(|m| m.contains(&reference) && m.contains(words))
            }
        })
        .await;
    }
}

#[tokio::test]
async fn a_municipality_adds_and_switches_off_categories() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-cats").await;
    let agent = staff(&m, None, &[Permission::Complaints]);
    let put = |code: &str, body: Value| {
        api.put(&format!(
            "/v1/municipalities/{m}/complaint-categories/{code}"
        ))
        .bearer_auth(&agent)
        .json(&body)
    };
    let market = send(put(
        "market",
        json!({
            "name": { "ar": "السوق البلدي", "fr": "Marché municipal" },
            "subcategories": [{ "code": "hygiene", "name": { "ar": "النظافة", "fr": "Hygiène" } }]
        }),
    ))
    .await;
    assert_eq!(market.status, 200, "{}", market.body);
    assert_eq!(market.body["label"], "السوق البلدي");
    let off = send(put(
        "noise",
        json!({ "name": { "ar": "الضجيج", "fr": "Bruit" }, "active": false }),
    ))
    .await;
    assert_eq!(off.status, 200, "{}", off.body);

    let list = send(api.get(&format!("/v1/municipalities/{m}/complaint-categories"))).await;
    let codes: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"market") && !codes.contains(&"noise"),
        "{codes:?}"
    );
    assert!(codes.contains(&"lighting"), "national defaults stay");

    let body = |cat: &str, sub: Option<&str>| {
        json!({
            "category": cat, "subcategory": sub,
            "description": "Le marché n'est pas nettoyé le soir.", "address": "Souk"
        })
    };
    let ok = send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(citizen())
            .json(&body("market", Some("hygiene"))),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let refused = send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(citizen())
            .json(&body("noise", None)),
    )
    .await;
    refused.assert_problem(422, "invalid_field");
    assert_eq!(refused.body["errors"][0]["field"], "category");

    // Only staff handling complaints; names are checked.
    send(
        api.put(&format!("/v1/municipalities/{m}/complaint-categories/x-y"))
            .bearer_auth(citizen())
            .json(&json!({ "name": { "ar": "أ", "fr": "A" } })),
    )
    .await
    .assert_problem(403, "forbidden");
    send(put("fair", json!({ "name": { "ar": "", "fr": "Foire" } })))
        .await
        .assert_problem(422, "invalid_field");
    send(put("fair", json!({ "name": { "fr": "Foire" } })))
        .await
        .assert_problem(422, "invalid_body");
}

#[tokio::test]
async fn reports_are_filed_under_the_municipalitys_areas() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-area").await;
    let agent = staff(&m, None, &[Permission::Complaints]);
    let put = send(
        api.put(&format!("/v1/municipalities/{m}/areas/medina"))
            .bearer_auth(&agent)
            .json(&json!({ "name": { "ar": "المدينة العتيقة", "fr": "Médina" } })),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let list = send(
        api.get(&format!("/v1/municipalities/{m}/areas"))
            .header("accept-language", "fr"),
    )
    .await;
    assert_eq!(list.body["items"][0]["label"], "Médina");
    let mut body = report(36.79, 10.17);
    body["area"] = json!("medina");
    let c = file(&api, &m, &citizen(), &body).await;
    assert_eq!(c["area"], "medina");
    body["area"] = json!("atlantis");
    let bad = send(
        api.post(&format!("/v1/municipalities/{m}/complaints"))
            .bearer_auth(citizen())
            .json(&body),
    )
    .await;
    bad.assert_problem(422, "invalid_field");
    assert_eq!(bad.body["errors"][0]["field"], "area");
    send(
        api.put(&format!("/v1/municipalities/{m}/areas/souk"))
            .bearer_auth(citizen())
            .json(&json!({ "name": { "ar": "السوق", "fr": "Souk" } })),
    )
    .await
    .assert_problem(403, "forbidden");
}

/// Staff limited to other categories learn nothing of a complaint, not even its
/// state through a refused move; they cannot manage categories either.
#[tokio::test]
async fn staff_of_other_categories_learn_nothing() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-scope").await;
    let mut body = report(36.73, 10.10);
    body["public"] = json!(false);
    let c = file(&api, &m, &citizen(), &body).await;
    let id = c["id"].as_str().unwrap();
    let scoped = token_for(&baladiya::domain::Principal::Staff {
        user: baladiya::domain::Id::generate("usr"),
        staff_id: baladiya::domain::Id::generate("stf"),
        municipality: baladiya::domain::MunicipalityId::parse(&m).unwrap(),
        permissions: [Permission::Complaints].into_iter().collect(),
        complaint_categories: Some(["waste".to_owned()].into_iter().collect()),
    });
    for state in ["resolved", "withdrawn", "received"] {
        send(
            api.post(&format!(
                "/v1/municipalities/{m}/complaints/{id}/transitions"
            ))
            .bearer_auth(&scoped)
            .json(&json!({ "state": state })),
        )
        .await
        .assert_problem(404, "not_found");
    }
    send(
        api.put(&format!(
            "/v1/municipalities/{m}/complaint-categories/waste"
        ))
        .bearer_auth(&scoped)
        .json(&json!({ "name": { "ar": "الفضلات", "fr": "Déchets" }, "active": false })),
    )
    .await
    .assert_problem(403, "forbidden");
}
