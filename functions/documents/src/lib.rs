//! The `documents` function: what the municipality publishes — budgets
//! (proposed, approved, amended, executed), council minutes, committee
//! reports, annual and audit reports, urban plans, municipal decisions, tender
//! files. Staff with `reports` describe a document, upload its files straight
//! to the published-documents bucket, and record versions: a new version never
//! replaces an old one, and every version stays downloadable. Minutes go draft
//! → approved → published. Anyone lists,
//! filters and downloads; a document not found leads to an access-to-information
//! request pre-filled with what was looked for.

mod documents;
mod download;
mod workflow;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;
use baladiya::uploads::Uploads;

/// The files of published documents, in their own bucket.
pub struct Published(pub Uploads);

impl Published {
    pub fn new(config: &baladiya::config::Config, aws: &baladiya::config::Aws) -> Published {
        Published(Uploads::published(config, aws))
    }
}

baladiya::context! {
    /// Files in the published-documents bucket (`BALADIYA_DOCUMENTS_BUCKET`).
    files: Published,
}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/documents",
    Create: post "/v1/municipalities/{m}/documents",
    NotPublished: get "/v1/municipalities/{m}/documents/not-published",
    Get: get "/v1/municipalities/{m}/documents/{id}",
    Upload: post "/v1/municipalities/{m}/documents/{id}/files",
    Version: post "/v1/municipalities/{m}/documents/{id}/versions",
    Status: post "/v1/municipalities/{m}/documents/{id}/status",
    File: get "/v1/municipalities/{m}/documents/{id}/versions/{n}/files/{file}",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let id = m.param("id");
    match m.op {
        Op::List => documents::list(ctx, view, &muni).await,
        Op::Create => documents::create(ctx, view, &muni).await,
        Op::NotPublished => documents::not_published(ctx, view, &muni).await,
        Op::Get => documents::get(ctx, view, &muni, id).await,
        Op::Upload => documents::upload(ctx, view, &muni, id).await,
        Op::Version => documents::version(ctx, view, &muni, id).await,
        Op::Status => workflow::status(ctx, view, &muni, id).await,
        Op::File => download::file(ctx, view, &muni, id, m.param("n"), m.param("file")).await,
    }
}
