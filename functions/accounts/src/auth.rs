//! Sign-in by SMS code, token refresh and sign-out, and the public key set.
//!
//! The answers never say whether a number has an account: a code is sent (or
//! refused for cooldown or cap) the same way for any number, and a wrong code is
//! wrong the same way.

use baladiya::domain::account::{self, Account, ActAs, HeldRoles};
use baladiya::domain::otp::{self, OtpState, SendDecision, VerifyOutcome};
use baladiya::domain::refresh::{self, FAMILY_IDLE_TTL, RefreshFamily, RefreshOutcome};
use baladiya::domain::{DomainError, Id, Lang, Phone};
use baladiya::http::Answer;
use baladiya::http::response::{json, no_content};
use baladiya::http::{AccessClaims, ApiError, RequestView, TokenSigner};
use baladiya::store::StoreError;
use baladiya::store::accounts::OtpWriteError;
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Deserialize;

use crate::Ctx;
use crate::views::{RoleView, TokenView};

fn too_many(code: &'static str, retry_after: u64) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, code).with_retry_after(retry_after.max(1))
}

/// A code that does not sign in, whatever the reason.
fn otp_refused() -> ApiError {
    ApiError::bad_request("otp_invalid")
}

fn refresh_invalid() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "refresh_token_invalid")
}

/// A phone number sign-in SMS may go to.
fn parse_sms_phone(ctx: &Ctx, raw: &str) -> Result<Phone, ApiError> {
    let phone = Phone::parse(raw)?;
    if !account::sms_allowed(&phone, &ctx.settings.sms_countries) {
        return Err(DomainError::invalid("phone", "country_not_served").into());
    }
    Ok(phone)
}

fn utc_day(now: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(now as i64)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    phone: String,
    lang: Option<Lang>,
}

/// `POST /v1/auth/otp`: send a sign-in code by SMS.
pub async fn request_code(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let body: CodeRequest = view.json()?;
    let phone = parse_sms_phone(ctx, &body.phone)?;
    let lang = body.lang.unwrap_or(view.lang);
    let keys = ctx.keys().await?;
    let digest = account::phone_digest(&keys.phone_key, &phone);
    let now = view.now_secs();
    let previous = ctx.store.get_otp(&digest).await?;
    let code = otp::new_code().map_err(|_| ApiError::internal())?;
    let hash = otp::code_hash(&keys.phone_key, &phone, &code);
    let next = match otp::decide_send(previous.as_ref(), hash, now, &ctx.otp) {
        SendDecision::Send(state) => OtpState {
            lang: Some(lang),
            ..state
        },
        SendDecision::Cooldown { retry_after } => {
            return Err(too_many("otp_cooldown", retry_after));
        }
        SendDecision::CapReached { retry_after } => {
            return Err(too_many("otp_rate_limited", retry_after));
        }
    };
    // One client address (a script cycling through numbers) gets a bounded number
    // of codes an hour, whatever the numbers.
    if let Some(address) = view.source_ip() {
        let digest = account::client_digest(&keys.phone_key, address);
        let hour = now / 3600;
        if ctx
            .store
            .count_client(&digest, hour, ctx.settings.client_hourly_cap)
            .await?
            .is_none()
        {
            return Err(too_many("too_many_requests", (hour + 1) * 3600 - now));
        }
    }
    // Store the state first: two concurrent requests cannot both pass the cooldown.
    match ctx.store.put_otp(&digest, &next, previous.as_ref()).await {
        Ok(()) => {}
        Err(OtpWriteError::Raced) => return Err(too_many("otp_cooldown", ctx.otp.cooldown)),
        Err(OtpWriteError::Store(e)) => return Err(e.into()),
    }
    // The platform-wide daily budget, counted only for SMS about to be sent.
    let cap = ctx.settings.sms_daily_cap;
    match ctx
        .store
        .count_sms(&utc_day(now), cap, now + 3 * 86_400)
        .await
    {
        Ok(Some(sent)) => {
            if sent == cap * 8 / 10 || sent == cap {
                alert_operator(ctx, sent, cap).await;
            }
        }
        Ok(None) => {
            restore(ctx, &digest, &next, previous.as_ref()).await;
            return Err(
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "sms_budget_exhausted")
                    .with_retry_after(3600),
            );
        }
        Err(e) => {
            restore(ctx, &digest, &next, previous.as_ref()).await;
            return Err(e.into());
        }
    }
    if ctx
        .notifier
        .send_sms(&phone, &otp::sms_text(lang, &code))
        .await
        .is_err()
    {
        // The cooldown and the count stay: retrying while SNS fails must not
        // spend the platform's budget faster than sending would.
        return Err(ApiError::unavailable().with_retry_after(ctx.otp.cooldown));
    }
    #[derive(serde::Serialize)]
    struct Sent {
        expires_in: u64,
        retry_after: u64,
        length: usize,
    }
    json(
        StatusCode::ACCEPTED,
        &Sent {
            expires_in: ctx.otp.ttl,
            retry_after: ctx.otp.cooldown,
            length: 6,
        },
    )
}

