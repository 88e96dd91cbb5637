//! Answer shapes.

use baladiya::domain::appointment::AppointmentData;
use baladiya::domain::case::inbox::id_suffix;
use baladiya::domain::case::{Audience, CaseRecord, TimelineEntry};
use baladiya::domain::{MunicipalityId, Text};
use baladiya::uploads::DocumentView;
use serde::Serialize;

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct AppointmentView {
    pub id: String,
    /// The short reference the person is told.
    pub reference: String,
    pub municipality: MunicipalityId,
    pub state: String,
    pub host: String,
    pub host_name: Text,
    pub starts_at: String,
    pub ends_at: String,
    /// Its start on the clocks of Tunis (`2026-12-05T09:30:00+01:00`).
    pub starts_local: String,
    pub reason: String,
    pub moved: u32,
    pub checked_in_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The person's account (staff only).
    pub owner: Option<String>,
    pub path: String,
    pub ics: String,
    pub timeline: Option<Vec<TimelineEntry>>,
    pub documents: Option<Vec<DocumentView>>,
    pub next_states: Option<Vec<&'static str>>,
}

impl AppointmentView {
    pub fn new(c: &CaseRecord<AppointmentData>, audience: Audience) -> AppointmentView {
        let path = format!(
            "/v1/municipalities/{}/appointments/{}",
            c.municipality, c.id
        );
        let starts_local = baladiya::clock::parse_rfc3339(&c.data.starts_at)
            .map(|t| {
                baladiya::domain::eticket::local(t)
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default();
        AppointmentView {
            id: c.id.clone(),
            reference: id_suffix(&c.id),
            municipality: c.municipality.clone(),
            state: c.state.clone(),
            host: c.data.host.clone(),
            host_name: c.data.host_name.clone(),
            starts_at: c.data.starts_at.clone(),
            ends_at: c.data.ends_at.clone(),
            starts_local,
            reason: c.data.reason.clone(),
            moved: c.data.moved,
            checked_in_at: c.data.checked_in_at.clone(),
            created_at: c.created_at.clone(),
            updated_at: c.updated_at.clone(),
            owner: (audience == Audience::Staff).then(|| c.owner.clone()),
            ics: format!("{path}/calendar.ics"),
            path,
            timeline: None,
            documents: None,
            next_states: None,
        }
    }
}
