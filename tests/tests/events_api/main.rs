//! Black-box tests of the calendar of municipal activities over HTTP, against
//! the running local stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

mod feeds;
mod places;

async fn municipality(api: &Api) -> String {
    municipality_with(
        api,
        "evt",
        json!({"events": "ACTIVATED", "committees": "ACTIVATED", "news": "ACTIVATED"}),
    )
    .await
}

fn organiser(m: &str) -> String {
    staff(m, None, &[Permission::Events])
}

/// `offset` seconds from now, RFC 3339 UTC.
fn at(offset: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(offset))
        .replace_nanosecond(0)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

fn event(start: i64, hours: i64, capacity: Option<u32>) -> Value {
    let mut e = json!({
        "title": {"ar": "أمسية شعرية، موسيقى وحكايات", "fr": "Soirée poésie, musique et contes"},
        "description": {"ar": "الدخول مجاني؛ مرحبا بالجميع", "fr": "Entrée libre ; bienvenue à tous"},
        "category": "culture",
        "start": at(start),
        "end": at(start + hours * 3600),
        "place": {
            "name": {"ar": "دار الثقافة ابن خلدون", "fr": "Maison de la culture Ibn Khaldoun"},
            "address": "Rue Ibn Khaldoun, Tunis",
            "lat": 36.8008, "lon": 10.1797
        },
        "organiser": {"fr": "Service culturel"}
    });
    if let Some(c) = capacity {
        e["capacity"] = json!(c);
    }
    e
}

