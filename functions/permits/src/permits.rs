//! Dossier handlers: parse the request, run the shared case flow
//! (`baladiya::cases`) with the dossier's rules (`domain::permit::Permit`),
//! answer in the dossier's view. Particular to dossiers: their reference
//! numbers, and following one by its reference and the holder's national ID.

use baladiya::cases::{Moved, Opened, Step};
use baladiya::domain::attachment::FileKind;
use baladiya::domain::case::decide;
use baladiya::domain::case::{Actor, Audience, CaseType};
use baladiya::domain::complaint::{parse_address, parse_description};
use baladiya::domain::geo::PointInput;
use baladiya::domain::permit::holder::{self, PermitRef};
use baladiya::domain::permit::{
    self, Channel, Permit, PermitData, days_after, parse_postal_code, parse_type, year_in_tunisia,
};
use baladiya::domain::staff::parse_label;
use baladiya::domain::{DomainError, MunicipalityId, Principal};
use baladiya::http::Answer;
use baladiya::http::paging::idempotency;
use baladiya::http::response::json;
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use http::StatusCode;
use lambda_http::{Body, Request};
use serde::Deserialize;

use crate::Ctx;
use crate::views::PermitView;

const NOTE_MAX: usize = 1000;
const HOLDER_NAME_MAX: usize = 100;
/// Tries at one moment that lose the race to count themselves before giving up.
const COUNT_RETRIES: usize = 5;

