//! The national catalogue: the procedures every municipality's guide starts
//! from (`shared/data/procedures.json`, reviewed like code and shipped with
//! it), which a municipality may override, hide or extend. Read once per
//! container; checked by the same rules as staff's entries (a unit test fails
//! the build's tests on any entry that would be refused).

use std::sync::OnceLock;

use super::Procedure;

const DATA: &str = include_str!("../../../data/procedures.json");

/// The national procedures, in the order of the file.
pub fn national() -> &'static [Procedure] {
    static ALL: OnceLock<Vec<Procedure>> = OnceLock::new();
    ALL.get_or_init(|| {
        let raw: Vec<Procedure> = serde_json::from_str(DATA).unwrap_or_default();
        raw.into_iter()
            .filter_map(|p| {
                let code = p.code.clone();
                p.check(&code).ok()
            })
            .collect()
    })
}

/// A national procedure by its code.
pub fn get(code: &str) -> Option<&'static Procedure> {
    national().iter().find(|p| p.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::guide::Category;

    #[test]
    fn every_entry_passes_the_rules_staff_entries_pass() {
        let raw: Vec<Procedure> = serde_json::from_str(DATA).expect("the catalogue is JSON");
        for p in &raw {
            let code = p.code.clone();
            let checked = p.clone().check(&code);
            assert!(checked.is_ok(), "{code}: {checked:?}");
        }
        assert_eq!(national().len(), raw.len());
    }

    #[test]
    fn the_catalogue_covers_the_common_procedures_in_arabic_and_french() {
        let all = national();
        assert!(all.len() >= 30, "{}", all.len());
        let mut codes: Vec<&str> = all.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        for c in Category::ALL {
            assert!(all.iter().any(|p| p.category == c), "{c:?}");
        }
        for code in [
            "signature-legalisation",
            "certified-copy",
            "birth-certificate",
            "marriage",
            "death-declaration",
            "family-booklet",
            "building-permit",
            "subdivision-permit",
            "demolition-permit",
            "public-road-occupation",
            "signage",
            "family-celebration",
        ] {
            let p = get(code).unwrap_or_else(|| panic!("{code}"));
            assert!(!p.title.ar.is_empty() && !p.title.fr.is_empty());
        }
        assert_eq!(
            get("building-permit").and_then(|p| p.permit_type.as_deref()),
            Some("building")
        );
    }
}
