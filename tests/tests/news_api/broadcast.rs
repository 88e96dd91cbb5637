//! Publishing with a broadcast: a push to each follower's devices, once —
//! through the outbox and the notifications function, however often it runs —
//! and to an area's followers only when it targets one; one a week unless urgent.

use super::*;

/// A signed-in citizen with `devices` push tokens registered; their access
/// token and the tokens.
pub(super) async fn citizen_with_devices(
    api: &Api,
    devices: usize,
    lang: &str,
) -> (String, Vec<String>) {
    let t = sign_in_speaking(api, &unique_phone(), lang).await;
    let access = t["access_token"].as_str().unwrap().to_owned();
    let mut tokens = Vec::new();
    for i in 0..devices {
        let token = format!("fcm-{}", ulid::Ulid::new());
        let body = json!({ "platform": "fcm", "token": token, "name": format!("phone {i}") });
        let d = send(api.post("/v1/me/devices").bearer_auth(&access).json(&body)).await;
        assert_eq!(d.status, 201, "{}", d.body);
        tokens.push(token);
    }
    (access, tokens)
}

pub(super) async fn follow(api: &Api, m: &str, access: &str, body: Option<Value>) {
    let mut req = api.put(&format!("/v1/me/follows/{m}")).bearer_auth(access);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let a = send(req).await;
    assert_eq!(a.status, 204, "{}", a.body);
}

