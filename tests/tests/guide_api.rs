//! Black-box tests of the services guide over HTTP, against the running local
//! stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

/// A municipality with the guide and the e-ticket service on.
async fn municipality(api: &Api, prefix: &str) -> String {
    municipality_with(
        api,
        prefix,
        json!({"services_guide": "ACTIVATED", "e_ticket": "ACTIVATED"}),
    )
    .await
}

fn editor(m: &str) -> String {
    staff(m, None, &[Permission::Procedures])
}

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(api: &Api, m: &str, q: &str) -> Vec<String> {
    let a = send(
        api.get(&format!("/v1/municipalities/{m}/procedures"))
            .query(&[("q", q), ("limit", "100")]),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    codes(&a.body)
}

/// What staff of a municipality publish: a certificate of its own.
fn market_certificate() -> Value {
    json!({
        "code": "market-stall-certificate",
        "category": "administrative",
        "title": {"ar": "شهادة في إشغال محل بالسوق البلدية", "fr": "Certificat d'occupation d'un local au marché municipal"},
        "summary": {"fr": "Pour les commerçants du marché central."},
        "conditions": [{"fr": "Être titulaire d'un contrat de location du local."}],
        "documents": [{"name": {"ar": "عقد الكراء", "fr": "Contrat de location"}, "form": "copy", "count": 1}],
        "fees": [{"label": {"fr": "Timbre municipal"}, "amount_millimes": 2500, "exemptions": [{"fr": "Les personnes en situation de handicap"}]}],
        "delay": {"duration": "P2D", "basis": "target"},
        "channels": ["counter", "eticket"],
        "filing": {"office": "central"},
        "legal_basis": [{"title": {"fr": "Arrêté municipal du 3 mars 2025"}, "url": "https://example.tn/arrete.pdf"}],
        "keywords": ["souk"]
    })
}

fn office_body() -> Value {
    let two = json!([{"open": "08:00", "close": "12:30"}, {"open": "14:00", "close": "17:30"}]);
    let one = json!([{"open": "07:30", "close": "13:30"}]);
    let week = |d: &Value| json!({"mon": d, "tue": d, "wed": d, "thu": d, "fri": d});
    json!({
        "name": {"ar": "المكتب المركزي", "fr": "Bureau central"},
        "address": {"fr": "Place de la Mairie"},
        "location": {"lat": 36.8, "lon": 10.18},
        "phone": "+216 71 000 001",
        "categories": ["administrative"],
        "hours": {
            "regular": week(&two),
            "summer": {"from": "07-01", "to": "08-31", "hours": week(&one)},
            "ramadan": week(&json!([{"open": "08:00", "close": "14:30"}])),
            "exceptions": [{"date": "2027-01-02", "reason": {"fr": "Inventaire"}}]
        }
    })
}

/// `scripts/dev` and `scripts/test` seed Tunis: its guide lists the national
/// catalogue, cacheable, in Arabic and French.
#[tokio::test]
async fn tunis_lists_the_national_procedures_in_arabic_and_french() {
    let api = Api::from_env();
    let a = send(api.get("/v1/municipalities/tunis/procedures?limit=100")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let items = a.body["items"].as_array().unwrap();
    assert!(items.len() >= 30, "{}", items.len());
    for i in items {
        assert!(!i["title"]["ar"].as_str().unwrap().is_empty(), "{i}");
        assert!(!i["title"]["fr"].as_str().unwrap().is_empty(), "{i}");
    }
    let cache = a.headers["cache-control"].to_str().unwrap();
    assert!(cache.starts_with("public"), "{cache}");
    let etag = a.headers["etag"].to_str().unwrap().to_owned();
    let again = send(
        api.get("/v1/municipalities/tunis/procedures?limit=100")
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(again.status, 304);

    // Paged with a cursor: two pages of 20 make the same list as one of 40.
    let first = send(api.get("/v1/municipalities/tunis/procedures?limit=20")).await;
    assert_eq!(first.body["has_more"], true);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = send(
        api.get("/v1/municipalities/tunis/procedures")
            .query(&[("limit", "20"), ("cursor", cursor)]),
    )
    .await;
    let mut both = codes(&first.body);
    both.extend(codes(&second.body));
    let all: Vec<String> = codes(&a.body).into_iter().take(40).collect();
    assert_eq!(both, all);

    // The demo's civil-status certificates are served by the Bab Bhar queue.
    let p = send(
        api.get("/v1/municipalities/tunis/procedures/birth-certificate")
            .header("accept-language", "fr"),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["label"], "Extrait d'acte de naissance");
    assert_eq!(
        p.body["actions"]["take_ticket"]["path"],
        "/v1/municipalities/tunis/agencies/bab-bhar/services/civil-status/tickets"
    );
    let offices = p.body["offices"].as_array().unwrap();
    assert!(
        offices.iter().any(|o| o["code"] == "civil-status-bab-bhar"),
        "{offices:?}"
    );
    assert!(offices.iter().all(|o| o["status"]["open_now"].is_boolean()));
    let building = send(api.get("/v1/municipalities/tunis/procedures/building-permit")).await;
    assert_eq!(
        building.body["actions"]["start_dossier"]["permit_type"],
        "building"
    );
}

#[tokio::test]
async fn staff_publish_a_procedure_and_citizens_find_it_in_arabic_and_french() {
    let api = Api::from_env();
    let m = municipality(&api, "guide").await;
    let base = format!("/v1/municipalities/{m}");

    // The office it names must exist first.
    let early = send(
        api.put(&format!("{base}/procedures/market-stall-certificate"))
            .bearer_auth(editor(&m))
            .json(&market_certificate()),
    )
    .await;
    assert_eq!(
        (early.status, early.body["errors"][0]["field"].as_str()),
        (422, Some("office")),
        "{}",
        early.body
    );
    let o = send(
        api.put(&format!("{base}/offices/central"))
            .bearer_auth(editor(&m))
            .json(&office_body()),
    )
    .await;
    assert_eq!(o.status, 200, "{}", o.body);
    assert!(o.body["status"]["open_now"].is_boolean());

    let p = send(
        api.put(&format!("{base}/procedures/market-stall-certificate"))
            .bearer_auth(editor(&m))
            .json(&market_certificate()),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["source"], "own");
    assert_eq!(p.body["offices"][0]["code"], "central");

    // A citizen finds it by a word in Arabic, however spelled, and in French.
    for q in [
        "شهادة",
        "الشهاده",
        "شهادة السوق",
        "certificat",
        "marche",
        "MARCHÉ municipal",
        "souk",
    ] {
        let found = search(&api, &m, q).await;
        assert!(
            found.contains(&"market-stall-certificate".to_owned()),
            "{q}: {found:?}"
        );
    }
    assert!(
        search(&api, &m, "سوق")
            .await
            .contains(&"market-stall-certificate".to_owned())
    );
    assert!(search(&api, &m, "piscine olympique").await.is_empty());

    let page = send(
        api.get(&format!("{base}/procedures/market-stall-certificate"))
            .header("accept-language", "fr"),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body["fees"][0]["amount_millimes"], 2500);
    assert_eq!(page.body["delay"]["duration"], "P2D");
    assert!(
        page.body.get("hidden").is_none(),
        "the public is not told what is hidden"
    );

    // The CPSV-AP export maps it.
    let ld = api
        .get(&format!("{base}/guide.jsonld"))
        .send()
        .await
        .unwrap();
    assert_eq!(ld.headers()["content-type"], "application/ld+json");
    let doc: Value = ld.json().await.unwrap();
    assert_eq!(doc["@context"]["cpsv"], "http://purl.org/vocab/cpsv#");
    let graph = doc["@graph"].as_array().unwrap();
    assert!(graph.len() >= 31, "{}", graph.len());
    let s = graph
        .iter()
        .find(|s| s["dct:identifier"] == "market-stall-certificate")
        .expect("the procedure is exported");
    assert_eq!(s["@type"], "cpsv:PublicService");
    assert_eq!(s["cv:processingTime"]["@value"], "P2D");
    assert_eq!(s["cv:hasCost"][0]["cv:value"]["@value"], "2.500");
    assert_eq!(s["cv:hasContactPoint"][0]["@type"], "cv:ContactPoint");
    assert!(
        s["cv:hasContactPoint"][0]["cv:openingHours"]
            .as_array()
            .unwrap()
            .len()
            >= 10
    );
    assert_eq!(s["cpsv:hasInput"][0]["@type"], "cv:Evidence");
    assert_eq!(s["cv:hasCriterion"][0]["@type"], "cv:CriterionRequirement");

    // An independent JSON-LD processor reads it as CPSV-AP: the compact names
    // expand to the vocabularies' IRIs.
    let expanded = expand_jsonld(&doc);
    let service = expanded
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["http://purl.org/dc/terms/identifier"][0]["@value"] == "market-stall-certificate"
        })
        .expect("the expanded graph holds the procedure");
    assert_eq!(
        service["@type"][0],
        "http://purl.org/vocab/cpsv#PublicService"
    );
    assert_eq!(
        service["http://data.europa.eu/m8g/processingTime"][0]["@type"],
        "http://www.w3.org/2001/XMLSchema#duration"
    );
    assert_eq!(
        service["http://data.europa.eu/m8g/hasCost"][0]["@type"][0],
        "http://data.europa.eu/m8g/Cost"
    );
    let titles = service["http://purl.org/dc/terms/title"]
        .as_array()
        .unwrap();
    assert!(titles.iter().any(|t| t["@language"] == "ar"));
}

/// The project's PyLD (scripts/requirements.txt) expands `doc`.
fn expand_jsonld(doc: &Value) -> Value {
    use std::io::Write;
    let mut child = std::process::Command::new(root().join(".venv/bin/python"))
        .arg(root().join("tests/tools/expand_jsonld.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the project's Python (scripts/test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(doc.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "PyLD refused the export");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn a_municipality_overrides_hides_and_links_national_procedures() {
    let api = Api::from_env();
    let m = municipality(&api, "guide").await;
    let base = format!("/v1/municipalities/{m}");
    let ed = editor(&m);

    // Its version of signature legalisation replaces the catalogue's, in place.
    let mine = json!({
        "code": "signature-legalisation",
        "category": "administrative",
        "title": {"ar": "التعريف بالإمضاء (الشباك الموحد)", "fr": "Légalisation de signature (guichet unique)"},
        "fees": [{"label": {"fr": "Timbre"}, "amount_millimes": 1000}],
        "channels": ["counter"]
    });
    let p = send(
        api.put(&format!("{base}/procedures/signature-legalisation"))
            .bearer_auth(&ed)
            .json(&mine),
    )
    .await;
    assert_eq!(
        (p.status, p.body["source"].as_str()),
        (200, Some("override")),
        "{}",
        p.body
    );
    let list = send(api.get(&format!("{base}/procedures?category=administrative"))).await;
    let item = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "signature-legalisation")
        .cloned()
        .unwrap();
    assert_eq!(
        item["title"]["fr"],
        "Légalisation de signature (guichet unique)"
    );
    assert!(
        search(&api, &m, "guichet")
            .await
            .contains(&"signature-legalisation".to_owned())
    );

    // Dropping it shows the national text again.
    let d = send(
        api.delete(&format!("{base}/procedures/signature-legalisation"))
            .bearer_auth(&ed),
    )
    .await;
    assert_eq!(d.status, 204);
    let back = send(api.get(&format!("{base}/procedures/signature-legalisation"))).await;
    assert_eq!(
        (
            back.body["source"].as_str(),
            back.body["title"]["fr"].as_str()
        ),
        (Some("national"), Some("Légalisation de signature"))
    );
    let again = send(
        api.delete(&format!("{base}/procedures/signature-legalisation"))
            .bearer_auth(&ed),
    )
    .await;
    assert_eq!(again.status, 404);

    // Hidden: gone for the public, marked for staff.
    let h = send(
        api.put(&format!("{base}/procedures/birth-certificate/settings"))
            .bearer_auth(&ed)
            .json(&json!({"hidden": true})),
    )
    .await;
    assert_eq!(
        (h.status, h.body["hidden"].as_bool()),
        (200, Some(true)),
        "{}",
        h.body
    );
    assert_eq!(
        send(api.get(&format!("{base}/procedures/birth-certificate")))
            .await
            .status,
        404
    );
    assert!(
        !search(&api, &m, "naissance")
            .await
            .contains(&"birth-certificate".to_owned())
    );
    let staff_list = send(
        api.get(&format!("{base}/procedures?category=civil_status"))
            .bearer_auth(&ed),
    )
    .await;
    assert!(
        staff_list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "birth-certificate" && i["hidden"] == true)
    );
    assert!(
        !staff_list.headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );

    // Linked to one of its e-ticket services: "take a ticket for this".
    let day = json!([{"open": "00:00", "close": "23:59"}]);
    let ag = send(
        api.put(&format!("{base}/agencies/main"))
            .bearer_auth(staff(&m, None, &[Permission::ETicket]))
            .json(&json!({
                "name": {"ar": "القباضة", "fr": "Recette"},
                "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day},
                "services": [{"code": "tax", "name": {"ar": "الاستخلاص", "fr": "Recette"}, "prefix": "B", "daily_max": 50}],
                "counters": [{"code": "g1", "label": "1", "services": ["tax"]}]
            })),
    )
    .await;
    assert_eq!(ag.status, 200, "{}", ag.body);
    let bad = send(
        api.put(&format!("{base}/procedures/property-tax/settings"))
            .bearer_auth(&ed)
            .json(&json!({"hidden": false, "eticket": {"agency": "main", "service": "nope"}})),
    )
    .await;
    assert_eq!(
        (bad.status, bad.body["errors"][0]["field"].as_str()),
        (422, Some("eticket.service")),
        "{}",
        bad.body
    );
    let l = send(
        api.put(&format!("{base}/procedures/property-tax/settings"))
            .bearer_auth(&ed)
            .json(&json!({"hidden": false, "eticket": {"agency": "main", "service": "tax"}})),
    )
    .await;
    assert_eq!(l.status, 200, "{}", l.body);
    let path = l.body["actions"]["take_ticket"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    not_in_the_closing_minute().await;
    let t = send(api.post(&path).bearer_auth(citizen())).await;
    assert_eq!(t.status, 201, "the linked queue takes tickets: {}", t.body);

    // A downloadable form: uploaded, confirmed, listed, downloaded byte for byte.
    let id = upload(
        &api,
        &format!("{base}/procedures/property-tax/forms"),
        &ed,
        "application/pdf",
        SMALL_PDF,
    )
    .await;
    let f = send(
        api.put(&format!("{base}/procedures/property-tax/settings"))
            .bearer_auth(&ed)
            .json(&json!({"hidden": false, "eticket": {"agency": "main", "service": "tax"}, "forms": [{"id": id, "title": {"fr": "Formulaire de déclaration"}}]})),
    )
    .await;
    assert_eq!(f.status, 200, "{}", f.body);
    let public = send(api.get(&format!("{base}/procedures/property-tax"))).await;
    let url = public.body["forms"][0]["url"].as_str().unwrap();
    let bytes = api
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], SMALL_PDF);
    let unknown = send(
        api.put(&format!("{base}/procedures/property-tax/settings"))
            .bearer_auth(&ed)
            .json(&json!({"hidden": false, "forms": [{"id": "att_01JDEM0000000000000000000", "title": {"fr": "x"}}]})),
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.body["errors"][0]["field"].as_str()),
        (422, Some("forms.id")),
        "{}",
        unknown.body
    );
}

