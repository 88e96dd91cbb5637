//! iCalendar feeds (`text/calendar`): the municipality's — its events, its
//! council and committee meetings, its tender and job deadlines and its office
//! closures, each kind on its own with `?kinds=` — a category's
//! (`?category=`), a committee's (`?committee=`), and one file per event.
//! A window of about three months back and a year ahead. Each answer's
//! `ETag` is the digest of its bytes (`http::finish`): a calendar app that
//! polls gets a 304 while nothing changed.

use baladiya::domain::event::EventCategory;
use baladiya::domain::event::feed::{self, Frame, Kind};
use baladiya::domain::ical::{self, Calendar, Entry};
use baladiya::domain::news::{NewsCategory, NewsStatus};
use baladiya::domain::{Lang, MunicipalityId, Service, Text};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::StoreError;
use http::StatusCode;
use lambda_http::{Body, Response};
use time::OffsetDateTime;

use crate::Ctx;
use crate::events::load;

/// Entries a feed carries at most of one kind (a year of a large city).
const MAX_PER_KIND: usize = 2000;

fn lang_of(view: &RequestView<'_>, raw: Option<&String>) -> Result<Lang, ApiError> {
    match raw {
        None => Ok(view.lang),
        Some(l) => Lang::from_code(l).ok_or_else(|| {
            ApiError::bad_request("invalid_query").with_detail("lang: ar, fr or en")
        }),
    }
}

fn calendar_answer(cal: &Calendar, filename: &str) -> Answer {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/calendar; charset=utf-8")
        .header(
            "content-disposition",
            format!("inline; filename=\"{filename}.ics\""),
        )
        // Apps poll; a proxy may keep it five minutes.
        .header("cache-control", "public, max-age=300")
        .body(Body::Text(ical::render(cal)))
        .map_err(|_| ApiError::internal())
}

fn name_of(t: &baladiya::domain::LocalizedText, lang: Lang) -> String {
    let (ar, fr) = (t.ar.as_deref().unwrap_or(""), t.fr.as_deref().unwrap_or(""));
    match lang {
        Lang::Ar if !ar.is_empty() => ar.to_owned(),
        _ if !fr.is_empty() => fr.to_owned(),
        _ => ar.to_owned(),
    }
}

/// `GET …/events/{id}/calendar.ics`: one event, for "add to my calendar".
pub async fn event(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let query = view.query(&["lang"])?;
    let lang = lang_of(view, query.get("lang"))?;
    let who = view.optional_principal(&ctx.verifier)?;
    let muni =
        baladiya::http::access::municipality(&ctx.store, m, Service::Events, who.as_ref()).await?;
    let (e, _) = load(ctx, m, id, false).await?;
    let root = ctx.public_url.root(view);
    let frame = Frame {
        municipality: m,
        root: &root,
        lang,
    };
    let cal = Calendar {
        name: name_of(&muni.name, lang),
        description: None,
        entries: feed::event(&frame, &e).into_iter().collect(),
    };
    calendar_answer(&cal, &e.id)
}

/// `GET …/calendar.ics[?kinds&category&committee&lang]`: the feed.
pub async fn feed(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["kinds", "category", "committee", "lang"])?;
    let lang = lang_of(view, query.get("lang"))?;
    let category = match query.get("category") {
        None => None,
        Some(c) => Some(EventCategory::from_code(c).ok_or_else(|| {
            ApiError::bad_request("invalid_query").with_detail("category: unknown")
        })?),
    };
    let committee = query.get("committee").cloned();
    let mut kinds = Kind::parse_list(query.get("kinds").map(String::as_str)).map_err(|_| {
        ApiError::bad_request("invalid_query")
            .with_detail("kinds: events, meetings, tenders, jobs, closures")
    })?;
    // A category's feed is of events; a committee's, of its events and meetings.
    if category.is_some() {
        kinds.retain(|k| *k == Kind::Events);
    }
    if committee.is_some() {
        kinds.retain(|k| matches!(k, Kind::Events | Kind::Meetings));
    }
    if kinds.is_empty() {
        return Err(ApiError::bad_request("invalid_query")
            .with_detail("kinds: none left with this category or committee"));
    }
    let who = view.optional_principal(&ctx.verifier)?;
    let muni =
        baladiya::http::access::municipality(&ctx.store, m, Service::Events, who.as_ref()).await?;
    let committee_name = match &committee {
        Some(c) => {
            let found = baladiya::domain::Id::parse("cmt", c)
                .ok()
                .map(|_| ctx.store.committee(m, c, false));
            let found = match found {
                Some(f) => f.await?,
                None => None,
            };
            Some(found.ok_or_else(ApiError::not_found)?.content.name)
        }
        None => None,
    };
    let root = ctx.public_url.root(view);
    let frame = Frame {
        municipality: m,
        root: &root,
        lang,
    };
    let window = feed::window(view.now);
    let mut entries = Vec::new();
    for kind in &kinds {
        let got = entries_of(ctx, &frame, *kind, category, committee.as_deref(), window).await?;
        entries.extend(got);
    }
    feed::sort(&mut entries);
    let mut name = name_of(&muni.name, lang);
    if let Some(c) = category {
        name = format!("{name} · {}", category_name(c, lang));
    }
    if let Some(c) = &committee_name {
        name = format!("{name} · {}", c.get(lang));
    }
    if kinds.len() < Kind::ALL.len() && category.is_none() && committee.is_none() {
        let list: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
        name = format!("{name} · {}", list.join(", "));
    }
    let cal = Calendar {
        name,
        description: None,
        entries,
    };
    calendar_answer(&cal, &format!("{m}-calendar"))
}

