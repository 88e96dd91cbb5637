//! E-ticket: a virtual queue for municipal counters (civil status, tax collection…).
//!
//! An agency (an office of the municipality) has weekly opening hours, several shifts
//! a day, with closures on given dates and no service on public holidays. Each of its
//! services is one queue with a letter prefix ("A007") and a daily maximum of
//! tickets; numbers restart every service day, a local date in Africa/Tunis.
//!
//! Pure functions: the caller passes the moment, the hours and the holiday table;
//! nothing here reads a clock, a store or the network. Times are converted to Tunis
//! time with `jiff`'s embedded time-zone database, as in [`super::deadline`].

pub mod agency;
pub use agency::{Agency, Counter, QueueService, Ticket};

use std::sync::OnceLock;

use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, Weekday};

use super::DomainError;
use super::calendar::Calendar;
use super::deadline::TIME_ZONE;

// ----- opening hours -----

/// One opening period of a day, local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// Opening time, "HH:MM" 24-hour (e.g. "08:00"); tickets are taken from this
    /// minute on.
    pub open: String,
    /// Closing time, "HH:MM" 24-hour (e.g. "12:30"); no ticket from this minute on.
    pub close: String,
}

/// Shifts per day at most.
pub const MAX_SHIFTS_PER_DAY: usize = 4;

/// Opening hours by weekday: keys mon tue wed thu fri sat sun, each a list of shifts
/// (absent = closed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    /// Monday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<Shift>,
    /// Tuesday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<Shift>,
    /// Wednesday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<Shift>,
    /// Thursday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<Shift>,
    /// Friday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<Shift>,
    /// Saturday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<Shift>,
    /// Sunday's shifts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<Shift>,
}

impl WeeklyHours {
    /// Checked: HH:MM 24-hour times, open < close, at most 4 shifts a day, sorted and
    /// not overlapping (one shift may close at the minute the next opens).
    /// DomainError::invalid("hours", reason) with reason `time_format`,
    /// `open_not_before_close`, `too_many_shifts`, `unsorted_shifts` or
    /// `overlapping_shifts`.
    pub fn parse(raw: WeeklyHours) -> Result<WeeklyHours, DomainError> {
        for day in [
            &raw.mon, &raw.tue, &raw.wed, &raw.thu, &raw.fri, &raw.sat, &raw.sun,
        ] {
            check_day(day)?;
        }
        Ok(raw)
    }

    /// The shifts of `weekday`, in order; empty when closed all day.
    pub fn shifts(&self, weekday: Weekday) -> &[Shift] {
        match weekday {
            Weekday::Monday => &self.mon,
            Weekday::Tuesday => &self.tue,
            Weekday::Wednesday => &self.wed,
            Weekday::Thursday => &self.thu,
            Weekday::Friday => &self.fri,
            Weekday::Saturday => &self.sat,
            Weekday::Sunday => &self.sun,
        }
    }
}

fn check_day(shifts: &[Shift]) -> Result<(), DomainError> {
    let bad = |reason| DomainError::invalid("hours", reason);
    if shifts.len() > MAX_SHIFTS_PER_DAY {
        return Err(bad("too_many_shifts"));
    }
    let mut previous: Option<(u16, u16)> = None;
    for s in shifts {
        let open = minute_of_day(&s.open).ok_or(bad("time_format"))?;
        let close = minute_of_day(&s.close).ok_or(bad("time_format"))?;
        if open >= close {
            return Err(bad("open_not_before_close"));
        }
        if let Some((prev_open, prev_close)) = previous {
            if close <= prev_open {
                return Err(bad("unsorted_shifts"));
            }
            if open < prev_close {
                return Err(bad("overlapping_shifts"));
            }
        }
        previous = Some((open, close));
    }
    Ok(())
}

/// "HH:MM", exactly two digits each, 00:00 to 23:59: the minute of the day.
pub(crate) fn minute_of_day(raw: &str) -> Option<u16> {
    let b = raw.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let two = |hi: u8, lo: u8| {
        (hi.is_ascii_digit() && lo.is_ascii_digit())
            .then(|| u16::from(hi - b'0') * 10 + u16::from(lo - b'0'))
    };
    let hour = two(b[0], b[1]).filter(|h| *h < 24)?;
    let minute = two(b[3], b[4]).filter(|m| *m < 60)?;
    Some(hour * 60 + minute)
}

