//! A person's account: one per phone number, created at the first sign-in. The
//! profile they control, the role a session acts in, and the rules for devices and
//! follows. Pure: the accounts function stores these and applies the decisions.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::staff::parse_label;
use super::{DomainError, Id, Lang, MunicipalityId, Phone, Principal, StaffMember};

/// Registered push devices per account.
pub const MAX_DEVICES: usize = 10;
/// Municipalities one account may follow.
pub const MAX_FOLLOWS: usize = 100;
/// Longest display name.
pub const MAX_NAME: usize = 80;

/// How a citizen wants to be told about their files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NotifyPreference {
    /// Push to registered devices only (free for the operator).
    Push,
    /// Push where there is a device, otherwise an SMS about the person's own
    /// files (the default: a citizen without the app still hears back).
    #[default]
    PushThenSms,
    /// Nothing: the citizen checks the app.
    None,
}

/// The profile. `phone` is the sign-in identity and where SMS go.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Id,
    pub phone: Phone,
    pub name: Option<String>,
    pub lang: Lang,
    /// The municipality the app opens on.
    pub municipality: Option<MunicipalityId>,
    #[serde(default)]
    pub notify: NotifyPreference,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

impl Account {
    pub fn new(id: Id, phone: Phone, lang: Lang, now: &str) -> Account {
        Account {
            id,
            phone,
            name: None,
            lang,
            municipality: None,
            notify: NotifyPreference::default(),
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            version: 1,
        }
    }
}

/// A display name: trimmed, 1..=80 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, DomainError> {
    parse_label(raw, "name", MAX_NAME)
}

/// A keyed digest of a phone number: what the table is keyed by wherever a number
/// must be found (sign-in codes, the account lookup), so the number itself is not
/// in those keys and leaves no trace once the account is erased.
pub fn phone_digest(key: &[u8], phone: &Phone) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"phone-lookup\0");
    mac.update(phone.e164().as_bytes());
    crate::domain::hex(&mac.finalize().into_bytes())
}

/// A keyed digest of a client address, for per-client limits without keeping
/// addresses.
pub fn client_digest(key: &[u8], address: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"client\0");
    mac.update(address.as_bytes());
    crate::domain::hex(&mac.finalize().into_bytes()[..16])
}

/// Whether SMS may go to this number: only to the countries the operator serves
/// (`216` by default), so that nobody can spend the SMS budget on premium numbers
/// abroad.
pub fn sms_allowed(phone: &Phone, country_codes: &[String]) -> bool {
    let digits = phone.e164().trim_start_matches('+');
    country_codes.iter().any(|c| digits.starts_with(c.as_str()))
}

/// The role a session acts in. One person may be a citizen, staff of one or more
/// municipalities and a platform administrator; a token states one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActAs {
    Citizen,
    Admin,
    Staff(MunicipalityId),
}

impl ActAs {
    /// From a request's `role` and `municipality` fields.
    pub fn parse(role: &str, municipality: Option<&str>) -> Result<ActAs, DomainError> {
        match (role, municipality) {
            ("citizen", None) => Ok(ActAs::Citizen),
            ("admin", None) => Ok(ActAs::Admin),
            ("staff", Some(m)) => MunicipalityId::parse(m)
                .map(ActAs::Staff)
                .map_err(|_| DomainError::invalid("municipality", "format")),
            ("staff", None) => Err(DomainError::invalid("municipality", "required")),
            ("citizen" | "admin", Some(_)) => {
                Err(DomainError::invalid("municipality", "not_allowed"))
            }
            _ => Err(DomainError::invalid("role", "unknown")),
        }
    }

    /// Stored form: `citizen`, `admin`, `staff:<m>`.
    pub fn code(&self) -> String {
        match self {
            ActAs::Citizen => "citizen".into(),
            ActAs::Admin => "admin".into(),
            ActAs::Staff(m) => format!("staff:{m}"),
        }
    }

    pub fn from_code(code: &str) -> Option<ActAs> {
        match code.split_once(':') {
            None if code == "citizen" => Some(ActAs::Citizen),
            None if code == "admin" => Some(ActAs::Admin),
            Some(("staff", m)) => MunicipalityId::parse(m).ok().map(ActAs::Staff),
            _ => None,
        }
    }
}

/// The roles a phone number holds, as read at sign-in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeldRoles {
    pub platform_admin: bool,
    pub staff: Vec<StaffMember>,
}