/// Undo a stored code state whose SMS never left (best effort: a failure only
/// leaves the cooldown in place).
async fn restore(ctx: &Ctx, digest: &str, stored: &OtpState, previous: Option<&OtpState>) {
    let res = match previous {
        Some(p) => ctx
            .store
            .put_otp(digest, p, Some(stored))
            .await
            .map_err(|_| ()),
        None => ctx.store.delete_otp(digest).await.map_err(|_| ()),
    };
    if res.is_err() {
        tracing::warn!("could not restore a sign-in code state");
    }
}

async fn alert_operator(ctx: &Ctx, sent: u64, cap: u64) {
    let Some(topic) = &ctx.settings.alerts_topic else {
        return;
    };
    let text = format!(
        "Baladiya: {sent} of the {cap} sign-in SMS allowed today are sent. \
         At the cap, sign-in codes stop until midnight UTC (BALADIYA_SMS_DAILY_CAP)."
    );
    if ctx
        .notifier
        .publish(topic, "Baladiya SMS budget", &text)
        .await
        .is_err()
    {
        tracing::error!(
            sent,
            cap,
            "could not alert the operator about the SMS budget"
        );
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    phone: String,
    code: String,
    role: Option<String>,
    municipality: Option<String>,
}

fn requested_role(
    role: Option<&str>,
    municipality: Option<&str>,
) -> Result<Option<ActAs>, ApiError> {
    match (role, municipality) {
        (None, None) => Ok(None),
        (None, Some(m)) => Ok(Some(ActAs::parse("staff", Some(m))?)),
        (Some(r), m) => Ok(Some(ActAs::parse(r, m)?)),
    }
}

/// `POST /v1/auth/token`: exchange a phone number and its code for tokens. The
/// first success creates the account.
pub async fn sign_in(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let body: SignInRequest = view.json()?;
    let phone = parse_sms_phone(ctx, &body.phone)?;
    let code = body.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainError::invalid("code", "format").into());
    }
    let requested = requested_role(body.role.as_deref(), body.municipality.as_deref())?;
    let keys = ctx.keys().await?;
    let digest = account::phone_digest(&keys.phone_key, &phone);
    let now = view.now_secs();
    let Some(state) = ctx.store.get_otp(&digest).await? else {
        return Err(otp_refused());
    };
    let submitted = otp::code_hash(&keys.phone_key, &phone, code);
    let (outcome, next) = otp::verify(&state, &submitted, now, &ctx.otp);
    // The right code with a role the number does not hold: refused before the code
    // is spent, so the person can sign in with it in the right role.
    let roles = if outcome == VerifyOutcome::Accepted {
        let roles = ctx.store.roles_by_phone(&phone).await?;
        if let Some(r) = &requested
            && !roles.holds(r)
        {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "role_not_held"));
        }
        Some(roles)
    } else {
        None
    };
    if next != state {
        // Every try counts, and a code is used once: a concurrent request that
        // changed the state first makes this one lose.
        match ctx.store.put_otp(&digest, &next, Some(&state)).await {
            Ok(()) => {}
            // The right code used at the same moment by another request (spent),
            // or a wrong one (still wrong, whatever the other request did).
            Err(OtpWriteError::Raced) => return Err(otp_refused()),
            Err(OtpWriteError::Store(e)) => return Err(e.into()),
        }
    }
    // Wrong, burnt, used or expired: one answer, so that nobody learns from it
    // whether a number signed in lately or has a code pending.
    if outcome != VerifyOutcome::Accepted {
        return Err(otp_refused());
    }
    // A new account speaks the language the code was asked in.
    let lang = state.lang.unwrap_or(view.lang);
    let (user, new_account) =
        find_or_create_account(ctx, &digest, &phone, lang, &view.now_rfc3339()).await?;
    let roles = roles.ok_or_else(ApiError::internal)?;
    let act = roles
        .choose(requested.as_ref())
        .map_err(|_| ApiError::new(StatusCode::FORBIDDEN, "role_not_held"))?;
    let family = ulid::Ulid::new().to_string();
    let token = refresh::new_token(&family).map_err(|_| ApiError::internal())?;
    let session = refresh::start(&family, user.as_str(), act.code(), &token, now);
    match ctx.store.create_session(&session).await {
        Ok(()) => {}
        // Erased between the lookup and now.
        Err(StoreError::NotFound) => return Err(otp_refused()),
        Err(e) => return Err(e.into()),
    }
    answer_tokens(ctx, &keys.signer, &user, &act, &roles, token, new_account).await
}