// ----- time in Tunis -----

pub fn tunis() -> TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        // The database is embedded, so the lookup cannot fail; Tunis has kept UTC+1
        // without daylight saving since 2009 should it ever.
        TimeZone::get(TIME_ZONE).unwrap_or_else(|_| TimeZone::fixed(Offset::constant(1)))
    })
    .clone()
}

pub fn local(t: OffsetDateTime) -> Zoned {
    let ts =
        Timestamp::from_nanosecond(t.unix_timestamp_nanos()).unwrap_or(if t.unix_timestamp() < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        });
    ts.to_zoned(tunis())
}

pub fn time_date(d: civil::Date) -> Option<Date> {
    let month = Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
    Date::from_calendar_date(d.year().into(), month, u8::try_from(d.day()).ok()?).ok()
}

pub(crate) fn time_weekday(w: civil::Weekday) -> Weekday {
    match w {
        civil::Weekday::Monday => Weekday::Monday,
        civil::Weekday::Tuesday => Weekday::Tuesday,
        civil::Weekday::Wednesday => Weekday::Wednesday,
        civil::Weekday::Thursday => Weekday::Thursday,
        civil::Weekday::Friday => Weekday::Friday,
        civil::Weekday::Saturday => Weekday::Saturday,
        civil::Weekday::Sunday => Weekday::Sunday,
    }
}

/// The service day (Africa/Tunis local date, "YYYY-MM-DD") of an instant: numbers
/// restart each day.
pub fn service_day(now: OffsetDateTime) -> String {
    local(now).date().to_string()
}

/// How long a day's queue (its tickets, who held them, its counters) is kept
/// after the day: long enough to answer a complaint about a visit, then
/// DynamoDB's TTL deletes it.
pub const QUEUE_RETENTION_DAYS: i64 = 90;

/// When a service day's queue expires (epoch seconds, for the table's TTL): the
/// end of the day (Tunis time) plus [`QUEUE_RETENTION_DAYS`]. `None` for a day
/// that is not "YYYY-MM-DD".
pub fn queue_expiry(day: &str) -> Option<u64> {
    let date: civil::Date = day.parse().ok()?;
    let end = date
        .checked_add(jiff::Span::new().days(QUEUE_RETENTION_DAYS + 1))
        .ok()?
        .to_zoned(tunis())
        .ok()?;
    u64::try_from(end.timestamp().as_second()).ok()
}

/// Whether an agency takes tickets at `now`: within a shift of the local weekday, not
/// on one of `closures` ("YYYY-MM-DD"), not on a public holiday of `holidays`.
/// A shift includes its opening minute and excludes its closing minute.
pub fn is_open(
    hours: &WeeklyHours,
    closures: &[String],
    holidays: &Calendar,
    now: OffsetDateTime,
) -> bool {
    current_shift_end(hours, closures, holidays, now).is_some()
}

/// When the current shift ends (UTC), if open.
pub fn closes_at(
    hours: &WeeklyHours,
    closures: &[String],
    holidays: &Calendar,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    current_shift_end(hours, closures, holidays, now)
}

/// The end of the shift `now` falls in, in UTC, or None when the agency is closed.
fn current_shift_end(
    hours: &WeeklyHours,
    closures: &[String],
    holidays: &Calendar,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let at = local(now);
    let day = at.date();
    let day_str = day.to_string();
    if closures.iter().any(|c| c.trim() == day_str) {
        return None;
    }
    if time_date(day).is_some_and(|d| holidays.is_holiday(d)) {
        return None;
    }
    let second = i32::from(at.hour()) * 3600 + i32::from(at.minute()) * 60 + i32::from(at.second());
    let close = hours
        .shifts(time_weekday(day.weekday()))
        .iter()
        .filter_map(|s| Some((minute_of_day(&s.open)?, minute_of_day(&s.close)?)))
        .find(|(open, close)| i32::from(*open) * 60 <= second && second < i32::from(*close) * 60)
        .map(|(_, close)| close)?;
    let hour = i8::try_from(close / 60).ok()?;
    let minute = i8::try_from(close % 60).ok()?;
    let end = day.at(hour, minute, 0, 0).to_zoned(tunis()).ok()?;
    OffsetDateTime::from_unix_timestamp(end.timestamp().as_second()).ok()
}

// ----- waiting time -----

