//! The calendar of municipal activities: events with a time in Africa/Tunis
//! (or whole days), a place, a category and an organiser; scheduled, postponed
//! or cancelled. A change of time, place or status raises the event's
//! SEQUENCE, which calendar apps read to replace their copy, and tells those
//! who marked it. Registration with a capacity and a waiting list is
//! [`attendance`]; the iCalendar view of events and of the municipality's other
//! dates is [`feed`].

pub mod attendance;
pub mod feed;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::guide::check_text;
use crate::domain::{DomainError, Id, Text};

/// What an event is about (a feed per category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventCategory {
    Culture,
    Sport,
    Environment,
    Health,
    Social,
    Youth,
    Education,
    /// A public meeting, a consultation of residents, a participatory budget forum.
    Participation,
    Works,
    Other,
}

impl EventCategory {
    pub const ALL: [EventCategory; 10] = [
        EventCategory::Culture,
        EventCategory::Sport,
        EventCategory::Environment,
        EventCategory::Health,
        EventCategory::Social,
        EventCategory::Youth,
        EventCategory::Education,
        EventCategory::Participation,
        EventCategory::Works,
        EventCategory::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventCategory::Culture => "culture",
            EventCategory::Sport => "sport",
            EventCategory::Environment => "environment",
            EventCategory::Health => "health",
            EventCategory::Social => "social",
            EventCategory::Youth => "youth",
            EventCategory::Education => "education",
            EventCategory::Participation => "participation",
            EventCategory::Works => "works",
            EventCategory::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<EventCategory> {
        EventCategory::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Scheduled,
    /// Put off, its new date not known yet (or given with it).
    Postponed,
    /// Called off: kept in the feeds with `STATUS:CANCELLED`.
    Cancelled,
}

/// Where: a name, an address, and a point for maps and `GEO`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub name: Text,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// What staff with `events` write.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventContent {
    pub title: Text,
    pub description: Option<Text>,
    pub category: EventCategory,
    /// Whole days: `start` and `end` are dates (`YYYY-MM-DD`, `end` inclusive
    /// and optional); else instants (RFC 3339, `end` required).
    #[serde(default)]
    pub all_day: bool,
    pub start: String,
    pub end: Option<String>,
    pub place: Place,
    /// Who runs it: a municipal service, an association.
    pub organiser: Option<Text>,
    /// The committee it belongs to (`cmt_…`): in that committee's feed.
    pub committee: Option<String>,
    /// An https URL of the municipality's media.
    pub image: Option<String>,
    /// Places to register for; none: no registration.
    pub capacity: Option<u32>,
}

/// An event as stored and shown.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(flatten)]
    pub content: EventContent,
    pub status: EventStatus,
    /// Why it was postponed or cancelled.
    pub reason: Option<Text>,
    /// iCalendar SEQUENCE: raised on each change of time, place or status.
    pub sequence: u32,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
    /// `stf_…`/`usr_…` of who wrote it.
    pub by: String,
}

pub const MAX_CAPACITY: u32 = 100_000;

/// A date as `YYYY-MM-DD`.
pub fn parse_day(raw: &str, field: &'static str) -> Result<jiff::civil::Date, DomainError> {
    raw.trim()
        .parse::<jiff::civil::Date>()
        .map_err(|_| DomainError::invalid(field, "date"))
}

fn instant(raw: &str, field: &'static str) -> Result<OffsetDateTime, DomainError> {
    crate::clock::parse_rfc3339(raw.trim()).ok_or_else(|| DomainError::invalid(field, "rfc3339"))
}

