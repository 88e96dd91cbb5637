//! The `committees` function: the municipal council and its standing, special
//! and working committees, with their members (always public), and their
//! meetings (planned, held, cancelled; public or closed) with numbered agenda
//! items and decisions. Staff with `committees` write; anyone reads (a closed
//! agenda item shows its number only). Ten usual committees are suggested to
//! a new municipality.

mod committees;
mod meetings;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;

baladiya::context! {}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/committees",
    Create: post "/v1/municipalities/{m}/committees",
    Suggestions: get "/v1/municipalities/{m}/committees/suggestions",
    Get: get "/v1/municipalities/{m}/committees/{id}",
    Edit: put "/v1/municipalities/{m}/committees/{id}",
    CommitteeMeetings: get "/v1/municipalities/{m}/committees/{id}/meetings",
    Plan: post "/v1/municipalities/{m}/committees/{id}/meetings",
    Meetings: get "/v1/municipalities/{m}/meetings",
    Meeting: get "/v1/municipalities/{m}/meetings/{id}",
    Revise: put "/v1/municipalities/{m}/meetings/{id}",
    Status: post "/v1/municipalities/{m}/meetings/{id}/status",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let id = m.param("id");
    match m.op {
        Op::List => committees::list(ctx, view, &muni).await,
        Op::Create => committees::create(ctx, view, &muni).await,
        Op::Suggestions => committees::suggestions(ctx, view, &muni).await,
        Op::Get => committees::get(ctx, view, &muni, id).await,
        Op::Edit => committees::edit(ctx, view, &muni, id).await,
        Op::CommitteeMeetings => meetings::list(ctx, view, &muni, Some(id)).await,
        Op::Plan => meetings::plan(ctx, view, &muni, id).await,
        Op::Meetings => meetings::list(ctx, view, &muni, None).await,
        Op::Meeting => meetings::get(ctx, view, &muni, id).await,
        Op::Revise => meetings::revise(ctx, view, &muni, id).await,
        Op::Status => meetings::status(ctx, view, &muni, id).await,
    }
}
