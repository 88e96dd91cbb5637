//! Published documents: the public list, filter and download; what staff with
//! `reports` publish. Load → decide (`domain::document`) → write.

use baladiya::domain::attachment::{FileKind, FileOwner};
use baladiya::domain::document::{
    self, DocStatus, Document, DocumentType, FileRecord, NewDocument, Version, check_file_name,
};
use baladiya::domain::text::Text;
use baladiya::domain::{
    DomainError, Lang, Municipality, MunicipalityId, Permission, Principal, Service,
};
use baladiya::http::paging::{idempotency, paging, request_fingerprint};
use baladiya::http::response::{List, created, created_once, json, public_json};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::documents::DocumentFilter;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::Ctx;

pub(crate) async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::Reports, who).await
}

pub(crate) fn editor(who: Option<&Principal>, m: &MunicipalityId) -> bool {
    baladiya::domain::roles::may(who, m, Permission::Reports)
}

fn owner(m: &MunicipalityId, id: &str) -> FileOwner {
    FileOwner::in_area(m, "documents", id)
}

pub(crate) fn doc_id(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::Id::parse("doc", raw)
        .map(|i| i.to_string())
        .map_err(|_| ApiError::not_found())
}

/// When minutes were approved, and at which meeting (who recorded it is
/// staff's, in the trail).
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub(crate) struct Approval<'a> {
    at: &'a str,
    meeting: Option<&'a str>,
    version: Option<u32>,
}

/// A document in a list.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub(crate) struct Item<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    doc_type: DocumentType,
    type_label: &'static str,
    title: &'a Text,
    label: &'a str,
    description: Option<&'a Text>,
    fiscal_year: Option<u16>,
    languages: &'a [Lang],
    committee: Option<&'a str>,
    meeting: Option<&'a str>,
    versions: u32,
    status: DocStatus,
    published_at: Option<&'a str>,
    approval: Option<Approval<'a>>,
    created_at: &'a str,
    updated_at: &'a str,
    path: String,
}

pub(crate) fn item<'a>(m: &MunicipalityId, d: &'a Document, lang: Lang) -> Item<'a> {
    Item {
        id: &d.id,
        doc_type: d.doc_type,
        type_label: d.doc_type.label().pick(lang),
        title: &d.title,
        label: d.title.get(lang),
        description: d.description.as_ref(),
        fiscal_year: d.fiscal_year,
        languages: &d.languages,
        committee: d.committee.as_deref(),
        meeting: d.meeting.as_deref(),
        versions: d.versions,
        status: d.status(),
        published_at: d.published_at.as_deref(),
        approval: d.approved.as_ref().map(|t| Approval {
            at: &t.at,
            meeting: t.meeting.as_deref(),
            version: t.version,
        }),
        created_at: &d.created_at,
        updated_at: &d.updated_at,
        path: format!("/v1/municipalities/{m}/documents/{}", d.id),
    }
}

fn filters(query: &std::collections::HashMap<String, String>) -> Result<DocumentFilter, ApiError> {
    let bad = |what: &str| ApiError::bad_request("invalid_query").with_detail(what.to_owned());
    Ok(DocumentFilter {
        doc_type: query
            .get("type")
            .map(|t| DocumentType::parse(t).ok_or_else(|| bad("type: a document type")))
            .transpose()?,
        fiscal_year: query
            .get("year")
            .map(|y| {
                y.parse::<u16>()
                    .ok()
                    .filter(|y| (1990..=2100).contains(y))
                    .ok_or_else(|| bad("year: 1990..=2100"))
            })
            .transpose()?,
        committee: query
            .get("committee")
            .map(|c| {
                baladiya::domain::Id::parse("cmt", c.trim())
                    .map(|i| i.to_string())
                    .map_err(|_| bad("committee: a committee's id"))
            })
            .transpose()?,
    })
}

