//! The `notifications` function: delivers notices written to the outbox.
//!
//! Two triggers, one path:
//! - the table's stream, filtered to new notices (`template.yaml`): delivery
//!   within seconds of the change;
//! - a schedule (every minute): the sweep re-drives every notice still
//!   undelivered and due, so that nothing is lost when SNS was down, a run
//!   died, or a stream batch was dropped.
//!
//! Each person's copy is claimed before it is sent (one record per person and
//! notice), so a notice delivered twice (stream and sweep, or a retried batch)
//! reaches each person once. A failure to reach SNS never touches the change the
//! notice tells about: it was committed before.

mod broadcast;

use std::collections::BTreeSet;

use baladiya::config::{Aws, Config};
use baladiya::domain::account::NotifyPreference;
use baladiya::domain::notice::{self, Channel, MAX_ATTEMPTS, Notice};
use baladiya::domain::{Id, MunicipalityId};
use baladiya::http::auth::now_secs;
use baladiya::notify::{Notifier, NotifyError};
use baladiya::store::accounts::{AccountData, ERASED_USER};
use baladiya::store::notices::{Claim, Delivery, DeliveryStatus};
use baladiya::store::{Store, StoreError, keys};
use serde_json::{Value, json};

pub struct Ctx {
    pub store: Store,
    pub notifier: Notifier,
}

impl Ctx {
    pub fn new(config: &Config, aws: &Aws) -> Ctx {
        Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            notifier: Notifier::new(aws.sns(), std::env::var("BALADIYA_SMS_SENDER_ID").ok()),
        }
    }
}

/// What one invocation did (also its answer, for `cargo lambda invoke`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub notices: usize,
    pub completed: usize,
    pub retrying: usize,
}

/// Handle a stream batch or a scheduled sweep. Never fails: a notice that could
/// not be delivered stays in the outbox for the next sweep.
pub async fn handle(ctx: &Ctx, event: Value) -> Value {
    let now = now_secs();
    let report = if let Some(records) = event.get("Records").and_then(Value::as_array) {
        let mut report = Report::default();
        for r in records {
            match outbox_of(r) {
                Some((Outbox::Notice, m, id)) => {
                    deliver_by_id(ctx, &m, &id, now, &mut report).await
                }
                Some((Outbox::Broadcast, m, id)) => {
                    broadcast::deliver_by_id(ctx, &m, &id, now, &mut report).await
                }
                None => {}
            }
        }
        report
    } else {
        sweep(ctx, now).await
    };
    tracing::info!(
        notices = report.notices,
        completed = report.completed,
        retrying = report.retrying,
        "notices"
    );
    json!({
        "notices": report.notices,
        "completed": report.completed,
        "retrying": report.retrying,
    })
}

/// What the outbox holds: notices about cases, and broadcasts of news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outbox {
    Notice,
    Broadcast,
}

/// The outbox record a stream record announces: `(what, municipality, id)`.
fn outbox_of(record: &Value) -> Option<(Outbox, MunicipalityId, String)> {
    if record["eventName"] != "INSERT" {
        return None;
    }
    let what = match record["dynamodb"]["NewImage"]["type"]["S"].as_str()? {
        "notice" => Outbox::Notice,
        "broadcast" => Outbox::Broadcast,
        _ => return None,
    };
    let pk = record["dynamodb"]["Keys"]["PK"]["S"].as_str()?;
    let rest = pk.strip_prefix("M#")?;
    let (m, id) = rest.split_once("#OUTBOX#")?;
    Some((what, MunicipalityId::parse(m).ok()?, id.to_owned()))
}

pub(crate) async fn deliver_by_id(
    ctx: &Ctx,
    m: &MunicipalityId,
    id: &str,
    now: u64,
    report: &mut Report,
) {
    match ctx.store.get_notice(m, id).await {
        Ok(Some((notice, true))) => deliver(ctx, &notice, now, report).await,
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "reading a notice failed; the sweep will retry"),
    }
}

/// Every municipality's due notices.
async fn sweep(ctx: &Ctx, now: u64) -> Report {
    let mut report = Report::default();
    let municipalities = match ctx.store.all_municipalities().await {
        Ok(all) => all,
        Err(e) => {
            tracing::error!(error = %e, "listing municipalities failed");
            return report;
        }
    };
    for m in &municipalities {
        match ctx.store.due_notices(&m.id, now, 25).await {
            Ok(due) => {
                for n in &due {
                    deliver(ctx, n, now, &mut report).await;
                }
            }
            Err(e) => tracing::error!(error = %e, "reading due notices failed"),
        }
        match ctx.store.due_broadcasts(&m.id, now, 5).await {
            Ok(due) => {
                for b in &due {
                    broadcast::deliver(ctx, b, now, &mut report).await;
                }
            }
            Err(e) => tracing::error!(error = %e, "reading due broadcasts failed"),
        }
    }
    report
}

