//! Where a document stands. Most documents are public from their first
//! version on. Minutes are the record of a meeting and are not: staff record
//! their drafts (as many versions as it takes), the council or committee
//! approves them (at a meeting, usually the next), and only then are they
//! published. A new version of approved minutes sends them back to draft (the
//! approval was of another text); published minutes are the record and take
//! no new version.

use serde::{Deserialize, Serialize};

use super::{Document, FILES_PER_VERSION, FileRecord, MAX_VERSIONS, Version};
use crate::domain::DomainError;
use crate::domain::text::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    /// Staff's only.
    Draft,
    /// Minutes the council or committee approved, not yet public.
    Approved,
    /// Public.
    Published,
}

impl DocStatus {
    pub fn code(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::Approved => "approved",
            DocStatus::Published => "published",
        }
    }

    pub fn parse(raw: &str) -> Option<DocStatus> {
        [DocStatus::Draft, DocStatus::Approved, DocStatus::Published]
            .into_iter()
            .find(|s| s.code() == raw.trim())
    }
}

/// One step of a document's workflow, kept in its trail.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub status: DocStatus,
    pub at: String,
    /// The staff member who recorded it.
    pub by: String,
    /// Approval: the meeting that approved the minutes.
    pub meeting: Option<String>,
    /// Approval: which version was approved.
    pub version: Option<u32>,
}

fn not_allowed(from: DocStatus, to: &str) -> DomainError {
    DomainError::TransitionNotAllowed {
        from: from.code().to_owned(),
        to: to.to_owned(),
    }
}

/// The next version of `doc` with `files`: numbered after the last, at most
/// [`MAX_VERSIONS`], with 1 to [`FILES_PER_VERSION`] distinct files. A
/// document that is not minutes is published with its first version.
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
    let minutes = doc.doc_type.is_minutes();
    let status = doc.status();
    if minutes && status == DocStatus::Published {
        return Err(not_allowed(status, "versioned"));
    }
    let note = note
        .map(|n| crate::domain::guide::check_text(n, "note", 500, false))
        .transpose()?;
    let mut next = doc.clone();
    next.versions += 1;
    next.updated_at = now.to_owned();
    if minutes {
        next.status = Some(DocStatus::Draft);
        next.approved = None;
    } else {
        next.status = Some(DocStatus::Published);
        next.published_at.get_or_insert_with(|| now.to_owned());
    }
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

/// The versions the public sees of a published document: all of them, but
/// of minutes only the approved text (earlier drafts stay staff's).
pub fn public_versions(doc: &Document, versions: Vec<Version>) -> Vec<Version> {
    if !doc.doc_type.is_minutes() {
        return versions;
    }
    let approved = doc.approved.as_ref().and_then(|t| t.version);
    versions
        .into_iter()
        .filter(|v| Some(v.number) == approved)
        .collect()
}

/// The council or committee approved minutes (their latest version), at
/// `meeting` if staff say which. Only drafted minutes with a version are
/// approved.
pub fn approve(
    doc: &Document,
    meeting: Option<String>,
    by: &str,
    now: &str,
) -> Result<(Document, Transition), DomainError> {
    let status = doc.status();
    if !doc.doc_type.is_minutes() || status != DocStatus::Draft {
        return Err(not_allowed(status, "approved"));
    }
    if doc.versions == 0 {
        return Err(DomainError::invalid("versions", "empty"));
    }
    let t = Transition {
        status: DocStatus::Approved,
        at: now.to_owned(),
        by: by.to_owned(),
        meeting,
        version: Some(doc.versions),
    };
    let mut next = doc.clone();
    next.status = Some(DocStatus::Approved);
    next.approved = Some(t.clone());
    next.updated_at = now.to_owned();
    Ok((next, t))
}

