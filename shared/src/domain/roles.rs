//! Who is calling, and what they may do. Every check is a plain function.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{DomainError, Id, MunicipalityId};

/// What a staff member may manage in their municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Complaints,
    Permits,
    AccessToInformation,
    Procedures,
    ETicket,
    News,
    Committees,
    Reports,
    Events,
    Appointments,
    Forum,
    Polls,
    /// Manage the municipality's staff and their permissions, and its contact
    /// details: the municipal administrator.
    Permissions,
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::Complaints,
        Permission::Permits,
        Permission::AccessToInformation,
        Permission::Procedures,
        Permission::ETicket,
        Permission::News,
        Permission::Committees,
        Permission::Reports,
        Permission::Events,
        Permission::Appointments,
        Permission::Forum,
        Permission::Polls,
        Permission::Permissions,
    ];
}

/// The authenticated caller, as stated by a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Citizen {
        user: Id,
    },
    /// Staff of exactly one municipality. Staff are citizens too.
    Staff {
        user: Id,
        /// The staff record (`stf_…`) in that municipality.
        staff_id: Id,
        municipality: MunicipalityId,
        permissions: BTreeSet<Permission>,
        /// Complaint categories this member is limited to; `None` means all.
        complaint_categories: Option<BTreeSet<String>>,
    },
    PlatformAdmin {
        user: Id,
    },
}

impl Principal {
    pub fn user(&self) -> &Id {
        match self {
            Principal::Citizen { user } | Principal::PlatformAdmin { user } => user,
            Principal::Staff { user, .. } => user,
        }
    }

    pub fn role(&self) -> &'static str {
        match self {
            Principal::Citizen { .. } => "citizen",
            Principal::Staff { .. } => "staff",
            Principal::PlatformAdmin { .. } => "admin",
        }
    }

    pub fn is_platform_admin(&self) -> bool {
        matches!(self, Principal::PlatformAdmin { .. })
    }

    pub fn is_staff_of(&self, m: &MunicipalityId) -> bool {
        matches!(self, Principal::Staff { municipality, .. } if municipality == m)
    }

    /// Test and demo helper: staff of `m` with `perms`, fresh ids.
    pub fn staff(m: &str, perms: impl IntoIterator<Item = Permission>) -> Principal {
        Principal::Staff {
            user: Id::generate("usr"),
            staff_id: Id::generate("stf"),
            municipality: MunicipalityId::parse(m).expect("valid slug"),
            permissions: perms.into_iter().collect(),
            complaint_categories: None,
        }
    }
}

/// May `who` act on municipality `m` with `permission`?
///
/// Platform administrators may do everything. Staff of `m` need the permission
/// (else 403). Staff of another municipality are told the thing does not exist (404):
/// they must not learn anything about another tenant. Citizens get 403.
pub fn authorize(
    who: &Principal,
    m: &MunicipalityId,
    permission: Permission,
) -> Result<(), DomainError> {
    match who {
        Principal::PlatformAdmin { .. } => Ok(()),
        Principal::Staff {
            municipality,
            permissions,
            ..
        } => {
            if municipality != m {
                Err(DomainError::NotFound)
            } else if permissions.contains(&permission) {
                Ok(())
            } else {
                Err(DomainError::Forbidden)
            }
        }
        Principal::Citizen { .. } => Err(DomainError::Forbidden),
    }
}

/// Whether `who` (signed in or not) may act on `m` with `permission`: what
/// decides that staff see what the public does not (drafts, hidden entries).
pub fn may(who: Option<&Principal>, m: &MunicipalityId, permission: Permission) -> bool {
    who.is_some_and(|w| authorize(w, m, permission).is_ok())
}

