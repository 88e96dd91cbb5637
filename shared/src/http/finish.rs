//! What every answer carries, added once by [`super::serve::serve`] after the
//! handler: the language it speaks (`Content-Language`), that it varies with
//! `Accept-Language` (`Vary`), an `ETag` on every successful read and a 304 to a
//! client that holds that representation already (`If-None-Match`), and the
//! next page of a list as a `Link` header.
//!
//! A read's `ETag` is a digest of the body as sent, so two languages, or a
//! staff member's and a citizen's view of one complaint, never share a tag. A
//! versioned resource's tag starts with its version (`"3.…"`): what `If-Match`
//! compares when it is changed ([`super::RequestView::if_match`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};

use crate::domain::Lang;

/// Set on a list's answer by [`super::response::list_json`]: the cursor of the
/// next page, which [`finish`] turns into `Link: <…>; rel="next"`.
#[derive(Debug, Clone)]
pub struct NextPage(pub String);

/// The answer as sent: `r` with the headers every answer carries, or 304 when
/// the request's `If-None-Match` names the representation a read would send.
/// `read` is true for `GET` and `HEAD`.
pub fn finish(req: &Request, lang: Lang, read: bool, mut r: Response<Body>) -> Response<Body> {
    let headers = r.headers_mut();
    if !headers.contains_key("content-language") {
        headers.insert("content-language", HeaderValue::from_static(lang.code()));
    }
    add_vary(headers);
    if !read {
        return r;
    }
    if let Some(NextPage(cursor)) = r.extensions_mut().remove::<NextPage>()
        && let Ok(link) = HeaderValue::try_from(next_link(req, &cursor))
    {
        r.headers_mut().insert("link", link);
    }
    if r.status() != StatusCode::OK {
        return r;
    }
    let body: &[u8] = match r.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => return r,
    };
    let tag = entity_tag(version(r.headers()), body);
    let Ok(value) = HeaderValue::try_from(tag.as_str()) else {
        return r;
    };
    r.headers_mut().insert("etag", value);
    let held = req
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok());
    if held.is_some_and(|h| none_match_fails(h, &tag)) {
        return not_modified(r);
    }
    r
}

/// `Vary: Accept-Language`, kept beside what the handler already varies on.
fn add_vary(headers: &mut http::HeaderMap) {
    match headers.get("vary").and_then(|v| v.to_str().ok()) {
        None => {
            headers.insert("vary", HeaderValue::from_static("Accept-Language"));
        }
        Some(v)
            if v.split(',')
                .any(|h| h.trim().eq_ignore_ascii_case("accept-language")) => {}
        Some(v) => {
            if let Ok(joined) = HeaderValue::try_from(format!("{v}, Accept-Language")) {
                headers.insert("vary", joined);
            }
        }
    }
}

/// The version a handler set as the resource's `ETag` (`"3"`), if any.
fn version(headers: &http::HeaderMap) -> Option<u64> {
    let v = headers.get("etag")?.to_str().ok()?;
    v.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

/// `"<version>.<digest>"` for a versioned resource, `"<digest>"` otherwise: the
/// first 72 bits of the body's SHA-256, URL-safe base64.
pub fn entity_tag(version: Option<u64>, body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let short = B64.encode(&digest[..9]);
    match version {
        Some(v) => format!("\"{v}.{short}\""),
        None => format!("\"{short}\""),
    }
}

/// Whether `If-None-Match: held` names `tag` (weak comparison, RFC 9110
/// §13.1.2): then a read answers 304.
pub fn none_match_fails(held: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let tag = opaque(tag);
    held.trim() == "*" || held.split(',').any(|h| opaque(h) == tag)
}

/// 304 Not Modified: the headers a cache needs to refresh what it holds (RFC
/// 9110 §15.4.5), no body.
fn not_modified(r: Response<Body>) -> Response<Body> {
    let (mut parts, _) = r.into_parts();
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove("content-type");
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::Empty)
}

