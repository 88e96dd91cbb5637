//! Polls: a question to the municipality's citizens, with single or multiple
//! choice (up to a maximum), a voting window, who may vote (anyone signed in,
//! the municipality's followers, or those who follow one of its areas), one
//! ballot per person (a new one replaces the old within the window), and
//! results hidden until the poll closes unless staff chose live results.
//! Results are split by residents (people whose app opens on the
//! municipality) and others. Pure: the moment is passed in.

mod ballot;
#[cfg(test)]
mod tests;

pub use ballot::*;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::guide::check_text;
use super::{DomainError, Id, Text};

/// Choices of one poll at most.
pub const MAX_CHOICES: usize = 20;
/// The longest voting window.
pub const MAX_WINDOW_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollKind {
    Single,
    Multiple,
}

/// Who may vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "who", rename_all = "snake_case", deny_unknown_fields)]
pub enum Eligibility {
    /// Anyone signed in.
    Anyone,
    /// Those who follow the municipality.
    Followers,
    /// Those who follow the municipality and chose this area.
    Area { area: String },
}

/// A choice as staff write it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Given when checked: `1`, `2`… in the order written.
    #[serde(default)]
    pub id: String,
    pub text: Text,
    /// An image of the choice (an https URL of the municipality's media).
    pub image: Option<String>,
}

/// What staff write of a poll.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollContent {
    pub title: Text,
    #[serde(default, skip_serializing_if = "blank")]
    pub text: Text,
    pub kind: PollKind,
    /// Multiple choice: how many a ballot may hold at most (all, if absent).
    pub max_choices: Option<usize>,
    pub choices: Vec<Choice>,
    pub opens_at: String,
    pub closes_at: String,
    pub eligibility: Eligibility,
    /// Results shown while the poll is open.
    #[serde(default)]
    pub live_results: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    Draft,
    Published,
}

/// Where a poll stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Draft,
    Upcoming,
    Open,
    Closed,
}

impl Phase {
    pub fn code(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Upcoming => "upcoming",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    pub id: String,
    #[serde(flatten)]
    pub content: PollContent,
    pub status: PollStatus,
    pub version: u64,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn blank(t: &Text) -> bool {
    *t == Text::default()
}

pub(crate) fn instant(raw: &str, field: &'static str) -> Result<OffsetDateTime, DomainError> {
    crate::clock::parse_rfc3339(raw.trim()).ok_or(DomainError::invalid(field, "rfc3339"))
}

impl PollContent {
    /// Checked: texts, 2 to [`MAX_CHOICES`] choices numbered in order, the
    /// maximum (1 for a single choice), a window that ends after it starts.
    pub fn check(mut self) -> Result<PollContent, DomainError> {
        self.title = check_text(&self.title, "title", 200, true)?;
        if self.text != Text::default() {
            self.text = check_text(&self.text, "text", 4000, false)?;
        }
        let n = self.choices.len();
        if !(2..=MAX_CHOICES).contains(&n) {
            return Err(DomainError::invalid("choices", "count"));
        }
        for (i, c) in self.choices.iter_mut().enumerate() {
            c.id = (i + 1).to_string();
            c.text = check_text(&c.text, "choices.text", 300, true)?;
            let bad_url = |u: &str| {
                !u.starts_with("https://")
                    || u.len() > 500
                    || u.chars()
                        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c))
            };
            if c.image.as_deref().is_some_and(bad_url) {
                return Err(DomainError::invalid("choices.image", "https_url"));
            }
        }
        self.max_choices = match (self.kind, self.max_choices) {
            (PollKind::Single, None | Some(1)) => Some(1),
            (PollKind::Single, Some(_)) => {
                return Err(DomainError::invalid("max_choices", "single_choice"));
            }
            (PollKind::Multiple, None) => Some(n),
            (PollKind::Multiple, Some(k)) if (2..=n).contains(&k) => Some(k),
            (PollKind::Multiple, Some(_)) => {
                return Err(DomainError::invalid("max_choices", "range"));
            }
        };
        let opens = instant(&self.opens_at, "opens_at")?;
        let closes = instant(&self.closes_at, "closes_at")?;
        if closes <= opens {
            return Err(DomainError::invalid("closes_at", "before_opening"));
        }
        if closes - opens > time::Duration::days(MAX_WINDOW_DAYS) {
            return Err(DomainError::invalid("closes_at", "window_too_long"));
        }
        self.opens_at = crate::clock::rfc3339(opens);
        self.closes_at = crate::clock::rfc3339(closes);
        if let Eligibility::Area { area } = &mut self.eligibility {
            *area = super::eticket::parse_code(area, "eligibility.area")?;
        }
        Ok(self)
    }
}

