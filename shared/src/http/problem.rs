//! `application/problem+json` (RFC 9457) answers with stable codes.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use super::i18n;
use crate::domain::{DomainError, Lang};
use crate::store::StoreError;

/// A failed request. Built anywhere on the request path; rendered once, in
/// [`ApiError::into_response`].
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine code, see [`i18n::CODES`].
    pub code: &'static str,
    /// Offending field and the reason code, for validation errors.
    pub field: Option<(&'static str, &'static str)>,
    /// Extra, untranslated detail safe to show (never personal data).
    pub detail: Option<String>,
    /// For 405: the methods the path accepts.
    pub allow: Option<String>,
    /// For 429 and 503: seconds before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        ApiError {
            status,
            code,
            field: None,
            detail: None,
            allow: None,
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn bad_request(code: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code)
    }
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated")
    }
    pub fn invalid_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found")
    }
    pub fn conflict(code: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, code)
    }
    pub fn invalid(field: &'static str, reason: &'static str) -> Self {
        DomainError::invalid(field, reason).into()
    }
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }
    pub fn unavailable() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable")
    }

    pub fn into_response(self, lang: Lang) -> Response<Body> {
        #[derive(Serialize)]
        struct FieldError<'a> {
            field: &'a str,
            reason: &'a str,
        }
        #[derive(Serialize)]
        struct Problem<'a> {
            #[serde(rename = "type")]
            kind: String,
            title: &'a str,
            status: u16,
            code: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            detail: Option<&'a str>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            errors: Vec<FieldError<'a>>,
        }
        let problem = Problem {
            kind: format!(
                "https://baladiya.tn/problems/{}",
                self.code.replace('_', "-")
            ),
            title: i18n::message(self.code, lang),
            status: self.status.as_u16(),
            code: self.code,
            detail: self.detail.as_deref(),
            errors: self
                .field
                .iter()
                .map(|(field, reason)| FieldError { field, reason })
                .collect(),
        };
        let body = serde_json::to_string(&problem).unwrap_or_else(|_| String::from("{}"));
        let mut builder = Response::builder()
            .status(self.status)
            .header("content-type", "application/problem+json")
            .header("content-language", lang.code())
            .header("cache-control", "no-store");
        if let Some(allow) = &self.allow {
            builder = builder.header("allow", allow.as_str());
        }
        if let Some(seconds) = self.retry_after {
            builder = builder.header("retry-after", seconds.to_string());
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750: tell the client which scheme, and whether its token was bad.
            let challenge = if self.code == "invalid_token" {
                r#"Bearer realm="baladiya", error="invalid_token""#
            } else {
                r#"Bearer realm="baladiya""#
            };
            builder = builder.header("www-authenticate", challenge);
        }
        builder.body(Body::Text(body)).unwrap_or_else(|_| {
            let mut r = Response::new(Body::Empty);
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
    }
}

/// A storage failure as the client sees it: a version conflict is theirs to
/// resolve (409); the database's own trouble is ours (503, 500).
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::AlreadyExists => ApiError::conflict("already_exists"),
            StoreError::VersionConflict => ApiError::conflict("version_conflict"),
            StoreError::IdempotencyMismatch => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            StoreError::Throttled => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
            }
            StoreError::Unavailable(_) => ApiError::unavailable(),
            StoreError::Corrupt(_) => ApiError::internal(),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match &e {
            DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::ServiceNotActive(_) => StatusCode::FORBIDDEN,
            DomainError::Forbidden => StatusCode::FORBIDDEN,
            DomainError::NotFound => StatusCode::NOT_FOUND,
            DomainError::TransitionNotAllowed { .. } => StatusCode::CONFLICT,
            DomainError::UnknownState(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
            DomainError::LimitReached { .. } => StatusCode::CONFLICT,
            DomainError::BroadcastLimit { .. } => StatusCode::CONFLICT,
        };
        let mut err = ApiError::new(status, e.code());
        match e {
            DomainError::Invalid { field, reason } => err.field = Some((field, reason)),
            DomainError::ServiceNotActive(service) => {
                err.detail = Some(format!("service: {service}"))
            }
            DomainError::TransitionNotAllowed { from, to } => {
                err.detail = Some(format!("{from} -> {to}"))
            }
            DomainError::UnknownState(s) => err.detail = Some(format!("state: {s}")),
            DomainError::LimitReached { what, max } => err.detail = Some(format!("{what}: {max}")),
            DomainError::BroadcastLimit { next } => err.detail = Some(format!("next: {next}")),
            DomainError::Forbidden | DomainError::NotFound | DomainError::Unauthenticated => {}
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &Response<Body>) -> serde_json::Value {
        match r.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            _ => panic!("text body expected"),
        }
    }

    #[test]
    fn renders_problem_json_in_the_callers_language() {
        let r = ApiError::invalid("phone", "format").into_response(Lang::Fr);
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.headers()["content-language"], "fr");
        let b = body(&r);
        assert_eq!(b["code"], "invalid_field");
        assert_eq!(b["status"], 422);
        assert_eq!(b["title"], "La valeur d'un champ n'est pas acceptable.");
        assert_eq!(b["errors"][0]["field"], "phone");
        assert_eq!(b["errors"][0]["reason"], "format");
        assert_eq!(b["type"], "https://baladiya.tn/problems/invalid-field");
    }

    #[test]
    fn unauthorized_answers_carry_a_bearer_challenge() {
        let r = ApiError::unauthenticated().into_response(Lang::En);
        assert_eq!(
            r.headers()["www-authenticate"],
            r#"Bearer realm="baladiya""#
        );
        let r = ApiError::invalid_token().into_response(Lang::En);
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
        assert!(
            ApiError::forbidden()
                .into_response(Lang::En)
                .headers()
                .get("www-authenticate")
                .is_none()
        );
    }

    #[test]
    fn domain_errors_map_to_statuses() {
        assert_eq!(ApiError::from(DomainError::NotFound).status, 404);
        assert_eq!(ApiError::from(DomainError::Forbidden).status, 403);
        assert_eq!(
            ApiError::from(DomainError::ServiceNotActive("news")).status,
            403
        );
        let e = ApiError::from(DomainError::TransitionNotAllowed {
            from: "a".into(),
            to: "b".into(),
        });
        assert_eq!((e.status.as_u16(), e.code), (409, "transition_not_allowed"));
    }
}