/// The request's own path and query with `cursor` set to the next page's:
/// a reference relative to the request (RFC 8288 §3.1).
fn next_link(req: &Request, cursor: &str) -> String {
    let mut query: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && *p != "cursor" && !p.starts_with("cursor="))
        .collect();
    let next = format!("cursor={cursor}");
    query.push(&next);
    format!("<{}?{}>; rel=\"next\"", req.uri().path(), query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut b = http::Request::builder().method("GET").uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::Empty).unwrap()
    }

    fn ok(body: &str) -> Response<Body> {
        Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(Body::Text(body.into()))
            .unwrap()
    }

    #[test]
    fn every_answer_says_its_language_and_varies_with_it() {
        let r = finish(&get("/v1/x", &[]), Lang::Fr, false, ok("{}"));
        assert_eq!(r.headers()["content-language"], "fr");
        assert_eq!(r.headers()["vary"], "Accept-Language");
        assert!(r.headers().get("etag").is_none(), "a write's answer");
        let mut own = ok("{}");
        own.headers_mut()
            .insert("vary", HeaderValue::from_static("Origin"));
        own.headers_mut()
            .insert("content-language", HeaderValue::from_static("ar"));
        let r = finish(&get("/v1/x", &[]), Lang::Fr, true, own);
        assert_eq!(r.headers()["vary"], "Origin, Accept-Language");
        assert_eq!(r.headers()["content-language"], "ar", "the handler's own");
        let mut twice = ok("{}");
        twice
            .headers_mut()
            .insert("vary", HeaderValue::from_static("accept-language"));
        let r = finish(&get("/v1/x", &[]), Lang::Fr, true, twice);
        assert_eq!(r.headers()["vary"], "accept-language");
    }

    #[test]
    fn a_read_is_tagged_by_its_body_and_a_held_tag_gets_304() {
        let r = finish(&get("/v1/x", &[]), Lang::Ar, true, ok(r#"{"a":1}"#));
        let tag = r.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(tag, entity_tag(None, br#"{"a":1}"#));
        assert_ne!(tag, entity_tag(None, br#"{"a":2}"#));
        let cases = [
            (tag.clone(), 304),
            (format!("W/{tag}"), 304),
            (format!("\"other\", {tag}"), 304),
            ("*".to_owned(), 304),
            ("\"other\"".to_owned(), 200),
            (entity_tag(None, br#"{"a":2}"#), 200),
        ];
        for (held, status) in cases {
            let req = get("/v1/x", &[("if-none-match", &held)]);
            let r = finish(&req, Lang::Ar, true, ok(r#"{"a":1}"#));
            assert_eq!(r.status(), status, "If-None-Match: {held}");
            assert_eq!(r.headers()["etag"], tag.as_str());
            if status == 304 {
                assert!(matches!(r.body(), Body::Empty));
                assert!(r.headers().get("content-type").is_none());
                assert_eq!(r.headers()["vary"], "Accept-Language");
            }
        }
    }

    #[test]
    fn a_versioned_resource_keeps_its_version_first() {
        let mut r = ok("{}");
        r.headers_mut()
            .insert("etag", HeaderValue::from_static("\"7\""));
        let r = finish(&get("/v1/x", &[]), Lang::Ar, true, r);
        let tag = r.headers()["etag"].to_str().unwrap();
        assert!(tag.starts_with("\"7."), "{tag}");
        assert_eq!(tag, entity_tag(Some(7), b"{}"));
    }

    #[test]
    fn refusals_and_empty_answers_carry_no_tag() {
        let refused = Response::builder()
            .status(404)
            .body(Body::Text("{}".into()))
            .unwrap();
        let r = finish(
            &get("/v1/x", &[("if-none-match", "*")]),
            Lang::Ar,
            true,
            refused,
        );
        assert_eq!(r.status(), 404);
        assert!(r.headers().get("etag").is_none());
        let empty = Response::builder().status(200).body(Body::Empty).unwrap();
        let r = finish(&get("/v1/x", &[]), Lang::Ar, true, empty);
        assert!(r.headers().get("etag").is_none());
    }

    #[test]
    fn the_next_page_is_linked_from_the_request_itself() {
        let cases = [
            ("/v1/x", "</v1/x?cursor=abc>; rel=\"next\""),
            ("/v1/x?limit=5", "</v1/x?limit=5&cursor=abc>; rel=\"next\""),
            (
                "/v1/x?cursor=old&state=open&cursor",
                "</v1/x?state=open&cursor=abc>; rel=\"next\"",
            ),
        ];
        for (uri, link) in cases {
            let mut r = ok("{}");
            r.extensions_mut().insert(NextPage("abc".into()));
            let r = finish(&get(uri, &[]), Lang::Ar, true, r);
            assert_eq!(r.headers()["link"], link, "{uri}");
        }
        let r = finish(&get("/v1/x", &[]), Lang::Ar, true, ok("{}"));
        assert!(r.headers().get("link").is_none(), "the last page");
    }
}
