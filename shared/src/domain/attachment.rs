//! Files of any owner (a case today; a news item, a published document, a
//! meeting's minutes next): what may be uploaded, where it lands, and what the
//! record of it says. Uploads go straight to S3 (a presigned PUT). A photo lands
//! under `tmp/`, where the media function checks it, strips its metadata and
//! files it; a document is kept as sent.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::case::CaseRecord;
use super::workflow::CaseKind;
use super::{DomainError, Id, MunicipalityId};

/// Largest photo: phone cameras' photos are 2 to 8 MB.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Photos per owner.
pub const MAX_PER_CASE: usize = 5;
/// Longest side of a stored photo, and of its thumbnail, in pixels.
pub const PHOTO_EDGE: u32 = 2048;
pub const THUMB_EDGE: u32 = 320;

/// The image types accepted.
pub const TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// Documents (a permit dossier's plans, an answer to an information request):
/// PDF or images, at most 20 MB, stored as sent (no image processing).
pub const DOCUMENT_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];
pub const DOCUMENT_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// Documents per owner.
pub const DOCUMENTS_PER_CASE: usize = 20;

/// What owns files. Its files are items of its own partition
/// (`M#<m>#<TAG>#<id>`, `ATT#<att>`), and objects under `<m>/<area>/<id>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOwner {
    pub municipality: MunicipalityId,
    /// The owner's kind as its keys spell it (`CMP`, `PRM`…).
    pub tag: &'static str,
    /// Its folder in the buckets (`complaints`, `permits`…).
    pub area: &'static str,
    pub id: String,
}

/// The kinds of owner, by folder: `(area, key tag)`. A new owner kind (news,
/// published documents, minutes) is one more line.
pub const OWNERS: &[(&str, &str)] = &[
    ("complaints", "CMP"),
    ("permits", "PRM"),
    ("info-requests", "AIR"),
    ("forum", "FRM"),
    ("appointments", "APT"),
    ("guide", "PRC"),
    ("documents", "DOC"),
    ("news", "NWS"),
];

/// The folder of a kind of case's files.
pub fn area(kind: CaseKind) -> &'static str {
    OWNERS
        .iter()
        .find(|(_, tag)| *tag == kind.tag())
        .map_or("cases", |(area, _)| area)
}

impl FileOwner {
    /// The owner of the files in folder `area` with id `id`, if `area` is one.
    pub fn of_area(m: MunicipalityId, area: &str, id: &str) -> Option<FileOwner> {
        let (area, tag) = OWNERS.iter().find(|(a, _)| *a == area)?;
        Some(FileOwner {
            municipality: m,
            tag,
            area,
            id: id.to_owned(),
        })
    }

    /// A record of the area `area` (one of [`OWNERS`]), as the owner of its files.
    pub fn in_area(m: &MunicipalityId, area: &'static str, id: &str) -> FileOwner {
        let tag = OWNERS
            .iter()
            .find(|(a, _)| *a == area)
            .map_or("FILE", |(_, t)| *t);
        FileOwner {
            municipality: m.clone(),
            tag,
            area,
            id: id.to_owned(),
        }
    }

    /// A case, as the owner of its files.
    pub fn case(m: &MunicipalityId, kind: CaseKind, id: &str) -> FileOwner {
        FileOwner {
            municipality: m.clone(),
            tag: kind.tag(),
            area: area(kind),
            id: id.to_owned(),
        }
    }

    pub fn of<D>(case: &CaseRecord<D>) -> FileOwner {
        FileOwner::case(&case.municipality, case.kind, &case.id)
    }
}

/// What kind of file an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A picture, checked and cleaned by the media function before it shows.
    Photo,
    /// A paper (PDF or image), kept as sent.
    Document,
}

impl FileKind {
    /// The declared type and size, if acceptable: the type as we spell it.
    pub fn accept(self, content_type: &str, size: u64) -> Result<&'static str, DomainError> {
        let (types, max, reason) = match self {
            FileKind::Photo => (TYPES, MAX_BYTES, "not_an_accepted_image"),
            FileKind::Document => (
                DOCUMENT_TYPES,
                DOCUMENT_MAX_BYTES,
                "not_an_accepted_document",
            ),
        };
        let t = types
            .iter()
            .find(|t| t.eq_ignore_ascii_case(content_type.trim()))
            .ok_or(DomainError::invalid("content_type", reason))?;
        if size == 0 {
            return Err(DomainError::invalid("size", "empty"));
        }
        if size > max {
            return Err(DomainError::invalid("size", "too_large"));
        }
        Ok(t)
    }
}

