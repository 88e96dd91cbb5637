use std::collections::HashMap;

use super::*;

fn t(ar: &str, fr: &str) -> Text {
    Text {
        ar: ar.into(),
        fr: fr.into(),
        en: String::new(),
    }
}

fn content(kind: PollKind, max: Option<usize>, n: usize) -> PollContent {
    PollContent {
        title: t("أين نزرع الأشجار؟", "Où planter les arbres ?"),
        text: Text::default(),
        kind,
        max_choices: max,
        choices: (0..n)
            .map(|i| Choice {
                id: String::new(),
                text: t(&format!("حي {i}"), &format!("Quartier {i}")),
                image: None,
            })
            .collect(),
        opens_at: "2026-12-01T08:00:00+01:00".into(),
        closes_at: "2026-12-15T08:00:00+01:00".into(),
        eligibility: Eligibility::Anyone,
        live_results: false,
    }
}

fn at(raw: &str) -> OffsetDateTime {
    crate::clock::parse_rfc3339(raw).unwrap()
}

fn published(c: PollContent) -> Poll {
    let d = draft(c, "2026-11-20T10:00:00Z").unwrap();
    publish(&d, at("2026-11-20T10:00:00Z")).unwrap()
}

#[test]
fn a_poll_is_checked_and_its_choices_numbered() {
    let p = draft(content(PollKind::Multiple, None, 3), "t").unwrap();
    let ids: Vec<&str> = p.content.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(p.content.max_choices, Some(3));
    assert_eq!(p.content.opens_at, "2026-12-01T07:00:00Z");
    // (content, error)
    let mut reversed = content(PollKind::Single, None, 2);
    reversed.closes_at = "2026-11-30T08:00:00+01:00".into();
    let mut long = content(PollKind::Single, None, 2);
    long.closes_at = "2028-12-15T08:00:00+01:00".into();
    let mut image = content(PollKind::Single, None, 2);
    image.choices[0].image = Some("http://example.tn/a.jpg".into());
    let mut spaced = content(PollKind::Single, None, 2);
    spaced.choices[0].image = Some("https://example.tn/a b\".jpg".into());
    let cases = [
        (content(PollKind::Single, None, 1), ("choices", "count")),
        (content(PollKind::Single, None, 21), ("choices", "count")),
        (
            content(PollKind::Single, Some(2), 3),
            ("max_choices", "single_choice"),
        ),
        (
            content(PollKind::Multiple, Some(1), 3),
            ("max_choices", "range"),
        ),
        (
            content(PollKind::Multiple, Some(4), 3),
            ("max_choices", "range"),
        ),
        (reversed, ("closes_at", "before_opening")),
        (long, ("closes_at", "window_too_long")),
        (image, ("choices.image", "https_url")),
        (spaced, ("choices.image", "https_url")),
    ];
    for (c, (field, reason)) in cases {
        assert_eq!(
            draft(c, "t").unwrap_err(),
            DomainError::invalid(field, reason)
        );
    }
}

#[test]
fn a_poll_goes_draft_upcoming_open_closed_and_edits_only_as_a_draft() {
    let d = draft(content(PollKind::Single, None, 2), "t").unwrap();
    assert_eq!(phase(&d, at("2026-12-05T00:00:00Z")), Phase::Draft);
    let p = published(content(PollKind::Single, None, 2));
    for (now, expected) in [
        ("2026-12-01T06:59:59Z", Phase::Upcoming),
        ("2026-12-01T07:00:00Z", Phase::Open),
        ("2026-12-15T06:59:59Z", Phase::Open),
        ("2026-12-15T07:00:00Z", Phase::Closed),
    ] {
        assert_eq!(phase(&p, at(now)), expected, "{now}");
    }
    assert!(edit(&p, content(PollKind::Single, None, 3), "t").is_err());
    assert!(edit(&d, content(PollKind::Single, None, 3), "t").is_ok());
    assert!(publish(&p, at("2026-11-21T00:00:00Z")).is_err(), "once");
    assert_eq!(
        publish(&d, at("2026-12-16T00:00:00Z")).unwrap_err(),
        DomainError::invalid("closes_at", "in_the_past")
    );
}

