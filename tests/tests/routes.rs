//! One source of truth for routes: each function's `ROUTES` list. This test fails
//! when `template.yaml`, the local router table in `Cargo.toml` or `openapi.yaml`
//! disagree with it.

use std::collections::BTreeSet;

use baladiya_tests::root;
use serde_yaml::Value;

/// (method, path, function)
type RouteSet = BTreeSet<(String, String, String)>;

/// Every function and its declared routes. A new function adds itself here.
fn declared() -> RouteSet {
    let mut out = RouteSet::new();
    for r in municipalities::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "municipalities".to_owned(),
        ));
    }
    for r in complaints::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "complaints".to_owned(),
        ));
    }
    for r in etickets::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "etickets".to_owned(),
        ));
    }
    for r in documents::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "documents".to_owned(),
        ));
    }
    for r in news::ROUTES {
        out.insert((r.method.to_owned(), r.path.to_owned(), "news".to_owned()));
    }
    for r in polls::ROUTES {
        out.insert((r.method.to_owned(), r.path.to_owned(), "polls".to_owned()));
    }
    for r in events::ROUTES {
        out.insert((r.method.to_owned(), r.path.to_owned(), "events".to_owned()));
    }
    for r in appointments::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "appointments".to_owned(),
        ));
    }
    for r in committees::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "committees".to_owned(),
        ));
    }
    for r in guide::ROUTES {
        out.insert((r.method.to_owned(), r.path.to_owned(), "guide".to_owned()));
    }
    for r in permits::ROUTES {
        out.insert((r.method.to_owned(), r.path.to_owned(), "permits".to_owned()));
    }
    for r in info_requests::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "info-requests".to_owned(),
        ));
    }
    for r in open311::ROUTES {
        out.insert((r.method.to_owned(), r.path.to_owned(), "open311".to_owned()));
    }
    for r in accounts::ROUTES {
        out.insert((
            r.method.to_owned(),
            r.path.to_owned(),
            "accounts".to_owned(),
        ));
    }
    out
}

/// GeoReport v2 reaches the open311 function through one greedy route (every path
/// and method under it), so that the function's own router answers what it does not
/// serve with the specification's error document rather than the gateway's 404.
const GEOREPORT: &str = "/open311/v2/";

/// The declared routes as the gateway or the local router lists them: the GeoReport
/// ones folded into `ANY <catch_all>`. A route of another function under the prefix
/// stays distinct, and fails the comparison.
fn with_georeport_catch_all(routes: RouteSet, catch_all: &str) -> RouteSet {
    routes
        .into_iter()
        .map(|(method, path, function)| {
            if path.starts_with(GEOREPORT) && function == "open311" {
                ("ANY".to_owned(), catch_all.to_owned(), function)
            } else {
                (method, path, function)
            }
        })
        .collect()
}

/// Functions triggered by events (stream, schedule), not by HTTP.
const EVENT_FUNCTIONS: &[&str] = &["notifications", "media", "scheduler"];

fn template() -> Value {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// The template's functions: (resource, the binary `sam build` builds for it).
fn template_function_resources(t: &Value) -> Vec<(&Value, String)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Serverless::Function")
        .map(|r| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("every function names its binary (Metadata.BuildProperties.Binary)");
            (r, binary.to_owned())
        })
        .collect()
}

