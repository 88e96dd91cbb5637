//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2>) and mySociety's
//! `servicerequestupdates` extension, as rules: how our complaint states read as
//! Open311 statuses, the date window of a search, API keys, the parameters of a
//! new request. The wire formats are the `open311` function's.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::Id;
use super::case::HistoryEntry;
use super::workflow::COMPLAINT;

/// The specification the discovery document points to.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// The widest window of a search by date, and the default one (ending now).
pub const WINDOW_DAYS: i64 = 90;
/// Most requests one search returns.
pub const MAX_RESULTS: usize = 1000;
/// Most ids in one `service_request_id=` list.
pub const MAX_IDS: usize = 1000;
/// A request's description, at most (the specification's limit).
pub const DESCRIPTION_MAX: usize = 4000;

/// The two formats, chosen by the resource's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }
}

/// `requests.xml` → (`requests`, Xml). `None` without a known suffix.
pub fn split_format(segment: &str) -> Option<(&str, Format)> {
    let (name, ext) = segment.rsplit_once('.')?;
    let format = match ext {
        "xml" => Format::Xml,
        "json" => Format::Json,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, format))
}

/// Open311 knows two statuses; ours are finer (the note tells the rest).
pub fn status(state: &str) -> &'static str {
    if COMPLAINT.closed.contains(&state) {
        "closed"
    } else {
        "open"
    }
}

/// mySociety's extended statuses for `servicerequestupdates`, which FixMyStreet
/// maps to its own.
pub fn update_status(state: &str) -> &'static str {
    match state {
        "in_progress" => "IN_PROGRESS",
        "investigating" => "INVESTIGATING",
        "action_scheduled" => "ACTION_SCHEDULED",
        "resolved" => "FIXED",
        "rejected" => "NO_FURTHER_ACTION",
        "outside_remit" => "NOT_COUNCILS_RESPONSIBILITY",
        "duplicate" => "DUPLICATE",
        "withdrawn" => "CLOSED",
        // received, not_clear (waiting for the reporter)
        _ => "OPEN",
    }
}

/// Why a request's parameters were refused: the text of the specification's
/// `<error><description>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl Invalid {
    fn new(text: impl Into<String>) -> Invalid {
        Invalid(text.into())
    }
}

/// A date-time parameter: ISO 8601 as the W3C note profiles it, with its time
/// zone (`2026-11-28T10:00:00+01:00`, `…Z`), or a bare date (midnight UTC).
pub fn parse_datetime(name: &str, raw: &str) -> Result<OffsetDateTime, Invalid> {
    // A `+` of an offset sent unencoded in a query string arrives as a space.
    let v = raw.trim().replace(' ', "+");
    let parsed = OffsetDateTime::parse(&v, &Rfc3339)
        .ok()
        // W3C-DTF also allows minutes without seconds: `1997-07-16T19:20+01:00`.
        .or_else(|| without_seconds(&v))
        .or_else(|| {
            let date = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(&v, &date)
                .ok()
                .map(|d| PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc())
        });
    match parsed {
        // Far enough from the edges of the representable range that adding a
        // window or changing the offset cannot overflow.
        Some(t) if (1970..=9000).contains(&t.year()) => Ok(t),
        _ => Err(Invalid::new(format!(
            "{name} must be an ISO 8601 date-time with a time zone, such as 2026-11-28T10:00:00Z"
        ))),
    }
}

fn without_seconds(v: &str) -> Option<OffsetDateTime> {
    // `YYYY-MM-DDThh:mm` is 16 characters; the zone follows.
    let head = v.get(..16)?;
    let zone = v.get(16..)?;
    if zone.is_empty() || zone.starts_with(':') {
        return None;
    }
    OffsetDateTime::parse(&format!("{head}:00{zone}"), &Rfc3339).ok()
}

/// The window of a search by `requested_datetime`: both ends
/// given, at most 90 days apart; one end given, 90 days from it; none, the last
/// 90 days.
pub fn window(
    start: Option<&str>,
    end: Option<&str>,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), Invalid> {
    dated_window(start, end, now, Some(Duration::days(WINDOW_DAYS)))
}

