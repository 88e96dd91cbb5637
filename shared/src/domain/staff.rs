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

/// Whether a change of a staff record changes what its tokens state or who
/// holds them (phone, permissions, categories): then tokens issued before it
/// must stop working. A new name or title does not.
pub fn token_changes(before: &StaffMember, after: &StaffMember) -> bool {
    before.phone != after.phone
        || before.permissions != after.permissions
        || before.complaint_categories != after.complaint_categories
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
    fn a_change_of_what_a_token_states_revokes_a_new_name_does_not() {
        use crate::domain::{Id, MunicipalityId, Permission, Phone};
        let before = StaffMember {
            id: Id::generate("stf"),
            municipality: MunicipalityId::parse("tunis").unwrap(),
            phone: Phone::parse("20123456").unwrap(),
            name: "Agent".into(),
            title: None,
            permissions: BTreeSet::from([Permission::Complaints]),
            complaint_categories: None,
            created_at: "t".into(),
            updated_at: "t".into(),
            created_by: "usr".into(),
            version: 1,
        };
        let changed = |f: &dyn Fn(&mut StaffMember)| {
            let mut after = before.clone();
            f(&mut after);
            token_changes(&before, &after)
        };
        assert!(!changed(&|m| m.name = "Autre".into()));
        assert!(!changed(&|m| m.title = Some("Chef".into())));
        assert!(!changed(&|m| m.version = 9));
        assert!(changed(&|m| m.phone = Phone::parse("20654321").unwrap()));
        assert!(changed(&|m| {
            m.permissions.insert(Permission::Permits);
        }));
        assert!(changed(&|m| m.permissions.clear()));
        assert!(changed(&|m| {
            m.complaint_categories = Some(BTreeSet::from(["roads".to_owned()]))
        }));
    }

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
