//! Legal deadlines of access-to-information requests (loi organique n° 2016-22 du
//! 24 mars 2016 relative au droit d'accès à l'information), computed and explained
//! in Arabic, French and English. Pure functions: the caller passes the moments and
//! the holiday table, nothing here reads a clock, a store or the network.
//!
//! # The law's time limits
//!
//! | rule | limit | counted from | article |
//! | --- | --- | --- | --- |
//! | [`Rule::Standard`] | 20 days | receipt of the request | 14 |
//! | [`Rule::OnSite`] | 10 days, when the requester asked to consult on site | receipt | 15 |
//! | [`Rule::Extended`] | + 10 days, once, when the request concerns multiple or varied information, with notice to the requester | the original due date | 16 |
//! | [`Rule::Urgent`] | 48 hours, when the information is needed to protect a person's life or liberty | receipt | 17 |
//! | (implicit refusal) | the body's silence past its deadline counts as a refusal | | 18 |
//! | [`Rule::NotHeld`] | 5 working days to tell the requester the body does not hold the information and redirect them | receipt | 19 |
//! | [`Rule::ThirdParty`] | 45 days when a third party must be consulted | receipt | 20 |
//! | [`Rule::AppealWindow`] | 20 days for the requester's *recours gracieux* to the head of the body | the decision, or the missed deadline (implicit refusal) | 29 |
//! | [`Rule::AppealAnswer`] | 10 days for the head of the body to answer; silence counts as a refusal and the requester may go to the Instance d'accès à l'information | the appeal | 29, 30 |
//!
//! The limits themselves (20, 10, 48 h, +10 once, 45, 5 working days, 20 and 10 for
//! the appeal, silence = refusal) are confirmed by the Instance d'accès à
//! l'information's citizen page (inai.tn) and by public bodies' published guides.
//! The article numbers other than 14 were not confirmed against the official text
//! (JORT n° 26 of 29 March 2016) when this module was written: they all live in
//! [`Rule::article`] and the two constants beside it, so a correction is one line.
//!
//! # How a deadline is computed
//!
//! - Everything happens in the Africa/Tunis time zone (the IANA database embedded
//!   through `jiff`), whatever offset the caller's `OffsetDateTime` carries: a
//!   request received at 23:30 UTC on the 3rd was received on the 4th in Tunis.
//! - Calendar-day limits of N days: counting starts the day after the starting
//!   event's local date; the deadline is the end (23:59:59 Tunis) of the Nth day. If
//!   that day is not a working day, the deadline moves to the end of the next
//!   working day.
//! - Working days are Monday to Friday, public holidays excluded ([`Calendar`]).
//! - Working-day limits (the 5 working days of [`Rule::NotHeld`]): the end of the Nth
//!   working day after the starting day.
//! - The 48 hours run from the exact moment of receipt, to the second, and are never
//!   moved to a working day.
//! - The extension adds 10 calendar days to the original due date, then moves to a
//!   working day like any calendar-day limit. That it is granted only once is the
//!   caller's rule: [`extended`] just computes.
//!
//! The public holidays are data, edited by the operator (`domain::calendar`).

use std::sync::OnceLock;

use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

use super::DomainError;
use super::calendar::Calendar;

mod compute;
mod explain;
mod rules;
#[cfg(test)]
mod tests;

use compute::*;
use explain::*;
pub use rules::*;
use rules::{ART_AUTHORITY_APPEAL, ART_IMPLICIT_REFUSAL};

/// A computed deadline and why: shown to citizens and staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    pub rule: Rule,
    /// RFC 3339 in UTC, seconds precision (e.g. "2026-12-18T22:59:59Z").
    pub due_at: String,
    /// The due moment in Tunis local time, RFC 3339 with offset (e.g.
    /// "2026-12-18T23:59:59+01:00").
    pub due_local: String,
    /// Each step of the computation, in ar, fr and en.
    pub explanation: Vec<Explained>,
}

impl Deadline {
    /// The due moment, read back from `due_at`.
    pub fn due(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.due_at, &Rfc3339).ok()
    }
}

/// One step of an explanation, in the three languages.
pub type Explained = super::Text;

/// The deadline to answer a request: 48 hours when `urgent` (a person's life or
/// liberty is at stake), else 10 days for on-site consultation, else 20 days.
pub fn answer_deadline(
    received: OffsetDateTime,
    mode: AccessMode,
    urgent: bool,
    cal: &Calendar,
) -> Deadline {
    if urgent {
        by_hours(Rule::Urgent, received, URGENT_HOURS)
    } else if mode == AccessMode::OnSite {
        by_calendar_days(Rule::OnSite, Start::Received, received, ON_SITE_DAYS, cal)
    } else {
        by_calendar_days(
            Rule::Standard,
            Start::Received,
            received,
            STANDARD_DAYS,
            cal,
        )
    }
}

/// The deadline after the one extension of 10 days, from the original due moment.
pub fn extended(original_due: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::Extended,
        Start::OriginalDue,
        original_due,
        EXTENSION_DAYS,
        cal,
    )
}

/// The deadline to answer when a third party must be consulted: 45 days.
pub fn third_party(received: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::ThirdParty,
        Start::Received,
        received,
        THIRD_PARTY_DAYS,
        cal,
    )
}

/// The deadline to tell the requester the body does not hold the information and
/// redirect them: 5 working days.
pub fn not_held(received: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_working_days(Rule::NotHeld, received, NOT_HELD_WORKING_DAYS, cal)
}

/// The requester's window for a recours gracieux: 20 days from the decision, or from
/// the missed deadline when the body stayed silent.
pub fn appeal_window(decided: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::AppealWindow,
        Start::Decided,
        decided,
        APPEAL_WINDOW_DAYS,
        cal,
    )
}

/// The head of the body's deadline to answer a recours gracieux: 10 days.
pub fn appeal_answer(appealed: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::AppealAnswer,
        Start::Appealed,
        appealed,
        APPEAL_ANSWER_DAYS,
        cal,
    )
}
