//! Published municipal documents: budgets, minutes, reports, plans, decisions,
//! tender files. A document has a type, a fiscal year, its languages, the
//! committee or meeting it belongs to, and versions: each version is one or
//! more files (name, type, size, SHA-256), and a new version never replaces an
//! old one: every version stays listed and downloadable. A document shows to
//! the public from its first version on, except minutes: those go draft →
//! approved (by the council or committee, at a meeting) → published
//! ([`workflow`]).

mod workflow;

pub use workflow::{DocStatus, Transition, approve, next_version, public_versions, publish};

use serde::{Deserialize, Serialize};

use super::text::{Lang, Text, tr};
use super::{DomainError, Id};

/// The kinds of document a municipality publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    BudgetProposed,
    BudgetApproved,
    BudgetAmended,
    BudgetExecuted,
    CouncilMinutes,
    CommitteeMinutes,
    CommitteeReport,
    AnnualReport,
    AuditReport,
    UrbanPlan,
    MunicipalDecision,
    TenderFile,
    Other,
}

impl DocumentType {
    pub const ALL: [DocumentType; 13] = [
        DocumentType::BudgetProposed,
        DocumentType::BudgetApproved,
        DocumentType::BudgetAmended,
        DocumentType::BudgetExecuted,
        DocumentType::CouncilMinutes,
        DocumentType::CommitteeMinutes,
        DocumentType::CommitteeReport,
        DocumentType::AnnualReport,
        DocumentType::AuditReport,
        DocumentType::UrbanPlan,
        DocumentType::MunicipalDecision,
        DocumentType::TenderFile,
        DocumentType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentType::BudgetProposed => "budget_proposed",
            DocumentType::BudgetApproved => "budget_approved",
            DocumentType::BudgetAmended => "budget_amended",
            DocumentType::BudgetExecuted => "budget_executed",
            DocumentType::CouncilMinutes => "council_minutes",
            DocumentType::CommitteeMinutes => "committee_minutes",
            DocumentType::CommitteeReport => "committee_report",
            DocumentType::AnnualReport => "annual_report",
            DocumentType::AuditReport => "audit_report",
            DocumentType::UrbanPlan => "urban_plan",
            DocumentType::MunicipalDecision => "municipal_decision",
            DocumentType::TenderFile => "tender_file",
            DocumentType::Other => "other",
        }
    }

    /// Minutes: the record of a meeting, public only once approved and then
    /// published.
    pub fn is_minutes(self) -> bool {
        matches!(
            self,
            DocumentType::CouncilMinutes | DocumentType::CommitteeMinutes
        )
    }

    pub fn parse(raw: &str) -> Option<DocumentType> {
        DocumentType::ALL
            .into_iter()
            .find(|t| t.code() == raw.trim())
    }

    pub fn label(self) -> Text<&'static str> {
        match self {
            DocumentType::BudgetProposed => {
                tr("مشروع الميزانية", "Projet de budget", "Proposed budget")
            }
            DocumentType::BudgetApproved => tr(
                "الميزانية المصادق عليها",
                "Budget approuvé",
                "Approved budget",
            ),
            DocumentType::BudgetAmended => {
                tr("الميزانية المعدلة", "Budget rectificatif", "Amended budget")
            }
            DocumentType::BudgetExecuted => tr(
                "تنفيذ الميزانية (الحساب المالي)",
                "Exécution du budget (compte financier)",
                "Budget execution",
            ),
            DocumentType::CouncilMinutes => tr(
                "محضر جلسة المجلس البلدي",
                "Procès-verbal du conseil municipal",
                "Council minutes",
            ),
            DocumentType::CommitteeMinutes => tr(
                "محضر جلسة لجنة",
                "Procès-verbal de commission",
                "Committee minutes",
            ),
            DocumentType::CommitteeReport => {
                tr("تقرير لجنة", "Rapport de commission", "Committee report")
            }
            DocumentType::AnnualReport => tr("التقرير السنوي", "Rapport annuel", "Annual report"),
            DocumentType::AuditReport => tr("تقرير رقابة", "Rapport d'audit", "Audit report"),
            DocumentType::UrbanPlan => tr(
                "مثال التهيئة العمرانية",
                "Plan d'aménagement urbain",
                "Urban plan",
            ),
            DocumentType::MunicipalDecision => {
                tr("قرار بلدي", "Arrêté municipal", "Municipal decision")
            }
            DocumentType::TenderFile => {
                tr("ملف طلب عروض", "Dossier d'appel d'offres", "Tender file")
            }
            DocumentType::Other => tr("وثيقة أخرى", "Autre document", "Other document"),
        }
    }
}

