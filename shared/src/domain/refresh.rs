//! Refresh tokens: long-lived, opaque, stored only as hashes, rotated on every use.
//!
//! A token is `<family>.<secret>`. The family (one per sign-in) keeps the hash of its
//! current token only. Presenting the current token rotates it; presenting an older
//! one means it was copied — the whole family is revoked, so both the thief and the
//! owner must sign in again.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Lifetime of a refresh token family without use (seconds): 60 days.
pub const FAMILY_IDLE_TTL: u64 = 60 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshFamily {
    pub family: String,
    /// `usr_…` of the account.
    pub user: String,
    /// SHA-256 of the current token, hex.
    pub current_hash: String,
    pub generation: u32,
    pub expires_at: u64,
    pub revoked: bool,
    /// The role the session acts in (`domain::account::ActAs::code`).
    pub act_as: String,
    pub created_at: u64,
    pub last_used_at: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The current token: issue the next one.
    Rotate,
    /// An older token of the family: revoke the family.
    Reused,
    Expired,
    Revoked,
}

/// A token's parts, if it has the right shape.
pub fn split(token: &str) -> Option<(&str, &str)> {
    let (family, secret) = token.split_once('.')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (ok(family) && ok(secret)).then_some((family, secret))
}

pub fn hash(token: &str) -> String {
    crate::domain::hex(&Sha256::digest(token.as_bytes()))
}

/// A new token for `family`: 256 random bits from the operating system.
pub fn new_token(family: &str) -> Result<String, getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    Ok(format!("{family}.{}", B64.encode(secret)))
}

/// A new session for `user` acting as `act_as`, whose first token is `token`.
pub fn start(family: &str, user: &str, act_as: String, token: &str, now: u64) -> RefreshFamily {
    RefreshFamily {
        family: family.to_owned(),
        user: user.to_owned(),
        current_hash: hash(token),
        generation: 1,
        expires_at: now + FAMILY_IDLE_TTL,
        revoked: false,
        act_as,
        created_at: now,
        last_used_at: now,
    }
}

pub fn check(family: &RefreshFamily, presented: &str, now: u64) -> RefreshOutcome {
    if family.revoked {
        RefreshOutcome::Revoked
    } else if hash(presented) != family.current_hash {
        RefreshOutcome::Reused
    } else if now >= family.expires_at {
        RefreshOutcome::Expired
    } else {
        RefreshOutcome::Rotate
    }
}

/// The family after rotating to `next_token`.
pub fn rotated(family: &RefreshFamily, next_token: &str, now: u64) -> RefreshFamily {
    RefreshFamily {
        current_hash: hash(next_token),
        generation: family.generation + 1,
        expires_at: now + FAMILY_IDLE_TTL,
        last_used_at: now,
        ..family.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(token: &str) -> RefreshFamily {
        RefreshFamily {
            family: "fam1".into(),
            user: "usr_1".into(),
            current_hash: hash(token),
            generation: 1,
            expires_at: 1000,
            revoked: false,
            act_as: "citizen".into(),
            created_at: 0,
            last_used_at: 0,
        }
    }

    #[test]
    fn tokens_have_a_family_and_256_bits() {
        let t = new_token("fam1").unwrap();
        let (f, secret) = split(&t).unwrap();
        assert_eq!(f, "fam1");
        assert_eq!(secret.len(), 43);
        assert_ne!(new_token("fam1").unwrap(), t);
        for bad in ["", "nodot", ".x", "x.", "a.b.c", "a b.c"] {
            assert!(split(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_current_token_rotates_an_old_one_revokes() {
        let first = new_token("fam1").unwrap();
        let f = family(&first);
        assert_eq!(check(&f, &first, 10), RefreshOutcome::Rotate);
        let second = new_token("fam1").unwrap();
        let f2 = rotated(&f, &second, 10);
        assert_eq!(f2.generation, 2);
        assert_eq!(check(&f2, &second, 20), RefreshOutcome::Rotate);
        // The first token, refreshed twice: someone kept a copy.
        assert_eq!(check(&f2, &first, 20), RefreshOutcome::Reused);
        let revoked = RefreshFamily {
            revoked: true,
            ..f2.clone()
        };
        assert_eq!(check(&revoked, &second, 20), RefreshOutcome::Revoked);
        assert_eq!(check(&f2, &second, f2.expires_at), RefreshOutcome::Expired);
    }

    #[test]
    fn only_hashes_are_kept() {
        let t = new_token("fam1").unwrap();
        let f = family(&t);
        assert!(!f.current_hash.contains(split(&t).unwrap().1));
    }
}
