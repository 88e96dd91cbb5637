//! Black-box tests of the e-ticket queues over HTTP, against the running local
//! stack (started by `scripts/test`).

use std::collections::BTreeSet;

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

/// A municipality with the e-ticket service on.
async fn municipality(api: &Api, prefix: &str) -> String {
    let id = unique_slug(prefix);
    let a = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!({
                "id": id,
                "governorate": "TN-11",
                "name": {"ar": "بلدية تجريبية", "fr": "Commune de test"},
                "status": "ACTIVATED",
                "services": {"e_ticket": "ACTIVATED"}
            })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    id
}

fn clerk(m: &str) -> String {
    staff(m, None, &[Permission::ETicket])
}

/// Open every day all day (tests run at any hour), public holidays included.
fn always_open() -> Value {
    let day = json!([{"open": "00:00", "close": "23:59"}]);
    json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day})
}

async fn agency(api: &Api, m: &str, code: &str, daily_max: u64, at: (f64, f64)) -> Value {
    not_in_the_closing_minute().await;
    let a = send(
        api.put(&format!("/v1/municipalities/{m}/agencies/{code}"))
            .bearer_auth(clerk(m))
            .json(&json!({
                "name": {"ar": "الدائرة البلدية", "fr": "Arrondissement"},
                "address": "Avenue de la République",
                "location": {"lat": at.0, "lon": at.1},
                "hours": always_open(),
                "open_on_public_holidays": true,
                "services": [
                    {"code": "civil-status", "name": {"ar": "الحالة المدنية", "fr": "État civil"}, "prefix": "A", "daily_max": daily_max},
                    {"code": "tax", "name": {"ar": "الاستخلاص", "fr": "Recette"}, "prefix": "B", "daily_max": 2}
                ],
                "counters": [
                    {"code": "g1", "label": "1", "services": ["civil-status"]},
                    {"code": "g2", "label": "2", "services": ["civil-status", "tax"]}
                ]
            })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

fn tickets(m: &str, a: &str, s: &str) -> String {
    format!("/v1/municipalities/{m}/agencies/{a}/services/{s}/tickets")
}

async fn take(api: &Api, m: &str, a: &str, s: &str, token: &str) -> Answer {
    send(api.post(&tickets(m, a, s)).bearer_auth(token)).await
}

async fn call(api: &Api, m: &str, a: &str, s: &str, counter: &str, token: &str) -> Answer {
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/agencies/{a}/services/{s}/call"
        ))
        .bearer_auth(token)
        .json(&json!({"counter": counter})),
    )
    .await
}

#[tokio::test]
async fn agencies_are_described_by_staff_and_shown_to_everyone() {
    let api = Api::from_env();
    let m = municipality(&api, "tkt-agency").await;
    let a = agency(&api, &m, "centre", 100, (36.80, 10.18)).await;
    assert_eq!(a["open_now"], true);
    assert_eq!(a["services"][0]["tickets_left"], 100);
    assert_eq!(a["services"][0]["waiting"], 0);
    // Hours are checked: two shifts a day, not overlapping.
    let bad = send(
        api.put(&format!("/v1/municipalities/{m}/agencies/bad"))
            .bearer_auth(clerk(&m))
            .json(&json!({
                "name": {"ar": "مكتب", "fr": "Bureau"},
                "hours": {"mon": [{"open": "08:00", "close": "13:00"}, {"open": "12:00", "close": "17:00"}]},
                "services": [{"code": "desk", "name": {"ar": "س", "fr": "S"}, "prefix": "A", "daily_max": 10}],
                "counters": [{"code": "g1", "label": "1", "services": ["desk"]}]
            })),
    )
    .await;
    bad.assert_problem(422, "invalid_field");
    // A closed agency gives no ticket: Sunday only, closed today if today is
    // not Sunday; and a closure today closes it whatever the day.
    let today =
        time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap());
    let closed = send(
        api.put(&format!("/v1/municipalities/{m}/agencies/closed"))
            .bearer_auth(clerk(&m))
            .json(&json!({
                "name": {"ar": "مكتب", "fr": "Bureau fermé"},
                "hours": always_open(),
                "closures": [format!("{:04}-{:02}-{:02}", today.year(), today.month() as u8, today.day())],
                "open_on_public_holidays": true,
                "services": [{"code": "desk", "name": {"ar": "س", "fr": "S"}, "prefix": "A", "daily_max": 10}],
                "counters": [{"code": "g1", "label": "1", "services": ["desk"]}]
            })),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    take(&api, &m, "closed", "desk", &citizen())
        .await
        .assert_problem(409, "agency_closed");

    // Everyone sees them; only this municipality's e-ticket staff change them.
    let list = send(api.get(&format!("/v1/municipalities/{m}/agencies"))).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    let other = municipality(&api, "tkt-other").await;
    send(
        api.put(&format!("/v1/municipalities/{m}/agencies/centre"))
            .bearer_auth(clerk(&other))
            .json(&json!({})),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/agencies/centre/services/civil-status/call"
        ))
        .bearer_auth(citizen())
        .json(&json!({"counter": "g1"})),
    )
    .await
    .assert_problem(403, "forbidden");

    // Which agency is best: near and without wait first.
    agency(&api, &m, "north", 100, (36.85, 10.18)).await;
    let best = send(api.get(&format!(
        "/v1/municipalities/{m}/agencies/best?lat=36.851&lon=10.18&service=civil-status"
    )))
    .await;
    assert_eq!(best.status, 200, "{}", best.body);
    assert_eq!(best.body["items"][0]["agency"], "north");
}

