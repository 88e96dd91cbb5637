//! Answer shapes.

use baladiya::documents::DocumentView;
use baladiya::domain::geo::Coordinates;
use baladiya::domain::workflow::{Actor, HistoryEntry, PERMIT};
use baladiya::domain::{Lang, MunicipalityId};
use baladiya::store::cases::CaseRecord;
use serde::Serialize;

use crate::dossier::{Channel, PermitData};

#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// How much of a dossier the caller may see, and in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Staff holding `permits` (or a platform administrator).
    Staff,
    /// The citizen who submitted it.
    Submitter,
    /// A citizen who proved the holder's national ID and follows it.
    Follower,
}

impl Audience {
    /// Whether pending documents are shown, and uploads allowed.
    pub fn insider(self) -> bool {
        matches!(self, Audience::Staff | Audience::Submitter)
    }

    /// The states the caller may move the dossier to from `state`.
    pub fn next_states(self, state: &str) -> Vec<&'static str> {
        match self {
            Audience::Staff => PERMIT.next_states(state, Actor::Staff),
            Audience::Submitter => PERMIT.next_states(state, Actor::Owner),
            Audience::Follower => Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TypeView {
    pub code: String,
    /// In the caller's language.
    pub name: &'static str,
}

/// One step of a dossier's timeline. Who made it is told by role only.
#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub seq: u64,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by: Actor,
    pub at: String,
    /// One of the dossier's `documents` that goes with this step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

impl From<&HistoryEntry> for TimelineEntry {
    fn from(e: &HistoryEntry) -> Self {
        TimelineEntry {
            seq: e.seq,
            state: e.state.clone(),
            note: e.note.clone(),
            by: e.author_role,
            at: e.at.clone(),
            document: e.attachment.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PermitView {
    pub id: String,
    pub municipality: MunicipalityId,
    pub reference: String,
    #[serde(rename = "type")]
    pub dossier_type: TypeView,
    pub state: String,
    pub closed: bool,
    pub description: String,
    pub address: String,
    pub postal_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Coordinates>,
    pub channel: Channel,
    /// The municipality's target for its decision, while the dossier is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Staff only: the holder's name as registered at the counter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// Set for the citizen who submitted it, and for a follower.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub following: bool,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<DocumentView>>,
    /// The states the caller may move it to (the buttons to show).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_states: Option<Vec<&'static str>>,
}

impl PermitView {
    /// The dossier as `audience` sees it in a list (no timeline, documents or
    /// actions).
    pub fn new(case: &CaseRecord, data: &PermitData, audience: Audience, lang: Lang) -> Self {
        PermitView {
            id: case.id.clone(),
            municipality: case.municipality.clone(),
            reference: data.reference.clone(),
            dossier_type: TypeView {
                code: data.dossier_type.clone(),
                name: data.kind().map_or("", |k| k.name(lang)),
            },
            state: case.state.clone(),
            closed: PERMIT.is_closed(&case.state),
            description: data.description.clone(),
            address: data.address.clone(),
            postal_code: data.postal_code.clone(),
            location: data.location,
            channel: data.channel,
            due_at: case.due_at.clone(),
            issued_at: data.issued_at.clone(),
            completed_at: data.completed_at.clone(),
            holder_name: match audience {
                Audience::Staff => data.holder_name.clone(),
                _ => None,
            },
            mine: audience == Audience::Submitter,
            following: audience == Audience::Follower,
            created_at: case.created_at.clone(),
            updated_at: case.updated_at.clone(),
            timeline: None,
            documents: None,
            next_states: None,
        }
    }

    /// The whole dossier: its timeline, documents and the caller's next states.
    pub fn detailed(
        mut self,
        history: &[HistoryEntry],
        documents: Vec<DocumentView>,
        audience: Audience,
    ) -> Self {
        self.timeline = Some(history.iter().map(TimelineEntry::from).collect());
        self.documents = Some(documents);
        self.next_states = Some(audience.next_states(&self.state));
        self
    }
}
