//! The issue's bar, in-process: 500 take-a-ticket requests on one service at
//! once (500 futures of the real handler, against the local emulator's
//! DynamoDB) yield 500 distinct, consecutive numbers and lose none; two counters
//! calling next at the same moment never get the same ticket. (Through
//! `cargo lambda watch` the black-box test keeps 50 in flight: the local
//! stand-in for Lambda stalls with hundreds of open invocations.)

use baladiya::config::Config;
use baladiya::domain::Text;
use baladiya::domain::eticket::{Agency, Counter, QueueService};
use baladiya::domain::eticket::{Shift, WeeklyHours};
use baladiya::domain::{
    Id, LocalizedText, Municipality, MunicipalityId, Permission, Principal, Service, ServiceState,
};
use baladiya::fixtures::request;
use etickets::{Ctx, handle};
use lambda_http::Body;
use std::collections::BTreeSet;

fn token(who: &Principal) -> String {
    baladiya::fixtures::token_for(who)
}

async fn setup(ctx: &Ctx) -> MunicipalityId {
    let slug = format!(
        "conc-{}",
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
            [(Service::ETicket, ServiceState::Activated)].into(),
        ),
        contact: Default::default(),
        center: None,
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 1,
    };
    ctx.store
        .create_municipality(&muni, None, "")
        .await
        .expect("created");
    let day = vec![Shift {
        open: "00:00".into(),
        close: "23:59".into(),
    }];
    let names = |fr: &str| Text {
        ar: "اسم".into(),
        fr: fr.into(),
        en: String::new(),
    };
    ctx.store
        .put_agency(
            &m,
            &Agency {
                code: "centre".into(),
                name: names("Centre"),
                address: None,
                location: None,
                hours: WeeklyHours {
                    mon: day.clone(),
                    tue: day.clone(),
                    wed: day.clone(),
                    thu: day.clone(),
                    fri: day.clone(),
                    sat: day.clone(),
                    sun: day,
                },
                closures: vec![],
                open_on_public_holidays: true,
                services: vec![QueueService {
                    code: "civil-status".into(),
                    name: names("État civil"),
                    prefix: "A".into(),
                    daily_max: 1000,
                    active: true,
                }],
                counters: vec![
                    Counter {
                        code: "g1".into(),
                        label: "1".into(),
                        services: vec!["civil-status".into()],
                    },
                    Counter {
                        code: "g2".into(),
                        label: "2".into(),
                        services: vec!["civil-status".into()],
                    },
                ],
                updated_at: now,
            },
        )
        .await
        .expect("agency");
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_at_once_get_500_consecutive_numbers_and_counters_never_share() {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = baladiya::config::Aws::from_env().expect("AWS settings");
    let ctx: &'static Ctx = Box::leak(Box::new(Ctx::new(&config, &aws).expect("valid JWKS")));
    let m = setup(ctx).await;
    let path = format!("/v1/municipalities/{m}/agencies/centre/services/civil-status");

    let tokens: Vec<String> = (0..500)
        .map(|_| {
            token(&Principal::Citizen {
                user: Id::generate("usr"),
            })
        })
        .collect();
    let takes = tokens.iter().map(|t| {
        let req = request("POST", &format!("{path}/tickets"), t, "");
        tokio::spawn(async move { handle(ctx, req).await })
    });
    let mut numbers = BTreeSet::new();
    for r in futures_util::future::join_all(takes).await {
        let res = r.expect("no panic");
        assert_eq!(res.status(), 201);
        let body: serde_json::Value = match res.body() {
            Body::Text(t) => serde_json::from_str(t).expect("JSON"),
            _ => panic!("a JSON body"),
        };
        assert!(
            numbers.insert(body["number"].as_u64().expect("a number")),
            "distinct"
        );
    }
    assert_eq!(
        numbers,
        (1..=500).collect::<BTreeSet<u64>>(),
        "consecutive, none lost"
    );

    // Two counters calling at the same moments, 20 times each: 40 different
    // tickets, the first 40.
    let clerk = token(&Principal::Staff {
        user: Id::generate("usr"),
        staff_id: Id::generate("stf"),
        municipality: m.clone(),
        permissions: [Permission::ETicket].into_iter().collect(),
        complaint_categories: None,
    });
    let counter = |c: &'static str| {
        let clerk = clerk.clone();
        let path = path.clone();
        tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..20 {
                let body = format!("{{\"counter\": \"{c}\"}}");
                let res =
                    handle(ctx, request("POST", &format!("{path}/call"), &clerk, &body)).await;
                assert_eq!(res.status(), 200);
                let body: serde_json::Value = match res.body() {
                    Body::Text(t) => serde_json::from_str(t).expect("JSON"),
                    _ => panic!("a JSON body"),
                };
                out.push(body["number"].as_u64().expect("a number"));
            }
            out
        })
    };
    let (a, b) = tokio::join!(counter("g1"), counter("g2"));
    let mut called = BTreeSet::new();
    for n in a.expect("no panic").into_iter().chain(b.expect("no panic")) {
        assert!(called.insert(n), "ticket {n} called twice");
    }
    assert_eq!(called, (1..=40).collect::<BTreeSet<u64>>());

    // Ticket 1 served (the queue's handling times), then every item of the day's
    // queue (counter, last called, handling times, tickets, holders' guards)
    // carries the table's TTL: the day's end in Tunis plus 90 days.
    let res = handle(
        ctx,
        request(
            "POST",
            &format!("{path}/tickets/1/status"),
            &clerk,
            r#"{"status": "served"}"#,
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    // The ticket's own day (not today's: the run may cross midnight in Tunis).
    let day = match res.body() {
        Body::Text(t) => serde_json::from_str::<serde_json::Value>(t).expect("JSON")["day"]
            .as_str()
            .expect("the ticket's day")
            .to_owned(),
        _ => panic!("a JSON body"),
    };
    let expires = baladiya::domain::eticket::queue_expiry(&day).expect("a day");
    let pk = format!("M#{m}#Q#centre#civil-status#{day}");
    let mut kinds = BTreeSet::new();
    let partition = ctx
        .store
        .raw_partition(&pk)
        .await
        .expect("the queue's partition");
    for item in &partition {
        let sk = item["SK"].as_str().expect("SK");
        kinds.insert(sk.split('#').next().expect("a kind").to_owned());
        assert_eq!(
            item["expiresAt"].as_u64(),
            Some(expires),
            "{sk} expires with its queue"
        );
    }
    let items = partition.len();
    assert_eq!(
        kinds,
        ["ACTIVE", "CALLED", "COUNTER", "STATS", "T"]
            .map(String::from)
            .into(),
    );
    // 500 tickets, and a guard for each ticket still active (499: 1 was served).
    assert_eq!(items, 3 + 500 + 499);
}
