use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::DomainError;

/// A Tunisian national identity card number (CIN): exactly 8 digits.
///
/// Personal data: `Debug`/`Display` show only the last two digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalId(String);

impl NationalId {
    pub fn parse(raw: &str) -> Result<NationalId, DomainError> {
        let raw = raw.trim();
        if raw.len() != 8 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid("national_id", "format"));
        }
        Ok(NationalId(raw.to_owned()))
    }

    /// The full number. Do not log it.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId(••••••{})", &self.0[6..])
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "••••••{}", &self.0[6..])
    }
}

impl Serialize for NationalId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NationalId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        NationalId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digits_only() {
        assert_eq!(NationalId::parse("01234567").unwrap().digits(), "01234567");
        assert_eq!(
            NationalId::parse(" 01234567 ").unwrap().digits(),
            "01234567"
        );
        for bad in [
            "",
            "1234567",
            "123456789",
            "1234567a",
            "١٢٣٤٥٦٧٨",
            "1234 5678",
        ] {
            assert!(NationalId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn masked_when_printed() {
        let cin = NationalId::parse("01234567").unwrap();
        assert_eq!(cin.to_string(), "••••••67");
        assert!(!format!("{cin:?}").contains("012345"));
    }
}
