//! S3: attachments and published documents. Clients upload and download directly
//! with short-lived presigned URLs; object keys begin with the tenant.

use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;

use crate::domain::MunicipalityId;

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("invalid presigning request: {0}")]
    Invalid(String),
    #[error("storage unavailable")]
    Unavailable,
}

/// A presigned request the client performs itself.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Presigned {
    pub url: String,
    pub method: &'static str,
    /// Headers the client must send with the request, exactly.
    pub headers: Vec<(String, String)>,
    pub expires_in: u64,
}

#[derive(Clone, Debug)]
pub struct Files {
    s3: S3,
}

/// The S3 client, or where to build it on first use: a function that serves
/// most requests without S3 (a complaint's list, its detail) does not pay for
/// building it at cold start.
#[derive(Clone, Debug)]
enum S3 {
    Ready(Client),
    OnFirstUse(crate::config::Aws),
}

/// `<m>/<area>/<name>`: every object key starts with the municipality.
pub fn object_key(m: &MunicipalityId, area: &str, name: &str) -> String {
    format!("{m}/{area}/{name}")
}

impl Files {
    /// Create bucket `name` in `region` where nothing deploys it (the local
    /// stack); `Ok(false)` if it exists already.
    pub async fn create_bucket(&self, name: &str, region: &str) -> Result<bool, String> {
        use aws_sdk_s3::error::ProvideErrorMetadata;
        use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
        let mut req = self.s3().create_bucket().bucket(name);
        if region != "us-east-1" {
            req = req.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.code()
                    .is_some_and(|c| c.contains("BucketAlreadyOwnedByYou")) =>
            {
                Ok(false)
            }
            Err(e) => Err(format!("create bucket {name}: {e:?}")),
        }
    }

    pub fn new(s3: Client) -> Files {
        Files { s3: S3::Ready(s3) }
    }

    /// The S3 client of `aws`, built when a request first needs it.
    pub fn on_first_use(aws: &crate::config::Aws) -> Files {
        Files {
            s3: S3::OnFirstUse(aws.clone()),
        }
    }

    fn s3(&self) -> Client {
        match &self.s3 {
            S3::Ready(c) => c.clone(),
            S3::OnFirstUse(aws) => aws.s3(),
        }
    }

    /// A URL to PUT one object of `content_type`, at most `max_bytes` long (the
    /// length is signed, so S3 refuses any other size).
    pub async fn presign_upload(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires: Duration,
    ) -> Result<Presigned, FilesError> {
        let conf = PresigningConfig::expires_in(expires)
            .map_err(|e| FilesError::Invalid(e.to_string()))?;
        let req = self
            .s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .content_length(content_length as i64)
            .presigned(conf)
            .await
            .map_err(|e| FilesError::Invalid(e.to_string()))?;
        Ok(Presigned {
            url: req.uri().to_owned(),
            method: "PUT",
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("content-length".into(), content_length.to_string()),
            ],
            expires_in: expires.as_secs(),
        })
    }

    /// A URL to GET one object.
    pub async fn presign_download(
        &self,
        bucket: &str,
        key: &str,
        expires: Duration,
    ) -> Result<Presigned, FilesError> {
        let conf = PresigningConfig::expires_in(expires)
            .map_err(|e| FilesError::Invalid(e.to_string()))?;
        let req = self
            .s3()
            .get_object()
            .bucket(bucket)
            .key(key)
            .presigned(conf)
            .await
            .map_err(|e| FilesError::Invalid(e.to_string()))?;
        Ok(Presigned {
            url: req.uri().to_owned(),
            method: "GET",
            headers: Vec::new(),
            expires_in: expires.as_secs(),
        })
    }

    pub async fn put_bytes(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), FilesError> {
        self.s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(bytes.into())
            .send()
            .await
            .map_err(|e| {
                tracing::error!(code = ?aws_sdk_s3::error::ProvideErrorMetadata::code(&e), "s3 put failed");
                FilesError::Unavailable
            })?;
        Ok(())
    }

    pub async fn delete(&self, bucket: &str, key: &str) -> Result<(), FilesError> {
        self.s3()
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                tracing::error!(code = ?aws_sdk_s3::error::ProvideErrorMetadata::code(&e), "s3 delete failed");
                FilesError::Unavailable
            })?;
        Ok(())
    }

    /// The size of an object, `None` if there is none (an upload never made).
    /// Without `s3:ListBucket` (least privilege: the functions never list), S3
    /// answers a HEAD of a missing object 403 rather than 404: both mean none.
    pub async fn size(&self, bucket: &str, key: &str) -> Result<Option<u64>, FilesError> {
        match self.s3().head_object().bucket(bucket).key(key).send().await {
            Ok(out) => Ok(Some(out.content_length().unwrap_or(0).max(0) as u64)),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 403) => Ok(None),
            Err(e) => {
                tracing::error!(code = ?aws_sdk_s3::error::ProvideErrorMetadata::code(&e), "s3 head failed");
                Err(FilesError::Unavailable)
            }
        }
    }

    pub async fn get_bytes(&self, bucket: &str, key: &str) -> Result<Vec<u8>, FilesError> {
        let out = self.s3().get_object().bucket(bucket).key(key).send().await.map_err(|e| {
            tracing::error!(code = ?aws_sdk_s3::error::ProvideErrorMetadata::code(&e), "s3 get failed");
            FilesError::Unavailable
        })?;
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|_| FilesError::Unavailable)?;
        Ok(bytes.into_bytes().to_vec())
    }
}
