//! Tracked cases of every kind — complaints, permit dossiers, information
//! requests, and next forum entries and appointments — handled one way:
//!
//! - one record ([`CaseRecord`]) and one history ([`HistoryEntry`]) per case,
//!   stored together (`store::cases`);
//! - one rule for who sees a case and in which capacity ([`access`]);
//! - one pure decision per operation ([`decide`]): it takes the actor, the case as
//!   read and the input, and returns a plan (or a [`DomainError`]) that the store
//!   writes in one transaction;
//! - one timeline shape ([`TimelineEntry`]).
//!
//! What is particular to a kind (a complaint's categories, a permit's holder, an
//! information request's legal deadlines) plugs in through [`CaseType`] and its
//! [`Policy`]; nothing of the flow is written again per kind.

pub mod access;
pub mod decide;
pub mod inbox;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use super::workflow::{Actor, CaseKind, Workflow};
use super::{DomainError, MunicipalityId, Principal, Service, StaffMember};
pub use access::{Audience, Deny, Refusal, audience};

/// A case's current state and its kind's data (`D`: the kind's own fields, or
/// `serde_json::Value` where the kind does not matter).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord<D = serde_json::Value> {
    pub kind: CaseKind,
    pub municipality: MunicipalityId,
    pub id: String,
    /// `usr_…` of the citizen who filed it.
    pub owner: String,
    pub state: String,
    /// Sequence number of the latest history entry.
    pub seq: u64,
    pub created_at: String,
    pub updated_at: String,
    /// Kind-specific fields (a complaint's category and location, a dossier's type…).
    pub data: D,
    /// Citizens who said "me too" (complaints), each counted once.
    #[serde(default)]
    pub supporters: u64,
    /// `stf_…` of the staff member it is assigned to.
    pub assigned_to: Option<String>,
    /// Closed as a duplicate of this case (same municipality and kind).
    pub duplicate_of: Option<String>,
    /// Hidden by staff (abusive content): out of every public view.
    #[serde(default)]
    pub hidden: bool,
    /// The note of the latest state change, if it had one (public, like the
    /// timeline): Open311's `status_notes` without reading the history.
    pub status_note: Option<String>,
    /// When the municipality must have acted (RFC 3339 UTC): a legal deadline or
    /// a service target. Open cases with one are on the kind's queue (GSI3
    /// `M#<m>#<KIND>#QUEUE`, by due time).
    pub due_at: Option<String>,
}

impl<D> CaseRecord<D> {
    pub fn workflow(&self) -> &'static Workflow {
        self.kind.workflow()
    }

    pub fn is_closed(&self) -> bool {
        self.workflow().is_closed(&self.state)
    }

    /// The same case with other data (typed, or as JSON).
    pub fn with_data<E>(self, data: E) -> CaseRecord<E> {
        CaseRecord {
            kind: self.kind,
            municipality: self.municipality,
            id: self.id,
            owner: self.owner,
            state: self.state,
            seq: self.seq,
            created_at: self.created_at,
            updated_at: self.updated_at,
            data,
            supporters: self.supporters,
            assigned_to: self.assigned_to,
            duplicate_of: self.duplicate_of,
            hidden: self.hidden,
            status_note: self.status_note,
            due_at: self.due_at,
        }
    }
}

impl CaseRecord<serde_json::Value> {
    /// The case with its data read as `E` (a kind's own fields).
    pub fn typed<E: DeserializeOwned>(self) -> Result<CaseRecord<E>, serde_json::Error> {
        let data = serde_json::from_value(self.data.clone())?;
        Ok(self.with_data(data))
    }
}

/// One entry of a case's history: a state change, with an optional note and
/// attachment. The current state is the latest entry's.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// 1 for the creation entry, then +1 per change.
    pub seq: u64,
    pub state: String,
    pub note: Option<String>,
    /// `usr_…` of the author, or `system`.
    pub author: String,
    pub author_role: Actor,
    /// RFC 3339, UTC.
    pub at: String,
    /// Id of an attached file of the case (a photo of the work done, a decision).
    pub attachment: Option<String>,
}

/// How the API names the file a step refers to: a complaint's photo is an
/// `attachment`, a dossier's or a request's paper a `document`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepFile {
    Attachment,
    Document,
}

impl StepFile {
    /// The request field naming the file, in errors.
    pub fn field(self) -> &'static str {
        match self {
            StepFile::Attachment => "attachment",
            StepFile::Document => "document",
        }
    }
}

/// The file a timeline step refers to, under its API name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRef {
    Attachment(String),
    Document(String),
}

/// One step of a case's timeline as the API shows it. Who made it is told by
/// role only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub seq: u64,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by: Actor,
    pub at: String,
    #[serde(flatten)]
    pub file: Option<FileRef>,
}

impl TimelineEntry {
    pub fn new(e: &HistoryEntry, named: StepFile) -> TimelineEntry {
        TimelineEntry {
            seq: e.seq,
            state: e.state.clone(),
            note: e.note.clone(),
            by: e.author_role,
            at: e.at.clone(),
            file: e.attachment.clone().map(|id| match named {
                StepFile::Attachment => FileRef::Attachment(id),
                StepFile::Document => FileRef::Document(id),
            }),
        }
    }
}

/// The timeline `audience` may read of a case's history, oldest first.
pub fn timeline<K: CaseType>(history: &[HistoryEntry], audience: Audience) -> Vec<TimelineEntry> {
    history
        .iter()
        .filter(|e| audience != Audience::Public || K::public_step(e))
        .map(|e| TimelineEntry::new(e, K::POLICY.step_file))
        .collect()
}

