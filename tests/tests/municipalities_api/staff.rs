//! Managing staff, and who may not.

use super::*;

#[tokio::test]
async fn staff_endpoints_need_a_valid_token() {
    let api = Api::from_env();
    send(api.get("/v1/municipalities/tunis/staff"))
        .await
        .assert_problem(401, "unauthenticated");
    send(api.post("/v1/municipalities").json(&json!({})))
        .await
        .assert_problem(401, "unauthenticated");
    send(
        api.get("/v1/municipalities/tunis/staff")
            .bearer_auth("not-a-jwt"),
    )
    .await
    .assert_problem(401, "invalid_token");
    send(
        api.get("/v1/municipalities/tunis/staff")
            .header("authorization", "Basic YWRtaW46YWRtaW4="),
    )
    .await
    .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_citizen_cannot_manage_staff_nor_municipalities() {
    let api = Api::from_env();
    let token = citizen();
    send(
        api.get("/v1/municipalities/tunis/staff")
            .bearer_auth(&token),
    )
    .await
    .assert_problem(403, "forbidden");
    let body = json!({"phone": unique_phone(), "name": "Intrus", "permissions": ["permissions"]});
    send(
        api.post("/v1/municipalities/tunis/staff")
            .bearer_auth(&token)
            .json(&body),
    )
    .await
    .assert_problem(403, "forbidden");
    let body =
        json!({"id": unique_slug("nope"), "governorate": "TN-11", "name": {"ar": "س", "fr": "x"}});
    send(
        api.post("/v1/municipalities")
            .bearer_auth(&token)
            .json(&body),
    )
    .await
    .assert_problem(403, "forbidden");
    send(
        api.patch("/v1/municipalities/tunis")
            .bearer_auth(&token)
            .json(&json!({"status": "DEACTIVATED"})),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn staff_of_one_municipality_cannot_touch_anothers() {
    let api = Api::from_env();
    let a = new_municipality(&api, "towna").await;
    let b = new_municipality(&api, "townb").await;
    // B's administrator adds a member to B.
    let b_admin = staff(&b, None, &[Permission::Permissions]);
    let member = send(
        api.post(&format!("/v1/municipalities/{b}/staff"))
            .bearer_auth(&b_admin)
            .json(&json!({"phone": unique_phone(), "name": "Membre B", "permissions": ["news"]})),
    )
    .await;
    assert_eq!(member.status, 201, "{}", member.body);
    let member_id = member.body["id"].as_str().unwrap();

    // A's administrator, with every permission, sees none of it.
    let a_admin = staff(&a, None, &Permission::ALL);
    let list = send(
        api.get(&format!("/v1/municipalities/{b}/staff"))
            .bearer_auth(&a_admin),
    )
    .await;
    list.assert_problem(404, "not_found");
    let one = format!("/v1/municipalities/{b}/staff/{member_id}");
    send(api.get(&one).bearer_auth(&a_admin))
        .await
        .assert_problem(404, "not_found");
    send(
        api.patch(&one)
            .bearer_auth(&a_admin)
            .json(&json!({"permissions": ["permissions"]})),
    )
    .await
    .assert_problem(404, "not_found");
    send(api.delete(&one).bearer_auth(&a_admin))
        .await
        .assert_problem(404, "not_found");
    let add =
        json!({"phone": unique_phone(), "name": "Cheval de Troie", "permissions": ["permissions"]});
    send(
        api.post(&format!("/v1/municipalities/{b}/staff"))
            .bearer_auth(&a_admin)
            .json(&add),
    )
    .await
    .assert_problem(404, "not_found");
    send(
        api.patch(&format!("/v1/municipalities/{b}"))
            .bearer_auth(&a_admin)
            .json(&json!({"contact": {"email": "x@y.tn"}})),
    )
    .await
    .assert_problem(404, "not_found");
    // Untouched.
    let still = send(api.get(&one).bearer_auth(&b_admin)).await;
    assert_eq!(still.status, 200);
    assert_eq!(still.body["permissions"], json!(["news"]));
}

#[tokio::test]
async fn a_municipal_administrator_manages_staff_from_invitation_to_removal() {
    let api = Api::from_env();
    let m = new_municipality(&api, "staffville").await;
    let boss = staff(&m, None, &[Permission::Permissions]);
    let phone = unique_phone();
    let local = format!("{} {} {}", &phone[4..6], &phone[6..9], &phone[9..]); // "2x xxx xxx"
    let created = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&json!({
                "phone": local,
                "name": "  Leila Ben Salah ",
                "title": "Cheffe du service voirie",
                "permissions": ["complaints", "news"],
                "complaint_categories": ["roads", "lighting"]
            })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["phone"], phone, "stored in E.164");
    assert_eq!(created.body["name"], "Leila Ben Salah");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.headers["location"].to_str().unwrap(),
        format!("/v1/municipalities/{m}/staff/{id}")
    );

    // The same number twice is a conflict, however it is written.
    let again = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&json!({"phone": format!("00{}", &phone[1..]), "name": "Double", "permissions": []})),
    )
    .await;
    again.assert_problem(409, "already_exists");

    let list = send(
        api.get(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    let url = format!("/v1/municipalities/{m}/staff/{id}");
    let patched = send(
        api.patch(&url)
            .bearer_auth(&boss)
            .header("content-type", "application/merge-patch+json")
            .body(
                json!({"permissions": ["complaints"], "title": null, "complaint_categories": null})
                    .to_string(),
            ),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["permissions"], json!(["complaints"]));
    assert!(patched.body.get("title").is_none());
    assert_eq!(patched.body["complaint_categories"], Value::Null);

    // Moving to a new number frees the old one.
    let new_phone = unique_phone();
    let moved = send(
        api.patch(&url)
            .bearer_auth(&boss)
            .json(&json!({"phone": new_phone})),
    )
    .await;
    assert_eq!(moved.body["phone"], new_phone);
    let reuse = send(
        api.post(&format!("/v1/municipalities/{m}/staff"))
            .bearer_auth(&boss)
            .json(&json!({"phone": phone, "name": "Successeur", "permissions": []})),
    )
    .await;
    assert_eq!(reuse.status, 201, "{}", reuse.body);

    // The member reads their own record but cannot change it. Their record
    // just changed, which revoked its tokens issued up to this second; the
    // accounts function dates a new token after that, a token minted here by
    // hand must wait for the next second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let me = staff(&m, Some(&id), &[Permission::Permissions]);
    assert_eq!(send(api.get(&url).bearer_auth(&me)).await.status, 200);
    let selfie = send(
        api.patch(&url)
            .bearer_auth(&me)
            .json(&json!({"permissions": ["permissions"]})),
    )
    .await;
    selfie.assert_problem(403, "forbidden");
    // Without the permission, a colleague cannot either.
    let colleague = staff(&m, None, &[Permission::News]);
    send(api.delete(&url).bearer_auth(&colleague))
        .await
        .assert_problem(403, "forbidden");

    let removed = send(api.delete(&url).bearer_auth(&boss)).await;
    assert_eq!(removed.status, 204);
    send(api.get(&url).bearer_auth(&boss))
        .await
        .assert_problem(404, "not_found");
    send(api.delete(&url).bearer_auth(&boss))
        .await
        .assert_problem(404, "not_found");
}
