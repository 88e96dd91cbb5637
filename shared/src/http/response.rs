use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use super::ApiError;
use super::cursor::CursorCodec;
use crate::http::Answer;
use crate::store::PageKey;
use crate::store::idempotency::Created;

/// A page of a list, as every list endpoint answers: the items and the cursor
/// of the next page (`null` on the last).
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A whole list, in one page.
    pub fn all(items: Vec<T>) -> List<T> {
        List {
            items,
            next_cursor: None,
        }
    }

    /// A page of the list `scope`, continued at `next`.
    pub fn page(
        items: Vec<T>,
        next: Option<PageKey>,
        cursors: &CursorCodec,
        scope: &str,
    ) -> List<T> {
        List {
            items,
            next_cursor: next.map(|k| cursors.encode(scope, &k)),
        }
    }
}

/// A JSON answer. Personal answers must not be cached by intermediaries.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Answer {
    let body = serde_json::to_string(value).map_err(|_| ApiError::internal())?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

/// A JSON answer anyone may cache for `max_age` seconds (public catalogue data).
pub fn public_json<T: Serialize>(value: &T, max_age: u32) -> Answer {
    let mut r = json(StatusCode::OK, value)?;
    let value = format!("public, max-age={max_age}");
    r.headers_mut().insert(
        "cache-control",
        value.parse().map_err(|_| ApiError::internal())?,
    );
    Ok(r)
}

/// 201 with the new resource's JSON (already serialised, as an idempotent
/// create stores it) and its `Location`.
pub fn created(location: &str, body: String) -> Answer {
    Response::builder()
        .status(StatusCode::CREATED)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("location", location)
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

/// The answer to an idempotent create: 201 with `location` for a new
/// resource, the stored answer for a retry.
pub fn created_once(created: Created, location: &str, answer: String) -> Answer {
    match created {
        Created::New => self::created(location, answer),
        Created::Replayed(stored) => replay(stored.status, stored.body),
    }
}

/// A replayed answer (idempotent retry): the stored status and body, marked as such.
pub fn replay(status: u16, body: String) -> Answer {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("idempotent-replayed", "true")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}

/// Set the `ETag` of a versioned resource: what a client sends back in `If-Match`.
pub fn with_etag(mut r: Response<Body>, version: u64) -> Answer {
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

pub fn no_content() -> Answer {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .map_err(|_| ApiError::internal())
}
