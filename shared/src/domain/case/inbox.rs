//! A staff inbox of one kind of case: which cases a screen asks for (a state or
//! the whole open backlog, the assignee, the due time, the kind's own fields),
//! in which order, and the counts per state behind its tabs. Pure: the store
//! reads the listing [`Inbox::listing`] names and keeps the cases
//! [`Inbox::keeps`] holds for; the short reference a citizen is told by SMS is
//! [`short_reference`].

use std::collections::{BTreeMap, HashMap};

use time::{Duration, OffsetDateTime};

use super::{CaseRecord, CaseType};
use crate::domain::Principal;

/// How far ahead "due soon" looks.
pub const DUE_SOON: Duration = Duration::hours(48);

/// Which states a screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum States {
    /// Every case, open or closed.
    Any,
    /// The open backlog (the default).
    Open,
    One(&'static str),
}

/// Whose cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    /// The caller's (`assigned=me`).
    Me,
    /// Nobody's yet (`assigned=none`).
    Nobody,
    /// One colleague's (`assigned=stf_…`).
    To(String),
}

/// Against the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Past it.
    Overdue,
    /// Within [`DUE_SOON`], not past yet.
    Soon,
}

/// A query parameter the inbox does not accept, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadParam {
    pub name: &'static str,
    pub reason: &'static str,
}

/// What a staff member asked their inbox for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    pub states: States,
    pub assigned: Option<Assigned>,
    pub due: Option<Due>,
    /// The kind's own fields asked for (`category`, `area`…), by name.
    pub fields: Vec<(&'static str, String)>,
    pub newest_first: bool,
}

/// The listing the store reads for an inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Every case of the kind (GSI1).
    All,
    /// The open ones (GSI4, the open partition).
    Open,
    /// The ones in one closed state (GSI4, that state's partition).
    Closed(&'static str),
}

/// The query parameters every inbox takes besides the kind's own fields.
pub const PARAMS: &[&str] = &["state", "assigned", "due", "order", "limit", "cursor"];

impl Inbox {
    /// The inbox a request's query asks for (`PARAMS` and the kind's
    /// `INBOX_FIELDS`; the caller has already refused any other parameter).
    pub fn parse<K: CaseType>(query: &HashMap<String, String>) -> Result<Inbox, BadParam> {
        let bad = |name, reason| BadParam { name, reason };
        let wf = K::KIND.workflow();
        let states = match query.get("state").map(|s| s.trim()) {
            None | Some("open") => States::Open,
            Some("all") => States::Any,
            Some(s) => States::One(wf.state(s).map_err(|_| bad("state", "unknown"))?),
        };
        let assigned = match query.get("assigned").map(|s| s.trim()) {
            None => None,
            Some("me") => Some(Assigned::Me),
            Some("none") => Some(Assigned::Nobody),
            Some(s) => Some(Assigned::To(
                crate::domain::Id::parse("stf", s)
                    .map_err(|_| bad("assigned", "me, none or a staff id"))?
                    .to_string(),
            )),
        };
        let due = match query.get("due").map(|s| s.trim()) {
            None => None,
            Some("overdue") => Some(Due::Overdue),
            Some("soon") => Some(Due::Soon),
            Some(_) => return Err(bad("due", "overdue or soon")),
        };
        let newest_first = match query.get("order").map(|s| s.trim()) {
            None | Some("oldest") => false,
            Some("newest") => true,
            Some(_) => return Err(bad("order", "oldest or newest")),
        };
        let mut fields = Vec::new();
        for name in K::INBOX_FIELDS {
            if let Some(value) = query.get(*name) {
                let value = value.trim();
                if value.is_empty() || value.chars().count() > 64 {
                    return Err(bad(name, "1 to 64 characters"));
                }
                fields.push((*name, value.to_owned()));
            }
        }
        Ok(Inbox {
            states,
            assigned,
            due,
            fields,
            newest_first,
        })
    }

    /// The listing to read for `kind`.
    pub fn listing<K: CaseType>(&self) -> Listing {
        match self.states {
            States::Any => Listing::All,
            States::Open => Listing::Open,
            States::One(s) if K::KIND.workflow().is_closed(s) => Listing::Closed(s),
            States::One(_) => Listing::Open,
        }
    }

