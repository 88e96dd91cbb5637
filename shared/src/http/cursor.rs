//! Opaque pagination cursors.
//!
//! A cursor carries DynamoDB's `LastEvaluatedKey` (all our key attributes are
//! strings), authenticated with an HMAC bound to the list it came from, so a client
//! can neither forge one nor replay it against another list or tenant.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ApiError;

pub use crate::store::PageKey;

#[derive(Clone)]
pub struct CursorCodec {
    key: Vec<u8>,
}

const TAG_LEN: usize = 16;

impl CursorCodec {
    pub fn new(key: &[u8]) -> CursorCodec {
        CursorCodec { key: key.to_vec() }
    }

    fn tag(&self, scope: &str, payload: &[u8]) -> Vec<u8> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac.finalize().into_bytes()[..TAG_LEN].to_vec()
    }

    /// `scope` names the listing (`municipalities`, `staff:tunis`, …).
    pub fn encode(&self, scope: &str, key: &PageKey) -> String {
        let payload = serde_json::to_vec(key).unwrap_or_default();
        let mut raw = self.tag(scope, &payload);
        raw.extend_from_slice(&payload);
        B64.encode(raw)
    }

    pub fn decode(&self, scope: &str, cursor: &str) -> Result<PageKey, ApiError> {
        let bad = || ApiError::bad_request("invalid_cursor");
        if cursor.len() > 2048 {
            return Err(bad());
        }
        let raw = B64.decode(cursor).map_err(|_| bad())?;
        if raw.len() <= TAG_LEN {
            return Err(bad());
        }
        let (tag, payload) = raw.split_at(TAG_LEN);
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac.verify_truncated_left(tag).map_err(|_| bad())?;
        serde_json::from_slice(payload).map_err(|_| bad())
    }
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
