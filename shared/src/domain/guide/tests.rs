use super::overlay::{self, EticketLink, Index, Settings, Source};
use super::*;

fn own(code: &str, title_fr: &str) -> Procedure {
    serde_json::from_value::<Procedure>(serde_json::json!({
        "code": code,
        "category": "other",
        "title": {"ar": "رخصة سوق أسبوعية", "fr": title_fr},
        "channels": ["counter"],
        "fees": [{"label": {"fr": "Redevance"}, "amount_millimes": 2500}],
        "delay": {"duration": "p3d", "basis": "target"},
    }))
    .unwrap()
    .check(code)
    .unwrap()
}

#[test]
fn procedures_are_checked_field_by_field() {
    let base = serde_json::to_value(own("market-stall", "Emplacement au souk")).unwrap();
    // (change to the body, the error expected)
    let cases: Vec<(serde_json::Value, Option<DomainError>)> = vec![
        (serde_json::json!({}), None),
        (
            serde_json::json!({"title": {"ar": "", "fr": "x"}}),
            Some(DomainError::invalid("title", "empty")),
        ),
        (
            serde_json::json!({"channels": []}),
            Some(DomainError::invalid("channels", "count")),
        ),
        (
            serde_json::json!({"delay": {"duration": "3 days", "basis": "legal"}}),
            Some(DomainError::invalid("delay.duration", "iso8601_duration")),
        ),
        (
            serde_json::json!({"delay": {"duration": "P3Y", "basis": "legal"}}),
            Some(DomainError::invalid("delay.duration", "iso8601_duration")),
        ),
        (
            serde_json::json!({"fees": [{"label": {"fr": "x"}}]}),
            Some(DomainError::invalid("fees", "amount_or_note")),
        ),
        (
            serde_json::json!({"channels": ["dossier"]}),
            Some(DomainError::invalid("permit_type", "required_for_dossier")),
        ),
        (
            serde_json::json!({"channels": ["dossier"], "permit_type": "spaceport"}),
            Some(DomainError::invalid("permit_type", "unknown")),
        ),
        (
            serde_json::json!({"channels": ["dossier"], "permit_type": "building"}),
            None,
        ),
        (
            serde_json::json!({"legal_basis": [{"title": {"fr": "Loi"}, "url": "javascript:x"}]}),
            Some(DomainError::invalid("legal_basis.url", "format")),
        ),
        (
            serde_json::json!({"documents": [{"name": {"fr": "CIN"}, "form": "copy", "count": 0}]}),
            Some(DomainError::invalid("documents.count", "range")),
        ),
    ];
    for (change, expected) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let p: Procedure = serde_json::from_value(body).unwrap();
        let got = p.check("market-stall");
        assert_eq!(got.as_ref().err(), expected.as_ref(), "{change}");
    }
    assert_eq!(
        own("market-stall", "x").delay.unwrap().duration,
        "P3D",
        "durations are upper-cased"
    );
}

fn link() -> Option<EticketLink> {
    Some(EticketLink {
        agency: "bab-bhar".into(),
        service: "civil-status".into(),
    })
}

fn set(hidden: bool, eticket: Option<EticketLink>) -> Settings {
    Settings {
        hidden,
        eticket,
        forms: Vec::new(),
    }
}

