//! Posts: the public list and page, and what staff with `news` write.
//! Load → decide (`domain::news`) → write conditioned on the version read.

use baladiya::domain::attachment::{FileKind, FileOwner};
use baladiya::domain::broadcast;
use baladiya::domain::news::{self, NewsCategory, NewsStatus, Post, PostContent};
use baladiya::domain::roles::may;
use baladiya::domain::{
    DomainError, Lang, Municipality, MunicipalityId, Permission, Principal, Service,
};
use baladiya::http::paging::{idempotency, paging, request_fingerprint};
use baladiya::http::response::{List, check_if_match, created_once, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::broadcasts::Publication;
use baladiya::uploads::{DocumentView, PhotoView};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Ctx;

pub async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::News, who).await
}

fn owner(m: &MunicipalityId, id: &str) -> FileOwner {
    FileOwner::in_area(m, "news", id)
}

fn post_id(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::Id::parse("nws", raw)
        .map(|i| i.to_string())
        .map_err(|_| ApiError::not_found())
}

/// A post as listed.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct Item<'a> {
    #[serde(flatten)]
    pub post: &'a Post,
    pub label: &'a str,
    pub category_label: &'static str,
    /// A call for tenders or a job offer past its deadline.
    pub closed: bool,
    pub path: String,
}

pub fn item<'a>(m: &MunicipalityId, p: &'a Post, lang: Lang, now: OffsetDateTime) -> Item<'a> {
    Item {
        label: p.content.title.get(lang),
        category_label: p.content.category.label().pick(lang),
        closed: news::closed(p, now),
        path: format!("/v1/municipalities/{m}/news/{}", p.id),
        post: p,
    }
}

fn status_of(raw: Option<&String>, staff: bool) -> Result<NewsStatus, ApiError> {
    let bad = || {
        ApiError::bad_request("invalid_query")
            .with_detail("status: draft, scheduled, published or archived")
    };
    let status = match raw.map(String::as_str) {
        None | Some("published") => NewsStatus::Published,
        Some("archived") => NewsStatus::Archived,
        Some("draft") => NewsStatus::Draft,
        Some("scheduled") => NewsStatus::Scheduled,
        Some(_) => return Err(bad()),
    };
    if !status.public() && !staff {
        return Err(ApiError::forbidden());
    }
    Ok(status)
}

pub fn category_of(raw: Option<&String>) -> Result<Option<NewsCategory>, ApiError> {
    raw.map(|c| {
        NewsCategory::parse(c).ok_or_else(|| {
            ApiError::bad_request("invalid_query")
                .with_detail("category: announcement, activities, works, tenders or jobs")
        })
    })
    .transpose()
}

/// `GET …/news[?category][&status]`: published posts newest first (staff with
/// `news`: drafts and scheduled ones too, by `status`).
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["category", "status", "limit", "cursor"])?;
    let category = category_of(query.get("category"))?;
    let who = view.optional_principal(&ctx.verifier)?;
    let staff = may(who.as_ref(), m, Permission::News);
    let status = status_of(query.get("status"), staff)?;
    let scope = format!(
        "news:{m}:{}:{}",
        status.code(),
        category.map_or("", |c| c.code())
    );
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    municipality(ctx, m, who.as_ref()).await?;
    let page = ctx.store.posts(m, status, category, limit, start).await?;
    let items: Vec<Item<'_>> = page
        .items
        .iter()
        .map(|p| item(m, p, view.lang, view.now))
        .collect();
    let list = List::page(items, page.next, &ctx.cursors, &scope);
    if status.public() {
        list.public(60)
    } else {
        list.answer()
    }
}

#[derive(Debug, Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    item: Item<'a>,
    photos: Vec<PhotoView>,
    documents: Vec<DocumentView>,
}

async fn page(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    p: &Post,
    staff: bool,
) -> Result<serde_json::Value, ApiError> {
    // A post's documents are PDFs, its photos images: one list tells them apart.
    let files = ctx.uploads.documents(&owner(m, &p.id), staff).await?;
    let (documents, images): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|d| d.content_type == "application/pdf");
    let mut photos = ctx.uploads.photos(&owner(m, &p.id), staff).await?;
    photos.retain(|ph| images.iter().any(|i| i.id == ph.id));
    let v = Page {
        item: item(m, p, view.lang, view.now),
        photos,
        documents,
    };
    serde_json::to_value(&v).map_err(|_| ApiError::internal())
}

/// `GET …/news/{id}`: a published or archived post (staff: any), with its
/// photos and documents.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let id = post_id(id)?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let staff = may(who.as_ref(), m, Permission::News);
    let p = ctx
        .store
        .post(m, &id, staff)
        .await?
        .filter(|p| staff || p.status.public())
        .ok_or_else(ApiError::not_found)?;
    let v = page(ctx, view, m, &p, staff).await?;
    if staff {
        with_etag(json(StatusCode::OK, &v)?, p.version)
    } else {
        public_json(&v, 60)
    }
}

