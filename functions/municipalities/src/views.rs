//! What the API answers: the public shapes of municipalities and staff.

use std::collections::BTreeMap;

use baladiya::domain::Text;
use baladiya::domain::tenancy::{Contact, GOVERNORATES};
use baladiya::domain::{
    Coordinates, Governorate, LocalizedText, Municipality, Permission, Service, ServiceState,
    StaffMember,
};
use serde::Serialize;

#[derive(Serialize)]
pub struct GovernorateView {
    pub code: &'static str,
    pub slug: &'static str,
    pub name: Text<&'static str>,
}

impl From<&Governorate> for GovernorateView {
    fn from(g: &Governorate) -> Self {
        GovernorateView {
            code: g.code,
            slug: g.slug,
            name: g.name,
        }
    }
}

pub fn governorates() -> Vec<GovernorateView> {
    GOVERNORATES.iter().map(GovernorateView::from).collect()
}

#[derive(Serialize)]
pub struct MunicipalityView<'a> {
    pub id: &'a str,
    pub governorate: Option<GovernorateView>,
    pub name: &'a LocalizedText,
    pub status: ServiceState,
    pub services: &'a BTreeMap<Service, ServiceState>,
    pub contact: &'a Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center: Option<&'a Coordinates>,
    pub updated_at: &'a str,
}

impl<'a> From<&'a Municipality> for MunicipalityView<'a> {
    fn from(m: &'a Municipality) -> Self {
        MunicipalityView {
            id: m.id.as_str(),
            governorate: Governorate::by_code(&m.governorate)
                .ok()
                .map(GovernorateView::from),
            name: &m.name,
            status: m.status,
            services: &m.services,
            contact: &m.contact,
            center: m.center.as_ref(),
            updated_at: &m.updated_at,
        }
    }
}

#[derive(Serialize)]
pub struct StaffView<'a> {
    pub id: &'a str,
    pub municipality: &'a str,
    /// Shown in full to those who manage staff: they need it to reach the person.
    pub phone: &'a str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    pub permissions: Vec<Permission>,
    pub complaint_categories: Option<Vec<&'a str>>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

impl<'a> From<&'a StaffMember> for StaffView<'a> {
    fn from(s: &'a StaffMember) -> Self {
        StaffView {
            id: s.id.as_str(),
            municipality: s.municipality.as_str(),
            phone: s.phone.e164(),
            name: &s.name,
            title: s.title.as_deref(),
            permissions: s.permissions.iter().copied().collect(),
            complaint_categories: s
                .complaint_categories
                .as_ref()
                .map(|c| c.iter().map(String::as_str).collect()),
            created_at: &s.created_at,
            updated_at: &s.updated_at,
        }
    }
}
