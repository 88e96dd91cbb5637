//! Black-box tests of committees and meetings over HTTP, against the running
//! local stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

mod minutes;
mod oparl;

async fn municipality(api: &Api) -> String {
    municipality_with(api, "cmt", json!({"committees": "ACTIVATED"})).await
}

fn clerk(m: &str) -> String {
    staff(m, None, &[Permission::Committees])
}

fn council(members: Value) -> Value {
    json!({
        "kind": "council",
        "name": {"ar": "المجلس البلدي", "fr": "Conseil municipal"},
        "from": "2023-03-01",
        "members": members
    })
}

fn seat(fr: &str, role: &str, from: &str, until: Option<&str>) -> Value {
    let mut s = json!({"name": {"ar": "عضو المجلس", "fr": fr}, "role": role, "from": from});
    if let Some(u) = until {
        s["until"] = json!(u);
    }
    s
}

/// A POST by the municipality's clerk (one token a municipality: a retry
/// is the same person's).
async fn post(api: &Api, m: &str, path: &str, body: &Value, key: Option<&str>) -> Answer {
    static CLERKS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let token = {
        let mut all = CLERKS.lock().unwrap();
        match all.iter().find(|(x, _)| x == m) {
            Some((_, t)) => t.clone(),
            None => {
                let t = clerk(m);
                all.push((m.to_owned(), t.clone()));
                t
            }
        }
    };
    let mut req = api
        .post(&format!("/v1/municipalities/{m}/{path}"))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    send(req).await
}

fn meeting(start: &str, agenda: Value) -> Value {
    json!({
        "start": start,
        "place": {"ar": "قاعة الجلسات بقصر البلدية", "fr": "Salle des séances, hôtel de ville"},
        "agenda": agenda
    })
}

#[tokio::test]
async fn staff_form_the_council_plan_and_hold_its_meetings_and_everyone_reads_them() {
    let api = Api::from_env();
    let m = municipality(&api).await;

    // The ten usual committees are suggested, none taken yet.
    let s = send(
        api.get(&format!("/v1/municipalities/{m}/committees/suggestions"))
            .bearer_auth(clerk(&m)),
    )
    .await;
    assert_eq!(s.status, 200, "{}", s.body);
    let suggested = s.body["items"].as_array().unwrap();
    assert_eq!(suggested.len(), 10);
    assert!(suggested.iter().all(|x| x["taken"] == false));

    // The council, from the suggestion, with its members; a retry is one.
    let mut body = suggested[0]["committee"].clone();
    body["members"] = json!([
        seat("Sonia Ben Ali", "president", "2023-03-01", None),
        seat("Karim Trabelsi", "rapporteur", "2023-03-01", None),
        seat("Amel Jaziri", "member", "2023-03-01", Some("2024-06-30")),
    ]);
    let c = post(&api, &m, "committees", &body, Some("council-0001")).await;
    assert_eq!(c.status, 201, "{}", c.body);
    let again = post(&api, &m, "committees", &body, Some("council-0001")).await;
    assert_eq!(again.body["id"], c.body["id"]);
    let cid = c.body["id"].as_str().unwrap().to_owned();
    let list = send(
        api.get(&format!("/v1/municipalities/{m}/committees"))
            .header("accept-language", "fr"),
    )
    .await;
    assert_eq!(list.status, 200);
    assert!(list.headers.get("etag").is_some());
    assert!(
        list.headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.body);
    assert_eq!(items[0]["label"], "Conseil municipal");
    // Everyone is public, and who sits today is told apart.
    assert_eq!(items[0]["members"].as_array().unwrap().len(), 3);
    let now: Vec<&str> = items[0]["members_now"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["role"].as_str().unwrap())
        .collect();
    assert_eq!(now, vec!["Président", "Rapporteur"]);
    let suggested = send(
        api.get(&format!("/v1/municipalities/{m}/committees/suggestions"))
            .bearer_auth(clerk(&m)),
    )
    .await;
    assert_eq!(suggested.body["items"][0]["taken"], true);

    // A meeting in Tunis time with a public item and a closed one.
    let m1 = post(
        &api,
        &m,
        &format!("committees/{cid}/meetings"),
        &meeting(
            "2020-01-15T10:00:00+01:00",
            json!([
                {"title": {"ar": "ميزانية 2020", "fr": "Budget 2020"}},
                {"title": {"ar": "نزاع عقاري", "fr": "Litige foncier"}, "public": false}
            ]),
        ),
        Some("meeting-0001"),
    )
    .await;
    assert_eq!(m1.status, 201, "{}", m1.body);
    assert_eq!(m1.body["start"], "2020-01-15T10:00:00+01:00");
    assert_eq!(m1.body["agenda"][1]["number"], 2);
    let mid = m1.body["id"].as_str().unwrap().to_owned();
    let public = send(api.get(&format!("/v1/municipalities/{m}/meetings/{mid}"))).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["agenda"][0]["title"]["fr"], "Budget 2020");
    assert_ne!(public.body["agenda"][1]["title"]["fr"], "Litige foncier");

    // Held, then its decisions recorded; the public reads them.
    let held = post(
        &api,
        &m,
        &format!("meetings/{mid}/status"),
        &json!({"status": "held"}),
        None,
    )
    .await;
    assert_eq!(held.body["status"], "held", "{}", held.body);
    let decided = json!([
        {"title": {"ar": "ميزانية 2020", "fr": "Budget 2020"},
         "decision": {"ar": "صودق عليها بالإجماع", "fr": "Adopté à l'unanimité"}},
        {"title": {"ar": "نزاع عقاري", "fr": "Litige foncier"}, "public": false,
         "decision": {"fr": "Renvoyé au contentieux"}}
    ]);
    let revised = send(
        api.put(&format!("/v1/municipalities/{m}/meetings/{mid}"))
            .bearer_auth(clerk(&m))
            .header("if-match", "\"2\"")
            .json(&meeting("2020-01-15T10:00:00+01:00", decided)),
    )
    .await;
    assert_eq!(revised.status, 200, "{}", revised.body);
    let public = send(api.get(&format!("/v1/municipalities/{m}/meetings/{mid}"))).await;
    assert_eq!(
        public.body["agenda"][0]["decision"]["fr"],
        "Adopté à l'unanimité"
    );
    assert!(public.body["agenda"][1].get("decision").is_none());

    // A second meeting, to come, cancelled with a reason; not held before it starts.
    let m2 = post(
        &api,
        &m,
        &format!("committees/{cid}/meetings"),
        &meeting("2099-03-01T09:30:00+01:00", json!([])),
        None,
    )
    .await;
    let m2id = m2.body["id"].as_str().unwrap().to_owned();
    let early = post(
        &api,
        &m,
        &format!("meetings/{m2id}/status"),
        &json!({"status": "held"}),
        None,
    )
    .await;
    assert_eq!(early.body["errors"][0]["reason"], "not_started");
    let cancelled = post(
        &api,
        &m,
        &format!("meetings/{m2id}/status"),
        &json!({"status": "cancelled", "reason": {"fr": "Quorum non atteint"}}),
        None,
    )
    .await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.body);

    // The committee's meetings, newest first, a page at a time.
    let first = send(api.get(&format!(
        "/v1/municipalities/{m}/committees/{cid}/meetings?limit=1"
    )))
    .await;
    assert_eq!(first.body["items"][0]["id"], m2id.as_str());
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = send(api.get(&format!(
        "/v1/municipalities/{m}/committees/{cid}/meetings?limit=1&cursor={cursor}"
    )))
    .await;
    assert_eq!(second.body["items"][0]["id"], mid.as_str());
    let oldest = send(api.get(&format!("/v1/municipalities/{m}/meetings?order=oldest"))).await;
    assert_eq!(oldest.body["items"][0]["id"], mid.as_str());
}

