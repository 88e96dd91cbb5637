//! An office's opening hours as Tunisian administrations keep them: two
//! sessions most of the year; a single morning session in summer ("الحصة
//! الواحدة", every year between two dates, 1 July to 31 August by default) and
//! in Ramadan (its dates estimated from the lunar calendar, below, and
//! corrected by a one-off day when the month is announced); closed on public
//! holidays (the platform's holiday table) unless the office keeps a
//! permanence; and one-off days closed or with other hours.
//!
//! Pure: the caller passes the moment and the holiday table.

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

use crate::domain::DomainError;
use crate::domain::calendar::{Calendar, format_date, parse_date};
use crate::domain::eticket::{self, Shift, WeeklyHours};
use crate::domain::text::Text;

/// Hours kept every year between two days ("MM-DD", inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seasonal {
    pub from: String,
    pub to: String,
    pub hours: WeeklyHours,
}

/// One day with other hours than usual: no shift means closed.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayException {
    /// "YYYY-MM-DD".
    pub date: String,
    #[serde(default)]
    pub shifts: Vec<Shift>,
    pub reason: Option<Text>,
}

/// What sets a day's hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    Regular,
    Summer,
    Ramadan,
    PublicHoliday,
    Exception,
}

/// Ramadan's first and last days, estimated from the astronomical new moons
/// (the month is announced by the Mufti of the Republic the evening before;
/// an office corrects a day with an exception).
pub const RAMADAN: &[(Date, Date)] = &[
    (
        time::macros::date!(2026 - 02 - 18),
        time::macros::date!(2026 - 03 - 19),
    ),
    (
        time::macros::date!(2027 - 02 - 08),
        time::macros::date!(2027 - 03 - 09),
    ),
    (
        time::macros::date!(2028 - 01 - 28),
        time::macros::date!(2028 - 02 - 25),
    ),
    (
        time::macros::date!(2029 - 01 - 16),
        time::macros::date!(2029 - 02 - 13),
    ),
    (
        time::macros::date!(2030 - 01 - 06),
        time::macros::date!(2030 - 02 - 03),
    ),
];

/// Whether `d` falls in Ramadan (as estimated).
pub fn in_ramadan(d: Date) -> bool {
    RAMADAN.iter().any(|(a, b)| (*a..=*b).contains(&d))
}

/// An office's hours, as staff describe them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OfficeHours {
    pub regular: WeeklyHours,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summer: Option<Seasonal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramadan: Option<WeeklyHours>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<DayException>,
    /// A permanence on public holidays (else closed on them).
    #[serde(default)]
    pub open_on_public_holidays: bool,
}

/// "MM-DD" as (month, day).
fn month_day(raw: &str) -> Option<(u8, u8)> {
    let (m, d) = raw.trim().split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (u8, u8) = (m.parse().ok()?, d.parse().ok()?);
    // 2024 is a leap year: 02-29 is a day.
    Date::from_calendar_date(2024, Month::try_from(m).ok()?, d).ok()?;
    Some((m, d))
}

