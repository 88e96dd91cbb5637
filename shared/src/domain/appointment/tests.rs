use time::macros::{date, datetime};

use super::slots::{self, check, of_day};
use super::*;
use crate::domain::MunicipalityId;
use crate::domain::calendar::Calendar;
use crate::domain::case::decide::{self, Filer};
use crate::domain::case::{Actor, Change};
use crate::domain::guide::hours::OfficeHours;

fn hours() -> OfficeHours {
    let two = serde_json::json!([{"open": "08:00", "close": "12:30"}, {"open": "14:00", "close": "17:30"}]);
    serde_json::from_value(serde_json::json!({
        "regular": {"mon": two, "tue": two, "wed": two, "thu": two, "fri": two},
        "exceptions": [{"date": "2026-12-09"}]
    }))
    .unwrap()
}

fn host(approval: bool) -> Host {
    Host {
        code: "maire".into(),
        content: HostContent {
            name: Text {
                ar: "رئيس البلدية".into(),
                fr: "Le maire".into(),
                en: String::new(),
            },
            description: None,
            office: "hotel-de-ville".into(),
            slot_minutes: 30,
            capacity: 2,
            approval,
            min_notice_hours: 24,
            max_days_ahead: 14,
            active: true,
        }
        .check()
        .unwrap(),
        version: 1,
        updated_at: "2026-12-01T00:00:00Z".into(),
    }
}

#[test]
fn a_day_is_cut_into_slots_within_its_shifts_in_tunis_time() {
    let cal = Calendar::tunisia_default();
    // Monday 7 December 2026: 08:00–12:30 (9 slots), 14:00–17:30 (7 slots).
    let day = of_day(&host(false), &hours(), &cal, date!(2026 - 12 - 07));
    assert_eq!(day.len(), 16);
    assert_eq!(day[0].starts_at, "2026-12-07T07:00:00Z");
    assert_eq!(day[8].ends_at, "2026-12-07T11:30:00Z");
    assert_eq!(day[9].starts_at, "2026-12-07T13:00:00Z");
    // (day, slots): a Saturday, a day closed by exception, 17 December (the
    // Revolution's day, a public holiday).
    for (d, n) in [
        (date!(2026 - 12 - 05), 0),
        (date!(2026 - 12 - 09), 0),
        (date!(2026 - 12 - 17), 0),
        (date!(2026 - 12 - 08), 16),
    ] {
        assert_eq!(of_day(&host(false), &hours(), &cal, d).len(), n, "{d}");
    }
}

#[test]
fn a_booking_names_an_offered_slot_within_notice_and_horizon() {
    let cal = Calendar::tunisia_default();
    let now = datetime!(2026-12-04 10:00 UTC);
    let h = host(false);
    let ok = check(&h, &hours(), &cal, "2026-12-07T08:30:00+01:00", now).unwrap();
    assert_eq!(ok.starts_at, "2026-12-07T07:30:00Z");
    // (slot asked, reason)
    let cases = [
        ("2026-12-04T15:00:00+01:00", "too_soon"),
        ("2026-12-21T09:00:00+01:00", "too_far_ahead"),
        ("2026-12-07T08:10:00+01:00", "not_a_slot"),
        ("2026-12-07T12:30:00+01:00", "not_a_slot"),
        ("2026-12-09T09:00:00+01:00", "not_a_slot"),
        ("lundi 9h", "rfc3339"),
    ];
    for (slot, reason) in cases {
        assert_eq!(
            check(&h, &hours(), &cal, slot, now).unwrap_err(),
            DomainError::invalid("slot", reason),
            "{slot}"
        );
    }
    let mut closed = host(false);
    closed.content.active = false;
    assert_eq!(
        check(&closed, &hours(), &cal, "2026-12-07T08:30:00+01:00", now).unwrap_err(),
        DomainError::invalid("host", "not_taking_bookings")
    );
}

#[test]
fn hosts_are_checked() {
    let bad = |f: fn(&mut HostContent)| {
        let mut c = host(false).content;
        f(&mut c);
        c.check().unwrap_err()
    };
    assert_eq!(
        bad(|c| c.slot_minutes = 2),
        DomainError::invalid("slot_minutes", "out_of_range")
    );
    assert_eq!(
        bad(|c| c.capacity = 0),
        DomainError::invalid("capacity", "out_of_range")
    );
    assert_eq!(
        bad(|c| c.max_days_ahead = 0),
        DomainError::invalid("max_days_ahead", "out_of_range")
    );
    assert_eq!(
        bad(|c| c.office = "Not A Code".into()).code(),
        "invalid_field"
    );
}