/// The window of `servicerequestupdates` (mySociety), which sets no widest span:
/// both ends as given; only `start_date`, from it to now; only `end_date`, the 90
/// days before it; none, the last 90 days. The answer is capped in number instead
/// (a client moves `start_date` on to read further).
pub fn updates_window(
    start: Option<&str>,
    end: Option<&str>,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), Invalid> {
    dated_window(start, end, now, None)
}

/// `start_date`/`end_date` as a window; `widest`, if any, bounds its span and is
/// the span after a lone `start_date` (otherwise that runs to now).
fn dated_window(
    start: Option<&str>,
    end: Option<&str>,
    now: OffsetDateTime,
    widest: Option<Duration>,
) -> Result<(OffsetDateTime, OffsetDateTime), Invalid> {
    let default = Duration::days(WINDOW_DAYS);
    let start = start.map(|s| parse_datetime("start_date", s)).transpose()?;
    let end = end.map(|e| parse_datetime("end_date", e)).transpose()?;
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, widest.map_or(now.max(s), |w| s + w)),
        (None, Some(e)) => (e - default, e),
        (None, None) => (now - default, now),
    };
    if from > to {
        return Err(Invalid::new("start_date must not be after end_date"));
    }
    if widest.is_some_and(|w| to - from > w) {
        return Err(Invalid::new(
            "start_date and end_date may not span more than 90 days",
        ));
    }
    Ok((from, to))
}

/// A time as stored and shown: RFC 3339 in UTC, to the second (`…Z`).
pub fn utc(t: OffsetDateTime) -> String {
    crate::clock::rfc3339(t)
}

/// A comma-delimited list parameter (`service_code=a,b`): trimmed, no empties.
pub fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `status=open,closed`: which of the two to keep. `None`: both.
pub fn parse_status_filter(raw: &str) -> Result<Option<&'static str>, Invalid> {
    let mut open = false;
    let mut closed = false;
    for s in list(raw) {
        match s.to_ascii_lowercase().as_str() {
            "open" => open = true,
            "closed" => closed = true,
            _ => return Err(Invalid::new("status must be open, closed or both")),
        }
    }
    Ok(match (open, closed) {
        (true, false) => Some("open"),
        (false, true) => Some("closed"),
        _ => None,
    })
}

/// A form field naming an attribute: `attribute[CODE]` or, for a multi-value
/// list, `attribute[CODE][]`. Returns the code.
pub fn attribute_code(field: &str) -> Option<&str> {
    let inner = field.strip_prefix("attribute[")?;
    let inner = inner.strip_suffix("[]").unwrap_or(inner);
    let code = inner.strip_suffix(']')?;
    (!code.is_empty() && !code.contains(['[', ']'])).then_some(code)
}

/// A request's free text (description, names): at most `max` characters, line
/// breaks allowed, no other control characters (XML could not carry them).
pub fn parse_text(name: &str, raw: &str, max: usize) -> Result<Option<String>, Invalid> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(Invalid::new(format!(
            "{name} may not be longer than {max} characters"
        )));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Invalid::new(format!("{name} contains control characters")));
    }
    Ok(Some(v.to_owned()))
}

/// A `media_url`: an absolute http(s) URL of a photo hosted by the client.
pub fn parse_media_url(raw: &str) -> Result<Option<String>, Invalid> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let ok = v.len() <= 1000
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'));
    if ok {
        Ok(Some(v.to_owned()))
    } else {
        Err(Invalid::new(
            "media_url must be an absolute http or https URL",
        ))
    }
}

/// Where an Open311 request came from: the client (API key) and what it told
/// about the person. Staff see it; the public never does.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// `key_…` of the API key it came with.
    pub key_id: String,
    /// The client's name, as the municipality registered it ("FixMyStreet").
    pub client: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The client's own ids of the person and the device.
    pub account_id: Option<String>,
    pub device_id: Option<String>,
    /// A photo the client hosts.
    pub media_url: Option<String>,
}

/// A new API key: its id, the secret the client keeps (shown once) and the
/// digest we store. The key given out is `<id>.<secret>`.
pub struct NewKey {
    pub id: Id,
    pub api_key: String,
    pub digest: String,
}

pub fn new_key() -> Result<NewKey, getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let id = Id::generate("key");
    Ok(NewKey {
        api_key: format!("{id}.{secret}"),
        digest: key_digest(&secret),
        id,
    })
}

