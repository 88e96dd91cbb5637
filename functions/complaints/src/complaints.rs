//! Complaint handlers.

use baladiya::clock::now_rfc3339;
use baladiya::domain::attachment::{self, Attachment, AttachmentStatus};
use baladiya::domain::complaint::{
    self, ComplaintData, NEARBY_RADIUS_M, Names, OfferedCategory, OfferedSubcategory, cells_around,
    distance_m,
};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::notice::Notice;
use baladiya::domain::roles::authorize_complaint_category;
use baladiya::domain::staff::parse_label;
use baladiya::domain::workflow::{
    Actor, COMPLAINT, CaseKind, CaseRef, HistoryEntry, authorize_transition,
};
use baladiya::domain::{
    DomainError, Id, Municipality, MunicipalityId, Permission, Principal, Service,
};
use baladiya::http::auth::now_secs;
use baladiya::http::paging::{paging, request_fingerprint};
use baladiya::http::response::{json, public_json, replay};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::cases::CaseRecord;
use baladiya::store::complaints::ComplaintFilter;
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Deserialize;

use crate::Ctx;
use crate::views::{AttachmentView, Audience, CategoryView, ComplaintView, List, TimelineEntry};

const NOTE_MAX: usize = 1000;

/// The municipality, if `who` may use its complaints service: a deactivated
/// municipality does not exist for the public; a service that is off is 403.
async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::Complaints, who).await
}

fn data_of(case: &CaseRecord) -> Result<ComplaintData, ApiError> {
    serde_json::from_value(case.data.clone()).map_err(|_| ApiError::internal())
}

/// How much of `case` `who` may see; `None`: it does not exist for them.
fn audience(who: Option<&Principal>, case: &CaseRecord, data: &ComplaintData) -> Option<Audience> {
    if let Some(p) = who {
        if authorize_complaint_category(p, &case.municipality, &data.category).is_ok() {
            return Some(Audience::Staff);
        }
        if p.user().as_str() == case.owner {
            return Some(Audience::Reporter);
        }
    }
    // Hidden by staff (abusive): out of public sight, like a private one.
    (data.public && !case.hidden).then_some(Audience::Public)
}

