//! The open-data export of permit dossiers in the Building & Land Development
//! Specification (BLDS, <https://permitdata.org>).
//!
//! The BLDS core permits data set is specified on the standard's wiki,
//! <https://github.com/open-data-standards/permitdata.org/wiki/Core-Permits-Dataset-Requirements>
//! (last revised 2016-04-01). What this module relies on:
//!
//! - Required fields: `PermitNum`, `Description`, `AppliedDate`¹, `IssuedDate`¹,
//!   `CompletedDate`², `StatusCurrent`², `OriginalAddress1`, `OriginalAddress2`³,
//!   `OriginalCity`, `OriginalState`, `OriginalZip`.
//!   ¹ either of the two is required, both when available; ² likewise; ³ only if the
//!   jurisdiction's system of record has it (ours does not: it stays empty).
//! - Dates are `TEXT (YYYY-MM-DD)`, a calendar date without time or zone.
//! - The `…Mapped` fields take one of the standard's values (lists below). The
//!   standard has no "other" value: a dossier type or state without an exact
//!   counterpart gets the nearest one, and the raw field next to it (`PermitType`,
//!   `StatusCurrent`) keeps our own code, as the standard intends.
//! - `OriginalState` and `OriginalZip` are "as stored by the jurisdiction": for a
//!   Tunisian municipality, the governorate's ISO 3166-2 code (`TN-11`) and the
//!   4-digit postal code of La Poste Tunisienne. The standard allows neither to be
//!   empty, so a record without a postal code does not pass [`validate`]: give the
//!   municipality's own postal code when the dossier has none.
//!
//! Personal data never enters the export: [`PermitFacts`] has no field for the
//! applicant, the owner, a national ID or a phone number, and the standard's
//! optional contractor fields are not published.

use serde::ser::{Serialize, SerializeMap, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset};

use super::dossier_type;

/// BLDS `StatusCurrentMapped` values (the standard's list, in its order).
pub const STATUS_CURRENT_MAPPED: &[&str] = &[
    "Application Accepted",
    "Fees/Payment",
    "In Review",
    "Permit Issued",
    "Inspection Phase",
    "Permit Finaled",
    "Permit Finaled with Conditions",
    "Occupancy",
    "Appeal",
    "Permit Cancelled",
];

/// BLDS `PermitTypeMapped` values.
pub const PERMIT_TYPE_MAPPED: &[&str] = &[
    "Building",
    "Demolition",
    "Electrical",
    "Mechanical",
    "Plumbing",
    "Roof",
    "Fence",
    "Grading",
    "Pool/Spa",
];

/// BLDS `WorkClassMapped` values.
pub const WORK_CLASS_MAPPED: &[&str] = &["New", "Existing"];

/// BLDS `PermitClassMapped` values. The standard lists "Residential (Single
/// Family/Duplex)" and "Non-Residential (Commercial, Industrial, Institutional)";
/// published BLDS data sets write the bare words, so both forms are accepted. We
/// do not publish this field (the dossier does not say which class it is).
pub const PERMIT_CLASS_MAPPED: &[&str] = &[
    "Residential",
    "Non-Residential",
    "Residential (Single Family/Duplex)",
    "Non-Residential (Commercial, Industrial, Institutional)",
];

/// BLDS `StatusCurrentMapped` for one of our states; empty for an unknown state
/// (the field is recommended, not required). The standard has no value for a
/// refusal: `rejected` reads as `Permit Cancelled`, while `StatusCurrent` keeps
/// `rejected`. A dossier waiting for missing documents (`not_clear`) or before the
/// committee is still under review.
pub fn blds_status(state: &str) -> &'static str {
    match state {
        "received" => "Application Accepted",
        "in_review" | "not_clear" | "committee" => "In Review",
        "fees_due" => "Fees/Payment",
        "issued" => "Permit Issued",
        "completed" => "Permit Finaled",
        "appealed" => "Appeal",
        "rejected" | "cancelled" => "Permit Cancelled",
        _ => "",
    }
}

