//! The bar, in-process: 200 ballots of 200 citizens at once (200
//! futures of the real handler, against the local emulator's DynamoDB) are
//! counted exactly 200, and one citizen's two ballots at once count once.
//! (Through `cargo lambda watch` the black-box test keeps 50 in flight: the
//! local stand-in for Lambda stalls with hundreds of open invocations.)

use baladiya::domain::{Permission, Service};
use baladiya::fixtures::{body_json, citizen_token, request, staff_token};
use polls::{Ctx, handle};
use serde_json::{Value, json};

async fn call(ctx: &Ctx, method: &str, path: &str, token: &str, body: &str) -> (u16, Value) {
    let res = handle(ctx, request(method, path, token, body)).await;
    (res.status().as_u16(), body_json(&res))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_ballots_at_once_count_200_and_a_double_ballot_once() {
    let ctx: &'static Ctx = Box::leak(Box::new(baladiya::fixtures::context(Ctx::new)));
    let m = baladiya::fixtures::municipality(&ctx.store, "vote", Service::Polls).await;
    let clerk = staff_token(&m, &[Permission::Polls]);
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let poll = json!({
        "title": {"ar": "سؤال", "fr": "Question"},
        "kind": "multiple",
        "max_choices": 2,
        "choices": [{"text": {"ar": "أ", "fr": "A"}}, {"text": {"ar": "ب", "fr": "B"}}, {"text": {"ar": "ج", "fr": "C"}}],
        "opens_at": fmt(now - time::Duration::minutes(1)),
        "closes_at": fmt(now + time::Duration::hours(1)),
        "eligibility": {"who": "anyone"}
    });
    let base = format!("/v1/municipalities/{m}/polls");
    let (s, created) = call(ctx, "POST", &base, &clerk, &poll.to_string()).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (s, p) = call(ctx, "POST", &format!("{base}/{id}/publication"), &clerk, "").await;
    assert_eq!(s, 200, "{p}");

    // 200 citizens at once: citizen i picks choice i % 3 + 1, and every
    // fourth one the next choice too.
    let ballot = format!("{base}/{id}/ballot");
    let voters: Vec<(String, Vec<String>)> = (0..200)
        .map(|i| {
            let mut c = vec![(i % 3 + 1).to_string()];
            if i % 4 == 0 {
                c.push(((i + 1) % 3 + 1).to_string());
            }
            (citizen_token(), c)
        })
        .collect();
    let casts = voters.iter().map(|(t, c)| {
        let req = request("PUT", &ballot, t, &json!({ "choices": c }).to_string());
        tokio::spawn(async move { handle(ctx, req).await.status().as_u16() })
    });
    // One citizen's two ballots at the same moment, with the crowd.
    let twice = citizen_token();
    let doubles = ["1", "2"].map(|c| {
        let req = request(
            "PUT",
            &ballot,
            &twice,
            &json!({ "choices": [c] }).to_string(),
        );
        tokio::spawn(async move { handle(ctx, req).await.status().as_u16() })
    });
    let (crowd, doubled) = tokio::join!(
        futures_util::future::join_all(casts),
        futures_util::future::join_all(doubles)
    );
    for s in crowd.into_iter().chain(doubled) {
        assert_eq!(s.expect("no panic"), 200);
    }
    let (_, mine) = call(ctx, "GET", &ballot, &twice, "").await;
    assert_eq!(mine["version"], 2, "the later replaced the earlier: {mine}");
    let last: usize = mine["choices"][0].as_str().unwrap().parse().unwrap();

    let mut expected = [0i64; 3];
    for (_, c) in &voters {
        for x in c {
            expected[x.parse::<usize>().unwrap() - 1] += 1;
        }
    }
    expected[last - 1] += 1;
    let (s, r) = call(ctx, "GET", &format!("{base}/{id}/results"), &clerk, "").await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["results"]["participants"], 201, "{r}");
    let votes: Vec<i64> = r["results"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["votes"].as_i64().unwrap())
        .collect();
    assert_eq!(votes, expected, "{r}");
}
