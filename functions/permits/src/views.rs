//! Answer shapes.

use baladiya::domain::case::{Audience, CaseRecord, HistoryEntry, TimelineEntry, timeline};
use baladiya::domain::permit::{Channel, Permit, PermitData};
use baladiya::domain::workflow::PERMIT;
use baladiya::domain::{Coordinates, Lang, MunicipalityId};
use baladiya::uploads::DocumentView;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct TypeView {
    pub code: String,
    /// In the caller's language.
    pub name: &'static str,
}

#[serde_with::skip_serializing_none]
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
    pub location: Option<Coordinates>,
    pub channel: Channel,
    /// The municipality's target for its decision, while the dossier is open.
    pub due_at: Option<String>,
    pub issued_at: Option<String>,
    pub completed_at: Option<String>,
    /// Staff only: the holder's name as registered at the counter.
    pub holder_name: Option<String>,
    /// Set for the citizen who submitted it, and for a follower.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub following: bool,
    pub created_at: String,
    pub updated_at: String,
    pub timeline: Option<Vec<TimelineEntry>>,
    pub documents: Option<Vec<DocumentView>>,
    /// The states the caller may move it to (the buttons to show).
    pub next_states: Option<Vec<&'static str>>,
}

impl PermitView {
    /// The dossier as `audience` sees it in a list (no timeline, documents or
    /// actions).
    pub fn new(case: &CaseRecord<PermitData>, audience: Audience, lang: Lang) -> Self {
        let data = &case.data;
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
            mine: audience == Audience::Owner,
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
        self.timeline = Some(timeline::<Permit>(history, audience));
        self.documents = Some(documents);
        self.next_states = audience.next_states(PERMIT.kind, &self.state);
        self
    }
}
