//! Tenancy: municipalities, their governorates and which services each offers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::text::{Text, tr};
use super::{Coordinates, DomainError, Lang, LocalizedText, MunicipalityId, Principal};

/// One of Tunisia's 24 governorates, by its ISO 3166-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Governorate {
    pub code: &'static str,
    pub slug: &'static str,
    pub name: Text<&'static str>,
}

macro_rules! governorates {
    ($( $code:literal, $slug:literal, $ar:literal, $fr:literal, $en:literal; )*) => {
        pub const GOVERNORATES: &[Governorate] = &[
            $( Governorate { code: $code, slug: $slug, name: tr($ar, $fr, $en) }, )*
        ];
    };
}

governorates! {
    "TN-11", "tunis", "تونس", "Tunis", "Tunis";
    "TN-12", "ariana", "أريانة", "Ariana", "Ariana";
    "TN-13", "ben-arous", "بن عروس", "Ben Arous", "Ben Arous";
    "TN-14", "manouba", "منوبة", "La Manouba", "Manouba";
    "TN-21", "nabeul", "نابل", "Nabeul", "Nabeul";
    "TN-22", "zaghouan", "زغوان", "Zaghouan", "Zaghouan";
    "TN-23", "bizerte", "بنزرت", "Bizerte", "Bizerte";
    "TN-31", "beja", "باجة", "Béja", "Beja";
    "TN-32", "jendouba", "جندوبة", "Jendouba", "Jendouba";
    "TN-33", "le-kef", "الكاف", "Le Kef", "Kef";
    "TN-34", "siliana", "سليانة", "Siliana", "Siliana";
    "TN-41", "kairouan", "القيروان", "Kairouan", "Kairouan";
    "TN-42", "kasserine", "القصرين", "Kasserine", "Kasserine";
    "TN-43", "sidi-bouzid", "سيدي بوزيد", "Sidi Bouzid", "Sidi Bouzid";
    "TN-51", "sousse", "سوسة", "Sousse", "Sousse";
    "TN-52", "monastir", "المنستير", "Monastir", "Monastir";
    "TN-53", "mahdia", "المهدية", "Mahdia", "Mahdia";
    "TN-61", "sfax", "صفاقس", "Sfax", "Sfax";
    "TN-71", "gafsa", "قفصة", "Gafsa", "Gafsa";
    "TN-72", "tozeur", "توزر", "Tozeur", "Tozeur";
    "TN-73", "kebili", "قبلي", "Kébili", "Kebili";
    "TN-81", "gabes", "قابس", "Gabès", "Gabes";
    "TN-82", "medenine", "مدنين", "Médenine", "Medenine";
    "TN-83", "tataouine", "تطاوين", "Tataouine", "Tataouine";
}

impl Governorate {
    pub fn by_code(code: &str) -> Result<&'static Governorate, DomainError> {
        GOVERNORATES
            .iter()
            .find(|g| g.code == code)
            .ok_or(DomainError::invalid("governorate", "unknown"))
    }

    pub fn name(&self, lang: Lang) -> &'static str {
        self.name.pick(lang)
    }
}

/// The services a municipality can offer. Each can be switched on separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Complaints,
    Permits,
    AccessToInformation,
    ServicesGuide,
    ETicket,
    News,
    Committees,
    Reports,
    Forum,
    Polls,
    Events,
    Appointments,
}

impl Service {
    pub const ALL: [Service; 12] = [
        Service::Complaints,
        Service::Permits,
        Service::AccessToInformation,
        Service::ServicesGuide,
        Service::ETicket,
        Service::News,
        Service::Committees,
        Service::Reports,
        Service::Forum,
        Service::Polls,
        Service::Events,
        Service::Appointments,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Service::Complaints => "complaints",
            Service::Permits => "permits",
            Service::AccessToInformation => "access_to_information",
            Service::ServicesGuide => "services_guide",
            Service::ETicket => "e_ticket",
            Service::News => "news",
            Service::Committees => "committees",
            Service::Reports => "reports",
            Service::Forum => "forum",
            Service::Polls => "polls",
            Service::Events => "events",
            Service::Appointments => "appointments",
        }
    }
}

/// Activation state, of a municipality's account or of one of its services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceState {
    #[default]
    Deactivated,
    /// Being set up: staff of the municipality may prepare it; citizens do not see it.
    InProgress,
    Activated,
}

/// How a municipality can be reached. Every field optional.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub address: Option<LocalizedText>,
}

impl Contact {
    pub fn parse_email(raw: &str) -> Result<String, DomainError> {
        let v = raw.trim();
        let bad = || DomainError::invalid("contact.email", "format");
        let (local, domain) = v.split_once('@').ok_or_else(bad)?;
        let ok = v.len() <= 254
            && !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !v.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@');
        if ok { Ok(v.to_owned()) } else { Err(bad()) }
    }

