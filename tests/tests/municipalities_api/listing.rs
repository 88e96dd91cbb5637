//! Listing municipalities and governorates; cursors; deactivated ones.

use super::*;

#[tokio::test]
async fn lists_the_seeded_municipalities_with_arabic_and_french_names() {
    let api = Api::from_env();
    let all = all_municipalities(&api, "").await;
    for id in ["tunis", "ariana", "sfax", "sousse", "bizerte", "ghazala"] {
        let m = all
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            m["name"]["ar"].as_str().is_some_and(|n| !n.is_empty()),
            "{id}: {m}"
        );
        assert!(
            m["name"]["fr"].as_str().is_some_and(|n| !n.is_empty()),
            "{id}: {m}"
        );
        assert_eq!(m["status"], "ACTIVATED");
        assert_eq!(m["services"]["complaints"], "ACTIVATED");
        assert_eq!(
            m["services"].as_object().unwrap().len(),
            12,
            "every service has a state"
        );
    }
    let ids: Vec<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let mut dedup = ids.clone();
    dedup.dedup();
    assert_eq!(ids, dedup, "pages neither repeat nor skip");
    let tunis = all.iter().find(|m| m["id"] == "tunis").unwrap();
    assert_eq!(tunis["name"]["ar"], "تونس");
    assert_eq!(tunis["governorate"]["code"], "TN-11");
}

#[tokio::test]
async fn filters_by_governorate() {
    let api = Api::from_env();
    let sfax = all_municipalities(&api, "&governorate=TN-61").await;
    assert!(sfax.iter().any(|m| m["id"] == "sfax"));
    assert!(sfax.iter().all(|m| m["governorate"]["code"] == "TN-61"));
    send(api.get("/v1/municipalities?governorate=TN-99"))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/municipalities?governorat=TN-61"))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/municipalities?limit=0"))
        .await
        .assert_problem(400, "invalid_query");
    send(api.get("/v1/municipalities?limit=many"))
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn a_forged_or_foreign_cursor_is_refused() {
    let api = Api::from_env();
    let a = send(api.get("/v1/municipalities?limit=2")).await;
    let cursor = a.body["next_cursor"].as_str().unwrap().to_owned();
    // A cursor of the unfiltered list does not page the Sfax list.
    send(api.get(&format!(
        "/v1/municipalities?limit=2&governorate=TN-61&cursor={cursor}"
    )))
    .await
    .assert_problem(400, "invalid_cursor");
    send(api.get("/v1/municipalities?cursor=eyJQSyI6Ik0jdHVuaXMifQ"))
        .await
        .assert_problem(400, "invalid_cursor");
}

#[tokio::test]
async fn one_municipality_and_the_governorates() {
    let api = Api::from_env();
    let a = send(api.get("/v1/municipalities/ghazala")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["name"]["ar"], "غزالة");
    send(api.get("/v1/municipalities/atlantis"))
        .await
        .assert_problem(404, "not_found");
    send(api.get("/v1/municipalities/NOT_A_SLUG"))
        .await
        .assert_problem(404, "not_found");
    let g = send(api.get("/v1/governorates")).await;
    assert_eq!(g.body["items"].as_array().unwrap().len(), 24);
    // Unknown paths and methods never reach a function: API Gateway (and locally
    // cargo lambda watch) answers them. The function's own 404/405 answers are
    // covered by the event fixtures (functions/municipalities/tests/handlers.rs).
}

#[tokio::test]
async fn a_deactivated_municipality_is_hidden_from_the_public_not_from_the_operator() {
    let api = Api::from_env();
    let m = new_municipality(&api, "closing").await;
    let url = format!("/v1/municipalities/{m}");
    let off = send(
        api.patch(&url)
            .bearer_auth(admin())
            .json(&json!({"status": "DEACTIVATED"})),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    send(api.get(&url)).await.assert_problem(404, "not_found");
    send(api.get(&url).bearer_auth(citizen()))
        .await
        .assert_problem(404, "not_found");
    let seen = send(api.get(&url).bearer_auth(admin())).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["status"], "DEACTIVATED");
    assert_eq!(seen.headers["cache-control"], "no-store");
    let public = all_municipalities(&api, "&governorate=TN-11").await;
    assert!(public.iter().all(|x| x["id"] != m.as_str()));
    assert!(public.iter().all(|x| x["status"] != "DEACTIVATED"));
}

#[tokio::test]
async fn a_page_links_the_next_and_its_cursor_reveals_no_key() {
    let api = Api::from_env();
    let first = send(api.get("/v1/municipalities?limit=2")).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["has_more"], true);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let link = first.headers["link"].to_str().unwrap();
    assert_eq!(
        link,
        format!("</v1/municipalities?limit=2&cursor={cursor}>; rel=\"next\"")
    );
    // The cursor is sealed: decoded, it shows nothing of the table.
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&cursor)
        .expect("base64url");
    let shown = String::from_utf8_lossy(&raw);
    for part in ["M#", "PK", "SK", "GSI", "tunis", "ariana", "MUNI"] {
        assert!(!shown.contains(part), "{part} shows in the cursor: {shown}");
    }
    // Following the link is the next page; the last page links nothing.
    let target = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let second = send(api.get(&target)).await;
    assert_eq!(second.status, 200);
    assert_ne!(second.body["items"][0]["id"], first.body["items"][0]["id"]);
    // Following links to the end: every page but the last links one.
    let mut next = Some("/v1/municipalities?limit=100".to_owned());
    let mut pages = 0;
    while let Some(path) = next.take() {
        pages += 1;
        assert!(pages < 100, "the links end");
        let page = send(api.get(&path)).await;
        let more = page.body["has_more"].as_bool().unwrap();
        assert_eq!(more, page.body["next_cursor"].is_string());
        let link = page.headers.get("link").map(|l| l.to_str().unwrap());
        assert_eq!(more, link.is_some(), "{link:?}");
        next = link.map(|l| l[1..l.find('>').unwrap()].to_owned());
    }
}

#[tokio::test]
async fn a_read_is_tagged_and_a_client_that_holds_it_gets_304() {
    let api = Api::from_env();
    let path = "/v1/municipalities/ghazala";
    let a = send(api.get(path).header("accept-language", "fr")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["content-language"], "fr");
    assert!(
        a.headers["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-language")
    );
    let tag = a.headers["etag"].to_str().unwrap().to_owned();
    let again = send(
        api.get(path)
            .header("accept-language", "fr")
            .header("if-none-match", &tag),
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_null(), "no body: {}", again.body);
    assert_eq!(again.headers["etag"].to_str().unwrap(), tag);
    assert_eq!(again.headers["content-language"], "fr");
    let other = send(api.get(path).header("if-none-match", "\"0.stale\"")).await;
    assert_eq!(other.status, 200);
    // A list is tagged too, and so is an error's language.
    let list = send(api.get("/v1/municipalities?limit=2")).await;
    let list_tag = list.headers["etag"].to_str().unwrap().to_owned();
    let held = send(
        api.get("/v1/municipalities?limit=2")
            .header("if-none-match", &list_tag),
    )
    .await;
    assert_eq!(held.status, 304);
    let missing = send(
        api.get("/v1/municipalities/nowhere")
            .header("accept-language", "en"),
    )
    .await;
    missing.assert_problem(404, "not_found");
    assert_eq!(missing.headers["content-language"], "en");
    assert!(missing.headers.get("etag").is_none());
}
