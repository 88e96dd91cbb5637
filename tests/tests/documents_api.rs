//! Black-box tests of published documents over HTTP, against the running local
//! stack (started by `scripts/test`).

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};
use sha2::Digest;

async fn municipality(api: &Api) -> String {
    municipality_with(
        api,
        "docs",
        json!({"reports": "ACTIVATED", "access_to_information": "ACTIVATED"}),
    )
    .await
}

fn clerk(m: &str) -> String {
    staff(m, None, &[Permission::Reports])
}

/// Two budget PDFs, different bytes.
fn pdf(n: u8) -> Vec<u8> {
    let mut b = SMALL_PDF.to_vec();
    b.extend(format!("% version {n}\n").bytes());
    b
}

async fn version(api: &Api, m: &str, id: &str, token: &str, bytes: &[u8], name: &str) -> Answer {
    let base = format!("/v1/municipalities/{m}/documents/{id}");
    let file = upload(
        api,
        &format!("{base}/files"),
        token,
        "application/pdf",
        bytes,
    )
    .await;
    send(
        api.post(&format!("{base}/versions"))
            .bearer_auth(token)
            .json(&json!({"files": [{"id": file, "name": name}], "note": {"fr": "Version votée"}})),
    )
    .await
}

async fn new_budget(api: &Api, m: &str, token: &str) -> String {
    let d = send(
        api.post(&format!("/v1/municipalities/{m}/documents"))
            .bearer_auth(token)
            .json(&json!({
                "type": "budget_approved",
                "title": {"ar": "ميزانية البلدية لسنة 2026", "fr": "Budget de la commune 2026"},
                "fiscal_year": 2026,
                "languages": ["ar", "fr"]
            })),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.body);
    d.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_budget_with_two_versions_is_downloaded_byte_for_byte() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let token = clerk(&m);
    let id = new_budget(&api, &m, &token).await;
    let path = format!("/v1/municipalities/{m}/documents/{id}");

    // A draft: not listed, not found by the public, seen by staff.
    assert_eq!(send(api.get(&path)).await.status, 404);
    assert_eq!(send(api.get(&path).bearer_auth(&token)).await.status, 200);
    let list = send(api.get(&format!("/v1/municipalities/{m}/documents"))).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);

    let (v1, v2) = (pdf(1), pdf(2));
    let a = version(&api, &m, &id, &token, &v1, "budget-2026.pdf").await;
    assert_eq!(a.status, 201, "{}", a.body);
    let b = version(&api, &m, &id, &token, &v2, "budget-2026-amended.pdf").await;
    assert_eq!(b.status, 201, "{}", b.body);

    let d = send(api.get(&path)).await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.body["versions"], 2);
    let history = d.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["number"], 2, "newest first");
    for (v, bytes) in [(&history[1], &v1), (&history[0], &v2)] {
        let f = &v["files"][0];
        assert_eq!(f["sha256"], domain_hex(&sha2::Sha256::digest(bytes)));
        assert_eq!(f["size"], bytes.len());
        let got = api
            .http
            .get(f["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(
            &got[..],
            &bytes[..],
            "version {} byte for byte",
            v["number"]
        );
    }

    // Listed and filtered by type, year.
    let listed = |q: &'static str| {
        let api = &api;
        let m = m.clone();
        async move {
            let a = send(api.get(&format!("/v1/municipalities/{m}/documents?{q}"))).await;
            assert_eq!(a.status, 200, "{}", a.body);
            a.body["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(listed("").await, 1);
    assert_eq!(listed("type=budget_approved&year=2026").await, 1);
    assert_eq!(listed("year=2025").await, 0);
    assert_eq!(listed("type=council_minutes").await, 0);
}

#[tokio::test]
async fn files_that_are_not_what_they_say_and_strangers_are_refused() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let token = clerk(&m);
    let id = new_budget(&api, &m, &token).await;
    let base = format!("/v1/municipalities/{m}/documents/{id}");

    // A "PDF" that is HTML.
    let fake = upload(
        &api,
        &format!("{base}/files"),
        &token,
        "application/pdf",
        b"<html>not a pdf</html>",
    )
    .await;
    let a = send(
        api.post(&format!("{base}/versions"))
            .bearer_auth(&token)
            .json(&json!({"files": [{"id": fake, "name": "budget.pdf"}]})),
    )
    .await;
    assert_eq!(
        (a.status, a.body["errors"][0]["reason"].as_str()),
        (422, Some("not_its_type")),
        "{}",
        a.body
    );
    assert_eq!(a.content_type, "application/problem+json");
    // Over the limit, or of a type not taken: refused before any upload.
    for (ct, size) in [
        ("application/pdf", 21 * 1024 * 1024),
        ("application/zip", 100),
    ] {
        let r = send(
            api.post(&format!("{base}/files"))
                .bearer_auth(&token)
                .json(&json!({"content_type": ct, "size": size})),
        )
        .await;
        assert_eq!(r.status, 422, "{ct}: {}", r.body);
    }
    // An unknown type of document, a year out of range.
    let bad = send(
        api.post(&format!("/v1/municipalities/{m}/documents"))
            .bearer_auth(&token)
            .json(
                &json!({"type": "horoscope", "title": {"ar": "x", "fr": "x"}, "languages": ["ar"]}),
            ),
    )
    .await;
    assert_eq!(bad.status, 422);
    let bad = send(
        api.post(&format!("/v1/municipalities/{m}/documents"))
            .bearer_auth(&token)
            .json(&json!({"type": "other", "title": {"ar": "x", "fr": "x"}, "languages": ["ar"], "fiscal_year": 1900})),
    )
    .await;
    assert_eq!(bad.body["errors"][0]["field"], "fiscal_year");

    // Staff of another municipality find nothing; citizens may not publish.
    let other = municipality(&api).await;
    let r = send(api.get(&base).bearer_auth(clerk(&other))).await;
    assert_eq!(r.status, 404);
    let r = send(
        api.post(&format!("{base}/files"))
            .bearer_auth(clerk(&other))
            .json(&json!({"content_type": "application/pdf", "size": 10})),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = send(
        api.post(&format!("/v1/municipalities/{m}/documents"))
            .bearer_auth(citizen())
            .json(&json!({"type": "other", "title": {"ar": "x", "fr": "x"}, "languages": ["ar"]})),
    )
    .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_document_not_published_leads_to_a_prefilled_information_request() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let d = send(
        api.get(&format!(
            "/v1/municipalities/{m}/documents/not-published?type=budget_executed&year=2024&q=voirie"
        ))
        .header("accept-language", "fr"),
    )
    .await;
    assert_eq!(d.status, 200, "{}", d.body);
    let text = d.body["body"]["information"].as_str().unwrap().to_owned();
    assert!(text.contains("2024") && text.contains("voirie"), "{text}");
    // The draft is a request the information-requests service takes as it is.
    let r = send(
        api.post(d.body["path"].as_str().unwrap())
            .bearer_auth(citizen())
            .json(&d.body["body"]),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let _: &Value = &r.body;
}

fn domain_hex(b: &[u8]) -> String {
    baladiya::domain::hex(b)
}

/// A document described twice with one `Idempotency-Key` (a retry) is one
/// document; a draft's page is not for shared caches.
#[tokio::test]
async fn a_retried_description_is_one_document() {
    let api = Api::from_env();
    let m = municipality(&api).await;
    let token = clerk(&m);
    let body = json!({"type": "annual_report", "title": {"ar": "التقرير السنوي", "fr": "Rapport annuel"}, "languages": ["ar"]});
    let mut ids = Vec::new();
    for _ in 0..2 {
        let a = send(
            api.post(&format!("/v1/municipalities/{m}/documents"))
                .bearer_auth(&token)
                .header("idempotency-key", "annual-2026")
                .json(&body),
        )
        .await;
        assert_eq!(a.status, 201, "{}", a.body);
        ids.push(a.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids[0], ids[1]);
    let draft = send(
        api.get(&format!("/v1/municipalities/{m}/documents/{}", ids[0]))
            .bearer_auth(&token),
    )
    .await;
    assert!(
        !draft.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );
}