/// What the export knows of one dossier. Only public facts: nothing here names or
/// identifies the applicant or the owner.
#[derive(Debug, Clone, Copy, Default)]
pub struct PermitFacts<'a> {
    /// The dossier's reference number (`2026-000042`).
    pub reference: &'a str,
    /// One of [`DOSSIER_TYPES`]' codes.
    pub dossier_type: &'a str,
    /// The public description of the works. Empty: the dossier type's name is used.
    pub description: &'a str,
    /// The dossier's workflow state (`workflow::PERMIT`).
    pub state: &'a str,
    /// RFC 3339 UTC.
    pub applied: &'a str,
    pub issued: Option<&'a str>,
    pub completed: Option<&'a str>,
    /// When the state last changed.
    pub status_date: &'a str,
    /// Where the works are (street address of the property).
    pub address: &'a str,
    /// Municipality name.
    pub city: &'a str,
    /// ISO 3166-2 code of the governorate, e.g. "TN-11".
    pub state_or_governorate: &'a str,
    /// 4-digit Tunisian postal code; BLDS requires one (see the module's notes).
    pub postal_code: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Municipality slug.
    pub jurisdiction: &'a str,
    /// Public page of the dossier (BLDS: ideally reachable without a login).
    pub link: Option<&'a str>,
}

/// The standard's required core fields (names exactly as BLDS spells them).
pub const BLDS_REQUIRED: &[&str] = &[
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "OriginalAddress1",
    "OriginalAddress2",
    "OriginalCity",
    "OriginalState",
    "OriginalZip",
];

/// Every field we publish, in order (the CSV header): the required fields, then
/// the recommended ones we have, in the standard's order.
pub const BLDS_FIELDS: &[&str] = &[
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "OriginalAddress1",
    "OriginalAddress2",
    "OriginalCity",
    "OriginalState",
    "OriginalZip",
    "Jurisdiction",
    "StatusCurrentMapped",
    "PermitType",
    "PermitTypeMapped",
    "PermitTypeDesc",
    "StatusDate",
    "Link",
    "Latitude",
    "Longitude",
];

/// Every field of the BLDS core permits data set (required, recommended,
/// optional), to catch misspelt names.
const CORE_FIELDS: &[&str] = &[
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "OriginalAddress1",
    "OriginalAddress2",
    "OriginalCity",
    "OriginalState",
    "OriginalZip",
    "Jurisdiction",
    "PermitClass",
    "PermitClassMapped",
    "StatusCurrentMapped",
    "WorkClass",
    "WorkClassMapped",
    "PermitType",
    "PermitTypeMapped",
    "PermitTypeDesc",
    "StatusDate",
    "TotalSqFt",
    "Link",
    "Latitude",
    "Longitude",
    "EstProjectCost",
    "HousingUnits",
    "PIN",
    "ContractorCompanyName",
    "ContractorTrade",
    "ContractorTradeMapped",
    "ContractorLicNum",
    "ContractorStateLic",
    "ProposedUse",
    "AddedSqFt",
    "RemovedSqFt",
    "MasterPermitNum",
    "ExpiresDate",
    "COIssuedDate",
    "HoldDate",
    "VoidDate",
    "ProjectName",
    "ProjectID",
    "TotalFinishedSqFt",
    "TotalUnfinishedSqFt",
    "TotalHeatedSqFt",
    "TotalUnHeatedSqFt",
    "TotalAccSqFt",
    "TotalSprinkledSqFt",
    "ExtraFields",
    "Publisher",
    "Fee",
    "ContractorFullName",
    "ContractorCompanyDesc",
    "ContractorPhone",
    "ContractorAddress1",
    "ContractorAddress2",
    "ContractorCity",
    "ContractorState",
    "ContractorZip",
    "ContractorEmail",
];

/// Required fields that must also hold a value (the others are covered by the
/// standard's either-or notes, or may be empty).
const NON_EMPTY: &[&str] = &[
    "PermitNum",
    "Description",
    "OriginalAddress1",
    "OriginalCity",
    "OriginalState",
    "OriginalZip",
];