async fn area(api: &Api, m: &str, code: &str) {
    let a = send(
        api.put(&format!("/v1/municipalities/{m}/areas/{code}"))
            .bearer_auth(staff(m, None, &[Permission::Complaints]))
            .json(&json!({ "name": { "ar": "البحيرة", "fr": "Les Berges du Lac" } })),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

async fn counts(tokens: &[&String]) -> Vec<usize> {
    let mut out = Vec::new();
    for t in tokens {
        out.push(pushes_to(t).await.len());
    }
    out
}

#[tokio::test]
async fn a_broadcast_reaches_each_followers_devices_once() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    area(&api, &m, "lac").await;
    // A follows the municipality (French), B also its area "lac", D has two
    // devices, C follows nothing, E follows but chose no push.
    let (a, ta) = citizen_with_devices(&api, 1, "fr").await;
    let (b, tb) = citizen_with_devices(&api, 1, "ar").await;
    let (_c, tc) = citizen_with_devices(&api, 1, "fr").await;
    let (d, td) = citizen_with_devices(&api, 2, "fr").await;
    let (e, te) = citizen_with_devices(&api, 1, "fr").await;
    follow(&api, &m, &a, None).await;
    follow(&api, &m, &b, Some(json!({ "areas": ["lac"] }))).await;
    follow(&api, &m, &d, Some(json!({}))).await;
    follow(&api, &m, &e, None).await;
    let unknown = send(
        api.put(&format!("/v1/me/follows/{m}"))
            .bearer_auth(&a)
            .json(&json!({ "areas": ["atlantis"] })),
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(unknown.body["errors"][0]["field"], "areas");
    let me = send(api.get("/v1/me").bearer_auth(&b)).await;
    let chosen = me.body["follows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["municipality"] == m.as_str());
    assert_eq!(chosen.unwrap()["areas"], json!(["lac"]));
    let quiet = send(
        api.patch("/v1/me")
            .bearer_auth(&e)
            .json(&json!({ "notify": "none" })),
    )
    .await;
    assert_eq!(quiet.status, 200, "{}", quiet.body);
    let everyone = [&ta[0], &tb[0], &tc[0], &td[0], &td[1], &te[0]];

    let draft = create(&api, &m, &post("works", "Coupure d'eau à Bab Bhar", None)).await;
    let id = draft.body["id"].as_str().unwrap().to_owned();
    let p = publish(&api, &m, &id, json!({ "broadcast": {} })).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["broadcast"]["status"], "sent", "{}", p.body);
    let brc = p.body["broadcast"]["id"].as_str().unwrap().to_owned();

    let ta0 = ta[0].clone();
    eventually("the followers' pushes", || {
        let ts = [ta0.clone(), tb[0].clone(), td[0].clone(), td[1].clone()];
        async move {
            let mut all = true;
            for t in &ts {
                all &= !pushes_to(t).await.is_empty();
            }
            all
        }
    })
    .await;
    let push: Value = serde_json::from_str(&pushes_to(&ta[0]).await[0]).unwrap();
    assert!(
        push["default"]
            .as_str()
            .unwrap()
            .contains("Coupure d'eau à Bab Bhar"),
        "{push}"
    );
    let gcm: Value = serde_json::from_str(push["GCM"].as_str().unwrap()).unwrap();
    assert_eq!(
        gcm["data"]["path"],
        format!("/v1/municipalities/{m}/news/{id}")
    );
    let ar: Value = serde_json::from_str(&pushes_to(&tb[0]).await[0]).unwrap();
    assert!(ar["default"].as_str().unwrap().contains("بلاغ بلدي"), "{ar}");

    // The notifications function run twice more over the same outbox record,
    // by the stream and by the sweep, and once more after a run that "died"
    // before recording it done (the record due again): nobody gets it twice.
    let pk = format!("M#{m}#OUTBOX#{brc}");
    for _ in 0..2 {
        run_notifications_on(&api, &pk, "BROADCAST", "broadcast");
        run_notifications_sweep(&api);
    }
    store()
        .raw_set(
            &pk,
            "BROADCAST",
            &[
                ("GSI1PK", json!(format!("M#{m}#BROADCASTS"))),
                ("GSI1SK", json!(format!("0000000000#{brc}"))),
            ],
        )
        .await
        .unwrap();
    run_notifications_on(&api, &pk, "BROADCAST", "broadcast");
    run_notifications_sweep(&api);
    run_notifications_sweep(&api);
    assert_eq!(counts(&everyone).await, vec![1, 1, 0, 1, 1, 0]);

    // In the app's notifications too, with where to read it.
    let mine = send(api.get("/v1/me/notifications").bearer_auth(&a)).await;
    let told = &mine.body["items"][0];
    assert_eq!(
        (
            told["id"].as_str(),
            told["about"].as_str(),
            told["news_id"].as_str()
        ),
        (Some(brc.as_str()), Some("news"), Some(id.as_str())),
        "{}",
        mine.body
    );
    assert_eq!(told["path"], format!("/v1/municipalities/{m}/news/{id}"));

    // An edit never sends it again.
    let edit = send(
        api.put(&format!("/v1/municipalities/{m}/news/{id}"))
            .bearer_auth(editor(&m))
            .json(&post(
                "works",
                "Coupure d'eau à Bab Bhar (rétablie à 18 h)",
                None,
            )),
    )
    .await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert_eq!(edit.body["broadcast"]["id"], brc.as_str());

    // A second broadcast the same week is refused, and nothing is published.
    let second = create(&api, &m, &post("activities", "Journée propreté", None)).await;
    let sid = second.body["id"].as_str().unwrap().to_owned();
    let refused = publish(&api, &m, &sid, json!({ "broadcast": {} })).await;
    refused.assert_problem(409, "broadcast_limit");
    let still = send(
        api.get(&format!("/v1/municipalities/{m}/news/{sid}"))
            .bearer_auth(editor(&m)),
    )
    .await;
    assert_eq!(still.body["status"], "draft");
    // Urgent, to the area "lac": only its followers, and not counted.
    let bad = publish(
        &api,
        &m,
        &sid,
        json!({ "broadcast": { "area": "atlantis", "urgent": true } }),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], "broadcast.area");
    let urgent = publish(
        &api,
        &m,
        &sid,
        json!({ "broadcast": { "area": "lac", "urgent": true } }),
    )
    .await;
    assert_eq!(urgent.status, 200, "{}", urgent.body);
    let tb0 = tb[0].clone();
    eventually("the area's follower's second push", || {
        let t = tb0.clone();
        async move { pushes_to(&t).await.len() == 2 }
    })
    .await;
    run_notifications_sweep(&api);
    assert_eq!(counts(&everyone).await, vec![1, 2, 0, 1, 1, 0]);
    let urgent_words = pushes_to(&tb[0]).await.iter().any(|p| {
        let p: Value = serde_json::from_str(p).unwrap();
        p["default"].as_str().unwrap().contains("عاجل")
    });
    assert!(urgent_words, "the urgent push says so");
}
