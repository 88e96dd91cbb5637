//! Discovery, services and their definitions; empty fields in both formats.

use super::*;

#[tokio::test]
async fn discovery_services_and_definitions_in_both_formats() {
    let api = Api::from_env();
    let m = new_municipality(&api, "o311-svc").await;
    let base = format!("/open311/v2/{m}");

    let (d, dj) = both(&api, &format!("{base}/discovery"), &[], 200, "discovery").await;
    fields(&d, &dj, DISCOVERY);
    assert!(!d.text_of("contact").is_empty());
    assert!(!d.text_of("key_service").is_empty());
    assert!(datetime(d.text_of("changeset")) <= time::OffsetDateTime::now_utc());
    let endpoint = &d.child("endpoints").children[0];
    fields(endpoint, &dj["endpoints"][0], ENDPOINT);
    assert_eq!(
        endpoint.text_of("specification"),
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(endpoint.text_of("url").ends_with(&base));
    // The local stack (loopback, no proxy) is a test endpoint; behind API Gateway
    // it is production (unit-tested with `scheme_without_proxy`).
    assert_eq!(endpoint.text_of("type"), "test");
    assert!(endpoint.text_of("url").starts_with("http://"));
    let formats: Vec<&str> = endpoint
        .child("formats")
        .children
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(formats, ["text/xml", "application/json"]);

    // The services: the active categories, realtime; `metadata` says whether
    // there are attributes (sub-categories here; no areas yet).
    let (s, sj) = both(&api, &format!("{base}/services"), &[], 200, "services").await;
    assert!(!s.children.is_empty());
    for (i, svc) in s.children.iter().enumerate() {
        fields(svc, &sj[i], SERVICE);
        assert!(!svc.text_of("service_code").is_empty());
        assert!(!svc.text_of("service_name").is_empty());
        assert!(["true", "false"].contains(&svc.text_of("metadata")));
        assert_eq!(svc.text_of("type"), "realtime");
    }
    let find = |code: &str| {
        s.children
            .iter()
            .find(|x| x.text_of("service_code") == code)
            .unwrap_or_else(|| panic!("service {code}"))
            .clone()
    };
    assert_eq!(find("lighting").text_of("metadata"), "true");
    assert_eq!(find("other").text_of("metadata"), "false");
    // In the caller's language (Accept-Language), Arabic by default.
    assert_eq!(find("lighting").text_of("service_name"), "الإنارة العمومية");
    let fr = api
        .http
        .get(format!("{}{base}/services.xml", api.base))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    let fr = parse_xml(&fr.text().await.unwrap());
    assert!(
        fr.children
            .iter()
            .any(|x| x.text_of("service_name") == "Éclairage public")
    );

    // A definition: the sub-categories as a single-value list.
    let (def, defj) = both(
        &api,
        &format!("{base}/services/lighting"),
        &[],
        200,
        "service_definition",
    )
    .await;
    fields(&def, &defj, SERVICE_DEFINITION);
    assert_eq!(def.text_of("service_code"), "lighting");
    let attributes = &def.child("attributes").children;
    assert_eq!(attributes.len(), 1);
    let mut orders = Vec::new();
    for (i, a) in attributes.iter().enumerate() {
        fields(a, &defj["attributes"][i], ATTRIBUTE);
        assert!(["true", "false"].contains(&a.text_of("variable")));
        assert!(["true", "false"].contains(&a.text_of("required")));
        assert!(DATATYPES.contains(&a.text_of("datatype")));
        let order: u32 = a.text_of("order").parse().expect("an integer order");
        assert!(order >= 1);
        orders.push(order);
        for (j, v) in a.child("values").children.iter().enumerate() {
            fields(v, &defj["attributes"][i]["values"][j], VALUE);
        }
    }
    orders.dedup();
    assert_eq!(orders.len(), attributes.len(), "orders are unique");
    let sub = &attributes[0];
    assert_eq!(sub.text_of("code"), "subcategory");
    assert_eq!(sub.text_of("datatype"), "singlevaluelist");
    assert!(
        sub.child("values")
            .children
            .iter()
            .any(|v| v.text_of("key") == "lamp-out")
    );
    // JSON: the booleans and the order are typed.
    assert_eq!(defj["attributes"][0]["variable"], true);
    assert!(defj["attributes"][0]["order"].is_u64());

    // An area makes every service carry the `area` attribute.
    let staff_token = complaints_staff(&m);
    let put = send(
        api.put(&format!("/v1/municipalities/{m}/areas/medina"))
            .bearer_auth(&staff_token)
            .json(&json!({"name": {"ar": "المدينة العتيقة", "fr": "Médina"}})),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let (s, _) = both(&api, &format!("{base}/services"), &[], 200, "services").await;
    assert!(s.children.iter().all(|x| x.text_of("metadata") == "true"));
    let (def, _) = both(
        &api,
        &format!("{base}/services/other"),
        &[],
        200,
        "service_definition",
    )
    .await;
    let area = &def.child("attributes").children[0];
    assert_eq!(area.text_of("code"), "area");
    assert_eq!(area.child("values").children[0].text_of("key"), "medina");

    // A category switched off is no service any more.
    let off = send(
        api.put(&format!(
            "/v1/municipalities/{m}/complaint-categories/other"
        ))
        .bearer_auth(&staff_token)
        .json(&json!({"name": {"ar": "أخرى", "fr": "Autre"}, "active": false})),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let (s, _) = both(&api, &format!("{base}/services"), &[], 200, "services").await;
    assert!(
        s.children
            .iter()
            .all(|x| x.text_of("service_code") != "other")
    );
    for f in ["xml", "json"] {
        error(&api, api.get(&format!("{base}/services/other.{f}")), 404).await;
        error(
            &api,
            api.get(&format!("{base}/services/no-such-thing.{f}")),
            404,
        )
        .await;
    }
}

#[tokio::test]
async fn what_a_request_lacks_is_empty_in_both_formats() {
    let api = Api::from_env();
    let (m, _, api_key) = municipality_with_key(&api, "o311-null").await;
    let base = format!("/open311/v2/{m}");
    // No description: the specification makes it optional.
    let res = post_form(
        &api,
        &format!("{base}/requests.json"),
        &[
            ("api_key", api_key.as_str()),
            ("service_code", "waste"),
            ("address_string", "Place de la Kasbah"),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let posted: Value = res.json().await.unwrap();
    let id = posted[0]["service_request_id"].as_str().unwrap().to_owned();
    let (xml, json) = both(
        &api,
        &format!("{base}/requests/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    fields(&xml.children[0], &json[0], REQUEST);
    for absent in ["description", "lat", "long", "media_url", "status_notes"] {
        assert!(json[0][absent].is_null(), "{absent}: {}", json[0][absent]);
        assert_eq!(xml.children[0].text_of(absent), "", "{absent}");
    }
    assert_eq!(json[0]["address"], "Place de la Kasbah");
}
