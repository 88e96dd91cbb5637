//! Black-box tests of the municipalities function, over HTTP against the running
//! local stack, the way the mobile app and the back office call it.

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

async fn all_municipalities(api: &Api, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut url = format!("/v1/municipalities?limit=7{query}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let a = send(api.get(&url)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        out.extend(a.body["items"].as_array().unwrap().iter().cloned());
        match a.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
    panic!("paging never ended");
}

#[tokio::test]
async fn lists_the_seeded_municipalities_with_arabic_and_french_names() {
    let api = Api::from_env();
    let all = all_municipalities(&api, "").await;
    for id in ["tunis", "ariana", "sfax", "sousse", "bizerte", "ghazala"] {
        let m = all
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            m["name"]["ar"].as_str().is_some_and(|n| !n.is_empty()),
            "{id}: {m}"
        );
        assert!(
            m["name"]["fr"].as_str().is_some_and(|n| !n.is_empty()),
            "{id}: {m}"
        );
        assert_eq!(m["status"], "ACTIVATED");
        assert_eq!(m["services"]["complaints"], "ACTIVATED");
        assert_eq!(
            m["services"].as_object().unwrap().len(),
            12,
            "every service has a state"
        );
    }
    let ids: Vec<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let mut dedup = ids.clone();
    dedup.dedup();
    assert_eq!(ids, dedup, "pages neither repeat nor skip");
    let tunis = all.iter().find(|m| m["id"] == "tunis").unwrap();
    assert_eq!(tunis["name"]["ar"], "تونس");
    assert_eq!(tunis["governorate"]["code"], "TN-11");
}

#[tokio::test]
async fn filters_by_governorate() {
    let api = Api::from_env();
    let sfax = all_municipalities(&api, "&governorate=TN-61").await;
    assert!(sfax.iter().any(|m| m["id"] == "sfax"));
    assert!(sfax.iter().all(|m| m["governorate"]["code"] == "TN-61"));
    send(api.get("/v1/municipalities?governorate=TN-99"))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/municipalities?governorat=TN-61"))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/municipalities?limit=0"))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/municipalities?limit=many"))
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn a_forged_or_foreign_cursor_is_refused() {
    let api = Api::from_env();
    let a = send(api.get("/v1/municipalities?limit=2")).await;
    let cursor = a.body["next_cursor"].as_str().unwrap().to_owned();
    // A cursor of the unfiltered list does not page the Sfax list.
    send(api.get(&format!(
        "/v1/municipalities?limit=2&governorate=TN-61&cursor={cursor}"
    )))
    .await
    .assert_problem(400, "invalid_cursor");
    send(api.get("/v1/municipalities?cursor=eyJQSyI6Ik0jdHVuaXMifQ"))
        .await
        .assert_problem(400, "invalid_cursor");
}

#[tokio::test]
async fn one_municipality_and_the_governorates() {
    let api = Api::from_env();
    let a = send(api.get("/v1/municipalities/ghazala")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["name"]["ar"], "غزالة");
    send(api.get("/v1/municipalities/atlantis"))
        .await
        .assert_problem(404, "not_found");
    send(api.get("/v1/municipalities/NOT_A_SLUG"))
        .await
        .assert_problem(404, "not_found");
    let g = send(api.get("/v1/governorates")).await;
    assert_eq!(g.body["items"].as_array().unwrap().len(), 24);
    // Unknown paths and methods never reach a function: API Gateway (and locally
    // cargo lambda watch) answers them. The function's own 404/405 answers are
    // covered by the event fixtures (functions/municipalities/tests/handlers.rs).
}

