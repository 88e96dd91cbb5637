//! Permit dossiers: the dossier types of the reference platform, the reference
//! number of a dossier, what a dossier holds, how its stages move it on the
//! staff's queue, and the dossier as a tracked case ([`Permit`]). The holder's
//! national ID is kept only as a keyed digest ([`holder`]); the open-data export
//! is [`blds`].

pub mod blds;
pub mod holder;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

use super::case::{
    CaseType, Change, Deny, DueChange, Effects, NoteRule, Policy, Refusal, StepFile,
};
use super::geo::Coordinates;
use super::text::{Text, tr};
use super::workflow::CaseKind;
use super::{DomainError, Lang, Service};

/// A dossier type of the reference platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DossierType {
    pub code: &'static str,
    pub name: Text<&'static str>,
    /// BLDS `PermitTypeMapped` value (from the standard's list, [`PERMIT_TYPE_MAPPED`]).
    pub blds_type: &'static str,
    /// Target number of days for the municipality's decision, counted from a
    /// complete dossier. A service target the platform shows and measures against,
    /// not a legal deadline: the law's own time limits are the municipality's to
    /// apply.
    pub review_days: u32,
}

impl DossierType {
    pub fn name(&self, lang: Lang) -> &'static str {
        self.name.pick(lang)
    }
}

/// The dossier types. BLDS's `PermitTypeMapped` list is short and US-shaped
/// (Building, Demolition, Electrical, Mechanical, Plumbing, Roof, Fence, Grading,
/// Pool/Spa); where no value fits exactly the nearest is used: land division and
/// trenching in the road are land development (`Grading`), the connections follow
/// the trade of the network (`Plumbing` for water and sewers, `Electrical`, gas
/// piping as `Mechanical`), and temporary structures, road occupation and other
/// dossiers count as `Building` (the standard's discussion put tents and other
/// special structures under Building).
pub static DOSSIER_TYPES: &[DossierType] = &[
    DossierType {
        code: "building",
        name: tr("رخصة بناء", "Permis de bâtir", "Building permit"),
        blds_type: "Building",
        review_days: 60,
    },
    DossierType {
        code: "temporary_works",
        name: tr(
            "رخصة أشغال وبناءات وقتية",
            "Autorisation de travaux et constructions provisoires",
            "Temporary works and structures",
        ),
        blds_type: "Building",
        review_days: 30,
    },
    DossierType {
        code: "subdivision",
        name: tr("رخصة تقسيم", "Autorisation de lotir", "Subdivision permit"),
        blds_type: "Grading",
        review_days: 30,
    },
    DossierType {
        code: "public_road_use",
        name: tr(
            "رخصة إشغال وقتي للطريق العام",
            "Autorisation d'occupation temporaire de la voie publique",
            "Temporary use of the public road",
        ),
        blds_type: "Building",
        review_days: 30,
    },
    DossierType {
        code: "networks",
        name: tr(
            "رخصة أشغال الشبكات بالطريق العام",
            "Autorisation de travaux de réseaux sur la voie publique",
            "Utility network works on the public road",
        ),
        blds_type: "Grading",
        review_days: 30,
    },
    DossierType {
        code: "water",
        name: tr(
            "رخصة ربط بشبكة الماء الصالح للشرب",
            "Autorisation de branchement au réseau d'eau potable",
            "Drinking water connection",
        ),
        blds_type: "Plumbing",
        review_days: 30,
    },
    DossierType {
        code: "sanitation",
        name: tr(
            "رخصة ربط بشبكة التطهير",
            "Autorisation de branchement au réseau d'assainissement",
            "Sewer connection",
        ),
        blds_type: "Plumbing",
        review_days: 30,
    },
    DossierType {
        code: "electricity",
        name: tr(
            "رخصة ربط بشبكة الكهرباء",
            "Autorisation de branchement au réseau électrique",
            "Electricity connection",
        ),
        blds_type: "Electrical",
        review_days: 30,
    },
    DossierType {
        code: "gas",
        name: tr(
            "رخصة ربط بشبكة الغاز الطبيعي",
            "Autorisation de branchement au réseau de gaz naturel",
            "Natural gas connection",
        ),
        blds_type: "Mechanical",
        review_days: 30,
    },
    DossierType {
        code: "other",
        name: tr("مطلب آخر", "Autre demande", "Other application"),
        blds_type: "Building",
        review_days: 30,
    },
];