#[tokio::test]
async fn many_people_at_once_get_distinct_consecutive_numbers() {
    let api = Api::from_env();
    let m = municipality(&api, "tkt-rush").await;
    agency(&api, &m, "centre", 1000, (36.80, 10.18)).await;
    // 150 sent at once, 50 in flight at a time: `cargo lambda watch`, the local
    // stand-in for Lambda, stalls with hundreds of open invocations (AWS would
    // run many instances). The 500 at once run in-process, in
    // functions/etickets/tests/concurrency.rs.
    let people: Vec<String> = (0..150).map(|_| citizen()).collect();
    use futures_util::StreamExt;
    let answers: Vec<Answer> = futures_util::stream::iter(
        people
            .iter()
            .map(|t| take(&api, &m, "centre", "civil-status", t)),
    )
    .buffer_unordered(50)
    .collect()
    .await;
    let mut numbers = BTreeSet::new();
    for a in &answers {
        assert_eq!(a.status, 201, "{}", a.body);
        assert!(
            numbers.insert(a.body["number"].as_u64().unwrap()),
            "distinct"
        );
    }
    let expected: BTreeSet<u64> = (1..=150).collect();
    assert_eq!(numbers, expected, "consecutive, none lost");
    // The board agrees.
    let board = send(api.get(&format!("/v1/municipalities/{m}/agencies/centre/board"))).await;
    assert_eq!(board.body["services"][0]["waiting"], 150);
    // One active ticket per person and service; a daily maximum.
    take(&api, &m, "centre", "civil-status", &people[0])
        .await
        .assert_problem(409, "ticket_already_held");
    let me = citizen();
    assert_eq!(take(&api, &m, "centre", "tax", &me).await.status, 201);
    assert_eq!(
        take(&api, &m, "centre", "tax", &citizen()).await.status,
        201
    );
    take(&api, &m, "centre", "tax", &citizen())
        .await
        .assert_problem(409, "limit_reached");
}

#[tokio::test]
async fn two_counters_calling_at_the_same_moment_never_get_the_same_ticket() {
    let api = Api::from_env();
    let m = municipality(&api, "tkt-call").await;
    agency(&api, &m, "centre", 1000, (36.80, 10.18)).await;
    for _ in 0..30 {
        assert_eq!(
            take(&api, &m, "centre", "civil-status", &citizen())
                .await
                .status,
            201
        );
    }
    let staff = clerk(&m);
    // Two counters, each calling as fast as it can, at the same moments.
    let counter_calls = |counter: &'static str| {
        let api = &api;
        let m = m.clone();
        let staff = staff.clone();
        async move {
            let mut out = Vec::new();
            for _ in 0..15 {
                out.push(call(api, &m, "centre", "civil-status", counter, &staff).await);
            }
            out
        }
    };
    let (a, b) = tokio::join!(counter_calls("g1"), counter_calls("g2"));
    let calls: Vec<Answer> = a.into_iter().chain(b).collect();
    let mut called = BTreeSet::new();
    for c in &calls {
        assert_eq!(c.status, 200, "{}", c.body);
        assert_eq!(c.body["status"], "called");
        assert!(
            called.insert(c.body["number"].as_u64().unwrap()),
            "twice: {}",
            c.body
        );
    }
    assert_eq!(called, (1..=30).collect::<BTreeSet<u64>>());
    call(&api, &m, "centre", "civil-status", "g1", &staff)
        .await
        .assert_problem(409, "queue_empty");
}