#[test]
fn results_show_once_closed_or_live_while_open() {
    let hidden = published(content(PollKind::Single, None, 2));
    let mut live_c = content(PollKind::Single, None, 2);
    live_c.live_results = true;
    let live = published(live_c);
    // (poll, now, public)
    for (p, now, public) in [
        (&hidden, "2026-11-25T00:00:00Z", false),
        (&hidden, "2026-12-05T00:00:00Z", false),
        (&hidden, "2026-12-20T00:00:00Z", true),
        (&live, "2026-11-25T00:00:00Z", false),
        (&live, "2026-12-05T00:00:00Z", true),
        (&live, "2026-12-20T00:00:00Z", true),
    ] {
        assert_eq!(results_public(p, at(now)), public, "{now}");
    }
}

/// (poll, voter, choices, now, outcome: the ballot's choices or the refusal)
type Case<'a> = (
    &'a Poll,
    &'a Voter,
    Vec<String>,
    OffsetDateTime,
    Result<Vec<String>, Refusal>,
);

#[test]
fn a_ballot_is_checked_against_the_poll_and_who_may_vote() {
    let open = at("2026-12-05T00:00:00Z");
    let multi = published(content(PollKind::Multiple, Some(2), 3));
    let single = published(content(PollKind::Single, None, 3));
    let mut by_area_c = content(PollKind::Single, None, 2);
    by_area_c.eligibility = Eligibility::Area {
        area: "el-menzah".into(),
    };
    let by_area = published(by_area_c);
    let anyone = Voter::default();
    let follower_elsewhere = Voter {
        follows: true,
        areas: vec!["bab-bhar".into()],
        resident: true,
    };
    let follower_there = Voter {
        follows: true,
        areas: vec!["el-menzah".into()],
        resident: false,
    };
    let v = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let bad = |r| Err(Refusal::Invalid(DomainError::invalid("choices", r)));
    let cases: Vec<Case> = vec![
        (&multi, &anyone, v(&["3", "1"]), open, Ok(v(&["1", "3"]))),
        (&multi, &anyone, v(&["1", "2", "3"]), open, bad("too_many")),
        (&multi, &anyone, v(&["1", "1"]), open, bad("duplicate")),
        (&multi, &anyone, v(&[]), open, bad("empty")),
        (&multi, &anyone, v(&["9"]), open, bad("unknown")),
        (&single, &anyone, v(&["1", "2"]), open, bad("too_many")),
        (
            &single,
            &anyone,
            v(&["2"]),
            at("2026-11-25T00:00:00Z"),
            Err(Refusal::NotOpen(Phase::Upcoming)),
        ),
        (
            &single,
            &anyone,
            v(&["2"]),
            at("2026-12-20T00:00:00Z"),
            Err(Refusal::NotOpen(Phase::Closed)),
        ),
        (
            &by_area,
            &anyone,
            v(&["1"]),
            open,
            Err(Refusal::NotEligible),
        ),
        (
            &by_area,
            &follower_elsewhere,
            v(&["1"]),
            open,
            Err(Refusal::NotEligible),
        ),
        (&by_area, &follower_there, v(&["1"]), open, Ok(v(&["1"]))),
    ];
    for (p, voter, choices, now, expected) in cases {
        let got = cast(p, voter, &choices, None, now).map(|b| b.choices);
        assert_eq!(got, expected, "{choices:?}");
    }
}

