//! Moving a phone's notifications to another account. A push token is no
//! secret of its holder's (an app can leak it, a support screen can show it):
//! registering a token that another account holds does not move it. The
//! platform sends a code to that device by push, and only the person holding
//! the phone can read it and send it back; then the device moves. Until then
//! the holder keeps getting their notifications, and nobody else does.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{DomainError, Lang};

/// How long a code sent to a device may be used.
pub const CLAIM_SECS: u64 = 600;
/// Wrong codes accepted before the claim is void (a new one must be asked).
pub const CLAIM_TRIES: u32 = 5;
/// A new code is pushed to one device at most this often, whoever asks: the
/// holder's phone is not to be flooded, nor the code guessed claim after claim.
pub const RESEND_SECS: u64 = 60;

/// A claim on a device held by another account, waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceClaim {
    /// `usr_…` of who asked to move the device to their account.
    pub user: String,
    /// Keyed digest of the code (never the code).
    pub code_hash: String,
    pub expires_at: u64,
    #[serde(default)]
    pub tries: u32,
}

/// What a sent-back code decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimCheck {
    /// The caller holds the phone: move the device.
    Proven,
    /// A wrong code: count it (`tries` after this one).
    Wrong { tries: u32 },
    /// No claim of the caller's in force (none, another's, expired or used
    /// up): ask for a new code.
    NoClaim,
}

/// Seconds to wait before another code may be pushed to the device, if a
/// claim on it was made less than [`RESEND_SECS`] ago.
pub fn resend_after(claim: Option<&DeviceClaim>, now: u64) -> Option<u64> {
    let made = claim?.expires_at.checked_sub(CLAIM_SECS)?;
    let allowed = made + RESEND_SECS;
    (now < allowed).then(|| allowed - now)
}

/// Check `code_hash` (of the code the caller sent) against the claim in force.
pub fn check(claim: Option<&DeviceClaim>, user: &str, code_hash: &str, now: u64) -> ClaimCheck {
    let Some(c) = claim.filter(|c| c.user == user && now < c.expires_at && c.tries < CLAIM_TRIES)
    else {
        return ClaimCheck::NoClaim;
    };
    if same(&c.code_hash, code_hash) {
        ClaimCheck::Proven
    } else {
        ClaimCheck::Wrong { tries: c.tries + 1 }
    }
}

/// The keyed digest a code is kept as, bound to the device and the claimant:
/// a code read off one phone moves no other, and proves nothing for anyone
/// else.
pub fn code_hash(key: &[u8], endpoint_arn: &str, user: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    for part in [
        b"device-claim".as_slice(),
        endpoint_arn.as_bytes(),
        user.as_bytes(),
    ] {
        mac.update(part);
        mac.update(&[0]);
    }
    mac.update(code.as_bytes());
    crate::domain::hex(&mac.finalize().into_bytes())
}

/// The code as sent back: six digits (spaces allowed, as a person types it).
pub fn parse_code(raw: &str) -> Result<String, DomainError> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(DomainError::invalid("confirmation", "format"))
    }
}

/// The push that carries the code, in the claimant's language.
pub fn push_text(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Ar => {
            format!("رمز ربط هذا الهاتف بحساب آخر على بلدية: {code}. إن لم تطلبه فلا تعطه لأحد.")
        }
        Lang::Fr => format!(
            "Baladiya : code pour relier ce téléphone à un autre compte : {code}. Si vous ne l'avez pas demandé, ne le communiquez à personne."
        ),
        Lang::En => format!(
            "Baladiya: code to link this phone to another account: {code}. If you did not ask for it, share it with no one."
        ),
    }
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn only_the_claimants_right_code_in_time_moves_the_device() {
        let right = code_hash(KEY, "arn:endpoint/1", "usr_b", "123456");
        let claim = DeviceClaim {
            user: "usr_b".into(),
            code_hash: right.clone(),
            expires_at: 1000 + CLAIM_SECS,
            tries: 0,
        };
        let wrong = code_hash(KEY, "arn:endpoint/1", "usr_b", "654321");
        let used_up = DeviceClaim {
            tries: CLAIM_TRIES,
            ..claim.clone()
        };
        let cases = [
            (
                Some(&claim),
                "usr_b",
                right.as_str(),
                1000,
                ClaimCheck::Proven,
            ),
            (
                Some(&claim),
                "usr_b",
                wrong.as_str(),
                1000,
                ClaimCheck::Wrong { tries: 1 },
            ),
            (
                Some(&claim),
                "usr_c",
                right.as_str(),
                1000,
                ClaimCheck::NoClaim,
            ),
            (
                Some(&claim),
                "usr_b",
                right.as_str(),
                1000 + CLAIM_SECS,
                ClaimCheck::NoClaim,
            ),
            (
                Some(&used_up),
                "usr_b",
                right.as_str(),
                1000,
                ClaimCheck::NoClaim,
            ),
            (None, "usr_b", right.as_str(), 1000, ClaimCheck::NoClaim),
        ];
        for (claim, user, hash, now, expected) in cases {
            assert_eq!(check(claim, user, hash, now), expected, "{user} at {now}");
        }
    }

    #[test]
    fn a_device_gets_a_new_code_once_a_minute_at_most() {
        let claim = DeviceClaim {
            user: "usr_b".into(),
            code_hash: String::new(),
            expires_at: 1000 + CLAIM_SECS,
            tries: 0,
        };
        let cases = [
            (None, 1000, None),
            (Some(&claim), 1000, Some(RESEND_SECS)),
            (Some(&claim), 1000 + RESEND_SECS - 1, Some(1)),
            (Some(&claim), 1000 + RESEND_SECS, None),
            (Some(&claim), 1000 + CLAIM_SECS + 5, None),
        ];
        for (c, now, expected) in cases {
            assert_eq!(resend_after(c, now), expected, "at {now}");
        }
    }

    #[test]
    fn a_code_is_bound_to_its_device_and_claimant() {
        let h = code_hash(KEY, "arn:endpoint/1", "usr_b", "123456");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("123456"));
        assert_ne!(h, code_hash(KEY, "arn:endpoint/2", "usr_b", "123456"));
        assert_ne!(h, code_hash(KEY, "arn:endpoint/1", "usr_c", "123456"));
        assert_ne!(
            h,
            code_hash(b"another key", "arn:endpoint/1", "usr_b", "123456")
        );
    }

    #[test]
    fn codes_are_six_digits_and_the_push_carries_them() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        for bad in ["12345", "1234567", "12345a", ""] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
        for lang in Lang::ALL {
            assert!(push_text(lang, "042042").contains("042042"), "{lang:?}");
        }
    }
}
