//! The services guide: what a citizen must bring, pay and wait for each
//! procedure of the municipality, and where to go.
//!
//! A procedure is structured, field by field, the way the EU's public-service
//! vocabulary (CPSV-AP) describes a public service — conditions (criteria),
//! required documents (evidence), fees (cost), the delay (processing time), the
//! channels, where to file and collect (contact points with opening hours), the
//! legal basis (legal resource) — so that the JSON-LD export ([`cpsv`]) is a
//! mapping. Every municipality starts from the national catalogue
//! ([`catalogue`]), which it may override, hide or extend ([`overlay`]); offices
//! know Tunisian opening hours ([`hours`]); search folds Arabic and French
//! spellings ([`search`]).

pub mod catalogue;
pub mod cpsv;
pub mod hours;
pub mod overlay;
pub mod search;

use serde::{Deserialize, Serialize};

use super::DomainError;
use super::text::{Lang, Text};

/// The six kinds of procedure of the reference platform.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    #[default]
    Administrative,
    CivilStatus,
    UrbanPlanning,
    Regulatory,
    Financial,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Administrative,
        Category::CivilStatus,
        Category::UrbanPlanning,
        Category::Regulatory,
        Category::Financial,
        Category::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Administrative => "administrative",
            Category::CivilStatus => "civil_status",
            Category::UrbanPlanning => "urban_planning",
            Category::Regulatory => "regulatory",
            Category::Financial => "financial",
            Category::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Category, DomainError> {
        Category::ALL
            .into_iter()
            .find(|c| c.code() == raw.trim())
            .ok_or(DomainError::invalid("category", "unknown"))
    }

    pub fn label(self) -> Text<&'static str> {
        use super::text::tr;
        match self {
            Category::Administrative => tr("إدارية", "Administratif", "Administrative"),
            Category::CivilStatus => tr("الحالة المدنية", "État civil", "Civil status"),
            Category::UrbanPlanning => tr("التهيئة العمرانية", "Urbanisme", "Urban planning"),
            Category::Regulatory => tr("ترتيبية", "Réglementaire", "Regulatory"),
            Category::Financial => tr("مالية", "Financier", "Financial"),
            Category::Other => tr("أخرى", "Autre", "Other"),
        }
    }
}

/// How a procedure is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In person at the office's counter.
    Counter,
    /// By a dossier filed in the app (the permits service).
    Dossier,
    /// At the counter with a ticket taken from the app (the e-ticket service).
    Eticket,
    /// By an appointment.
    Appointment,
    /// From the app, without a dossier (a complaint, an information request).
    Online,
}

/// In which form a required document is brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentForm {
    Original,
    Copy,
    CertifiedCopy,
}

/// A document the citizen brings (CPSV-AP: Evidence).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredDocument {
    pub name: Text,
    pub form: DocumentForm,
    #[serde(default = "one")]
    pub count: u8,
    /// Who issues it (the civil status office, the land registry…).
    pub issuer: Option<Text>,
}

fn one() -> u8 {
    1
}

/// A fee (CPSV-AP: Cost). Amounts are in millimes (1 TND = 1000 millimes);
/// without an amount, the note says how it is set (by surface, by the
/// municipality's schedule).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub label: Text,
    pub amount_millimes: Option<u64>,
    pub note: Option<Text>,
    /// Who pays nothing (the needy, a first copy…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<Text>,
}

/// Whether a delay is set by law or is the municipality's own target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DelayBasis {
    Legal,
    Target,
}

/// How long the procedure takes (CPSV-AP: processingTime), an ISO 8601
/// duration ("PT30M", "P1D", "P2M").
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delay {
    pub duration: String,
    pub basis: DelayBasis,
    pub note: Option<Text>,
}

/// Where to file or collect: an office of the municipality, or a description
/// (the national catalogue knows no office; a municipality's offices serving
/// the procedure's category are shown beside it).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub office: Option<String>,
    pub description: Option<Text>,
}

/// A law, decree or order the procedure follows (CPSV-AP: LegalResource).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalResource {
    pub title: Text,
    pub url: Option<String>,
}

