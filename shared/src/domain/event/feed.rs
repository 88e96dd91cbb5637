//! The municipality's calendar as iCalendar entries: its events, its council
//! and committee meetings, the deadlines of its calls for tenders and job
//! offers, and the days its offices are closed — each kind subscribable on
//! its own, and a feed per category and per committee.

use jiff::Timestamp;
use time::OffsetDateTime;

use super::{Event, EventStatus};
use crate::domain::calendar::HolidayRecord;
use crate::domain::committee::{Meeting, MeetingStatus};
use crate::domain::guide::Office;
use crate::domain::ical::{Entry, Status, When};
use crate::domain::news::{NewsCategory, Post};
use crate::domain::{DomainError, Lang, MunicipalityId, Text};

/// What a feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Events,
    Meetings,
    Tenders,
    Jobs,
    Closures,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Events,
        Kind::Meetings,
        Kind::Tenders,
        Kind::Jobs,
        Kind::Closures,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Events => "events",
            Kind::Meetings => "meetings",
            Kind::Tenders => "tenders",
            Kind::Jobs => "jobs",
            Kind::Closures => "closures",
        }
    }

    /// `events,meetings` → the kinds named; none named: all of them.
    pub fn parse_list(raw: Option<&str>) -> Result<Vec<Kind>, DomainError> {
        let Some(raw) = raw else {
            return Ok(Kind::ALL.to_vec());
        };
        let mut out = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let k = Kind::ALL
                .into_iter()
                .find(|k| k.code() == part)
                .ok_or(DomainError::invalid("kinds", "unknown_kind"))?;
            if !out.contains(&k) {
                out.push(k);
            }
        }
        if out.is_empty() {
            return Err(DomainError::invalid("kinds", "empty"));
        }
        out.sort();
        Ok(out)
    }
}

/// Days before now a feed goes back, and ahead it looks.
pub const DAYS_BACK: i64 = 92;
pub const DAYS_AHEAD: i64 = 366;

/// The feed's window around `now`.
pub fn window(now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    (
        now - time::Duration::days(DAYS_BACK),
        now + time::Duration::days(DAYS_AHEAD),
    )
}

/// Links and words the entries are written with.
pub struct Frame<'a> {
    pub municipality: &'a MunicipalityId,
    /// `scheme://host` of the API.
    pub root: &'a str,
    pub lang: Lang,
}

impl Frame<'_> {
    fn uid(&self, what: &str) -> String {
        format!("{what}@{}.baladiya", self.municipality)
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/v1/municipalities/{}/{path}",
            self.root, self.municipality
        )
    }

    fn text(&self, t: &Text) -> String {
        t.get(self.lang).to_owned()
    }
}

