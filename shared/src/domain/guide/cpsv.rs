//! A municipality's guide as CPSV-AP 3 (the EU's Core Public Service
//! Vocabulary Application Profile) in JSON-LD: each procedure a
//! `cpsv:PublicService`, with its conditions as `cv:CriterionRequirement`, its
//! documents as `cv:Evidence`, its fees as `cv:Cost` (in TND), its delay as
//! `cv:processingTime`, its channels as `cv:Channel`, its offices as
//! `cv:ContactPoint` with opening hours, its legal basis as
//! `eli:LegalResource`, the municipality as `cv:PublicOrganisation`. A
//! mapping of the fields we keep, not a second model.

use serde_json::{Value, json};

use super::hours::OfficeHours;
use super::{Channel, DocumentForm, Procedure};
use crate::domain::text::Text;

/// JSON-LD's language-tagged values of a text.
fn langs(t: &Text) -> Value {
    let v: Vec<Value> = [("ar", &t.ar), ("fr", &t.fr), ("en", &t.en)]
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(l, s)| json!({"@value": s, "@language": l}))
        .collect();
    Value::Array(v)
}

fn channel_type(c: Channel) -> &'static str {
    // The EU's channel vocabulary (http://publications.europa.eu/resource/authority/channel).
    match c {
        Channel::Counter | Channel::Eticket => "ASSISTED",
        Channel::Appointment => "ASSISTED",
        Channel::Dossier | Channel::Online => "E-SERVICE",
    }
}

fn days(w: &crate::domain::eticket::WeeklyHours) -> Vec<Value> {
    use time::Weekday::*;
    let names = [
        (Monday, "Monday"),
        (Tuesday, "Tuesday"),
        (Wednesday, "Wednesday"),
        (Thursday, "Thursday"),
        (Friday, "Friday"),
        (Saturday, "Saturday"),
        (Sunday, "Sunday"),
    ];
    let mut out = Vec::new();
    for (d, name) in names {
        for s in w.shifts(d) {
            out.push(json!({
                "@type": "schema:OpeningHoursSpecification",
                "schema:dayOfWeek": {"@id": format!("schema:{name}")},
                "schema:opens": format!("{}:00", s.open),
                "schema:closes": format!("{}:00", s.close),
            }));
        }
    }
    out
}

/// An office as a contact point.
pub struct ContactPoint<'a> {
    pub id: String,
    pub name: &'a Text,
    pub phone: Option<&'a str>,
    pub hours: &'a OfficeHours,
}

/// The `@context` of the export.
pub fn context() -> Value {
    json!({
        "cpsv": "http://purl.org/vocab/cpsv#",
        "cv": "http://data.europa.eu/m8g/",
        "dct": "http://purl.org/dc/terms/",
        "dcat": "http://www.w3.org/ns/dcat#",
        "eli": "http://data.europa.eu/eli/ontology#",
        "schema": "http://schema.org/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#"
    })
}

/// One procedure as a `cpsv:PublicService`; `id` is its page's URL,
/// `authority` the municipality.
pub fn public_service(
    p: &Procedure,
    id: &str,
    authority: (&str, &Text),
    contacts: &[ContactPoint<'_>],
) -> Value {
    let criteria: Vec<Value> = p
        .conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "@id": format!("{id}#criterion-{}", i + 1),
                "@type": "cv:CriterionRequirement",
                "dct:title": langs(c),
            })
        })
        .collect();
    let evidence: Vec<Value> = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let form = match d.form {
                DocumentForm::Original => "original",
                DocumentForm::Copy => "copy",
                DocumentForm::CertifiedCopy => "certified copy",
            };
            let mut e = json!({
                "@id": format!("{id}#evidence-{}", i + 1),
                "@type": "cv:Evidence",
                "dct:title": langs(&d.name),
                "dct:description": format!("{form} x{}", d.count),
            });
            if let Some(issuer) = &d.issuer {
                e["dct:publisher"] =
                    json!({"@type": "cv:PublicOrganisation", "skos:prefLabel": langs(issuer)});
            }
            e
        })
        .collect();
    let costs: Vec<Value> = p
        .fees
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut c = json!({
                "@id": format!("{id}#cost-{}", i + 1),
                "@type": "cv:Cost",
                "dct:description": langs(f.note.as_ref().unwrap_or(&f.label)),
                "cv:currency": {"@id": "http://publications.europa.eu/resource/authority/currency/TND"},
            });
            if let Some(m) = f.amount_millimes {
                c["cv:value"] = json!({"@value": format!("{}.{:03}", m / 1000, m % 1000), "@type": "xsd:decimal"});
            }
            c
        })
        .collect();
    let channels: Vec<Value> = p
        .channels
        .iter()
        .map(|c| {
            json!({
                "@type": "cv:Channel",
                "dct:identifier": serde_json::to_value(c).unwrap_or(Value::Null),
                "dct:type": {"@id": format!("http://publications.europa.eu/resource/authority/channel/{}", channel_type(*c))},
            })
        })
        .collect();
    let contact_points: Vec<Value> = contacts
        .iter()
        .map(|c| {
            let mut v = json!({
                "@id": c.id,
                "@type": "cv:ContactPoint",
                "skos:prefLabel": langs(c.name),
                "cv:openingHours": days(&c.hours.regular),
            });
            if let Some(phone) = c.phone {
                v["cv:telephone"] = json!(phone);
            }
            v
        })
        .collect();
    let legal: Vec<Value> = p
        .legal_basis
        .iter()
        .map(|l| {
            let mut v = json!({"@type": "eli:LegalResource", "eli:title": langs(&l.title)});
            if let Some(u) = &l.url {
                v["@id"] = json!(u);
            }
            v
        })
        .collect();
    let mut s = json!({
        "@id": id,
        "@type": "cpsv:PublicService",
        "dct:identifier": p.code,
        "dct:title": langs(&p.title),
        "cv:thematicArea": p.category.code(),
        "cv:hasCompetentAuthority": {
            "@id": authority.0,
            "@type": "cv:PublicOrganisation",
            "skos:prefLabel": langs(authority.1),
        },
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/ARA"},
            {"@id": "http://publications.europa.eu/resource/authority/language/FRA"}
        ],
        "cv:hasCriterion": criteria,
        "cpsv:hasInput": evidence,
        "cv:hasCost": costs,
        "cv:hasChannel": channels,
        "cv:hasContactPoint": contact_points,
        "cv:hasLegalResource": legal,
        "dcat:keyword": p.keywords,
    });
    if let Some(summary) = &p.summary {
        s["dct:description"] = langs(summary);
    }
    if let Some(d) = &p.delay {
        s["cv:processingTime"] = json!({"@value": d.duration, "@type": "xsd:duration"});
    }
    s
}
