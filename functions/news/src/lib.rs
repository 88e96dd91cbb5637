//! The `news` function: what the municipality announces — announcements,
//! activities, works and maintenance, calls for tenders, job offers. Staff with
//! `news` write drafts, publish them at once or schedule them (the scheduler
//! publishes them at their time), edit and archive them, and attach photos and
//! documents; anyone reads the published ones and follows them by Atom feed,
//! per municipality or per category.

mod feed;
mod posts;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;
use baladiya::uploads::Uploads;

baladiya::context! {
    /// Photos (checked by the media function) and documents of posts.
    uploads: Uploads,
}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/news",
    Create: post "/v1/municipalities/{m}/news",
    Feed: get "/v1/municipalities/{m}/news/feed.atom",
    Get: get "/v1/municipalities/{m}/news/{id}",
    Edit: put "/v1/municipalities/{m}/news/{id}",
    Publish: post "/v1/municipalities/{m}/news/{id}/publication",
    Archive: post "/v1/municipalities/{m}/news/{id}/archive",
    Attach: post "/v1/municipalities/{m}/news/{id}/attachments",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let id = m.param("id");
    match m.op {
        Op::List => posts::list(ctx, view, &muni).await,
        Op::Create => posts::create(ctx, view, &muni).await,
        Op::Feed => feed::atom(ctx, view, &muni).await,
        Op::Get => posts::get(ctx, view, &muni, id).await,
        Op::Edit => posts::edit(ctx, view, &muni, id).await,
        Op::Publish => posts::publish(ctx, view, &muni, id).await,
        Op::Archive => posts::archive(ctx, view, &muni, id).await,
        Op::Attach => posts::attach(ctx, view, &muni, id).await,
    }
}
