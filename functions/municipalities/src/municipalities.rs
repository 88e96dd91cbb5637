//! Municipality catalogue and administration.

use std::collections::BTreeMap;

use baladiya::domain::phone::parse_contact_number;
use baladiya::domain::roles::{authorize, authorize_platform};
use baladiya::domain::tenancy::Contact;
use baladiya::domain::text::RawLocalizedText;
use baladiya::domain::{
    Coordinates, DomainError, GeoBounds, Governorate, LocalizedText, Municipality, MunicipalityId,
    Permission, Service, ServiceState,
};
use baladiya::http::patch::{double_option, non_null};
use baladiya::http::response::{self, List, check_if_match, json, public_json, with_etag};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use http::StatusCode;
use serde::Deserialize;

use crate::views::{MunicipalityView, governorates};
use crate::{Ctx, paging, request_fingerprint};

pub fn list_governorates(view: &RequestView<'_>) -> Answer {
    view.query(&[])?;
    public_json(&serde_json::json!({ "items": governorates() }), 86_400)
}

/// Whether the caller sees deactivated municipalities: the platform's
/// administrators do; to everyone else such a municipality does not exist.
fn sees_deactivated(ctx: &Ctx, view: &RequestView<'_>) -> Result<bool, ApiError> {
    Ok(view
        .optional_principal(&ctx.verifier)?
        .is_some_and(|p| p.is_platform_admin()))
}

pub async fn list(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let query = view.query(&["governorate", "limit", "cursor"])?;
    let governorate = query
        .get("governorate")
        .map(|g| Governorate::by_code(g).map(|g| g.code))
        .transpose()
        .map_err(|_| {
            ApiError::bad_request("invalid_query")
                .with_detail("governorate: an ISO 3166-2:TN code such as TN-11")
        })?;
    let all = sees_deactivated(ctx, view)?;
    let visibility = if all { "all" } else { "public" };
    let scope = format!("municipalities:{}:{visibility}", governorate.unwrap_or("*"));
    let (limit, start) = paging(ctx, &query, &scope, 100)?;
    let page = ctx
        .store
        .list_municipalities(governorate, !all, limit, start)
        .await?;
    let items = page.items.iter().map(MunicipalityView::from).collect();
    let body = List::page(items, page.next, &ctx.cursors, &scope);
    if all {
        // An administrator's view is not for shared caches.
        return body.answer();
    }
    body.public(60)
}

