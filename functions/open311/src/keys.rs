//! `/v1/municipalities/{m}/open311-keys`: the API keys a municipality gives the
//! systems that post Open311 requests (FixMyStreet, a back office). Managed by
//! its staff handling complaints for every category. A key is shown once, when
//! issued; only its digest is kept.

use baladiya::domain::open311;
use baladiya::domain::open311::ApiKeyRecord;
use baladiya::domain::roles::authorize;
use baladiya::domain::staff::parse_label;
use baladiya::domain::{Id, MunicipalityId, Permission, Principal, Service, ServiceState};
use baladiya::http::Answer;
use baladiya::http::response::{List, json, no_content};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::Ctx;

/// Active keys per municipality at most.
pub const MAX_ACTIVE_KEYS: usize = 20;

/// Staff holding `complaints` for every category of `m` (or a platform
/// administrator), with the municipality's complaints service not switched off.
async fn manager(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: Option<MunicipalityId>,
) -> Result<(Principal, MunicipalityId), ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let m = m.ok_or_else(ApiError::not_found)?;
    authorize(&who, &m, Permission::Complaints)?;
    if let Principal::Staff {
        complaint_categories: Some(_),
        ..
    } = &who
    {
        return Err(ApiError::forbidden());
    }
    let muni = ctx
        .store
        .get_municipality(&m, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if muni.status == ServiceState::Deactivated && !who.is_platform_admin() {
        return Err(ApiError::not_found());
    }
    muni.require_service(Service::Complaints, Some(&who))?;
    Ok((who, m))
}

#[serde_with::skip_serializing_none]
#[derive(Serialize)]
struct KeyView {
    id: String,
    name: String,
    active: bool,
    created_at: String,
    created_by: String,
    revoked_at: Option<String>,
    revoked_by: Option<String>,
    /// Only in the answer that issues it: the key itself, shown once.
    api_key: Option<String>,
}

impl From<ApiKeyRecord> for KeyView {
    fn from(k: ApiKeyRecord) -> Self {
        KeyView {
            active: k.revoked_at.is_none(),
            id: k.id,
            name: k.name,
            created_at: k.created_at,
            created_by: k.created_by,
            revoked_at: k.revoked_at,
            revoked_by: k.revoked_by,
            api_key: None,
        }
    }
}

/// `GET …/open311-keys`: every key, revoked ones included, oldest first.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: Option<MunicipalityId>) -> Answer {
    view.query(&[])?;
    let (_, m) = manager(ctx, view, m).await?;
    let items = ctx
        .store
        .api_keys(&m)
        .await?
        .into_iter()
        .map(KeyView::from)
        .collect();
    List::<KeyView>::all(items).answer()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    /// Who will use it.
    name: String,
}

/// `POST …/open311-keys`: issue a key. The answer is the only time it is shown.
pub async fn issue(ctx: &Ctx, view: &RequestView<'_>, m: Option<MunicipalityId>) -> Answer {
    let (who, m) = manager(ctx, view, m).await?;
    let body: NewKey = view.json()?;
    let name = parse_label(&body.name, "name", 60)?;
    let active = ctx
        .store
        .api_keys(&m)
        .await?
        .iter()
        .filter(|k| k.revoked_at.is_none())
        .count();
    if active >= MAX_ACTIVE_KEYS {
        return Err(ApiError::conflict("limit_reached")
            .with_detail(format!("active keys: {MAX_ACTIVE_KEYS}")));
    }
    let new = open311::new_key().map_err(|_| ApiError::unavailable())?;
    let record = ApiKeyRecord {
        id: new.id.to_string(),
        name,
        digest: new.digest,
        client_user: Id::generate("usr").to_string(),
        created_at: view.now_rfc3339(),
        created_by: who.user().to_string(),
        revoked_at: None,
        revoked_by: None,
    };
    ctx.store.put_api_key(&m, &record).await?;
    let mut answer = KeyView::from(record);
    answer.api_key = Some(new.api_key);
    let mut response = json(StatusCode::CREATED, &answer)?;
    response.headers_mut().insert(
        "location",
        format!("/v1/municipalities/{m}/open311-keys/{}", answer.id)
            .parse()
            .map_err(|_| ApiError::internal())?,
    );
    Ok(response)
}

/// `DELETE …/open311-keys/{id}`: revoke a key; requests made with it stay.
pub async fn revoke(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: Option<MunicipalityId>,
    id: &str,
) -> Answer {
    let (who, m) = manager(ctx, view, m).await?;
    let id = Id::parse("key", id).map_err(|_| ApiError::not_found())?;
    match ctx
        .store
        .revoke_api_key(&m, id.as_str(), who.user().as_str(), &view.now_rfc3339())
        .await
    {
        Ok(()) => no_content(),
        Err(StoreError::NotFound) => Err(ApiError::not_found()),
        Err(e) => Err(e.into()),
    }
}
