use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use super::ApiError;
use super::cursor::CursorCodec;
use crate::http::Answer;
use crate::store::PageKey;
use crate::store::idempotency::Created;

/// A page of a list, as every list endpoint answers: the items, whether more
/// follow and the cursor of the next page (`null` on the last). Answered with
/// [`List::answer`], the next page is also linked (`Link: <…>; rel="next"`).
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

impl<T: Serialize> List<T> {
    /// A whole list, in one page.
    pub fn all(items: Vec<T>) -> List<T> {
        List {
            items,
            has_more: false,
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
        let next_cursor = next.map(|k| cursors.encode(scope, &k));
        List {
            items,
            has_more: next_cursor.is_some(),
            next_cursor,
        }
    }

    /// The page as a personal answer (not cached by intermediaries).
    pub fn answer(&self) -> Answer {
        list_json(json(StatusCode::OK, self)?, self.next_cursor.as_deref())
    }

    /// The page as public data anyone may cache for `max_age` seconds.
    pub fn public(&self, max_age: u32) -> Answer {
        list_json(public_json(self, max_age)?, self.next_cursor.as_deref())
    }
}

/// Mark `r` as a page of a list continued at `next`: the answer then carries
/// `Link: <…>; rel="next"` (added by [`super::finish::finish`]).
pub fn list_json(mut r: Response<Body>, next: Option<&str>) -> Answer {
    if let Some(cursor) = next {
        r.extensions_mut()
            .insert(super::finish::NextPage(cursor.to_owned()));
    }
    Ok(r)
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

/// A redirect to `url` (a short-lived link): 302, not to be kept.
pub fn redirect(url: &str) -> Answer {
    Response::builder()
        .status(StatusCode::FOUND)
        .header("location", url)
        .header("cache-control", "no-store")
        .body(Body::Empty)
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
