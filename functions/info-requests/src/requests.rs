//! Access-to-information request handlers: parse the request, run the shared
//! case flow (`baladiya::cases`) with the law's rules
//! (`domain::info_request::InfoRequest`), answer in the request's view.

use baladiya::cases::Opened;
use baladiya::domain::attachment::FileKind;
use baladiya::domain::case::decide::{self, Move};
use baladiya::domain::case::{Audience, CaseType, timeline};
use baladiya::domain::deadline::{self, AccessMode};
use baladiya::domain::info_request::{
    self, Extension, InfoRequest, InfoRequestData, PUBLISHED, StepFields,
};
use baladiya::domain::roles::authorize;
use baladiya::domain::staff::parse_label;
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{DomainError, MunicipalityId, Permission};
use baladiya::http::Answer;
use baladiya::http::paging::paging;
use baladiya::http::response::{List, json};
use baladiya::http::{ApiError, RequestView};
use http::StatusCode;
use serde::Deserialize;

use crate::Ctx;
use crate::views::InfoRequestView;

const NOTE_MAX: usize = 2000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    information: String,
    access_mode: String,
    #[serde(default)]
    urgent: bool,
    /// Why a person's life or liberty depends on it (required when urgent).
    urgent_reason: Option<String>,
    #[serde(default)]
    publish_consent: bool,
}

/// `POST …/info-requests`: ask for information. The deadline is computed now
/// and shown with its reasons. Idempotent with `Idempotency-Key`.
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let filer = decide::filer::<InfoRequest>(&who, m)?;
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
    ctx.cases.service::<InfoRequest>(m, Some(&who)).await?;
    let cal = ctx.store.calendar().await?;
    let deadline = deadline::answer_deadline(view.now, access_mode, body.urgent, &cal);
    let requester_name = ctx.cases.name_of(&who).await?;
    let data = InfoRequestData {
        information,
        access_mode,
        urgent: body.urgent,
        urgent_reason,
        publish_consent: body.publish_consent,
        requester_name,
        received_at: view.now_rfc3339(),
        deadline: deadline.clone(),
        extended: false,
        legal_ground: None,
        redirected_to: None,
        appeal_until: None,
    };
    let filing = decide::file::<InfoRequest>(m, &filer, data, Some(deadline.due_at), view.now);
    ctx.cases
        .create::<InfoRequest, _>(view, &who, idem_key, filing, |case, first| {
            InfoRequestView {
                timeline: Some(first),
                ..InfoRequestView::new(case, Audience::Owner, view.lang, &case.created_at)
            }
        })
        .await
}

/// `GET …/info-requests`: staff's queue, the requests still owed an answer
/// (and appeals), soonest deadline first; overdue ones flagged.
pub async fn queue(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let now = view.now_rfc3339();
    ctx.cases
        .list_queue::<InfoRequest, _>(ctx, view, m, "air-queue", |c| {
            InfoRequestView::new(c, Audience::Staff, view.lang, &now)
        })
        .await
}

/// `GET …/info-requests/inbox`: the municipality's requests for its staff, by
/// state, assignee, due time.
pub async fn inbox(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let now = view.now_rfc3339();
    ctx.cases
        .inbox::<InfoRequest, _>(ctx, view, m, "air-inbox", |c| {
            InfoRequestView::new(c, Audience::Staff, view.lang, &now)
        })
        .await
}

/// `GET …/info-requests/by-reference/{reference}`: for its staff and its
/// requester.
pub async fn by_reference(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    reference: &str,
) -> Answer {
    let now = view.now_rfc3339();
    ctx.cases
        .by_reference::<InfoRequest, _>(ctx, view, m, reference, |c, a| {
            InfoRequestView::new(c, a, view.lang, &now)
        })
        .await
}

/// `GET …/info-requests/mine`: the caller's requests here, newest first.
pub async fn mine(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let now = view.now_rfc3339();
    ctx.cases
        .list_mine::<InfoRequest, _>(ctx, view, m, "air-mine", |c| {
            InfoRequestView::new(c, Audience::Owner, view.lang, &now)
        })
        .await
}

