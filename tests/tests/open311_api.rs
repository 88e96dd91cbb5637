//! Black-box tests of the Open311 GeoReport v2 server over HTTP, against the
//! running local stack (started by `scripts/test`). Every endpoint is read in both
//! formats; the XML with a real parser (quick-xml), the JSON with serde; the
//! field lists, types, required fields, defaults and error rules are those of
//! the specification (http://wiki.open311.org/GeoReport_v2, and mySociety's
//! `servicerequestupdates`), written out below field by field.

use baladiya::domain::Permission;
use baladiya_tests::*;
use quick_xml::events::Event;
use serde_json::{Value, json};

// ------------------------------------------------------------ the specification

/// Discovery: "All fields are required."
const DISCOVERY: &[&str] = &["changeset", "contact", "key_service", "endpoints"];
const ENDPOINT: &[&str] = &["specification", "url", "changeset", "type", "formats"];
/// GET Service List, one `service`.
const SERVICE: &[&str] = &[
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];
const SERVICE_DEFINITION: &[&str] = &["service_code", "attributes"];
const ATTRIBUTE: &[&str] = &[
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
];
const VALUE: &[&str] = &["key", "name"];
const DATATYPES: &[&str] = &[
    "string",
    "number",
    "datetime",
    "text",
    "singlevaluelist",
    "multivaluelist",
];
/// POST Service Request, realtime service: an id, no token.
const CREATED: &[&str] = &["service_request_id", "service_notice", "account_id"];
/// GET Service Requests / GET Service Request, one `request`.
const REQUEST: &[&str] = &[
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];
/// Required (never empty) in a request: the schemas' required fields.
const REQUEST_REQUIRED: &[&str] = &[
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "requested_datetime",
    "updated_datetime",
];
const TOKEN: &[&str] = &["service_request_id", "token"];
/// mySociety `servicerequestupdates`, one `request_update` (plus the
/// `external_status_code` FixMyStreet reads).
const UPDATE: &[&str] = &[
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
    "external_status_code",
];
const UPDATE_STATUSES: &[&str] = &[
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
];
const ERROR: &[&str] = &["code", "description"];

/// Containers whose children form a list (the Spark convention's arrays).
const LISTS: &[(&str, &str)] = &[
    ("services", "service"),
    ("attributes", "attribute"),
    ("values", "value"),
    ("endpoints", "endpoint"),
    ("formats", "format"),
    ("service_requests", "request"),
    ("service_request_updates", "request_update"),
    ("errors", "error"),
];

// ------------------------------------------------------------ reading answers

/// An XML element: its name, text and child elements.
#[derive(Debug, Clone)]
struct Elem {
    name: String,
    text: String,
    children: Vec<Elem>,
}

impl Elem {
    fn child(&self, name: &str) -> &Elem {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }
    fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parse a document with quick-xml; it must declare UTF-8 and have one root.
fn parse_xml(text: &str) -> Elem {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Elem> = Vec::new();
    let mut root = None;
    let mut declared = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(d) => {
                let enc = d.encoding().expect("an encoding").expect("readable");
                assert!(enc.eq_ignore_ascii_case(b"utf-8"), "declared UTF-8");
                declared = true;
            }
            Event::Start(e) => stack.push(Elem {
                name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                text: String::new(),
                children: vec![],
            }),
            Event::Empty(e) => {
                let el = Elem {
                    name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                    text: String::new(),
                    children: vec![],
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().expect("UTF-8"));
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8");
                let ch = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unknown entity {other}"),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(ch);
                }
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(declared, "the root is preceded by the XML declaration");
    root.expect("a root element")
}

/// The XML as JSON by the Spark convention: list containers become arrays,
/// other elements objects, leaves strings (empty ones `null`).
fn spark(e: &Elem) -> Value {
    if let Some((_, item)) = LISTS.iter().find(|(l, _)| *l == e.name) {
        assert!(
            e.children.iter().all(|c| c.name == *item),
            "<{}> holds only <{item}>: {:?}",
            e.name,
            e.names()
        );
        return Value::Array(e.children.iter().map(spark).collect());
    }
    if e.children.is_empty() {
        return if e.text.is_empty() {
            Value::Null
        } else {
            Value::String(e.text.clone())
        };
    }
    let mut names = e.names();
    names.sort();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "<{}> repeats no field", e.name);
    Value::Object(
        e.children
            .iter()
            .map(|c| (c.name.clone(), spark(c)))
            .collect(),
    )
}

