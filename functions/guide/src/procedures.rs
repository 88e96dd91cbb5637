//! Procedures: the guide's list and search (anyone), a procedure's page
//! (anyone), and what staff with `procedures` write.
//!
//! Load → decide → write: a write reads the guide's index and the entry,
//! `domain::guide::overlay` decides the change, and the store writes the entry
//! and the index in one transaction conditioned on the index's version.

use baladiya::domain::attachment::{FileKind, FileOwner};
use baladiya::domain::guide::overlay::{
    self, Change, Entry, EticketLink, FormRef, Index, Settings,
};
use baladiya::domain::guide::{Category, Procedure, check_text, search};
use baladiya::domain::{DomainError, Municipality, MunicipalityId, Permission, Principal, Service};
use baladiya::http::paging::paging;
use baladiya::http::response::{List, json, no_content, public_json};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::{PageKey, StoreError};
use http::StatusCode;
use serde::Deserialize;

use crate::Ctx;
use crate::views::{self, FormView, ProcedureView};

/// How long the public may keep a page of the guide.
const LIST_MAX_AGE: u32 = 300;
/// A procedure's page shows whether its offices are open now.
const PAGE_MAX_AGE: u32 = 60;

/// The municipality, if `who` may read its guide.
pub async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::ServicesGuide, who).await
}

/// Whether `who` is staff of `m` who may edit its guide (and sees what is hidden).
pub fn editor(who: Option<&Principal>, m: &MunicipalityId) -> bool {
    baladiya::domain::roles::may(who, m, Permission::Procedures)
}

fn owner(m: &MunicipalityId, code: &str) -> FileOwner {
    FileOwner::in_area(m, "guide", code)
}

fn code_of(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::eticket::parse_code(raw, "code").map_err(|_| ApiError::not_found())
}

/// `GET …/procedures[?category][&q][&limit][&cursor]`: the guide in its
/// order, or the procedures matching `q` best first.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["category", "q", "limit", "cursor"])?;
    let category = query
        .get("category")
        .map(|c| Category::parse(c))
        .transpose()
        .map_err(|_| {
            ApiError::bad_request("invalid_query").with_detail("category: one of the six kinds")
        })?;
    // A query of small words only (or empty) asks for nothing: the whole guide.
    let words = query
        .get("q")
        .map(|q| search::query(q))
        .filter(|w| !w.is_empty());
    if query.get("q").is_some_and(|q| q.chars().count() > 100) {
        return Err(ApiError::bad_request("invalid_query").with_detail("q: 100 characters at most"));
    }
    let scope = format!(
        "procedures:{m}:{}:{}",
        category.map_or("", |c| c.code()),
        words.as_ref().map(|w| w.join(" ")).unwrap_or_default()
    );
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    let offset: usize = start
        .as_ref()
        .and_then(|k| k.get("offset"))
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let staff = editor(who.as_ref(), m);
    let index = ctx.store.guide_index(m, false).await?;
    let mut found = match &words {
        Some(w) => index.search(w, staff),
        None => index.listing(staff),
    };
    found.retain(|l| category.is_none_or(|c| l.summary.category == c));
    let limit = usize::try_from(limit).unwrap_or(50);
    let end = (offset + limit).min(found.len());
    let items: Vec<_> = found
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|l| views::item(l, view.lang, staff))
        .collect();
    let next = (end < found.len()).then(|| PageKey::from([("offset".to_owned(), end.to_string())]));
    let page = List::page(items, next, &ctx.cursors, &scope);
    if staff {
        page.answer()
    } else {
        page.public(LIST_MAX_AGE)
    }
}

async fn page(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    code: &str,
    staff: bool,
) -> Result<serde_json::Value, ApiError> {
    let entry = ctx.store.guide_entry(m, code, staff).await?;
    let (p, source) = overlay::effective(code, entry.as_ref()).ok_or_else(ApiError::not_found)?;
    let hidden = entry.as_ref().is_some_and(|e| e.hidden);
    if hidden && !staff {
        return Err(ApiError::not_found());
    }
    let holidays = ctx.store.calendar().await?;
    let offices = views::offices_for(p, ctx.store.offices(m).await?)
        .into_iter()
        .map(|o| views::office(o, view.lang, &holidays, view.now))
        .collect();
    let mut forms = Vec::new();
    let named = entry
        .as_ref()
        .map(|e| e.forms.as_slice())
        .unwrap_or_default();
    if !named.is_empty() {
        let files = ctx.uploads.documents(&owner(m, code), false).await?;
        for f in named {
            if let Some(d) = files.iter().find(|d| d.id == f.id)
                && let Some(url) = &d.url
            {
                forms.push(FormView {
                    id: f.id.clone(),
                    title: f.title.clone(),
                    content_type: d.content_type.clone(),
                    size: d.size,
                    url: url.clone(),
                });
            }
        }
    }
    let v = ProcedureView {
        procedure: p,
        label: p.label(view.lang).to_owned(),
        category_label: p.category.label().pick(view.lang),
        source,
        hidden: staff.then_some(hidden),
        offices,
        forms,
        actions: views::actions(m, p, entry.as_ref()),
        updated_at: entry.as_ref().map(|e| e.updated_at.clone()),
    };
    serde_json::to_value(&v).map_err(|_| ApiError::internal())
}

/// `GET …/procedures/{code}`: its page, with where to go (open now or not), its
/// forms, and what the app can start from it.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    view.query(&[])?;
    let code = code_of(code)?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let staff = editor(who.as_ref(), m);
    let v = page(ctx, view, m, &code, staff).await?;
    if staff {
        json(StatusCode::OK, &v)
    } else {
        public_json(&v, PAGE_MAX_AGE)
    }
}

