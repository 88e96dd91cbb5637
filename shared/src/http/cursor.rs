//! Opaque pagination cursors.
//!
//! A cursor carries DynamoDB's `LastEvaluatedKey` (all our key attributes are
//! strings), encrypted and authenticated (AES-256-GCM-SIV, with the list it came
//! from as associated data): a client learns nothing of the table's keys from
//! it, and can neither forge one nor replay it against another list or tenant.
//! The nonce is a keyed digest of the list and the key, so one page always has
//! one cursor (and a list's answer one `ETag`): equal cursors are all it tells.

use aws_lc_rs::aead::{AES_256_GCM_SIV, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ApiError;

pub use crate::store::PageKey;

#[derive(Clone)]
pub struct CursorCodec {
    key: std::sync::Arc<LessSafeKey>,
    nonce_key: [u8; 32],
}

/// The authentication tag after the sealed key.
const TAG_LEN: usize = 16;

impl CursorCodec {
    /// The codec of the function's cursor secret: the cipher key is derived from
    /// it (HMAC-SHA256), so any length of secret gives a 256-bit key.
    pub fn new(secret: &[u8]) -> CursorCodec {
        let derive = |label: &[u8]| -> [u8; 32] { digest(secret, &[label]) };
        let key = UnboundKey::new(&AES_256_GCM_SIV, &derive(b"baladiya cursor cipher v2"))
            .expect("a 256-bit key");
        CursorCodec {
            key: std::sync::Arc::new(LessSafeKey::new(key)),
            nonce_key: derive(b"baladiya cursor nonce v2"),
        }
    }

    /// `scope` names the listing (`municipalities`, `staff:tunis`, …).
    pub fn encode(&self, scope: &str, key: &PageKey) -> String {
        let mut sealed = serde_json::to_vec(key).unwrap_or_default();
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&digest(&self.nonce_key, &[scope.as_bytes(), &sealed])[..NONCE_LEN]);
        if self
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(scope.as_bytes()),
                &mut sealed,
            )
            .is_err()
        {
            return String::new();
        }
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&sealed);
        B64.encode(raw)
    }

    pub fn decode(&self, scope: &str, cursor: &str) -> Result<PageKey, ApiError> {
        let bad = || ApiError::bad_request("invalid_cursor");
        if cursor.len() > 2048 {
            return Err(bad());
        }
        let mut raw = B64.decode(cursor).map_err(|_| bad())?;
        if raw.len() <= NONCE_LEN + TAG_LEN {
            return Err(bad());
        }
        let mut sealed = raw.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&raw).map_err(|_| bad())?;
        let payload = self
            .key
            .open_in_place(nonce, Aad::from(scope.as_bytes()), &mut sealed)
            .map_err(|_| bad())?;
        serde_json::from_slice(payload).map_err(|_| bad())
    }
}

/// HMAC-SHA256 of `parts` (each ended by a zero byte) under `key`.
fn digest(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    for p in parts {
        mac.update(p);
        mac.update(&[0]);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_resistance() {
        let codec = CursorCodec::new(b"0123456789abcdef0123456789abcdef");
        let key = PageKey::from([
            ("PK".into(), "M#tunis".into()),
            ("SK".into(), "STAFF#stf_1".into()),
        ]);
        let c = codec.encode("staff:tunis", &key);
        assert_eq!(codec.decode("staff:tunis", &c).unwrap(), key);
        // Nothing of the table's keys shows, even decoded.
        let raw = B64.decode(&c).unwrap();
        let shown = String::from_utf8_lossy(&raw);
        for part in ["tunis", "STAFF", "stf_1", "PK", "M#"] {
            assert!(!shown.contains(part), "{part} in {shown}");
        }
        // One page, one cursor; another page or list, another.
        assert_eq!(codec.encode("staff:tunis", &key), c);
        assert_ne!(codec.encode("staff:sfax", &key), c);
        let next = PageKey::from([
            ("PK".into(), "M#tunis".into()),
            ("SK".into(), "STAFF#stf_2".into()),
        ]);
        assert_ne!(codec.encode("staff:tunis", &next), c);
        // Another list or tenant.
        assert_eq!(
            codec.decode("staff:sfax", &c).unwrap_err().code,
            "invalid_cursor"
        );
        // Another server key.
        let other = CursorCodec::new(b"another key of thirty-two bytes!");
        assert!(other.decode("staff:tunis", &c).is_err());
        // Flipped bytes anywhere.
        let mut raw = B64.decode(&c).unwrap();
        let last = raw.len() - 2;
        raw[last] ^= 1;
        assert!(codec.decode("staff:tunis", &B64.encode(&raw)).is_err());
        for junk in ["", "!!!", "AAAA", &"A".repeat(3000)] {
            assert!(codec.decode("staff:tunis", junk).is_err());
        }
    }
}
