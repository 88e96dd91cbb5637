//! Who sees a case, in which capacity, and what those refused are told.
//!
//! One rule for every kind: staff of another municipality learn nothing (404);
//! staff holding the kind's permission who handle the case see it as staff; its
//! owner as its owner; a follower in their own capacity where the kind allows it;
//! anyone, where the case is public. A kind's [`Policy`](super::Policy) says only
//! how the refused are answered.

use super::{Actor, CaseRecord, CaseType};
use crate::domain::roles::authorize;
use crate::domain::{CaseKind, DomainError, MunicipalityId, Principal};

/// How much of a case the caller sees, and in which capacity they act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Anyone (a public case): no personal data, no actions.
    Public,
    /// A citizen following a case in a capacity of their own (a dossier's
    /// holder): sees it, does not move it.
    Follower,
    /// The citizen who filed it.
    Owner,
    /// Staff of its municipality who handle it, and platform administrators.
    Staff,
}

impl Audience {
    /// Sees what the public does not: personal fields, pending files.
    pub fn insider(self) -> bool {
        matches!(self, Audience::Owner | Audience::Staff)
    }

    /// The states this audience may move a case of `kind` from `state` to (the
    /// buttons to show): none for a follower, and nothing at all to say to the
    /// public.
    pub fn next_states(self, kind: CaseKind, state: &str) -> Option<Vec<&'static str>> {
        let wf = kind.workflow();
        match self {
            Audience::Staff => Some(wf.next_states(state, Actor::Staff)),
            Audience::Owner => Some(wf.next_states(state, Actor::Owner)),
            Audience::Follower => Some(Vec::new()),
            Audience::Public => None,
        }
    }
}

/// What one refused caller is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deny {
    /// The case does not exist for them (404).
    NotFound,
    /// They are known and may not (403).
    Forbidden,
    /// They must sign in first (401).
    SignIn,
}

impl From<Deny> for DomainError {
    fn from(d: Deny) -> DomainError {
        match d {
            Deny::NotFound => DomainError::NotFound,
            Deny::Forbidden => DomainError::Forbidden,
            Deny::SignIn => DomainError::Unauthenticated,
        }
    }
}

/// What a kind tells those it refuses: the anonymous, staff of the case's
/// municipality who lack the kind's permission, and everyone else (other
/// citizens, staff of other categories). Staff of another municipality are
/// always told the case does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub anonymous: Deny,
    pub own_staff: Deny,
    pub others: Deny,
}

impl Refusal {
    pub const NOT_FOUND: Refusal = Refusal {
        anonymous: Deny::NotFound,
        own_staff: Deny::NotFound,
        others: Deny::NotFound,
    };
    pub const FORBIDDEN: Refusal = Refusal {
        anonymous: Deny::SignIn,
        own_staff: Deny::Forbidden,
        others: Deny::Forbidden,
    };

    /// The answer to `who` about a case of `kind` in `m`.
    pub fn deny(self, who: Option<&Principal>, m: &MunicipalityId, kind: CaseKind) -> DomainError {
        match who {
            None => self.anonymous,
            Some(p) if outsider(p, m) => Deny::NotFound,
            Some(p) if p.is_staff_of(m) && authorize(p, m, kind.permission()).is_err() => {
                self.own_staff
            }
            Some(_) => self.others,
        }
        .into()
    }
}

/// Staff of another municipality: nothing of `m` exists for them.
pub fn outsider(who: &Principal, m: &MunicipalityId) -> bool {
    matches!(who, Principal::Staff { municipality, .. } if municipality != m)
}

/// In which capacity `who` sees `case` (`follows`: they follow it), or what
/// they are told.
pub fn audience<K: CaseType>(
    who: Option<&Principal>,
    case: &CaseRecord<K::Data>,
    follows: bool,
) -> Result<Audience, DomainError> {
    let m = &case.municipality;
    if let Some(p) = who {
        if outsider(p, m) {
            return Err(DomainError::NotFound);
        }
        if authorize(p, m, K::KIND.permission()).is_ok() && K::handles(p, case) {
            return Ok(Audience::Staff);
        }
        if p.user().as_str() == case.owner {
            return Ok(Audience::Owner);
        }
        if follows && K::POLICY.followers_see {
            return Ok(Audience::Follower);
        }
    }
    if K::public(case) {
        return Ok(Audience::Public);
    }
    Err(K::POLICY.unseen.deny(who, m, K::KIND))
}

/// Whether knowing that `who` follows the case could change their audience:
/// only then is the follow read.
pub fn follow_matters<K: CaseType>(who: Option<&Principal>) -> bool {
    K::POLICY.followers_see && who.is_some()
}
