//! Dossier handlers.

use baladiya::clock::now_rfc3339;
use baladiya::documents;
use baladiya::domain::attachment;
use baladiya::domain::complaint::{parse_address, parse_description};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::notice::Notice;
use baladiya::domain::permit;
use baladiya::domain::roles::authorize;
use baladiya::domain::staff::parse_label;
use baladiya::domain::workflow::{
    Actor, CaseKind, CaseRef, HistoryEntry, PERMIT, authorize_transition,
};
use baladiya::domain::{
    DomainError, Id, Municipality, MunicipalityId, Permission, Principal, Service,
};
use baladiya::http::auth::now_secs;
use baladiya::http::paging::paging;
use baladiya::http::response::{json, replay};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::cases::{CaseChanges, CaseRecord, queue_index};
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use baladiya::store::tracked::PermitRef;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use crate::Ctx;
use crate::dossier::{
    Channel, PermitData, days_after, national_id_digest, parse_national_id, parse_postal_code,
    parse_type, queue_change, same_digest, year_in_tunisia,
};
use crate::views::{Audience, List, PermitView};

pub(crate) const KIND: CaseKind = CaseKind::Permit;
const NOTE_MAX: usize = 1000;
const HOLDER_NAME_MAX: usize = 100;
/// Past every due time: the whole queue.
const OPEN_UNTIL: &str = "9999-12-31T23:59:59Z";
/// Tries at one moment that lose the race to count themselves before giving up.
const COUNT_RETRIES: usize = 5;

/// The municipality, if `who` may use its permits service: a deactivated
/// municipality does not exist for the public; a service that is off is 403.
pub(crate) async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    baladiya::http::access::municipality(&ctx.store, m, Service::Permits, who).await
}

pub(crate) fn data_of(case: &CaseRecord) -> Result<PermitData, ApiError> {
    serde_json::from_value(case.data.clone()).map_err(|_| ApiError::internal())
}

/// A dossier id in a path: anything else names no dossier.
fn dossier_id(raw: &str) -> Result<String, ApiError> {
    Id::parse("prm", raw.trim())
        .map(|id| id.to_string())
        .map_err(|_| ApiError::not_found())
}

async fn load(
    ctx: &Ctx,
    m: &MunicipalityId,
    id: &str,
) -> Result<(CaseRecord, PermitData), ApiError> {
    let case = ctx
        .store
        .get_case(m, KIND, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let data = data_of(&case)?;
    Ok((case, data))
}

/// In which capacity `who` sees `case`. Staff of `m` without `permits` are
/// refused (403); anyone else who is neither its submitter nor a follower is
/// told it does not exist.
async fn audience(
    ctx: &Ctx,
    who: &Principal,
    m: &MunicipalityId,
    case: &CaseRecord,
) -> Result<Audience, ApiError> {
    match authorize(who, m, Permission::Permits) {
        Ok(()) => return Ok(Audience::Staff),
        Err(DomainError::NotFound) => return Err(ApiError::not_found()),
        Err(_) => {}
    }
    let user = who.user().as_str();
    if user == case.owner {
        return Ok(Audience::Submitter);
    }
    if ctx.store.follows_case(case, user).await? {
        return Ok(Audience::Follower);
    }
    Err(if who.is_staff_of(m) {
        ApiError::forbidden()
    } else {
        ApiError::not_found()
    })
}

/// A dossier's whole history, oldest first.
async fn history(ctx: &Ctx, m: &MunicipalityId, id: &str) -> Result<Vec<HistoryEntry>, ApiError> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = ctx.store.case_history(m, KIND, id, 100, start).await?;
        out.extend(page.items);
        match page.next {
            Some(k) => start = Some(k),
            None => return Ok(out),
        }
    }
}

