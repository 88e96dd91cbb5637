use serde::{Deserialize, Serialize};

use super::DomainError;

/// The languages Baladiya speaks. Arabic first: most citizens read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ar,
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ar, Lang::Fr, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ar" => Some(Lang::Ar),
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A text given in one or more of Arabic, French and English, at least one non-empty.
/// Values are trimmed; empty strings count as absent.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct LocalizedText {
    pub ar: Option<String>,
    pub fr: Option<String>,
    pub en: Option<String>,
}

/// The raw shape accepted from clients before [`LocalizedText::parse`].
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLocalizedText {
    pub ar: Option<String>,
    pub fr: Option<String>,
    pub en: Option<String>,
}

impl LocalizedText {
    /// Validate: trimmed, at most `max_chars` characters each, no control characters,
    /// at least one language present.
    pub fn parse(
        raw: RawLocalizedText,
        field: &'static str,
        max_chars: usize,
    ) -> Result<LocalizedText, DomainError> {
        let clean = |v: Option<String>| -> Result<Option<String>, DomainError> {
            let Some(v) = v else { return Ok(None) };
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            if v.chars().count() > max_chars {
                return Err(DomainError::invalid(field, "too_long"));
            }
            if v.chars().any(|c| c.is_control() && c != '\n') {
                return Err(DomainError::invalid(field, "control_characters"));
            }
            Ok(Some(v.to_owned()))
        };
        let text = LocalizedText {
            ar: clean(raw.ar)?,
            fr: clean(raw.fr)?,
            en: clean(raw.en)?,
        };
        if text.ar.is_none() && text.fr.is_none() && text.en.is_none() {
            return Err(DomainError::invalid(field, "empty"));
        }
        Ok(text)
    }

    pub fn get(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Ar => self.ar.as_deref(),
            Lang::Fr => self.fr.as_deref(),
            Lang::En => self.en.as_deref(),
        }
    }

    /// The text in `lang`, else in the first language present (Arabic, French,
    /// English).
    pub fn best(&self, lang: Lang) -> &str {
        self.get(lang)
            .or(self.ar.as_deref())
            .or(self.fr.as_deref())
            .or(self.en.as_deref())
            .unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for LocalizedText {
    /// Stored values were validated when written; reading them back only reshapes.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawLocalizedText::deserialize(d)?;
        Ok(LocalizedText {
            ar: raw.ar,
            fr: raw.fr,
            en: raw.en,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(ar: Option<&str>, fr: Option<&str>) -> RawLocalizedText {
        RawLocalizedText {
            ar: ar.map(str::to_owned),
            fr: fr.map(str::to_owned),
            en: None,
        }
    }

    #[test]
    fn trims_and_falls_back() {
        let t = LocalizedText::parse(raw(Some(" تونس "), None), "name", 80).unwrap();
        assert_eq!(t.ar.as_deref(), Some("تونس"));
        assert_eq!(t.best(Lang::Fr), "تونس");
        let t = LocalizedText::parse(raw(Some("تونس"), Some("Tunis")), "name", 80).unwrap();
        assert_eq!(t.best(Lang::Fr), "Tunis");
        assert_eq!(t.best(Lang::En), "تونس");
    }

    #[test]
    fn refuses_empty_long_and_control_characters() {
        let e = LocalizedText::parse(raw(Some("  "), Some("")), "name", 80).unwrap_err();
        assert_eq!(e, DomainError::invalid("name", "empty"));
        let e = LocalizedText::parse(raw(Some(&"ب".repeat(81)), None), "name", 80).unwrap_err();
        assert_eq!(e, DomainError::invalid("name", "too_long"));
        // Counted in characters, not bytes: 80 Arabic letters are 160 bytes.
        LocalizedText::parse(raw(Some(&"ب".repeat(80)), None), "name", 80).unwrap();
        let e = LocalizedText::parse(raw(None, Some("a\u{0007}b")), "name", 80).unwrap_err();
        assert_eq!(e, DomainError::invalid("name", "control_characters"));
    }
}
