//! The staff inbox's rules, table-driven: what a query asks for, which cases
//! it keeps for whom, the counts behind its tabs, short references; and the
//! complaint steps staff work from it (a note to close, a contest window).

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::domain::case::decide::{self, Move};
use crate::domain::case::{Audience, CaseRecord};
use crate::domain::complaint::{CONTEST_DAYS, Complaint, ComplaintData};
use crate::domain::permit::Permit;
use crate::domain::workflow::CaseKind;
use crate::domain::{DomainError, Id, MunicipalityId, Permission, Principal};

const NOW: OffsetDateTime = datetime!(2026-12-02 10:00 UTC);
const ME: &str = "stf_01JD00000000000000000000ME";
const COLLEAGUE: &str = "stf_01JD000000000000000000000C";

fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn staff(m: &str, categories: Option<&[&str]>) -> Principal {
    Principal::Staff {
        user: Id::generate("usr"),
        staff_id: Id::parse("stf", ME).unwrap(),
        municipality: MunicipalityId::parse(m).unwrap(),
        permissions: [Permission::Complaints].into_iter().collect(),
        complaint_categories: categories.map(|c| c.iter().map(|s| s.to_string()).collect()),
    }
}

fn complaint(state: &str, category: &str, area: Option<&str>) -> CaseRecord<ComplaintData> {
    CaseRecord {
        kind: CaseKind::Complaint,
        municipality: MunicipalityId::parse("tunis").unwrap(),
        id: "cmp_01JD0000000000000000ABC123".into(),
        owner: "usr_01JD0000000000000000000000".into(),
        state: state.to_owned(),
        seq: 3,
        created_at: "2026-11-01T09:00:00Z".into(),
        updated_at: "2026-11-25T09:00:00Z".into(),
        data: ComplaintData {
            category: category.into(),
            subcategory: None,
            description: "Lampadaire éteint depuis une semaine.".into(),
            location: None,
            address: None,
            area: area.map(str::to_owned),
            public: false,
            hide_name: false,
            reporter_name: None,
            origin: None,
        },
        supporters: 0,
        assigned_to: None,
        duplicate_of: None,
        hidden: false,
        status_note: None,
        due_at: None,
    }
}

#[test]
fn an_inbox_query_is_read_or_refused_by_name() {
    let open = Inbox {
        states: States::Open,
        assigned: None,
        due: None,
        fields: vec![],
        newest_first: false,
    };
    let ok: &[(&[(&str, &str)], Inbox)] = &[
        (&[], open.clone()),
        (&[("state", "open")], open.clone()),
        (
            &[("state", "all")],
            Inbox {
                states: States::Any,
                ..open.clone()
            },
        ),
        (
            &[("state", " resolved ")],
            Inbox {
                states: States::One("resolved"),
                ..open.clone()
            },
        ),
        (
            &[("assigned", "me"), ("due", "overdue"), ("order", "newest")],
            Inbox {
                assigned: Some(Assigned::Me),
                due: Some(Due::Overdue),
                newest_first: true,
                ..open.clone()
            },
        ),
        (
            &[("assigned", "none"), ("due", "soon"), ("order", "oldest")],
            Inbox {
                assigned: Some(Assigned::Nobody),
                due: Some(Due::Soon),
                ..open.clone()
            },
        ),
        (
            &[("assigned", COLLEAGUE)],
            Inbox {
                assigned: Some(Assigned::To(COLLEAGUE.into())),
                ..open.clone()
            },
        ),
        (
            &[("category", "lighting"), ("area", "Bab Bhar")],
            Inbox {
                fields: vec![("category", "lighting".into()), ("area", "Bab Bhar".into())],
                ..open.clone()
            },
        ),
    ];
    for (q, want) in ok {
        assert_eq!(
            Inbox::parse::<Complaint>(&query(q)).as_ref(),
            Ok(want),
            "{q:?}"
        );
    }
    let long = "x".repeat(65);
    let refused: &[(&[(&str, &str)], &str)] = &[
        (&[("state", "closed")], "state"),
        (&[("state", "approved")], "state"),
        (
            &[("assigned", "usr_01JD0000000000000000000000")],
            "assigned",
        ),
        (&[("assigned", "someone")], "assigned"),
        (&[("due", "today")], "due"),
        (&[("order", "random")], "order"),
        (&[("category", " ")], "category"),
        (&[("area", &long)], "area"),
    ];
    for (q, name) in refused {
        assert_eq!(
            Inbox::parse::<Complaint>(&query(q)).map_err(|e| e.name),
            Err(*name),
            "{q:?}"
        );
    }
    // A permit's own field is its type; a complaint's category means nothing
    // to it (the handler refuses unknown parameters before parsing).
    let permits = Inbox::parse::<Permit>(&query(&[("type", "building"), ("category", "x")]));
    assert_eq!(
        permits.unwrap().fields,
        vec![("type", "building".to_owned())]
    );
}

