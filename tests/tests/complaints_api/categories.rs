//! Categories and areas: what a report is filed under.

use super::*;

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
