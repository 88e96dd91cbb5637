//! GeoReport v2 handlers. Each reads its parameters leniently where the
//! specification does (unknown parameters are ignored, lists are comma-delimited
//! or repeated), checks them strictly, and answers in the format of the path.

use std::collections::HashSet;

use baladiya::domain::case::CaseRecord;
use baladiya::domain::case::decide::{self, Filer};
use baladiya::domain::complaint::Complaint;
use baladiya::domain::complaint::{self, ComplaintData, OfferedCategory};
use baladiya::domain::geo::Coordinates;
use baladiya::domain::open311::ApiKeyRecord;
use baladiya::domain::open311::{self, Format, Invalid, Origin};
use baladiya::domain::tenancy::Contact;
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{Id, Lang, Municipality, MunicipalityId, Service, ServiceState};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::StoreError;
use baladiya::store::idempotency::{Created, Idempotency};
use baladiya::store::keys;
use http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::doc::{Node, respond};
use crate::{Ctx, Op};

mod create;
mod params;
mod render;
#[cfg(test)]
mod tests;

use create::*;
use params::*;
use render::*;

/// Largest form body accepted (a 4000-character description in Arabic, encoded).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A failed GeoReport call: the specification's `<errors><error>` document.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: StatusCode,
    pub description: String,
}

impl Failure {
    fn new(status: StatusCode, description: impl Into<String>) -> Failure {
        Failure {
            status,
            description: description.into(),
        }
    }
    fn bad(description: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, description)
    }
    fn not_found(description: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, description)
    }
    fn jurisdiction() -> Failure {
        Failure::not_found("jurisdiction_id provided was not found")
    }

    /// A path or method this server does not serve.
    pub fn from_route(e: ApiError) -> Failure {
        match e.status {
            // 404 for what does not exist, 400 for anything else (the specification).
            StatusCode::METHOD_NOT_ALLOWED => Failure::bad(format!(
                "method not allowed here; use {}",
                e.allow.unwrap_or_default()
            )),
            _ => Failure::not_found("no such resource; resources end in .xml or .json"),
        }
    }

    pub fn respond(self, format: Format) -> Response<Body> {
        let node = Node::List(
            "error",
            vec![Node::Object(vec![
                ("code", Node::Integer(i64::from(self.status.as_u16()))),
                ("description", Node::text(self.description)),
            ])],
        );
        respond(self.status, format, "errors", &node, "no-store")
    }
}

impl From<Invalid> for Failure {
    fn from(e: Invalid) -> Self {
        Failure::bad(e.0)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        // The specification's "400 - General service error": it knows no 5xx.
        tracing::warn!(error = %e, "open311 store failure");
        Failure::bad("general service error: the request could not be processed; try again later")
    }
}

/// The format a path asks for (XML, the required one, when it names none).
pub fn format_of_path(path: &str) -> Format {
    path.rsplit('/')
        .next()
        .and_then(open311::split_format)
        .map_or(Format::Xml, |(_, f)| f)
}

pub async fn serve(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: Option<MunicipalityId>,
    op: Op,
    matched: &baladiya::http::router::RouteMatch<Op>,
) -> Response<Body> {
    let req = view.request();
    let (format, result) = match op {
        Op::Discovery(f) => (f, discovery(ctx, view, req, m).await),
        Op::Services(f) => (f, services(ctx, view, req, m).await),
        Op::Requests(f) => (f, requests(ctx, view, req, m).await),
        Op::Create(f) => (f, create(ctx, view, req, m).await),
        Op::Updates(f) => (f, updates(ctx, view, req, m).await),
        Op::ServiceDefinition | Op::Request | Op::Token => {
            let raw = matched.params.last().map_or("", |(_, v)| v.as_str());
            match suffixed(raw) {
                Err(e) => (format_of_path(view.path()), Err(e)),
                Ok((id, f)) => (
                    f,
                    match op {
                        Op::ServiceDefinition => definition(ctx, view, req, m, id).await,
                        Op::Request => request(ctx, view, req, m, id).await,
                        _ => token(ctx, req, m, id).await,
                    },
                ),
            }
        }
        Op::Keys | Op::IssueKey | Op::RevokeKey => {
            (Format::Json, Err(Failure::not_found("no such resource")))
        }
    };
    match result {
        Ok(answer) => answer.respond(format),
        Err(e) => e.respond(format),
    }
}

/// A successful answer before it takes a format.
struct Answer {
    status: StatusCode,
    root: &'static str,
    node: Node,
    cache: &'static str,
}