/// A procedure of the guide.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub code: String,
    pub category: Category,
    /// Arabic and French required.
    pub title: Text,
    pub summary: Option<Text>,
    /// Who may ask, and when (CPSV-AP: criterion requirements).
    #[serde(default)]
    pub conditions: Vec<Text>,
    #[serde(default)]
    pub documents: Vec<RequiredDocument>,
    /// No fee at all when empty.
    #[serde(default)]
    pub fees: Vec<Fee>,
    pub delay: Option<Delay>,
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub steps: Vec<Text>,
    pub filing: Option<Place>,
    pub collection: Option<Place>,
    #[serde(default)]
    pub legal_basis: Vec<LegalResource>,
    /// More words to find it by ("مضمون", "extrait").
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The permit type a dossier for it is filed under (the permits service).
    pub permit_type: Option<String>,
    /// Its place among its category's procedures (lower first).
    #[serde(default)]
    pub order: u16,
}

// Limits of a procedure, in characters or entries.
const TITLE_MAX: usize = 120;
const TEXT_MAX: usize = 600;
const SUMMARY_MAX: usize = 2000;
const LIST_MAX: usize = 30;
const KEYWORDS_MAX: usize = 20;

/// A text of a procedure: trimmed, within `max` characters, no control
/// characters but new lines; with `both`, Arabic and French required, else at
/// least one language.
pub fn check_text(
    t: &Text,
    field: &'static str,
    max: usize,
    both: bool,
) -> Result<Text, DomainError> {
    let clean = |v: &str| -> Result<String, DomainError> {
        let v = v.trim();
        if v.chars().count() > max {
            return Err(DomainError::invalid(field, "too_long"));
        }
        if v.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::invalid(field, "control_characters"));
        }
        Ok(v.to_owned())
    };
    let out = Text {
        ar: clean(&t.ar)?,
        fr: clean(&t.fr)?,
        en: clean(&t.en)?,
    };
    let missing = if both {
        out.ar.is_empty() || out.fr.is_empty()
    } else {
        out.ar.is_empty() && out.fr.is_empty() && out.en.is_empty()
    };
    if missing {
        return Err(DomainError::invalid(field, "empty"));
    }
    Ok(out)
}

fn check_list<T>(
    items: Vec<T>,
    field: &'static str,
    mut each: impl FnMut(T) -> Result<T, DomainError>,
) -> Result<Vec<T>, DomainError> {
    if items.len() > LIST_MAX {
        return Err(DomainError::invalid(field, "too_many"));
    }
    items.into_iter().map(&mut each).collect()
}

/// An ISO 8601 duration of weeks, days, hours or minutes ("P1D", "PT30M",
/// "P2M" for months), at most a year: the delay as CPSV-AP writes it.
pub fn check_duration(raw: &str) -> Result<String, DomainError> {
    let bad = || DomainError::invalid("delay.duration", "iso8601_duration");
    let v = raw.trim().to_ascii_uppercase();
    if !v.starts_with('P') || v.len() < 3 || v.len() > 20 {
        return Err(bad());
    }
    let span: jiff::Span = v.parse().map_err(|_| bad())?;
    if span.is_negative() || span.get_years() > 1 || span.get_months() > 12 {
        return Err(bad());
    }
    Ok(v)
}

/// A web address of a legal text or a form.
fn check_url(raw: &str) -> Result<String, DomainError> {
    let v = raw.trim();
    let ok = v.len() <= 300
        && v.strip_prefix("https://")
            .or_else(|| v.strip_prefix("http://"))
            .is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(v.to_owned())
    } else {
        Err(DomainError::invalid("legal_basis.url", "format"))
    }
}

