//! Phone numbers: the identity of citizens and staff, and where SMS go.

use std::fmt;

use phonenumber::{Mode, PhoneNumber, country};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::DomainError;

/// A phone number able to receive SMS, always held in E.164 form (`+21620123456`).
///
/// Accepts the ways Tunisians write numbers: `20 123 456`, `20-123-456`,
/// `+216 20 123 456`, `00216 20123456`; numbers of other countries need their
/// international prefix. Validation (length, number ranges) is libphonenumber's.
///
/// `Debug` and `Display` mask all but the last three digits so that a number cannot
/// reach a log by accident; use [`Phone::e164`] where the full number is needed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, DomainError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 32 {
            return Err(DomainError::invalid("phone", "format"));
        }
        // Only digits, spaces, dots, dashes, parentheses and one leading '+'.
        let allowed = |c: char| c.is_ascii_digit() || " .-()".contains(c);
        let body = raw.strip_prefix('+').unwrap_or(raw);
        if !body.chars().all(allowed) {
            return Err(DomainError::invalid("phone", "format"));
        }
        let number: PhoneNumber = phonenumber::parse(Some(country::Id::TN), raw)
            .map_err(|_| DomainError::invalid("phone", "format"))?;
        if !phonenumber::is_valid(&number) {
            return Err(DomainError::invalid("phone", "not_a_number"));
        }
        use phonenumber::Type;
        match number.number_type(&phonenumber::metadata::DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile | Type::Voip => {}
            _ => return Err(DomainError::invalid("phone", "not_mobile")),
        }
        Ok(Phone(number.format().mode(Mode::E164).to_string()))
    }

    /// The full number in E.164 form. Do not log it.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// A masked form for display to the number's owner (`+216•••••456`).
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let keep_tail = 3;
        let keep_head = if self.0.starts_with("+216") { 4 } else { 3 };
        if n <= keep_head + keep_tail {
            return "•".repeat(n);
        }
        format!(
            "{}{}{}",
            &self.0[..keep_head],
            "•".repeat(n - keep_head - keep_tail),
            &self.0[n - keep_tail..]
        )
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Phone::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A public contact number (a municipality's switchboard): any valid number,
/// landlines included, in E.164. Not personal data.
pub fn parse_contact_number(raw: &str) -> Result<String, DomainError> {
    let bad = || DomainError::invalid("contact.phone", "format");
    let raw = raw.trim();
    let body = raw.strip_prefix('+').unwrap_or(raw);
    if raw.is_empty()
        || raw.len() > 32
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || " .-()".contains(c))
    {
        return Err(bad());
    }
    let number = phonenumber::parse(Some(country::Id::TN), raw).map_err(|_| bad())?;
    if !phonenumber::is_valid(&number) {
        return Err(bad());
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunisian_ways_of_writing_a_number() {
        for raw in [
            "20 123 456",
            "20123456",
            "20-123-456",
            "20.123.456",
            "+216 20 123 456",
            "+21620123456",
            "00216 20 123 456",
            "0021620123456",
            "  +216 20 123 456 ",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().e164(), "+21620123456", "{raw}");
        }
        assert_eq!(Phone::parse("98 765 432").unwrap().e164(), "+21698765432");
        assert_eq!(Phone::parse("55 000 111").unwrap().e164(), "+21655000111");
    }

    #[test]
    fn foreign_numbers_need_their_prefix() {
        assert_eq!(
            Phone::parse("+33 6 12 34 56 78").unwrap().e164(),
            "+33612345678"
        );
    }

    #[test]
    fn rejects_garbage_and_wrong_lengths() {
        for raw in [
            "",
            "abc",
            "2012345",
            "201234567",
            "+216 20 123 45",
            "+216 20 123 4567",
            "20123456; drop",
            "20 123 456 ext 3",
            "+",
            "12345678901234567890123456789012345",
        ] {
            assert!(Phone::parse(raw).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn landlines_cannot_receive_sms() {
        // 71 … is a Tunis landline.
        assert_eq!(
            Phone::parse("71 123 456").unwrap_err(),
            DomainError::invalid("phone", "not_mobile")
        );
    }

    #[test]
    fn contact_numbers_may_be_landlines() {
        assert_eq!(parse_contact_number("71 123 456").unwrap(), "+21671123456");
        assert!(parse_contact_number("123").is_err());
    }

    #[test]
    fn never_printed_in_full() {
        let p = Phone::parse("20123456").unwrap();
        assert_eq!(format!("{p}"), "+216•••••456");
        assert!(!format!("{p:?}").contains("20123456"));
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+21620123456\"");
    }
}
