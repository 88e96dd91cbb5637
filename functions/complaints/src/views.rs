//! Answer shapes.

use baladiya::domain::complaint::{ComplaintData, Names, OfferedCategory};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::workflow::{Actor, HistoryEntry};
use baladiya::domain::{Lang, MunicipalityId};
use baladiya::store::cases::CaseRecord;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SubcategoryView {
    pub code: String,
    pub name: Names,
}

#[derive(Debug, Serialize)]
pub struct CategoryView {
    pub code: String,
    pub name: Names,
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

/// One step of a complaint's public timeline. Who made it is told by role only.
#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub seq: u64,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by: Actor,
    pub at: String,
    /// A photo of the complaint's `attachments` that goes with this step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
}

impl From<&HistoryEntry> for TimelineEntry {
    fn from(e: &HistoryEntry) -> Self {
        TimelineEntry {
            seq: e.seq,
            state: e.state.clone(),
            note: e.note.clone(),
            by: e.author_role,
            at: e.at.clone(),
            attachment: e.attachment.clone(),
        }
    }
}

/// How much of a complaint the caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Reporter,
    Staff,
}

#[derive(Debug, Serialize)]
pub struct ComplaintView {
    pub id: String,
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
    pub attachments: Option<Vec<AttachmentView>>,
    /// For "nearby" answers: metres from the point asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    /// Staff only: the Open311 client it came through, and the contact details
    /// that client gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<baladiya::domain::open311::Origin>,
}

impl ComplaintView {
    pub fn new(case: &CaseRecord, data: &ComplaintData, audience: Audience) -> ComplaintView {
        let insider = audience != Audience::Public;
        ComplaintView {
            id: case.id.clone(),
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
            mine: audience == Audience::Reporter,
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

/// A photo, with short-lived links to it and its thumbnail.
#[derive(Debug, Serialize)]
pub struct AttachmentView {
    pub id: String,
    pub status: baladiya::domain::attachment::AttachmentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: String,
}