/// `GET …/documents[?type][&year][&committee]`: published documents, newest
/// first; `?status=draft|approved`: staff's worklist of the others.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["type", "year", "committee", "status", "limit", "cursor"])?;
    let filter = filters(&query)?;
    let status = query
        .get("status")
        .map(|s| {
            DocStatus::parse(s).ok_or_else(|| {
                ApiError::bad_request("invalid_query")
                    .with_detail("status: draft, approved or published")
            })
        })
        .transpose()?
        .unwrap_or(DocStatus::Published);
    if status != DocStatus::Published {
        return crate::workflow::worklist(ctx, view, m, status, &query).await;
    }
    let scope = format!(
        "documents:{m}:{}:{}:{}",
        filter.doc_type.map_or("", |t| t.code()),
        filter
            .fiscal_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        filter.committee.as_deref().unwrap_or_default()
    );
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let page = ctx.store.documents_page(m, &filter, limit, start).await?;
    let items: Vec<Item<'_>> = page.items.iter().map(|d| item(m, d, view.lang)).collect();
    List::page(items, page.next, &ctx.cursors, &scope).public(60)
}

#[derive(Debug, Serialize)]
struct FileView<'a> {
    #[serde(flatten)]
    file: &'a FileRecord,
    /// Works for 10 minutes.
    url: Option<String>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
struct VersionView<'a> {
    number: u32,
    note: Option<&'a Text>,
    created_at: &'a str,
    files: Vec<FileView<'a>>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
struct DocumentView<'a> {
    #[serde(flatten)]
    item: Item<'a>,
    /// Every version, newest first: none replaces another.
    history: Vec<VersionView<'a>>,
    /// Staff's: each workflow step, who recorded it and when.
    trail: Option<Vec<document::Transition>>,
}

/// A document's page; with `staff`, its workflow trail too.
pub(crate) async fn page(
    ctx: &Ctx,
    m: &MunicipalityId,
    d: &Document,
    lang: Lang,
    staff: bool,
) -> Result<serde_json::Value, ApiError> {
    let mut versions: Vec<Version> = ctx.store.document_versions(m, &d.id).await?;
    if !staff {
        versions = document::public_versions(d, versions);
    }
    let trail = match staff && d.doc_type.is_minutes() {
        true => Some(ctx.store.document_trail(m, &d.id).await?),
        false => None,
    };
    let mut history = Vec::new();
    for v in versions.iter().rev() {
        let mut files = Vec::new();
        for f in &v.files {
            files.push(FileView {
                url: ctx.files.0.download(&f.key).await?,
                file: f,
            });
        }
        history.push(VersionView {
            number: v.number,
            note: v.note.as_ref(),
            created_at: &v.created_at,
            files,
        });
    }
    let view = DocumentView {
        item: item(m, d, lang),
        history,
        trail,
    };
    serde_json::to_value(&view).map_err(|_| ApiError::internal())
}

/// The document `id` as the caller may see it (a draft, or minutes not yet
/// published, only staff with `reports`), and whether they are such staff.
pub(crate) async fn visible(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<(Document, bool), ApiError> {
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let staff = editor(who.as_ref(), m);
    let d = ctx
        .store
        .document(m, id, staff)
        .await?
        .filter(|d| staff || d.is_public())
        .ok_or_else(ApiError::not_found)?;
    Ok((d, staff))
}

/// `GET …/documents/{id}`: a document and every version's files, with
/// short-lived download links. A draft, or minutes not yet published, exist
/// only for staff with `reports`.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let id = doc_id(id)?;
    let (d, staff) = visible(ctx, view, m, &id).await?;
    let v = page(ctx, m, &d, view.lang, staff).await?;
    if staff {
        // A draft, or staff's look: not for shared caches.
        json(StatusCode::OK, &v)
    } else {
        // Links inside last ten minutes: the page is kept a minute.
        public_json(&v, 60)
    }
}

