//! Bad input: 4xx problems in the caller's language.

use super::*;

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
