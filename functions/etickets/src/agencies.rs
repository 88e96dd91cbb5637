//! Agencies: their configuration (staff), their display board and the best
//! one for a citizen (anyone).

use baladiya::domain::calendar::Calendar;
use baladiya::domain::complaint::distance_m;
use baladiya::domain::eticket::agency::{Agency, Counter, QueueService};
use baladiya::domain::eticket::{self, Candidate, WeeklyHours};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::roles::authorize;
use baladiya::domain::staff::parse_label;
use baladiya::domain::text::{NameInput, Text};
use baladiya::domain::{
    DomainError, Lang, Municipality, MunicipalityId, Permission, Principal, Service,
};
use baladiya::http::Answer;
use baladiya::http::request::query_point;
use baladiya::http::response::{List, json, public_json};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::etickets::QueueKey;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Ctx;

/// Agencies per municipality, services per agency, counters per agency.
const MAX_AGENCIES: usize = 50;
const MAX_SERVICES: usize = 20;
const MAX_COUNTERS: usize = 50;

/// The municipality, if `who` may use its e-ticket service.
pub async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::ETicket, who).await
}

pub async fn agency(ctx: &Ctx, m: &MunicipalityId, code: &str) -> Result<Agency, ApiError> {
    let code = eticket::parse_code(code, "agency").map_err(|_| ApiError::not_found())?;
    ctx.store
        .get_agency(m, &code)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Whether the agency takes tickets now.
pub fn open(agency: &Agency, holidays: &Calendar, now: OffsetDateTime) -> bool {
    let none = Calendar::new([]);
    let cal = if agency.open_on_public_holidays {
        &none
    } else {
        holidays
    };
    eticket::is_open(&agency.hours, &agency.closures, cal, now)
}

/// Counters serving `service` (at least one is assumed for estimates).
pub fn counters_for(agency: &Agency, service: &str) -> u32 {
    agency
        .counters
        .iter()
        .filter(|c| c.services.iter().any(|s| s == service))
        .count() as u32
}

#[derive(Debug, Serialize)]
pub struct ServiceBoard {
    pub code: String,
    pub name: String,
    /// The number last called ("A042"), if any today.
    pub now_serving: Option<String>,
    pub waiting: u64,
    pub estimated_wait_minutes: u32,
    pub tickets_left: u64,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct AgencyView {
    pub code: String,
    pub name: Text,
    pub label: String,
    pub address: Option<String>,
    pub location: Option<Coordinates>,
    pub hours: WeeklyHours,
    pub closures: Vec<String>,
    pub open_now: bool,
    pub services: Vec<ServiceBoard>,
    pub counters: Vec<Counter>,
}

/// Each active service's state today: one Query per service.
pub async fn boards(
    ctx: &Ctx,
    m: &MunicipalityId,
    agency: &Agency,
    lang: Lang,
    now: OffsetDateTime,
) -> Result<Vec<ServiceBoard>, ApiError> {
    let day = eticket::service_day(now);
    let mut out = Vec::new();
    for s in agency.services.iter().filter(|s| s.active) {
        let q = QueueKey::new(m, &agency.code, &s.code, &day);
        // From the day's first number: a ticket written a moment after a later
        // one was called still waits, and counts.
        let (state, waiting) = ctx
            .store
            .queue_with_waiting(&q, baladiya::store::etickets::LAST_NUMBER)
            .await?;
        let prefix = s.prefix.chars().next().unwrap_or('A');
        out.push(ServiceBoard {
            code: s.code.clone(),
            name: s.name.get(lang).to_owned(),
            now_serving: (state.last_called > 0)
                .then(|| eticket::display_number(prefix, state.last_called)),
            waiting,
            estimated_wait_minutes: eticket::estimate_minutes(
                waiting,
                eticket::average_secs(state.handled_secs, state.handled_count),
                counters_for(agency, &s.code),
            ),
            tickets_left: s.daily_max.saturating_sub(state.taken),
        });
    }
    Ok(out)
}

async fn view_of(
    ctx: &Ctx,
    m: &MunicipalityId,
    a: Agency,
    lang: Lang,
    holidays: &Calendar,
    now: OffsetDateTime,
) -> Result<AgencyView, ApiError> {
    let services = boards(ctx, m, &a, lang, now).await?;
    Ok(AgencyView {
        open_now: open(&a, holidays, now),
        label: a.name.get(lang).to_owned(),
        code: a.code,
        name: a.name,
        address: a.address,
        location: a.location,
        hours: a.hours,
        closures: a.closures,
        services,
        counters: a.counters,
    })
}

/// `GET …/agencies`: every agency with its services' boards.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let holidays = ctx.store.calendar().await?;
    let now = view.now;
    let mut items = Vec::new();
    for a in ctx.store.agencies(m).await? {
        items.push(view_of(ctx, m, a, view.lang, &holidays, now).await?);
    }
    List::all(items).public(15)
}

/// `GET …/agencies/{agency}`.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let a = agency(ctx, m, code).await?;
    let holidays = ctx.store.calendar().await?;
    let v = view_of(ctx, m, a, view.lang, &holidays, view.now).await?;
    public_json(&v, 15)
}

/// `GET …/agencies/{agency}/board`: what the hall's screen shows, per service:
/// the number called and at which counter, how many wait.
pub async fn board(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    view.query(&[])?;
    municipality(ctx, m, None).await?;
    let a = agency(ctx, m, code).await?;
    let services = boards(ctx, m, &a, view.lang, view.now).await?;
    #[derive(Serialize)]
    struct Board {
        agency: String,
        services: Vec<ServiceBoard>,
        at: String,
    }
    let mut r = json(
        StatusCode::OK,
        &Board {
            agency: a.code,
            services,
            at: view.now_rfc3339(),
        },
    )?;
    r.headers_mut().insert(
        "cache-control",
        http::HeaderValue::from_static("public, max-age=5"),
    );
    Ok(r)
}