/// JSON scalars as the XML writes them.
fn as_xml_text(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        Value::String(s) if s.is_empty() => Value::Null,
        Value::Array(a) => Value::Array(a.iter().map(as_xml_text).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), as_xml_text(v))).collect())
        }
        other => other.clone(),
    }
}

/// Both documents say the same thing (numbers compared as numbers).
fn same(xml: &Value, json: &Value, at: &str) {
    match (xml, json) {
        (Value::String(x), Value::String(j)) if x != j => {
            let (a, b) = (x.parse::<f64>(), j.parse::<f64>());
            assert!(a.is_ok() && a == b, "{at}: XML {x:?} but JSON {j:?}");
        }
        (Value::Array(x), Value::Array(j)) => {
            assert_eq!(x.len(), j.len(), "{at}: list lengths");
            for (i, (a, b)) in x.iter().zip(j).enumerate() {
                same(a, b, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(j)) => {
            let mut xk: Vec<&String> = x.keys().collect();
            let mut jk: Vec<&String> = j.keys().collect();
            xk.sort();
            jk.sort();
            assert_eq!(xk, jk, "{at}: the same fields");
            for (k, v) in x {
                same(v, &j[k], &format!("{at}.{k}"));
            }
        }
        (x, j) => assert_eq!(x, j, "{at}"),
    }
}

/// One resource in both formats: status, content types, and the same content.
/// Returns the XML root and the JSON.
async fn both(
    api: &Api,
    path: &str,
    query: &[(&str, &str)],
    status: u16,
    root: &str,
) -> (Elem, Value) {
    let xml = api
        .http
        .get(format!("{}{path}.xml", api.base))
        .query(query)
        .send()
        .await
        .expect("answers");
    assert_eq!(xml.status().as_u16(), status, "{path}.xml");
    assert!(
        xml.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml"),
        "{path}.xml is text/xml"
    );
    let xml = parse_xml(&xml.text().await.unwrap());
    assert_eq!(xml.name, root, "{path}.xml root");
    let json = send(api.get(&format!("{path}.json")).query(query)).await;
    assert_eq!(json.status, status, "{path}.json: {}", json.body);
    assert!(
        json.content_type.starts_with("application/json"),
        "{path}.json is application/json"
    );
    same(&spark(&xml), &as_xml_text(&json.body), path);
    (xml, json.body)
}

/// Exactly the specification's fields, in both formats.
#[track_caller]
fn fields(e: &Elem, json: &Value, expected: &[&str]) {
    let mut got = e.names();
    got.sort();
    let mut want = expected.to_vec();
    want.sort();
    assert_eq!(got, want, "<{}> fields", e.name);
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, want, "JSON fields of {}", e.name);
}

/// A w3 date-time with its time zone.
#[track_caller]
fn datetime(v: &str) -> time::OffsetDateTime {
    assert!(
        v.ends_with('Z') || v[v.len() - 6..].starts_with(['+', '-']),
        "{v:?} has a time zone"
    );
    time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| panic!("{v:?} is ISO 8601"))
}