/// When a step must say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteRule {
    /// Never required.
    Optional,
    /// Every step staff make (a dossier's holder reads why at each stage).
    ByStaff,
    /// Steps to these states.
    To(&'static [&'static str]),
}

impl NoteRule {
    pub fn required(self, actor: Actor, to: &str) -> bool {
        match self {
            NoteRule::Optional => false,
            NoteRule::ByStaff => actor == Actor::Staff,
            NoteRule::To(states) => states.contains(&to),
        }
    }
}

/// How a kind answers those it refuses, and what it allows besides its
/// workflow. Every field is a plain value, so a kind's behaviour reads in one
/// place.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// What the case is called in error fields (`complaint`, `permit`, `request`).
    pub noun: &'static str,
    /// Who is told what about a case they may not see.
    pub unseen: Refusal,
    /// … about one they see (public, or followed) but may not move.
    pub onlooker_moves: Refusal,
    /// … about one they see but may not add a file to.
    pub onlooker_files: Refusal,
    /// Followers see the case in a capacity of their own (a dossier's holder,
    /// who proved their national ID), not only when it is public.
    pub followers_see: bool,
    /// Staff, too, may add no file once the case is closed.
    pub closed_to_staff_files: bool,
    /// Staff holding the kind's permission file cases for others (a dossier
    /// deposited at the counter); else everyone files their own.
    pub staff_file_for_others: bool,
    /// When a step must say why.
    pub note: NoteRule,
    /// How the API names a step's file.
    pub step_file: StepFile,
    /// The kind takes "me too" supports: the reason code refusing one's own.
    pub support: Option<&'static str>,
}

/// What a kind of case is, beyond the shared lifecycle.
pub trait CaseType: 'static {
    const KIND: CaseKind;
    /// The prefix of the kind's ids (`cmp`, `prm`, `air`).
    const ID_PREFIX: &'static str;
    /// The municipality's service the kind belongs to.
    const SERVICE: Service;
    const POLICY: Policy;

    /// What the kind keeps besides the shared fields.
    type Data: Serialize + DeserializeOwned + Clone + PartialEq + std::fmt::Debug + Send + Sync;
    /// The kind's own fields of a state change (an extension's reason…).
    type Fields: Send;
    /// What the kind's step rules read besides the case (the holiday calendar).
    type Env: Sync;

    /// Whether `who`, holding the kind's permission, handles this case (a
    /// member limited to some complaint categories handles those only).
    fn handles(_who: &Principal, _case: &CaseRecord<Self::Data>) -> bool {
        true
    }

    /// Whether a staff member, as recorded, may be given this case.
    fn member_handles(member: &StaffMember, _case: &CaseRecord<Self::Data>) -> bool {
        member.permissions.contains(&Self::KIND.permission())
    }

    /// Whether anyone may see the case.
    fn public(_case: &CaseRecord<Self::Data>) -> bool {
        false
    }

    /// Whether the public sees this step of a case it may see.
    fn public_step(_entry: &HistoryEntry) -> bool {
        true
    }

    /// The reference the case's people know it by (a dossier's number), for
    /// their notices.
    fn reference(_data: &Self::Data) -> Option<String> {
        None
    }

    /// The kind's own fields a staff inbox filters on (`category`, `area`…):
    /// query parameters of the same names.
    const INBOX_FIELDS: &'static [&'static str] = &[];

    /// The value of one of [`CaseType::INBOX_FIELDS`] in a case's data.
    fn inbox_field<'a>(_data: &'a Self::Data, _name: &str) -> Option<&'a str> {
        None
    }

    /// The case's cell on the kind's public map, if it is on one.
    fn map_cell(_case: &CaseRecord<Self::Data>) -> Option<String> {
        None
    }

    /// What a step changes besides the state (the kind's data, the deadline),
    /// or why it may not be taken.
    fn change(
        _change: &Change<'_, Self::Data>,
        _fields: Self::Fields,
        _env: &Self::Env,
    ) -> Result<Effects<Self::Data>, DomainError> {
        Ok(Effects::default())
    }
}

/// A step being decided: the case as read, where it goes, who takes it, when.
#[derive(Debug)]
pub struct Change<'a, D> {
    pub case: &'a CaseRecord<D>,
    pub to: &'static str,
    pub actor: Actor,
    pub now: OffsetDateTime,
}

/// What a step does to a case's deadline (and its place on the kind's queue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DueChange {
    #[default]
    Keep,
    /// Due at this time (RFC 3339 UTC), on the queue.
    Set(String),
    /// No deadline: off the queue.
    Clear,
}

impl DueChange {
    /// The due time after the change, given the one before.
    pub fn apply(&self, before: Option<String>) -> Option<String> {
        match self {
            DueChange::Keep => before,
            DueChange::Set(t) => Some(t.clone()),
            DueChange::Clear => None,
        }
    }
}

/// What a kind's rules add to a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects<D> {
    /// The kind's data after the step, when it changes.
    pub data: Option<D>,
    pub due: DueChange,
    /// A reminder of this kind (`contested`…) for the municipality's staff.
    pub tell_staff: Option<&'static str>,
}

impl<D> Default for Effects<D> {
    fn default() -> Self {
        Effects {
            data: None,
            due: DueChange::Keep,
            tell_staff: None,
        }
    }
}

#[cfg(test)]
mod tests;
