//! Every answer a black-box test reads is checked against `openapi.yaml`: its
//! status must be one the operation documents, and a JSON body must validate
//! against that response's schema. A client generated from the description can
//! then trust it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::root;

struct Spec {
    doc: Value,
    /// (template segments, template) of every path, most literal first.
    paths: Vec<(Vec<String>, String)>,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("openapi.yaml")).expect("openapi.yaml");
        let doc: Value = serde_yaml::from_str(&text).expect("openapi.yaml is YAML");
        let mut paths: Vec<(Vec<String>, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .map(|p| (segments(p), p.clone()))
            .collect();
        // A literal segment wins over a parameter (`/permits/mine` before `/permits/{id}`).
        paths.sort_by_key(|(segs, _)| {
            std::cmp::Reverse(segs.iter().filter(|s| !s.contains('{')).count())
        });
        Spec {
            doc,
            paths,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

fn segments(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

/// Whether a concrete segment matches a template one (`{id}`, `requests.{format}`).
fn segment_matches(template: &str, value: &str) -> bool {
    let Some(open) = template.find('{') else {
        return template == value;
    };
    let close = template.rfind('}').unwrap_or(template.len() - 1);
    let (prefix, suffix) = (&template[..open], &template[close + 1..]);
    value.len() > prefix.len() + suffix.len()
        && value.starts_with(prefix)
        && value.ends_with(suffix)
}

fn template_of(path: &str) -> Option<&'static str> {
    let concrete = segments(path);
    spec().paths.iter().find_map(|(segs, template)| {
        (segs.len() == concrete.len()
            && segs
                .iter()
                .zip(&concrete)
                .all(|(t, v)| segment_matches(t, v)))
        .then_some(template.as_str())
    })
}

/// `/` and `~` escaped for a JSON pointer.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn validator(pointer: &str) -> std::sync::Arc<jsonschema::Validator> {
    let s = spec();
    let cached = |p: &str| {
        s.validators
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(p)
            .cloned()
    };
    if let Some(v) = cached(pointer) {
        return v;
    }
    // The whole description as the schema's document, its root a reference to
    // the response's schema: `#/components/...` references resolve in it, and
    // the description's other members are unknown keywords to a validator. A
    // fragment is a URI: a path's braces are percent-encoded.
    let mut doc = s.doc.clone();
    let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
    doc["$ref"] = Value::String(format!("#{fragment}"));
    let v = std::sync::Arc::new(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&doc)
            .unwrap_or_else(|e| panic!("openapi.yaml: the schema at {pointer}: {e}")),
    );
    s.validators
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pointer.to_owned(), v.clone());
    v
}

/// Check one answer against the description. Requests to paths it does not
/// describe (the local stack's own, an unknown route a test sends on purpose)
/// and methods it does not list are checked only for a problem+json body.
pub fn check(method: &str, path: &str, status: u16, content_type: &str, body: &Value) {
    let Some(template) = template_of(path) else {
        return;
    };
    let op_pointer = format!(
        "/paths/{}/{}",
        escape(template),
        method.to_ascii_lowercase()
    );
    let Some(op) = spec().doc.pointer(&op_pointer) else {
        return;
    };
    let responses = &op["responses"];
    let code = status.to_string();
    let class = format!("{}XX", status / 100);
    let key = [code.as_str(), class.as_str(), "default"]
        .into_iter()
        .find(|k| responses.get(*k).is_some())
        .unwrap_or_else(|| {
            panic!("{method} {template} answered {status}, which openapi.yaml does not list; body: {body}")
        });
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !(media == "application/json" || media.ends_with("+json")) || body.is_null() {
        return;
    }
    // A shared response (`$ref: '#/components/responses/…'`) is read where it is.
    let mut response_pointer = format!("{op_pointer}/responses/{key}");
    if let Some(r) = responses[key]["$ref"].as_str() {
        response_pointer = r.trim_start_matches('#').to_owned();
    }
    let response = spec()
        .doc
        .pointer(&response_pointer)
        .unwrap_or_else(|| panic!("openapi.yaml: no {response_pointer}"));
    let content = &response["content"];
    let Some(listed) = content.get(media) else {
        panic!(
            "{method} {template} {status}: openapi.yaml lists no {media} body for it; body: {body}"
        );
    };
    if listed.get("schema").is_none() {
        return;
    }
    let pointer = format!("{response_pointer}/content/{}/schema", escape(media));
    let v = validator(&pointer);
    let errors: Vec<String> = v
        .iter_errors(body)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {status}: the answer does not match openapi.yaml:\n  {}\nbody: {body}",
        errors.join("\n  ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_their_paths_literals_first() {
        assert!(segment_matches("{id}", "cmp_1"));
        assert!(segment_matches("requests.{format}", "requests.json"));
        assert!(!segment_matches("requests.{format}", "services.json"));
        assert!(!segment_matches("mine", "cmp_1"));
    }

    /// The check can fail: an answer missing what its schema requires, or a
    /// status the operation does not list, is refused; a described one passes.
    #[test]
    fn answers_are_held_to_their_schema() {
        let problem = serde_json::json!({
            "type": "https://baladiya.tn/problems/not-found", "title": "Introuvable", "status": 404, "code": "not_found"
        });
        check(
            "GET",
            "/v1/municipalities/atlantis",
            404,
            "application/problem+json",
            &problem,
        );
        let refused = |status: u16, body: Value| {
            std::panic::catch_unwind(|| {
                check(
                    "GET",
                    "/v1/municipalities/atlantis",
                    status,
                    "application/json",
                    &body,
                )
            })
            .is_err()
        };
        assert!(refused(200, serde_json::json!({"id": 3})), "a wrong type");
        assert!(
            refused(200, serde_json::json!({})),
            "required members missing"
        );
        assert!(
            refused(418, serde_json::json!({})),
            "an undocumented status"
        );
    }
}
