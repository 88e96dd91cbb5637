//! The open-data export (BLDS).

use super::*;

#[tokio::test]
async fn the_open_data_export_is_blds_without_personal_data() {
    let api = Api::from_env();
    let m = permits_municipality(&api, "prm-exp").await;
    let agent = staff(&m, None, &[Permission::Permits]);
    let mut secrets = Vec::new();
    let (cin, name) = (national_id(), holder_name());
    secrets.extend([cin.clone(), name.clone()]);
    let built = register(&api, &m, &agent, &deposited("building", &cin, &name)).await;
    let id = built["id"].as_str().unwrap().to_owned();
    for (state, note) in [
        ("in_review", "Complet."),
        ("issued", "Permis délivré."),
        ("completed", "Travaux achevés."),
    ] {
        let a = step(&api, &m, &id, &agent, json!({"state": state, "note": note})).await;
        assert_eq!(a.status, 200, "{}", a.body);
    }
    // A description naming its holder is published as the dossier type's name.
    let (cin2, name2) = (national_id(), holder_name());
    secrets.extend([cin2.clone(), name2.clone()]);
    let mut naming = deposited("water", &cin2, &name2);
    naming["description"] = json!(format!("Branchement de la maison de {name2}"));
    naming.as_object_mut().unwrap().remove("location");
    let water = register(&api, &m, &agent, &naming).await;
    let own_cin = national_id();
    secrets.push(own_cin.clone());
    register(
        &api,
        &m,
        &citizen(),
        &json!({
            "type": "public_road_use",
            "description": "Échafaudage devant la façade pendant deux semaines",
            "address": "Rue du Pacha 3",
            "postal_code": "1006",
            "holder_national_id": own_cin,
        }),
    )
    .await;

    let e = send(
        api.post(&format!("{}/exports", dossiers(&m)))
            .bearer_auth(&agent),
    )
    .await;
    assert_eq!(e.status, 201, "{}", e.body);
    assert_eq!(e.body["records"], 3);
    assert_eq!(e.body["csv"]["key"], format!("{m}/open-data/permits.csv"));
    assert_eq!(e.body["json"]["key"], format!("{m}/open-data/permits.json"));

    let json_text = download(&api, &e.body["json"]).await;
    let csv_text = download(&api, &e.body["csv"]).await;
    for s in &secrets {
        assert!(!json_text.contains(s.as_str()), "personal data in the JSON");
        assert!(!csv_text.contains(s.as_str()), "personal data in the CSV");
    }

    let records: Vec<Value> = serde_json::from_str(&json_text).expect("a JSON array");
    assert_eq!(records.len(), 3);
    let mut as_fields = Vec::new();
    for r in &records {
        let obj = r.as_object().expect("an object per dossier");
        let names: Vec<&str> = obj.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = BLDS_FIELDS.to_vec();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        expected.sort_unstable();
        assert_eq!(sorted, expected, "the BLDS fields, no other");
        for f in BLDS_REQUIRED {
            assert!(obj.contains_key(*f), "{f} missing");
        }
        assert_eq!(r["OriginalCity"], "Commune de test");
        assert_eq!(r["OriginalState"], "TN-11");
        assert_eq!(r["Jurisdiction"], m.as_str());
        assert!(r["Link"].is_null(), "no link to private data");
        as_fields.push(
            BLDS_FIELDS
                .iter()
                .map(|f| {
                    let v = match &r[*f] {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (*f, v)
                })
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(validate(&as_fields), Vec::<String>::new());
    let by_ref = |r: &Value| {
        records
            .iter()
            .find(|x| x["PermitNum"] == r["reference"])
            .expect("exported")
            .clone()
    };
    let b = by_ref(&built);
    assert_eq!(b["StatusCurrent"], "completed");
    assert_eq!(b["StatusCurrentMapped"], "Permit Finaled");
    assert!(b["IssuedDate"].is_string() && b["CompletedDate"].is_string());
    assert_eq!(b["PermitTypeMapped"], "Building");
    assert_eq!(b["OriginalZip"], "1000");
    assert!(b["Latitude"].is_number());
    let w = by_ref(&water);
    assert_eq!(
        w["Description"],
        "Autorisation de branchement au réseau d'eau potable"
    );
    assert!(w["IssuedDate"].is_null());

    let header = csv_text.lines().next().expect("a header");
    assert_eq!(header, BLDS_FIELDS.join(","));
    assert_eq!(csv_text.trim_end().lines().count(), 4, "header and 3 rows");
}