#[tokio::test]
async fn staff_endpoints_need_a_valid_token() {
    let api = Api::from_env();
    send(api.get("/v1/municipalities/tunis/staff"))
        .await
        .assert_problem(401, "unauthenticated");
    send(api.post("/v1/municipalities").json(&json!({})))
        .await
        .assert_problem(401, "unauthenticated");
    send(
        api.get("/v1/municipalities/tunis/staff")
            .bearer_auth("not-a-jwt"),
    )
    .await
    .assert_problem(401, "invalid_token");
    send(
        api.get("/v1/municipalities/tunis/staff")
            .header("authorization", "Basic YWRtaW46YWRtaW4="),
    )
    .await
    .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_citizen_cannot_manage_staff_nor_municipalities() {
    let api = Api::from_env();
    let token = citizen();
    send(
        api.get("/v1/municipalities/tunis/staff")
            .bearer_auth(&token),
    )
    .await
    .assert_problem(403, "forbidden");
    let body = json!({"phone": unique_phone(), "name": "Intrus", "permissions": ["permissions"]});
    send(
        api.post("/v1/municipalities/tunis/staff")
            .bearer_auth(&token)
            .json(&body),
    )
    .await
    .assert_problem(403, "forbidden");
    let body =
        json!({"id": unique_slug("nope"), "governorate": "TN-11", "name": {"ar": "س", "fr": "x"}});
    send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .json(&body),
    )
    .await
    .assert_problem(403, "forbidden");
    send(
        api.patch("/v1/municipalities/tunis")
            .bearer_auth(&token)
            .json(&json!({"status": "DEACTIVATED"})),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn staff_of_one_municipality_cannot_touch_anothers() {
    let api = Api::from_env();
    let a = new_municipality(&api, "towna").await;
    let b = new_municipality(&api, "townb").await;
    // B's administrator adds a member to B.
    let b_admin = staff(&b, None, &[Permission::Permissions]);
    let member = send(
        api.post(&format!("/v1/municipalities/{b}/staff"))
            .bearer_auth(&b_admin)
            .json(&json!({"phone": unique_phone(), "name": "Membre B", "permissions": ["news"]})),
    )
    .await;
    assert_eq!(member.status, 201, "{}", member.body);
    let member_id = member.body["id"].as_str().unwrap();

    // A's administrator, with every permission, sees none of it.
    let a_admin = staff(&a, None, &Permission::ALL);
    let list = send(
        api.get(&format!("/v1/municipalities/{b}/staff"))
            .bearer_auth(&a_admin),
    )
    .await;
    list.assert_problem(404, "not_found");
    let one = format!("/v1/municipalities/{b}/staff/{member_id}");
    send(api.get(&one).bearer_auth(&a_admin))
        .await
        .assert_problem(404, "not_found");
    send(
        api.patch(&one)
            .bearer_auth(&a_admin)
            .json(&json!({"permissions": ["permissions"]})),
    )
    .await
    .assert_problem(404, "not_found");
    send(api.delete(&one).bearer_auth(&a_admin))
        .await
        .assert_problem(404, "not_found");
    let add =
        json!({"phone": unique_phone(), "name": "Cheval de Troie", "permissions": ["permissions"]});
    send(
        api.post(&format!("/v1/municipalities/{b}/staff"))
            .bearer_auth(&a_admin)
            .json(&add),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.patch(&format!("/v1/municipalities/{b}"))
            .bearer_auth(&a_admin)
            .json(&json!({"contact": {"email": "x@y.tn"}})),
    )
    .await
    .assert_problem(404, "not_found");
    // Untouched.
    let still = send(api.get(&one).bearer_auth(&b_admin)).await;
    assert_eq!(still.status, 200);
    assert_eq!(still.body["permissions"], json!(["news"]));
}

#[tokio::test]
async fn a_municipal_administrator_manages_staff_from_invitation_to_removal() {
    let api = Api::from_env();
    let m = new_municipality(&api, "staffville").await;
    let boss = staff(&m, None, &[Permission::Permissions]);
    let phone = unique_phone();
    let local = format!("{} {} {}", &phone[4..6], &phone[6..9], &phone[9..]); // "2x xxx xxx"
    let created = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&json!({
                "phone": local,
                "name": "  Leila Ben Salah ",
                "title": "Cheffe du service voirie",
                "permissions": ["complaints", "news"],
                "complaint_categories": ["roads", "lighting"]
            })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["phone"], phone, "stored in E.164");
    assert_eq!(created.body["name"], "Leila Ben Salah");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.headers["location"].to_str().unwrap(),
        format!("/v1/municipalities/{m}/staff/{id}")
    );

    // The same number twice is a conflict, however it is written.
    let again = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&json!({"phone": format!("00{}", &phone[1..]), "name": "Double", "permissions": []})),
    )
    .await;
    again.assert_problem(409, "already_exists");

    let list = send(
        api.get(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    let url = format!("/v1/municipalities/{m}/staff/{id}");
    let patched = send(
        api.patch(&url)
            .bearer_auth(&boss)
            .header("content-type", "application/merge-patch+json")
            .body(
                json!({"permissions": ["complaints"], "title": null, "complaint_categories": null})
                    .to_string(),
            ),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["permissions"], json!(["complaints"]));
    assert!(patched.body.get("title").is_none());
    assert_eq!(patched.body["complaint_categories"], Value::Null);

    // Moving to a new number frees the old one.
    let new_phone = unique_phone();
    let moved = send(
        api.patch(&url)
            .bearer_auth(&boss)
            .json(&json!({"phone": new_phone})),
    )
    .await;
    assert_eq!(moved.body["phone"], new_phone);
    let reuse = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&json!({"phone": phone, "name": "Successeur", "permissions": []})),
    )
    .await;
    assert_eq!(reuse.status, 201, "{}", reuse.body);

    // The member reads their own record but cannot change it.
    let me = staff(&m, Some(&id), &[Permission::Permissions]);
    assert_eq!(send(api.get(&url).bearer_auth(&me)).await.status, 200);
    let selfie = send(
        api.patch(&url)
            .bearer_auth(&me)
            .json(&json!({"permissions": ["permissions"]})),
    )
    .await;
    selfie.assert_problem(403, "forbidden");
    // Without the permission, a colleague cannot either.
    let colleague = staff(&m, None, &[Permission::News]);
    send(api.delete(&url).bearer_auth(&colleague))
        .await
        .assert_problem(403, "forbidden");

    let removed = send(api.delete(&url).bearer_auth(&boss)).await;
    assert_eq!(removed.status, 204);
    send(api.get(&url).bearer_auth(&boss))
        .await
        .assert_problem(404, "not_found");
    send(api.delete(&url).bearer_auth(&boss))
        .await
        .assert_problem(404, "not_found");
}

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
async fn bad_input_gets_a_4xx_problem_never_a_5xx() {
    let api = Api::from_env();
    let token = admin();
    let post = |body: String| {
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
    };
    send(post("{\"id\": ".into()))
        .await
        .assert_problem(400, "malformed_json");
    send(post("".into()))
        .await
        .assert_problem(400, "malformed_json");
    send(post("[]".into()))
        .await
        .assert_problem(422, "invalid_body");
    send(post(
        json!({"id": 42, "governorate": "TN-11", "name": {"ar": "a", "fr": "b"}}).to_string(),
    ))
    .await
    .assert_problem(422, "invalid_body");
    let unknown = send(post(
        json!({"id": unique_slug("u"), "governorate": "TN-11", "name": {"ar": "a", "fr": "b"}, "is_admin": true}).to_string(),
    ))
    .await;
    unknown.assert_problem(422, "invalid_body");
    assert!(
        unknown.body["detail"]
            .as_str()
            .unwrap()
            .contains("is_admin")
    );
    let bad_slug = send(post(
        json!({"id": "Tunis City", "governorate": "TN-11", "name": {"ar": "a", "fr": "b"}})
            .to_string(),
    ))
    .await;
    bad_slug.assert_problem(422, "invalid_field");
    assert_eq!(bad_slug.body["errors"][0]["field"], "municipality");
    let bad_gov = send(post(
        json!({"id": unique_slug("g"), "governorate": "TN-00", "name": {"ar": "a", "fr": "b"}})
            .to_string(),
    ))
    .await;
    assert_eq!(bad_gov.body["errors"][0]["field"], "governorate");
    let outside = send(post(
        json!({"id": unique_slug("o"), "governorate": "TN-11", "name": {"ar": "a", "fr": "b"}, "center": {"lat": 48.85, "lon": 2.35}})
            .to_string(),
    ))
    .await;
    outside.assert_problem(422, "invalid_field");
    assert_eq!(outside.body["errors"][0]["reason"], "outside_area");
    let no_fr = send(post(
        json!({"id": unique_slug("n"), "governorate": "TN-11", "name": {"ar": "a"}}).to_string(),
    ))
    .await;
    assert_eq!(no_fr.body["errors"][0]["reason"], "ar_and_fr_required");

    let huge = json!({"id": unique_slug("h"), "governorate": "TN-11", "name": {"ar": "a".repeat(70_000), "fr": "b"}});
    send(post(huge.to_string()))
        .await
        .assert_problem(413, "payload_too_large");
    send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await
    .assert_problem(415, "unsupported_media_type");

    let m = new_municipality(&api, "inputs").await;
    let boss = staff(&m, None, &[Permission::Permissions]);
    let add = |body: Value| {
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&body)
    };
    let bad_phone = send(add(json!({"phone": "123", "name": "X", "permissions": []}))).await;
    bad_phone.assert_problem(422, "invalid_field");
    assert_eq!(bad_phone.body["errors"][0]["field"], "phone");
    let landline = send(add(
        json!({"phone": "71 123 456", "name": "X", "permissions": []}),
    ))
    .await;
    assert_eq!(landline.body["errors"][0]["reason"], "not_mobile");
    send(add(
        json!({"phone": unique_phone(), "name": "X", "permissions": ["fly"]}),
    ))
    .await
    .assert_problem(422, "invalid_body");
    send(add(
        json!({"phone": unique_phone(), "name": "   ", "permissions": []}),
    ))
    .await
    .assert_problem(422, "invalid_field");
    send(
        api.get(&format!("/v1/municipalities/{m}/staff/not-an-id"))
            .bearer_auth(&boss),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.post("/v1/municipalities/atlantis/staff")
            .bearer_auth(admin())
            .json(&json!({"phone": unique_phone(), "name": "X", "permissions": []})),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let api = Api::from_env();
    let fr = send(
        api.get("/v1/municipalities/atlantis")
            .header("accept-language", "fr-TN,fr;q=0.9"),
    )
    .await;
    assert_eq!(fr.body["title"], "La ressource demandée n'existe pas.");
    assert_eq!(fr.headers["content-language"], "fr");
    let en = send(
        api.get("/v1/municipalities/atlantis")
            .header("accept-language", "en"),
    )
    .await;
    assert_eq!(en.body["title"], "The requested resource does not exist.");
    let ar = send(api.get("/v1/municipalities/atlantis")).await;
    assert_eq!(ar.body["title"], "العنصر المطلوب غير موجود.");
    assert_eq!(ar.headers["content-language"], "ar");
    assert_eq!(
        ar.body["code"], fr.body["code"],
        "the machine code does not depend on the language"
    );
}

#[tokio::test]
async fn a_deactivated_municipality_is_hidden_from_the_public_not_from_the_operator() {
    let api = Api::from_env();
    let m = new_municipality(&api, "closing").await;
    let url = format!("/v1/municipalities/{m}");
    let off = send(
        api.patch(&url)
            .bearer_auth(admin())
            .json(&json!({"status": "DEACTIVATED"})),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    send(api.get(&url)).await.assert_problem(404, "not_found");
    send(api.get(&url).bearer_auth(citizen()))
        .await
        .assert_problem(404, "not_found");
    let seen = send(api.get(&url).bearer_auth(admin())).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["status"], "DEACTIVATED");
    assert_eq!(seen.headers["cache-control"], "no-store");
    let public = all_municipalities(&api, "&governorate=TN-11").await;
    assert!(public.iter().all(|x| x["id"] != m.as_str()));
    assert!(public.iter().all(|x| x["status"] != "DEACTIVATED"));
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
    assert_eq!(etag, "\"1\"");
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
    assert_eq!(seen.headers["etag"], "\"1\"");
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
