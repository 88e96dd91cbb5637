use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use super::ApiError;

/// A JSON answer. Personal answers must not be cached by intermediaries.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(|_| ApiError::internal())?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

/// A JSON answer anyone may cache for `max_age` seconds (public catalogue data).
pub fn public_json<T: Serialize>(value: &T, max_age: u32) -> Result<Response<Body>, ApiError> {
    let mut r = json(StatusCode::OK, value)?;
    let value = format!("public, max-age={max_age}");
    r.headers_mut().insert(
        "cache-control",
        value.parse().map_err(|_| ApiError::internal())?,
    );
    Ok(r)
}

/// A replayed answer (idempotent retry): the stored status and body, marked as such.
pub fn replay(status: u16, body: String) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("idempotent-replayed", "true")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

/// Set the `ETag` of a versioned resource: what a client sends back in `If-Match`.
pub fn with_etag(mut r: Response<Body>, version: u64) -> Result<Response<Body>, ApiError> {
    let value = format!("\"{version}\"")
        .parse()
        .map_err(|_| ApiError::internal())?;
    r.headers_mut().insert("etag", value);
    Ok(r)
}

/// 412 unless `expected` (from `If-Match`) is absent or is `current`.
pub fn check_if_match(expected: Option<u64>, current: u64) -> Result<(), ApiError> {
    match expected {
        Some(v) if v != current => Err(ApiError::new(
            http::StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
        )),
        _ => Ok(()),
    }
}

pub fn no_content() -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .map_err(|_| ApiError::internal())
}