    /// Whether the inbox shows `case` to `who` at `now`: a case of their
    /// municipality they handle (a member limited to some complaint categories
    /// sees those), matching every filter.
    pub fn keeps<K: CaseType>(
        &self,
        who: &Principal,
        case: &CaseRecord<K::Data>,
        now: OffsetDateTime,
    ) -> bool {
        let state = match self.states {
            States::Any => true,
            States::Open => !case.is_closed(),
            States::One(s) => case.state == s,
        };
        let assigned = match &self.assigned {
            None => true,
            Some(Assigned::Nobody) => case.assigned_to.is_none(),
            Some(Assigned::Me) => match who {
                Principal::Staff { staff_id, .. } => {
                    case.assigned_to.as_deref() == Some(staff_id.as_str())
                }
                _ => false,
            },
            Some(Assigned::To(stf)) => case.assigned_to.as_deref() == Some(stf.as_str()),
        };
        let due = match self.due {
            None => true,
            Some(due) => {
                let at = case.due_at.as_deref().and_then(crate::clock::parse_rfc3339);
                match (due, at) {
                    (_, None) => false,
                    _ if case.is_closed() => false,
                    (Due::Overdue, Some(at)) => at < now,
                    (Due::Soon, Some(at)) => now <= at && at < now + DUE_SOON,
                }
            }
        };
        let fields = self
            .fields
            .iter()
            .all(|(name, value)| K::inbox_field(&case.data, name) == Some(value.as_str()));
        state && assigned && due && fields && K::handles(who, case)
    }

    /// What the inbox's cursors are bound to: a cursor of one view is refused
    /// by another.
    pub fn scope(&self) -> String {
        let states = match self.states {
            States::Any => "all",
            States::Open => "open",
            States::One(s) => s,
        };
        let assigned = match &self.assigned {
            None => "",
            Some(Assigned::Me) => "me",
            Some(Assigned::Nobody) => "none",
            Some(Assigned::To(s)) => s,
        };
        let due = match self.due {
            None => "",
            Some(Due::Overdue) => "overdue",
            Some(Due::Soon) => "soon",
        };
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        format!(
            "{states}:{assigned}:{due}:{}:{}",
            fields.join("&"),
            if self.newest_first {
                "newest"
            } else {
                "oldest"
            }
        )
    }
}

/// The short reference a case is known by to its citizen (it is in every SMS
/// about it): the kind's own (a dossier's number) or the id's last six
/// characters.
pub fn short_reference<K: CaseType>(case: &CaseRecord<K::Data>) -> String {
    K::reference(&case.data).unwrap_or_else(|| id_suffix(&case.id))
}

/// The last six characters of an id, upper case (ids are Crockford base 32).
pub fn id_suffix(id: &str) -> String {
    id[id.len().saturating_sub(6)..].to_ascii_uppercase()
}

/// A short reference as a person typed it: trimmed, upper case, at most 32
/// characters of letters, digits, `-` and `/`.
pub fn parse_reference(raw: &str) -> Option<String> {
    let r = raw.trim().to_ascii_uppercase();
    let ok = !r.is_empty()
        && r.len() <= 32
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/');
    ok.then_some(r)
}

/// Counts per state of one kind, every state of its workflow present (zero
/// where none), from the shards the store keeps.
pub fn counts<K: CaseType>(shards: &[BTreeMap<String, i64>]) -> BTreeMap<&'static str, u64> {
    K::KIND
        .workflow()
        .states
        .iter()
        .map(|state| {
            let n: i64 = shards.iter().filter_map(|s| s.get(*state)).sum();
            (*state, n.max(0) as u64)
        })
        .collect()
}

/// Which of the count shards a case's filing and changes are written to: the
/// same every time for one case, spread over [`COUNT_SHARDS`] for many.
pub fn count_shard(id: &str) -> u32 {
    id.bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % COUNT_SHARDS
}

/// Shards of a kind's counts: concurrent changes of different cases rarely
/// write the same item.
pub const COUNT_SHARDS: u32 = 4;

#[cfg(test)]
#[path = "inbox_tests.rs"]
mod tests;
