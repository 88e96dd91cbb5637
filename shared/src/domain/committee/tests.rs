use time::macros::datetime;

use super::*;

fn text(ar: &str, fr: &str) -> Text {
    Text {
        ar: ar.into(),
        fr: fr.into(),
        en: String::new(),
    }
}

fn member(role: Role, from: &str, until: Option<&str>) -> Member {
    Member {
        person: None,
        name: text("سنية بن علي", "Sonia Ben Ali"),
        role,
        from: from.into(),
        until: until.map(str::to_owned),
    }
}

fn committee(members: Vec<Member>) -> CommitteeContent {
    CommitteeContent {
        kind: CommitteeKind::Standing,
        name: text("لجنة الأشغال", "Commission des travaux"),
        description: Text::default(),
        members,
        from: Some("2023-03-01".into()),
        until: None,
    }
}

#[test]
fn members_one_president_at_a_time() {
    // (members, refused field and reason)
    let cases = [
        (vec![member(Role::President, "2023-03-01", None)], None),
        (
            vec![
                member(Role::President, "2023-03-01", Some("2024-02-29")),
                member(Role::President, "2024-03-01", None),
            ],
            None,
        ),
        (
            vec![
                member(Role::President, "2023-03-01", None),
                member(Role::President, "2024-03-01", None),
            ],
            Some(("members.role", "one_at_a_time")),
        ),
        (
            vec![member(Role::Member, "2023-03-01", Some("2022-01-01"))],
            Some(("members.until", "ends_before_it_starts")),
        ),
        (
            vec![member(Role::Rapporteur, "1 mars", None)],
            Some(("members.until", "date")),
        ),
    ];
    for (members, refused) in cases {
        let got = committee(members.clone()).check();
        match refused {
            None => {
                let c = got.unwrap();
                assert!(c.members.iter().all(|m| m.person.is_some()), "ids given");
            }
            Some((field, reason)) => {
                assert_eq!(
                    got.unwrap_err(),
                    DomainError::invalid(field, reason),
                    "{members:?}"
                )
            }
        }
    }
    // A person keeps their id; a made-up one is refused.
    let mut again = member(Role::Member, "2023-03-01", None);
    again.person = Some("per_01JDQ2Y8V0K7N3M5P9R2T4W6XA".into());
    let c = committee(vec![again.clone()]).check().unwrap();
    assert_eq!(c.members[0].person, again.person);
    again.person = Some("usr_1".into());
    assert_eq!(
        committee(vec![again]).check().unwrap_err(),
        DomainError::invalid("members.person", "id")
    );
}

#[test]
fn who_sits_on_a_day() {
    let m = member(Role::Member, "2023-03-01", Some("2024-02-29"));
    let day = |d: &str| crate::domain::calendar::parse_date(d).unwrap();
    assert!(sits(&m, day("2023-03-01")));
    assert!(sits(&m, day("2024-02-29")));
    assert!(!sits(&m, day("2024-03-01")));
    assert!(!sits(&m, day("2023-02-28")));
}

fn meeting(agenda: Vec<AgendaItem>) -> MeetingContent {
    MeetingContent {
        name: None,
        start: "2026-12-15T10:00:00+01:00".into(),
        end: Some("2026-12-15T12:30:00+01:00".into()),
        place: text(
            "قاعة الاجتماعات، قصر البلدية",
            "Salle du conseil, hôtel de ville",
        ),
        public: true,
        agenda,
    }
}

fn item(title: &str, public: bool) -> AgendaItem {
    AgendaItem {
        number: 0,
        title: text("بند", title),
        public,
        decision: None,
    }
}

#[test]
fn a_meeting_is_planned_then_held_or_cancelled() {
    let now = datetime!(2026-12-03 10:00 UTC);
    let content = meeting(vec![item("Budget 2027", true), item("Litige", false)])
        .check()
        .unwrap();
    assert_eq!(content.start, "2026-12-15T09:00:00Z");
    assert_eq!(in_tunis(&content.start), "2026-12-15T10:00:00+01:00");
    assert_eq!(
        content.agenda.iter().map(|i| i.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let m = plan("cmt_1", content.clone(), "2026-12-03T10:00:00Z");
    assert_eq!(m.status, MeetingStatus::Planned);
    // Not held before it starts; cancelled only with a reason.
    assert_eq!(
        set_status(&m, MeetingStatus::Held, None, now).unwrap_err(),
        DomainError::invalid("status", "not_started")
    );
    assert_eq!(
        set_status(&m, MeetingStatus::Cancelled, None, now).unwrap_err(),
        DomainError::invalid("reason", "required")
    );
    // No decision before it is held.
    let mut decided = content.clone();
    decided.agenda[0].decision = Some(text("صودق", "Adopté à l'unanimité"));
    assert_eq!(
        revise(&m, decided.clone(), "t").unwrap_err(),
        DomainError::invalid("agenda.decision", "meeting_not_held")
    );
    let held = set_status(
        &m,
        MeetingStatus::Held,
        None,
        datetime!(2026-12-15 09:05 UTC),
    )
    .unwrap();
    let recorded = revise(&held, decided, "t").unwrap();
    assert_eq!(recorded.version, held.version + 1);
    // Held: its time stays; it cannot be cancelled or held again.
    let mut moved = recorded.content.clone();
    moved.start = "2026-12-16T09:00:00Z".into();
    assert_eq!(
        revise(&recorded, moved, "t").unwrap_err(),
        DomainError::invalid("start", "meeting_held")
    );
    let reason = Some(text("غياب النصاب", "Quorum non atteint"));
    assert_eq!(
        set_status(&recorded, MeetingStatus::Cancelled, reason.clone(), now)
            .unwrap_err()
            .code(),
        "transition_not_allowed"
    );
    let cancelled = set_status(&m, MeetingStatus::Cancelled, reason, now).unwrap();
    assert_eq!(
        revise(&cancelled, content, "t").unwrap_err().code(),
        "transition_not_allowed"
    );
    // The public sees a closed item's number only.
    let public = public_agenda(&recorded);
    assert_eq!(public[0].decision, recorded.content.agenda[0].decision);
    assert_eq!((public[1].number, public[1].public), (2, false));
    assert_ne!(public[1].title, recorded.content.agenda[1].title);
}

#[test]
fn a_meeting_ends_after_it_starts() {
    let mut m = meeting(vec![]);
    m.end = Some("2026-12-15T09:00:00+01:00".into());
    assert_eq!(
        m.check().unwrap_err(),
        DomainError::invalid("end", "before_the_start")
    );
    let mut m = meeting(vec![]);
    m.start = "demain".into();
    assert_eq!(
        m.check().unwrap_err(),
        DomainError::invalid("start", "rfc3339")
    );
}

#[test]
fn ten_committees_are_suggested_each_checked() {
    assert_eq!(SUGGESTED.len(), 10);
    assert_eq!(SUGGESTED[0].kind, CommitteeKind::Council);
    let mut codes: Vec<&str> = SUGGESTED.iter().map(|s| s.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 10);
    for s in SUGGESTED {
        let c = CommitteeContent {
            kind: s.kind,
            name: s.name.to_owned_text(),
            description: Text::default(),
            members: vec![],
            from: None,
            until: None,
        };
        c.check().unwrap_or_else(|e| panic!("{}: {e}", s.code));
    }
}
