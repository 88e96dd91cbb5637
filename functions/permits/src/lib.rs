//! The `permits` function: permit dossiers (building, subdivision, connections…).
//! Staff register a dossier deposited at the counter, or a citizen submits one
//! from the app; each gets a reference number per municipality and year. Staff
//! move it through its stages with a note, its holder follows it by reference and
//! national ID (kept only as a keyed digest) and is told of every stage, documents
//! go straight to S3, and the municipality publishes its dossiers as BLDS open
//! data.
//!
//! Handlers are thin: parse into typed values, ask the domain (`domain::permit`,
//! `domain::workflow`, `domain::roles`), read or write through the store.

mod dossier;
mod export;
mod permits;
mod views;

use std::time::Instant;

use baladiya::config::{Aws, Config};
use baladiya::domain::{GeoBounds, MunicipalityId};
use baladiya::files::Files;
use baladiya::http::router::{self, Route};
use baladiya::http::{ApiError, CursorCodec, RequestView, TokenVerifier};
use baladiya::store::Store;
use lambda_http::{Body, Request, Response};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub cursors: CursorCodec,
    pub geo: GeoBounds,
    pub files: Files,
    /// `BALADIYA_ATTACHMENTS_BUCKET`: the dossiers' documents.
    pub bucket: Option<String>,
    /// `BALADIYA_DOCUMENTS_BUCKET`: published documents (the open-data export).
    pub documents: Option<String>,
    /// `BALADIYA_NATIONAL_ID_KEY`: the key of the national IDs' digests, this
    /// function's alone (a secret: never printed).
    national_id_key: Vec<u8>,
}

impl Ctx {
    /// Clients and settings, from the environment of the function.
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, lambda_http::Error> {
        let national_id_key = baladiya::config::key_from_env("BALADIYA_NATIONAL_ID_KEY")?;
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            cursors: CursorCodec::new(&config.cursor_key),
            geo: config.geo_bounds,
            files: Files::new(aws.s3()),
            bucket: config.attachments_bucket.clone(),
            documents: config.documents_bucket.clone(),
            national_id_key,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    List,
    Create,
    Mine,
    Follow,
    Export,
    Get,
    Transition,
    Document,
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against. Literal segments come
/// before `{id}`: the first match wins.
pub static ROUTES: &[Route<Op>] = &[
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/permits",
        op: Op::List,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/permits",
        op: Op::Create,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/permits/mine",
        op: Op::Mine,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/permits/follow",
        op: Op::Follow,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/permits/exports",
        op: Op::Export,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/permits/{id}",
        op: Op::Get,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/permits/{id}/transitions",
        op: Op::Transition,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/permits/{id}/documents",
        op: Op::Document,
    },
];

/// Serve one request. Never fails: every error becomes a problem+json answer.
pub async fn handle(ctx: &Ctx, req: Request) -> Response<Body> {
    let started = Instant::now();
    let view = RequestView::new(&req);
    let matched = router::route(ROUTES, view.method(), view.path());
    let route = matched.as_ref().map_or("unmatched", |m| m.template);
    let result = match matched {
        Ok(m) => dispatch(ctx, &view, &req, m).await,
        Err(e) => Err(e),
    };
    let response = result.unwrap_or_else(|e| e.into_response(view.lang));
    router::log_request(view.method(), route, response.status(), started);
    response
}

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: router::RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    // A path's municipality that is not even a valid slug cannot exist.
    let muni = MunicipalityId::parse(m.param("m")).map_err(|_| ApiError::not_found())?;
    match m.op {
        Op::List => permits::list(ctx, view, &muni).await,
        Op::Create => permits::create(ctx, view, req, &muni).await,
        Op::Mine => permits::mine(ctx, view, &muni).await,
        Op::Follow => permits::follow(ctx, view, &muni).await,
        Op::Export => export::export(ctx, view, &muni).await,
        Op::Get => permits::get(ctx, view, &muni, m.param("id")).await,
        Op::Transition => permits::transition(ctx, view, &muni, m.param("id")).await,
        Op::Document => permits::document(ctx, view, &muni, m.param("id")).await,
    }
}
