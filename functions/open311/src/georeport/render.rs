//! GeoReport's documents: services, attributes and requests as nodes that
//! render as XML or JSON (`crate::doc`).

use super::*;

pub(super) fn contact_line(name: &str, c: &Contact) -> String {
    let mut parts = vec![name.to_owned()];
    parts.extend(c.email.iter().cloned());
    parts.extend(c.phone.iter().cloned());
    parts.extend(c.website.iter().cloned());
    parts.join(" — ")
}

/// What an attribute is called in `lang`.
pub(super) fn label(lang: Lang, ar: &str, fr: &str, en: &str) -> String {
    match lang {
        Lang::Ar => ar,
        Lang::Fr => fr,
        Lang::En => en,
    }
    .to_owned()
}

pub(super) fn service_node(c: &OfferedCategory, lang: Lang, has_areas: bool) -> Node {
    // The description gives the name in the other languages.
    let mut names = vec![c.name.ar.clone(), c.name.fr.clone()];
    names.extend(Some(c.name.en.clone()).filter(|e| !e.is_empty()));
    names.dedup();
    let keywords: Vec<&str> = c.subcategories.iter().map(|s| s.name.get(lang)).collect();
    Node::Object(vec![
        ("service_code", Node::text(&c.code)),
        ("service_name", Node::text(c.name.get(lang))),
        ("description", Node::text(names.join(" / "))),
        (
            "metadata",
            Node::Bool(!c.subcategories.is_empty() || has_areas),
        ),
        ("type", Node::text("realtime")),
        (
            "keywords",
            Node::opt((!keywords.is_empty()).then(|| keywords.join(", "))),
        ),
        (
            "group",
            Node::text(label(lang, "شكاوى", "Réclamations", "Complaints")),
        ),
    ])
}

pub(super) fn attribute_node(
    code: &str,
    order: usize,
    description: String,
    values: Vec<Node>,
) -> Node {
    Node::Object(vec![
        ("variable", Node::Bool(true)),
        ("code", Node::text(code)),
        ("datatype", Node::text("singlevaluelist")),
        ("required", Node::Bool(false)),
        ("datatype_description", Node::Null),
        ("order", Node::Integer(order as i64)),
        ("description", Node::text(description)),
        ("values", Node::List("value", values)),
    ])
}

/// What a request looks like to GeoReport.
pub(super) struct Names<'a> {
    pub(super) categories: &'a [OfferedCategory],
    pub(super) agency: &'a str,
    pub(super) lang: Lang,
}

pub(super) fn request_node(case: &CaseRecord, data: &ComplaintData, names: &Names<'_>) -> Node {
    let service_name = names
        .categories
        .iter()
        .find(|c| c.code == data.category)
        .map_or(data.category.as_str(), |c| c.name.get(names.lang));
    let coordinate = |v: Option<f64>| v.map_or(Node::Null, Node::Number);
    Node::Object(vec![
        ("service_request_id", Node::text(&case.id)),
        ("status", Node::text(open311::status(&case.state))),
        ("status_notes", Node::opt(case.status_note.clone())),
        ("service_name", Node::text(service_name)),
        ("service_code", Node::text(&data.category)),
        (
            "description",
            Node::opt(Some(&data.description).filter(|d| !d.trim().is_empty())),
        ),
        ("agency_responsible", Node::text(names.agency)),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::text(&case.created_at)),
        ("updated_datetime", Node::text(&case.updated_at)),
        ("expected_datetime", Node::Null),
        ("address", Node::opt(data.address.clone())),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", coordinate(data.location.map(|c| c.lat))),
        ("long", coordinate(data.location.map(|c| c.lon))),
        (
            "media_url",
            Node::opt(data.origin.as_ref().and_then(|o| o.media_url.clone())),
        ),
    ])
}
