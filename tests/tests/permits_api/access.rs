//! Other municipalities and citizens are kept out.

use super::*;

#[tokio::test]
async fn other_municipalities_and_citizens_are_kept_out() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-ten").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let (cin, name) = (national_id(), holder_name());
    let d = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let id = d["id"].as_str().unwrap().to_owned();
    let reference = d["reference"].as_str().unwrap().to_owned();

    let other = permits_municipality(&api, "prm-oth").await;
    let stranger = staff(&other, None, &[Permission::Permits]);
    let base = dossiers(&m);
    let tries = [
        api.get(&base).bearer_auth(&stranger),
        api.post(&base)
            .bearer_auth(&stranger)
            .json(&deposited("building", &cin, &name)),
        api.get(&format!("{base}/mine")).bearer_auth(&stranger),
        api.get(&format!("{base}/{id}")).bearer_auth(&stranger),
        api.post(&format!("{base}/{id}/transitions"))
            .bearer_auth(&stranger)
            .json(&json!({"state": "in_review", "note": "Pas chez nous."})),
        api.post(&format!("{base}/{id}/documents"))
            .bearer_auth(&stranger)
            .json(&json!({"content_type": "application/pdf", "size": 100})),
        api.post(&format!("{base}/follow"))
            .bearer_auth(&stranger)
            .json(&json!({"reference": reference, "national_id": cin})),
        api.post(&format!("{base}/exports")).bearer_auth(&stranger),
    ];
    for req in tries {
        let a = send(req).await;
        a.assert_problem(404, "not_found");
        assert!(!a.body.to_string().contains(&cin));
    }
    // Citizens do not manage dossiers.
    let someone = citizen();
    send(api.get(&base).bearer_auth(&someone))
        .await
        .assert_problem(403, "forbidden");
    send(api.post(&format!("{base}/exports")).bearer_auth(&someone))
        .await
        .assert_problem(403, "forbidden");
    // Nor do the municipality's own staff without the permission.
    let editor = staff(&m, None, &[Permission::News]);
    send(api.get(&base).bearer_auth(&editor))
        .await
        .assert_problem(403, "forbidden");
    send(api.get(&format!("{base}/{id}")).bearer_auth(&editor))
        .await
        .assert_problem(403, "forbidden");
    send(api.get(&base))
        .await
        .assert_problem(401, "unauthenticated");
}