/// Deliver a notice to the case's reporter and followers; complete it, or
/// schedule the next try.
pub async fn deliver(ctx: &Ctx, notice: &Notice, now: u64, report: &mut Report) {
    report.notices += 1;
    let reached = match reach_everyone(ctx, notice, now).await {
        Ok(all) => all,
        Err(e) => {
            tracing::error!(error = %e, "delivering a notice failed");
            false
        }
    };
    let res = if reached {
        report.completed += 1;
        ctx.store.complete_notice(notice, now).await
    } else {
        report.retrying += 1;
        let attempts = notice.attempts + 1;
        let due = (attempts < MAX_ATTEMPTS).then(|| notice::next_attempt(now, attempts));
        if due.is_none() {
            tracing::error!(attempts, "a notice is given up after its last attempt");
        }
        ctx.store.reschedule_notice(notice, attempts, due).await
    };
    if let Err(e) = res {
        tracing::error!(error = %e, "recording a notice's outcome failed");
    }
}

/// `Ok(true)` when every person concerned was reached (or chose not to be).
async fn reach_everyone(ctx: &Ctx, notice: &Notice, now: u64) -> Result<bool, StoreError> {
    // For one person (a ticket's holder): nobody else, no case to read.
    if let Some(to) = &notice.to {
        return reach(ctx, notice, to, notice::own_file(notice.kind, true), now).await;
    }
    let Some(case) = ctx
        .store
        .get_case::<serde_json::Value>(&notice.municipality, notice.kind, &notice.case_id)
        .await?
    else {
        return Ok(true);
    };
    let case_pk = keys::case_pk(&notice.municipality, notice.kind, &notice.case_id);
    let mut people: BTreeSet<String> = ctx
        .store
        .case_followers(&case_pk)
        .await?
        .into_iter()
        .collect();
    people.insert(case.owner.clone());
    people.remove(ERASED_USER);
    let mut all = true;
    for person in people {
        let own = notice::own_file(notice.kind, person == case.owner);
        if !reach(ctx, notice, &person, own, now).await? {
            all = false;
        }
    }
    Ok(all)
}

/// One person's copy: `Ok(false)` if SNS failed (to retry).
/// `own`: the case is the person's (they filed it, or the notice is for them
/// alone), not one they follow.
async fn reach(
    ctx: &Ctx,
    notice: &Notice,
    person: &str,
    own: bool,
    now: u64,
) -> Result<bool, StoreError> {
    let Ok(user) = Id::parse("usr", person) else {
        return Ok(true);
    };
    let data = ctx.store.account_data(&user).await?;
    // Erased since: nobody to tell.
    let Some(account) = &data.account else {
        return Ok(true);
    };
    let text = notice::text(notice, account.lang);
    let channel = notice::channel(account.notify, !data.devices.is_empty(), own);
    let delivery = Delivery {
        notice: notice.id.clone(),
        municipality: notice.municipality.clone(),
        kind: Some(notice.kind),
        case_id: notice.case_id.clone(),
        reference: Some(notice.short_reference()),
        path: notice.path(),
        state: notice.state.clone(),
        text: text.clone(),
        channel,
        status: DeliveryStatus::Sending,
        at: notice.at.clone(),
        updated: now,
        read: false,
    };
    let payload = push_payload(&text, notice);
    // Every device gone stale: the SMS they accepted, about their own file.
    let fallback = own && account.notify == NotifyPreference::PushThenSms;
    send_copy(ctx, person, &data, delivery, &payload, fallback, now).await
}

