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

/// A call's parameters: the query string, and for a POST the form body too
/// (first: its values win over the query string's).
struct Params {
    pairs: Vec<(String, String)>,
    /// How many of `pairs`, from the start, came from the body.
    body: usize,
}

impl Params {
    /// The query string, decoded from the request's raw URI as strictly as a form
    /// body: text that is not UTF-8 is refused, not replaced.
    fn of_query(req: &Request) -> Result<Params, Failure> {
        let raw = req.uri().query().unwrap_or_default();
        Ok(Params {
            pairs: parse_form(raw.as_bytes())?,
            body: 0,
        })
    }

    fn with_form(mut self, view: &RequestView<'_>, req: &Request) -> Result<Params, Failure> {
        let mime = view
            .header("content-type")
            .unwrap_or("application/x-www-form-urlencoded")
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if mime != "application/x-www-form-urlencoded" {
            return Err(Failure::bad(
                "send the request as application/x-www-form-urlencoded",
            ));
        }
        let bytes: &[u8] = match req.body() {
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => b"",
        };
        if bytes.len() > MAX_FORM_BYTES {
            return Err(Failure::bad("the request body is too large"));
        }
        let mut form = parse_form(bytes)?;
        let body = form.len();
        form.append(&mut self.pairs);
        Ok(Params { pairs: form, body })
    }

    /// The first non-empty value of `name`.
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The value of a single-value list attribute (`attribute[code]`, or
    /// `attribute[code][]`): the body's wins over the query string's; two
    /// different values from the same one are refused (the same one repeated is
    /// harmless).
    fn single_value(&self, code: &str) -> Result<Option<&str>, Failure> {
        let mut chosen: Option<(&str, bool)> = None;
        for (i, (field, value)) in self.pairs.iter().enumerate() {
            let value = value.trim();
            if value.is_empty() || open311::attribute_code(field) != Some(code) {
                continue;
            }
            let from_body = i < self.body;
            match chosen {
                None => chosen = Some((value, from_body)),
                Some((v, _)) if v == value => {}
                // The body's value stands; the query string's is not looked at.
                Some((_, true)) if !from_body => {}
                Some(_) => {
                    return Err(Failure::bad(format!("attribute[{code}] takes one value")));
                }
            }
        }
        Ok(chosen.map(|(v, _)| v))
    }

    /// Every value of `name`, each comma-delimited list split.
    fn list(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| open311::list(v))
            .collect()
    }
}

/// An `application/x-www-form-urlencoded` body: `name=value` pairs joined by `&`,
/// `+` for a space, percent-escapes for bytes. The text must be UTF-8 (the
/// specification's encoding): a byte sequence that is not is refused, never
/// replaced by U+FFFD and stored.
fn parse_form(bytes: &[u8]) -> Result<Vec<(String, String)>, Failure> {
    let decode = |raw: &[u8]| {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        String::from_utf8(decoded)
    };
    bytes
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            match (decode(name), decode(value)) {
                (Ok(n), Ok(v)) => Ok((n, v)),
                (Ok(n), Err(_)) if n.len() <= 64 && n.bytes().all(|b| b.is_ascii_graphic()) => {
                    Err(Failure::bad(format!("{n} is not valid UTF-8 text")))
                }
                _ => Err(Failure::bad("the request is not valid UTF-8 text")),
            }
        })
        .collect()
}

