//! Polls: the public list and page, and what staff with `polls` write.
//! Load → decide (`domain::poll`) → write conditioned on the version read.

use baladiya::domain::poll::{self, Phase, Poll, PollContent, PollStatus};
use baladiya::domain::roles::may;
use baladiya::domain::{MunicipalityId, Permission, Principal, Service};
use baladiya::http::paging::{idempotency, paging, request_fingerprint};
use baladiya::http::response::{List, check_if_match, created_once, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::Serialize;

use crate::Ctx;

/// Where polls are active: the caller, if signed in.
pub(crate) async fn open(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Option<Principal>, ApiError> {
    let who = view.optional_principal(&ctx.verifier)?;
    baladiya::http::access::municipality(&ctx.store, m, Service::Polls, who.as_ref()).await?;
    Ok(who)
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
        Service::Polls,
        Permission::Polls,
    )
    .await
}

pub(crate) fn poll_id(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::Id::parse("pol", raw)
        .map(|i| i.to_string())
        .map_err(|_| ApiError::not_found())
}

/// A poll as the caller may see it: a draft only by staff with `polls`.
pub(crate) async fn visible(
    ctx: &Ctx,
    m: &MunicipalityId,
    id: &str,
    who: Option<&Principal>,
) -> Result<(Poll, bool), ApiError> {
    let id = poll_id(id)?;
    let staff = may(who, m, Permission::Polls);
    let p = ctx
        .store
        .poll(m, &id, staff)
        .await?
        .filter(|p| staff || p.status == PollStatus::Published)
        .ok_or_else(ApiError::not_found)?;
    Ok((p, staff))
}

#[derive(Debug, Serialize)]
pub(crate) struct PollView<'a> {
    #[serde(flatten)]
    poll: &'a Poll,
    /// draft, upcoming, open or closed, now.
    phase: Phase,
    /// Whether the results are public now (closed, or live).
    results_public: bool,
    path: String,
}

pub(crate) fn view_of<'a>(
    m: &MunicipalityId,
    p: &'a Poll,
    now: time::OffsetDateTime,
) -> PollView<'a> {
    PollView {
        poll: p,
        phase: poll::phase(p, now),
        results_public: poll::results_public(p, now),
        path: format!("/v1/municipalities/{m}/polls/{}", p.id),
    }
}

/// `GET …/polls[?status=draft]`: published polls, the latest window first;
/// staff with `polls` list drafts.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["status", "limit", "cursor"])?;
    let status = match query.get("status").map(String::as_str) {
        None | Some("published") => PollStatus::Published,
        Some("draft") => PollStatus::Draft,
        Some(_) => {
            return Err(
                ApiError::bad_request("invalid_query").with_detail("status: published or draft")
            );
        }
    };
    // Who asks first: drafts are nobody else's business, not even a 400.
    if status == PollStatus::Draft {
        staff_of(ctx, view, m).await?;
    } else {
        open(ctx, view, m).await?;
    }
    let scope = format!("polls:{m}:{status:?}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 50)?;
    let page = ctx.store.polls_page(m, status, limit, start).await?;
    let items: Vec<PollView<'_>> = page.items.iter().map(|p| view_of(m, p, view.now)).collect();
    let list = List::page(items, page.next, &ctx.cursors, &scope);
    match status {
        // Phases move with the clock: kept a minute.
        PollStatus::Published => list.public(60),
        PollStatus::Draft => list.answer(),
    }
}

/// A poll for an area's followers names one of the municipality's areas.
async fn known_area(ctx: &Ctx, m: &MunicipalityId, p: &Poll) -> Result<(), ApiError> {
    let poll::Eligibility::Area { area } = &p.content.eligibility else {
        return Ok(());
    };
    let areas = ctx.store.areas(m).await?;
    if areas.iter().any(|a| &a.code == area) {
        Ok(())
    } else {
        Err(baladiya::domain::DomainError::invalid("eligibility.area", "unknown_area").into())
    }
}

/// `POST …/polls`: staff with `polls` write a draft (`Idempotency-Key`).
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = staff_of(ctx, view, m).await?;
    let body: PollContent = view.json()?;
    let key = view.idempotency_key()?;
    let p = poll::draft(body, &view.now_rfc3339())?;
    known_area(ctx, m, &p).await?;
    let idem = idempotency(key, m, &who, &request_fingerprint(view.request()));
    let location = format!("/v1/municipalities/{m}/polls/{}", p.id);
    let body =
        serde_json::to_string(&view_of(m, &p, view.now)).map_err(|_| ApiError::internal())?;
    let done = ctx.store.create_poll(m, &p, idem.as_ref(), &body).await?;
    created_once(done, &location, body)
}

/// `GET …/polls/{id}`: a published poll (a draft: staff's, with its `ETag`).
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let who = open(ctx, view, m).await?;
    let (p, staff) = visible(ctx, m, id, who.as_ref()).await?;
    let v = view_of(m, &p, view.now);
    if staff {
        with_etag(json(StatusCode::OK, &v)?, p.version)
    } else {
        public_json(&v, 60)
    }
}

/// `PUT …/polls/{id}` (`If-Match`): staff rewrite a draft.
pub async fn edit(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    staff_of(ctx, view, m).await?;
    let body: PollContent = view.json()?;
    let id = poll_id(id)?;
    let expected = view.if_match()?;
    let before = ctx
        .store
        .poll(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_if_match(expected, before.version)?;
    let after = poll::edit(&before, body, &view.now_rfc3339())?;
    known_area(ctx, m, &after).await?;
    ctx.store.put_poll(m, &after, before.version).await?;
    with_etag(
        json(StatusCode::OK, &view_of(m, &after, view.now))?,
        after.version,
    )
}

/// `POST …/polls/{id}/publication`: staff publish a draft; it opens at its
/// time. Its question and choices no longer change.
pub async fn publish(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let id = poll_id(id)?;
    staff_of(ctx, view, m).await?;
    let before = ctx
        .store
        .poll(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let after = poll::publish(&before, view.now)?;
    ctx.store.put_poll(m, &after, before.version).await?;
    with_etag(
        json(StatusCode::OK, &view_of(m, &after, view.now))?,
        after.version,
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Closing {
    /// The new close (RFC 3339); none: now.
    closes_at: Option<String>,
}

/// `POST …/polls/{id}/closing`: staff close a published poll now (`{}`), or
/// move its close (`{"closes_at"}`) while it is not over.
pub async fn closing(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let id = poll_id(id)?;
    staff_of(ctx, view, m).await?;
    let body: Closing = view.json_or_default()?;
    let expected = view.if_match()?;
    let before = ctx
        .store
        .poll(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_if_match(expected, before.version)?;
    let after = poll::reclose(&before, body.closes_at.as_deref(), view.now)?;
    ctx.store.put_poll(m, &after, before.version).await?;
    with_etag(
        json(StatusCode::OK, &view_of(m, &after, view.now))?,
        after.version,
    )
}