/// `GET …/agencies/best?lat&lon[&service]`: agencies offering the service,
/// by travel time plus estimated wait; closed ones last.
pub async fn best(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["lat", "lon", "service"])?;
    let here = query_point(&query, &ctx.geo)?;
    let service = query
        .get("service")
        .map(|s| eticket::parse_code(s, "service"))
        .transpose()
        .map_err(|_| ApiError::bad_request("invalid_query").with_detail("service: a code"))?;
    municipality(ctx, m, None).await?;
    let holidays = ctx.store.calendar().await?;
    let now = view.now;
    let mut candidates = Vec::new();
    for a in ctx.store.agencies(m).await? {
        let Some(at) = a.location else { continue };
        let boards = boards(ctx, m, &a, view.lang, now).await?;
        let wait = match &service {
            Some(code) => match boards.iter().find(|b| &b.code == code) {
                Some(b) => b.estimated_wait_minutes,
                None => continue,
            },
            None => boards
                .iter()
                .map(|b| b.estimated_wait_minutes)
                .min()
                .unwrap_or(0),
        };
        candidates.push(Candidate {
            open: open(&a, &holidays, now),
            agency: a.code.clone(),
            distance_m: distance_m(&here, &at),
            wait_minutes: wait,
        });
    }
    List::all(eticket::rank(candidates)).answer()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    code: String,
    name: NameInput,
    prefix: String,
    daily_max: u64,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounter {
    code: String,
    label: String,
    services: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyBody {
    name: NameInput,
    address: Option<String>,
    location: Option<RawPoint>,
    hours: WeeklyHours,
    #[serde(default)]
    closures: Vec<String>,
    #[serde(default)]
    open_on_public_holidays: bool,
    services: Vec<RawService>,
    counters: Vec<RawCounter>,
}

/// `PUT …/agencies/{agency}`: staff with `e_ticket` describe an agency: names,
/// place, opening hours (several shifts a day), closures, services (one queue
/// each, with a letter and a daily maximum) and counters.
pub async fn put(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, code: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::ETicket)?;
    let code = eticket::parse_code(code, "agency").map_err(|_| ApiError::not_found())?;
    let body: AgencyBody = view.json()?;
    if body.services.is_empty() || body.services.len() > MAX_SERVICES {
        return Err(DomainError::invalid("services", "count").into());
    }
    if body.counters.is_empty() || body.counters.len() > MAX_COUNTERS {
        return Err(DomainError::invalid("counters", "count").into());
    }
    let mut services: Vec<QueueService> = Vec::new();
    for s in &body.services {
        let code = eticket::parse_code(&s.code, "services.code")?;
        let prefix = s.prefix.trim();
        if prefix.chars().count() != 1 || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(DomainError::invalid("services.prefix", "one_capital_letter").into());
        }
        if !(1..=9999).contains(&s.daily_max) {
            return Err(DomainError::invalid("services.daily_max", "range").into());
        }
        if services.iter().any(|x| x.code == code) {
            return Err(DomainError::invalid("services.code", "duplicate").into());
        }
        services.push(QueueService {
            code,
            name: s.name.parse()?,
            prefix: prefix.to_owned(),
            daily_max: s.daily_max,
            active: s.active,
        });
    }
    let mut counters: Vec<Counter> = Vec::new();
    for c in &body.counters {
        let code = eticket::parse_code(&c.code, "counters.code")?;
        if counters.iter().any(|x| x.code == code) {
            return Err(DomainError::invalid("counters.code", "duplicate").into());
        }
        let mut served = Vec::new();
        for s in &c.services {
            let s = eticket::parse_code(s, "counters.services")?;
            if !services.iter().any(|x| x.code == s) {
                return Err(DomainError::invalid("counters.services", "unknown").into());
            }
            served.push(s);
        }
        counters.push(Counter {
            code,
            label: parse_label(&c.label, "counters.label", 40)?,
            services: served,
        });
    }
    let date = time::macros::format_description!("[year]-[month]-[day]");
    let mut closures = Vec::new();
    for d in &body.closures {
        let day = time::Date::parse(d.trim(), &date)
            .map_err(|_| DomainError::invalid("closures", "format"))?;
        closures.push(day.format(&date).map_err(|_| ApiError::internal())?);
    }
    let agency = Agency {
        code,
        name: body.name.parse()?,
        address: body
            .address
            .as_deref()
            .map(|a| parse_label(a, "address", 200))
            .transpose()?,
        location: body
            .location
            .map(|p| Coordinates::parse(p.lat, p.lon, &ctx.geo))
            .transpose()?,
        hours: WeeklyHours::parse(body.hours)?,
        closures,
        open_on_public_holidays: body.open_on_public_holidays,
        services,
        counters,
        updated_at: view.now_rfc3339(),
    };
    municipality(ctx, m, Some(&who)).await?;
    let existing = ctx.store.agencies(m).await?;
    if existing.len() >= MAX_AGENCIES && !existing.iter().any(|a| a.code == agency.code) {
        return Err(
            ApiError::conflict("limit_reached").with_detail(format!("agencies: {MAX_AGENCIES}"))
        );
    }
    ctx.store.put_agency(m, &agency).await?;
    let holidays = ctx.store.calendar().await?;
    let v = view_of(ctx, m, agency, view.lang, &holidays, view.now).await?;
    json(StatusCode::OK, &v)
}
