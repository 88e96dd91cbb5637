//! Access-to-information requests (organic law 2016-22): what a request holds,
//! the legal grounds of a refusal, and which deadline each step sets. The dates
//! themselves are `deadline`'s.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::DomainError;
use super::deadline::{self, AccessMode, Calendar, Deadline};

pub const INFORMATION_MIN: usize = 10;
pub const INFORMATION_MAX: usize = 4000;

/// What a request holds beyond the case's state (`CaseRecord::data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfoRequestData {
    /// The information asked for, in the requester's words.
    pub information: String,
    pub access_mode: AccessMode,
    /// A person's life or liberty depends on it: 48 hours.
    pub urgent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_reason: Option<String>,
    /// The requester agrees that the request and its answer are published in
    /// the municipality's register.
    pub publish_consent: bool,
    /// The requester's name (staff see it; never published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_name: Option<String>,
    /// When the clock started (filing, or the clarification).
    pub received_at: String,
    /// The deadline running now, and why.
    pub deadline: Deadline,
    /// The one extension has been used.
    #[serde(default)]
    pub extended: bool,
    /// Refused on this ground (see [`GROUNDS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_ground: Option<String>,
    /// Not held: the body that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirected_to: Option<String>,
    /// Until when the requester may appeal to the head of the body, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_until: Option<Deadline>,
}

/// The grounds a refusal may rest on (law 2016-22, art. 24): code, ar, fr, en.
pub const GROUNDS: &[(&str, &str, &str, &str)] = &[
    (
        "public_security",
        "الأمن العام",
        "Sécurité publique",
        "Public security",
    ),
    (
        "national_defence",
        "الدفاع الوطني",
        "Défense nationale",
        "National defence",
    ),
    (
        "international_relations",
        "العلاقات الدولية",
        "Relations internationales",
        "International relations",
    ),
    (
        "privacy",
        "حماية الحياة الخاصة والمعطيات الشخصية",
        "Vie privée et données personnelles",
        "Privacy and personal data",
    ),
    (
        "intellectual_property",
        "الملكية الفكرية",
        "Propriété intellectuelle",
        "Intellectual property",
    ),
];

pub fn parse_ground(raw: &str) -> Result<&'static str, DomainError> {
    GROUNDS
        .iter()
        .map(|g| g.0)
        .find(|g| *g == raw.trim())
        .ok_or(DomainError::invalid("legal_ground", "unknown"))
}

/// Why a deadline is extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extension {
    /// Multiple or varied information: 10 more days, once.
    Multiple,
    /// A third party must be consulted: 45 days from receipt.
    ThirdParty,
}

/// The requester's text: trimmed, 10..=4000 characters, line breaks allowed.
pub fn parse_information(raw: &str) -> Result<String, DomainError> {
    let v = raw.trim();
    let n = v.chars().count();
    if n < INFORMATION_MIN {
        return Err(DomainError::invalid("information", "too_short"));
    }
    if n > INFORMATION_MAX {
        return Err(DomainError::invalid("information", "too_long"));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(DomainError::invalid("information", "control_characters"));
    }
    Ok(v.to_owned())
}

fn at(raw: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(raw, &Rfc3339).ok()
}

/// States in which the body still owes an answer (the deadline runs).
pub const PENDING: &[&str] = &["received", "processing", "extended"];
/// Decisions the requester may appeal to the head of the body.
pub const APPEALABLE: &[&str] = &["rejected", "partially_accepted"];

/// May the requester appeal now? After an appealable decision, within its
/// window; or once the deadline has passed without an answer (silence is a
/// refusal), within 20 days of it.
pub fn may_appeal(
    state: &str,
    data: &InfoRequestData,
    now: OffsetDateTime,
    cal: &Calendar,
) -> Result<(), DomainError> {
    let closed = || DomainError::invalid("appeal", "window_closed");
    if APPEALABLE.contains(&state) {
        let until = data
            .appeal_until
            .as_ref()
            .and_then(Deadline::due)
            .ok_or_else(closed)?;
        return if now <= until { Ok(()) } else { Err(closed()) };
    }
    if PENDING.contains(&state) {
        let due = data.deadline.due().ok_or_else(closed)?;
        if now <= due {
            return Err(DomainError::invalid("appeal", "deadline_not_passed"));
        }
        let until = deadline::appeal_window(due, cal).due().ok_or_else(closed)?;
        return if now <= until { Ok(()) } else { Err(closed()) };
    }
    Err(DomainError::invalid("appeal", "nothing_to_appeal"))
}

