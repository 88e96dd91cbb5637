//! Access-to-information requests (organic law 2016-22): what a request holds,
//! the legal grounds of a refusal, and which deadline each step sets. The dates
//! themselves are `deadline`'s.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::calendar::Calendar;
use super::case::{
    Actor, CaseRecord, CaseType, Change, DueChange, Effects, HistoryEntry, NoteRule, Policy,
    Refusal, StepFile,
};
use super::deadline::{self, AccessMode, Deadline};
use super::workflow::CaseKind;
use super::{DomainError, Service};

pub const INFORMATION_MIN: usize = 10;
pub const INFORMATION_MAX: usize = 4000;

/// What a request holds beyond the case's state (`CaseRecord::data`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfoRequestData {
    /// The information asked for, in the requester's words.
    pub information: String,
    pub access_mode: AccessMode,
    /// A person's life or liberty depends on it: 48 hours.
    pub urgent: bool,
    pub urgent_reason: Option<String>,
    /// The requester agrees that the request and its answer are published in
    /// the municipality's register.
    pub publish_consent: bool,
    /// The requester's name (staff see it; never published).
    pub requester_name: Option<String>,
    /// When the clock started (filing, or the clarification).
    pub received_at: String,
    /// The deadline running now, and why.
    pub deadline: Deadline,
    /// The one extension has been used.
    #[serde(default)]
    pub extended: bool,
    /// Refused on this ground (see [`GROUNDS`]).
    pub legal_ground: Option<String>,
    /// Not held: the body that holds it.
    pub redirected_to: Option<String>,
    /// Until when the requester may appeal to the head of the body, and why.
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

/// Published in the register: answered, with the requester's consent.
pub const PUBLISHED: &[&str] = &["accepted", "partially_accepted", "appeal_accepted"];

/// Steps that must say something.
pub const NEEDS_NOTE: &[&str] = &[
    "not_clear",
    "extended",
    "accepted",
    "partially_accepted",
    "rejected",
    "not_held",
    "appealed",
    "appeal_accepted",
    "appeal_rejected",
];

/// An information request's own fields of a step.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StepFields {
    /// With `extended`: why.
    pub extension: Option<Extension>,
    /// With `rejected`: the legal ground (art. 24).
    pub legal_ground: Option<String>,
    /// With `not_held`: the body that holds the information.
    pub redirect_to: Option<String>,
}

/// Access-to-information requests as tracked cases: the requester's, answered
/// by staff holding `access_to_information` within the law's deadlines, and
/// public once answered where the requester agreed (the register), without
/// anything the requester wrote or sent besides the request.
pub struct InfoRequest;

impl CaseType for InfoRequest {
    const KIND: CaseKind = CaseKind::InfoRequest;
    const ID_PREFIX: &'static str = "air";
    const SERVICE: Service = Service::AccessToInformation;
    const POLICY: Policy = Policy {
        noun: "request",
        unseen: Refusal::NOT_FOUND,
        onlooker_moves: Refusal::NOT_FOUND,
        onlooker_files: Refusal::NOT_FOUND,
        followers_see: false,
        closed_to_staff_files: false,
        staff_file_for_others: false,
        note: NoteRule::To(NEEDS_NOTE),
        step_file: StepFile::Document,
        support: None,
    };

    type Data = InfoRequestData;
    type Fields = StepFields;
    /// The holiday calendar the deadlines are counted with.
    type Env = Calendar;

    fn public(case: &CaseRecord<InfoRequestData>) -> bool {
        case.data.publish_consent && PUBLISHED.contains(&case.state.as_str())
    }

    /// The public sees the municipality's answers only.
    fn public_step(e: &HistoryEntry) -> bool {
        e.author_role == Actor::Staff && PUBLISHED.contains(&e.state.as_str())
    }

    /// Each step follows the law: what it does to the deadline, and what it
    /// records (the extension, the ground of a refusal, where to ask instead).
    fn change(
        c: &Change<'_, InfoRequestData>,
        fields: StepFields,
        cal: &Calendar,
    ) -> Result<Effects<InfoRequestData>, DomainError> {
        let only_with = |field: &'static str, present: bool, state: &str| {
            if present && c.to != state {
                Err(DomainError::invalid(field, "not_allowed"))
            } else {
                Ok(())
            }
        };
        only_with("extension", fields.extension.is_some(), "extended")?;
        only_with("legal_ground", fields.legal_ground.is_some(), "rejected")?;
        only_with("redirect_to", fields.redirect_to.is_some(), "not_held")?;
        let (data, now) = (&c.case.data, c.now);
        let mut new = data.clone();
        let due = match c.to {
            // Asking for details stops the clock, but not once it has run out.
            "not_clear" if deadline_passed(data, now) => {
                return Err(DomainError::invalid("state", "deadline_passed"));
            }
            "not_clear" => DueChange::Clear,
            // The requester's clarification: the clock starts again.
            "received" => {
                new.received_at = crate::clock::rfc3339(now);
                new.deadline = deadline::answer_deadline(now, data.access_mode, data.urgent, cal);
                DueChange::Set(new.deadline.due_at.clone())
            }
            "extended" => {
                let why = fields
                    .extension
                    .ok_or(DomainError::invalid("extension", "required"))?;
                new.deadline = extend(data, why, now, cal)?;
                new.extended = true;
                DueChange::Set(new.deadline.due_at.clone())
            }
            "accepted" | "appeal_accepted" | "appeal_rejected" | "withdrawn" => DueChange::Clear,
            "partially_accepted" => {
                new.appeal_until = Some(deadline::appeal_window(now, cal));
                DueChange::Clear
            }
            "rejected" => {
                let ground = fields
                    .legal_ground
                    .as_deref()
                    .ok_or(DomainError::invalid("legal_ground", "required"))?;
                new.legal_ground = Some(parse_ground(ground)?.to_owned());
                new.appeal_until = Some(deadline::appeal_window(now, cal));
                DueChange::Clear
            }
            "not_held" => {
                let to_body = fields
                    .redirect_to
                    .as_deref()
                    .ok_or(DomainError::invalid("redirect_to", "required"))?;
                new.redirected_to = Some(super::staff::parse_label(to_body, "redirect_to", 200)?);
                DueChange::Clear
            }
            "appealed" => {
                may_appeal(&c.case.state, data, now, cal)?;
                new.deadline = deadline::appeal_answer(now, cal);
                new.appeal_until = None;
                DueChange::Set(new.deadline.due_at.clone())
            }
            _ => DueChange::Keep,
        };
        Ok(Effects {
            data: Some(new),
            due,
            tell_staff: None,
        })
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