fn bad_url(u: &str) -> bool {
    !u.starts_with("https://")
        || u.len() > 500
        || u.chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

impl EventContent {
    /// Checked and normalised: times in UTC, an end after the start, texts
    /// within bounds, a point on Earth, a plausible capacity.
    pub fn check(mut self) -> Result<EventContent, DomainError> {
        self.title = check_text(&self.title, "title", 200, false)?;
        if let Some(d) = &self.description {
            self.description = Some(check_text(d, "description", 5000, false)?);
        }
        if let Some(o) = &self.organiser {
            self.organiser = Some(check_text(o, "organiser", 200, false)?);
        }
        self.place.name = check_text(&self.place.name, "place.name", 300, false)?;
        if let Some(a) = &self.place.address {
            let a = a.trim();
            if a.chars().count() > 300 || a.chars().any(char::is_control) {
                return Err(DomainError::invalid("place.address", "too_long"));
            }
            self.place.address = (!a.is_empty()).then(|| a.to_owned());
        }
        match (self.place.lat, self.place.lon) {
            (None, None) => {}
            (Some(lat), Some(lon)) => {
                let ok = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
                if !ok {
                    return Err(DomainError::invalid("place", "coordinates"));
                }
                let round = |v: f64| (v * 1e6).round() / 1e6;
                self.place.lat = Some(round(lat));
                self.place.lon = Some(round(lon));
            }
            _ => return Err(DomainError::invalid("place", "lat_and_lon")),
        }
        if self.all_day {
            let first = parse_day(&self.start, "start")?;
            self.start = first.to_string();
            if let Some(end) = &self.end {
                let last = parse_day(end, "end")?;
                if last < first {
                    return Err(DomainError::invalid("end", "before_the_start"));
                }
                if (last - first).get_days() > 366 {
                    return Err(DomainError::invalid("end", "too_long"));
                }
                self.end = Some(last.to_string());
            }
        } else {
            let start = instant(&self.start, "start")?;
            let Some(end) = &self.end else {
                return Err(DomainError::invalid("end", "required"));
            };
            let end = instant(end, "end")?;
            if end <= start {
                return Err(DomainError::invalid("end", "before_the_start"));
            }
            if end - start > time::Duration::days(366) {
                return Err(DomainError::invalid("end", "too_long"));
            }
            self.start = crate::clock::rfc3339(start);
            self.end = Some(crate::clock::rfc3339(end));
        }
        if let Some(c) = &self.committee {
            Id::parse("cmt", c).map_err(|_| DomainError::invalid("committee", "unknown"))?;
        }
        if self.image.as_deref().is_some_and(bad_url) {
            return Err(DomainError::invalid("image", "https_url"));
        }
        if self.capacity.is_some_and(|c| c == 0 || c > MAX_CAPACITY) {
            return Err(DomainError::invalid("capacity", "out_of_range"));
        }
        Ok(self)
    }

    /// The first instant of the event (midnight in Tunis for whole days).
    pub fn starts(&self) -> OffsetDateTime {
        self.bound(&self.start, false)
    }

    /// The instant it is over (the end of its last day, for whole days).
    pub fn ends(&self) -> OffsetDateTime {
        match &self.end {
            Some(e) => self.bound(e, true),
            None => self.bound(&self.start, true),
        }
    }

    fn bound(&self, raw: &str, end: bool) -> OffsetDateTime {
        if !self.all_day {
            return crate::clock::parse_rfc3339(raw).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        }
        let Ok(day) = raw.parse::<jiff::civil::Date>() else {
            return OffsetDateTime::UNIX_EPOCH;
        };
        let day = if end {
            day.tomorrow().unwrap_or(day)
        } else {
            day
        };
        let ts = day
            .to_zoned(crate::domain::eticket::tunis())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0);
        OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// What calendar apps must re-read: the time, the place, whole days or not.
    fn timing(&self) -> (&str, Option<&str>, bool, &Place) {
        (&self.start, self.end.as_deref(), self.all_day, &self.place)
    }
}

/// A new event, scheduled, by `by`.
pub fn create(content: EventContent, by: &str, now: &str) -> Result<Event, DomainError> {
    Ok(Event {
        id: Id::generate("evt").to_string(),
        content: content.check()?,
        status: EventStatus::Scheduled,
        reason: None,
        sequence: 0,
        version: 1,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
        by: by.to_owned(),
    })
}

/// What an edit means for those who marked the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Its time or place changed.
    Moved,
    Postponed,
    Cancelled,
}

impl Change {
    pub fn code(self) -> &'static str {
        match self {
            Change::Moved => "moved",
            Change::Postponed => "postponed",
            Change::Cancelled => "cancelled",
        }
    }
}