impl Procedure {
    /// Checked and trimmed, as staff or the catalogue wrote it: `code` is the
    /// code of the URL it is written at.
    pub fn check(mut self, code: &str) -> Result<Procedure, DomainError> {
        self.code = super::eticket::parse_code(code, "code")?;
        self.title = check_text(&self.title, "title", TITLE_MAX, true)?;
        self.summary = self
            .summary
            .map(|s| check_text(&s, "summary", SUMMARY_MAX, false))
            .transpose()?;
        self.conditions = check_list(self.conditions, "conditions", |t| {
            check_text(&t, "conditions", TEXT_MAX, false)
        })?;
        self.steps = check_list(self.steps, "steps", |t| {
            check_text(&t, "steps", TEXT_MAX, false)
        })?;
        self.documents = check_list(self.documents, "documents", |mut d| {
            d.name = check_text(&d.name, "documents.name", TITLE_MAX, false)?;
            d.issuer = d
                .issuer
                .map(|i| check_text(&i, "documents.issuer", TITLE_MAX, false))
                .transpose()?;
            if !(1..=20).contains(&d.count) {
                return Err(DomainError::invalid("documents.count", "range"));
            }
            Ok(d)
        })?;
        self.fees = check_list(self.fees, "fees", |mut f| {
            f.label = check_text(&f.label, "fees.label", TITLE_MAX, false)?;
            f.note = f
                .note
                .map(|n| check_text(&n, "fees.note", TEXT_MAX, false))
                .transpose()?;
            f.exemptions = check_list(f.exemptions, "fees.exemptions", |e| {
                check_text(&e, "fees.exemptions", TEXT_MAX, false)
            })?;
            if f.amount_millimes.is_some_and(|a| a > 100_000_000) {
                return Err(DomainError::invalid("fees.amount_millimes", "range"));
            }
            if f.amount_millimes.is_none() && f.note.is_none() {
                return Err(DomainError::invalid("fees", "amount_or_note"));
            }
            Ok(f)
        })?;
        if let Some(d) = &mut self.delay {
            d.duration = check_duration(&d.duration)?;
            d.note = d
                .note
                .take()
                .map(|n| check_text(&n, "delay.note", TEXT_MAX, false))
                .transpose()?;
        }
        if self.channels.is_empty() || self.channels.len() > 5 {
            return Err(DomainError::invalid("channels", "count"));
        }
        self.channels.sort();
        self.channels.dedup();
        for place in [&mut self.filing, &mut self.collection]
            .into_iter()
            .flatten()
        {
            place.office = place
                .office
                .take()
                .map(|o| super::eticket::parse_code(&o, "office"))
                .transpose()?;
            place.description = place
                .description
                .take()
                .map(|d| check_text(&d, "place.description", TEXT_MAX, false))
                .transpose()?;
        }
        self.legal_basis = check_list(self.legal_basis, "legal_basis", |mut l| {
            l.title = check_text(&l.title, "legal_basis.title", TEXT_MAX, false)?;
            l.url = l.url.map(|u| check_url(&u)).transpose()?;
            Ok(l)
        })?;
        if self.keywords.len() > KEYWORDS_MAX {
            return Err(DomainError::invalid("keywords", "too_many"));
        }
        for k in &mut self.keywords {
            *k = super::staff::parse_label(k, "keywords", 40)?;
        }
        if let Some(p) = &self.permit_type {
            super::permit::dossier_type(p.trim())
                .ok_or(DomainError::invalid("permit_type", "unknown"))?;
        }
        if self.channels.contains(&Channel::Dossier) && self.permit_type.is_none() {
            return Err(DomainError::invalid("permit_type", "required_for_dossier"));
        }
        Ok(self)
    }

    /// The offices it names, to check they exist.
    pub fn offices(&self) -> impl Iterator<Item = &str> {
        [&self.filing, &self.collection]
            .into_iter()
            .flatten()
            .filter_map(|p| p.office.as_deref())
    }

    /// The title in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        self.title.get(lang)
    }
}

#[cfg(test)]
mod tests;

/// An office of the municipality where procedures are filed or collected
/// (CPSV-AP: a contact point with opening hours).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Office {
    pub code: String,
    pub name: Text,
    pub address: Option<Text>,
    pub location: Option<super::geo::Coordinates>,
    pub phone: Option<String>,
    /// The kinds of procedure it handles: the national procedures of these
    /// categories show it as where to go.
    #[serde(default)]
    pub categories: Vec<Category>,
    pub hours: hours::OfficeHours,
    /// Its e-ticket agency, if tickets are taken for it.
    pub eticket_agency: Option<String>,
    pub updated_at: String,
}

/// Offices a municipality keeps.
pub const MAX_OFFICES: usize = 30;