/// The specification's error document, in both formats, with `status`.
async fn error(api: &Api, req: reqwest::RequestBuilder, status: u16) -> String {
    let res = req.send().await.expect("answers");
    assert_eq!(res.status().as_u16(), status);
    let xml = res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml");
    let text = res.text().await.unwrap();
    let _ = api;
    let (code, description) = if xml {
        let root = parse_xml(&text);
        assert_eq!(root.name, "errors");
        assert_eq!(root.children.len(), 1);
        let e = &root.children[0];
        assert_eq!(e.name, "error");
        let mut names = e.names();
        names.sort();
        assert_eq!(names, ERROR);
        (
            e.text_of("code").to_owned(),
            e.text_of("description").to_owned(),
        )
    } else {
        let v: Value = serde_json::from_str(&text).expect("JSON");
        let e = &v.as_array().expect("an array of errors")[0];
        (
            e["code"].as_u64().expect("an integer code").to_string(),
            e["description"].as_str().expect("a description").to_owned(),
        )
    };
    assert_eq!(code, status.to_string(), "the code is the HTTP status");
    assert!(!description.trim().is_empty());
    description
}

// ------------------------------------------------------------ set-up

async fn issue_key(api: &Api, m: &str, staff_token: &str) -> Value {
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/open311-keys"))
            .bearer_auth(staff_token)
            .json(&json!({"name": "FixMyStreet Tunisie"})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    remember_secret(a.body["api_key"].as_str().unwrap());
    a.body
}

fn complaints_staff(m: &str) -> String {
    staff(m, None, &[Permission::Complaints])
}

/// A new municipality with an Open311 key: its id, its staff's token, the key.
async fn municipality_with_key(api: &Api, prefix: &str) -> (String, String, String) {
    let m = new_municipality(api, prefix).await;
    let staff_token = complaints_staff(&m);
    let api_key = issue_key(api, &m, &staff_token).await["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    (m, staff_token, api_key)
}

/// POST a form; returns the status and the body text.
async fn post_form(api: &Api, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    api.http
        .post(format!("{}{path}", api.base))
        .form(form)
        .send()
        .await
        .expect("answers")
}

fn point() -> (String, String) {
    let r = ulid::Ulid::new().random();
    (
        format!("{:.6}", 34.0 + (r % 10_000) as f64 / 10_000.0),
        format!("{:.6}", 9.5 + ((r >> 16) % 10_000) as f64 / 10_000.0),
    )
}

// ------------------------------------------------------------ tests

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
async fn staff_issue_list_and_revoke_keys_stored_only_as_digests() {
    let api = Api::from_env();
    let m = new_municipality(&api, "o311-key").await;
    let path = format!("/v1/municipalities/{m}/open311-keys");
    let staff_token = complaints_staff(&m);
    let key = issue_key(&api, &m, &staff_token).await;
    let api_key = key["api_key"].as_str().unwrap().to_owned();
    let id = key["id"].as_str().unwrap().to_owned();
    assert!(api_key.starts_with(&format!("{id}.")));
    assert_eq!(key["active"], true);

    // Listed without the key; the table holds only its digest.
    let list = send(api.get(&path).bearer_auth(&staff_token)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    assert!(list.body["items"][0].get("api_key").is_none());
    assert!(!list.body.to_string().contains(&api_key[id.len() + 1..]));
    let item = aws()
        .dynamodb()
        .get_item()
        .table_name(table())
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("M#{m}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("O311KEY#{id}")),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("stored");
    let secret = &api_key[id.len() + 1..];
    assert!(
        item.values().all(|v| !format!("{v:?}").contains(secret)),
        "the secret is not stored"
    );

    // Only staff handling every complaint category of this municipality.
    send(api.get(&path).bearer_auth(citizen()))
        .await
        .assert_problem(403, "forbidden");
    send(
        api.post(&path)
            .bearer_auth(staff(&m, None, &[Permission::News]))
            .json(&json!({"name": "x"})),
    )
    .await
    .assert_problem(403, "forbidden");
    let other = new_municipality(&api, "o311-oth").await;
    send(api.get(&path).bearer_auth(complaints_staff(&other)))
        .await
        .assert_problem(404, "not_found");
    send(api.get(&path))
        .await
        .assert_problem(401, "unauthenticated");

    // The key works here, not in another municipality.
    let (lat, long) = point();
    let form = [
        ("api_key", api_key.as_str()),
        ("service_code", "waste"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
        ("description", "Poubelles non ramassées depuis trois jours."),
    ];
    let ok = post_form(&api, &format!("/open311/v2/{m}/requests.xml"), &form).await;
    assert_eq!(ok.status().as_u16(), 200);
    error(
        &api,
        api.http
            .post(format!("{}/open311/v2/{other}/requests.xml", api.base))
            .form(&form),
        403,
    )
    .await;

    // Revoked: refused from then on; revoking again is 404.
    let gone = send(
        api.delete(&format!("{path}/{id}"))
            .bearer_auth(&staff_token),
    )
    .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    send(
        api.delete(&format!("{path}/{id}"))
            .bearer_auth(&staff_token),
    )
    .await
    .assert_problem(404, "not_found");
    let list = send(api.get(&path).bearer_auth(&staff_token)).await;
    assert_eq!(list.body["items"][0]["active"], false);
    assert!(list.body["items"][0]["revoked_at"].is_string());
    let mut retry = form.to_vec();
    retry.push(("description", "Une autre fois."));
    error(
        &api,
        api.http
            .post(format!("{}/open311/v2/{m}/requests.json", api.base))
            .form(&retry),
        403,
    )
    .await;
}

#[tokio::test]
async fn a_request_posted_over_open311_is_a_complaint_staff_handle_and_clients_follow() {
    let api = Api::from_env();
    let (m, staff_token, api_key) = municipality_with_key(&api, "o311-req").await;
    let base = format!("/open311/v2/{m}");
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(2);

    // POST, XML: the realtime answer has the id and no token.
    let (lat, long) = point();
    let description = "Lampadaire éteint devant l'école <primaire> & la poste.";
    let form = [
        ("api_key", api_key.as_str()),
        ("jurisdiction_id", m.as_str()),
        ("service_code", "lighting"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
        ("address_string", "Rue de la Poste, Médina"),
        ("description", description),
        ("email", "amel@example.org"),
        ("first_name", "Amel"),
        ("last_name", "Ben Salah"),
        ("phone", "+21620000001"),
        ("media_url", "https://photos.example.org/p/1.jpg"),
        ("attribute[subcategory]", "lamp-out"),
        // A client's own attribute: ignored.
        ("attribute[fixmystreet_id]", "4242"),
    ];
    let res = post_form(&api, &format!("{base}/requests.xml"), &form).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let created = parse_xml(&res.text().await.unwrap());
    assert_eq!(created.name, "service_requests");
    let request = &created.children[0];
    assert_eq!(request.name, "request");
    let mut names = request.names();
    names.sort();
    let mut want = CREATED.to_vec();
    want.sort();
    assert_eq!(names, want);
    let id = request.text_of("service_request_id").to_owned();
    assert!(!id.is_empty());
    assert!(!request.text_of("service_notice").is_empty());

    // A client's retry with an Idempotency-Key: the same request; the same
    // form without one is another report.
    let keyed = || {
        api.http
            .post(format!("{}{base}/requests.xml", api.base))
            .header("idempotency-key", format!("retry-{id}"))
            .form(&form)
    };
    let first_try = parse_xml(&keyed().send().await.unwrap().text().await.unwrap());
    let retried = keyed().send().await.unwrap();
    assert_eq!(retried.status().as_u16(), 200);
    let retried = parse_xml(&retried.text().await.unwrap());
    let keyed_id = first_try.children[0]
        .text_of("service_request_id")
        .to_owned();
    assert_ne!(keyed_id, id);
    assert_eq!(retried.children[0].text_of("service_request_id"), keyed_id);
    // Staff hide that second copy: it leaves every public list (checked below).
    let hid = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{keyed_id}/moderation"
        ))
        .bearer_auth(&staff_token)
        .json(&json!({"hidden": true, "reason": "doublon"})),
    )
    .await;
    assert_eq!(hid.status, 200, "{}", hid.body);

    // POST, JSON: an array of one; an address is enough.
    let json_form = [
        ("api_key", api_key.as_str()),
        ("service_code", "roads"),
        ("address_string", "Avenue Habib Bourguiba, 12"),
        ("description", "Nid-de-poule dangereux."),
    ];
    let res = post_form(&api, &format!("{base}/requests.json"), &json_form).await;
    assert_eq!(res.status().as_u16(), 200);
    let posted: Value = res.json().await.unwrap();
    let mut keys: Vec<&str> = posted[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, want);
    assert!(posted[0]["account_id"].is_null());
    let second = posted[0]["service_request_id"].as_str().unwrap().to_owned();

    // GET one request, both formats, every field of the specification.
    let (one, onej) = both(
        &api,
        &format!("{base}/requests/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(one.children.len(), 1);
    let r = &one.children[0];
    fields(r, &onej[0], REQUEST);
    for f in REQUEST_REQUIRED {
        assert!(!r.text_of(f).is_empty(), "{f} is given");
    }
    assert_eq!(r.text_of("service_request_id"), id);
    assert_eq!(r.text_of("status"), "open");
    assert_eq!(r.text_of("service_code"), "lighting");
    assert_eq!(r.text_of("service_name"), "الإنارة العمومية");
    assert_eq!(r.text_of("description"), description);
    assert_eq!(r.text_of("address"), "Rue de la Poste, Médina");
    assert_eq!(r.text_of("media_url"), "https://photos.example.org/p/1.jpg");
    assert!(r.text_of("status_notes").is_empty());
    assert_eq!(onej[0]["lat"].as_f64(), lat.parse::<f64>().ok());
    assert_eq!(onej[0]["long"].as_f64(), long.parse::<f64>().ok());
    assert!(onej[0]["address_id"].is_null());
    let requested = datetime(r.text_of("requested_datetime"));
    assert!(requested >= before);
    assert!(datetime(r.text_of("updated_datetime")) >= requested);
    // Personal details are not published.
    let public = onej.to_string();
    assert!(!public.contains("amel@example.org") && !public.contains("+21620000001"));
    assert!(!public.contains("Ben Salah"));

    // Staff see a normal complaint, with where it came from.
    let complaint_path = format!("/v1/municipalities/{m}/complaints/{id}");
    let seen = send(api.get(&complaint_path).bearer_auth(&staff_token)).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.body["subcategory"], "lamp-out");
    assert_eq!(seen.body["origin"]["client"], "FixMyStreet Tunisie");
    assert_eq!(seen.body["origin"]["email"], "amel@example.org");
    assert_eq!(seen.body["reporter_name"], "Amel Ben Salah");
    let public_view = send(api.get(&complaint_path)).await;
    assert!(public_view.body.get("origin").is_none());
    assert!(public_view.body["reporter_name"].is_null());

    // Staff move it along: our finer states read as open/closed with notes.
    for (state, note) in [
        ("in_progress", "Équipe envoyée."),
        ("resolved", "Lampe remplacée."),
    ] {
        let moved = send(
            api.post(&format!("{complaint_path}/transitions"))
                .bearer_auth(&staff_token)
                .json(&json!({"state": state, "note": note})),
        )
        .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
    }
    let (one, _) = both(
        &api,
        &format!("{base}/requests/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    let r = &one.children[0];
    assert_eq!(r.text_of("status"), "closed");
    assert_eq!(r.text_of("status_notes"), "Lampe remplacée.");
    assert!(datetime(r.text_of("updated_datetime")) >= requested);

    // Lists: by default the last 90 days, newest first.
    let (all, allj) = both(
        &api,
        &format!("{base}/requests"),
        &[],
        200,
        "service_requests",
    )
    .await;
    let ids: Vec<&str> = all
        .children
        .iter()
        .map(|r| r.text_of("service_request_id"))
        .collect();
    assert_eq!(ids, [second.as_str(), id.as_str()]);
    for (i, r) in all.children.iter().enumerate() {
        fields(r, &allj[i], REQUEST);
        assert!(["open", "closed"].contains(&r.text_of("status")));
    }
    // By status, by service, by ids (which override the rest), by window.
    let (open, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", "open")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(open.children.len(), 1);
    assert_eq!(open.children[0].text_of("service_request_id"), second);
    let (closed, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", "closed")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(closed.children[0].text_of("service_request_id"), id);
    let (both_status, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", "open,closed")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(both_status.children.len(), 2);
    let (roads, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("service_code", "roads,water")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(roads.children.len(), 1);
    assert_eq!(roads.children[0].text_of("service_code"), "roads");
    let listed = format!("{second},{id}");
    let (by_id, _) = both(
        &api,
        &format!("{base}/requests"),
        &[
            ("service_request_id", &listed),
            ("status", "open"),
            ("service_code", "water"),
        ],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(by_id.children.len(), 2, "ids override the other filters");
    let (empty, emptyj) = both(
        &api,
        &format!("{base}/requests"),
        &[
            ("start_date", "2026-01-01T00:00:00Z"),
            ("end_date", "2026-02-01T00:00:00+01:00"),
        ],
        200,
        "service_requests",
    )
    .await;
    assert!(empty.children.is_empty() && emptyj.as_array().unwrap().is_empty());
    let start = (before - time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (window, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("start_date", &start)],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(window.children.len(), 2);
    // An empty parameter is as if not given.
    let (blank, _) = both(
        &api,
        &format!("{base}/requests"),
        &[("status", ""), ("service_code", "")],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(blank.children.len(), 2);

    // Token: requests are realtime; a token is the request's id.
    let (t, tj) = both(
        &api,
        &format!("{base}/tokens/{id}"),
        &[],
        200,
        "service_requests",
    )
    .await;
    fields(&t.children[0], &tj[0], TOKEN);
    assert_eq!(t.children[0].text_of("service_request_id"), id);

    // mySociety's updates: each change, oldest first, FixMyStreet's statuses.
    let (u, uj) = both(
        &api,
        &format!("{base}/servicerequestupdates"),
        &[("start_date", &start), ("api_key", "")],
        200,
        "service_request_updates",
    )
    .await;
    assert_eq!(u.children.len(), 2, "{uj}");
    for (i, up) in u.children.iter().enumerate() {
        fields(up, &uj[i], UPDATE);
        assert_eq!(up.text_of("service_request_id"), id);
        assert!(UPDATE_STATUSES.contains(&up.text_of("status")));
        datetime(up.text_of("updated_datetime"));
    }
    assert_eq!(u.children[0].text_of("status"), "IN_PROGRESS");
    assert_eq!(u.children[0].text_of("description"), "Équipe envoyée.");
    assert_eq!(u.children[1].text_of("status"), "FIXED");
    assert_eq!(u.children[1].text_of("external_status_code"), "resolved");
    assert_ne!(
        u.children[0].text_of("update_id"),
        u.children[1].text_of("update_id")
    );
    let (none, _) = both(
        &api,
        &format!("{base}/servicerequestupdates"),
        &[
            ("start_date", "2026-01-01T00:00:00Z"),
            ("end_date", "2026-01-02T00:00:00Z"),
        ],
        200,
        "service_request_updates",
    )
    .await;
    assert!(none.children.is_empty());

    // Hidden by staff: gone from every Open311 answer.
    let hidden = send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{second}/moderation"
        ))
        .bearer_auth(&staff_token)
        .json(&json!({"hidden": true, "reason": "test"})),
    )
    .await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    for f in ["xml", "json"] {
        error(&api, api.get(&format!("{base}/requests/{second}.{f}")), 404).await;
    }
    let (all, _) = both(
        &api,
        &format!("{base}/requests"),
        &[],
        200,
        "service_requests",
    )
    .await;
    assert_eq!(all.children.len(), 1);
}

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
