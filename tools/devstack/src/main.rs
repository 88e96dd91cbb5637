//! `devstack`: the local stack's helper, used by `scripts/dev`, `scripts/test` and
//! `scripts/bench`. It talks to the local emulator through the same AWS SDK and the
//! same store code as the functions.
//!
//! ```text
//! devstack provision            create the template's table, buckets and topics
//! devstack env                  print the functions' environment (shell `export`s)
//! devstack seed                 demo municipalities, a demo staff member, the platform admin
//! devstack token --phone P      a development access token for whoever P is
//! devstack token --citizen      a token for a fresh citizen
//! devstack bench-agency         an always-open e-ticket agency of tunis (`bench`), for scripts/bench
//! devstack signing-secret --pem F --kid K [--keep-phone-key OLD.json]
//!                               the accounts function's secret (JSON) for a new key
//! devstack jwks --pem F --kid K  the public key set (TokenPublicJwks) of a key
//! ```
//! Paths are relative to the workspace root. The emulator is `AWS_ENDPOINT_URL`.

mod demo_guide;

use baladiya::store::provision::{TableSpec, create_table};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use baladiya::domain::tenancy::Contact;
use baladiya::domain::{
    Coordinates, GeoBounds, Id, LocalizedText, Municipality, MunicipalityId, Permission, Phone,
    Principal, Service, ServiceState, StaffMember,
};
use baladiya::http::{AccessClaims, TokenSigner};
use baladiya::store::{Store, StoreError};
use serde::Deserialize;
use serde_yaml::Value;
use sha2::{Digest, Sha256};

const DEV_KID: &str = "dev-1";
const DEV_CURSOR_KEY: &str = "local-development-cursor-key-not-a-secret-0123456789";
const DEV_NATIONAL_ID_KEY: &str = "local-development-national-id-key-not-a-secret-0123";
const ISSUER: &str = "baladiya-accounts";
/// The local stack's phone-digest key (the real one lives in the signing secret).
pub const DEV_PHONE_KEY: &str = "local-development-phone-key-not-a-secret-0123456789";
/// Local names of what the template takes as parameters because it is created
/// outside the stack in production: the signing secret and the push applications.
const LOCAL_SIGNING_SECRET: &str = "baladiya-token-signing";
const LOCAL_PUSH_APPS: &[(&str, &str, &str)] = &[
    ("PushFcmApplicationArn", "GCM", "baladiya-fcm"),
    ("PushApnsApplicationArn", "APNS", "baladiya-apns"),
];
pub const DEFAULT_ADMIN_PHONE: &str = "+21620000000";
pub const DEMO_STAFF_PHONE: &str = "+21620000001";
/// The Open311 API key seeded for Tunis, so that GeoReport v2 clients (and
/// conformance checkers) can file requests against the local stack. Only the
/// local stack has it: `seed` refuses to run against anything but the emulator.
pub const DEMO_OPEN311_KEY: &str =
    "key_01JDEM0PEN311KEY0000000000.local-demo-open311-key-of-tunis-not-secret0";

fn root() -> PathBuf {
    // tools/devstack → workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn local_name(logical_id: &str) -> String {
    format!("baladiya-{}", logical_id.to_ascii_lowercase())
}

fn region() -> String {
    std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-3".into())
}

fn require_emulator() -> Result<(), String> {
    // Never provision, seed or read a real AWS account by accident.
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost") => {
            Ok(())
        }
        _ => {
            Err("AWS_ENDPOINT_URL must point at the local emulator (http://127.0.0.1:PORT)".into())
        }
    }
}

fn topic_arn(logical_id: &str) -> String {
    format!(
        "arn:aws:sns:{}:123456789012:{}",
        region(),
        local_name(logical_id)
    )
}

fn push_app_arn(platform: &str, name: &str) -> String {
    format!(
        "arn:aws:sns:{}:123456789012:app/{platform}/{name}",
        region()
    )
}