/// The dossier as `audience` sees it, with its timeline and documents.
async fn detail(
    ctx: &Ctx,
    case: &CaseRecord,
    data: &PermitData,
    audience: Audience,
    view: &RequestView<'_>,
) -> Result<PermitView, ApiError> {
    let m = &case.municipality;
    let entries = history(ctx, m, &case.id).await?;
    let docs = documents::views(
        &ctx.store,
        &ctx.files,
        ctx.bucket.as_deref(),
        m,
        KIND,
        &case.id,
        audience.insider(),
    )
    .await?;
    Ok(PermitView::new(case, data, audience, view.lang).detailed(&entries, docs, audience))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPermit {
    #[serde(rename = "type")]
    dossier_type: String,
    description: String,
    address: String,
    postal_code: String,
    #[serde(default)]
    location: Option<Point>,
    /// The holder's CIN: required when staff register a dossier, optional for a
    /// citizen's own. Kept only as a keyed digest.
    #[serde(default)]
    holder_national_id: Option<String>,
    /// Staff only.
    #[serde(default)]
    holder_name: Option<String>,
}

/// The canonical request for the idempotency fingerprint (method, path, body),
/// with the national ID replaced by its keyed digest: the fingerprint is a plain
/// hash kept a day, and 10⁸ numbers are quickly tried against a plain hash.
fn fingerprint(req: &Request, holder_digest: Option<&str>) -> Vec<u8> {
    let mut out = format!("{} {}\n", req.method(), req.uri().path()).into_bytes();
    let raw: &[u8] = match req.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    let mut value: serde_json::Value = serde_json::from_slice(raw).unwrap_or_default();
    if let Some(fields) = value.as_object_mut()
        && fields.contains_key("holder_national_id")
    {
        fields.insert(
            "holder_national_id".into(),
            serde_json::Value::from(holder_digest.unwrap_or_default()),
        );
    }
    out.extend_from_slice(value.to_string().as_bytes());
    out
}

/// `POST …/permits`: staff holding `permits` register a dossier deposited at the
/// counter (with the holder's national ID), or a signed-in citizen submits their
/// own. Idempotent with `Idempotency-Key`.
pub async fn create(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let idem_key = view.idempotency_key()?;
    let body: NewPermit = view.json()?;
    let actor = match authorize(&who, m, Permission::Permits) {
        Ok(()) => Actor::Staff,
        // A citizen submits their own dossier.
        Err(DomainError::Forbidden) if !who.is_staff_of(m) => Actor::Owner,
        // Staff of another municipality (404), of this one without `permits` (403).
        Err(e) => return Err(e.into()),
    };
    municipality(ctx, m, Some(&who)).await?;
    let kind = parse_type(&body.dossier_type)?;
    let description = parse_description(&body.description)?;
    let address = parse_address(&body.address)?;
    let postal_code = parse_postal_code(&body.postal_code)?;
    let location = body
        .location
        .map(|p| Coordinates::parse(p.lat, p.lon, &ctx.geo))
        .transpose()?;
    let national_id = match (body.holder_national_id.as_deref(), actor) {
        (Some(raw), _) => Some(parse_national_id(raw, "holder_national_id")?),
        (None, Actor::Staff) => {
            return Err(DomainError::invalid("holder_national_id", "required").into());
        }
        (None, _) => None,
    };
    let holder_name = match (body.holder_name.as_deref(), actor) {
        (Some(raw), Actor::Staff) => Some(parse_label(raw, "holder_name", HOLDER_NAME_MAX)?),
        (Some(_), _) => return Err(DomainError::invalid("holder_name", "not_allowed").into()),
        (None, _) => None,
    };
    let holder_digest = national_id
        .as_ref()
        .map(|n| national_id_digest(&ctx.national_id_key, m, n));

    let now = now_rfc3339();
    let year = year_in_tunisia(&now).ok_or_else(ApiError::internal)?;
    let seq = ctx.store.next_number(m, &format!("PRM-{year}")).await?;
    if seq > 999_999 {
        return Err(ApiError::conflict("limit_reached").with_detail("dossiers this year: 999999"));
    }
    let reference = permit::reference(year, seq);
    let due = days_after(&now, kind.review_days).ok_or_else(ApiError::internal)?;
    let data = PermitData {
        reference: reference.clone(),
        dossier_type: kind.code.to_owned(),
        description,
        address,
        postal_code,
        location,
        channel: if actor == Actor::Staff {
            Channel::Counter
        } else {
            Channel::Online
        },
        holder_name,
        issued_at: None,
        completed_at: None,
    };
    let case = CaseRecord {
        kind: KIND,
        municipality: m.clone(),
        id: Id::generate("prm").to_string(),
        // A dossier deposited at the counter belongs to no account: an id of its
        // own, which nobody signs in as. The staff member who typed it is not its
        // submitter; its holder follows it by reference and national ID.
        owner: match actor {
            Actor::Staff => Id::generate("usr").to_string(),
            _ => who.user().to_string(),
        },
        state: PERMIT.initial.to_owned(),
        seq: 1,
        created_at: now.clone(),
        updated_at: now.clone(),
        data: serde_json::to_value(&data).map_err(|_| ApiError::internal())?,
        supporters: 0,
        assigned_to: None,
        duplicate_of: None,
        hidden: false,
        status_note: None,
        due_at: Some(due.clone()),
    };
    let first = HistoryEntry {
        seq: 1,
        state: case.state.clone(),
        note: None,
        author: who.user().to_string(),
        author_role: actor,
        at: now,
        attachment: None,
    };
    let audience = if actor == Actor::Staff {
        Audience::Staff
    } else {
        Audience::Submitter
    };
    let answer = PermitView::new(&case, &data, audience, view.lang).detailed(
        std::slice::from_ref(&first),
        Vec::new(),
        audience,
    );
    let answer = serde_json::to_string(&answer).map_err(|_| ApiError::internal())?;
    let idem = idem_key.map(|k| {
        Idempotency::new(
            &keys::tenant(m),
            who.user().as_str(),
            k.as_str(),
            &fingerprint(view.request(), holder_digest.as_deref()),
        )
    });
    let reference_item = ctx.store.permit_reference_put(
        m,
        &PermitRef {
            reference,
            permit_id: case.id.clone(),
            holder_digest,
            failures: 0,
            locked_until: 0,
        },
    )?;
    match ctx
        .store
        .create_case_indexed(
            &case,
            &first,
            queue_index(&case, &due),
            vec![reference_item],
            idem.as_ref(),
            &answer,
        )
        .await?
    {
        Created::New => Response::builder()
            .status(StatusCode::CREATED)
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .header(
                "location",
                format!("/v1/municipalities/{m}/permits/{}", case.id),
            )
            .body(Body::Text(answer))
            .map_err(|_| ApiError::internal()),
        Created::Replayed(stored) => replay(stored.status, stored.body),
    }
}

/// `GET …/permits`: the open dossiers, the soonest due first (staff).
pub async fn list(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    let query = view.query(&["limit", "cursor"])?;
    authorize(&who, m, Permission::Permits)?;
    let scope = format!("permits-queue:{m}");
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    municipality(ctx, m, Some(&who)).await?;
    let page = ctx.store.queue(m, KIND, OPEN_UNTIL, limit, start).await?;
    let items = page
        .items
        .iter()
        .map(|c| Ok(PermitView::new(c, &data_of(c)?, Audience::Staff, view.lang)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
    )
}

/// `GET …/permits/mine`: the dossiers the caller submitted here, newest first.
pub async fn mine(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let query = view.query(&["limit", "cursor"])?;
    let scope = format!("permits-mine:{m}:{}", who.user());
    let (limit, start) = paging(&ctx.cursors, &query, &scope, 100)?;
    municipality(ctx, m, Some(&who)).await?;
    let page = ctx
        .store
        .cases_owned(m, KIND, who.user().as_str(), limit, start)
        .await?;
    let items = page
        .items
        .iter()
        .map(|c| {
            Ok(PermitView::new(
                c,
                &data_of(c)?,
                Audience::Submitter,
                view.lang,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(
        StatusCode::OK,
        &List {
            items,
            next_cursor: page.next.map(|k| ctx.cursors.encode(&scope, &k)),
        },
    )
}

/// `GET …/permits/{id}`: a dossier with its timeline, documents and the states
/// the caller may move it to: staff, its submitter, its followers.
pub async fn get(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    view.query(&[])?;
    let id = dossier_id(id)?;
    let who = view.optional_principal(&ctx.verifier)?;
    if let Some(w) = &who {
        baladiya::http::access::outsider(w, m)?;
    }
    municipality(ctx, m, who.as_ref()).await?;
    let (case, data) = load(ctx, m, &id).await?;
    let who = who.ok_or_else(ApiError::unauthenticated)?;
    let audience = audience(ctx, &who, m, &case).await?;
    json(
        StatusCode::OK,
        &detail(ctx, &case, &data, audience, view).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    reference: String,
    national_id: String,
}

fn locked(seconds: u64) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests").with_retry_after(seconds)
}

/// Count one try at following `reference`, before its national ID is compared:
/// a try goes on only once its count is written (conditioned on the count read),
/// so no burst of concurrent guesses gets past `FOLLOW_TRIES` an hour. 404 for an
/// unknown reference, 429 while it is locked.
async fn count_try(ctx: &Ctx, m: &MunicipalityId, reference: &str) -> Result<PermitRef, ApiError> {
    for _ in 0..COUNT_RETRIES {
        let r = ctx
            .store
            .permit_by_reference(m, reference)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let now = now_secs();
        if r.locked_until > now {
            return Err(locked(r.locked_until - now));
        }
        match ctx.store.permit_follow_failed(m, &r, now).await {
            Ok(()) => return Ok(r),
            // Another try was counted meanwhile: read the count again.
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(locked(1))
}

/// `POST …/permits/follow`: a signed-in citizen who knows a dossier's reference
/// and its holder's national ID follows it (told of every stage) and sees it. A
/// wrong number and an unknown reference get the same 404; a reference is locked
/// for an hour after `FOLLOW_TRIES` tries.
pub async fn follow(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let body: FollowRequest = view.json()?;
    let reference = permit::parse_reference(&body.reference)?;
    let national_id = parse_national_id(&body.national_id, "national_id")?;
    municipality(ctx, m, Some(&who)).await?;
    let r = count_try(ctx, m, &reference).await?;
    let digest = national_id_digest(&ctx.national_id_key, m, &national_id);
    let proven = r
        .holder_digest
        .as_deref()
        .is_some_and(|d| same_digest(d, &digest));
    if !proven {
        return Err(ApiError::not_found());
    }
    // The holder's own tries do not lock the dossier.
    ctx.store.permit_follow_succeeded(m, &reference).await?;
    let (case, data) = load(ctx, m, &r.permit_id).await?;
    ctx.store
        .follow_case(&case, who.user().as_str(), &now_rfc3339())
        .await?;
    let audience = audience(ctx, &who, m, &case).await?;
    json(
        StatusCode::OK,
        &detail(ctx, &case, &data, audience, view).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewState {
    state: String,
    #[serde(default)]
    note: Option<String>,
    /// One of the dossier's documents (`att_…`, uploaded) that goes with the
    /// change: a decision, the missing plans.
    #[serde(default)]
    document: Option<String>,
}

/// `documents::confirm` names the field `attachment`; here it is `document`.
fn as_document_field(mut e: ApiError) -> ApiError {
    if let Some(("attachment", reason)) = e.field {
        e.field = Some(("document", reason));
    }
    e
}

/// `POST …/permits/{id}/transitions`: staff move a dossier through its stages,
/// each time with a note; its submitter may cancel it, send it back complete
/// (`not_clear` → `received`) or appeal a refusal. The change, its timeline
/// entry and the notice to the submitter and followers are written together.
pub async fn transition(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let id = dossier_id(id)?;
    let body: NewState = view.json()?;
    let note = body
        .note
        .as_deref()
        .map(|n| parse_label(n, "note", NOTE_MAX))
        .transpose()?;
    municipality(ctx, m, Some(&who)).await?;
    let (case, data) = load(ctx, m, &id).await?;
    if audience(ctx, &who, m, &case).await? == Audience::Follower {
        return Err(ApiError::forbidden());
    }
    let owner = Id::parse("usr", &case.owner).map_err(|_| ApiError::internal())?;
    let to = body.state.trim();
    let actor = authorize_transition(
        &who,
        &CaseRef {
            kind: KIND,
            municipality: m,
            owner: &owner,
            state: &case.state,
        },
        to,
    )?;
    // Staff say why at every stage: the holder reads it.
    if actor == Actor::Staff && note.is_none() {
        return Err(DomainError::invalid("note", "required").into());
    }
    let document = match body.document.as_deref() {
        None => None,
        Some(raw) => {
            let bucket = ctx.bucket.as_deref().ok_or_else(ApiError::unavailable)?;
            Some(
                documents::confirm(&ctx.store, &ctx.files, bucket, m, KIND, &case.id, raw)
                    .await
                    .map_err(as_document_field)?,
            )
        }
    };
    let at = now_rfc3339();
    let entry = HistoryEntry {
        seq: case.seq + 1,
        state: to.to_owned(),
        note,
        author: who.user().to_string(),
        author_role: actor,
        at: at.clone(),
        attachment: document,
    };
    let review_days = data.kind().map_or(30, |k| k.review_days);
    let due = queue_change(&case.state, to, &at, review_days);
    let mut changed = data.clone();
    match to {
        "issued" => changed.issued_at = Some(at.clone()),
        "completed" => changed.completed_at = Some(at.clone()),
        _ => {}
    }
    let changed_value = serde_json::to_value(&changed).map_err(|_| ApiError::internal())?;
    let changes = CaseChanges {
        duplicate_of: None,
        due_at: due.as_ref().map(Option::as_deref),
        data: (changed != data).then_some(&changed_value),
    };
    // The submitter and the followers are told, in words naming the reference;
    // delivered afterwards by the notifications function.
    let notice = Notice {
        id: Id::generate("ntf").to_string(),
        municipality: m.clone(),
        kind: KIND,
        case_id: case.id.clone(),
        state: entry.state.clone(),
        seq: entry.seq,
        at: entry.at.clone(),
        attempts: 0,
        // The stream delivers at once; the sweep takes over if that fails.
        next_attempt_at: now_secs() + 60,
        reference: Some(data.reference.clone()),
        to: None,
    };
    let outbox = ctx.store.notice_put(&notice)?;
    match ctx
        .store
        .transition_case_changing(&case, &entry, &changes, vec![outbox])
        .await
    {
        Ok(()) => {}
        Err(StoreError::VersionConflict) => return Err(ApiError::conflict("version_conflict")),
        Err(e) => return Err(e.into()),
    }
    let updated = CaseRecord {
        state: entry.state.clone(),
        seq: entry.seq,
        updated_at: at,
        status_note: entry.note.clone(),
        due_at: match due {
            Some(d) => d,
            None => case.due_at.clone(),
        },
        data: changed_value,
        ..case
    };
    let audience = if actor == Actor::Staff {
        Audience::Staff
    } else {
        Audience::Submitter
    };
    json(
        StatusCode::OK,
        &detail(ctx, &updated, &changed, audience, view).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    content_type: String,
    size: u64,
}

/// `POST …/permits/{id}/documents`: a presigned URL to upload one document (PDF,
/// JPEG or PNG, at most 20 MB) straight to S3, for staff and the submitter while
/// the dossier is open. A step of the dossier then refers to it (`document`).
pub async fn document(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let id = dossier_id(id)?;
    let body: NewDocument = view.json()?;
    attachment::parse_document(&body.content_type, body.size)?;
    municipality(ctx, m, Some(&who)).await?;
    let (case, _) = load(ctx, m, &id).await?;
    if !audience(ctx, &who, m, &case).await?.insider() {
        return Err(ApiError::forbidden());
    }
    if PERMIT.is_closed(&case.state) {
        return Err(DomainError::invalid("permit", "closed").into());
    }
    let bucket = ctx.bucket.as_deref().ok_or_else(ApiError::unavailable)?;
    let upload = documents::start_upload(
        &ctx.store,
        &ctx.files,
        bucket,
        m,
        KIND,
        &case.id,
        who.user().as_str(),
        &body.content_type,
        body.size,
    )
    .await?;
    json(StatusCode::CREATED, &upload)
}
