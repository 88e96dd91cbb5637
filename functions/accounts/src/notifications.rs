//! What a person was told: each notice about their files and the ones they
//! follow, how it reached them, where the app opens it, and whether they have
//! read it.

use baladiya::domain::notice::Channel;
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{DomainError, MunicipalityId};
use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::paging::paging;
use baladiya::http::response::{json, list_json};
use baladiya::store::notices::{Delivery, DeliveryStatus, UNREAD_WINDOW};
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::Ctx;

/// One notice as the person reads it.
#[derive(Serialize)]
pub(crate) struct NotificationView<'a> {
    id: &'a str,
    municipality: &'a MunicipalityId,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<CaseKind>,
    /// What it is about: a case (`case_id`), or news the person follows
    /// (`news_id`: a broadcast).
    about: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    news_id: Option<&'a str>,
    /// The short reference of the case (as in the SMS).
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    /// The case's API path, for the app to open.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    state: &'a str,
    text: &'a str,
    channel: Option<Channel>,
    status: DeliveryStatus,
    read: bool,
    at: &'a str,
    /// When `status` was last set.
    updated_at: String,
}

impl<'a> NotificationView<'a> {
    pub(crate) fn new(d: &'a Delivery) -> Self {
        // A broadcast's copy: no case kind; its subject is the post.
        let news = d.kind.is_none() && d.state == "news";
        NotificationView {
            id: &d.notice,
            municipality: &d.municipality,
            kind: d.kind,
            about: if news { "news" } else { "case" },
            case_id: (!news).then_some(d.case_id.as_str()),
            news_id: news.then_some(d.case_id.as_str()),
            reference: d.reference.as_deref(),
            path: d.path.as_deref(),
            state: &d.state,
            text: &d.text,
            channel: d.channel,
            status: d.status,
            read: d.read,
            at: &d.at,
            updated_at: baladiya::clock::rfc3339_secs(d.updated),
        }
    }
}

#[derive(Serialize)]
struct Page<'a> {
    items: Vec<NotificationView<'a>>,
    has_more: bool,
    next_cursor: Option<String>,
    /// Unread among the newest 100 (a badge shows "99+" past 99).
    unread: usize,
}

/// `GET /v1/me/notifications`: what the person was told, newest first, whether
/// it reached them (push, SMS, or only here in the app), and how many they have
/// not read.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("notifications:{}", who.user());
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let user = who.user().as_str();
    let (page, unread) = tokio::try_join!(
        ctx.store.deliveries_of(user, limit, start),
        ctx.store.unread_of(user)
    )?;
    let next_cursor = page.next.map(|k| ctx.cursors.encode(&scope, &k));
    let body = Page {
        items: page.items.iter().map(NotificationView::new).collect(),
        has_more: next_cursor.is_some(),
        next_cursor,
        unread: unread.len(),
    };
    list_json(json(StatusCode::OK, &body)?, body.next_cursor.as_deref())
}

/// Notices read at once at most.
const MAX_READ: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadRequest {
    /// These notices (`ntf_…`)…
    #[serde(default)]
    ids: Vec<String>,
    /// …or every unread one.
    #[serde(default)]
    all: bool,
}

#[derive(Serialize)]
struct Unread {
    unread: usize,
}

/// `POST /v1/me/notifications/read`: mark notices read (`ids`, or `all`); the
/// unread count after.
pub async fn read(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let body: ReadRequest = view.json()?;
    let user = who.user().as_str();
    let ids = match (body.all, body.ids.is_empty()) {
        (true, true) => ctx.store.unread_of(user).await?,
        (false, false) if body.ids.len() <= MAX_READ => {
            let mut ids = Vec::with_capacity(body.ids.len());
            for raw in &body.ids {
                ids.push(baladiya::domain::Id::parse("ntf", raw.trim())?.to_string());
            }
            ids.sort();
            ids.dedup();
            ids
        }
        (false, false) => return Err(DomainError::invalid("ids", "too_many").into()),
        _ => return Err(DomainError::invalid("ids", "ids_or_all").into()),
    };
    ctx.store.mark_read(user, &ids).await?;
    let unread = ctx.store.unread_of(user).await?.len();
    debug_assert!(unread <= UNREAD_WINDOW as usize);
    json(StatusCode::OK, &Unread { unread })
}
