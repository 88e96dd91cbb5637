//! Committees: the municipal council and its standing, special and working
//! committees, their members (always public: who sits, in which role, for which
//! term), and their meetings (planned, held or cancelled; public or closed)
//! with numbered agenda items. Pure: the moment is passed in.

mod meeting;
mod suggested;
#[cfg(test)]
mod tests;

pub use meeting::*;
pub use suggested::{SUGGESTED, Suggestion};

use serde::{Deserialize, Serialize};
use time::Date;

use super::calendar::{format_date, parse_date};
use super::guide::check_text;
use super::{DomainError, Id, Text};

/// Members of one committee at most (a council has 12 to 60 seats).
pub const MAX_MEMBERS: usize = 80;
/// Committees of one municipality at most.
pub const MAX_COMMITTEES: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeKind {
    /// The municipal council itself.
    Council,
    /// A standing committee (the code's obligatory ones and others).
    Standing,
    /// A special committee, for one matter.
    Special,
    /// A working group.
    Working,
}

impl CommitteeKind {
    pub fn code(self) -> &'static str {
        match self {
            CommitteeKind::Council => "council",
            CommitteeKind::Standing => "standing",
            CommitteeKind::Special => "special",
            CommitteeKind::Working => "working",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    President,
    Rapporteur,
    Member,
}

impl Role {
    pub fn label(self) -> Text<&'static str> {
        match self {
            Role::President => super::tr("رئيس", "Président", "President"),
            Role::Rapporteur => super::tr("مقرّر", "Rapporteur", "Rapporteur"),
            Role::Member => super::tr("عضو", "Membre", "Member"),
        }
    }
}

/// A seat on a committee: who, in which role, for which term.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// `per_…`: the same person on several committees keeps one id (give it
    /// to seat them again); new when absent.
    pub person: Option<String>,
    /// Arabic and French.
    pub name: Text,
    pub role: Role,
    /// Term, `YYYY-MM-DD`; `until` absent while it runs.
    pub from: String,
    pub until: Option<String>,
}

/// What staff write of a committee.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeContent {
    pub kind: CommitteeKind,
    pub name: Text,
    #[serde(default)]
    pub description: Text,
    #[serde(default)]
    pub members: Vec<Member>,
    /// When it was formed, and dissolved (`YYYY-MM-DD`).
    pub from: Option<String>,
    pub until: Option<String>,
}

/// A committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    pub id: String,
    #[serde(flatten)]
    pub content: CommitteeContent,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

fn date(raw: &str, field: &'static str) -> Result<Date, DomainError> {
    parse_date(raw.trim()).ok_or_else(|| DomainError::invalid(field, "date"))
}

fn term(from: &str, until: Option<&str>, field: &'static str) -> Result<(), DomainError> {
    let start = date(from, field)?;
    if let Some(until) = until
        && date(until, field)? < start
    {
        return Err(DomainError::invalid(field, "ends_before_it_starts"));
    }
    Ok(())
}

impl CommitteeContent {
    /// Checked: names, terms within themselves, one president and one
    /// rapporteur at a time; each new member is given a person id.
    pub fn check(mut self) -> Result<CommitteeContent, DomainError> {
        self.name = check_text(&self.name, "name", 200, true)?;
        if self.description != Text::default() {
            self.description = check_text(&self.description, "description", 2000, false)?;
        }
        if let Some(from) = &self.from {
            term(from, self.until.as_deref(), "until")?;
        }
        if self.members.len() > MAX_MEMBERS {
            return Err(DomainError::LimitReached {
                what: "members",
                max: MAX_MEMBERS,
            });
        }
        for m in &mut self.members {
            m.name = check_text(&m.name, "members.name", 120, true)?;
            term(&m.from, m.until.as_deref(), "members.until")?;
            m.from = format_date(date(&m.from, "members.from")?);
            match &m.person {
                Some(p) => {
                    Id::parse("per", p)
                        .map_err(|_| DomainError::invalid("members.person", "id"))?;
                }
                None => m.person = Some(Id::generate("per").to_string()),
            }
        }
        for role in [Role::President, Role::Rapporteur] {
            let seats: Vec<&Member> = self.members.iter().filter(|m| m.role == role).collect();
            for (i, a) in seats.iter().enumerate() {
                if seats[i + 1..].iter().any(|b| overlaps(a, b)) {
                    return Err(DomainError::invalid("members.role", "one_at_a_time"));
                }
            }
        }
        Ok(self)
    }
}

/// Whether two terms share a day.
fn overlaps(a: &Member, b: &Member) -> bool {
    let end = |m: &Member| m.until.as_deref().and_then(parse_date).unwrap_or(Date::MAX);
    let start = |m: &Member| parse_date(&m.from).unwrap_or(Date::MIN);
    start(a) <= end(b) && start(b) <= end(a)
}

/// A new committee.
pub fn create(content: CommitteeContent, now: &str) -> Committee {
    Committee {
        id: Id::generate("cmt").to_string(),
        content,
        version: 1,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    }
}

/// Staff change a committee (its members with it).
pub fn edit(c: &Committee, content: CommitteeContent, now: &str) -> Committee {
    Committee {
        content,
        version: c.version + 1,
        updated_at: now.to_owned(),
        ..c.clone()
    }
}

/// Whether a member sits on `day` (`YYYY-MM-DD`).
pub fn sits(m: &Member, day: Date) -> bool {
    let from = parse_date(&m.from).unwrap_or(Date::MAX);
    let until = m.until.as_deref().and_then(parse_date).unwrap_or(Date::MAX);
    from <= day && day <= until
}
