//! A host's slots: the opening hours of its office on a day (the guide's
//! rules: seasons, Ramadan, one-off days, public holidays), cut into slots of
//! the host's length; bookable from `min_notice_hours` ahead to
//! `max_days_ahead` days ahead. Pure: the caller passes the hours, the holiday
//! calendar and the moment.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::Host;
use crate::domain::DomainError;
use crate::domain::calendar::Calendar;
use crate::domain::guide::hours::{OfficeHours, instant, minutes};

/// One slot: its start and end (RFC 3339 UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub starts_at: String,
    pub ends_at: String,
}

/// The slots of local day `d`, in order.
pub fn of_day(host: &Host, hours: &OfficeHours, cal: &Calendar, d: Date) -> Vec<Slot> {
    let len = host.content.slot_minutes;
    let (shifts, _) = hours.day(d, cal);
    let mut out = Vec::new();
    for s in &shifts {
        let Some((open, close)) = minutes(s) else {
            continue;
        };
        let mut at = open;
        while at + len <= close {
            if let (Some(a), Some(b)) = (instant(d, at), instant(d, at + len)) {
                out.push(Slot {
                    starts_at: a,
                    ends_at: b,
                });
            }
            at += len;
        }
    }
    out
}

/// The window a booking at `now` may fall in.
pub fn window(host: &Host, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    (
        now + time::Duration::hours(i64::from(host.content.min_notice_hours)),
        now + time::Duration::days(i64::from(host.content.max_days_ahead)),
    )
}

/// The bookable slots of local day `d` at `now`.
pub fn bookable(
    host: &Host,
    hours: &OfficeHours,
    cal: &Calendar,
    d: Date,
    now: OffsetDateTime,
) -> Vec<Slot> {
    let (from, to) = window(host, now);
    of_day(host, hours, cal, d)
        .into_iter()
        .filter(|s| crate::clock::parse_rfc3339(&s.starts_at).is_some_and(|t| t >= from && t <= to))
        .collect()
}

/// The slot starting at `start`, if the host offers it and it may be booked
/// at `now`; else why not.
pub fn check(
    host: &Host,
    hours: &OfficeHours,
    cal: &Calendar,
    start: &str,
    now: OffsetDateTime,
) -> Result<Slot, DomainError> {
    if !host.content.active {
        return Err(DomainError::invalid("host", "not_taking_bookings"));
    }
    let at =
        crate::clock::parse_rfc3339(start.trim()).ok_or(DomainError::invalid("slot", "rfc3339"))?;
    let (from, to) = window(host, now);
    if at < from {
        return Err(DomainError::invalid("slot", "too_soon"));
    }
    if at > to {
        return Err(DomainError::invalid("slot", "too_far_ahead"));
    }
    let local = crate::domain::eticket::local(at);
    let day = crate::domain::eticket::time_date(local.date())
        .ok_or(DomainError::invalid("slot", "rfc3339"))?;
    let wanted = crate::clock::rfc3339(at);
    of_day(host, hours, cal, day)
        .into_iter()
        .find(|s| s.starts_at == wanted)
        .ok_or(DomainError::invalid("slot", "not_a_slot"))
}

/// The instants a local day of Tunis begins and ends (RFC 3339 UTC).
pub fn day_bounds(d: jiff::civil::Date) -> (String, String) {
    let at = |d: jiff::civil::Date| {
        d.to_zoned(crate::domain::eticket::tunis())
            .ok()
            .and_then(|z| OffsetDateTime::from_unix_timestamp(z.timestamp().as_second()).ok())
            .map(crate::clock::rfc3339)
            .unwrap_or_default()
    };
    (at(d), at(d.tomorrow().unwrap_or(d)))
}
