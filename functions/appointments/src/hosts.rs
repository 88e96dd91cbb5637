//! Hosts and their slots: staff with `appointments` publish a host's
//! availability; anyone reads it and the slots left on the coming days.

use baladiya::domain::appointment::slots::{self, Slot};
use baladiya::domain::appointment::{Appointment, Host, HostContent};
use baladiya::domain::guide::Office;
use baladiya::domain::{DomainError, MunicipalityId, Permission, Service};
use baladiya::http::response::{List, check_if_match, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::Serialize;

use crate::Ctx;

pub(crate) fn host_code(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::eticket::parse_code(raw, "host").map_err(|_| ApiError::not_found())
}

/// A host and the office whose hours its slots follow, or 404.
pub(crate) async fn load(
    ctx: &Ctx,
    m: &MunicipalityId,
    code: &str,
) -> Result<(Host, Office), ApiError> {
    let code = host_code(code)?;
    let host = ctx
        .store
        .host(m, &code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let office = ctx
        .store
        .office(m, &host.content.office)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((host, office))
}

/// `GET …/appointment-hosts`: anyone, where appointments are active.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    ctx.cases
        .service::<Appointment>(m, view.optional_principal(&ctx.verifier)?.as_ref())
        .await?;
    let hosts = ctx.store.hosts(m).await?;
    List::all(hosts).public(60)
}

/// `GET …/appointment-hosts/{host}`: anyone; staff get the `ETag` to edit.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    ctx.cases.service::<Appointment>(m, who.as_ref()).await?;
    let code = host_code(code)?;
    let host = ctx
        .store
        .host(m, &code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if baladiya::domain::roles::may(who.as_ref(), m, Permission::Appointments) {
        with_etag(json(StatusCode::OK, &host)?, host.version)
    } else {
        public_json(&host, 60)
    }
}

/// `PUT …/appointment-hosts/{host}`: staff with `appointments` write a
/// host's availability (`If-Match` to change one). Its office must exist.
pub async fn put(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    baladiya::http::access::staff(
        &ctx.store,
        &ctx.verifier,
        view,
        m,
        Service::Appointments,
        Permission::Appointments,
    )
    .await?;
    let code = baladiya::domain::eticket::parse_code(code, "host")?;
    let content: HostContent = view.json()?;
    let content = content.check()?;
    let expected = view.if_match()?;
    if ctx.store.office(m, &content.office).await?.is_none() {
        return Err(DomainError::invalid("office", "unknown").into());
    }
    let before = ctx.store.host(m, &code).await?;
    let read = before.as_ref().map(|h| h.version);
    // Slots are computed: a new length or office would make new slots
    // overlap the booked ones, uncounted. Not while bookings are ahead.
    if let Some(b) = &before {
        let reshaped =
            b.content.slot_minutes != content.slot_minutes || b.content.office != content.office;
        if reshaped {
            let ahead = ctx
                .store
                .slot_bookings(m, &code, &view.now_rfc3339(), "9999")
                .await?;
            if ahead.iter().any(|(_, n)| *n > 0) {
                return Err(DomainError::invalid("slot_minutes", "bookings_ahead").into());
            }
        }
    }
    if let Some(v) = read {
        check_if_match(expected, v)?;
    }
    let host = Host {
        code,
        content,
        version: read.map_or(1, |v| v + 1),
        updated_at: view.now_rfc3339(),
    };
    ctx.store.put_host(m, &host, read).await?;
    let status = if read.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    with_etag(json(status, &host)?, host.version)
}

#[derive(Serialize)]
struct SlotView {
    #[serde(flatten)]
    slot: Slot,
    /// Places left in it.
    left: u16,
}

#[derive(Serialize)]
struct DayView {
    /// `YYYY-MM-DD`, Tunis.
    date: String,
    slots: Vec<SlotView>,
}

/// `GET …/appointment-hosts/{host}/slots[?from=YYYY-MM-DD&days=7]`: the
/// bookable slots of the coming days with the places left (full ones too,
/// with 0 left).
pub async fn slots(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let query = view.query(&["from", "days"])?;
    let who = view.optional_principal(&ctx.verifier)?;
    ctx.cases.service::<Appointment>(m, who.as_ref()).await?;
    let bad = |d: &str| ApiError::bad_request("invalid_query").with_detail(d.to_owned());
    let today = baladiya::domain::eticket::local(view.now).date();
    let from = match query.get("from") {
        None => today,
        Some(raw) => raw
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|d| (1970..=9000).contains(&d.year()))
            .ok_or_else(|| bad("from: YYYY-MM-DD"))?,
    };
    let days: i64 = match query.get("days") {
        None => 7,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|d| (1..=31).contains(d))
            .ok_or_else(|| bad("days: 1 to 31"))?,
    };
    let (host, office) = load(ctx, m, code).await?;
    let cal = ctx.store.calendar().await?;
    let mut out = Vec::new();
    let mut all = Vec::new();
    for i in 0..days {
        let Ok(d) = from.checked_add(jiff::Span::new().days(i)) else {
            break;
        };
        let Some(day) = baladiya::domain::eticket::time_date(d) else {
            continue;
        };
        let got = slots::bookable(&host, &office.hours, &cal, day, view.now);
        all.extend(got.iter().cloned());
        out.push((d.to_string(), got));
    }
    let taken = match (all.first(), all.last()) {
        (Some(a), Some(b)) => {
            ctx.store
                .slot_bookings(m, &host.code, &a.starts_at, &b.starts_at)
                .await?
        }
        _ => Vec::new(),
    };
    let cap = host.content.capacity;
    let days: Vec<DayView> = out
        .into_iter()
        .map(|(date, slots)| DayView {
            date,
            slots: slots
                .into_iter()
                .map(|slot| {
                    let used = taken
                        .iter()
                        .find(|(s, _)| *s == slot.starts_at)
                        .map_or(0, |(_, n)| *n);
                    let left = u64::from(cap).saturating_sub(used);
                    SlotView {
                        slot,
                        left: u16::try_from(left).unwrap_or(0),
                    }
                })
                .collect(),
        })
        .collect();
    #[derive(Serialize)]
    struct Answer<'a> {
        host: &'a Host,
        days: Vec<DayView>,
    }
    // Places move with every booking: kept a few seconds only.
    public_json(&Answer { host: &host, days }, 5)
}
