//! `/v1/holidays`: the public-holiday table deadlines are computed with. The
//! operator (platform administrators) keeps it: the Islamic holidays move each
//! year and are announced late. Until a table is recorded, the built-in one
//! (`deadline::default_holidays`) applies.

use baladiya::domain::DomainError;
use baladiya::domain::deadline::{Calendar, default_holidays};
use baladiya::domain::roles::authorize_platform;
use baladiya::domain::staff::parse_label;
use baladiya::http::response::{json, no_content};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::tracked::HolidayRecord;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::Ctx;

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn parse_date(raw: &str) -> Result<Date, DomainError> {
    Date::parse(raw.trim(), DATE).map_err(|_| DomainError::invalid("date", "format"))
}

/// The holidays in force: the recorded table, or the built-in one.
pub async fn table(ctx: &Ctx) -> Result<Vec<HolidayRecord>, StoreError> {
    let recorded = ctx.store.holidays().await?;
    if !recorded.is_empty() {
        return Ok(recorded);
    }
    Ok(default_holidays()
        .into_iter()
        .map(|(d, fr, ar)| HolidayRecord {
            date: d.format(DATE).unwrap_or_default(),
            name_fr: fr.to_owned(),
            name_ar: ar.to_owned(),
        })
        .collect())
}

/// The calendar deadlines are computed with.
pub async fn calendar(ctx: &Ctx) -> Result<Calendar, StoreError> {
    Ok(Calendar::new(
        table(ctx)
            .await?
            .iter()
            .filter_map(|h| Date::parse(&h.date, DATE).ok()),
    ))
}

#[derive(Serialize)]
struct HolidayView {
    date: String,
    name: Names,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    ar: String,
    fr: String,
}

#[derive(Serialize)]
struct List {
    items: Vec<HolidayView>,
    next_cursor: Option<String>,
}

/// `GET /v1/holidays`: anyone.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>) -> Result<Response<Body>, ApiError> {
    view.query(&[])?;
    let mut items: Vec<HolidayView> = table(ctx)
        .await?
        .into_iter()
        .map(|h| HolidayView {
            date: h.date,
            name: Names {
                ar: h.name_ar,
                fr: h.name_fr,
            },
        })
        .collect();
    items.sort_by(|a, b| a.date.cmp(&b.date));
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: None,
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body_ {
    name: Names,
}

/// `PUT /v1/holidays/{date}`: platform administrators add or rename one.
pub async fn put(
    ctx: &Ctx,
    view: &RequestView<'_>,
    date: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    authorize_platform(&who)?;
    let date = parse_date(date).map_err(|_| ApiError::not_found())?;
    let body: Body_ = view.json()?;
    let record = HolidayRecord {
        date: date.format(DATE).map_err(|_| ApiError::internal())?,
        name_ar: parse_label(&body.name.ar, "name.ar", 80)?,
        name_fr: parse_label(&body.name.fr, "name.fr", 80)?,
    };
    // The first change turns the built-in table into a recorded one.
    if ctx.store.holidays().await?.is_empty() {
        for h in table(ctx).await? {
            ctx.store.put_holiday(&h).await?;
        }
    }
    ctx.store.put_holiday(&record).await?;
    json(
        StatusCode::OK,
        &HolidayView {
            date: record.date,
            name: Names {
                ar: record.name_ar,
                fr: record.name_fr,
            },
        },
    )
}

/// `DELETE /v1/holidays/{date}`: platform administrators remove one.
pub async fn delete(
    ctx: &Ctx,
    view: &RequestView<'_>,
    date: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    authorize_platform(&who)?;
    let date = parse_date(date).map_err(|_| ApiError::not_found())?;
    if ctx.store.holidays().await?.is_empty() {
        for h in table(ctx).await? {
            ctx.store.put_holiday(&h).await?;
        }
    }
    let key = date.format(DATE).map_err(|_| ApiError::internal())?;
    match ctx.store.delete_holiday(&key).await {
        Ok(()) => no_content(),
        Err(StoreError::NotFound) => Err(ApiError::not_found()),
        Err(e) => Err(e.into()),
    }
}