#[tokio::test]
async fn holders_are_told_when_2_1_and_0_are_ahead_once_and_counters_serve() {
    let api = Api::from_env();
    let m = municipality(&api, "tkt-flow").await;
    agency(&api, &m, "centre", 1000, (36.80, 10.18)).await;
    let t = sign_in(&api, &unique_phone()).await;
    let me = t["access_token"].as_str().unwrap().to_owned();
    let others: Vec<String> = (0..3).map(|_| citizen()).collect();
    for o in &others {
        assert_eq!(
            take(&api, &m, "centre", "civil-status", o).await.status,
            201
        );
    }
    let mine = take(&api, &m, "centre", "civil-status", &me).await;
    assert_eq!(mine.status, 201, "{}", mine.body);
    assert_eq!(mine.body["number"], 4);
    assert_eq!(mine.body["display"], "A004");
    assert_eq!(mine.body["ahead"], 3);
    assert_eq!(
        mine.body["estimated_wait_minutes"], 12,
        "8 min a person, 2 counters"
    );

    // Each call brings me nearer: told at 2, 1 and 0 ahead.
    let staff = clerk(&m);
    let first = call(&api, &m, "centre", "civil-status", "g1", &staff).await;
    assert_eq!(first.body["number"], 1);
    call(&api, &m, "centre", "civil-status", "g2", &staff).await;
    call(&api, &m, "centre", "civil-status", "g1", &staff).await;
    let states = || {
        let api = &api;
        let me = me.clone();
        async move {
            let a = send(api.get("/v1/me/notifications").bearer_auth(&me)).await;
            let mut s: Vec<String> = a.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["state"].as_str().unwrap_or_default().to_owned())
                .collect();
            s.sort();
            s
        }
    };
    eventually("the three notices", || async { states().await.len() >= 3 }).await;
    assert_eq!(states().await, ["ahead_0", "ahead_1", "ahead_2"]);
    let view = send(
        api.get(&format!("{}/4", tickets(&m, "centre", "civil-status")))
            .bearer_auth(&me),
    )
    .await;
    assert_eq!(view.body["ahead"], 0);
    assert_eq!(view.body["now_serving"], "A003");

    // Served, absent, recalled once.
    let status = |n: u64, body: Value| {
        let api = &api;
        let staff = staff.clone();
        let m = m.clone();
        async move {
            send(
                api.post(&format!(
                    "{}/{n}/status",
                    tickets(&m, "centre", "civil-status")
                ))
                .bearer_auth(&staff)
                .json(&body),
            )
            .await
        }
    };
    let served = status(1, json!({"status": "served"})).await;
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(served.body["status"], "served");
    assert_eq!(status(2, json!({"status": "absent"})).await.status, 200);
    let recalled = status(2, json!({"status": "called", "counter": "g2"})).await;
    assert_eq!(recalled.status, 200, "{}", recalled.body);
    assert_eq!(status(2, json!({"status": "absent"})).await.status, 200);
    status(2, json!({"status": "called", "counter": "g2"}))
        .await
        .assert_problem(422, "invalid_field");
    // My turn, and no notice twice.
    let mine_called = call(&api, &m, "centre", "civil-status", "g1", &staff).await;
    assert_eq!(mine_called.body["number"], 4);
    eventually("the call", || async { states().await.len() >= 4 }).await;
    let s = states().await;
    assert_eq!(
        s.iter().filter(|x| x.starts_with("ahead_")).count(),
        3,
        "{s:?}"
    );
    // Someone else cannot see my ticket; I can cancel only a waiting one.
    send(
        api.get(&format!("{}/4", tickets(&m, "centre", "civil-status")))
            .bearer_auth(citizen()),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.delete(&format!("{}/4", tickets(&m, "centre", "civil-status")))
            .bearer_auth(&me),
    )
    .await
    .assert_problem(422, "invalid_field");
}

