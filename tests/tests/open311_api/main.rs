//! Black-box tests of the Open311 GeoReport v2 server over HTTP, against the
//! running local stack (started by `scripts/test`). Every endpoint is read in both
//! formats; the XML with a real parser (quick-xml), the JSON with serde; the
//! field lists, types, required fields, defaults and error rules are those of
//! the specification (http://wiki.open311.org/GeoReport_v2, and mySociety's
//! `servicerequestupdates`), written out below field by field.

use baladiya::domain::Permission;
use baladiya_tests::xml::{Elem, parse_xml};
use baladiya_tests::*;
use serde_json::{Value, json};

mod discovery;
mod errors;
mod keys;
mod requests;

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
