//! Complaint handlers: parse the request, run the shared case flow
//! (`baladiya::cases`) with the complaint's rules (`domain::complaint::Complaint`),
//! answer in the complaint's view.

use baladiya::cases::Opened;
use baladiya::domain::attachment::FileKind;
use baladiya::domain::case::decide::{self, Move};
use baladiya::domain::case::{Audience, CaseRecord, CaseType, timeline};
use baladiya::domain::complaint::{
    self, Complaint, ComplaintData, NEARBY_RADIUS_M, cells_around, distance_m,
};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::staff::parse_label;
use baladiya::domain::workflow::COMPLAINT;
use baladiya::domain::{DomainError, MunicipalityId, Principal};
use baladiya::http::paging::{paging, request_fingerprint};
use baladiya::http::response::{List, created, json, replay};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::complaints::ComplaintFilter;
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Deserialize;

use crate::Ctx;
use crate::categories::{categories_of, known_category};
use crate::views::ComplaintView;

const NOTE_MAX: usize = 1000;

type Case = CaseRecord<ComplaintData>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    category: String,
    #[serde(default)]
    subcategory: Option<String>,
    description: String,
    #[serde(default)]
    location: Option<Point>,
    #[serde(default)]
    address: Option<String>,
    /// One of the municipality's areas (`…/areas`).
    #[serde(default)]
    area: Option<String>,
    #[serde(default = "crate::yes")]
    public: bool,
    #[serde(default)]
    hide_name: bool,
}

/// `POST …/complaints`: file a report. Idempotent with `Idempotency-Key`.
pub async fn create(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let idem_key = view.idempotency_key()?;
    let body: NewComplaint = view.json()?;
    let filer = decide::filer::<Complaint>(&who, m)?;
    ctx.cases.service::<Complaint>(m, Some(&who)).await?;
    let (category, subcategory) = complaint::parse_offered(
        &categories_of(ctx, m).await?,
        &body.category,
        body.subcategory.as_deref(),
    )?;
    let description = complaint::parse_description(&body.description)?;
    let location = body
        .location
        .map(|p| Coordinates::parse(p.lat, p.lon, &ctx.geo))
        .transpose()?;
    let address = body
        .address
        .as_deref()
        .map(complaint::parse_address)
        .transpose()?;
    if location.is_none() && address.is_none() {
        return Err(DomainError::invalid("location", "required").into());
    }
    let area = match body.area.as_deref().map(str::trim) {
        None => None,
        Some(code) => Some(
            ctx.store
                .areas(m)
                .await?
                .into_iter()
                .find(|a| a.code == code)
                .map(|a| a.code)
                .ok_or_else(|| ApiError::from(DomainError::invalid("area", "unknown")))?,
        ),
    };
    let reporter_name = ctx
        .store
        .get_account(who.user(), false)
        .await?
        .and_then(|a| a.name);
    let data = ComplaintData {
        category,
        subcategory,
        description,
        location,
        address,
        area,
        public: body.public,
        hide_name: body.hide_name,
        reporter_name,
        origin: None,
    };
    let filing = decide::file::<Complaint>(m, &filer, data, None, view.now);
    let mut answer = ComplaintView::new(&filing.case, Audience::Owner);
    answer.timeline = Some(timeline::<Complaint>(
        std::slice::from_ref(&filing.first),
        Audience::Owner,
    ));
    let answer = serde_json::to_string(&answer).map_err(|_| ApiError::internal())?;
    let idem = idem_key.map(|k| {
        Idempotency::new(
            &keys::tenant(m),
            who.user().as_str(),
            k.as_str(),
            &request_fingerprint(view.request()),
        )
    });
    match ctx
        .cases
        .file(&filing, Vec::new(), idem.as_ref(), &answer)
        .await?
    {
        Created::New => created(
            &format!("/v1/municipalities/{m}/complaints/{}", filing.case.id),
            answer,
        ),
        Created::Replayed(stored) => replay(stored.status, stored.body),
    }
}

