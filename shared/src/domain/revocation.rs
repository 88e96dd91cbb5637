//! Access tokens that must stop working before they expire: those of an
//! erased account, or of a staff member removed or whose permissions changed.
//! An access token is checked by signature alone (no read), so every function
//! also keeps, for a short while (`REVOCATION_FRESH_SECS`), the platform's list
//! of people whose tokens issued up to a moment are refused. A person signs in
//! or refreshes again and their new token, issued later, works.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Principal;

/// Longest an access token lives (the accounts function refuses a longer
/// `BALADIYA_ACCESS_TTL`): past it a revocation has nothing left to refuse.
pub const MAX_ACCESS_TTL_SECS: u64 = 3600;

/// How long a function may serve from its copy of the list before reading it
/// again: a revoked token stops working everywhere within this (and so within
/// a minute, whatever the read cache is set to).
pub const REVOCATION_FRESH_SECS: u64 = 30;

/// People kept at most; past it the oldest revocations go first (each would
/// have lasted an hour at most anyway). Keeps the item far below DynamoDB's
/// 400 KB.
pub const MAX_REVOKED: usize = 4000;

/// Who is revoked — a person (`usr_…`: every token of theirs) or a staff
/// record (`stf_…`: the staff tokens it was in) — and up to when their tokens
/// were issued (epoch seconds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocations {
    #[serde(default)]
    pub users: BTreeMap<String, u64>,
}

impl Revocations {
    /// Whether a token of `user` issued at `issued_at` is refused. A token
    /// issued the same second as the revocation is refused too: a client
    /// refreshes again a second later.
    pub fn refuses(&self, user: &str, issued_at: u64) -> bool {
        self.users.get(user).is_some_and(|&at| issued_at <= at)
    }

    /// The `iat` to give a new token of `who` minted at `now`: after any
    /// revocation of theirs, so that it is not refused with the tokens that
    /// revocation meant (which were issued up to the same second).
    pub fn issued_at_for(&self, who: &Principal, now: u64) -> u64 {
        let staff = match who {
            Principal::Staff { staff_id, .. } => Some(staff_id.as_str()),
            _ => None,
        };
        [Some(who.user().as_str()), staff]
            .into_iter()
            .flatten()
            .filter_map(|k| self.users.get(k))
            .fold(now, |iat, &at| iat.max(at.saturating_add(1)))
    }

    /// Whether a token stating `who`, issued at `issued_at`, is refused: the
    /// person's, or the staff record it names, revoked since.
    pub fn refuses_principal(&self, who: &Principal, issued_at: u64) -> bool {
        if self.users.is_empty() {
            return false;
        }
        let staff = match who {
            Principal::Staff { staff_id, .. } => Some(staff_id.as_str()),
            _ => None,
        };
        self.refuses(who.user().as_str(), issued_at)
            || staff.is_some_and(|s| self.refuses(s, issued_at))
    }

    /// The list after revoking `user`'s tokens issued up to `now`: entries that
    /// can refuse nothing any more (older than the longest token) dropped, and
    /// the oldest past [`MAX_REVOKED`].
    pub fn revoke(&self, user: &str, now: u64) -> Revocations {
        let horizon = now.saturating_sub(MAX_ACCESS_TTL_SECS);
        let mut users: BTreeMap<String, u64> = self
            .users
            .iter()
            .filter(|(_, at)| **at >= horizon)
            .map(|(u, at)| (u.clone(), *at))
            .collect();
        users.insert(user.to_owned(), now);
        if users.len() > MAX_REVOKED {
            let mut ages: Vec<u64> = users.values().copied().collect();
            ages.sort_unstable();
            let cut = ages[users.len() - MAX_REVOKED - 1];
            users.retain(|u, at| *at > cut || u == user);
        }
        Revocations { users }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_persons_earlier_tokens_are_refused_their_later_ones_not() {
        let r = Revocations::default().revoke("usr_a", 1000);
        let cases = [
            ("usr_a", 400, true),
            ("usr_a", 999, true),
            ("usr_a", 1000, true),
            ("usr_a", 1001, false),
            ("usr_b", 999, false),
        ];
        for (user, iat, refused) in cases {
            assert_eq!(r.refuses(user, iat), refused, "{user} issued at {iat}");
        }
        // Revoked again later: the later moment counts.
        let again = r.revoke("usr_a", 2000);
        assert!(again.refuses("usr_a", 1500));
    }

    #[test]
    fn a_removed_staff_record_refuses_its_staff_tokens_not_the_persons_others() {
        use crate::domain::{Id, MunicipalityId};
        let user = Id::generate("usr");
        let staff_id = Id::generate("stf");
        let citizen = Principal::Citizen { user: user.clone() };
        let staff = Principal::Staff {
            user,
            staff_id: staff_id.clone(),
            municipality: MunicipalityId::parse("tunis").unwrap(),
            permissions: Default::default(),
            complaint_categories: None,
        };
        let r = Revocations::default().revoke(staff_id.as_str(), 1000);
        assert!(r.refuses_principal(&staff, 999));
        assert!(!r.refuses_principal(&staff, 1001));
        assert!(!r.refuses_principal(&citizen, 999));
        assert!(!Revocations::default().refuses_principal(&staff, 0));
        // A token minted the second of the revocation is dated after it.
        assert_eq!(r.issued_at_for(&staff, 1000), 1001);
        assert!(!r.refuses_principal(&staff, r.issued_at_for(&staff, 1000)));
        assert_eq!(r.issued_at_for(&staff, 1200), 1200);
        assert_eq!(r.issued_at_for(&citizen, 1000), 1000);
    }

    #[test]
    fn entries_that_can_refuse_nothing_go() {
        let r = Revocations::default()
            .revoke("usr_old", 1000)
            .revoke("usr_new", 1000 + MAX_ACCESS_TTL_SECS)
            .revoke("usr_last", 1001 + MAX_ACCESS_TTL_SECS);
        assert!(!r.users.contains_key("usr_old"), "{r:?}");
        assert!(r.users.contains_key("usr_new"));
        assert!(r.users.contains_key("usr_last"));
    }

    #[test]
    fn it_stays_bounded_and_keeps_the_newest() {
        let full = Revocations {
            users: (0..MAX_REVOKED as u64)
                .map(|i| (format!("usr_{i}"), 100_000 + i))
                .collect(),
        };
        let now = 100_000 + MAX_ACCESS_TTL_SECS;
        let r = full.revoke("usr_last", now);
        assert_eq!(r.users.len(), MAX_REVOKED);
        assert!(r.refuses("usr_last", now));
        assert!(!r.users.contains_key("usr_0"), "the oldest went");
        assert!(r.users.contains_key("usr_1"));
    }
}
