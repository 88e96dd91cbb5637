//! Counting: calendar days, working days and hours in Tunis time, and the
//! due moment's forms.

use super::*;

/// What the counting starts from, for the first step of the explanation.
#[derive(Clone, Copy)]
pub(super) enum Start {
    Received,
    OriginalDue,
    Decided,
    Appealed,
}

pub(super) fn by_calendar_days(
    rule: Rule,
    start: Start,
    from: OffsetDateTime,
    days: u16,
    cal: &Calendar,
) -> Deadline {
    let at = local(timestamp(from));
    let day0 = time_date(at.date());
    let nth = day0
        .checked_add(time::Duration::days(days.into()))
        .unwrap_or(Date::MAX);
    let due_date = cal.roll_forward(nth);
    let due = end_of_day(due_date);
    let mut steps = vec![start_step(start, &at), rule_step(rule)];
    steps.push(nth_day_step(days, nth, due_date));
    steps.push(due_step(&due));
    steps.extend(after_step(rule));
    finish(rule, &due, steps)
}

pub(super) fn by_working_days(
    rule: Rule,
    from: OffsetDateTime,
    days: u16,
    cal: &Calendar,
) -> Deadline {
    let at = local(timestamp(from));
    let day0 = time_date(at.date());
    let due_date = cal.add_working_days(day0, days);
    let due = end_of_day(due_date);
    let mut skipped = Vec::new();
    let mut d = day0;
    while let Some(next) = d.next_day().filter(|n| *n < due_date) {
        if !cal.is_working_day(next) {
            skipped.push(next);
        }
        d = next;
    }
    let mut steps = vec![start_step(Start::Received, &at), rule_step(rule)];
    steps.push(nth_working_day_step(days, day0, due_date));
    if !skipped.is_empty() {
        steps.push(skipped_step(&skipped));
    }
    steps.push(due_step(&due));
    steps.extend(after_step(rule));
    finish(rule, &due, steps)
}

pub(super) fn by_hours(rule: Rule, from: OffsetDateTime, hours: i64) -> Deadline {
    let start = timestamp(from);
    let at = local(start);
    let due = local(
        start
            .checked_add(SignedDuration::from_hours(hours))
            .unwrap_or(Timestamp::MAX),
    );
    let mut steps = vec![start_step(Start::Received, &at), rule_step(rule)];
    steps.push(due_step(&due));
    steps.extend(after_step(rule));
    finish(rule, &due, steps)
}

pub(super) fn finish(rule: Rule, due: &Zoned, explanation: Vec<Explained>) -> Deadline {
    Deadline {
        rule,
        due_at: due
            .with_time_zone(TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        due_local: due.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        explanation,
    }
}

pub(super) fn tunis() -> TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        // The database is embedded, so the lookup cannot fail; Tunis has kept UTC+1
        // without daylight saving since 2009 should it ever.
        TimeZone::get(TIME_ZONE).unwrap_or_else(|_| TimeZone::fixed(Offset::constant(1)))
    })
    .clone()
}

pub(super) fn timestamp(t: OffsetDateTime) -> Timestamp {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).unwrap_or(if t.unix_timestamp() < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

pub(super) fn local(t: Timestamp) -> Zoned {
    t.to_zoned(tunis())
}

pub(super) fn time_date(d: civil::Date) -> Date {
    u8::try_from(d.month())
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .zip(u8::try_from(d.day()).ok())
        .and_then(|(m, day)| Date::from_calendar_date(d.year().into(), m, day).ok())
        .unwrap_or(Date::MAX)
}

/// 23:59:59 in Tunis on `d`.
pub(super) fn end_of_day(d: Date) -> Zoned {
    i16::try_from(d.year())
        .ok()
        .and_then(|y| civil::Date::new(y, u8::from(d.month()) as i8, d.day() as i8).ok())
        .and_then(|c| c.at(23, 59, 59, 0).to_zoned(tunis()).ok())
        .unwrap_or_else(|| local(Timestamp::MAX))
}
