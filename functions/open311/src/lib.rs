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

use baladiya::config::{Aws, Config};
use baladiya::domain::MunicipalityId;
use baladiya::domain::open311::Format;
use baladiya::http::Answer;
use baladiya::http::router::{Route, RouteMatch};
use baladiya::http::serve::Base;
use baladiya::http::{ApiError, RequestView};
use lambda_http::{Body, Response};

pub use doc::{Node, render};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub base: Base,
    /// `BALADIYA_PUBLIC_URL`: the API's public base URL (a custom domain, a
    /// base path), for the discovery document; else taken from the request.
    pub public_url: Option<String>,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            base: Base::new(config, aws)?,
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

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against.
pub static ROUTES: &[Route<Op>] = &[
    Route::get("/open311/v2/{m}/discovery.xml", Op::Discovery(Format::Xml)),
    Route::get(
        "/open311/v2/{m}/discovery.json",
        Op::Discovery(Format::Json),
    ),
    Route::get("/open311/v2/{m}/services.xml", Op::Services(Format::Xml)),
    Route::get("/open311/v2/{m}/services.json", Op::Services(Format::Json)),
    Route::get(
        "/open311/v2/{m}/services/{service_code}",
        Op::ServiceDefinition,
    ),
    Route::get("/open311/v2/{m}/requests.xml", Op::Requests(Format::Xml)),
    Route::get("/open311/v2/{m}/requests.json", Op::Requests(Format::Json)),
    Route::post("/open311/v2/{m}/requests.xml", Op::Create(Format::Xml)),
    Route::post("/open311/v2/{m}/requests.json", Op::Create(Format::Json)),
    Route::get("/open311/v2/{m}/requests/{service_request_id}", Op::Request),
    Route::get("/open311/v2/{m}/tokens/{token_id}", Op::Token),
    Route::get(
        "/open311/v2/{m}/servicerequestupdates.xml",
        Op::Updates(Format::Xml),
    ),
    Route::get(
        "/open311/v2/{m}/servicerequestupdates.json",
        Op::Updates(Format::Json),
    ),
    Route::get("/v1/municipalities/{m}/open311-keys", Op::Keys),
    Route::post("/v1/municipalities/{m}/open311-keys", Op::IssueKey),
    Route::delete("/v1/municipalities/{m}/open311-keys/{id}", Op::RevokeKey),
];

baladiya::http_function!(Ctx, Op, ROUTES, dispatch, refuse = refuse);

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = MunicipalityId::parse(m.param("m")).ok();
    match m.op {
        Op::Keys => keys::list(ctx, view, muni).await,
        Op::IssueKey => keys::issue(ctx, view, muni).await,
        Op::RevokeKey => keys::revoke(ctx, view, muni, m.param("id")).await,
        op => Ok(georeport::serve(ctx, view, muni, op, &m).await),
    }
}

/// Errors in the caller's format: Open311 `errors` under `/open311/`,
/// problem+json under `/v1`.
fn refuse(view: &RequestView<'_>, e: ApiError) -> Response<Body> {
    if view.path().starts_with("/open311/") {
        georeport::Failure::from_route(e).respond(georeport::format_of_path(view.path()))
    } else {
        e.into_response(view.lang)
    }
}
