//! The `municipalities` function: the catalogue of municipalities and the
//! services each offers (public), their administration (platform administrators
//! and municipal administrators), and each municipality's staff.
//!
//! Handlers are thin: parse the request into typed values, ask the domain whether
//! the caller may act, then read or write through the store.

mod municipalities;
mod staff;
mod views;

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
    ListGovernorates,
    ListMunicipalities,
    CreateMunicipality,
    GetMunicipality,
    UpdateMunicipality,
    ListStaff,
    AddStaff,
    GetStaff,
    UpdateStaff,
    RemoveStaff,
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against.
pub static ROUTES: &[Route<Op>] = &[
    Route::get("/v1/governorates", Op::ListGovernorates),
    Route::get("/v1/municipalities", Op::ListMunicipalities),
    Route::post("/v1/municipalities", Op::CreateMunicipality),
    Route::get("/v1/municipalities/{m}", Op::GetMunicipality),
    Route::patch("/v1/municipalities/{m}", Op::UpdateMunicipality),
    Route::get("/v1/municipalities/{m}/staff", Op::ListStaff),
    Route::post("/v1/municipalities/{m}/staff", Op::AddStaff),
    Route::get("/v1/municipalities/{m}/staff/{user}", Op::GetStaff),
    Route::patch("/v1/municipalities/{m}/staff/{user}", Op::UpdateStaff),
    Route::delete("/v1/municipalities/{m}/staff/{user}", Op::RemoveStaff),
];

baladiya::http_function!(Ctx, Op, ROUTES, dispatch);

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    let muni = || m.municipality();
    match m.op {
        Op::ListGovernorates => municipalities::list_governorates(view),
        Op::ListMunicipalities => municipalities::list(ctx, view).await,
        Op::CreateMunicipality => municipalities::create(ctx, view).await,
        Op::GetMunicipality => municipalities::get(ctx, view, &muni()?).await,
        Op::UpdateMunicipality => municipalities::update(ctx, view, &muni()?).await,
        Op::ListStaff => staff::list(ctx, view, &muni()?).await,
        Op::AddStaff => staff::add(ctx, view, &muni()?).await,
        Op::GetStaff => staff::get(ctx, view, &muni()?, m.param("user")).await,
        Op::UpdateStaff => staff::update(ctx, view, &muni()?, m.param("user")).await,
        Op::RemoveStaff => staff::remove(ctx, view, &muni()?, m.param("user")).await,
    }
}

/// `limit` and `cursor` query parameters of a list endpoint.
pub(crate) fn paging(
    ctx: &Ctx,
    query: &std::collections::HashMap<String, String>,
    scope: &str,
    max: i32,
) -> Result<(i32, Option<baladiya::http::cursor::PageKey>), ApiError> {
    baladiya::http::paging::paging(&ctx.cursors, query, scope, max)
}

pub(crate) use baladiya::http::paging::request_fingerprint;
