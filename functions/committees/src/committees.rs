//! Committees and their members: the public list and page, and what staff
//! with `committees` write. Load → decide (`domain::committee`) → write
//! conditioned on the version read.

use baladiya::domain::committee::{self, Committee, CommitteeContent, MAX_COMMITTEES, SUGGESTED};
use baladiya::domain::roles::may;
use baladiya::domain::{DomainError, Lang, MunicipalityId, Permission, Principal, Service};
use baladiya::http::paging::{idempotency, request_fingerprint};
use baladiya::http::response::{List, check_if_match, created_once, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::Serialize;

use crate::Ctx;

pub(crate) async fn open(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Option<Principal>, ApiError> {
    let who = view.optional_principal(&ctx.verifier)?;
    baladiya::http::access::municipality(&ctx.store, m, Service::Committees, who.as_ref()).await?;
    Ok(who)
}

pub(crate) async fn staff_of(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Principal, ApiError> {
    baladiya::http::access::staff(
        &ctx.store,
        &ctx.verifier,
        view,
        m,
        Service::Committees,
        Permission::Committees,
    )
    .await
}

pub(crate) fn committee_id(raw: &str) -> Result<String, ApiError> {
    baladiya::domain::Id::parse("cmt", raw)
        .map(|i| i.to_string())
        .map_err(|_| ApiError::not_found())
}

/// A committee as read: its kind's and each member's role in the reader's
/// language, and who sits today.
#[derive(Debug, Serialize)]
pub(crate) struct CommitteeView<'a> {
    #[serde(flatten)]
    committee: &'a Committee,
    label: &'a str,
    members_now: Vec<MemberNow<'a>>,
    path: String,
}

#[derive(Debug, Serialize)]
struct MemberNow<'a> {
    person: &'a str,
    name: &'a str,
    role: &'static str,
}

pub(crate) fn view_of<'a>(
    m: &MunicipalityId,
    c: &'a Committee,
    lang: Lang,
    today: time::Date,
) -> CommitteeView<'a> {
    CommitteeView {
        label: c.content.name.get(lang),
        members_now: c
            .content
            .members
            .iter()
            .filter(|x| committee::sits(x, today))
            .map(|x| MemberNow {
                person: x.person.as_deref().unwrap_or_default(),
                name: x.name.get(lang),
                role: x.role.label().pick(lang),
            })
            .collect(),
        path: format!("/v1/municipalities/{m}/committees/{}", c.id),
        committee: c,
    }
}

/// Today in Tunis.
pub(crate) fn today(view: &RequestView<'_>) -> time::Date {
    let day = baladiya::domain::eticket::service_day(view.now);
    baladiya::domain::calendar::parse_date(&day).unwrap_or(view.now.date())
}

/// `GET …/committees`: every committee, the council first.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    open(ctx, view, m).await?;
    let mut all = ctx.store.committees(m).await?;
    all.sort_by_key(|c| {
        (
            c.content.kind != committee::CommitteeKind::Council,
            c.created_at.clone(),
        )
    });
    let day = today(view);
    let items: Vec<CommitteeView<'_>> = all.iter().map(|c| view_of(m, c, view.lang, day)).collect();
    List::all(items).public(300)
}

/// `GET …/committees/{id}`.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let id = committee_id(id)?;
    let who = open(ctx, view, m).await?;
    let c = ctx
        .store
        .committee(m, &id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let v = view_of(m, &c, view.lang, today(view));
    if may(who.as_ref(), m, Permission::Committees) {
        with_etag(json(StatusCode::OK, &v)?, c.version)
    } else {
        public_json(&v, 300)
    }
}

#[derive(Serialize)]
struct SuggestionView {
    code: &'static str,
    label: &'static str,
    /// A committee of that name exists already.
    taken: bool,
    /// What to send to `POST …/committees` (members to add).
    committee: CommitteeContent,
}

/// `GET …/committees/suggestions`: the ten usual committees, for staff to
/// create those the council forms.
pub async fn suggestions(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    staff_of(ctx, view, m).await?;
    let existing = ctx.store.committees(m).await?;
    let items: Vec<SuggestionView> = SUGGESTED
        .iter()
        .map(|s| SuggestionView {
            code: s.code,
            label: s.name.pick(view.lang),
            taken: existing
                .iter()
                .any(|c| c.content.name.ar == s.name.ar || c.content.name.fr == s.name.fr),
            committee: CommitteeContent {
                kind: s.kind,
                name: s.name.to_owned_text(),
                description: Default::default(),
                members: vec![],
                from: None,
                until: None,
            },
        })
        .collect();
    List::all(items).answer()
}

/// `POST …/committees`: staff with `committees` create one (with members).
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let body: CommitteeContent = view.json()?;
    let key = view.idempotency_key()?;
    let content = body.check()?;
    let who = staff_of(ctx, view, m).await?;
    if ctx.store.committees(m).await?.len() >= MAX_COMMITTEES {
        return Err(DomainError::LimitReached {
            what: "committees",
            max: MAX_COMMITTEES,
        }
        .into());
    }
    let idem = idempotency(key, m, &who, &request_fingerprint(view.request()));
    let c = committee::create(content, &view.now_rfc3339());
    let body = serde_json::to_string(&view_of(m, &c, view.lang, today(view)))
        .map_err(|_| ApiError::internal())?;
    let done = ctx
        .store
        .create_committee(m, &c, idem.as_ref(), &body)
        .await?;
    created_once(
        done,
        &format!("/v1/municipalities/{m}/committees/{}", c.id),
        body,
    )
}

/// `PUT …/committees/{id}`: change its name, kind, term or members (the whole
/// list: a member's term is ended by giving `until`, not by removing them).
pub async fn edit(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let body: CommitteeContent = view.json()?;
    let content = body.check()?;
    let id = committee_id(id)?;
    staff_of(ctx, view, m).await?;
    let expected = view.if_match()?;
    let before = ctx
        .store
        .committee(m, &id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_if_match(expected, before.version)?;
    let after = committee::edit(&before, content, &view.now_rfc3339());
    ctx.store.put_committee(m, &after, before.version).await?;
    let v = view_of(m, &after, view.lang, today(view));
    with_etag(json(StatusCode::OK, &v)?, after.version)
}