pub async fn get(ctx: &Ctx, view: &RequestView<'_>, id: &MunicipalityId) -> Answer {
    view.query(&[])?;
    let all = sees_deactivated(ctx, view)?;
    let m = ctx
        .store
        .get_municipality(id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if m.status == ServiceState::Deactivated && !all {
        return Err(ApiError::not_found());
    }
    if all {
        return with_etag(
            json(StatusCode::OK, &MunicipalityView::from(&m))?,
            m.version,
        );
    }
    with_etag(public_json(&MunicipalityView::from(&m), 60)?, m.version)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    lat: f64,
    lon: f64,
}

impl RawPoint {
    fn parse(self, geo: &GeoBounds) -> Result<Coordinates, DomainError> {
        Coordinates::parse(self.lat, self.lon, geo)
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawContact {
    #[serde(default, deserialize_with = "double_option")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    address: Option<Option<RawLocalizedText>>,
}

impl RawContact {
    /// Validate every present field once.
    fn parse(self) -> Result<ContactPatch, DomainError> {
        fn each<T, U>(
            v: Option<Option<T>>,
            f: impl Fn(T) -> Result<U, DomainError>,
        ) -> Result<Option<Option<U>>, DomainError> {
            v.map(|inner| inner.map(f).transpose()).transpose()
        }
        Ok(ContactPatch {
            phone: each(self.phone, |p| parse_contact_number(&p))?,
            email: each(self.email, |e| Contact::parse_email(&e))?,
            website: each(self.website, |w| Contact::parse_website(&w))?,
            address: each(self.address, |a| {
                LocalizedText::parse(a, "contact.address", 200)
            })?,
        })
    }
}

/// A validated change to contact details, merge-patch style: `None` keeps a field,
/// `Some(None)` clears it.
struct ContactPatch {
    phone: Option<Option<String>>,
    email: Option<Option<String>>,
    website: Option<Option<String>>,
    address: Option<Option<LocalizedText>>,
}

impl ContactPatch {
    fn apply(&self, contact: &mut Contact) {
        if let Some(v) = &self.phone {
            contact.phone = v.clone();
        }
        if let Some(v) = &self.email {
            contact.email = v.clone();
        }
        if let Some(v) = &self.website {
            contact.website = v.clone();
        }
        if let Some(v) = &self.address {
            contact.address = v.clone();
        }
    }
}

fn parse_names(raw: RawLocalizedText) -> Result<LocalizedText, DomainError> {
    let name = LocalizedText::parse(raw, "name", 80)?;
    if name.ar.is_none() || name.fr.is_none() {
        return Err(DomainError::invalid("name", "ar_and_fr_required"));
    }
    Ok(name)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMunicipality {
    id: String,
    governorate: String,
    name: RawLocalizedText,
    status: Option<ServiceState>,
    #[serde(default)]
    services: BTreeMap<Service, ServiceState>,
    contact: Option<RawContact>,
    center: Option<RawPoint>,
}

pub async fn create(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize_platform(&who)?;
    let idem_key = view.idempotency_key()?;
    let body: NewMunicipality = view.json()?;

    let id = MunicipalityId::parse(&body.id)?;
    let governorate = Governorate::by_code(&body.governorate)?;
    let mut contact = Contact::default();
    body.contact
        .unwrap_or_default()
        .parse()?
        .apply(&mut contact);
    let now = view.now_rfc3339();
    let m = Municipality {
        id,
        governorate: governorate.code.to_owned(),
        name: parse_names(body.name)?,
        // A new municipality is being set up until the operator activates it.
        status: body.status.unwrap_or(ServiceState::InProgress),
        services: Municipality::complete_services(body.services),
        contact,
        center: body.center.map(|p| p.parse(&ctx.geo)).transpose()?,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };

    let answer =
        serde_json::to_string(&MunicipalityView::from(&m)).map_err(|_| ApiError::internal())?;
    let idem = idem_key.map(|k| {
        Idempotency::new(
            keys::PLATFORM,
            who.user().as_str(),
            k.as_str(),
            &request_fingerprint(view.request()),
        )
    });
    match ctx
        .store
        .create_municipality(&m, idem.as_ref(), &answer)
        .await?
    {
        Created::New => {
            tracing::info!(municipality = %m.id, "municipality created");
            let mut r = json(StatusCode::CREATED, &MunicipalityView::from(&m))?;
            r.headers_mut().insert(
                "location",
                format!("/v1/municipalities/{}", m.id)
                    .parse()
                    .map_err(|_| ApiError::internal())?,
            );
            Ok(r)
        }
        Created::Replayed(a) => response::replay(a.status, a.body),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityPatch {
    // Platform administrator only.
    #[serde(default, deserialize_with = "non_null")]
    name: Option<RawLocalizedText>,
    #[serde(default, deserialize_with = "non_null")]
    governorate: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    status: Option<ServiceState>,
    #[serde(default, deserialize_with = "non_null")]
    services: Option<BTreeMap<Service, ServiceState>>,
    // Municipal administrators too.
    #[serde(default, deserialize_with = "non_null")]
    contact: Option<RawContact>,
    #[serde(default, deserialize_with = "double_option")]
    center: Option<Option<RawPoint>>,
}

impl MunicipalityPatch {
    fn touches_platform_fields(&self) -> bool {
        self.name.is_some()
            || self.governorate.is_some()
            || self.status.is_some()
            || self.services.is_some()
    }
}

pub async fn update(ctx: &Ctx, view: &RequestView<'_>, id: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, id, Permission::Permissions)?;
    let if_match = view.if_match()?;
    let patch: MunicipalityPatch = view.json()?;
    if patch.touches_platform_fields() {
        authorize_platform(&who)?;
    }
    // Validate once, before touching the store.
    let name = patch.name.map(parse_names).transpose()?;
    let governorate = patch
        .governorate
        .as_deref()
        .map(Governorate::by_code)
        .transpose()?;
    let center = match patch.center {
        None => None,
        Some(None) => Some(None),
        Some(Some(p)) => Some(Some(p.parse(&ctx.geo)?)),
    };
    let contact = patch.contact.map(RawContact::parse).transpose()?;

    // Read-modify-write with optimistic locking; retry a lost race a few times.
    for _ in 0..3 {
        let mut m = ctx
            .store
            .get_municipality(id, true)
            .await?
            .ok_or_else(ApiError::not_found)?;
        check_if_match(if_match, m.version)?;
        let expected = m.version;
        if let Some(name) = &name {
            m.name = name.clone();
        }
        if let Some(g) = governorate {
            m.governorate = g.code.to_owned();
        }
        if let Some(s) = patch.status {
            m.status = s;
        }
        if let Some(services) = &patch.services {
            for (service, state) in services {
                m.services.insert(*service, *state);
            }
        }
        if let Some(c) = &contact {
            c.apply(&mut m.contact);
        }
        if let Some(c) = center {
            m.center = c;
        }
        m.version = expected + 1;
        m.updated_at = view.now_rfc3339();
        match ctx.store.update_municipality(&m, expected).await {
            Ok(()) => {
                tracing::info!(municipality = %m.id, version = m.version, "municipality updated");
                return with_etag(
                    json(StatusCode::OK, &MunicipalityView::from(&m))?,
                    m.version,
                );
            }
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::VersionConflict.into())
}
