//! The `open311` function: a GeoReport v2 server per municipality at
//! `/open311/v2/{m}/`, over its complaints, with mySociety's
//! `servicerequestupdates` so that FixMyStreet can pull state changes; and, under
//! `/v1`, the API keys its staff issue to the clients that post requests.
//!
//! Open311 answers use the specification's formats (`.xml`, `.json`) and its
//! error documents; the `/v1` key endpoints answer like the rest of our API.

mod doc;
mod georeport;
mod keys;

use std::time::Instant;

use baladiya::config::{Aws, Config};
use baladiya::domain::open311::Format;
use baladiya::domain::{GeoBounds, MunicipalityId};
use baladiya::http::router::{self, Route};
use baladiya::http::{RequestView, TokenVerifier};
use baladiya::store::Store;
use lambda_http::{Body, Request, Response};

pub use doc::{Node, render};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub geo: GeoBounds,
    /// `BALADIYA_PUBLIC_URL`: the API's public base URL (a custom domain, a
    /// base path), for the discovery document; else taken from the request.
    pub public_url: Option<String>,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            geo: config.geo_bounds,
            public_url: std::env::var("BALADIYA_PUBLIC_URL")
                .ok()
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Discovery(Format),
    Services(Format),
    /// `services/{service_code}.<format>`
    ServiceDefinition,
    Requests(Format),
    Create(Format),
    /// `requests/{service_request_id}.<format>`
    Request,
    /// `tokens/{token_id}.<format>`
    Token,
    Updates(Format),
    Keys,
    IssueKey,
    RevokeKey,
}

const fn get(path: &'static str, op: Op) -> Route<Op> {
    Route {
        method: "GET",
        path,
        op,
    }
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against.
pub static ROUTES: &[Route<Op>] = &[
    get("/open311/v2/{m}/discovery.xml", Op::Discovery(Format::Xml)),
    get(
        "/open311/v2/{m}/discovery.json",
        Op::Discovery(Format::Json),
    ),
    get("/open311/v2/{m}/services.xml", Op::Services(Format::Xml)),
    get("/open311/v2/{m}/services.json", Op::Services(Format::Json)),
    get(
        "/open311/v2/{m}/services/{service_code}",
        Op::ServiceDefinition,
    ),
    get("/open311/v2/{m}/requests.xml", Op::Requests(Format::Xml)),
    get("/open311/v2/{m}/requests.json", Op::Requests(Format::Json)),
    Route {
        method: "POST",
        path: "/open311/v2/{m}/requests.xml",
        op: Op::Create(Format::Xml),
    },
    Route {
        method: "POST",
        path: "/open311/v2/{m}/requests.json",
        op: Op::Create(Format::Json),
    },
    get("/open311/v2/{m}/requests/{service_request_id}", Op::Request),
    get("/open311/v2/{m}/tokens/{token_id}", Op::Token),
    get(
        "/open311/v2/{m}/servicerequestupdates.xml",
        Op::Updates(Format::Xml),
    ),
    get(
        "/open311/v2/{m}/servicerequestupdates.json",
        Op::Updates(Format::Json),
    ),
    get("/v1/municipalities/{m}/open311-keys", Op::Keys),
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/open311-keys",
        op: Op::IssueKey,
    },
    Route {
        method: "DELETE",
        path: "/v1/municipalities/{m}/open311-keys/{id}",
        op: Op::RevokeKey,
    },
];

/// Serve one request. Never fails: every error becomes an answer in the
/// caller's format (Open311 `errors`, or problem+json under `/v1`).
pub async fn handle(ctx: &Ctx, req: Request) -> Response<Body> {
    let started = Instant::now();
    let view = RequestView::new(&req);
    // HEAD is a GET without the body (HTTP): same status and headers.
    let head = view.method().eq_ignore_ascii_case("HEAD");
    let method = if head { "GET" } else { view.method() };
    let matched = router::route(ROUTES, method, view.path());
    let route = matched.as_ref().map_or("unmatched", |m| m.template);
    let response = match matched {
        Ok(m) => dispatch(ctx, &view, &req, m).await,
        Err(e) if view.path().starts_with("/open311/") => {
            georeport::Failure::from_route(e).respond(georeport::format_of_path(view.path()))
        }
        Err(e) => e.into_response(view.lang),
    };
    router::log_request(view.method(), route, response.status(), started);
    if head {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, Body::Empty);
    }
    response
}

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: router::RouteMatch<Op>,
) -> Response<Body> {
    let muni = MunicipalityId::parse(m.param("m")).ok();
    let key_api = |r: Result<Response<Body>, baladiya::http::ApiError>| {
        r.unwrap_or_else(|e| e.into_response(view.lang))
    };
    match m.op {
        Op::Keys => key_api(keys::list(ctx, view, muni).await),
        Op::IssueKey => key_api(keys::issue(ctx, view, muni).await),
        Op::RevokeKey => key_api(keys::revoke(ctx, view, muni, m.param("id")).await),
        op => georeport::serve(ctx, view, req, muni, op, &m).await,
    }
}
