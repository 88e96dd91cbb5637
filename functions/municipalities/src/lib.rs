//! The `municipalities` function: the catalogue of municipalities and the
//! services each offers (public), their administration (platform administrators
//! and municipal administrators), and each municipality's staff.
//!
//! Handlers are thin: parse the request into typed values, ask the domain whether
//! the caller may act, then read or write through the store.

mod municipalities;
mod staff;
mod views;

use baladiya::http::router::RouteMatch;
use baladiya::http::{Answer, ApiError, RequestView};

baladiya::context!();

baladiya::routes! {
    Ctx => dispatch;
    ListGovernorates: get "/v1/governorates",
    ListMunicipalities: get "/v1/municipalities",
    CreateMunicipality: post "/v1/municipalities",
    GetMunicipality: get "/v1/municipalities/{m}",
    UpdateMunicipality: patch "/v1/municipalities/{m}",
    ListStaff: get "/v1/municipalities/{m}/staff",
    AddStaff: post "/v1/municipalities/{m}/staff",
    GetStaff: get "/v1/municipalities/{m}/staff/{user}",
    UpdateStaff: patch "/v1/municipalities/{m}/staff/{user}",
    RemoveStaff: delete "/v1/municipalities/{m}/staff/{user}",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
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
