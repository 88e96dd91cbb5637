//! Minutes' workflow: staff with `reports` record that the council or
//! committee approved them (at a meeting), then publish them; staff's worklist
//! of drafts and approved minutes; the committee and meeting a document names.
//! Load → decide (`domain::document`) → write.

use baladiya::domain::document::{self, DocStatus, Document};
use baladiya::domain::{DomainError, MunicipalityId};
use baladiya::http::paging::paging;
use baladiya::http::response::{List, json};
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::Deserialize;

use crate::Ctx;
use crate::documents::{doc_id, item, page, staff_of};

/// A new document's committee and meeting exist in `m` and go together.
pub async fn check_committee(
    ctx: &Ctx,
    m: &MunicipalityId,
    d: &mut Document,
) -> Result<(), ApiError> {
    let Some(cid) = d.committee.as_deref() else {
        return Ok(());
    };
    let kind = ctx
        .store
        .committee(m, cid, false)
        .await?
        .map(|c| c.content.kind);
    let meeting = match d.meeting.as_deref() {
        Some(id) => Some(ctx.store.meeting(m, id, false).await?),
        None => None,
    };
    let meeting_of = meeting
        .as_ref()
        .map(|mt| mt.as_ref().map(|mt| mt.committee.as_str()));
    document::check_link(d, kind, meeting_of)?;
    Ok(())
}

/// `GET …/documents?status=draft|approved`: staff's documents not yet
/// public, newest first.
pub async fn worklist(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    status: DocStatus,
    query: &std::collections::HashMap<String, String>,
) -> Answer {
    if ["type", "year", "committee"]
        .iter()
        .any(|k| query.contains_key(*k))
    {
        return Err(ApiError::bad_request("invalid_query")
            .with_detail("status: draft or approved lists take no other filter"));
    }
    let scope = format!("documents:{m}:{}", status.code());
    let (limit, start) = paging(&ctx.cursors, query, &scope, 100)?;
    staff_of(ctx, view, m).await?;
    let page = ctx.store.documents_in(m, status, limit, start).await?;
    let items: Vec<_> = page.items.iter().map(|d| item(m, d, view.lang)).collect();
    List::page(items, page.next, &ctx.cursors, &scope).answer()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
    /// Approval: the meeting that approved the minutes.
    meeting: Option<String>,
}

/// `POST …/documents/{id}/status`: `approved` (minutes the council or
/// committee approved, at `meeting` if given: one of the same committee's)
/// or `published`.
pub async fn status(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let id = doc_id(id)?;
    let body: StatusBody = view.json()?;
    let to = DocStatus::parse(&body.status)
        .filter(|s| *s != DocStatus::Draft)
        .ok_or_else(|| DomainError::invalid("status", "one_of_approved_published"))?;
    let meeting = body
        .meeting
        .map(|raw| {
            baladiya::domain::Id::parse("mtg", raw.trim())
                .map(|i| i.to_string())
                .map_err(|_| DomainError::invalid("meeting", "format"))
        })
        .transpose()?;
    if meeting.is_some() && to != DocStatus::Approved {
        return Err(DomainError::invalid("meeting", "only_for_approval").into());
    }
    let who = staff_of(ctx, view, m).await?;
    let before = ctx
        .store
        .document(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // A retry of the step just made (its answer lost): the same answer.
    if before.status() == to && before.doc_type.is_minutes() {
        return json(
            StatusCode::OK,
            &page(ctx, m, &before, view.lang, true).await?,
        );
    }
    if let Some(mid) = &meeting {
        let approving = ctx
            .store
            .meeting(m, mid, false)
            .await?
            .ok_or_else(|| DomainError::invalid("meeting", "unknown"))?;
        if Some(approving.committee.as_str()) != before.committee.as_deref() {
            return Err(DomainError::invalid("meeting", "of_another_committee").into());
        }
        // Minutes are approved at a session that took place.
        if approving.status != baladiya::domain::committee::MeetingStatus::Held {
            return Err(DomainError::invalid("meeting", "not_held").into());
        }
    }
    let now = view.now_rfc3339();
    let by = who.user().as_str();
    let (after, step) = match to {
        DocStatus::Approved => document::approve(&before, meeting, by, &now)?,
        _ => document::publish(&before, by, &now)?,
    };
    ctx.store.move_document(m, &before, &after, &step).await?;
    json(
        StatusCode::OK,
        &page(ctx, m, &after, view.lang, true).await?,
    )
}