/// `GET …/info-requests/register`: answered requests whose requester agreed to
/// publication, newest first, with the answer; no personal data.
pub async fn register(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("air-register:{m}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    ctx.cases.service::<InfoRequest>(m, None).await?;
    let page = ctx
        .store
        .cases_of_kind::<InfoRequestData>(m, InfoRequest::KIND, Some(PUBLISHED), limit, start)
        .await?;
    #[derive(serde::Serialize)]
    struct Published {
        #[serde(flatten)]
        request: InfoRequestView,
        /// The answer's note.
        answer: Option<String>,
    }
    let now = view.now_rfc3339();
    let items = page
        .items
        .iter()
        .map(|c| Published {
            request: InfoRequestView::new(c, Audience::Public, view.lang, &now),
            answer: c.status_note.clone(),
        })
        .collect();
    List::page(items, page.next, &ctx.cursors, &scope).public(60)
}

/// The request as its audience sees it, with the timeline and documents the
/// audience may read (the public: the municipality's answers and theirs only)
/// and the states the caller may move it to.
async fn detail(
    ctx: &Ctx,
    view: &RequestView<'_>,
    opened: &Opened<InfoRequestData>,
    history: &[baladiya::domain::case::HistoryEntry],
) -> Result<InfoRequestView, ApiError> {
    let audience = opened.audience;
    let mut body = InfoRequestView::new(&opened.case, audience, view.lang, &view.now_rfc3339());
    let shown = timeline::<InfoRequest>(history, audience);
    let mut docs = ctx.cases.documents(opened).await?;
    if audience == Audience::Public {
        let published: Vec<&str> = history
            .iter()
            .filter(|e| InfoRequest::public_step(e))
            .filter_map(|e| e.attachment.as_deref())
            .collect();
        docs.retain(|d| published.contains(&d.id.as_str()));
    }
    body.timeline = Some(shown);
    body.documents = Some(docs);
    body.next_states = audience.next_states(InfoRequest::KIND, &opened.case.state);
    Ok(body)
}

/// `GET …/info-requests/{id}`: the requester and staff; the public only for a
/// published one.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let opened = ctx.cases.read::<InfoRequest>(ctx, view, m, id).await?;
    let history = ctx.cases.history(&opened.case).await?;
    json(StatusCode::OK, &detail(ctx, view, &opened, &history).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewState {
    state: String,
    note: Option<String>,
    /// With `extended`: `multiple` (10 more days, once) or `third_party` (45
    /// days from receipt).
    extension: Option<Extension>,
    /// With `rejected`: the legal ground (art. 24).
    legal_ground: Option<String>,
    /// With `not_held`: the body that holds the information.
    redirect_to: Option<String>,
    /// A document of the request (`att_…`, uploaded) that goes with the step:
    /// the answer itself.
    document: Option<String>,
}

/// `POST …/info-requests/{id}/transitions`: staff process, extend, answer,
/// refuse or redirect; the requester clarifies, withdraws or appeals. Each step
/// and its notice are written together; the deadline follows the law.
pub async fn transition(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let cal = ctx.store.calendar().await?;
    let moved = ctx
        .cases
        .step::<InfoRequest, NewState>(ctx, view, m, id, &cal, |body| {
            let fields = StepFields {
                extension: body.extension,
                legal_ground: body.legal_ground,
                redirect_to: body.redirect_to,
            };
            Ok(Move {
                file: body.document,
                ..Move::asked(body.state, body.note.as_deref(), NOTE_MAX, fields)?
            })
        })
        .await?;
    json(
        StatusCode::OK,
        &detail(ctx, view, &moved.opened, &moved.history).await?,
    )
}

/// `POST …/info-requests/{id}/documents`: a presigned upload of one document
/// (PDF, JPEG, PNG; 20 MB): staff's answers, the requester's clarifications.
pub async fn document(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    ctx.cases
        .add_file::<InfoRequest>(ctx, view, m, id, FileKind::Document)
        .await
}

/// `GET …/reminders`: what the scheduler reminded the municipality's staff of
/// (files due within 48 hours, overdue ones) and what citizens did that staff
/// must look at (a contested resolution), newest first; each member sees
/// the kinds of files they handle.
pub async fn reminders(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let kinds = [CaseKind::Complaint, CaseKind::Permit, CaseKind::InfoRequest];
    let allowed: Vec<CaseKind> = kinds
        .into_iter()
        .filter(|k| authorize(&who, m, k.permission()).is_ok())
        .collect();
    if allowed.is_empty() {
        authorize(&who, m, Permission::Permits)?;
    }
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("reminders:{m}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let page = ctx.store.reminders(m, limit, start).await?;
    let items: Vec<_> = page
        .items
        .into_iter()
        .filter(|r| allowed.contains(&r.kind))
        .collect();
    List::page(items, page.next, &ctx.cursors, &scope).answer()
}
