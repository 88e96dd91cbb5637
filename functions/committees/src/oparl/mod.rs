//! A read-only view of the committees in the shape of OParl 1.1, the
//! council-information standard, so that existing OParl clients can read a
//! Tunisian municipality: one `System` per municipality, its `Body`, and the
//! external lists of `Organization` (committees), `Person` and `Membership`
//! (their seats), `Meeting` and `AgendaItem`, `File` (the committees'
//! published documents), `LegislativeTerm` (the council's), `Location` (the
//! meetings'), and `Paper` and `Consultation` (none yet). Every list takes OParl's
//! `created_since`, `created_until`, `modified_since`, `modified_until` and
//! `limit`, and keeps them in its `next` link.

mod objects;

use baladiya::domain::{Lang, Municipality, MunicipalityId};
use baladiya::http::paging::paging;
use baladiya::http::response::public_json;
use baladiya::http::{Answer, ApiError, RequestView};
use serde_json::Value;
use time::OffsetDateTime;

use crate::Ctx;
use objects::Urls;

/// What is asked of the OParl view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    System,
    Bodies,
    Body,
    Organizations,
    Organization,
    People,
    Person,
    Memberships,
    Membership,
    Meetings,
    Meeting,
    AgendaItems,
    AgendaItem,
    Files,
    File,
    LegislativeTerms,
    LegislativeTerm,
    Locations,
    Location,
    Papers,
    Consultations,
}

const FILTERS: [&str; 4] = [
    "created_since",
    "created_until",
    "modified_since",
    "modified_until",
];

/// OParl's time filters, as UTC RFC 3339 strings (what our records hold).
#[derive(Default)]
struct Window {
    bounds: [Option<String>; 4],
}

impl Window {
    /// No bound: a list keeps every object.
    fn is_open(&self) -> bool {
        self.bounds.iter().all(Option::is_none)
    }

    fn parse(query: &std::collections::HashMap<String, String>) -> Result<Window, ApiError> {
        let mut w = Window::default();
        for (i, name) in FILTERS.iter().enumerate() {
            if let Some(raw) = query.get(*name) {
                let t: OffsetDateTime =
                    baladiya::clock::parse_rfc3339(raw.trim()).ok_or_else(|| {
                        ApiError::bad_request("invalid_query")
                            .with_detail(format!("{name}: a date-time"))
                    })?;
                w.bounds[i] = Some(baladiya::clock::rfc3339(t));
            }
        }
        Ok(w)
    }

    /// Whether an object's `created` and `modified` (with their offset) are
    /// within the bounds.
    fn keeps(&self, o: &Value) -> bool {
        let utc = |k: &str| {
            o[k].as_str()
                .and_then(baladiya::clock::parse_rfc3339)
                .map(baladiya::clock::rfc3339)
                .unwrap_or_default()
        };
        let (created, modified) = (utc("created"), utc("modified"));
        let [cs, cu, ms, mu] = &self.bounds;
        cs.as_deref().is_none_or(|b| created.as_str() >= b)
            && cu.as_deref().is_none_or(|b| created.as_str() <= b)
            && ms.as_deref().is_none_or(|b| modified.as_str() >= b)
            && mu.as_deref().is_none_or(|b| modified.as_str() <= b)
    }
}

fn base(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Urls {
    let root = ctx.public_url.root(view);
    Urls {
        base: format!("{root}/oparl/v1/{m}"),
        api: format!("{root}/v1/municipalities/{m}"),
    }
}

type Params = std::collections::HashMap<String, String>;

/// A page of `list` with the same filters, at `cursor` (none: the first).
fn page_link(u: &Urls, list: &str, query: &Params, cursor: Option<&str>) -> String {
    let mut params: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| k.as_str() != "cursor")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    params.sort();
    params.extend(cursor.map(|c| ("cursor".to_owned(), c.to_owned())));
    let q: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    match q.is_empty() {
        true => u.list(list),
        false => format!("{}?{}", u.list(list), q.join("&")),
    }
}

/// This page's link: its filters and its cursor.
fn self_link(u: &Urls, list: &str, query: &Params) -> String {
    page_link(u, list, query, query.get("cursor").map(String::as_str))
}

