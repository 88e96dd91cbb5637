//! The `scheduler` function, run by an EventBridge schedule (and by the local
//! relay on a timer): for every municipality it reads the queues of open permit
//! dossiers and access-to-information requests by due time, and
//!
//! - reminds the municipality's staff of files due within 48 hours and of
//!   overdue ones (the reminders list, `GET …/reminders`);
//! - tells the requester when an information request's deadline has passed
//!   without an answer (an implicit refusal they may appeal);
//! - turns an appeal the head of the body left unanswered past its 10 days into
//!   "refused by silence" (`appeal_rejected`, by the system), which notifies too.
//!
//! - reminds people of their appointments 24 hours and 2 hours before
//!   (`appointments`);
//! - tells those who marked an event of its reminder the day before, and of
//!   a change of time, place or status (`events`).
//!
//! Every action is made once: reminders and the overdue notice are guarded by
//! an item per case, kind of reminder and due time, written in the same
//! transaction; the refusal is a state change conditioned on the version read.
//! Running it twice in a row does nothing the second time.

mod appointments;
mod events;

use baladiya::config::{Aws, Config};
use baladiya::domain::MunicipalityId;
use baladiya::domain::case::decide;
use baladiya::domain::case::{CaseRecord, DueChange};
use baladiya::domain::info_request;
use baladiya::domain::notice::{self, Notice, Reminder};
use baladiya::domain::workflow::CaseKind;
use baladiya::store::{Store, StoreError};
use serde_json::{Value, json};
use time::OffsetDateTime;

pub struct Ctx {
    pub store: Store,
    /// Local stack only: a run may act at its event's later time.
    pub event_time: bool,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Ctx {
        Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            event_time: std::env::var("BALADIYA_SCHEDULER_EVENT_TIME").as_deref() == Ok("1"),
        }
    }
}

/// How far ahead "due soon" looks.
pub const SOON_HOURS: i64 = 48;
/// The kinds with deadlines.
pub const KINDS: [CaseKind; 2] = [CaseKind::InfoRequest, CaseKind::Permit];
/// What is due for a case on a queue, at `now` (RFC 3339, like `due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Due within [`SOON_HOURS`]: staff are reminded.
    Soon,
    /// Past due: staff are reminded; with `tell`, the citizen too (an
    /// information request still owed an answer: the silence is a refusal
    /// they may appeal).
    Overdue { tell: bool },
    /// An appeal the head of the body left unanswered: refused by silence.
    RefuseBySilence,
}

