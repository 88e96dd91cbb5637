//! The `events` function: the calendar of municipal activities. Staff with
//! `events` write events (a time in Africa/Tunis or whole days, a place, a
//! category, an organiser, a capacity), postpone or cancel them; anyone reads
//! them; a signed-in person marks one "interested" or "going" — a place, or a
//! turn on the waiting list, where places are counted — and is reminded the
//! day before. iCalendar feeds: the municipality's (its events, meetings,
//! tender and job deadlines, office closures, each kind on its own if asked),
//! a category's, a committee's, and one per event.

mod events;
mod feeds;
mod marks;

use baladiya::http::Answer;
use baladiya::http::RequestView;
pub use baladiya::http::public_url::PublicUrl;
use baladiya::http::router::RouteMatch;

baladiya::context! {
    public_url: PublicUrl,
}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/events",
    Create: post "/v1/municipalities/{m}/events",
    Get: get "/v1/municipalities/{m}/events/{id}",
    Edit: put "/v1/municipalities/{m}/events/{id}",
    Status: post "/v1/municipalities/{m}/events/{id}/status",
    Mine: get "/v1/municipalities/{m}/events/{id}/attendance",
    Mark: put "/v1/municipalities/{m}/events/{id}/attendance",
    Unmark: delete "/v1/municipalities/{m}/events/{id}/attendance",
    Attendees: get "/v1/municipalities/{m}/events/{id}/attendees",
    EventIcs: get "/v1/municipalities/{m}/events/{id}/calendar.ics",
    Feed: get "/v1/municipalities/{m}/calendar.ics",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let id = m.param("id");
    match m.op {
        Op::List => events::list(ctx, view, &muni).await,
        Op::Create => events::create(ctx, view, &muni).await,
        Op::Get => events::get(ctx, view, &muni, id).await,
        Op::Edit => events::edit(ctx, view, &muni, id).await,
        Op::Status => events::status(ctx, view, &muni, id).await,
        Op::Mine => marks::mine(ctx, view, &muni, id).await,
        Op::Mark => marks::mark(ctx, view, &muni, id).await,
        Op::Unmark => marks::unmark(ctx, view, &muni, id).await,
        Op::Attendees => marks::attendees(ctx, view, &muni, id).await,
        Op::EventIcs => feeds::event(ctx, view, &muni, id).await,
        Op::Feed => feeds::feed(ctx, view, &muni).await,
    }
}