#[tokio::test]
async fn committees_refuse_bad_input_and_strangers() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    // (body, field refused)
    let cases = [
        (
            council(json!([
                seat("A", "president", "2023-03-01", None),
                seat("B", "president", "2024-01-01", None)
            ])),
            "members.role",
        ),
        (
            council(json!([seat(
                "A",
                "member",
                "2023-03-01",
                Some("2020-01-01")
            )])),
            "members.until",
        ),
        (
            json!({"kind": "council", "name": {"fr": "Conseil"}}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let a = post(&api, &m, "committees", &body, None).await;
        assert_eq!(
            (a.status, a.body["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {}",
            a.body
        );
    }
    let unknown_kind = post(
        &api,
        &m,
        "committees",
        &json!({"kind": "senate", "name": {"ar": "مجلس", "fr": "Sénat"}}),
        None,
    )
    .await;
    assert_eq!(unknown_kind.status, 422);
    let c = post(&api, &m, "committees", &council(json!([])), None).await;
    let cid = c.body["id"].as_str().unwrap().to_owned();
    let backwards = post(
        &api,
        &m,
        &format!("committees/{cid}/meetings"),
        &json!({"start": "2027-01-15T10:00:00+01:00", "end": "2027-01-15T09:00:00+01:00",
                "place": {"fr": "Salle"}}),
        None,
    )
    .await;
    assert_eq!(
        backwards.body["errors"][0]["field"], "end",
        "{}",
        backwards.body
    );

    // Staff of another municipality see nothing of this one's to change.
    let other = municipality(&api).await;
    let stranger = send(
        api.put(&format!("/v1/municipalities/{m}/committees/{cid}"))
            .bearer_auth(clerk(&other))
            .json(&council(json!([]))),
    )
    .await;
    assert_eq!(stranger.status, 404);
    let citizen_try = send(
        api.post(&format!("/v1/municipalities/{m}/committees"))
            .bearer_auth(citizen())
            .json(&council(json!([]))),
    )
    .await;
    assert_eq!(citizen_try.status, 403);
    // Where the service is not active, nothing answers.
    let off = municipality_with(&api, "cmt-off", json!({"news": "ACTIVATED"})).await;
    let none = send(api.get(&format!("/v1/municipalities/{off}/committees"))).await;
    assert!(none.status == 404 || none.status == 403, "{}", none.status);
    assert_eq!(
        send(api.get(&format!("/v1/municipalities/{m}/meetings/mtg_nothing")))
            .await
            .status,
        404
    );
}
