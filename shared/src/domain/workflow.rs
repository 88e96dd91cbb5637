//! The tracked-case workflow shared by complaints, permit dossiers,
//! access-to-information requests, forum entries and appointments.
//!
//! Per kind: a set of states, an initial state, and the allowed transitions with who
//! may make each. A case's current state is the latest entry of its history; the
//! store writes the state change and its history entry in one transaction
//! (`store::cases`).

use serde::{Deserialize, Serialize};

use super::{DomainError, Permission};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    Permit,
    InfoRequest,
    ForumEntry,
    Appointment,
    /// A queue ticket at a municipal counter (e-ticket). Not a tracked case:
    /// its notices name it (see `notice::Notice::to`).
    Ticket,
    /// An event of the municipal calendar. Not a tracked case either: its
    /// notices (a reminder, a change, a freed place) name one person each.
    Event,
}

/// Who may make a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// Staff of the case's municipality holding the kind's permission.
    Staff,
    /// The citizen who filed the case.
    Owner,
    /// The platform itself (deadlines, automatic closing).
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: &'static str,
    pub to: &'static str,
    pub by: Actor,
}

#[derive(Debug)]
pub struct Workflow {
    pub kind: CaseKind,
    pub initial: &'static str,
    pub states: &'static [&'static str],
    /// States after which the case is closed (reopening is an explicit transition).
    pub closed: &'static [&'static str],
    pub transitions: &'static [Transition],
}

const fn t(from: &'static str, to: &'static str, by: Actor) -> Transition {
    Transition { from, to, by }
}

use Actor::{Owner, Staff, System};

/// Complaints: the reference platform's statuses plus FixMyStreet's finer
/// in-progress states.
pub static COMPLAINT: Workflow = Workflow {
    kind: CaseKind::Complaint,
    initial: "received",
    states: &[
        "received",
        "in_progress",
        "investigating",
        "action_scheduled",
        "resolved",
        "rejected",
        "not_clear",
        "outside_remit",
        "duplicate",
        "withdrawn",
        "reopened",
    ],
    closed: &[
        "resolved",
        "rejected",
        "outside_remit",
        "duplicate",
        "withdrawn",
    ],
    transitions: &[
        t("received", "in_progress", Staff),
        t("received", "investigating", Staff),
        t("received", "action_scheduled", Staff),
        t("received", "not_clear", Staff),
        t("received", "rejected", Staff),
        t("received", "outside_remit", Staff),
        t("received", "duplicate", Staff),
        t("received", "resolved", Staff),
        t("received", "withdrawn", Owner),
        t("in_progress", "investigating", Staff),
        t("in_progress", "action_scheduled", Staff),
        t("in_progress", "resolved", Staff),
        t("in_progress", "rejected", Staff),
        t("in_progress", "duplicate", Staff),
        t("in_progress", "outside_remit", Staff),
        t("investigating", "in_progress", Staff),
        t("investigating", "action_scheduled", Staff),
        t("investigating", "resolved", Staff),
        t("investigating", "rejected", Staff),
        t("investigating", "outside_remit", Staff),
        t("investigating", "duplicate", Staff),
        t("action_scheduled", "in_progress", Staff),
        t("action_scheduled", "resolved", Staff),
        t("action_scheduled", "rejected", Staff),
        t("not_clear", "received", Owner),
        t("not_clear", "received", Staff),
        t("not_clear", "in_progress", Staff),
        t("not_clear", "rejected", Staff),
        t("not_clear", "withdrawn", Owner),
        t("not_clear", "rejected", System),
        t("resolved", "in_progress", Staff),
        // The reporter contests the resolution (within `complaint::CONTEST_DAYS`).
        t("resolved", "reopened", Owner),
        t("reopened", "in_progress", Staff),
        t("reopened", "investigating", Staff),
        t("reopened", "action_scheduled", Staff),
        t("reopened", "resolved", Staff),
        t("reopened", "rejected", Staff),
        t("reopened", "outside_remit", Staff),
        t("reopened", "duplicate", Staff),
        t("reopened", "withdrawn", Owner),
        t("rejected", "in_progress", Staff),
        t("duplicate", "received", Staff),
    ],
};

