//! A dossier's holder: the national ID they prove, kept only as a keyed digest
//! bound to the municipality, and the reference they follow the dossier by,
//! locked for an hour after too many wrong numbers.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::{DomainError, MunicipalityId, NationalId};

/// The holder's national ID as sent; errors name `field`.
pub fn parse_national_id(raw: &str, field: &'static str) -> Result<NationalId, DomainError> {
    NationalId::parse(raw).map_err(|_| DomainError::invalid(field, "format"))
}

/// The keyed digest a national ID is kept as (hex HMAC-SHA256), bound to the
/// municipality: the same number gives unrelated digests in two municipalities,
/// and nobody without the key can test a guess against a stored digest.
pub fn national_id_digest(key: &[u8], m: &MunicipalityId, id: &NationalId) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"national-id\0");
    mac.update(m.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(id.digits().as_bytes());
    crate::domain::hex(&mac.finalize().into_bytes())
}

/// Equal digests, compared in constant time.
pub fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What a dossier reference leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitRef {
    pub reference: String,
    pub permit_id: String,
    /// Keyed digest of the holder's national ID (never the number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_digest: Option<String>,
    /// Wrong national IDs tried, and until when following is locked (epoch s).
    #[serde(default)]
    pub failures: u32,
    #[serde(default)]
    pub locked_until: u64,
}

/// Wrong national IDs tried on one reference before following it is locked.
pub const FOLLOW_TRIES: u32 = 5;
/// How long it stays locked.
pub const FOLLOW_LOCK_SECS: u64 = 3600;

impl PermitRef {
    /// Locked at `now` (epoch seconds): for how many more seconds.
    pub fn locked_for(&self, now: u64) -> Option<u64> {
        (self.locked_until > now).then(|| self.locked_until - now)
    }

    /// The count after one more wrong try at `now`: `(failures, locked_until)`.
    /// A lock that has run out starts the count again; the last allowed try
    /// locks the reference (and the count restarts behind the lock).
    pub fn after_failure(&self, now: u64) -> (u32, u64) {
        let failures = if self.locked_until > 0 && self.locked_until <= now {
            1
        } else {
            self.failures + 1
        };
        if failures >= FOLLOW_TRIES {
            (0, now + FOLLOW_LOCK_SECS)
        } else {
            (failures, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_keyed_and_bound_to_the_municipality() {
        let key = b"0123456789abcdef0123456789abcdef";
        let cin = NationalId::parse("01234567").unwrap();
        let tunis = MunicipalityId::parse("tunis").unwrap();
        let sfax = MunicipalityId::parse("sfax").unwrap();
        let d = national_id_digest(key, &tunis, &cin);
        assert_eq!(d.len(), 64);
        assert!(!d.contains("01234567"));
        assert_eq!(d, national_id_digest(key, &tunis, &cin));
        assert_ne!(d, national_id_digest(key, &sfax, &cin));
        assert_ne!(
            d,
            national_id_digest(b"another key, 32 bytes long......", &tunis, &cin)
        );
        assert!(same_digest(&d, &d.clone()));
        assert!(!same_digest(&d, &national_id_digest(key, &sfax, &cin)));
        assert!(!same_digest(&d, &d[1..]));
    }

    #[test]
    fn five_wrong_numbers_lock_the_reference_for_an_hour() {
        let mut r = PermitRef {
            reference: "2026-000001".into(),
            permit_id: "prm_1".into(),
            holder_digest: None,
            failures: 0,
            locked_until: 0,
        };
        for expected in 1..FOLLOW_TRIES {
            assert_eq!(r.after_failure(1000), (expected, 0));
            r.failures = expected;
        }
        assert_eq!(r.after_failure(1000), (0, 1000 + FOLLOW_LOCK_SECS));
        r.failures = 0;
        r.locked_until = 1000 + FOLLOW_LOCK_SECS;
        assert_eq!(r.locked_for(1000), Some(FOLLOW_LOCK_SECS));
        // Once the hour is over, a wrong number counts as the first again.
        assert_eq!(r.locked_for(r.locked_until), None);
        assert_eq!(r.after_failure(r.locked_until + 1), (1, 0));
    }
}
