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
use baladiya::domain::complaint::Complaint;
use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;

baladiya::context! {
    /// The case flow, and the photos (`BALADIYA_ATTACHMENTS_BUCKET`, uploads
    /// under `tmp/`).
    cases: Cases,
}

baladiya::routes! {
    Ctx => dispatch;
    Categories: get "/v1/municipalities/{m}/complaint-categories",
    PutCategory: put "/v1/municipalities/{m}/complaint-categories/{code}",
    Areas: get "/v1/municipalities/{m}/areas",
    PutArea: put "/v1/municipalities/{m}/areas/{code}",
    List: get "/v1/municipalities/{m}/complaints",
    Create: post "/v1/municipalities/{m}/complaints",
    Nearby: get "/v1/municipalities/{m}/complaints/nearby",
    Mine: get "/v1/municipalities/{m}/complaints/mine",
    Followed: get "/v1/municipalities/{m}/complaints/followed",
    Inbox: get "/v1/municipalities/{m}/complaints/inbox",
    Counts: get "/v1/municipalities/{m}/complaints/inbox/counts",
    ByReference: get "/v1/municipalities/{m}/complaints/by-reference/{reference}",
    Get: get "/v1/municipalities/{m}/complaints/{id}",
    Follow: put "/v1/municipalities/{m}/complaints/{id}/follow",
    Unfollow: delete "/v1/municipalities/{m}/complaints/{id}/follow",
    Support: post "/v1/municipalities/{m}/complaints/{id}/support",
    Attach: post "/v1/municipalities/{m}/complaints/{id}/attachments",
    Assign: post "/v1/municipalities/{m}/complaints/{id}/assignment",
    Moderate: post "/v1/municipalities/{m}/complaints/{id}/moderation",
    Transition: post "/v1/municipalities/{m}/complaints/{id}/transitions",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
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
        Op::Inbox => complaints::inbox(ctx, view, &muni).await,
        Op::Counts => ctx.cases.counts::<Complaint>(ctx, view, &muni).await,
        Op::ByReference => complaints::by_reference(ctx, view, &muni, m.param("reference")).await,
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
