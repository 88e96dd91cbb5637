//! Published municipal documents: budgets, minutes, reports, plans, decisions,
//! tender files. A document has a type, a fiscal year, its languages, the
//! committee or meeting it belongs to, and versions: each version is one or
//! more files (name, type, size, SHA-256), and a new version never replaces an
//! old one: every version stays listed and downloadable. A document shows to
//! the public from its first version on.

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
    CommitteeReport,
    AnnualReport,
    AuditReport,
    UrbanPlan,
    MunicipalDecision,
    TenderFile,
    Other,
}

impl DocumentType {
    pub const ALL: [DocumentType; 12] = [
        DocumentType::BudgetProposed,
        DocumentType::BudgetApproved,
        DocumentType::BudgetAmended,
        DocumentType::BudgetExecuted,
        DocumentType::CouncilMinutes,
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
            DocumentType::CommitteeReport => "committee_report",
            DocumentType::AnnualReport => "annual_report",
            DocumentType::AuditReport => "audit_report",
            DocumentType::UrbanPlan => "urban_plan",
            DocumentType::MunicipalDecision => "municipal_decision",
            DocumentType::TenderFile => "tender_file",
            DocumentType::Other => "other",
        }
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
    /// Versions recorded so far (0: a draft, not public).
    pub versions: u32,
    /// When its first version was recorded.
    pub published_at: Option<String>,
    pub updated_at: String,
    pub created_at: String,
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

/// The checked record of a new document, a draft until its first version.
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
    let slug =
        |v: Option<String>, field| v.map(|s| super::eticket::parse_code(&s, field)).transpose();
    Ok(Document {
        id: Id::generate("doc").to_string(),
        doc_type: n.doc_type,
        title,
        description,
        fiscal_year: n.fiscal_year,
        languages,
        committee: slug(n.committee, "committee")?,
        meeting: slug(n.meeting, "meeting")?,
        versions: 0,
        published_at: None,
        updated_at: now.to_owned(),
        created_at: now.to_owned(),
    })
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

/// The next version of `doc` with `files`: numbered after the last, at most
/// [`MAX_VERSIONS`], with 1 to [`FILES_PER_VERSION`] distinct files.
pub fn next_version(
    doc: &Document,
    files: Vec<FileRecord>,
    note: Option<&Text>,
    by: &str,
    now: &str,
) -> Result<(Document, Version), DomainError> {
    if files.is_empty() || files.len() > FILES_PER_VERSION {
        return Err(DomainError::invalid("files", "count"));
    }
    let mut ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != files.len() {
        return Err(DomainError::invalid("files", "duplicate"));
    }
    if doc.versions >= MAX_VERSIONS {
        return Err(DomainError::invalid("versions", "limit_reached"));
    }
    let note = note
        .map(|n| super::guide::check_text(n, "note", 500, false))
        .transpose()?;
    let mut next = doc.clone();
    next.versions += 1;
    next.updated_at = now.to_owned();
    next.published_at.get_or_insert_with(|| now.to_owned());
    Ok((
        next.clone(),
        Version {
            number: next.versions,
            files,
            note,
            created_at: now.to_owned(),
            created_by: by.to_owned(),
        },
    ))
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

    fn doc() -> Document {
        new_document(
            input(Some(2026), vec![Lang::Fr, Lang::Ar, Lang::Ar]),
            "2026-12-01T10:00:00Z",
        )
        .unwrap()
    }

    fn file(id: &str) -> FileRecord {
        FileRecord {
            id: id.into(),
            name: "budget.pdf".into(),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "00".into(),
            key: "k".into(),
        }
    }

    #[test]
    fn versions_follow_each_other_and_publish_the_document() {
        let d = doc();
        assert_eq!(
            (d.versions, d.languages.clone()),
            (0, vec![Lang::Ar, Lang::Fr])
        );
        let (d1, v1) =
            next_version(&d, vec![file("a")], None, "usr_1", "2026-12-02T10:00:00Z").unwrap();
        assert_eq!((d1.versions, v1.number), (1, 1));
        assert_eq!(d1.published_at.as_deref(), Some("2026-12-02T10:00:00Z"));
        let (d2, v2) = next_version(
            &d1,
            vec![file("b"), file("c")],
            None,
            "usr_1",
            "2026-12-03T10:00:00Z",
        )
        .unwrap();
        assert_eq!((d2.versions, v2.number), (2, 2));
        assert_eq!(
            d2.published_at.as_deref(),
            Some("2026-12-02T10:00:00Z"),
            "first publication kept"
        );
        // (files, error)
        let cases = [
            (vec![], DomainError::invalid("files", "count")),
            (
                vec![file("a"), file("a")],
                DomainError::invalid("files", "duplicate"),
            ),
        ];
        for (files, e) in cases {
            assert_eq!(next_version(&d, files, None, "u", "t").unwrap_err(), e);
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