impl Answer {
    fn ok(root: &'static str, node: Node) -> Answer {
        Answer {
            status: StatusCode::OK,
            root,
            node,
            cache: "no-cache",
        }
    }

    fn respond(self, format: Format) -> Response<Body> {
        respond(self.status, format, self.root, &self.node, self.cache)
    }
}

/// The municipality whose server this is: it must exist, be active, and have
/// its complaints service activated. A `jurisdiction_id`, if given, must name it.
async fn jurisdiction(
    ctx: &Ctx,
    m: Option<MunicipalityId>,
    params: &Params,
) -> Result<(MunicipalityId, Municipality), Failure> {
    let m = m.ok_or_else(Failure::jurisdiction)?;
    let muni = ctx
        .store
        .get_municipality(&m, false)
        .await?
        .ok_or_else(Failure::jurisdiction)?;
    if muni.status != ServiceState::Activated
        || muni.require_service(Service::Complaints, None).is_err()
    {
        return Err(Failure::jurisdiction());
    }
    if let Some(j) = params.get("jurisdiction_id")
        && !names_jurisdiction(&muni, j)
    {
        return Err(Failure::jurisdiction());
    }
    Ok((m, muni))
}

/// A `jurisdiction_id` naming this municipality: its id, or its website's host
/// (with or without `www.`), as the specification suggests.
fn names_jurisdiction(muni: &Municipality, raw: &str) -> bool {
    let j = raw.trim().to_ascii_lowercase();
    let j = j.strip_prefix("www.").unwrap_or(&j);
    if j == muni.id.as_str() {
        return true;
    }
    muni.contact.website.as_deref().is_some_and(|w| {
        let host = w
            .split("://")
            .nth(1)
            .unwrap_or(w)
            .split(['/', ':', '?'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        host.strip_prefix("www.").unwrap_or(&host) == j
    })
}

async fn offered(ctx: &Ctx, m: &MunicipalityId) -> Result<Vec<OfferedCategory>, Failure> {
    Ok(complaint::offered(
        &ctx.store.own_complaint_categories(m).await?,
    ))
}

/// The scheme of a request no proxy described: API Gateway always sets
/// `X-Forwarded-Proto`, so only a local server (the dev stack, on loopback,
/// plain HTTP) gets here; anything else is taken to be HTTPS.
fn scheme_without_proxy(host: &str) -> &'static str {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback { "http" } else { "https" }
}

/// `discovery.{fmt}`: where this server is and what it speaks.
async fn discovery(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
) -> Result<Answer, Failure> {
    let (m, muni) = jurisdiction(ctx, m, &Params::of_query(req)?).await?;
    // A server on loopback without a proxy is the local stack: a test endpoint.
    let (url, kind) = match &ctx.public_url {
        Some(base) => (format!("{base}/open311/v2/{m}"), "production"),
        None => {
            let host = view.header("host").unwrap_or("localhost");
            let (proto, kind) = match view.header("x-forwarded-proto") {
                Some(proto) => (proto, "production"),
                None => match scheme_without_proxy(host) {
                    "http" => ("http", "test"),
                    other => (other, "production"),
                },
            };
            (format!("{proto}://{host}/open311/v2/{m}"), kind)
        }
    };
    let name = muni.name.best(view.lang).to_owned();
    let contact = contact_line(&name, &muni.contact);
    let endpoint = Node::Object(vec![
        ("specification", Node::text(open311::SPECIFICATION)),
        ("url", Node::text(url)),
        ("changeset", Node::text(&muni.updated_at)),
        ("type", Node::text(kind)),
        (
            "formats",
            Node::List(
                "format",
                vec![Node::text("text/xml"), Node::text("application/json")],
            ),
        ),
    ]);
    let mut answer = Answer::ok(
        "discovery",
        Node::Object(vec![
            ("changeset", Node::text(&muni.updated_at)),
            ("contact", Node::text(contact)),
            (
                "key_service",
                Node::text(format!(
                    "API keys for posting requests are issued by the staff of {name} on Baladiya \
                     (POST /v1/municipalities/{m}/open311-keys)."
                )),
            ),
            ("endpoints", Node::List("endpoint", vec![endpoint])),
        ]),
    );
    answer.cache = "public, max-age=300";
    Ok(answer)
}

/// `services.{fmt}`: the municipality's active complaint categories.
async fn services(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
) -> Result<Answer, Failure> {
    let (m, _) = jurisdiction(ctx, m, &Params::of_query(req)?).await?;
    let has_areas = !ctx.store.areas(&m).await?.is_empty();
    let items = offered(ctx, &m)
        .await?
        .iter()
        .filter(|c| c.active)
        .map(|c| service_node(c, view.lang, has_areas))
        .collect();
    let mut answer = Answer::ok("services", Node::List("service", items));
    answer.cache = "public, max-age=60";
    Ok(answer)
}

/// `services/{service_code}.{fmt}`: the attributes a request of this service
/// may carry: its sub-categories and the municipality's areas.
async fn definition(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
    code: &str,
) -> Result<Answer, Failure> {
    let (m, _) = jurisdiction(ctx, m, &Params::of_query(req)?).await?;
    let category = offered(ctx, &m)
        .await?
        .into_iter()
        .find(|c| c.active && c.code == code)
        .ok_or_else(|| Failure::not_found("service_code provided was not found"))?;
    let areas = ctx.store.areas(&m).await?;
    let lang = view.lang;
    let mut attributes = Vec::new();
    let value = |key: &str, name: &str| {
        Node::Object(vec![("key", Node::text(key)), ("name", Node::text(name))])
    };
    if !category.subcategories.is_empty() {
        attributes.push(attribute_node(
            "subcategory",
            attributes.len() + 1,
            label(lang, "التصنيف الفرعي", "Sous-catégorie", "Sub-category"),
            category
                .subcategories
                .iter()
                .map(|s| value(&s.code, s.name.get(lang)))
                .collect(),
        ));
    }
    if !areas.is_empty() {
        attributes.push(attribute_node(
            "area",
            attributes.len() + 1,
            label(lang, "المنطقة", "Secteur / quartier", "Area"),
            areas
                .iter()
                .map(|a| value(&a.code, a.name.get(lang)))
                .collect(),
        ));
    }
    let mut answer = Answer::ok(
        "service_definition",
        Node::Object(vec![
            ("service_code", Node::text(&category.code)),
            ("attributes", Node::List("attribute", attributes)),
        ]),
    );
    answer.cache = "public, max-age=60";
    Ok(answer)
}

fn data_of(case: &CaseRecord) -> Result<ComplaintData, Failure> {
    serde_json::from_value(case.data.clone())
        .map_err(|_| StoreError::Corrupt("complaint".into()).into())
}

/// Listed for everyone: public and not hidden by staff.
fn listed(case: &CaseRecord) -> Option<ComplaintData> {
    data_of(case).ok().filter(|d| d.listed(case.hidden))
}

/// `requests.{fmt}` (GET): public requests, by ids, or filed in a window (the
/// last 90 days by default), of some services, open or closed; newest first,
/// 1000 at most.
async fn requests(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
) -> Result<Answer, Failure> {
    let params = Params::of_query(req)?;
    let (m, muni) = jurisdiction(ctx, m, &params).await?;
    let ids = params.list("service_request_id");
    let found: Vec<(CaseRecord, ComplaintData)> = if !ids.is_empty() {
        // Other parameters are ignored when ids are given (the specification).
        if ids.len() > open311::MAX_IDS {
            return Err(Failure::bad(format!(
                "service_request_id may list {} ids at most",
                open311::MAX_IDS
            )));
        }
        let valid: Vec<String> = ids
            .iter()
            .filter(|id| Id::parse("cmp", id).is_ok())
            .cloned()
            .collect();
        let cases = ctx
            .store
            .get_cases::<serde_json::Value>(&m, CaseKind::Complaint, &valid)
            .await?;
        let mut seen = HashSet::new();
        valid
            .iter()
            .filter(|id| seen.insert(*id))
            .filter_map(|id| cases.iter().find(|c| &c.id == id))
            .filter_map(|c| listed(c).map(|d| (c.clone(), d)))
            .collect()
    } else {
        let (from, to) =
            open311::window(params.get("start_date"), params.get("end_date"), view.now)?;
        let codes: HashSet<String> = params.list("service_code").into_iter().collect();
        let status = match params.get("status") {
            Some(_) => open311::parse_status_filter(&params.list("status").join(","))?,
            None => None,
        };
        let keep = |c: &CaseRecord| {
            status.is_none_or(|s| open311::status(&c.state) == s)
                && (codes.is_empty() || data_of(c).is_ok_and(|d| codes.contains(&d.category)))
        };
        ctx.store
            .complaints_filed_between(
                &m,
                &open311::utc(from),
                &open311::utc(to),
                open311::MAX_RESULTS,
                keep,
            )
            .await?
            .into_iter()
            .filter_map(|c| listed(&c).map(|d| (c, d)))
            .collect()
    };
    let categories = offered(ctx, &m).await?;
    let names = Names {
        categories: &categories,
        agency: muni.name.best(view.lang),
        lang: view.lang,
    };
    let items = found
        .iter()
        .map(|(c, d)| request_node(c, d, &names))
        .collect();
    Ok(Answer::ok("service_requests", Node::List("request", items)))
}

/// A public request of `m` by id.
async fn public_request(
    ctx: &Ctx,
    m: &MunicipalityId,
    raw: &str,
    missing: &'static str,
) -> Result<(CaseRecord, ComplaintData), Failure> {
    let id = Id::parse("cmp", raw).map_err(|_| Failure::not_found(missing))?;
    let case = ctx
        .store
        .get_case::<serde_json::Value>(m, CaseKind::Complaint, id.as_str())
        .await?
        .ok_or_else(|| Failure::not_found(missing))?;
    let data = listed(&case).ok_or_else(|| Failure::not_found(missing))?;
    Ok((case, data))
}

/// `requests/{service_request_id}.{fmt}`: one request, as a list of one.
async fn request(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
    id: &str,
) -> Result<Answer, Failure> {
    let (m, muni) = jurisdiction(ctx, m, &Params::of_query(req)?).await?;
    let (case, data) = public_request(ctx, &m, id, "service_request_id was not found").await?;
    let categories = offered(ctx, &m).await?;
    let names = Names {
        categories: &categories,
        agency: muni.name.best(view.lang),
        lang: view.lang,
    };
    Ok(Answer::ok(
        "service_requests",
        Node::List("request", vec![request_node(&case, &data, &names)]),
    ))
}

/// `tokens/{token_id}.{fmt}`: requests are created at once, so the POST answer
/// carries the `service_request_id` and no token; a token is the request's id,
/// so this resolves to the request itself.
async fn token(
    ctx: &Ctx,
    req: &Request,
    m: Option<MunicipalityId>,
    id: &str,
) -> Result<Answer, Failure> {
    let (m, _) = jurisdiction(ctx, m, &Params::of_query(req)?).await?;
    let (case, _) = public_request(ctx, &m, id, "token_id was not found").await?;
    Ok(Answer::ok(
        "service_requests",
        Node::List(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text(&case.id)),
                ("token", Node::text(&case.id)),
            ])],
        ),
    ))
}