#[test]
fn reminders_come_a_day_and_two_hours_before_a_confirmed_appointment() {
    let start = "2026-12-07T08:00:00Z";
    // (state, now, reminder)
    let cases = [
        ("confirmed", datetime!(2026-12-06 07:00 UTC), None),
        (
            "confirmed",
            datetime!(2026-12-06 08:30 UTC),
            Some("reminder_24h"),
        ),
        (
            "confirmed",
            datetime!(2026-12-07 06:30 UTC),
            Some("reminder_2h"),
        ),
        // Less than a day ahead (booked late): the two-hour reminder only.
        ("confirmed", datetime!(2026-12-06 20:00 UTC), None),
        ("confirmed", datetime!(2026-12-07 08:00 UTC), None),
        ("requested", datetime!(2026-12-07 06:30 UTC), None),
        ("cancelled", datetime!(2026-12-06 08:30 UTC), None),
    ];
    for (state, now, want) in cases {
        assert_eq!(reminder_due(state, start, now), want, "{state} at {now}");
    }
}

fn booked(state: &str) -> CaseRecord<AppointmentData> {
    let m = MunicipalityId::parse("tunis").unwrap();
    let filer = Filer {
        owner: "usr_1".into(),
        author: "usr_1".into(),
        role: Actor::Owner,
    };
    let data = AppointmentData {
        host: "maire".into(),
        host_name: host(false).content.name,
        starts_at: "2026-12-07T07:30:00Z".into(),
        ends_at: "2026-12-07T08:00:00Z".into(),
        reason: parse_reason("Une question de voirie").unwrap(),
        moved: 0,
        checked_in_at: None,
    };
    let mut f =
        decide::file::<Appointment>(&m, &filer, data, None, datetime!(2026-12-04 10:00 UTC));
    f.case.state = state.into();
    f.case
}

#[test]
fn a_move_takes_the_new_slot_and_other_steps_touch_only_what_they_should() {
    let now = datetime!(2026-12-04 10:00 UTC);
    let slot = || {
        Some(NewSlot {
            starts_at: "2026-12-08T08:00:00Z".into(),
            ends_at: "2026-12-08T08:30:00Z".into(),
        })
    };
    let change = |case: &CaseRecord<AppointmentData>, to: &'static str, s| {
        Appointment::change(
            &Change {
                case,
                to,
                actor: Actor::Owner,
                now,
            },
            s,
            &(),
        )
    };
    let c = booked("confirmed");
    let moved = change(&c, "confirmed", slot()).unwrap();
    let data = moved.data.unwrap();
    assert_eq!(
        (data.starts_at.as_str(), data.moved),
        ("2026-12-08T08:00:00Z", 1)
    );
    assert_eq!(moved.due, DueChange::Set("2026-12-08T08:00:00Z".into()));
    assert_eq!(
        change(&c, "confirmed", None).unwrap_err(),
        DomainError::invalid("slot", "required")
    );
    assert_eq!(
        change(&c, "done", slot()).unwrap_err(),
        DomainError::invalid("slot", "not_allowed")
    );
    assert_eq!(change(&c, "cancelled", None).unwrap().due, DueChange::Clear);
    assert_eq!(
        change(&c, "done", None).unwrap().due,
        DueChange::Keep,
        "a visit stays on its day"
    );
    let inside = change(&c, "checked_in", None).unwrap().data.unwrap();
    assert_eq!(
        inside.checked_in_at.as_deref(),
        Some("2026-12-04T10:00:00Z")
    );
    // Where a move goes: back to requested at a host that approves.
    assert_eq!(state_after_move(&c, &host(true)), "requested");
    assert_eq!(state_after_move(&c, &host(false)), "confirmed");
    assert_eq!(
        state_after_move(&booked("requested"), &host(false)),
        "requested"
    );
    assert_eq!(
        Appointment::reference(&c.data).as_deref(),
        Some("07/12 08:30")
    );
}

#[test]
fn the_day_of_tunis_is_bounded_in_utc() {
    let (from, to) = slots::day_bounds(jiff::civil::date(2026, 12, 7));
    assert_eq!(
        (from.as_str(), to.as_str()),
        ("2026-12-06T23:00:00Z", "2026-12-07T23:00:00Z")
    );
}
