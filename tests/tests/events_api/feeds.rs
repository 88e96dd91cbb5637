//! The iCalendar feeds, read back with an independent parser (the `ical`
//! crate): what a calendar app subscribed to the municipality sees, and how
//! it follows a change.

use std::io::BufReader;

use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use ical::property::Property;

use super::*;

async fn ics(api: &Api, path: &str) -> (Answer, IcalCalendar) {
    let a = send(api.get(path)).await;
    assert_eq!(a.status, 200, "{path}: {}", a.body);
    assert_eq!(a.content_type, "text/calendar; charset=utf-8");
    let text = a.body.as_str().expect("a text body").to_owned();
    // CRLF everywhere, no line over 75 octets.
    assert!(!text.replace("\r\n", "").contains('\n'), "a bare LF");
    for l in text.split("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l}", l.len());
    }
    let mut p = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let cal = p.next().expect("a calendar").expect("it parses");
    (a, cal)
}

fn prop<'a>(props: &'a [Property], name: &str) -> Option<&'a Property> {
    props.iter().find(|p| p.name == name)
}

fn value(e: &IcalEvent, name: &str) -> String {
    prop(&e.properties, name)
        .and_then(|p| p.value.clone())
        .unwrap_or_default()
}

fn unescape(v: &str) -> String {
    v.replace("\\n", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

fn by_uid<'a>(cal: &'a IcalCalendar, uid: &str) -> Option<&'a IcalEvent> {
    cal.events.iter().find(|e| value(e, "UID") == uid)
}

