//! Answer shapes.

use baladiya::domain::account::{Account, ActAs, Device, NotifyPreference, PushPlatform};
use baladiya::domain::{Lang, MunicipalityId};
use baladiya::store::accounts::Follow;
use serde::Serialize;

/// A role the person can act in.
#[derive(Debug, Serialize)]
pub struct RoleView {
    pub role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<MunicipalityId>,
}

impl From<&ActAs> for RoleView {
    fn from(a: &ActAs) -> Self {
        match a {
            ActAs::Citizen => RoleView {
                role: "citizen",
                municipality: None,
            },
            ActAs::Admin => RoleView {
                role: "admin",
                municipality: None,
            },
            ActAs::Staff(m) => RoleView {
                role: "staff",
                municipality: Some(m.clone()),
            },
        }
    }
}

/// What a sign-in or a refresh answers (OAuth 2.0 token response field names).
#[derive(Debug, Serialize)]
pub struct TokenView {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub refresh_expires_in: u64,
    pub user_id: String,
    /// The role this token acts in.
    #[serde(flatten)]
    pub acting: RoleView,
    /// Every role the person holds, to switch with `POST /v1/auth/refresh`.
    pub roles: Vec<RoleView>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new_account: bool,
}

#[derive(Debug, Serialize)]
pub struct DeviceView {
    pub id: String,
    pub platform: PushPlatform,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub created_at: String,
}

impl From<&Device> for DeviceView {
    fn from(d: &Device) -> Self {
        DeviceView {
            id: d.id.to_string(),
            platform: d.platform,
            name: d.name.clone(),
            created_at: d.created_at.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FollowView {
    pub municipality: MunicipalityId,
    pub since: String,
    pub areas: Vec<String>,
}

impl From<&Follow> for FollowView {
    fn from(f: &Follow) -> Self {
        FollowView {
            municipality: f.municipality.clone(),
            since: f.since.clone(),
            areas: f.areas.clone(),
        }
    }
}

/// The person's own profile: the one place their full number is shown.
#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub id: String,
    pub phone: String,
    pub name: Option<String>,
    pub lang: Lang,
    pub municipality: Option<MunicipalityId>,
    pub notify: NotifyPreference,
    pub follows: Vec<FollowView>,
    pub devices: Vec<DeviceView>,
    pub roles: Vec<RoleView>,
    pub created_at: String,
    pub updated_at: String,
}

impl ProfileView {
    pub fn new(
        a: &Account,
        follows: &[Follow],
        devices: &[Device],
        roles: &[ActAs],
    ) -> ProfileView {
        ProfileView {
            id: a.id.to_string(),
            phone: a.phone.e164().to_owned(),
            name: a.name.clone(),
            lang: a.lang,
            municipality: a.municipality.clone(),
            notify: a.notify,
            follows: follows.iter().map(FollowView::from).collect(),
            devices: devices.iter().map(DeviceView::from).collect(),
            roles: roles.iter().map(RoleView::from).collect(),
            created_at: a.created_at.clone(),
            updated_at: a.updated_at.clone(),
        }
    }
}
