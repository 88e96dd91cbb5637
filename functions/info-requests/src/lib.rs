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
use baladiya::domain::info_request::InfoRequest;
use baladiya::http::Answer;
use baladiya::http::router::RouteMatch;
use baladiya::http::{ApiError, RequestView};

baladiya::context! {
    /// The case flow, and the answers' documents (`BALADIYA_ATTACHMENTS_BUCKET`).
    cases: Cases,
}

baladiya::routes! {
    Ctx => dispatch;
    Holidays: get "/v1/holidays",
    PutHoliday: put "/v1/holidays/{date}",
    DeleteHoliday: delete "/v1/holidays/{date}",
    Create: post "/v1/municipalities/{m}/info-requests",
    Queue: get "/v1/municipalities/{m}/info-requests",
    Mine: get "/v1/municipalities/{m}/info-requests/mine",
    Register: get "/v1/municipalities/{m}/info-requests/register",
    Inbox: get "/v1/municipalities/{m}/info-requests/inbox",
    Counts: get "/v1/municipalities/{m}/info-requests/inbox/counts",
    ByReference: get "/v1/municipalities/{m}/info-requests/by-reference/{reference}",
    Get: get "/v1/municipalities/{m}/info-requests/{id}",
    Transition: post "/v1/municipalities/{m}/info-requests/{id}/transitions",
    Document: post "/v1/municipalities/{m}/info-requests/{id}/documents",
    Reminders: get "/v1/municipalities/{m}/reminders",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
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
        Op::Inbox => requests::inbox(ctx, view, &muni).await,
        Op::Counts => ctx.cases.counts::<InfoRequest>(ctx, view, &muni).await,
        Op::ByReference => requests::by_reference(ctx, view, &muni, m.param("reference")).await,
        Op::Register => requests::register(ctx, view, &muni).await,
        Op::Get => requests::get(ctx, view, &muni, m.param("id")).await,
        Op::Transition => requests::transition(ctx, view, &muni, m.param("id")).await,
        Op::Document => requests::document(ctx, view, &muni, m.param("id")).await,
        Op::Reminders => requests::reminders(ctx, view, &muni).await,
        Op::Holidays | Op::PutHoliday | Op::DeleteHoliday => Err(ApiError::not_found()),
    }
}