/// Minutes per person until there is data.
pub const DEFAULT_MINUTES_PER_PERSON: u32 = 8;

/// Handled tickets needed before the measured average is trusted.
pub const MIN_SAMPLES: u64 = 3;

/// Average handling time in seconds from sums, if there are enough samples
/// (MIN_SAMPLES) — else None.
pub fn average_secs(handled_secs: u64, handled_count: u64) -> Option<f64> {
    // MIN_SAMPLES >= 1, so there is never a division by zero.
    (handled_count >= MIN_SAMPLES.max(1)).then(|| handled_secs as f64 / handled_count as f64)
}

/// Estimated wait in whole minutes (rounded up) for `ahead` people with `counters`
/// counters serving this queue (at least 1), from the measured average or the
/// default. A negative or non-finite average counts as no data.
pub fn estimate_minutes(ahead: u64, average: Option<f64>, counters: u32) -> u32 {
    let per_person = average
        .filter(|a| a.is_finite() && *a >= 0.0)
        .unwrap_or(f64::from(DEFAULT_MINUTES_PER_PERSON) * 60.0);
    let secs = ahead as f64 * per_person / f64::from(counters.max(1));
    // Whole milliseconds first, so that float noise never adds a minute.
    let millis = (secs * 1000.0).round() as u64;
    u32::try_from(millis.div_ceil(60_000)).unwrap_or(u32::MAX)
}

// ----- notices -----

/// The notice levels: a ticket is told when 2, 1 and 0 people are ahead, each once.
pub const NOTICE_LEVELS: [u64; 3] = [2, 1, 0];

/// The notice level a ticket with `ahead` people before it is at, if any: the caller
/// sends each level once.
pub fn notice_level(ahead: u64) -> Option<u64> {
    NOTICE_LEVELS.contains(&ahead).then_some(ahead)
}

// ----- numbers and codes -----

/// A ticket number as shown on screens and paper: at least 3 digits ("007", "042",
/// "1234"), with the service's letter prefix: display_number('A', 7) == "A007".
pub fn display_number(prefix: char, n: u64) -> String {
    format!("{prefix}{n:03}")
}

/// A number read from a paper ticket ("A007", "a 7", "7", "007") for service prefix
/// `prefix`: the number, or DomainError::invalid("number", "format"). The prefix is
/// optional and case-insensitive; Arabic-Indic digits are read too; 0 is refused.
pub fn parse_paper_number(prefix: char, raw: &str) -> Result<u64, DomainError> {
    let bad = || DomainError::invalid("number", "format");
    let mut rest = raw.trim();
    if let Some(first) = rest.chars().next()
        && !first.is_ascii_digit()
        && ascii_digit(first).is_none()
    {
        if !first.to_lowercase().eq(prefix.to_lowercase()) {
            return Err(bad());
        }
        rest = rest[first.len_utf8()..].trim_start();
    }
    if rest.is_empty() || rest.chars().count() > 18 {
        return Err(bad());
    }
    let mut n: u64 = 0;
    for c in rest.chars() {
        let d = ascii_digit(c).ok_or_else(bad)?;
        n = n * 10 + u64::from(d);
    }
    if n == 0 {
        return Err(bad());
    }
    Ok(n)
}

/// The value of a digit: ASCII, Arabic-Indic (٠–٩) or Eastern Arabic-Indic (۰–۹).
fn ascii_digit(c: char) -> Option<u8> {
    let zero = match c {
        '0'..='9' => '0',
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
        _ => return None,
    };
    u8::try_from(u32::from(c) - u32::from(zero)).ok()
}

/// Agency and service codes: lowercase slug [a-z0-9-], 2..=40 chars, neither starting
/// nor ending with '-'; surrounding whitespace is dropped. DomainError::invalid(field,
/// "format").
pub fn parse_code(raw: &str, field: &'static str) -> Result<String, DomainError> {
    let v = raw.trim();
    let ok = (2..=40).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    if ok {
        Ok(v.to_owned())
    } else {
        Err(DomainError::invalid(field, "format"))
    }
}

// ----- choosing an agency -----

/// Travel speed in town, metres per hour (20 km/h).
const TOWN_SPEED_M_PER_HOUR: u32 = 20_000;

