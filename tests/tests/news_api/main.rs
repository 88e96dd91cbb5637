//! Black-box tests of news over HTTP, against the running local stack
//! (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

mod broadcast;

async fn municipality(api: &Api) -> String {
    // Complaints too: their areas are what followers choose.
    municipality_with(
        api,
        "news",
        json!({"news": "ACTIVATED", "complaints": "ACTIVATED"}),
    )
    .await
}

fn editor(m: &str) -> String {
    staff(m, None, &[Permission::News])
}

fn post(category: &str, title_fr: &str, deadline: Option<Value>) -> Value {
    let mut p = json!({
        "category": category,
        "title": {"ar": "بلاغ بلدي", "fr": title_fr},
        "body": {"ar": "نص البلاغ", "fr": format!("Texte de « {title_fr} » & détails")}
    });
    if let Some(d) = deadline {
        p["deadline"] = d;
    }
    p
}

async fn create(api: &Api, m: &str, body: &Value) -> Answer {
    send(
        api.post(&format!("/v1/municipalities/{m}/news"))
            .bearer_auth(editor(m))
            .json(body),
    )
    .await
}

async fn publish(api: &Api, m: &str, id: &str, body: Value) -> Answer {
    send(
        api.post(&format!("/v1/municipalities/{m}/news/{id}/publication"))
            .bearer_auth(editor(m))
            .json(&body),
    )
    .await
}

