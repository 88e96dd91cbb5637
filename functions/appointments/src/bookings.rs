//! Bookings: a citizen books a slot, moves or cancels it; staff accept or
//! refuse, check in, mark attended or missed; the staff's day; the booked
//! slot as an iCalendar file. Each runs the shared case flow
//! (`baladiya::cases`) with the slot's writes in the step's transaction.

use baladiya::cases::Opened;
use baladiya::domain::appointment::slots::{self, Slot};
use baladiya::domain::appointment::{
    self, Appointment, AppointmentData, FREES_SLOT, Host, NewSlot, parse_reason,
};
use baladiya::domain::attachment::FileKind;
use baladiya::domain::case::decide::{self, Move};
use baladiya::domain::case::{Audience, CaseType, HistoryEntry, timeline};
use baladiya::domain::ical::{self, Calendar, Entry, Status, When};
use baladiya::domain::roles::authorize;
use baladiya::domain::{DomainError, MunicipalityId, Permission, Principal};
use baladiya::http::paging::{idempotency, paging, request_fingerprint};
use baladiya::http::response::{List, created_once, json};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::StoreError;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Deserialize;

use crate::Ctx;
use crate::hosts;
use crate::views::AppointmentView;

const NOTE_MAX: usize = 1000;
/// Tries of a booking whose slot another booking was writing at the same moment.
const ATTEMPTS: u32 = 6;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    host: String,
    /// The slot's start (RFC 3339), as `…/slots` lists it.
    slot: String,
    reason: String,
}

/// The host named in a request body: an unknown one is a bad field, not a 404.
async fn host_of(
    ctx: &Ctx,
    m: &MunicipalityId,
    code: &str,
) -> Result<(Host, baladiya::domain::guide::Office), ApiError> {
    match hosts::load(ctx, m, code).await {
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            Err(DomainError::invalid("host", "unknown").into())
        }
        other => other,
    }
}