/// Platform-wide actions (create a municipality, switch services on and off).
pub fn authorize_platform(who: &Principal) -> Result<(), DomainError> {
    if who.is_platform_admin() {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// May `who` change or remove the staff record `target` of municipality `m`?
/// As [`authorize`] with [`Permission::Permissions`]; besides, a staff member may not
/// change their own record, so nobody can raise their own permissions or lock the
/// municipality out by removing its last administrator by mistake.
pub fn authorize_staff_change(
    who: &Principal,
    m: &MunicipalityId,
    target: &Id,
) -> Result<(), DomainError> {
    authorize(who, m, Permission::Permissions)?;
    match who {
        Principal::Staff { staff_id, .. } if staff_id == target => Err(DomainError::Forbidden),
        _ => Ok(()),
    }
}

/// May `who` handle a case of complaint category `category` in municipality `m`?
pub fn authorize_complaint_category(
    who: &Principal,
    m: &MunicipalityId,
    category: &str,
) -> Result<(), DomainError> {
    authorize(who, m, Permission::Complaints)?;
    match who {
        // A member limited to other categories must not learn the complaint exists.
        Principal::Staff {
            complaint_categories: Some(cats),
            ..
        } if !cats.contains(category) => Err(DomainError::NotFound),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tunis() -> MunicipalityId {
        MunicipalityId::parse("tunis").unwrap()
    }

    #[test]
    fn platform_admin_may_do_everything() {
        let admin = Principal::PlatformAdmin {
            user: Id::generate("usr"),
        };
        for p in Permission::ALL {
            assert_eq!(authorize(&admin, &tunis(), p), Ok(()));
        }
        assert_eq!(authorize_platform(&admin), Ok(()));
    }

    #[test]
    fn staff_need_the_permission_in_their_own_municipality() {
        let staff = Principal::staff("tunis", [Permission::News]);
        assert_eq!(authorize(&staff, &tunis(), Permission::News), Ok(()));
        assert_eq!(
            authorize(&staff, &tunis(), Permission::Permissions),
            Err(DomainError::Forbidden)
        );
        assert_eq!(authorize_platform(&staff), Err(DomainError::Forbidden));
    }

    #[test]
    fn staff_of_another_municipality_are_told_not_found() {
        let sfax_admin = Principal::staff("sfax", Permission::ALL);
        for p in Permission::ALL {
            assert_eq!(
                authorize(&sfax_admin, &tunis(), p),
                Err(DomainError::NotFound)
            );
        }
    }

    #[test]
    fn citizens_are_forbidden() {
        let c = Principal::Citizen {
            user: Id::generate("usr"),
        };
        assert_eq!(
            authorize(&c, &tunis(), Permission::Permissions),
            Err(DomainError::Forbidden)
        );
        assert_eq!(authorize_platform(&c), Err(DomainError::Forbidden));
    }

    #[test]
    fn nobody_changes_their_own_staff_record() {
        let me = Principal::staff("tunis", [Permission::Permissions]);
        let Principal::Staff { staff_id, .. } = &me else {
            unreachable!()
        };
        assert_eq!(
            authorize_staff_change(&me, &tunis(), staff_id),
            Err(DomainError::Forbidden)
        );
        assert_eq!(
            authorize_staff_change(&me, &tunis(), &Id::generate("stf")),
            Ok(())
        );
    }

    #[test]
    fn category_scoped_staff_see_only_their_categories() {
        let mut s = Principal::staff("tunis", [Permission::Complaints]);
        if let Principal::Staff {
            complaint_categories,
            ..
        } = &mut s
        {
            *complaint_categories = Some(BTreeSet::from(["lighting".to_owned()]));
        }
        assert_eq!(
            authorize_complaint_category(&s, &tunis(), "lighting"),
            Ok(())
        );
        assert_eq!(
            authorize_complaint_category(&s, &tunis(), "roads"),
            Err(DomainError::NotFound)
        );
        let all = Principal::staff("tunis", [Permission::Complaints]);
        assert_eq!(
            authorize_complaint_category(&all, &tunis(), "roads"),
            Ok(())
        );
    }
}
