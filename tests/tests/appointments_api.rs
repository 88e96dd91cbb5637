//! Black-box tests of appointments over HTTP, against the running local
//! stack (started by `scripts/test`): slots within the office's hours,
//! bookings within capacity (100 at once for 10 places), approval, moves,
//! cancellation, check-in, the staff's day, reminders, the .ics.

use std::io::BufReader;

use baladiya::domain::Permission;
use baladiya_tests::*;
use futures_util::StreamExt;
use serde_json::{Value, json};

async fn municipality(api: &Api) -> String {
    municipality_with(
        api,
        "apt",
        json!({"appointments": "ACTIVATED", "services_guide": "ACTIVATED"}),
    )
    .await
}

fn clerk(m: &str) -> String {
    staff(m, None, &[Permission::Appointments])
}

/// An office open every day, 00:00 to 23:30 (holidays too): every test day
/// has slots, whatever the date CI runs on.
async fn office(api: &Api, m: &str) {
    let all = json!([{"open": "00:00", "close": "23:30"}]);
    let week =
        json!({"mon": all, "tue": all, "wed": all, "thu": all, "fri": all, "sat": all, "sun": all});
    let o = send(
        api.put(&format!("/v1/municipalities/{m}/offices/hotel-de-ville"))
            .bearer_auth(staff(m, None, &[Permission::Procedures]))
            .json(&json!({
                "name": {"ar": "قصر البلدية", "fr": "Hôtel de ville"},
                "address": {"fr": "Place de la Kasbah"},
                "location": {"lat": 36.7992, "lon": 10.1707},
                "hours": {"regular": week, "open_on_public_holidays": true}
            })),
    )
    .await;
    assert_eq!(o.status, 200, "{}", o.body);
}

async fn host(api: &Api, m: &str, code: &str, capacity: u16, approval: bool) {
    let h = send(
        api.put(&format!("/v1/municipalities/{m}/appointment-hosts/{code}"))
            .bearer_auth(clerk(m))
            .json(&json!({
                "name": {"ar": "رئيس البلدية", "fr": "Le maire"},
                "office": "hotel-de-ville",
                "slot_minutes": 30,
                "capacity": capacity,
                "approval": approval,
                "max_days_ahead": 14
            })),
    )
    .await;
    assert_eq!(h.status, 201, "{}", h.body);
}

/// The bookable slots of `host` tomorrow (Tunis), with the places left.
async fn slots(api: &Api, m: &str, code: &str) -> Vec<(String, u64)> {
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .to_offset(time::macros::offset!(+1))
        .date();
    let a = send(api.get(&format!(
        "/v1/municipalities/{m}/appointment-hosts/{code}/slots?from={tomorrow}&days=1"
    )))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["starts_at"].as_str().unwrap().to_owned(),
                s["left"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn book(api: &Api, m: &str, token: &str, code: &str, slot: &str) -> Answer {
    send(
        api.post(&format!("/v1/municipalities/{m}/appointments"))
            .bearer_auth(token)
            .json(&json!({"host": code, "slot": slot, "reason": "Permis de bâtir : questions"})),
    )
    .await
}

async fn step(api: &Api, m: &str, token: &str, id: &str, body: Value) -> Answer {
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/appointments/{id}/transitions"
        ))
        .bearer_auth(token)
        .json(&body),
    )
    .await
}

fn left(all: &[(String, u64)], slot: &str) -> u64 {
    all.iter()
        .find(|(s, _)| s == slot)
        .map(|(_, n)| *n)
        .unwrap()
}

#[tokio::test]
async fn a_hundred_book_a_slot_of_ten_at_once_ten_get_it_ninety_are_told_it_is_full() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    office(&api, &m).await;
    host(&api, &m, "etat-civil", 10, false).await;
    let all = slots(&api, &m, "etat-civil").await;
    // 00:00 to 23:30 in slots of 30 minutes.
    assert_eq!(all.len(), 47, "{all:?}");
    let slot = all[20].0.clone();
    // 100 people, 50 in flight at a time (`cargo lambda watch` stalls with
    // hundreds; the 100 at once run in-process in
    // functions/appointments/tests/concurrency.rs).
    let people: Vec<String> = (0..100).map(|_| citizen()).collect();
    let (r_api, r_m, r_slot) = (&api, &m, &slot);
    let answers = futures_util::stream::iter(
        people
            .iter()
            .map(|t| async move { book(r_api, r_m, t, "etat-civil", r_slot).await }),
    )
    .buffer_unordered(50)
    .collect::<Vec<Answer>>()
    .await;
    let booked = answers.iter().filter(|a| a.status == 201).count();
    for a in answers.iter().filter(|a| a.status != 201) {
        a.assert_problem(409, "slot_full");
    }
    assert_eq!(booked, 10);
    assert_eq!(left(&slots(&api, &m, "etat-civil").await, &slot), 0);
    for a in answers.iter().filter(|a| a.status == 201) {
        assert_eq!(a.body["state"], "confirmed", "{}", a.body);
    }
}

