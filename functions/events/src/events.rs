//! Events: the public list and page, and what staff with `events` write.
//! Load → decide (`domain::event`) → write conditioned on the version read,
//! with the counters' capacity and what is to be told, in one transaction.

use baladiya::domain::event::{self, Change, Event, EventCategory, EventContent, EventStatus};
use baladiya::domain::roles::may;
use baladiya::domain::{DomainError, MunicipalityId, Permission, Principal, Service, Text};
use baladiya::http::paging::{idempotency, paging, request_fingerprint};
use baladiya::http::response::{List, check_if_match, created_once, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::events::{Counts, Reminder, Telling};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Ctx;

/// Where events are active: the caller, if signed in.
pub(crate) async fn open(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Option<Principal>, ApiError> {
    let who = view.optional_principal(&ctx.verifier)?;
    baladiya::http::access::municipality(&ctx.store, m, Service::Events, who.as_ref()).await?;
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
        Service::Events,
        Permission::Events,
    )
    .await
}

pub(crate) fn event_id(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::Id::parse("evt", raw)
        .map(|i| i.to_string())
        .map_err(|_| ApiError::not_found())
}

/// An event and its counters, or 404.
pub(crate) async fn load(
    ctx: &Ctx,
    m: &MunicipalityId,
    id: &str,
    consistent: bool,
) -> Result<(Event, Counts), ApiError> {
    let id = event_id(id)?;
    ctx.store
        .event(m, &id, consistent)
        .await?
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Serialize)]
pub(crate) struct EventView<'a> {
    #[serde(flatten)]
    event: &'a Event,
    interested: u64,
    going: u64,
    /// With a capacity: places left, and how many wait for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    places_left: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting: Option<u64>,
    /// Marks are taken (not cancelled, not over).
    open: bool,
    path: String,
    /// Its iCalendar file, for "add to my calendar".
    ics: String,
}

pub(crate) fn view_of<'a>(
    m: &MunicipalityId,
    e: &'a Event,
    c: &Counts,
    now: OffsetDateTime,
) -> EventView<'a> {
    let path = format!("/v1/municipalities/{m}/events/{}", e.id);
    let cap = e.content.capacity.map(u64::from);
    EventView {
        event: e,
        interested: c.interested,
        going: c.going,
        places_left: cap.map(|cap| cap.saturating_sub(c.going)),
        waiting: cap.map(|_| c.waiting),
        open: event::attendance::open(e, now),
        ics: format!("{path}/calendar.ics"),
        path,
    }
}

/// `GET …/events[?from&to&category&committee]`: events by start. Without
/// `from`, those not over yet (from a week back, for events of several
/// days); `to` at most a year and a bit after `from`.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["from", "to", "category", "committee", "limit", "cursor"])?;
    let when = |name: &'static str| -> Result<Option<OffsetDateTime>, ApiError> {
        match query.get(name) {
            None => Ok(None),
            Some(raw) => baladiya::clock::parse_rfc3339(raw)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::bad_request("invalid_query").with_detail(format!("{name}: RFC 3339"))
                }),
        }
    };
    let (from, to) = (when("from")?, when("to")?);
    let category = match query.get("category") {
        None => None,
        Some(c) => Some(EventCategory::from_code(c).ok_or_else(|| {
            ApiError::bad_request("invalid_query").with_detail("category: unknown")
        })?),
    };
    let committee = query.get("committee").cloned();
    open(ctx, view, m).await?;
    let upcoming = from.is_none();
    let from = from.unwrap_or(view.now - time::Duration::days(7));
    let to = to.unwrap_or(from + time::Duration::days(event::feed::DAYS_AHEAD + 31));
    if to < from {
        return Err(ApiError::bad_request("invalid_query").with_detail("to: before from"));
    }
    let scope = format!(
        "events:{m}:{}:{}:{}:{}",
        baladiya::clock::rfc3339(from),
        baladiya::clock::rfc3339(to),
        category.map_or("", |c| c.code()),
        committee.as_deref().unwrap_or("")
    );
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let (from_s, to_s) = (baladiya::clock::rfc3339(from), baladiya::clock::rfc3339(to));
    let page = ctx
        .store
        .events_between(m, &from_s, &to_s, false, limit, start)
        .await?;
    let none = Counts::default();
    let items: Vec<EventView<'_>> = page
        .items
        .iter()
        .filter(|e| !upcoming || e.content.ends() > view.now)
        .filter(|e| category.is_none_or(|c| e.content.category == c))
        .filter(|e| committee.is_none() || e.content.committee == committee)
        .map(|e| view_of(m, e, &none, view.now))
        .collect();
    // Counters change with every mark: lists show none; the page has them.
    List::page(items, page.next, &ctx.cursors, &scope).public(60)
}

