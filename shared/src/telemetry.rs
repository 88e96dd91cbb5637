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

use tracing_subscriber::EnvFilter;

/// Install the JSON subscriber once per cold start. `RUST_LOG` sets the level
/// (default `info`). Lambda adds its own timestamps, so none here.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .try_init();
}
