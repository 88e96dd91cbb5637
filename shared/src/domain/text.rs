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

/// A text in Arabic, French and English: the one trilingual shape of the
/// platform, for names kept as data (`Text`, the default), for the texts of
/// the code itself (`Text<&'static str>`, written with [`tr`]), and for texts
/// where any language may be missing ([`LocalizedText`]). A language left
/// empty is left out of answers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(
    deny_unknown_fields,
    bound(
        serialize = "S: Serialize + Blank",
        deserialize = "S: Deserialize<'de> + Default"
    )
)]
pub struct Text<S = String> {
    #[serde(default, skip_serializing_if = "Blank::is_blank")]
    pub ar: S,
    #[serde(default, skip_serializing_if = "Blank::is_blank")]
    pub fr: S,
    #[serde(default, skip_serializing_if = "Blank::is_blank")]
    pub en: S,
}

/// A text of the code in the three languages.
pub const fn tr(ar: &'static str, fr: &'static str, en: &'static str) -> Text<&'static str> {
    Text { ar, fr, en }
}

/// Whether a language of a [`Text`] is missing.
pub trait Blank {
    fn is_blank(&self) -> bool;
}

impl Blank for String {
    fn is_blank(&self) -> bool {
        self.is_empty()
    }
}

impl Blank for &str {
    fn is_blank(&self) -> bool {
        self.is_empty()
    }
}

impl Blank for Option<String> {
    fn is_blank(&self) -> bool {
        self.is_none()
    }
}

impl<S: AsRef<str>> Text<S> {
    /// The text in `lang`; where it is missing, in French, then in Arabic.
    pub fn get(&self, lang: Lang) -> &str {
        fn of<S: AsRef<str>>(s: &S) -> Option<&str> {
            Some(s.as_ref()).filter(|t| !t.is_empty())
        }
        let chosen = match lang {
            Lang::Ar => &self.ar,
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        of(chosen)
            .or(of(&self.fr))
            .or(of(&self.ar))
            .unwrap_or_default()
    }

    /// The same text, owned.
    pub fn to_owned_text(&self) -> Text {
        Text {
            ar: self.ar.as_ref().to_owned(),
            fr: self.fr.as_ref().to_owned(),
            en: self.en.as_ref().to_owned(),
        }
    }
}

impl Text<&'static str> {
    /// A text of the code in `lang` (in French, then in Arabic, where it is
    /// missing).
    pub fn pick(self, lang: Lang) -> &'static str {
        let chosen = match lang {
            Lang::Ar => self.ar,
            Lang::Fr => self.fr,
            Lang::En => self.en,
        };
        [chosen, self.fr, self.ar]
            .into_iter()
            .find(|t| !t.is_empty())
            .unwrap_or_default()
    }
}

impl Text {
    /// A name as a client gives it: Arabic and French required, English
    /// optional, each a label of at most 60 characters.
    pub fn name(ar: &str, fr: &str, en: Option<&str>) -> Result<Text, DomainError> {
        let label = |v: &str, field| super::staff::parse_label(v, field, 60);
        Ok(Text {
            ar: label(ar, "name.ar")?,
            fr: label(fr, "name.fr")?,
            en: en
                .map(|e| label(e, "name.en"))
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

/// A name in a request body (`{"ar", "fr", "en"?}`), before [`Text::name`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameInput {
    pub ar: String,
    pub fr: String,
    pub en: Option<String>,
}

impl NameInput {
    pub fn parse(&self) -> Result<Text, DomainError> {
        Text::name(&self.ar, &self.fr, self.en.as_deref())
    }
}

/// A text given in one or more of Arabic, French and English, at least one
/// non-empty (a municipality's name, an address). Values are trimmed; empty
/// strings count as absent.
pub type LocalizedText = Text<Option<String>>;

/// The raw shape accepted from clients before [`LocalizedText::parse`].
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLocalizedText {
    pub ar: Option<String>,
    pub fr: Option<String>,
    pub en: Option<String>,
}

impl Text<Option<String>> {
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

    /// The text in `lang`, if given.
    pub fn in_lang(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Ar => self.ar.as_deref(),
            Lang::Fr => self.fr.as_deref(),
            Lang::En => self.en.as_deref(),
        }
    }

    /// The text in `lang`, else in the first language present (Arabic, French,
    /// English).
    pub fn best(&self, lang: Lang) -> &str {
        self.in_lang(lang)
            .or(self.ar.as_deref())
            .or(self.fr.as_deref())
            .or(self.en.as_deref())
            .unwrap_or_default()
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
    fn names_fall_back_to_french_then_arabic_and_leave_out_what_is_missing() {
        let n = Text::name(" تونس ", "Tunis", None).unwrap();
        assert_eq!((n.get(Lang::Ar), n.get(Lang::En)), ("تونس", "Tunis"));
        assert_eq!(
            serde_json::to_value(&n).unwrap(),
            serde_json::json!({"ar": "تونس", "fr": "Tunis"})
        );
        assert_eq!(
            Text::name("", "Tunis", None),
            Err(DomainError::invalid("name.ar", "empty"))
        );
        let t = tr("نعم", "oui", "yes");
        assert_eq!(t.get(Lang::En), "yes");
        assert_eq!(t.to_owned_text().get(Lang::Fr), "oui");
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
