//! The `guide` function: the services guide. Every municipality's guide starts
//! from the national catalogue of procedures (`domain::guide::catalogue`);
//! staff with `procedures` write their own, their version of a national one,
//! hide one, link one to an e-ticket service and attach its forms, and describe
//! their offices and opening hours. Anyone reads, searches (Arabic and French,
//! spellings folded) and exports the guide as CPSV-AP JSON-LD.

mod export;
mod offices;
mod procedures;
mod views;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;
use baladiya::uploads::Uploads;

baladiya::context! {
    /// Forms: documents of each procedure (`BALADIYA_ATTACHMENTS_BUCKET`).
    uploads: Uploads,
}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/procedures",
    Get: get "/v1/municipalities/{m}/procedures/{code}",
    Put: put "/v1/municipalities/{m}/procedures/{code}",
    Delete: delete "/v1/municipalities/{m}/procedures/{code}",
    Settings: put "/v1/municipalities/{m}/procedures/{code}/settings",
    Form: post "/v1/municipalities/{m}/procedures/{code}/forms",
    Offices: get "/v1/municipalities/{m}/offices",
    Office: get "/v1/municipalities/{m}/offices/{office}",
    PutOffice: put "/v1/municipalities/{m}/offices/{office}",
    Export: get "/v1/municipalities/{m}/guide.jsonld",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let code = m.param("code");
    match m.op {
        Op::List => procedures::list(ctx, view, &muni).await,
        Op::Get => procedures::get(ctx, view, &muni, code).await,
        Op::Put => procedures::put(ctx, view, &muni, code).await,
        Op::Delete => procedures::delete(ctx, view, &muni, code).await,
        Op::Settings => procedures::settings(ctx, view, &muni, code).await,
        Op::Form => procedures::form(ctx, view, &muni, code).await,
        Op::Offices => offices::list(ctx, view, &muni).await,
        Op::Office => offices::get(ctx, view, &muni, m.param("office")).await,
        Op::PutOffice => offices::put(ctx, view, &muni, m.param("office")).await,
        Op::Export => export::cpsv(ctx, view, &muni).await,
    }
}
