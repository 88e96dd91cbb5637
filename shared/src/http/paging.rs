//! What every list endpoint and every idempotent create needs at the edge.

use std::collections::HashMap;

use lambda_http::{Body, Request};

use super::cursor::{CursorCodec, PageKey};
use super::{ApiError, IdempotencyKey};
use crate::domain::{MunicipalityId, Principal};
use crate::store::idempotency::Idempotency;

/// `limit` (1..=`max`, default `min(max, 50)`) and `cursor` query parameters of a
/// list endpoint. A cursor is only accepted for the list (`scope`) it came from.
pub fn paging(
    cursors: &CursorCodec,
    query: &HashMap<String, String>,
    scope: &str,
    max: i32,
) -> Result<(i32, Option<PageKey>), ApiError> {
    let limit = match query.get("limit") {
        None => max.min(50),
        Some(raw) => match raw.parse::<i32>() {
            Ok(l) if (1..=max).contains(&l) => l,
            _ => {
                return Err(
                    ApiError::bad_request("invalid_query").with_detail(format!("limit: 1..={max}"))
                );
            }
        },
    };
    let start = query
        .get("cursor")
        .map(|c| cursors.decode(scope, c))
        .transpose()?;
    Ok((limit, start))
}

/// The canonical form of a create request, for idempotency fingerprints: method,
/// path and the body re-serialised (keys sorted, no whitespace), so that a client
/// re-encoding the same JSON on retry is still recognised.
pub fn request_fingerprint(req: &Request) -> Vec<u8> {
    let mut out = format!("{} {}\n", req.method(), req.uri().path()).into_bytes();
    let raw: &[u8] = match req.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    match serde_json::from_slice::<serde_json::Value>(raw) {
        Ok(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Err(_) => out.extend_from_slice(raw),
    }
    out
}

/// The idempotency record of a create by `who` in `m`, if the request carries
/// an `Idempotency-Key`: keyed per municipality, caller and key, and bound to
/// the request's `fingerprint`.
pub fn idempotency(
    key: Option<IdempotencyKey>,
    m: &MunicipalityId,
    who: &Principal,
    fingerprint: &[u8],
) -> Option<Idempotency> {
    key.map(|k| {
        Idempotency::new(
            &crate::store::keys::tenant(m),
            who.user().as_str(),
            k.as_str(),
            fingerprint,
        )
    })
}