    pub fn parse_website(raw: &str) -> Result<String, DomainError> {
        let v = raw.trim();
        let rest = v
            .strip_prefix("https://")
            .or_else(|| v.strip_prefix("http://"));
        let ok = v.len() <= 200
            && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
            && !v
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
        if ok {
            Ok(v.to_owned())
        } else {
            Err(DomainError::invalid("contact.website", "format"))
        }
    }
}

/// A municipality: the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Municipality {
    pub id: MunicipalityId,
    /// ISO 3166-2 code of its governorate (`TN-11`).
    pub governorate: String,
    /// Names; Arabic and French are both required.
    pub name: LocalizedText,
    /// Whether the municipality's account itself is live.
    pub status: ServiceState,
    pub services: BTreeMap<Service, ServiceState>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center: Option<Coordinates>,
    pub created_at: String,
    pub updated_at: String,
    /// Optimistic-locking counter, bumped on every write.
    pub version: u64,
}

impl Municipality {
    pub fn service_state(&self, service: Service) -> ServiceState {
        self.services.get(&service).copied().unwrap_or_default()
    }

    /// Whether `who` may use `service` here. Citizens need the service (and the
    /// municipality) activated; its own staff and platform administrators may also use
    /// a service that is being set up, to prepare it.
    pub fn require_service(
        &self,
        service: Service,
        who: Option<&Principal>,
    ) -> Result<(), DomainError> {
        let insider = who.is_some_and(|p| p.is_platform_admin() || p.is_staff_of(&self.id));
        let open = |state: ServiceState| match state {
            ServiceState::Activated => true,
            ServiceState::InProgress => insider,
            ServiceState::Deactivated => false,
        };
        if open(self.status) && open(self.service_state(service)) {
            Ok(())
        } else {
            Err(DomainError::ServiceNotActive(service.code()))
        }
    }

    /// Every service present, deactivated unless stated otherwise.
    pub fn complete_services(
        mut services: BTreeMap<Service, ServiceState>,
    ) -> BTreeMap<Service, ServiceState> {
        for s in Service::ALL {
            services.entry(s).or_default();
        }
        services
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Id, Permission};

    #[test]
    fn contact_fields() {
        assert!(Contact::parse_email("contact@commune-tunis.gov.tn").is_ok());
        for bad in ["", "a@b", "@b.tn", "a b@c.tn", "a@.tn", "a@b.tn."] {
            assert!(Contact::parse_email(bad).is_err(), "{bad}");
        }
        assert!(Contact::parse_website("https://www.commune-tunis.gov.tn").is_ok());
        for bad in [
            "www.x.tn",
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "https://a b.tn",
        ] {
            assert!(Contact::parse_website(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn twenty_four_governorates_with_unique_codes() {
        assert_eq!(GOVERNORATES.len(), 24);
        let mut codes: Vec<_> = GOVERNORATES.iter().map(|g| g.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 24);
        assert_eq!(
            Governorate::by_code("TN-12").unwrap().name(Lang::Ar),
            "أريانة"
        );
        assert!(Governorate::by_code("TN-99").is_err());
    }

    fn muni(status: ServiceState, complaints: ServiceState) -> Municipality {
        Municipality {
            id: MunicipalityId::parse("tunis").unwrap(),
            governorate: "TN-11".into(),
            name: LocalizedText::default(),
            status,
            services: Municipality::complete_services(BTreeMap::from([(
                Service::Complaints,
                complaints,
            )])),
            contact: Contact::default(),
            center: None,
            created_at: String::new(),
            updated_at: String::new(),
            version: 1,
        }
    }

    #[test]
    fn deactivated_services_are_refused_to_everyone() {
        let m = muni(ServiceState::Activated, ServiceState::Activated);
        assert!(m.require_service(Service::Complaints, None).is_ok());
        assert_eq!(
            m.require_service(Service::Permits, None),
            Err(DomainError::ServiceNotActive("permits"))
        );
        let admin = Principal::PlatformAdmin {
            user: Id::generate("usr"),
        };
        assert!(m.require_service(Service::Permits, Some(&admin)).is_err());
    }

    #[test]
    fn services_being_set_up_are_open_to_insiders_only() {
        let m = muni(ServiceState::Activated, ServiceState::InProgress);
        let citizen = Principal::Citizen {
            user: Id::generate("usr"),
        };
        let own_staff = Principal::staff("tunis", [Permission::Complaints]);
        let other_staff = Principal::staff("sfax", [Permission::Complaints]);
        assert!(
            m.require_service(Service::Complaints, Some(&citizen))
                .is_err()
        );
        assert!(
            m.require_service(Service::Complaints, Some(&other_staff))
                .is_err()
        );
        assert!(
            m.require_service(Service::Complaints, Some(&own_staff))
                .is_ok()
        );
    }

    #[test]
    fn a_deactivated_municipality_offers_nothing() {
        let m = muni(ServiceState::Deactivated, ServiceState::Activated);
        assert!(m.require_service(Service::Complaints, None).is_err());
    }
}