impl HeldRoles {
    pub fn holds(&self, act: &ActAs) -> bool {
        match act {
            ActAs::Citizen => true,
            ActAs::Admin => self.platform_admin,
            ActAs::Staff(m) => self.staff.iter().any(|s| &s.municipality == m),
        }
    }

    /// Every role on offer, most powerful first: what a sign-in answer lists so the
    /// app can offer a switch.
    pub fn available(&self) -> Vec<ActAs> {
        let mut out = Vec::new();
        if self.platform_admin {
            out.push(ActAs::Admin);
        }
        let mut munis: Vec<&MunicipalityId> = self.staff.iter().map(|s| &s.municipality).collect();
        munis.sort();
        munis.dedup();
        out.extend(munis.into_iter().cloned().map(ActAs::Staff));
        out.push(ActAs::Citizen);
        out
    }

    /// The role to act in: the one asked for if held; by default the most powerful
    /// (administrator, then staff of the first municipality by id, then citizen).
    pub fn choose(&self, requested: Option<&ActAs>) -> Result<ActAs, RoleNotHeld> {
        match requested {
            Some(act) if self.holds(act) => Ok(act.clone()),
            Some(_) => Err(RoleNotHeld),
            None => Ok(self
                .available()
                .into_iter()
                .next()
                .unwrap_or(ActAs::Citizen)),
        }
    }

    /// What an access token for `user` acting as `act` states; `None` when the role
    /// is no longer held (a staff member removed since the session began).
    pub fn principal(&self, user: &Id, act: &ActAs) -> Option<Principal> {
        match act {
            ActAs::Citizen => Some(Principal::Citizen { user: user.clone() }),
            ActAs::Admin => self
                .platform_admin
                .then(|| Principal::PlatformAdmin { user: user.clone() }),
            ActAs::Staff(m) => {
                self.staff
                    .iter()
                    .find(|s| &s.municipality == m)
                    .map(|s| Principal::Staff {
                        user: user.clone(),
                        staff_id: s.id.clone(),
                        municipality: s.municipality.clone(),
                        permissions: s.permissions.clone(),
                        complaint_categories: s.complaint_categories.clone(),
                    })
            }
        }
    }

    /// An account with a staff or administrator role is also the municipality's
    /// record of its employee: erasing it is the municipality's act, not the
    /// person's.
    pub fn blocks_erasure(&self) -> bool {
        self.platform_admin || !self.staff.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleNotHeld;

/// Push platforms a device can register with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service (iOS).
    Apns,
}

/// A device's push token as the platform gave it: 1..=4096 visible ASCII
/// characters (FCM tokens are ~160, APNs 64 hex).
pub fn parse_push_token(raw: &str) -> Result<&str, DomainError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("token", "empty"));
    }
    if t.len() > 4096 || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DomainError::invalid("token", "format"));
    }
    Ok(t)
}

