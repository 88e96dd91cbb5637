//! A municipality's staff: who may answer citizens, and with which permissions.
//! Managed by platform administrators and by the municipality's own staff holding
//! the `permissions` permission; staff of other municipalities get 404.

use std::collections::BTreeSet;

use baladiya::domain::roles::{authorize, authorize_staff_change};
use baladiya::domain::staff::{self, parse_category, parse_label};
use baladiya::domain::{
    DomainError, Id, MunicipalityId, Permission, Phone, Principal, StaffMember,
};
use baladiya::http::patch::{double_option, non_null};
use baladiya::http::response::{self, List, check_if_match, json, no_content, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use http::StatusCode;
use serde::Deserialize;

use crate::views::StaffView;
use crate::{Ctx, paging, request_fingerprint};

const NAME_MAX: usize = 80;
const TITLE_MAX: usize = 80;
const MAX_CATEGORIES: usize = 50;

fn parse_categories(raw: Vec<String>) -> Result<BTreeSet<String>, DomainError> {
    if raw.len() > MAX_CATEGORIES {
        return Err(DomainError::invalid("complaint_categories", "too_many"));
    }
    raw.iter().map(|c| parse_category(c)).collect()
}

fn parse_staff_id(raw: &str) -> Result<Id, ApiError> {
    // An id that cannot exist is simply not found.
    Id::parse("stf", raw).map_err(|_| ApiError::not_found())
}

pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::Permissions)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("staff:{m}");
    let (limit, start) = paging(ctx, &query, &scope, 100)?;
    if start.is_none() && ctx.store.get_municipality(m, false).await?.is_none() {
        return Err(ApiError::not_found());
    }
    let page = ctx.store.list_staff(m, limit, start).await?;
    let items = page.items.iter().map(StaffView::from).collect();
    List::page(items, page.next, &ctx.cursors, &scope).answer()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    phone: String,
    name: String,
    title: Option<String>,
    permissions: Vec<Permission>,
    complaint_categories: Option<Vec<String>>,
}

pub async fn add(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::Permissions)?;
    let idem_key = view.idempotency_key()?;
    let body: NewStaff = view.json()?;
    let now = view.now_rfc3339();
    let member = StaffMember {
        id: Id::generate("stf"),
        municipality: m.clone(),
        phone: Phone::parse(&body.phone)?,
        name: parse_label(&body.name, "name", NAME_MAX)?,
        title: body
            .title
            .as_deref()
            .map(|t| parse_label(t, "title", TITLE_MAX))
            .transpose()?,
        permissions: body.permissions.into_iter().collect(),
        complaint_categories: body
            .complaint_categories
            .map(parse_categories)
            .transpose()?,
        created_at: now.clone(),
        updated_at: now,
        created_by: who.user().to_string(),
        version: 1,
    };
    if ctx.store.get_municipality(m, false).await?.is_none() {
        return Err(ApiError::not_found());
    }
    let answer =
        serde_json::to_string(&StaffView::from(&member)).map_err(|_| ApiError::internal())?;
    let idem = idem_key.map(|k| {
        Idempotency::new(
            &keys::tenant(m),
            who.user().as_str(),
            k.as_str(),
            &request_fingerprint(view.request()),
        )
    });
    match ctx
        .store
        .create_staff(&member, idem.as_ref(), &answer)
        .await?
    {
        Created::New => {
            tracing::info!(municipality = %m, staff = %member.id, "staff member added");
            let mut r = json(StatusCode::CREATED, &StaffView::from(&member))?;
            r.headers_mut().insert(
                "location",
                format!("/v1/municipalities/{m}/staff/{}", member.id)
                    .parse()
                    .map_err(|_| ApiError::internal())?,
            );
            Ok(r)
        }
        Created::Replayed(a) => response::replay(a.status, a.body),
    }
}

pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, raw_id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let id = parse_staff_id(raw_id)?;
    // Staff may read their own record; managing others needs the permission.
    let is_self = matches!(&who, Principal::Staff { staff_id, municipality, .. } if *staff_id == id && municipality == m);
    if !is_self {
        authorize(&who, m, Permission::Permissions)?;
    }
    let member = ctx
        .store
        .get_staff(m, &id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    with_etag(
        json(StatusCode::OK, &StaffView::from(&member))?,
        member.version,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    #[serde(default, deserialize_with = "non_null")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    title: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    permissions: Option<Vec<Permission>>,
    #[serde(default, deserialize_with = "double_option")]
    complaint_categories: Option<Option<Vec<String>>>,
}

pub async fn update(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, raw_id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let id = parse_staff_id(raw_id)?;
    authorize_staff_change(&who, m, &id)?;
    let if_match = view.if_match()?;
    let patch: StaffPatch = view.json()?;
    let phone = patch.phone.as_deref().map(Phone::parse).transpose()?;
    let name = patch
        .name
        .as_deref()
        .map(|n| parse_label(n, "name", NAME_MAX))
        .transpose()?;
    let title = match patch.title {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => Some(Some(parse_label(&t, "title", TITLE_MAX)?)),
    };
    let permissions: Option<BTreeSet<Permission>> =
        patch.permissions.map(|p| p.into_iter().collect());
    let categories = match patch.complaint_categories {
        None => None,
        Some(None) => Some(None),
        Some(Some(c)) => Some(Some(parse_categories(c)?)),
    };

    for _ in 0..3 {
        let current = ctx
            .store
            .get_staff(m, &id, true)
            .await?
            .ok_or_else(ApiError::not_found)?;
        check_if_match(if_match, current.version)?;
        let mut next = current.clone();
        if let Some(p) = &phone {
            next.phone = p.clone();
        }
        if let Some(n) = &name {
            next.name = n.clone();
        }
        if let Some(t) = &title {
            next.title = t.clone();
        }
        if let Some(p) = &permissions {
            next.permissions = p.clone();
        }
        if let Some(c) = &categories {
            next.complaint_categories = c.clone();
        }
        next.version = current.version + 1;
        next.updated_at = view.now_rfc3339();
        // What a staff token states (who, what they may do) changed: the tokens
        // issued until now stop working within a minute, and the next refresh
        // states the new role. Revoked first, so no failure leaves them working.
        if staff::token_changes(&current, &next) {
            ctx.store
                .revoke_tokens(id.as_str(), view.now_secs())
                .await?;
        }
        match ctx
            .store
            .update_staff(&next, &current.phone, current.version)
            .await
        {
            Ok(()) => {
                tracing::info!(municipality = %m, staff = %id, "staff member updated");
                return with_etag(json(StatusCode::OK, &StaffView::from(&next))?, next.version);
            }
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::VersionConflict.into())
}

pub async fn remove(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, raw_id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let id = parse_staff_id(raw_id)?;
    authorize_staff_change(&who, m, &id)?;
    let if_match = view.if_match()?;
    for _ in 0..3 {
        let member = ctx
            .store
            .get_staff(m, &id, true)
            .await?
            .ok_or_else(ApiError::not_found)?;
        check_if_match(if_match, member.version)?;
        // The member's staff tokens stop working within a minute, not when
        // they expire. Revoked first, so no failure leaves them working.
        ctx.store
            .revoke_tokens(id.as_str(), view.now_secs())
            .await?;
        match ctx.store.delete_staff(&member).await {
            Ok(()) => {
                tracing::info!(municipality = %m, staff = %id, "staff member removed");
                return no_content();
            }
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::VersionConflict.into())
}
