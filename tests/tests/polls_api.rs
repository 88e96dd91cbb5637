//! Black-box tests of polls over HTTP, against the running local stack
//! (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

async fn municipality(api: &Api) -> String {
    // Complaints too: their areas are the ones a follower chooses.
    municipality_with(
        api,
        "pol",
        json!({"polls": "ACTIVATED", "complaints": "ACTIVATED"}),
    )
    .await
}

fn at(offset_secs: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs))
        .format(&Rfc3339)
        .unwrap()
}

fn poll(kind: &str, n: usize, opens: i64, closes: i64, eligibility: Value) -> Value {
    let choices: Vec<Value> = (1..=n)
        .map(|i| json!({"text": {"ar": format!("الخيار {i}"), "fr": format!("Choix {i}")}}))
        .collect();
    json!({
        "title": {"ar": "أين نهيّئ الحديقة الجديدة؟", "fr": "Où aménager le nouveau jardin ?"},
        "kind": kind,
        "choices": choices,
        "opens_at": at(opens),
        "closes_at": at(closes),
        "eligibility": eligibility
    })
}

/// Staff write and publish a poll; its id.
async fn published(api: &Api, m: &str, staff: &str, body: Value) -> String {
    let c = send(
        api.post(&format!("/v1/municipalities/{m}/polls"))
            .bearer_auth(staff)
            .json(&body),
    )
    .await;
    assert_eq!(c.status, 201, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    let p = send(
        api.post(&format!("/v1/municipalities/{m}/polls/{id}/publication"))
            .bearer_auth(staff),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    id
}

async fn vote(api: &Api, m: &str, id: &str, token: &str, choices: &[&str]) -> Answer {
    send(
        api.put(&format!("/v1/municipalities/{m}/polls/{id}/ballot"))
            .bearer_auth(token)
            .json(&json!({ "choices": choices })),
    )
    .await
}

async fn results(api: &Api, m: &str, id: &str, token: Option<&str>) -> Answer {
    let mut req = api.get(&format!("/v1/municipalities/{m}/polls/{id}/results"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    send(req).await
}

fn votes(r: &Value) -> Vec<i64> {
    r["results"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["votes"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn two_hundred_ballots_at_once_are_counted_exactly_and_a_double_vote_once() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let clerk = staff(&m, None, &[Permission::Polls]);
    let id = published(
        &api,
        &m,
        &clerk,
        poll("single", 3, -60, 3600, json!({"who": "anyone"})),
    )
    .await;

    // 200 citizens, 50 ballots in flight at a time (`cargo lambda watch`, the
    // local stand-in for Lambda, stalls with hundreds of open invocations; the
    // 200 at once run in-process in functions/polls/tests/concurrency.rs),
    // choice i % 3 + 1; and one citizen twice at the same moment.
    let voters: Vec<String> = (0..200).map(|_| citizen()).collect();
    let twice = citizen();
    let choices: Vec<String> = (0..200).map(|i| ((i % 3) + 1).to_string()).collect();
    let (r_api, r_m, r_id) = (&api, &m, &id);
    let crowd = futures_util::stream::iter(
        voters
            .iter()
            .zip(&choices)
            .map(|(t, c)| async move { vote(r_api, r_m, r_id, t, &[c.as_str()]).await }),
    )
    .buffer_unordered(50)
    .collect::<Vec<Answer>>();
    let doubled = join_all(["1", "2"].map(|c| {
        let twice = &twice;
        async move { vote(r_api, r_m, r_id, twice, &[c]).await }
    }));
    let (crowd, doubled) = tokio::join!(crowd, doubled);
    for a in crowd.iter().chain(&doubled) {
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let mine = send(
        api.get(&format!("/v1/municipalities/{m}/polls/{id}/ballot"))
            .bearer_auth(&twice),
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body["version"], 2, "the later replaced the earlier");
    let last = mine.body["choices"][0].as_str().unwrap().to_owned();

    // Hidden while open: not the public's, not a citizen's; staff's, recorded.
    assert_eq!(results(&api, &m, &id, None).await.status, 401);
    let peek = results(&api, &m, &id, Some(&voters[0])).await;
    assert_eq!(peek.status, 403, "{}", peek.body);
    assert!(peek.body.get("results").is_none());
    let r = results(&api, &m, &id, Some(&clerk)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["results"]["participants"], 201, "{}", r.body);
    let mut expected = vec![67, 67, 66];
    expected[last.parse::<usize>().unwrap() - 1] += 1;
    assert_eq!(votes(&r.body), expected, "{}", r.body);
    assert_eq!(r.headers["cache-control"], "no-store");
    let looks = send(
        api.get(&format!("/v1/municipalities/{m}/polls/{id}/looks"))
            .bearer_auth(&clerk),
    )
    .await;
    assert_eq!(looks.status, 200, "{}", looks.body);
    assert_eq!(looks.body["items"].as_array().unwrap().len(), 1);
    // The CSV too: the public's only once public; staff's, not cached, recorded.
    let csv_path = format!("{}/v1/municipalities/{m}/polls/{id}/results.csv", api.base);
    let hidden = api.http.get(&csv_path).send().await.unwrap();
    assert_eq!(hidden.status(), 401);
    let staff_csv = api
        .http
        .get(&csv_path)
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(staff_csv.status(), 200);
    assert_eq!(staff_csv.headers()["cache-control"], "no-store");
    let looks = send(
        api.get(&format!("/v1/municipalities/{m}/polls/{id}/looks"))
            .bearer_auth(&clerk),
    )
    .await;
    let items = looks.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "every look: {}", looks.body);
    assert!(
        items
            .iter()
            .all(|l| l["by"].as_str().unwrap().starts_with("usr_"))
    );

    // A ballot replaced: counts move, participants stay.
    let again = vote(&api, &m, &id, &voters[0], &["3"]).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let r = results(&api, &m, &id, Some(&clerk)).await;
    assert_eq!(r.body["results"]["participants"], 201);
    assert_eq!(votes(&r.body).iter().sum::<i64>(), 201);
    expected[0] -= 1;
    expected[2] += 1;
    assert_eq!(votes(&r.body), expected);
}

#[tokio::test]
async fn who_may_vote_when_and_what_the_public_sees() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let clerk = staff(&m, None, &[Permission::Polls]);
    let area = send(
        api.put(&format!("/v1/municipalities/{m}/areas/el-menzah"))
            .bearer_auth(staff(&m, None, &[Permission::Complaints]))
            .json(&json!({"name": {"ar": "المنزه", "fr": "El Menzah"}})),
    )
    .await;
    assert_eq!(area.status, 200, "{}", area.body);

    // Bad polls and ballots: (body, field).
    let mut single_max = poll("single", 3, -60, 3600, json!({"who": "anyone"}));
    single_max["max_choices"] = json!(2);
    let cases = [
        (
            poll("single", 1, -60, 3600, json!({"who": "anyone"})),
            "choices",
        ),
        (single_max, "max_choices"),
        (
            poll("single", 2, 3600, 60, json!({"who": "anyone"})),
            "closes_at",
        ),
        (
            poll(
                "single",
                2,
                -60,
                3600,
                json!({"who": "area", "area": "Not A Code"}),
            ),
            "eligibility.area",
        ),
    ];
    for (body, field) in cases {
        let r = send(
            api.post(&format!("/v1/municipalities/{m}/polls"))
                .bearer_auth(&clerk)
                .json(&body),
        )
        .await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    let anonymous = send(
        api.post(&format!("/v1/municipalities/{m}/polls"))
            .json(&poll("single", 2, -60, 3600, json!({"who": "anyone"}))),
    )
    .await;
    assert_eq!(anonymous.status, 401);

    // A draft: staff's only, written once per key, rewritten with If-Match.
    let body = poll(
        "multiple",
        4,
        -60,
        3600,
        json!({"who": "area", "area": "el-menzah"}),
    );
    let create = || {
        send(
            api.post(&format!("/v1/municipalities/{m}/polls"))
                .bearer_auth(&clerk)
                .header("idempotency-key", "poll-area-0001")
                .json(&body),
        )
    };
    let d = create().await;
    assert_eq!(d.status, 201, "{}", d.body);
    assert_eq!(create().await.body["id"], d.body["id"]);
    let id = d.body["id"].as_str().unwrap().to_owned();
    let page = format!("/v1/municipalities/{m}/polls/{id}");
    assert_eq!(send(api.get(&page)).await.status, 404);
    let drafts = send(
        api.get(&format!("/v1/municipalities/{m}/polls?status=draft"))
            .bearer_auth(&clerk),
    )
    .await;
    assert_eq!(
        drafts.body["items"][0]["id"],
        id.as_str(),
        "{}",
        drafts.body
    );
    let mut rewritten = body.clone();
    rewritten["max_choices"] = json!(2);
    rewritten["live_results"] = json!(true);
    let e = send(
        api.put(&page)
            .bearer_auth(&clerk)
            .header("if-match", "\"1\"")
            .json(&rewritten),
    )
    .await;
    assert_eq!(e.status, 200, "{}", e.body);
    let p = send(api.post(&format!("{page}/publication")).bearer_auth(&clerk)).await;
    assert_eq!(
        (p.status, p.body["phase"].as_str()),
        (200, Some("open")),
        "{}",
        p.body
    );
    let late_edit = send(
        api.put(&page)
            .bearer_auth(&clerk)
            .header("if-match", "\"3\"")
            .json(&rewritten),
    )
    .await;
    assert_eq!(late_edit.status, 409, "{}", late_edit.body);

    // Who may vote: those who follow el-menzah; a resident counts as such.
    let signed = |phone: String| {
        let api = &api;
        async move {
            let t = sign_in(api, &phone).await;
            t["access_token"].as_str().unwrap().to_owned()
        }
    };
    let (resident, other, stranger, elsewhere) = (
        signed(unique_phone()).await,
        signed(unique_phone()).await,
        signed(unique_phone()).await,
        signed(unique_phone()).await,
    );
    for (t, areas) in [
        (&resident, json!({"areas": ["el-menzah"]})),
        (&other, json!({"areas": ["el-menzah"]})),
        (&elsewhere, json!({})),
    ] {
        let f = send(
            api.put(&format!("/v1/me/follows/{m}"))
                .bearer_auth(t)
                .json(&areas),
        )
        .await;
        assert_eq!(f.status, 204, "{}", f.body);
    }
    let home = send(
        api.patch("/v1/me")
            .bearer_auth(&resident)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", "\"1\"")
            .body(json!({"municipality": m}).to_string()),
    )
    .await;
    assert_eq!(home.status, 200, "{}", home.body);
    for (t, code) in [(&stranger, "not_eligible"), (&elsewhere, "not_eligible")] {
        let r = vote(&api, &m, &id, t, &["1"]).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (403, Some(code)),
            "{}",
            r.body
        );
    }
    // (choices, refused field reason)
    for (choices, reason) in [
        (&["1", "2", "3"][..], "too_many"),
        (&["9"][..], "unknown"),
        (&[][..], "empty"),
    ] {
        let r = vote(&api, &m, &id, &resident, choices).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["errors"][0]["reason"], reason);
    }
    assert_eq!(
        vote(&api, &m, &id, &resident, &["1", "2"]).await.status,
        200
    );
    assert_eq!(vote(&api, &m, &id, &other, &["2"]).await.status, 200);
    // A ballot is the person's: in their data export.
    let export = send(api.get("/v1/me/export").bearer_auth(&resident)).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert!(
        export.body.to_string().contains("\"cast_at\""),
        "{}",
        export.body
    );

    // Live results: anyone's while open, split by residents and others.
    let r = results(&api, &m, &id, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (
            &r.body["results"]["participants"],
            &r.body["results"]["residents"],
            &r.body["results"]["others"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(
        r.body["results"]["choices"][1],
        json!({"id": "2", "votes": 2, "residents": 1, "others": 1})
    );
    assert!(
        r.headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );

    // Not open yet; then one that closes: no ballot after, results public.
    let upcoming = published(
        &api,
        &m,
        &clerk,
        poll("single", 2, 3600, 7200, json!({"who": "anyone"})),
    )
    .await;
    let r = vote(&api, &m, &upcoming, &resident, &["1"]).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("poll_not_open")),
        "{}",
        r.body
    );
    let closing = published(
        &api,
        &m,
        &clerk,
        poll("single", 2, -60, 8, json!({"who": "anyone"})),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(9)).await;
    let r = vote(&api, &m, &closing, &resident, &["1"]).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("poll_not_open")),
        "{}",
        r.body
    );
    let r = results(&api, &m, &closing, None).await;
    assert_eq!(
        (r.status, r.body["phase"].as_str()),
        (200, Some("closed")),
        "{}",
        r.body
    );
    let csv = api
        .http
        .get(format!(
            "{}/v1/municipalities/{m}/polls/{id}/results.csv",
            api.base
        ))
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let mut rows = text.split("\r\n");
    assert_eq!(
        rows.next(),
        Some("choice,text_ar,text_fr,votes,residents,others")
    );
    assert_eq!(rows.next(), Some("1,\"الخيار 1\",\"Choix 1\",1,1,0"));
    assert!(text.contains("\r\nparticipants,,,2,1,1\r\n"), "{text}");

    // For followers: one who follows may vote, one who does not may not.
    let followers = published(
        &api,
        &m,
        &clerk,
        poll("single", 2, -60, 3600, json!({"who": "followers"})),
    )
    .await;
    assert_eq!(
        vote(&api, &m, &followers, &elsewhere, &["2"]).await.status,
        200
    );
    let r = vote(&api, &m, &followers, &stranger, &["2"]).await;
    assert_eq!(r.body["code"], "not_eligible", "{}", r.body);

    // Another municipality's staff find nothing, and change nothing.
    let other_m = municipality(&api).await;
    let stranger_staff = staff(&other_m, None, &[Permission::Polls]);
    let draft = send(
        api.post(&format!("/v1/municipalities/{m}/polls"))
            .bearer_auth(&clerk)
            .json(&poll("single", 2, -60, 3600, json!({"who": "anyone"}))),
    )
    .await;
    let draft = draft.body["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/v1/municipalities/{m}/polls?status=draft"),
        format!("/v1/municipalities/{m}/polls/{draft}"),
        format!("/v1/municipalities/{m}/polls/{upcoming}/results"),
        format!("/v1/municipalities/{m}/polls/{upcoming}/results.csv"),
        format!("/v1/municipalities/{m}/polls/{upcoming}/looks"),
        // A poll's id under another municipality is no poll of it.
        format!("/v1/municipalities/{other_m}/polls/{upcoming}"),
    ] {
        let r = send(api.get(&path).bearer_auth(&stranger_staff)).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let r = send(
        api.post(&format!("/v1/municipalities/{m}/polls/{draft}/publication"))
            .bearer_auth(&stranger_staff),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = send(
        api.put(&format!("/v1/municipalities/{m}/polls/{draft}"))
            .bearer_auth(&stranger_staff)
            .header("if-match", "\"1\"")
            .json(&poll("single", 2, -60, 3600, json!({"who": "anyone"}))),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = vote(&api, &m, &followers, &stranger_staff, &["1"]).await;
    assert_eq!(r.status, 404, "{}", r.body);
    // An area that does not exist is refused when the poll is written.
    let r = send(
        api.post(&format!("/v1/municipalities/{m}/polls"))
            .bearer_auth(&clerk)
            .json(&poll(
                "single",
                2,
                -60,
                3600,
                json!({"who": "area", "area": "nowhere"}),
            )),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["errors"][0]["reason"], "unknown_area");
}

#[tokio::test]
async fn staff_give_a_poll_more_time_or_close_it_early_and_its_results_are_then_public() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let clerk = staff(&m, None, &[Permission::Polls]);
    let id = published(
        &api,
        &m,
        &clerk,
        poll("single", 2, -60, 3600, json!({"who": "anyone"})),
    )
    .await;
    let closing = format!("/v1/municipalities/{m}/polls/{id}/closing");
    assert_eq!(vote(&api, &m, &id, &citizen(), &["1"]).await.status, 200);
    // Hidden while open.
    assert_eq!(results(&api, &m, &id, None).await.status, 401);
    // More time: a day later.
    let later = at(86_400);
    let longer = send(
        api.post(&closing)
            .bearer_auth(&clerk)
            .json(&json!({"closes_at": later})),
    )
    .await;
    assert_eq!(longer.status, 200, "{}", longer.body);
    // Kept to the second, in UTC.
    assert_eq!(longer.body["closes_at"], format!("{}Z", &later[..19]));
    assert_eq!(longer.body["phase"], "open");
    // Not in the past; not by a citizen.
    let back = send(
        api.post(&closing)
            .bearer_auth(&clerk)
            .json(&json!({"closes_at": at(-3600)})),
    )
    .await;
    back.assert_problem(422, "invalid_field");
    send(api.post(&closing).bearer_auth(citizen()).json(&json!({})))
        .await
        .assert_problem(403, "forbidden");
    // Closed now: no more ballots, the results are the public's.
    let closed = send(api.post(&closing).bearer_auth(&clerk).json(&json!({}))).await;
    assert_eq!(
        (closed.status, closed.body["phase"].as_str()),
        (200, Some("closed")),
        "{}",
        closed.body
    );
    vote(&api, &m, &id, &citizen(), &["2"])
        .await
        .assert_problem(409, "poll_not_open");
    let r = results(&api, &m, &id, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(votes(&r.body), vec![1, 0]);
    // A closed poll stays closed.
    send(
        api.post(&closing)
            .bearer_auth(&clerk)
            .json(&json!({"closes_at": at(7200)})),
    )
    .await
    .assert_problem(409, "transition_not_allowed");
}