pub(crate) async fn staff_of(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Principal, ApiError> {
    baladiya::http::access::staff(
        &ctx.store,
        &ctx.verifier,
        view,
        m,
        Service::Reports,
        Permission::Reports,
    )
    .await
}

/// `POST …/documents`: staff with `reports` describe a document (a draft
/// until its first version).
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let body: NewDocument = view.json()?;
    let key = view.idempotency_key()?;
    let mut d = document::new_document(body, &view.now_rfc3339())?;
    let who = staff_of(ctx, view, m).await?;
    crate::workflow::check_committee(ctx, m, &mut d).await?;
    let idem = idempotency(key, m, &who, &request_fingerprint(view.request()));
    let location = format!("/v1/municipalities/{m}/documents/{}", d.id);
    let body = serde_json::to_string(&page(ctx, m, &d, view.lang, true).await?)
        .map_err(|_| ApiError::internal())?;
    let done = ctx
        .store
        .create_document(m, &d, idem.as_ref(), &body)
        .await?;
    created_once(done, &location, body)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadBody {
    content_type: String,
    size: u64,
}

/// `POST …/documents/{id}/files`: a presigned upload of one file (PDF or
/// image, 20 MB at most) into the published-documents bucket.
pub async fn upload(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let id = doc_id(id)?;
    let body: UploadBody = view.json()?;
    let who = staff_of(ctx, view, m).await?;
    ctx.store
        .document(m, &id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let up = ctx
        .files
        .0
        .start(
            &owner(m, &id),
            FileKind::Document,
            who.user().as_str(),
            &body.content_type,
            body.size,
            view.now,
        )
        .await?;
    json(StatusCode::CREATED, &up)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRef {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionBody {
    files: Vec<FileRef>,
    note: Option<Text>,
}

/// `POST …/documents/{id}/versions`: staff record a new version from uploaded
/// files, each read back, checked to be what its type says and digested
/// (SHA-256). A document is published with its first version (minutes stay
/// a draft until approved and published); older versions stay.
pub async fn version(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let id = doc_id(id)?;
    let body: VersionBody = view.json()?;
    if body.files.is_empty() || body.files.len() > document::FILES_PER_VERSION {
        return Err(DomainError::invalid("files", "count").into());
    }
    let who = staff_of(ctx, view, m).await?;
    let before = ctx
        .store
        .document(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut files = Vec::new();
    for f in &body.files {
        let name = check_file_name(&f.name)?;
        let c = ctx.files.0.check(&owner(m, &id), &f.id, "files.id").await?;
        files.push(FileRecord {
            id: f.id.clone(),
            name,
            content_type: c.content_type,
            size: c.size,
            sha256: c.sha256,
            key: c.key,
        });
    }
    let now = view.now_rfc3339();
    let (after, v) = document::next_version(
        &before,
        files,
        body.note.as_ref(),
        who.user().as_str(),
        &now,
    )
    .map_err(|e| match e {
        DomainError::Invalid {
            field: "versions",
            reason: "limit_reached",
        } => ApiError::conflict("limit_reached")
            .with_detail(format!("versions: {}", document::MAX_VERSIONS)),
        e => e.into(),
    })?;
    ctx.store.record_version(m, &before, &after, &v).await?;
    let location = format!("/v1/municipalities/{m}/documents/{id}");
    let body = serde_json::to_string(&page(ctx, m, &after, view.lang, true).await?)
        .map_err(|_| ApiError::internal())?;
    created(&location, body)
}

/// What the app offers when a document is not found: an access-to-information
/// request pre-filled with what the citizen looked for, to review and send.
#[derive(Debug, Serialize)]
struct RequestDraft {
    path: String,
    body: DraftBody,
}

#[derive(Debug, Serialize)]
struct DraftBody {
    information: String,
    access_mode: &'static str,
}

/// `GET …/documents/not-published[?type][&year][&q]`.
pub async fn not_published(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["type", "year", "committee", "q"])?;
    let filter = filters(&query)?;
    let words = query.get("q").map(String::as_str);
    if words.is_some_and(|w| w.chars().count() > 200) {
        return Err(ApiError::bad_request("invalid_query").with_detail("q: 200 characters at most"));
    }
    let who = view.optional_principal(&ctx.verifier)?;
    let muni = baladiya::http::access::municipality(
        &ctx.store,
        m,
        Service::AccessToInformation,
        who.as_ref(),
    )
    .await?;
    let draft = RequestDraft {
        path: format!("/v1/municipalities/{}/info-requests", muni.id),
        body: DraftBody {
            information: document::information_request_text(
                view.lang,
                filter.doc_type,
                filter.fiscal_year,
                words,
            ),
            access_mode: "electronic_copy",
        },
    };
    json(StatusCode::OK, &draft)
}
