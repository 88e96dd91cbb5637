//! Places and the waiting list: never more places taken than the capacity,
//! however many ask at once; a freed place goes to the first in line, who is
//! told; one person asking twice at once counts once.

use futures_util::StreamExt;
use futures_util::future::join_all;

use super::*;

async fn mine(api: &Api, m: &str, id: &str, token: &str) -> Value {
    let a = send(
        api.get(&format!("/v1/municipalities/{m}/events/{id}/attendance"))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

#[tokio::test]
async fn forty_ask_for_ten_places_at_once_ten_get_one_and_thirty_wait_in_line() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let e = create(&api, &m, &event(3 * 86400, 2, Some(10))).await;
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (e["places_left"].as_u64(), e["waiting"].as_u64()),
        (Some(10), Some(0))
    );

    // 40 people, all at once (at most 50 in flight: `cargo lambda watch`
    // stalls with hundreds), and one of them twice at the same moment.
    let crowd: Vec<String> = (0..40).map(|_| citizen()).collect();
    let (r_api, r_m, r_id) = (&api, &m, &id);
    let asks = futures_util::stream::iter(
        crowd
            .iter()
            .map(|t| async move { mark(r_api, r_m, r_id, t, json!({"mark": "going"})).await }),
    )
    .buffer_unordered(50)
    .collect::<Vec<Answer>>();
    let twice = join_all([0, 1].map(|_| {
        let t = &crowd[0];
        async move { mark(r_api, r_m, r_id, t, json!({"mark": "going"})).await }
    }));
    let (answers, twice) = tokio::join!(asks, twice);
    let mut seats = (0, 0);
    for a in &answers {
        assert_eq!(a.status, 200, "{}", a.body);
        match a.body["seat"].as_str() {
            Some("registered") => seats.0 += 1,
            Some("waiting") => seats.1 += 1,
            other => panic!("a seat: {other:?}"),
        }
    }
    for a in &twice {
        assert!(a.status == 200 || a.status == 409, "{}", a.body);
    }
    // Whatever the twice-asking person got, they hold one place or one turn.
    assert_eq!(seats.0, 10, "places taken: {seats:?}");
    let p = page(&api, &m, &id).await;
    assert_eq!(p["going"], 10, "{p}");
    assert_eq!(p["waiting"], 30, "{p}");
    assert_eq!(p["places_left"], 0, "{p}");
    // Full, and no waiting list asked for: a clear refusal, nothing written.
    let late = citizen();
    mark(
        &api,
        &m,
        &id,
        &late,
        json!({"mark": "going", "waiting_list": false}),
    )
    .await
    .assert_problem(409, "event_full");
    assert_eq!(page(&api, &m, &id).await["waiting"], 30);
    // Staff see who: 40 marks.
    let who = send(
        api.get(&format!(
            "/v1/municipalities/{m}/events/{id}/attendees?limit=100"
        ))
        .bearer_auth(organiser(&m)),
    )
    .await;
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(who.body["items"].as_array().unwrap().len(), 40);
}

#[tokio::test]
async fn a_freed_place_goes_to_the_first_in_line_who_is_told() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let e = create(&api, &m, &event(3 * 86400, 2, Some(1))).await;
    let id = e["id"].as_str().unwrap().to_owned();
    let (a, b, c) = (person(&api).await, person(&api).await, person(&api).await);
    let got = mark(&api, &m, &id, &a, json!({"mark": "going"})).await;
    assert_eq!(got.body["seat"], "registered", "{}", got.body);
    let got = mark(&api, &m, &id, &b, json!({"mark": "going"})).await;
    assert_eq!(
        (got.body["seat"].as_str(), got.body["ahead"].as_u64()),
        (Some("waiting"), Some(0))
    );
    let got = mark(&api, &m, &id, &c, json!({"mark": "going"})).await;
    assert_eq!(
        (got.body["seat"].as_str(), got.body["ahead"].as_u64()),
        (Some("waiting"), Some(1))
    );
    // Asking again keeps one's turn.
    let again = mark(&api, &m, &id, &c, json!({"mark": "going"})).await;
    assert_eq!(again.body["ahead"], 1, "{}", again.body);

    // A gives up the place: B has it, and is told; C is next.
    let gone = send(
        api.delete(&format!("/v1/municipalities/{m}/events/{id}/attendance"))
            .bearer_auth(&a),
    )
    .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(mine(&api, &m, &id, &b).await["seat"], "registered");
    assert_eq!(mine(&api, &m, &id, &c).await["ahead"], 0);
    let p = page(&api, &m, &id).await;
    assert_eq!(
        (p["going"].as_u64(), p["waiting"].as_u64()),
        (Some(1), Some(1)),
        "{p}"
    );
    eventually("B told of the place", || async {
        told(&api, &b, &id).await == ["registered"]
    })
    .await;

    // B turns "interested": the place goes to C.
    let b2 = mark(&api, &m, &id, &b, json!({"mark": "interested"})).await;
    assert_eq!(b2.status, 200, "{}", b2.body);
    assert_eq!(mine(&api, &m, &id, &c).await["seat"], "registered");
    // Staff raise the capacity to 3: the next in line (A again) gets one.
    let back = mark(&api, &m, &id, &a, json!({"mark": "going"})).await;
    assert_eq!(back.body["seat"], "waiting", "{}", back.body);
    let mut more = event(3 * 86400, 2, Some(3));
    more["start"] = e["start"].clone();
    more["end"] = e["end"].clone();
    let r = send(
        api.put(&format!("/v1/municipalities/{m}/events/{id}"))
            .bearer_auth(organiser(&m))
            .json(&more),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["sequence"], 0,
        "capacity is no change of time or place"
    );
    assert_eq!(
        (r.body["going"].as_u64(), r.body["places_left"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(mine(&api, &m, &id, &a).await["seat"], "registered");
    // Capacity below the places taken: refused.
    let mut less = more.clone();
    less["capacity"] = json!(1);
    let r = send(
        api.put(&format!("/v1/municipalities/{m}/events/{id}"))
            .bearer_auth(organiser(&m))
            .json(&less),
    )
    .await;
    r.assert_problem(422, "invalid_field");
}
