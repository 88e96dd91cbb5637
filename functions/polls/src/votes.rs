//! Ballots and results: a person casts (or replaces) their ballot while the
//! poll is open; results show when public, or to staff with `polls` at any
//! time, each look at results not yet public recorded first.

use baladiya::domain::poll::{self, Refusal, Voter};
use baladiya::domain::{MunicipalityId, Principal};
use baladiya::http::response::{json, public_json};
use baladiya::http::{Answer, ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::polls::Look;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

use crate::Ctx;
use crate::polls::{open, staff_of, view_of, visible};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BallotBody {
    choices: Vec<String>,
}

#[derive(Serialize)]
struct BallotView<'a> {
    choices: &'a [String],
    cast_at: &'a str,
    /// How many times it was cast (a new ballot replaces the old).
    version: u64,
}

/// Tries of a ballot that raced another of the same person, or whose shard
/// of the tally another ballot was writing at the same moment.
const ATTEMPTS: u32 = 6;

/// `PUT …/polls/{id}/ballot`: cast a ballot, or replace one's own, while the
/// poll is open and one may vote in it.
pub async fn vote(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    // Staff are citizens too, but a staff token of another municipality
    // changes nothing here.
    if matches!(&who, Principal::Staff { municipality, .. } if municipality != m) {
        return Err(ApiError::not_found());
    }
    let body: BallotBody = view.json()?;
    open(ctx, view, m).await?;
    let (p, _) = visible(ctx, m, id, Some(&who)).await?;
    let user = who.user().as_str().to_owned();
    let account = ctx.store.get_account(who.user(), false).await?;
    // The follow matters only to a poll for followers (or an area's).
    let follow = match p.content.eligibility {
        poll::Eligibility::Anyone => None,
        _ => ctx.store.follow_of(&user, m).await?,
    };
    let voter = Voter {
        follows: follow.is_some(),
        areas: follow.map(|f| f.areas).unwrap_or_default(),
        resident: account.and_then(|a| a.municipality).as_ref() == Some(m),
    };
    for attempt in 1..=ATTEMPTS {
        let before = ctx.store.ballot(m, &p.id, &user).await?;
        let after =
            poll::cast(&p, &voter, &body.choices, before.as_ref(), view.now).map_err(refused)?;
        let delta = poll::delta(before.as_ref(), &after);
        match ctx
            .store
            .cast(m, &p.id, &user, before.as_ref(), &after, &delta)
            .await
        {
            Ok(()) => {
                let v = BallotView {
                    choices: &after.choices,
                    cast_at: &after.cast_at,
                    version: after.version,
                };
                return json(StatusCode::OK, &v);
            }
            // Another ballot of theirs landed first: cast on top of it.
            Err(StoreError::VersionConflict) => continue,
            // The shard was being written by another ballot: again, shortly.
            Err(StoreError::Throttled) if attempt < ATTEMPTS => {
                baladiya::http::retry::back_off(attempt).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict("version_conflict"))
}

fn refused(r: Refusal) -> ApiError {
    match r {
        Refusal::NotOpen(phase) => {
            ApiError::conflict("poll_not_open").with_detail(format!("phase: {}", phase.code()))
        }
        Refusal::NotEligible => ApiError::new(StatusCode::FORBIDDEN, "not_eligible"),
        Refusal::Invalid(e) => e.into(),
    }
}

/// `GET …/polls/{id}/ballot`: one's own ballot (404 before one is cast).
pub async fn mine(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let who = view.principal(&ctx.verifier)?;
    open(ctx, view, m).await?;
    let (p, _) = visible(ctx, m, id, Some(&who)).await?;
    let b = ctx
        .store
        .ballot(m, &p.id, who.user().as_str())
        .await?
        .ok_or_else(ApiError::not_found)?;
    json(
        StatusCode::OK,
        &BallotView {
            choices: &b.choices,
            cast_at: &b.cast_at,
            version: b.version,
        },
    )
}

#[derive(Serialize)]
struct ResultsView<'a> {
    #[serde(flatten)]
    poll: crate::polls::PollView<'a>,
    results: poll::Results,
}

/// `GET …/polls/{id}/results[.csv]`: once public, for anyone (cached a
/// minute); before, only staff with `polls`, each look recorded first.
pub async fn results(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
    csv: bool,
) -> Answer {
    view.query(&[])?;
    let who = open(ctx, view, m).await?;
    let (p, _) = visible(ctx, m, id, who.as_ref()).await?;
    let public = poll::results_public(&p, view.now);
    if !public {
        // Only staff with `polls`, and never unrecorded.
        let staff = staff_of(ctx, view, m).await?;
        let look = Look {
            at: view.now_rfc3339(),
            by: staff.user().as_str().to_owned(),
        };
        ctx.store.record_look(m, &p.id, &look).await?;
    }
    let shards = ctx.store.tally(m, &p.id).await?;
    let r = poll::results(&p, &shards);
    if csv {
        let body = poll::csv(&p, &r);
        let cache = if public {
            "public, max-age=60"
        } else {
            "no-store"
        };
        return Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/csv; charset=utf-8")
            .header(
                "content-disposition",
                format!("attachment; filename=\"{}-results.csv\"", p.id),
            )
            .header("cache-control", cache)
            .body(Body::Text(body))
            .map_err(|_| ApiError::internal());
    }
    let v = ResultsView {
        poll: view_of(m, &p, view.now),
        results: r,
    };
    if public {
        public_json(&v, 60)
    } else {
        json(StatusCode::OK, &v)
    }
}

/// `GET …/polls/{id}/looks`: staff with `polls` see who looked at results
/// before they were public, and when.
pub async fn looks(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId, id: &str) -> Answer {
    view.query(&[])?;
    let who = staff_of(ctx, view, m).await?;
    let (p, _) = visible(ctx, m, id, Some(&who)).await?;
    let all = ctx.store.looks(m, &p.id).await?;
    baladiya::http::response::List::all(all).answer()
}