/// An agency someone could go to: how far it is and how long its queue is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The agency's code.
    pub agency: String,
    /// Distance from the person, in metres.
    pub distance_m: f64,
    /// The estimated wait in its queue ([`estimate_minutes`]).
    pub wait_minutes: u32,
    /// Whether it takes tickets now ([`is_open`]).
    pub open: bool,
}

/// A candidate with its travel time and total, as [`rank`] orders them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// The agency's code.
    pub agency: String,
    /// Distance in whole metres (rounded).
    pub distance_m: u32,
    /// Travel time at 20 km/h, whole minutes rounded up.
    pub travel_minutes: u32,
    /// The estimated wait in its queue.
    pub wait_minutes: u32,
    /// Travel plus wait.
    pub total_minutes: u32,
    /// Whether it takes tickets now.
    pub open: bool,
}

/// Which agency is best for someone: each candidate's travel time (distance at
/// 20 km/h in town, rounded up to whole minutes) plus its estimated wait, smallest
/// total first; closed ones last; ties by distance, then by agency code. A negative
/// or non-finite distance counts as 0.
pub fn rank(candidates: Vec<Candidate>) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = candidates
        .into_iter()
        .map(|c| {
            let distance_m = if c.distance_m.is_finite() && c.distance_m > 0.0 {
                // `as` saturates at u32::MAX.
                c.distance_m.round() as u32
            } else {
                0
            };
            let travel = u64::from(distance_m) * 60;
            let travel_minutes = u32::try_from(travel.div_ceil(u64::from(TOWN_SPEED_M_PER_HOUR)))
                .unwrap_or(u32::MAX);
            Ranked {
                agency: c.agency,
                distance_m,
                travel_minutes,
                wait_minutes: c.wait_minutes,
                total_minutes: travel_minutes.saturating_add(c.wait_minutes),
                open: c.open,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then(a.total_minutes.cmp(&b.total_minutes))
            .then(a.distance_m.cmp(&b.distance_m))
            .then_with(|| a.agency.cmp(&b.agency))
    });
    out
}

// ----- ticket statuses -----

/// Ticket statuses and the rules between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// In the queue.
    Waiting,
    /// Called to a counter.
    Called,
    /// Served at the counter: final.
    Served,
    /// Called but did not come; may be recalled once.
    Absent,
    /// Given up by its holder while waiting: final.
    Cancelled,
    /// Voided by the system or staff (e.g. left over at the end of the day): final.
    Void,
}

