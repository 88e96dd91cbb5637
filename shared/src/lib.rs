//! Baladiya's domain crate, shared by every Lambda function.
//!
//! - [`domain`]: plain types and rules (ids, phone numbers, tenancy, roles, the case
//!   workflow). No AWS types; unit-tested without any network.
//! - [`http`]: the edge — problem+json errors, bearer tokens, cursors, body parsing,
//!   routing.
//! - [`store`]: the only DynamoDB code (key builders, item mapping, queries).
//! - [`files`] (S3) and [`notify`] (SNS): the other adapters.
//! - [`cases`]: the case flow (load → decide → write) every case function uses;
//!   [`uploads`]: files of any owner; both on top of the store and the files.
//! - [`config`] and [`telemetry`]: set up once per cold start.

pub mod cases;
pub mod clock;
pub mod config;
pub mod domain;
pub mod files;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod http;
pub mod notify;
pub mod store;
pub mod telemetry;
pub mod uploads;

pub use domain::error::DomainError;
/// For [`http_function!`]: the functions' own crate of the same name.
pub use lambda_http;