/// The secret the accounts function reads at cold start, for the development key.
fn dev_signing_secret() -> Result<String, String> {
    let pem = std::fs::read_to_string(root().join("tools/devstack/keys/dev-ed25519.pem"))
        .map_err(|e| e.to_string())?;
    Ok(serde_json::json!({
        "kid": DEV_KID,
        "private_key_pem": pem,
        "phone_key": DEV_PHONE_KEY,
    })
    .to_string())
}

fn load_template() -> Result<Value, String> {
    let path = root().join("template.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("template.yaml: {e}"))
}

fn resources(t: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    if let Some(map) = t.get("Resources").and_then(Value::as_mapping) {
        for (k, v) in map {
            let name = k.as_str().unwrap_or_default().to_owned();
            let kind = v
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            out.push((
                name,
                kind,
                v.get("Properties").cloned().unwrap_or(Value::Null),
            ));
        }
    }
    out
}

fn signer() -> Result<TokenSigner, String> {
    let pem = std::fs::read(root().join("tools/devstack/keys/dev-ed25519.pem"))
        .map_err(|e| e.to_string())?;
    TokenSigner::from_ed_pem(DEV_KID, &pem).map_err(|e| e.to_string())
}

/// The emulator accepts any credentials: default them (and the region) so that the
/// README's one-liners need only `AWS_ENDPOINT_URL`.
fn aws() -> Result<baladiya::config::Aws, String> {
    baladiya::config::Aws::from_lookup(|k| {
        std::env::var(k).ok().or_else(|| match k {
            "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some("local".into()),
            "AWS_REGION" => Some("eu-west-3".into()),
            _ => None,
        })
    })
    .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------- provision

fn strs(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default()
}

fn s_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `[(AttributeName, <field>)]` of a list of the template's key elements.
fn pairs(v: &Value, list: &str, field: &str) -> Vec<(String, String)> {
    strs(v, list)
        .iter()
        .map(|k| (s_of(k, "AttributeName"), s_of(k, field)))
        .collect()
}

/// The table `name` as the template declares it.
fn table_spec(name: String, props: &Value) -> TableSpec {
    TableSpec {
        name,
        attributes: pairs(props, "AttributeDefinitions", "AttributeType"),
        key: pairs(props, "KeySchema", "KeyType"),
        indexes: strs(props, "GlobalSecondaryIndexes")
            .iter()
            .map(|g| (s_of(g, "IndexName"), pairs(g, "KeySchema", "KeyType")))
            .collect(),
        stream: props
            .get("StreamSpecification")
            .map(|s| s_of(s, "StreamViewType")),
        ttl: props
            .get("TimeToLiveSpecification")
            .map(|t| s_of(t, "AttributeName")),
    }
}

async fn provision() -> Result<(), String> {
    let t = load_template()?;
    let aws = aws()?;
    let files = baladiya::files::Files::new(aws.s3());
    let sns = baladiya::notify::Notifier::new(aws.sns(), None);
    for (logical, kind, props) in resources(&t) {
        let name = local_name(&logical);
        match kind.as_str() {
            "AWS::DynamoDB::Table" => {
                let created = create_table(&aws, &table_spec(name.clone(), &props)).await?;
                println!(
                    "table {name} {}",
                    if created { "created" } else { "exists" }
                );
            }
            "AWS::S3::Bucket" => {
                let created = files.create_bucket(&name, &region()).await?;
                println!(
                    "bucket {name} {}",
                    if created { "created" } else { "exists" }
                );
            }
            "AWS::SNS::Topic" => {
                sns.create_topic(&name).await?;
                println!("topic {name} ready");
            }
            _ => {}
        }
    }
    // What production creates outside the stack (see the README's deploy section).
    let params = t.get("Parameters");
    if params
        .and_then(|p| p.get("TokenSigningSecretArn"))
        .is_some()
    {
        aws.put_secret(LOCAL_SIGNING_SECRET, &dev_signing_secret()?)
            .await?;
        println!("secret {LOCAL_SIGNING_SECRET} ready");
    }
    for (param, platform, name) in LOCAL_PUSH_APPS {
        if params.and_then(|p| p.get(*param)).is_none() {
            continue;
        }
        let arn = sns.create_platform_application(name, platform).await?;
        if arn != push_app_arn(platform, name) {
            return Err(format!("platform application {name}: unexpected ARN {arn}"));
        }
        println!("push application {name} ready");
    }
    Ok(())
}

// ---------------------------------------------------------------- env

fn resolve(t: &Value, v: &Value) -> Result<String, String> {
    let params = t.get("Parameters");
    let kinds: BTreeMap<String, String> =
        resources(t).into_iter().map(|(n, k, _)| (n, k)).collect();
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Tagged(tagged) if tagged.tag == "!Ref" || tagged.tag == "Ref" => {
            let target = tagged.value.as_str().unwrap_or_default();
            match (target, kinds.get(target).map(String::as_str)) {
                ("TokenPublicJwks", None) => signer()?.public_jwks().map_err(|e| e.to_string()),
                ("CursorSigningKey", None) => Ok(DEV_CURSOR_KEY.into()),
                ("NationalIdDigestKey", None) => Ok(DEV_NATIONAL_ID_KEY.into()),
                ("TokenSigningSecretArn", None) => Ok(LOCAL_SIGNING_SECRET.into()),
                // Every local client is 127.0.0.1: the tests and the fuzzer would
                // share one production-sized allowance.
                ("SignInCodesPerClientHour", None) => Ok("100000".into()),
                (p, None) if LOCAL_PUSH_APPS.iter().any(|(n, ..)| *n == p) => {
                    let (_, platform, name) = LOCAL_PUSH_APPS
                        .iter()
                        .find(|(n, ..)| *n == p)
                        .expect("just found");
                    Ok(push_app_arn(platform, name))
                }
                (_, Some("AWS::SNS::Topic")) => Ok(topic_arn(target)),
                (_, Some(_)) => Ok(local_name(target)),
                (_, None) => params
                    .and_then(|p| p.get(target))
                    .and_then(|p| p.get("Default"))
                    .map(|d| resolve(t, d))
                    .transpose()?
                    .ok_or_else(|| format!("cannot resolve !Ref {target} locally")),
            }
        }
        Value::Tagged(tagged) if tagged.tag == "!GetAtt" => {
            let target = tagged.value.as_str().unwrap_or_default();
            let logical = target.split('.').next().unwrap_or_default();
            match kinds.get(logical).map(String::as_str) {
                Some("AWS::SNS::Topic") => Ok(topic_arn(logical)),
                Some("AWS::DynamoDB::Table") => Ok(format!(
                    "arn:aws:dynamodb:{}:123456789012:table/{}",
                    region(),
                    local_name(logical)
                )),
                _ => Ok(local_name(logical)),
            }
        }
        // A `!Sub` that names a template bucket (its `BucketName`) is that bucket.
        Value::Tagged(tagged) if tagged.tag == "!Sub" => resources(t)
            .into_iter()
            .find(|(_, kind, props)| {
                kind == "AWS::S3::Bucket" && props.get("BucketName") == Some(v)
            })
            .map(|(logical, ..)| local_name(&logical))
            .ok_or_else(|| format!("cannot resolve {v:?} locally")),
        other => Err(format!("cannot resolve {other:?} locally")),
    }
}

fn env_vars() -> Result<BTreeMap<String, String>, String> {
    let t = load_template()?;
    let mut out = BTreeMap::new();
    let mut add = |vars: Option<&Value>| -> Result<(), String> {
        if let Some(map) = vars.and_then(Value::as_mapping) {
            for (k, v) in map {
                out.insert(k.as_str().unwrap_or_default().to_owned(), resolve(&t, v)?);
            }
        }
        Ok(())
    };
    add(t
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get("Environment"))
        .and_then(|e| e.get("Variables")))?;
    for (_, kind, props) in resources(&t) {
        if kind == "AWS::Serverless::Function" {
            add(props.get("Environment").and_then(|e| e.get("Variables")))?;
        }
    }
    Ok(out)
}