/// The rule the scheduler applies to one case of its queues.
pub fn due(kind: CaseKind, state: &str, due: &str, now: &str) -> Due {
    let info = kind == CaseKind::InfoRequest;
    if due > now {
        Due::Soon
    } else if info && state == "appealed" {
        Due::RefuseBySilence
    } else {
        Due::Overdue {
            tell: info && info_request::PENDING.contains(&state),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub municipalities: usize,
    pub due_soon: usize,
    pub overdue: usize,
    pub citizens_told: usize,
    pub refused_by_silence: usize,
    /// Scheduled news posts published because their time came.
    pub news_published: usize,
    /// Of those, the ones whose planned broadcast went out with them.
    pub news_broadcast: usize,
    /// Notices written to people who marked an event (reminders, changes).
    pub event_notices: usize,
    /// Reminders of appointments (24 hours, 2 hours before).
    pub appointment_reminders: usize,
    pub errors: usize,
}

/// The instant a run acts at: the clock; on the local stack only
/// (`BALADIYA_SCHEDULER_EVENT_TIME=1`, which `scripts/lib/common.sh` sets and
/// the template never does), the event's `time` when it is later, so that a
/// test runs the scheduler as at an hour to come.
pub fn acting_at(event: &Value, clock: OffsetDateTime, event_time: bool) -> OffsetDateTime {
    if !event_time {
        return clock;
    }
    event
        .get("time")
        .and_then(Value::as_str)
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map_or(clock, |t| t.max(clock))
}

/// One run, whatever the event (a scheduled event, a test's fixture).
pub async fn handle(ctx: &Ctx, event: Value) -> Value {
    let at = acting_at(&event, OffsetDateTime::now_utc(), ctx.event_time);
    let report = run(ctx, at).await;
    tracing::info!(
        municipalities = report.municipalities,
        due_soon = report.due_soon,
        overdue = report.overdue,
        citizens_told = report.citizens_told,
        refused_by_silence = report.refused_by_silence,
        news_published = report.news_published,
        news_broadcast = report.news_broadcast,
        event_notices = report.event_notices,
        appointment_reminders = report.appointment_reminders,
        errors = report.errors,
        "scheduler run"
    );
    json!(report)
}

pub async fn run(ctx: &Ctx, now: OffsetDateTime) -> Report {
    let mut report = Report::default();
    let municipalities = match ctx.store.all_municipalities().await {
        Ok(all) => all,
        Err(e) => {
            tracing::error!(error = %e, "listing municipalities failed");
            report.errors += 1;
            return report;
        }
    };
    for m in &municipalities {
        report.municipalities += 1;
        for kind in KINDS {
            if let Err(e) = municipality(ctx, &m.id, kind, now, &mut report).await {
                tracing::error!(error = %e, "scheduler: a municipality's queue failed");
                report.errors += 1;
            }
        }
        if let Err(e) = publish_news(ctx, &m.id, now, &mut report).await {
            tracing::error!(error = %e, "scheduler: a municipality's scheduled news failed");
            report.errors += 1;
        }
        if let Err(e) = appointments::remind(ctx, &m.id, now, &mut report).await {
            tracing::error!(error = %e, "scheduler: a municipality's appointments failed");
            report.errors += 1;
        }
        if let Err(e) = events::tell(ctx, &m.id, now, &mut report).await {
            tracing::error!(error = %e, "scheduler: telling of a municipality's events failed");
            report.errors += 1;
        }
    }
    report
}

/// Publish `m`'s scheduled posts whose time has come, each conditioned on the
/// version read: a post staff changed meanwhile, or another run published,
/// is left as it is. A post's planned broadcast goes out with it (in the same
/// transaction), unless another went out less than a week before.
async fn publish_news(
    ctx: &Ctx,
    m: &MunicipalityId,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(), StoreError> {
    use baladiya::domain::broadcast;
    use baladiya::store::broadcasts::Publication;
    let now_s = baladiya::clock::rfc3339(now);
    for before in ctx.store.due_posts(m, &now_s).await? {
        let Some(mut after) = baladiya::domain::news::publish_due(&before, now) else {
            continue;
        };
        let last = match &after.broadcast {
            Some(_) => ctx.store.last_broadcast(m).await?,
            None => None,
        };
        let plan = broadcast::on_due(m, &mut after, last, now);
        let publication = Publication {
            broadcast: plan.broadcast.as_ref(),
            slot: plan.slot.map(|at| (at, last)),
        };
        match ctx
            .store
            .publish_post(m, &after, before.version, publication)
            .await
        {
            Ok(()) => {
                report.news_published += 1;
                report.news_broadcast += usize::from(plan.broadcast.is_some());
            }
            Err(StoreError::VersionConflict) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn municipality(
    ctx: &Ctx,
    m: &MunicipalityId,
    kind: CaseKind,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(), StoreError> {
    let until = baladiya::clock::rfc3339(now + time::Duration::hours(SOON_HOURS));
    let now_s = baladiya::clock::rfc3339(now);
    let mut start = None;
    loop {
        let page = ctx
            .store
            .queue::<Value>(m, kind, &until, 100, start)
            .await?;
        for case in &page.items {
            let Some(due_at) = case.due_at.clone() else {
                continue;
            };
            let result = match due(kind, &case.state, &due_at, &now_s) {
                Due::Soon => remind(ctx, case, "due_soon", &due_at, now, false)
                    .await
                    .map(|new| report.due_soon += usize::from(new)),
                Due::RefuseBySilence => refuse_by_silence(ctx, case, now)
                    .await
                    .map(|done| report.refused_by_silence += usize::from(done)),
                Due::Overdue { tell } => remind(ctx, case, "overdue", &due_at, now, tell)
                    .await
                    .map(|new| {
                        report.overdue += usize::from(new);
                        report.citizens_told += usize::from(new && tell);
                    }),
            };
            if let Err(e) = result {
                tracing::error!(error = %e, "scheduler: a case failed");
                report.errors += 1;
            }
        }
        match page.next {
            Some(k) => start = Some(k),
            None => return Ok(()),
        }
    }
}

/// The reference a case's people know it by (a dossier's number), if it has one.
fn reference(case: &CaseRecord) -> Option<String> {
    case.data
        .get("reference")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A reminder for staff, once per case, kind and due time; with `tell`, the
/// citizens concerned are told in the same transaction.
async fn remind(
    ctx: &Ctx,
    case: &CaseRecord,
    what: &str,
    due: &str,
    now: OffsetDateTime,
    tell: bool,
) -> Result<bool, StoreError> {
    let reminder = Reminder {
        kind: case.kind,
        case_id: case.id.clone(),
        what: what.to_owned(),
        due_at: due.to_owned(),
        at: baladiya::clock::rfc3339(now),
        reference: reference(case),
    };
    let notices = if tell {
        vec![Notice::about(
            case,
            notice::OVERDUE,
            case.seq,
            reference(case),
            now,
        )]
    } else {
        vec![]
    };
    ctx.store.remind_once(case, &reminder, &notices).await
}

/// The head of the body did not answer the appeal in time: refused by silence.
/// `false` if someone moved the case meanwhile (nothing done).
async fn refuse_by_silence(
    ctx: &Ctx,
    case: &CaseRecord,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let Ok(plan) = decide::by_system(
        case,
        "appeal_rejected",
        "رفض ضمني: لم تتم الإجابة عن التظلم في الأجل القانوني. / Refus implicite : \
         le recours est resté sans réponse dans le délai légal.",
        DueChange::Clear,
        reference(case),
        now,
    ) else {
        return Ok(false);
    };
    match ctx.store.commit_transition(&plan, Vec::new()).await {
        Ok(()) => Ok(true),
        Err(StoreError::VersionConflict) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_case_on_a_queue_gets_what_its_due_time_calls_for() {
        let now = "2026-12-02T10:00:00Z";
        let (soon, past) = ("2026-12-03T10:00:00Z", "2026-12-01T10:00:00Z");
        let info = CaseKind::InfoRequest;
        for (kind, state, due_at, expected) in [
            (info, "received", soon, Due::Soon),
            (CaseKind::Permit, "in_review", soon, Due::Soon),
            (info, "received", past, Due::Overdue { tell: true }),
            (info, "processing", past, Due::Overdue { tell: true }),
            (info, "extended", past, Due::Overdue { tell: true }),
            (info, "appealed", past, Due::RefuseBySilence),
            (info, "appealed", soon, Due::Soon),
            // A dossier's target is a service target: staff are reminded only.
            (
                CaseKind::Permit,
                "in_review",
                past,
                Due::Overdue { tell: false },
            ),
            (
                CaseKind::Permit,
                "appealed",
                past,
                Due::Overdue { tell: false },
            ),
        ] {
            assert_eq!(
                due(kind, state, due_at, now),
                expected,
                "{kind:?} {state} {due_at}"
            );
        }
    }

    #[test]
    fn a_deployed_run_acts_at_the_clock_whatever_its_event_says() {
        let clock = OffsetDateTime::from_unix_timestamp(1_796_000_000).unwrap();
        let future = json!({"time": "2030-01-01T00:00:00Z"});
        assert_eq!(acting_at(&future, clock, false), clock);
    }

    #[test]
    fn a_local_run_acts_at_its_event_time_or_now_if_later() {
        let rfc = |t: &str| {
            OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
        };
        let clock = rfc("2026-12-04T10:00:00Z");
        for (event, expected) in [
            (
                json!({"time": "2026-12-04T11:00:00Z"}),
                "2026-12-04T11:00:00Z",
            ),
            // A retry delivered late acts now.
            (
                json!({"time": "2026-12-03T10:00:00Z"}),
                "2026-12-04T10:00:00Z",
            ),
            (json!({"time": "not a time"}), "2026-12-04T10:00:00Z"),
            (
                json!({"resources": ["local-deadlines"]}),
                "2026-12-04T10:00:00Z",
            ),
        ] {
            assert_eq!(acting_at(&event, clock, true), rfc(expected), "{event}");
        }
    }
}