#[test]
fn an_inbox_reads_the_listing_of_its_states() {
    let cases: &[(States, Listing)] = &[
        (States::Any, Listing::All),
        (States::Open, Listing::Open),
        (States::One("received"), Listing::Open),
        (States::One("reopened"), Listing::Open),
        (States::One("resolved"), Listing::Closed("resolved")),
        (States::One("withdrawn"), Listing::Closed("withdrawn")),
    ];
    for (states, listing) in cases {
        let inbox = Inbox {
            states: *states,
            assigned: None,
            due: None,
            fields: vec![],
            newest_first: false,
        };
        assert_eq!(inbox.listing::<Complaint>(), *listing, "{states:?}");
    }
}

#[test]
fn an_inbox_keeps_what_its_member_handles_and_asked_for() {
    let lighting = complaint("received", "lighting", Some("Bab Bhar"));
    let mine = CaseRecord {
        assigned_to: Some(ME.into()),
        ..complaint("in_progress", "lighting", None)
    };
    let theirs = CaseRecord {
        assigned_to: Some(COLLEAGUE.into()),
        ..complaint("investigating", "lighting", None)
    };
    let overdue = CaseRecord {
        due_at: Some("2026-12-01T10:00:00Z".into()),
        ..complaint("received", "lighting", None)
    };
    let soon = CaseRecord {
        due_at: Some("2026-12-03T09:00:00Z".into()),
        ..complaint("received", "lighting", None)
    };
    let later = CaseRecord {
        due_at: Some("2026-12-10T10:00:00Z".into()),
        ..complaint("received", "lighting", None)
    };
    let closed_late = CaseRecord {
        due_at: Some("2026-12-01T10:00:00Z".into()),
        ..complaint("resolved", "lighting", None)
    };
    let roads = complaint("received", "roads", None);
    let elsewhere = CaseRecord {
        municipality: MunicipalityId::parse("sfax").unwrap(),
        ..complaint("received", "lighting", None)
    };
    let everyone = staff("tunis", None);
    let lighting_only = staff("tunis", Some(&["lighting"]));
    let citizen = Principal::Citizen {
        user: Id::parse("usr", "usr_01JD0000000000000000000000").unwrap(),
    };
    type Row<'a> = (
        &'a [(&'a str, &'a str)],
        &'a Principal,
        &'a CaseRecord<ComplaintData>,
        bool,
    );
    let table: &[Row] = &[
        (&[], &everyone, &lighting, true),
        (&[], &everyone, &closed_late, false),
        (&[("state", "all")], &everyone, &closed_late, true),
        (&[("state", "resolved")], &everyone, &closed_late, true),
        (&[("state", "received")], &everyone, &mine, false),
        // Categories: a member limited to some sees those only.
        (&[], &lighting_only, &lighting, true),
        (&[], &lighting_only, &roads, false),
        (&[], &everyone, &roads, true),
        // Another municipality's case, or a citizen asking: never.
        (&[], &everyone, &elsewhere, false),
        (&[], &citizen, &lighting, false),
        // Assignee.
        (&[("assigned", "me")], &everyone, &mine, true),
        (&[("assigned", "me")], &everyone, &theirs, false),
        (&[("assigned", "none")], &everyone, &lighting, true),
        (&[("assigned", "none")], &everyone, &mine, false),
        (&[("assigned", COLLEAGUE)], &everyone, &theirs, true),
        (&[("assigned", COLLEAGUE)], &everyone, &mine, false),
        // Deadline: a closed case is never due.
        (&[("due", "overdue")], &everyone, &overdue, true),
        (&[("due", "overdue")], &everyone, &soon, false),
        (&[("due", "overdue")], &everyone, &lighting, false),
        (&[("due", "soon")], &everyone, &soon, true),
        (&[("due", "soon")], &everyone, &overdue, false),
        (&[("due", "soon")], &everyone, &later, false),
        (
            &[("state", "all"), ("due", "overdue")],
            &everyone,
            &closed_late,
            false,
        ),
        // The kind's fields, exactly.
        (&[("category", "lighting")], &everyone, &lighting, true),
        (&[("category", "light")], &everyone, &lighting, false),
        (&[("area", "Bab Bhar")], &everyone, &lighting, true),
        (&[("area", "Bab Bhar")], &everyone, &mine, false),
        (&[("category", "roads")], &lighting_only, &roads, false),
    ];
    for (q, who, case, kept) in table {
        let inbox = Inbox::parse::<Complaint>(&query(q)).unwrap();
        assert_eq!(
            inbox.keeps::<Complaint>(who, case, NOW),
            *kept,
            "{q:?} {} {:?}",
            case.state,
            case.assigned_to
        );
    }
}

