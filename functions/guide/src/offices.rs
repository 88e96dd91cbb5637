//! Offices: where procedures are filed and collected, with their opening hours
//! (anyone reads whether they are open now; staff with `procedures` write).

use baladiya::domain::DomainError;
use baladiya::domain::MunicipalityId;
use baladiya::domain::geo::PointInput;
use baladiya::domain::guide::hours::OfficeHours;
use baladiya::domain::guide::{Category, MAX_OFFICES, Office, check_text};
use baladiya::domain::roles::authorize;
use baladiya::domain::text::{NameInput, Text};
use baladiya::domain::{Permission, eticket};
use baladiya::http::response::{List, json, public_json};
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::Deserialize;

use crate::Ctx;
use crate::procedures::municipality;
use crate::views;

/// `GET …/offices`: every office, open now or not.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let holidays = ctx.store.calendar().await?;
    let items = ctx
        .store
        .offices(m)
        .await?
        .into_iter()
        .map(|o| views::office(o, view.lang, &holidays, view.now))
        .collect();
    List::all(items).public(60)
}

/// `GET …/offices/{office}`.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let o = ctx
        .store
        .offices(m)
        .await?
        .into_iter()
        .find(|o| o.code == code)
        .ok_or_else(ApiError::not_found)?;
    let holidays = ctx.store.calendar().await?;
    public_json(&views::office(o, view.lang, &holidays, view.now), 60)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeBody {
    name: NameInput,
    address: Option<Text>,
    location: Option<PointInput>,
    phone: Option<String>,
    #[serde(default)]
    categories: Vec<Category>,
    hours: OfficeHours,
    eticket_agency: Option<String>,
}

/// `PUT …/offices/{office}`: staff with `procedures` describe an office: its
/// name and place, the kinds of procedure it handles, its hours (two sessions,
/// summer and Ramadan hours, days closed or with other hours, a permanence on
/// public holidays) and its e-ticket agency.
pub async fn put(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::Procedures)?;
    let code = eticket::parse_code(code, "office").map_err(|_| ApiError::not_found())?;
    let body: OfficeBody = view.json()?;
    let mut categories = body.categories;
    categories.sort();
    categories.dedup();
    let phone = body
        .phone
        .as_deref()
        .map(|p| {
            let v = p.trim();
            let ok = (4..=20).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if ok {
                Ok(v.to_owned())
            } else {
                Err(DomainError::invalid("phone", "format"))
            }
        })
        .transpose()?;
    let office = Office {
        code,
        name: body.name.parse()?,
        address: body
            .address
            .map(|a| check_text(&a, "address", 200, false))
            .transpose()?,
        location: body.location.map(|p| p.parse(&ctx.geo)).transpose()?,
        phone,
        categories,
        hours: body.hours.check()?,
        eticket_agency: body
            .eticket_agency
            .map(|a| eticket::parse_code(&a, "eticket_agency"))
            .transpose()?,
        updated_at: view.now_rfc3339(),
    };
    municipality(ctx, m, Some(&who)).await?;
    if let Some(a) = &office.eticket_agency
        && ctx.store.get_agency(m, a).await?.is_none()
    {
        return Err(DomainError::invalid("eticket_agency", "unknown").into());
    }
    let existing = ctx.store.offices(m).await?;
    if existing.len() >= MAX_OFFICES && !existing.iter().any(|o| o.code == office.code) {
        return Err(
            ApiError::conflict("limit_reached").with_detail(format!("offices: {MAX_OFFICES}"))
        );
    }
    ctx.store.put_office(m, &office).await?;
    let holidays = ctx.store.calendar().await?;
    json(
        StatusCode::OK,
        &views::office(office, view.lang, &holidays, view.now),
    )
}
