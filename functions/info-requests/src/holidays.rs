//! `/v1/holidays`: the public-holiday table deadlines are computed with. The
//! operator (platform administrators) keeps it: the Islamic holidays move each
//! year and are announced late. Until a table is recorded, the built-in one
//! (`calendar::default_holidays`) applies.

use baladiya::domain::calendar::{self, HolidayRecord};
use baladiya::domain::roles::authorize_platform;
use baladiya::domain::staff::parse_label;
use baladiya::http::Answer;
use baladiya::http::response::{List, json, no_content};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::Ctx;

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

/// `GET /v1/holidays`: anyone.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    view.query(&[])?;
    let mut items: Vec<HolidayView> = ctx
        .store
        .holidays_in_force()
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
    List::all(items).answer()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body_ {
    name: Names,
}

/// `PUT /v1/holidays/{date}`: platform administrators add or rename one.
pub async fn put(ctx: &Ctx, view: &RequestView<'_>, date: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize_platform(&who)?;
    let date = calendar::parse_date(date).ok_or_else(ApiError::not_found)?;
    let body: Body_ = view.json()?;
    let record = HolidayRecord {
        date: calendar::format_date(date),
        name_ar: parse_label(&body.name.ar, "name.ar", 80)?,
        name_fr: parse_label(&body.name.fr, "name.fr", 80)?,
    };
    // The first change turns the built-in table into a recorded one.
    if ctx.store.holidays().await?.is_empty() {
        for h in ctx.store.holidays_in_force().await? {
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
pub async fn delete(ctx: &Ctx, view: &RequestView<'_>, date: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize_platform(&who)?;
    let date = calendar::parse_date(date).ok_or_else(ApiError::not_found)?;
    if ctx.store.holidays().await?.is_empty() {
        for h in ctx.store.holidays_in_force().await? {
            ctx.store.put_holiday(&h).await?;
        }
    }
    match ctx.store.delete_holiday(&calendar::format_date(date)).await {
        Ok(()) => no_content(),
        Err(StoreError::NotFound) => Err(ApiError::not_found()),
        Err(e) => Err(e.into()),
    }
}
