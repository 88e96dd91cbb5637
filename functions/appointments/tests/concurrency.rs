//! The bar, in-process: 100 bookings of one slot of capacity 10 at
//! the same moment (100 futures of the real handler, against the local
//! emulator's DynamoDB): exactly 10 accepted, 90 refused with 409
//! `slot_full`, and the slot shows no place left. (Through `cargo lambda
//! watch` the black-box test keeps 50 in flight.)

use appointments::{Ctx, handle};
use baladiya::config::Config;
use baladiya::domain::{
    Id, LocalizedText, Municipality, MunicipalityId, Permission, Principal, Service, ServiceState,
};
use baladiya::fixtures::request;
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
        "book-{}",
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
            [(Service::Appointments, ServiceState::Activated)].into(),
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
async fn a_hundred_bookings_of_a_slot_of_ten_at_once_ten_accepted_ninety_refused() {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = baladiya::config::Aws::from_env().expect("AWS settings");
    let ctx: &'static Ctx = Box::leak(Box::new(Ctx::new(&config, &aws).expect("valid JWKS")));
    let m = municipality(ctx).await;
    // An office open every day (holidays too), written as the guide does.
    let all = json!([{"open": "00:00", "close": "23:30"}]);
    let hours = json!({"regular": {"mon": all, "tue": all, "wed": all, "thu": all, "fri": all, "sat": all, "sun": all}, "open_on_public_holidays": true});
    let office = baladiya::domain::guide::Office {
        code: "bureau".into(),
        name: baladiya::domain::Text {
            ar: "مكتب".into(),
            fr: "Bureau".into(),
            en: String::new(),
        },
        address: None,
        location: None,
        phone: None,
        categories: Vec::new(),
        hours: serde_json::from_value(hours).expect("hours"),
        eticket_agency: None,
        updated_at: baladiya::clock::now_rfc3339(),
    };
    ctx.store.put_office(&m, &office).await.expect("office");
    let clerk = token(&Principal::Staff {
        user: Id::generate("usr"),
        staff_id: Id::generate("stf"),
        municipality: m.clone(),
        permissions: [Permission::Appointments].into_iter().collect(),
        complaint_categories: None,
    });
    let host = json!({"name": {"fr": "Service technique"}, "office": "bureau", "slot_minutes": 30, "capacity": 10});
    let (s, h) = call(
        ctx,
        "PUT",
        &format!("/v1/municipalities/{m}/appointment-hosts/technique"),
        &clerk,
        &host.to_string(),
    )
    .await;
    assert_eq!(s, 201, "{h}");
    let (s, slots) = call(
        ctx,
        "GET",
        &format!("/v1/municipalities/{m}/appointment-hosts/technique/slots?days=2"),
        &clerk,
        "",
    )
    .await;
    assert_eq!(s, 200, "{slots}");
    let slot = slots["days"][1]["slots"][10]["starts_at"]
        .as_str()
        .expect("a slot tomorrow")
        .to_owned();
    let body =
        json!({"host": "technique", "slot": slot, "reason": "Une question de voirie"}).to_string();
    let path = format!("/v1/municipalities/{m}/appointments");
    let asks = (0..100).map(|_| {
        let req = request("POST", &path, &citizen(), &body);
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
    let mut accepted = 0;
    let mut refused = 0;
    for a in futures_util::future::join_all(asks).await {
        let (status, body) = a.expect("no panic");
        match status {
            201 => accepted += 1,
            409 => {
                assert_eq!(body["code"], "slot_full", "{body}");
                assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!((accepted, refused), (10, 90));
    let (_, after) = call(
        ctx,
        "GET",
        &format!("/v1/municipalities/{m}/appointment-hosts/technique/slots?days=2"),
        &clerk,
        "",
    )
    .await;
    let left = after["days"][1]["slots"][10]["left"].as_u64();
    assert_eq!(left, Some(0), "{after}");
}