/// One file of a version, as checked when the version was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The uploaded file's id (`att_…`), in the document's partition.
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes, computed from the stored object.
    pub sha256: String,
    /// The object's key in the published-documents bucket.
    pub key: String,
}

/// A version of a document.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub number: u32,
    pub files: Vec<FileRecord>,
    pub note: Option<Text>,
    pub created_at: String,
    pub created_by: String,
}

/// A published document's record.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub doc_type: DocumentType,
    pub title: Text,
    pub description: Option<Text>,
    pub fiscal_year: Option<u16>,
    pub languages: Vec<Lang>,
    pub committee: Option<String>,
    pub meeting: Option<String>,
    /// Versions recorded so far.
    pub versions: u32,
    /// Where it stands; a record without one is published once it has a
    /// version (see [`Document::status`]).
    pub status: Option<DocStatus>,
    /// When it became public.
    pub published_at: Option<String>,
    /// Minutes: when, by whom and at which meeting they were approved.
    pub approved: Option<Transition>,
    pub updated_at: String,
    pub created_at: String,
}

impl Document {
    pub fn status(&self) -> DocStatus {
        self.status.unwrap_or(if self.versions > 0 {
            DocStatus::Published
        } else {
            DocStatus::Draft
        })
    }

    /// Whether the public sees it.
    pub fn is_public(&self) -> bool {
        self.status() == DocStatus::Published
    }
}

/// Files a version holds at most.
pub const FILES_PER_VERSION: usize = 10;
/// Versions a document keeps at most.
pub const MAX_VERSIONS: u32 = 50;

/// A new document as staff describe it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    pub title: Text,
    pub description: Option<Text>,
    pub fiscal_year: Option<u16>,
    pub languages: Vec<Lang>,
    pub committee: Option<String>,
    pub meeting: Option<String>,
}

/// The checked record of a new document, a draft until its first version
/// (minutes: until they are approved and published). Minutes name their
/// meeting; a meeting's document names its committee (the caller fills it
/// from the meeting it loaded).
pub fn new_document(n: NewDocument, now: &str) -> Result<Document, DomainError> {
    let title = super::guide::check_text(&n.title, "title", 200, true)?;
    let description = n
        .description
        .map(|d| super::guide::check_text(&d, "description", 2000, false))
        .transpose()?;
    if n.fiscal_year.is_some_and(|y| !(1990..=2100).contains(&y)) {
        return Err(DomainError::invalid("fiscal_year", "range"));
    }
    let mut languages = n.languages;
    languages.sort_by_key(|l| l.code());
    languages.dedup();
    if languages.is_empty() {
        return Err(DomainError::invalid("languages", "empty"));
    }
    let id = |v: Option<String>, prefix, field| {
        v.map(|s| {
            Id::parse(prefix, s.trim())
                .map(|i| i.to_string())
                .map_err(|_| DomainError::invalid(field, "format"))
        })
        .transpose()
    };
    let committee = id(n.committee, "cmt", "committee")?;
    let meeting = id(n.meeting, "mtg", "meeting")?;
    if n.doc_type.is_minutes() && meeting.is_none() {
        return Err(DomainError::invalid("meeting", "required"));
    }
    if meeting.is_some() && committee.is_none() {
        return Err(DomainError::invalid("committee", "required"));
    }
    Ok(Document {
        id: Id::generate("doc").to_string(),
        doc_type: n.doc_type,
        title,
        description,
        fiscal_year: n.fiscal_year,
        languages,
        committee,
        meeting,
        versions: 0,
        status: Some(DocStatus::Draft),
        published_at: None,
        approved: None,
        updated_at: now.to_owned(),
        created_at: now.to_owned(),
    })
}

