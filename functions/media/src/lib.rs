//! The `media` function: S3 tells it of each photo uploaded under `tmp/`, for
//! whatever owns it (a complaint today; any owner of `attachment::OWNERS`); it checks the
//! file really is an image of the declared kind (by its content, not its name),
//! re-encodes it (which drops every metadata block: EXIF with the GPS position,
//! XMP, comments), after turning it upright as its EXIF orientation said, writes a
//! thumbnail, deletes the upload and records the attachment as ready. Anything
//! else is deleted and recorded as rejected.

use std::io::Cursor;

use baladiya::config::{Aws, Config};
use baladiya::domain::attachment::{
    self, Attachment, AttachmentStatus, MAX_BYTES, PHOTO_EDGE, THUMB_EDGE,
};
use baladiya::files::Files;
use baladiya::store::{Store, StoreError};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use serde_json::{Value, json};

pub struct Ctx {
    pub store: Store,
    pub files: Files,
    pub bucket: String,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Result<Ctx, String> {
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            files: Files::new(aws.s3()),
            bucket: config
                .attachments_bucket
                .clone()
                .ok_or("BALADIYA_ATTACHMENTS_BUCKET is not set")?,
        })
    }
}

/// A checked photo, ready to store.
#[derive(Debug)]
pub struct Processed {
    pub photo: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why an upload was refused (a stable reason, recorded on the attachment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    NotAnImage,
    NotTheDeclaredType,
    Unreadable,
    TooLarge,
    /// The image stops before its end (an upload cut short): decoders would
    /// fill the missing part with grey.
    Truncated,
    /// S3 holds another number of bytes than the upload URL was signed for.
    NotTheSignedSize,
}

impl Rejected {
    pub fn code(self) -> &'static str {
        match self {
            Rejected::NotAnImage => "not_an_image",
            Rejected::NotTheDeclaredType => "not_the_declared_type",
            Rejected::Unreadable => "unreadable",
            Rejected::TooLarge => "too_large",
            Rejected::Truncated => "truncated",
            Rejected::NotTheSignedSize => "not_the_signed_size",
        }
    }
}

fn format_of(content_type: &str) -> Option<ImageFormat> {
    match content_type {
        "image/jpeg" => Some(ImageFormat::Jpeg),
        "image/png" => Some(ImageFormat::Png),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// Check and clean one upload. Pure: bytes in, JPEG bytes out.
pub fn process(bytes: &[u8], declared: &str) -> Result<Processed, Rejected> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Rejected::TooLarge);
    }
    // By content: a text file named `.jpg` has no image signature.
    let found = image::guess_format(bytes).map_err(|_| Rejected::NotAnImage)?;
    if Some(found) != format_of(declared) {
        return Err(Rejected::NotTheDeclaredType);
    }
    if found == ImageFormat::Jpeg && !jpeg_is_whole(bytes) {
        return Err(Rejected::Truncated);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), found);
    // A decompression bomb (a small file of a huge picture) is refused before
    // any pixel is decoded.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Rejected::Unreadable)?;
    let orientation = decoder.orientation().map_err(|_| Rejected::Unreadable)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| Rejected::Unreadable)?;
    img.apply_orientation(orientation);
    let photo = if img.width().max(img.height()) > PHOTO_EDGE {
        img.resize(
            PHOTO_EDGE,
            PHOTO_EDGE,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        img
    };
    let thumb = photo.thumbnail(THUMB_EDGE, THUMB_EDGE);
    Ok(Processed {
        width: photo.width(),
        height: photo.height(),
        photo: jpeg(&photo, 85)?,
        thumb: jpeg(&thumb, 75)?,
    })
}

/// Whether a JPEG's last scan reaches its end-of-image marker. Inside a scan's
/// entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
/// marker, so an `FF D9` after the last start-of-scan (`FF DA`) is the image's
/// real end; an EXIF thumbnail's own end marker comes before the main image's
/// scans and does not count. Data a camera appends after the end (a second
/// picture) has its own scan and end.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let marker = |m: u8| bytes.windows(2).rposition(|w| w == [0xFF, m]);
    match (marker(0xDA), marker(0xD9)) {
        (Some(scan), Some(end)) => end > scan,
        _ => false,
    }
}