/// `TEXT (YYYY-MM-DD)` fields.
const DATE_FIELDS: &[&str] = &[
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusDate",
    "ExpiresDate",
    "COIssuedDate",
    "HoldDate",
    "VoidDate",
];

/// `NUMERIC` fields.
const NUMERIC_FIELDS: &[&str] = &["Latitude", "Longitude", "EstProjectCost"];

/// `INTEGER` fields.
const INTEGER_FIELDS: &[&str] = &[
    "TotalSqFt",
    "HousingUnits",
    "AddedSqFt",
    "RemovedSqFt",
    "Fee",
];

/// The mapped fields and their allowed values.
const MAPPED: &[(&str, &[&str])] = &[
    ("PermitClassMapped", PERMIT_CLASS_MAPPED),
    ("StatusCurrentMapped", STATUS_CURRENT_MAPPED),
    ("WorkClassMapped", WORK_CLASS_MAPPED),
    ("PermitTypeMapped", PERMIT_TYPE_MAPPED),
];

/// Tunisia keeps UTC+01:00 all year (no summer time since 2009): a dossier's
/// dates are the calendar dates in Tunisia, not in UTC.
const TUNISIA: UtcOffset = time::macros::offset!(+1);

/// An RFC 3339 instant as the BLDS date (`YYYY-MM-DD`) it falls on in Tunisia. A
/// bare date passes as it is; anything else is kept unchanged so that
/// [`validate`] reports it rather than the export hiding it.
fn blds_date(raw: &str) -> String {
    let v = raw.trim();
    if let Ok(t) = OffsetDateTime::parse(v, &Rfc3339) {
        let d = t.to_offset(TUNISIA).date();
        return format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    }
    v.to_owned()
}

/// `YYYY-MM-DD`, a real calendar date.
fn is_blds_date(v: &str) -> bool {
    let b = v.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if !shape {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        v[..4].parse::<i32>(),
        v[5..7].parse::<u8>(),
        v[8..].parse::<u8>(),
    ) else {
        return false;
    };
    Month::try_from(m).is_ok_and(|m| Date::from_calendar_date(y, m, d).is_ok())
}

/// One BLDS record: field name → value, in the standard's column order
/// ([`BLDS_FIELDS`]). Empty values are empty strings.
pub fn blds_record(p: &PermitFacts<'_>) -> Vec<(&'static str, String)> {
    let kind = dossier_type(p.dossier_type);
    let description = match p.description.trim() {
        "" => kind.map_or(p.dossier_type, |k| k.name.fr),
        d => d,
    };
    let opt_date = |d: Option<&str>| d.map(blds_date).unwrap_or_default();
    let coord = |c: Option<f64>| c.map(|c| c.to_string()).unwrap_or_default();
    vec![
        ("PermitNum", p.reference.trim().to_owned()),
        ("Description", description.to_owned()),
        ("AppliedDate", blds_date(p.applied)),
        ("IssuedDate", opt_date(p.issued)),
        ("CompletedDate", opt_date(p.completed)),
        ("StatusCurrent", p.state.to_owned()),
        ("OriginalAddress1", p.address.trim().to_owned()),
        // Footnote 3: only if the system of record has a second line; ours has not.
        ("OriginalAddress2", String::new()),
        ("OriginalCity", p.city.trim().to_owned()),
        ("OriginalState", p.state_or_governorate.trim().to_owned()),
        (
            "OriginalZip",
            p.postal_code.unwrap_or_default().trim().to_owned(),
        ),
        ("Jurisdiction", p.jurisdiction.to_owned()),
        ("StatusCurrentMapped", blds_status(p.state).to_owned()),
        ("PermitType", p.dossier_type.to_owned()),
        (
            "PermitTypeMapped",
            kind.map_or("", |k| k.blds_type).to_owned(),
        ),
        ("PermitTypeDesc", kind.map_or("", |k| k.name.fr).to_owned()),
        ("StatusDate", blds_date(p.status_date)),
        ("Link", p.link.unwrap_or_default().to_owned()),
        ("Latitude", coord(p.latitude)),
        ("Longitude", coord(p.longitude)),
    ]
}