/// Whether a document may name the committee and meeting it names: the
/// committee exists (`kind`, if found), the meeting (if named) is one of that
/// committee's (`meeting_of`: its committee, if found), and council minutes
/// are the council's, committee minutes another committee's.
pub fn check_link(
    doc: &Document,
    kind: Option<super::committee::CommitteeKind>,
    meeting_of: Option<Option<&str>>,
) -> Result<(), DomainError> {
    let Some(committee) = doc.committee.as_deref() else {
        return Ok(());
    };
    let kind = kind.ok_or_else(|| DomainError::invalid("committee", "unknown"))?;
    match meeting_of {
        Some(None) => return Err(DomainError::invalid("meeting", "unknown")),
        Some(Some(c)) if c != committee => {
            return Err(DomainError::invalid("meeting", "of_another_committee"));
        }
        _ => {}
    }
    let council = kind == super::committee::CommitteeKind::Council;
    match doc.doc_type {
        DocumentType::CouncilMinutes if !council => {
            Err(DomainError::invalid("committee", "not_the_council"))
        }
        DocumentType::CommitteeMinutes if council => {
            Err(DomainError::invalid("type", "council_minutes"))
        }
        _ => Ok(()),
    }
}

/// A file's name as shown and offered for download: a label without path
/// separators or quotes.
pub fn check_file_name(raw: &str) -> Result<String, DomainError> {
    let v = super::staff::parse_label(raw, "files.name", 120)?;
    if v.contains(['/', '\\', '"']) || v.starts_with('.') {
        return Err(DomainError::invalid("files.name", "format"));
    }
    Ok(v)
}

/// Whether the first bytes of a file are those of its declared type: a PDF
/// that is not a PDF is refused.
pub fn sniff(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "text/csv" => std::str::from_utf8(bytes).is_ok(),
        _ => false,
    }
}

