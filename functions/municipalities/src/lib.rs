//! The `municipalities` function: the catalogue of municipalities and the
//! services each offers (public), their administration (platform administrators
//! and municipal administrators), and each municipality's staff.
//!
//! Handlers are thin: parse the request into typed values, ask the domain whether
//! the caller may act, then read or write through the store.

mod municipalities;
mod staff;
mod views;

use std::time::Instant;

use baladiya::config::Config;
use baladiya::domain::{GeoBounds, MunicipalityId};
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
}

impl Ctx {
    pub fn new(
        config: &Config,
        db: aws_sdk_dynamodb::Client,
    ) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            store: Store::new(db, &config.table),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            cursors: CursorCodec::new(&config.cursor_key),
            geo: config.geo_bounds,
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
    Route {
        method: "GET",
        path: "/v1/governorates",
        op: Op::ListGovernorates,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities",
        op: Op::ListMunicipalities,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities",
        op: Op::CreateMunicipality,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}",
        op: Op::GetMunicipality,
    },
    Route {
        method: "PATCH",
        path: "/v1/municipalities/{m}",
        op: Op::UpdateMunicipality,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/staff",
        op: Op::ListStaff,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/staff",
        op: Op::AddStaff,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/staff/{user}",
        op: Op::GetStaff,
    },
    Route {
        method: "PATCH",
        path: "/v1/municipalities/{m}/staff/{user}",
        op: Op::UpdateStaff,
    },
    Route {
        method: "DELETE",
        path: "/v1/municipalities/{m}/staff/{user}",
        op: Op::RemoveStaff,
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
    let muni = || MunicipalityId::parse(m.param("m")).map_err(|_| ApiError::not_found());
    match m.op {
        Op::ListGovernorates => municipalities::list_governorates(view),
        Op::ListMunicipalities => municipalities::list(ctx, view).await,
        Op::CreateMunicipality => municipalities::create(ctx, view, req).await,
        Op::GetMunicipality => municipalities::get(ctx, view, &muni()?).await,
        Op::UpdateMunicipality => municipalities::update(ctx, view, &muni()?).await,
        Op::ListStaff => staff::list(ctx, view, &muni()?).await,
        Op::AddStaff => staff::add(ctx, view, req, &muni()?).await,
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