/// `YYYYMMDDTHHMMSS` in Tunis (UTC+1) of an RFC 3339 instant.
fn tunis(rfc3339: &str) -> String {
    let t = time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .unwrap()
        .to_offset(time::macros::offset!(+1));
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[tokio::test]
async fn a_subscribed_calendar_follows_an_event_through_its_changes() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let feed = format!("/v1/municipalities/{m}/calendar.ics");

    // A council, one of its meetings, an event of the committee, a tender.
    let council = send(
        api.post(&format!("/v1/municipalities/{m}/committees"))
            .bearer_auth(staff(&m, None, &[Permission::Committees]))
            .json(&json!({"kind": "council", "name": {"ar": "المجلس البلدي", "fr": "Conseil municipal"}, "from": "2023-03-01"})),
    )
    .await;
    assert_eq!(council.status, 201, "{}", council.body);
    let cmt = council.body["id"].as_str().unwrap().to_owned();
    let meeting = send(
        api.post(&format!("/v1/municipalities/{m}/committees/{cmt}/meetings"))
            .bearer_auth(staff(&m, None, &[Permission::Committees]))
            .json(&json!({"start": at(10 * 86400), "place": {"ar": "قاعة الجلسات", "fr": "Salle des séances"}})),
    )
    .await;
    assert_eq!(meeting.status, 201, "{}", meeting.body);
    let mtg = meeting.body["id"].as_str().unwrap().to_owned();
    let mut body = event(5 * 86400, 2, Some(50));
    body["committee"] = json!(cmt);
    let e = create(&api, &m, &body).await;
    let id = e["id"].as_str().unwrap().to_owned();
    let uid = format!("{id}@{m}.baladiya");
    let news = staff(&m, None, &[Permission::News]);
    let tender = send(
        api.post(&format!("/v1/municipalities/{m}/news"))
            .bearer_auth(&news)
            .json(&json!({
                "category": "tenders",
                "title": {"ar": "طلب عروض: الإنارة العمومية", "fr": "Appel d'offres : éclairage public"},
                "body": {"fr": "Cahier des charges au bureau d'ordre."},
                "deadline": {"reference": "AO-2027-01", "closes_at": at(40 * 86400)}
            })),
    )
    .await;
    assert_eq!(tender.status, 201, "{}", tender.body);
    let pst = tender.body["id"].as_str().unwrap().to_owned();
    let p = send(
        api.post(&format!("/v1/municipalities/{m}/news/{pst}/publication"))
            .bearer_auth(&news)
            .json(&json!({})),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);

    // The whole feed, in Arabic: the event as written, in Tunis time.
    let (first, cal) = ics(&api, &format!("{feed}?lang=ar")).await;
    let name = prop(&cal.properties, "X-WR-CALNAME").and_then(|p| p.value.clone());
    assert!(name.is_some_and(|n| !n.is_empty()));
    assert_eq!(cal.timezones.len(), 1);
    assert_eq!(
        prop(&cal.timezones[0].properties, "TZID").and_then(|p| p.value.as_deref()),
        Some("Africa/Tunis")
    );
    let ev = by_uid(&cal, &uid).expect("the event in the feed");
    assert_eq!(
        unescape(&value(ev, "SUMMARY")),
        "أمسية شعرية، موسيقى وحكايات"
    );
    assert_eq!(
        unescape(&value(ev, "DESCRIPTION")),
        "الدخول مجاني؛ مرحبا بالجميع"
    );
    assert_eq!(
        unescape(&value(ev, "LOCATION")),
        "دار الثقافة ابن خلدون, Rue Ibn Khaldoun, Tunis"
    );
    let start = prop(&ev.properties, "DTSTART").unwrap();
    assert_eq!(
        start.value.as_deref(),
        Some(tunis(e["start"].as_str().unwrap()).as_str())
    );
    assert_eq!(
        start.params.clone().unwrap(),
        vec![("TZID".to_owned(), vec!["Africa/Tunis".to_owned()])]
    );
    assert_eq!(value(ev, "DTEND"), tunis(e["end"].as_str().unwrap()));
    assert_eq!(value(ev, "SEQUENCE"), "0");
    assert_eq!(value(ev, "STATUS"), "CONFIRMED");
    assert_eq!(value(ev, "GEO"), "36.800800;10.179700");
    assert_eq!(value(ev, "CATEGORIES"), "culture");
    assert!(value(ev, "URL").ends_with(&format!("/v1/municipalities/{m}/events/{id}")));
    assert!(value(ev, "DTSTAMP").ends_with('Z'));
    assert!(!value(ev, "LAST-MODIFIED").is_empty());
    // The meeting, the tender's deadline, the closures: each its own kind.
    assert!(by_uid(&cal, &format!("{mtg}@{m}.baladiya")).is_some());
    let deadline = by_uid(&cal, &format!("{pst}-deadline@{m}.baladiya")).expect("the deadline");
    assert!(unescape(&value(deadline, "SUMMARY")).contains("AO-2027-01"));
    let (_, closures) = ics(&api, &format!("{feed}?kinds=closures")).await;
    assert!(!closures.events.is_empty(), "public holidays within a year");
    for c in &closures.events {
        let s = prop(&c.properties, "DTSTART").unwrap();
        assert_eq!(
            s.params.clone().unwrap(),
            vec![("VALUE".into(), vec!["DATE".into()])]
        );
    }
    let (_, meetings) = ics(&api, &format!("{feed}?kinds=meetings")).await;
    assert!(by_uid(&meetings, &uid).is_none());
    assert_eq!(meetings.events.len(), 1);
    // A category's feed, a committee's.
    let (_, culture) = ics(&api, &format!("{feed}?category=culture")).await;
    assert!(by_uid(&culture, &uid).is_some());
    let (_, sport) = ics(&api, &format!("{feed}?category=sport")).await;
    assert!(sport.events.is_empty());
    let (_, of_council) = ics(&api, &format!("{feed}?committee={cmt}")).await;
    let uids: Vec<String> = of_council.events.iter().map(|e| value(e, "UID")).collect();
    assert_eq!(uids.len(), 2, "{uids:?}");

    // Polled again with its ETag: nothing changed, 304.
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let again = send(
        api.get(&format!("{feed}?lang=ar"))
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(again.status, 304);

    // A new time: SEQUENCE 1; cancelled: kept, STATUS:CANCELLED, SEQUENCE 2.
    let mut moved = body.clone();
    let new_start = at(6 * 86400);
    moved["start"] = json!(new_start);
    moved["end"] = json!(at(6 * 86400 + 7200));
    let r = send(
        api.put(&format!("/v1/municipalities/{m}/events/{id}"))
            .bearer_auth(organiser(&m))
            .json(&moved),
    )
    .await;
    assert_eq!(
        (r.status, r.body["sequence"].as_u64()),
        (200, Some(1)),
        "{}",
        r.body
    );
    let c = set_status(
        &api,
        &m,
        &id,
        json!({"status": "cancelled", "reason": {"ar": "تعذّر توفير القاعة", "fr": "Salle indisponible"}}),
    )
    .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let after = send(
        api.get(&format!("{feed}?lang=ar"))
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(after.status, 200, "changed: a new ETag");
    let (_, cal) = ics(&api, &format!("{feed}?lang=fr")).await;
    let ev = by_uid(&cal, &uid).expect("a cancelled event stays in the feed");
    assert_eq!(value(ev, "STATUS"), "CANCELLED");
    assert_eq!(value(ev, "SEQUENCE"), "2");
    assert_eq!(value(ev, "DTSTART"), tunis(&new_start));
    assert!(unescape(&value(ev, "DESCRIPTION")).starts_with("Salle indisponible"));
    assert_eq!(
        unescape(&value(ev, "SUMMARY")),
        "Soirée poésie, musique et contes"
    );

    // The event's own file: the same UID and SEQUENCE.
    let (_, one) = ics(
        &api,
        &format!("/v1/municipalities/{m}/events/{id}/calendar.ics"),
    )
    .await;
    assert_eq!(one.events.len(), 1);
    assert_eq!(value(&one.events[0], "UID"), uid);
    assert_eq!(value(&one.events[0], "SEQUENCE"), "2");
}
