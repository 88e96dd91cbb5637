//! Files of any owner — a case's photos and documents today, a news item's, a
//! published document's or a meeting's minutes next: a presigned upload straight
//! to S3 (type and size signed, so S3 refuses anything else), its confirmation,
//! and short-lived links to read it. Photos land under `tmp/`, where the media
//! function checks their bytes, strips their metadata and files them; documents
//! are kept as sent and confirmed by their size when a step refers to them.
//! Every key begins with the tenant (`domain::attachment`).

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::config::{Aws, Config};
use crate::domain::DomainError;
use crate::domain::attachment::{self, Attachment, AttachmentStatus, FileKind, FileOwner};
use crate::files::Files;
use crate::http::ApiError;
use crate::store::{Store, StoreError};

/// How long an upload URL works, and a link to read a file.
pub const UPLOAD_WINDOW: Duration = Duration::from_secs(900);
pub const LINK: Duration = Duration::from_secs(600);

/// The answer to "I want to upload a file": where and how to send it.
#[derive(Debug, Serialize)]
pub struct Upload {
    pub id: String,
    pub status: AttachmentStatus,
    pub upload: UploadView,
}

#[derive(Debug, Serialize)]
pub struct UploadView {
    pub url: String,
    pub method: &'static str,
    pub headers: std::collections::BTreeMap<String, String>,
    pub expires_in: u64,
}

/// A photo, with short-lived links to it and its thumbnail.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct PhotoView {
    pub id: String,
    pub status: AttachmentStatus,
    pub url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub reason: Option<String>,
    pub created_at: String,
}

/// A document, with a short-lived link once it is ready.
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

/// The files of every owner: the table that records them, the bucket that holds
/// them (`BALADIYA_ATTACHMENTS_BUCKET`; without one, nothing can be uploaded).
#[derive(Clone, Debug)]
pub struct Uploads {
    store: Store,
    files: Files,
    bucket: Option<String>,
}

/// A file checked byte by byte: what a published document's version records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub content_type: String,
    pub size: u64,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub key: String,
}

impl Uploads {
    pub fn new(config: &Config, aws: &Aws) -> Uploads {
        Uploads {
            store: Store::new(aws.dynamodb(), &config.table),
            files: Files::on_first_use(aws),
            bucket: config.attachments_bucket.clone(),
        }
    }

    /// The files of published documents, in their own bucket
    /// (`BALADIYA_DOCUMENTS_BUCKET`).
    pub fn published(config: &Config, aws: &Aws) -> Uploads {
        Uploads {
            bucket: config.documents_bucket.clone(),
            ..Uploads::new(config, aws)
        }
    }

    /// A document of `owner` confirmed ([`Uploads::confirm`]), then read whole:
    /// its first bytes must be those of its declared type (`field`:
    /// `not_its_type`), and its SHA-256 is computed from what is stored.
    pub async fn check(
        &self,
        owner: &FileOwner,
        id: &str,
        field: &'static str,
    ) -> Result<Checked, ApiError> {
        self.confirm(owner, id, field).await?;
        let a = self
            .store
            .get_attachment(owner, id)
            .await?
            .ok_or(DomainError::invalid(field, "unknown"))?;
        let key = a
            .photo_key
            .clone()
            .ok_or(DomainError::invalid(field, "unknown"))?;
        let bytes = self
            .files
            .get_bytes(self.bucket()?, &key)
            .await
            .map_err(|_| ApiError::unavailable())?;
        if !crate::domain::document::sniff(&a.content_type, &bytes) {
            return Err(DomainError::invalid(field, "not_its_type").into());
        }
        use sha2::Digest;
        Ok(Checked {
            sha256: crate::domain::hex(&sha2::Sha256::digest(&bytes)),
            content_type: a.content_type,
            size: a.size,
            key,
        })
    }

    /// A short-lived link to the object `key` of this bucket.
    pub async fn download(&self, key: &str) -> Result<Option<String>, ApiError> {
        self.link(Some(key)).await
    }

    fn bucket(&self) -> Result<&str, ApiError> {
        self.bucket.as_deref().ok_or_else(ApiError::unavailable)
    }