fn ts(t: OffsetDateTime) -> Timestamp {
    Timestamp::from_second(t.unix_timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn parse(raw: &str) -> Option<Timestamp> {
    crate::clock::parse_rfc3339(raw).map(ts)
}

fn day(raw: &str) -> Option<jiff::civil::Date> {
    raw.parse().ok()
}

fn modified(raw: &str) -> Timestamp {
    parse(raw).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// An event as a VEVENT.
pub fn event(f: &Frame<'_>, e: &Event) -> Option<Entry> {
    let c = &e.content;
    let when = if c.all_day {
        let first = day(&c.start)?;
        let last = c.end.as_deref().and_then(day).unwrap_or(first);
        When::AllDay { first, last }
    } else {
        When::Timed {
            start: parse(&c.start)?,
            end: c.end.as_deref().and_then(parse),
        }
    };
    let place = &c.place;
    let location = match &place.address {
        Some(a) => format!("{}, {a}", f.text(&place.name)),
        None => f.text(&place.name),
    };
    let mut description = c.description.as_ref().map(|d| f.text(d));
    if let Some(r) = &e.reason {
        let r = f.text(r);
        description = Some(match description {
            Some(d) => format!("{r}\n\n{d}"),
            None => r,
        });
    }
    Some(Entry {
        uid: f.uid(&e.id),
        sequence: e.sequence,
        modified: modified(&e.updated_at),
        created: parse(&e.created_at),
        when,
        summary: f.text(&c.title),
        description,
        location: Some(location),
        geo: place.lat.zip(place.lon),
        categories: vec![c.category.code().to_owned()],
        url: Some(f.url(&format!("events/{}", e.id))),
        status: match e.status {
            EventStatus::Scheduled => Status::Confirmed,
            EventStatus::Postponed => Status::Tentative,
            EventStatus::Cancelled => Status::Cancelled,
        },
    })
}

/// A council or committee meeting (`committee`: its name).
pub fn meeting(f: &Frame<'_>, m: &Meeting, committee: Option<&Text>) -> Option<Entry> {
    let name = m
        .content
        .name
        .as_ref()
        .or(committee)
        .map(|t| f.text(t))
        .unwrap_or_else(|| "Meeting".into());
    Some(Entry {
        uid: f.uid(&m.id),
        // Its version rises with every change: never down, as SEQUENCE must.
        sequence: u32::try_from(m.version.saturating_sub(1)).unwrap_or(u32::MAX),
        modified: modified(&m.updated_at),
        created: parse(&m.created_at),
        when: When::Timed {
            start: parse(&m.content.start)?,
            end: m.content.end.as_deref().and_then(parse),
        },
        summary: name,
        description: m.reason.as_ref().map(|r| f.text(r)),
        location: Some(f.text(&m.content.place)),
        geo: None,
        categories: vec!["meeting".into(), m.committee.clone()],
        url: Some(f.url(&format!("meetings/{}", m.id))),
        status: match m.status {
            MeetingStatus::Cancelled => Status::Cancelled,
            _ => Status::Confirmed,
        },
    })
}

/// A call for tenders' or a job offer's deadline: an instant.
pub fn deadline(f: &Frame<'_>, p: &Post) -> Option<Entry> {
    let d = p.content.deadline.as_ref()?;
    let (kind, prefix) = match p.content.category {
        NewsCategory::Tenders => ("tenders", "⏰"),
        NewsCategory::Jobs => ("jobs", "⏰"),
        _ => return None,
    };
    Some(Entry {
        uid: f.uid(&format!("{}-deadline", p.id)),
        sequence: u32::try_from(p.version.saturating_sub(1)).unwrap_or(u32::MAX),
        modified: modified(&p.updated_at),
        created: parse(&p.created_at),
        when: When::Timed {
            start: parse(&d.closes_at)?,
            end: None,
        },
        summary: format!("{prefix} {} ({})", f.text(&p.content.title), d.reference),
        description: None,
        location: None,
        geo: None,
        categories: vec![kind.into()],
        url: Some(f.url(&format!("news/{}", p.id))),
        status: Status::Confirmed,
    })
}

/// A public holiday: the municipality's offices are closed.
pub fn holiday(f: &Frame<'_>, h: &HolidayRecord) -> Option<Entry> {
    let d = day(&h.date)?;
    let name = match f.lang {
        Lang::Ar => &h.name_ar,
        _ => &h.name_fr,
    };
    // The table keeps no time of change: a fixed past instant, so the entry
    // (and the feed's ETag) stays the same until the holiday itself changes.
    let stamp = Timestamp::from_second(1_704_067_200).unwrap_or(Timestamp::UNIX_EPOCH);
    Some(Entry {
        uid: f.uid(&format!("holiday-{}", h.date)),
        sequence: 0,
        modified: stamp,
        created: None,
        when: When::AllDay { first: d, last: d },
        summary: name.clone(),
        description: None,
        location: None,
        geo: None,
        categories: vec!["closure".into()],
        url: None,
        status: Status::Confirmed,
    })
}

/// The days an office is closed by exception (works, an inventory), within
/// the window.
pub fn closures(f: &Frame<'_>, o: &Office, window: (OffsetDateTime, OffsetDateTime)) -> Vec<Entry> {
    let (from, to) = (ts(window.0), ts(window.1));
    o.hours
        .exceptions
        .iter()
        .filter(|x| x.shifts.is_empty())
        .filter_map(|x| {
            let d = day(&x.date)?;
            let noon = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            if noon < from || noon > to {
                return None;
            }
            let what = f.text(&o.name);
            let summary = match &x.reason {
                Some(r) => format!("{what} — {}", f.text(r)),
                None => what,
            };
            Some(Entry {
                uid: f.uid(&format!("closure-{}-{}", o.code, x.date)),
                sequence: 0,
                modified: modified(&o.updated_at),
                created: None,
                when: When::AllDay { first: d, last: d },
                summary,
                description: None,
                location: o.address.as_ref().map(|a| f.text(a)),
                geo: o.location.map(|c| (c.lat, c.lon)),
                categories: vec!["closure".into()],
                url: Some(f.url(&format!("offices/{}", o.code))),
                status: Status::Confirmed,
            })
        })
        .collect()
}

/// Whether an instant (`YYYY-MM-DD` or RFC 3339) falls in the window.
pub fn in_window(raw: &str, window: (OffsetDateTime, OffsetDateTime)) -> bool {
    let (from, to) = (ts(window.0), ts(window.1));
    let at = parse(raw).or_else(|| {
        day(raw)
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
    });
    at.is_some_and(|t| t >= from && t <= to)
}

/// Entries in order (by start), so the feed's bytes — and its ETag — are the
/// same for the same data.
pub fn sort(entries: &mut [Entry]) {
    fn key(e: &Entry) -> (i64, &str) {
        let t = match &e.when {
            When::Timed { start, .. } => start.as_second(),
            When::AllDay { first, .. } => first
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0),
        };
        (t, e.uid.as_str())
    }
    entries.sort_by(|a, b| key(a).cmp(&key(b)));
}
