//! Marks: "interested", or "going" — a place, or a turn on the waiting list,
//! at an event with a capacity. Load → decide (`domain::event::attendance`)
//! → one transaction (`store::attendance`), tried again from a fresh read
//! when another request of the same person landed first.

use baladiya::domain::event::attendance::{self, Ask, Attendance, Mark, Plan, Seat};
use baladiya::domain::event::{self, Event};
use baladiya::domain::{MunicipalityId, Principal};
use baladiya::http::paging::paging;
use baladiya::http::response::{List, json, no_content};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::attendance::MarkError;
use http::StatusCode;
use serde::Serialize;

use crate::Ctx;
use crate::events::{load, open, staff_of};

/// Tries of a mark that raced another request of the same person, or whose
/// counters another mark was writing at the same moment.
const ATTEMPTS: u32 = 6;

#[serde_with::skip_serializing_none]
#[derive(Serialize)]
struct MarkView<'a> {
    mark: Mark,
    seat: Option<Seat>,
    /// On the waiting list: how many are ahead (0: next).
    ahead: Option<u64>,
    at: &'a str,
}

fn view_of(a: &Attendance, ahead: Option<u64>) -> MarkView<'_> {
    MarkView {
        mark: a.mark,
        seat: a.seat,
        ahead,
        at: &a.at,
    }
}

/// The signed-in person (a staff token of another municipality changes
/// nothing here) and the event.
async fn person(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<(String, Event), ApiError> {
    let who = view.principal(&ctx.verifier)?;
    if matches!(&who, Principal::Staff { municipality, .. } if municipality != m) {
        return Err(ApiError::not_found());
    }
    open(ctx, view, m).await?;
    let (e, _) = load(ctx, m, id, false).await?;
    Ok((who.user().as_str().to_owned(), e))
}

fn refused(e: MarkError) -> ApiError {
    match e {
        MarkError::Full => ApiError::conflict("event_full"),
        MarkError::Closed => ApiError::conflict("event_not_open"),
        MarkError::Conflict => ApiError::conflict("version_conflict"),
        MarkError::Store(e) => e.into(),
    }
}

async fn ahead(ctx: &Ctx, m: &MunicipalityId, a: &Attendance) -> Result<Option<u64>, ApiError> {
    match &a.wait_key {
        Some(key) => Ok(Some(ctx.store.ahead_of(m, &a.event, key).await?)),
        None => Ok(None),
    }
}

/// `GET …/events/{id}/attendance`: one's own mark (404 before any).
pub async fn mine(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let (user, e) = person(ctx, view, m, id).await?;
    let a = ctx
        .store
        .attendance(m, &e.id, &user)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let ahead = ahead(ctx, m, &a).await?;
    json(StatusCode::OK, &view_of(&a, ahead))
}

/// `PUT …/events/{id}/attendance`: mark an event "interested" or "going".
/// Going to an event with a capacity takes a place, or, full, a turn on the
/// waiting list (409 `event_full` if `waiting_list` is false).
pub async fn mark(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let (user, e) = person(ctx, view, m, id).await?;
    let ask: Ask = view.json()?;
    if !attendance::open(&e, view.now) {
        return Err(ApiError::conflict("event_not_open"));
    }
    let notice = event::notice(m, &e, "registered", view.now);
    for attempt in 1..=ATTEMPTS {
        let before = ctx.store.attendance(m, &e.id, &user).await?;
        let wait_key = format!("{}#{}", view.now_rfc3339(), ulid::Ulid::new());
        let plan = attendance::plan(&e, before.as_ref(), ask, &user, view.now, wait_key)
            .map_err(|_| ApiError::conflict("event_not_open"))?;
        let result = match plan {
            Plan::Keep => Ok(before.clone()),
            Plan::Mark(after) => ctx
                .store
                .remark(m, before.as_ref(), Some(&after), Some(&notice), view.now)
                .await
                .map(|()| Some(after)),
            Plan::Seat {
                registered,
                waiting,
            } => ctx
                .store
                .take_seat(
                    m,
                    &e.id,
                    &user,
                    before.as_ref(),
                    &registered,
                    waiting.as_ref(),
                )
                .await
                .map(|seat| match seat {
                    Seat::Registered => Some(registered),
                    Seat::Waiting => waiting,
                }),
        };
        match result {
            Ok(Some(a)) => {
                let ahead = ahead(ctx, m, &a).await?;
                return json(StatusCode::OK, &view_of(&a, ahead));
            }
            Ok(None) | Err(MarkError::Conflict) => continue,
            // The counters were being written by another mark: again, shortly.
            Err(MarkError::Store(StoreError::Throttled)) if attempt < ATTEMPTS => {
                baladiya::http::retry::back_off(attempt).await;
            }
            Err(e) => return Err(refused(e)),
        }
    }
    Err(ApiError::conflict("version_conflict"))
}

/// `DELETE …/events/{id}/attendance`: take one's mark back; a place freed
/// goes to the first in line, who is told.
pub async fn unmark(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let (user, e) = person(ctx, view, m, id).await?;
    // Over or cancelled: nobody is moved up to the place given back.
    let notice =
        attendance::open(&e, view.now).then(|| event::notice(m, &e, "registered", view.now));
    for attempt in 1..=ATTEMPTS {
        let Some(before) = ctx.store.attendance(m, &e.id, &user).await? else {
            return no_content();
        };
        match ctx
            .store
            .remark(m, Some(&before), None, notice.as_ref(), view.now)
            .await
        {
            Ok(()) => return no_content(),
            Err(MarkError::Conflict) => continue,
            Err(MarkError::Store(StoreError::Throttled)) if attempt < ATTEMPTS => {
                baladiya::http::retry::back_off(attempt).await;
            }
            Err(e) => return Err(refused(e)),
        }
    }
    Err(ApiError::conflict("version_conflict"))
}

#[derive(Serialize)]
struct Attendee<'a> {
    user: &'a str,
    mark: Mark,
    #[serde(skip_serializing_if = "Option::is_none")]
    seat: Option<Seat>,
    at: &'a str,
}

/// `GET …/events/{id}/attendees`: staff with `events` see who marked it (by
/// account id: names and numbers stay with the accounts), a page at a time.
pub async fn attendees(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let query = view.query(&["limit", "cursor"])?;
    staff_of(ctx, view, m).await?;
    let (e, _) = load(ctx, m, id, false).await?;
    let scope = format!("attendees:{m}:{}", e.id);
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 200)?;
    let page = ctx.store.attendees_page(m, &e.id, limit, start).await?;
    let items: Vec<Attendee<'_>> = page
        .items
        .iter()
        .map(|a| Attendee {
            user: &a.user,
            mark: a.mark,
            seat: a.seat,
            at: &a.at,
        })
        .collect();
    List::page(items, page.next, &ctx.cursors, &scope).answer()
}
