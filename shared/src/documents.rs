//! Documents of a tracked file (permit dossiers, information requests): a
//! presigned upload straight to S3, its confirmation when a step of the file
//! refers to it, and short-lived links to read it. Unlike photos they are kept
//! as sent (PDF or image), outside `tmp/`, so the media function leaves them.

use std::time::Duration;

use serde::Serialize;

use crate::clock::now_rfc3339;
use crate::domain::attachment::{self, Attachment, AttachmentStatus};
use crate::domain::workflow::CaseKind;
use crate::domain::{DomainError, Id, MunicipalityId};
use crate::files::Files;
use crate::http::ApiError;
use crate::store::Store;

/// How long an upload URL works, and a link to read a document.
pub const UPLOAD_WINDOW: Duration = Duration::from_secs(900);
pub const LINK: Duration = Duration::from_secs(600);

#[derive(Debug, Serialize)]
pub struct UploadView {
    pub url: String,
    pub method: &'static str,
    pub headers: std::collections::BTreeMap<String, String>,
    pub expires_in: u64,
}

#[derive(Debug, Serialize)]
pub struct Upload {
    pub id: String,
    pub status: AttachmentStatus,
    pub upload: UploadView,
}

#[derive(Debug, Serialize)]
pub struct DocumentView {
    pub id: String,
    pub status: AttachmentStatus,
    pub content_type: String,
    pub size: u64,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Where a kind's documents live: `<m>/<area>/<case>/<att>`.
pub fn area(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Permit => "permits",
        CaseKind::InfoRequest => "info-requests",
        CaseKind::Complaint => "complaints",
        CaseKind::ForumEntry => "forum",
        CaseKind::Appointment => "appointments",
        CaseKind::Ticket => "tickets",
    }
}

/// Start the upload of one document of a case.
#[allow(clippy::too_many_arguments)]
pub async fn start_upload(
    store: &Store,
    files: &Files,
    bucket: &str,
    m: &MunicipalityId,
    kind: CaseKind,
    case_id: &str,
    uploader: &str,
    content_type: &str,
    size: u64,
) -> Result<Upload, ApiError> {
    let content_type = attachment::parse_document(content_type, size)?;
    let existing = store.attachments_of(m, kind, case_id).await?;
    if existing.len() >= attachment::DOCUMENTS_PER_CASE {
        return Err(ApiError::conflict("limit_reached")
            .with_detail(format!("documents: {}", attachment::DOCUMENTS_PER_CASE)));
    }
    let id = Id::generate("att").to_string();
    let key = attachment::document_key(m, area(kind), case_id, &id);
    let upload = files
        .presign_upload(bucket, &key, content_type, size, UPLOAD_WINDOW)
        .await
        .map_err(|_| ApiError::unavailable())?;
    let record = Attachment {
        id: id.clone(),
        case_id: case_id.to_owned(),
        status: AttachmentStatus::Pending,
        content_type: content_type.to_owned(),
        size,
        uploader: uploader.to_owned(),
        created_at: now_rfc3339(),
        photo_key: Some(key),
        thumb_key: None,
        width: None,
        height: None,
        reason: None,
    };
    store.put_attachment(m, kind, &record).await?;
    Ok(Upload {
        id,
        status: record.status,
        upload: UploadView {
            url: upload.url,
            method: upload.method,
            headers: upload.headers.into_iter().collect(),
            expires_in: upload.expires_in,
        },
    })
}

/// A document a step of the case refers to: uploaded (S3 has it, of the size
/// announced), so now `ready`. 422 `attachment`/`unknown` or `not_uploaded`.
pub async fn confirm(
    store: &Store,
    files: &Files,
    bucket: &str,
    m: &MunicipalityId,
    kind: CaseKind,
    case_id: &str,
    raw_id: &str,
) -> Result<String, ApiError> {
    let unknown = || ApiError::from(DomainError::invalid("attachment", "unknown"));
    let id = Id::parse("att", raw_id.trim()).map_err(|_| unknown())?;
    let mut a = store
        .get_attachment(m, kind, case_id, id.as_str())
        .await?
        .ok_or_else(unknown)?;
    match a.status {
        AttachmentStatus::Ready => return Ok(a.id),
        AttachmentStatus::Rejected => return Err(unknown()),
        AttachmentStatus::Pending => {}
    }
    let key = a.photo_key.clone().ok_or_else(unknown)?;
    let size = files
        .size(bucket, &key)
        .await
        .map_err(|_| ApiError::unavailable())?;
    if size != Some(a.size) {
        return Err(DomainError::invalid("attachment", "not_uploaded").into());
    }
    a.status = AttachmentStatus::Ready;
    match store.finish_attachment(m, kind, &a).await {
        // Confirmed meanwhile by another request: ready all the same.
        Ok(()) | Err(crate::store::StoreError::VersionConflict) => Ok(a.id),
        Err(e) => Err(e.into()),
    }
}

/// A case's documents, with links to the ready ones; pending ones only for
/// insiders.
pub async fn views(
    store: &Store,
    files: &Files,
    bucket: Option<&str>,
    m: &MunicipalityId,
    kind: CaseKind,
    case_id: &str,
    insider: bool,
) -> Result<Vec<DocumentView>, ApiError> {
    let mut out = Vec::new();
    for a in store.attachments_of(m, kind, case_id).await? {
        if a.status != AttachmentStatus::Ready && !insider {
            continue;
        }
        let url = match (bucket, &a.photo_key, a.status) {
            (Some(b), Some(k), AttachmentStatus::Ready) => Some(
                files
                    .presign_download(b, k, LINK)
                    .await
                    .map_err(|_| ApiError::unavailable())?
                    .url,
            ),
            _ => None,
        };
        out.push(DocumentView {
            id: a.id,
            status: a.status,
            content_type: a.content_type,
            size: a.size,
            created_at: a.created_at,
            url,
        });
    }
    Ok(out)
}