/// The digest stored for a key's secret. The secret is 256 random bits: a plain
/// hash cannot be reversed nor guessed, so no slow hash is needed.
pub fn key_digest(secret: &str) -> String {
    crate::domain::hex(&Sha256::digest(secret.as_bytes()))
}

/// An `api_key` as given: its id and secret; `None` if it is not one of ours.
pub fn parse_key(raw: &str) -> Option<(Id, &str)> {
    let (id, secret) = raw.trim().split_once('.')?;
    let id = Id::parse("key", id).ok()?;
    (secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some((id, secret))
}

/// Do two digests match? In constant time, so timing tells nothing.
pub fn digests_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An API key of a municipality's Open311 server, as stored.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// `key_…`
    pub id: String,
    /// Who uses it ("FixMyStreet Tunisie", "Back-office SIG").
    pub name: String,
    /// SHA-256 of the secret, hex. The secret itself is never stored.
    pub digest: String,
    /// The `usr_…` its requests are filed as: an id without an account, so that
    /// nobody is notified in the client's place and "mine" lists stay personal.
    pub client_user: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// A state change of a complaint, for `servicerequestupdates`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseUpdate {
    pub case: String,
    pub entry: HistoryEntry,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_come_from_the_suffix() {
        assert_eq!(
            split_format("requests.xml"),
            Some(("requests", Format::Xml))
        );
        assert_eq!(split_format("cmp_01.json"), Some(("cmp_01", Format::Json)));
        assert_eq!(split_format("requests"), None);
        assert_eq!(split_format("requests.html"), None);
        assert_eq!(split_format(".xml"), None);
    }

    #[test]
    fn every_state_is_open_or_closed_and_has_an_update_status() {
        for s in COMPLAINT.states {
            let st = status(s);
            assert!(st == "open" || st == "closed", "{s}");
            assert!(!update_status(s).is_empty());
        }
        assert_eq!(status("received"), "open");
        assert_eq!(status("not_clear"), "open");
        assert_eq!(status("resolved"), "closed");
        assert_eq!(status("duplicate"), "closed");
        assert_eq!(update_status("resolved"), "FIXED");
        assert_eq!(
            update_status("outside_remit"),
            "NOT_COUNCILS_RESPONSIBILITY"
        );
        assert_eq!(update_status("received"), "OPEN");
    }

    #[test]
    fn dates_need_a_time_zone() {
        assert_eq!(
            parse_datetime("d", "2026-11-28T10:00:00+01:00").unwrap(),
            datetime!(2026-11-28 09:00 UTC)
        );
        assert_eq!(
            parse_datetime("d", "2026-11-28T09:00:00Z").unwrap(),
            datetime!(2026-11-28 09:00 UTC)
        );
        assert_eq!(
            parse_datetime("d", "2026-11-28T10:00+01:00").unwrap(),
            datetime!(2026-11-28 09:00 UTC)
        );
        assert_eq!(
            parse_datetime("d", "2026-11-28").unwrap(),
            datetime!(2026-11-28 00:00 UTC)
        );
        assert!(parse_datetime("d", "2026-11-28T10:00:00").is_err());
        assert!(parse_datetime("d", "yesterday").is_err());
        assert!(parse_datetime("d", "2026-13-01T00:00:00Z").is_err());
        // An unencoded `+` arrives as a space.
        assert_eq!(
            parse_datetime("d", "2026-11-28T10:00:00 01:00").unwrap(),
            datetime!(2026-11-28 09:00 UTC)
        );
        // Nothing at the edges of the range, no slicing inside a character.
        assert!(parse_datetime("d", "9999-12-31T23:00:00-05:00").is_err());
        assert!(parse_datetime("d", "2026-11-28T10:0é+01:00").is_err());
        assert!(
            window(
                Some("9999-12-31T00:00:00Z"),
                None,
                datetime!(2026-11-28 12:00 UTC)
            )
            .is_err()
        );
    }

    #[test]
    fn the_updates_window_has_no_widest_span() {
        let now = datetime!(2026-11-28 12:00 UTC);
        assert_eq!(
            updates_window(
                Some("2025-01-01T00:00:00Z"),
                Some("2026-11-29T00:00:00Z"),
                now
            )
            .unwrap(),
            (
                datetime!(2025-01-01 00:00 UTC),
                datetime!(2026-11-29 00:00 UTC)
            )
        );
        assert_eq!(
            updates_window(Some("2026-01-01T00:00:00+01:00"), None, now).unwrap(),
            (datetime!(2025-12-31 23:00 UTC), now)
        );
        assert_eq!(
            updates_window(None, None, now).unwrap(),
            (now - Duration::days(90), now)
        );
        assert_eq!(
            updates_window(None, Some("2026-11-01T00:00:00Z"), now).unwrap(),
            (
                datetime!(2026-08-03 00:00 UTC),
                datetime!(2026-11-01 00:00 UTC)
            )
        );
        assert!(
            updates_window(
                Some("2026-11-02T00:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                now
            )
            .is_err()
        );
        assert!(updates_window(Some("yesterday"), None, now).is_err());
    }

    #[test]
    fn the_window_is_90_days_at_most() {
        let now = datetime!(2026-11-28 12:00 UTC);
        assert_eq!(
            window(None, None, now).unwrap(),
            (datetime!(2026-08-30 12:00 UTC), now)
        );
        assert_eq!(
            window(Some("2026-11-01T00:00:00Z"), None, now).unwrap(),
            (
                datetime!(2026-11-01 00:00 UTC),
                datetime!(2027-01-30 00:00 UTC)
            )
        );
        assert_eq!(
            window(None, Some("2026-11-01T00:00:00Z"), now).unwrap(),
            (
                datetime!(2026-08-03 00:00 UTC),
                datetime!(2026-11-01 00:00 UTC)
            )
        );
        assert!(
            window(
                Some("2026-01-01T00:00:00Z"),
                Some("2026-06-01T00:00:00Z"),
                now
            )
            .is_err()
        );
        assert!(
            window(
                Some("2026-11-02T00:00:00Z"),
                Some("2026-11-01T00:00:00Z"),
                now
            )
            .is_err()
        );
        assert!(
            window(
                Some("2026-09-01T00:00:00Z"),
                Some("2026-11-30T00:00:00Z"),
                now
            )
            .is_ok()
        );
        assert!(window(Some("bad"), None, now).is_err());
    }

    #[test]
    fn status_filters() {
        assert_eq!(parse_status_filter("open"), Ok(Some("open")));
        assert_eq!(parse_status_filter("Closed"), Ok(Some("closed")));
        assert_eq!(parse_status_filter("open,closed"), Ok(None));
        assert_eq!(parse_status_filter(""), Ok(None));
        assert!(parse_status_filter("fixed").is_err());
    }

    #[test]
    fn attribute_fields() {
        assert_eq!(
            attribute_code("attribute[subcategory]"),
            Some("subcategory")
        );
        assert_eq!(attribute_code("attribute[tags][]"), Some("tags"));
        assert_eq!(attribute_code("attribute[]"), None);
        assert_eq!(attribute_code("attribute[a][b]"), None);
        assert_eq!(attribute_code("attributes[a]"), None);
        assert_eq!(attribute_code("email"), None);
    }

    #[test]
    fn texts_and_urls() {
        assert_eq!(parse_text("d", "  ", 10), Ok(None));
        assert_eq!(parse_text("d", " a\nb ", 10), Ok(Some("a\nb".into())));
        assert!(parse_text("d", "a\u{0}b", 10).is_err());
        assert!(parse_text("d", &"x".repeat(11), 10).is_err());
        assert_eq!(
            parse_media_url("https://example.org/p.jpg"),
            Ok(Some("https://example.org/p.jpg".into()))
        );
        assert!(parse_media_url("javascript:alert(1)").is_err());
        assert!(parse_media_url("https:///p").is_err());
        assert!(parse_media_url("https://x/<p>").is_err());
    }

    #[test]
    fn keys_round_trip_and_only_the_digest_is_kept() {
        let k = new_key().unwrap();
        let (id, secret) = parse_key(&k.api_key).unwrap();
        assert_eq!(id, k.id);
        assert!(digests_match(&key_digest(secret), &k.digest));
        assert!(!k.digest.contains(secret));
        let other = new_key().unwrap();
        assert!(!digests_match(&other.digest, &k.digest));
        assert!(parse_key("key_nope.secret").is_none());
        assert!(parse_key(&format!("{}.short", k.id)).is_none());
        assert!(parse_key("").is_none());
    }
}