/// One person's copy (`delivery`, with its channel), claimed, sent and
/// settled: `Ok(false)` if SNS failed (to retry). A copy another run settled
/// is not sent again. `sms_fallback`: an SMS when no device takes the push.
pub(crate) async fn send_copy(
    ctx: &Ctx,
    person: &str,
    data: &AccountData,
    mut delivery: Delivery,
    payload: &str,
    sms_fallback: bool,
    now: u64,
) -> Result<bool, StoreError> {
    let Some(account) = &data.account else {
        return Ok(true);
    };
    if delivery.channel.is_none() {
        delivery.status = DeliveryStatus::InApp;
    }
    let channel = delivery.channel;
    match ctx.store.claim_delivery(person, &delivery, now).await? {
        Claim::Claimed => {}
        Claim::Settled => return Ok(true),
        // Another run is on it (or died on it): not known to be delivered.
        Claim::Busy => return Ok(false),
    }
    let outcome = match channel {
        None => return Ok(true),
        Some(Channel::Push) => {
            let mut sent = false;
            let mut failed = false;
            for d in &data.devices {
                match ctx.notifier.send_push(&d.endpoint_arn, payload).await {
                    Ok(_) => sent = true,
                    Err(NotifyError::Unreachable) => {}
                    Err(NotifyError::Unavailable(_)) => failed = true,
                }
            }
            if sent {
                DeliveryStatus::Sent
            } else if failed {
                DeliveryStatus::Failed
            } else if sms_fallback {
                sms(ctx, &account.phone, &delivery.text).await
            } else {
                DeliveryStatus::InApp
            }
        }
        Some(Channel::Sms) => sms(ctx, &account.phone, &delivery.text).await,
    };
    ctx.store
        .settle_delivery(person, &delivery.notice, outcome, now_secs())
        .await?;
    Ok(outcome != DeliveryStatus::Failed)
}

async fn sms(ctx: &Ctx, to: &baladiya::domain::Phone, text: &str) -> DeliveryStatus {
    match ctx.notifier.send_sms(to, text).await {
        Ok(_) => DeliveryStatus::Sent,
        // Opted out of SMS: nothing more to do.
        Err(NotifyError::Unreachable) => DeliveryStatus::InApp,
        Err(NotifyError::Unavailable(_)) => DeliveryStatus::Failed,
    }
}

/// An SNS message for every platform: FCM and APNs payloads with the text and
/// where to open it in the app.
fn push_payload(text: &str, notice: &Notice) -> String {
    let data = json!({
        "municipality": notice.municipality,
        "kind": notice.kind,
        "case": notice.case_id,
        "reference": notice.short_reference(),
        "path": notice.path(),
        "state": notice.state,
        "notice": notice.id,
    });
    baladiya::notify::push_message(text, &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_records_name_their_notice() {
        let record = json!({
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": { "PK": { "S": "M#tunis#OUTBOX#ntf_01JDQ2Y8V0K7N3M5P9R2T4W6XA" }, "SK": { "S": "NOTICE" } },
                "NewImage": { "type": { "S": "notice" } }
            }
        });
        let (what, m, id) = outbox_of(&record).unwrap();
        assert_eq!(
            (what, m.as_str(), id.as_str()),
            (Outbox::Notice, "tunis", "ntf_01JDQ2Y8V0K7N3M5P9R2T4W6XA")
        );
        let mut modify = record.clone();
        modify["eventName"] = json!("MODIFY");
        assert!(outbox_of(&modify).is_none());
        let mut other = record.clone();
        other["dynamodb"]["NewImage"]["type"]["S"] = json!("case");
        assert!(outbox_of(&other).is_none());
        let mut news = record.clone();
        news["dynamodb"]["Keys"]["PK"]["S"] = json!("M#tunis#OUTBOX#ntf_1");
        news["dynamodb"]["NewImage"]["type"]["S"] = json!("broadcast");
        let (what, _, id) = outbox_of(&news).unwrap();
        assert_eq!((what, id.as_str()), (Outbox::Broadcast, "ntf_1"));
    }

    #[test]
    fn push_payloads_carry_every_platform() {
        let n = Notice {
            id: "ntf_1".into(),
            municipality: MunicipalityId::parse("tunis").unwrap(),
            kind: baladiya::domain::workflow::CaseKind::Complaint,
            case_id: "cmp_1".into(),
            state: "resolved".into(),
            seq: 2,
            at: "t".into(),
            attempts: 0,
            next_attempt_at: 0,
            reference: None,
            to: None,
            note: None,
        };
        let p: Value = serde_json::from_str(&push_payload("Bonjour", &n)).unwrap();
        assert_eq!(p["default"], "Bonjour");
        let gcm: Value = serde_json::from_str(p["GCM"].as_str().unwrap()).unwrap();
        assert_eq!(gcm["notification"]["body"], "Bonjour");
        assert_eq!(gcm["data"]["case"], "cmp_1");
        assert_eq!(
            gcm["data"]["path"],
            "/v1/municipalities/tunis/complaints/cmp_1"
        );
        assert_eq!(gcm["data"]["reference"], "CMP_1");
        assert!(p["APNS"].as_str().unwrap().contains("aps"));
    }
}