/// Staff with `procedures` of `m`; the municipality's guide being one they may
/// prepare (in progress) or run.
async fn staff_of(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Principal, ApiError> {
    baladiya::http::access::staff(
        &ctx.store,
        &ctx.verifier,
        view,
        m,
        Service::ServicesGuide,
        Permission::Procedures,
    )
    .await
}

/// Tries of a write that met another one on the guide's index.
const WRITE_ATTEMPTS: u32 = 5;

/// A few milliseconds of jitter (the clock's nanoseconds).
fn view_jitter() -> u8 {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
        % 20) as u8
}

/// Load the guide's index and the entry at `code`, let `decide` say what
/// changes, write it conditioned on the index's version; when another write
/// got there first (two staff editing two procedures at once), read again and
/// decide again, up to [`WRITE_ATTEMPTS`] times.
async fn change(
    ctx: &Ctx,
    m: &MunicipalityId,
    code: &str,
    decide: impl Fn(&Index, Option<Entry>) -> Result<Change, DomainError>,
) -> Result<(), ApiError> {
    let mut attempt = 1;
    loop {
        let index = ctx.store.guide_index(m, true).await?;
        let entry = ctx.store.guide_entry(m, code, true).await?;
        let change = decide(&index, entry).map_err(|e| match e {
            DomainError::Invalid {
                field: "procedures",
                reason: "limit_reached",
            } => ApiError::conflict("limit_reached")
                .with_detail(format!("procedures: {}", overlay::MAX_OWN)),
            e => e.into(),
        })?;
        match ctx.store.write_guide(m, code, index.version, &change).await {
            Err(StoreError::VersionConflict) if attempt < WRITE_ATTEMPTS => {
                // Apart a little, so that writers who met do not meet again.
                let wait = 10 * u64::from(attempt) + u64::from(view_jitter());
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                attempt += 1;
            }
            outcome => return Ok(outcome?),
        }
    }
}

/// `PUT …/procedures/{code}`: staff write a procedure of their own, or their
/// version of the national one at that code (its forms and links stay).
pub async fn put(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let code = code_of(code)?;
    let body: Procedure = view.json()?;
    let procedure = body.check(&code)?;
    staff_of(ctx, view, m).await?;
    let offices = ctx.store.offices(m).await?;
    for o in procedure.offices() {
        if !offices.iter().any(|x| x.code == o) {
            return Err(DomainError::invalid("office", "unknown").into());
        }
    }
    let now = view.now_rfc3339();
    change(ctx, m, &code, |index, entry| {
        overlay::put(index, entry, procedure.clone(), &now)
    })
    .await?;
    json(StatusCode::OK, &page(ctx, view, m, &code, true).await?)
}

/// `DELETE …/procedures/{code}`: staff drop their text: a national procedure
/// shows the catalogue's again, one of their own is gone.
pub async fn delete(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let code = code_of(code)?;
    staff_of(ctx, view, m).await?;
    let now = view.now_rfc3339();
    change(ctx, m, &code, |index, entry| {
        overlay::remove(index, entry, &now)
    })
    .await?;
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    hidden: bool,
    #[serde(default)]
    eticket: Option<EticketLink>,
    #[serde(default)]
    forms: Vec<FormRef>,
}

/// `PUT …/procedures/{code}/settings`: staff hide or show a procedure, link it
/// to one of their e-ticket services, and set its downloadable forms (files
/// uploaded through `…/forms`).
pub async fn settings(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let code = code_of(code)?;
    let body: SettingsBody = view.json()?;
    let mut forms = Vec::new();
    for f in body.forms {
        if forms.iter().any(|x: &FormRef| x.id == f.id) {
            return Err(DomainError::invalid("forms.id", "duplicate").into());
        }
        forms.push(FormRef {
            title: check_text(&f.title, "forms.title", 120, false)?,
            id: f.id,
        });
    }
    staff_of(ctx, view, m).await?;
    if let Some(link) = &body.eticket {
        let found = match baladiya::domain::eticket::parse_code(&link.agency, "eticket.agency") {
            Ok(a) => ctx.store.get_agency(m, &a).await?,
            Err(_) => None,
        };
        let Some(agency) = found else {
            return Err(DomainError::invalid("eticket.agency", "unknown").into());
        };
        if !agency.services.iter().any(|s| s.code == link.service) {
            return Err(DomainError::invalid("eticket.service", "unknown").into());
        }
    }
    // Each form is there at the size announced (a ready one: one read).
    for f in &forms {
        ctx.uploads
            .confirm(&owner(m, &code), &f.id, "forms.id")
            .await?;
    }
    let now = view.now_rfc3339();
    let set = Settings {
        hidden: body.hidden,
        eticket: body.eticket,
        forms,
    };
    change(ctx, m, &code, |index, entry| {
        overlay::settings(index, entry, &code, set.clone(), &now)
    })
    .await?;
    json(StatusCode::OK, &page(ctx, view, m, &code, true).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormBody {
    content_type: String,
    size: u64,
}

/// `POST …/procedures/{code}/forms`: staff upload a form (PDF or image)
/// straight to the bucket; `…/settings` then lists it.
pub async fn form(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let code = code_of(code)?;
    let body: FormBody = view.json()?;
    let who = staff_of(ctx, view, m).await?;
    let entry = ctx.store.guide_entry(m, &code, false).await?;
    if overlay::effective(&code, entry.as_ref()).is_none() {
        return Err(ApiError::not_found());
    }
    let upload = ctx
        .uploads
        .start(
            &owner(m, &code),
            FileKind::Document,
            who.user().as_str(),
            &body.content_type,
            body.size,
            view.now,
        )
        .await?;
    json(StatusCode::CREATED, &upload)
}