#[test]
fn each_view_of_an_inbox_has_its_own_cursor_scope() {
    let views: &[&[(&str, &str)]] = &[
        &[],
        &[("state", "all")],
        &[("state", "resolved")],
        &[("assigned", "me")],
        &[("assigned", "none")],
        &[("due", "soon")],
        &[("category", "lighting")],
        &[("area", "lighting")],
        &[("order", "newest")],
    ];
    let scopes: std::collections::BTreeSet<String> = views
        .iter()
        .map(|q| Inbox::parse::<Complaint>(&query(q)).unwrap().scope())
        .collect();
    assert_eq!(scopes.len(), views.len(), "{scopes:?}");
}

#[test]
fn counts_name_every_state_and_add_up_their_shards() {
    let shard = |pairs: &[(&str, i64)]| -> BTreeMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    let got = counts::<Complaint>(&[
        shard(&[("received", 2), ("resolved", 1)]),
        shard(&[("received", 1), ("in_progress", 1), ("type", 0)]),
        // A shard that recorded a move before the filing it follows.
        shard(&[("rejected", -1)]),
    ]);
    assert_eq!(got.len(), CaseKind::Complaint.workflow().states.len());
    assert_eq!(got["received"], 3);
    assert_eq!(got["resolved"], 1);
    assert_eq!(got["in_progress"], 1);
    assert_eq!(got["rejected"], 0);
    assert_eq!(got["withdrawn"], 0);
    assert!(!got.contains_key("type"));
    assert!(counts::<Complaint>(&[]).values().all(|n| *n == 0));
}

#[test]
fn a_case_counts_on_one_shard_and_cases_spread_over_all() {
    let ids: Vec<String> = (0..64).map(|_| Id::generate("cmp").to_string()).collect();
    for id in &ids {
        assert_eq!(count_shard(id), count_shard(id));
        assert!(count_shard(id) < COUNT_SHARDS);
    }
    let used: std::collections::BTreeSet<u32> = ids.iter().map(|id| count_shard(id)).collect();
    assert_eq!(used.len(), COUNT_SHARDS as usize, "{used:?}");
}