#[tokio::test]
async fn the_guide_refuses_bad_input_strangers_and_inactive_municipalities() {
    let api = Api::from_env();
    let m = municipality(&api, "guide").await;
    let other = municipality(&api, "guide").await;
    let base = format!("/v1/municipalities/{m}");
    let put = |body: Value, token: String| {
        let api = &api;
        let path = format!("{base}/procedures/sample");
        async move { send(api.put(&path).bearer_auth(token).json(&body)).await }
    };
    let ok = json!({"code": "sample", "category": "other", "title": {"ar": "إجراء", "fr": "Démarche"}, "channels": ["counter"]});
    let mut unknown = ok.clone();
    unknown["category"] = json!("astrology");
    assert_eq!(put(unknown, editor(&m)).await.status, 422);
    let mut delay = ok.clone();
    delay["delay"] = json!({"duration": "three days", "basis": "legal"});
    let a = put(delay, editor(&m)).await;
    assert_eq!(
        (a.status, a.body["errors"][0]["field"].as_str()),
        (422, Some("delay.duration"))
    );
    assert_eq!(a.content_type, "application/problem+json");
    let mut dossier = ok.clone();
    dossier["channels"] = json!(["dossier"]);
    assert_eq!(
        put(dossier, editor(&m)).await.body["errors"][0]["field"],
        "permit_type"
    );
    let q = send(api.get(&format!("{base}/procedures?category=astrology"))).await;
    assert_eq!(q.status, 400);

    // Citizens may not write; staff of another municipality find nothing.
    assert_eq!(put(ok.clone(), citizen()).await.status, 403);
    assert_eq!(put(ok.clone(), editor(&other)).await.status, 404);
    let s = send(
        api.put(&format!("{base}/procedures/birth-certificate/settings"))
            .bearer_auth(editor(&other))
            .json(&json!({"hidden": true})),
    )
    .await;
    assert_eq!(s.status, 404);
    assert_eq!(put(ok, editor(&m)).await.status, 200);
    let nothing = send(api.get(&format!("{base}/procedures/no-such-procedure"))).await;
    assert_eq!(nothing.status, 404);

    // Where the guide is off, it is not served.
    let off = new_municipality(&api, "noguide").await;
    let g = send(api.get(&format!("/v1/municipalities/{off}/procedures"))).await;
    assert_eq!(
        (g.status, g.body["code"].as_str()),
        (403, Some("service_not_active")),
        "{}",
        g.body
    );
}

/// Staff writing different procedures at the same moment all succeed: a write
/// that meets another on the guide's index reads again and decides again.
#[tokio::test]
async fn concurrent_writes_of_different_procedures_all_land() {
    let api = Api::from_env();
    let m = municipality(&api, "guide").await;
    let ed = editor(&m);
    let writes = (0..4).map(|i| {
        let (api, m, ed) = (&api, m.clone(), ed.clone());
        async move {
            let code = format!("own-{i}");
            let body = json!({"code": code, "category": "other", "title": {"ar": format!("إجراء {i}"), "fr": format!("Démarche {i}")}, "channels": ["counter"]});
            send(api.put(&format!("/v1/municipalities/{m}/procedures/{code}")).bearer_auth(ed).json(&body)).await.status
        }
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let list = send(
        api.get(&format!("/v1/municipalities/{m}/procedures?category=other"))
            .bearer_auth(&ed),
    )
    .await;
    let own = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "own")
        .count();
    assert_eq!(own, 4);
}