impl TicketStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::Waiting,
        TicketStatus::Called,
        TicketStatus::Served,
        TicketStatus::Absent,
        TicketStatus::Cancelled,
        TicketStatus::Void,
    ];

    /// Stable code, the same as the serde name.
    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Served => "served",
            TicketStatus::Absent => "absent",
            TicketStatus::Cancelled => "cancelled",
            TicketStatus::Void => "void",
        }
    }

    /// Whether the ticket still holds a place in the queue: Waiting or Called.
    pub fn is_active(self) -> bool {
        matches!(self, TicketStatus::Waiting | TicketStatus::Called)
    }

    /// Allowed moves: Waiting→Called (call next), Waiting→Cancelled (holder),
    /// Called→Served, Called→Absent, Absent→Called only when `recalls == 0` (recalled
    /// once). Everything else (Called→Cancelled among them) is
    /// DomainError::invalid("status", "not_allowed").
    pub fn check(self, to: TicketStatus, recalls: u32) -> Result<(), DomainError> {
        use TicketStatus::*;
        let allowed = match (self, to) {
            (Waiting, Called) | (Waiting, Cancelled) | (Called, Served) | (Called, Absent) => true,
            (Absent, Called) => recalls == 0,
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(DomainError::invalid("status", "not_allowed"))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_days_queue_expires_90_days_after_the_day_ends_in_tunis() {
        // 2026-11-28 ends at 2026-11-28T23:00Z (UTC+1); 90 days later is
        // 2027-02-26T23:00Z.
        assert_eq!(queue_expiry("2026-11-28"), Some(1_803_682_800));
        assert_eq!(
            queue_expiry("2026-11-29").unwrap() - queue_expiry("2026-11-28").unwrap(),
            86_400
        );
        for bad in ["", "28/11/2026", "2026-02-30", "tomorrow"] {
            assert_eq!(queue_expiry(bad), None, "{bad}");
        }
    }

    use super::*;
    use time::macros::{date, datetime};

    fn shift(open: &str, close: &str) -> Shift {
        Shift {
            open: open.into(),
            close: close.into(),
        }
    }

    /// Mon–Fri 08:00–12:30 and 14:00–17:30, Saturday 08:00–13:00, Sunday closed.
    fn hours() -> WeeklyHours {
        let week = vec![shift("08:00", "12:30"), shift("14:00", "17:30")];
        WeeklyHours::parse(WeeklyHours {
            mon: week.clone(),
            tue: week.clone(),
            wed: week.clone(),
            thu: week.clone(),
            fri: week,
            sat: vec![shift("08:00", "13:00")],
            sun: vec![],
        })
        .unwrap()
    }

    fn holidays() -> Calendar {
        Calendar::new([date!(2026 - 12 - 17)])
    }

    #[test]
    fn eticket_hours_parse_table() {
        let day = |shifts: Vec<Shift>| WeeklyHours {
            tue: shifts,
            ..WeeklyHours::default()
        };
        let ok = |shifts: Vec<Shift>| WeeklyHours::parse(day(shifts.clone())).map(|h| h.tue);
        for (name, shifts, want) in [
            ("closed all week", vec![], Ok(())),
            ("one shift", vec![shift("08:00", "12:30")], Ok(())),
            (
                "midnight to last minute",
                vec![shift("00:00", "23:59")],
                Ok(()),
            ),
            (
                "touching shifts",
                vec![shift("08:00", "12:00"), shift("12:00", "13:00")],
                Ok(()),
            ),
            (
                "four shifts",
                vec![
                    shift("06:00", "07:00"),
                    shift("08:00", "09:00"),
                    shift("10:00", "11:00"),
                    shift("12:00", "13:00"),
                ],
                Ok(()),
            ),
            ("8h", vec![shift("8h", "12:00")], Err("time_format")),
            (
                "one digit hour",
                vec![shift("8:00", "12:00")],
                Err("time_format"),
            ),
            ("25:00", vec![shift("08:00", "25:00")], Err("time_format")),
            ("24:00", vec![shift("08:00", "24:00")], Err("time_format")),
            (
                "minute 60",
                vec![shift("08:60", "12:00")],
                Err("time_format"),
            ),
            (
                "seconds",
                vec![shift("08:00:00", "12:00")],
                Err("time_format"),
            ),
            ("empty", vec![shift("", "12:00")], Err("time_format")),
            ("sign", vec![shift("+8:00", "12:00")], Err("time_format")),
            (
                "open = close",
                vec![shift("08:00", "08:00")],
                Err("open_not_before_close"),
            ),
            (
                "open after close",
                vec![shift("14:00", "08:00")],
                Err("open_not_before_close"),
            ),
            (
                "overlapping",
                vec![shift("08:00", "12:30"), shift("12:00", "15:00")],
                Err("overlapping_shifts"),
            ),
            (
                "inside another",
                vec![shift("08:00", "17:00"), shift("10:00", "11:00")],
                Err("overlapping_shifts"),
            ),
            (
                "unsorted",
                vec![shift("14:00", "17:00"), shift("08:00", "12:00")],
                Err("unsorted_shifts"),
            ),
            (
                "five shifts",
                vec![
                    shift("06:00", "07:00"),
                    shift("08:00", "09:00"),
                    shift("10:00", "11:00"),
                    shift("12:00", "13:00"),
                    shift("14:00", "15:00"),
                ],
                Err("too_many_shifts"),
            ),
        ] {
            let got = ok(shifts.clone());
            match want {
                Ok(()) => assert_eq!(got, Ok(shifts), "{name}"),
                Err(reason) => {
                    assert_eq!(got, Err(DomainError::invalid("hours", reason)), "{name}")
                }
            }
        }
        // Any day is checked, not only the first.
        let bad_sunday = WeeklyHours {
            mon: vec![shift("08:00", "12:00")],
            sun: vec![shift("9:00", "12:00")],
            ..WeeklyHours::default()
        };
        assert_eq!(
            WeeklyHours::parse(bad_sunday),
            Err(DomainError::invalid("hours", "time_format"))
        );
    }

    #[test]
    fn eticket_hours_shifts_and_serde() {
        let h = hours();
        assert_eq!(h.shifts(Weekday::Monday).len(), 2);
        assert_eq!(h.shifts(Weekday::Saturday), [shift("08:00", "13:00")]);
        assert!(h.shifts(Weekday::Sunday).is_empty());
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(
            json["sat"],
            serde_json::json!([{"open": "08:00", "close": "13:00"}])
        );
        assert!(json.get("sun").is_none(), "closed days are left out");
        let back: WeeklyHours = serde_json::from_value(
            serde_json::json!({"mon": [{"open": "08:00", "close": "12:00"}]}),
        )
        .unwrap();
        assert_eq!(back.mon, [shift("08:00", "12:00")]);
        assert!(back.tue.is_empty());
    }

    #[test]
    fn eticket_is_open_table() {
        let h = hours();
        let cal = holidays();
        let closures = vec!["2026-12-02".to_string()];
        for (name, now, want) in [
            ("Monday 09:00 Tunis", datetime!(2026-11-30 08:00 UTC), true),
            (
                "same moment, other offset",
                datetime!(2026-11-30 10:00 +02:00),
                true,
            ),
            ("Monday 07:59", datetime!(2026-11-30 06:59 UTC), false),
            ("at exactly opening", datetime!(2026-11-30 07:00 UTC), true),
            (
                "last second before closing",
                datetime!(2026-11-30 11:29:59 UTC),
                true,
            ),
            ("at exactly closing", datetime!(2026-11-30 11:30 UTC), false),
            ("lunch gap", datetime!(2026-11-30 12:00 UTC), false),
            ("afternoon shift", datetime!(2026-11-30 13:00 UTC), true),
            ("after hours", datetime!(2026-11-30 17:00 UTC), false),
            ("Saturday 10:00", datetime!(2026-12-05 09:00 UTC), true),
            ("Saturday 14:00", datetime!(2026-12-05 13:00 UTC), false),
            ("Sunday 10:00", datetime!(2026-12-06 09:00 UTC), false),
            ("closure date", datetime!(2026-12-02 09:00 UTC), false),
            ("day after closure", datetime!(2026-12-03 09:00 UTC), true),
            ("Revolution Day", datetime!(2026-12-17 09:00 UTC), false),
            (
                "day after the holiday",
                datetime!(2026-12-18 09:00 UTC),
                true,
            ),
        ] {
            assert_eq!(is_open(&h, &closures, &cal, now), want, "{name}");
        }
        // Without the holiday table, 17 December (a Thursday) is an ordinary day.
        assert!(is_open(
            &h,
            &[],
            &Calendar::default(),
            datetime!(2026-12-17 09:00 UTC)
        ));
        // Closures are matched on the Tunis date: 23:30Z on the 1st is the 2nd.
        let all_night = WeeklyHours {
            tue: vec![shift("00:00", "23:59")],
            wed: vec![shift("00:00", "23:59")],
            ..WeeklyHours::default()
        };
        assert!(!is_open(
            &all_night,
            &closures,
            &cal,
            datetime!(2026-12-01 23:30 UTC)
        ));
        assert!(is_open(
            &all_night,
            &closures,
            &cal,
            datetime!(2026-12-01 22:30 UTC)
        ));
    }

    #[test]
    fn eticket_closes_at() {
        let h = hours();
        let cal = holidays();
        for (name, now, want) in [
            (
                "morning shift",
                datetime!(2026-11-30 08:00 UTC),
                Some(datetime!(2026-11-30 11:30 UTC)),
            ),
            (
                "afternoon shift",
                datetime!(2026-11-30 14:00 UTC),
                Some(datetime!(2026-11-30 16:30 UTC)),
            ),
            (
                "Saturday",
                datetime!(2026-12-05 07:00 UTC),
                Some(datetime!(2026-12-05 12:00 UTC)),
            ),
            ("lunch gap", datetime!(2026-11-30 12:00 UTC), None),
            ("Sunday", datetime!(2026-12-06 09:00 UTC), None),
            ("holiday", datetime!(2026-12-17 09:00 UTC), None),
        ] {
            let got = closes_at(&h, &[], &cal, now);
            assert_eq!(got, want, "{name}");
            if let Some(t) = got {
                assert_eq!(t.offset(), time::UtcOffset::UTC, "{name}");
            }
        }
    }

    #[test]
    fn eticket_service_day() {
        for (now, want) in [
            (datetime!(2026-11-28 23:30 UTC), "2026-11-29"),
            (datetime!(2026-11-28 22:59:59 UTC), "2026-11-28"),
            (datetime!(2026-11-28 23:00 UTC), "2026-11-29"),
            (datetime!(2026-11-29 00:30 +02:00), "2026-11-28"),
            (datetime!(2026-07-01 12:00 UTC), "2026-07-01"),
        ] {
            assert_eq!(service_day(now), want, "{now}");
        }
    }

    #[test]
    fn eticket_average_and_estimate() {
        assert_eq!(average_secs(0, 0), None);
        assert_eq!(average_secs(600, 2), None);
        assert_eq!(average_secs(900, 3), Some(300.0));
        assert_eq!(average_secs(1000, 4), Some(250.0));
        for (name, ahead, average, counters, want) in [
            ("nobody ahead", 0, None, 1, 0),
            ("nobody ahead, measured", 0, Some(300.0), 3, 0),
            ("default 8 min", 1, None, 1, 8),
            ("default, 5 ahead", 5, None, 1, 40),
            ("2 counters halve", 5, None, 2, 20),
            ("2 counters, rounded up", 3, None, 2, 12),
            ("0 counters count as 1", 2, None, 0, 16),
            ("measured 90 s", 3, Some(90.0), 1, 5),
            ("measured, 2 counters, rounded up", 3, Some(100.0), 2, 3),
            ("exact minutes stay", 2, Some(300.0), 1, 10),
            (
                "float noise does not add a minute",
                200,
                Some(0.1 + 0.2),
                1,
                1,
            ),
            ("NaN is no data", 1, Some(f64::NAN), 1, 8),
            ("negative is no data", 1, Some(-5.0), 1, 8),
            ("huge saturates", u64::MAX, None, 1, u32::MAX),
        ] {
            assert_eq!(estimate_minutes(ahead, average, counters), want, "{name}");
        }
        assert_eq!(
            estimate_minutes(4, average_secs(3600, 3), 1),
            80,
            "20 min average"
        );
    }

    #[test]
    fn eticket_notice_level() {
        let got: Vec<Option<u64>> = (0..6).map(notice_level).collect();
        assert_eq!(got, [Some(0), Some(1), Some(2), None, None, None]);
        assert_eq!(notice_level(u64::MAX), None);
        for level in NOTICE_LEVELS {
            assert_eq!(notice_level(level), Some(level));
        }
    }

    #[test]
    fn eticket_numbers() {
        for (prefix, n, shown) in [
            ('A', 7, "A007"),
            ('A', 42, "A042"),
            ('B', 100, "B100"),
            ('C', 1234, "C1234"),
            ('A', 1, "A001"),
        ] {
            assert_eq!(display_number(prefix, n), shown);
            assert_eq!(parse_paper_number(prefix, shown), Ok(n), "{shown}");
        }
        for raw in [
            "A007",
            "a 7",
            "7",
            "007",
            " A7 ",
            "a007",
            "A  07",
            "\u{0667}",
            "A\u{0660}\u{0667}",
        ] {
            assert_eq!(parse_paper_number('A', raw), Ok(7), "{raw:?}");
        }
        for raw in [
            "B007",
            "",
            "   ",
            "abc",
            "0",
            "A000",
            "A",
            "A-7",
            "7A",
            "A 7 7",
            "AA7",
            "-7",
            "+7",
            "7.0",
            "1234567890123456789",
        ] {
            assert_eq!(
                parse_paper_number('A', raw),
                Err(DomainError::invalid("number", "format")),
                "{raw:?}"
            );
        }
        assert_eq!(parse_paper_number('b', "B12"), Ok(12));
        assert_eq!(
            parse_paper_number('A', "123456789012345678"),
            Ok(123_456_789_012_345_678)
        );
    }

    #[test]
    fn eticket_parse_code() {
        for (raw, want) in [
            ("etat-civil", Ok("etat-civil")),
            ("a1", Ok("a1")),
            (" recette-2 ", Ok("recette-2")),
            ("x".repeat(40).as_str(), Ok("x".repeat(40).as_str())),
            ("a", Err(())),
            ("", Err(())),
            ("x".repeat(41).as_str(), Err(())),
            ("Etat-civil", Err(())),
            ("etat_civil", Err(())),
            ("état", Err(())),
            ("etat civil", Err(())),
            ("-etat", Err(())),
            ("etat-", Err(())),
        ] {
            let got = parse_code(raw, "agency");
            match want {
                Ok(code) => assert_eq!(got.as_deref(), Ok(code), "{raw:?}"),
                Err(()) => assert_eq!(
                    got,
                    Err(DomainError::invalid("agency", "format")),
                    "{raw:?}"
                ),
            }
        }
        assert_eq!(
            parse_code("X", "service"),
            Err(DomainError::invalid("service", "format"))
        );
    }

    #[test]
    fn eticket_rank() {
        let c = |agency: &str, distance_m: f64, wait_minutes: u32, open: bool| Candidate {
            agency: agency.into(),
            distance_m,
            wait_minutes,
            open,
        };
        let ranked = rank(vec![
            c("closed-near", 100.0, 0, false),
            c("near-busy", 500.0, 45, true),  // 2 + 45 = 47
            c("far-empty", 3_000.0, 0, true), // 9 + 0 = 9
            c("mid", 1_000.0, 6, true),       // 3 + 6 = 9, nearer: before far-empty
            c("closed-far", 9_000.0, 0, false),
        ]);
        let order: Vec<&str> = ranked.iter().map(|r| r.agency.as_str()).collect();
        assert_eq!(
            order,
            ["mid", "far-empty", "near-busy", "closed-near", "closed-far"]
        );
        assert_eq!(
            ranked[1],
            Ranked {
                agency: "far-empty".into(),
                distance_m: 3_000,
                travel_minutes: 9,
                wait_minutes: 0,
                total_minutes: 9,
                open: true,
            }
        );
        assert_eq!(ranked[2].travel_minutes, 2, "500 m = 1.5 min, rounded up");
        assert_eq!(ranked[2].total_minutes, 47);

        // Travel time at 20 km/h, rounded up.
        for (distance, minutes) in [
            (0.0, 0),
            (1.0, 1),
            (333.0, 1),
            (334.0, 2),
            (1_000.0, 3),
            (20_000.0, 60),
            (-5.0, 0),
            (f64::NAN, 0),
        ] {
            let r = rank(vec![c("x", distance, 0, true)]);
            assert_eq!(r[0].travel_minutes, minutes, "{distance} m");
        }
        assert_eq!(rank(vec![c("x", 1234.6, 0, true)])[0].distance_m, 1235);
        assert!(rank(vec![]).is_empty());

        // Full ties go by agency code, so the order is stable.
        let tie = rank(vec![c("b", 1_000.0, 1, true), c("a", 1_000.0, 1, true)]);
        assert_eq!(tie[0].agency, "a");
    }

    #[test]
    fn eticket_ticket_status_transitions() {
        use TicketStatus::*;
        let allowed = |from: TicketStatus, to: TicketStatus, recalls: u32| {
            matches!(
                (from, to, recalls),
                (Waiting, Called, _)
                    | (Waiting, Cancelled, _)
                    | (Called, Served, _)
                    | (Called, Absent, _)
                    | (Absent, Called, 0)
            )
        };
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                for recalls in [0, 1, 2] {
                    let got = from.check(to, recalls);
                    if allowed(from, to, recalls) {
                        assert_eq!(got, Ok(()), "{from:?} -> {to:?} ({recalls})");
                    } else {
                        assert_eq!(
                            got,
                            Err(DomainError::invalid("status", "not_allowed")),
                            "{from:?} -> {to:?} ({recalls})"
                        );
                    }
                }
            }
        }
        // Spelled out, the rules that matter most.
        assert!(
            Called.check(Cancelled, 0).is_err(),
            "called tickets cannot cancel"
        );
        assert!(Absent.check(Called, 0).is_ok(), "one recall");
        assert!(Absent.check(Called, 1).is_err(), "not two");
        assert!(Served.check(Called, 0).is_err());
        assert!(Waiting.check(Served, 0).is_err(), "must be called first");
        assert!(Waiting.check(Waiting, 0).is_err());
    }

    #[test]
    fn eticket_ticket_status_codes() {
        for s in TicketStatus::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
            let back: TicketStatus = serde_json::from_str(&format!("\"{}\"", s.code())).unwrap();
            assert_eq!(back, s);
        }
        let active: Vec<TicketStatus> = TicketStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        assert_eq!(active, [TicketStatus::Waiting, TicketStatus::Called]);
    }
}