#[test]
fn a_short_reference_is_the_kinds_own_or_the_ids_tail() {
    let c = complaint("received", "lighting", None);
    assert_eq!(short_reference::<Complaint>(&c), "ABC123");
    assert_eq!(id_suffix("cmp_01jd0000000000000000mb0xtt"), "MB0XTT");
    assert_eq!(id_suffix("ab"), "AB");
    let typed: &[(&str, Option<&str>)] = &[
        ("MB0XTT", Some("MB0XTT")),
        (" mb0xtt ", Some("MB0XTT")),
        ("2026-000042", Some("2026-000042")),
        ("AIR/2026/7", Some("AIR/2026/7")),
        ("", None),
        ("MB0 XTT", None),
        ("MB0XTT#", None),
        (&"A".repeat(33), None),
    ];
    for (raw, want) in typed {
        assert_eq!(parse_reference(raw).as_deref(), *want, "{raw:?}");
    }
}

fn step(to: &str, note: Option<&str>) -> Move<()> {
    Move {
        to: to.to_owned(),
        note: note.map(str::to_owned),
        duplicate_of: None,
        file: None,
        fields: (),
    }
}

#[test]
fn staff_say_why_they_close_a_complaint() {
    let who = staff("tunis", None);
    let open = complaint("in_progress", "lighting", None);
    let table: &[(&str, Option<&str>, bool)] = &[
        ("resolved", None, false),
        ("resolved", Some("  "), false),
        ("resolved", Some("Lampe changée."), true),
        ("rejected", None, false),
        ("outside_remit", None, false),
        ("outside_remit", Some("Relève de la STEG."), true),
        ("investigating", None, true),
        ("action_scheduled", None, true),
    ];
    for (to, note, ok) in table {
        let got = decide::transition::<Complaint>(
            &who,
            Audience::Staff,
            &open,
            step(to, *note),
            &(),
            NOW,
        );
        match ok {
            true => assert!(got.is_ok(), "{to} {note:?}: {got:?}"),
            false => assert_eq!(
                got.map(|_| ()),
                Err(DomainError::invalid("note", "required")),
                "{to} {note:?}"
            ),
        }
    }
}

#[test]
fn a_reporter_contests_a_resolution_within_its_window() {
    let reporter = Principal::Citizen {
        user: Id::parse("usr", "usr_01JD0000000000000000000000").unwrap(),
    };
    let resolved_at = |days_ago: i64| CaseRecord {
        updated_at: crate::clock::rfc3339(NOW - time::Duration::days(days_ago)),
        ..complaint("resolved", "lighting", None)
    };
    for (days, ok) in [(0, true), (CONTEST_DAYS, true), (CONTEST_DAYS + 1, false)] {
        let case = resolved_at(days);
        let got = decide::transition::<Complaint>(
            &reporter,
            Audience::Owner,
            &case,
            step("reopened", Some("La lampe est toujours éteinte.")),
            &(),
            NOW,
        );
        match ok {
            true => {
                let plan = got.unwrap();
                assert_eq!(
                    (plan.from.as_str(), plan.case.state.as_str()),
                    ("resolved", "reopened")
                );
                assert!(!plan.case.is_closed());
                let told = plan.staff_reminder.expect("staff are told");
                assert_eq!(
                    (told.what.as_str(), told.case_id.as_str()),
                    ("contested", case.id.as_str())
                );
            }
            false => assert_eq!(
                got.map(|_| ()),
                Err(DomainError::invalid("state", "contest_window_closed")),
                "{days} days"
            ),
        }
    }
    // The reporter says why; nobody else may contest.
    let case = resolved_at(1);
    assert_eq!(
        decide::transition::<Complaint>(
            &reporter,
            Audience::Owner,
            &case,
            step("reopened", None),
            &(),
            NOW
        )
        .map(|_| ()),
        Err(DomainError::invalid("note", "required"))
    );
    let who = staff("tunis", None);
    assert!(
        decide::transition::<Complaint>(
            &who,
            Audience::Staff,
            &case,
            step("reopened", Some("x")),
            &(),
            NOW
        )
        .is_err()
    );
    // Any other step leaves staff untold.
    let open = complaint("received", "lighting", None);
    let plan = decide::transition::<Complaint>(
        &who,
        Audience::Staff,
        &open,
        step("in_progress", None),
        &(),
        NOW,
    )
    .unwrap();
    assert!(plan.staff_reminder.is_none());
    assert_eq!(plan.from, "received");
}