#[test]
fn a_replaced_ballot_moves_the_counts_and_the_tally_adds_up() {
    let p = published(content(PollKind::Multiple, None, 3));
    let open = at("2026-12-05T00:00:00Z");
    let resident = Voter {
        resident: true,
        ..Voter::default()
    };
    let first = cast(&p, &resident, &["1".into(), "2".into()], None, open).unwrap();
    assert_eq!(first.version, 1);
    let d: HashMap<String, i64> = delta(None, &first).into_iter().collect();
    assert_eq!(
        d,
        [
            ("participants", 1),
            ("residents", 1),
            ("v1", 1),
            ("r1", 1),
            ("v2", 1),
            ("r2", 1)
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    );
    let second = cast(
        &p,
        &Voter::default(),
        &["2".into(), "3".into()],
        Some(&first),
        open,
    )
    .unwrap();
    assert_eq!(second.version, 2);
    let d: HashMap<String, i64> = delta(Some(&first), &second).into_iter().collect();
    assert_eq!(
        d,
        [
            ("residents", -1),
            ("v1", -1),
            ("r1", -1),
            ("r2", -1),
            ("v3", 1)
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        "the same person, now not a resident: one participant still"
    );
    assert!(delta(Some(&second), &second).is_empty());
    // Two shards summed.
    let shard = |pairs: &[(&str, i64)]| -> HashMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    let a = shard(&[("participants", 2), ("residents", 1), ("v1", 2), ("r1", 1)]);
    let b = shard(&[("participants", 1), ("v3", 1), ("v1", 1)]);
    let r = results(&p, [&a, &b]);
    assert_eq!((r.participants, r.residents, r.others), (3, 1, 2));
    assert_eq!(
        r.choices
            .iter()
            .map(|c| (c.votes, c.residents, c.others))
            .collect::<Vec<_>>(),
        [(3, 1, 2), (0, 0, 0), (1, 0, 1)]
    );
    let csv = csv(&p, &r);
    assert!(
        csv.starts_with(
            "choice,text_ar,text_fr,votes,residents,others\r\n1,\"حي 0\",\"Quartier 0\",3,1,2\r\n"
        ),
        "{csv}"
    );
    assert!(csv.ends_with("participants,,,3,1,2\r\n"));
    // A text a spreadsheet would run stays text.
    let mut formula = p.clone();
    formula.content.choices[0].text.fr = "=HYPERLINK(\"http://x\")".into();
    assert!(super::csv(&formula, &r).contains(",\"'=HYPERLINK(\"\"http://x\"\")\","));
}

#[test]
fn a_person_always_counts_in_the_same_shard() {
    let s = shard("usr_01JAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(s, shard("usr_01JAAAAAAAAAAAAAAAAAAAAAAA"));
    assert!(s < SHARDS);
    let spread: std::collections::HashSet<u32> =
        (0..200).map(|i| shard(&format!("usr_{i:026}"))).collect();
    assert!(spread.len() > SHARDS as usize / 2, "{spread:?}");
}

#[test]
fn staff_close_a_poll_early_or_give_it_more_time_while_it_is_not_over() {
    let p = published(content(PollKind::Single, None, 2));
    let (opens, closes) = (at(&p.content.opens_at), at(&p.content.closes_at));
    let during = opens + (closes - opens) / 2;
    // Closed at once: the results are the public's now.
    let early = reclose(&p, None, during).unwrap();
    assert_eq!(phase(&early, during), Phase::Closed);
    assert!(results_public(&early, during));
    assert_eq!(early.version, p.version + 1);
    // More time.
    let later = crate::clock::rfc3339(closes + time::Duration::days(3));
    let longer = reclose(&p, Some(&later), during).unwrap();
    assert_eq!(longer.content.closes_at, later);
    // (closes_at asked, at, error)
    let past = crate::clock::rfc3339(during - time::Duration::hours(1));
    let far = crate::clock::rfc3339(opens + time::Duration::days(MAX_WINDOW_DAYS + 1));
    let cases = [
        (
            Some(past.as_str()),
            during,
            DomainError::invalid("closes_at", "in_the_past"),
        ),
        (
            Some(far.as_str()),
            during,
            DomainError::invalid("closes_at", "window_too_long"),
        ),
        (
            Some("bientôt"),
            during,
            DomainError::invalid("closes_at", "rfc3339"),
        ),
        (
            None,
            opens - time::Duration::hours(1),
            DomainError::invalid("closes_at", "before_opening"),
        ),
    ];
    for (asked, now, want) in cases {
        assert_eq!(reclose(&p, asked, now).unwrap_err(), want, "{asked:?}");
    }
    // Over, or a draft: nothing to move.
    assert!(reclose(&p, None, closes + time::Duration::hours(1)).is_err());
    let draft = draft(content(PollKind::Single, None, 2), "2026-11-01T00:00:00Z").unwrap();
    assert!(reclose(&draft, None, during).is_err());
}
