//! Identifiers. Every one is parsed once at the edge; code downstream holds only
//! valid values.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::DomainError;

/// A municipality's id: a lowercase ASCII slug such as `tunis`, `ghazala` or
/// `la-marsa`. It is the tenant key: every stored key begins with it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MunicipalityId(String);

impl MunicipalityId {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bad = |reason| Err(DomainError::invalid("municipality", reason));
        if raw.len() < Self::MIN_LEN || raw.len() > Self::MAX_LEN {
            return bad("length");
        }
        let bytes = raw.as_bytes();
        if !bytes[0].is_ascii_lowercase() {
            return bad("slug");
        }
        let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
        if !bytes.iter().all(allowed) || raw.ends_with('-') || raw.contains("--") {
            return bad("slug");
        }
        Ok(MunicipalityId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MunicipalityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MunicipalityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MunicipalityId({})", self.0)
    }
}

impl<'de> Deserialize<'de> for MunicipalityId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        MunicipalityId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// An opaque, sortable identifier with a type prefix: `stf_01J…` for a staff member,
/// `usr_01J…` for an account. Time-ordered (ULID), so lists sort by creation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// A new id of the given prefix (2–4 lowercase letters).
    pub fn generate(prefix: &str) -> Id {
        debug_assert!((2..=4).contains(&prefix.len()));
        Id(format!("{prefix}_{}", ulid::Ulid::new()))
    }

    /// Parse an id that must carry `prefix`.
    pub fn parse(prefix: &str, raw: &str) -> Result<Id, DomainError> {
        let body = raw
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('_'))
            .ok_or(DomainError::invalid("id", "prefix"))?;
        // Canonical ULIDs are 26 Crockford base-32 characters, upper case.
        match ulid::Ulid::from_string(body) {
            Ok(u) if u.to_string() == body => Ok(Id(raw.to_owned())),
            _ => Err(DomainError::invalid("id", "format")),
        }
    }

    /// Parse an id of any prefix (for stored values, which were valid when written).
    pub fn parse_any(raw: &str) -> Result<Id, DomainError> {
        let (prefix, _) = raw
            .split_once('_')
            .ok_or(DomainError::invalid("id", "prefix"))?;
        if !(2..=4).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(DomainError::invalid("id", "prefix"));
        }
        Id::parse(prefix, raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Id::parse_any(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_slugs_accepted() {
        for ok in ["tunis", "ghazala", "la-marsa", "djerba-houmt-souk", "m2"] {
            assert_eq!(MunicipalityId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn municipality_slugs_rejected() {
        for bad in [
            "",
            "t",
            "Tunis",
            "tunis ",
            "-tunis",
            "tunis-",
            "la--marsa",
            "2tunis",
            "tūnis",
            "tunis#x",
            "تونس",
        ] {
            assert!(MunicipalityId::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(MunicipalityId::parse(&"a".repeat(41)).is_err());
        assert!(MunicipalityId::parse(&"a".repeat(40)).is_ok());
    }

    #[test]
    fn ids_round_trip_and_check_prefix() {
        let id = Id::generate("stf");
        assert!(id.as_str().starts_with("stf_"));
        assert_eq!(Id::parse("stf", id.as_str()).unwrap(), id);
        assert!(Id::parse("usr", id.as_str()).is_err());
        assert!(Id::parse("stf", "stf_nope").is_err());
        assert!(
            Id::parse("stf", "stf_01j0000000000000000000000a").is_err(),
            "lower case"
        );
        assert!(Id::parse("stf", "stf").is_err());
    }
}