async fn listed(api: &Api, m: &str, query: &str) -> Vec<String> {
    let a = send(api.get(&format!("/v1/municipalities/{m}/news{query}"))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The feed, read by an independent Atom parser (`atom_syndication`).
async fn feed(api: &Api, m: &str, query: &str) -> atom_syndication::Feed {
    let r = api
        .get(&format!("/v1/municipalities/{m}/news/feed.atom{query}"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let text = r.text().await.unwrap();
    text.parse::<atom_syndication::Feed>()
        .unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn drafts_are_unseen_published_posts_are_listed_and_in_the_atom_feeds() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let d = create(
        &api,
        &m,
        &post("works", "Coupure d'eau rue de Marseille", None),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.body);
    let id = d.body["id"].as_str().unwrap().to_owned();
    assert_eq!(d.body["status"], "draft");
    assert_eq!(
        send(api.get(&format!("/v1/municipalities/{m}/news/{id}")))
            .await
            .status,
        404
    );
    assert!(listed(&api, &m, "").await.is_empty());
    assert_eq!(
        send(api.get(&format!("/v1/municipalities/{m}/news?status=draft")))
            .await
            .status,
        403
    );

    let p = publish(&api, &m, &id, json!({})).await;
    assert_eq!(
        (p.status, p.body["status"].as_str()),
        (200, Some("published")),
        "{}",
        p.body
    );
    assert_eq!(listed(&api, &m, "").await, vec![id.clone()]);
    let tender = create(
        &api,
        &m,
        &post(
            "tenders",
            "Appel d'offres : éclairage public",
            Some(json!({"reference": "AO-2026-07", "closes_at": "2030-01-15T12:00:00+01:00"})),
        ),
    )
    .await;
    assert_eq!(tender.status, 201, "{}", tender.body);
    let tid = tender.body["id"].as_str().unwrap().to_owned();
    publish(&api, &m, &tid, json!({})).await;
    let page = send(api.get(&format!("/v1/municipalities/{m}/news/{tid}"))).await;
    assert_eq!(
        (
            page.body["closed"].as_bool(),
            page.body["deadline"]["closes_at"].as_str()
        ),
        (Some(false), Some("2030-01-15T11:00:00Z"))
    );
    assert_eq!(
        listed(&api, &m, "?category=tenders").await,
        vec![tid.clone()]
    );

    let all = feed(&api, &m, "").await;
    assert_eq!(all.entries().len(), 2);
    let e = all
        .entries()
        .iter()
        .find(|e| e.id().ends_with(&id))
        .expect("the works post is in the feed");
    assert_eq!(e.title().as_str(), "Coupure d'eau rue de Marseille");
    assert_eq!(e.categories()[0].term(), "works");
    assert!(
        e.content()
            .and_then(|c| c.value())
            .unwrap()
            .contains("« Coupure d'eau rue de Marseille » & détails")
    );
    assert!(e.published().is_some());
    let tenders = feed(&api, &m, "?category=tenders").await;
    assert_eq!(tenders.entries().len(), 1);
    assert!(tenders.entries()[0].id().ends_with(&tid));

    // Edited with the version read; a stale version is refused.
    let etag = send(
        api.get(&format!("/v1/municipalities/{m}/news/{id}"))
            .bearer_auth(editor(&m)),
    )
    .await
    .headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let edited = send(
        api.put(&format!("/v1/municipalities/{m}/news/{id}"))
            .bearer_auth(editor(&m))
            .header("if-match", &etag)
            .json(&post(
                "works",
                "Coupure d'eau rue de Marseille (prolongée)",
                None,
            )),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let stale = send(
        api.put(&format!("/v1/municipalities/{m}/news/{id}"))
            .bearer_auth(editor(&m))
            .header("if-match", &etag)
            .json(&post("works", "x", None)),
    )
    .await;
    assert_eq!(stale.status, 412);

    // Archived: off the current list, in the archive.
    let a = send(
        api.post(&format!("/v1/municipalities/{m}/news/{id}/archive"))
            .bearer_auth(editor(&m)),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(listed(&api, &m, "").await, vec![tid]);
    assert_eq!(listed(&api, &m, "?status=archived").await, vec![id]);
}

#[tokio::test]
async fn a_scheduled_post_shows_only_once_the_scheduler_publishes_it() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let d = create(&api, &m, &post("activities", "Festival de la médina", None)).await;
    let id = d.body["id"].as_str().unwrap().to_owned();
    // A follower with the app: told when it is published, not before.
    let (follower, devices) = broadcast::citizen_with_devices(&api, 1, "fr").await;
    broadcast::follow(&api, &m, &follower, None).await;
    // An hour ahead: the scheduler, run now, leaves it; run as EventBridge
    // would at that hour, it publishes it.
    let due = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let at = due
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let s = publish(&api, &m, &id, json!({"at": at, "broadcast": {}})).await;
    assert_eq!(
        (s.status, s.body["status"].as_str()),
        (200, Some("scheduled")),
        "{}",
        s.body
    );

    assert_eq!(s.body["broadcast"]["status"], "planned", "{}", s.body);
    // Before its time: not listed, not found, not in the feed, not published
    // by the scheduler, not broadcast.
    run_scheduler(&api);
    run_notifications_sweep(&api);
    assert!(pushes_to(&devices[0]).await.is_empty());
    assert!(listed(&api, &m, "").await.is_empty());
    assert_eq!(
        send(api.get(&format!("/v1/municipalities/{m}/news/{id}")))
            .await
            .status,
        404
    );
    assert!(feed(&api, &m, "").await.entries().is_empty());
    let staff_view = send(
        api.get(&format!("/v1/municipalities/{m}/news?status=scheduled"))
            .bearer_auth(editor(&m)),
    )
    .await;
    assert_eq!(staff_view.body["items"][0]["id"], id.as_str());

    let report = run_scheduler_at(&api, due + time::Duration::seconds(1));
    assert!(report["news_published"].as_u64().unwrap() >= 1, "{report}");
    assert!(report["news_broadcast"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(listed(&api, &m, "").await, vec![id.clone()]);
    let device = devices[0].clone();
    eventually("the broadcast, once published", || {
        let d = device.clone();
        async move { pushes_to(&d).await.len() == 1 }
    })
    .await;
    // Twice over: published once.
    run_scheduler_at(&api, due + time::Duration::seconds(2));
    let p = send(api.get(&format!("/v1/municipalities/{m}/news/{id}"))).await;
    assert_eq!(
        (p.status, p.body["status"].as_str()),
        (200, Some("published"))
    );
    assert_eq!(feed(&api, &m, "").await.entries().len(), 1);
    run_notifications_sweep(&api);
    assert_eq!(pushes_to(&devices[0]).await.len(), 1, "once");
}

#[tokio::test]
async fn news_refuses_bad_input_and_strangers() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    // (body, the field refused)
    let cases = [
        (post("jobs", "Recrutement", None), "deadline"),
        (
            post(
                "tenders",
                "AO",
                Some(json!({"reference": "AO-1", "closes_at": "2020-01-01T00:00:00Z"})),
            ),
            "deadline.closes_at",
        ),
        (
            post(
                "works",
                "Travaux",
                Some(json!({"reference": "X", "closes_at": "2030-01-01T00:00:00Z"})),
            ),
            "deadline",
        ),
        (
            json!({"category": "works", "title": {"ar": "", "fr": "x"}, "body": {"fr": "y"}}),
            "title",
        ),
    ];
    for (body, field) in cases {
        let a = create(&api, &m, &body).await;
        assert_eq!(
            (a.status, a.body["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {}",
            a.body
        );
    }
    let unknown = create(&api, &m, &post("horoscope", "x", None)).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        send(api.get(&format!("/v1/municipalities/{m}/news?category=horoscope")))
            .await
            .status,
        400
    );

    let d = create(&api, &m, &post("announcement", "Avis", None)).await;
    let id = d.body["id"].as_str().unwrap().to_owned();
    let past = publish(&api, &m, &id, json!({"at": "2020-01-01T00:00:00Z"})).await;
    assert_eq!(past.body["errors"][0]["field"], "at");
    // A document that is not a PDF is refused before any upload.
    let doc = send(
        api.post(&format!("/v1/municipalities/{m}/news/{id}/attachments"))
            .bearer_auth(editor(&m))
            .json(&json!({"kind": "document", "content_type": "image/png", "size": 100})),
    )
    .await;
    assert_eq!(doc.status, 422);
    // A PDF uploaded before publication shows with the post.
    let start = send(
        api.post(&format!("/v1/municipalities/{m}/news/{id}/attachments"))
            .bearer_auth(editor(&m))
            .json(&json!({"kind": "document", "content_type": "application/pdf", "size": SMALL_PDF.len()})),
    )
    .await;
    assert_eq!(start.status, 201, "{}", start.body);
    let put = api
        .http
        .put(start.body["upload"]["url"].as_str().unwrap())
        .header("content-type", "application/pdf")
        .body(SMALL_PDF.to_vec())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    publish(&api, &m, &id, json!({})).await;
    let page = send(api.get(&format!("/v1/municipalities/{m}/news/{id}"))).await;
    assert_eq!(
        page.body["documents"][0]["status"], "ready",
        "{}",
        page.body
    );

    let other = municipality(&api).await;
    assert_eq!(
        send(
            api.get(&format!("/v1/municipalities/{m}/news?status=draft"))
                .bearer_auth(editor(&other))
        )
        .await
        .status,
        404
    );
    assert_eq!(
        send(
            api.post(&format!("/v1/municipalities/{m}/news/{id}/archive"))
                .bearer_auth(editor(&other))
        )
        .await
        .status,
        404
    );
    assert_eq!(
        create(&api, &m, &post("works", "x", None)).await.status,
        201
    );
    let citizen_try = send(
        api.post(&format!("/v1/municipalities/{m}/news"))
            .bearer_auth(citizen())
            .json(&post("works", "x", None)),
    )
    .await;
    assert_eq!(citizen_try.status, 403);
}

/// A draft written twice with one `Idempotency-Key` (a retry) is one draft.
#[tokio::test]
async fn a_retried_draft_is_written_once() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let token = editor(&m);
    let body = post("announcement", "Avis de réunion", None);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let a = send(
            api.post(&format!("/v1/municipalities/{m}/news"))
                .bearer_auth(&token)
                .header("idempotency-key", "draft-0001")
                .json(&body),
        )
        .await;
        assert_eq!(a.status, 201, "{}", a.body);
        ids.push(a.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids[0], ids[1]);
    let drafts = send(
        api.get(&format!("/v1/municipalities/{m}/news?status=draft"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 1);
}