/// Every function of the template, by its binary.
fn template_functions() -> BTreeSet<String> {
    template_function_resources(&template())
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

fn template_routes() -> RouteSet {
    let t = template();
    let mut out = RouteSet::new();
    for (res, function) in template_function_resources(&t) {
        let Some(events) = res["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (_, e) in events {
            // The $default route (no path): see `unmatched_paths_reach_a_function`.
            if e["Type"] == "HttpApi" && !e["Properties"]["Path"].is_null() {
                let p = &e["Properties"];
                out.insert((
                    p["Method"].as_str().unwrap().to_uppercase(),
                    p["Path"].as_str().unwrap().to_owned(),
                    function.clone(),
                ));
            }
        }
    }
    out
}

/// `sam build` can build every function as the template stands: cargo lambda
/// (`BuildMethod: rust-cargolambda`) in the workspace root (CodeUri, where the
/// workspace's Cargo.toml lists the crate), for arm64, of a binary the crate
/// under functions/ declares; samconfig.toml turns on the builder's beta flag.
#[test]
fn sam_build_metadata_builds_every_function_from_the_workspace() {
    let t = template();
    let workspace: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let members: BTreeSet<&str> = workspace["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let global_code = t["Globals"]["Function"]["CodeUri"].as_str();
    let global_arch = &t["Globals"]["Function"]["Architectures"];
    let resources = template_function_resources(&t);
    assert!(!resources.is_empty());
    for (r, binary) in resources {
        assert_eq!(r["Metadata"]["BuildMethod"], "rust-cargolambda", "{binary}");
        let code = r["Properties"]["CodeUri"].as_str().or(global_code);
        assert_eq!(code, Some("."), "{binary}: CodeUri is the workspace root");
        let arch = match &r["Properties"]["Architectures"] {
            Value::Null => global_arch,
            own => own,
        };
        assert_eq!(arch, &Value::Sequence(vec!["arm64".into()]), "{binary}");
        assert_eq!(
            r["Properties"]["Runtime"]
                .as_str()
                .or(t["Globals"]["Function"]["Runtime"].as_str()),
            Some("provided.al2023")
        );
        let dir = format!("functions/{binary}");
        assert!(
            members.contains(dir.as_str()),
            "{dir} is a workspace member"
        );
        let krate: toml::Value =
            toml::from_str(&std::fs::read_to_string(root().join(&dir).join("Cargo.toml")).unwrap())
                .unwrap();
        let bins: Vec<&str> = krate["bin"]
            .as_array()
            .map(|b| b.iter().filter_map(|b| b["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            bins.contains(&binary.as_str()),
            "{dir} declares the binary {binary}"
        );
    }
    let samconfig: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("samconfig.toml")).unwrap()).unwrap();
    assert_eq!(
        samconfig["default"]["build"]["parameters"]["beta_features"].as_bool(),
        Some(true),
        "the cargo-lambda builder is a beta feature of sam build"
    );
}

fn router_routes() -> RouteSet {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let t: toml::Value = toml::from_str(&text).unwrap();
    let router = &t["workspace"]["metadata"]["lambda"]["watch"]["router"];
    let mut out = RouteSet::new();
    for (path, targets) in router.as_table().unwrap() {
        // A bare function name serves every method.
        if let Some(function) = targets.as_str() {
            out.insert(("ANY".to_owned(), path.clone(), function.to_owned()));
            continue;
        }
        for target in targets.as_array().unwrap() {
            out.insert((
                target["method"].as_str().unwrap().to_uppercase(),
                path.clone(),
                target["function"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

fn openapi_routes() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(root().join("openapi.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(
        spec["openapi"].as_str().map(|v| v.starts_with("3.1")),
        Some(true),
        "OpenAPI 3.1"
    );
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "post", "put", "patch", "delete"].contains(&method) {
                out.insert((method.to_uppercase(), path.as_str().unwrap().to_owned()));
            }
        }
    }
    out
}

#[test]
fn template_serves_exactly_the_declared_routes() {
    assert_eq!(
        template_routes(),
        with_georeport_catch_all(declared(), "/open311/v2/{proxy+}")
    );
}

/// The gateway's own 404 is `{"message":"Not Found"}`: its $default route
/// (an HttpApi event without Path or Method) sends every unmatched request to
/// the municipalities function instead, whose router answers problem+json.
#[test]
fn unmatched_paths_reach_a_function_that_answers_problem_json() {
    let t = template();
    let mut defaults = Vec::new();
    for (res, function) in template_function_resources(&t) {
        for (_, e) in res["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
        {
            let p = &e["Properties"];
            if e["Type"] == "HttpApi" && p["Path"].is_null() {
                assert!(p["Method"].is_null(), "a $default route has no method");
                let api = format!("{:?}", p["ApiId"]);
                assert!(api.contains("Ref") && api.contains("HttpApi"), "{api}");
                defaults.push(function.clone());
            }
        }
    }
    assert_eq!(defaults, ["municipalities"], "one $default route");
    let unmatched =
        baladiya::http::router::route(municipalities::ROUTES, "GET", "/v1/no-such-thing")
            .map(|_| ())
            .unwrap_err();
    assert_eq!(
        (unmatched.status.as_u16(), unmatched.code),
        (404, "route_not_found")
    );
}

#[test]
fn local_router_serves_exactly_the_declared_routes() {
    assert_eq!(
        router_routes(),
        with_georeport_catch_all(declared(), "/open311/v2/{*path}")
    );
}

#[test]
fn georeport_is_served_by_the_open311_function_alone() {
    let under: Vec<_> = declared()
        .into_iter()
        .filter(|(_, p, _)| p.starts_with(GEOREPORT))
        .collect();
    assert!(under.len() >= 13, "the GeoReport resources: {under:?}");
    assert!(under.iter().all(|(_, _, f)| f == "open311"), "{under:?}");
}

#[test]
fn openapi_describes_exactly_the_declared_routes() {
    let declared: BTreeSet<_> = declared().into_iter().map(|(m, p, _)| (m, p)).collect();
    assert_eq!(openapi_routes(), declared);
}

#[test]
fn every_function_has_a_template_resource_and_a_crate() {
    let functions: BTreeSet<String> = std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let in_template = template_functions();
    let mut declared: BTreeSet<String> = declared().into_iter().map(|(_, _, f)| f).collect();
    // Functions without HTTP routes (event-driven).
    declared.extend(EVENT_FUNCTIONS.iter().map(|f| f.to_string()));
    assert_eq!(
        functions, declared,
        "every crate under functions/ is listed in declared() or EVENT_FUNCTIONS"
    );
    assert_eq!(in_template, declared);
}

#[test]
fn openapi_lists_exactly_the_error_codes_the_api_answers_with() {
    let text = std::fs::read_to_string(root().join("openapi.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let listed: BTreeSet<&str> = spec["components"]["schemas"]["ProblemCode"]["enum"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let answered: BTreeSet<&str> = baladiya::http::i18n::CODES.iter().copied().collect();
    assert_eq!(listed, answered);
}

/// The function names an alarm's metrics refer to (`!Ref <Function>`).
fn refs_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Tagged(t) if t.tag == "!Ref" => {
            if let Some(s) = t.value.as_str() {
                out.insert(s.to_owned());
            }
        }
        Value::Tagged(t) => refs_in(&t.value, out),
        Value::Sequence(s) => s.iter().for_each(|v| refs_in(v, out)),
        Value::Mapping(m) => m.values().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

/// Every function has a throttles alarm and a failures alarm (5xx answers or
/// errors), and every alarm tells the operator alerts topic.
#[test]
fn every_function_has_its_alarms_and_every_alarm_tells_the_operator() {
    let t = template();
    let resources = t["Resources"].as_mapping().unwrap();
    let mut throttled = BTreeSet::new();
    let mut failing = BTreeSet::new();
    for r in resources.values() {
        if r["Type"] != "AWS::CloudWatch::Alarm" {
            continue;
        }
        let p = &r["Properties"];
        let mut actions = BTreeSet::new();
        refs_in(&p["AlarmActions"], &mut actions);
        assert!(actions.contains("OperatorAlertsTopic"), "{p:?}");
        let mut refs = BTreeSet::new();
        refs_in(&p["Dimensions"], &mut refs);
        refs_in(&p["Metrics"], &mut refs);
        let metrics = format!("{:?} {:?}", p["MetricName"], p["Metrics"]);
        for f in refs.into_iter().filter(|r| r.ends_with("Function")) {
            if metrics.contains("Throttles") {
                throttled.insert(f.clone());
            }
            if metrics.contains("Errors") {
                failing.insert(f);
            }
        }
    }
    let functions: BTreeSet<String> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(k, _)| k.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(functions.len(), template_functions().len());
    assert_eq!(throttled, functions, "a throttles alarm per function");
    assert_eq!(failing, functions, "an errors (or 5xx) alarm per function");
}

/// A schema that types nothing: an object with no properties, no reference and
/// no other shape (what a generated client can only call `unknown`).
fn untyped(schema: &Value) -> bool {
    let Some(m) = schema.as_mapping() else {
        return true;
    };
    let has = |k: &str| m.contains_key(Value::from(k));
    ![
        "$ref",
        "properties",
        "additionalProperties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "const",
    ]
    .iter()
    .any(|k| has(k))
        && (schema["type"] == "object" || !has("type"))
}

/// A client generated from openapi.yaml has a type for every answer and every
/// request body, knows which operations need a token, and sends no language
/// unless told to.
#[test]
fn openapi_types_every_body_and_states_every_operations_security() {
    let text = std::fs::read_to_string(root().join("openapi.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let resolve = |v: &Value| -> Value {
        match v["$ref"].as_str() {
            Some(r) => {
                let mut at = &spec;
                for part in r.trim_start_matches("#/").split('/') {
                    at = &at[part];
                }
                at.clone()
            }
            None => v.clone(),
        }
    };
    let mut faults = Vec::new();
    for (path, ops) in spec["paths"].as_mapping().unwrap() {
        let path = path.as_str().unwrap();
        for (method, op) in ops.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if method == "parameters" {
                for p in op.as_sequence().into_iter().flatten() {
                    let p = resolve(p);
                    if p["name"] == "Accept-Language" && p["schema"].get("default").is_some() {
                        faults.push(format!("{path}: Accept-Language has a default"));
                    }
                }
            }
            if !["get", "post", "put", "patch", "delete"].contains(&method) {
                continue;
            }
            let at = format!("{} {path}", method.to_uppercase());
            if op.get("security").is_none() {
                faults.push(format!("{at}: no security of its own"));
            }
            let bodies = op["responses"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter(|(code, _)| code.as_str().is_some_and(|c| c.starts_with('2')))
                .map(|(code, r)| (format!("{at} {}", code.as_str().unwrap()), resolve(r)))
                .chain(
                    op.get("requestBody")
                        .map(|b| (format!("{at} request body"), resolve(b))),
                );
            for (what, r) in bodies {
                for (media, content) in r["content"].as_mapping().into_iter().flatten() {
                    let media = media.as_str().unwrap();
                    if media.contains("json") && untyped(&content["schema"]) {
                        faults.push(format!("{what} ({media}): an untyped schema"));
                    }
                }
            }
            for p in op["parameters"].as_sequence().into_iter().flatten() {
                let p = resolve(p);
                if p["name"] == "Accept-Language" && p["schema"].get("default").is_some() {
                    faults.push(format!("{at}: Accept-Language has a default"));
                }
            }
        }
    }
    assert!(
        faults.is_empty(),
        "openapi.yaml:\n  {}",
        faults.join("\n  ")
    );
}
