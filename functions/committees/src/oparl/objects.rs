//! Our committees, meetings and documents as OParl 1.1 objects: a mapping,
//! with every id an absolute URL under the municipality's OParl base
//! (`…/oparl/v1/<m>`), texts in the reader's language, and `created` /
//! `modified` on every object, embedded ones too (so a client syncs changes
//! with `modified_since`).

use std::collections::BTreeMap;

use baladiya::domain::committee::{
    AgendaItem, Committee, CommitteeKind, Meeting, MeetingStatus, Member, Role, in_tunis,
};
use baladiya::domain::document::{Document, Version};
use baladiya::domain::{Lang, Municipality};
use serde_json::{Map, Value, json};

pub const VERSION: &str = "https://schema.oparl.org/1.1/";

fn ty(name: &str) -> String {
    format!("{VERSION}{name}")
}

/// Where the objects of one municipality live.
pub struct Urls {
    pub base: String,
    /// The public API's base (`…/v1/municipalities/<m>`), for `web` links.
    pub api: String,
}

impl Urls {
    pub fn of(&self, kind: &str, id: &str) -> String {
        format!("{}/{kind}/{id}", self.base)
    }
    pub fn list(&self, kind: &str) -> String {
        format!("{}/{kind}", self.base)
    }
    pub fn body(&self) -> String {
        format!("{}/body", self.base)
    }
}

/// An object's common properties; its times as OParl writes them, with the
/// offset (Tunis time).
fn object(kind: &str, id: String, created: &str, modified: &str) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("id".into(), json!(id));
    o.insert("type".into(), json!(ty(kind)));
    o.insert("created".into(), json!(in_tunis(created)));
    o.insert("modified".into(), json!(in_tunis(modified)));
    o
}

/// The system: one per municipality, with its one body.
pub fn system(u: &Urls, muni: &Municipality, lang: Lang) -> Value {
    let mut o = object("System", u.base.clone(), &muni.created_at, &muni.updated_at);
    o.insert("oparlVersion".into(), json!(VERSION));
    o.insert("body".into(), json!(u.list("bodies")));
    o.insert(
        "name".into(),
        json!(format!("Baladiya — {}", muni.name.best(lang))),
    );
    if let Some(email) = &muni.contact.email {
        o.insert("contactEmail".into(), json!(email));
    }
    if let Some(site) = &muni.contact.website {
        o.insert("website".into(), json!(site));
    }
    o.insert("product".into(), json!("https://github.com/baladiya"));
    Value::Object(o)
}

/// The body: the municipality, with its lists and legislative terms (the
/// council's term, when recorded).
pub fn body(u: &Urls, muni: &Municipality, council: Option<&Committee>, lang: Lang) -> Value {
    let mut o = object("Body", u.body(), &muni.created_at, &muni.updated_at);
    o.insert("system".into(), json!(u.base));
    o.insert("name".into(), json!(muni.name.best(lang)));
    o.insert("shortName".into(), json!(muni.id.as_str()));
    for (key, list) in [
        ("organization", "organizations"),
        ("person", "people"),
        ("meeting", "meetings"),
        ("paper", "papers"),
        ("agendaItem", "agenda-items"),
        ("membership", "memberships"),
        ("file", "files"),
        ("consultation", "consultations"),
        ("locationList", "locations"),
        ("legislativeTermList", "legislative-terms"),
    ] {
        o.insert(key.into(), json!(u.list(list)));
    }
    let terms: Vec<Value> = council
        .and_then(|c| legislative_term(u, c, lang))
        .into_iter()
        .collect();
    o.insert("legislativeTerm".into(), json!(terms));
    o.insert("classification".into(), json!("Municipality"));
    if let Some(site) = &muni.contact.website {
        o.insert("website".into(), json!(site));
    }
    Value::Object(o)
}

/// The council's term, when recorded, as the body's legislative term.
pub fn legislative_term(u: &Urls, c: &Committee, lang: Lang) -> Option<Value> {
    let from = c.content.from.as_ref()?;
    let mut t = object(
        "LegislativeTerm",
        u.of("legislative-terms", &c.id),
        &c.created_at,
        &c.updated_at,
    );
    t.insert("body".into(), json!(u.body()));
    t.insert("name".into(), json!(c.content.name.get(lang)));
    t.insert("startDate".into(), json!(from));
    if let Some(until) = &c.content.until {
        t.insert("endDate".into(), json!(until));
    }
    Some(Value::Object(t))
}

/// Where a meeting takes place (one location per meeting: its place's text).
pub fn location(u: &Urls, mt: &Meeting, lang: Lang) -> Value {
    let mut place = object(
        "Location",
        u.of("locations", &mt.id),
        &mt.created_at,
        &mt.updated_at,
    );
    place.insert("description".into(), json!(mt.content.place.get(lang)));
    place.insert("meetings".into(), json!([u.of("meetings", &mt.id)]));
    Value::Object(place)
}

