//! The adapters against the real local emulator, through the AWS SDK: the case
//! workflow's transactions, idempotent creates, S3 presigned URLs and SNS SMS.

use baladiya::domain::case::decide::{self, Filer, Filing, Move, TransitionPlan};
use baladiya::domain::case::{Actor, Audience, CaseRecord};
use baladiya::domain::complaint::{Complaint, ComplaintData};
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{Id, MunicipalityId, Permission, Phone, Principal};
use baladiya::files::{Files, object_key};
use baladiya::notify::Notifier;
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::{Store, StoreError};
use baladiya_tests::{unique_phone, unique_slug};
use time::OffsetDateTime;

async fn sdk() -> baladiya::config::Aws {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: run these tests with scripts/test"
    );
    baladiya::config::Aws::from_env().expect("AWS settings")
}

async fn store() -> Store {
    let table = std::env::var("BALADIYA_TABLE").expect("BALADIYA_TABLE (scripts/test sets it)");
    Store::new(sdk().await.dynamodb(), table)
}

fn data() -> ComplaintData {
    ComplaintData {
        category: "lighting".into(),
        subcategory: None,
        description: "Lampadaire éteint depuis une semaine.".into(),
        location: None,
        address: Some("Rue de Marseille".into()),
        area: None,
        public: true,
        hide_name: false,
        reporter_name: None,
        origin: None,
    }
}

/// A complaint filed by `owner`, its first entry saying "step 1".
fn new_case(m: &MunicipalityId, owner: &Id) -> Filing<ComplaintData> {
    let mut filing = decide::file::<Complaint>(
        m,
        &Filer::client(owner.as_str()),
        data(),
        None,
        OffsetDateTime::now_utc(),
    );
    filing.first.note = Some("step 1".into());
    filing
}