/// A committee named by an event exists.
async fn known_committee(ctx: &Ctx, m: &MunicipalityId, c: &EventContent) -> Result<(), ApiError> {
    if let Some(id) = &c.committee
        && ctx.store.committee(m, id, false).await?.is_none()
    {
        return Err(DomainError::invalid("committee", "unknown").into());
    }
    Ok(())
}

fn reminder(e: &Event, now: OffsetDateTime) -> Reminder {
    match event::reminder_due(e, now) {
        Some(at) => Reminder::At(at),
        None => Reminder::Remove,
    }
}

/// `POST …/events`: staff with `events` add one (`Idempotency-Key`); it is
/// public at once.
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = staff_of(ctx, view, m).await?;
    let body: EventContent = view.json()?;
    let key = view.idempotency_key()?;
    let e = event::create(body, who.user().as_str(), &view.now_rfc3339())?;
    known_committee(ctx, m, &e.content).await?;
    let idem = idempotency(key, m, &who, &request_fingerprint(view.request()));
    let location = format!("/v1/municipalities/{m}/events/{}", e.id);
    let counts = Counts::default();
    let body = serde_json::to_string(&view_of(m, &e, &counts, view.now))
        .map_err(|_| ApiError::internal())?;
    let telling = Telling {
        reminder: reminder(&e, view.now),
        change: None,
    };
    let done = ctx
        .store
        .create_event(m, &e, &telling, idem.as_ref(), &body, view.now)
        .await?;
    created_once(done, &location, body)
}

/// `GET …/events/{id}`: anyone; staff with `events` get its `ETag` to edit.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let who = open(ctx, view, m).await?;
    let staff = may(who.as_ref(), m, Permission::Events);
    let (e, c) = load(ctx, m, id, staff).await?;
    let v = view_of(m, &e, &c, view.now);
    if staff {
        with_etag(json(StatusCode::OK, &v)?, e.version)
    } else {
        public_json(&v, 30)
    }
}

/// After a write that may have freed places (a capacity raised), give them
/// to those in line.
async fn fill(
    ctx: &Ctx,
    m: &MunicipalityId,
    e: &Event,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    if e.content.capacity.is_some() && e.status != EventStatus::Cancelled {
        let notice = event::notice(m, e, "registered", now);
        ctx.store.fill_places(m, &e.id, &notice, now).await?;
    }
    Ok(())
}

/// `PUT …/events/{id}` (`If-Match`): staff rewrite an event. A new time or
/// place raises its SEQUENCE and tells those who marked it.
pub async fn edit(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    staff_of(ctx, view, m).await?;
    let body: EventContent = view.json()?;
    let expected = view.if_match()?;
    let (before, counts) = load(ctx, m, id, true).await?;
    check_if_match(expected, before.version)?;
    let taken = u32::try_from(counts.going).unwrap_or(u32::MAX);
    let (after, change) = event::edit(&before, body, taken, &view.now_rfc3339())?;
    known_committee(ctx, m, &after.content).await?;
    let telling = Telling {
        reminder: match change {
            Some(_) => reminder(&after, view.now),
            None => Reminder::Keep,
        },
        change,
    };
    ctx.store
        .put_event(m, &after, before.version, &telling, view.now)
        .await?;
    fill(ctx, m, &after, view.now).await?;
    let (after, counts) = load(ctx, m, &after.id, true).await?;
    with_etag(
        json(StatusCode::OK, &view_of(m, &after, &counts, view.now))?,
        after.version,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: EventStatus,
    reason: Option<Text>,
}

/// `POST …/events/{id}/status`: staff postpone or cancel (with a reason),
/// or schedule again a postponed event. A cancelled event stays in the feeds
/// with `STATUS:CANCELLED`; everyone who marked it is told.
pub async fn status(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    staff_of(ctx, view, m).await?;
    let body: StatusBody = view.json()?;
    let expected = view.if_match()?;
    let (before, _) = load(ctx, m, id, true).await?;
    check_if_match(expected, before.version)?;
    let (after, change) =
        event::set_status(&before, body.status, body.reason, &view.now_rfc3339())?;
    let telling = Telling {
        reminder: reminder(&after, view.now),
        change: change.filter(|c| *c != Change::Moved || after.content.ends() > view.now),
    };
    ctx.store
        .put_event(m, &after, before.version, &telling, view.now)
        .await?;
    let (after, counts) = load(ctx, m, &after.id, true).await?;
    with_etag(
        json(StatusCode::OK, &view_of(m, &after, &counts, view.now))?,
        after.version,
    )
}
