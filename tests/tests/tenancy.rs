//! One tenancy rule, for every function: staff of another municipality find
//! nothing of a municipality's under `/v1/municipalities/{m}` (404 `not_found`),
//! whatever they ask: reads, the citizen routes (file, follow, support, take a
//! ticket, claim a paper ticket) and the staff routes, before any body is read.
//! The routes come from each function's own `ROUTES`, so a new route is tested
//! as soon as it is declared. Against the running local stack.

use baladiya::domain::Permission;
use baladiya::http::Route;
use baladiya_tests::*;
use serde_json::json;

/// `(method, path)` of every route of `routes` under `/v1/municipalities/{m}`.
fn under_m<Op>(routes: &[Route<Op>]) -> Vec<(&'static str, &'static str)> {
    routes
        .iter()
        .filter(|r| r.path.starts_with("/v1/municipalities/{m}"))
        .map(|r| (r.method, r.path))
        .collect()
}

/// The path with `{m}` for `m` and every other parameter filled in.
fn concrete(path: &str, m: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{m}" => m,
            s if s.starts_with('{') => "x1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn staff_of_another_municipality_get_404_on_every_route() {
    let api = Api::from_env();
    let m = new_municipality(&api, "tenancy").await;
    let outsider = staff("another-town", None, &Permission::ALL);
    let routes = [
        under_m(complaints::ROUTES),
        under_m(permits::ROUTES),
        under_m(info_requests::ROUTES),
        under_m(etickets::ROUTES),
        under_m(municipalities::ROUTES),
        under_m(open311::ROUTES),
    ]
    .concat();
    assert!(routes.len() > 40, "{} routes", routes.len());
    let mut wrong = Vec::new();
    for (method, path) in routes {
        let url = format!("{}{}", api.base, concrete(path, &m));
        let method = http::Method::from_bytes(method.as_bytes()).unwrap();
        let req = api
            .http
            .request(method.clone(), url)
            .bearer_auth(&outsider)
            .json(&json!({}));
        let a = send(req).await;
        if a.status != 404 || a.body["code"] != "not_found" {
            wrong.push(format!("{method} {path}: {} {}", a.status, a.body));
        }
    }
    assert!(wrong.is_empty(), "not 404:\n{}", wrong.join("\n"));
}