    /// Start the upload of one file of `owner` by `uploader` (`usr_…`).
    pub async fn start(
        &self,
        owner: &FileOwner,
        kind: FileKind,
        uploader: &str,
        content_type: &str,
        size: u64,
        now: OffsetDateTime,
    ) -> Result<Upload, ApiError> {
        let content_type = kind.accept(content_type, size)?;
        let bucket = self.bucket()?;
        let existing = self.store.attachments_of(owner).await?;
        attachment::may_add(kind, &existing, now, UPLOAD_WINDOW)?;
        let record = Attachment::pending(owner, kind, content_type, size, uploader, now);
        let key = attachment::upload_key(owner, kind, &record.id);
        let upload = self
            .files
            .presign_upload(bucket, &key, content_type, size, UPLOAD_WINDOW)
            .await
            .map_err(|_| ApiError::unavailable())?;
        self.store.put_attachment(owner, &record).await?;
        Ok(Upload {
            id: record.id,
            status: record.status,
            upload: UploadView {
                url: upload.url,
                method: upload.method,
                headers: upload.headers.into_iter().collect(),
                expires_in: upload.expires_in,
            },
        })
    }

    /// A file of `owner` that something refers to (a step of a case): there and
    /// ready. A photo is ready once the media function has checked it; a
    /// document once S3 holds it at the size announced. Errors name `field`:
    /// `unknown`, `not_ready` (a photo still being checked), `not_uploaded`.
    pub async fn confirm(
        &self,
        owner: &FileOwner,
        id: &str,
        field: &'static str,
    ) -> Result<(), ApiError> {
        let unknown = || ApiError::from(DomainError::invalid(field, "unknown"));
        let mut a = self
            .store
            .get_attachment(owner, id)
            .await?
            .ok_or_else(unknown)?;
        let key = match (a.status, a.awaiting()) {
            (AttachmentStatus::Ready, _) => return Ok(()),
            (AttachmentStatus::Rejected, _) => return Err(unknown()),
            (AttachmentStatus::Pending, None) => {
                return Err(DomainError::invalid(field, "not_ready").into());
            }
            (AttachmentStatus::Pending, Some(key)) => key.to_owned(),
        };
        let size = self
            .files
            .size(self.bucket()?, &key)
            .await
            .map_err(|_| ApiError::unavailable())?;
        if size != Some(a.size) {
            return Err(DomainError::invalid(field, "not_uploaded").into());
        }
        a.status = AttachmentStatus::Ready;
        match self.store.finish_attachment(owner, &a).await {
            // Confirmed meanwhile by another request: ready all the same.
            Ok(()) | Err(StoreError::VersionConflict) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The files of `owner` that its reader may see: the ready ones, and for an
    /// insider (the owner's people, staff) the pending and rejected ones too.
    async fn listed(&self, owner: &FileOwner, insider: bool) -> Result<Vec<Attachment>, ApiError> {
        let mut all = self.store.attachments_of(owner).await?;
        all.retain(|a| insider || a.status == AttachmentStatus::Ready);
        Ok(all)
    }

    async fn link(&self, key: Option<&str>) -> Result<Option<String>, ApiError> {
        match (self.bucket.as_deref(), key) {
            (Some(bucket), Some(key)) => self
                .files
                .presign_download(bucket, key, LINK)
                .await
                .map(|p| Some(p.url))
                .map_err(|_| ApiError::unavailable()),
            _ => Ok(None),
        }
    }

    /// `owner`'s photos, with links to the checked copy and its thumbnail.
    pub async fn photos(
        &self,
        owner: &FileOwner,
        insider: bool,
    ) -> Result<Vec<PhotoView>, ApiError> {
        if self.bucket.is_none() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for a in self.listed(owner, insider).await? {
            out.push(PhotoView {
                url: self.link(a.photo_key.as_deref()).await?,
                thumbnail_url: self.link(a.thumb_key.as_deref()).await?,
                id: a.id,
                status: a.status,
                width: a.width,
                height: a.height,
                reason: a.reason,
                created_at: a.created_at,
            });
        }
        Ok(out)
    }

    /// `owner`'s documents, with a link to each ready one.
    pub async fn documents(
        &self,
        owner: &FileOwner,
        insider: bool,
    ) -> Result<Vec<DocumentView>, ApiError> {
        let mut out = Vec::new();
        for a in self.listed(owner, insider).await? {
            let ready = a.status == AttachmentStatus::Ready;
            out.push(DocumentView {
                url: if ready {
                    self.link(a.photo_key.as_deref()).await?
                } else {
                    None
                },
                id: a.id,
                status: a.status,
                content_type: a.content_type,
                size: a.size,
                created_at: a.created_at,
            });
        }
        Ok(out)
    }
}
