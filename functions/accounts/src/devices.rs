//! The signed-in person's push devices: registering the app's token (and
//! moving a phone from another account only with a code sent to that phone),
//! and forgetting one.

use baladiya::domain::account::{self, Device, MAX_DEVICES, PushPlatform};
use baladiya::domain::device_claim::{self, CLAIM_SECS, ClaimCheck, DeviceClaim};
use baladiya::domain::{DomainError, Id, Principal};
use baladiya::http::Answer;
use baladiya::http::response::{created, json, no_content};
use baladiya::http::{ApiError, RequestView};
use baladiya::notify::{NotifyError, push_message};
use baladiya::store::StoreError;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Ctx;
use crate::me::limit_reached;
use crate::views::DeviceView;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    platform: PushPlatform,
    token: String,
    name: Option<String>,
    /// The code pushed to the device when another account holds it.
    confirmation: Option<String>,
}

/// `POST /v1/me/devices`: register the app's push token as an SNS platform
/// endpoint. Registering the same token again answers the existing device
/// (200). A token another account holds does not move on the caller's word:
/// a code goes to that device by push (202, nothing moves, its holder keeps
/// their notifications), and the same request with `confirmation` set to that
/// code moves it (201).
pub async fn add_device(ctx: &Ctx, view: &RequestView<'_>) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let body: NewDevice = view.json()?;
    let token = account::parse_push_token(&body.token)?;
    let name = body
        .name
        .as_deref()
        .map(|n| baladiya::domain::staff::parse_label(n, "name", 60))
        .transpose()?;
    let confirmation = body
        .confirmation
        .as_deref()
        .map(device_claim::parse_code)
        .transpose()?;
    let app = match body.platform {
        PushPlatform::Fcm => ctx.settings.fcm_app.as_deref(),
        PushPlatform::Apns => ctx.settings.apns_app.as_deref(),
    }
    .ok_or_else(|| ApiError::from(DomainError::invalid("platform", "not_configured")))?;
    let data = ctx.store.account_data(who.user()).await?;
    if data.account.is_none() {
        return Err(ApiError::not_found());
    }
    let endpoint = match ctx.notifier.register_device(app, token).await {
        Ok(arn) => arn,
        Err(NotifyError::Unreachable) => {
            return Err(DomainError::invalid("token", "rejected").into());
        }
        Err(NotifyError::Unavailable(_)) => return Err(ApiError::unavailable()),
    };
    if let Some(existing) = data.devices.iter().find(|d| d.endpoint_arn == endpoint) {
        enable(ctx, &endpoint).await?;
        return json(StatusCode::OK, &DeviceView::from(existing));
    }
    if data.devices.len() >= MAX_DEVICES {
        discard_endpoint(ctx, &endpoint).await;
        return Err(limit_reached(&format!("devices: {MAX_DEVICES}")));
    }
    let previous = ctx.store.endpoint_owner(&endpoint).await?;
    if let Some((holder, _)) = &previous
        && holder != who.user().as_str()
    {
        // Another account's phone: it moves only once the code it was sent
        // comes back. Nothing here touches the holder's endpoint.
        match confirmation {
            None => return send_claim(ctx, view, &who, &endpoint).await,
            Some(code) => prove_claim(ctx, view, &who, &endpoint, &code).await?,
        }
    }
    enable(ctx, &endpoint).await?;
    let device = Device {
        id: Id::generate("dev"),
        platform: body.platform,
        endpoint_arn: endpoint,
        name,
        created_at: view.now_rfc3339(),
    };
    if let Err(e) = ctx
        .store
        .put_device(who.user(), &device, previous.as_ref())
        .await
    {
        discard_endpoint(ctx, &device.endpoint_arn).await;
        return Err(e.into());
    }
    if previous.is_some() {
        // Used: a second request with the same code moves nothing again.
        let _ = ctx.store.drop_device_claim(&device.endpoint_arn).await;
    }
    let body =
        serde_json::to_string(&DeviceView::from(&device)).map_err(|_| ApiError::internal())?;
    created(&format!("/v1/me/devices/{}", device.id), body)
}

