//! The capacity under concurrency, in-process: 100 people ask for the 10
//! places of an event at the same moment (100 futures of the real handler,
//! against the local emulator's DynamoDB), without a waiting list: exactly 10
//! get one, 90 are refused with 409 `event_full`, and the counters say 10.
//! One person asking twice at once holds one place. (Through `cargo lambda
//! watch` the black-box tests keep 50 in flight.)

use baladiya::domain::{Permission, Service};
use baladiya::fixtures::{body_json, citizen_token, request, staff_token};
use events::{Ctx, handle};
use serde_json::{Value, json};

async fn call(ctx: &Ctx, method: &str, path: &str, token: &str, body: &str) -> (u16, Value) {
    let res = handle(ctx, request(method, path, token, body)).await;
    (res.status().as_u16(), body_json(&res))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_ask_for_ten_places_at_once_ten_get_one_ninety_are_refused() {
    let ctx: &'static Ctx = Box::leak(Box::new(baladiya::fixtures::context(Ctx::new)));
    let m = baladiya::fixtures::municipality(&ctx.store, "seat", Service::Events).await;
    let organiser = staff_token(&m, &[Permission::Events]);
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let event = json!({
        "title": {"ar": "ورشة", "fr": "Atelier"},
        "category": "education",
        "start": fmt(now + time::Duration::days(2)),
        "end": fmt(now + time::Duration::days(2) + time::Duration::hours(2)),
        "place": {"name": {"fr": "Bibliothèque municipale"}},
        "capacity": 10
    });
    let base = format!("/v1/municipalities/{m}/events");
    let (s, created) = call(ctx, "POST", &base, &organiser, &event.to_string()).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let mark = format!("{base}/{id}/attendance");
    let ask = json!({"mark": "going", "waiting_list": false}).to_string();
    let asks = (0..100).map(|_| {
        let req = request("PUT", &mark, &citizen_token(), &ask);
        tokio::spawn(async move {
            let res = handle(ctx, req).await;
            (res.status().as_u16(), body_json(&res))
        })
    });
    let all = futures_util::future::join_all(asks).await;
    let mut placed = 0;
    let mut refused = 0;
    for a in all {
        let (status, body) = a.expect("no panic");
        match status {
            200 => {
                assert_eq!(body["seat"], "registered", "{body}");
                placed += 1;
            }
            409 => {
                assert_eq!(body["code"], "event_full", "{body}");
                assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!((placed, refused), (10, 90));
    let (_, page) = call(ctx, "GET", &format!("{base}/{id}"), &organiser, "").await;
    assert_eq!(
        (page["going"].as_u64(), page["places_left"].as_u64()),
        (Some(10), Some(0)),
        "{page}"
    );

    // One person twice at the same moment, at an event with places: one place.
    let (_, other) = call(ctx, "POST", &base, &organiser, &event.to_string()).await;
    let other = other["id"].as_str().unwrap().to_owned();
    let twice = citizen_token();
    let path = format!("{base}/{other}/attendance");
    let both = [0, 1].map(|_| {
        let req = request("PUT", &path, &twice, &ask);
        tokio::spawn(async move { handle(ctx, req).await.status().as_u16() })
    });
    for s in futures_util::future::join_all(both).await {
        let s = s.expect("no panic");
        assert!(s == 200 || s == 409, "{s}");
    }
    let (_, page) = call(ctx, "GET", &format!("{base}/{other}"), &organiser, "").await;
    assert_eq!(page["going"], 1, "{page}");
}