fn print_env() -> Result<(), String> {
    for (k, v) in env_vars()? {
        if v.contains('\'') {
            return Err(format!("{k} holds a single quote"));
        }
        println!("export {k}='{v}'");
    }
    Ok(())
}

// ---------------------------------------------------------------- seed

#[derive(Deserialize)]
struct SeedPoint {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct SeedName {
    ar: String,
    fr: String,
    en: Option<String>,
}

#[derive(Deserialize)]
struct SeedContact {
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
}

#[derive(Deserialize)]
struct SeedMunicipality {
    slug: String,
    governorate: String,
    name: SeedName,
    center: Option<SeedPoint>,
    contact: Option<SeedContact>,
}

/// The six municipalities of the demo offer most services; the others complaints
/// and news only, the rest being set up or off — as on a real platform.
const SHOWCASE: &[&str] = &["tunis", "ariana", "sfax", "sousse", "bizerte", "ghazala"];

fn demo_services(slug: &str) -> BTreeMap<Service, ServiceState> {
    use Service::*;
    use ServiceState::*;
    let mut s = BTreeMap::new();
    if SHOWCASE.contains(&slug) {
        for svc in [
            Complaints,
            Permits,
            AccessToInformation,
            ServicesGuide,
            ETicket,
            News,
            Committees,
            Polls,
            Events,
            Appointments,
            Reports,
        ] {
            s.insert(svc, Activated);
        }
        s.insert(Forum, InProgress);
    } else {
        s.insert(Complaints, Activated);
        s.insert(News, Activated);
        s.insert(AccessToInformation, InProgress);
    }
    Municipality::complete_services(s)
}

fn store() -> Result<Store, String> {
    let table = env_vars()?
        .get("BALADIYA_TABLE")
        .cloned()
        .ok_or("template sets no BALADIYA_TABLE")?;
    Ok(Store::new(aws()?.dynamodb(), table))
}

async fn seed(admin_phone: &str) -> Result<(), String> {
    let store = store()?;
    let text = std::fs::read_to_string(root().join("tools/devstack/data/municipalities.json"))
        .map_err(|e| e.to_string())?;
    let seeds: Vec<SeedMunicipality> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let now = baladiya::clock::now_rfc3339();
    let mut created = 0;
    for s in &seeds {
        let contact = s.contact.as_ref();
        let m = Municipality {
            id: MunicipalityId::parse(&s.slug).map_err(|e| format!("{}: {e}", s.slug))?,
            governorate: baladiya::domain::Governorate::by_code(&s.governorate)
                .map_err(|e| format!("{}: {e}", s.slug))?
                .code
                .to_owned(),
            name: LocalizedText {
                ar: Some(s.name.ar.clone()),
                fr: Some(s.name.fr.clone()),
                en: s.name.en.clone(),
            },
            status: ServiceState::Activated,
            services: demo_services(&s.slug),
            contact: Contact {
                phone: contact.and_then(|c| c.phone.clone()),
                email: contact.and_then(|c| c.email.clone()),
                website: contact.and_then(|c| c.website.clone()),
                address: None,
            },
            center: s
                .center
                .as_ref()
                .map(|p| Coordinates::parse(p.lat, p.lon, &GeoBounds::TUNISIA))
                .transpose()
                .map_err(|e| format!("{}: {e}", s.slug))?,
            created_at: now.clone(),
            updated_at: now.clone(),
            version: 1,
        };
        match store.create_municipality(&m, None, "").await {
            Ok(_) => created += 1,
            Err(StoreError::AlreadyExists) => {}
            Err(e) => return Err(format!("{}: {e}", s.slug)),
        }
    }
    println!(
        "municipalities: {created} created, {} already there",
        seeds.len() - created
    );

    let admin = Phone::parse(admin_phone).map_err(|e| format!("BALADIYA_ADMIN_PHONE: {e}"))?;
    store
        .put_platform_admin(&admin)
        .await
        .map_err(|e| e.to_string())?;
    println!("platform administrator: {}", admin.masked());

    // A municipal administrator for Tunis, to try staff management with.
    let demo = Phone::parse(DEMO_STAFF_PHONE).expect("valid demo number");
    let tunis = MunicipalityId::parse("tunis").expect("valid slug");
    let member = StaffMember {
        id: Id::generate("stf"),
        municipality: tunis.clone(),
        phone: demo.clone(),
        name: "Demo Admin — Tunis".into(),
        title: Some("Municipal administrator".into()),
        permissions: Permission::ALL.into_iter().collect(),
        complaint_categories: None,
        created_at: now.clone(),
        updated_at: now,
        created_by: "system".into(),
        version: 1,
    };
    match store.create_staff(&member, None, "").await {
        Ok(_) => println!("demo staff member of tunis: {}", demo.masked()),
        Err(StoreError::AlreadyExists) => {}
        Err(e) => return Err(e.to_string()),
    }
    demo_agency(&store).await?;
    demo_guide::seed(&store).await?;
    demo_open311_key(&store, &tunis).await
}

/// Tunis's demo Open311 API key ([`DEMO_OPEN311_KEY`]), stored as any key is:
/// its digest only.
async fn demo_open311_key(store: &Store, tunis: &MunicipalityId) -> Result<(), String> {
    use baladiya::domain::open311;
    use baladiya::domain::open311::ApiKeyRecord;
    let (id, secret) = open311::parse_key(DEMO_OPEN311_KEY).ok_or("malformed demo key")?;
    if store
        .get_api_key(tunis, id.as_str())
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(());
    }
    let record = ApiKeyRecord {
        id: id.to_string(),
        name: "Demo client (local stack)".into(),
        digest: open311::key_digest(secret),
        client_user: Id::generate("usr").to_string(),
        created_at: baladiya::clock::now_rfc3339(),
        created_by: "system".into(),
        revoked_at: None,
        revoked_by: None,
    };
    store
        .put_api_key(tunis, &record)
        .await
        .map_err(|e| e.to_string())?;
    println!("open311 demo key of tunis: {DEMO_OPEN311_KEY}");
    Ok(())
}

