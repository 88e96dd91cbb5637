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

use baladiya::cases::Cases;
use baladiya::config::{Aws, Config};
use baladiya::http::router::{Route, RouteMatch};
use baladiya::http::serve::Base;
use baladiya::http::{ApiError, RequestView};
use lambda_http::{Body, Response};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub base: Base,
    /// The case flow, and the answers' documents (`BALADIYA_ATTACHMENTS_BUCKET`).
    pub cases: Cases,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            base: Base::new(config, aws)?,
            cases: Cases::new(config, aws),
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

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against. Literal segments come
/// before `{id}`.
pub static ROUTES: &[Route<Op>] = &[
    Route::get("/v1/holidays", Op::Holidays),
    Route::put("/v1/holidays/{date}", Op::PutHoliday),
    Route::delete("/v1/holidays/{date}", Op::DeleteHoliday),
    Route::post("/v1/municipalities/{m}/info-requests", Op::Create),
    Route::get("/v1/municipalities/{m}/info-requests", Op::Queue),
    Route::get("/v1/municipalities/{m}/info-requests/mine", Op::Mine),
    Route::get(
        "/v1/municipalities/{m}/info-requests/register",
        Op::Register,
    ),
    Route::get("/v1/municipalities/{m}/info-requests/{id}", Op::Get),
    Route::post(
        "/v1/municipalities/{m}/info-requests/{id}/transitions",
        Op::Transition,
    ),
    Route::post(
        "/v1/municipalities/{m}/info-requests/{id}/documents",
        Op::Document,
    ),
    Route::get("/v1/municipalities/{m}/reminders", Op::Reminders),
];

baladiya::http_function!(Ctx, Op, ROUTES, dispatch);

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    match m.op {
        Op::Holidays => return holidays::list(ctx, view).await,
        Op::PutHoliday => return holidays::put(ctx, view, m.param("date")).await,
        Op::DeleteHoliday => return holidays::delete(ctx, view, m.param("date")).await,
        _ => {}
    }
    let muni = m.municipality()?;
    match m.op {
        Op::Create => requests::create(ctx, view, &muni).await,
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
