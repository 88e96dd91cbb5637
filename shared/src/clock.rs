//! The one place that reads the wall clock, so rules stay pure functions of time.
//!
//! A request's "now" is read once, when it is served (`http::serve`), and handed to
//! the handlers in the [`crate::http::RequestView`]; the domain's rules take it as
//! an argument. A function's context holds a [`Clock`], fixed in tests.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where a function's "now" comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock.
    #[default]
    System,
    /// Always this instant (tests).
    Fixed(OffsetDateTime),
}

impl Clock {
    pub fn now(self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Fixed(t) => t,
        }
    }
}

/// Now, as RFC 3339 in UTC with second precision (`2026-11-28T12:00:00Z`): for the
/// event-triggered functions, which read the clock once per event.
pub fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// An instant as stored: RFC 3339 in UTC with second precision.
pub fn rfc3339(t: OffsetDateTime) -> String {
    // Checked: an instant near the end of year 9999 has no UTC form.
    t.checked_to_offset(time::UtcOffset::UTC)
        .unwrap_or(t)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Seconds since the epoch as RFC 3339 UTC (the epoch itself if out of range).
pub fn rfc3339_secs(secs: u64) -> String {
    let t = i64::try_from(secs)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    rfc3339(t)
}

/// An instant as stored (or any RFC 3339 time); `None` if it is not one.
/// Years outside 1970–9000 are refused: nothing of a municipality's is
/// dated there, and arithmetic near the ends of the range would overflow.
pub fn parse_rfc3339(raw: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(raw, &Rfc3339)
        .ok()
        .filter(|t| (1970..=9000).contains(&t.year()))
}

/// An instant as seconds since the epoch (never before 1970 here).
pub fn epoch_secs(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stays_put_and_stamps_are_whole_seconds() {
        let t = time::macros::datetime!(2026-12-02 10:00:00.75 +1);
        let clock = Clock::Fixed(t);
        assert_eq!(clock.now(), clock.now());
        assert_eq!(rfc3339(clock.now()), "2026-12-02T09:00:00Z");
        assert_eq!(epoch_secs(t), 1_796_202_000);
    }
}
