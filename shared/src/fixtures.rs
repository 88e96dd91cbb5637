//! Test support (feature `fixtures`, for the functions' handler tests only): the
//! API Gateway events of `events/<function>/`, each named `<case>.<status>.json`
//! after the status the function must answer.

use std::future::Future;
use std::path::Path;

use lambda_http::{Body, Request, Response};

use crate::config::{Aws, Config};

/// The local stack's configuration and AWS settings, as `scripts/test` sets them.
pub fn stack() -> (Config, Aws) {
    let config =
        Config::from_env().expect("run with scripts/test: the stack's environment is missing");
    let aws = Aws::from_env().expect("AWS settings");
    (config, aws)
}

/// A function's context on the local stack: `new(config, aws)`.
pub fn context<C, E: std::fmt::Debug>(new: impl FnOnce(&Config, &Aws) -> Result<C, E>) -> C {
    let (config, aws) = stack();
    new(&config, &aws).expect("the function's context builds on the local stack")
}

/// A check for [`serve_fixtures`]: every answer is JSON (problem+json included).
pub fn json_answer(name: &str, _path: &str, res: &Response<Body>) {
    let ct = res.headers()["content-type"].to_str().unwrap_or_default();
    assert!(ct.starts_with("application/"), "{name}: {ct}");
}

/// A check for [`serve_fixtures`]: every answer is a problem+json refusal.
pub fn problem_answer(name: &str, _path: &str, res: &Response<Body>) {
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "{name}"
    );
}

/// One event of `events/<function>/`, by file name.
pub fn fixture(function: &str, name: &str) -> Request {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(function)
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Serve every fixture of `events/<function>/` that names a status (at least
/// `at_least` of them) with `serve`, and check that each gets its status;
/// `check(name, path, answer)` asserts whatever else each answer must be.
pub async fn serve_fixtures<F, Fut>(
    function: &str,
    at_least: usize,
    serve: F,
    check: impl Fn(&str, &str, &Response<Body>),
) where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let all = fixtures(function);
    assert!(all.len() >= at_least, "fixtures found: {}", all.len());
    for Fixture {
        name,
        expected,
        request,
    } in all
    {
        let path = request.uri().path().to_owned();
        let res = serve(request).await;
        assert_eq!(
            res.status().as_u16(),
            expected,
            "{name}: {}",
            body_text(&res)
        );
        check(&name, &path, &res);
    }
}

/// One event fixture: its file name, the status it expects, the request.
pub struct Fixture {
    pub name: String,
    pub expected: u16,
    pub request: Request,
}

/// The fixtures of `events/<function>/` that name a status, by file name.
/// Panics (this is test code) on an unreadable directory or a malformed event.
pub fn fixtures(function: &str) -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(function);
    let mut out: Vec<Fixture> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name()?.to_str()?.to_owned();
            let expected = name
                .strip_suffix(".json")
                .and_then(|n| n.rsplit('.').next())
                .and_then(|s| s.parse::<u16>().ok())?;
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let request =
                lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            Some(Fixture {
                name,
                expected,
                request,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A response's text body ("" for a binary or empty one), for assertion messages.
pub fn body_text(r: &Response<Body>) -> String {
    match r.body() {
        Body::Text(t) => t.clone(),
        _ => String::new(),
    }
}

/// A response's JSON body (`Null` for a binary, empty or non-JSON one).
pub fn body_json(r: &Response<Body>) -> serde_json::Value {
    match r.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap_or_default(),
        _ => serde_json::Value::Null,
    }
}

/// An access token for `who`, signed with the local stack's development key
/// (the key `scripts/test` gives the functions to trust).
pub fn token_for(who: &crate::domain::Principal) -> String {
    let pem = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/devstack/keys/dev-ed25519.pem"),
    )
    .expect("dev key");
    crate::http::TokenSigner::from_ed_pem("dev-1", &pem)
        .expect("valid dev key")
        .sign(&crate::http::AccessClaims::for_principal(
            who,
            "baladiya-accounts",
            900,
        ))
        .expect("signs")
}

/// An API Gateway request `method path` with a bearer `token` and a JSON
/// `body`, as a handler receives it.
pub fn request(method: &str, path: &str, token: &str, body: &str) -> Request {
    http::Request::builder()
        .method(method)
        .uri(format!("https://localhost{path}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::Text(body.to_owned()))
        .expect("a request")
}

/// A citizen's token, for a new person.
pub fn citizen_token() -> String {
    token_for(&crate::domain::Principal::Citizen {
        user: crate::domain::Id::generate("usr"),
    })
}

/// A token of a new staff member of `m` holding `perms`.
pub fn staff_token(
    m: &crate::domain::MunicipalityId,
    perms: &[crate::domain::Permission],
) -> String {
    token_for(&crate::domain::Principal::Staff {
        user: crate::domain::Id::generate("usr"),
        staff_id: crate::domain::Id::generate("stf"),
        municipality: m.clone(),
        permissions: perms.iter().copied().collect(),
        complaint_categories: None,
    })
}

/// A new municipality on the local stack (slug `<prefix>-<random>`), with
/// `service` activated.
pub async fn municipality(
    store: &crate::store::Store,
    prefix: &str,
    service: crate::domain::Service,
) -> crate::domain::MunicipalityId {
    use crate::domain::{LocalizedText, Municipality, MunicipalityId, ServiceState};
    let slug = format!(
        "{prefix}-{}",
        &ulid::Ulid::new().to_string().to_lowercase()[18..]
    );
    let m = MunicipalityId::parse(&slug).expect("slug");
    let now = crate::clock::now_rfc3339();
    let muni = Municipality {
        id: m.clone(),
        governorate: "TN-11".into(),
        name: LocalizedText {
            ar: Some("بلدية".into()),
            fr: Some("Commune".into()),
            en: None,
        },
        status: ServiceState::Activated,
        services: Municipality::complete_services([(service, ServiceState::Activated)].into()),
        contact: Default::default(),
        center: None,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    store
        .create_municipality(&muni, None, "")
        .await
        .expect("created");
    m
}