/// The link to the next page: this list with the same filters and the cursor.
fn next_link(u: &Urls, list: &str, query: &Params, cursor: Option<String>) -> Option<String> {
    cursor.map(|c| page_link(u, list, query, Some(&c)))
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn municipality(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Municipality, ApiError> {
    let who = view.optional_principal(&ctx.verifier)?;
    baladiya::http::access::municipality(
        &ctx.store,
        m,
        baladiya::domain::Service::Committees,
        who.as_ref(),
    )
    .await
}

fn answer(v: &Value) -> Answer {
    public_json(v, 300)
}

/// Serve one OParl request.
pub async fn serve(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    kind: Kind,
    id: &str,
) -> Answer {
    let list_params = [
        "created_since",
        "created_until",
        "modified_since",
        "modified_until",
        "limit",
        "cursor",
        "omit_internal",
    ];
    let is_list = matches!(
        kind,
        Kind::Bodies
            | Kind::Organizations
            | Kind::People
            | Kind::Memberships
            | Kind::Meetings
            | Kind::AgendaItems
            | Kind::Files
            | Kind::LegislativeTerms
            | Kind::Locations
            | Kind::Papers
            | Kind::Consultations
    );
    let query = if kind == Kind::Meetings {
        view.query(&[&list_params[..], &["organization"]].concat())?
    } else if is_list {
        view.query(&list_params)?
    } else {
        view.query(&[])?
    };
    let window = Window::parse(&query)?;
    let muni = municipality(ctx, view, m).await?;
    let u = base(ctx, view, m);
    let lang = view.lang;
    let kept =
        |all: Vec<Value>| -> Vec<Value> { all.into_iter().filter(|o| window.keeps(o)).collect() };
    match kind {
        Kind::System => answer(&objects::system(&u, &muni, lang)),
        Kind::Body | Kind::Bodies => {
            let committees = ctx.store.committees(m).await?;
            let council = committees
                .iter()
                .find(|c| c.content.kind == baladiya::domain::committee::CommitteeKind::Council);
            let body = objects::body(&u, &muni, council, lang);
            if kind == Kind::Body {
                return answer(&body);
            }
            let data = kept(vec![body]);
            answer(&objects::list(
                data,
                None,
                &self_link(&u, "bodies", &query),
                None,
            ))
        }
        Kind::Organizations
        | Kind::Organization
        | Kind::People
        | Kind::Person
        | Kind::Memberships
        | Kind::Membership => {
            let committees = ctx.store.committees(m).await?;
            let all: Vec<(String, Value)> = match kind {
                Kind::Organizations | Kind::Organization => committees
                    .iter()
                    .map(|c| (c.id.clone(), objects::organization(&u, c, lang)))
                    .collect(),
                Kind::People | Kind::Person => objects::people(&committees)
                    .values()
                    .map(|p| (p.id.to_owned(), objects::person(&u, p, lang)))
                    .collect(),
                _ => committees
                    .iter()
                    .flat_map(|c| {
                        c.content.members.iter().map(|x| {
                            (
                                objects::membership_id(c, x),
                                objects::membership(&u, c, x, lang),
                            )
                        })
                    })
                    .collect::<Vec<_>>(),
            };
            if matches!(kind, Kind::Organization | Kind::Person | Kind::Membership) {
                let found = all
                    .into_iter()
                    .find(|(i, _)| i == id)
                    .ok_or_else(ApiError::not_found)?;
                return answer(&found.1);
            }
            let list = match kind {
                Kind::Organizations => "organizations",
                Kind::People => "people",
                _ => "memberships",
            };
            let data = kept(all.into_iter().map(|(_, v)| v).collect());
            answer(&objects::list(
                data,
                None,
                &self_link(&u, list, &query),
                None,
            ))
        }
        Kind::Meetings | Kind::AgendaItems | Kind::Locations => {
            let organization = query.get("organization").map(String::as_str);
            let scope = format!("oparl:{m}:{kind:?}:{}", organization.unwrap_or_default());
            let (limit, start) = paging(&ctx.cursors, &query, &scope, 50)?;
            let page = ctx
                .store
                .meetings(m, organization, true, limit, start)
                .await?;
            let committees = ctx.store.committees(m).await?;
            let name_of = |cid: &str| {
                committees
                    .iter()
                    .find(|c| c.id == cid)
                    .map(|c| c.content.name.get(lang).to_owned())
                    .unwrap_or_default()
            };
            let data: Vec<Value> = if kind == Kind::Meetings {
                // As fetched alone, files included (a meeting lists the few
                // documents published for it).
                let mut data = Vec::new();
                for mt in &page.items {
                    let files = meeting_files(ctx, &u, m, mt, lang).await?;
                    data.push(objects::meeting(
                        &u,
                        mt,
                        &name_of(&mt.committee),
                        files,
                        lang,
                    ));
                }
                data
            } else if kind == Kind::Locations {
                page.items
                    .iter()
                    .map(|mt| objects::location(&u, mt, lang))
                    .collect()
            } else {
                page.items
                    .iter()
                    .flat_map(|mt| {
                        baladiya::domain::committee::public_agenda(mt)
                            .iter()
                            .map(|i| objects::agenda_item(&u, mt, i, lang))
                            .collect::<Vec<_>>()
                    })
                    .collect()
            };
            let cursor = page.next.map(|k| ctx.cursors.encode(&scope, &k));
            let list = match kind {
                Kind::Meetings => "meetings",
                Kind::Locations => "locations",
                _ => "agenda-items",
            };
            let next = next_link(&u, list, &query, cursor);
            // One object a meeting, none filtered out: every full page holds
            // `limit`.
            let per_page =
                (kind != Kind::AgendaItems && window.is_open() && organization.is_none())
                    .then_some(limit as usize);
            answer(&objects::list(
                kept(data),
                per_page,
                &self_link(&u, list, &query),
                next,
            ))
        }
        Kind::Location => {
            let mt = meeting(ctx, m, id).await?;
            answer(&objects::location(&u, &mt, lang))
        }
        Kind::LegislativeTerms | Kind::LegislativeTerm => {
            let committees = ctx.store.committees(m).await?;
            let terms: Vec<Value> = committees
                .iter()
                .filter(|c| c.content.kind == baladiya::domain::committee::CommitteeKind::Council)
                .filter(|c| kind == Kind::LegislativeTerms || c.id == id)
                .filter_map(|c| objects::legislative_term(&u, c, lang))
                .collect();
            if kind == Kind::LegislativeTerm {
                let term = terms.into_iter().next().ok_or_else(ApiError::not_found)?;
                return answer(&term);
            }
            let this = self_link(&u, "legislative-terms", &query);
            answer(&objects::list(kept(terms), None, &this, None))
        }
        Kind::Meeting => {
            let mt = meeting(ctx, m, id).await?;
            let name = ctx
                .store
                .committee(m, &mt.committee, false)
                .await?
                .map(|c| c.content.name.get(lang).to_owned())
                .unwrap_or_default();
            let files = meeting_files(ctx, &u, m, &mt, lang).await?;
            answer(&objects::meeting(&u, &mt, &name, files, lang))
        }
        Kind::AgendaItem => {
            let (mid, number) = id.split_once('~').ok_or_else(ApiError::not_found)?;
            let mt = meeting(ctx, m, mid).await?;
            let item = baladiya::domain::committee::public_agenda(&mt)
                .into_iter()
                .find(|i| i.number.to_string() == number)
                .ok_or_else(ApiError::not_found)?;
            answer(&objects::agenda_item(&u, &mt, &item, lang))
        }
        Kind::Files => {
            let scope = format!("oparl:{m}:files");
            let (limit, start) = paging(&ctx.cursors, &query, &scope, 20)?;
            let page = ctx.store.committee_documents(m, limit, start).await?;
            let mut data = Vec::new();
            for d in &page.items {
                let versions = ctx.store.document_versions(m, &d.id).await?;
                data.extend(objects::files(&u, d, &versions, lang));
            }
            let cursor = page.next.map(|k| ctx.cursors.encode(&scope, &k));
            let next = next_link(&u, "files", &query, cursor);
            let this = self_link(&u, "files", &query);
            answer(&objects::list(kept(data), None, &this, next))
        }
        Kind::File => {
            let doc = id.split('~').next().unwrap_or_default();
            let files = document_files(ctx, &u, m, doc, lang).await?;
            let wanted = u.of("files", id);
            let f = files
                .into_iter()
                .find(|f| f["id"] == wanted.as_str())
                .ok_or_else(ApiError::not_found)?;
            answer(&f)
        }
        Kind::Papers => answer(&objects::list(
            vec![],
            None,
            &self_link(&u, "papers", &query),
            None,
        )),
        Kind::Consultations => {
            let this = self_link(&u, "consultations", &query);
            answer(&objects::list(vec![], None, &this, None))
        }
    }
}

/// A meeting of `m` by its id (404 for anything else).
async fn meeting(
    ctx: &Ctx,
    m: &MunicipalityId,
    id: &str,
) -> Result<baladiya::domain::committee::Meeting, ApiError> {
    let id = baladiya::domain::Id::parse("mtg", id).map_err(|_| ApiError::not_found())?;
    ctx.store
        .meeting(m, id.as_str(), false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The files of a published document of a committee (none for a draft, or
/// another document).
async fn document_files(
    ctx: &Ctx,
    u: &Urls,
    m: &MunicipalityId,
    doc: &str,
    lang: Lang,
) -> Result<Vec<Value>, ApiError> {
    let Ok(id) = baladiya::domain::Id::parse("doc", doc) else {
        return Ok(vec![]);
    };
    let Some(d) = ctx.store.document(m, id.as_str(), false).await? else {
        return Ok(vec![]);
    };
    if !d.is_public() || d.committee.is_none() {
        return Ok(vec![]);
    }
    let versions = ctx.store.document_versions(m, &d.id).await?;
    Ok(objects::files(u, &d, &versions, lang))
}

/// The files of the published documents a meeting lists (its minutes and
/// others): the latest version of its minutes is its `resultsProtocol`, every
/// other file an `auxiliaryFile`.
async fn meeting_files(
    ctx: &Ctx,
    u: &Urls,
    m: &MunicipalityId,
    mt: &baladiya::domain::committee::Meeting,
    lang: Lang,
) -> Result<objects::MeetingFiles, ApiError> {
    let mut out = objects::MeetingFiles::default();
    for id in &mt.documents {
        let Some(d) = ctx.store.document(m, id, false).await? else {
            continue;
        };
        if !d.is_public() {
            continue;
        }
        let versions = ctx.store.document_versions(m, &d.id).await?;
        let mut files = objects::files(u, &d, &versions, lang);
        if d.doc_type.is_minutes() && out.protocol.is_none() {
            // The latest version's first file: the record of the meeting.
            let last = versions.last().map_or(0, |v| v.files.len());
            if last > 0 {
                let at = files.len() - last;
                out.protocol = Some(files.remove(at));
            }
        }
        out.auxiliary.extend(files);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn urls() -> Urls {
        Urls {
            base: "https://api.example.tn/oparl/v1/tunis".into(),
            api: "https://api.example.tn/v1/municipalities/tunis".into(),
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_page_names_itself_and_the_next_with_the_same_filters() {
        let u = urls();
        let list = "https://api.example.tn/oparl/v1/tunis/meetings";
        // (query, self, next with cursor "c2")
        let cases = [
            (params(&[]), list.to_owned(), format!("{list}?cursor=c2")),
            (
                params(&[
                    ("modified_since", "2026-01-01T00:00:00+01:00"),
                    ("limit", "2"),
                ]),
                format!("{list}?limit=2&modified_since=2026-01-01T00%3A00%3A00%2B01%3A00"),
                format!(
                    "{list}?limit=2&modified_since=2026-01-01T00%3A00%3A00%2B01%3A00&cursor=c2"
                ),
            ),
            (
                params(&[("cursor", "c1"), ("limit", "2")]),
                format!("{list}?limit=2&cursor=c1"),
                format!("{list}?limit=2&cursor=c2"),
            ),
        ];
        for (query, this, next) in cases {
            assert_eq!(self_link(&u, "meetings", &query), this);
            assert_eq!(
                next_link(&u, "meetings", &query, Some("c2".into())),
                Some(next)
            );
            assert_eq!(next_link(&u, "meetings", &query, None), None);
        }
    }

    #[test]
    fn date_filters_compare_instants_whatever_the_offset() {
        let w = Window::parse(&params(&[("modified_since", "2026-03-01T10:00:00Z")])).unwrap();
        assert!(!w.is_open());
        let at =
            |modified: &str| json!({"created": "2026-01-01T00:00:00+01:00", "modified": modified});
        // (modified, kept)
        for (modified, kept) in [
            ("2026-03-01T11:00:00+01:00", true),
            ("2026-03-01T10:59:59+01:00", false),
            ("2026-03-02T00:00:00+01:00", true),
            ("2026-02-28T23:00:00+01:00", false),
        ] {
            assert_eq!(w.keeps(&at(modified)), kept, "{modified}");
        }
        assert!(Window::parse(&params(&[])).unwrap().is_open());
        assert!(Window::parse(&params(&[("created_until", "yesterday")])).is_err());
    }
}
