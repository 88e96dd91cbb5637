use time::macros::datetime;

use super::attendance::{self, Ask, Mark, Plan, Seat};
use super::feed::{self, Frame, Kind};
use super::*;
use crate::domain::ical::{Status, When};
use crate::domain::{Lang, MunicipalityId};

fn text(fr: &str) -> Text {
    Text {
        ar: String::new(),
        fr: fr.into(),
        en: String::new(),
    }
}

fn content() -> EventContent {
    EventContent {
        title: text("Festival de la Médina"),
        description: None,
        category: EventCategory::Culture,
        all_day: false,
        start: "2026-12-10T18:00:00+01:00".into(),
        end: Some("2026-12-10T20:30:00+01:00".into()),
        place: Place {
            name: text("Dar Lasram"),
            address: Some("24 rue du Tribunal".into()),
            lat: Some(36.8),
            lon: Some(10.17),
        },
        organiser: None,
        committee: None,
        image: None,
        capacity: Some(10),
    }
}

fn scheduled() -> Event {
    create(content(), "stf_1", "2026-12-01T09:00:00Z").unwrap()
}

#[test]
fn content_is_checked_and_times_kept_in_utc() {
    let ok = content().check().unwrap();
    assert_eq!(ok.start, "2026-12-10T17:00:00Z");
    assert_eq!(ok.end.as_deref(), Some("2026-12-10T19:30:00Z"));
    type Change = fn(&mut EventContent);
    // (what is changed, the error)
    let cases: [(Change, DomainError); 9] = [
        (|c| c.end = None, DomainError::invalid("end", "required")),
        (
            |c| c.end = Some("2026-12-10T17:59:00+01:00".into()),
            DomainError::invalid("end", "before_the_start"),
        ),
        (
            |c| c.start = "demain".into(),
            DomainError::invalid("start", "rfc3339"),
        ),
        (
            |c| {
                c.all_day = true;
                c.start = "2026-12-10".into();
                c.end = Some("2026-12-09".into());
            },
            DomainError::invalid("end", "before_the_start"),
        ),
        (
            |c| {
                c.all_day = true;
                c.start = "10/12/2026".into();
            },
            DomainError::invalid("start", "date"),
        ),
        (
            |c| c.place.lat = None,
            DomainError::invalid("place", "lat_and_lon"),
        ),
        (
            |c| c.place.lat = Some(91.0),
            DomainError::invalid("place", "coordinates"),
        ),
        (
            |c| c.capacity = Some(0),
            DomainError::invalid("capacity", "out_of_range"),
        ),
        (
            |c| c.image = Some("http://x/y.png".into()),
            DomainError::invalid("image", "https_url"),
        ),
    ];
    for (change, want) in cases {
        let mut c = content();
        change(&mut c);
        assert_eq!(c.check().unwrap_err(), want);
    }
}

#[test]
fn whole_days_start_and_end_at_midnight_in_tunis() {
    let mut c = content();
    c.all_day = true;
    c.start = "2026-12-10".into();
    c.end = Some("2026-12-11".into());
    let c = c.check().unwrap();
    assert_eq!(c.starts(), datetime!(2026-12-09 23:00 UTC));
    assert_eq!(c.ends(), datetime!(2026-12-11 23:00 UTC));
}

#[test]
fn a_new_time_or_place_raises_the_sequence_and_is_told_a_new_title_is_not() {
    let e = scheduled();
    let now = "2026-12-02T10:00:00Z";
    // (change, sequence after, change to tell)
    type Edit = fn(&mut EventContent);
    let cases: [(Edit, u32, Option<super::Change>); 4] = [
        (|c| c.title = text("Autre titre"), 0, None),
        (
            |c| c.start = "2026-12-10T19:00:00+01:00".into(),
            1,
            Some(super::Change::Moved),
        ),
        (
            |c| c.place.name = text("Place de la Kasbah"),
            1,
            Some(super::Change::Moved),
        ),
        (|c| c.capacity = Some(20), 0, None),
    ];
    for (edit_it, seq, told) in cases {
        let mut c = e.content.clone();
        edit_it(&mut c);
        let (after, change) = edit(&e, c, 3, now).unwrap();
        assert_eq!((after.sequence, change), (seq, told));
        assert_eq!(after.version, e.version + 1);
    }
    let mut c = e.content.clone();
    c.capacity = Some(2);
    assert_eq!(
        edit(&e, c, 3, now).unwrap_err(),
        DomainError::invalid("capacity", "below_registered")
    );
}

