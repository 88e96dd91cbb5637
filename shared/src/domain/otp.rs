//! One-time sign-in codes sent by SMS: the rules, as pure functions of time.
//!
//! SMS costs the operator money on every message, and a 6-digit code can be guessed
//! by brute force; so a code lives a few minutes, is stored only as a keyed hash,
//! is burnt after a few wrong tries (even the right code fails after that), and a
//! phone number gets a new code only after a cooldown and within an hourly cap.
//! The accounts function stores [`OtpState`] and applies these decisions.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{Lang, Phone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpPolicy {
    /// Seconds a code is valid.
    pub ttl: u64,
    /// Wrong tries before the code is burnt.
    pub max_attempts: u32,
    /// Seconds between two codes to the same number.
    pub cooldown: u64,
    /// Codes per number in a one-hour window (fixed: it starts at the first code
    /// and lasts an hour, so at most twice the cap fit in any 60 minutes).
    pub hourly_cap: u32,
}

impl Default for OtpPolicy {
    fn default() -> Self {
        OtpPolicy {
            ttl: 300,
            max_attempts: 5,
            cooldown: 60,
            hourly_cap: 5,
        }
    }
}

/// What is kept about a number's current code. Never the code itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpState {
    /// HMAC-SHA256 of the phone number and the code, hex.
    pub code_hash: String,
    pub issued_at: u64,
    pub expires_at: u64,
    pub wrong_attempts: u32,
    /// The code was burnt (too many wrong tries) or used.
    pub spent: bool,
    /// Start of the current one-hour sending window, and codes sent in it.
    pub window_start: u64,
    pub sent_in_window: u32,
    /// The language the person asked the code in: a new account's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<super::Lang>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendDecision {
    /// Send a new code; store this state.
    Send(OtpState),
    /// Too soon after the previous code.
    Cooldown { retry_after: u64 },
    /// The hourly cap is reached.
    CapReached { retry_after: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    Accepted,
    Wrong {
        remaining: u32,
    },
    /// Too many wrong tries, or already used: ask for a new code.
    Spent,
    Expired,
}

/// Keyed hash of a code for a number: a stolen table does not reveal codes, and a
/// code for one number is useless for another.
pub fn code_hash(pepper: &[u8], phone: &Phone, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(pepper).expect("HMAC accepts any key length");
    mac.update(phone.e164().as_bytes());
    mac.update(&[0]);
    mac.update(code.as_bytes());
    crate::domain::hex(&mac.finalize().into_bytes())
}

