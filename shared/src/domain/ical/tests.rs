//! The writer against an independent parser (`ical`, not ours): what a
//! calendar app reads back is what was written.

use std::io::BufReader;

use jiff::Timestamp;
use jiff::civil::date;

use super::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn entry(summary: &str) -> Entry {
    Entry {
        uid: "evt_01@tunis.baladiya".into(),
        sequence: 2,
        modified: at("2026-12-01T10:00:00Z"),
        created: Some(at("2026-11-01T09:30:00Z")),
        when: When::Timed {
            start: at("2026-12-10T17:00:00Z"),
            end: Some(at("2026-12-10T19:30:00Z")),
        },
        summary: summary.into(),
        description: Some("Ligne 1\nLigne 2; avec, ponctuation \\ fin".into()),
        location: Some("دار الثقافة ابن خلدون، تونس".into()),
        geo: Some((36.8, 10.18)),
        categories: vec!["culture".into(), "ثقافة".into()],
        url: Some("https://tunis.example/v1/municipalities/tunis/events/evt_01".into()),
        status: Status::Cancelled,
    }
}

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut p = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let cal = p.next().expect("one calendar").expect("it parses");
    assert!(p.next().is_none(), "one calendar only");
    cal
}

fn prop<'a>(
    props: &'a [ical::property::Property],
    name: &str,
) -> Option<&'a ical::property::Property> {
    props.iter().find(|p| p.name == name)
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut it = v.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn what_is_written_reads_back_arabic_tunis_time_and_all() {
    let title = "أمسية شعرية بمناسبة عيد الثورة في المدينة العتيقة مع شعراء من كل الولايات";
    let cal = Calendar {
        name: "بلدية تونس — Commune de Tunis".into(),
        description: None,
        entries: vec![entry(title)],
    };
    let text = render(&cal);
    let parsed = parse(&text);
    assert_eq!(parsed.timezones.len(), 1);
    let tz = &parsed.timezones[0];
    assert_eq!(
        prop(&tz.properties, "TZID").unwrap().value.as_deref(),
        Some(TZID)
    );
    let e = &parsed.events[0];
    let v = |n: &str| {
        prop(&e.properties, n)
            .and_then(|p| p.value.clone())
            .unwrap()
    };
    assert_eq!(unescape(&v("SUMMARY")), title);
    assert_eq!(unescape(&v("LOCATION")), "دار الثقافة ابن خلدون، تونس");
    assert_eq!(
        unescape(&v("DESCRIPTION")),
        "Ligne 1\nLigne 2; avec, ponctuation \\ fin"
    );
    // 17:00 UTC is 18:00 in Tunis.
    assert_eq!(v("DTSTART"), "20261210T180000");
    let params = prop(&e.properties, "DTSTART")
        .unwrap()
        .params
        .clone()
        .unwrap();
    assert!(params.contains(&("TZID".into(), vec![TZID.into()])));
    assert_eq!(v("DTEND"), "20261210T203000");
    assert_eq!(v("STATUS"), "CANCELLED");
    assert_eq!(v("SEQUENCE"), "2");
    assert_eq!(v("DTSTAMP"), "20261201T100000Z");
    assert_eq!(v("LAST-MODIFIED"), "20261201T100000Z");
    assert_eq!(v("GEO"), "36.800000;10.180000");
    assert_eq!(v("CATEGORIES"), "culture,ثقافة");
    assert_eq!(v("UID"), "evt_01@tunis.baladiya");
    let name = prop(&parsed.properties, "X-WR-CALNAME").unwrap();
    assert_eq!(name.value.as_deref(), Some("بلدية تونس — Commune de Tunis"));
}

#[test]
fn lines_end_in_crlf_and_fold_at_75_octets_between_characters() {
    let long = "ب".repeat(200) + &"é".repeat(77) + &"x".repeat(300);
    let text = render(&Calendar {
        name: "n".into(),
        description: None,
        entries: vec![entry(&long)],
    });
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "no bare LF");
    let lines: Vec<&str> = text.split("\r\n").collect();
    let mut continuations = 0;
    for l in &lines {
        assert!(l.len() <= FOLD_AT, "{} octets: {l}", l.len());
        continuations += usize::from(l.starts_with(' '));
    }
    assert!(continuations >= 10, "the long summary was folded");
    // Unfolded by the other parser: the same text, no character split.
    let parsed = parse(&text);
    let got = prop(&parsed.events[0].properties, "SUMMARY").unwrap();
    assert_eq!(got.value.as_deref(), Some(long.as_str()));
}

#[test]
fn all_day_entries_are_dates_with_an_exclusive_end() {
    let mut e = entry("Aïd");
    e.when = When::AllDay {
        first: date(2027, 3, 20),
        last: date(2027, 3, 21),
    };
    e.status = Status::Confirmed;
    let parsed = parse(&render(&Calendar {
        name: "n".into(),
        description: None,
        entries: vec![e],
    }));
    let ev = &parsed.events[0];
    let start = prop(&ev.properties, "DTSTART").unwrap();
    assert_eq!(start.value.as_deref(), Some("20270320"));
    assert_eq!(
        start.params.clone().unwrap(),
        vec![("VALUE".into(), vec!["DATE".into()])]
    );
    let end = prop(&ev.properties, "DTEND").unwrap();
    assert_eq!(end.value.as_deref(), Some("20270322"));
}

#[test]
fn text_values_escape_what_the_grammar_reserves() {
    // (raw, escaped)
    let cases = [
        ("a,b", "a\\,b"),
        ("a;b", "a\\;b"),
        ("a\\b", "a\\\\b"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\nb"),
        ("a\u{7}b", "ab"),
        ("عربي: نص", "عربي: نص"),
    ];
    for (raw, want) in cases {
        assert_eq!(escape(raw), want, "{raw:?}");
    }
}
