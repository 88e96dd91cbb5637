//! The API keys staff issue to Open311 clients.

use super::*;

#[tokio::test]
async fn staff_issue_list_and_revoke_keys_stored_only_as_digests() {
    let api = Api::from_env();
    let m = new_municipality(&api, "o311-key").await;
    let path = format!("/v1/municipalities/{m}/open311-keys");
    let staff_token = complaints_staff(&m);
    let key = issue_key(&api, &m, &staff_token).await;
    let api_key = key["api_key"].as_str().unwrap().to_owned();
    let id = key["id"].as_str().unwrap().to_owned();
    assert!(api_key.starts_with(&format!("{id}.")));
    assert_eq!(key["active"], true);

    // Listed without the key; the table holds only its digest.
    let list = send(api.get(&path).bearer_auth(&staff_token)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    assert!(list.body["items"][0].get("api_key").is_none());
    assert!(!list.body.to_string().contains(&api_key[id.len() + 1..]));
    let item = store()
        .raw_item(&format!("M#{m}"), &format!("O311KEY#{id}"))
        .await
        .unwrap()
        .expect("stored");
    let secret = &api_key[id.len() + 1..];
    assert!(
        !item.to_string().contains(secret),
        "the secret is not stored"
    );

    // Only staff handling every complaint category of this municipality.
    send(api.get(&path).bearer_auth(citizen()))
        .await
        .assert_problem(403, "forbidden");
    send(
        api.post(&path)
            .bearer_auth(staff(&m, None, &[Permission::News]))
            .json(&json!({"name": "x"})),
    )
    .await
    .assert_problem(403, "forbidden");
    let other = new_municipality(&api, "o311-oth").await;
    send(api.get(&path).bearer_auth(complaints_staff(&other)))
        .await
        .assert_problem(404, "not_found");
    send(api.get(&path))
        .await
        .assert_problem(401, "unauthenticated");

    // The key works here, not in another municipality.
    let (lat, long) = point();
    let form = [
        ("api_key", api_key.as_str()),
        ("service_code", "waste"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
        ("description", "Poubelles non ramassées depuis trois jours."),
    ];
    let ok = post_form(&api, &format!("/open311/v2/{m}/requests.xml"), &form).await;
    assert_eq!(ok.status().as_u16(), 200);
    error(
        &api,
        api.http
            .post(format!("{}/open311/v2/{other}/requests.xml", api.base))
            .form(&form),
        403,
    )
    .await;

    // Revoked: refused from then on; revoking again is 404.
    let gone = send(
        api.delete(&format!("{path}/{id}"))
            .bearer_auth(&staff_token),
    )
    .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    send(
        api.delete(&format!("{path}/{id}"))
            .bearer_auth(&staff_token),
    )
    .await
    .assert_problem(404, "not_found");
    let list = send(api.get(&path).bearer_auth(&staff_token)).await;
    assert_eq!(list.body["items"][0]["active"], false);
    assert!(list.body["items"][0]["revoked_at"].is_string());
    let mut retry = form.to_vec();
    retry.push(("description", "Une autre fois."));
    error(
        &api,
        api.http
            .post(format!("{}/open311/v2/{m}/requests.json", api.base))
            .form(&retry),
        403,
    )
    .await;
}