/// Whether the deadline has passed (an implicit refusal the requester may
/// appeal): from then on it can neither be extended nor paused.
pub fn deadline_passed(data: &InfoRequestData, now: OffsetDateTime) -> bool {
    data.deadline.due().is_some_and(|due| now > due)
}

/// The deadline after an extension, if it may still be extended: once, before
/// it has passed, and never for an urgent request (48 hours is the law's).
pub fn extend(
    data: &InfoRequestData,
    why: Extension,
    now: OffsetDateTime,
    cal: &Calendar,
) -> Result<Deadline, DomainError> {
    if data.extended {
        return Err(DomainError::invalid("extension", "already_extended"));
    }
    if data.urgent {
        return Err(DomainError::invalid("extension", "urgent"));
    }
    if deadline_passed(data, now) {
        return Err(DomainError::invalid("extension", "deadline_passed"));
    }
    match why {
        Extension::Multiple => {
            let due = data
                .deadline
                .due()
                .ok_or(DomainError::invalid("extension", "no_deadline"))?;
            Ok(deadline::extended(due, cal))
        }
        Extension::ThirdParty => {
            let received =
                at(&data.received_at).ok_or(DomainError::invalid("extension", "no_deadline"))?;
            Ok(deadline::third_party(received, cal))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn data(received: OffsetDateTime, cal: &Calendar) -> InfoRequestData {
        InfoRequestData {
            information: "Le budget 2026 de la commune.".into(),
            access_mode: AccessMode::ElectronicCopy,
            urgent: false,
            urgent_reason: None,
            publish_consent: true,
            requester_name: None,
            received_at: received.format(&Rfc3339).unwrap(),
            deadline: deadline::answer_deadline(received, AccessMode::ElectronicCopy, false, cal),
            extended: false,
            legal_ground: None,
            redirected_to: None,
            appeal_until: None,
        }
    }

    #[test]
    fn appeals_open_after_a_decision_or_a_missed_deadline_for_20_days() {
        let cal = Calendar::new([]);
        let received = datetime!(2026-11-02 09:00 UTC);
        let mut d = data(received, &cal);
        let due = d.deadline.due().unwrap();
        // Pending, before the deadline: nothing to appeal yet.
        assert_eq!(
            may_appeal("processing", &d, received, &cal),
            Err(DomainError::invalid("appeal", "deadline_not_passed"))
        );
        // Silence past the deadline: a refusal, appealable for 20 days.
        assert_eq!(
            may_appeal("processing", &d, due + time::Duration::days(1), &cal),
            Ok(())
        );
        assert!(may_appeal("processing", &d, due + time::Duration::days(30), &cal).is_err());
        // A refusal: within its window only.
        let decided = datetime!(2026-11-10 10:00 UTC);
        d.appeal_until = Some(deadline::appeal_window(decided, &cal));
        assert_eq!(may_appeal("rejected", &d, decided, &cal), Ok(()));
        assert!(may_appeal("rejected", &d, decided + time::Duration::days(40), &cal).is_err());
        // An answer in full is not appealed.
        assert!(may_appeal("accepted", &d, decided, &cal).is_err());
    }

    #[test]
    fn one_extension_only() {
        let cal = Calendar::new([]);
        let received = datetime!(2026-11-02 09:00 UTC);
        let mut d = data(received, &cal);
        let longer = extend(&d, Extension::Multiple, received, &cal).unwrap();
        assert!(longer.due().unwrap() > d.deadline.due().unwrap());
        let third = extend(&d, Extension::ThirdParty, received, &cal).unwrap();
        assert!(third.due().unwrap() > longer.due().unwrap());
        // Not once the deadline has passed (the refusal is already implied).
        let late = d.deadline.due().unwrap() + time::Duration::hours(1);
        assert!(deadline_passed(&d, late));
        assert_eq!(
            extend(&d, Extension::Multiple, late, &cal),
            Err(DomainError::invalid("extension", "deadline_passed"))
        );
        // Not an urgent one.
        d.urgent = true;
        assert!(extend(&d, Extension::Multiple, received, &cal).is_err());
        d.urgent = false;
        d.extended = true;
        assert!(extend(&d, Extension::Multiple, received, &cal).is_err());
    }

    #[test]
    fn grounds_and_texts() {
        assert_eq!(parse_ground("privacy"), Ok("privacy"));
        assert!(parse_ground("because").is_err());
        assert!(parse_information("court").is_err());
        assert!(parse_information("Le budget communal de 2026.").is_ok());
        assert!(parse_information(&"x".repeat(4001)).is_err());
    }
}
