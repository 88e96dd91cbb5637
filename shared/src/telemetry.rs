//! Structured JSON logs.
//!
//! Personal data never goes into a log: domain types that hold it ([`Phone`],
//! [`NationalId`]) mask themselves when formatted, tokens are never logged, and
//! request logs carry only the method, the route template, the status and timings.
//! The test command checks the local stack's logs for the phone numbers and tokens
//! its tests used.
//!
//! [`Phone`]: crate::domain::Phone
//! [`NationalId`]: crate::domain::NationalId

use tracing::Level;

/// The level named by `RUST_LOG` (`error`, `warn`, `info`, `debug`, `trace`;
/// default `info`). Per-module filters are not supported: they would bring a regex
/// engine into every binary.
pub fn level(raw: Option<&str>) -> Level {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        Some("error") => Level::ERROR,
        Some("warn") => Level::WARN,
        Some("debug") => Level::DEBUG,
        Some("trace") => Level::TRACE,
        _ => Level::INFO,
    }
}

/// Install the JSON subscriber once per cold start. Lambda adds its own
/// timestamps, so none here.
pub fn init() {
    let level = level(std::env::var("RUST_LOG").ok().as_deref());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .try_init();
}

/// DynamoDB calls made since the last request's log line: each function serves
/// one request at a time, so the count is that request's (`router::log_request`
/// logs it as `ddb_calls`; the e-ticket benchmark reads it).
static DDB_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The DynamoDB calls counted since the last call of this function.
pub fn take_ddb_calls() -> u64 {
    DDB_CALLS.swap(0, std::sync::atomic::Ordering::Relaxed)
}

/// Count one DynamoDB call (the client's interceptor, in `config`, calls it).
pub(crate) fn count_ddb_call() {
    DDB_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level(None), Level::INFO);
        assert_eq!(level(Some("DEBUG")), Level::DEBUG);
        assert_eq!(level(Some("warn")), Level::WARN);
        assert_eq!(level(Some("municipalities=debug")), Level::INFO);
    }
}
