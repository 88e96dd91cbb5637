use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Id, MunicipalityId, Permission, Phone};

/// A member of a municipality's staff. Identified by phone number so that the
/// person can sign in with it; `id` (`stf_…`) is what URLs and tokens carry.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: Id,
    pub municipality: MunicipalityId,
    pub phone: Phone,
    pub name: String,
    pub title: Option<String>,
    pub permissions: BTreeSet<Permission>,
    /// Complaint categories the member is limited to; absent means all.
    pub complaint_categories: Option<BTreeSet<String>>,
    pub created_at: String,
    pub updated_at: String,
    /// `usr_…` of whoever added the member.
    pub created_by: String,
    pub version: u64,
}

/// A person's name or title: trimmed, 1..=max characters, no control characters.
pub fn parse_label(
    raw: &str,
    field: &'static str,
    max: usize,
) -> Result<String, super::DomainError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(super::DomainError::invalid(field, "empty"));
    }
    if v.chars().count() > max {
        return Err(super::DomainError::invalid(field, "too_long"));
    }
    if v.chars().any(char::is_control) {
        return Err(super::DomainError::invalid(field, "control_characters"));
    }
    Ok(v.to_owned())
}

/// A complaint category code: lowercase slug, as the complaints service defines them.
pub fn parse_category(raw: &str) -> Result<String, super::DomainError> {
    let ok = (2..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(super::DomainError::invalid(
            "complaint_categories",
            "format",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_categories() {
        assert_eq!(
            parse_label("  Leila Ben Salah ", "name", 80).unwrap(),
            "Leila Ben Salah"
        );
        assert!(parse_label(" ", "name", 80).is_err());
        assert!(parse_label("a\tb", "name", 80).is_err());
        assert!(parse_label(&"x".repeat(81), "name", 80).is_err());
        assert!(parse_category("public-lighting").is_ok());
        assert!(parse_category("Roads").is_err());
        assert!(parse_category("x").is_err());
    }
}
