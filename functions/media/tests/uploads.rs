//! The media function against the local emulator (started by `scripts/test`):
//! an S3 event for an upload, as AWS sends it. Uploads go to a prefix of their
//! own municipality id, which the local relay also sees; both may handle the same
//! upload, and the outcome is recorded once either way.

use baladiya::config::{Aws, Config};
use baladiya::domain::attachment::{self, Attachment, AttachmentStatus, FileKind, FileOwner};
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{Id, MunicipalityId};
use baladiya::files::Files;
use media::samples::jpeg_with_exif;
use media::{Ctx, handle};

fn ctx() -> Ctx {
    let config = Config::from_env().expect("run with scripts/test");
    Ctx::new(&config, &Aws::from_env().expect("AWS settings")).expect("attachments bucket")
}

/// A pending attachment, as the upload URL was signed: `size` bytes of `content_type`.
async fn pending(ctx: &Ctx, content_type: &str, size: usize) -> (FileOwner, Attachment) {
    let m = MunicipalityId::parse(&format!("media-{}", ulid::Ulid::new()).to_lowercase()).unwrap();
    let owner = FileOwner::case(&m, CaseKind::Complaint, Id::generate("cmp").as_str());
    let mut a = Attachment::pending(
        &owner,
        FileKind::Photo,
        content_type,
        size as u64,
        Id::generate("usr").as_str(),
        time::OffsetDateTime::now_utc(),
    );
    a.created_at = "2026-11-28T12:00:00Z".into();
    ctx.store.put_attachment(&owner, &a).await.unwrap();
    (owner, a)
}

fn event(bucket: &str, key: &str) -> serde_json::Value {
    serde_json::json!({ "Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-west-3",
        "eventName": "ObjectCreated:Put",
        "s3": { "bucket": { "name": bucket }, "object": { "key": key, "size": 1 } }
    }]})
}

async fn finished(ctx: &Ctx, owner: &FileOwner, a: &Attachment) -> Attachment {
    for _ in 0..40 {
        let now = ctx
            .store
            .get_attachment(owner, &a.id)
            .await
            .unwrap()
            .unwrap();
        if now.status != AttachmentStatus::Pending {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the upload was never checked");
}

#[tokio::test]
async fn a_photo_is_stored_without_its_metadata_and_the_upload_removed() {
    let ctx = ctx();
    let files = Files::new(Aws::from_env().unwrap().s3());
    let upload = jpeg_with_exif(64, 32, 1);
    let (owner, a) = pending(&ctx, "image/jpeg", upload.len()).await;
    let key = attachment::upload_key(&owner, FileKind::Photo, &a.id);
    files
        .put_bytes(&ctx.bucket, &key, "image/jpeg", upload)
        .await
        .unwrap();
    handle(&ctx, event(&ctx.bucket, &key)).await;
    let done = finished(&ctx, &owner, &a).await;
    assert_eq!(done.status, AttachmentStatus::Ready, "{done:?}");
    assert_eq!((done.width, done.height), (Some(64), Some(32)));
    let stored = files
        .get_bytes(&ctx.bucket, done.photo_key.as_deref().unwrap())
        .await
        .unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "no EXIF");
    assert!(!stored.windows(3).any(|w| w == b"GPS"), "no position");
    assert!(
        done.photo_key
            .unwrap()
            .starts_with(&format!("{}/", owner.municipality))
    );
    assert!(
        files.get_bytes(&ctx.bucket, &key).await.is_err(),
        "the upload itself is deleted"
    );
}

#[tokio::test]
async fn a_text_file_named_jpg_is_rejected_and_deleted() {
    let ctx = ctx();
    let files = Files::new(Aws::from_env().unwrap().s3());
    let text = b"not a photo at all".to_vec();
    let (owner, a) = pending(&ctx, "image/jpeg", text.len()).await;
    let key = attachment::upload_key(&owner, FileKind::Photo, &a.id);
    files
        .put_bytes(&ctx.bucket, &key, "image/jpeg", text)
        .await
        .unwrap();
    handle(&ctx, event(&ctx.bucket, &key)).await;
    let done = finished(&ctx, &owner, &a).await;
    assert_eq!(done.status, AttachmentStatus::Rejected);
    assert_eq!(done.reason.as_deref(), Some("not_an_image"));
    assert!(done.photo_key.is_none());
    assert!(files.get_bytes(&ctx.bucket, &key).await.is_err());
}

#[tokio::test]
async fn an_upload_nobody_asked_for_is_deleted() {
    let ctx = ctx();
    let files = Files::new(Aws::from_env().unwrap().s3());
    let key = format!("tmp/stray-{}/complaints/cmp_x/att_x", ulid::Ulid::new()).to_lowercase();
    files
        .put_bytes(&ctx.bucket, &key, "image/jpeg", jpeg_with_exif(8, 8, 1))
        .await
        .unwrap();
    let out = handle(&ctx, event(&ctx.bucket, &key)).await;
    assert_eq!(out["ready"], 0);
    for _ in 0..20 {
        if files.get_bytes(&ctx.bucket, &key).await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("a stray upload stayed");
}

/// The fixture of events/media/ is an S3 event as AWS sends it; pointed at a real
/// upload, it is handled like one.
#[tokio::test]
async fn the_event_fixture_is_handled() {
    let ctx = ctx();
    let files = Files::new(Aws::from_env().unwrap().s3());
    let upload = jpeg_with_exif(16, 16, 1);
    let (owner, a) = pending(&ctx, "image/jpeg", upload.len()).await;
    let key = attachment::upload_key(&owner, FileKind::Photo, &a.id);
    files
        .put_bytes(&ctx.bucket, &key, "image/jpeg", upload)
        .await
        .unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/media/upload.json");
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event["Records"][0]["s3"]["bucket"]["name"] = serde_json::json!(ctx.bucket);
    event["Records"][0]["s3"]["object"]["key"] = serde_json::json!(key);
    handle(&ctx, event).await;
    assert_eq!(
        finished(&ctx, &owner, &a).await.status,
        AttachmentStatus::Ready
    );
}

/// S3 holding fewer bytes than the upload URL was signed for (an upload cut
/// short, or a client that got around the signature): refused as such, nothing
/// published, the upload deleted.
#[tokio::test]
async fn an_upload_of_another_size_than_signed_is_rejected() {
    let ctx = ctx();
    let files = Files::new(Aws::from_env().unwrap().s3());
    let whole = jpeg_with_exif(64, 32, 1);
    let (owner, a) = pending(&ctx, "image/jpeg", whole.len()).await;
    let key = attachment::upload_key(&owner, FileKind::Photo, &a.id);
    let cut = whole[..whole.len() - 100].to_vec();
    files
        .put_bytes(&ctx.bucket, &key, "image/jpeg", cut)
        .await
        .unwrap();
    handle(&ctx, event(&ctx.bucket, &key)).await;
    let done = finished(&ctx, &owner, &a).await;
    assert_eq!(done.status, AttachmentStatus::Rejected);
    assert_eq!(done.reason.as_deref(), Some("not_the_signed_size"));
    assert!(done.photo_key.is_none());
    assert!(files.get_bytes(&ctx.bucket, &key).await.is_err());
}