/// `servicerequestupdates.{fmt}` (mySociety): the state changes of public
/// requests made in a window of any width (the last 90 days by default), oldest
/// first, 1000 at most.
async fn updates(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
) -> Result<Answer, Failure> {
    let params = Params::of_query(req)?;
    let (m, _) = jurisdiction(ctx, m, &params).await?;
    // No key is needed to read (FixMyStreet sends one, maybe empty): ignored.
    let (from, to) =
        open311::updates_window(params.get("start_date"), params.get("end_date"), view.now)?;
    // Without dates, the newest changes of the last 90 days (not the oldest).
    let newest = params.get("start_date").is_none() && params.get("end_date").is_none();
    let found = ctx
        .store
        .complaint_updates_between(
            &m,
            &open311::utc(from),
            &open311::utc(to),
            open311::MAX_RESULTS,
            newest,
        )
        .await?;
    let ids: Vec<String> = found.iter().map(|u| u.case.clone()).collect();
    let cases = ctx.store.get_cases(&m, CaseKind::Complaint, &ids).await?;
    let shown: HashSet<&str> = cases
        .iter()
        .filter(|c| listed(c).is_some())
        .map(|c| c.id.as_str())
        .collect();
    let items = found
        .iter()
        .filter(|u| shown.contains(u.case.as_str()))
        .map(|u| {
            Node::Object(vec![
                (
                    "update_id",
                    Node::text(format!("{}-{}", u.case, u.entry.seq)),
                ),
                ("service_request_id", Node::text(&u.case)),
                ("status", Node::text(open311::update_status(&u.entry.state))),
                ("updated_datetime", Node::text(&u.entry.at)),
                (
                    "description",
                    Node::opt(u.entry.note.clone().filter(|n| !n.trim().is_empty())),
                ),
                ("media_url", Node::Null),
                ("external_status_code", Node::text(&u.entry.state)),
            ])
        })
        .collect();
    Ok(Answer::ok(
        "service_request_updates",
        Node::List("request_update", items),
    ))
}
