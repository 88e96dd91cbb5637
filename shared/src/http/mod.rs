//! The HTTP edge: everything between an API Gateway request and the domain.
//!
//! Handlers parse their input here into typed values, and every failure becomes an
//! [`ApiError`], rendered as `application/problem+json` in exactly one place
//! ([`ApiError::into_response`]).

pub mod access;
pub mod auth;
pub mod cursor;
pub mod finish;
pub mod i18n;
pub mod paging;
pub mod patch;
pub mod problem;
pub mod public_url;
pub mod request;
pub mod response;
pub mod retry;
pub mod router;
pub mod serve;

pub use auth::{AccessClaims, TokenSigner, TokenVerifier};
pub use cursor::CursorCodec;
pub use problem::ApiError;
pub use request::{IdempotencyKey, RequestView};
pub use router::{Route, RouteMatch};

/// What a handler answers: a response, or the error that becomes one.
pub type Answer = Result<lambda_http::Response<lambda_http::Body>, ApiError>;
