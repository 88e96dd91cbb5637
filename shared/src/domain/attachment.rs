//! Photos attached to a case: what may be uploaded, where it lands, and what the
//! record of it says. Uploads go straight to S3 (a presigned PUT) under `tmp/`;
//! the media function checks each one, strips its metadata and files it.

use serde::{Deserialize, Serialize};

use super::{DomainError, MunicipalityId};

/// Largest upload: phone cameras' photos are 2 to 8 MB.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Photos per case.
pub const MAX_PER_CASE: usize = 5;
/// Longest side of a stored photo, and of its thumbnail, in pixels.
pub const PHOTO_EDGE: u32 = 2048;
pub const THUMB_EDGE: u32 = 320;

/// The image types accepted.
pub const TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

pub fn parse_upload(content_type: &str, size: u64) -> Result<&'static str, DomainError> {
    let t = TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(content_type.trim()))
        .ok_or(DomainError::invalid(
            "content_type",
            "not_an_accepted_image",
        ))?;
    if size == 0 {
        return Err(DomainError::invalid("size", "empty"));
    }
    if size > MAX_BYTES {
        return Err(DomainError::invalid("size", "too_large"));
    }
    Ok(t)
}

/// Documents of a file (a permit dossier's plans, an answer to an information
/// request): PDF or images, at most 20 MB, stored as sent (no image processing)
/// under `<m>/<area>/<case>/<att>`, outside `tmp/`.
pub const DOCUMENT_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];
pub const DOCUMENT_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// Documents per case.
pub const DOCUMENTS_PER_CASE: usize = 20;

pub fn parse_document(content_type: &str, size: u64) -> Result<&'static str, DomainError> {
    let t = DOCUMENT_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(content_type.trim()))
        .ok_or(DomainError::invalid(
            "content_type",
            "not_an_accepted_document",
        ))?;
    if size == 0 {
        return Err(DomainError::invalid("size", "empty"));
    }
    if size > DOCUMENT_MAX_BYTES {
        return Err(DomainError::invalid("size", "too_large"));
    }
    Ok(t)
}

/// Where a document of a case is kept: `<m>/<area>/<case>/<att>`.
pub fn document_key(m: &MunicipalityId, area: &str, case_id: &str, att_id: &str) -> String {
    format!("{m}/{area}/{case_id}/{att_id}")
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub case_id: String,
    pub status: AttachmentStatus,
    pub content_type: String,
    pub size: u64,
    /// `usr_…` of who uploaded it.
    pub uploader: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where an upload lands, before it is checked: `tmp/<m>/complaints/<case>/<att>`.
/// The bucket's lifecycle deletes whatever stays there a day.
pub fn upload_key(m: &MunicipalityId, case_id: &str, attachment_id: &str) -> String {
    format!("tmp/{m}/complaints/{case_id}/{attachment_id}")
}

/// The parts of an upload key, if it is one.
pub fn parse_upload_key(key: &str) -> Option<(MunicipalityId, String, String)> {
    let rest = key.strip_prefix("tmp/")?;
    let mut parts = rest.split('/');
    let (m, area, case, att) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if area != "complaints" || parts.next().is_some() || case.is_empty() || att.is_empty() {
        return None;
    }
    Some((
        MunicipalityId::parse(m).ok()?,
        case.to_owned(),
        att.to_owned(),
    ))
}

/// Where a checked photo and its thumbnail are kept (keys begin with the tenant).
pub fn photo_keys(m: &MunicipalityId, case_id: &str, attachment_id: &str) -> (String, String) {
    (
        format!("{m}/complaints/{case_id}/{attachment_id}.jpg"),
        format!("{m}/complaints/{case_id}/{attachment_id}.thumb.jpg"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_of_a_sane_size() {
        assert_eq!(parse_upload("image/jpeg", 1000).unwrap(), "image/jpeg");
        assert_eq!(parse_upload("IMAGE/PNG", 1).unwrap(), "image/png");
        assert!(parse_upload("text/plain", 10).is_err());
        assert!(parse_upload("image/svg+xml", 10).is_err());
        assert!(parse_upload("image/jpeg", 0).is_err());
        assert!(parse_upload("image/jpeg", MAX_BYTES + 1).is_err());
    }

    #[test]
    fn upload_keys_round_trip_and_begin_with_tmp() {
        let m = MunicipalityId::parse("tunis").unwrap();
        let k = upload_key(&m, "cmp_1", "att_2");
        assert_eq!(k, "tmp/tunis/complaints/cmp_1/att_2");
        let (pm, c, a) = parse_upload_key(&k).unwrap();
        assert_eq!(
            (pm.as_str(), c.as_str(), a.as_str()),
            ("tunis", "cmp_1", "att_2")
        );
        for bad in [
            "tunis/complaints/c/a",
            "tmp/tunis/permits/c/a",
            "tmp/tunis/complaints/c/a/b",
            "tmp/NOT A SLUG/complaints/c/a",
        ] {
            assert!(parse_upload_key(bad).is_none(), "{bad}");
        }
        let (photo, thumb) = photo_keys(&m, "cmp_1", "att_2");
        assert!(photo.starts_with("tunis/") && thumb.ends_with(".thumb.jpg"));
    }
}