#[test]
fn a_municipality_overrides_hides_and_extends_the_catalogue() {
    let now = "2026-12-03T10:00:00Z";
    let empty = Index::default();
    let national = empty.listing(false).len();
    assert_eq!(national, catalogue::national().len());

    // Its own procedure joins the list; the version moves.
    let c = overlay::put(&empty, None, own("market-stall", "Souk"), now).unwrap();
    assert_eq!(c.index.version, 1);
    let listed = c.index.listing(false);
    assert_eq!(listed.len(), national + 1);
    assert!(
        listed
            .iter()
            .any(|l| l.code == "market-stall" && l.source == Source::Own)
    );

    // Its version of a national procedure replaces it, in place.
    let mut mine = own("signature-legalisation", "Légalisation (Tunis)");
    mine.category = Category::Administrative;
    let c2 = overlay::put(&c.index, None, mine, now).unwrap();
    let l = c2.index.listing(false);
    assert_eq!(l.len(), national + 1);
    let s = l
        .iter()
        .find(|l| l.code == "signature-legalisation")
        .unwrap();
    assert_eq!(
        (s.source, s.summary.title.fr.as_str()),
        (Source::Override, "Légalisation (Tunis)")
    );

    // Removing it shows the catalogue's again; the entry, saying nothing more, goes.
    let c3 = overlay::remove(&c2.index, c2.entry.clone(), now).unwrap();
    assert_eq!(c3.entry, None);
    let s = c3
        .index
        .listing(false)
        .into_iter()
        .find(|l| l.code == "signature-legalisation")
        .unwrap();
    assert_eq!(s.source, Source::National);
    assert_eq!(
        overlay::remove(&c3.index, None, now),
        Err(DomainError::NotFound)
    );

    // Hidden: not listed for the public, listed for staff; shown again, the entry goes.
    let h = overlay::settings(&c3.index, None, "birth-certificate", set(true, None), now).unwrap();
    assert!(
        !h.index
            .listing(false)
            .iter()
            .any(|l| l.code == "birth-certificate")
    );
    assert!(
        h.index
            .listing(true)
            .iter()
            .any(|l| l.code == "birth-certificate" && l.hidden)
    );
    let shown = overlay::settings(
        &h.index,
        h.entry,
        "birth-certificate",
        set(false, None),
        now,
    )
    .unwrap();
    assert_eq!(shown.entry, None);

    // A link keeps the entry; a code that is nobody's is not found.
    let linked = overlay::settings(
        &c3.index,
        None,
        "birth-certificate",
        set(false, link()),
        now,
    )
    .unwrap();
    assert!(linked.entry.is_some_and(|e| e.eticket.is_some()));
    assert_eq!(
        overlay::settings(&c3.index, None, "no-such-thing", set(true, None), now),
        Err(DomainError::NotFound)
    );
}

#[test]
fn search_finds_the_catalogue_and_own_procedures_in_both_languages() {
    let now = "2026-12-03T10:00:00Z";
    let c = overlay::put(
        &Index::default(),
        None,
        own("market-stall", "Emplacement au souk hebdomadaire"),
        now,
    )
    .unwrap();
    let found = |q: &str| -> Vec<String> {
        c.index
            .search(&search::query(q), false)
            .iter()
            .map(|l| l.code.to_owned())
            .collect()
    };
    assert!(found("شهادة").contains(&"residence-certificate".to_owned()));
    assert!(found("شهاده").contains(&"celibacy-certificate".to_owned()));
    assert!(found("certificat").contains(&"residence-certificate".to_owned()));
    assert!(found("légalisation").contains(&"signature-legalisation".to_owned()));
    assert_eq!(found("hebdomadaire"), vec!["market-stall".to_owned()]);
    assert!(found("zzzz").is_empty());
    // Hidden ones are not found by the public.
    let h = overlay::settings(
        &c.index,
        None,
        "residence-certificate",
        set(true, None),
        now,
    )
    .unwrap();
    assert!(
        !h.index
            .search(&search::query("إقامة"), false)
            .iter()
            .any(|l| l.code == "residence-certificate")
    );
}

#[test]
fn a_municipality_keeps_a_bounded_number_of_its_own() {
    let now = "2026-12-03T10:00:00Z";
    let mut index = Index::default();
    for i in 0..overlay::MAX_OWN {
        index = overlay::put(&index, None, own(&format!("own-{i}"), "x"), now)
            .unwrap()
            .index;
    }
    assert_eq!(
        overlay::put(&index, None, own("one-more", "x"), now),
        Err(DomainError::invalid("procedures", "limit_reached"))
    );
}
