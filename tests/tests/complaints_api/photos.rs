//! Photos: uploaded, checked, stripped of metadata, shown.

use super::*;

#[tokio::test]
async fn a_report_with_a_photo_shows_it_without_its_metadata() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-photo").await;
    let reporter = citizen();
    let c = file(&api, &m, &reporter, &report(36.75, 10.12)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let attach = |ct: &str, size: usize| {
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/attachments"
        ))
        .bearer_auth(&reporter)
        .json(&json!({ "content_type": ct, "size": size }))
    };
    let photo = media::samples::jpeg_with_exif(120, 80, 1);
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    let a = send(attach("image/jpeg", photo.len())).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let upload = &a.body["upload"];
    assert_eq!(upload["method"], "PUT");
    let put = api
        .http
        .put(upload["url"].as_str().unwrap())
        .header("content-type", "image/jpeg")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());

    // A text file renamed .jpg, uploaded the same way.
    let text = b"this is not a photo, only text".to_vec();
    let b = send(attach("image/jpeg", text.len())).await;
    assert_eq!(b.status, 201);
    let put = api
        .http
        .put(b.body["upload"]["url"].as_str().unwrap())
        .header("content-type", "image/jpeg")
        .body(text)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());

    let detail = format!("/v1/municipalities/{m}/complaints/{id}");
    eventually("both uploads checked", || {
        let api = &api;
        let detail = detail.clone();
        let reporter = reporter.clone();
        async move {
            let d = send(api.get(&detail).bearer_auth(&reporter)).await;
            let list = d.body["attachments"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            list.len() == 2 && list.iter().all(|x| x["status"] != "pending")
        }
    })
    .await;
    let mine = send(api.get(&detail).bearer_auth(&reporter)).await;
    let list = mine.body["attachments"].as_array().unwrap();
    assert_eq!(list[0]["status"], "ready", "{}", mine.body);
    assert_eq!(list[1]["status"], "rejected");
    assert_eq!(list[1]["reason"], "not_an_image");

    // The public sees the photo only, through a short-lived link.
    let public = send(api.get(&detail)).await;
    let shown = public.body["attachments"].as_array().unwrap();
    assert_eq!(shown.len(), 1);
    for link in ["url", "thumbnail_url"] {
        let bytes = api
            .http
            .get(shown[0][link].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "{link} is a JPEG");
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{link}: no EXIF");
        assert!(
            !bytes.windows(3).any(|w| w == b"GPS"),
            "{link}: no position"
        );
    }

    // Only images, of a sane size; only the reporter and staff.
    send(attach("text/plain", 10))
        .await
        .assert_problem(422, "invalid_field");
    send(attach("image/jpeg", 50 * 1024 * 1024))
        .await
        .assert_problem(422, "invalid_field");
    send(
        api.post(&format!(
            "/v1/municipalities/{m}/complaints/{id}/attachments"
        ))
        .bearer_auth(citizen())
        .json(&json!({ "content_type": "image/jpeg", "size": 10 })),
    )
    .await
    .assert_problem(403, "forbidden");
}

/// The whole story over HTTP: a citizen reports with a photo, staff move
/// the report through its states (the last with a photo of the work done), and
/// each change reaches the reporter as an SMS the emulator received.
#[tokio::test]
async fn a_report_with_a_photo_moves_to_resolved_and_the_reporter_is_told() {
    let api = Api::from_env();
    let m = new_municipality(&api, "cmp-story").await;
    let phone = unique_phone();
    let t = sign_in(&api, &phone).await;
    let reporter = t["access_token"].as_str().unwrap().to_owned();
    send(
        api.patch("/v1/me")
            .bearer_auth(&reporter)
            .json(&json!({ "notify": "push_then_sms", "lang": "fr" })),
    )
    .await;
    let c = file(&api, &m, &reporter, &report(36.74, 10.11)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let photo = upload_photo(
        &api,
        &m,
        &id,
        &reporter,
        media::samples::jpeg_with_exif(90, 60, 1),
    )
    .await;
    let agent = staff(&m, None, &[Permission::Complaints]);
    let detail = format!("/v1/municipalities/{m}/complaints/{id}");
    let ready = |att: String| {
        let (api, detail, agent) = (&api, detail.clone(), agent.clone());
        async move {
            let d = send(api.get(&detail).bearer_auth(&agent)).await;
            d.body["attachments"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["id"] == att.as_str() && a["status"] == "ready")
        }
    };
    eventually("the citizen's photo checked", || ready(photo.clone())).await;

    let step = |body: Value| {
        api.post(&format!("{detail}/transitions"))
            .bearer_auth(&agent)
            .json(&body)
    };
    assert_eq!(
        send(step(json!({ "state": "in_progress" }))).await.status,
        200
    );
    let work = upload_photo(
        &api,
        &m,
        &id,
        &agent,
        media::samples::jpeg_with_exif(90, 60, 1),
    )
    .await;
    // A photo not checked yet cannot go with a change.
    let early = send(step(json!({
        "state": "resolved", "note": "Lampe remplacée.", "attachment": work
    })))
    .await;
    if early.status != 200 {
        early.assert_problem(422, "invalid_field");
        eventually("the staff photo checked", || ready(work.clone())).await;
        let done = send(step(json!({
            "state": "resolved", "note": "Lampe remplacée.", "attachment": work
        })))
        .await;
        assert_eq!(done.status, 200, "{}", done.body);
    }
    let d = send(api.get(&detail)).await;
    assert_eq!(d.body["state"], "resolved");
    let last = d.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["attachment"], work.as_str());
    assert_eq!(d.body["attachments"].as_array().unwrap().len(), 2);

    let reference = id[id.len() - 6..].to_owned();
    for words in ["en cours de traitement", "résolu"] {
        eventually(words, || {
            let (phone, reference) = (phone.clone(), reference.clone());
            async move {
                sms_to(&phone)
                    .await
                    .iter()
                    .any(|m| m.contains(&reference) && m.contains(words))
            }
        })
        .await;
    }
}
