//! Matching a request's method and path against a function's route table.
//!
//! Each function declares its routes once (`ROUTES`), as API Gateway spells them
//! (`/v1/municipalities/{m}`), one line a route: `Route::get(path, Op::List)`.
//! `template.yaml`, the local router table in `Cargo.toml` and `openapi.yaml` are
//! checked against that list by a test.

use super::ApiError;
use crate::domain::MunicipalityId;
use http::StatusCode;

/// Declares an HTTP function at once: its context, the function that
/// dispatches an operation to its handler, and its routes, one line a route
/// (`Get: get "/v1/municipalities/{m}/complaints/{id}"`). It defines `Op` (one
/// variant a route), `ROUTES` (in the order given: literal segments before
/// parameters, the first match wins) and, through [`http_function!`], the
/// function's `handle`.
#[macro_export]
macro_rules! routes {
    (
        $ctx:ty => $dispatch:path $(, refuse = $refuse:path)?;
        $($(#[$doc:meta])* $op:ident: $method:ident $path:literal),* $(,)?
    ) => {
        /// What a request asks the function to do: one per route.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Op {
            $($(#[$doc])* $op),*
        }

        /// This function's routes: the one list `template.yaml`, the local router
        /// table (`Cargo.toml`) and `openapi.yaml` are checked against.
        pub static ROUTES: &[$crate::http::router::Route<Op>] =
            &[$($crate::http::router::Route::$method($path, Op::$op)),*];

        $crate::http_function!($ctx, Op, ROUTES, $dispatch $(, refuse = $refuse)?);
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<Op: 'static> {
    pub method: &'static str,
    pub path: &'static str,
    pub op: Op,
}

impl<Op> Route<Op> {
    pub const fn get(path: &'static str, op: Op) -> Route<Op> {
        Route {
            method: "GET",
            path,
            op,
        }
    }
    pub const fn post(path: &'static str, op: Op) -> Route<Op> {
        Route {
            method: "POST",
            path,
            op,
        }
    }
    pub const fn put(path: &'static str, op: Op) -> Route<Op> {
        Route {
            method: "PUT",
            path,
            op,
        }
    }
    pub const fn patch(path: &'static str, op: Op) -> Route<Op> {
        Route {
            method: "PATCH",
            path,
            op,
        }
    }
    pub const fn delete(path: &'static str, op: Op) -> Route<Op> {
        Route {
            method: "DELETE",
            path,
            op,
        }
    }
}

/// A matched route and its path parameters, in order of appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<Op> {
    pub op: Op,
    /// The route's template (`/v1/municipalities/{m}`): what logs name.
    pub template: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl<Op> RouteMatch<Op> {
    /// The raw value of path parameter `name` (percent-decoded).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The municipality of the path (`{m}`): a value that is not even a valid
    /// slug names no municipality (404).
    pub fn municipality(&self) -> Result<MunicipalityId, ApiError> {
        MunicipalityId::parse(self.param("m")).map_err(|_| ApiError::not_found())
    }
}

/// The one log line of a request: method, route template (never the concrete
/// path: paths can carry ids), status and time. Never a header or a body.
pub fn log_request(method: &str, route: &str, status: StatusCode, started: std::time::Instant) {
    tracing::info!(
        method,
        route,
        status = status.as_u16(),
        ms = started.elapsed().as_millis() as u64,
        ddb_calls = crate::telemetry::take_ddb_calls(),
        "request"
    );
}

/// Find the route for `method path`. Unknown path → 404 `route_not_found`; known
/// path with another method → 405 with an `Allow` header.
pub fn route<Op: Copy>(
    routes: &'static [Route<Op>],
    method: &str,
    path: &str,
) -> Result<RouteMatch<Op>, ApiError> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let mut allowed: Vec<&str> = Vec::new();
    for r in routes {
        let Some(params) = match_path(r.path, &segments) else {
            continue;
        };
        if r.method.eq_ignore_ascii_case(method) {
            return Ok(RouteMatch {
                op: r.op,
                template: r.path,
                params,
            });
        }
        allowed.push(r.method);
    }
    if allowed.is_empty() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "route_not_found"));
    }
    let mut err = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    err.allow = Some(allowed.join(", "));
    Err(err)
}

fn match_path(pattern: &'static str, segments: &[&str]) -> Option<Vec<(&'static str, String)>> {
    let pattern_segments: Vec<&'static str> = pattern.split('/').collect();
    if pattern_segments.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (p, s) in pattern_segments.iter().zip(segments) {
        if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if s.is_empty() {
                return None;
            }
            params.push((name, percent_decode(s)?));
        } else if p != s {
            return None;
        }
    }
    Some(params)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Op {
        List,
        Get,
        Patch,
        Staff,
    }

    static ROUTES: &[Route<Op>] = &[
        Route::get("/v1/municipalities", Op::List),
        Route::get("/v1/municipalities/{m}", Op::Get),
        Route::patch("/v1/municipalities/{m}", Op::Patch),
        Route::get("/v1/municipalities/{m}/staff/{user}", Op::Staff),
    ];

    #[test]
    fn matches_and_extracts_parameters() {
        let m = route(ROUTES, "GET", "/v1/municipalities/tunis").unwrap();
        assert_eq!(m.op, Op::Get);
        assert_eq!(m.param("m"), "tunis");
        let m = route(ROUTES, "GET", "/v1/municipalities/tunis/staff/stf_1").unwrap();
        assert_eq!((m.param("m"), m.param("user")), ("tunis", "stf_1"));
        assert_eq!(
            route(ROUTES, "get", "/v1/municipalities/").unwrap().op,
            Op::List
        );
        assert_eq!(
            route(ROUTES, "GET", "/v1/municipalities/la%2Dmarsa")
                .unwrap()
                .param("m"),
            "la-marsa"
        );
    }

    #[test]
    fn unknown_paths_and_methods() {
        assert_eq!(
            route(ROUTES, "GET", "/v1/nope").unwrap_err().code,
            "route_not_found"
        );
        assert_eq!(
            route(ROUTES, "GET", "/v1/municipalities//staff/x")
                .unwrap_err()
                .code,
            "route_not_found"
        );
        let e = route(ROUTES, "DELETE", "/v1/municipalities/tunis").unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.allow.as_deref()),
            (405, Some("GET, PATCH"))
        );
        assert_eq!(
            route(ROUTES, "GET", "/v1/municipalities/%ZZ")
                .unwrap_err()
                .code,
            "route_not_found"
        );
    }
}
