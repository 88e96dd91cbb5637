//! The OParl 1.1 view, crawled as an OParl client does: from the System to
//! its Body, every external list (following `links.next`) and every object by
//! its id, each checked by a JSON Schema validator (the `jsonschema` crate)
//! against the object types of the OParl 1.1 specification: their required
//! properties, types, and which are URLs, dates or embedded objects. The
//! schemas below are written for these tests from the specification's text,
//! not derived from our output.

use std::collections::BTreeSet;

use super::*;

const URL: &str = "^https?://";
const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// The specification's form (its section on dates): with the offset.
const DATE_TIME: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$";

fn oparl_schemas() -> Value {
    let url = json!({"type": "string", "pattern": URL});
    let urls = json!({"type": "array", "items": url});
    let date = json!({"type": "string", "pattern": DATE});
    let date_time = json!({"type": "string", "pattern": DATE_TIME});
    let string = json!({"type": "string"});
    let object = |ty: &str, required: &[&str], props: Value| -> Value {
        let mut p = json!({
            "id": url, "type": {"const": format!("https://schema.oparl.org/1.1/{ty}")},
            "created": date_time, "modified": date_time, "web": url,
            "deleted": {"type": "boolean"}, "license": string,
            "keyword": {"type": "array", "items": string}
        });
        for (k, v) in props.as_object().unwrap() {
            p[k] = v.clone();
        }
        let mut req = vec!["id", "type", "created", "modified"];
        req.extend_from_slice(required);
        json!({"type": "object", "required": req, "properties": p})
    };
    let file_ref = json!({"$ref": "#/$defs/File"});
    json!({"$defs": {
        "System": object("System", &["oparlVersion", "body"], json!({
            "oparlVersion": {"enum": ["https://schema.oparl.org/1.0/", "https://schema.oparl.org/1.1/"]},
            "otherOparlVersions": urls, "body": url, "name": string, "contactEmail": string,
            "contactName": string, "website": url, "vendor": url, "product": url
        })),
        "LegislativeTerm": object("LegislativeTerm", &[], json!({
            "body": url, "name": string, "startDate": date, "endDate": date
        })),
        "Location": object("Location", &[], json!({
            "description": string, "streetAddress": string, "room": string, "postalCode": string,
            "subLocality": string, "locality": string, "geojson": {"type": "object"},
            "bodies": urls, "organizations": urls, "persons": urls, "meetings": urls, "papers": urls
        })),
        // Required: the schema's and the 1.1 text's (`agendaItem`,
        // `consultation`, `file`, `locationList`, `legislativeTermList`,
        // `membership` are mandatory there).
        "Body": object("Body", &["name", "organization", "person", "meeting", "paper", "legislativeTerm",
                                 "agendaItem", "consultation", "file", "locationList", "legislativeTermList",
                                 "membership"], json!({
            "system": url, "shortName": string, "name": string, "website": url,
            "licenseValidSince": date_time, "oparlSince": date_time, "ags": string, "rgs": string,
            "equivalent": urls, "contactEmail": string, "contactName": string, "classification": string,
            "organization": url, "person": url, "meeting": url, "paper": url, "agendaItem": url,
            "consultation": url, "file": url, "locationList": url, "legislativeTermList": url,
            "membership": url,
            "legislativeTerm": {"type": "array", "items": {"$ref": "#/$defs/LegislativeTerm"}},
            "location": {"$ref": "#/$defs/Location"}
        })),
        "Organization": object("Organization", &[], json!({
            "body": url, "name": string, "membership": urls, "meeting": url, "consultation": url,
            "shortName": string, "post": {"type": "array", "items": string},
            "subOrganizationOf": url, "organizationType": string, "classification": string,
            "startDate": date, "endDate": date, "website": url,
            "location": {"$ref": "#/$defs/Location"}, "externalBody": url
        })),
        "Membership": object("Membership", &[], json!({
            "person": url, "organization": url, "role": string, "votingRight": {"type": "boolean"},
            "startDate": date, "endDate": date, "onBehalfOf": url
        })),
        "Person": object("Person", &[], json!({
            "body": url, "name": string, "familyName": string, "givenName": string,
            "formOfAddress": string, "affix": string, "title": {"type": "array", "items": string},
            "gender": string, "phone": {"type": "array", "items": string},
            "email": {"type": "array", "items": string}, "location": url,
            "locationObject": {"$ref": "#/$defs/Location"},
            "status": {"type": "array", "items": string},
            "membership": {"type": "array", "items": {"$ref": "#/$defs/Membership"}},
            "life": string, "lifeSource": string
        })),
        "File": object("File", &["accessUrl"], json!({
            "name": string, "fileName": string, "mimeType": string, "date": date,
            "size": {"type": "integer", "minimum": 0}, "sha1Checksum": string, "sha512Checksum": string,
            "text": string, "accessUrl": url, "downloadUrl": url, "externalServiceUrl": url,
            "masterFile": url, "derivativeFile": urls, "fileLicense": url,
            "meeting": urls, "agendaItem": urls, "paper": urls
        })),
        "AgendaItem": object("AgendaItem", &["order"], json!({
            "meeting": url, "number": string, "order": {"type": "integer"}, "name": string,
            "public": {"type": "boolean"}, "consultation": url, "result": string,
            "resolutionText": string, "resolutionFile": file_ref,
            "auxiliaryFile": {"type": "array", "items": file_ref},
            "start": date_time, "end": date_time
        })),
        "Meeting": object("Meeting", &[], json!({
            "name": string, "meetingState": string, "cancelled": {"type": "boolean"},
            "start": date_time, "end": date_time, "location": {"$ref": "#/$defs/Location"},
            "organization": urls, "participant": urls, "invitation": file_ref,
            "resultsProtocol": file_ref, "verbatimProtocol": file_ref,
            "auxiliaryFile": {"type": "array", "items": file_ref},
            "agendaItem": {"type": "array", "items": {"$ref": "#/$defs/AgendaItem"}}
        })),
        "List": {
            "type": "object",
            "required": ["data", "pagination", "links"],
            "properties": {
                "data": {"type": "array"},
                "pagination": {"type": "object", "properties": {
                    "totalElements": {"type": "integer"}, "elementsPerPage": {"type": "integer"},
                    "currentPage": {"type": "integer"}, "totalPages": {"type": "integer"}
                }, "additionalProperties": false},
                "links": {"type": "object", "properties": {
                    "first": url, "prev": url, "next": url, "last": url, "self": url, "web": url
                }, "additionalProperties": false}
            }
        }
    }})
}