#[tokio::test]
async fn a_booking_is_approved_moved_cancelled_and_its_slot_given_back() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    office(&api, &m).await;
    host(&api, &m, "maire", 2, true).await;
    let all = slots(&api, &m, "maire").await;
    let (s1, s2) = (all[30].0.clone(), all[31].0.clone());
    let (a, b, c) = (
        sign_in(&api, &unique_phone()).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned(),
        citizen(),
        citizen(),
    );
    let booked = book(&api, &m, &a, "maire", &s1).await;
    assert_eq!(
        (booked.status, booked.body["state"].as_str()),
        (201, Some("requested")),
        "{}",
        booked.body
    );
    let id = booked.body["id"].as_str().unwrap().to_owned();
    let second = book(&api, &m, &b, "maire", &s1).await;
    assert_eq!(second.status, 201, "{}", second.body);
    let bid = second.body["id"].as_str().unwrap().to_owned();
    book(&api, &m, &c, "maire", &s1)
        .await
        .assert_problem(409, "slot_full");
    // One open appointment with a host at a time.
    book(&api, &m, &a, "maire", &s2)
        .await
        .assert_problem(409, "appointment_held");
    // Not a slot the host offers, too far ahead.
    let odd = s1.replace(":00Z", ":10Z");
    let bad = book(&api, &m, &c, "maire", &odd).await;
    bad.assert_problem(422, "invalid_field");
    let far = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .replace_time(time::macros::time!(9:00))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let r = book(&api, &m, &c, "maire", &far).await;
    assert_eq!(r.body["errors"][0]["reason"], "too_far_ahead", "{}", r.body);

    // A staff member books for themselves: a colleague approves it, not they.
    let me = clerk(&m);
    let mine = book(&api, &m, &me, "maire", &all[40].0).await;
    assert_eq!(mine.status, 201, "{}", mine.body);
    let mine_id = mine.body["id"].as_str().unwrap().to_owned();
    step(&api, &m, &me, &mine_id, json!({"state": "confirmed"}))
        .await
        .assert_problem(403, "forbidden");
    // A state is the workflow's, however it is padded: no move through here.
    step(
        &api,
        &m,
        &clerk(&m),
        &mine_id,
        json!({"state": " requested "}),
    )
    .await
    .assert_problem(409, "transition_not_allowed");
    let ok = step(
        &api,
        &m,
        &clerk(&m),
        &mine_id,
        json!({"state": "confirmed "}),
    )
    .await;
    assert_eq!(ok.body["state"], "confirmed", "{}", ok.body);

    // Staff accept A's, refuse B's: B's place is free again, C takes it.
    let ok = step(&api, &m, &clerk(&m), &id, json!({"state": "confirmed"})).await;
    assert_eq!(ok.body["state"], "confirmed", "{}", ok.body);
    let no = step(
        &api,
        &m,
        &clerk(&m),
        &bid,
        json!({"state": "declined", "note": "Dossier incomplet"}),
    )
    .await;
    assert_eq!(no.body["state"], "declined", "{}", no.body);
    assert_eq!(left(&slots(&api, &m, "maire").await, &s1), 1);
    let c_booked = book(&api, &m, &c, "maire", &s1).await;
    assert_eq!(c_booked.status, 201, "{}", c_booked.body);
    let cid = c_booked.body["id"].as_str().unwrap().to_owned();
    eventually("A told of the approval", || async {
        let mine = send(api.get("/v1/me/notifications").bearer_auth(&a)).await;
        mine.body["items"].as_array().unwrap().iter().any(|n| {
            n["kind"] == "appointment" && n["state"] == "confirmed" && n["case_id"] == id.as_str()
        })
    })
    .await;

    // A moves to the next slot: at a host that approves, back to requested.
    let moved = send(
        api.post(&format!("/v1/municipalities/{m}/appointments/{id}/move"))
            .bearer_auth(&a)
            .json(&json!({"slot": s2})),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        (
            moved.body["state"].as_str(),
            moved.body["starts_at"].as_str()
        ),
        (Some("requested"), Some(s2.as_str()))
    );
    assert_eq!(moved.body["moved"], 1);
    let now = slots(&api, &m, "maire").await;
    assert_eq!((left(&now, &s1), left(&now, &s2)), (1, 1), "{now:?}");
    // A cancels: s2 is whole again.
    let gone = step(&api, &m, &a, &id, json!({"state": "cancelled"})).await;
    assert_eq!(gone.body["state"], "cancelled", "{}", gone.body);
    assert_eq!(left(&slots(&api, &m, "maire").await, &s2), 2);

    // C's appointment in C's calendar: the slot in Tunis time, tentative.
    let ics = send(
        api.get(&format!(
            "/v1/municipalities/{m}/appointments/{cid}/calendar.ics"
        ))
        .bearer_auth(&c),
    )
    .await;
    assert_eq!(ics.status, 200, "{}", ics.body);
    let text = ics.body.as_str().unwrap().to_owned();
    let cal = ical::IcalParser::new(BufReader::new(text.as_bytes()))
        .next()
        .unwrap()
        .unwrap();
    let ev = &cal.events[0];
    let v = |n: &str| {
        ev.properties
            .iter()
            .find(|p| p.name == n)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(v("UID"), format!("{cid}@{m}.baladiya"));
    assert_eq!(v("STATUS"), "TENTATIVE");
    let start = time::OffsetDateTime::parse(&s1, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .to_offset(time::macros::offset!(+1));
    assert_eq!(
        v("DTSTART"),
        format!(
            "{:04}{:02}{:02}T{:02}{:02}00",
            start.year(),
            u8::from(start.month()),
            start.day(),
            start.hour(),
            start.minute()
        )
    );
    // In the caller's language (Arabic by default), the address as written.
    assert_eq!(v("LOCATION"), "قصر البلدية\\, Place de la Kasbah");
    // Nobody else's.
    send(
        api.get(&format!(
            "/v1/municipalities/{m}/appointments/{cid}/calendar.ics"
        ))
        .bearer_auth(&b),
    )
    .await
    .assert_problem(404, "not_found");

    // The staff's day: C's, confirmed, checked in, done; not missed before its time.
    for s in ["confirmed", "checked_in", "done"] {
        let r = step(&api, &m, &clerk(&m), &cid, json!({"state": s})).await;
        assert_eq!(r.body["state"], s, "{}", r.body);
    }
    let date = &start.date().to_string();
    let day = send(
        api.get(&format!(
            "/v1/municipalities/{m}/appointments/day?date={date}&host=maire"
        ))
        .bearer_auth(clerk(&m)),
    )
    .await;
    assert_eq!(day.status, 200, "{}", day.body);
    let states: Vec<(&str, &str)> = day.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].as_str().unwrap(), x["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![(cid.as_str(), "done"), (mine_id.as_str(), "confirmed")],
        "by slot; declined and cancelled ones are off the day"
    );
    assert!(day.body["items"][0]["checked_in_at"].is_string());
    // Another municipality's staff see nothing of it.
    let other = municipality(&api).await;
    send(
        api.get(&format!("/v1/municipalities/{m}/appointments/{cid}"))
            .bearer_auth(clerk(&other)),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.get(&format!(
            "/v1/municipalities/{m}/appointments/day?date={date}"
        ))
        .bearer_auth(clerk(&other)),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_confirmed_appointment_is_reminded_a_day_and_two_hours_before_once_each() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    office(&api, &m).await;
    host(&api, &m, "technique", 1, false).await;
    let person = sign_in(&api, &unique_phone()).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A slot 21 to 23 hours ahead (today's or tomorrow's): the day-before
    // reminder is for appointments 20 to 24 hours away.
    let now = time::OffsetDateTime::now_utc();
    let mut candidates = slots(&api, &m, "technique").await;
    let today = send(api.get(&format!(
        "/v1/municipalities/{m}/appointment-hosts/technique/slots?days=1"
    )))
    .await;
    for s in today.body["days"][0]["slots"].as_array().unwrap() {
        candidates.push((s["starts_at"].as_str().unwrap().to_owned(), 1));
    }
    let rfc = &time::format_description::well_known::Rfc3339;
    let (slot, start) = candidates
        .iter()
        .map(|(s, _)| (s.clone(), time::OffsetDateTime::parse(s, rfc).unwrap()))
        .find(|(_, t)| *t > now + time::Duration::hours(21) && *t < now + time::Duration::hours(23))
        .expect("a slot 21 to 23 hours ahead");
    let b = book(&api, &m, &person, "technique", &slot).await;
    assert_eq!(b.status, 201, "{}", b.body);
    let id = b.body["id"].as_str().unwrap().to_owned();
    let states = || async {
        let mine = send(api.get("/v1/me/notifications").bearer_auth(&person)).await;
        let mut s: Vec<String> = mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["case_id"] == id.as_str())
            .map(|n| n["state"].as_str().unwrap().to_owned())
            .collect();
        s.sort();
        s
    };
    let r = run_scheduler_at(&api, now);
    assert!(r["appointment_reminders"].as_u64().unwrap() >= 1, "{r}");
    run_scheduler_at(&api, now);
    eventually("the day-before reminder", || async {
        states().await == ["reminder_24h"]
    })
    .await;
    run_scheduler_at(&api, start - time::Duration::minutes(90));
    run_scheduler_at(&api, start - time::Duration::minutes(80));
    eventually("the two-hour reminder", || async {
        states().await == ["reminder_24h", "reminder_2h"]
    })
    .await;
}