/// A uniformly random 6-digit code from the operating system's generator.
pub fn new_code() -> Result<String, getrandom::Error> {
    // Rejection sampling keeps every code equally likely.
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b)?;
        let n = u32::from_le_bytes(b);
        let limit = u32::MAX - (u32::MAX % 1_000_000);
        if n < limit {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// Whether a code may be sent now, and the state to store if so.
pub fn decide_send(
    previous: Option<&OtpState>,
    code_hash: String,
    now: u64,
    p: &OtpPolicy,
) -> SendDecision {
    let (window_start, sent) = match previous {
        Some(s) if now < s.window_start + 3600 => (s.window_start, s.sent_in_window),
        _ => (now, 0),
    };
    if let Some(s) = previous
        && now < s.issued_at + p.cooldown
    {
        return SendDecision::Cooldown {
            retry_after: s.issued_at + p.cooldown - now,
        };
    }
    if sent >= p.hourly_cap {
        return SendDecision::CapReached {
            retry_after: window_start + 3600 - now,
        };
    }
    SendDecision::Send(OtpState {
        code_hash,
        issued_at: now,
        expires_at: now + p.ttl,
        wrong_attempts: 0,
        spent: false,
        window_start,
        sent_in_window: sent + 1,
        lang: None,
    })
}

/// Check a submitted code (as its hash). Returns the outcome and the state to store.
pub fn verify(
    state: &OtpState,
    submitted_hash: &str,
    now: u64,
    p: &OtpPolicy,
) -> (VerifyOutcome, OtpState) {
    let mut next = state.clone();
    if state.spent || state.wrong_attempts >= p.max_attempts {
        return (VerifyOutcome::Spent, next);
    }
    if now >= state.expires_at {
        return (VerifyOutcome::Expired, next);
    }
    if constant_time_eq(state.code_hash.as_bytes(), submitted_hash.as_bytes()) {
        next.spent = true;
        return (VerifyOutcome::Accepted, next);
    }
    next.wrong_attempts += 1;
    if next.wrong_attempts >= p.max_attempts {
        next.spent = true;
        return (VerifyOutcome::Spent, next);
    }
    (
        VerifyOutcome::Wrong {
            remaining: p.max_attempts - next.wrong_attempts,
        },
        next,
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The SMS text: short enough for one segment in every language (70 characters
/// for Arabic, which travels as UCS-2).
pub fn sms_text(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Ar => format!("رمز الدخول إلى بلدية: {code}. لا تعطه لأحد."),
        Lang::Fr => {
            format!("Baladiya : votre code de connexion est {code}. Ne le communiquez à personne.")
        }
        Lang::En => format!("Baladiya: your sign-in code is {code}. Do not share it with anyone."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::sms_segments;

    fn phone() -> Phone {
        Phone::parse("20123456").unwrap()
    }

    fn hash(code: &str) -> String {
        code_hash(b"pepper", &phone(), code)
    }

    fn issued(now: u64) -> OtpState {
        match decide_send(None, hash("123456"), now, &OtpPolicy::default()) {
            SendDecision::Send(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..20).map(|_| new_code().unwrap()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert!(unique.len() > 15, "{codes:?}");
    }

    #[test]
    fn hashes_depend_on_number_code_and_key() {
        assert_ne!(hash("123456"), hash("123457"));
        assert_ne!(hash("123456"), code_hash(b"other", &phone(), "123456"));
        let other = Phone::parse("20123457").unwrap();
        assert_ne!(hash("123456"), code_hash(b"pepper", &other, "123456"));
        assert!(!hash("123456").contains("123456"));
    }

    #[test]
    fn the_right_code_once_within_its_lifetime() {
        let p = OtpPolicy::default();
        let s = issued(1000);
        let (out, s2) = verify(&s, &hash("123456"), 1100, &p);
        assert_eq!(out, VerifyOutcome::Accepted);
        assert_eq!(
            verify(&s2, &hash("123456"), 1101, &p).0,
            VerifyOutcome::Spent,
            "single use"
        );
        assert_eq!(
            verify(&s, &hash("123456"), 1300, &p).0,
            VerifyOutcome::Expired
        );
    }

    #[test]
    fn five_wrong_tries_burn_the_code() {
        let p = OtpPolicy::default();
        let mut s = issued(1000);
        for remaining in (1..5).rev() {
            let (out, next) = verify(&s, &hash("000000"), 1010, &p);
            assert_eq!(out, VerifyOutcome::Wrong { remaining });
            s = next;
        }
        let (out, s) = verify(&s, &hash("000000"), 1010, &p);
        assert_eq!(out, VerifyOutcome::Spent);
        assert_eq!(
            verify(&s, &hash("123456"), 1011, &p).0,
            VerifyOutcome::Spent,
            "even the right code"
        );
    }

    #[test]
    fn cooldown_and_hourly_cap_bound_the_sms_spend() {
        let p = OtpPolicy::default();
        let mut s = issued(0);
        assert_eq!(
            decide_send(Some(&s), hash("1"), 30, &p),
            SendDecision::Cooldown { retry_after: 30 }
        );
        let mut t = 0;
        for _ in 1..5 {
            t += 61;
            match decide_send(Some(&s), hash("1"), t, &p) {
                SendDecision::Send(next) => s = next,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(s.sent_in_window, 5);
        t += 61;
        assert_eq!(
            decide_send(Some(&s), hash("1"), t, &p),
            SendDecision::CapReached {
                retry_after: 3600 - t
            }
        );
        assert!(matches!(
            decide_send(Some(&s), hash("1"), 3600, &p),
            SendDecision::Send(_)
        ));
    }

    #[test]
    fn the_sms_fits_one_segment_in_every_language() {
        for lang in Lang::ALL {
            let text = sms_text(lang, "123456");
            assert_eq!(sms_segments(&text), 1, "{lang:?}: {text}");
            assert!(text.contains("123456"));
        }
    }
}