/// `POST …/appointments`: book a slot (`Idempotency-Key`). Confirmed at once,
/// or `requested` where the host approves bookings. 409 `slot_full` when its
/// places are taken, 409 `appointment_held` for a second open appointment
/// with the same host.
pub async fn book(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let filer = decide::filer::<Appointment>(&who, m)?;
    let idem_key = view.idempotency_key()?;
    let body: NewBooking = view.json()?;
    let reason = parse_reason(&body.reason)?;
    ctx.cases.service::<Appointment>(m, Some(&who)).await?;
    let (host, office) = host_of(ctx, m, &body.host).await?;
    let cal = ctx.store.calendar().await?;
    let slot = slots::check(&host, &office.hours, &cal, &body.slot, view.now)?;
    let user = who.user().as_str();
    let idem = idempotency(idem_key, m, &who, &request_fingerprint(view.request()));
    let data = AppointmentData {
        host: host.code.clone(),
        host_name: host.content.name.clone(),
        starts_at: slot.starts_at.clone(),
        ends_at: slot.ends_at.clone(),
        reason,
        moved: 0,
        checked_in_at: None,
    };
    let mut filing =
        decide::file::<Appointment>(m, &filer, data, Some(slot.starts_at.clone()), view.now);
    if !host.content.approval {
        filing.case.state = "confirmed".into();
        filing.first.state = "confirmed".into();
    }
    let first = timeline::<Appointment>(std::slice::from_ref(&filing.first), Audience::Owner);
    let answer = AppointmentView {
        timeline: Some(first),
        ..AppointmentView::new(&filing.case, Audience::Owner)
    };
    let answer = serde_json::to_string(&answer).map_err(|_| ApiError::internal())?;
    let location = format!("/v1/municipalities/{m}/appointments/{}", filing.case.id);
    for attempt in 1..=ATTEMPTS {
        let extra = vec![
            ctx.store
                .take_slot(m, &host.code, &slot.starts_at, host.content.capacity)?,
            ctx.store.hold(
                m,
                &host.code,
                user,
                &filing.case.id,
                &slot.ends_at,
                &view.now_rfc3339(),
            )?,
        ];
        match ctx
            .store
            .file_case(&filing, extra, idem.as_ref(), &answer)
            .await
        {
            Ok(created) => return created_once(created, &location, answer),
            Err(StoreError::AlreadyExists) => {
                let held = ctx
                    .store
                    .hold_of(m, &host.code, user, &view.now_rfc3339())
                    .await?;
                return Err(if held.is_some() {
                    ApiError::conflict("appointment_held")
                } else {
                    ApiError::conflict("slot_full")
                });
            }
            Err(StoreError::Throttled) if attempt < ATTEMPTS => {
                baladiya::http::retry::back_off(attempt).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict("version_conflict"))
}

/// The appointment as its audience sees it, with its timeline, documents and
/// the states the caller may move it to.
async fn detail(
    ctx: &Ctx,
    opened: &Opened<AppointmentData>,
    history: &[HistoryEntry],
) -> Result<AppointmentView, ApiError> {
    let audience = opened.audience;
    let mut body = AppointmentView::new(&opened.case, audience);
    body.timeline = Some(timeline::<Appointment>(history, audience));
    body.documents = Some(ctx.cases.documents(opened).await?);
    body.next_states = audience.next_states(Appointment::KIND, &opened.case.state);
    Ok(body)
}

/// `GET …/appointments/{id}`: the person and staff with `appointments`.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let opened = ctx.cases.read::<Appointment>(ctx, view, m, id).await?;
    let history = ctx.cases.history(&opened.case).await?;
    json(StatusCode::OK, &detail(ctx, &opened, &history).await?)
}

/// `GET …/appointments/mine`: one's appointments here, newest first.
pub async fn mine(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    ctx.cases
        .list_mine::<Appointment, _>(ctx, view, m, "apt-mine", |c| {
            AppointmentView::new(c, Audience::Owner)
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewState {
    state: String,
    note: Option<String>,
}

/// What a step writes besides the case: the slot given back when it is
/// declined or cancelled, the person's hold with the host ended when it
/// closes (if it is this appointment's: `held`, read before), taken again
/// when a missed visit is corrected (unless another appointment holds it).
fn slot_writes(
    ctx: &Ctx,
    m: &MunicipalityId,
    plan: &decide::TransitionPlan<AppointmentData>,
    held: Option<&str>,
    now: &str,
) -> Result<Vec<baladiya::store::Write>, ApiError> {
    let c = &plan.case;
    let mut out = Vec::new();
    if FREES_SLOT.contains(&c.state.as_str()) {
        out.push(ctx.store.free_slot(m, &c.data.host, &c.data.starts_at)?);
    }
    if c.is_closed() {
        if held == Some(c.id.as_str()) {
            out.push(ctx.store.release(m, &c.data.host, &c.owner, &c.id)?);
        }
    } else if plan.from == "no_show" {
        if held.is_some_and(|h| h != c.id) {
            return Err(ApiError::conflict("appointment_held"));
        }
        out.push(
            ctx.store
                .hold(m, &c.data.host, &c.owner, &c.id, &c.data.ends_at, now)?,
        );
    }
    Ok(out)
}

/// `POST …/appointments/{id}/transitions`: staff accept (`confirmed`) or
/// refuse (`declined`, with a note), check in, mark `done`, or `no_show`
/// (not before the start), or cancel; the person cancels before the start.
/// A staff member's own appointment is theirs as a citizen's: they cancel it,
/// colleagues accept it. A slot given back is free for others at once.
pub async fn transition(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let body: NewState = view.json()?;
    let opened = ctx.cases.open::<Appointment>(Some(&who), m, id).await?;
    // The state as the workflow names it (a padded name is the same state).
    let to = Appointment::KIND.workflow().state(body.state.trim())?;
    let started = !appointment::before_start(&opened.case.data, view.now);
    let own = opened.case.owner == who.user().as_str();
    match to {
        "cancelled" if started => return Err(DomainError::invalid("state", "after_start").into()),
        "no_show" if !started => return Err(DomainError::invalid("state", "before_start").into()),
        "cancelled" => {}
        // One's own booking is approved, refused or closed by a colleague.
        _ if own => return Err(ApiError::forbidden()),
        _ => {}
    }
    // A move is `…/move`, with its slot.
    if to == opened.case.state || to == "requested" {
        return Err(DomainError::TransitionNotAllowed {
            from: opened.case.state.clone(),
            to: to.to_owned(),
        }
        .into());
    }
    let now = view.now_rfc3339();
    // Whichever appointment holds the person's place with the host (ended
    // or not: an expired hold is still released by its own case).
    let held = ctx
        .store
        .hold_of(m, &opened.case.data.host, &opened.case.owner, "")
        .await?;
    let mv = Move::asked(to.to_owned(), body.note.as_deref(), NOTE_MAX, None)?;
    let moved = ctx
        .cases
        .transition_with::<Appointment>(&who, opened, mv, &(), view.now, |plan| {
            slot_writes(ctx, m, plan, held.as_deref(), &now)
        })
        .await?;
    json(
        StatusCode::OK,
        &detail(ctx, &moved.opened, &moved.history).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveTo {
    slot: String,
    note: Option<String>,
}

/// `POST …/appointments/{id}/move`: the person moves it to another slot of
/// the same host, before its start; back to `requested` where the host
/// approves bookings. The new slot is taken and the old one given back in
/// the same transaction.
pub async fn move_to(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let body: MoveTo = view.json()?;
    let opened = ctx.cases.open::<Appointment>(Some(&who), m, id).await?;
    let case = &opened.case;
    // The person's own (a staff member's too).
    if case.owner != who.user().as_str() {
        return Err(ApiError::not_found());
    }
    if case.is_closed() || case.state == "checked_in" {
        return Err(DomainError::TransitionNotAllowed {
            from: case.state.clone(),
            to: "moved".into(),
        }
        .into());
    }
    if !appointment::before_start(&case.data, view.now) {
        return Err(DomainError::invalid("state", "after_start").into());
    }
    let (host, office) = host_of(ctx, m, &case.data.host).await?;
    let cal = ctx.store.calendar().await?;
    let slot: Slot = slots::check(&host, &office.hours, &cal, &body.slot, view.now)?;
    if slot.starts_at == case.data.starts_at {
        return Err(DomainError::invalid("slot", "same_slot").into());
    }
    let taken = ctx
        .store
        .slot_bookings(m, &host.code, &slot.starts_at, &slot.starts_at)
        .await?;
    if taken
        .first()
        .is_some_and(|(_, n)| *n >= u64::from(host.content.capacity))
    {
        return Err(ApiError::conflict("slot_full"));
    }
    let to = appointment::state_after_move(case, &host).to_owned();
    let (old, new_start) = (case.data.starts_at.clone(), slot.starts_at.clone());
    let fields = Some(NewSlot {
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
    });
    let mv = Move::asked(to, body.note.as_deref(), NOTE_MAX, fields)?;
    let cap = host.content.capacity;
    let code = host.code.clone();
    let moved = ctx
        .cases
        .transition_with::<Appointment>(&who, opened, mv, &(), view.now, |_| {
            Ok(vec![
                ctx.store.take_slot(m, &code, &new_start, cap)?,
                ctx.store.free_slot(m, &code, &old)?,
            ])
        })
        .await;
    let moved = match moved {
        Ok(x) => x,
        // The new slot filled meanwhile: say so, not "try again".
        Err(e) if e.status == StatusCode::CONFLICT => {
            let taken = ctx
                .store
                .slot_bookings(m, &code, &new_start, &new_start)
                .await?;
            if taken.first().is_some_and(|(_, n)| *n >= u64::from(cap)) {
                return Err(ApiError::conflict("slot_full"));
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    json(
        StatusCode::OK,
        &detail(ctx, &moved.opened, &moved.history).await?,
    )
}

/// `POST …/appointments/{id}/documents`: a presigned upload of a document
/// for the appointment (the person's papers, staff's answer).
pub async fn document(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    ctx.cases
        .add_file::<Appointment>(ctx, view, m, id, FileKind::Document)
        .await
}

/// `GET …/appointments/day?date=YYYY-MM-DD[&host=]`: staff's day, by slot.
pub async fn day(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["date", "host", "limit", "cursor"])?;
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    ctx.cases.service::<Appointment>(m, Some(&who)).await?;
    authorize(&who, m, Permission::Appointments)?;
    let date = match query.get("date") {
        None => baladiya::domain::eticket::local(view.now).date(),
        Some(raw) => raw
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|d| (1970..=9000).contains(&d.year()))
            .ok_or_else(|| {
                ApiError::bad_request("invalid_query").with_detail("date: YYYY-MM-DD")
            })?,
    };
    let host = query.get("host").cloned();
    let (from, to) = slots::day_bounds(date);
    let scope = format!("apt-day:{m}:{date}:{}", host.as_deref().unwrap_or(""));
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 200)?;
    let page = ctx
        .store
        .queue_between::<AppointmentData>(m, Appointment::KIND, &from, &to, limit, start)
        .await?;
    let items: Vec<AppointmentView> = page
        .items
        .iter()
        .filter(|c| c.data.starts_at < to)
        .filter(|c| host.as_deref().is_none_or(|h| c.data.host == h))
        .map(|c| AppointmentView::new(c, Audience::Staff))
        .collect();
    List::page(items, page.next, &ctx.cursors, &scope).answer()
}

/// `GET …/appointments/{id}/calendar.ics`: the booked slot for the person's
/// calendar (and staff's): one VEVENT, its SEQUENCE raised by each move and
/// by a cancellation.
pub async fn ics(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let who: Option<Principal> = view.optional_principal(&ctx.verifier)?;
    if who.is_none() {
        return Err(ApiError::unauthenticated());
    }
    let opened = ctx.cases.read::<Appointment>(ctx, view, m, id).await?;
    if opened.audience == Audience::Public {
        return Err(ApiError::not_found());
    }
    let c = &opened.case;
    let (host, office) = host_of(ctx, m, &c.data.host).await?;
    let at = |raw: &str| {
        raw.parse::<jiff::Timestamp>()
            .map_err(|_| ApiError::internal())
    };
    let lang = view.lang;
    let cancelled = FREES_SLOT.contains(&c.state.as_str());
    let location = match &office.address {
        Some(a) => format!("{}, {}", office.name.get(lang), a.get(lang)),
        None => office.name.get(lang).to_owned(),
    };
    let entry = Entry {
        uid: format!("{}@{m}.baladiya", c.id),
        sequence: c.data.moved + u32::from(cancelled),
        modified: at(&c.updated_at)?,
        created: Some(at(&c.created_at)?),
        when: When::Timed {
            start: at(&c.data.starts_at)?,
            end: Some(at(&c.data.ends_at)?),
        },
        summary: format!("{} — {}", rdv(lang), host.content.name.get(lang)),
        description: Some(c.data.reason.clone()),
        location: Some(location),
        geo: office.location.map(|p| (p.lat, p.lon)),
        categories: vec!["appointment".into()],
        url: Some(format!(
            "{}/v1/municipalities/{m}/appointments/{}",
            ctx.public_url.root(view),
            c.id
        )),
        status: match c.state.as_str() {
            "requested" => Status::Tentative,
            s if FREES_SLOT.contains(&s) => Status::Cancelled,
            _ => Status::Confirmed,
        },
    };
    let cal = Calendar {
        name: rdv(lang).to_owned(),
        description: None,
        entries: vec![entry],
    };
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/calendar; charset=utf-8")
        .header(
            "content-disposition",
            format!("attachment; filename=\"{}.ics\"", c.id),
        )
        .header("cache-control", "private, no-store")
        .body(Body::Text(ical::render(&cal)))
        .map_err(|_| ApiError::internal())
}

fn rdv(lang: baladiya::domain::Lang) -> &'static str {
    baladiya::domain::text::tr("موعد", "Rendez-vous", "Appointment").pick(lang)
}
