//! Delivery against the local emulator (started by `scripts/test`): a notice
//! written with a state change reaches the reporter once, even when SNS was down
//! at first, and even when it is handed over twice.

use baladiya::config::{Aws, Config};
use baladiya::domain::account::{Account, NotifyPreference};
use baladiya::domain::case::Audience;
use baladiya::domain::case::decide::{self, Filer, Move};
use baladiya::domain::complaint::Complaint;
use baladiya::domain::complaint::ComplaintData;
use baladiya::domain::notice::Notice;
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{Id, Lang, MunicipalityId, Phone, Principal};
use baladiya::notify::Notifier;
use baladiya::store::Store;
use baladiya::store::notices::DeliveryStatus;
use baladiya_tests::{sms_to, unique_phone, unique_slug};
use notifications::{Ctx, Report, deliver, handle};

fn live() -> Ctx {
    let config = Config::from_env().expect("run with scripts/test");
    Ctx::new(&config, &Aws::from_env().expect("AWS settings"))
}

/// A table of this test's own, without a stream: the local relay (which feeds the
/// stack's table stream to the function, as AWS would) cannot deliver the notices
/// behind the test's back, so the test decides when delivery runs.
async fn isolated() -> Store {
    use baladiya::store::provision::{TableSpec, create_table};
    let aws = Aws::from_env().expect("AWS settings");
    let name = format!("notifications-test-{}", ulid::Ulid::new()).to_lowercase();
    create_table(&aws, &TableSpec::keys_only(&name))
        .await
        .expect("a test table");
    Store::new(aws.dynamodb(), name)
}

/// The function's context on `store`, with SNS reachable or not (nothing listens
/// on port 9).
fn ctx(store: &Store, sns_up: bool) -> Ctx {
    let aws = Aws::from_lookup(|k| match k {
        "AWS_ENDPOINT_URL" if !sns_up => Some("http://127.0.0.1:9".into()),
        _ => std::env::var(k).ok(),
    })
    .unwrap();
    Ctx {
        store: store.clone(),
        notifier: Notifier::new(aws.sns(), None),
    }
}

/// A reporter who wants SMS, their complaint, and a state change with its notice.
async fn a_state_change(store: &Store) -> (Notice, String) {
    let phone = unique_phone();
    let mut account = Account::new(
        Id::generate("usr"),
        Phone::parse(&phone).unwrap(),
        Lang::Fr,
        "2026-11-28T12:00:00Z",
    );
    account.notify = NotifyPreference::PushThenSms;
    store
        .create_account(&format!("test-{}", ulid::Ulid::new()), &account)
        .await
        .unwrap();
    let m = MunicipalityId::parse(&unique_slug("ntf")).unwrap();
    let data = ComplaintData {
        origin: None,
        category: "waste".into(),
        subcategory: None,
        description: "Ordures non ramassées depuis lundi.".into(),
        location: None,
        address: Some("Rue de Marseille".into()),
        area: None,
        public: true,
        hide_name: false,
        reporter_name: None,
    };
    let at = time::macros::datetime!(2026-11-28 12:00 UTC);
    let filing = decide::file::<Complaint>(&m, &Filer::client(account.id.as_str()), data, None, at);
    store
        .file_case(&filing, Vec::new(), None, "")
        .await
        .unwrap();
    let plan = decide::transition::<Complaint>(
        &Principal::PlatformAdmin {
            user: Id::generate("usr"),
        },
        Audience::Staff,
        &filing.case,
        Move::to("in_progress"),
        &(),
        at + time::Duration::minutes(5),
    )
    .unwrap();
    store.commit_transition(&plan, Vec::new()).await.unwrap();
    let notice = plan.notice;
    (notice, phone)
}

#[tokio::test]
async fn sns_down_keeps_the_notice_and_it_is_delivered_once_sns_is_back() {
    let store = isolated().await;
    let ctx = ctx(&store, true);
    let (notice, phone) = a_state_change(&store).await;
    let reference = &notice.case_id[notice.case_id.len() - 6..];
    let now = baladiya::http::auth::now_secs();

    let mut report = Report::default();
    deliver(&self::ctx(&store, false), &notice, now, &mut report).await;
    assert_eq!(report.retrying, 1);
    let (stored, pending) = ctx
        .store
        .get_notice(&notice.municipality, &notice.id)
        .await
        .unwrap()
        .unwrap();
    assert!(pending, "still in the outbox");
    assert_eq!(stored.attempts, 1);
    assert!(stored.next_attempt_at > now, "retried later");
    let owner = ctx
        .store
        .get_case::<serde_json::Value>(&notice.municipality, CaseKind::Complaint, &notice.case_id)
        .await
        .unwrap()
        .unwrap()
        .owner;
    let record = ctx.store.deliveries_of(&owner, 10, None).await.unwrap();
    assert_eq!(record.items[0].status, DeliveryStatus::Failed);
    assert!(sms_to(&phone).await.is_empty(), "nothing was sent");

    // SNS is back: the sweep's next run delivers it.
    let mut report = Report::default();
    deliver(&ctx, &stored, now + 120, &mut report).await;
    assert_eq!(report.completed, 1);
    let sms = sms_to(&phone).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].contains("en cours de traitement") && sms[0].contains(reference));
    let (_, pending) = ctx
        .store
        .get_notice(&notice.municipality, &notice.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!pending, "off the outbox");
    let record = ctx.store.deliveries_of(&owner, 10, None).await.unwrap();
    assert_eq!(record.items[0].status, DeliveryStatus::Sent);

    // Handed over again (a stream record and a sweep): still one SMS.
    let mut report = Report::default();
    deliver(&ctx, &stored, now + 200, &mut report).await;
    assert_eq!(sms_to(&phone).await.len(), 1, "delivered once");
}

#[tokio::test]
async fn a_stream_record_of_a_new_notice_delivers_it() {
    let store = isolated().await;
    let ctx = ctx(&store, true);
    let (notice, phone) = a_state_change(&store).await;
    let event = serde_json::json!({ "Records": [{
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {
                "PK": { "S": format!("M#{}#OUTBOX#{}", notice.municipality, notice.id) },
                "SK": { "S": "NOTICE" }
            },
            "NewImage": { "type": { "S": "notice" } }
        }
    }]});
    let out = handle(&ctx, event.clone()).await;
    assert_eq!(out["completed"], 1, "{out}");
    assert_eq!(sms_to(&phone).await.len(), 1);
    // A delivered notice handed over again is skipped.
    let out = handle(&ctx, event).await;
    assert_eq!(out["notices"], 0, "{out}");
}

/// The fixtures of events/notifications/ are accepted as AWS sends them.
#[tokio::test]
async fn event_fixtures_are_handled() {
    let ctx = live();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/notifications");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        let out = handle(&ctx, event.clone()).await;
        let (n, done, retry) = (
            out["notices"].as_u64().unwrap(),
            out["completed"].as_u64().unwrap(),
            out["retrying"].as_u64().unwrap(),
        );
        assert_eq!(
            n,
            done + retry,
            "every notice handled is accounted for: {out}"
        );
        if event.get("Records").is_some() {
            // The fixture's notice does not exist: nothing to deliver.
            assert_eq!(n, 0, "{out}");
        }
        seen += 1;
    }
    assert!(seen >= 2);
}