/// The agency `scripts/bench` takes tickets at: Tunis's `bench`, open every
/// hour of every day, holidays included, with one service (`counter`, 9999 a day).
async fn bench_agency() -> Result<(), String> {
    use baladiya::domain::Text;
    use baladiya::domain::eticket::{Agency, Counter, QueueService, Shift, WeeklyHours};
    let tunis = MunicipalityId::parse("tunis").expect("valid slug");
    let day = vec![Shift {
        open: "00:00".into(),
        close: "23:59".into(),
    }];
    let name = Text {
        ar: "شباك القياس".into(),
        fr: "Guichet de mesure".into(),
        en: "Benchmark counter".into(),
    };
    let agency = Agency {
        code: "bench".into(),
        name: name.clone(),
        address: None,
        location: None,
        hours: WeeklyHours {
            mon: day.clone(),
            tue: day.clone(),
            wed: day.clone(),
            thu: day.clone(),
            fri: day.clone(),
            sat: day.clone(),
            sun: day,
        },
        closures: vec![],
        open_on_public_holidays: true,
        services: vec![QueueService {
            code: "counter".into(),
            name,
            prefix: "Z".into(),
            daily_max: 9999,
            active: true,
        }],
        counters: vec![Counter {
            code: "z1".into(),
            label: "1".into(),
            services: vec!["counter".into()],
        }],
        updated_at: baladiya::clock::now_rfc3339(),
    };
    store()?
        .put_agency(&tunis, &agency)
        .await
        .map_err(|e| e.to_string())?;
    println!("e-ticket agency of tunis: bench");
    Ok(())
}