pub fn dossier_type(code: &str) -> Option<&'static DossierType> {
    DOSSIER_TYPES.iter().find(|t| t.code == code)
}

/// Reference number of a dossier: per municipality and year, e.g. "2026-000042".
///
/// Four-digit years and sequences up to 999 999 (a municipality's dossiers of one
/// year); anything wider would not read back with [`parse_reference`].
pub fn reference(year: i32, seq: u64) -> String {
    debug_assert!((1000..=9999).contains(&year), "year {year} is not 4 digits");
    debug_assert!(seq <= 999_999, "sequence {seq} is over 6 digits");
    format!("{year:04}-{seq:06}")
}

/// A reference number as typed: surrounding blanks are dropped; only
/// `YYYY-NNNNNN` in ASCII digits is accepted.
pub fn parse_reference(raw: &str) -> Result<String, DomainError> {
    let v = raw.trim();
    let b = v.as_bytes();
    let ok = b.len() == 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(v.to_owned())
    } else {
        Err(DomainError::invalid("reference", "format"))
    }
}

/// How a dossier reached the municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Deposited at the municipality's office and registered by its staff.
    Counter,
    /// Submitted by the citizen from the app.
    Online,
}

/// The kind-specific part of a permit case (`CaseRecord::data`). No national ID:
/// only its keyed digest is kept, on the reference item.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitData {
    /// `YYYY-NNNNNN`, per municipality and year.
    pub reference: String,
    /// One of [`DOSSIER_TYPES`]' codes.
    pub dossier_type: String,
    pub description: String,
    /// Where the works are.
    pub address: String,
    pub postal_code: String,
    pub location: Option<Coordinates>,
    pub channel: Channel,
    /// The holder's name as staff registered it: shown to staff only.
    pub holder_name: Option<String>,
    /// When the permit was issued, and when the works were completed (RFC 3339
    /// UTC): the open-data export's `IssuedDate` and `CompletedDate`.
    pub issued_at: Option<String>,
    pub completed_at: Option<String>,
}

impl PermitData {
    pub fn kind(&self) -> Option<&'static DossierType> {
        dossier_type(&self.dossier_type)
    }
}

/// A dossier type code as sent.
pub fn parse_type(raw: &str) -> Result<&'static DossierType, DomainError> {
    dossier_type(raw.trim()).ok_or(DomainError::invalid("type", "unknown"))
}

/// A Tunisian postal code (La Poste Tunisienne): 4 ASCII digits, 1000 to 9999.
pub fn parse_postal_code(raw: &str) -> Result<String, DomainError> {
    let v = raw.trim();
    let ok = v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0');
    if ok {
        Ok(v.to_owned())
    } else {
        Err(DomainError::invalid("postal_code", "format"))
    }
}

/// Tunisia keeps UTC+01:00 all year.
const TUNISIA: UtcOffset = time::macros::offset!(+1);

/// The year `at` (RFC 3339) falls in, in Tunisia: the year of a reference.
pub fn year_in_tunisia(at: &str) -> Option<i32> {
    OffsetDateTime::parse(at, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(TUNISIA).year())
}

/// `days` days after `from` (RFC 3339 UTC), in the same format: the service
/// target of a dossier complete at `from`.
pub fn days_after(from: &str, days: u32) -> Option<String> {
    let t = OffsetDateTime::parse(from, &Rfc3339).ok()?;
    (t + Duration::days(i64::from(days)))
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .ok()
}

/// The stages in which the municipality owes the next step: only those are on
/// the staff's queue (and the scheduler's reminders). A dossier waiting on its
/// holder (`not_clear`, `fees_due`), decided (`issued`) or closed is not.
pub const OWED: &[&str] = &["received", "in_review", "committee", "appealed"];

