//! A person's mark on an event: "interested", or "going" — which, where the
//! event has a capacity, is a registration: a place, or a turn on the waiting
//! list. A freed place goes to the first in line, who is told.
//!
//! Counters (`interested`, `going`, `waiting`) and the capacity live on one
//! item the store moves in the same transaction as the mark; a place is taken
//! only while `going < capacity` there, so places never exceed the capacity
//! however many register at once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Event, EventStatus};
use crate::domain::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Interested,
    Going,
}

/// Where a "going" person stands at an event with a capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    Registered,
    Waiting,
}

/// A person's mark, as stored (`ATT#<usr>` in the event's partition).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub event: String,
    pub user: String,
    pub mark: Mark,
    /// At an event with a capacity, for "going".
    pub seat: Option<Seat>,
    /// The waiting list's order (`<at>#<ulid>`), while waiting.
    pub wait_key: Option<String>,
    pub at: String,
    pub version: u64,
}

/// What a person asks (`PUT …/attendance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    pub mark: Mark,
    /// For a full event: join the waiting list (the default), or be refused.
    #[serde(default = "yes")]
    pub waiting_list: bool,
}

fn yes() -> bool {
    true
}

/// An event takes marks until it is over, unless cancelled.
pub fn open(e: &Event, now: OffsetDateTime) -> bool {
    e.status != EventStatus::Cancelled && e.content.ends() > now
}

/// What the store is to try for an ask, given the person's mark as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing changes (the same ask again).
    Keep,
    /// Write the mark; no place involved.
    Mark(Attendance),
    /// Take a place (if `going < capacity`), else, if `wait`, a turn on the
    /// waiting list (`wait_key`); else refuse as full.
    Seat {
        registered: Attendance,
        waiting: Option<Attendance>,
    },
}

/// Decide an ask. A person already registered or waiting who asks "going"
/// again keeps their place; one registered who turns "interested" frees it
/// (the store gives it to the next in line).
pub fn plan(
    e: &Event,
    before: Option<&Attendance>,
    ask: Ask,
    user: &str,
    now: OffsetDateTime,
    wait_key: String,
) -> Result<Plan, DomainError> {
    if !open(e, now) {
        return Err(DomainError::TransitionNotAllowed {
            from: super::code(e.status).into(),
            to: "marked".into(),
        });
    }
    let at = crate::clock::rfc3339(now);
    let version = before.map_or(1, |b| b.version + 1);
    let base = Attendance {
        event: e.id.clone(),
        user: user.to_owned(),
        mark: ask.mark,
        seat: None,
        wait_key: None,
        at,
        version,
    };
    if before.is_some_and(|b| b.mark == ask.mark) {
        return Ok(Plan::Keep);
    }
    match (ask.mark, e.content.capacity) {
        (Mark::Going, Some(_)) => Ok(Plan::Seat {
            registered: Attendance {
                seat: Some(Seat::Registered),
                ..base.clone()
            },
            waiting: ask.waiting_list.then_some(Attendance {
                seat: Some(Seat::Waiting),
                wait_key: Some(wait_key),
                ..base
            }),
        }),
        _ => Ok(Plan::Mark(base)),
    }
}

/// What one record adds to the event's counters.
pub fn counts(a: &Attendance) -> (&'static str, i64) {
    match (a.mark, a.seat) {
        (Mark::Interested, _) => ("interested", 1),
        (Mark::Going, Some(Seat::Waiting)) => ("waiting", 1),
        (Mark::Going, _) => ("going", 1),
    }
}

/// The counter moves from `before` to `after` (either may be none).
pub fn delta(before: Option<&Attendance>, after: Option<&Attendance>) -> Vec<(&'static str, i64)> {
    let mut out: Vec<(&'static str, i64)> = Vec::new();
    let mut add = |name: &'static str, d: i64| match out.iter_mut().find(|(n, _)| *n == name) {
        Some((_, v)) => *v += d,
        None => out.push((name, d)),
    };
    if let Some(b) = before {
        let (name, d) = counts(b);
        add(name, -d);
    }
    if let Some(a) = after {
        let (name, d) = counts(a);
        add(name, d);
    }
    out.retain(|(_, d)| *d != 0);
    out
}

/// Whether a record holds a place that the next in line would get if it went.
pub fn holds_place(a: &Attendance) -> bool {
    a.mark == Mark::Going && a.seat == Some(Seat::Registered)
}

/// The next in line, given their place.
pub fn promoted(waiting: &Attendance, now: OffsetDateTime) -> Attendance {
    Attendance {
        seat: Some(Seat::Registered),
        wait_key: None,
        at: crate::clock::rfc3339(now),
        version: waiting.version + 1,
        ..waiting.clone()
    }
}

/// Who a notice about the event reaches: a reminder goes to those interested
/// and those with a place (or going, without capacity), not to those still
/// waiting; a change of time, place or status to everyone who marked it.
pub fn told(a: &Attendance, reminder: bool) -> bool {
    !(reminder && a.seat == Some(Seat::Waiting))
}