/// An e-ticket agency for Tunis (civil status and tax collection), open on
/// weekdays in two shifts and on Saturday mornings.
async fn demo_agency(store: &baladiya::store::Store) -> Result<(), String> {
    use baladiya::domain::Text;
    use baladiya::domain::eticket::{Agency, Counter, QueueService, Shift, WeeklyHours};
    let tunis = MunicipalityId::parse("tunis").expect("valid slug");
    if store
        .get_agency(&tunis, "bab-bhar")
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(());
    }
    let shift = |open: &str, close: &str| Shift {
        open: open.into(),
        close: close.into(),
    };
    let weekday = vec![shift("08:00", "12:30"), shift("14:00", "17:30")];
    let names = |ar: &str, fr: &str| Text {
        ar: ar.into(),
        fr: fr.into(),
        en: String::new(),
    };
    let agency = Agency {
        code: "bab-bhar".into(),
        name: names("دائرة باب بحر", "Arrondissement de Bab Bhar"),
        address: Some("Avenue de France, Tunis".into()),
        location: Coordinates::parse(36.7992, 10.1802, &GeoBounds::TUNISIA).ok(),
        hours: WeeklyHours {
            mon: weekday.clone(),
            tue: weekday.clone(),
            wed: weekday.clone(),
            thu: weekday.clone(),
            fri: weekday,
            sat: vec![shift("08:00", "13:00")],
            sun: vec![],
        },
        closures: vec![],
        open_on_public_holidays: false,
        services: vec![
            QueueService {
                code: "civil-status".into(),
                name: names("الحالة المدنية", "État civil"),
                prefix: "A".into(),
                daily_max: 300,
                active: true,
            },
            QueueService {
                code: "tax".into(),
                name: names("الاستخلاص", "Recette municipale"),
                prefix: "B".into(),
                daily_max: 150,
                active: true,
            },
        ],
        counters: vec![
            Counter {
                code: "g1".into(),
                label: "1".into(),
                services: vec!["civil-status".into()],
            },
            Counter {
                code: "g2".into(),
                label: "2".into(),
                services: vec!["civil-status".into(), "tax".into()],
            },
        ],
        updated_at: baladiya::clock::now_rfc3339(),
    };
    store
        .put_agency(&tunis, &agency)
        .await
        .map_err(|e| e.to_string())?;
    println!("e-ticket agency of tunis: bab-bhar");
    Ok(())
}