/// Permit dossiers: the reference platform's stages, aligned with BLDS's
/// (received, in review, committee, fees due, issued, rejected, appeal,
/// cancelled, completed); `not_clear` when documents are missing.
pub static PERMIT: Workflow = Workflow {
    kind: CaseKind::Permit,
    initial: "received",
    states: &[
        "received",
        "in_review",
        "not_clear",
        "committee",
        "fees_due",
        "issued",
        "completed",
        "rejected",
        "appealed",
        "cancelled",
    ],
    closed: &["completed", "rejected", "cancelled"],
    transitions: &[
        t("received", "in_review", Staff),
        t("received", "not_clear", Staff),
        t("received", "rejected", Staff),
        t("received", "cancelled", Staff),
        t("received", "cancelled", Owner),
        t("not_clear", "received", Owner),
        t("not_clear", "in_review", Staff),
        t("not_clear", "cancelled", Staff),
        t("not_clear", "cancelled", Owner),
        t("in_review", "not_clear", Staff),
        t("in_review", "committee", Staff),
        t("in_review", "fees_due", Staff),
        t("in_review", "issued", Staff),
        t("in_review", "rejected", Staff),
        t("in_review", "cancelled", Owner),
        t("committee", "in_review", Staff),
        t("committee", "not_clear", Staff),
        t("committee", "fees_due", Staff),
        t("committee", "issued", Staff),
        t("committee", "rejected", Staff),
        t("committee", "cancelled", Owner),
        t("fees_due", "issued", Staff),
        t("fees_due", "cancelled", Staff),
        t("fees_due", "cancelled", Owner),
        t("issued", "completed", Staff),
        t("rejected", "appealed", Owner),
        t("appealed", "in_review", Staff),
        t("appealed", "committee", Staff),
        t("appealed", "issued", Staff),
        t("appealed", "rejected", Staff),
    ],
};

/// Access-to-information requests (organic law 2016-22).
pub static INFO_REQUEST: Workflow = Workflow {
    kind: CaseKind::InfoRequest,
    initial: "received",
    states: &[
        "received",
        "processing",
        "extended",
        "not_clear",
        "accepted",
        "partially_accepted",
        "rejected",
        "not_held",
        "appealed",
        "appeal_accepted",
        "appeal_rejected",
        "withdrawn",
    ],
    closed: &[
        "accepted",
        "partially_accepted",
        "not_held",
        "appeal_accepted",
        "appeal_rejected",
        "withdrawn",
    ],
    transitions: &[
        t("received", "processing", Staff),
        t("received", "not_clear", Staff),
        t("received", "not_held", Staff),
        t("received", "accepted", Staff),
        t("received", "rejected", Staff),
        t("received", "withdrawn", Owner),
        t("processing", "extended", Staff),
        t("processing", "accepted", Staff),
        t("processing", "partially_accepted", Staff),
        t("processing", "rejected", Staff),
        t("processing", "not_held", Staff),
        t("processing", "withdrawn", Owner),
        t("extended", "accepted", Staff),
        t("extended", "partially_accepted", Staff),
        t("extended", "rejected", Staff),
        t("extended", "withdrawn", Owner),
        t("not_clear", "received", Owner),
        t("not_clear", "withdrawn", Owner),
        t("rejected", "appealed", Owner),
        t("partially_accepted", "appealed", Owner),
        // Silence past the deadline is a refusal: the requester may appeal it
        // (the handler checks that the deadline has passed).
        t("received", "appealed", Owner),
        t("processing", "appealed", Owner),
        t("extended", "appealed", Owner),
        // Silence of the body past its deadline counts as refusal.
        t("processing", "rejected", System),
        t("extended", "rejected", System),
        t("appealed", "appeal_accepted", Staff),
        t("appealed", "appeal_rejected", Staff),
        t("appealed", "appeal_rejected", System),
    ],
};

