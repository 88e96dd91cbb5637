//! iCalendar (RFC 5545) feeds that calendar apps keep in step: the municipal
//! calendar, a category's or a committee's, one event, a booked appointment.
//!
//! Written here rather than with the `icalendar` crate (0.17): it has no
//! `VTIMEZONE`, which a feed in Africa/Tunis time needs, and it brings chrono
//! where the platform keeps time with `time` and `jiff`. The rules are few and
//! tested against an independent parser (`ical`): content lines end in CRLF and
//! are folded at 75 octets, never inside a character; TEXT values escape `\`,
//! `;`, `,` and new lines; times are local to Africa/Tunis with its
//! `VTIMEZONE`, or dates for all-day entries; a UID never changes, and SEQUENCE,
//! DTSTAMP and LAST-MODIFIED say what changed.

use jiff::Timestamp;
use jiff::civil::Date;

use super::eticket::tunis;

/// The zone every feed's times are written in.
pub const TZID: &str = "Africa/Tunis";

/// Tunisia keeps UTC+1 (CET) all year since 2009: one STANDARD rule, valid
/// for any date a feed carries (three months back, a year ahead).
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Africa/Tunis",
    "X-LIC-LOCATION:Africa/Tunis",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19700101T000000",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// When an entry happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// From `start` to `end` (an instant when `end` is none: a deadline).
    Timed {
        start: Timestamp,
        end: Option<Timestamp>,
    },
    /// Whole days, `first` to `last` inclusive (written with an exclusive end).
    AllDay { first: Date, last: Date },
}

/// `STATUS` of a VEVENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    Tentative,
    Cancelled,
}

/// One VEVENT.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable for the life of the thing: `<id>@<municipality>.baladiya`.
    pub uid: String,
    /// Raised on every change of time, place or status.
    pub sequence: u32,
    /// When the thing last changed (DTSTAMP and LAST-MODIFIED in a feed).
    pub modified: Timestamp,
    pub created: Option<Timestamp>,
    pub when: When,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// Latitude and longitude in degrees.
    pub geo: Option<(f64, f64)>,
    pub categories: Vec<String>,
    /// The thing's page (an absolute URL).
    pub url: Option<String>,
    pub status: Status,
}

/// A whole calendar: its name (`X-WR-CALNAME`, RFC 7986 `NAME`) and entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub name: String,
    pub description: Option<String>,
    pub entries: Vec<Entry>,
}

/// The calendar as `text/calendar` (UTF-8, CRLF, folded).
pub fn render(cal: &Calendar) -> String {
    let mut w = Writer::default();
    w.line("BEGIN:VCALENDAR");
    w.line("VERSION:2.0");
    w.line("PRODID:-//Baladiya//Municipal calendar//AR-FR-EN");
    w.line("CALSCALE:GREGORIAN");
    w.text("NAME", &cal.name);
    w.text("X-WR-CALNAME", &cal.name);
    if let Some(d) = &cal.description {
        w.text("X-WR-CALDESC", d);
    }
    w.line(&format!("X-WR-TIMEZONE:{TZID}"));
    // Apps poll a feed; an hour is what they are asked to wait at least.
    w.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    w.line("X-PUBLISHED-TTL:PT1H");
    for l in VTIMEZONE {
        w.line(l);
    }
    for e in &cal.entries {
        entry(&mut w, e);
    }
    w.line("END:VCALENDAR");
    w.out
}

fn entry(w: &mut Writer, e: &Entry) {
    w.line("BEGIN:VEVENT");
    w.line(&format!("UID:{}", e.uid));
    w.line(&format!("SEQUENCE:{}", e.sequence));
    w.line(&format!("DTSTAMP:{}", utc(e.modified)));
    w.line(&format!("LAST-MODIFIED:{}", utc(e.modified)));
    if let Some(c) = e.created {
        w.line(&format!("CREATED:{}", utc(c)));
    }
    match &e.when {
        When::Timed { start, end } => {
            w.line(&format!("DTSTART;TZID={TZID}:{}", local(*start)));
            if let Some(end) = end {
                w.line(&format!("DTEND;TZID={TZID}:{}", local(*end)));
            }
        }
        When::AllDay { first, last } => {
            w.line(&format!("DTSTART;VALUE=DATE:{}", date(*first)));
            let after = last.tomorrow().unwrap_or(*last);
            w.line(&format!("DTEND;VALUE=DATE:{}", date(after)));
        }
    }
    w.text("SUMMARY", &e.summary);
    if let Some(d) = &e.description {
        w.text("DESCRIPTION", d);
    }
    if let Some(l) = &e.location {
        w.text("LOCATION", l);
    }
    if let Some((lat, lon)) = e.geo {
        w.line(&format!("GEO:{lat:.6};{lon:.6}"));
    }
    if !e.categories.is_empty() {
        let list: Vec<String> = e.categories.iter().map(|c| escape(c)).collect();
        w.line(&format!("CATEGORIES:{}", list.join(",")));
    }
    if let Some(u) = &e.url {
        w.line(&format!("URL:{u}"));
    }
    let status = match e.status {
        Status::Confirmed => "CONFIRMED",
        Status::Tentative => "TENTATIVE",
        Status::Cancelled => "CANCELLED",
    };
    w.line(&format!("STATUS:{status}"));
    // A municipal event informs; it does not block the subscriber's time.
    w.line("TRANSP:TRANSPARENT");
    w.line("END:VEVENT");
}

/// `YYYYMMDDTHHMMSSZ`
pub fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `YYYYMMDDTHHMMSS` on the clocks of Tunis.
pub fn local(t: Timestamp) -> String {
    t.to_zoned(tunis()).strftime("%Y%m%dT%H%M%S").to_string()
}

fn date(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

/// A TEXT value (RFC 5545 §3.3.11).
pub fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Octets of a content line at most, its CRLF aside (RFC 5545 §3.1).
pub const FOLD_AT: usize = 75;

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape(value)));
    }

    /// One content line, folded: no physical line over [`FOLD_AT`] octets,
    /// a continuation starting with one space, never splitting a character.
    fn line(&mut self, l: &str) {
        let mut room = FOLD_AT;
        let mut used = 0;
        for c in l.chars() {
            let n = c.len_utf8();
            if used + n > room {
                self.out.push_str("\r\n ");
                // The leading space counts in the continuation's 75.
                room = FOLD_AT - 1;
                used = 0;
            }
            self.out.push(c);
            used += n;
        }
        self.out.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests;
