//! The `etickets` function: virtual queues for municipal counters. Citizens take
//! a ticket for a service of an agency from their phone while it is open, see
//! how many people are ahead and how long the wait is (from real handling times;
//! 8 minutes a person until there are some), and are told when 2, 1 and 0 people
//! are ahead; staff at a counter call the next ticket, mark it served or absent
//! (an absent ticket may be recalled once), and turn a paper ticket from the
//! kiosk into an app ticket. Numbers restart each day, Tunis time.

mod agencies;
mod tickets;

use baladiya::config::{Aws, Config};
use baladiya::http::router::{Route, RouteMatch};
use baladiya::http::serve::Base;
use baladiya::http::{ApiError, RequestView};
use lambda_http::{Body, Response};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub base: Base,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            base: Base::new(config, aws)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    List,
    Best,
    Get,
    Put,
    Board,
    Take,
    Paper,
    Call,
    Ticket,
    Cancel,
    Status,
    Claim,
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against. Literal segments come
/// before `{agency}`.
pub static ROUTES: &[Route<Op>] = &[
    Route::get("/v1/municipalities/{m}/agencies", Op::List),
    Route::get("/v1/municipalities/{m}/agencies/best", Op::Best),
    Route::get("/v1/municipalities/{m}/agencies/{agency}", Op::Get),
    Route::put("/v1/municipalities/{m}/agencies/{agency}", Op::Put),
    Route::get("/v1/municipalities/{m}/agencies/{agency}/board", Op::Board),
    Route::post(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets",
        Op::Take,
    ),
    Route::post(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/paper-tickets",
        Op::Paper,
    ),
    Route::post(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/call",
        Op::Call,
    ),
    Route::get(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}",
        Op::Ticket,
    ),
    Route::delete(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}",
        Op::Cancel,
    ),
    Route::post(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}/status",
        Op::Status,
    ),
    Route::post(
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}/claim",
        Op::Claim,
    ),
];

baladiya::http_function!(Ctx, Op, ROUTES, dispatch);

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    let muni = m.municipality()?;
    let a = m.param("agency");
    let s = m.param("service");
    let n = m.param("number");
    match m.op {
        Op::List => agencies::list(ctx, view, &muni).await,
        Op::Best => agencies::best(ctx, view, &muni).await,
        Op::Get => agencies::get(ctx, view, &muni, a).await,
        Op::Put => agencies::put(ctx, view, &muni, a).await,
        Op::Board => agencies::board(ctx, view, &muni, a).await,
        Op::Take => tickets::take(ctx, view, &muni, a, s).await,
        Op::Paper => tickets::paper(ctx, view, &muni, a, s).await,
        Op::Call => tickets::call(ctx, view, &muni, a, s).await,
        Op::Ticket => tickets::get(ctx, view, &muni, a, s, n).await,
        Op::Cancel => tickets::cancel(ctx, view, &muni, a, s, n).await,
        Op::Status => tickets::status(ctx, view, &muni, a, s, n).await,
        Op::Claim => tickets::claim(ctx, view, &muni, a, s, n).await,
    }
}