/// Re-enable an endpoint: a device registering its token again is reachable,
/// even if the platform once reported the old registration as stale.
async fn enable(ctx: &Ctx, endpoint: &str) -> Result<(), ApiError> {
    ctx.notifier
        .enable_device(endpoint)
        .await
        .map_err(|_| ApiError::unavailable())
}

#[derive(Serialize)]
struct ClaimSent {
    status: &'static str,
    expires_in: u64,
}

/// Push a fresh code to the device `who` claims, and record its digest.
async fn send_claim(ctx: &Ctx, view: &RequestView<'_>, who: &Principal, endpoint: &str) -> Answer {
    let earlier = ctx.store.device_claim(endpoint).await?;
    if let Some(wait) = device_claim::resend_after(earlier.as_ref(), view.now_secs()) {
        return Err(
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
                .with_retry_after(wait),
        );
    }
    let code = baladiya::domain::otp::new_code().map_err(|_| ApiError::unavailable())?;
    let key = &ctx.keys().await?.phone_key;
    let claim = DeviceClaim {
        user: who.user().to_string(),
        code_hash: device_claim::code_hash(key, endpoint, who.user().as_str(), &code),
        expires_at: view.now_secs() + CLAIM_SECS,
        tries: 0,
    };
    ctx.store.put_device_claim(endpoint, &claim).await?;
    let text = device_claim::push_text(view.lang, &code);
    let payload = push_message(&text, &json!({ "kind": "device_claim" }));
    match ctx.notifier.send_push(endpoint, &payload).await {
        Ok(_) => {}
        // The device is unreachable: nobody can read a code there.
        Err(NotifyError::Unreachable) => {
            return Err(DomainError::invalid("token", "rejected").into());
        }
        Err(NotifyError::Unavailable(_)) => return Err(ApiError::unavailable()),
    }
    json(
        StatusCode::ACCEPTED,
        &ClaimSent {
            status: "confirmation_sent",
            expires_in: CLAIM_SECS,
        },
    )
}

/// Check the code `who` sent back for `endpoint`: Ok once proven; a wrong code
/// counted (and refused), a claim not in force refused.
async fn prove_claim(
    ctx: &Ctx,
    view: &RequestView<'_>,
    who: &Principal,
    endpoint: &str,
    code: &str,
) -> Result<(), ApiError> {
    let claim = ctx.store.device_claim(endpoint).await?;
    let key = &ctx.keys().await?.phone_key;
    let hash = device_claim::code_hash(key, endpoint, who.user().as_str(), code);
    match device_claim::check(claim.as_ref(), who.user().as_str(), &hash, view.now_secs()) {
        ClaimCheck::Proven => Ok(()),
        ClaimCheck::Wrong { .. } => {
            if let Some(c) = &claim {
                match ctx.store.device_claim_failed(endpoint, c).await {
                    Ok(()) | Err(StoreError::VersionConflict) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Err(DomainError::invalid("confirmation", "mismatch").into())
        }
        ClaimCheck::NoClaim => Err(DomainError::invalid("confirmation", "expired").into()),
    }
}

/// Delete an endpoint this request created and could not record, unless some
/// account records it (the same token registered by someone else): no endpoint is
/// left in SNS that nothing points to.
async fn discard_endpoint(ctx: &Ctx, endpoint_arn: &str) {
    if let Ok(None) = ctx.store.endpoint_owner(endpoint_arn).await
        && ctx.notifier.remove_device(endpoint_arn).await.is_err()
    {
        tracing::warn!("an unrecorded push endpoint could not be deleted");
    }
}

/// `DELETE /v1/me/devices/{id}`: forget a device and delete its endpoint.
pub async fn remove_device(ctx: &Ctx, view: &RequestView<'_>, id: &str) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let id = Id::parse("dev", id).map_err(|_| ApiError::not_found())?;
    let data = ctx.store.account_data(who.user()).await?;
    let device = data
        .devices
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(ApiError::not_found)?;
    ctx.store.delete_device(who.user(), &device).await?;
    if ctx
        .notifier
        .remove_device(&device.endpoint_arn)
        .await
        .is_err()
    {
        // The record is gone, so nothing will be sent to it; the endpoint is only
        // an orphan in SNS.
        tracing::warn!("push endpoint left behind after removing a device");
    }
    no_content()
}