impl OfficeHours {
    /// Checked: each week's shifts ([`WeeklyHours::parse`]), the summer's days
    /// ("MM-DD"), exceptions on distinct dates (at most 60).
    pub fn check(mut self) -> Result<OfficeHours, DomainError> {
        self.regular = WeeklyHours::parse(self.regular)?;
        if let Some(s) = &mut self.summer {
            if month_day(&s.from).is_none() || month_day(&s.to).is_none() {
                return Err(DomainError::invalid("hours.summer", "month_day"));
            }
            s.hours = WeeklyHours::parse(s.hours.clone())?;
        }
        if let Some(r) = self.ramadan.take() {
            self.ramadan = Some(WeeklyHours::parse(r)?);
        }
        if self.exceptions.len() > 60 {
            return Err(DomainError::invalid("hours.exceptions", "too_many"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for e in &mut self.exceptions {
            let d = parse_date(e.date.trim())
                .ok_or(DomainError::invalid("hours.exceptions.date", "format"))?;
            e.date = format_date(d);
            if !seen.insert(e.date.clone()) {
                return Err(DomainError::invalid("hours.exceptions.date", "duplicate"));
            }
            let day = WeeklyHours {
                mon: std::mem::take(&mut e.shifts),
                ..WeeklyHours::default()
            };
            e.shifts = WeeklyHours::parse(day)?.mon;
            e.reason = e
                .reason
                .take()
                .map(|r| super::check_text(&r, "hours.exceptions.reason", 200, false))
                .transpose()?;
        }
        self.exceptions.sort_by(|a, b| a.date.cmp(&b.date));
        Ok(self)
    }

    fn in_summer(&self, d: Date) -> Option<&WeeklyHours> {
        let s = self.summer.as_ref()?;
        let (from, to) = (month_day(&s.from)?, month_day(&s.to)?);
        let at = (u8::from(d.month()), d.day());
        let inside = if from <= to {
            from <= at && at <= to
        } else {
            at >= from || at <= to
        };
        inside.then_some(&s.hours)
    }

    /// The shifts of local day `d`, and what sets them.
    pub fn day(&self, d: Date, holidays: &Calendar) -> (Vec<Shift>, Regime) {
        let ds = format_date(d);
        if let Some(e) = self.exceptions.iter().find(|e| e.date == ds) {
            return (e.shifts.clone(), Regime::Exception);
        }
        if holidays.is_holiday(d) && !self.open_on_public_holidays {
            return (Vec::new(), Regime::PublicHoliday);
        }
        let (week, regime) = match (&self.ramadan, self.in_summer(d)) {
            (Some(r), _) if in_ramadan(d) => (r, Regime::Ramadan),
            (_, Some(s)) => (s, Regime::Summer),
            _ => (&self.regular, Regime::Regular),
        };
        (week.shifts(d.weekday()).to_vec(), regime)
    }
}

/// Whether an office is open at a moment, and what comes next.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenStatus {
    pub open_now: bool,
    /// Today's regime (summer, Ramadan hours…).
    pub regime: Regime,
    /// Today's shifts, local time.
    pub today: Vec<Shift>,
    /// When it closes (RFC 3339, UTC), if open.
    pub closes_at: Option<String>,
    /// When it opens next (RFC 3339, UTC), if closed, within two weeks.
    pub opens_at: Option<String>,
}

pub(crate) fn instant(d: Date, minute: u16) -> Option<String> {
    let date = jiff::civil::date(
        i16::try_from(d.year()).ok()?,
        i8::try_from(u8::from(d.month())).ok()?,
        i8::try_from(d.day()).ok()?,
    );
    let at = date
        .at(
            i8::try_from(minute / 60).ok()?,
            i8::try_from(minute % 60).ok()?,
            0,
            0,
        )
        .to_zoned(eticket::tunis())
        .ok()?;
    let t = OffsetDateTime::from_unix_timestamp(at.timestamp().as_second()).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

pub(crate) fn minutes(s: &Shift) -> Option<(u16, u16)> {
    Some((
        eticket::minute_of_day(&s.open)?,
        eticket::minute_of_day(&s.close)?,
    ))
}

/// The office's status at `now`.
pub fn status(hours: &OfficeHours, holidays: &Calendar, now: OffsetDateTime) -> OpenStatus {
    let at = eticket::local(now);
    let minute =
        u16::try_from(at.hour()).unwrap_or(0) * 60 + u16::try_from(at.minute()).unwrap_or(0);
    let Some(today) = eticket::time_date(at.date()) else {
        return OpenStatus {
            open_now: false,
            regime: Regime::Regular,
            today: Vec::new(),
            closes_at: None,
            opens_at: None,
        };
    };
    let (shifts, regime) = hours.day(today, holidays);
    let current = shifts
        .iter()
        .filter_map(minutes)
        .find(|(o, c)| *o <= minute && minute < *c);
    let mut opens_at = None;
    if current.is_none() {
        let later_today = shifts.iter().filter_map(minutes).find(|(o, _)| *o > minute);
        opens_at = match later_today {
            Some((o, _)) => instant(today, o),
            None => (1..=14).find_map(|n| {
                let d = today.checked_add(time::Duration::days(n))?;
                let (s, _) = hours.day(d, holidays);
                let (o, _) = s.iter().filter_map(minutes).next()?;
                instant(d, o)
            }),
        };
    }
    OpenStatus {
        open_now: current.is_some(),
        regime,
        closes_at: current.and_then(|(_, c)| instant(today, c)),
        opens_at,
        today: shifts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn shift(open: &str, close: &str) -> Shift {
        Shift {
            open: open.into(),
            close: close.into(),
        }
    }

    fn week(shifts: Vec<Shift>, saturday: bool) -> WeeklyHours {
        WeeklyHours {
            mon: shifts.clone(),
            tue: shifts.clone(),
            wed: shifts.clone(),
            thu: shifts.clone(),
            fri: shifts.clone(),
            sat: if saturday {
                vec![shift("08:00", "12:00")]
            } else {
                vec![]
            },
            sun: vec![],
        }
    }

    /// A civil-status office: two sessions, single session in July and August
    /// and in Ramadan, a closure for works.
    fn office() -> OfficeHours {
        OfficeHours {
            regular: week(vec![shift("08:00", "12:30"), shift("14:00", "17:30")], true),
            summer: Some(Seasonal {
                from: "07-01".into(),
                to: "08-31".into(),
                hours: week(vec![shift("07:30", "13:30")], false),
            }),
            ramadan: Some(week(vec![shift("08:00", "14:30")], false)),
            exceptions: vec![DayException {
                date: "2026-10-06".into(),
                shifts: vec![],
                reason: None,
            }],
            open_on_public_holidays: false,
        }
        .check()
        .unwrap()
    }

    #[test]
    fn open_or_not_by_season_holiday_and_exception() {
        let hol = Calendar::tunisia_default();
        let o = office();
        // (moment UTC; Tunis is UTC+1) → (open, regime)
        let cases = [
            (datetime!(2026-10-05 09:00 UTC), true, Regime::Regular),
            (datetime!(2026-10-05 12:00 UTC), false, Regime::Regular), // 13:00 lunch
            (datetime!(2026-10-06 09:00 UTC), false, Regime::Exception),
            (datetime!(2026-07-14 11:00 UTC), true, Regime::Summer), // 12:00
            (datetime!(2026-07-14 13:00 UTC), false, Regime::Summer), // 14:00
            (
                datetime!(2026-07-25 09:00 UTC),
                false,
                Regime::PublicHoliday,
            ),
            (datetime!(2026-03-02 12:30 UTC), true, Regime::Ramadan), // 13:30
            (datetime!(2026-10-04 09:00 UTC), false, Regime::Regular), // Sunday
        ];
        for (at, open, regime) in cases {
            let s = status(&o, &hol, at);
            assert_eq!((s.open_now, s.regime), (open, regime), "{at}");
        }
    }

    #[test]
    fn says_when_it_closes_and_when_it_opens_next() {
        let hol = Calendar::tunisia_default();
        let o = office();
        let s = status(&o, &hol, datetime!(2026-10-05 09:00 UTC));
        assert_eq!(s.closes_at.as_deref(), Some("2026-10-05T11:30:00Z"));
        // At lunch: this afternoon at 14:00 Tunis.
        let s = status(&o, &hol, datetime!(2026-10-05 12:00 UTC));
        assert_eq!(s.opens_at.as_deref(), Some("2026-10-05T13:00:00Z"));
        // Saturday afternoon: the closure on Tuesday is skipped only if it is next;
        // here Monday 08:00.
        let s = status(&o, &hol, datetime!(2026-10-03 15:00 UTC));
        assert_eq!(s.opens_at.as_deref(), Some("2026-10-05T07:00:00Z"));
        // Monday evening, Tuesday closed: Wednesday.
        let s = status(&o, &hol, datetime!(2026-10-05 18:00 UTC));
        assert_eq!(s.opens_at.as_deref(), Some("2026-10-07T07:00:00Z"));
    }

    #[test]
    fn refuses_bad_seasons_and_repeated_exceptions() {
        let mut o = office();
        o.summer.as_mut().unwrap().from = "13-01".into();
        assert_eq!(
            o.check(),
            Err(DomainError::invalid("hours.summer", "month_day"))
        );
        let mut o = office();
        o.exceptions.push(o.exceptions[0].clone());
        assert_eq!(
            o.check(),
            Err(DomainError::invalid("hours.exceptions.date", "duplicate"))
        );
        assert!(in_ramadan(time::macros::date!(2027 - 02 - 20)));
        assert!(!in_ramadan(time::macros::date!(2027 - 04 - 20)));
    }
}