async fn create(api: &Api, m: &str, body: &Value) -> Value {
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/events"))
            .bearer_auth(organiser(m))
            .json(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

async fn set_status(api: &Api, m: &str, id: &str, body: Value) -> Answer {
    send(
        api.post(&format!("/v1/municipalities/{m}/events/{id}/status"))
            .bearer_auth(organiser(m))
            .json(&body),
    )
    .await
}

async fn mark(api: &Api, m: &str, id: &str, token: &str, body: Value) -> Answer {
    send(
        api.put(&format!("/v1/municipalities/{m}/events/{id}/attendance"))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

async fn page(api: &Api, m: &str, id: &str) -> Value {
    let a = send(api.get(&format!("/v1/municipalities/{m}/events/{id}"))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

/// A person with an account (and so a notifications list); their token.
async fn person(api: &Api) -> String {
    let t = sign_in(api, &unique_phone()).await;
    t["access_token"].as_str().unwrap().to_owned()
}

/// The states of the event notices `token`'s person received about `id`.
async fn told(api: &Api, token: &str, id: &str) -> Vec<String> {
    let mine = send(api.get("/v1/me/notifications").bearer_auth(token)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "event" && n["case_id"] == id)
        .map(|n| n["state"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_day_before_those_who_marked_it_are_reminded_once_and_a_cancellation_is_told() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    // In 30 hours: the reminder is due in 6.
    let e = create(&api, &m, &event(30 * 3600, 2, None)).await;
    let id = e["id"].as_str().unwrap();
    let (keen, going) = (person(&api).await, person(&api).await);
    let a = mark(&api, &m, id, &keen, json!({"mark": "interested"})).await;
    assert_eq!(
        (a.status, a.body["mark"].as_str()),
        (200, Some("interested"))
    );
    let a = mark(&api, &m, id, &going, json!({"mark": "going"})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body.get("seat").is_none(),
        "no capacity, no seat: {}",
        a.body
    );
    let p = page(&api, &m, id).await;
    assert_eq!(
        (p["interested"].as_u64(), p["going"].as_u64()),
        (Some(1), Some(1))
    );

    // Not yet: nothing told.
    let early = run_scheduler_at(
        &api,
        time::OffsetDateTime::now_utc() + time::Duration::hours(5),
    );
    assert_eq!(early["errors"], 0, "{early}");
    // Past the reminder's time, twice: each is reminded once.
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(7);
    let first = run_scheduler_at(&api, later);
    assert!(first["event_notices"].as_u64().unwrap() >= 2, "{first}");
    run_scheduler_at(&api, later);
    for t in [&keen, &going] {
        eventually("the reminder", || async {
            told(&api, t, id).await == ["reminder"]
        })
        .await;
    }

    // Cancelled: both told, once, however often the scheduler runs.
    let c = set_status(
        &api,
        &m,
        id,
        json!({"status": "cancelled", "reason": {"ar": "سوء الأحوال الجوية", "fr": "Intempéries"}}),
    )
    .await;
    assert_eq!(
        (c.status, c.body["status"].as_str()),
        (200, Some("cancelled")),
        "{}",
        c.body
    );
    assert_eq!(c.body["sequence"], 1);
    run_scheduler(&api);
    run_scheduler(&api);
    for t in [&keen, &going] {
        eventually("the cancellation", || async {
            let mut got = told(&api, t, id).await;
            got.sort();
            got == ["cancelled", "reminder"]
        })
        .await;
    }
    // A cancelled event takes no more marks.
    mark(&api, &m, id, &citizen(), json!({"mark": "going"}))
        .await
        .assert_problem(409, "event_not_open");
}

#[tokio::test]
async fn events_refuse_bad_input_and_strangers() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let other = municipality(&api).await;
    let path = format!("/v1/municipalities/{m}/events");
    // Who asks first.
    send(api.post(&path).json(&event(3600, 1, None)))
        .await
        .assert_problem(401, "unauthenticated");
    send(
        api.post(&path)
            .bearer_auth(citizen())
            .json(&event(3600, 1, None)),
    )
    .await
    .assert_problem(403, "forbidden");
    send(
        api.post(&path)
            .bearer_auth(staff(&other, None, &[Permission::Events]))
            .json(&event(3600, 1, None)),
    )
    .await
    .assert_problem(404, "not_found");
    // Bad input, each named.
    let bad = |f: fn(&mut Value)| {
        let mut e = event(3600, 1, None);
        f(&mut e);
        e
    };
    let cases: [(Value, &str); 6] = [
        (bad(|e| e["end"] = json!(e["start"].clone())), "end"),
        (bad(|e| e["start"] = json!("demain soir")), "start"),
        (bad(|e| e["capacity"] = json!(0)), "capacity"),
        (bad(|e| e["place"]["lat"] = json!(95.0)), "place"),
        (
            bad(|e| e["committee"] = json!("cmt_01JD0000000000000000000000")),
            "committee",
        ),
        (
            bad(|e| {
                e["all_day"] = json!(true);
                e["start"] = json!("2027-03-20");
                e["end"] = json!("2027-03-19");
            }),
            "end",
        ),
    ];
    for (body, field) in cases {
        let a = send(api.post(&path).bearer_auth(organiser(&m)).json(&body)).await;
        a.assert_problem(422, "invalid_field");
        assert_eq!(a.body["errors"][0]["field"], field, "{}", a.body);
    }
    let e = create(&api, &m, &event(3600, 1, Some(5))).await;
    let id = e["id"].as_str().unwrap();
    // Another municipality's staff change nothing, and see nothing of its marks.
    let stranger = staff(&other, None, &[Permission::Events]);
    send(
        api.put(&format!("{path}/{id}"))
            .bearer_auth(&stranger)
            .json(&event(7200, 1, None)),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.get(&format!("{path}/{id}/attendees"))
            .bearer_auth(&stranger),
    )
    .await
    .assert_problem(404, "not_found");
    mark(&api, &m, id, &stranger, json!({"mark": "going"}))
        .await
        .assert_problem(404, "not_found");
    // The event is not the other municipality's either.
    send(api.get(&format!("/v1/municipalities/{other}/events/{id}")))
        .await
        .assert_problem(404, "not_found");
    // A mark one cannot make.
    mark(&api, &m, id, &citizen(), json!({"mark": "maybe"}))
        .await
        .assert_problem(422, "invalid_body");
    // A status one cannot reach, a reason missing, an edit on an old version.
    set_status(&api, &m, id, json!({"status": "scheduled"}))
        .await
        .assert_problem(409, "transition_not_allowed");
    set_status(&api, &m, id, json!({"status": "postponed"}))
        .await
        .assert_problem(422, "invalid_field");
    send(
        api.put(&format!("{path}/{id}"))
            .bearer_auth(organiser(&m))
            .header("if-match", "\"7\"")
            .json(&event(7200, 1, Some(5))),
    )
    .await
    .assert_problem(412, "precondition_failed");
    // Feeds: unknown kinds, categories and languages are refused.
    for q in ["?kinds=parties", "?category=picnic", "?lang=de", "?kinds="] {
        send(api.get(&format!("/v1/municipalities/{m}/calendar.ics{q}")))
            .await
            .assert_problem(400, "invalid_query");
    }
    send(api.get(&format!(
        "/v1/municipalities/{m}/calendar.ics?committee=cmt_nope"
    )))
    .await
    .assert_problem(404, "not_found");
    send(api.get(&format!("{path}/evt_01JD0000000000000000000000")))
        .await
        .assert_problem(404, "not_found");
}
