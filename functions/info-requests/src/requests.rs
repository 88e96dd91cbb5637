//! Access-to-information request handlers.

use baladiya::clock::now_rfc3339;
use baladiya::documents;
use baladiya::domain::deadline::{self, AccessMode};
use baladiya::domain::info_request::{self, Extension, InfoRequestData};
use baladiya::domain::notice::Notice;
use baladiya::domain::roles::authorize;
use baladiya::domain::staff::parse_label;
use baladiya::domain::workflow::{
    Actor, CaseKind, CaseRef, HistoryEntry, INFO_REQUEST, authorize_transition,
};
use baladiya::domain::{
    DomainError, Id, Municipality, MunicipalityId, Permission, Principal, Service,
};
use baladiya::http::auth::now_secs;
use baladiya::http::paging::{paging, request_fingerprint};
use baladiya::http::response::{json, public_json, replay};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::cases::{CaseChanges, CaseRecord, queue_index};
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::Ctx;
use crate::holidays::calendar;
use crate::views::{Audience, InfoRequestView, List, TimelineEntry};

const KIND: CaseKind = CaseKind::InfoRequest;
const NOTE_MAX: usize = 2000;

/// The municipality, if `who` may use its access-to-information service.
async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::AccessToInformation, who).await
}

fn data_of(case: &CaseRecord) -> Result<InfoRequestData, ApiError> {
    serde_json::from_value(case.data.clone()).map_err(|_| ApiError::internal())
}

/// Published in the register: answered, with the requester's consent.
const PUBLISHED: &[&str] = &["accepted", "partially_accepted", "appeal_accepted"];

/// How much of `case` `who` may see; `None`: it does not exist for them.
fn audience(
    who: Option<&Principal>,
    case: &CaseRecord,
    data: &InfoRequestData,
) -> Option<Audience> {
    if let Some(p) = who {
        if authorize(p, &case.municipality, Permission::AccessToInformation).is_ok() {
            return Some(Audience::Staff);
        }
        if p.user().as_str() == case.owner {
            return Some(Audience::Requester);
        }
    }
    (data.publish_consent && PUBLISHED.contains(&case.state.as_str())).then_some(Audience::Public)
}

fn request_id(raw: &str) -> Result<String, ApiError> {
    Id::parse("air", raw)
        .map(|id| id.to_string())
        .map_err(|_| ApiError::not_found())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    information: String,
    access_mode: String,
    #[serde(default)]
    urgent: bool,
    /// Why a person's life or liberty depends on it (required when urgent).
    #[serde(default)]
    urgent_reason: Option<String>,
    #[serde(default)]
    publish_consent: bool,
}

/// `POST …/info-requests`: ask for information. The deadline is computed now
/// and shown with its reasons. Idempotent with `Idempotency-Key`.
pub async fn create(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let idem_key = view.idempotency_key()?;
    let body: NewRequest = view.json()?;
    let information = info_request::parse_information(&body.information)?;
    let access_mode = AccessMode::parse(&body.access_mode)?;
    let urgent_reason = match (body.urgent, body.urgent_reason.as_deref()) {
        (true, Some(r)) => Some(parse_label(r, "urgent_reason", 500)?),
        (true, None) => return Err(DomainError::invalid("urgent_reason", "required").into()),
        (false, Some(_)) => return Err(DomainError::invalid("urgent_reason", "not_urgent").into()),
        (false, None) => None,
    };
    municipality(ctx, m, Some(&who)).await?;
    let cal = calendar(ctx).await?;
    let now = OffsetDateTime::now_utc();
    let received_at = baladiya::clock::rfc3339(now);
    let deadline = deadline::answer_deadline(now, access_mode, body.urgent, &cal);
    let requester_name = ctx
        .store
        .get_account(who.user(), false)
        .await?
        .and_then(|a| a.name);
    let data = InfoRequestData {
        information,
        access_mode,
        urgent: body.urgent,
        urgent_reason,
        publish_consent: body.publish_consent,
        requester_name,
        received_at: received_at.clone(),
        deadline: deadline.clone(),
        extended: false,
        legal_ground: None,
        redirected_to: None,
        appeal_until: None,
    };
    let case = CaseRecord {
        kind: KIND,
        municipality: m.clone(),
        id: Id::generate("air").to_string(),
        owner: who.user().to_string(),
        state: INFO_REQUEST.initial.to_owned(),
        seq: 1,
        created_at: received_at.clone(),
        updated_at: received_at.clone(),
        data: serde_json::to_value(&data).map_err(|_| ApiError::internal())?,
        supporters: 0,
        assigned_to: None,
        duplicate_of: None,
        hidden: false,
        status_note: None,
        due_at: Some(deadline.due_at.clone()),
    };
    let first = HistoryEntry {
        seq: 1,
        state: case.state.clone(),
        note: None,
        author: case.owner.clone(),
        author_role: Actor::Owner,
        at: received_at,
        attachment: None,
    };
    let mut answer = InfoRequestView::new(
        &case,
        &data,
        Audience::Requester,
        view.lang,
        &case.created_at,
    );
    answer.timeline = Some(vec![TimelineEntry::from(&first)]);
    let answer = serde_json::to_string(&answer).map_err(|_| ApiError::internal())?;
    let idem = idem_key.map(|k| {
        Idempotency::new(
            &keys::tenant(m),
            who.user().as_str(),
            k.as_str(),
            &request_fingerprint(view.request()),
        )
    });
    match ctx
        .store
        .create_case_indexed(
            &case,
            &first,
            queue_index(&case, &deadline.due_at),
            vec![],
            idem.as_ref(),
            &answer,
        )
        .await?
    {
        Created::New => Response::builder()
            .status(StatusCode::CREATED)
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .header(
                "location",
                format!("/v1/municipalities/{m}/info-requests/{}", case.id),
            )
            .body(Body::Text(answer))
            .map_err(|_| ApiError::internal()),
        Created::Replayed(stored) => replay(stored.status, stored.body),
    }
}