#[test]
fn statuses_move_one_way_to_cancelled_each_step_a_new_sequence() {
    use EventStatus::*;
    let now = "2026-12-02T10:00:00Z";
    let reason = Some(text("Intempéries"));
    // (from, to, allowed)
    let cases = [
        (Scheduled, Postponed, true),
        (Scheduled, Cancelled, true),
        (Postponed, Scheduled, true),
        (Postponed, Cancelled, true),
        (Cancelled, Scheduled, false),
        (Cancelled, Postponed, false),
        (Scheduled, Scheduled, false),
    ];
    for (from, to, allowed) in cases {
        let mut e = scheduled();
        e.status = from;
        let got = set_status(&e, to, reason.clone(), now);
        assert_eq!(got.is_ok(), allowed, "{from:?} → {to:?}");
        if let Ok((after, change)) = got {
            assert_eq!(after.sequence, e.sequence + 1);
            assert!(change.is_some());
        }
    }
    let e = scheduled();
    assert_eq!(
        set_status(&e, Cancelled, None, now).unwrap_err(),
        DomainError::invalid("reason", "required")
    );
    let (cancelled, _) = set_status(&e, Cancelled, reason, now).unwrap();
    assert!(edit(&cancelled, content(), 0, now).is_err());
}

#[test]
fn the_reminder_is_due_a_day_before_unless_too_late_or_cancelled() {
    let mut e = scheduled();
    let due = reminder_due(&e, datetime!(2026-12-01 09:00 UTC));
    assert_eq!(due, Some(datetime!(2026-12-09 17:00 UTC)));
    assert_eq!(reminder_due(&e, datetime!(2026-12-09 18:00 UTC)), None);
    e.status = EventStatus::Cancelled;
    assert_eq!(reminder_due(&e, datetime!(2026-12-01 09:00 UTC)), None);
}

#[test]
fn going_to_an_event_with_places_is_a_seat_with_a_waiting_list_if_asked() {
    let e = scheduled();
    let now = datetime!(2026-12-02 10:00 UTC);
    let going = |waiting_list| Ask {
        mark: Mark::Going,
        waiting_list,
    };
    let plan = attendance::plan(&e, None, going(true), "usr_1", now, "k".into()).unwrap();
    let Plan::Seat {
        registered,
        waiting,
    } = plan
    else {
        panic!("a seat: {plan:?}")
    };
    assert_eq!(registered.seat, Some(Seat::Registered));
    assert_eq!(waiting.unwrap().wait_key.as_deref(), Some("k"));
    let plan = attendance::plan(&e, None, going(false), "usr_1", now, "k".into()).unwrap();
    assert!(matches!(plan, Plan::Seat { waiting: None, .. }));
    // The same ask again keeps what one has (a place, or one's turn).
    let plan = attendance::plan(
        &e,
        Some(&registered),
        going(true),
        "usr_1",
        now,
        "k2".into(),
    );
    assert_eq!(plan.unwrap(), Plan::Keep);
    // Without a capacity, going is a mark like any other.
    let mut open_air = e.clone();
    open_air.content.capacity = None;
    let plan = attendance::plan(&open_air, None, going(true), "usr_1", now, "k".into()).unwrap();
    assert!(matches!(plan, Plan::Mark(a) if a.seat.is_none()));
    // Over, or cancelled: no more marks.
    let late = datetime!(2026-12-10 20:00 UTC);
    assert!(attendance::plan(&e, None, going(true), "usr_1", late, "k".into()).is_err());
}