/// How a change of state moves the dossier on the queue: it leaves the queue
/// when the municipality no longer owes the next step; it comes back (complete
/// again, or appealed) with a fresh target counted from `now`; otherwise the
/// target stays.
pub fn queue_change(from: &str, to: &str, now: &str, review_days: u32) -> DueChange {
    match (OWED.contains(&from), OWED.contains(&to)) {
        (_, false) => DueChange::Clear,
        (false, true) => days_after(now, review_days).map_or(DueChange::Clear, DueChange::Set),
        (true, true) => DueChange::Keep,
    }
}

/// The description to publish as open data: the one given, unless it may name
/// or identify someone (the holder's name, a run of 8 digits such as a national
/// ID or a phone number), then the dossier type's name.
pub fn public_description(data: &PermitData) -> &str {
    let text = data.description.as_str();
    let mut run = 0;
    let mut has_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            has_number |= run >= 8;
        } else if !(c == ' ' || c == '.' || c == '-') || run == 0 {
            run = 0;
        }
    }
    let names_holder = data.holder_name.as_deref().is_some_and(|name| {
        let name = name.trim().to_lowercase();
        !name.is_empty() && text.to_lowercase().contains(&name)
    });
    if has_number || names_holder { "" } else { text }
}

/// Permit dossiers as tracked cases: registered by staff holding `permits` for
/// whoever deposited them at the counter, or submitted by a citizen; seen by
/// staff, the submitter and the citizens who proved the holder's national ID
/// (followers), never by the public; every staff step says why.
pub struct Permit;

impl CaseType for Permit {
    const KIND: CaseKind = CaseKind::Permit;
    const ID_PREFIX: &'static str = "prm";
    const SERVICE: Service = Service::Permits;
    const POLICY: Policy = Policy {
        noun: "permit",
        unseen: Refusal {
            anonymous: Deny::SignIn,
            own_staff: Deny::Forbidden,
            others: Deny::NotFound,
        },
        onlooker_moves: Refusal::FORBIDDEN,
        onlooker_files: Refusal::FORBIDDEN,
        followers_see: true,
        closed_to_staff_files: true,
        staff_file_for_others: true,
        note: NoteRule::ByStaff,
        step_file: StepFile::Document,
        support: None,
    };

    type Data = PermitData;
    type Fields = ();
    type Env = ();

