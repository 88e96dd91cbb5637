//! Phone numbers: the identity of citizens and staff, and where SMS go.
//!
//! Hand-written rather than libphonenumber: the `phonenumber` crate brings a regex
//! engine and half a megabyte of metadata into every function (measured by
//! `scripts/bench`), while Baladiya needs Tunisia's plan in detail and only E.164's
//! general shape for numbers abroad.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::DomainError;

const TUNISIA: &str = "216";

/// What a number is, as far as its form tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A Tunisian mobile number: 2x, 4x (40–48), 5x, 9x.
    Mobile,
    /// A Tunisian landline (3x, 7x) or service number (8x).
    Fixed,
    /// A number abroad: plausible E.164, type unknown.
    Foreign,
}

/// Normalise to E.164 digits (without `+`) and classify, or refuse.
fn normalise(raw: &str, field: &'static str) -> Result<(String, Kind), DomainError> {
    let bad = |reason| Err(DomainError::invalid(field, reason));
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 32 {
        return bad("format");
    }
    let (international, rest) = match raw.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => match raw.strip_prefix("00") {
            Some(rest) => (true, rest),
            None => (false, raw),
        },
    };
    // Digits and the separators people type: spaces, dots, dashes, parentheses.
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || " .-()".contains(c))
    {
        return bad("format");
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let national = if international {
        match digits.strip_prefix(TUNISIA) {
            Some(n) => n.to_owned(),
            None => {
                // Abroad: E.164 allows 15 digits at most; country codes never start
                // with 0; fewer than 9 digits is far more likely a Tunisian number
                // typed with a stray `00` than a real foreign mobile.
                if !(9..=15).contains(&digits.len()) || digits.starts_with('0') {
                    return bad("format");
                }
                return Ok((digits, Kind::Foreign));
            }
        }
    } else {
        digits
    };
    if national.len() != 8 {
        return bad("format");
    }
    let b = national.as_bytes();
    let kind = match (b[0], b[1]) {
        (b'2' | b'5' | b'9', _) => Kind::Mobile,
        (b'4', b'0'..=b'8') => Kind::Mobile,
        (b'3' | b'7' | b'8', _) => Kind::Fixed,
        _ => return bad("not_a_number"),
    };
    Ok((format!("{TUNISIA}{national}"), kind))
}

/// A phone number able to receive SMS, always held in E.164 form (`+21620123456`).
///
/// Accepts the ways Tunisians write numbers: `20 123 456`, `20-123-456`,
/// `+216 20 123 456`, `00216 20123456`; numbers abroad need their international
/// prefix. Tunisian landlines are refused: they cannot receive an SMS.
///
/// `Debug` and `Display` mask all but the last three digits so that a number cannot
/// reach a log by accident; use [`Phone::e164`] where the full number is needed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, DomainError> {
        match normalise(raw, "phone")? {
            (_, Kind::Fixed) => Err(DomainError::invalid("phone", "not_mobile")),
            (digits, _) => Ok(Phone(format!("+{digits}"))),
        }
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

/// A public contact number (a municipality's switchboard): landlines included, in
/// E.164. Not personal data.
pub fn parse_contact_number(raw: &str) -> Result<String, DomainError> {
    normalise(raw, "contact.phone").map(|(digits, _)| format!("+{digits}"))
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
        assert_eq!(
            Phone::parse("(+216) 44 123 456").unwrap_err(),
            DomainError::invalid("phone", "format")
        );
        assert_eq!(
            Phone::parse("+216 (44) 123 456").unwrap().e164(),
            "+21644123456"
        );
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
            "+216 10 123 456",
            "+1234567",
            "+0033612345678",
            "00 20 123 456",
            "+3361234567890123",
            "٢٠١٢٣٤٥٦",
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
