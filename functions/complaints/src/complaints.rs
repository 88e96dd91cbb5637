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
use baladiya::domain::geo::PointInput;
use baladiya::domain::staff::parse_label;
use baladiya::domain::workflow::COMPLAINT;
use baladiya::domain::{DomainError, MunicipalityId, Principal};
use baladiya::http::Answer;
use baladiya::http::paging::paging;
use baladiya::http::request::query_point;
use baladiya::http::response::{List, json};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::complaints::ComplaintFilter;
use http::StatusCode;
use serde::Deserialize;

use crate::Ctx;
use crate::categories::{categories_of, known_category};
use crate::views::ComplaintView;

const NOTE_MAX: usize = 1000;

type Case = CaseRecord<ComplaintData>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    category: String,
    subcategory: Option<String>,
    description: String,
    location: Option<PointInput>,
    address: Option<String>,
    /// One of the municipality's areas (`…/areas`).
    area: Option<String>,
    #[serde(default = "crate::yes")]
    public: bool,
    #[serde(default)]
    hide_name: bool,
}

/// `POST …/complaints`: file a report. Idempotent with `Idempotency-Key`.
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
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
    let location = body.location.map(|p| p.parse(&ctx.geo)).transpose()?;
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
    let reporter_name = ctx.cases.name_of(&who).await?;
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
    ctx.cases
        .create::<Complaint, _>(view, &who, idem_key, filing, |case, first| ComplaintView {
            timeline: Some(first),
            ..ComplaintView::new(case, Audience::Owner)
        })
        .await
}

/// `GET …/complaints`: public complaints, newest first; `state`, `category`.
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
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
    List::page(items, page.next, &ctx.cursors, &scope).answer()
}

/// `GET …/complaints/mine`: the caller's own complaints here, newest first.
pub async fn mine(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    ctx.cases
        .list_mine::<Complaint, _>(ctx, view, m, "complaints-mine", |c| {
            ComplaintView::new(c, Audience::Owner)
        })
        .await
}

/// `GET …/complaints/inbox`: every complaint its staff member handles, private
/// and hidden ones included, by state, category, area, assignee.
pub async fn inbox(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    ctx.cases
        .inbox::<Complaint, _>(ctx, view, m, "complaints-inbox", |c| {
            ComplaintView::new(c, Audience::Staff)
        })
        .await
}

/// `GET …/complaints/by-reference/{reference}`: for its staff and its reporter.
pub async fn by_reference(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    reference: &str,
) -> Answer {
    ctx.cases
        .by_reference::<Complaint, _>(ctx, view, m, reference, ComplaintView::new)
        .await
}

/// `GET …/complaints/followed`: the complaints the caller follows here.
pub async fn followed(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
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
    List::page(items, page.next, &ctx.cursors, &scope).answer()
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

/// `GET …/complaints/nearby?lat&lon[&category]`: open public complaints within
/// 100 m, nearest first, so a citizen can support one instead of filing again.
pub async fn nearby(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["lat", "lon", "category"])?;
    let here = query_point(&query, &ctx.geo)?;
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
    List::all(items).answer()
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
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let opened = ctx.cases.read::<Complaint>(ctx, view, m, id).await?;
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
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    ctx.cases.follow(&who, &opened, on, view.now).await?;
    baladiya::http::response::no_content()
}

/// `POST …/complaints/{id}/support`: "me too", counted once per person; the
/// supporter also follows the complaint.
pub async fn support(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let opened = ctx.cases.open::<Complaint>(Some(&who), m, id).await?;
    let supported = ctx
        .cases
        .support::<Complaint>(&who, &opened, view.now)
        .await?;
    json(StatusCode::OK, &supported)
}

/// `POST …/complaints/{id}/attachments`: a presigned URL to upload one photo
/// straight to S3 (type and size are signed: S3 refuses anything else). The
/// reporter, while the complaint is open, and staff handling it. The photo shows
/// once the media function has checked it.
pub async fn attach(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    ctx.cases
        .add_file::<Complaint>(ctx, view, m, id, FileKind::Photo)
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewState {
    state: String,
    note: Option<String>,
    /// With `state: duplicate`: the complaint this one repeats.
    duplicate_of: Option<String>,
    /// A photo of this complaint (`att_…`, checked and ready) that goes with the
    /// change: the work done, the place now.
    attachment: Option<String>,
}

/// `POST …/complaints/{id}/transitions`: staff move a complaint to a new state
/// with an optional note (the reporter may withdraw theirs, or clarify a
/// "not clear" one). The change, its timeline entry and the notice to the
/// reporter and followers are written together.
pub async fn transition(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let moved = ctx
        .cases
        .step::<Complaint, NewState>(ctx, view, m, id, &(), |body| {
            Ok(Move {
                duplicate_of: body.duplicate_of,
                file: body.attachment,
                ..Move::asked(body.state, body.note.as_deref(), NOTE_MAX, ())?
            })
        })
        .await?;
    let audience = moved.opened.audience;
    json(
        StatusCode::OK,
        &ComplaintView {
            timeline: Some(timeline::<Complaint>(&moved.history, audience)),
            ..ComplaintView::new(&moved.opened.case, audience)
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// `stf_…` of a colleague handling complaints (of this category), or `null`.
    staff_id: Option<String>,
}

/// `POST …/complaints/{id}/assignment`: give the complaint to a colleague.
pub async fn assign(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
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
    reason: Option<String>,
}

/// `POST …/complaints/{id}/moderation`: hide abusive content from every public
/// view (the reporter and staff still see it), or show it again.
pub async fn moderate(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
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
