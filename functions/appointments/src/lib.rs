//! The `appointments` function: meeting municipal staff. Staff with
//! `appointments` publish a host's availability (slot length, capacity per
//! slot, the opening hours of one of the municipality's offices minus public
//! holidays and closures, minimum notice, how far ahead); a citizen books a
//! slot with a reason (and documents), moves or cancels it; staff accept or
//! refuse where the host wants approval, check the person in, and mark the
//! visit attended or missed; the scheduler reminds the person 24 hours and
//! 2 hours before. Each appointment is a case of the one lifecycle.

mod bookings;
mod hosts;
mod views;

use baladiya::cases::Cases;
use baladiya::http::Answer;
use baladiya::http::RequestView;
pub use baladiya::http::public_url::PublicUrl;
use baladiya::http::router::RouteMatch;

baladiya::context! {
    /// The case flow, and the appointments' documents.
    cases: Cases,
    public_url: PublicUrl,
}

baladiya::routes! {
    Ctx => dispatch;
    Hosts: get "/v1/municipalities/{m}/appointment-hosts",
    Host: get "/v1/municipalities/{m}/appointment-hosts/{host}",
    PutHost: put "/v1/municipalities/{m}/appointment-hosts/{host}",
    Slots: get "/v1/municipalities/{m}/appointment-hosts/{host}/slots",
    Book: post "/v1/municipalities/{m}/appointments",
    Mine: get "/v1/municipalities/{m}/appointments/mine",
    Day: get "/v1/municipalities/{m}/appointments/day",
    Get: get "/v1/municipalities/{m}/appointments/{id}",
    Transition: post "/v1/municipalities/{m}/appointments/{id}/transitions",
    Move: post "/v1/municipalities/{m}/appointments/{id}/move",
    Document: post "/v1/municipalities/{m}/appointments/{id}/documents",
    Ics: get "/v1/municipalities/{m}/appointments/{id}/calendar.ics",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    match m.op {
        Op::Hosts => hosts::list(ctx, view, &muni).await,
        Op::Host => hosts::get(ctx, view, &muni, m.param("host")).await,
        Op::PutHost => hosts::put(ctx, view, &muni, m.param("host")).await,
        Op::Slots => hosts::slots(ctx, view, &muni, m.param("host")).await,
        Op::Book => bookings::book(ctx, view, &muni).await,
        Op::Mine => bookings::mine(ctx, view, &muni).await,
        Op::Day => bookings::day(ctx, view, &muni).await,
        Op::Get => bookings::get(ctx, view, &muni, m.param("id")).await,
        Op::Transition => bookings::transition(ctx, view, &muni, m.param("id")).await,
        Op::Move => bookings::move_to(ctx, view, &muni, m.param("id")).await,
        Op::Document => bookings::document(ctx, view, &muni, m.param("id")).await,
        Op::Ics => bookings::ics(ctx, view, &muni, m.param("id")).await,
    }
}