/// The dossier as its audience sees it, with its timeline and documents.
async fn detail(
    ctx: &Ctx,
    opened: &Opened<PermitData>,
    view: &RequestView<'_>,
) -> Result<PermitView, ApiError> {
    let history = ctx.cases.history(&opened.case).await?;
    let docs = ctx.cases.documents(opened).await?;
    Ok(
        PermitView::new(&opened.case, opened.audience, view.lang).detailed(
            &history,
            docs,
            opened.audience,
        ),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPermit {
    #[serde(rename = "type")]
    dossier_type: String,
    description: String,
    address: String,
    postal_code: String,
    location: Option<PointInput>,
    /// The holder's CIN: required when staff register a dossier, optional for a
    /// citizen's own. Kept only as a keyed digest.
    holder_national_id: Option<String>,
    /// Staff only.
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
pub async fn create(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let idem_key = view.idempotency_key()?;
    let body: NewPermit = view.json()?;
    let filer = decide::filer::<Permit>(&who, m)?;
    let by_staff = filer.role == Actor::Staff;
    ctx.cases.service::<Permit>(m, Some(&who)).await?;
    let kind = parse_type(&body.dossier_type)?;
    let description = parse_description(&body.description)?;
    let address = parse_address(&body.address)?;
    let postal_code = parse_postal_code(&body.postal_code)?;
    let location = body.location.map(|p| p.parse(&ctx.geo)).transpose()?;
    let national_id = match (body.holder_national_id.as_deref(), by_staff) {
        (Some(raw), _) => Some(holder::parse_national_id(raw, "holder_national_id")?),
        (None, true) => {
            return Err(DomainError::invalid("holder_national_id", "required").into());
        }
        (None, false) => None,
    };
    let holder_name = match (body.holder_name.as_deref(), by_staff) {
        (Some(raw), true) => Some(parse_label(raw, "holder_name", HOLDER_NAME_MAX)?),
        (Some(_), false) => {
            return Err(DomainError::invalid("holder_name", "not_allowed").into());
        }
        (None, _) => None,
    };
    let holder_digest = national_id
        .as_ref()
        .map(|n| holder::national_id_digest(&ctx.national_id_key, m, n));

    let now = view.now_rfc3339();
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
        channel: if by_staff {
            Channel::Counter
        } else {
            Channel::Online
        },
        holder_name,
        issued_at: None,
        completed_at: None,
    };
    let filing = decide::file::<Permit>(m, &filer, data, Some(due), view.now);
    let audience = if by_staff {
        Audience::Staff
    } else {
        Audience::Owner
    };
    let answer = PermitView::new(&filing.case, audience, view.lang).detailed(
        std::slice::from_ref(&filing.first),
        Vec::new(),
        audience,
    );
    let idem = idempotency(
        idem_key,
        m,
        &who,
        &fingerprint(view.request(), holder_digest.as_deref()),
    );
    let reference_item = ctx.store.permit_reference_write(
        m,
        &PermitRef {
            reference,
            permit_id: filing.case.id.clone(),
            holder_digest,
            failures: 0,
            locked_until: 0,
        },
    )?;
    ctx.cases
        .file::<Permit>(&filing, vec![reference_item], idem, &answer)
        .await
}

/// `GET …/permits`: the open dossiers, the soonest due first (staff).
pub async fn list(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    ctx.cases
        .list_queue::<Permit, _>(ctx, view, m, "permits-queue", |c| {
            PermitView::new(c, Audience::Staff, view.lang)
        })
        .await
}

/// `GET …/permits/mine`: the dossiers the caller submitted here, newest first.
pub async fn mine(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    ctx.cases
        .list_mine::<Permit, _>(ctx, view, m, "permits-mine", |c| {
            PermitView::new(c, Audience::Owner, view.lang)
        })
        .await
}

/// `GET …/permits/inbox`: the municipality's dossiers for its staff, by stage,
/// dossier type (`type`), assignee, due time.
pub async fn inbox(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    ctx.cases
        .inbox::<Permit, _>(ctx, view, m, "permits-inbox", |c| {
            PermitView::new(c, Audience::Staff, view.lang)
        })
        .await
}

/// `GET …/permits/by-reference/{reference}`: for its staff and its submitter
/// (a holder follows a dossier with `…/permits/follow` and their national ID).
pub async fn by_reference(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    reference: &str,
) -> Answer {
    ctx.cases
        .by_reference::<Permit, _>(ctx, view, m, reference, |c, a| {
            PermitView::new(c, a, view.lang)
        })
        .await
}

/// `GET …/permits/{id}`: a dossier with its timeline, documents and the states
/// the caller may move it to: staff, its submitter, its followers.
pub async fn get(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let opened = ctx.cases.read::<Permit>(ctx, view, m, id).await?;
    json(StatusCode::OK, &detail(ctx, &opened, view).await?)
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
/// unknown reference, 429 while it is locked — except to the dossier's own
/// submitter, whom strangers' guesses must not lock out (their tries are not
/// counted: they prove who they are by their sign-in).
async fn count_try(
    ctx: &Ctx,
    m: &MunicipalityId,
    reference: &str,
    who: &Principal,
    now: u64,
) -> Result<PermitRef, ApiError> {
    for _ in 0..COUNT_RETRIES {
        let r = ctx
            .store
            .permit_by_reference(m, reference)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if let Some(seconds) = r.locked_for(now) {
            let submitted = ctx
                .store
                .get_case::<PermitData>(m, Permit::KIND, &r.permit_id)
                .await?
                .is_some_and(|c| c.owner == who.user().as_str());
            if submitted {
                return Ok(r);
            }
            return Err(locked(seconds));
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
pub async fn follow(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    baladiya::http::access::outsider(&who, m)?;
    let body: FollowRequest = view.json()?;
    let reference = permit::parse_reference(&body.reference)?;
    let national_id = holder::parse_national_id(&body.national_id, "national_id")?;
    ctx.cases.service::<Permit>(m, Some(&who)).await?;
    let r = count_try(ctx, m, &reference, &who, view.now_secs()).await?;
    let digest = holder::national_id_digest(&ctx.national_id_key, m, &national_id);
    let proven = r
        .holder_digest
        .as_deref()
        .is_some_and(|d| holder::same_digest(d, &digest));
    if !proven {
        return Err(ApiError::not_found());
    }
    // The holder's own tries do not lock the dossier; a lock that strangers'
    // guesses set stays for them when its submitter got through it.
    if r.locked_for(view.now_secs()).is_none() {
        ctx.store.permit_follow_succeeded(m, &reference).await?;
    }
    let case = ctx
        .store
        .get_case::<PermitData>(m, Permit::KIND, &r.permit_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    ctx.store
        .follow_case(&case, who.user().as_str(), &view.now_rfc3339())
        .await?;
    let opened = ctx.cases.audience::<Permit>(Some(&who), case).await?;
    json(StatusCode::OK, &detail(ctx, &opened, view).await?)
}

/// `POST …/permits/{id}/transitions`: staff move a dossier through its stages,
/// each time with a note; its submitter may cancel it, send it back complete
/// (`not_clear` → `received`) or appeal a refusal. A step may carry one of
/// the dossier's documents (`document`: a decision, the missing plans). The
/// change, its timeline entry and the notice to the submitter and followers are
/// written together.
pub async fn transition(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let moved = ctx
        .cases
        .step::<Permit, Step>(ctx, view, m, id, &(), |body| body.asked(NOTE_MAX))
        .await?;
    let Moved { opened, history } = moved;
    let docs = ctx.cases.documents(&opened).await?;
    let answer = PermitView::new(&opened.case, opened.audience, view.lang);
    json(
        StatusCode::OK,
        &answer.detailed(&history, docs, opened.audience),
    )
}

/// `POST …/permits/{id}/documents`: a presigned URL to upload one document (PDF,
/// JPEG or PNG, at most 20 MB) straight to S3, for staff and the submitter while
/// the dossier is open. A step of the dossier then refers to it (`document`).
pub async fn document(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    ctx.cases
        .add_file::<Permit>(ctx, view, m, id, FileKind::Document)
        .await
}