/// Questions, suggestions and remarks in the forum: moderated before publication.
pub static FORUM_ENTRY: Workflow = Workflow {
    kind: CaseKind::ForumEntry,
    initial: "received",
    states: &["received", "published", "answered", "hidden", "withdrawn"],
    closed: &["answered", "hidden", "withdrawn"],
    transitions: &[
        t("received", "published", Staff),
        t("received", "answered", Staff),
        t("received", "hidden", Staff),
        t("received", "withdrawn", Owner),
        t("published", "answered", Staff),
        t("published", "hidden", Staff),
        t("published", "withdrawn", Owner),
        t("answered", "hidden", Staff),
        t("hidden", "published", Staff),
    ],
};

/// Appointments with municipal staff: `requested` waits for staff where the
/// host approves bookings (else a booking is `confirmed` at once); a move is a
/// step to the same state (or back to `requested` at such a host) with the
/// new slot; the visit is checked in, then attended (`done`) or missed.
pub static APPOINTMENT: Workflow = Workflow {
    kind: CaseKind::Appointment,
    initial: "requested",
    states: &[
        "requested",
        "confirmed",
        "declined",
        "cancelled",
        "checked_in",
        "done",
        "no_show",
    ],
    closed: &["declined", "cancelled", "done", "no_show"],
    transitions: &[
        t("requested", "confirmed", Staff),
        t("requested", "declined", Staff),
        t("requested", "cancelled", Owner),
        t("requested", "requested", Owner),
        t("confirmed", "confirmed", Owner),
        t("confirmed", "requested", Owner),
        t("confirmed", "cancelled", Owner),
        t("confirmed", "cancelled", Staff),
        t("confirmed", "checked_in", Staff),
        t("confirmed", "done", Staff),
        t("confirmed", "no_show", Staff),
        t("checked_in", "done", Staff),
        t("no_show", "confirmed", Staff),
    ],
};

/// Queue tickets: their statuses as a workflow, for naming and permissions; the
/// e-ticket rules themselves are `eticket::TicketStatus::check`.
pub static TICKET: Workflow = Workflow {
    kind: CaseKind::Ticket,
    initial: "waiting",
    states: &["waiting", "called", "served", "absent", "cancelled", "void"],
    closed: &["served", "cancelled", "void"],
    transitions: &[
        t("waiting", "called", Staff),
        t("waiting", "cancelled", Owner),
        t("called", "served", Staff),
        t("called", "absent", Staff),
        t("absent", "called", Staff),
        // A number given to someone who held one already (a race): skipped.
        t("waiting", "void", System),
    ],
};

/// Events: their statuses as a workflow, for naming and permissions; the
/// rules themselves are `event::set_status`.
pub static EVENT: Workflow = Workflow {
    kind: CaseKind::Event,
    initial: "scheduled",
    states: &["scheduled", "postponed", "cancelled"],
    closed: &["cancelled"],
    transitions: &[
        t("scheduled", "postponed", Staff),
        t("scheduled", "cancelled", Staff),
        t("postponed", "scheduled", Staff),
        t("postponed", "cancelled", Staff),
    ],
};

impl CaseKind {
    pub fn workflow(self) -> &'static Workflow {
        match self {
            CaseKind::Complaint => &COMPLAINT,
            CaseKind::Permit => &PERMIT,
            CaseKind::InfoRequest => &INFO_REQUEST,
            CaseKind::ForumEntry => &FORUM_ENTRY,
            CaseKind::Appointment => &APPOINTMENT,
            CaseKind::Ticket => &TICKET,
            CaseKind::Event => &EVENT,
        }
    }

    /// The staff permission that manages this kind of case.
    pub fn permission(self) -> Permission {
        match self {
            CaseKind::Complaint => Permission::Complaints,
            CaseKind::Permit => Permission::Permits,
            CaseKind::InfoRequest => Permission::AccessToInformation,
            CaseKind::ForumEntry => Permission::Forum,
            CaseKind::Appointment => Permission::Appointments,
            CaseKind::Ticket => Permission::ETicket,
            CaseKind::Event => Permission::Events,
        }
    }

    /// Short tag used in storage keys.
    pub fn tag(self) -> &'static str {
        match self {
            CaseKind::Complaint => "CMP",
            CaseKind::Permit => "PRM",
            CaseKind::InfoRequest => "AIR",
            CaseKind::ForumEntry => "FRM",
            CaseKind::Appointment => "APT",
            CaseKind::Ticket => "TKT",
            CaseKind::Event => "EVT",
        }
    }
}

