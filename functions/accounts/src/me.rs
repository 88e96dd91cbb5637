//! The signed-in person's own account: profile, follows, and their data
//! rights under Tunisia's personal-data law (organic law 2004-63): a copy of
//! everything held about them, and erasure.

use baladiya::clock::rfc3339_secs;
use baladiya::domain::account::{self, Account, Device, MAX_FOLLOWS, NotifyPreference};
use baladiya::domain::{DomainError, Id, Lang, MunicipalityId, Principal, ServiceState};
use baladiya::http::Answer;
use baladiya::http::patch::{double_option, non_null};
use baladiya::http::response::{check_if_match, json, no_content, with_etag};
use baladiya::http::{ApiError, RequestView};
use baladiya::notify::NotifyError;
use baladiya::store::StoreError;
use baladiya::store::accounts::Follow;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::Ctx;
use crate::notifications::NotificationView;
use crate::views::{FollowView, ProfileView, RoleView};

pub(crate) fn limit_reached(what: &str) -> ApiError {
    ApiError::conflict("limit_reached").with_detail(what.to_owned())
}

/// The caller and their account. A token whose account is gone (erased) finds
/// nothing.
async fn me(ctx: &Ctx, view: &RequestView<'_>) -> Result<(Principal, Account), ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let account = ctx
        .store
        .get_account(who.user(), true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((who, account))
}

async fn profile(ctx: &Ctx, user: &Id) -> Answer {
    let data = ctx.store.account_data(user).await?;
    let account = data.account.ok_or_else(ApiError::not_found)?;
    let roles = ctx.store.roles_by_phone(&account.phone).await?;
    let body = ProfileView::new(&account, &data.follows, &data.devices, &roles.available());
    with_etag(json(StatusCode::OK, &body)?, account.version)
}

/// `GET /v1/me`: the profile, follows, devices and the roles the person holds.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    profile(ctx, who.user()).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[serde(default, deserialize_with = "double_option")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    lang: Option<Lang>,
    #[serde(default, deserialize_with = "double_option")]
    municipality: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    notify: Option<NotifyPreference>,
}

/// `PATCH /v1/me` (merge patch): name, language, preferred municipality and how to
/// be notified. `If-Match` guards against overwriting a change made on another
/// device.
pub async fn update(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let patch: ProfilePatch = view.json()?;
    let expected = view.if_match()?;
    let (_, current) = me(ctx, view).await?;
    check_if_match(expected, current.version)?;
    let mut next = current.clone();
    if let Some(name) = patch.name {
        next.name = name.as_deref().map(account::parse_name).transpose()?;
    }
    if let Some(lang) = patch.lang {
        next.lang = lang;
    }
    if let Some(notify) = patch.notify {
        next.notify = notify;
    }
    if let Some(m) = patch.municipality {
        next.municipality = match m {
            None => None,
            Some(raw) => {
                let id = MunicipalityId::parse(&raw)
                    .map_err(|_| DomainError::invalid("municipality", "format"))?;
                match ctx.store.get_municipality(&id, false).await? {
                    Some(m) if m.status != ServiceState::Deactivated => Some(id),
                    _ => return Err(DomainError::invalid("municipality", "unknown").into()),
                }
            }
        };
    }
    if next != current {
        next.version = current.version + 1;
        next.updated_at = view.now_rfc3339();
        ctx.store.update_account(&next, current.version).await?;
    }
    profile(ctx, &current.id).await
}

