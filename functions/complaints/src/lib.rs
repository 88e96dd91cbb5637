//! The `complaints` function: citizens report a problem in their municipality
//! (category, description, location), see whether it was already reported nearby,
//! and follow it; staff move it through the complaint workflow with notes.
//!
//! Handlers are thin: parse into typed values, ask the domain (`domain::complaint`,
//! `domain::workflow`, `domain::roles`), read or write through the store.

mod complaints;
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
    /// `BALADIYA_ATTACHMENTS_BUCKET`: photos (uploads under `tmp/`).
    pub bucket: Option<String>,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, baladiya::http::auth::TokenError> {
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            cursors: CursorCodec::new(&config.cursor_key),
            geo: config.geo_bounds,
            files: Files::new(aws.s3()),
            bucket: config.attachments_bucket.clone(),
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
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/complaint-categories",
        op: Op::Categories,
    },
    Route {
        method: "PUT",
        path: "/v1/municipalities/{m}/complaint-categories/{code}",
        op: Op::PutCategory,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/areas",
        op: Op::Areas,
    },
    Route {
        method: "PUT",
        path: "/v1/municipalities/{m}/areas/{code}",
        op: Op::PutArea,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/complaints",
        op: Op::List,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/complaints",
        op: Op::Create,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/complaints/nearby",
        op: Op::Nearby,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/complaints/mine",
        op: Op::Mine,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/complaints/followed",
        op: Op::Followed,
    },
    Route {
        method: "GET",
        path: "/v1/municipalities/{m}/complaints/{id}",
        op: Op::Get,
    },
    Route {
        method: "PUT",
        path: "/v1/municipalities/{m}/complaints/{id}/follow",
        op: Op::Follow,
    },
    Route {
        method: "DELETE",
        path: "/v1/municipalities/{m}/complaints/{id}/follow",
        op: Op::Unfollow,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/complaints/{id}/support",
        op: Op::Support,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/complaints/{id}/attachments",
        op: Op::Attach,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/complaints/{id}/assignment",
        op: Op::Assign,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/complaints/{id}/moderation",
        op: Op::Moderate,
    },
    Route {
        method: "POST",
        path: "/v1/municipalities/{m}/complaints/{id}/transitions",
        op: Op::Transition,
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
        Op::Categories => complaints::categories(ctx, view, &muni).await,
        Op::PutCategory => complaints::put_category(ctx, view, &muni, m.param("code")).await,
        Op::Areas => complaints::areas(ctx, view, &muni).await,
        Op::PutArea => complaints::put_area(ctx, view, &muni, m.param("code")).await,
        Op::List => complaints::list(ctx, view, &muni).await,
        Op::Create => complaints::create(ctx, view, req, &muni).await,
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
