//! Appointments with municipal staff: a host (the mayor, the technical
//! service, civil status…) publishes availability — slots of a length, a
//! capacity per slot, within the opening hours of one of the municipality's
//! offices (the guide's hours: seasons, Ramadan, closures) minus public
//! holidays, at least some hours ahead and at most some days ahead. A citizen
//! books a slot with a reason (and documents, the case's files), moves or
//! cancels it; staff accept or refuse where the host wants approval, check the
//! person in, and mark the visit attended or missed.
//!
//! An appointment is a tracked case of the one lifecycle (`CaseKind::Appointment`):
//! its states, timeline and notices are the shared ones; what is its own is
//! here — the slot rules ([`slots`]) and what each step does to the slot.

pub mod slots;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::case::{
    CaseRecord, CaseType, Change, DueChange, Effects, NoteRule, Policy, Refusal, StepFile,
};
use super::workflow::CaseKind;
use super::{DomainError, Service, Text};
use crate::domain::guide::check_text;

/// A host's availability, as staff with `appointments` write it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostContent {
    pub name: Text,
    pub description: Option<Text>,
    /// The office whose opening hours the slots follow (a guide office's code).
    pub office: String,
    /// Minutes a slot lasts.
    pub slot_minutes: u16,
    /// People seen in one slot.
    #[serde(default = "one")]
    pub capacity: u16,
    /// Bookings wait for staff to accept them.
    #[serde(default)]
    pub approval: bool,
    /// Hours before a slot it can still be booked (or moved to).
    #[serde(default)]
    pub min_notice_hours: u16,
    /// Days ahead one may book.
    #[serde(default = "fortnight")]
    pub max_days_ahead: u16,
    /// Takes bookings.
    #[serde(default = "yes")]
    pub active: bool,
}

fn one() -> u16 {
    1
}
fn fortnight() -> u16 {
    14
}
fn yes() -> bool {
    true
}

/// A host as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    pub code: String,
    #[serde(flatten)]
    pub content: HostContent,
    pub version: u64,
    pub updated_at: String,
}

impl HostContent {
    pub fn check(mut self) -> Result<HostContent, DomainError> {
        self.name = check_text(&self.name, "name", 120, false)?;
        if let Some(d) = &self.description {
            self.description = Some(check_text(d, "description", 1000, false)?);
        }
        self.office = crate::domain::eticket::parse_code(&self.office, "office")?;
        if !(5..=240).contains(&self.slot_minutes) {
            return Err(DomainError::invalid("slot_minutes", "out_of_range"));
        }
        if !(1..=100).contains(&self.capacity) {
            return Err(DomainError::invalid("capacity", "out_of_range"));
        }
        if self.min_notice_hours > 720 {
            return Err(DomainError::invalid("min_notice_hours", "out_of_range"));
        }
        if !(1..=180).contains(&self.max_days_ahead) {
            return Err(DomainError::invalid("max_days_ahead", "out_of_range"));
        }
        Ok(self)
    }
}

/// What an appointment keeps besides the shared case fields.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentData {
    pub host: String,
    pub host_name: Text,
    /// The slot: its start and end (RFC 3339 UTC).
    pub starts_at: String,
    pub ends_at: String,
    pub reason: String,
    /// Times it was moved.
    #[serde(default)]
    pub moved: u32,
    pub checked_in_at: Option<String>,
}

pub const REASON_MIN: usize = 5;
pub const REASON_MAX: usize = 1000;

pub fn parse_reason(raw: &str) -> Result<String, DomainError> {
    let r = raw.trim();
    let n = r.chars().count();
    if n < REASON_MIN {
        return Err(DomainError::invalid("reason", "too_short"));
    }
    if n > REASON_MAX {
        return Err(DomainError::invalid("reason", "too_long"));
    }
    if r.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::invalid("reason", "control_characters"));
    }
    Ok(r.to_owned())
}

/// A new slot a move asks for (checked against the host's rules beforehand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlot {
    pub starts_at: String,
    pub ends_at: String,
}

/// States after which the slot is free again.
pub const FREES_SLOT: &[&str] = &["declined", "cancelled"];

pub struct Appointment;