/// Check `doc` against the OParl type `name`.
fn check(name: &str, doc: &Value) {
    let mut schema = oparl_schemas();
    schema["$ref"] = json!(format!("#/$defs/{name}"));
    let v = jsonschema::validator_for(&schema).expect("the OParl schema compiles");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "not an OParl 1.1 {name}: {errors:?}\n{doc}"
    );
}

fn type_name(o: &Value) -> String {
    o["type"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

/// GET an absolute OParl URL of the local stack.
async fn get(api: &Api, url: &str) -> Value {
    let path = url
        .split_once("/oparl/")
        .map(|(_, p)| format!("/oparl/{p}"))
        .unwrap();
    let a = send(api.get(&path).header("accept-language", "fr")).await;
    assert_eq!(a.status, 200, "{url}: {}", a.body);
    a.body
}

/// Every object of an external list, following `links.next`, each checked;
/// each page names itself (`links.self`, its filters and cursor kept).
async fn crawl(api: &Api, url: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(url.to_owned());
    let mut pages = 0;
    while let Some(u) = next {
        let page = get(api, &u).await;
        check("List", &page);
        let path = |url: &str| url.split_once("/oparl/").map(|(_, p)| p.to_owned());
        assert_eq!(
            page["links"]["self"].as_str().and_then(path),
            path(&u),
            "{page}"
        );
        for o in page["data"].as_array().unwrap() {
            check(&type_name(o), o);
            out.push(o.clone());
        }
        next = page["links"]["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages < 50, "a list that never ends: {url}");
    }
    out
}

#[tokio::test]
async fn the_committees_read_as_oparl_1_1() {
    let api = Api::from_env();
    let m = municipality_with(
        &api,
        "oparl",
        json!({"committees": "ACTIVATED", "reports": "ACTIVATED"}),
    )
    .await;
    // The council, and a committee one of its members also sits on.
    let c = post(
        &api,
        &m,
        "committees",
        &council(json!([
            seat("Sonia Ben Ali", "president", "2023-03-01", None),
            seat("Karim Trabelsi", "member", "2023-03-01", None)
        ])),
        None,
    )
    .await;
    assert_eq!(c.status, 201, "{}", c.body);
    let cid = c.body["id"].as_str().unwrap().to_owned();
    let karim = c.body["members"][1]["person"].as_str().unwrap().to_owned();
    let works = post(
        &api,
        &m,
        "committees",
        &json!({
            "kind": "standing",
            "name": {"ar": "لجنة الأشغال", "fr": "Commission des travaux"},
            "members": [{"person": karim, "name": {"ar": "كريم الطرابلسي", "fr": "Karim Trabelsi"},
                         "role": "president", "from": "2023-04-01"}]
        }),
        None,
    )
    .await;
    assert_eq!(works.status, 201, "{}", works.body);
    // Three meetings (two pages of two), the first with an agenda.
    let mut meetings = Vec::new();
    for (i, start) in [
        "2026-01-15T10:00:00+01:00",
        "2026-02-15T10:00:00+01:00",
        "2026-03-15T10:00:00+01:00",
    ]
    .iter()
    .enumerate()
    {
        let agenda = if i == 0 {
            json!([{"title": {"ar": "الميزانية", "fr": "Budget 2026"}},
                   {"title": {"ar": "نزاع", "fr": "Litige"}, "public": false}])
        } else {
            json!([])
        };
        let mt = post(
            &api,
            &m,
            &format!("committees/{cid}/meetings"),
            &meeting(start, agenda),
            None,
        )
        .await;
        assert_eq!(mt.status, 201, "{}", mt.body);
        meetings.push(mt.body["id"].as_str().unwrap().to_owned());
    }
    // Minutes of the first, published as a document of the council's.
    let reports = staff(&m, None, &[Permission::Reports]);
    let d = send(
        api.post(&format!("/v1/municipalities/{m}/documents"))
            .bearer_auth(&reports)
            .json(&json!({
                "type": "council_minutes",
                "title": {"ar": "محضر جلسة 15 جانفي", "fr": "PV de la séance du 15 janvier"},
                "languages": ["ar", "fr"],
                "committee": cid,
                "meeting": meetings[0]
            })),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.body);
    let doc = d.body["id"].as_str().unwrap().to_owned();
    let base = format!("/v1/municipalities/{m}/documents/{doc}");
    let file = upload(
        &api,
        &format!("{base}/files"),
        &reports,
        "application/pdf",
        SMALL_PDF,
    )
    .await;
    let v = send(
        api.post(&format!("{base}/versions"))
            .bearer_auth(&reports)
            .json(&json!({"files": [{"id": file, "name": "pv-2026-01-15.pdf"}]})),
    )
    .await;
    assert_eq!(v.status, 201, "{}", v.body);
    // Minutes are public once approved (at the next session, held), then
    // published.
    let files = format!("http://localhost/oparl/v1/{m}/files");
    assert!(crawl(&api, &files).await.is_empty(), "a draft is nobody's");
    let held = post(
        &api,
        &m,
        &format!("meetings/{}/status", meetings[1]),
        &json!({"status": "held"}),
        None,
    )
    .await;
    assert_eq!(held.status, 200, "{}", held.body);
    for step in [
        json!({"status": "approved", "meeting": meetings[1]}),
        json!({"status": "published"}),
    ] {
        let r = send(
            api.post(&format!("{base}/status"))
                .bearer_auth(&reports)
                .json(&step),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    // From the System to the Body.
    let system = get(&api, &format!("http://localhost/oparl/v1/{m}")).await;
    check("System", &system);
    let bodies = crawl(&api, system["body"].as_str().unwrap()).await;
    assert_eq!(bodies.len(), 1);
    let body = get(&api, bodies[0]["id"].as_str().unwrap()).await;
    check("Body", &body);
    assert_eq!(body, bodies[0]);
    assert_eq!(body["legislativeTerm"][0]["startDate"], "2023-03-01");

    // Every list, every object by its id.
    let mut kinds = BTreeSet::new();
    let mut all = Vec::new();
    for list in [
        "organization",
        "person",
        "membership",
        "meeting",
        "agendaItem",
        "file",
        "paper",
        "consultation",
        "locationList",
        "legislativeTermList",
    ] {
        let objects = crawl(&api, body[list].as_str().unwrap()).await;
        for o in &objects {
            kinds.insert(type_name(o));
            let alone = get(&api, o["id"].as_str().unwrap()).await;
            check(&type_name(o), &alone);
            all.push((list, o.clone(), alone));
        }
    }
    assert_eq!(
        kinds,
        [
            "AgendaItem",
            "File",
            "LegislativeTerm",
            "Location",
            "Meeting",
            "Membership",
            "Organization",
            "Person"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    );
    let count = |list: &str| all.iter().filter(|(l, _, _)| *l == list).count();
    assert_eq!(count("organization"), 2);
    assert_eq!(count("person"), 2, "Karim is one person on two committees");
    assert_eq!(count("membership"), 3);
    assert_eq!(count("meeting"), 3);
    assert_eq!(count("agendaItem"), 2);
    assert_eq!(count("file"), 1);
    assert_eq!(count("locationList"), 3, "one place a meeting");
    assert_eq!(count("legislativeTermList"), 1, "the council's term");
    // An agenda item's order is its place in its meeting's agenda, from 0.
    for (_, mt, _) in all.iter().filter(|(l, _, _)| *l == "meeting") {
        for (i, item) in mt["agendaItem"].as_array().unwrap().iter().enumerate() {
            assert_eq!(item["order"], i, "{item}");
        }
    }
    let karim_obj = all
        .iter()
        .find(|(l, o, _)| *l == "person" && o["id"].as_str().unwrap().ends_with(&karim))
        .unwrap();
    assert_eq!(karim_obj.1["membership"].as_array().unwrap().len(), 2);
    // A closed item keeps its number, not its title.
    let closed = all
        .iter()
        .find(|(l, o, _)| *l == "agendaItem" && o["public"] == false)
        .unwrap();
    assert_eq!(closed.1["number"], "2");
    assert_ne!(closed.1["name"], "Litige");
    // The minutes: with their meeting, and from it.
    let minutes = all.iter().find(|(l, _, _)| *l == "file").unwrap();
    assert_eq!(minutes.1["mimeType"], "application/pdf");
    assert!(
        minutes.1["meeting"][0]
            .as_str()
            .unwrap()
            .ends_with(&meetings[0])
    );
    let first = all
        .iter()
        .find(|(l, o, _)| *l == "meeting" && o["id"].as_str().unwrap().ends_with(&meetings[0]))
        .unwrap();
    assert_eq!(first.2["resultsProtocol"]["id"], minutes.1["id"]);
    // The file itself, at its access URL: a redirect to a short-lived link.
    let access = minutes.1["accessUrl"].as_str().unwrap();
    let path = access
        .split_once("/v1/")
        .map(|(_, p)| format!("/v1/{p}"))
        .unwrap();
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_follow
        .get(format!("{}{path}", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let bytes = api
        .http
        .get(&to)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], SMALL_PDF, "the minutes, byte for byte");
    assert_eq!(first.1["start"], "2026-01-15T10:00:00+01:00");

    // Pages: two meetings a page, the filter kept in the next link.
    let page = get(
        &api,
        &format!(
            "http://localhost/oparl/v1/{m}/meetings?limit=2&modified_since=2020-01-01T00:00:00Z"
        ),
    )
    .await;
    check("List", &page);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["links"]["next"].as_str().unwrap();
    assert!(
        next.contains("modified_since=2020-01-01T00%3A00%3A00Z"),
        "{next}"
    );
    let rest = crawl(&api, next).await;
    assert_eq!(rest.len(), 1);
    // Only what changed since: nothing after a moment to come.
    let none = get(
        &api,
        &format!("http://localhost/oparl/v1/{m}/organizations?modified_since=2099-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(none["data"], json!([]));
    let bad = send(api.get(&format!("/oparl/v1/{m}/meetings?modified_since=yesterday"))).await;
    assert_eq!(bad.status, 400);
}
