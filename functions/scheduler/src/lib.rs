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
//! Every action is made once: reminders and the overdue notice are guarded by
//! an item per case, kind of reminder and due time, written in the same
//! transaction; the refusal is a state change conditioned on the version read.
//! Running it twice in a row does nothing the second time.

use baladiya::config::{Aws, Config};
use baladiya::domain::notice::{self, Notice};
use baladiya::domain::workflow::{Actor, CaseKind, HistoryEntry, INFO_REQUEST};
use baladiya::domain::{Id, MunicipalityId};
use baladiya::http::auth::now_secs;
use baladiya::store::cases::{CaseChanges, CaseRecord};
use baladiya::store::tracked::Reminder;
use baladiya::store::{Store, StoreError};
use serde_json::{Value, json};
use time::OffsetDateTime;

pub struct Ctx {
    pub store: Store,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Ctx {
        Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
        }
    }
}

/// How far ahead "due soon" looks.
pub const SOON_HOURS: i64 = 48;
/// The kinds with deadlines.
pub const KINDS: [CaseKind; 2] = [CaseKind::InfoRequest, CaseKind::Permit];
/// Information requests still owed an answer (an overdue notice is due).
const OWED: &[&str] = &["received", "processing", "extended"];

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub municipalities: usize,
    pub due_soon: usize,
    pub overdue: usize,
    pub citizens_told: usize,
    pub refused_by_silence: usize,
    pub errors: usize,
}

/// One run, whatever the event (a scheduled event, a test's fixture).
pub async fn handle(ctx: &Ctx, _event: Value) -> Value {
    let report = run(ctx, OffsetDateTime::now_utc()).await;
    tracing::info!(
        municipalities = report.municipalities,
        due_soon = report.due_soon,
        overdue = report.overdue,
        citizens_told = report.citizens_told,
        refused_by_silence = report.refused_by_silence,
        errors = report.errors,
        "scheduler run"
    );
    json!(report)
}

pub async fn run(ctx: &Ctx, now: OffsetDateTime) -> Report {
    let mut report = Report::default();
    let mut start = None;
    loop {
        let page = match ctx.store.list_municipalities(None, false, 100, start).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "listing municipalities failed");
                report.errors += 1;
                return report;
            }
        };
        for m in &page.items {
            report.municipalities += 1;
            for kind in KINDS {
                if let Err(e) = municipality(ctx, &m.id, kind, now, &mut report).await {
                    tracing::error!(error = %e, "scheduler: a municipality's queue failed");
                    report.errors += 1;
                }
            }
        }
        match page.next {
            Some(k) => start = Some(k),
            None => return report,
        }
    }
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
        let page = ctx.store.queue(m, kind, &until, 100, start).await?;
        for case in &page.items {
            let Some(due) = case.due_at.clone() else {
                continue;
            };
            let result = if due > now_s {
                remind(ctx, case, "due_soon", &due, &now_s, None)
                    .await
                    .map(|new| report.due_soon += usize::from(new))
            } else if kind == CaseKind::InfoRequest && case.state == "appealed" {
                refuse_by_silence(ctx, case, &now_s)
                    .await
                    .map(|done| report.refused_by_silence += usize::from(done))
            } else {
                let tell = kind == CaseKind::InfoRequest && OWED.contains(&case.state.as_str());
                remind(
                    ctx,
                    case,
                    "overdue",
                    &due,
                    &now_s,
                    tell.then_some(notice::OVERDUE),
                )
                .await
                .map(|new| {
                    report.overdue += usize::from(new);
                    report.citizens_told += usize::from(new && tell);
                })
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

fn notice_for(case: &CaseRecord, state: &str, seq: u64, at: &str) -> Notice {
    Notice {
        id: Id::generate("ntf").to_string(),
        municipality: case.municipality.clone(),
        kind: case.kind,
        case_id: case.id.clone(),
        state: state.to_owned(),
        seq,
        at: at.to_owned(),
        attempts: 0,
        next_attempt_at: now_secs() + 60,
        reference: case
            .data
            .get("reference")
            .and_then(Value::as_str)
            .map(str::to_owned),
        to: None,
    }
}

/// A reminder for staff, once per case, kind and due time; with `tell`, the
/// citizens concerned are told in the same transaction.
async fn remind(
    ctx: &Ctx,
    case: &CaseRecord,
    what: &str,
    due: &str,
    now: &str,
    tell: Option<&str>,
) -> Result<bool, StoreError> {
    let reminder = Reminder {
        kind: case.kind,
        case_id: case.id.clone(),
        what: what.to_owned(),
        due_at: due.to_owned(),
        at: now.to_owned(),
        reference: case
            .data
            .get("reference")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let extra = match tell {
        Some(state) => vec![
            ctx.store
                .notice_put(&notice_for(case, state, case.seq, now))?,
        ],
        None => vec![],
    };
    ctx.store.remind_once(case, &reminder, extra).await
}

/// The head of the body did not answer the appeal in time: refused by silence.
/// `false` if someone moved the case meanwhile (nothing done).
async fn refuse_by_silence(ctx: &Ctx, case: &CaseRecord, now: &str) -> Result<bool, StoreError> {
    let to = "appeal_rejected";
    if INFO_REQUEST.check(&case.state, to, Actor::System).is_err() {
        return Ok(false);
    }
    let entry = HistoryEntry {
        seq: case.seq + 1,
        state: to.to_owned(),
        note: Some(
            "رفض ضمني: لم تتم الإجابة عن التظلم في الأجل القانوني. / Refus implicite : \
             le recours est resté sans réponse dans le délai légal."
                .to_owned(),
        ),
        author: "system".to_owned(),
        author_role: Actor::System,
        at: now.to_owned(),
        attachment: None,
    };
    let outbox = ctx
        .store
        .notice_put(&notice_for(case, to, entry.seq, now))?;
    let changes = CaseChanges {
        duplicate_of: None,
        due_at: Some(None),
        data: None,
    };
    match ctx
        .store
        .transition_case_changing(case, &entry, &changes, vec![outbox])
        .await
    {
        Ok(()) => Ok(true),
        Err(StoreError::VersionConflict) => Ok(false),
        Err(e) => Err(e),
    }
}
