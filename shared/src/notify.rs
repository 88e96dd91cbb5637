//! SNS: SMS and mobile push to citizens, and topics.

use aws_sdk_sns::Client;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::MessageAttributeValue;

use crate::domain::Phone;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the recipient cannot be reached (opted out or endpoint disabled)")]
    Unreachable,
    #[error("notification service unavailable ({0})")]
    Unavailable(String),
}

#[derive(Clone, Debug)]
pub struct Notifier {
    sns: Client,
    /// Sender name shown on SMS where the country allows it.
    sender_id: Option<String>,
}

/// An SNS message for every platform: the FCM and APNs payloads of a push
/// titled "Baladiya" with `text`, and `data` for the app (what to open).
pub fn push_message(text: &str, data: &serde_json::Value) -> String {
    use serde_json::json;
    let gcm = json!({
        "notification": { "title": "Baladiya", "body": text },
        "data": data,
    });
    let apns = json!({ "aps": { "alert": { "title": "Baladiya", "body": text } }, "data": data });
    json!({
        "default": text,
        "GCM": gcm.to_string(),
        "APNS": apns.to_string(),
        "APNS_SANDBOX": apns.to_string(),
    })
    .to_string()
}

/// SMS segments a message costs: GSM-7 text fits 160 characters (153 per part when
/// split); anything else (Arabic) is UCS-2, 70 (67 per part). Segment count is the
/// price, so the SMS budget is counted with it.
pub fn sms_segments(text: &str) -> usize {
    let gsm = text.chars().all(is_gsm7);
    let units: usize = if gsm {
        text.chars()
            .map(|c| if "^{}\\[~]|€".contains(c) { 2 } else { 1 })
            .sum()
    } else {
        text.encode_utf16().count()
    };
    let (single, multi) = if gsm { (160, 153) } else { (70, 67) };
    if units <= single {
        1
    } else {
        units.div_ceil(multi)
    }
}

fn is_gsm7(c: char) -> bool {
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    BASIC.contains(c) || "^{}\\[~]|€".contains(c)
}

impl Notifier {
    /// Create topic `name` where nothing deploys it (the local stack);
    /// creating an existing one is a no-op.
    pub async fn create_topic(&self, name: &str) -> Result<(), String> {
        self.sns
            .create_topic()
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("create topic {name}: {e:?}"))
    }

    /// Create a push platform application (`GCM`, `APNS`…) with local
    /// credentials, for the emulator; its ARN.
    pub async fn create_platform_application(
        &self,
        name: &str,
        platform: &str,
    ) -> Result<String, String> {
        let out = self
            .sns
            .create_platform_application()
            .name(name)
            .platform(platform)
            .attributes("PlatformCredential", "local-development")
            .attributes("PlatformPrincipal", "local-development")
            .send()
            .await
            .map_err(|e| format!("create platform application {name}: {e:?}"))?;
        Ok(out.platform_application_arn.unwrap_or_default())
    }

    pub fn new(sns: Client, sender_id: Option<String>) -> Notifier {
        Notifier { sns, sender_id }
    }

    /// Send one transactional SMS. Returns SNS's message id.
    pub async fn send_sms(&self, to: &Phone, text: &str) -> Result<String, NotifyError> {
        let mut req = self
            .sns
            .publish()
            .phone_number(to.e164())
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", string_attr("Transactional"));
        if let Some(sender) = &self.sender_id {
            req = req.message_attributes("AWS.SNS.SMS.SenderID", string_attr(sender));
        }
        let out = req.send().await.map_err(|e| classify("sms", e))?;
        Ok(out.message_id.unwrap_or_default())
    }

    /// Send a push notification to a device's platform endpoint.
    pub async fn send_push(
        &self,
        endpoint_arn: &str,
        payload_json: &str,
    ) -> Result<String, NotifyError> {
        let out = self
            .sns
            .publish()
            .target_arn(endpoint_arn)
            .message_structure("json")
            .message(payload_json)
            .send()
            .await
            .map_err(|e| classify("push", e))?;
        Ok(out.message_id.unwrap_or_default())
    }

    /// Publish to a topic (operator alerts, broadcasts).
    pub async fn publish(
        &self,
        topic_arn: &str,
        subject: &str,
        text: &str,
    ) -> Result<String, NotifyError> {
        let out = self
            .sns
            .publish()
            .topic_arn(topic_arn)
            .subject(subject)
            .message(text)
            .send()
            .await
            .map_err(|e| classify("topic", e))?;
        Ok(out.message_id.unwrap_or_default())
    }

    /// Register a device push token as a platform endpoint; returns its ARN.
    pub async fn register_device(
        &self,
        platform_application_arn: &str,
        token: &str,
    ) -> Result<String, NotifyError> {
        let out = self
            .sns
            .create_platform_endpoint()
            .platform_application_arn(platform_application_arn)
            .token(token)
            .send()
            .await
            .map_err(|e| classify("endpoint.create", e))?;
        out.endpoint_arn
            .ok_or_else(|| NotifyError::Unavailable("no endpoint arn".into()))
    }

    /// Re-enable an endpoint: a device registering its token again is reachable,
    /// even if the platform once reported the old registration as stale.
    pub async fn enable_device(&self, endpoint_arn: &str) -> Result<(), NotifyError> {
        self.sns
            .set_endpoint_attributes()
            .endpoint_arn(endpoint_arn)
            .attributes("Enabled", "true")
            .send()
            .await
            .map_err(|e| classify("endpoint.enable", e))?;
        Ok(())
    }

    pub async fn remove_device(&self, endpoint_arn: &str) -> Result<(), NotifyError> {
        self.sns
            .delete_endpoint()
            .endpoint_arn(endpoint_arn)
            .send()
            .await
            .map_err(|e| classify("endpoint.delete", e))?;
        Ok(())
    }
}

fn string_attr(v: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(v)
        .build()
        .expect("data type is set")
}

fn classify<E: ProvideErrorMetadata>(
    op: &'static str,
    e: aws_sdk_sns::error::SdkError<E>,
) -> NotifyError {
    let code = e.code().unwrap_or("none").to_owned();
    // Only the code: messages may repeat the phone number.
    tracing::warn!(op, code, "sns call failed");
    match code.as_str() {
        "EndpointDisabled" | "InvalidParameter" | "OptedOut" => NotifyError::Unreachable,
        _ => NotifyError::Unavailable(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_pricing_by_segments() {
        assert_eq!(sms_segments("Votre code Baladiya : 123456"), 1);
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        // Arabic is UCS-2: 70 per single message, 67 per part.
        assert_eq!(sms_segments(&"ب".repeat(70)), 1);
        assert_eq!(sms_segments(&"ب".repeat(71)), 2);
        assert_eq!(sms_segments(&"ب".repeat(134)), 2);
        assert_eq!(sms_segments(&"ب".repeat(135)), 3);
        // One Arabic letter turns the whole message into UCS-2.
        assert_eq!(sms_segments(&format!("{}ب", "a".repeat(70))), 2);
    }
}