fn organization_type(kind: CommitteeKind) -> &'static str {
    // OParl's usual values: "Gremium" for a council or committee, "Sonstiges".
    match kind {
        CommitteeKind::Council | CommitteeKind::Standing | CommitteeKind::Special => "Gremium",
        CommitteeKind::Working => "Sonstiges",
    }
}

/// A committee as an organization.
pub fn organization(u: &Urls, c: &Committee, lang: Lang) -> Value {
    let mut o = object(
        "Organization",
        u.of("organizations", &c.id),
        &c.created_at,
        &c.updated_at,
    );
    o.insert("body".into(), json!(u.body()));
    o.insert("name".into(), json!(c.content.name.get(lang)));
    o.insert(
        "organizationType".into(),
        json!(organization_type(c.content.kind)),
    );
    o.insert("classification".into(), json!(c.content.kind.code()));
    let memberships: Vec<String> = c
        .content
        .members
        .iter()
        .map(|m| u.of("memberships", &membership_id(c, m)))
        .collect();
    o.insert("membership".into(), json!(memberships));
    o.insert(
        "meeting".into(),
        json!(format!("{}?organization={}", u.list("meetings"), c.id)),
    );
    if let Some(from) = &c.content.from {
        o.insert("startDate".into(), json!(from));
    }
    if let Some(until) = &c.content.until {
        o.insert("endDate".into(), json!(until));
    }
    o.insert(
        "web".into(),
        json!(format!("{}/committees/{}", u.api, c.id)),
    );
    Value::Object(o)
}

/// A seat's id: the committee, the person, the term's start.
pub fn membership_id(c: &Committee, m: &Member) -> String {
    format!(
        "{}~{}~{}",
        c.id,
        m.person.as_deref().unwrap_or("per"),
        m.from
    )
}

fn role(r: Role, lang: Lang) -> &'static str {
    r.label().pick(lang)
}

/// A seat as a membership.
pub fn membership(u: &Urls, c: &Committee, m: &Member, lang: Lang) -> Value {
    let mut o = object(
        "Membership",
        u.of("memberships", &membership_id(c, m)),
        &c.created_at,
        &c.updated_at,
    );
    o.insert(
        "person".into(),
        json!(u.of("people", m.person.as_deref().unwrap_or_default())),
    );
    o.insert("organization".into(), json!(u.of("organizations", &c.id)));
    o.insert("role".into(), json!(role(m.role, lang)));
    o.insert("votingRight".into(), json!(true));
    o.insert("startDate".into(), json!(m.from));
    if let Some(until) = &m.until {
        o.insert("endDate".into(), json!(until));
    }
    Value::Object(o)
}

/// A person and their seats, gathered from every committee.
pub struct PersonSeats<'a> {
    pub id: &'a str,
    pub seats: Vec<(&'a Committee, &'a Member)>,
}

/// Every person who sits or sat on a committee, by id.
pub fn people(committees: &[Committee]) -> BTreeMap<&str, PersonSeats<'_>> {
    let mut out: BTreeMap<&str, PersonSeats<'_>> = BTreeMap::new();
    for c in committees {
        for m in &c.content.members {
            let Some(id) = m.person.as_deref() else {
                continue;
            };
            out.entry(id)
                .or_insert_with(|| PersonSeats { id, seats: vec![] })
                .seats
                .push((c, m));
        }
    }
    out
}

/// A person, their memberships embedded; created and modified are the
/// earliest and latest of the committees that seat them.
pub fn person(u: &Urls, p: &PersonSeats<'_>, lang: Lang) -> Value {
    let created = p
        .seats
        .iter()
        .map(|(c, _)| c.created_at.as_str())
        .min()
        .unwrap_or_default();
    let modified = p
        .seats
        .iter()
        .map(|(c, _)| c.updated_at.as_str())
        .max()
        .unwrap_or_default();
    let mut o = object("Person", u.of("people", p.id), created, modified);
    o.insert("body".into(), json!(u.body()));
    let name = p
        .seats
        .last()
        .map(|(_, m)| m.name.get(lang))
        .unwrap_or_default();
    o.insert("name".into(), json!(name));
    let seats: Vec<Value> = p
        .seats
        .iter()
        .map(|(c, m)| membership(u, c, m, lang))
        .collect();
    o.insert("membership".into(), json!(seats));
    Value::Object(o)
}

/// OParl's meeting states, in words: "scheduled", "held", "cancelled".
fn meeting_state(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Planned => "scheduled",
        MeetingStatus::Held => "held",
        MeetingStatus::Cancelled => "cancelled",
    }
}