impl CaseType for Appointment {
    const KIND: CaseKind = CaseKind::Appointment;
    const ID_PREFIX: &'static str = "apt";
    const SERVICE: Service = Service::Appointments;
    const POLICY: Policy = Policy {
        noun: "appointment",
        unseen: Refusal::NOT_FOUND,
        onlooker_moves: Refusal::NOT_FOUND,
        onlooker_files: Refusal::NOT_FOUND,
        followers_see: false,
        closed_to_staff_files: false,
        staff_file_for_others: false,
        note: NoteRule::To(&["declined"]),
        step_file: StepFile::Document,
        support: None,
    };

    type Data = AppointmentData;
    /// A move's new slot.
    type Fields = Option<NewSlot>;
    type Env = ();

    /// The slot is what the person knows it by: `05/12 09:30`.
    fn reference(data: &AppointmentData) -> Option<String> {
        crate::clock::parse_rfc3339(&data.starts_at).map(|t| {
            crate::domain::eticket::local(t)
                .strftime("%d/%m %H:%M")
                .to_string()
        })
    }

    const INBOX_FIELDS: &'static [&'static str] = &["host"];

    fn inbox_field<'a>(data: &'a AppointmentData, name: &str) -> Option<&'a str> {
        (name == "host").then_some(data.host.as_str())
    }

    /// A move changes the slot (and the case's time on the queue); a visit
    /// checked in is recorded; a declined or cancelled one leaves the queue.
    fn change(
        c: &Change<'_, AppointmentData>,
        slot: Option<NewSlot>,
        _: &(),
    ) -> Result<Effects<AppointmentData>, DomainError> {
        let moving = c.case.state == c.to || (c.case.state == "confirmed" && c.to == "requested");
        match (slot, moving) {
            (Some(s), true) => {
                let mut data = c.case.data.clone();
                data.starts_at = s.starts_at.clone();
                data.ends_at = s.ends_at;
                data.moved += 1;
                Ok(Effects {
                    data: Some(data),
                    due: DueChange::Set(s.starts_at),
                    tell_staff: None,
                })
            }
            (None, true) => Err(DomainError::invalid("slot", "required")),
            (Some(_), false) => Err(DomainError::invalid("slot", "not_allowed")),
            (None, false) if c.to == "checked_in" => {
                let mut data = c.case.data.clone();
                data.checked_in_at = Some(crate::clock::rfc3339(c.now));
                Ok(Effects {
                    data: Some(data),
                    ..Effects::default()
                })
            }
            // Declined or cancelled: off the day (and its reminders); a visit
            // done or missed stays on its day's list.
            (None, false) if FREES_SLOT.contains(&c.to) => Ok(Effects {
                due: DueChange::Clear,
                ..Effects::default()
            }),
            (None, false) => Ok(Effects::default()),
        }
    }
}

/// Where a move takes the appointment: back to `requested` at a host that
/// approves bookings, else it stays as it is.
pub fn state_after_move(case: &CaseRecord<AppointmentData>, host: &Host) -> &'static str {
    match (case.state.as_str(), host.content.approval) {
        ("confirmed", true) | ("requested", _) => "requested",
        _ => "confirmed",
    }
}

/// Whether the person may still cancel or move it: before its start.
pub fn before_start(data: &AppointmentData, now: OffsetDateTime) -> bool {
    crate::clock::parse_rfc3339(&data.starts_at).is_some_and(|s| s > now)
}

/// What the scheduler tells the person before a confirmed appointment: the
/// reminder due at `now`, if any (24 hours before, then 2 hours before).
pub fn reminder_due(state: &str, starts_at: &str, now: OffsetDateTime) -> Option<&'static str> {
    if state != "confirmed" {
        return None;
    }
    let start = crate::clock::parse_rfc3339(starts_at)?;
    let left = start - now;
    if left <= time::Duration::ZERO {
        None
    } else if left <= time::Duration::hours(2) {
        Some("reminder_2h")
    } else if left <= time::Duration::hours(24) && left > time::Duration::hours(20) {
        // "Tomorrow": not for one booked less than a day ahead.
        Some("reminder_24h")
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