async fn visible_municipality(ctx: &Ctx, raw: &str) -> Result<MunicipalityId, ApiError> {
    let id = MunicipalityId::parse(raw).map_err(|_| ApiError::not_found())?;
    match ctx.store.get_municipality(&id, false).await? {
        Some(m) if m.status != ServiceState::Deactivated => Ok(id),
        _ => Err(ApiError::not_found()),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FollowBody {
    #[serde(default)]
    areas: Vec<String>,
}

/// Areas a person may choose in one municipality.
const MAX_FOLLOWED_AREAS: usize = 20;

/// `PUT /v1/me/follows/{m}`: follow a municipality's news and announcements,
/// and (`areas`, optional) the news of some of its areas. Again: the areas
/// chosen now replace the others.
pub async fn follow(ctx: &Ctx, view: &RequestView<'_>, m: &str) -> Answer {
    let body: FollowBody = view.json_or_default()?;
    let who = view.principal(&ctx.verifier)?;
    let m = visible_municipality(ctx, m).await?;
    let mut areas = body.areas;
    areas.sort();
    areas.dedup();
    if areas.len() > MAX_FOLLOWED_AREAS {
        return Err(DomainError::invalid("areas", "too_many").into());
    }
    if !areas.is_empty() {
        let known = ctx.store.areas(&m).await?;
        if !areas.iter().all(|a| known.iter().any(|k| &k.code == a)) {
            return Err(DomainError::invalid("areas", "unknown_area").into());
        }
    }
    let data = ctx.store.account_data(who.user()).await?;
    if data.account.is_none() {
        return Err(ApiError::not_found());
    }
    let current = data.follows.iter().find(|f| f.municipality == m);
    if current.is_some_and(|f| f.areas == areas) {
        return no_content();
    }
    if current.is_none() && data.follows.len() >= MAX_FOLLOWS {
        return Err(limit_reached(&format!("follows: {MAX_FOLLOWS}")));
    }
    let f = Follow {
        municipality: m,
        since: current.map_or_else(|| view.now_rfc3339(), |f| f.since.clone()),
        areas,
    };
    ctx.store.follow(who.user(), &f).await?;
    no_content()
}

/// `DELETE /v1/me/follows/{m}`: idempotent.
pub async fn unfollow(ctx: &Ctx, view: &RequestView<'_>, m: &str) -> Answer {
    let (who, _) = me(ctx, view).await?;
    if let Ok(m) = MunicipalityId::parse(m) {
        ctx.store.unfollow(who.user(), &m).await?;
    }
    no_content()
}

#[derive(Serialize)]
struct SessionExport {
    started_at: String,
    last_used_at: String,
    expires_at: String,
    role: String,
    revoked: bool,
}

#[derive(Serialize)]
struct SignInExport {
    last_code_sent_at: String,
    codes_sent_this_hour: u32,
    wrong_tries_on_last_code: u32,
}

#[derive(Serialize)]
struct StaffExport {
    municipality: MunicipalityId,
    name: String,
    title: Option<String>,
    permissions: Vec<baladiya::domain::Permission>,
    since: String,
}

#[derive(Serialize)]
struct Export<'a> {
    exported_at: String,
    account: Account,
    follows: Vec<FollowView>,
    devices: Vec<Device>,
    sessions: Vec<SessionExport>,
    sign_in_codes: Option<SignInExport>,
    roles: Vec<RoleView>,
    staff_records: Vec<StaffExport>,
    /// Items the person filed (complaints, requests…), as stored.
    contributions: Vec<serde_json::Value>,
    /// What they were told.
    notifications: Vec<NotificationView<'a>>,
}

/// `GET /v1/me/export`: everything held about the person, in one JSON document.
/// Stored secrets (code and token hashes) are described, not copied.
pub async fn export(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let data = ctx.store.account_data(who.user()).await?;
    let account = data.account.ok_or_else(ApiError::not_found)?;
    let roles = ctx.store.roles_by_phone(&account.phone).await?;
    let digest = account::phone_digest(&ctx.keys().await?.phone_key, &account.phone);
    let otp = ctx.store.get_otp(&digest).await?;
    let held = ctx.store.held_by(&account.id).await?;
    let sessions = held
        .sessions
        .into_iter()
        .map(|s| SessionExport {
            started_at: rfc3339_secs(s.created_at),
            last_used_at: rfc3339_secs(s.last_used_at),
            expires_at: rfc3339_secs(s.expires_at),
            role: s.act_as,
            revoked: s.revoked,
        })
        .collect();
    let contributions = held.contributions;
    let mut notifications = Vec::new();
    let mut start = None;
    loop {
        let page = ctx
            .store
            .deliveries_of(account.id.as_str(), 100, start)
            .await?;
        notifications.extend(page.items);
        match page.next {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    let body = Export {
        notifications: notifications.iter().map(NotificationView::new).collect(),
        exported_at: view.now_rfc3339(),
        follows: data.follows.iter().map(FollowView::from).collect(),
        devices: data.devices,
        sessions,
        sign_in_codes: otp.map(|o| SignInExport {
            last_code_sent_at: rfc3339_secs(o.issued_at),
            codes_sent_this_hour: o.sent_in_window,
            wrong_tries_on_last_code: o.wrong_attempts,
        }),
        roles: roles.available().iter().map(RoleView::from).collect(),
        staff_records: roles
            .staff
            .iter()
            .map(|s| StaffExport {
                municipality: s.municipality.clone(),
                name: s.name.clone(),
                title: s.title.clone(),
                permissions: s.permissions.iter().copied().collect(),
                since: s.created_at.clone(),
            })
            .collect(),
        contributions,
        account,
    };
    let mut r = json(StatusCode::OK, &body)?;
    r.headers_mut().insert(
        "content-disposition",
        http::HeaderValue::from_static("attachment; filename=\"baladiya-export.json\""),
    );
    Ok(r)
}

/// `DELETE /v1/me`: erase the account. Sessions end, devices and follows go, the
/// profile (name, number) goes; what the person filed publicly stays, no longer
/// linked to them. Staff and administrators are removed by their municipality
/// first: their staff record is the municipality's. The person's access tokens
/// stop working on every function within `REVOCATION_FRESH_SECS` (30 s).
pub async fn erase(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let (_, account) = me(ctx, view).await?;
    // Before anything is removed: the erasure needs the account's phone digest.
    let digest = account::phone_digest(&ctx.keys().await?.phone_key, &account.phone);
    let roles = ctx.store.roles_by_phone(&account.phone).await?;
    if roles.blocks_erasure() {
        return Err(ApiError::conflict("account_has_roles"));
    }
    let data = ctx.store.account_data(&account.id).await?;
    for d in &data.devices {
        match ctx.notifier.remove_device(&d.endpoint_arn).await {
            Ok(()) | Err(NotifyError::Unreachable) => {}
            // Stop before erasing anything: a retry will do it all.
            Err(NotifyError::Unavailable(_)) => return Err(ApiError::unavailable()),
        }
    }
    // Revoked first: a failure below leaves only a token to refresh, never an
    // erased account whose tokens still work.
    ctx.store
        .revoke_tokens(account.id.as_str(), view.now_secs())
        .await?;
    match ctx.store.erase_account(&account, &digest).await {
        Ok(()) => no_content(),
        Err(StoreError::VersionConflict) => Err(ApiError::conflict("version_conflict")),
        Err(e) => Err(e.into()),
    }
}
