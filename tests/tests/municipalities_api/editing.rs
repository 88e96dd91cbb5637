//! Creating and editing municipalities: idempotency, strict bodies, If-Match.

use super::*;

#[tokio::test]
async fn creating_a_municipality_is_idempotent_with_a_key() {
    let api = Api::from_env();
    let token = admin();
    let id = unique_slug("retry");
    let body = json!({
        "id": id, "governorate": "TN-12",
        "name": {"ar": "بلدية", "fr": "Commune", "en": "Town"},
        "center": {"lat": 36.86, "lon": 10.19},
        "contact": {"phone": "71 000 000", "website": "https://example.tn"}
    });
    let key = format!("key-{}", unique_slug("k"));
    let first = send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .json(&body),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        first.body["status"], "IN_PROGRESS",
        "new municipalities start being set up"
    );
    assert_eq!(first.body["contact"]["phone"], "+21671000000");
    let second = send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .json(&body),
    )
    .await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body, "the retry gets the first answer");
    assert_eq!(second.headers["idempotent-replayed"], "true");

    let mut other = body.clone();
    other["name"]["fr"] = json!("Autre");
    send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .json(&other),
    )
    .await
    .assert_problem(422, "idempotency_key_reused");
    // Without a key, the same id again is a conflict.
    send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .json(&body),
    )
    .await
    .assert_problem(409, "already_exists");
    send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("idempotency-key", "bad key!")
            .json(&body),
    )
    .await
    .assert_problem(400, "invalid_idempotency_key");
}

#[tokio::test]
async fn platform_and_municipal_administrators_edit_different_fields() {
    let api = Api::from_env();
    let m = new_municipality(&api, "editable").await;
    let url = format!("/v1/municipalities/{m}");
    let local_admin = staff(&m, None, &[Permission::Permissions]);
    let ok = send(
        api.patch(&url)
            .bearer_auth(&local_admin)
            .json(&json!({"contact": {"email": "contact@commune.tn", "address": {"fr": "Place de la Kasbah"}}})),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["contact"]["email"], "contact@commune.tn");
    send(
        api.patch(&url)
            .bearer_auth(&local_admin)
            .json(&json!({"services": {"permits": "ACTIVATED"}})),
    )
    .await
    .assert_problem(403, "forbidden");
    let platform = send(
        api.patch(&url)
            .bearer_auth(admin())
            .json(&json!({"services": {"permits": "ACTIVATED", "news": "IN_PROGRESS"}, "contact": {"email": null}})),
    )
    .await;
    assert_eq!(platform.status, 200, "{}", platform.body);
    assert_eq!(platform.body["services"]["permits"], "ACTIVATED");
    assert_eq!(
        platform.body["services"]["complaints"], "ACTIVATED",
        "untouched services keep their state"
    );
    assert!(platform.body["contact"].get("email").is_none());
    assert_eq!(
        platform.body["contact"]["address"]["fr"],
        "Place de la Kasbah"
    );
    let public = send(api.get(&url)).await;
    assert_eq!(public.body["services"]["news"], "IN_PROGRESS");
    send(
        api.patch("/v1/municipalities/atlantis")
            .bearer_auth(admin())
            .json(&json!({"status": "ACTIVATED"})),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn patches_and_bodies_are_strict() {
    let api = Api::from_env();
    let m = new_municipality(&api, "strict").await;
    let url = format!("/v1/municipalities/{m}");
    // Removing a required field is refused, not silently ignored.
    let a = send(
        api.patch(&url)
            .bearer_auth(admin())
            .json(&json!({"name": null})),
    )
    .await;
    a.assert_problem(422, "invalid_body");
    // An array is not an object, even if its items line up with the fields.
    let a = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!([unique_slug("arr"), "TN-11", {"ar": "أ", "fr": "a"}])),
    )
    .await;
    a.assert_problem(422, "invalid_body");
    send(api.get(&format!("{url}?x=1")))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/governorates?lang=fr"))
        .await
        .assert_problem(400, "invalid_query");
    let a = send(api.get(&format!("{url}/staff"))).await;
    a.assert_problem(401, "unauthenticated");
    assert_eq!(a.headers["www-authenticate"], "Bearer realm=\"baladiya\"");
}

#[tokio::test]
async fn a_retry_that_re_encodes_the_same_json_is_recognised() {
    let api = Api::from_env();
    let token = admin();
    let id = unique_slug("reenc");
    let key = format!("key-{}", unique_slug("k"));
    let first =
        format!(r#"{{"id":"{id}","governorate":"TN-51","name":{{"ar":"سوسة","fr":"Sousse"}}}}"#);
    let second = format!(
        r#"{{ "name": {{ "fr": "Sousse", "ar": "سوسة" }}, "governorate": "TN-51", "id": "{id}" }}"#
    );
    let post = |body: String| {
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .header("content-type", "application/json")
            .body(body)
    };
    let a = send(post(first)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let b = send(post(second)).await;
    assert_eq!(b.status, 201, "{}", b.body);
    assert_eq!(b.headers["idempotent-replayed"], "true");
    assert_eq!(a.body, b.body);
}

#[tokio::test]
async fn if_match_stops_a_lost_update() {
    let api = Api::from_env();
    let m = new_municipality(&api, "etag").await;
    let url = format!("/v1/municipalities/{m}");
    let read = send(api.get(&url)).await;
    let etag = read.headers["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with("\"1."),
        "the version, then the digest: {etag}"
    );
    // Someone else changes it first.
    let other = send(
        api.patch(&url)
            .bearer_auth(admin())
            .json(&json!({"contact": {"email": "a@commune.tn"}})),
    )
    .await;
    assert_eq!(other.headers["etag"], "\"2\"");
    // Our change, based on what we read, is refused rather than silently merged.
    let stale = send(
        api.patch(&url)
            .bearer_auth(admin())
            .header("if-match", &etag)
            .json(&json!({"contact": {"email": "b@commune.tn"}})),
    )
    .await;
    stale.assert_problem(412, "precondition_failed");
    let fresh = send(
        api.patch(&url)
            .bearer_auth(admin())
            .header("if-match", "\"2\"")
            .json(&json!({"contact": {"email": "b@commune.tn"}})),
    )
    .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(fresh.body["contact"]["email"], "b@commune.tn");

    // The same for a staff member, including removal.
    let boss = staff(&m, None, &[Permission::Permissions]);
    let added = send(
        api.post(&format!("{url}/staff"))
            .bearer_auth(&boss)
            .json(&json!({"phone": unique_phone(), "name": "Sami", "permissions": ["news"]})),
    )
    .await;
    let one = format!("{url}/staff/{}", added.body["id"].as_str().unwrap());
    let seen = send(api.get(&one).bearer_auth(&boss)).await;
    assert!(seen.headers["etag"].to_str().unwrap().starts_with("\"1."));
    send(
        api.delete(&one)
            .bearer_auth(&boss)
            .header("if-match", "\"7\""),
    )
    .await
    .assert_problem(412, "precondition_failed");
    send(
        api.delete(&one)
            .bearer_auth(&boss)
            .header("if-match", "not-a-tag"),
    )
    .await
    .assert_problem(412, "precondition_failed");
    let gone = send(
        api.delete(&one)
            .bearer_auth(&boss)
            .header("if-match", "W/\"1\""),
    )
    .await;
    assert_eq!(gone.status, 204);
}
