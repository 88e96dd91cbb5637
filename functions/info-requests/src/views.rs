//! Answer shapes.

use baladiya::domain::case::inbox::id_suffix;
use baladiya::domain::case::{Audience, CaseRecord, TimelineEntry};
use baladiya::domain::deadline::{Deadline, Rule};
use baladiya::domain::info_request::{GROUNDS, InfoRequestData};
use baladiya::domain::{Lang, MunicipalityId};
use baladiya::uploads::DocumentView;
use serde::Serialize;

/// A deadline and why, in the caller's language.
#[derive(Debug, Serialize)]
pub struct DeadlineView {
    pub rule: Rule,
    pub due_at: String,
    pub due_local: String,
    pub explanation: Vec<String>,
}

impl DeadlineView {
    pub fn new(d: &Deadline, lang: Lang) -> DeadlineView {
        DeadlineView {
            rule: d.rule,
            due_at: d.due_at.clone(),
            due_local: d.due_local.clone(),
            explanation: d
                .explanation
                .iter()
                .map(|e| match lang {
                    Lang::Ar => e.ar.clone(),
                    Lang::Fr => e.fr.clone(),
                    Lang::En => e.en.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Ground {
    pub code: String,
    pub label: String,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct InfoRequestView {
    pub id: String,
    /// The short reference the requester is told by SMS (`…/by-reference/{it}`).
    pub reference: String,
    pub municipality: MunicipalityId,
    pub state: String,
    pub information: String,
    pub access_mode: baladiya::domain::deadline::AccessMode,
    pub urgent: bool,
    pub urgent_reason: Option<String>,
    pub publish_consent: bool,
    /// Staff only.
    pub requester_name: Option<String>,
    pub received_at: String,
    /// The deadline running (none once answered, or while waiting for the
    /// requester's clarification), and why.
    pub deadline: Option<DeadlineView>,
    /// The deadline has passed without an answer.
    pub overdue: bool,
    pub extended: bool,
    pub legal_ground: Option<Ground>,
    pub redirected_to: Option<String>,
    /// Until when the requester may appeal to the head of the body.
    pub appeal_until: Option<DeadlineView>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    pub created_at: String,
    pub updated_at: String,
    pub timeline: Option<Vec<TimelineEntry>>,
    pub documents: Option<Vec<DocumentView>>,
    /// The states the caller may move it to now.
    pub next_states: Option<Vec<&'static str>>,
}

impl InfoRequestView {
    /// The request as `audience` sees it at `now`: the public (the register)
    /// without the requester's name, reasons or running deadlines.
    pub fn new(
        case: &CaseRecord<InfoRequestData>,
        audience: Audience,
        lang: Lang,
        now: &str,
    ) -> InfoRequestView {
        let data = &case.data;
        let staff = audience == Audience::Staff;
        let insider = audience.insider();
        let running = case.due_at.is_some();
        InfoRequestView {
            id: case.id.clone(),
            reference: id_suffix(&case.id),
            municipality: case.municipality.clone(),
            state: case.state.clone(),
            information: data.information.clone(),
            access_mode: data.access_mode,
            urgent: data.urgent,
            urgent_reason: if insider {
                data.urgent_reason.clone()
            } else {
                None
            },
            publish_consent: data.publish_consent,
            requester_name: if staff {
                data.requester_name.clone()
            } else {
                None
            },
            received_at: data.received_at.clone(),
            deadline: (running && insider).then(|| DeadlineView::new(&data.deadline, lang)),
            overdue: running && case.due_at.as_deref().is_some_and(|d| d < now),
            extended: data.extended,
            legal_ground: data.legal_ground.as_ref().map(|g| Ground {
                label: GROUNDS
                    .iter()
                    .find(|x| x.0 == g)
                    .map(|x| match lang {
                        Lang::Ar => x.1,
                        Lang::Fr => x.2,
                        Lang::En => x.3,
                    })
                    .unwrap_or_default()
                    .to_owned(),
                code: g.clone(),
            }),
            redirected_to: data.redirected_to.clone(),
            appeal_until: if insider {
                data.appeal_until
                    .as_ref()
                    .map(|d| DeadlineView::new(d, lang))
            } else {
                None
            },
            mine: audience == Audience::Owner,
            created_at: case.created_at.clone(),
            updated_at: case.updated_at.clone(),
            timeline: None,
            documents: None,
            next_states: None,
        }
    }
}