/// A registered device, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub id: Id,
    pub platform: PushPlatform,
    /// The SNS platform endpoint that holds the push token.
    pub endpoint_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::Permission;

    fn member(m: &str) -> StaffMember {
        StaffMember {
            id: Id::generate("stf"),
            municipality: MunicipalityId::parse(m).unwrap(),
            phone: Phone::parse("20123456").unwrap(),
            name: "Agent".into(),
            title: None,
            permissions: BTreeSet::from([Permission::Complaints]),
            complaint_categories: Some(BTreeSet::from(["lighting".to_owned()])),
            created_at: "t".into(),
            updated_at: "t".into(),
            created_by: "usr".into(),
            version: 1,
        }
    }

    #[test]
    fn roles_parse_and_round_trip() {
        let tunis = MunicipalityId::parse("tunis").unwrap();
        assert_eq!(ActAs::parse("citizen", None), Ok(ActAs::Citizen));
        assert_eq!(
            ActAs::parse("staff", Some("tunis")),
            Ok(ActAs::Staff(tunis.clone()))
        );
        assert_eq!(
            ActAs::parse("staff", None),
            Err(DomainError::invalid("municipality", "required"))
        );
        assert_eq!(
            ActAs::parse("admin", Some("tunis")),
            Err(DomainError::invalid("municipality", "not_allowed"))
        );
        assert_eq!(
            ActAs::parse("mayor", None),
            Err(DomainError::invalid("role", "unknown"))
        );
        for a in [ActAs::Citizen, ActAs::Admin, ActAs::Staff(tunis)] {
            assert_eq!(ActAs::from_code(&a.code()), Some(a));
        }
        assert_eq!(ActAs::from_code("staff:"), None);
        assert_eq!(ActAs::from_code("root"), None);
    }

    #[test]
    fn the_default_role_is_the_most_powerful_held() {
        let none = HeldRoles::default();
        assert_eq!(none.choose(None), Ok(ActAs::Citizen));
        assert_eq!(none.available(), vec![ActAs::Citizen]);
        let staff = HeldRoles {
            platform_admin: false,
            staff: vec![member("sfax"), member("ariana")],
        };
        let ariana = ActAs::Staff(MunicipalityId::parse("ariana").unwrap());
        assert_eq!(staff.choose(None), Ok(ariana.clone()));
        assert_eq!(staff.available().len(), 3);
        assert_eq!(staff.choose(Some(&ActAs::Citizen)), Ok(ActAs::Citizen));
        assert_eq!(staff.choose(Some(&ActAs::Admin)), Err(RoleNotHeld));
        let tunis = ActAs::Staff(MunicipalityId::parse("tunis").unwrap());
        assert_eq!(staff.choose(Some(&tunis)), Err(RoleNotHeld));
        let admin = HeldRoles {
            platform_admin: true,
            staff: vec![member("sfax")],
        };
        assert_eq!(admin.choose(None), Ok(ActAs::Admin));
        assert!(admin.blocks_erasure() && staff.blocks_erasure());
        assert!(!none.blocks_erasure());
    }

    #[test]
    fn a_staff_principal_carries_the_records_permissions() {
        let roles = HeldRoles {
            platform_admin: false,
            staff: vec![member("sfax")],
        };
        let user = Id::generate("usr");
        let sfax = ActAs::Staff(MunicipalityId::parse("sfax").unwrap());
        match roles.principal(&user, &sfax) {
            Some(Principal::Staff {
                user: u,
                staff_id,
                permissions,
                complaint_categories,
                ..
            }) => {
                assert_eq!(u, user);
                assert_eq!(staff_id, roles.staff[0].id);
                assert!(permissions.contains(&Permission::Complaints));
                assert_eq!(complaint_categories.unwrap().len(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(roles.principal(&user, &ActAs::Admin), None);
        let gone = ActAs::Staff(MunicipalityId::parse("tunis").unwrap());
        assert_eq!(roles.principal(&user, &gone), None);
    }

    #[test]
    fn phone_digests_are_keyed_and_hide_the_number() {
        let p = Phone::parse("20123456").unwrap();
        let q = Phone::parse("20123457").unwrap();
        let d = phone_digest(b"key-one", &p);
        assert_eq!(d.len(), 64);
        assert_eq!(d, phone_digest(b"key-one", &p));
        assert_ne!(d, phone_digest(b"key-two", &p));
        assert_ne!(d, phone_digest(b"key-one", &q));
        assert!(!d.contains("20123456"));
    }

    #[test]
    fn sms_only_to_served_countries() {
        let tn = Phone::parse("20123456").unwrap();
        let fr = Phone::parse("+33612345678").unwrap();
        let served = vec!["216".to_owned()];
        assert!(sms_allowed(&tn, &served));
        assert!(!sms_allowed(&fr, &served));
        assert!(sms_allowed(&fr, &["216".into(), "33".into()]));
    }

    #[test]
    fn names_and_push_tokens_are_checked() {
        assert_eq!(parse_name("  Amel Ben Salah ").unwrap(), "Amel Ben Salah");
        assert!(parse_name("").is_err());
        assert!(parse_name(&"ا".repeat(81)).is_err());
        assert!(parse_name("a\u{7}b").is_err());
        assert_eq!(parse_push_token(" abc:DEF_123 ").unwrap(), "abc:DEF_123");
        assert!(parse_push_token("").is_err());
        assert!(parse_push_token("has space").is_err());
        assert!(parse_push_token(&"a".repeat(4097)).is_err());
    }

    #[test]
    fn preferences_serialise_as_the_api_spells_them() {
        assert_eq!(
            serde_json::to_string(&NotifyPreference::PushThenSms).unwrap(),
            "\"push_then_sms\""
        );
        assert_eq!(NotifyPreference::default(), NotifyPreference::PushThenSms);
        assert_eq!(
            serde_json::to_string(&PushPlatform::Apns).unwrap(),
            "\"apns\""
        );
    }
}