/// Re-encode as JPEG: the encoder writes pixels and a JFIF header, nothing else.
fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, Rejected> {
    let mut out = Vec::new();
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    rgb.write_with_encoder(enc)
        .map_err(|_| Rejected::Unreadable)?;
    Ok(out)
}

/// Handle an S3 event: every `ObjectCreated` record under `tmp/`.
pub async fn handle(ctx: &Ctx, event: Value) -> Value {
    let mut handled = 0;
    let mut ready = 0;
    for r in event["Records"].as_array().into_iter().flatten() {
        if !r["eventName"]
            .as_str()
            .is_some_and(|n| n.starts_with("ObjectCreated"))
        {
            continue;
        }
        // S3 event keys are URL-encoded (form style: `+` for a space).
        let Some(key) = r["s3"]["object"]["key"].as_str().map(decode_key) else {
            continue;
        };
        handled += 1;
        match check(ctx, &key).await {
            Ok(true) => ready += 1,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "checking an upload failed"),
        }
    }
    tracing::info!(handled, ready, "uploads");
    json!({ "handled": handled, "ready": ready })
}

fn decode_key(raw: &str) -> String {
    let raw = raw.replace('+', " ");
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Ok(true)` when the upload became a ready photo.
async fn check(ctx: &Ctx, key: &str) -> Result<bool, String> {
    let Some((owner, att_id)) = attachment::parse_upload_key(key) else {
        // Not ours to judge; the bucket's lifecycle removes it.
        return Ok(false);
    };
    let Some(pending) = ctx
        .store
        .get_attachment(&owner, &att_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        // Nobody asked to upload this: delete it.
        ctx.files
            .delete(&ctx.bucket, key)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(false);
    };
    if pending.status != AttachmentStatus::Pending {
        return Ok(pending.status == AttachmentStatus::Ready);
    }
    let bytes = ctx
        .files
        .get_bytes(&ctx.bucket, key)
        .await
        .map_err(|e| e.to_string())?;
    // The upload URL was signed for exactly this size: anything else is refused
    // before a byte of it is decoded.
    let outcome = if bytes.len() as u64 != pending.size {
        Err(Rejected::NotTheSignedSize)
    } else {
        process(&bytes, &pending.content_type)
    };
    let mut done: Attachment = pending.clone();
    match &outcome {
        Ok(p) => {
            let (photo_key, thumb_key) = attachment::photo_keys(&owner, &att_id);
            ctx.files
                .put_bytes(&ctx.bucket, &photo_key, "image/jpeg", p.photo.clone())
                .await
                .map_err(|e| e.to_string())?;
            ctx.files
                .put_bytes(&ctx.bucket, &thumb_key, "image/jpeg", p.thumb.clone())
                .await
                .map_err(|e| e.to_string())?;
            done.status = AttachmentStatus::Ready;
            done.photo_key = Some(photo_key);
            done.thumb_key = Some(thumb_key);
            done.width = Some(p.width);
            done.height = Some(p.height);
            done.size = p.photo.len() as u64;
            done.content_type = "image/jpeg".into();
        }
        Err(why) => {
            done.status = AttachmentStatus::Rejected;
            done.reason = Some(why.code().into());
        }
    }
    match ctx.store.finish_attachment(&owner, &done).await {
        Ok(()) | Err(StoreError::VersionConflict) => {}
        Err(e) => return Err(e.to_string()),
    }
    // The upload is never kept: the clean copy is, or nothing.
    ctx.files
        .delete(&ctx.bucket, key)
        .await
        .map_err(|e| e.to_string())?;
    Ok(outcome.is_ok())
}

/// Sample uploads, for tests and demos.
#[doc(hidden)]
pub mod samples {
    use super::*;

    /// A JPEG of `w`×`h` carrying an EXIF block: orientation `orientation` and a
    /// fake GPS position, as phone cameras write them.
    pub fn jpeg_with_exif(w: u32, h: u32, orientation: u16) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, _| {
            image::Rgb([(x * 40) as u8, 100, 200])
        }));
        let plain = jpeg(&img, 90).unwrap();
        // TIFF, little-endian: one IFD with Orientation, then a marker string
        // standing for the GPS block.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&orientation.to_le_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"GPS 36.8065N 10.1815E");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::samples::jpeg_with_exif;
    use super::*;

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn metadata_is_stripped_and_the_photo_turned_upright() {
        let upload = jpeg_with_exif(40, 20, 6);
        assert!(contains(&upload, b"Exif") && contains(&upload, b"GPS 36.8065N"));
        let p = process(&upload, "image/jpeg").unwrap();
        assert!(!contains(&p.photo, b"Exif"), "no EXIF block");
        assert!(!contains(&p.photo, b"GPS"), "no position");
        assert!(!contains(&p.thumb, b"Exif"));
        // Orientation 6: the camera was turned; the stored photo is upright.
        assert_eq!((p.width, p.height), (20, 40));
        let back = image::load_from_memory(&p.photo).unwrap();
        assert_eq!((back.width(), back.height()), (20, 40));
    }

    #[test]
    fn large_photos_are_scaled_down_and_thumbnails_small() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(3000, 1500));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let p = process(&png, "image/png").unwrap();
        assert_eq!((p.width, p.height), (PHOTO_EDGE, PHOTO_EDGE / 2));
        let t = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!(t.width().max(t.height()), THUMB_EDGE);
    }

    #[test]
    fn anything_else_is_rejected() {
        assert_eq!(
            process(b"this is a text file renamed to photo.jpg", "image/jpeg").unwrap_err(),
            Rejected::NotAnImage
        );
        let png = {
            let mut v = Vec::new();
            DynamicImage::ImageRgb8(image::RgbImage::new(4, 4))
                .write_to(&mut Cursor::new(&mut v), ImageFormat::Png)
                .unwrap();
            v
        };
        assert_eq!(
            process(&png, "image/jpeg").unwrap_err(),
            Rejected::NotTheDeclaredType
        );
        let mut truncated = jpeg_with_exif(40, 20, 1);
        truncated.truncate(60);
        assert!(process(&truncated, "image/jpeg").is_err());
    }

    /// A photo cut short in its pixels (a mobile upload that stopped) is
    /// refused, not published half grey, whatever the format; a whole one with
    /// an EXIF thumbnail's end marker before its own scan is accepted.
    #[test]
    fn a_photo_cut_short_is_refused() {
        let whole = jpeg_with_exif(300, 200, 1);
        assert!(process(&whole, "image/jpeg").is_ok());
        let png = {
            let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 200, |x, y| {
                image::Rgb([(x * 7) as u8, (y * 3) as u8, (x ^ y) as u8])
            }));
            let mut v = Vec::new();
            img.write_to(&mut Cursor::new(&mut v), ImageFormat::Png)
                .unwrap();
            v
        };
        let cases: [(&[u8], &str, usize); 3] = [
            (&whole, "image/jpeg", whole.len() * 3 / 4),
            (&whole, "image/jpeg", whole.len() - 2),
            (&png, "image/png", png.len() * 3 / 4),
        ];
        for (bytes, kind, keep) in cases {
            let cut = &bytes[..keep];
            assert!(
                process(cut, kind).is_err(),
                "{kind} cut at {keep} of {}",
                bytes.len()
            );
        }
        assert_eq!(
            process(&whole[..whole.len() * 3 / 4], "image/jpeg").unwrap_err(),
            Rejected::Truncated
        );
        // An end marker early in the file (an embedded thumbnail's) does not
        // make a cut photo whole.
        let mut with_thumb = whole[..2].to_vec();
        with_thumb.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00]);
        with_thumb.extend_from_slice(&whole[2..whole.len() * 3 / 4]);
        assert!(!jpeg_is_whole(&with_thumb));
    }

    #[test]
    fn event_keys_are_url_decoded() {
        assert_eq!(
            decode_key("tmp/tunis/complaints/c/a%2Bb+c"),
            "tmp/tunis/complaints/c/a+b c"
        );
        assert_eq!(decode_key("plain"), "plain");
        assert_eq!(decode_key("bad%zz"), "bad%zz");
    }
}
