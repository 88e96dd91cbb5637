//! What the guide answers: a procedure in a list, a procedure's page with its
//! offices (open now or not), forms and the app's actions, an office.

use baladiya::domain::calendar::Calendar;
use baladiya::domain::guide::hours::{self, OpenStatus};
use baladiya::domain::guide::overlay::{Entry, Listed, Source};
use baladiya::domain::guide::{Category, Channel, Office, Procedure};
use baladiya::domain::{Lang, MunicipalityId, Text};
use serde::Serialize;
use time::OffsetDateTime;

/// A procedure in a list.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct ProcedureItem {
    pub code: String,
    pub category: Category,
    pub category_label: &'static str,
    pub title: Text,
    /// The title in the caller's language.
    pub label: String,
    pub channels: Vec<Channel>,
    pub delay: Option<String>,
    pub free: bool,
    pub source: Source,
    /// Staff only: hidden from the public.
    pub hidden: Option<bool>,
    pub take_ticket: bool,
    pub start_dossier: bool,
}

pub fn item(l: &Listed<'_>, lang: Lang, staff: bool) -> ProcedureItem {
    let s = l.summary;
    ProcedureItem {
        code: l.code.to_owned(),
        category: s.category,
        category_label: s.category.label().pick(lang),
        title: s.title.clone(),
        label: s.title.get(lang).to_owned(),
        channels: s.channels.clone(),
        delay: s.delay.clone(),
        free: s.free,
        source: l.source,
        hidden: staff.then_some(l.hidden),
        take_ticket: l.linked,
        start_dossier: s.permit_type.is_some() && s.channels.contains(&Channel::Dossier),
    }
}

/// An office, with whether it is open now.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct OfficeView {
    #[serde(flatten)]
    pub office: Office,
    pub label: String,
    pub status: OpenStatus,
}

pub fn office(o: Office, lang: Lang, holidays: &Calendar, now: OffsetDateTime) -> OfficeView {
    OfficeView {
        label: o.name.get(lang).to_owned(),
        status: hours::status(&o.hours, holidays, now),
        office: o,
    }
}

/// A form to download.
#[derive(Debug, Serialize)]
pub struct FormView {
    pub id: String,
    pub title: Text,
    pub content_type: String,
    pub size: u64,
    pub url: String,
}

/// "Take a ticket for this": the e-ticket service to take one from.
#[derive(Debug, Serialize)]
pub struct TicketAction {
    pub agency: String,
    pub service: String,
    pub path: String,
}

/// "Start a dossier": the permit type to file it under.
#[derive(Debug, Serialize)]
pub struct DossierAction {
    pub permit_type: String,
    pub path: String,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Default)]
pub struct Actions {
    pub take_ticket: Option<TicketAction>,
    pub start_dossier: Option<DossierAction>,
}

/// A procedure's page.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct ProcedureView<'a> {
    #[serde(flatten)]
    pub procedure: &'a Procedure,
    pub label: String,
    pub category_label: &'static str,
    pub source: Source,
    /// Staff only.
    pub hidden: Option<bool>,
    /// Where to go: the offices it names, else those handling its category.
    pub offices: Vec<OfficeView>,
    pub forms: Vec<FormView>,
    pub actions: Actions,
    pub updated_at: Option<String>,
}

/// The offices a procedure sends people to.
pub fn offices_for(p: &Procedure, all: Vec<Office>) -> Vec<Office> {
    let named: Vec<&str> = p.offices().collect();
    all.into_iter()
        .filter(|o| {
            if named.is_empty() {
                o.categories.contains(&p.category)
            } else {
                named.contains(&o.code.as_str())
            }
        })
        .collect()
}

pub fn actions(m: &MunicipalityId, p: &Procedure, entry: Option<&Entry>) -> Actions {
    Actions {
        take_ticket: entry
            .and_then(|e| e.eticket.as_ref())
            .map(|l| TicketAction {
                path: format!(
                    "/v1/municipalities/{m}/agencies/{}/services/{}/tickets",
                    l.agency, l.service
                ),
                agency: l.agency.clone(),
                service: l.service.clone(),
            }),
        start_dossier: p
            .permit_type
            .as_ref()
            .filter(|_| p.channels.contains(&Channel::Dossier))
            .map(|t| DossierAction {
                permit_type: t.clone(),
                path: format!("/v1/municipalities/{m}/permits"),
            }),
    }
}
