//! Broadcasts of news: a push to each follower of the municipality (or of the
//! area it targets). Followers are read a page at a time; each person's copy
//! is claimed before it is sent (the notices' delivery record, keyed by the
//! broadcast), so a broadcast handed over twice — the stream and the sweep, a
//! retried batch, a run that died half-way — reaches each person's devices
//! once. A run that runs out of time leaves a cursor for the next; a failure
//! to reach SNS has the broadcast tried again from the start (those reached
//! are skipped), until [`MAX_ATTEMPTS`].

use std::time::{Duration, Instant};

use baladiya::domain::broadcast::{self, Broadcast};
use baladiya::domain::notice::{self, MAX_ATTEMPTS};
use baladiya::domain::{Id, MunicipalityId};
use baladiya::store::notices::{Delivery, DeliveryStatus};
use baladiya::store::{PageKey, StoreError};
use serde_json::json;

use crate::{Ctx, Report, send_copy};

/// Followers read at once.
const PAGE: i32 = 100;
/// How long one run goes on before it leaves the rest to the next (the
/// function's timeout is 60 s).
const BUDGET: Duration = Duration::from_secs(20);

pub(crate) async fn deliver_by_id(
    ctx: &Ctx,
    m: &MunicipalityId,
    id: &str,
    now: u64,
    report: &mut Report,
) {
    match ctx.store.get_broadcast(m, id).await {
        Ok(Some((b, true))) => deliver(ctx, &b, now, report).await,
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "reading a broadcast failed; the sweep will retry"),
    }
}

/// How far a run went.
enum Outcome {
    /// Every follower was reached (or chose not to be).
    Done,
    /// Out of time: the next run goes on from here.
    Paused(PageKey),
    /// SNS refused some: try again, from the start.
    Failed,
}

/// Deliver a broadcast to its followers; complete it, or leave it for the next
/// run.
pub(crate) async fn deliver(ctx: &Ctx, b: &Broadcast, now: u64, report: &mut Report) {
    report.notices += 1;
    let res = match reach_followers(ctx, b, now).await {
        Ok(Outcome::Done) => {
            report.completed += 1;
            ctx.store.complete_broadcast(b, now).await
        }
        Ok(Outcome::Paused(cursor)) => {
            report.retrying += 1;
            let cursor = serde_json::to_string(&cursor).unwrap_or_default();
            ctx.store
                .reschedule_broadcast(b, b.attempts, Some(now), Some(&cursor))
                .await
        }
        Ok(Outcome::Failed) | Err(_) => {
            report.retrying += 1;
            let attempts = b.attempts + 1;
            let due = (attempts < MAX_ATTEMPTS).then(|| notice::next_attempt(now, attempts));
            if due.is_none() {
                tracing::error!(attempts, "a broadcast is given up after its last attempt");
            }
            ctx.store.reschedule_broadcast(b, attempts, due, None).await
        }
    };
    if let Err(e) = res {
        tracing::error!(error = %e, "recording a broadcast's outcome failed");
    }
}

async fn reach_followers(ctx: &Ctx, b: &Broadcast, now: u64) -> Result<Outcome, StoreError> {
    let started = Instant::now();
    let name = ctx
        .store
        .get_municipality(&b.municipality, false)
        .await?
        .map(|m| m.name)
        .unwrap_or_default();
    let mut start: Option<PageKey> = b
        .cursor
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok());
    let mut failed = false;
    loop {
        let (followers, next) = ctx.store.followers(&b.municipality, PAGE, start).await?;
        for f in followers {
            if !broadcast::reaches(b.area.as_deref(), &f.areas) {
                continue;
            }
            match reach(ctx, b, &name, &f.user, now).await {
                Ok(true) => {}
                Ok(false) => failed = true,
                Err(e) => {
                    tracing::warn!(error = %e, "a follower's copy failed");
                    failed = true;
                }
            }
        }
        let Some(next) = next else {
            return Ok(if failed {
                Outcome::Failed
            } else {
                Outcome::Done
            });
        };
        if started.elapsed() > BUDGET {
            return Ok(if failed {
                Outcome::Failed
            } else {
                Outcome::Paused(next)
            });
        }
        start = Some(next);
    }
}

/// One follower's copy: a push to their devices, or in the app.
async fn reach(
    ctx: &Ctx,
    b: &Broadcast,
    name: &baladiya::domain::LocalizedText,
    person: &str,
    now: u64,
) -> Result<bool, StoreError> {
    let Ok(user) = Id::parse("usr", person) else {
        return Ok(true);
    };
    let data = ctx.store.account_data(&user).await?;
    let Some(account) = &data.account else {
        return Ok(true);
    };
    let municipality = name.best(account.lang);
    let text = broadcast::text(b, municipality, account.lang);
    let delivery = Delivery {
        notice: b.id.clone(),
        municipality: b.municipality.clone(),
        kind: None,
        case_id: b.post.clone(),
        reference: None,
        path: Some(b.path()),
        state: "news".into(),
        text: text.clone(),
        channel: broadcast::channel(account.notify, !data.devices.is_empty()),
        status: DeliveryStatus::Sending,
        at: b.at.clone(),
        updated: now,
        read: false,
    };
    let payload = baladiya::notify::push_message(
        &text,
        &json!({
            "municipality": b.municipality,
            "news": b.post,
            "category": b.category,
            "urgent": b.urgent,
            "path": b.path(),
            "notice": b.id,
        }),
    );
    send_copy(ctx, person, &data, delivery, &payload, false, now).await
}
