//! The capacity under concurrency, in-process: 100 people ask for the 10
//! places of an event at the same moment (100 futures of the real handler,
//! against the local emulator's DynamoDB), without a waiting list: exactly 10
//! get one, 90 are refused with 409 `event_full`, and the counters say 10.
//! One person asking twice at once holds one place. (Through `cargo lambda
//! watch` the black-box tests keep 50 in flight.)

use baladiya::config::Config;
use baladiya::domain::{
    Id, LocalizedText, Municipality, MunicipalityId, Permission, Principal, Service, ServiceState,
};
use baladiya::fixtures::request;
use events::{Ctx, handle};
use lambda_http::Body;
use serde_json::{Value, json};

fn token(who: &Principal) -> String {
    baladiya::fixtures::token_for(who)
}

async fn call(ctx: &Ctx, method: &str, path: &str, token: &str, body: &str) -> (u16, Value) {
    let res = handle(ctx, request(method, path, token, body)).await;
    let status = res.status().as_u16();
    let body = match res.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, body)
}

async fn municipality(ctx: &Ctx) -> MunicipalityId {
    let slug = format!(
        "seat-{}",
        ulid::Ulid::new().to_string().to_lowercase()[18..].to_owned()
    );
    let m = MunicipalityId::parse(&slug).expect("slug");
    let now = baladiya::clock::now_rfc3339();
    let muni = Municipality {
        id: m.clone(),
        governorate: "TN-11".into(),
        name: LocalizedText {
            ar: Some("بلدية".into()),
            fr: Some("Commune".into()),
            en: None,
        },
        status: ServiceState::Activated,
        services: Municipality::complete_services(
            [(Service::Events, ServiceState::Activated)].into(),
        ),
        contact: Default::default(),
        center: None,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    ctx.store
        .create_municipality(&muni, None, "")
        .await
        .expect("created");
    m
}

fn citizen() -> String {
    token(&Principal::Citizen {
        user: Id::generate("usr"),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_ask_for_ten_places_at_once_ten_get_one_ninety_are_refused() {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = baladiya::config::Aws::from_env().expect("AWS settings");
    let ctx: &'static Ctx = Box::leak(Box::new(Ctx::new(&config, &aws).expect("valid JWKS")));
    let m = municipality(ctx).await;
    let organiser = token(&Principal::Staff {
        user: Id::generate("usr"),
        staff_id: Id::generate("stf"),
        municipality: m.clone(),
        permissions: [Permission::Events].into_iter().collect(),
        complaint_categories: None,
    });
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
        let req = request("PUT", &mark, &citizen(), &ask);
        tokio::spawn(async move {
            let res = handle(ctx, req).await;
            let status = res.status().as_u16();
            let body = match res.body() {
                Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
                _ => Value::Null,
            };
            (status, body)
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
    let twice = citizen();
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