fn category_name(c: EventCategory, lang: Lang) -> &'static str {
    use baladiya::domain::text::tr;
    let t = match c {
        EventCategory::Culture => tr("ثقافة", "Culture", "Culture"),
        EventCategory::Sport => tr("رياضة", "Sport", "Sport"),
        EventCategory::Environment => tr("بيئة", "Environnement", "Environment"),
        EventCategory::Health => tr("صحة", "Santé", "Health"),
        EventCategory::Social => tr("شؤون اجتماعية", "Social", "Social"),
        EventCategory::Youth => tr("شباب", "Jeunesse", "Youth"),
        EventCategory::Education => tr("تعليم", "Éducation", "Education"),
        EventCategory::Participation => tr("مشاركة المواطنين", "Participation", "Participation"),
        EventCategory::Works => tr("أشغال", "Travaux", "Works"),
        EventCategory::Other => tr("أخرى", "Autres", "Other"),
    };
    t.pick(lang)
}

async fn entries_of(
    ctx: &Ctx,
    f: &Frame<'_>,
    kind: Kind,
    category: Option<EventCategory>,
    committee: Option<&str>,
    window: (OffsetDateTime, OffsetDateTime),
) -> Result<Vec<Entry>, StoreError> {
    let m = f.municipality;
    let (from, to) = (
        baladiya::clock::rfc3339(window.0),
        baladiya::clock::rfc3339(window.1),
    );
    let mut out = Vec::new();
    match kind {
        Kind::Events => {
            let mut start = None;
            loop {
                let page = ctx
                    .store
                    .events_between(m, &from, &to, false, 200, start)
                    .await?;
                for e in &page.items {
                    let keep = category.is_none_or(|c| e.content.category == c)
                        && (committee.is_none() || e.content.committee.as_deref() == committee);
                    if keep && let Some(x) = feed::event(f, e) {
                        out.push(x);
                    }
                }
                match page.next {
                    Some(k) if out.len() < MAX_PER_KIND => start = Some(k),
                    _ => break,
                }
            }
        }
        Kind::Meetings => {
            let names: Vec<(String, Text)> = ctx
                .store
                .committees(m)
                .await?
                .into_iter()
                .map(|c| (c.id, c.content.name))
                .collect();
            for mt in ctx.store.meetings_between(m, committee, &from, &to).await? {
                let name = names
                    .iter()
                    .find(|(id, _)| *id == mt.committee)
                    .map(|(_, n)| n);
                out.extend(feed::meeting(f, &mt, name));
            }
        }
        Kind::Tenders | Kind::Jobs => {
            let cat = if kind == Kind::Tenders {
                NewsCategory::Tenders
            } else {
                NewsCategory::Jobs
            };
            // Newest first: a deadline in the window belongs to a post
            // published in the year before it at most.
            let oldest = baladiya::clock::rfc3339(window.0 - time::Duration::days(366));
            let mut start = None;
            'pages: loop {
                let page = ctx
                    .store
                    .posts(m, NewsStatus::Published, Some(cat), 100, start)
                    .await?;
                for p in &page.items {
                    if p.publish_at
                        .as_deref()
                        .is_some_and(|at| at < oldest.as_str())
                    {
                        break 'pages;
                    }
                    let due = p.content.deadline.as_ref().map(|d| d.closes_at.as_str());
                    if due.is_some_and(|d| feed::in_window(d, window)) {
                        out.extend(feed::deadline(f, p));
                    }
                }
                match page.next {
                    Some(k) if out.len() < MAX_PER_KIND => start = Some(k),
                    _ => break,
                }
            }
        }
        Kind::Closures => {
            for h in ctx.store.holidays_in_force().await? {
                if feed::in_window(&h.date, window) {
                    out.extend(feed::holiday(f, &h));
                }
            }
            for o in ctx.store.offices(m).await? {
                out.extend(feed::closures(f, &o, window));
            }
        }
    }
    Ok(out)
}
