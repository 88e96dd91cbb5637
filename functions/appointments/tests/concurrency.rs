//! The bar, in-process: 100 bookings of one slot of capacity 10 at
//! the same moment (100 futures of the real handler, against the local
//! emulator's DynamoDB): exactly 10 accepted, 90 refused with 409
//! `slot_full`, and the slot shows no place left. (Through `cargo lambda
//! watch` the black-box test keeps 50 in flight.)

use appointments::{Ctx, handle};
use baladiya::domain::{Permission, Service};
use baladiya::fixtures::{body_json, citizen_token, request, staff_token};
use serde_json::{Value, json};

async fn call(ctx: &Ctx, method: &str, path: &str, token: &str, body: &str) -> (u16, Value) {
    let res = handle(ctx, request(method, path, token, body)).await;
    (res.status().as_u16(), body_json(&res))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_bookings_of_a_slot_of_ten_at_once_ten_accepted_ninety_refused() {
    let ctx: &'static Ctx = Box::leak(Box::new(baladiya::fixtures::context(Ctx::new)));
    let m = baladiya::fixtures::municipality(&ctx.store, "book", Service::Appointments).await;
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
    let clerk = staff_token(&m, &[Permission::Appointments]);
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
        let req = request("POST", &path, &citizen_token(), &body);
        tokio::spawn(async move {
            let res = handle(ctx, req).await;
            (res.status().as_u16(), body_json(&res))
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