/// Staff rewrite an event not cancelled. A new time or place raises its
/// SEQUENCE and is a change to tell; a postponed event given a new time is
/// scheduled again. Capacity cannot fall below the places taken.
pub fn edit(
    before: &Event,
    content: EventContent,
    taken: u32,
    now: &str,
) -> Result<(Event, Option<Change>), DomainError> {
    if before.status == EventStatus::Cancelled {
        return Err(DomainError::TransitionNotAllowed {
            from: "cancelled".into(),
            to: "edited".into(),
        });
    }
    let content = content.check()?;
    if before.content.capacity.is_some() != content.capacity.is_some() && taken > 0 {
        return Err(DomainError::invalid("capacity", "people_registered"));
    }
    if content.capacity.is_some_and(|c| c < taken) {
        return Err(DomainError::invalid("capacity", "below_registered"));
    }
    let moved = content.timing() != before.content.timing();
    let mut after = before.clone();
    after.content = content;
    after.version += 1;
    after.updated_at = now.to_owned();
    let change = if moved {
        after.sequence += 1;
        if after.status == EventStatus::Postponed {
            after.status = EventStatus::Scheduled;
            after.reason = None;
        }
        Some(Change::Moved)
    } else {
        None
    };
    Ok((after, change))
}

/// Staff postpone or cancel an event (with a reason), or schedule again a
/// postponed one. Cancelled is final. Each raises the SEQUENCE.
pub fn set_status(
    before: &Event,
    to: EventStatus,
    reason: Option<Text>,
    now: &str,
) -> Result<(Event, Option<Change>), DomainError> {
    use EventStatus::*;
    let change = match (before.status, to) {
        (Scheduled, Postponed) => Some(Change::Postponed),
        (Scheduled | Postponed, Cancelled) => Some(Change::Cancelled),
        (Postponed, Scheduled) => Some(Change::Moved),
        (from, to) => {
            return Err(DomainError::TransitionNotAllowed {
                from: code(from).into(),
                to: code(to).into(),
            });
        }
    };
    let reason = match (to, reason) {
        (Scheduled, _) => None,
        (_, Some(r)) => Some(check_text(&r, "reason", 500, false)?),
        (_, None) => return Err(DomainError::invalid("reason", "required")),
    };
    let mut after = before.clone();
    after.status = to;
    after.reason = reason;
    after.sequence += 1;
    after.version += 1;
    after.updated_at = now.to_owned();
    Ok((after, change))
}

pub fn code(s: EventStatus) -> &'static str {
    match s {
        EventStatus::Scheduled => "scheduled",
        EventStatus::Postponed => "postponed",
        EventStatus::Cancelled => "cancelled",
    }
}

/// Hours before the start at which those who marked an event are reminded.
pub const REMINDER_HOURS: i64 = 24;

/// When the day-before reminder is due: none for a cancelled event, or one
/// whose reminder time has passed already when it is written (created or
/// moved at short notice: the change itself is told).
pub fn reminder_due(e: &Event, now: OffsetDateTime) -> Option<OffsetDateTime> {
    if e.status != EventStatus::Scheduled {
        return None;
    }
    let due = e.content.starts() - time::Duration::hours(REMINDER_HOURS);
    (due > now).then_some(due)
}

/// When an event starts, as a notice says it: `05/12 18:00` on the clocks
/// of Tunis, `05/12` for whole days.
pub fn short_when(e: &Event) -> String {
    let start = crate::domain::eticket::local(e.content.starts());
    if e.content.all_day {
        start.strftime("%d/%m").to_string()
    } else {
        start.strftime("%d/%m %H:%M").to_string()
    }
}

/// A notice about `e` (`what`: `reminder`, a [`Change`]'s code, or
/// `registered` for a freed place), for `to` (set per person by whoever
/// writes it).
pub fn notice(
    m: &crate::domain::MunicipalityId,
    e: &Event,
    what: &str,
    now: OffsetDateTime,
) -> crate::domain::notice::Notice {
    crate::domain::notice::Notice {
        id: Id::generate("ntf").to_string(),
        municipality: m.clone(),
        kind: crate::domain::workflow::CaseKind::Event,
        case_id: e.id.clone(),
        state: what.to_owned(),
        seq: u64::from(e.sequence),
        at: crate::clock::rfc3339(now),
        attempts: 0,
        next_attempt_at: crate::clock::epoch_secs(now) + 60,
        reference: Some(short_when(e)),
        to: None,
        note: crate::domain::notice::excerpt(e.content.title.get(crate::domain::Lang::Ar)),
    }
}

#[cfg(test)]
mod tests;
