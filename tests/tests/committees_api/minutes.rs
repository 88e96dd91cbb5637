//! Minutes of a meeting as a published document: draft → approved (by the
//! council, at its next meeting) → published, public only at the end, each
//! step in the trail; listed by their meeting once published.

use super::*;

async fn doc(api: &Api, m: &str, token: &str, body: Value) -> Answer {
    send(
        api.post(&format!("/v1/municipalities/{m}/documents"))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

fn minutes(doc_type: &str, committee: &str, meeting: &str) -> Value {
    json!({
        "type": doc_type,
        "title": {"ar": "محضر الجلسة العادية الأولى", "fr": "PV de la première session ordinaire"},
        "languages": ["ar", "fr"],
        "committee": committee,
        "meeting": meeting
    })
}

async fn new_version(api: &Api, base: &str, token: &str, name: &str) -> Answer {
    let file = upload(
        api,
        &format!("{base}/files"),
        token,
        "application/pdf",
        SMALL_PDF,
    )
    .await;
    send(
        api.post(&format!("{base}/versions"))
            .bearer_auth(token)
            .json(&json!({"files": [{"id": file, "name": name}]})),
    )
    .await
}

async fn step(api: &Api, base: &str, token: &str, body: Value) -> Answer {
    send(
        api.post(&format!("{base}/status"))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn minutes_are_public_only_once_approved_and_published() {
    let api = Api::from_env();
    let m = municipality_with(
        &api,
        "pv",
        json!({"committees": "ACTIVATED", "reports": "ACTIVATED"}),
    )
    .await;
    let council = post(
        &api,
        &m,
        "committees",
        &council(json!([seat(
            "Sonia Ben Ali",
            "president",
            "2023-03-01",
            None
        )])),
        None,
    )
    .await;
    assert_eq!(council.status, 201, "{}", council.body);
    let cid = council.body["id"].as_str().unwrap().to_owned();
    let works = post(
        &api,
        &m,
        "committees",
        &json!({"kind": "standing", "name": {"ar": "لجنة الأشغال", "fr": "Commission des travaux"},
                "from": "2023-03-01", "members": []}),
        None,
    )
    .await;
    assert_eq!(works.status, 201, "{}", works.body);
    let wid = works.body["id"].as_str().unwrap().to_owned();
    let mut meetings = Vec::new();
    for (c, start) in [
        (&cid, "2026-01-15T10:00:00+01:00"),
        (&cid, "2026-02-12T10:00:00+01:00"),
        (&wid, "2026-01-20T10:00:00+01:00"),
    ] {
        let mt = post(
            &api,
            &m,
            &format!("committees/{c}/meetings"),
            &meeting(start, json!([])),
            None,
        )
        .await;
        assert_eq!(mt.status, 201, "{}", mt.body);
        meetings.push(mt.body["id"].as_str().unwrap().to_owned());
    }
    let reports = staff(&m, None, &[Permission::Reports]);

    // What minutes must name, and name rightly: (body, field refused).
    let unknown = "cmt_01JZZZZZZZZZZZZZZZZZZZZZZZ";
    let cases = [
        (minutes("council_minutes", &cid, &meetings[2]), "meeting"),
        (minutes("council_minutes", &wid, &meetings[2]), "committee"),
        (minutes("committee_minutes", &cid, &meetings[0]), "type"),
        (
            minutes("council_minutes", unknown, &meetings[0]),
            "committee",
        ),
        (
            json!({"type": "council_minutes", "title": {"ar": "محضر", "fr": "PV"},
                   "languages": ["ar"], "committee": cid}),
            "meeting",
        ),
    ];
    for (body, field) in cases {
        let r = doc(&api, &m, &reports, body.clone()).await;
        assert_eq!(r.status, 422, "{body} {}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{body} {}", r.body);
    }

    let d = doc(
        &api,
        &m,
        &reports,
        minutes("council_minutes", &cid, &meetings[0]),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.body);
    assert_eq!(d.body["status"], "draft");
    let id = d.body["id"].as_str().unwrap().to_owned();
    let base = format!("/v1/municipalities/{m}/documents/{id}");
    let public_get = || async { send(api.get(&base)).await };
    let public_list = || async {
        let l = send(api.get(&format!("/v1/municipalities/{m}/documents"))).await;
        assert_eq!(l.status, 200, "{}", l.body);
        l.body["items"].as_array().unwrap().len()
    };
    let worklist = |status: &'static str| {
        let (api, m, reports) = (&api, &m, &reports);
        async move {
            let l = send(
                api.get(&format!("/v1/municipalities/{m}/documents?status={status}"))
                    .bearer_auth(reports),
            )
            .await;
            assert_eq!(l.status, 200, "{}", l.body);
            let ids: Vec<String> = l.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect();
            ids
        }
    };

    // Nothing to approve before a version; a version keeps it a draft.
    let early = step(&api, &base, &reports, json!({"status": "approved"})).await;
    assert_eq!(early.status, 422, "{}", early.body);
    let v1 = new_version(&api, &base, &reports, "pv-projet.pdf").await;
    assert_eq!(v1.status, 201, "{}", v1.body);
    assert_eq!(v1.body["status"], "draft");
    assert_eq!(public_get().await.status, 404);
    assert_eq!(public_list().await, 0);
    assert_eq!(worklist("draft").await, vec![id.clone()]);
    let anonymous = send(api.get(&format!("/v1/municipalities/{m}/documents?status=draft"))).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    // Not published before approval; not approved at another committee's meeting.
    let r = step(&api, &base, &reports, json!({"status": "published"})).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("transition_not_allowed")),
        "{}",
        r.body
    );
    let r = step(
        &api,
        &base,
        &reports,
        json!({"status": "approved", "meeting": meetings[2]}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // Approved at the next session, once held: still not public.
    let r = step(
        &api,
        &base,
        &reports,
        json!({"status": "approved", "meeting": meetings[1]}),
    )
    .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["reason"].as_str()),
        (422, Some("not_held")),
        "{}",
        r.body
    );
    let held = post(
        &api,
        &m,
        &format!("meetings/{}/status", meetings[1]),
        &json!({"status": "held"}),
        None,
    )
    .await;
    assert_eq!(held.status, 200, "{}", held.body);
    let a = step(
        &api,
        &base,
        &reports,
        json!({"status": "approved", "meeting": meetings[1]}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["status"], "approved");
    assert_eq!(a.body["approval"]["meeting"], meetings[1].as_str());
    assert_eq!(a.body["approval"]["version"], 1);
    assert_eq!(public_get().await.status, 404);
    assert_eq!(worklist("approved").await, vec![id.clone()]);
    assert!(worklist("draft").await.is_empty());
    // A corrected text needs approving again.
    let v2 = new_version(&api, &base, &reports, "pv-corrige.pdf").await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!(v2.body["status"], "draft");
    assert!(v2.body.get("approval").is_none(), "{}", v2.body);
    let a = step(
        &api,
        &base,
        &reports,
        json!({"status": "approved", "meeting": meetings[1]}),
    )
    .await;
    assert_eq!(a.body["approval"]["version"], 2, "{}", a.body);
    // A retried step (its answer lost) gets the same answer.
    let retry = step(
        &api,
        &base,
        &reports,
        json!({"status": "approved", "meeting": meetings[1]}),
    )
    .await;
    assert_eq!(
        (retry.status, &retry.body["approval"]),
        (200, &a.body["approval"])
    );

    // Published: public, listed, and listed by its meeting.
    let p = step(&api, &base, &reports, json!({"status": "published"})).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let trail: Vec<&str> = p.body["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(trail, ["approved", "approved", "published"]);
    let g = public_get().await;
    assert_eq!(g.status, 200, "{}", g.body);
    // The approved text only: the first draft stays staff's.
    assert_eq!(
        (
            g.body["status"].as_str(),
            g.body["history"].as_array().map(Vec::len)
        ),
        (Some("published"), Some(1))
    );
    assert_eq!(g.body["history"][0]["number"], 2);
    let draft_file = v1.body["history"][0]["files"][0]["id"].as_str().unwrap();
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link = |n: u32, f: &str| format!("{}{base}/versions/{n}/files/{f}", api.base);
    let r = no_follow.get(link(1, draft_file)).send().await.unwrap();
    assert_eq!(r.status(), 404, "the draft's file is not public");
    let approved_file = g.body["history"][0]["files"][0]["id"].as_str().unwrap();
    let r = no_follow.get(link(2, approved_file)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let staff_sees = send(api.get(&base).bearer_auth(&reports)).await;
    assert_eq!(staff_sees.body["history"].as_array().map(Vec::len), Some(2));
    assert!(g.body.get("trail").is_none(), "staff's only");
    assert_eq!(public_list().await, 1);
    let mt = send(api.get(&format!("/v1/municipalities/{m}/meetings/{}", meetings[0]))).await;
    assert_eq!(mt.status, 200, "{}", mt.body);
    assert_eq!(mt.body["documents"], json!([id]));
    // Published minutes are the record: no new version, no new step.
    let late = new_version(&api, &base, &reports, "pv-3.pdf").await;
    assert_eq!(late.status, 409, "{}", late.body);
    let again = step(&api, &base, &reports, json!({"status": "approved"})).await;
    assert_eq!(again.status, 409, "{}", again.body);

    // Another municipality's staff find nothing.
    let other = municipality_with(&api, "pv2", json!({"reports": "ACTIVATED"})).await;
    let stranger = staff(&other, None, &[Permission::Reports]);
    let r = step(&api, &base, &stranger, json!({"status": "published"})).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = send(
        api.get(&format!("/v1/municipalities/{m}/documents?status=draft"))
            .bearer_auth(&stranger),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
}