/// `GET …/complaints`: public complaints, newest first; `state`, `category`.
pub async fn list(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let query = view.query(&["state", "category", "bbox", "limit", "cursor"])?;
    let who = view.optional_principal(&ctx.verifier)?;
    let filter = ComplaintFilter {
        state: query
            .get("state")
            .map(|s| {
                COMPLAINT.state(s).map(str::to_owned).map_err(|_| {
                    ApiError::bad_request("invalid_query").with_detail("state: unknown")
                })
            })
            .transpose()?,
        category: match query.get("category") {
            Some(c) => Some(known_category(ctx, m, c).await?),
            None => None,
        },
        within: query.get("bbox").map(|b| bbox(b, &ctx.geo)).transpose()?,
    };
    let scope = format!(
        "complaints:{m}:{}:{}:{}",
        filter.state.as_deref().unwrap_or(""),
        filter.category.as_deref().unwrap_or(""),
        query.get("bbox").map(String::as_str).unwrap_or("")
    );
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    ctx.cases.service::<Complaint>(m, who.as_ref()).await?;
    let page = ctx
        .store
        .public_complaints::<ComplaintData>(m, &filter, limit, start)
        .await?;
    let items = page
        .items
        .iter()
        .map(|c| ComplaintView::new(c, Audience::Public))
        .collect();
    json(
        StatusCode::OK,
        &List::page(items, page.next, &ctx.cursors, &scope),
    )
}

/// `GET …/complaints/mine`: the caller's own complaints here, newest first.
pub async fn mine(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("complaints-mine:{m}:{}", who.user());
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    ctx.cases.service::<Complaint>(m, Some(&who)).await?;
    let page = ctx
        .store
        .cases_owned::<ComplaintData>(m, Complaint::KIND, who.user().as_str(), limit, start)
        .await?;
    let items = page
        .items
        .iter()
        .map(|c| ComplaintView::new(c, Audience::Owner))
        .collect();
    json(
        StatusCode::OK,
        &List::page(items, page.next, &ctx.cursors, &scope),
    )
}

/// `GET …/complaints/followed`: the complaints the caller follows here.
pub async fn followed(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("complaints-followed:{m}:{}", who.user());
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    ctx.cases.service::<Complaint>(m, Some(&who)).await?;
    let page = ctx
        .store
        .followed_cases::<ComplaintData>(m, Complaint::KIND, who.user().as_str(), limit, start)
        .await?;
    // Made private since, or out of the caller's sight: not shown.
    let items = page
        .items
        .iter()
        .filter_map(|c| {
            baladiya::domain::case::audience::<Complaint>(Some(&who), c, true)
                .ok()
                .map(|a| ComplaintView::new(c, a))
        })
        .collect();
    json(
        StatusCode::OK,
        &List::page(items, page.next, &ctx.cursors, &scope),
    )
}

/// `bbox=<west>,<south>,<east>,<north>` (degrees, as GeoJSON orders them).
fn bbox(
    raw: &str,
    area: &baladiya::domain::GeoBounds,
) -> Result<(Coordinates, Coordinates), ApiError> {
    let bad = || {
        ApiError::bad_request("invalid_query").with_detail("bbox: west,south,east,north in degrees")
    };
    let v: Vec<f64> = raw
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let [w, s, e, n] = v[..] else {
        return Err(bad());
    };
    if !(w < e && s < n) {
        return Err(bad());
    }
    // Corners may lie outside the platform's area (a map view is wider): clamp.
    let clamp = |lat: f64, lon: f64| {
        Coordinates::parse(
            lat.clamp(area.min_lat, area.max_lat),
            lon.clamp(area.min_lon, area.max_lon),
            area,
        )
        .map_err(|_| bad())
    };
    Ok((clamp(s, w)?, clamp(n, e)?))
}

fn number(query: &std::collections::HashMap<String, String>, k: &str) -> Result<f64, ApiError> {
    query
        .get(k)
        .ok_or_else(|| {
            ApiError::bad_request("invalid_query").with_detail(format!("{k}: required"))
        })?
        .parse::<f64>()
        .map_err(|_| ApiError::bad_request("invalid_query").with_detail(format!("{k}: a number")))
}

/// `GET …/complaints/nearby?lat&lon[&category]`: open public complaints within
/// 100 m, nearest first, so a citizen can support one instead of filing again.
pub async fn nearby(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let query = view.query(&["lat", "lon", "category"])?;
    let here = Coordinates::parse(number(&query, "lat")?, number(&query, "lon")?, &ctx.geo)?;
    let category = match query.get("category") {
        Some(c) => Some(known_category(ctx, m, c).await?),
        None => None,
    };
    let who = view.optional_principal(&ctx.verifier)?;
    ctx.cases.service::<Complaint>(m, who.as_ref()).await?;
    let found: Vec<Case> = ctx
        .store
        .complaints_in_cells(m, &cells_around(&here))
        .await?;
    let mut items: Vec<ComplaintView> = found
        .iter()
        .filter(|c| !c.hidden && !c.is_closed())
        .filter(|c| category.as_ref().is_none_or(|k| *k == c.data.category))
        .filter_map(|c| {
            let d = distance_m(&here, c.data.location.as_ref()?);
            (d <= NEARBY_RADIUS_M).then(|| {
                let mut v = ComplaintView::new(c, Audience::Public);
                v.distance_m = Some(d.round() as u32);
                v
            })
        })
        .collect();
    items.sort_by_key(|v| v.distance_m);
    items.truncate(10);
    json(StatusCode::OK, &List::all(items))
}