async fn find_or_create_account(
    ctx: &Ctx,
    digest: &str,
    phone: &Phone,
    lang: Lang,
    now: &str,
) -> Result<(Id, bool), ApiError> {
    if let Some(user) = ctx.store.account_by_phone(digest).await? {
        return Ok((user, false));
    }
    let account = Account::new(Id::generate("usr"), phone.clone(), lang, now);
    match ctx.store.create_account(digest, &account).await {
        Ok(()) => Ok((account.id, true)),
        // Created a moment ago by a concurrent sign-in of the same person.
        Err(StoreError::AlreadyExists) => ctx
            .store
            .account_by_phone(digest)
            .await?
            .map(|u| (u, false))
            .ok_or_else(ApiError::internal),
        Err(e) => Err(e.into()),
    }
}

async fn answer_tokens(
    ctx: &Ctx,
    signer: &TokenSigner,
    user: &Id,
    act: &ActAs,
    roles: &HeldRoles,
    refresh_token: String,
    new_account: bool,
) -> Answer {
    let principal = roles.principal(user, act).ok_or_else(ApiError::internal)?;
    let mut claims = AccessClaims::for_principal(&principal, &ctx.issuer, ctx.settings.access_ttl);
    // A token issued the second a revocation was written would be refused
    // with the ones it revoked: say it was issued after.
    claims.iat = ctx
        .store
        .revocations()
        .await?
        .issued_at_for(&principal, claims.iat);
    let access_token = signer.sign(&claims).map_err(|_| ApiError::internal())?;
    json(
        StatusCode::OK,
        &TokenView {
            access_token,
            token_type: "Bearer",
            expires_in: ctx.settings.access_ttl,
            refresh_token,
            refresh_expires_in: FAMILY_IDLE_TTL,
            user_id: user.to_string(),
            acting: RoleView::from(act),
            roles: roles.available().iter().map(RoleView::from).collect(),
            new_account,
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: String,
    role: Option<String>,
    municipality: Option<String>,
}

/// `POST /v1/auth/refresh`: rotate a refresh token, optionally switching role.
/// An old token of the session revokes the whole session.
pub async fn refresh(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let body: RefreshRequest = view.json()?;
    let requested = requested_role(body.role.as_deref(), body.municipality.as_deref())?;
    // Before anything changes: a new token must be signable.
    let keys = ctx.keys().await?;
    let presented = body.refresh_token.trim();
    let (family_id, _) = refresh::split(presented).ok_or_else(refresh_invalid)?;
    let family = ctx
        .store
        .get_session(family_id)
        .await?
        .ok_or_else(refresh_invalid)?;
    let now = view.now_secs();
    match refresh::check(&family, presented, now) {
        RefreshOutcome::Rotate => {}
        RefreshOutcome::Reused => {
            ctx.store.revoke_session(&family.family).await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reused",
            ));
        }
        RefreshOutcome::Expired | RefreshOutcome::Revoked => return Err(refresh_invalid()),
    }
    let user = Id::parse("usr", &family.user).map_err(|_| ApiError::internal())?;
    let Some(account) = ctx.store.get_account(&user, true).await? else {
        // Erased since: the session dies with it.
        ctx.store.delete_session(&family.family).await?;
        return Err(refresh_invalid());
    };
    // Roles are read again: a permission change or a removal takes effect at the
    // next refresh at the latest.
    let roles = ctx.store.roles_by_phone(&account.phone).await?;
    let act = match requested {
        Some(r) => roles
            .choose(Some(&r))
            .map_err(|_| ApiError::new(StatusCode::FORBIDDEN, "role_not_held"))?,
        None => {
            let act = ActAs::from_code(&family.act_as).unwrap_or(ActAs::Citizen);
            if !roles.holds(&act) {
                ctx.store.revoke_session(&family.family).await?;
                return Err(ApiError::new(StatusCode::UNAUTHORIZED, "role_revoked"));
            }
            act
        }
    };
    let token = refresh::new_token(&family.family).map_err(|_| ApiError::internal())?;
    let next = RefreshFamily {
        act_as: act.code(),
        ..refresh::rotated(&family, &token, now)
    };
    match ctx.store.rotate_session(&next, &family.current_hash).await {
        Ok(()) => {}
        // The same token was refreshed concurrently: it was used twice.
        Err(StoreError::VersionConflict) => {
            ctx.store.revoke_session(&family.family).await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reused",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    answer_tokens(ctx, &keys.signer, &user, &act, &roles, token, false).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOutRequest {
    refresh_token: Option<String>,
    /// Sign out every session of the caller (needs the bearer token).
    #[serde(default)]
    all: bool,
}

/// `POST /v1/auth/logout`: end this session (by its refresh token) or, with
/// `all`, every session of the caller. Always 204: signing out twice is fine.
pub async fn sign_out(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let body: SignOutRequest = view.json()?;
    if body.all {
        let who = view.principal(&ctx.verifier)?;
        for s in ctx.store.sessions_of(who.user()).await? {
            ctx.store.delete_session(&s.family).await?;
        }
        return no_content();
    }
    let Some(presented) = body.refresh_token.as_deref().map(str::trim) else {
        return Err(DomainError::invalid("refresh_token", "required").into());
    };
    if let Some((family_id, _)) = refresh::split(presented)
        && let Some(family) = ctx.store.get_session(family_id).await?
        && refresh::hash(presented) == family.current_hash
    {
        ctx.store.delete_session(&family.family).await?;
    }
    no_content()
}

/// `GET /.well-known/jwks.json`: the public keys that verify access tokens. During
/// a key rotation it lists both the current and the next key.
pub fn jwks(ctx: &Ctx, _view: &RequestView<'_>) -> Answer {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/jwk-set+json")
        .header("cache-control", "public, max-age=300")
        .body(Body::Text(ctx.jwks.clone()))
        .map_err(|_| ApiError::internal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_796_000_000), "2026-11-30");
    }

    #[test]
    fn a_role_is_asked_for_by_name_or_by_municipality() {
        assert_eq!(requested_role(None, None).unwrap(), None);
        assert!(matches!(
            requested_role(None, Some("tunis")).unwrap(),
            Some(ActAs::Staff(_))
        ));
        assert_eq!(
            requested_role(Some("citizen"), None).unwrap(),
            Some(ActAs::Citizen)
        );
        assert!(requested_role(Some("staff"), None).is_err());
        assert!(requested_role(Some("root"), None).is_err());
    }
}
