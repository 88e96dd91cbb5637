//! The `info-requests` function: access-to-information requests under
//! Tunisia's organic law 2016-22. A citizen asks; the legal deadline is computed
//! (and explained) in Africa/Tunis time with working days and the public-holiday
//! table; staff work from a queue ordered by deadline, answer with documents,
//! extend once, refuse on a legal ground or redirect; the requester may appeal
//! to the head of the body; answered requests whose requester agreed are
//! published in a register. Also the holiday table itself (`/v1/holidays`), and
//! the staff's reminders the scheduler writes (files due soon, overdue).

mod holidays;
mod requests;
mod views;

use std::time::Instant;

use baladiya::config::{Aws, Config};
use baladiya::domain::MunicipalityId;
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
    pub files: Files,
    /// `BALADIYA_ATTACHMENTS_BUCKET`: the answers' documents.
    pub bucket: Option<String>,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            cursors: CursorCodec::new(&config.cursor_key),
            files: Files::new(aws.s3()),
            bucket: config.attachments_bucket.clone(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Holidays,
    PutHoliday,
    DeleteHoliday,
    Create,
    Queue,
    Mine,
    Register,
    Get,
    Transition,
    Document,
    Reminders,
}

const fn route(method: &'static str, path: &'static str, op: Op) -> Route<Op> {
    Route { method, path, op }
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against. Literal segments come
/// before `{id}`.
pub static ROUTES: &[Route<Op>] = &[
    route("GET", "/v1/holidays", Op::Holidays),
    route("PUT", "/v1/holidays/{date}", Op::PutHoliday),
    route("DELETE", "/v1/holidays/{date}", Op::DeleteHoliday),
    route("POST", "/v1/municipalities/{m}/info-requests", Op::Create),
    route("GET", "/v1/municipalities/{m}/info-requests", Op::Queue),
    route("GET", "/v1/municipalities/{m}/info-requests/mine", Op::Mine),
    route(
        "GET",
        "/v1/municipalities/{m}/info-requests/register",
        Op::Register,
    ),
    route("GET", "/v1/municipalities/{m}/info-requests/{id}", Op::Get),
    route(
        "POST",
        "/v1/municipalities/{m}/info-requests/{id}/transitions",
        Op::Transition,
    ),
    route(
        "POST",
        "/v1/municipalities/{m}/info-requests/{id}/documents",
        Op::Document,
    ),
    route("GET", "/v1/municipalities/{m}/reminders", Op::Reminders),
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
    match m.op {
        Op::Holidays => return holidays::list(ctx, view).await,
        Op::PutHoliday => return holidays::put(ctx, view, m.param("date")).await,
        Op::DeleteHoliday => return holidays::delete(ctx, view, m.param("date")).await,
        _ => {}
    }
    let muni = MunicipalityId::parse(m.param("m")).map_err(|_| ApiError::not_found())?;
    match m.op {
        Op::Create => requests::create(ctx, view, req, &muni).await,
        Op::Queue => requests::queue(ctx, view, &muni).await,
        Op::Mine => requests::mine(ctx, view, &muni).await,
        Op::Register => requests::register(ctx, view, &muni).await,
        Op::Get => requests::get(ctx, view, &muni, m.param("id")).await,
        Op::Transition => requests::transition(ctx, view, &muni, m.param("id")).await,
        Op::Document => requests::document(ctx, view, &muni, m.param("id")).await,
        Op::Reminders => requests::reminders(ctx, view, &muni).await,
        Op::Holidays | Op::PutHoliday | Op::DeleteHoliday => Err(ApiError::not_found()),
    }
}
