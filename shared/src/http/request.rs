//! Reading a request at the edge: language, bearer token, query, JSON body,
//! idempotency key. Everything returns typed values or an [`ApiError`].

use std::collections::HashMap;

use http::StatusCode;
use lambda_http::{Body, Request, RequestExt};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::{ApiError, TokenVerifier, i18n};
use crate::domain::revocation::Revocations;
use crate::domain::{Lang, Principal};

/// Largest JSON body accepted. Our documents are small; files go to S3 directly.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What a handler reads of a request.
pub struct RequestView<'a> {
    req: &'a Request,
    pub lang: Lang,
    /// When the request is served: the one reading of the function's clock.
    pub now: OffsetDateTime,
    /// The revoked tokens, read by [`super::serve::serve`] for a request that
    /// carries one: a token they refuse is no caller.
    revoked: Option<std::sync::Arc<Revocations>>,
}

impl<'a> RequestView<'a> {
    pub fn new(req: &'a Request, now: OffsetDateTime) -> Self {
        let lang = i18n::negotiate(
            req.headers()
                .get("accept-language")
                .and_then(|v| v.to_str().ok()),
        );
        RequestView {
            req,
            lang,
            now,
            revoked: None,
        }
    }

    /// Refuse the tokens `revoked` lists (an erased account's, a removed staff
    /// member's).
    pub fn with_revocations(mut self, revoked: std::sync::Arc<Revocations>) -> Self {
        self.revoked = Some(revoked);
        self
    }

    /// The request itself (a form body, the idempotency fingerprint).
    pub fn request(&self) -> &'a Request {
        self.req
    }

    /// The request's "now" as stored (RFC 3339, UTC, whole seconds).
    pub fn now_rfc3339(&self) -> String {
        crate::clock::rfc3339(self.now)
    }

    /// The request's "now" in seconds since the epoch.
    pub fn now_secs(&self) -> u64 {
        crate::clock::epoch_secs(self.now)
    }

    /// The caller's address as API Gateway saw it. Personal data: use it only as a
    /// keyed digest, never log it.
    pub fn source_ip(&self) -> Option<&str> {
        use lambda_http::RequestExt;
        match self.req.request_context_ref()? {
            lambda_http::request::RequestContext::ApiGatewayV2(c) => c.http.source_ip.as_deref(),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    pub fn method(&self) -> &str {
        self.req.method().as_str()
    }

    pub fn path(&self) -> &str {
        self.req.uri().path()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.req.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// The caller, if a valid bearer token was presented. A present but invalid token
    /// is an error even where anonymous access is allowed: the client must know.
    pub fn optional_principal(
        &self,
        verifier: &TokenVerifier,
    ) -> Result<Option<Principal>, ApiError> {
        let Some(raw) = self.req.headers().get("authorization") else {
            return Ok(None);
        };
        // Present but not even ASCII: a broken token, not an anonymous request.
        let value = raw.to_str().map_err(|_| ApiError::invalid_token())?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(ApiError::invalid_token)?;
        let (who, issued) = verifier
            .verify_issued(token.trim())
            .map_err(|_| ApiError::invalid_token())?;
        if self
            .revoked
            .as_ref()
            .is_some_and(|r| r.refuses_principal(&who, issued))
        {
            return Err(ApiError::invalid_token());
        }
        Ok(Some(who))
    }

    /// The caller; 401 without a valid bearer token.
    pub fn principal(&self, verifier: &TokenVerifier) -> Result<Principal, ApiError> {
        self.optional_principal(verifier)?
            .ok_or_else(ApiError::unauthenticated)
    }

    /// Query parameters, each at most once; unknown ones refused so that typos
    /// (`?governorat=`) do not silently return everything.
    pub fn query(&self, allowed: &[&str]) -> Result<HashMap<String, String>, ApiError> {
        let params = self.req.query_string_parameters();
        let mut out = HashMap::new();
        for (name, value) in params.iter() {
            if !allowed.contains(&name) {
                return Err(ApiError::bad_request("invalid_query")
                    .with_detail(format!("unknown parameter: {name}")));
            }
            if out.insert(name.to_owned(), value.to_owned()).is_some() {
                return Err(ApiError::bad_request("invalid_query")
                    .with_detail(format!("repeated parameter: {name}")));
            }
        }
        Ok(out)
    }

    /// The JSON body as `T`, or `T`'s default when the request has no body
    /// (an optional body: `PUT` of a follow with no choices).
    pub fn json_or_default<T: DeserializeOwned + Default>(&self) -> Result<T, ApiError> {
        let empty = match self.req.body() {
            Body::Empty => true,
            Body::Text(t) => t.trim().is_empty(),
            Body::Binary(b) => b.is_empty(),
            _ => true,
        };
        if empty { Ok(T::default()) } else { self.json() }
    }

    /// The JSON body as `T`. `T` should `deny_unknown_fields`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let content_type = self.header("content-type").unwrap_or_default();
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if mime != "application/json" && mime != "application/merge-patch+json" {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ));
        }
        let bytes: &[u8] = match self.req.body() {
            Body::Empty => b"",
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => b"",
        };
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ));
        }
        parse_json(bytes)
    }

    /// The version an `If-Match` header asks for (`"3"`, `W/"3"`, or a read's
    /// `"3.<digest>"`: what matters to a change is the version); `None` without
    /// the header or with `*`. A tag that is no version of ours can match nothing:
    /// 412.
    pub fn if_match(&self) -> Result<Option<u64>, ApiError> {
        let Some(raw) = self.req.headers().get("if-match") else {
            return Ok(None);
        };
        let failed = || ApiError::new(StatusCode::PRECONDITION_FAILED, "precondition_failed");
        let value = raw.to_str().map_err(|_| failed())?.trim();
        if value == "*" {
            return Ok(None);
        }
        let tag = value.strip_prefix("W/").unwrap_or(value);
        tag.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.split_once('.').map_or(t, |(v, _)| v).parse::<u64>().ok())
            .map(Some)
            .ok_or_else(failed)
    }

    /// The `Idempotency-Key` header, if any.
    pub fn idempotency_key(&self) -> Result<Option<IdempotencyKey>, ApiError> {
        match self.req.headers().get("idempotency-key") {
            None => Ok(None),
            Some(raw) => {
                let value = raw
                    .to_str()
                    .map_err(|_| ApiError::bad_request("invalid_idempotency_key"))?;
                IdempotencyKey::parse(value).map(Some)
            }
        }
    }
}