/// `GET …/info-requests`: staff's queue, the requests still owed an answer
/// (and appeals), soonest deadline first; overdue ones flagged.
pub async fn queue(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::AccessToInformation)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("air-queue:{m}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    municipality(ctx, m, Some(&who)).await?;
    let page = ctx
        .store
        .queue(m, KIND, "9999-12-31T23:59:59Z", limit, start)
        .await?;
    let now = now_rfc3339();
    let items = page
        .items
        .iter()
        .map(|c| {
            Ok(InfoRequestView::new(
                c,
                &data_of(c)?,
                Audience::Staff,
                view.lang,
                &now,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
    )
}

/// `GET …/info-requests/mine`: the caller's requests here, newest first.
pub async fn mine(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("air-mine:{m}:{}", who.user());
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    municipality(ctx, m, Some(&who)).await?;
    let page = ctx
        .store
        .cases_owned(m, KIND, who.user().as_str(), limit, start)
        .await?;
    let now = now_rfc3339();
    let items = page
        .items
        .iter()
        .map(|c| {
            Ok(InfoRequestView::new(
                c,
                &data_of(c)?,
                Audience::Requester,
                view.lang,
                &now,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
    )
}

/// `GET …/info-requests/register`: answered requests whose requester agreed to
/// publication, newest first, with the answer; no personal data.
pub async fn register(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("air-register:{m}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    municipality(ctx, m, None).await?;
    let page = ctx
        .store
        .cases_of_kind(m, KIND, Some(PUBLISHED), limit, start)
        .await?;
    #[derive(serde::Serialize)]
    struct Published {
        #[serde(flatten)]
        request: InfoRequestView,
        /// The answer's note.
        answer: Option<String>,
    }
    let now = now_rfc3339();
    let items = page
        .items
        .iter()
        .map(|c| {
            Ok(Published {
                request: InfoRequestView::new(c, &data_of(c)?, Audience::Public, view.lang, &now),
                answer: c.status_note.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    public_json(
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
        60,
    )
}

/// A request the caller may see, and how much of it.
async fn visible(
    ctx: &Ctx,
    who: Option<&Principal>,
    m: &MunicipalityId,
    id: &str,
) -> Result<(CaseRecord, InfoRequestData, Audience), ApiError> {
    let id = request_id(id)?;
    municipality(ctx, m, who).await?;
    let case = ctx
        .store
        .get_case(m, KIND, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let data = data_of(&case)?;
    let audience = audience(who, &case, &data).ok_or_else(ApiError::not_found)?;
    Ok((case, data, audience))
}

async fn detail(
    ctx: &Ctx,
    view: &RequestView<'_>,
    case: &CaseRecord,
    data: &InfoRequestData,
    audience: Audience,
) -> Result<InfoRequestView, ApiError> {
    let history = ctx
        .store
        .case_history(&case.municipality, KIND, &case.id, 100, None)
        .await?;
    let mut body = InfoRequestView::new(case, data, audience, view.lang, &now_rfc3339());
    // The public (a published request) sees the municipality's answers and their
    // documents only: nothing the requester wrote or sent besides the request.
    let shown: Vec<&HistoryEntry> = history
        .items
        .iter()
        .filter(|e| {
            audience != Audience::Public
                || (e.author_role == Actor::Staff && PUBLISHED.contains(&e.state.as_str()))
        })
        .collect();
    let published_documents: Vec<&str> = shown
        .iter()
        .filter_map(|e| e.attachment.as_deref())
        .collect();
    body.timeline = Some(shown.iter().map(|e| TimelineEntry::from(*e)).collect());
    let mut docs = documents::views(
        &ctx.store,
        &ctx.files,
        ctx.bucket.as_deref(),
        &case.municipality,
        KIND,
        &case.id,
        audience != Audience::Public,
    )
    .await?;
    if audience == Audience::Public {
        docs.retain(|d| published_documents.contains(&d.id.as_str()));
    }
    body.documents = Some(docs);
    body.next_states = match audience {
        Audience::Staff => Some(INFO_REQUEST.next_states(&case.state, Actor::Staff)),
        Audience::Requester => Some(INFO_REQUEST.next_states(&case.state, Actor::Owner)),
        Audience::Public => None,
    };
    Ok(body)
}

/// `GET …/info-requests/{id}`: the requester and staff; the public only for a
/// published one.
pub async fn get(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    let (case, data, audience) = visible(ctx, who.as_ref(), m, id).await?;
    json(
        StatusCode::OK,
        &detail(ctx, view, &case, &data, audience).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewState {
    state: String,
    #[serde(default)]
    note: Option<String>,
    /// With `extended`: `multiple` (10 more days, once) or `third_party` (45
    /// days from receipt).
    #[serde(default)]
    extension: Option<Extension>,
    /// With `rejected`: the legal ground (art. 24).
    #[serde(default)]
    legal_ground: Option<String>,
    /// With `not_held`: the body that holds the information.
    #[serde(default)]
    redirect_to: Option<String>,
    /// A document of the request (`att_…`, uploaded) that goes with the step:
    /// the answer itself.
    #[serde(default)]
    document: Option<String>,
}

/// Steps that must say something.
const NEEDS_NOTE: &[&str] = &[
    "not_clear",
    "extended",
    "accepted",
    "partially_accepted",
    "rejected",
    "not_held",
    "appealed",
    "appeal_accepted",
    "appeal_rejected",
];

/// `POST …/info-requests/{id}/transitions`: staff process, extend, answer,
/// refuse or redirect; the requester clarifies, withdraws or appeals. Each step
/// and its notice are written together; the deadline follows the law.
pub async fn transition(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let body: NewState = view.json()?;
    let to = body.state.trim().to_owned();
    let note = body
        .note
        .as_deref()
        .map(|n| parse_label(n, "note", NOTE_MAX))
        .transpose()?;
    let (case, data, audience) = visible(ctx, Some(&who), m, id).await?;
    if audience == Audience::Public {
        return Err(ApiError::not_found());
    }
    let owner = Id::parse("usr", &case.owner).map_err(|_| ApiError::internal())?;
    let actor = authorize_transition(
        &who,
        &CaseRef {
            kind: KIND,
            municipality: m,
            owner: &owner,
            state: &case.state,
        },
        &to,
    )?;
    if NEEDS_NOTE.contains(&to.as_str()) && note.is_none() {
        return Err(DomainError::invalid("note", "required").into());
    }
    let only_with = |field: &'static str, present: bool, state: &str| {
        if present && to != state {
            Err(ApiError::from(DomainError::invalid(field, "not_allowed")))
        } else {
            Ok(())
        }
    };
    only_with("extension", body.extension.is_some(), "extended")?;
    only_with("legal_ground", body.legal_ground.is_some(), "rejected")?;
    only_with("redirect_to", body.redirect_to.is_some(), "not_held")?;
    let cal = calendar(ctx).await?;
    let now = OffsetDateTime::now_utc();
    let mut new = data.clone();
    // What happens to the deadline: `None` unchanged, `Some(None)` stopped.
    let mut due: Option<Option<String>> = None;
    match to.as_str() {
        // Asking for details stops the clock, but not once it has run out.
        "not_clear" if info_request::deadline_passed(&data, now) => {
            return Err(DomainError::invalid("state", "deadline_passed").into());
        }
        "not_clear" => due = Some(None),
        // The requester's clarification: the clock starts again.
        "received" => {
            new.received_at = baladiya::clock::rfc3339(now);
            new.deadline = deadline::answer_deadline(now, data.access_mode, data.urgent, &cal);
            due = Some(Some(new.deadline.due_at.clone()));
        }
        "extended" => {
            let why = body
                .extension
                .ok_or_else(|| ApiError::from(DomainError::invalid("extension", "required")))?;
            new.deadline = info_request::extend(&data, why, now, &cal)?;
            new.extended = true;
            due = Some(Some(new.deadline.due_at.clone()));
        }
        "accepted" | "appeal_accepted" | "appeal_rejected" | "withdrawn" => due = Some(None),
        "partially_accepted" => {
            new.appeal_until = Some(deadline::appeal_window(now, &cal));
            due = Some(None);
        }
        "rejected" => {
            let ground = body
                .legal_ground
                .as_deref()
                .ok_or_else(|| ApiError::from(DomainError::invalid("legal_ground", "required")))?;
            new.legal_ground = Some(info_request::parse_ground(ground)?.to_owned());
            new.appeal_until = Some(deadline::appeal_window(now, &cal));
            due = Some(None);
        }
        "not_held" => {
            let to_body = body
                .redirect_to
                .as_deref()
                .ok_or_else(|| ApiError::from(DomainError::invalid("redirect_to", "required")))?;
            new.redirected_to = Some(parse_label(to_body, "redirect_to", 200)?);
            due = Some(None);
        }
        "appealed" => {
            info_request::may_appeal(&case.state, &data, now, &cal)?;
            new.deadline = deadline::appeal_answer(now, &cal);
            new.appeal_until = None;
            due = Some(Some(new.deadline.due_at.clone()));
        }
        _ => {}
    }
    let document = match body.document.as_deref() {
        None => None,
        Some(raw) => {
            let bucket = ctx.bucket.as_deref().ok_or_else(ApiError::unavailable)?;
            Some(documents::confirm(&ctx.store, &ctx.files, bucket, m, KIND, &case.id, raw).await?)
        }
    };
    let entry = HistoryEntry {
        seq: case.seq + 1,
        state: to.clone(),
        note,
        author: who.user().to_string(),
        author_role: actor,
        at: baladiya::clock::rfc3339(now),
        attachment: document,
    };
    let notice = Notice {
        id: Id::generate("ntf").to_string(),
        municipality: m.clone(),
        kind: KIND,
        case_id: case.id.clone(),
        state: entry.state.clone(),
        seq: entry.seq,
        at: entry.at.clone(),
        attempts: 0,
        next_attempt_at: now_secs() + 60,
        reference: None,
        to: None,
    };
    let outbox = ctx.store.notice_put(&notice)?;
    let new_value = serde_json::to_value(&new).map_err(|_| ApiError::internal())?;
    let changes = CaseChanges {
        duplicate_of: None,
        due_at: due.as_ref().map(|d| d.as_deref()),
        data: Some(&new_value),
    };
    match ctx
        .store
        .transition_case_changing(&case, &entry, &changes, vec![outbox])
        .await
    {
        Ok(()) => {}
        Err(StoreError::VersionConflict) => return Err(ApiError::conflict("version_conflict")),
        Err(e) => return Err(e.into()),
    }
    let updated = CaseRecord {
        state: entry.state.clone(),
        seq: entry.seq,
        updated_at: entry.at.clone(),
        status_note: entry.note.clone(),
        due_at: match due {
            Some(d) => d,
            None => case.due_at.clone(),
        },
        data: new_value,
        ..case
    };
    let audience = if actor == Actor::Staff {
        Audience::Staff
    } else {
        Audience::Requester
    };
    json(
        StatusCode::OK,
        &detail(ctx, view, &updated, &new, audience).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    content_type: String,
    size: u64,
}

/// `POST …/info-requests/{id}/documents`: a presigned upload of one document
/// (PDF, JPEG, PNG; 20 MB): staff's answers, the requester's clarifications.
pub async fn document(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let body: NewDocument = view.json()?;
    let (case, _, audience) = visible(ctx, Some(&who), m, id).await?;
    match audience {
        Audience::Staff => {}
        Audience::Requester if !INFO_REQUEST.is_closed(&case.state) => {}
        Audience::Requester => return Err(DomainError::invalid("request", "closed").into()),
        Audience::Public => return Err(ApiError::not_found()),
    }
    let bucket = ctx.bucket.as_deref().ok_or_else(ApiError::unavailable)?;
    let upload = documents::start_upload(
        &ctx.store,
        &ctx.files,
        bucket,
        m,
        KIND,
        &case.id,
        who.user().as_str(),
        &body.content_type,
        body.size,
    )
    .await?;
    json(StatusCode::CREATED, &upload)
}

/// `GET …/reminders`: what the scheduler reminded the municipality's staff of
/// (files due within 48 hours, overdue ones), newest first; each member sees
/// the kinds of files they handle.
pub async fn reminders(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let permits = authorize(&who, m, Permission::Permits);
    let info = authorize(&who, m, Permission::AccessToInformation);
    if let (Err(e), Err(_)) = (&permits, &info) {
        return Err(e.clone().into());
    }
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("reminders:{m}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let page = ctx.store.reminders(m, limit, start).await?;
    let items: Vec<_> = page
        .items
        .into_iter()
        .filter(|r| match r.kind {
            CaseKind::Permit => permits.is_ok(),
            CaseKind::InfoRequest => info.is_ok(),
            _ => false,
        })
        .collect();
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
    )
}
