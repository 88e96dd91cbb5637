//! Answer shapes.

use baladiya::domain::case::inbox::id_suffix;
use baladiya::domain::case::{Audience, CaseRecord, TimelineEntry};
use baladiya::domain::complaint::{ComplaintData, OfferedCategory};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::text::Text;
use baladiya::domain::{Lang, MunicipalityId};
use baladiya::uploads::PhotoView;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct SubcategoryView {
    pub code: String,
    pub name: Text,
}

#[derive(Debug, Serialize)]
pub struct CategoryView {
    pub code: String,
    pub name: Text,
    /// The name in the caller's language.
    pub label: String,
    pub active: bool,
    pub subcategories: Vec<SubcategoryView>,
}

impl CategoryView {
    pub fn new(c: &OfferedCategory, lang: Lang) -> CategoryView {
        CategoryView {
            code: c.code.clone(),
            label: c.name.get(lang).to_owned(),
            name: c.name.clone(),
            active: c.active,
            subcategories: c
                .subcategories
                .iter()
                .map(|s| SubcategoryView {
                    code: s.code.clone(),
                    name: s.name.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ComplaintView {
    pub id: String,
    /// The short reference the reporter is told by SMS (`…/by-reference/{it}`).
    pub reference: String,
    pub municipality: MunicipalityId,
    pub state: String,
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcategory: Option<String>,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Coordinates>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    pub public: bool,
    /// Citizens who said "me too".
    pub supporters: u64,
    /// Closed as a duplicate of this complaint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Staff only: who handles it, and whether it is hidden from the public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// The reporter's name, unless they asked to hide it (staff always see it).
    pub reporter_name: Option<String>,
    /// Set for the reporter themself.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_name: Option<bool>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
    /// Photos: ready ones for everyone who sees the complaint; pending and
    /// rejected ones too for the reporter and staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<PhotoView>>,
    /// For "nearby" answers: metres from the point asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    /// Staff only: the Open311 client it came through, and the contact details
    /// that client gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<baladiya::domain::open311::Origin>,
}

impl ComplaintView {
    /// The complaint as `audience` sees it: the public sees neither who
    /// handles it nor a hidden name; its reporter and staff see everything but
    /// the staff's own fields (assignment, moderation, the Open311 origin).
    pub fn new(case: &CaseRecord<ComplaintData>, audience: Audience) -> ComplaintView {
        let data = &case.data;
        let insider = audience.insider();
        ComplaintView {
            id: case.id.clone(),
            reference: id_suffix(&case.id),
            municipality: case.municipality.clone(),
            state: case.state.clone(),
            category: data.category.clone(),
            subcategory: data.subcategory.clone(),
            description: data.description.clone(),
            location: data.location,
            address: data.address.clone(),
            area: data.area.clone(),
            public: data.public,
            supporters: case.supporters,
            duplicate_of: case.duplicate_of.clone(),
            assigned_to: if audience == Audience::Staff {
                case.assigned_to.clone()
            } else {
                None
            },
            hidden: (audience == Audience::Staff).then_some(case.hidden),
            reporter_name: if insider || !data.hide_name {
                data.reporter_name.clone()
            } else {
                None
            },
            mine: audience == Audience::Owner,
            hide_name: insider.then_some(data.hide_name),
            created_at: case.created_at.clone(),
            updated_at: case.updated_at.clone(),
            timeline: None,
            attachments: None,
            distance_m: None,
            origin: if audience == Audience::Staff {
                data.origin.clone()
            } else {
                None
            },
        }
    }
}
