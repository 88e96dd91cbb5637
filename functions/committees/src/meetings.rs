//! Meetings: planned by staff with `committees` for a committee, revised
//! (time, place, agenda; decisions once held), held or cancelled. Anyone reads
//! them; a closed agenda item shows its number only to the public.

use baladiya::domain::committee::{self, AgendaItem, Meeting, MeetingContent, MeetingStatus};
use baladiya::domain::roles::may;
use baladiya::domain::{MunicipalityId, Permission, Text};
use baladiya::http::paging::{idempotency, paging, request_fingerprint};
use baladiya::http::response::{List, check_if_match, created_once, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::Ctx;
use crate::committees::{committee_id, open, staff_of};

fn meeting_id(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::Id::parse("mtg", raw)
        .map(|i| i.to_string())
        .map_err(|_| ApiError::not_found())
}

/// A meeting as read: times in Tunis, the agenda as the reader may see it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
struct MeetingView<'a> {
    id: &'a str,
    committee: &'a str,
    name: Option<&'a Text>,
    start: String,
    end: Option<String>,
    place: &'a Text,
    public: bool,
    status: MeetingStatus,
    reason: Option<&'a Text>,
    agenda: Vec<AgendaItem>,
    documents: &'a [String],
    version: u64,
    created_at: &'a str,
    updated_at: &'a str,
    path: String,
}

fn view_of<'a>(m: &MunicipalityId, mt: &'a Meeting, staff: bool) -> MeetingView<'a> {
    MeetingView {
        id: &mt.id,
        committee: &mt.committee,
        name: mt.content.name.as_ref(),
        start: committee::in_tunis(&mt.content.start),
        end: mt.content.end.as_deref().map(committee::in_tunis),
        place: &mt.content.place,
        public: mt.content.public,
        status: mt.status,
        reason: mt.reason.as_ref(),
        agenda: if staff {
            mt.content.agenda.clone()
        } else {
            committee::public_agenda(mt)
        },
        documents: &mt.documents,
        version: mt.version,
        created_at: &mt.created_at,
        updated_at: &mt.updated_at,
        path: format!("/v1/municipalities/{m}/meetings/{}", mt.id),
    }
}

/// `GET …/meetings` or `GET …/committees/{id}/meetings`: newest first
/// (`order=oldest` for the oldest first), cursor-paged.
pub async fn list(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    committee: Option<&str>,
) -> Answer {
    let query = view.query(&["order", "limit", "cursor"])?;
    let committee = committee.map(committee_id).transpose()?;
    let oldest = match query.get("order").map(String::as_str) {
        None | Some("newest") => false,
        Some("oldest") => true,
        Some(_) => {
            return Err(
                ApiError::bad_request("invalid_query").with_detail("order: newest or oldest")
            );
        }
    };
    let scope = format!(
        "meetings:{m}:{}:{oldest}",
        committee.as_deref().unwrap_or("")
    );
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let who = open(ctx, view, m).await?;
    if let Some(c) = &committee {
        ctx.store
            .committee(m, c, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
    }
    let staff = may(who.as_ref(), m, Permission::Committees);
    let page = ctx
        .store
        .meetings(m, committee.as_deref(), oldest, limit, start)
        .await?;
    let items: Vec<MeetingView<'_>> = page.items.iter().map(|x| view_of(m, x, staff)).collect();
    let list = List::page(items, page.next, &ctx.cursors, &scope);
    if staff {
        list.answer()
    } else {
        list.public(120)
    }
}

/// `GET …/meetings/{id}`.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let id = meeting_id(id)?;
    let who = open(ctx, view, m).await?;
    let staff = may(who.as_ref(), m, Permission::Committees);
    let mt = ctx
        .store
        .meeting(m, &id, staff)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let v = view_of(m, &mt, staff);
    if staff {
        with_etag(json(StatusCode::OK, &v)?, mt.version)
    } else {
        public_json(&v, 120)
    }
}

/// `POST …/committees/{id}/meetings`: plan one.
pub async fn plan(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let body: MeetingContent = view.json()?;
    let key = view.idempotency_key()?;
    let content = body.check()?;
    let committee = committee_id(id)?;
    let who = staff_of(ctx, view, m).await?;
    ctx.store
        .committee(m, &committee, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let idem = idempotency(key, m, &who, &request_fingerprint(view.request()));
    let mt = committee::plan(&committee, content, &view.now_rfc3339());
    let body = serde_json::to_string(&view_of(m, &mt, true)).map_err(|_| ApiError::internal())?;
    let done = ctx
        .store
        .create_meeting(m, &mt, idem.as_ref(), &body)
        .await?;
    created_once(
        done,
        &format!("/v1/municipalities/{m}/meetings/{}", mt.id),
        body,
    )
}

/// Load a meeting for staff, decide its change, write it on the version read.
async fn change(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
    decide: impl FnOnce(&Meeting) -> Result<Meeting, baladiya::domain::DomainError>,
) -> Answer {
    let id = meeting_id(id)?;
    staff_of(ctx, view, m).await?;
    let expected = view.if_match()?;
    let before = ctx
        .store
        .meeting(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_if_match(expected, before.version)?;
    let after = decide(&before)?;
    ctx.store.put_meeting(m, &after, before.version).await?;
    with_etag(
        json(StatusCode::OK, &view_of(m, &after, true))?,
        after.version,
    )
}

/// `PUT …/meetings/{id}`: its time, place and agenda (decisions once held).
pub async fn revise(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let body: MeetingContent = view.json()?;
    let content = body.check()?;
    let now = view.now_rfc3339();
    change(ctx, view, m, id, |mt| committee::revise(mt, content, &now)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: MeetingStatus,
    reason: Option<Text>,
}

/// `POST …/meetings/{id}/status`: `held` (once started) or `cancelled` (with
/// a reason).
pub async fn status(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let body: StatusBody = view.json()?;
    let now = view.now;
    change(ctx, view, m, id, |mt| {
        committee::set_status(mt, body.status, body.reason, now)
    })
    .await
}
