//! The `etickets` function: virtual queues for municipal counters. Citizens take
//! a ticket for a service of an agency from their phone while it is open, see
//! how many people are ahead and how long the wait is (from real handling times;
//! 8 minutes a person until there are some), and are told when 2, 1 and 0 people
//! are ahead; staff at a counter call the next ticket, mark it served or absent
//! (an absent ticket may be recalled once), and turn a paper ticket from the
//! kiosk into an app ticket. Numbers restart each day, Tunis time.

mod agencies;
mod tickets;

use std::time::Instant;

use baladiya::config::{Aws, Config};
use baladiya::domain::{GeoBounds, MunicipalityId};
use baladiya::http::router::{self, Route};
use baladiya::http::{ApiError, RequestView, TokenVerifier};
use baladiya::store::Store;
use lambda_http::{Body, Request, Response};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub geo: GeoBounds,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            geo: config.geo_bounds,
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

const fn route(method: &'static str, path: &'static str, op: Op) -> Route<Op> {
    Route { method, path, op }
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against. Literal segments come
/// before `{agency}`.
pub static ROUTES: &[Route<Op>] = &[
    route("GET", "/v1/municipalities/{m}/agencies", Op::List),
    route("GET", "/v1/municipalities/{m}/agencies/best", Op::Best),
    route("GET", "/v1/municipalities/{m}/agencies/{agency}", Op::Get),
    route("PUT", "/v1/municipalities/{m}/agencies/{agency}", Op::Put),
    route(
        "GET",
        "/v1/municipalities/{m}/agencies/{agency}/board",
        Op::Board,
    ),
    route(
        "POST",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets",
        Op::Take,
    ),
    route(
        "POST",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/paper-tickets",
        Op::Paper,
    ),
    route(
        "POST",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/call",
        Op::Call,
    ),
    route(
        "GET",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}",
        Op::Ticket,
    ),
    route(
        "DELETE",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}",
        Op::Cancel,
    ),
    route(
        "POST",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}/status",
        Op::Status,
    ),
    route(
        "POST",
        "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}/claim",
        Op::Claim,
    ),
];

/// Serve one request. Never fails: every error becomes a problem+json answer.
pub async fn handle(ctx: &Ctx, req: Request) -> Response<Body> {
    let started = Instant::now();
    let view = RequestView::new(&req);
    let matched = router::route(ROUTES, view.method(), view.path());
    let route = matched.as_ref().map_or("unmatched", |m| m.template);
    let result = match matched {
        Ok(m) => dispatch(ctx, &view, m).await,
        Err(e) => Err(e),
    };
    let response = result.unwrap_or_else(|e| e.into_response(view.lang));
    router::log_request(view.method(), route, response.status(), started);
    response
}

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: router::RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    let muni = MunicipalityId::parse(m.param("m")).map_err(|_| ApiError::not_found())?;
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
