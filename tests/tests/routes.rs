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

/// Every function of the template, by the binary its CodeUri names.
fn template_functions() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let t: Value = serde_yaml::from_str(&text).unwrap();
    t["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Serverless::Function")
        .map(|r| {
            r["Properties"]["CodeUri"]
                .as_str()
                .unwrap()
                .trim_end_matches('/')
                .trim_start_matches("target/lambda/")
                .to_owned()
        })
        .collect()
}

fn template_routes() -> RouteSet {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let t: Value = serde_yaml::from_str(&text).unwrap();
    let mut out = RouteSet::new();
    for (_, res) in t["Resources"].as_mapping().unwrap() {
        if res["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let code_uri = res["Properties"]["CodeUri"].as_str().expect("CodeUri");
        let function = code_uri
            .trim_end_matches('/')
            .strip_prefix("target/lambda/")
            .expect("CodeUri is target/lambda/<binary>/")
            .to_owned();
        let Some(events) = res["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (_, e) in events {
            if e["Type"] == "HttpApi" {
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