/// `{name}.{xml|json}` of a path parameter.
fn suffixed(raw: &str) -> Result<(&str, Format), Failure> {
    open311::split_format(raw)
        .ok_or_else(|| Failure::not_found("no such resource; resources end in .xml or .json"))
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
        Op::Updates(f) => (f, updates(ctx, req, m).await),
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

fn contact_line(name: &str, c: &Contact) -> String {
    let mut parts = vec![name.to_owned()];
    parts.extend(c.email.iter().cloned());
    parts.extend(c.phone.iter().cloned());
    parts.extend(c.website.iter().cloned());
    parts.join(" — ")
}

/// What an attribute is called in `lang`.
fn label(lang: Lang, ar: &str, fr: &str, en: &str) -> String {
    match lang {
        Lang::Ar => ar,
        Lang::Fr => fr,
        Lang::En => en,
    }
    .to_owned()
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

fn service_node(c: &OfferedCategory, lang: Lang, has_areas: bool) -> Node {
    // The description gives the name in the other languages.
    let mut names = vec![c.name.ar.clone(), c.name.fr.clone()];
    names.extend(c.name.en.clone());
    names.dedup();
    let keywords: Vec<&str> = c.subcategories.iter().map(|s| s.name.get(lang)).collect();
    Node::Object(vec![
        ("service_code", Node::text(&c.code)),
        ("service_name", Node::text(c.name.get(lang))),
        ("description", Node::text(names.join(" / "))),
        (
            "metadata",
            Node::Bool(!c.subcategories.is_empty() || has_areas),
        ),
        ("type", Node::text("realtime")),
        (
            "keywords",
            Node::opt((!keywords.is_empty()).then(|| keywords.join(", "))),
        ),
        (
            "group",
            Node::text(label(lang, "شكاوى", "Réclamations", "Complaints")),
        ),
    ])
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

fn attribute_node(code: &str, order: usize, description: String, values: Vec<Node>) -> Node {
    Node::Object(vec![
        ("variable", Node::Bool(true)),
        ("code", Node::text(code)),
        ("datatype", Node::text("singlevaluelist")),
        ("required", Node::Bool(false)),
        ("datatype_description", Node::Null),
        ("order", Node::Integer(order as i64)),
        ("description", Node::text(description)),
        ("values", Node::List("value", values)),
    ])
}

fn data_of(case: &CaseRecord) -> Result<ComplaintData, Failure> {
    serde_json::from_value(case.data.clone())
        .map_err(|_| StoreError::Corrupt("complaint".into()).into())
}

/// Listed for everyone: public and not hidden by staff.
fn listed(case: &CaseRecord) -> Option<ComplaintData> {
    data_of(case).ok().filter(|d| d.listed(case.hidden))
}

/// What a request looks like to GeoReport.
struct Names<'a> {
    categories: &'a [OfferedCategory],
    agency: &'a str,
    lang: Lang,
}

fn request_node(case: &CaseRecord, data: &ComplaintData, names: &Names<'_>) -> Node {
    let service_name = names
        .categories
        .iter()
        .find(|c| c.code == data.category)
        .map_or(data.category.as_str(), |c| c.name.get(names.lang));
    let coordinate = |v: Option<f64>| v.map_or(Node::Null, Node::Number);
    Node::Object(vec![
        ("service_request_id", Node::text(&case.id)),
        ("status", Node::text(open311::status(&case.state))),
        ("status_notes", Node::opt(case.status_note.clone())),
        ("service_name", Node::text(service_name)),
        ("service_code", Node::text(&data.category)),
        (
            "description",
            Node::opt(Some(&data.description).filter(|d| !d.trim().is_empty())),
        ),
        ("agency_responsible", Node::text(names.agency)),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::text(&case.created_at)),
        ("updated_datetime", Node::text(&case.updated_at)),
        ("expected_datetime", Node::Null),
        ("address", Node::opt(data.address.clone())),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", coordinate(data.location.map(|c| c.lat))),
        ("long", coordinate(data.location.map(|c| c.lon))),
        (
            "media_url",
            Node::opt(data.origin.as_ref().and_then(|o| o.media_url.clone())),
        ),
    ])
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
        let (from, to) = open311::window(
            params.get("start_date"),
            params.get("end_date"),
            time::OffsetDateTime::now_utc(),
        )?;
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
async fn updates(ctx: &Ctx, req: &Request, m: Option<MunicipalityId>) -> Result<Answer, Failure> {
    let params = Params::of_query(req)?;
    let (m, _) = jurisdiction(ctx, m, &params).await?;
    // No key is needed to read (FixMyStreet sends one, maybe empty): ignored.
    let (from, to) = open311::updates_window(
        params.get("start_date"),
        params.get("end_date"),
        time::OffsetDateTime::now_utc(),
    )?;
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

/// The key an `api_key` parameter names, if it is one of `m`'s and not revoked.
async fn authenticate(
    ctx: &Ctx,
    m: &MunicipalityId,
    raw: Option<&str>,
) -> Result<ApiKeyRecord, Failure> {
    let refused = || {
        Failure::new(
            StatusCode::FORBIDDEN,
            "api_key was not provided or is not valid",
        )
    };
    let (id, secret) = raw.and_then(open311::parse_key).ok_or_else(refused)?;
    let key = ctx
        .store
        .get_api_key(m, id.as_str())
        .await?
        .filter(|k| k.revoked_at.is_none())
        .ok_or_else(refused)?;
    if !open311::digests_match(&open311::key_digest(secret), &key.digest) {
        return Err(refused());
    }
    Ok(key)
}

fn text_param(params: &Params, name: &'static str, max: usize) -> Result<Option<String>, Failure> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => Ok(open311::parse_text(name, v, max)?),
    }
}

/// `requests.{fmt}` (POST, form-encoded, with an `api_key`): file a complaint.
/// A retry with the same `Idempotency-Key` within a day gets the same request
/// back.
async fn create(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
) -> Result<Answer, Failure> {
    let params = Params::of_query(req)?.with_form(view, req)?;
    let (m, _) = jurisdiction(ctx, m, &params).await?;
    let key = authenticate(ctx, &m, params.get("api_key")).await?;
    let code = params
        .get("service_code")
        .map(str::trim)
        .ok_or_else(|| Failure::bad("service_code was not provided"))?;
    let categories = offered(ctx, &m).await?;
    let category = categories
        .iter()
        .find(|c| c.active && c.code == code)
        .ok_or_else(|| Failure::not_found("service_code provided was not found"))?;
    // Attributes: ours are checked; others (a client's own, such as
    // FixMyStreet's `fixmystreet_id`) are ignored, as the specification allows.
    let subcategory = match params.single_value("subcategory")? {
        None => None,
        Some(value) => Some(
            category
                .subcategories
                .iter()
                .find(|s| s.code == value)
                .map(|s| s.code.clone())
                .ok_or_else(|| Failure::bad("attribute[subcategory] is not one of its values"))?,
        ),
    };
    let area = match params.single_value("area")? {
        None => None,
        Some(value) => Some(
            ctx.store
                .areas(&m)
                .await?
                .into_iter()
                .find(|a| a.code == value)
                .map(|a| a.code)
                .ok_or_else(|| Failure::bad("attribute[area] is not one of its values"))?,
        ),
    };
    let location = match (params.get("lat"), params.get("long")) {
        (None, None) => None,
        (Some(lat), Some(lon)) => {
            let number = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
            let point = number(lat)
                .zip(number(lon))
                .and_then(|(lat, lon)| Coordinates::parse(lat, lon, &ctx.geo).ok())
                .ok_or_else(|| {
                    Failure::bad("lat and long must be a point (WGS84 degrees) in the service area")
                })?;
            Some(point)
        }
        _ => return Err(Failure::bad("lat and long must be given together")),
    };
    let address = match params.get("address_string") {
        None => None,
        Some(a) => Some(
            complaint::parse_address(a)
                .map_err(|_| Failure::bad("address_string must be 1 to 200 characters of text"))?,
        ),
    };
    if location.is_none() && address.is_none() {
        return Err(Failure::bad(if params.get("address_id").is_some() {
            "address_id is not known to this server: send lat and long, or address_string"
        } else {
            "a location is required: lat and long, or address_string"
        }));
    }
    let description = text_param(&params, "description", open311::DESCRIPTION_MAX)?;
    let email = params
        .get("email")
        .map(|e| {
            Contact::parse_email(e).map_err(|_| Failure::bad("email is not an e-mail address"))
        })
        .transpose()?;
    let first = text_param(&params, "first_name", 60)?;
    let last = text_param(&params, "last_name", 60)?;
    let origin = Origin {
        key_id: key.id.clone(),
        client: key.name.clone(),
        email,
        phone: text_param(&params, "phone", 40)?,
        account_id: text_param(&params, "account_id", 100)?,
        // FixMyStreet spells it `deviceid`.
        device_id: match text_param(&params, "device_id", 100)? {
            Some(d) => Some(d),
            None => text_param(&params, "deviceid", 100)?,
        },
        media_url: params
            .get("media_url")
            .map(open311::parse_media_url)
            .transpose()?
            .flatten(),
    };
    let reporter_name = match (first, last) {
        (None, None) => None,
        (f, l) => Some([f, l].into_iter().flatten().collect::<Vec<_>>().join(" ")),
    };
    let data = ComplaintData {
        category: category.code.clone(),
        subcategory,
        description: description.unwrap_or_default(),
        location,
        address,
        area,
        // Open311 requests are public (as on FixMyStreet); the person's name is
        // for staff only.
        public: true,
        hide_name: true,
        reporter_name,
        origin: Some(origin),
    };
    let filing =
        decide::file::<Complaint>(&m, &Filer::client(&key.client_user), data, None, view.now);
    let case = &filing.case;
    // The form without its key, in a stable order: what a retry sends again.
    let mut canonical: Vec<&(String, String)> = params
        .pairs
        .iter()
        .filter(|(k, _)| k != "api_key")
        .collect();
    canonical.sort();
    let canonical: Vec<u8> = canonical
        .iter()
        .flat_map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes(), b"\n"].concat())
        .collect();
    // A retry is recognised by its `Idempotency-Key` only: two identical forms
    // without one are two reports (as the specification knows no such thing).
    let retry_key = view
        .idempotency_key()
        .map_err(|_| Failure::bad("Idempotency-Key must be 8 to 128 visible characters"))?;
    let idem = retry_key
        .map(|k| Idempotency::new(&keys::tenant(&m), &key.client_user, k.as_str(), &canonical));
    let answer = serde_json::json!({ "id": case.id }).to_string();
    let id = match ctx
        .store
        .file_case(&filing, Vec::new(), idem.as_ref(), &answer)
        .await
    {
        Ok(Created::New) => case.id.clone(),
        Ok(Created::Replayed(stored)) => serde_json::from_str::<serde_json::Value>(&stored.body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .ok_or_else(|| Failure::from(StoreError::Corrupt("stored answer".into())))?,
        Err(StoreError::IdempotencyMismatch) => {
            return Err(Failure::bad(
                "this Idempotency-Key was used for another request",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let notice = label(
        view.lang,
        "تم تسجيل طلبكم لدى البلدية؛ تتبّعوه بهذا المعرّف.",
        "Votre signalement est enregistré par la municipalité ; suivez-le avec cet identifiant.",
        "Your request is registered with the municipality; follow it with this id.",
    );
    // 200, as the specification's samples and mySociety's servers answer.
    Ok(Answer {
        status: StatusCode::OK,
        root: "service_requests",
        node: Node::List(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text(id)),
                ("service_notice", Node::text(notice)),
                ("account_id", Node::Null),
            ])],
        ),
        cache: "no-store",
    })
}

#[cfg(test)]
mod tests {
    use super::{Params, parse_form, scheme_without_proxy};

    fn form(body: &[u8]) -> Vec<(String, String)> {
        parse_form(body).unwrap_or_else(|e| panic!("{body:?} refused: {}", e.description))
    }

    #[test]
    fn form_bodies_are_decoded_as_utf8() {
        assert_eq!(
            form(b"service_code=lighting&description=caf%C3%A9+au+lait&lat=36.8&&flag"),
            [
                ("service_code".into(), "lighting".into()),
                ("description".into(), "caf\u{e9} au lait".into()),
                ("lat".into(), "36.8".into()),
                ("flag".into(), String::new()),
            ]
        );
        assert_eq!(
            form(b"attribute%5Barea%5D=a%3Db%26c%2B"),
            [("attribute[area]".into(), "a=b&c+".into())]
        );
        assert_eq!(
            form("note=\u{1F600}".as_bytes()),
            [("note".into(), "\u{1F600}".into())]
        );
        assert!(form(b"").is_empty());
    }

    #[test]
    fn a_single_value_attribute_takes_the_bodys_value_and_refuses_two() {
        let params = |body: &[u8], query: &[u8]| {
            let mut pairs = form(body);
            let n = pairs.len();
            pairs.extend(form(query));
            Params { pairs, body: n }
        };
        let p = params(b"attribute[area]=medina", b"attribute[area]=lafayette");
        assert_eq!(p.single_value("area").unwrap(), Some("medina"));
        let p = params(b"", b"attribute[area]=lafayette");
        assert_eq!(p.single_value("area").unwrap(), Some("lafayette"));
        let p = params(b"attribute[area][]=medina&attribute[area][]=medina", b"");
        assert_eq!(p.single_value("area").unwrap(), Some("medina"));
        for (body, query) in [
            (
                &b"attribute[area][]=medina&attribute[area][]=lafayette"[..],
                &b""[..],
            ),
            (b"", b"attribute[area]=medina&attribute[area]=lafayette"),
        ] {
            let e = params(body, query)
                .single_value("area")
                .expect_err("two values");
            assert_eq!(e.description, "attribute[area] takes one value");
        }
        let p = params(b"attribute[area]=+&attribute[subcategory]=x", b"");
        assert_eq!(p.single_value("area").unwrap(), None);
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_not_replaced() {
        // Latin-1 é escaped, a raw Latin-1 byte, an escaped UTF-16 surrogate, a
        // truncated sequence; in a value or in a name.
        for body in [
            &b"description=caf%E9"[..],
            b"description=caf\xE9",
            b"description=%ED%A0%80",
            b"description=%C3",
            b"desc%FFription=x",
        ] {
            let e = parse_form(body).expect_err("not UTF-8");
            assert_eq!(e.status, http::StatusCode::BAD_REQUEST, "{body:?}");
            assert!(e.description.contains("UTF-8"), "{}", e.description);
        }
    }

    #[test]
    fn only_loopback_hosts_are_taken_for_plain_http() {
        for host in [
            "localhost",
            "localhost:9000",
            "127.0.0.1:9000",
            "[::1]:9000",
        ] {
            assert_eq!(scheme_without_proxy(host), "http", "{host}");
        }
        for host in [
            "api.baladiya.tn",
            "api.baladiya.tn:443",
            "127.example.org",
            "localhost.example.org",
            "[2001:db8::1]:443",
        ] {
            assert_eq!(scheme_without_proxy(host), "https", "{host}");
        }
    }
}