/// Approved minutes are made public.
pub fn publish(doc: &Document, by: &str, now: &str) -> Result<(Document, Transition), DomainError> {
    let status = doc.status();
    if !doc.doc_type.is_minutes() || status != DocStatus::Approved {
        return Err(not_allowed(status, "published"));
    }
    let t = Transition {
        status: DocStatus::Published,
        at: now.to_owned(),
        by: by.to_owned(),
        meeting: None,
        version: Some(doc.versions),
    };
    let mut next = doc.clone();
    next.status = Some(DocStatus::Published);
    next.published_at = Some(now.to_owned());
    next.updated_at = now.to_owned();
    Ok((next, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::{DocumentType, NewDocument, new_document};
    use crate::domain::text::Lang;

    fn doc(doc_type: DocumentType) -> Document {
        let n = NewDocument {
            doc_type,
            title: Text {
                ar: "محضر".into(),
                fr: "PV".into(),
                en: String::new(),
            },
            description: None,
            fiscal_year: Some(2026),
            languages: vec![Lang::Ar],
            committee: Some("cmt_01JAAAAAAAAAAAAAAAAAAAAAAA".into()),
            meeting: Some("mtg_01JAAAAAAAAAAAAAAAAAAAAAAA".into()),
        };
        new_document(n, "2026-12-01T10:00:00Z").unwrap()
    }

    fn file(id: &str) -> FileRecord {
        FileRecord {
            id: id.into(),
            name: "pv.pdf".into(),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "00".into(),
            key: "k".into(),
        }
    }

    fn version(d: &Document, at: &str) -> Result<Document, DomainError> {
        let f = format!("att_{}", d.versions);
        next_version(d, vec![file(&f)], None, "usr_1", at).map(|(d, _)| d)
    }

    #[test]
    fn a_document_is_published_with_its_first_version_and_keeps_that_date() {
        let d = doc(DocumentType::BudgetApproved);
        let d1 = version(&d, "2026-12-02T10:00:00Z").unwrap();
        assert_eq!(
            (d1.versions, d1.status(), d1.is_public()),
            (1, DocStatus::Published, true)
        );
        let d2 = version(&d1, "2026-12-03T10:00:00Z").unwrap();
        assert_eq!(d2.versions, 2);
        assert_eq!(d2.published_at.as_deref(), Some("2026-12-02T10:00:00Z"));
        // Not minutes: nothing to approve or publish by hand.
        assert!(approve(&d1, None, "u", "t").is_err());
        assert!(publish(&d1, "u", "t").is_err());
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
    fn minutes_go_draft_then_approved_then_published() {
        let d = doc(DocumentType::CouncilMinutes);
        // Nothing to approve yet.
        assert_eq!(
            approve(&d, None, "u", "t").unwrap_err(),
            DomainError::invalid("versions", "empty")
        );
        let d1 = version(&d, "2026-12-02T10:00:00Z").unwrap();
        assert_eq!(
            (d1.status(), d1.published_at.clone()),
            (DocStatus::Draft, None)
        );
        // Not published before approval.
        assert!(publish(&d1, "u", "t").is_err());
        let mtg = Some("mtg_01JBBBBBBBBBBBBBBBBBBBBBBB".to_owned());
        let (a, t) = approve(&d1, mtg.clone(), "usr_2", "2026-12-09T10:00:00Z").unwrap();
        assert_eq!((a.status(), a.is_public()), (DocStatus::Approved, false));
        assert_eq!((t.meeting.clone(), t.version), (mtg, Some(1)));
        assert_eq!(a.approved, Some(t));
        assert!(approve(&a, None, "u", "t").is_err(), "approved once");
        let (p, t) = publish(&a, "usr_3", "2026-12-10T10:00:00Z").unwrap();
        assert_eq!((p.status(), p.is_public()), (DocStatus::Published, true));
        assert_eq!(p.published_at.as_deref(), Some("2026-12-10T10:00:00Z"));
        assert_eq!((t.status, t.version), (DocStatus::Published, Some(1)));
        assert!(p.approved.is_some(), "the approval stays on the record");
        // Published minutes are the record.
        assert_eq!(
            version(&p, "t").unwrap_err(),
            DomainError::TransitionNotAllowed {
                from: "published".into(),
                to: "versioned".into()
            }
        );
        assert!(publish(&p, "u", "t").is_err());
    }

    #[test]
    fn the_public_reads_the_approved_text_of_minutes_only() {
        let versions = |n: u32| -> Vec<Version> {
            (1..=n)
                .map(|number| Version {
                    number,
                    files: vec![file("a")],
                    note: None,
                    created_at: "t".into(),
                    created_by: "u".into(),
                })
                .collect()
        };
        let numbers = |v: Vec<Version>| v.iter().map(|v| v.number).collect::<Vec<_>>();
        let d = version(&doc(DocumentType::CouncilMinutes), "t1").unwrap();
        let d = version(&d, "t2").unwrap();
        let (a, _) = approve(&d, None, "u", "t3").unwrap();
        let (p, _) = publish(&a, "u", "t4").unwrap();
        assert_eq!(numbers(public_versions(&p, versions(2))), vec![2]);
        let budget = version(&doc(DocumentType::BudgetApproved), "t1").unwrap();
        assert_eq!(numbers(public_versions(&budget, versions(2))), vec![1, 2]);
    }

    #[test]
    fn a_new_version_of_approved_minutes_needs_approving_again() {
        let d = version(&doc(DocumentType::CommitteeMinutes), "t1").unwrap();
        let (a, _) = approve(&d, None, "u", "t2").unwrap();
        let d2 = version(&a, "t3").unwrap();
        assert_eq!((d2.status(), d2.approved.clone()), (DocStatus::Draft, None));
        let (a2, t) = approve(&d2, None, "u", "t4").unwrap();
        assert_eq!((a2.status(), t.version), (DocStatus::Approved, Some(2)));
    }

    #[test]
    fn a_record_without_a_status_reads_from_its_versions() {
        let mut d = doc(DocumentType::AnnualReport);
        d.status = None;
        assert_eq!(d.status(), DocStatus::Draft);
        d.versions = 1;
        assert_eq!(d.status(), DocStatus::Published);
        for s in [DocStatus::Draft, DocStatus::Approved, DocStatus::Published] {
            assert_eq!(DocStatus::parse(s.code()), Some(s));
        }
        assert_eq!(DocStatus::parse("archived"), None);
    }
}