/// The complaint as its audience sees it, with its timeline and photos.
async fn detail(ctx: &Ctx, opened: &Opened<ComplaintData>) -> Result<ComplaintView, ApiError> {
    let history = ctx.cases.history(&opened.case).await?;
    let mut body = ComplaintView::new(&opened.case, opened.audience);
    body.timeline = Some(timeline::<Complaint>(&history, opened.audience));
    body.attachments = Some(ctx.cases.photos(opened).await?);
    Ok(body)
}

/// `GET …/complaints/{id}`: a complaint and its timeline. Private ones exist only
/// for their reporter and the municipality's staff handling the category.
pub async fn get(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    let opened = ctx.cases.open::<Complaint>(who.as_ref(), m, id).await?;
    json(StatusCode::OK, &detail(ctx, &opened).await?)
}

/// `PUT|DELETE …/complaints/{id}/follow`: be told (or stop being told) about its
/// state changes. Idempotent.
pub async fn follow(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
    on: bool,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    ctx.cases.follow(&who, &opened, on, view.now).await?;
    baladiya::http::response::no_content()
}

/// `POST …/complaints/{id}/support`: "me too", counted once per person; the
/// supporter also follows the complaint.
pub async fn support(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    let supported = ctx
        .cases
        .support::<Complaint>(&who, &opened, view.now)
        .await?;
    json(StatusCode::OK, &supported)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUpload {
    content_type: String,
    size: u64,
}

/// `POST …/complaints/{id}/attachments`: a presigned URL to upload one photo
/// straight to S3 (type and size are signed: S3 refuses anything else). The
/// reporter, while the complaint is open, and staff handling it. The photo shows
/// once the media function has checked it.
pub async fn attach(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let body: NewUpload = view.json()?;
    FileKind::Photo.accept(&body.content_type, body.size)?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    let upload = ctx
        .cases
        .start_upload::<Complaint>(
            &who,
            &opened,
            FileKind::Photo,
            &body.content_type,
            body.size,
            view.now,
        )
        .await?;
    json(StatusCode::CREATED, &upload)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewState {
    state: String,
    #[serde(default)]
    note: Option<String>,
    /// With `state: duplicate`: the complaint this one repeats.
    #[serde(default)]
    duplicate_of: Option<String>,
    /// A photo of this complaint (`att_…`, checked and ready) that goes with the
    /// change: the work done, the place now.
    #[serde(default)]
    attachment: Option<String>,
}

/// `POST …/complaints/{id}/transitions`: staff move a complaint to a new state
/// with an optional note (the reporter may withdraw theirs, or clarify a
/// "not clear" one). The change, its timeline entry and the notice to the
/// reporter and followers are written together.
pub async fn transition(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let body: NewState = view.json()?;
    let mv = Move {
        to: body.state,
        note: body
            .note
            .as_deref()
            .map(|n| parse_label(n, "note", NOTE_MAX))
            .transpose()?,
        duplicate_of: body.duplicate_of,
        file: body.attachment,
        fields: (),
    };
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    let moved = ctx
        .cases
        .transition::<Complaint>(&who, opened, mv, &(), view.now)
        .await?;
    let mut answer = ComplaintView::new(&moved.case, moved.audience);
    answer.timeline = Some(timeline::<Complaint>(&moved.history, moved.audience));
    json(StatusCode::OK, &answer)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// `stf_…` of a colleague handling complaints (of this category), or `null`.
    staff_id: Option<String>,
}

/// `POST …/complaints/{id}/assignment`: give the complaint to a colleague.
pub async fn assign(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let body: Assignment = view.json()?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    let case = ctx
        .cases
        .assign::<Complaint>(&opened, body.staff_id.as_deref())
        .await?;
    json(StatusCode::OK, &ComplaintView::new(&case, Audience::Staff))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    hidden: bool,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST …/complaints/{id}/moderation`: hide abusive content from every public
/// view (the reporter and staff still see it), or show it again.
pub async fn moderate(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who: Principal = view.principal(&ctx.verifier)?;
    let body: Moderation = view.json()?;
    let reason = body
        .reason
        .as_deref()
        .map(|r| parse_label(r, "reason", 200))
        .transpose()?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    let case = ctx
        .cases
        .moderate::<Complaint>(&who, &opened, body.hidden, reason.as_deref())
        .await?;
    json(StatusCode::OK, &ComplaintView::new(&case, Audience::Staff))
}
