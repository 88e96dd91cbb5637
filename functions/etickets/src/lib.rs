//! The `etickets` function: virtual queues for municipal counters. Citizens take
//! a ticket for a service of an agency from their phone while it is open, see
//! how many people are ahead and how long the wait is (from real handling times;
//! 8 minutes a person until there are some), and are told when 2, 1 and 0 people
//! are ahead; staff at a counter call the next ticket, mark it served or absent
//! (an absent ticket may be recalled once), and turn a paper ticket from the
//! kiosk into an app ticket. Numbers restart each day, Tunis time.

mod agencies;
mod tickets;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;

baladiya::context!();

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/agencies",
    Best: get "/v1/municipalities/{m}/agencies/best",
    Get: get "/v1/municipalities/{m}/agencies/{agency}",
    Put: put "/v1/municipalities/{m}/agencies/{agency}",
    Board: get "/v1/municipalities/{m}/agencies/{agency}/board",
    Take: post "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets",
    Paper: post "/v1/municipalities/{m}/agencies/{agency}/services/{service}/paper-tickets",
    Call: post "/v1/municipalities/{m}/agencies/{agency}/services/{service}/call",
    Ticket: get "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}",
    Cancel: delete "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}",
    Status: post "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}/status",
    Claim: post "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}/claim",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let a = m.param("agency");
    let s = m.param("service");
    let n = m.param("number");
    match m.op {
        Op::List => agencies::list(ctx, view, &muni).await,
        Op::Best => agencies::best(ctx, view, &muni).await,
        Op::Get => agencies::get(ctx, view, &muni, a).await,
        Op::Put => agencies::put(ctx, view, &muni, a).await,
        Op::Board => agencies::board(ctx, view, &muni, a).await,
        Op::Take => tickets::take(ctx, view, &muni, a, s).await,
        Op::Paper => tickets::paper(ctx, view, &muni, a, s).await,
        Op::Call => tickets::call(ctx, view, &muni, a, s).await,
        Op::Ticket => tickets::get(ctx, view, &muni, a, s, n).await,
        Op::Cancel => tickets::cancel(ctx, view, &muni, a, s, n).await,
        Op::Status => tickets::status(ctx, view, &muni, a, s, n).await,
        Op::Claim => tickets::claim(ctx, view, &muni, a, s, n).await,
    }
}