/// `GET …/complaint-categories`: the categories a report can be filed under.
pub async fn categories(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    let items: Vec<CategoryView> = categories_of(ctx, m)
        .await?
        .iter()
        .filter(|c| c.active)
        .map(|c| CategoryView::new(c, view.lang))
        .collect();
    public_json(
        &List {
            items,
            next_cursor: None,
        },
        60,
    )
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
async fn categories_of(ctx: &Ctx, m: &MunicipalityId) -> Result<Vec<OfferedCategory>, ApiError> {
    Ok(complaint::offered(
        &ctx.store.own_complaint_categories(m).await?,
    ))
}

/// A category code in a query: one the municipality has (active or not).
async fn known_category(ctx: &Ctx, m: &MunicipalityId, code: &str) -> Result<String, ApiError> {
    categories_of(ctx, m)
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .map(|c| c.code)
        .ok_or_else(|| ApiError::bad_request("invalid_query").with_detail("category: unknown"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNames {
    ar: String,
    fr: String,
    #[serde(default)]
    en: Option<String>,
}

impl RawNames {
    fn parse(&self) -> Result<Names, DomainError> {
        Names::parse(&self.ar, &self.fr, self.en.as_deref())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubcategory {
    code: String,
    name: RawNames,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    name: RawNames,
    #[serde(default)]
    subcategories: Vec<RawSubcategory>,
    #[serde(default = "yes")]
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
) -> Result<Response<Body>, ApiError> {
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
    municipality(ctx, m, Some(&who)).await?;
    ctx.store.put_complaint_category(m, &category).await?;
    json(StatusCode::OK, &CategoryView::new(&category, view.lang))
}

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
    #[serde(default = "yes")]
    public: bool,
    #[serde(default)]
    hide_name: bool,
}

fn yes() -> bool {
    true
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
    municipality(ctx, m, Some(&who)).await?;
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
    let now = now_rfc3339();
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
    let case = CaseRecord {
        kind: CaseKind::Complaint,
        municipality: m.clone(),
        id: Id::generate("cmp").to_string(),
        owner: who.user().to_string(),
        state: COMPLAINT.initial.to_owned(),
        seq: 1,
        created_at: now.clone(),
        updated_at: now.clone(),
        data: serde_json::to_value(&data).map_err(|_| ApiError::internal())?,
        supporters: 0,
        assigned_to: None,
        duplicate_of: None,
        hidden: false,
        status_note: None,
        due_at: None,
    };
    let first = HistoryEntry {
        seq: 1,
        state: case.state.clone(),
        note: None,
        author: case.owner.clone(),
        author_role: Actor::Owner,
        at: now,
        attachment: None,
    };
    let mut answer = ComplaintView::new(&case, &data, Audience::Reporter);
    answer.timeline = Some(vec![TimelineEntry::from(&first)]);
    let answer = serde_json::to_string(&answer).map_err(|_| ApiError::internal())?;
    let idem = idem_key.map(|k| {
        Idempotency::new(
            &keys::tenant(m),
            who.user().as_str(),
            k.as_str(),
            &request_fingerprint(view.request()),
        )
    });
    // On the public map only when public and placed.
    let cell = match (data.public, &data.location) {
        (true, Some(c)) => Some(complaint::cell(c)),
        _ => None,
    };
    match ctx
        .store
        .create_complaint(&case, &first, cell.as_deref(), idem.as_ref(), &answer)
        .await?
    {
        Created::New => Response::builder()
            .status(StatusCode::CREATED)
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .header(
                "location",
                format!("/v1/municipalities/{m}/complaints/{}", case.id),
            )
            .body(Body::Text(answer))
            .map_err(|_| ApiError::internal()),
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
                COMPLAINT
                    .states
                    .iter()
                    .find(|k| *k == s)
                    .map(|k| (*k).to_owned())
                    .ok_or_else(|| {
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
    municipality(ctx, m, who.as_ref()).await?;
    let page = ctx
        .store
        .public_complaints(m, &filter, limit, start)
        .await?;
    let items = page
        .items
        .iter()
        .map(|c| Ok(ComplaintView::new(c, &data_of(c)?, Audience::Public)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
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
    municipality(ctx, m, Some(&who)).await?;
    let page = ctx
        .store
        .complaints_of(m, who.user().as_str(), limit, start)
        .await?;
    let items = page
        .items
        .iter()
        .map(|c| Ok(ComplaintView::new(c, &data_of(c)?, Audience::Reporter)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
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
    municipality(ctx, m, Some(&who)).await?;
    let page = ctx
        .store
        .followed_complaints(m, who.user().as_str(), limit, start)
        .await?;
    let mut items = Vec::new();
    for c in &page.items {
        let data = data_of(c)?;
        // Made private since, or out of the caller's sight: not shown.
        if let Some(a) = audience(Some(&who), c, &data) {
            items.push(ComplaintView::new(c, &data, a));
        }
    }
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
    )
}

/// A complaint the caller may see, and how much of it.
async fn visible(
    ctx: &Ctx,
    who: Option<&Principal>,
    m: &MunicipalityId,
    id: &str,
) -> Result<(CaseRecord, ComplaintData, Audience), ApiError> {
    let id = complaint_id(id)?;
    municipality(ctx, m, who).await?;
    let case = ctx
        .store
        .get_case(m, CaseKind::Complaint, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let data = data_of(&case)?;
    let audience = audience(who, &case, &data).ok_or_else(ApiError::not_found)?;
    Ok((case, data, audience))
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
    let (case, _, _) = visible(ctx, Some(&who), m, id).await?;
    if on {
        ctx.store
            .follow_case(&case, who.user().as_str(), &now_rfc3339())
            .await?;
    } else {
        ctx.store.unfollow_case(&case, who.user().as_str()).await?;
    }
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
    let (case, _, _) = visible(ctx, Some(&who), m, id).await?;
    if case.owner == who.user().as_str() {
        return Err(DomainError::invalid("support", "own_complaint").into());
    }
    if COMPLAINT.closed.contains(&case.state.as_str()) {
        return Err(DomainError::invalid("support", "closed").into());
    }
    let now = now_rfc3339();
    let added = ctx
        .store
        .support_case(&case, who.user().as_str(), &now)
        .await?;
    ctx.store
        .follow_case(&case, who.user().as_str(), &now)
        .await?;
    #[derive(serde::Serialize)]
    struct Supported {
        supporters: u64,
        counted: bool,
    }
    json(
        StatusCode::OK,
        &Supported {
            supporters: case.supporters + u64::from(added),
            counted: added,
        },
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
    municipality(ctx, m, who.as_ref()).await?;
    let found = ctx
        .store
        .complaints_in_cells(m, &cells_around(&here))
        .await?;
    let mut items = Vec::new();
    for case in &found {
        if case.hidden || COMPLAINT.closed.contains(&case.state.as_str()) {
            continue;
        }
        let data = data_of(case)?;
        if category.as_ref().is_some_and(|c| *c != data.category) {
            continue;
        }
        let Some(at) = data.location else { continue };
        let d = distance_m(&here, &at);
        if d <= NEARBY_RADIUS_M {
            let mut v = ComplaintView::new(case, &data, Audience::Public);
            v.distance_m = Some(d.round() as u32);
            items.push(v);
        }
    }
    items.sort_by_key(|v| v.distance_m);
    items.truncate(10);
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: None,
        },
    )
}

fn complaint_id(raw: &str) -> Result<String, ApiError> {
    Id::parse("cmp", raw)
        .map(|id| id.to_string())
        .map_err(|_| ApiError::not_found())
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
    let (case, data, audience) = visible(ctx, who.as_ref(), m, id).await?;
    let history = ctx
        .store
        .case_history(m, CaseKind::Complaint, &case.id, 100, None)
        .await?;
    let mut body = ComplaintView::new(&case, &data, audience);
    body.timeline = Some(history.items.iter().map(TimelineEntry::from).collect());
    body.attachments = Some(photos(ctx, m, &case.id, audience).await?);
    json(StatusCode::OK, &body)
}

/// Links to a case's photos last 10 minutes: enough to show them, too short to
/// pass around.
const PHOTO_LINK: std::time::Duration = std::time::Duration::from_secs(600);

async fn photos(
    ctx: &Ctx,
    m: &MunicipalityId,
    case_id: &str,
    audience: Audience,
) -> Result<Vec<AttachmentView>, ApiError> {
    let Some(bucket) = &ctx.bucket else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for a in ctx
        .store
        .attachments_of(m, CaseKind::Complaint, case_id)
        .await?
    {
        if a.status != AttachmentStatus::Ready && audience == Audience::Public {
            continue;
        }
        let link = |key: &Option<String>| {
            let key = key.clone();
            async move {
                match key {
                    Some(k) => ctx
                        .files
                        .presign_download(bucket, &k, PHOTO_LINK)
                        .await
                        .map(|p| Some(p.url))
                        .map_err(|_| ApiError::unavailable()),
                    None => Ok(None),
                }
            }
        };
        out.push(AttachmentView {
            url: link(&a.photo_key).await?,
            thumbnail_url: link(&a.thumb_key).await?,
            id: a.id,
            status: a.status,
            width: a.width,
            height: a.height,
            reason: a.reason,
            created_at: a.created_at,
        });
    }
    Ok(out)
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
    let content_type = attachment::parse_upload(&body.content_type, body.size)?;
    let (case, _, audience) = visible(ctx, Some(&who), m, id).await?;
    match audience {
        Audience::Staff => {}
        Audience::Reporter if !COMPLAINT.closed.contains(&case.state.as_str()) => {}
        Audience::Reporter => return Err(DomainError::invalid("complaint", "closed").into()),
        Audience::Public => return Err(ApiError::forbidden()),
    }
    let bucket = ctx.bucket.as_deref().ok_or_else(ApiError::unavailable)?;
    let existing = ctx
        .store
        .attachments_of(m, CaseKind::Complaint, &case.id)
        .await?;
    // Pending uploads whose URL has expired will never arrive: they do not count.
    let window_start = time::OffsetDateTime::now_utc() - UPLOAD_WINDOW;
    let live = |a: &&Attachment| match a.status {
        AttachmentStatus::Ready => true,
        AttachmentStatus::Rejected => false,
        AttachmentStatus::Pending => time::OffsetDateTime::parse(
            &a.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .is_ok_and(|t| t > window_start),
    };
    if existing.iter().filter(live).count() >= attachment::MAX_PER_CASE {
        return Err(ApiError::conflict("limit_reached")
            .with_detail(format!("photos: {}", attachment::MAX_PER_CASE)));
    }
    let record = Attachment {
        id: Id::generate("att").to_string(),
        case_id: case.id.clone(),
        status: AttachmentStatus::Pending,
        content_type: content_type.to_owned(),
        size: body.size,
        uploader: who.user().to_string(),
        created_at: now_rfc3339(),
        photo_key: None,
        thumb_key: None,
        width: None,
        height: None,
        reason: None,
    };
    let key = attachment::upload_key(m, &case.id, &record.id);
    let upload = ctx
        .files
        .presign_upload(bucket, &key, content_type, body.size, UPLOAD_WINDOW)
        .await
        .map_err(|_| ApiError::unavailable())?;
    ctx.store
        .put_attachment(m, CaseKind::Complaint, &record)
        .await?;
    #[derive(serde::Serialize)]
    struct Upload {
        id: String,
        status: AttachmentStatus,
        upload: UploadView,
    }
    #[derive(serde::Serialize)]
    struct UploadView {
        url: String,
        method: &'static str,
        headers: std::collections::BTreeMap<String, String>,
        expires_in: u64,
    }
    json(
        StatusCode::CREATED,
        &Upload {
            id: record.id,
            status: record.status,
            upload: UploadView {
                url: upload.url,
                method: upload.method,
                headers: upload.headers.into_iter().collect(),
                expires_in: upload.expires_in,
            },
        },
    )
}

/// How long an upload URL works.
const UPLOAD_WINDOW: std::time::Duration = std::time::Duration::from_secs(900);

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
/// "not clear" one). The change and its timeline entry are written together.
pub async fn transition(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let id = complaint_id(id)?;
    let body: NewState = view.json()?;
    let note = body
        .note
        .as_deref()
        .map(|n| parse_label(n, "note", NOTE_MAX))
        .transpose()?;
    let (case, data, audience) = visible(ctx, Some(&who), m, &id).await?;
    // Only the staff handling it and its reporter may move it; anyone else who
    // can see it (a public one) is told no, and learns nothing of its state.
    if audience == Audience::Public {
        return Err(match &who {
            // Their own municipality's staff without the permission: 403, as
            // everywhere; anyone else (other citizens, staff of other categories
            // or municipalities): it does not exist for them.
            Principal::Staff {
                municipality,
                permissions,
                ..
            } if municipality == m && !permissions.contains(&Permission::Complaints) => {
                ApiError::forbidden()
            }
            _ => ApiError::not_found(),
        });
    }
    let owner = Id::parse("usr", &case.owner).map_err(|_| ApiError::internal())?;
    let actor = authorize_transition(
        &who,
        &CaseRef {
            kind: CaseKind::Complaint,
            municipality: m,
            owner: &owner,
            state: &case.state,
        },
        body.state.trim(),
    )?;
    // Staff limited to other categories must not learn the complaint exists.
    if actor == Actor::Staff {
        authorize_complaint_category(&who, m, &data.category)?;
    }
    let duplicate_of = match (body.state.trim(), body.duplicate_of.as_deref()) {
        ("duplicate", Some(other)) => {
            let other = Id::parse("cmp", other.trim())
                .map_err(|_| DomainError::invalid("duplicate_of", "unknown"))?
                .to_string();
            if other == case.id
                || ctx
                    .store
                    .get_case(m, CaseKind::Complaint, &other)
                    .await?
                    .is_none()
            {
                return Err(DomainError::invalid("duplicate_of", "unknown").into());
            }
            Some(other)
        }
        ("duplicate", None) => {
            return Err(DomainError::invalid("duplicate_of", "required").into());
        }
        (_, Some(_)) => return Err(DomainError::invalid("duplicate_of", "not_allowed").into()),
        (_, None) => None,
    };
    let attachment = match body.attachment.as_deref() {
        None => None,
        Some(raw) => {
            let unknown = || ApiError::from(DomainError::invalid("attachment", "unknown"));
            let att = Id::parse("att", raw.trim())
                .map_err(|_| unknown())?
                .to_string();
            match ctx
                .store
                .get_attachment(m, CaseKind::Complaint, &case.id, &att)
                .await?
            {
                Some(a) if a.status == AttachmentStatus::Ready => Some(att),
                Some(_) => return Err(DomainError::invalid("attachment", "not_ready").into()),
                None => return Err(unknown()),
            }
        }
    };
    let entry = HistoryEntry {
        seq: case.seq + 1,
        state: body.state.trim().to_owned(),
        note,
        author: who.user().to_string(),
        author_role: actor,
        at: now_rfc3339(),
        attachment,
    };
    // The reporter and the followers are told; the intent is written with the
    // change, delivered afterwards by the notifications function.
    let notice = Notice {
        id: Id::generate("ntf").to_string(),
        municipality: m.clone(),
        kind: CaseKind::Complaint,
        case_id: case.id.clone(),
        state: entry.state.clone(),
        seq: entry.seq,
        at: entry.at.clone(),
        attempts: 0,
        // The stream delivers at once; the sweep takes over if that fails.
        next_attempt_at: now_secs() + 60,
        reference: None,
        to: None,
    };
    let outbox = ctx.store.notice_put(&notice)?;
    match ctx
        .store
        .transition_case_setting(&case, &entry, duplicate_of.as_deref(), vec![outbox])
        .await
    {
        Ok(()) => {}
        Err(StoreError::VersionConflict) => return Err(ApiError::conflict("version_conflict")),
        Err(e) => return Err(e.into()),
    }
    let history = ctx
        .store
        .case_history(m, CaseKind::Complaint, &id, 100, None)
        .await?;
    let updated = CaseRecord {
        state: entry.state.clone(),
        seq: entry.seq,
        updated_at: entry.at.clone(),
        duplicate_of,
        status_note: entry.note.clone(),
        ..case
    };
    let audience = if actor == Actor::Staff {
        Audience::Staff
    } else {
        Audience::Reporter
    };
    let mut body = ComplaintView::new(&updated, &data, audience);
    body.timeline = Some(history.items.iter().map(TimelineEntry::from).collect());
    json(StatusCode::OK, &body)
}

/// The case, if `who` is staff handling it (403 for others who can see it).
async fn handled_by(
    ctx: &Ctx,
    who: &Principal,
    m: &MunicipalityId,
    id: &str,
) -> Result<(CaseRecord, ComplaintData), ApiError> {
    let (case, data, audience) = visible(ctx, Some(who), m, id).await?;
    if audience != Audience::Staff {
        return Err(ApiError::forbidden());
    }
    Ok((case, data))
}

async fn staff_view(ctx: &Ctx, m: &MunicipalityId, id: &str) -> Result<Response<Body>, ApiError> {
    let case = ctx
        .store
        .get_case(m, CaseKind::Complaint, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let data = data_of(&case)?;
    json(
        StatusCode::OK,
        &ComplaintView::new(&case, &data, Audience::Staff),
    )
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
    let (case, data) = handled_by(ctx, &who, m, id).await?;
    let assignee = match body.staff_id.as_deref() {
        None => None,
        Some(raw) => {
            let unknown = || ApiError::from(DomainError::invalid("staff_id", "unknown"));
            let stf = Id::parse("stf", raw.trim()).map_err(|_| unknown())?;
            let member = ctx
                .store
                .get_staff(m, &stf, false)
                .await?
                .ok_or_else(unknown)?;
            let handles = member.permissions.contains(&Permission::Complaints)
                && member
                    .complaint_categories
                    .as_ref()
                    .is_none_or(|c| c.contains(&data.category));
            if !handles {
                return Err(DomainError::invalid("staff_id", "cannot_handle").into());
            }
            Some(stf.to_string())
        }
    };
    ctx.store.assign_case(&case, assignee.as_deref()).await?;
    staff_view(ctx, m, &case.id).await
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
    let who = view.principal(&ctx.verifier)?;
    let body: Moderation = view.json()?;
    let reason = body
        .reason
        .as_deref()
        .map(|r| parse_label(r, "reason", 200))
        .transpose()?;
    let (case, _) = handled_by(ctx, &who, m, id).await?;
    ctx.store
        .moderate_case(&case, body.hidden, reason.as_deref(), who.user().as_str())
        .await?;
    staff_view(ctx, m, &case.id).await
}

/// `GET …/areas`: the municipality's areas, for the report form.
pub async fn areas(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    municipality(ctx, m, who.as_ref()).await?;
    #[derive(serde::Serialize)]
    struct AreaView {
        code: String,
        name: Names,
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
    public_json(
        &List {
            items,
            next_cursor: None,
        },
        60,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaBody {
    name: RawNames,
}

/// `PUT …/areas/{code}`: add or rename an area (staff holding `complaints`).
pub async fn put_area(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    code: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    manages_all_categories(&who, m)?;
    let code = category_code(code, "code").map_err(|_| ApiError::not_found())?;
    let body: AreaBody = view.json()?;
    let area = complaint::Area {
        code,
        name: body.name.parse()?,
    };
    municipality(ctx, m, Some(&who)).await?;
    let existing = ctx.store.areas(m).await?;
    if existing.len() >= complaint::MAX_AREAS && !existing.iter().any(|a| a.code == area.code) {
        return Err(ApiError::conflict("limit_reached")
            .with_detail(format!("areas: {}", complaint::MAX_AREAS)));
    }
    ctx.store.put_area(m, &area).await?;
    json(StatusCode::OK, &area)
}
