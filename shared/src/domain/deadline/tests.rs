use super::*;
use time::macros::datetime;

fn cal() -> Calendar {
    Calendar::tunisia_default()
}

struct Case {
    name: &'static str,
    got: Deadline,
    rule: Rule,
    due_local: &'static str,
    due_at: &'static str,
}

fn check(cases: Vec<Case>) {
    for c in cases {
        assert_eq!(c.got.rule, c.rule, "{}: rule", c.name);
        assert_eq!(c.got.due_local, c.due_local, "{}: due_local", c.name);
        assert_eq!(c.got.due_at, c.due_at, "{}: due_at", c.name);
    }
}

#[test]
fn deadline_answer_table() {
    let cal = cal();
    let answer = |at, mode, urgent| answer_deadline(at, mode, urgent, &cal);
    check(vec![
        Case {
            name: "plain 20 days, Tue 3 Nov -> Mon 23 Nov",
            got: answer(
                datetime!(2026-11-03 10:00 +01:00),
                AccessMode::PaperCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-11-23T23:59:59+01:00",
            due_at: "2026-11-23T22:59:59Z",
        },
        Case {
            name: "20th day a Sunday moves to Monday",
            got: answer(
                datetime!(2026-11-30 11:15 +01:00),
                AccessMode::ElectronicCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-12-21T23:59:59+01:00",
            due_at: "2026-12-21T22:59:59Z",
        },
        Case {
            name: "20th day a Saturday moves to Monday",
            got: answer(
                datetime!(2026-11-08 09:00 +01:00),
                AccessMode::Extracts,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-11-30T23:59:59+01:00",
            due_at: "2026-11-30T22:59:59Z",
        },
        Case {
            name: "20th day on Revolution Day (Thu 17 Dec) moves to Friday",
            got: answer(
                datetime!(2026-11-27 14:00 +01:00),
                AccessMode::PaperCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-12-18T23:59:59+01:00",
            due_at: "2026-12-18T22:59:59Z",
        },
        Case {
            name: "20th day on Labour Day (Fri 1 May) then a weekend: Monday",
            got: answer(
                datetime!(2026-04-11 12:00 +01:00),
                AccessMode::PaperCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-05-04T23:59:59+01:00",
            due_at: "2026-05-04T22:59:59Z",
        },
        Case {
            name: "23:30 UTC is already the next day in Tunis",
            got: answer(
                datetime!(2026-11-03 23:30 UTC),
                AccessMode::PaperCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-11-24T23:59:59+01:00",
            due_at: "2026-11-24T22:59:59Z",
        },
        Case {
            name: "22:30 UTC is still the same day in Tunis",
            got: answer(
                datetime!(2026-11-03 22:30 UTC),
                AccessMode::PaperCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-11-23T23:59:59+01:00",
            due_at: "2026-11-23T22:59:59Z",
        },
        Case {
            name: "48 hours across a weekend are not moved",
            got: answer(
                datetime!(2026-11-06 15:00 +01:00),
                AccessMode::PaperCopy,
                true,
            ),
            rule: Rule::Urgent,
            due_local: "2026-11-08T15:00:00+01:00",
            due_at: "2026-11-08T14:00:00Z",
        },
        Case {
            name: "48 hours keep the second, drop the fraction",
            got: answer(
                datetime!(2026-11-06 14:00:07.900 UTC),
                AccessMode::PaperCopy,
                true,
            ),
            rule: Rule::Urgent,
            due_local: "2026-11-08T15:00:07+01:00",
            due_at: "2026-11-08T14:00:07Z",
        },
        Case {
            name: "on-site consultation: 10 days",
            got: answer(
                datetime!(2026-11-02 10:00 +01:00),
                AccessMode::OnSite,
                false,
            ),
            rule: Rule::OnSite,
            due_local: "2026-11-12T23:59:59+01:00",
            due_at: "2026-11-12T22:59:59Z",
        },
        Case {
            name: "urgent beats on-site",
            got: answer(datetime!(2026-11-02 10:00 +01:00), AccessMode::OnSite, true),
            rule: Rule::Urgent,
            due_local: "2026-11-04T10:00:00+01:00",
            due_at: "2026-11-04T09:00:00Z",
        },
        Case {
            name: "an offset other than Tunis's is converted",
            got: answer(
                datetime!(2026-11-03 04:00 -05:00),
                AccessMode::PaperCopy,
                false,
            ),
            rule: Rule::Standard,
            due_local: "2026-11-23T23:59:59+01:00",
            due_at: "2026-11-23T22:59:59Z",
        },
    ]);
}

#[test]
fn deadline_other_rules_table() {
    let cal = cal();
    check(vec![
        Case {
            name: "extension: Mon 23 Nov + 10 days",
            got: extended(datetime!(2026-11-23 23:59:59 +01:00), &cal),
            rule: Rule::Extended,
            due_local: "2026-12-03T23:59:59+01:00",
            due_at: "2026-12-03T22:59:59Z",
        },
        Case {
            name: "extension landing on 1 January (Fri) moves to Monday",
            got: extended(datetime!(2026-12-22 22:59:59 UTC), &cal),
            rule: Rule::Extended,
            due_local: "2027-01-04T23:59:59+01:00",
            due_at: "2027-01-04T22:59:59Z",
        },
        Case {
            name: "third party: 45 days land on 17 Dec, moved to Friday",
            got: third_party(datetime!(2026-11-02 09:30 +01:00), &cal),
            rule: Rule::ThirdParty,
            due_local: "2026-12-18T23:59:59+01:00",
            due_at: "2026-12-18T22:59:59Z",
        },
        Case {
            name: "not held: 5 working days over 1 May and a weekend",
            got: not_held(datetime!(2026-04-29 16:00 +01:00), &cal),
            rule: Rule::NotHeld,
            due_local: "2026-05-07T23:59:59+01:00",
            due_at: "2026-05-07T22:59:59Z",
        },
        Case {
            name: "not held: 5 working days over a weekend and 17 Dec",
            got: not_held(datetime!(2026-12-11 08:00 +01:00), &cal),
            rule: Rule::NotHeld,
            due_local: "2026-12-21T23:59:59+01:00",
            due_at: "2026-12-21T22:59:59Z",
        },
        Case {
            name: "appeal window: 20 days, Sunday moved to Monday",
            got: appeal_window(datetime!(2026-12-21 23:59:59 +01:00), &cal),
            rule: Rule::AppealWindow,
            due_local: "2027-01-11T23:59:59+01:00",
            due_at: "2027-01-11T22:59:59Z",
        },
        Case {
            name: "appeal answer: 10 days, 14 January is a working day now",
            got: appeal_answer(datetime!(2027-01-04 10:00 +01:00), &cal),
            rule: Rule::AppealAnswer,
            due_local: "2027-01-14T23:59:59+01:00",
            due_at: "2027-01-14T22:59:59Z",
        },
    ]);
}

#[test]
fn deadline_due_reads_back() {
    let d = answer_deadline(
        datetime!(2026-11-30 11:15 +01:00),
        AccessMode::PaperCopy,
        false,
        &cal(),
    );
    assert_eq!(d.due(), Some(datetime!(2026-12-21 22:59:59 UTC)));
    let again = extended(d.due().unwrap(), &cal());
    assert_eq!(again.due_local, "2026-12-31T23:59:59+01:00");
}

#[test]
fn deadline_explanation_example() {
    let d = answer_deadline(
        datetime!(2026-11-30 11:15 +01:00),
        AccessMode::PaperCopy,
        false,
        &cal(),
    );
    let fr: Vec<&str> = d.explanation.iter().map(|e| e.fr.as_str()).collect();
    assert_eq!(
        &fr[..4],
        [
            "Demande reçue le lundi 30 novembre 2026 à 11:15 (heure de Tunis).",
            "Délai : 20 jours (loi organique 2016-22, art. 14), comptés à partir du lendemain.",
            "Le 20e jour est le dimanche 20 décembre 2026, jour non ouvrable : le délai est reporté au lundi 21 décembre 2026.",
            "Échéance : lundi 21 décembre 2026 à 23:59 (heure de Tunis).",
        ]
    );
    assert_eq!(
        d.explanation[0].en,
        "Request received on Monday 30 November 2026 at 11:15 (Tunis time)."
    );
    assert_eq!(
        d.explanation[3].ar,
        "آخر أجل: الاثنين 21 ديسمبر 2026 على الساعة 23:59 (بتوقيت تونس)."
    );
}

#[test]
fn deadline_explanations_complete() {
    let cal = cal();
    let at = datetime!(2026-12-11 08:00 +01:00);
    let all = [
        answer_deadline(at, AccessMode::PaperCopy, false, &cal),
        answer_deadline(at, AccessMode::OnSite, false, &cal),
        answer_deadline(at, AccessMode::OnSite, true, &cal),
        extended(at, &cal),
        third_party(at, &cal),
        not_held(at, &cal),
        appeal_window(at, &cal),
        appeal_answer(at, &cal),
    ];
    for d in &all {
        let art = d.rule.article();
        assert!(d.explanation.len() >= 3, "{:?}", d.rule);
        for e in &d.explanation {
            assert!(!e.ar.trim().is_empty() && !e.fr.trim().is_empty() && !e.en.trim().is_empty());
        }
        let has = |f: fn(&Explained) -> &str, needle: String| {
            d.explanation.iter().any(|e| f(e).contains(&needle))
        };
        assert!(
            has(
                |e| e.fr.as_str(),
                format!("loi organique 2016-22, art. {art}")
            ),
            "{:?}",
            d.rule
        );
        assert!(
            has(
                |e| e.en.as_str(),
                format!("Organic Law 2016-22, art. {art}")
            ),
            "{:?}",
            d.rule
        );
        assert!(
            has(|e| e.ar.as_str(), format!("الفصل {art}")),
            "{:?}",
            d.rule
        );
    }
    // The working-day rule lists the days it skipped.
    let skipped = &all[5].explanation[3].fr;
    assert_eq!(
        skipped,
        "Jours non ouvrables non comptés : samedi 12 décembre 2026, dimanche 13 décembre 2026, jeudi 17 décembre 2026, samedi 19 décembre 2026, dimanche 20 décembre 2026."
    );
    assert!(all[5].explanation[2].en.contains("5th working day"));
    // French writes the first of the month "1er".
    let first = answer_deadline(
        datetime!(2026-11-11 09:00 +01:00),
        AccessMode::PaperCopy,
        false,
        &cal,
    );
    assert!(first.explanation[3].fr.contains("mardi 1er décembre 2026"));
}

#[test]
fn deadline_access_mode_codes() {
    for m in AccessMode::ALL {
        assert_eq!(AccessMode::parse(m.code()), Ok(m));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            format!("\"{}\"", m.code())
        );
    }
    assert_eq!(AccessMode::parse(" on_site "), Ok(AccessMode::OnSite));
    assert_eq!(
        AccessMode::parse("fax"),
        Err(DomainError::invalid("access_mode", "unknown"))
    );
    for r in Rule::ALL {
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            format!("\"{}\"", r.code())
        );
    }
}

#[test]
fn deadline_ordinals() {
    let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 45].map(ordinal_en).into();
    assert_eq!(
        got,
        [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "45th"
        ]
    );
    assert_eq!(ordinal_fr(1), "1er");
    assert_eq!(ordinal_fr(20), "20e");
}