/// Parse a JSON object, telling syntax errors (400) from shape errors (422).
///
/// Only objects: serde would otherwise also fill a struct from an array, by
/// position, which no client means to send.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| ApiError::bad_request("malformed_json"))?;
    if !value.is_object() {
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
                .with_detail("expected a JSON object"),
        );
    }
    serde_json::from_value(value).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request("malformed_json")
            }
            // serde's message names the field and expected type, never the value.
            Category::Data => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
                .with_detail(strip_position(&e.to_string())),
        }
    })
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// A client-chosen key that makes a create safe to retry: the same key with the
/// same body returns the first answer instead of creating twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<IdempotencyKey, ApiError> {
        let ok = (8..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if ok {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(ApiError::bad_request("invalid_idempotency_key"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The point `lat`, `lon` of a query string (both required, in degrees, within
/// `bounds`).
pub fn query_point(
    query: &HashMap<String, String>,
    bounds: &crate::domain::GeoBounds,
) -> Result<crate::domain::Coordinates, ApiError> {
    let number = |k: &str| {
        query
            .get(k)
            .ok_or_else(|| {
                ApiError::bad_request("invalid_query").with_detail(format!("{k}: required"))
            })?
            .parse::<f64>()
            .map_err(|_| {
                ApiError::bad_request("invalid_query").with_detail(format!("{k}: a number"))
            })
    };
    let (lat, lon) = (number("lat")?, number("lon")?);
    Ok(crate::domain::Coordinates::parse(lat, lon, bounds)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: Option<u32>,
    }

    #[test]
    fn syntax_errors_are_400_shape_errors_422() {
        assert_eq!(parse_json::<Body>(b"{").unwrap_err().code, "malformed_json");
        assert_eq!(parse_json::<Body>(b"").unwrap_err().code, "malformed_json");
        let e = parse_json::<Body>(br#"{"name": 3}"#).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (422, "invalid_body"));
        let e = parse_json::<Body>(br#"{"name": "x", "admin": true}"#).unwrap_err();
        assert!(e.detail.unwrap().contains("unknown field `admin`"));
        assert_eq!(
            parse_json::<Body>(br#"{}"#).unwrap_err().code,
            "invalid_body"
        );
        assert_eq!(
            parse_json::<Body>(br#"{"name":"x","count":-1}"#)
                .unwrap_err()
                .code,
            "invalid_body"
        );
        assert!(parse_json::<Body>(br#"{"name":"x"}"#).is_ok());
        let e = parse_json::<Body>(br#"["x", 1]"#).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.detail.as_deref()),
            (422, Some("expected a JSON object"))
        );
    }

    #[test]
    fn if_match_reads_the_version_of_a_tag() {
        let cases = [
            (None, Ok(None)),
            (Some("*"), Ok(None)),
            (Some("\"3\""), Ok(Some(3))),
            (Some("W/\"3\""), Ok(Some(3))),
            (Some("\"12.q0Zx_-9aBcDe\""), Ok(Some(12))),
            (Some("\"q0Zx_-9aBcDe\""), Err(412)),
            (Some("3"), Err(412)),
        ];
        for (header, want) in cases {
            let mut b = http::Request::builder().uri("/v1/x");
            if let Some(h) = header {
                b = b.header("if-match", h);
            }
            let req: Request = b.body(lambda_http::Body::Empty).unwrap();
            let view = RequestView::new(&req, OffsetDateTime::UNIX_EPOCH);
            let got = view.if_match().map_err(|e| e.status.as_u16());
            assert_eq!(got, want, "If-Match: {header:?}");
        }
    }

    #[test]
    fn idempotency_keys() {
        assert!(IdempotencyKey::parse("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        for bad in [
            "short",
            "has space in it",
            "é-accented-key",
            &"k".repeat(129),
        ] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad}");
        }
    }
}
