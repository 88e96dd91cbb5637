//! The `polls` function: a question to the municipality's citizens, single or
//! multiple choice, in a voting window, for those staff choose (anyone signed
//! in, followers, an area's followers). Staff with `polls` write and publish
//! them; a person casts one ballot, which a new one replaces while the poll is
//! open; results, split by residents and others, show once it closes (or live,
//! if staff chose), and every staff look at hidden results is recorded.

mod polls;
mod votes;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;

baladiya::context! {}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/polls",
    Create: post "/v1/municipalities/{m}/polls",
    Get: get "/v1/municipalities/{m}/polls/{id}",
    Edit: put "/v1/municipalities/{m}/polls/{id}",
    Publish: post "/v1/municipalities/{m}/polls/{id}/publication",
    Closing: post "/v1/municipalities/{m}/polls/{id}/closing",
    MyBallot: get "/v1/municipalities/{m}/polls/{id}/ballot",
    Vote: put "/v1/municipalities/{m}/polls/{id}/ballot",
    Results: get "/v1/municipalities/{m}/polls/{id}/results",
    ResultsCsv: get "/v1/municipalities/{m}/polls/{id}/results.csv",
    Looks: get "/v1/municipalities/{m}/polls/{id}/looks",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let id = m.param("id");
    match m.op {
        Op::List => polls::list(ctx, view, &muni).await,
        Op::Create => polls::create(ctx, view, &muni).await,
        Op::Get => polls::get(ctx, view, &muni, id).await,
        Op::Edit => polls::edit(ctx, view, &muni, id).await,
        Op::Publish => polls::publish(ctx, view, &muni, id).await,
        Op::Closing => polls::closing(ctx, view, &muni, id).await,
        Op::MyBallot => votes::mine(ctx, view, &muni, id).await,
        Op::Vote => votes::vote(ctx, view, &muni, id).await,
        Op::Results => votes::results(ctx, view, &muni, id, false).await,
        Op::ResultsCsv => votes::results(ctx, view, &muni, id, true).await,
        Op::Looks => votes::looks(ctx, view, &muni, id).await,
    }
}
