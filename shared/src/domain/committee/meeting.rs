//! Meetings of a committee: when (Africa/Tunis), where, public or closed,
//! planned → held or cancelled, with numbered agenda items (public or not,
//! each with the decision taken once held).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::guide::check_text;
use crate::domain::{DomainError, Id, Text};

/// Agenda items of one meeting at most.
pub const MAX_AGENDA: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Planned,
    Held,
    Cancelled,
}

impl MeetingStatus {
    pub fn code(self) -> &'static str {
        match self {
            MeetingStatus::Planned => "planned",
            MeetingStatus::Held => "held",
            MeetingStatus::Cancelled => "cancelled",
        }
    }
}

/// One item of the agenda, numbered by its place.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    /// `1`, `2`… (set from the order given).
    #[serde(default)]
    pub number: u32,
    pub title: Text,
    /// Discussed in public (a closed item's title and decision are for staff).
    #[serde(default = "yes")]
    pub public: bool,
    /// What was decided, once the meeting is held.
    pub decision: Option<Text>,
}

fn yes() -> bool {
    true
}

/// What staff write of a meeting.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingContent {
    /// A title of its own (an extraordinary session…); the committee's name else.
    pub name: Option<Text>,
    /// RFC 3339; shown in Tunis time.
    pub start: String,
    pub end: Option<String>,
    /// Where: the room and address, in words.
    pub place: Text,
    /// Open to the public (the council's sessions are, by law, unless closed).
    #[serde(default = "yes")]
    pub public: bool,
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
}

/// A meeting.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: String,
    pub committee: String,
    #[serde(flatten)]
    pub content: MeetingContent,
    pub status: MeetingStatus,
    /// Why it was cancelled.
    pub reason: Option<Text>,
    /// The published documents of its minutes and other files (`doc_…`).
    #[serde(default)]
    pub documents: Vec<String>,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

fn instant(raw: &str, field: &'static str) -> Result<OffsetDateTime, DomainError> {
    crate::clock::parse_rfc3339(raw.trim()).ok_or_else(|| DomainError::invalid(field, "rfc3339"))
}

impl MeetingContent {
    /// Checked: times (an end after the start), texts, the agenda numbered in
    /// the order given.
    pub fn check(mut self) -> Result<MeetingContent, DomainError> {
        let start = instant(&self.start, "start")?;
        self.start = crate::clock::rfc3339(start);
        if let Some(end) = &self.end {
            let end = instant(end, "end")?;
            if end <= start {
                return Err(DomainError::invalid("end", "before_the_start"));
            }
            self.end = Some(crate::clock::rfc3339(end));
        }
        if let Some(name) = &self.name {
            self.name = Some(check_text(name, "name", 200, true)?);
        }
        self.place = check_text(&self.place, "place", 300, false)?;
        if self.agenda.len() > MAX_AGENDA {
            return Err(DomainError::LimitReached {
                what: "agenda items",
                max: MAX_AGENDA,
            });
        }
        for (i, item) in self.agenda.iter_mut().enumerate() {
            item.number = i as u32 + 1;
            item.title = check_text(&item.title, "agenda.title", 500, true)?;
            if let Some(d) = &item.decision {
                item.decision = Some(check_text(d, "agenda.decision", 4000, false)?);
            }
        }
        Ok(self)
    }
}

/// A new meeting of `committee`, planned.
pub fn plan(committee: &str, content: MeetingContent, now: &str) -> Meeting {
    Meeting {
        id: Id::generate("mtg").to_string(),
        committee: committee.to_owned(),
        content,
        status: MeetingStatus::Planned,
        reason: None,
        documents: Vec::new(),
        version: 1,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    }
}

fn not_allowed(from: MeetingStatus, to: &str) -> DomainError {
    DomainError::TransitionNotAllowed {
        from: from.code().to_owned(),
        to: to.to_owned(),
    }
}

/// Staff change a meeting: its time, place and agenda while planned; once
/// held, its agenda's decisions (not its time); a cancelled one not at all.
/// Decisions are recorded only for a meeting held.
pub fn revise(m: &Meeting, content: MeetingContent, now: &str) -> Result<Meeting, DomainError> {
    match m.status {
        MeetingStatus::Cancelled => return Err(not_allowed(m.status, "edited")),
        MeetingStatus::Held => {
            if content.start != m.content.start || content.end != m.content.end {
                return Err(DomainError::invalid("start", "meeting_held"));
            }
        }
        MeetingStatus::Planned => {
            if content.agenda.iter().any(|i| i.decision.is_some()) {
                return Err(DomainError::invalid("agenda.decision", "meeting_not_held"));
            }
        }
    }
    Ok(Meeting {
        content,
        version: m.version + 1,
        updated_at: now.to_owned(),
        ..m.clone()
    })
}

/// A planned meeting is held (not before its start) or cancelled (with a
/// reason); nothing moves after.
pub fn set_status(
    m: &Meeting,
    to: MeetingStatus,
    reason: Option<Text>,
    now: OffsetDateTime,
) -> Result<Meeting, DomainError> {
    if m.status != MeetingStatus::Planned || to == MeetingStatus::Planned {
        return Err(not_allowed(m.status, to.code()));
    }
    let mut out = m.clone();
    match to {
        MeetingStatus::Held => {
            if instant(&m.content.start, "start")? > now {
                return Err(DomainError::invalid("status", "not_started"));
            }
        }
        _ => {
            let reason = reason.ok_or(DomainError::invalid("reason", "required"))?;
            out.reason = Some(check_text(&reason, "reason", 500, false)?);
        }
    }
    out.status = to;
    out.version += 1;
    out.updated_at = crate::clock::rfc3339(now);
    Ok(out)
}

/// What the public sees of a meeting: a closed item's title and decision
/// are withheld (its number stays: the agenda's numbering is the council's).
pub fn public_agenda(m: &Meeting) -> Vec<AgendaItem> {
    m.content
        .agenda
        .iter()
        .map(|i| {
            if i.public {
                i.clone()
            } else {
                AgendaItem {
                    number: i.number,
                    title: crate::domain::tr("بند سرّي", "Point à huis clos", "Closed item")
                        .to_owned_text(),
                    public: false,
                    decision: None,
                }
            }
        })
        .collect()
}

/// A time in Tunis for people: `2027-01-15T10:00:00+01:00`.
pub fn in_tunis(raw: &str) -> String {
    let Some(t) = crate::clock::parse_rfc3339(raw) else {
        return raw.to_owned();
    };
    let Ok(ts) = jiff::Timestamp::from_second(t.unix_timestamp()) else {
        return raw.to_owned();
    };
    ts.to_zoned(crate::domain::eticket::tunis())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}
