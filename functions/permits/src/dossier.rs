//! What a permit dossier holds, and the rules of this function that are plain
//! functions: the postal code, the holder's national ID as a keyed digest, the
//! service target, the description fit for open data.

use baladiya::domain::geo::Coordinates;
use baladiya::domain::permit::{self, DossierType};
use baladiya::domain::{DomainError, MunicipalityId, NationalId};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitData {
    /// `YYYY-NNNNNN`, per municipality and year.
    pub reference: String,
    /// One of `permit::DOSSIER_TYPES`' codes.
    pub dossier_type: String,
    pub description: String,
    /// Where the works are.
    pub address: String,
    pub postal_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Coordinates>,
    pub channel: Channel,
    /// The holder's name as staff registered it: shown to staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// When the permit was issued, and when the works were completed (RFC 3339
    /// UTC): the open-data export's `IssuedDate` and `CompletedDate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

impl PermitData {
    pub fn kind(&self) -> Option<&'static DossierType> {
        permit::dossier_type(&self.dossier_type)
    }
}

/// A dossier type code as sent.
pub fn parse_type(raw: &str) -> Result<&'static DossierType, DomainError> {
    permit::dossier_type(raw.trim()).ok_or(DomainError::invalid("type", "unknown"))
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

/// The holder's national ID as sent; errors name `field`.
pub fn parse_national_id(raw: &str, field: &'static str) -> Result<NationalId, DomainError> {
    NationalId::parse(raw).map_err(|_| DomainError::invalid(field, "format"))
}

/// The keyed digest a national ID is kept as (hex HMAC-SHA256), bound to the
/// municipality: the same number gives unrelated digests in two municipalities,
/// and nobody without the key can test a guess against a stored digest.
pub fn national_id_digest(key: &[u8], m: &MunicipalityId, id: &NationalId) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"national-id\0");
    mac.update(m.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(id.digits().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equal digests, compared in constant time.
pub fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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

/// How a change of state moves the dossier on the queue (`CaseChanges::due_at`):
/// it leaves the queue when the municipality no longer owes the next step; it
/// comes back (complete again, or appealed) with a fresh target counted from
/// `now`; otherwise the target stays.
pub fn queue_change(from: &str, to: &str, now: &str, review_days: u32) -> Option<Option<String>> {
    match (OWED.contains(&from), OWED.contains(&to)) {
        (_, false) => Some(None),
        (false, true) => Some(days_after(now, review_days)),
        (true, true) => None,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn digests_are_keyed_and_bound_to_the_municipality() {
        let key = b"0123456789abcdef0123456789abcdef";
        let cin = NationalId::parse("01234567").unwrap();
        let tunis = MunicipalityId::parse("tunis").unwrap();
        let sfax = MunicipalityId::parse("sfax").unwrap();
        let d = national_id_digest(key, &tunis, &cin);
        assert_eq!(d.len(), 64);
        assert!(!d.contains("01234567"));
        assert_eq!(d, national_id_digest(key, &tunis, &cin));
        assert_ne!(d, national_id_digest(key, &sfax, &cin));
        assert_ne!(
            d,
            national_id_digest(b"another key, 32 bytes long......", &tunis, &cin)
        );
        assert!(same_digest(&d, &d.clone()));
        assert!(!same_digest(&d, &national_id_digest(key, &sfax, &cin)));
        assert!(!same_digest(&d, &d[1..]));
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
        assert_eq!(queue_change("in_review", "rejected", now, 30), Some(None));
        assert_eq!(queue_change("fees_due", "cancelled", now, 30), Some(None));
        assert_eq!(queue_change("received", "in_review", now, 60), None);
        assert_eq!(queue_change("issued", "completed", now, 60), Some(None));
        // Waiting on the holder, or decided: off the staff's queue.
        assert_eq!(queue_change("in_review", "fees_due", now, 60), Some(None));
        assert_eq!(queue_change("committee", "issued", now, 60), Some(None));
        assert_eq!(queue_change("received", "not_clear", now, 60), Some(None));
        assert_eq!(queue_change("in_review", "committee", now, 60), None);
        assert_eq!(
            queue_change("not_clear", "received", now, 30),
            Some(Some("2026-03-31T08:00:00Z".into()))
        );
        assert_eq!(
            queue_change("rejected", "appealed", now, 30),
            Some(Some("2026-03-31T08:00:00Z".into()))
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