    const INBOX_FIELDS: &'static [&'static str] = &["type"];

    fn inbox_field<'a>(data: &'a PermitData, name: &str) -> Option<&'a str> {
        (name == "type").then_some(data.dossier_type.as_str())
    }

    fn reference(data: &PermitData) -> Option<String> {
        Some(data.reference.clone())
    }

    /// The queue follows the stage; the dates of issue and completion are
    /// recorded (BLDS `IssuedDate`, `CompletedDate`).
    fn change(
        c: &Change<'_, PermitData>,
        _fields: (),
        _env: &(),
    ) -> Result<Effects<PermitData>, DomainError> {
        let data = &c.case.data;
        let at = crate::clock::rfc3339(c.now);
        let review_days = data.kind().map_or(30, |k| k.review_days);
        let mut changed = data.clone();
        match c.to {
            "issued" => changed.issued_at = Some(at.clone()),
            "completed" => changed.completed_at = Some(at.clone()),
            _ => {}
        }
        Ok(Effects {
            due: queue_change(&c.case.state, c.to, &at, review_days),
            data: (changed != *data).then_some(changed),
            tell_staff: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip() {
        assert_eq!(reference(2026, 42), "2026-000042");
        assert_eq!(reference(2026, 999_999), "2026-999999");
        for (year, seq) in [(2026, 1), (2030, 123_456), (1999, 0)] {
            let r = reference(year, seq);
            assert_eq!(parse_reference(&r).unwrap(), r);
        }
        assert_eq!(parse_reference("  2026-000042\n").unwrap(), "2026-000042");
    }

    #[test]
    fn bad_references_are_refused() {
        for raw in [
            "",
            "   ",
            "2026-42",
            "2026000042",
            "26-000042",
            "2026-0000420",
            "20260-00042",
            "2026_000042",
            "2026-00004a",
            "+026-000042",
            "2026 - 000042",
            "2026-000042x",
            "٢٠٢٦-٠٠٠٠٤٢",
        ] {
            assert_eq!(
                parse_reference(raw),
                Err(DomainError::invalid("reference", "format")),
                "{raw:?} accepted"
            );
        }
    }

    fn data(description: &str, holder: Option<&str>) -> PermitData {
        PermitData {
            reference: "2026-000001".into(),
            dossier_type: "building".into(),
            description: description.into(),
            address: "12 rue de Marseille".into(),
            postal_code: "1000".into(),
            location: None,
            channel: Channel::Counter,
            holder_name: holder.map(str::to_owned),
            issued_at: None,
            completed_at: None,
        }
    }

    #[test]
    fn postal_codes_are_four_digits() {
        assert_eq!(parse_postal_code(" 1000 ").unwrap(), "1000");
        assert_eq!(parse_postal_code("3027").unwrap(), "3027");
        for bad in ["", "100", "10000", "0100", "1a00", "١٠٠٠"] {
            assert!(parse_postal_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn years_and_targets_are_counted_in_tunisia() {
        assert_eq!(year_in_tunisia("2026-12-31T23:30:00Z"), Some(2027));
        assert_eq!(year_in_tunisia("2026-12-31T22:59:59Z"), Some(2026));
        assert_eq!(year_in_tunisia("nonsense"), None);
        assert_eq!(
            days_after("2026-01-31T10:00:00Z", 30).as_deref(),
            Some("2026-03-02T10:00:00Z")
        );
    }

    #[test]
    fn the_queue_follows_the_state() {
        let now = "2026-03-01T08:00:00Z";
        assert_eq!(
            queue_change("in_review", "rejected", now, 30),
            DueChange::Clear
        );
        assert_eq!(
            queue_change("fees_due", "cancelled", now, 30),
            DueChange::Clear
        );
        assert_eq!(
            queue_change("received", "in_review", now, 60),
            DueChange::Keep
        );
        assert_eq!(
            queue_change("issued", "completed", now, 60),
            DueChange::Clear
        );
        // Waiting on the holder, or decided: off the staff's queue.
        assert_eq!(
            queue_change("in_review", "fees_due", now, 60),
            DueChange::Clear
        );
        assert_eq!(
            queue_change("committee", "issued", now, 60),
            DueChange::Clear
        );
        assert_eq!(
            queue_change("received", "not_clear", now, 60),
            DueChange::Clear
        );
        assert_eq!(
            queue_change("in_review", "committee", now, 60),
            DueChange::Keep
        );
        assert_eq!(
            queue_change("not_clear", "received", now, 30),
            DueChange::Set("2026-03-31T08:00:00Z".into())
        );
        assert_eq!(
            queue_change("rejected", "appealed", now, 30),
            DueChange::Set("2026-03-31T08:00:00Z".into())
        );
    }

    #[test]
    fn descriptions_naming_someone_are_not_published() {
        let d = data("Construction d'une maison R+1", Some("Mongia Ben Salah"));
        assert_eq!(public_description(&d), "Construction d'une maison R+1");
        let d = data(
            "Maison de Mongia ben salah, route de la Marsa",
            Some("Mongia Ben Salah"),
        );
        assert_eq!(public_description(&d), "");
        for text in [
            "Titulaire CIN 01234567, extension",
            "Appeler le 98 123 456 pour l'accès",
            "Tél. 98.123.456",
        ] {
            assert_eq!(public_description(&data(text, None)), "", "{text}");
        }
        let d = data("Lot 12, parcelle 345, 2 étages", None);
        assert_eq!(public_description(&d), "Lot 12, parcelle 345, 2 étages");
    }
}
