//! The `accounts` function: sign-in by SMS code, access and refresh tokens, the
//! public key set, the person's profile, devices and follows, and their data rights
//! (export, erasure).
//!
//! It is the only holder of the token signing key, which it reads once per cold
//! start from the secret named by `BALADIYA_SIGNING_SECRET`.

mod auth;
mod me;
mod settings;
mod views;

use std::time::Instant;

use baladiya::config::{Aws, Config};
use baladiya::domain::otp::OtpPolicy;
use baladiya::http::router::{self, Route};
use baladiya::http::{ApiError, CursorCodec, RequestView, TokenSigner, TokenVerifier};
use baladiya::notify::Notifier;
use baladiya::store::Store;
use lambda_http::{Body, Request, Response};

pub use settings::{SettingsError, SigningSecret};

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub signer: TokenSigner,
    /// The JWKS document published at `/.well-known/jwks.json`.
    pub jwks: String,
    pub issuer: String,
    /// Key of the phone-number digests and of the sign-in code hashes.
    pub phone_key: Vec<u8>,
    pub notifier: Notifier,
    pub otp: OtpPolicy,
    pub settings: settings::Settings,
    pub cursors: CursorCodec,
}

impl Ctx {
    /// From the environment and the signing secret (one Secrets Manager call).
    pub async fn from_env() -> Result<Ctx, SettingsError> {
        let config = Config::from_env().map_err(|e| SettingsError(e.to_string()))?;
        let aws = Aws::from_env().map_err(|e| SettingsError(e.to_string()))?;
        let settings = settings::Settings::from_lookup(|k| std::env::var(k).ok())?;
        let secret = SigningSecret::fetch(&aws.secrets(), &settings.signing_secret).await?;
        Ctx::new(&config, settings, secret, &aws)
    }

    pub fn new(
        config: &Config,
        settings: settings::Settings,
        secret: SigningSecret,
        aws: &Aws,
    ) -> Result<Ctx, SettingsError> {
        let signer = TokenSigner::from_ed_pem(&secret.kid, secret.private_key_pem.as_bytes())
            .map_err(|e| SettingsError(format!("signing key: {e}")))?;
        let verifier = TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)
            .map_err(|e| SettingsError(format!("BALADIYA_JWKS: {e}")))?;
        settings::check_key_is_published(&signer, &config.jwks)?;
        Ok(Ctx {
            store: Store::new(aws.dynamodb(), &config.table),
            verifier,
            signer,
            jwks: config.jwks.clone(),
            issuer: config.token_issuer.clone(),
            phone_key: secret.phone_key.into_bytes(),
            notifier: Notifier::new(aws.sns(), settings.sms_sender_id.clone()),
            otp: OtpPolicy::default(),
            settings,
            cursors: CursorCodec::new(&config.cursor_key),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    RequestCode,
    SignIn,
    Refresh,
    SignOut,
    Jwks,
    GetMe,
    UpdateMe,
    Follow,
    Unfollow,
    AddDevice,
    RemoveDevice,
    Export,
    Notifications,
    Erase,
}

/// This function's routes: the one list `template.yaml`, the local router table
/// (`Cargo.toml`) and `openapi.yaml` are checked against.
pub static ROUTES: &[Route<Op>] = &[
    Route {
        method: "POST",
        path: "/v1/auth/otp",
        op: Op::RequestCode,
    },
    Route {
        method: "POST",
        path: "/v1/auth/token",
        op: Op::SignIn,
    },
    Route {
        method: "POST",
        path: "/v1/auth/refresh",
        op: Op::Refresh,
    },
    Route {
        method: "POST",
        path: "/v1/auth/logout",
        op: Op::SignOut,
    },
    Route {
        method: "GET",
        path: "/.well-known/jwks.json",
        op: Op::Jwks,
    },
    Route {
        method: "GET",
        path: "/v1/me",
        op: Op::GetMe,
    },
    Route {
        method: "PATCH",
        path: "/v1/me",
        op: Op::UpdateMe,
    },
    Route {
        method: "DELETE",
        path: "/v1/me",
        op: Op::Erase,
    },
    Route {
        method: "PUT",
        path: "/v1/me/follows/{m}",
        op: Op::Follow,
    },
    Route {
        method: "DELETE",
        path: "/v1/me/follows/{m}",
        op: Op::Unfollow,
    },
    Route {
        method: "POST",
        path: "/v1/me/devices",
        op: Op::AddDevice,
    },
    Route {
        method: "DELETE",
        path: "/v1/me/devices/{id}",
        op: Op::RemoveDevice,
    },
    Route {
        method: "GET",
        path: "/v1/me/export",
        op: Op::Export,
    },
    Route {
        method: "GET",
        path: "/v1/me/notifications",
        op: Op::Notifications,
    },
];

/// Serve one request. Never fails: every error becomes a problem+json answer.
/// Only the method, the route template, the status and the time are logged: never
/// a path (ids), a body (phone numbers, codes) or a header (tokens).
pub async fn handle(ctx: &Ctx, req: Request) -> Response<Body> {
    let started = Instant::now();
    let view = RequestView::new(&req);
    let matched = router::route(ROUTES, view.method(), view.path());
    let route = matched.as_ref().map_or("unmatched", |m| m.template);
    let result = match matched {
        Ok(m) => dispatch(ctx, &view, m).await,
        Err(e) => Err(e),
    };
    let response = result.unwrap_or_else(|e| e.into_response(view.lang));
    router::log_request(view.method(), route, response.status(), started);
    response
}

async fn dispatch(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: router::RouteMatch<Op>,
) -> Result<Response<Body>, ApiError> {
    match m.op {
        Op::RequestCode => auth::request_code(ctx, view).await,
        Op::SignIn => auth::sign_in(ctx, view).await,
        Op::Refresh => auth::refresh(ctx, view).await,
        Op::SignOut => auth::sign_out(ctx, view).await,
        Op::Jwks => auth::jwks(ctx, view),
        Op::GetMe => me::get(ctx, view).await,
        Op::UpdateMe => me::update(ctx, view).await,
        Op::Erase => me::erase(ctx, view).await,
        Op::Follow => me::follow(ctx, view, m.param("m")).await,
        Op::Unfollow => me::unfollow(ctx, view, m.param("m")).await,
        Op::AddDevice => me::add_device(ctx, view).await,
        Op::RemoveDevice => me::remove_device(ctx, view, m.param("id")).await,
        Op::Export => me::export(ctx, view).await,
        Op::Notifications => me::notifications(ctx, view).await,
    }
}