/// One agenda item (the public one for a closed item: its number only).
pub fn agenda_item(u: &Urls, mt: &Meeting, item: &AgendaItem, lang: Lang) -> Value {
    let mut o = object(
        "AgendaItem",
        u.of("agenda-items", &format!("{}~{}", mt.id, item.number)),
        &mt.created_at,
        &mt.updated_at,
    );
    o.insert("meeting".into(), json!(u.of("meetings", &mt.id)));
    o.insert("number".into(), json!(item.number.to_string()));
    // Its place in the meeting's `agendaItem`, from 0.
    o.insert("order".into(), json!(item.number.saturating_sub(1)));
    o.insert("name".into(), json!(item.title.get(lang)));
    o.insert("public".into(), json!(item.public));
    if let Some(d) = &item.decision {
        o.insert("resolutionText".into(), json!(d.get(lang)));
    }
    Value::Object(o)
}

/// A meeting's files: its published minutes, the others.
#[derive(Default)]
pub struct MeetingFiles {
    pub protocol: Option<Value>,
    pub auxiliary: Vec<Value>,
}

/// A meeting, its agenda embedded (as the public may read it), its files.
pub fn meeting(
    u: &Urls,
    mt: &Meeting,
    committee_name: &str,
    files: MeetingFiles,
    lang: Lang,
) -> Value {
    let mut o = object(
        "Meeting",
        u.of("meetings", &mt.id),
        &mt.created_at,
        &mt.updated_at,
    );
    let name = mt
        .content
        .name
        .as_ref()
        .map_or(committee_name, |n| n.get(lang));
    o.insert("name".into(), json!(name));
    o.insert("meetingState".into(), json!(meeting_state(mt.status)));
    o.insert(
        "cancelled".into(),
        json!(mt.status == MeetingStatus::Cancelled),
    );
    o.insert("start".into(), json!(in_tunis(&mt.content.start)));
    if let Some(end) = &mt.content.end {
        o.insert("end".into(), json!(in_tunis(end)));
    }
    o.insert("location".into(), location(u, mt, lang));
    o.insert(
        "organization".into(),
        json!([u.of("organizations", &mt.committee)]),
    );
    let agenda: Vec<Value> = baladiya::domain::committee::public_agenda(mt)
        .iter()
        .map(|i| agenda_item(u, mt, i, lang))
        .collect();
    o.insert("agendaItem".into(), json!(agenda));
    if let Some(p) = files.protocol {
        o.insert("resultsProtocol".into(), p);
    }
    if !files.auxiliary.is_empty() {
        o.insert("auxiliaryFile".into(), json!(files.auxiliary));
    }
    o.insert("web".into(), json!(format!("{}/meetings/{}", u.api, mt.id)));
    Value::Object(o)
}

/// A file id: the document, its version, the file.
pub fn file_id(d: &Document, v: &Version, att: &str) -> String {
    format!("{}~{}~{}", d.id, v.number, att)
}

/// Each file of each version of a published document.
pub fn files(u: &Urls, d: &Document, versions: &[Version], lang: Lang) -> Vec<Value> {
    let mut out = Vec::new();
    for v in versions {
        for f in &v.files {
            // Modified when it became public, if later than its version.
            let modified = d
                .published_at
                .as_deref()
                .filter(|p| *p > v.created_at.as_str())
                .unwrap_or(&v.created_at);
            let mut o = object(
                "File",
                u.of("files", &file_id(d, v, &f.id)),
                &v.created_at,
                modified,
            );
            o.insert(
                "name".into(),
                json!(format!("{} (v{})", d.title.get(lang), v.number)),
            );
            o.insert("fileName".into(), json!(f.name));
            o.insert("mimeType".into(), json!(f.content_type));
            o.insert("size".into(), json!(f.size));
            o.insert(
                "date".into(),
                json!(v.created_at.get(..10).unwrap_or_default()),
            );
            // A stable link that redirects to a fresh download link.
            let at = format!(
                "{}/documents/{}/versions/{}/files/{}",
                u.api, d.id, v.number, f.id
            );
            o.insert("accessUrl".into(), json!(at));
            o.insert("downloadUrl".into(), json!(at));
            o.insert("web".into(), json!(format!("{}/documents/{}", u.api, d.id)));
            if let Some(m) = &d.meeting {
                o.insert("meeting".into(), json!([u.of("meetings", m)]));
            }
            out.push(Value::Object(o));
        }
    }
    out
}

/// A page of an external list: `data`, `pagination` (`elementsPerPage` where
/// every page but the last holds that many), `links` (`self`, and `next` on
/// every page but the last).
pub fn list(data: Vec<Value>, per_page: Option<usize>, this: &str, next: Option<String>) -> Value {
    let mut links = Map::new();
    links.insert("self".into(), json!(this));
    if let Some(n) = next {
        links.insert("next".into(), json!(n));
    }
    let mut pagination = Map::new();
    if let Some(n) = per_page {
        pagination.insert("elementsPerPage".into(), json!(n));
    }
    json!({
        "data": data,
        "pagination": pagination,
        "links": links,
    })
}