pub fn parse_upload(content_type: &str, size: u64) -> Result<&'static str, DomainError> {
    FileKind::Photo.accept(content_type, size)
}

pub fn parse_document(content_type: &str, size: u64) -> Result<&'static str, DomainError> {
    FileKind::Document.accept(content_type, size)
}

/// May one more file of `kind` be added to those `existing`? At most 5 photos
/// (ready, or pending while their upload URL still works: an expired one will
/// never arrive) and 20 documents.
pub fn may_add(
    kind: FileKind,
    existing: &[Attachment],
    now: OffsetDateTime,
    window: std::time::Duration,
) -> Result<(), DomainError> {
    let window_start = now - window;
    let (counted, max, what) = match kind {
        FileKind::Photo => (
            existing
                .iter()
                .filter(|a| match a.status {
                    AttachmentStatus::Ready => true,
                    AttachmentStatus::Rejected => false,
                    AttachmentStatus::Pending => OffsetDateTime::parse(&a.created_at, &Rfc3339)
                        .is_ok_and(|t| t > window_start),
                })
                .count(),
            MAX_PER_CASE,
            "photos",
        ),
        FileKind::Document => (existing.len(), DOCUMENTS_PER_CASE, "documents"),
    };
    if counted >= max {
        return Err(DomainError::LimitReached { what, max });
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentStatus {
    /// Upload URL given; nothing checked yet.
    Pending,
    Ready,
    /// Not an image (or not a readable one): deleted.
    Rejected,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    /// The owner's id (a case's).
    #[serde(rename = "case_id")]
    pub owner: String,
    pub status: AttachmentStatus,
    pub content_type: String,
    pub size: u64,
    /// `usr_…` of who uploaded it.
    pub uploader: String,
    pub created_at: String,
    /// Where the file is kept: a document from the start, a photo once checked.
    pub photo_key: Option<String>,
    pub thumb_key: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub reason: Option<String>,
}

impl Attachment {
    /// The record of a file about to be uploaded.
    pub fn pending(
        owner: &FileOwner,
        kind: FileKind,
        content_type: &str,
        size: u64,
        uploader: &str,
        now: OffsetDateTime,
    ) -> Attachment {
        let id = Id::generate("att").to_string();
        Attachment {
            photo_key: (kind == FileKind::Document).then(|| upload_key(owner, kind, &id)),
            id,
            owner: owner.id.clone(),
            status: AttachmentStatus::Pending,
            content_type: content_type.to_owned(),
            size,
            uploader: uploader.to_owned(),
            created_at: crate::clock::rfc3339(now),
            thumb_key: None,
            width: None,
            height: None,
            reason: None,
        }
    }

    /// Where a pending document is awaited (to confirm it by its size); `None`
    /// for a pending photo, which the media function finishes.
    pub fn awaiting(&self) -> Option<&str> {
        match self.status {
            AttachmentStatus::Pending => self.photo_key.as_deref(),
            _ => None,
        }
    }
}

/// Where an upload lands: a photo under `tmp/<m>/<area>/<owner>/<att>` (the
/// bucket's lifecycle deletes whatever stays there a day), a document at
/// `<m>/<area>/<owner>/<att>`.
pub fn upload_key(owner: &FileOwner, kind: FileKind, att_id: &str) -> String {
    let path = format!(
        "{}/{}/{}/{att_id}",
        owner.municipality, owner.area, owner.id
    );
    match kind {
        FileKind::Photo => format!("tmp/{path}"),
        FileKind::Document => path,
    }
}

/// The owner and attachment of a photo's upload key, if it is one.
pub fn parse_upload_key(key: &str) -> Option<(FileOwner, String)> {
    let rest = key.strip_prefix("tmp/")?;
    let mut parts = rest.split('/');
    let (m, area, owner, att) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || owner.is_empty() || att.is_empty() {
        return None;
    }
    let owner = FileOwner::of_area(MunicipalityId::parse(m).ok()?, area, owner)?;
    Some((owner, att.to_owned()))
}

/// Where a checked photo and its thumbnail are kept (keys begin with the tenant).
pub fn photo_keys(owner: &FileOwner, attachment_id: &str) -> (String, String) {
    let base = format!(
        "{}/{}/{}/{attachment_id}",
        owner.municipality, owner.area, owner.id
    );
    (format!("{base}.jpg"), format!("{base}.thumb.jpg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tunis() -> MunicipalityId {
        MunicipalityId::parse("tunis").unwrap()
    }

    #[test]
    fn only_images_and_documents_of_a_sane_size() {
        assert_eq!(parse_upload("image/jpeg", 1000).unwrap(), "image/jpeg");
        assert_eq!(parse_upload("IMAGE/PNG", 1).unwrap(), "image/png");
        assert!(parse_upload("text/plain", 10).is_err());
        assert!(parse_upload("image/svg+xml", 10).is_err());
        assert!(parse_upload("image/jpeg", 0).is_err());
        assert!(parse_upload("image/jpeg", MAX_BYTES + 1).is_err());
        assert_eq!(
            parse_document("application/pdf", MAX_BYTES + 1).unwrap(),
            "application/pdf"
        );
        assert_eq!(
            parse_document("image/webp", 10),
            Err(DomainError::invalid(
                "content_type",
                "not_an_accepted_document"
            ))
        );
        assert!(parse_document("application/pdf", DOCUMENT_MAX_BYTES + 1).is_err());
    }

    #[test]
    fn upload_keys_round_trip_begin_with_the_tenant_and_name_their_owner() {
        let owner = FileOwner::case(&tunis(), CaseKind::Complaint, "cmp_1");
        let k = upload_key(&owner, FileKind::Photo, "att_2");
        assert_eq!(k, "tmp/tunis/complaints/cmp_1/att_2");
        assert_eq!(parse_upload_key(&k), Some((owner.clone(), "att_2".into())));
        let permit = FileOwner::case(&tunis(), CaseKind::Permit, "prm_1");
        assert_eq!(
            upload_key(&permit, FileKind::Document, "att_3"),
            "tunis/permits/prm_1/att_3"
        );
        // A photo of any kind of owner is found again from its key.
        let k = upload_key(&permit, FileKind::Photo, "att_4");
        assert_eq!(parse_upload_key(&k), Some((permit, "att_4".into())));
        for bad in [
            "tunis/complaints/c/a",
            "tmp/tunis/elsewhere/c/a",
            "tmp/tunis/complaints/c/a/b",
            "tmp/tunis/complaints//a",
            "tmp/NOT A SLUG/complaints/c/a",
        ] {
            assert!(parse_upload_key(bad).is_none(), "{bad}");
        }
        let (photo, thumb) = photo_keys(&owner, "att_2");
        assert_eq!(photo, "tunis/complaints/cmp_1/att_2.jpg");
        assert!(thumb.ends_with(".thumb.jpg"));
    }

    #[test]
    fn limits_count_live_photos_and_every_document() {
        let owner = FileOwner::case(&tunis(), CaseKind::Complaint, "cmp_1");
        let now = time::macros::datetime!(2026-12-02 10:00 UTC);
        let window = std::time::Duration::from_secs(900);
        let photo = |status, minutes_ago: i64| {
            let mut a = Attachment::pending(
                &owner,
                FileKind::Photo,
                "image/jpeg",
                10,
                "usr_1",
                now - time::Duration::minutes(minutes_ago),
            );
            a.status = status;
            a
        };
        let four = vec![photo(AttachmentStatus::Ready, 60); 4];
        assert_eq!(may_add(FileKind::Photo, &four, now, window), Ok(()));
        let mut five = four.clone();
        five.push(photo(AttachmentStatus::Pending, 5));
        assert_eq!(
            may_add(FileKind::Photo, &five, now, window),
            Err(DomainError::LimitReached {
                what: "photos",
                max: 5
            })
        );
        // An expired upload and a rejected photo do not count.
        let mut stale = four.clone();
        stale.push(photo(AttachmentStatus::Pending, 20));
        stale.push(photo(AttachmentStatus::Rejected, 1));
        assert_eq!(may_add(FileKind::Photo, &stale, now, window), Ok(()));
        let documents = vec![photo(AttachmentStatus::Rejected, 1); DOCUMENTS_PER_CASE];
        assert!(may_add(FileKind::Document, &documents, now, window).is_err());
        // A document is awaited where it will be; a photo, by the media function.
        let doc = Attachment::pending(
            &owner,
            FileKind::Document,
            "application/pdf",
            9,
            "usr_1",
            now,
        );
        assert!(
            doc.awaiting()
                .is_some_and(|k| k.starts_with("tunis/complaints/cmp_1/att_"))
        );
        assert_eq!(photo(AttachmentStatus::Pending, 1).awaiting(), None);
    }
}