impl Workflow {
    /// The state named `raw`, if it belongs to this workflow.
    pub fn state(&self, raw: &str) -> Result<&'static str, DomainError> {
        self.states
            .iter()
            .copied()
            .find(|s| *s == raw)
            .ok_or_else(|| DomainError::UnknownState(raw.to_owned()))
    }

    pub fn is_closed(&self, state: &str) -> bool {
        self.closed.contains(&state)
    }

    /// Is `from → to` allowed for `actor`?
    pub fn check(&self, from: &str, to: &str, actor: Actor) -> Result<(), DomainError> {
        let to = self.state(to)?;
        let allowed = self
            .transitions
            .iter()
            .any(|tr| tr.from == from && tr.to == to && tr.by == actor);
        if allowed {
            Ok(())
        } else {
            Err(DomainError::TransitionNotAllowed {
                from: from.to_owned(),
                to: to.to_owned(),
            })
        }
    }

    /// The states `actor` may move a case to from `from` (for the UI's buttons).
    pub fn next_states(&self, from: &str, actor: Actor) -> Vec<&'static str> {
        let mut out: Vec<_> = self
            .transitions
            .iter()
            .filter(|tr| tr.from == from && tr.by == actor)
            .map(|tr| tr.to)
            .collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ALL: [&Workflow; 6] = [
        &COMPLAINT,
        &PERMIT,
        &INFO_REQUEST,
        &FORUM_ENTRY,
        &APPOINTMENT,
        &TICKET,
    ];

    #[test]
    fn every_transition_uses_known_states_and_every_state_is_reachable() {
        for wf in ALL {
            assert!(wf.states.contains(&wf.initial));
            for tr in wf.transitions {
                assert!(wf.states.contains(&tr.from), "{:?}: {}", wf.kind, tr.from);
                assert!(wf.states.contains(&tr.to), "{:?}: {}", wf.kind, tr.to);
            }
            for s in wf.closed {
                assert!(wf.states.contains(s));
            }
            // Breadth-first from the initial state.
            let mut seen = vec![wf.initial];
            let mut i = 0;
            while i < seen.len() {
                let current = seen[i];
                for tr in wf.transitions.iter().filter(|tr| tr.from == current) {
                    if !seen.contains(&tr.to) {
                        seen.push(tr.to);
                    }
                }
                i += 1;
            }
            for s in wf.states {
                assert!(seen.contains(s), "{:?}: {s} unreachable", wf.kind);
            }
            // Open states always have a way forward.
            for s in wf.states.iter().filter(|s| !wf.closed.contains(s)) {
                assert!(
                    wf.transitions.iter().any(|tr| tr.from == *s),
                    "{:?}: {s} is a dead end",
                    wf.kind
                );
            }
        }
    }

    #[test]
    fn staff_move_complaints_citizens_do_not() {
        assert!(
            COMPLAINT
                .check("received", "in_progress", Actor::Staff)
                .is_ok()
        );
        assert!(matches!(
            COMPLAINT.check("received", "in_progress", Actor::Owner),
            Err(DomainError::TransitionNotAllowed { .. })
        ));
        assert!(
            COMPLAINT
                .check("received", "withdrawn", Actor::Owner)
                .is_ok()
        );
        assert_eq!(
            COMPLAINT.check("received", "flying", Actor::Staff),
            Err(DomainError::UnknownState("flying".into()))
        );
        assert!(
            COMPLAINT
                .check("withdrawn", "received", Actor::Staff)
                .is_err()
        );
    }

    #[test]
    fn next_states_lists_the_buttons() {
        assert_eq!(
            COMPLAINT.next_states("not_clear", Actor::Owner),
            vec!["received", "withdrawn"]
        );
        assert!(APPOINTMENT.next_states("done", Actor::Staff).is_empty());
    }
}