/// Staff moving `case` (as read) to `to`, saying "step <seq>".
fn step(
    agent: &Principal,
    case: &CaseRecord<ComplaintData>,
    to: &str,
) -> TransitionPlan<ComplaintData> {
    let mut mv = Move::to(to);
    mv.note = Some(format!("step {}", case.seq + 1));
    decide::transition::<Complaint>(
        agent,
        Audience::Staff,
        case,
        mv,
        &(),
        OffsetDateTime::now_utc(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_state_change_and_its_history_entry_are_written_together() {
    let store = store().await;
    let m = MunicipalityId::parse(&unique_slug("cases")).unwrap();
    let owner = Id::generate("usr");
    let filing = new_case(&m, &owner);
    let case = &filing.case;
    let created = store.file_case(&filing, vec![], None, "{}").await.unwrap();
    assert_eq!(created, Created::New);

    // Staff move it, as the domain allows.
    let agent = Principal::staff(m.as_str(), [Permission::Complaints]);
    let read: CaseRecord<ComplaintData> = store
        .get_case(&m, CaseKind::Complaint, &case.id)
        .await
        .unwrap()
        .unwrap();
    let audience = baladiya::domain::case::audience::<Complaint>(Some(&agent), &read, false);
    assert_eq!(audience, Ok(Audience::Staff));
    store
        .commit_transition(&step(&agent, &read, "in_progress"), vec![])
        .await
        .unwrap();

    // A second writer who read the same version loses, and writes nothing.
    let stale = read.clone();
    let lost = store
        .commit_transition(&step(&agent, &stale, "rejected"), vec![])
        .await;
    assert_eq!(lost, Err(StoreError::VersionConflict));

    let now: CaseRecord<ComplaintData> = store
        .get_case(&m, CaseKind::Complaint, &case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now.state.as_str(), now.seq), ("in_progress", 2));
    let history = store
        .case_history(&m, CaseKind::Complaint, &case.id, 10, None)
        .await
        .unwrap();
    let states: Vec<_> = history.items.iter().map(|h| h.state.as_str()).collect();
    assert_eq!(
        states,
        ["received", "in_progress"],
        "no trace of the lost write"
    );
    assert_eq!(history.items[1].author_role, Actor::Staff);
    assert_eq!(history.items[0].note.as_deref(), Some("step 1"));

    // The same case in another municipality does not exist.
    let other = MunicipalityId::parse(&unique_slug("other")).unwrap();
    assert_eq!(
        store
            .get_case::<ComplaintData>(&other, CaseKind::Complaint, &case.id)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn history_pages_in_order() {
    let store = store().await;
    let m = MunicipalityId::parse(&unique_slug("pages")).unwrap();
    let owner = Id::generate("usr");
    let filing = new_case(&m, &owner);
    store.file_case(&filing, vec![], None, "{}").await.unwrap();
    let mut case = filing.case;
    let staff = Principal::staff(m.as_str(), [Permission::Complaints]);
    let path = [
        "in_progress",
        "investigating",
        "action_scheduled",
        "in_progress",
        "resolved",
        "in_progress",
    ];
    for state in path {
        let plan = step(&staff, &case, state);
        store.commit_transition(&plan, vec![]).await.unwrap();
        case = plan.case;
    }
    let first = store
        .case_history(&m, CaseKind::Complaint, &case.id, 4, None)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 4);
    let rest = store
        .case_history(&m, CaseKind::Complaint, &case.id, 4, first.next.clone())
        .await
        .unwrap();
    let seqs: Vec<u64> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|h| h.seq)
        .collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_retried_create_is_written_once() {
    let store = store().await;
    let m = MunicipalityId::parse(&unique_slug("idem")).unwrap();
    let owner = Id::generate("usr");
    let tenant = format!("M#{m}");
    let idem = Idempotency::new(&tenant, owner.as_str(), "retry-key-1", b"POST /x {\"a\":1}");
    let first = store
        .file_case(&new_case(&m, &owner), vec![], Some(&idem), "{\"id\":1}")
        .await
        .unwrap();
    assert_eq!(first, Created::New);
    // The retry carries a fresh id (the client cannot know the first one): replayed.
    let retry = new_case(&m, &owner);
    let second = store
        .file_case(&retry, vec![], Some(&idem), "{\"id\":2}")
        .await
        .unwrap();
    match second {
        Created::Replayed(a) => assert_eq!((a.status, a.body.as_str()), (201, "{\"id\":1}")),
        other => panic!("expected a replay, got {other:?}"),
    }
    assert_eq!(
        store
            .get_case::<ComplaintData>(&m, CaseKind::Complaint, &retry.case.id)
            .await
            .unwrap(),
        None
    );
    // Same key, other request.
    let other = Idempotency::new(&tenant, owner.as_str(), "retry-key-1", b"POST /x {\"a\":2}");
    let third = store
        .file_case(&new_case(&m, &owner), vec![], Some(&other), "{}")
        .await;
    assert_eq!(third, Err(StoreError::IdempotencyMismatch));
}

#[tokio::test]
async fn staff_roles_are_found_by_phone() {
    let store = store().await;
    let admin =
        Phone::parse(&std::env::var("BALADIYA_ADMIN_PHONE").unwrap_or("+21620000000".into()))
            .unwrap();
    assert!(store.roles_by_phone(&admin).await.unwrap().platform_admin);
    let nobody = Phone::parse(&unique_phone()).unwrap();
    let roles = store.roles_by_phone(&nobody).await.unwrap();
    assert!(!roles.platform_admin && roles.staff.is_empty());
    let demo = Phone::parse("+21620000001").unwrap();
    let roles = store.roles_by_phone(&demo).await.unwrap();
    assert_eq!(roles.staff.len(), 1);
    assert_eq!(roles.staff[0].municipality.as_str(), "tunis");
}

#[tokio::test]
async fn presigned_upload_and_download_round_trip() {
    let sdk = sdk().await;
    let files = Files::new(sdk.s3());
    let bucket = std::env::var("BALADIYA_TEST_ATTACHMENTS_BUCKET")
        .unwrap_or("baladiya-attachmentsbucket".into());
    let m = MunicipalityId::parse("tunis").unwrap();
    let key = object_key(&m, "tests", &format!("{}.jpg", Id::generate("att")));
    assert!(key.starts_with("tunis/"));
    let bytes = b"\xFF\xD8\xFF\xE0 not really a jpeg".to_vec();
    let up = files
        .presign_upload(
            &bucket,
            &key,
            "image/jpeg",
            bytes.len() as u64,
            std::time::Duration::from_secs(300),
        )
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let mut put = client.put(&up.url).body(bytes.clone());
    for (k, v) in &up.headers {
        put = put.header(k, v);
    }
    let res = put.send().await.unwrap();
    assert!(res.status().is_success(), "PUT {}", res.status());
    assert_eq!(files.get_bytes(&bucket, &key).await.unwrap(), bytes);
    let down = files
        .presign_download(&bucket, &key, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    let got = client
        .get(&down.url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.to_vec(), bytes);
}

#[tokio::test]
async fn an_sms_reaches_the_emulator() {
    let sdk = sdk().await;
    let notifier = Notifier::new(sdk.sns(), None);
    let phone = Phone::parse(&unique_phone()).unwrap();
    let text = format!("رمز التحقق {:06}", ulid::Ulid::new().random() % 1_000_000);
    let id = notifier.send_sms(&phone, &text).await.unwrap();
    assert!(!id.is_empty());
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
    let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = data["sns"]["SMS"].to_string();
    assert!(sent.contains(phone.e164()), "SMS to the number recorded");
    assert!(sent.contains(&text), "SMS text recorded");
}

#[tokio::test]
async fn push_to_a_registered_device_and_publish_to_a_topic() {
    let sdk = sdk().await;
    let sns = sdk.sns();
    let app = sns
        .create_platform_application()
        .name(unique_slug("app"))
        .platform("GCM")
        .attributes("PlatformCredential", "local-test-credential")
        .send()
        .await
        .unwrap()
        .platform_application_arn
        .unwrap();
    let notifier = Notifier::new(sns.clone(), None);
    let device_token = format!("device-{}", unique_slug("t"));
    let endpoint = notifier.register_device(&app, &device_token).await.unwrap();
    assert!(endpoint.contains(":endpoint/"), "{endpoint}");
    let payload = serde_json::json!({
        "default": "Votre réclamation est en cours de traitement",
        "GCM": serde_json::json!({"notification": {"title": "Baladiya", "body": "قيد المعالجة"}}).to_string()
    });
    let id = notifier
        .send_push(&endpoint, &payload.to_string())
        .await
        .unwrap();
    assert!(!id.is_empty());
    notifier.remove_device(&endpoint).await.unwrap();

    let topics = sns.list_topics().send().await.unwrap();
    let alerts = topics
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn())
        .find(|arn| arn.ends_with(":baladiya-operatoralertstopic"))
        .expect("the template's topic exists locally")
        .to_owned();
    let id = notifier
        .publish(&alerts, "SMS budget", "Tunis used 80% of its SMS credit")
        .await
        .unwrap();
    assert!(!id.is_empty());
}

/// Ten guesses writing the state they all read: exactly one is stored, the others
/// are told they raced. This is what keeps concurrent guesses to 5 tries.
#[tokio::test]
async fn concurrent_code_state_writes_store_exactly_one() {
    use baladiya::domain::otp::{self, OtpPolicy, SendDecision};
    use baladiya::store::accounts::OtpWriteError;
    let store = store().await;
    let phone = Phone::parse(&unique_phone()).unwrap();
    let digest = format!("test-{}", ulid::Ulid::new());
    let p = OtpPolicy::default();
    let SendDecision::Send(first) =
        otp::decide_send(None, otp::code_hash(b"k", &phone, "123456"), 1000, &p)
    else {
        panic!("a first code is always sent");
    };
    store.put_otp(&digest, &first, None).await.unwrap();
    // The same first code again is refused: the number already has a state.
    assert_eq!(
        store.put_otp(&digest, &first, None).await,
        Err(OtpWriteError::Raced)
    );
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (store, digest, first) = (store.clone(), digest.clone(), first.clone());
        let wrong = otp::code_hash(b"k", &phone, "000000");
        set.spawn(async move {
            let (_, next) = otp::verify(&first, &wrong, 1001, &OtpPolicy::default());
            store.put_otp(&digest, &next, Some(&first)).await
        });
    }
    let mut stored = 0;
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(()) => stored += 1,
            Err(OtpWriteError::Raced) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(stored, 1);
    assert_eq!(
        store
            .get_otp(&digest)
            .await
            .unwrap()
            .unwrap()
            .wrong_attempts,
        1
    );
}

/// Erasing an account that filed a case: the case stays, names nobody, and leaves
/// the person's list; the entries they wrote name nobody either.
#[tokio::test]
async fn erasure_unlinks_the_cases_a_person_filed() {
    use baladiya::domain::Lang;
    use baladiya::domain::account::Account;
    use baladiya::store::accounts::ERASED_USER;
    let store = store().await;
    let phone = Phone::parse(&unique_phone()).unwrap();
    let owner = Id::generate("usr");
    let account = Account::new(owner.clone(), phone, Lang::Ar, "2026-11-28T12:00:00Z");
    let digest = format!("test-{}", ulid::Ulid::new());
    store.create_account(&digest, &account).await.unwrap();
    let m = MunicipalityId::parse(&unique_slug("erase")).unwrap();
    let filing = new_case(&m, &owner);
    let case = &filing.case;
    store.file_case(&filing, vec![], None, "").await.unwrap();
    let agent = Principal::staff(m.as_str(), [Permission::Complaints]);
    let staff = agent.user().clone();
    store
        .commit_transition(&step(&agent, case, "in_progress"), vec![])
        .await
        .unwrap();
    // GSI2 is read at erasure; the emulator's is immediate.
    assert_eq!(store.held_count(&owner).await.unwrap(), 1);

    store.erase_account(&account, &digest).await.unwrap();

    let kept = store
        .get_case::<ComplaintData>(&m, CaseKind::Complaint, &case.id)
        .await
        .unwrap()
        .expect("the case stays");
    assert_eq!(kept.owner, ERASED_USER);
    assert!(
        Id::parse("usr", ERASED_USER).is_ok(),
        "still a valid user id"
    );
    let history = store
        .case_history(&m, CaseKind::Complaint, &case.id, 10, None)
        .await
        .unwrap();
    let authors: Vec<&str> = history.items.iter().map(|e| e.author.as_str()).collect();
    assert_eq!(authors, vec![ERASED_USER, staff.as_str()]);
    assert_eq!(store.held_count(&owner).await.unwrap(), 0);
    assert!(store.get_account(&owner, true).await.unwrap().is_none());
    assert_eq!(store.account_by_phone(&digest).await.unwrap(), None);
}