/// A new poll, a draft.
pub fn draft(content: PollContent, now: &str) -> Result<Poll, DomainError> {
    Ok(Poll {
        id: Id::generate("pol").to_string(),
        content: content.check()?,
        status: PollStatus::Draft,
        version: 1,
        published_at: None,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    })
}

fn not_allowed(from: Phase, to: &str) -> DomainError {
    DomainError::TransitionNotAllowed {
        from: from.code().to_owned(),
        to: to.to_owned(),
    }
}

/// Where `poll` stands at `now`.
pub fn phase(poll: &Poll, now: OffsetDateTime) -> Phase {
    if poll.status == PollStatus::Draft {
        return Phase::Draft;
    }
    let at = |raw: &str| crate::clock::parse_rfc3339(raw).unwrap_or(now);
    if now < at(&poll.content.opens_at) {
        Phase::Upcoming
    } else if now < at(&poll.content.closes_at) {
        Phase::Open
    } else {
        Phase::Closed
    }
}

/// Staff rewrite a draft (a published poll's question and choices no longer
/// change: ballots were cast on them).
pub fn edit(poll: &Poll, content: PollContent, now: &str) -> Result<Poll, DomainError> {
    if poll.status != PollStatus::Draft {
        return Err(not_allowed(Phase::Upcoming, "edited"));
    }
    let mut p = poll.clone();
    p.content = content.check()?;
    p.version += 1;
    p.updated_at = now.to_owned();
    Ok(p)
}

/// Staff publish a draft whose window has not ended.
pub fn publish(poll: &Poll, now: OffsetDateTime) -> Result<Poll, DomainError> {
    if poll.status != PollStatus::Draft {
        return Err(not_allowed(phase(poll, now), "published"));
    }
    if instant(&poll.content.closes_at, "closes_at")? <= now {
        return Err(DomainError::invalid("closes_at", "in_the_past"));
    }
    let mut p = poll.clone();
    p.status = PollStatus::Published;
    p.version += 1;
    let at = crate::clock::rfc3339(now);
    p.published_at = Some(at.clone());
    p.updated_at = at;
    Ok(p)
}

/// Staff move a published poll's close while it is not over: later (more
/// time to vote), or earlier — `now` closes it at once. Never before it
/// opens, never in the past, never past the longest window; a closed poll
/// stays closed (its results may be public already).
pub fn reclose(
    poll: &Poll,
    closes_at: Option<&str>,
    now: OffsetDateTime,
) -> Result<Poll, DomainError> {
    let ph = phase(poll, now);
    if matches!(ph, Phase::Draft | Phase::Closed) {
        return Err(not_allowed(ph, "reclosed"));
    }
    let closes = match closes_at {
        Some(raw) => instant(raw, "closes_at")?,
        None => now,
    };
    if closes < now {
        return Err(DomainError::invalid("closes_at", "in_the_past"));
    }
    let opens = instant(&poll.content.opens_at, "opens_at")?;
    if closes <= opens {
        return Err(DomainError::invalid("closes_at", "before_opening"));
    }
    if closes - opens > time::Duration::days(MAX_WINDOW_DAYS) {
        return Err(DomainError::invalid("closes_at", "window_too_long"));
    }
    let mut p = poll.clone();
    p.content.closes_at = crate::clock::rfc3339(closes);
    p.version += 1;
    p.updated_at = crate::clock::rfc3339(now);
    Ok(p)
}

/// Whether the results may be shown to the public at `now`: once closed, or
/// while open when staff chose live results.
pub fn results_public(poll: &Poll, now: OffsetDateTime) -> bool {
    match phase(poll, now) {
        Phase::Closed => true,
        Phase::Open => poll.content.live_results,
        Phase::Draft | Phase::Upcoming => false,
    }
}
