//! E-ticket throughput against the running local stack (`scripts/bench-etickets`
//! starts it and runs this): take-a-ticket with N people at once, then call-next
//! from C counters at once until the queue is empty. Prints the figures; the
//! DynamoDB calls per request are read from the functions' log afterwards.

use std::time::{Duration, Instant};

use baladiya::domain::{Id, MunicipalityId, Permission, Principal};
use baladiya_tests::*;
use serde_json::json;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, n: usize, total: Duration, mut each: Vec<Duration>) {
    each.sort();
    println!(
        "{what:<22} {n:>5} requests in {:>7.2} s  {:>7.1} req/s   p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        percentile(&each, 0.5).as_secs_f64() * 1000.0,
        percentile(&each, 0.95).as_secs_f64() * 1000.0,
        each.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
}

#[tokio::main]
async fn main() {
    let people: usize = std::env::var("BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let counters: usize = std::env::var("BENCH_COUNTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let api = Api::from_env();
    let m = unique_slug("bench");
    let created = send(
        api.post("/v1/municipalities")
            .bearer_auth(admin())
            .json(&json!({
                "id": m, "governorate": "TN-11",
                "name": {"ar": "بلدية", "fr": "Commune de mesure"},
                "status": "ACTIVATED", "services": {"e_ticket": "ACTIVATED"}
            })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let clerk = token_for(&Principal::Staff {
        user: Id::generate("usr"),
        staff_id: Id::generate("stf"),
        municipality: MunicipalityId::parse(&m).unwrap(),
        permissions: [Permission::ETicket].into_iter().collect(),
        complaint_categories: None,
    });
    let day = json!([{"open": "00:00", "close": "23:59"}]);
    let counter_list: Vec<_> = (1..=counters)
        .map(|i| json!({"code": format!("g{i}"), "label": i.to_string(), "services": ["civil-status"]}))
        .collect();
    let put = send(api.put(&format!("/v1/municipalities/{m}/agencies/centre")).bearer_auth(&clerk).json(&json!({
        "name": {"ar": "الدائرة", "fr": "Centre"},
        "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day},
        "open_on_public_holidays": true,
        "services": [{"code": "civil-status", "name": {"ar": "الحالة المدنية", "fr": "État civil"}, "prefix": "A", "daily_max": 9999}],
        "counters": counter_list
    }))).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let base = format!("/v1/municipalities/{m}/agencies/centre/services/civil-status");

    // Take-a-ticket: everyone at once.
    let tokens: Vec<String> = (0..people).map(|_| citizen()).collect();
    // All sent at once, 50 in flight: `cargo lambda watch` stalls with hundreds
    // of open invocations (AWS would run more instances).
    use futures_util::StreamExt;
    let started = Instant::now();
    let results: Vec<(Answer, Duration)> = futures_util::stream::iter(tokens.iter().map(|t| {
        let req = api.post(&format!("{base}/tickets")).bearer_auth(t);
        async move {
            let s = Instant::now();
            let a = send(req).await;
            (a, s.elapsed())
        }
    }))
    .buffer_unordered(50)
    .collect()
    .await;
    let total = started.elapsed();
    let mut numbers: Vec<u64> = results
        .iter()
        .filter_map(|(a, _)| a.body["number"].as_u64())
        .collect();
    numbers.sort();
    let ok = results.iter().filter(|(a, _)| a.status == 201).count();
    report(
        "take-a-ticket",
        people,
        total,
        results.iter().map(|(_, d)| *d).collect(),
    );
    println!(
        "  {ok} tickets, numbers {}..={}, distinct and consecutive: {}",
        numbers.first().unwrap_or(&0),
        numbers.last().unwrap_or(&0),
        numbers.windows(2).all(|w| w[1] == w[0] + 1) && numbers.len() == people
    );

    // Call-next: every counter at once, until the queue is empty.
    let started = Instant::now();
    let mut called = Vec::new();
    let mut each = Vec::new();
    loop {
        let round = futures_util::future::join_all((1..=counters).map(|i| {
            let req = api
                .post(&format!("{base}/call"))
                .bearer_auth(&clerk)
                .json(&json!({"counter": format!("g{i}")}));
            async move {
                let s = Instant::now();
                let a = send(req).await;
                (a, s.elapsed())
            }
        }))
        .await;
        let mut empty = false;
        for (a, d) in round {
            each.push(d);
            match a.status {
                200 => called.push(a.body["number"].as_u64().unwrap_or(0)),
                409 if a.body["code"] == "queue_empty" => empty = true,
                s => panic!("call-next answered {s}: {}", a.body),
            }
        }
        if empty {
            break;
        }
    }
    let total = started.elapsed();
    report("call-next", each.len(), total, each);
    let n = called.len();
    called.sort();
    called.dedup();
    println!(
        "  {} counters called {n} tickets, each once: {}",
        counters,
        called.len() == n && n == people
    );
}
