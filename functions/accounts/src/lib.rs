//! The `accounts` function: sign-in by SMS code, access and refresh tokens, the
//! public key set, the person's profile, devices and follows, and their data rights
//! (export, erasure).
//!
//! It is the only holder of the token signing key, which it reads from the
//! secret named by `BALADIYA_SIGNING_SECRET` on the first request that needs it
//! (sign-in, refresh, export, erasure), once per container: a cold start that
//! serves the key set or a profile does not wait for Secrets Manager.

mod auth;
mod devices;
mod me;
mod notifications;
mod settings;
mod views;

use baladiya::config::{Aws, Config};
use baladiya::domain::otp::OtpPolicy;
use baladiya::http::Answer;
use baladiya::http::router::RouteMatch;
use baladiya::http::serve::Base;
use baladiya::http::{ApiError, RequestView, TokenSigner};
use baladiya::notify::Notifier;

pub use settings::{Settings, SettingsError, SigningSecret};

/// The keys of the signing secret, as the routes that sign or digest use them.
pub struct Keys {
    pub signer: TokenSigner,
    /// Key of the phone-number digests and of the sign-in code hashes.
    pub phone_key: Vec<u8>,
}

impl Keys {
    /// The secret's keys, if its signing key is the published one.
    pub fn from_secret(secret: SigningSecret, jwks: &str) -> Result<Keys, SettingsError> {
        let signer = TokenSigner::from_ed_pem(&secret.kid, secret.private_key_pem.as_bytes())
            .map_err(|e| SettingsError(format!("signing key: {e}")))?;
        settings::check_key_is_published(&signer, jwks)?;
        Ok(Keys {
            signer,
            phone_key: secret.phone_key.into_bytes(),
        })
    }
}

/// What a handler needs, built once per cold start.
pub struct Ctx {
    pub base: Base,
    /// Read on first use ([`Ctx::keys`]), then kept for the container's life.
    keys: tokio::sync::OnceCell<Keys>,
    aws: Aws,
    /// The JWKS document published at `/.well-known/jwks.json`.
    pub jwks: String,
    pub issuer: String,
    pub notifier: Notifier,
    pub otp: OtpPolicy,
    pub settings: settings::Settings,
}

impl Ctx {
    /// From the environment; the signing secret is read on first use.
    pub async fn from_env() -> Result<Ctx, SettingsError> {
        let config = Config::from_env().map_err(|e| SettingsError(e.to_string()))?;
        let aws = Aws::from_env().map_err(|e| SettingsError(e.to_string()))?;
        Ctx::load(&config, &aws).await
    }

    /// The settings of the environment; the signing secret they name is read
    /// by the first request that needs it.
    pub async fn load(config: &Config, aws: &Aws) -> Result<Ctx, SettingsError> {
        let settings = settings::Settings::from_lookup(|k| std::env::var(k).ok())?;
        Ctx::lazy(config, settings, aws)
    }

    /// With `settings`; the secret they name is read on first use.
    pub fn lazy(
        config: &Config,
        settings: settings::Settings,
        aws: &Aws,
    ) -> Result<Ctx, SettingsError> {
        Ctx::build(config, settings, aws, None)
    }

    /// With the secret already in hand.
    pub fn new(
        config: &Config,
        settings: settings::Settings,
        secret: SigningSecret,
        aws: &Aws,
    ) -> Result<Ctx, SettingsError> {
        let keys = Keys::from_secret(secret, &config.jwks)?;
        Ctx::build(config, settings, aws, Some(keys))
    }

    fn build(
        config: &Config,
        settings: settings::Settings,
        aws: &Aws,
        keys: Option<Keys>,
    ) -> Result<Ctx, SettingsError> {
        let base =
            Base::new(config, aws).map_err(|e| SettingsError(format!("BALADIYA_JWKS: {e}")))?;
        Ok(Ctx {
            base,
            keys: tokio::sync::OnceCell::new_with(keys),
            aws: aws.clone(),
            jwks: config.jwks.clone(),
            issuer: config.token_issuer.clone(),
            notifier: Notifier::new(aws.sns(), settings.sms_sender_id.clone()),
            otp: OtpPolicy::default(),
            settings,
        })
    }

    /// The signing and phone-digest keys: one Secrets Manager call on the first
    /// use in a container. A secret that cannot be read, or whose key is not the
    /// published one, is logged and answered 503; the next request tries again.
    pub async fn keys(&self) -> Result<&Keys, ApiError> {
        self.keys
            .get_or_try_init(|| async {
                let secret = SigningSecret::fetch(&self.aws, &self.settings.signing_secret).await?;
                Keys::from_secret(secret, &self.jwks)
            })
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "the signing keys are not usable");
                ApiError::unavailable()
            })
    }
}

baladiya::routes! {
    Ctx => dispatch;
    RequestCode: post "/v1/auth/otp",
    SignIn: post "/v1/auth/token",
    Refresh: post "/v1/auth/refresh",
    SignOut: post "/v1/auth/logout",
    Jwks: get "/.well-known/jwks.json",
    GetMe: get "/v1/me",
    UpdateMe: patch "/v1/me",
    Erase: delete "/v1/me",
    Follow: put "/v1/me/follows/{m}",
    Unfollow: delete "/v1/me/follows/{m}",
    AddDevice: post "/v1/me/devices",
    RemoveDevice: delete "/v1/me/devices/{id}",
    Export: get "/v1/me/export",
    Notifications: get "/v1/me/notifications",
    ReadNotifications: post "/v1/me/notifications/read",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
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
        Op::AddDevice => devices::add_device(ctx, view).await,
        Op::RemoveDevice => devices::remove_device(ctx, view, m.param("id")).await,
        Op::Export => me::export(ctx, view).await,
        Op::Notifications => notifications::list(ctx, view).await,
        Op::ReadNotifications => notifications::read(ctx, view).await,
    }
}