#[test]
fn counters_move_by_what_a_mark_was_and_becomes() {
    let e = scheduled();
    let now = datetime!(2026-12-02 10:00 UTC);
    let Plan::Seat {
        registered,
        waiting,
    } = attendance::plan(
        &e,
        None,
        Ask {
            mark: Mark::Going,
            waiting_list: true,
        },
        "usr_1",
        now,
        "k".into(),
    )
    .unwrap()
    else {
        panic!()
    };
    let waiting = waiting.unwrap();
    let Plan::Mark(interested) = attendance::plan(
        &e,
        None,
        Ask {
            mark: Mark::Interested,
            waiting_list: true,
        },
        "usr_1",
        now,
        "k".into(),
    )
    .unwrap() else {
        panic!()
    };
    // (before, after, delta)
    let cases = [
        (None, Some(&registered), vec![("going", 1)]),
        (None, Some(&waiting), vec![("waiting", 1)]),
        (Some(&registered), None, vec![("going", -1)]),
        (
            Some(&interested),
            Some(&registered),
            vec![("interested", -1), ("going", 1)],
        ),
        (
            Some(&waiting),
            Some(&attendance::promoted(&waiting, now)),
            vec![("waiting", -1), ("going", 1)],
        ),
        (Some(&interested), Some(&interested), vec![]),
    ];
    for (before, after, want) in cases {
        assert_eq!(
            attendance::delta(before, after),
            want,
            "{before:?} → {after:?}"
        );
    }
    assert!(attendance::holds_place(&registered));
    assert!(!attendance::holds_place(&waiting));
    // A reminder is not for those still waiting; a change is for everyone.
    assert!(!attendance::told(&waiting, true));
    assert!(attendance::told(&waiting, false));
    assert!(attendance::told(&interested, true));
}

#[test]
fn feed_kinds_are_named_or_all() {
    assert_eq!(Kind::parse_list(None).unwrap(), Kind::ALL.to_vec());
    assert_eq!(
        Kind::parse_list(Some("meetings,events,meetings")).unwrap(),
        vec![Kind::Events, Kind::Meetings]
    );
    assert!(Kind::parse_list(Some("events,parties")).is_err());
    assert!(Kind::parse_list(Some(",")).is_err());
}

#[test]
fn an_event_in_the_feed_keeps_its_uid_and_says_its_status() {
    let m = MunicipalityId::parse("tunis").unwrap();
    let f = Frame {
        municipality: &m,
        root: "https://api.example",
        lang: Lang::Fr,
    };
    let e = scheduled();
    let entry = feed::event(&f, &e).unwrap();
    assert_eq!(entry.uid, format!("{}@tunis.baladiya", e.id));
    assert_eq!(entry.status, Status::Confirmed);
    assert_eq!(
        entry.location.as_deref(),
        Some("Dar Lasram, 24 rue du Tribunal")
    );
    assert_eq!(entry.geo, Some((36.8, 10.17)));
    let (cancelled, _) = set_status(
        &e,
        EventStatus::Cancelled,
        Some(text("Pluie")),
        "2026-12-03T08:00:00Z",
    )
    .unwrap();
    let gone = feed::event(&f, &cancelled).unwrap();
    assert_eq!(
        (gone.uid.as_str(), gone.status),
        (entry.uid.as_str(), Status::Cancelled)
    );
    assert!(gone.sequence > entry.sequence);
    assert_eq!(gone.description.as_deref(), Some("Pluie"));
    let mut day = e.clone();
    day.content.all_day = true;
    day.content.start = "2026-12-10".into();
    day.content.end = None;
    let entry = feed::event(&f, &day).unwrap();
    assert!(matches!(entry.when, When::AllDay { first, last } if first == last));
}