async fn staff_of(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Principal, ApiError> {
    baladiya::http::access::staff(
        &ctx.store,
        &ctx.verifier,
        view,
        m,
        Service::News,
        Permission::News,
    )
    .await
}

/// `POST …/news`: staff with `news` write a draft.
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let body: PostContent = view.json()?;
    let key = view.idempotency_key()?;
    let content = body.check(view.now)?;
    let who = staff_of(ctx, view, m).await?;
    let idem = idempotency(key, m, &who, &request_fingerprint(view.request()));
    let p = news::draft(content, who.user().as_str(), &view.now_rfc3339());
    let body = serde_json::to_string(&page(ctx, view, m, &p, true).await?)
        .map_err(|_| ApiError::internal())?;
    let done = ctx.store.create_post(m, &p, idem.as_ref(), &body).await?;
    created_once(done, &format!("/v1/municipalities/{m}/news/{}", p.id), body)
}

/// Load a post for staff (the caller checked who they are), decide its change, write it conditioned on the
/// version read (and on `If-Match`, when sent).
async fn change(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
    decide: impl FnOnce(&Post) -> Result<Post, DomainError>,
) -> Answer {
    let id = post_id(id)?;
    let expected = view.if_match()?;
    let before = ctx
        .store
        .post(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_if_match(expected, before.version)?;
    let after = decide(&before)?;
    ctx.store.put_post(m, &after, Some(before.version)).await?;
    let v = page(ctx, view, m, &after, true).await?;
    with_etag(json(StatusCode::OK, &v)?, after.version)
}

/// The post's documents uploaded since: each there at its size and a PDF
/// indeed is ready from now on; one that is not stays pending, unseen.
async fn confirm_documents(ctx: &Ctx, m: &MunicipalityId, id: &str) -> Result<(), ApiError> {
    let Ok(id) = post_id(id) else { return Ok(()) };
    let owner = owner(m, &id);
    for d in ctx.uploads.documents(&owner, true).await? {
        if d.status == baladiya::domain::attachment::AttachmentStatus::Pending
            && d.content_type == "application/pdf"
        {
            match ctx.uploads.check(&owner, &d.id, "documents").await {
                Ok(_) => {}
                Err(e) if e.status.is_client_error() => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// `PUT …/news/{id}`: staff change a post's category, title, body or deadline
/// (until it is archived).
pub async fn edit(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let body: PostContent = view.json()?;
    let content = body.check(view.now)?;
    let now = view.now_rfc3339();
    staff_of(ctx, view, m).await?;
    confirm_documents(ctx, m, id).await?;
    change(ctx, view, m, id, |p| news::edit(p, content, &now)).await
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    /// When to publish (RFC 3339, to come); now when absent.
    at: Option<String>,
    /// A push to the municipality's followers (or an area's) when it is
    /// published.
    broadcast: Option<broadcast::Request>,
}

/// `POST …/news/{id}/publication`: publish now, or schedule for `at`; with
/// `broadcast`, push it to followers then (once; at most one a week unless
/// urgent). Load (the post, the areas, the last broadcast) → decide → one
/// transaction (the post, the week's slot, the outbox record).
pub async fn publish(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let body: PublishBody = view.json()?;
    let now = view.now;
    staff_of(ctx, view, m).await?;
    confirm_documents(ctx, m, id).await?;
    let id = post_id(id)?;
    let expected = view.if_match()?;
    let before = ctx
        .store
        .post(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_if_match(expected, before.version)?;
    let (areas, last) = match &body.broadcast {
        Some(_) => {
            let areas = ctx.store.areas(m).await?.into_iter().map(|a| a.code);
            (areas.collect(), ctx.store.last_broadcast(m).await?)
        }
        None => (Vec::new(), None),
    };
    let mut after = news::publish(&before, body.at.as_deref(), now)?;
    let plan = broadcast::on_publish(m, &mut after, body.broadcast, &areas, last, now)?;
    let publication = Publication {
        broadcast: plan.broadcast.as_ref(),
        slot: plan.slot.map(|at| (at, last)),
    };
    ctx.store
        .publish_post(m, &after, before.version, publication)
        .await?;
    if let Some(b) = &plan.broadcast {
        tracing::info!(broadcast = %b.id, urgent = b.urgent, "news broadcast queued");
    }
    let v = page(ctx, view, m, &after, true).await?;
    with_etag(json(StatusCode::OK, &v)?, after.version)
}

/// `POST …/news/{id}/archive`: a published post goes to the archive.
pub async fn archive(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    staff_of(ctx, view, m).await?;
    let now = view.now_rfc3339();
    change(ctx, view, m, id, |p| news::archive(p, &now)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum AttachKind {
    Photo,
    Document,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachBody {
    kind: AttachKind,
    content_type: String,
    size: u64,
}

/// `POST …/news/{id}/attachments`: a presigned upload of a photo (checked
/// and cleaned by the media function before it shows) or a document.
pub async fn attach(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let id = post_id(id)?;
    let body: AttachBody = view.json()?;
    let who = staff_of(ctx, view, m).await?;
    ctx.store
        .post(m, &id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let kind = match body.kind {
        AttachKind::Photo => FileKind::Photo,
        AttachKind::Document
            if body
                .content_type
                .trim()
                .eq_ignore_ascii_case("application/pdf") =>
        {
            FileKind::Document
        }
        AttachKind::Document => {
            return Err(DomainError::invalid("content_type", "not_an_accepted_document").into());
        }
    };
    let up = ctx
        .uploads
        .start(
            &owner(m, &id),
            kind,
            who.user().as_str(),
            &body.content_type,
            body.size,
            view.now,
        )
        .await?;
    json(StatusCode::CREATED, &up)
}