// ---------------------------------------------------------------- token

/// A stable development user id for a phone number (the accounts function will
/// assign real ones).
fn dev_user_id(phone: &Phone) -> Id {
    let digest = Sha256::digest(phone.e164().as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Keep the ULID's 48-bit time part small but valid.
    bytes[0] = 0x01;
    let ulid = ulid::Ulid::from_bytes(bytes);
    Id::parse("usr", &format!("usr_{ulid}")).expect("valid ulid")
}

async fn token(args: &[String]) -> Result<(), String> {
    let ttl: u64 = flag(args, "--ttl")
        .map(|t| t.parse().map_err(|_| "--ttl: seconds"))
        .transpose()?
        .unwrap_or(3600);
    let principal = if args.iter().any(|a| a == "--citizen") {
        Principal::Citizen {
            user: Id::generate("usr"),
        }
    } else {
        let raw = flag(args, "--phone").ok_or("--phone or --citizen")?;
        let phone = Phone::parse(&raw).map_err(|e| e.to_string())?;
        let store = store()?;
        let roles = store
            .roles_by_phone(&phone)
            .await
            .map_err(|e| e.to_string())?;
        let digest = baladiya::domain::account::phone_digest(DEV_PHONE_KEY.as_bytes(), &phone);
        let user = match store.account_by_phone(&digest).await {
            Ok(Some(user)) => user,
            _ => dev_user_id(&phone),
        };
        if roles.platform_admin {
            Principal::PlatformAdmin { user }
        } else if let Some(s) = roles.staff.into_iter().next() {
            Principal::Staff {
                user,
                staff_id: s.id,
                municipality: s.municipality,
                permissions: s.permissions,
                complaint_categories: s
                    .complaint_categories
                    .map(|c| c.into_iter().collect::<BTreeSet<_>>()),
            }
        } else {
            Principal::Citizen { user }
        }
    };
    let claims = AccessClaims::for_principal(&principal, ISSUER, ttl);
    println!("{}", signer()?.sign(&claims).map_err(|e| e.to_string())?);
    Ok(())
}

// ---------------------------------------------------------------- production keys

fn signer_from(args: &[String]) -> Result<TokenSigner, String> {
    let pem_path = flag(args, "--pem").ok_or("--pem FILE (Ed25519, PKCS#8 PEM)")?;
    let kid = flag(args, "--kid").ok_or("--kid KEY_ID")?;
    let pem = std::fs::read(&pem_path).map_err(|e| format!("{pem_path}: {e}"))?;
    TokenSigner::from_ed_pem(&kid, &pem).map_err(|e| e.to_string())
}

/// The accounts function's secret for a new signing key. The phone-digest key is
/// new for a new platform, and must be carried over (`--keep-phone-key`) when
/// rotating the signing key: every account is found by it.
fn signing_secret(args: &[String]) -> Result<(), String> {
    signer_from(args)?;
    let pem_path = flag(args, "--pem").expect("checked");
    let pem = std::fs::read_to_string(&pem_path).map_err(|e| e.to_string())?;
    let phone_key = match flag(args, "--keep-phone-key") {
        Some(old) => {
            let text = std::fs::read_to_string(&old).map_err(|e| format!("{old}: {e}"))?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            v["phone_key"]
                .as_str()
                .ok_or(format!("{old}: no phone_key"))?
                .to_owned()
        }
        None => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
    };
    println!(
        "{}",
        serde_json::json!({
            "kid": flag(args, "--kid").expect("checked"),
            "private_key_pem": pem,
            "phone_key": phone_key,
        })
    );
    Ok(())
}

fn jwks(args: &[String]) -> Result<(), String> {
    println!(
        "{}",
        signer_from(args)?
            .public_jwks()
            .map_err(|e| e.to_string())?
    );
    Ok(())
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let needs_emulator = matches!(
        args.first().map(String::as_str),
        Some("provision" | "seed" | "token" | "bench-agency")
    ) && !args.iter().any(|a| a == "--citizen");
    if needs_emulator && let Err(e) = require_emulator() {
        eprintln!("devstack: {e}");
        return ExitCode::FAILURE;
    }
    let result = match args.first().map(String::as_str) {
        Some("provision") => provision().await,
        Some("env") => print_env(),
        Some("seed") => {
            let phone = std::env::var("BALADIYA_ADMIN_PHONE")
                .unwrap_or_else(|_| DEFAULT_ADMIN_PHONE.into());
            seed(&phone).await
        }
        Some("token") => token(&args[1..]).await,
        Some("bench-agency") => bench_agency().await,
        Some("signing-secret") => signing_secret(&args[1..]),
        Some("jwks") => jwks(&args[1..]),
        _ => Err(
            "usage: devstack provision | env | seed | token (--phone P | --citizen) [--ttl S] | bench-agency \
             | signing-secret --pem F --kid K [--keep-phone-key OLD.json] | jwks --pem F --kid K"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("devstack: {e}");
            ExitCode::FAILURE
        }
    }
}
