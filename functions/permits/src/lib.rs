//! The `permits` function: permit dossiers (building, subdivision, connections…).
//! Staff register a dossier deposited at the counter, or a citizen submits one
//! from the app; each gets a reference number per municipality and year. Staff
//! move it through its stages with a note, its holder follows it by reference and
//! national ID (kept only as a keyed digest) and is told of every stage, documents
//! go straight to S3, and the municipality publishes its dossiers as BLDS open
//! data.
//!
//! Handlers are thin: parse into typed values, ask the domain (`domain::permit`,
//! `domain::workflow`, `domain::roles`), read or write through the store.

mod export;
mod permits;
mod views;

use baladiya::cases::Cases;
use baladiya::config::{Aws, Config};
use baladiya::domain::permit::Permit;
use baladiya::files::Files;
use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;
use baladiya::http::serve::Base;

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub base: Base,
    /// The case flow, and the dossiers' documents (`BALADIYA_ATTACHMENTS_BUCKET`).
    pub cases: Cases,
    pub files: Files,
    /// `BALADIYA_DOCUMENTS_BUCKET`: published documents (the open-data export).
    pub documents: Option<String>,
    /// `BALADIYA_NATIONAL_ID_KEY`: the key of the national IDs' digests, this
    /// function's alone (a secret: never printed).
    national_id_key: Vec<u8>,
}

impl Ctx {
    /// Clients and settings, from the environment of the function.
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, lambda_http::Error> {
        let national_id_key = baladiya::config::key_from_env("BALADIYA_NATIONAL_ID_KEY")?;
        Ok(Ctx {
            base: Base::new(config, aws)?,
            cases: Cases::new(config, aws),
            files: Files::on_first_use(aws),
            documents: config.documents_bucket.clone(),
            national_id_key,
        })
    }
}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/permits",
    Create: post "/v1/municipalities/{m}/permits",
    Mine: get "/v1/municipalities/{m}/permits/mine",
    Follow: post "/v1/municipalities/{m}/permits/follow",
    Export: post "/v1/municipalities/{m}/permits/exports",
    Inbox: get "/v1/municipalities/{m}/permits/inbox",
    Counts: get "/v1/municipalities/{m}/permits/inbox/counts",
    ByReference: get "/v1/municipalities/{m}/permits/by-reference/{reference}",
    Get: get "/v1/municipalities/{m}/permits/{id}",
    Transition: post "/v1/municipalities/{m}/permits/{id}/transitions",
    Document: post "/v1/municipalities/{m}/permits/{id}/documents",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    match m.op {
        Op::List => permits::list(ctx, view, &muni).await,
        Op::Create => permits::create(ctx, view, &muni).await,
        Op::Mine => permits::mine(ctx, view, &muni).await,
        Op::Inbox => permits::inbox(ctx, view, &muni).await,
        Op::Counts => ctx.cases.counts::<Permit>(ctx, view, &muni).await,
        Op::ByReference => permits::by_reference(ctx, view, &muni, m.param("reference")).await,
        Op::Follow => permits::follow(ctx, view, &muni).await,
        Op::Export => export::export(ctx, view, &muni).await,
        Op::Get => permits::get(ctx, view, &muni, m.param("id")).await,
        Op::Transition => permits::transition(ctx, view, &muni, m.param("id")).await,
        Op::Document => permits::document(ctx, view, &muni, m.param("id")).await,
    }
}