#[tokio::test]
async fn a_paper_ticket_becomes_an_app_ticket_with_its_code() {
    let api = Api::from_env();
    let m = municipality(&api, "tkt-paper").await;
    agency(&api, &m, "centre", 1000, (36.80, 10.18)).await;
    let paper = send(
        api.post(&format!(
            "/v1/municipalities/{m}/agencies/centre/services/civil-status/paper-tickets"
        ))
        .bearer_auth(clerk(&m)),
    )
    .await;
    assert_eq!(paper.status, 201, "{}", paper.body);
    let code = paper.body["claim_code"].as_str().unwrap().to_owned();
    remember_secret(&code);
    let number = paper.body["display"].as_str().unwrap().to_owned();
    let me = citizen();
    let claim = |code: String| {
        let api = &api;
        let me = me.clone();
        let path = format!("{}/{number}/claim", tickets(&m, "centre", "civil-status"));
        async move {
            send(
                api.post(&path)
                    .bearer_auth(&me)
                    .json(&json!({"code": code})),
            )
            .await
        }
    };
    claim("WRONG1".into())
        .await
        .assert_problem(404, "not_found");
    let ok = claim(code.to_lowercase()).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["display"], number.as_str());
    assert_eq!(ok.body["ahead"], 0);
    // Once only; and the holder now has an active ticket.
    claim(code.clone()).await.assert_problem(404, "not_found");
    take(&api, &m, "centre", "civil-status", &me)
        .await
        .assert_problem(409, "ticket_already_held");
    // Cancelled by its holder: gone from the queue.
    let gone = send(
        api.delete(&format!("{}/1", tickets(&m, "centre", "civil-status")))
            .bearer_auth(&me),
    )
    .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(
        take(&api, &m, "centre", "civil-status", &me).await.status,
        201
    );
}

#[tokio::test]
async fn taking_a_ticket_at_an_empty_queue_tells_nobody_and_names_the_ticket() {
    let api = Api::from_env();
    let m = municipality(&api, "tkt-empty").await;
    agency(&api, &m, "centre", 1000, (36.80, 10.18)).await;
    let t = sign_in(&api, &unique_phone()).await;
    let me = t["access_token"].as_str().unwrap().to_owned();
    let mine = take(&api, &m, "centre", "civil-status", &me).await;
    assert_eq!(mine.status, 201, "{}", mine.body);
    assert_eq!(mine.body["ahead"], 0);
    let path = format!("{}/1", tickets(&m, "centre", "civil-status"));
    assert_eq!(mine.body["path"], path.as_str());
    assert_eq!(mine.headers["location"], path.as_str());
    let id = mine.body["id"].as_str().unwrap().to_owned();
    assert!(id.ends_with("#centre#civil-status#1"), "{id}");
    let read = send(api.get(&path).bearer_auth(&me)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["id"], id.as_str());

    // Called at once: the only notice is the call, about this ticket.
    let called = call(&api, &m, "centre", "civil-status", "g1", &clerk(&m)).await;
    assert_eq!(called.body["number"], 1, "{}", called.body);
    let notices = || {
        let api = &api;
        let me = me.clone();
        async move { send(api.get("/v1/me/notifications").bearer_auth(&me)).await }
    };
    eventually("the call's notice", || async {
        !notices().await.body["items"].as_array().unwrap().is_empty()
    })
    .await;
    let got = notices().await;
    let items = got.body["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        1,
        "no \"your turn is near\" at taking: {}",
        got.body
    );
    assert!(
        items[0]["state"].as_str().unwrap().starts_with("called"),
        "{}",
        got.body
    );
    assert_eq!(items[0]["case_id"], id.as_str());
    assert_eq!(items[0]["path"], path.as_str());
    assert_eq!(items[0]["reference"], "A001");
}
