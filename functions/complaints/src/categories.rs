//! What a municipality offers to file complaints under: its categories (the
//! national defaults, renamed, extended or switched off, and its own) and its
//! areas. Read by everyone; managed by staff holding `complaints` for every
//! category.

use baladiya::domain::complaint::{self, Complaint, OfferedCategory, OfferedSubcategory};
use baladiya::domain::text::{NameInput, Text};
use baladiya::domain::{DomainError, MunicipalityId, Permission, Principal};
use baladiya::http::Answer;
use baladiya::http::response::{List, json};
use baladiya::http::{ApiError, RequestView};
use http::StatusCode;
use serde::Deserialize;

use crate::Ctx;
use crate::views::CategoryView;

/// `GET …/complaint-categories`: the categories a report can be filed under.
pub async fn categories(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    ctx.cases.service::<Complaint>(m, who.as_ref()).await?;
    let items: Vec<CategoryView> = categories_of(ctx, m)
        .await?
        .iter()
        .filter(|c| c.active)
        .map(|c| CategoryView::new(c, view.lang))
        .collect();
    List::all(items).public(60)
}

/// Categories and areas are the whole service's: managed by staff holding
/// `complaints` for every category, not by those limited to some.
fn manages_all_categories(who: &Principal, m: &MunicipalityId) -> Result<(), ApiError> {
    baladiya::domain::roles::authorize(who, m, Permission::Complaints)?;
    match who {
        Principal::Staff {
            complaint_categories: Some(_),
            ..
        } => Err(ApiError::forbidden()),
        _ => Ok(()),
    }
}

/// What the municipality offers: national defaults and its own changes.
pub(crate) async fn categories_of(
    ctx: &Ctx,
    m: &MunicipalityId,
) -> Result<Vec<OfferedCategory>, ApiError> {
    Ok(complaint::offered(
        &ctx.store.own_complaint_categories(m).await?,
    ))
}

/// A category code in a query: one the municipality has (active or not).
pub(crate) async fn known_category(
    ctx: &Ctx,
    m: &MunicipalityId,
    code: &str,
) -> Result<String, ApiError> {
    categories_of(ctx, m)
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .map(|c| c.code)
        .ok_or_else(|| ApiError::bad_request("invalid_query").with_detail("category: unknown"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubcategory {
    code: String,
    name: NameInput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    name: NameInput,
    #[serde(default)]
    subcategories: Vec<RawSubcategory>,
    #[serde(default = "crate::yes")]
    active: bool,
}

fn category_code(raw: &str, field: &'static str) -> Result<String, DomainError> {
    baladiya::domain::staff::parse_category(raw.trim())
        .map_err(|_| DomainError::invalid(field, "format"))
}

/// `PUT …/complaint-categories/{code}`: staff handling complaints rename, extend
/// or switch off a national category, or add one of the municipality's own.
pub async fn put_category(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    code: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    manages_all_categories(&who, m)?;
    let code = category_code(code, "code").map_err(|_| ApiError::not_found())?;
    let body: CategoryBody = view.json()?;
    if body.subcategories.len() > complaint::MAX_SUBCATEGORIES {
        return Err(DomainError::invalid("subcategories", "too_many").into());
    }
    let mut subcategories: Vec<OfferedSubcategory> = Vec::new();
    for s in &body.subcategories {
        let sub = OfferedSubcategory {
            code: category_code(&s.code, "subcategories.code")?,
            name: s.name.parse()?,
        };
        if subcategories.iter().any(|x| x.code == sub.code) {
            return Err(DomainError::invalid("subcategories.code", "duplicate").into());
        }
        subcategories.push(sub);
    }
    let category = OfferedCategory {
        code,
        name: body.name.parse()?,
        subcategories,
        active: body.active,
    };
    ctx.cases.service::<Complaint>(m, Some(&who)).await?;
    ctx.store.put_complaint_category(m, &category).await?;
    json(StatusCode::OK, &CategoryView::new(&category, view.lang))
}

/// `GET …/areas`: the municipality's areas, for the report form.
pub async fn areas(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    ctx.cases.service::<Complaint>(m, who.as_ref()).await?;
    #[derive(serde::Serialize)]
    struct AreaView {
        code: String,
        name: Text,
        label: String,
    }
    let items = ctx
        .store
        .areas(m)
        .await?
        .into_iter()
        .map(|a| AreaView {
            label: a.name.get(view.lang).to_owned(),
            code: a.code,
            name: a.name,
        })
        .collect();
    List::all(items).public(60)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaBody {
    name: NameInput,
}

/// `PUT …/areas/{code}`: add or rename an area (staff holding `complaints`).
pub async fn put_area(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    manages_all_categories(&who, m)?;
    let code = category_code(code, "code").map_err(|_| ApiError::not_found())?;
    let body: AreaBody = view.json()?;
    let area = complaint::Area {
        code,
        name: body.name.parse()?,
    };
    ctx.cases.service::<Complaint>(m, Some(&who)).await?;
    let existing = ctx.store.areas(m).await?;
    if existing.len() >= complaint::MAX_AREAS && !existing.iter().any(|a| a.code == area.code) {
        return Err(ApiError::conflict("limit_reached")
            .with_detail(format!("areas: {}", complaint::MAX_AREAS)));
    }
    ctx.store.put_area(m, &area).await?;
    json(StatusCode::OK, &area)
}
