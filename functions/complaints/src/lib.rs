//! The `complaints` function: citizens report a problem in their municipality
//! (category, description, location), see whether it was already reported nearby,
//! and follow it; staff move it through the complaint workflow with notes.
//!
//! Handlers are thin: parse into typed values, ask the domain (`domain::complaint`,
//! `domain::workflow`, `domain::roles`), read or write through the store.

mod categories;
mod complaints;
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
    /// The case flow, and the photos (`BALADIYA_ATTACHMENTS_BUCKET`, uploads
    /// under `tmp/`).
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
    Categories,
    PutCategory,
    Areas,
    PutArea,
    List,
    Create,
    Nearby,
    Mine,
    Followed,
    Get,
    Transition,
    Follow,
    Unfollow,
    Support,
    Attach,
    Assign,
    Moderate,
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against. Literal segments come
/// before `{id}`: the first match wins.
pub static ROUTES: &[Route<Op>] = &[
    Route::get(
        "/v1/municipalities/{m}/complaint-categories",
        Op::Categories,
    ),
    Route::put(
        "/v1/municipalities/{m}/complaint-categories/{code}",
        Op::PutCategory,
    ),
    Route::get("/v1/municipalities/{m}/areas", Op::Areas),
    Route::put("/v1/municipalities/{m}/areas/{code}", Op::PutArea),
    Route::get("/v1/municipalities/{m}/complaints", Op::List),
    Route::post("/v1/municipalities/{m}/complaints", Op::Create),
    Route::get("/v1/municipalities/{m}/complaints/nearby", Op::Nearby),
    Route::get("/v1/municipalities/{m}/complaints/mine", Op::Mine),
    Route::get("/v1/municipalities/{m}/complaints/followed", Op::Followed),
    Route::get("/v1/municipalities/{m}/complaints/{id}", Op::Get),
    Route::put("/v1/municipalities/{m}/complaints/{id}/follow", Op::Follow),
    Route::delete(
        "/v1/municipalities/{m}/complaints/{id}/follow",
        Op::Unfollow,
    ),
    Route::post(
        "/v1/municipalities/{m}/complaints/{id}/support",
        Op::Support,
    ),
    Route::post(
        "/v1/municipalities/{m}/complaints/{id}/attachments",
        Op::Attach,
    ),
    Route::post(
        "/v1/municipalities/{m}/complaints/{id}/assignment",
        Op::Assign,
    ),
    Route::post(
        "/v1/municipalities/{m}/complaints/{id}/moderation",
        Op::Moderate,
    ),
    Route::post(
        "/v1/municipalities/{m}/complaints/{id}/transitions",
        Op::Transition,
    ),
];

baladiya::http_function!(Ctx, Op, ROUTES, dispatch);

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    let muni = m.municipality()?;
    match m.op {
        Op::Categories => categories::categories(ctx, view, &muni).await,
        Op::PutCategory => categories::put_category(ctx, view, &muni, m.param("code")).await,
        Op::Areas => categories::areas(ctx, view, &muni).await,
        Op::PutArea => categories::put_area(ctx, view, &muni, m.param("code")).await,
        Op::List => complaints::list(ctx, view, &muni).await,
        Op::Create => complaints::create(ctx, view, &muni).await,
        Op::Nearby => complaints::nearby(ctx, view, &muni).await,
        Op::Mine => complaints::mine(ctx, view, &muni).await,
        Op::Followed => complaints::followed(ctx, view, &muni).await,
        Op::Get => complaints::get(ctx, view, &muni, m.param("id")).await,
        Op::Follow => complaints::follow(ctx, view, &muni, m.param("id"), true).await,
        Op::Unfollow => complaints::follow(ctx, view, &muni, m.param("id"), false).await,
        Op::Support => complaints::support(ctx, view, &muni, m.param("id")).await,
        Op::Attach => complaints::attach(ctx, view, &muni, m.param("id")).await,
        Op::Assign => complaints::assign(ctx, view, &muni, m.param("id")).await,
        Op::Moderate => complaints::moderate(ctx, view, &muni, m.param("id")).await,
        Op::Transition => complaints::transition(ctx, view, &muni, m.param("id")).await,
    }
}

/// Serde's default for the flags that are on unless a client says otherwise.
fn yes() -> bool {
    true
}