/// The value of `field` in a record, if present.
fn field<'r>(record: &'r [(&'static str, String)], name: &str) -> Option<&'r str> {
    record
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// Check records against the standard: every required field present and
/// non-empty where the standard demands a value, dates in the standard's format,
/// mapped values from the allowed lists, numbers where it wants numbers, no field
/// the standard does not define. Returns the problems found (empty = valid).
pub fn validate(records: &[Vec<(&'static str, String)>]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let num = field(record, "PermitNum").unwrap_or("?");
        let mut report = |what: String| problems.push(format!("record {i} ({num}): {what}"));
        let value = |name: &str| field(record, name).map(str::trim).unwrap_or("");

        for (k, (name, _)) in record.iter().enumerate() {
            if !CORE_FIELDS.contains(name) {
                report(format!(
                    "{name}: not a field of the BLDS core permits data set"
                ));
            }
            if record[..k].iter().any(|(n, _)| n == name) {
                report(format!("{name}: given twice"));
            }
        }
        for name in BLDS_REQUIRED {
            if field(record, name).is_none() {
                report(format!("{name}: missing (required by BLDS)"));
            }
        }
        for name in NON_EMPTY {
            if field(record, name).is_some() && value(name).is_empty() {
                report(format!("{name}: empty (BLDS requires a value)"));
            }
        }
        if value("AppliedDate").is_empty() && value("IssuedDate").is_empty() {
            report("AppliedDate, IssuedDate: BLDS requires at least one of them".into());
        }
        if value("CompletedDate").is_empty() && value("StatusCurrent").is_empty() {
            report("CompletedDate, StatusCurrent: BLDS requires at least one of them".into());
        }
        for name in DATE_FIELDS {
            let v = value(name);
            if !v.is_empty() && !is_blds_date(v) {
                report(format!("{name}: {v:?} is not a YYYY-MM-DD date"));
            }
        }
        for (name, allowed) in MAPPED {
            let v = value(name);
            if !v.is_empty() && !allowed.contains(&v) {
                report(format!(
                    "{name}: {v:?} is not one of the standard's values ({})",
                    allowed.join(", ")
                ));
            }
        }
        for name in NUMERIC_FIELDS {
            let v = value(name);
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) if n.is_finite() => {
                    let limit = match *name {
                        "Latitude" => 90.0,
                        "Longitude" => 180.0,
                        _ => f64::INFINITY,
                    };
                    if n.abs() > limit {
                        report(format!("{name}: {v} is out of range"));
                    }
                }
                _ => report(format!("{name}: {v:?} is not a decimal number")),
            }
        }
        for name in INTEGER_FIELDS {
            let v = value(name);
            if !v.is_empty() && v.parse::<i64>().is_err() {
                report(format!("{name}: {v:?} is not an integer"));
            }
        }
    }
    problems
}

/// The records as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a
/// comma, a quote or a line break). The header row is [`BLDS_FIELDS`]; a field a
/// record lacks is written empty.
pub fn to_csv(records: &[Vec<(&'static str, String)>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(BLDS_FIELDS)
        .expect("writing to memory cannot fail");
    for record in records {
        w.write_record(BLDS_FIELDS.iter().map(|f| field(record, f).unwrap_or("")))
            .expect("writing to memory cannot fail");
    }
    let bytes = w.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

/// One record as a JSON object with [`BLDS_FIELDS`] as keys, in that order.
struct JsonRecord<'r>(&'r [(&'static str, String)]);

impl Serialize for JsonRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(BLDS_FIELDS.len()))?;
        for name in BLDS_FIELDS {
            let v = field(self.0, name).unwrap_or("");
            let number = NUMERIC_FIELDS
                .contains(name)
                .then(|| v.parse::<f64>().ok().filter(|n| n.is_finite()))
                .flatten();
            match number {
                Some(n) => map.serialize_entry(name, &n)?,
                None if v.is_empty() => map.serialize_entry(name, &())?,
                None => map.serialize_entry(name, v)?,
            }
        }
        map.end()
    }
}

/// The records as a JSON array of objects with the same fields as the CSV, in
/// the same order: text as strings, `Latitude`/`Longitude` as numbers, an empty
/// value as `null`.
pub fn to_json(records: &[Vec<(&'static str, String)>]) -> String {
    let objects: Vec<JsonRecord<'_>> = records.iter().map(|r| JsonRecord(r)).collect();
    serde_json::to_string(&objects).expect("strings and finite numbers always serialize")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::{DOSSIER_TYPES, dossier_type};
    use super::*;
    use crate::domain::Lang;
    use crate::domain::workflow::PERMIT;

    const STATES: [&str; 10] = [
        "received",
        "in_review",
        "not_clear",
        "committee",
        "fees_due",
        "issued",
        "completed",
        "rejected",
        "appealed",
        "cancelled",
    ];

    fn received() -> PermitFacts<'static> {
        PermitFacts {
            reference: "2026-000042",
            dossier_type: "building",
            description: "Construction d'une maison individuelle R+1",
            state: "received",
            // 00:30 in Tunis on 1 February.
            applied: "2026-01-31T23:30:00Z",
            issued: None,
            completed: None,
            status_date: "2026-01-31T23:30:00Z",
            address: "12 rue de Marseille",
            city: "Tunis",
            state_or_governorate: "TN-11",
            postal_code: Some("1000"),
            latitude: Some(36.8008),
            longitude: Some(10.1817),
            jurisdiction: "tunis",
            link: Some("https://baladiya.tn/tunis/permits/2026-000042"),
        }
    }

    fn issued() -> PermitFacts<'static> {
        PermitFacts {
            reference: "2026-000043",
            dossier_type: "water",
            description: "Branchement d'un logement au réseau SONEDE",
            state: "issued",
            applied: "2026-02-02T09:15:00Z",
            issued: Some("2026-02-20T14:00:00Z"),
            status_date: "2026-02-20T14:00:00Z",
            address: "Avenue Habib Bourguiba",
            city: "Sfax",
            state_or_governorate: "TN-61",
            postal_code: Some("3000"),
            jurisdiction: "sfax",
            ..PermitFacts::default()
        }
    }

    fn set(record: &mut [(&'static str, String)], name: &str, value: &str) {
        let slot = record.iter_mut().find(|(n, _)| *n == name).unwrap();
        slot.1 = value.to_owned();
    }

    #[test]
    fn dossier_types_are_unique_named_and_mapped() {
        let codes: HashSet<_> = DOSSIER_TYPES.iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), DOSSIER_TYPES.len(), "duplicate code");
        let expected: HashSet<_> = [
            "building",
            "temporary_works",
            "subdivision",
            "public_road_use",
            "networks",
            "water",
            "sanitation",
            "electricity",
            "gas",
            "other",
        ]
        .into_iter()
        .collect();
        assert_eq!(codes, expected);
        for t in DOSSIER_TYPES {
            for lang in Lang::ALL {
                assert!(!t.name(lang).trim().is_empty(), "{} {lang:?}", t.code);
            }
            assert!(
                t.name
                    .ar
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{} has no Arabic name",
                t.code
            );
            assert!(
                PERMIT_TYPE_MAPPED.contains(&t.blds_type),
                "{}: {}",
                t.code,
                t.blds_type
            );
            let days = if t.code == "building" { 60 } else { 30 };
            assert_eq!(t.review_days, days, "{}", t.code);
            assert_eq!(dossier_type(t.code), Some(t));
        }
        let building = dossier_type("building").unwrap();
        assert_eq!(building.name(Lang::Ar), "رخصة بناء");
        assert_eq!(building.name(Lang::Fr), "Permis de bâtir");
        assert_eq!(dossier_type("Building"), None);
        assert_eq!(dossier_type(""), None);
    }

    #[test]
    fn every_state_maps_to_a_blds_status() {
        for state in STATES.iter().chain(PERMIT.states) {
            let mapped = blds_status(state);
            assert!(
                STATUS_CURRENT_MAPPED.contains(&mapped),
                "{state} -> {mapped:?}"
            );
        }
        assert_eq!(blds_status("received"), "Application Accepted");
        assert_eq!(blds_status("fees_due"), "Fees/Payment");
        assert_eq!(blds_status("issued"), "Permit Issued");
        assert_eq!(blds_status("completed"), "Permit Finaled");
        assert_eq!(blds_status("appealed"), "Appeal");
        assert_eq!(blds_status("cancelled"), "Permit Cancelled");
        assert_eq!(blds_status("no_such_state"), "");
    }

    #[test]
    fn records_of_issued_and_received_dossiers_are_valid() {
        let records = vec![blds_record(&received()), blds_record(&issued())];
        assert_eq!(validate(&records), Vec::<String>::new());
        for r in &records {
            let names: Vec<_> = r.iter().map(|(n, _)| *n).collect();
            assert_eq!(names, BLDS_FIELDS);
        }
        for name in BLDS_REQUIRED {
            assert!(BLDS_FIELDS.contains(name), "{name} not published");
        }

        let r = &records[0];
        assert_eq!(field(r, "PermitNum"), Some("2026-000042"));
        // Late evening UTC is already the next day in Tunisia.
        assert_eq!(field(r, "AppliedDate"), Some("2026-02-01"));
        assert_eq!(field(r, "StatusDate"), Some("2026-02-01"));
        assert_eq!(field(r, "IssuedDate"), Some(""));
        assert_eq!(field(r, "CompletedDate"), Some(""));
        assert_eq!(field(r, "StatusCurrent"), Some("received"));
        assert_eq!(
            field(r, "StatusCurrentMapped"),
            Some("Application Accepted")
        );
        assert_eq!(field(r, "PermitTypeMapped"), Some("Building"));
        assert_eq!(field(r, "PermitTypeDesc"), Some("Permis de bâtir"));
        assert_eq!(field(r, "OriginalState"), Some("TN-11"));
        assert_eq!(field(r, "OriginalZip"), Some("1000"));
        assert_eq!(field(r, "OriginalAddress2"), Some(""));
        assert_eq!(field(r, "Latitude"), Some("36.8008"));

        let r = &records[1];
        assert_eq!(field(r, "AppliedDate"), Some("2026-02-02"));
        assert_eq!(field(r, "IssuedDate"), Some("2026-02-20"));
        assert_eq!(field(r, "StatusCurrentMapped"), Some("Permit Issued"));
        assert_eq!(field(r, "PermitTypeMapped"), Some("Plumbing"));
        assert_eq!(field(r, "Latitude"), Some(""));
        assert_eq!(field(r, "Link"), Some(""));
    }

    #[test]
    fn a_dossier_without_description_is_described_by_its_type() {
        let facts = PermitFacts {
            description: "  ",
            ..received()
        };
        let r = blds_record(&facts);
        assert_eq!(field(&r, "Description"), Some("Permis de bâtir"));
        assert!(validate(&[r]).is_empty());
    }

    #[test]
    fn a_record_without_postal_code_is_not_valid() {
        let facts = PermitFacts {
            postal_code: None,
            ..received()
        };
        let problems = validate(&[blds_record(&facts)]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("OriginalZip"), "{problems:?}");
    }

    #[test]
    fn validate_catches_missing_fields_bad_dates_and_bad_mapped_values() {
        let valid = blds_record(&issued());

        let mut r = valid.clone();
        r.retain(|(n, _)| *n != "OriginalCity");
        let p = validate(&[r]);
        assert!(
            p.iter().any(|p| p.contains("OriginalCity: missing")),
            "{p:?}"
        );

        let mut r = valid.clone();
        set(&mut r, "Description", "");
        assert!(validate(&[r]).iter().any(|p| p.contains("Description")));

        for bad in [
            "2026-02-30",
            "20/02/2026",
            "2026-2-20",
            "2026-02-20T14:00:00Z",
        ] {
            let mut r = valid.clone();
            set(&mut r, "IssuedDate", bad);
            let p = validate(&[r]);
            assert!(
                p.iter()
                    .any(|p| p.contains("IssuedDate") && p.contains("YYYY-MM-DD")),
                "{bad}: {p:?}"
            );
        }

        let mut r = valid.clone();
        set(&mut r, "StatusCurrentMapped", "Approved");
        let p = validate(&[r]);
        assert!(p.iter().any(|p| p.contains("StatusCurrentMapped")), "{p:?}");

        let mut r = valid.clone();
        set(&mut r, "PermitTypeMapped", "Other");
        assert!(
            validate(&[r])
                .iter()
                .any(|p| p.contains("PermitTypeMapped"))
        );

        let mut r = valid.clone();
        r.push(("WorkClassMapped", "Renovation".into()));
        assert!(validate(&[r]).iter().any(|p| p.contains("WorkClassMapped")));

        let mut r = valid.clone();
        set(&mut r, "AppliedDate", "");
        set(&mut r, "IssuedDate", "");
        assert!(
            validate(&[r])
                .iter()
                .any(|p| p.contains("AppliedDate, IssuedDate"))
        );

        let mut r = valid.clone();
        set(&mut r, "Latitude", "north");
        set(&mut r, "Longitude", "200");
        assert_eq!(validate(&[r]).len(), 2);

        let mut r = valid.clone();
        r.push(("IssueDate", "2026-02-20".into()));
        assert!(
            validate(&[r])
                .iter()
                .any(|p| p.contains("IssueDate: not a field"))
        );

        // Problems name the record they were found in.
        let mut r = valid;
        set(&mut r, "StatusDate", "yesterday");
        let p = validate(&[blds_record(&received()), r]);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("record 1 (2026-000043)"), "{p:?}");
    }

    #[test]
    fn csv_has_the_header_and_quotes_what_needs_it() {
        let tricky = "Extension, 2e étage \"villa\"\nsuite";
        let facts = PermitFacts {
            description: tricky,
            ..received()
        };
        let records = vec![blds_record(&facts), blds_record(&issued())];
        let csv = to_csv(&records);

        let header = csv.split("\r\n").next().unwrap();
        assert_eq!(header, BLDS_FIELDS.join(","));
        assert!(
            csv.contains("\"Extension, 2e étage \"\"villa\"\"\nsuite\""),
            "{csv}"
        );

        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let head: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(head, BLDS_FIELDS);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), records.len());
        for (row, record) in rows.iter().zip(&records) {
            let values: Vec<&str> = record.iter().map(|(_, v)| v.as_str()).collect();
            assert_eq!(row.iter().collect::<Vec<_>>(), values);
        }
        assert_eq!(&rows[0][1], tricky);
    }

    #[test]
    fn json_has_every_field() {
        let records = vec![blds_record(&received()), blds_record(&issued())];
        let json: serde_json::Value = serde_json::from_str(&to_json(&records)).unwrap();
        let array = json.as_array().unwrap();
        assert_eq!(array.len(), 2);
        for object in array {
            let object = object.as_object().unwrap();
            for name in BLDS_REQUIRED.iter().chain(BLDS_FIELDS) {
                assert!(object.contains_key(*name), "{name} missing");
            }
            assert_eq!(object.len(), BLDS_FIELDS.len());
        }
        assert_eq!(array[0]["PermitNum"], "2026-000042");
        assert_eq!(array[0]["AppliedDate"], "2026-02-01");
        assert_eq!(array[0]["Latitude"], 36.8008);
        assert_eq!(array[0]["OriginalCity"], "Tunis");
        assert!(array[1]["Latitude"].is_null());
        assert!(array[1]["OriginalAddress2"].is_null());
        assert_eq!(to_json(&[]), "[]");
    }
}