/// What a citizen who did not find a document can ask for under the law on
/// access to information: the request's text, pre-filled from their search.
pub fn information_request_text(
    lang: Lang,
    doc_type: Option<DocumentType>,
    fiscal_year: Option<u16>,
    words: Option<&str>,
) -> String {
    let what = doc_type.map(|t| t.label().pick(lang).to_owned());
    let year = fiscal_year.map(|y| y.to_string());
    let mut parts: Vec<String> = Vec::new();
    parts.extend(what);
    if let Some(y) = year {
        parts.push(match lang {
            Lang::Ar => format!("لسنة {y}"),
            Lang::Fr => format!("de l'exercice {y}"),
            Lang::En => format!("for {y}"),
        });
    }
    if let Some(w) = words.map(str::trim).filter(|w| !w.is_empty()) {
        parts.push(format!("« {w} »"));
    }
    let subject = parts.join(" ");
    match lang {
        Lang::Ar => {
            format!("أطلب الحصول على نسخة إلكترونية من الوثيقة التالية غير المنشورة: {subject}")
        }
        Lang::Fr => {
            format!("Je demande une copie électronique du document suivant, non publié : {subject}")
        }
        Lang::En => {
            format!("I ask for an electronic copy of the following unpublished document: {subject}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(year: Option<u16>, languages: Vec<Lang>) -> NewDocument {
        NewDocument {
            doc_type: DocumentType::BudgetApproved,
            title: Text {
                ar: "ميزانية 2026".into(),
                fr: "Budget 2026".into(),
                en: String::new(),
            },
            description: None,
            fiscal_year: year,
            languages,
            committee: None,
            meeting: None,
        }
    }

    #[test]
    fn minutes_name_their_meeting_and_a_meeting_its_committee() {
        let (cmt, mtg) = (
            "cmt_01JAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            "mtg_01JAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        );
        // (type, committee, meeting, error)
        let cases = [
            (
                DocumentType::CouncilMinutes,
                Some(&cmt),
                None,
                Some(("meeting", "required")),
            ),
            (
                DocumentType::CommitteeReport,
                None,
                Some(&mtg),
                Some(("committee", "required")),
            ),
            (
                DocumentType::CouncilMinutes,
                Some(&mtg),
                Some(&mtg),
                Some(("committee", "format")),
            ),
            (
                DocumentType::CouncilMinutes,
                Some(&cmt),
                Some(&cmt),
                Some(("meeting", "format")),
            ),
            (DocumentType::CouncilMinutes, Some(&cmt), Some(&mtg), None),
            (DocumentType::CommitteeReport, Some(&cmt), None, None),
        ];
        for (t, c, mt, expected) in cases {
            let mut n = input(None, vec![Lang::Ar]);
            n.doc_type = t;
            n.committee = c.cloned();
            n.meeting = mt.cloned();
            let got = new_document(n, "2026-12-01T10:00:00Z");
            match expected {
                None => {
                    let d = got.unwrap();
                    assert_eq!((d.status(), d.is_public()), (DocStatus::Draft, false));
                }
                Some((field, reason)) => {
                    assert_eq!(
                        got.unwrap_err(),
                        DomainError::invalid(field, reason),
                        "{t:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_document_names_an_existing_committee_and_one_of_its_meetings() {
        use crate::domain::committee::CommitteeKind::{Council, Standing};
        let cmt = "cmt_01JAAAAAAAAAAAAAAAAAAAAAAA";
        let mut n = input(None, vec![Lang::Ar]);
        n.doc_type = DocumentType::CouncilMinutes;
        n.committee = Some(cmt.into());
        n.meeting = Some("mtg_01JAAAAAAAAAAAAAAAAAAAAAAA".into());
        let minutes = new_document(n, "t").unwrap();
        let mut other = minutes.clone();
        other.doc_type = DocumentType::CommitteeMinutes;
        let mut report = minutes.clone();
        report.doc_type = DocumentType::CommitteeReport;
        report.meeting = None;
        let ok = Ok(());
        let bad = |f, r| Err(DomainError::invalid(f, r));
        // (document, committee's kind, meeting's committee, expected)
        let cases = [
            (&minutes, Some(Council), Some(Some(cmt)), ok.clone()),
            (&minutes, None, Some(Some(cmt)), bad("committee", "unknown")),
            (
                &minutes,
                Some(Council),
                Some(None),
                bad("meeting", "unknown"),
            ),
            (
                &minutes,
                Some(Council),
                Some(Some("cmt_01JBBBBBBBBBBBBBBBBBBBBBBB")),
                bad("meeting", "of_another_committee"),
            ),
            (
                &minutes,
                Some(Standing),
                Some(Some(cmt)),
                bad("committee", "not_the_council"),
            ),
            (
                &other,
                Some(Council),
                Some(Some(cmt)),
                bad("type", "council_minutes"),
            ),
            (&other, Some(Standing), Some(Some(cmt)), ok.clone()),
            (&report, Some(Standing), None, ok.clone()),
            (&report, None, None, bad("committee", "unknown")),
        ];
        for (d, kind, meeting_of, expected) in cases {
            assert_eq!(
                check_link(d, kind, meeting_of),
                expected,
                "{:?}",
                d.doc_type
            );
        }
    }

    #[test]
    fn refuses_bad_descriptions_and_files_that_are_not_what_they_say() {
        let e = new_document(input(Some(1800), vec![Lang::Ar]), "t");
        assert_eq!(e.unwrap_err(), DomainError::invalid("fiscal_year", "range"));
        let e = new_document(input(None, vec![]), "t");
        assert_eq!(e.unwrap_err(), DomainError::invalid("languages", "empty"));
        assert!(sniff("application/pdf", b"%PDF-1.7 ..."));
        assert!(!sniff("application/pdf", b"<html>not a pdf"));
        assert!(!sniff("image/png", b"%PDF-1.7"));
        assert!(check_file_name("../etc/passwd").is_err());
        assert_eq!(
            check_file_name(" budget 2026.pdf ").unwrap(),
            "budget 2026.pdf"
        );
    }

    #[test]
    fn an_information_request_says_what_was_looked_for() {
        let t = information_request_text(
            Lang::Fr,
            Some(DocumentType::BudgetExecuted),
            Some(2024),
            Some("voirie"),
        );
        assert!(
            t.contains("Exécution du budget") && t.contains("2024") && t.contains("voirie"),
            "{t}"
        );
        let t = information_request_text(Lang::Ar, None, None, Some("محضر"));
        assert!(t.contains("محضر"));
    }
}
