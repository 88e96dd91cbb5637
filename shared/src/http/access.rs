//! Who may reach a municipality's service: the checks every service function
//! makes before anything else.

use super::{ApiError, RequestView, TokenVerifier};
use crate::domain::roles::authorize;
use crate::domain::{Municipality, MunicipalityId, Permission, Principal, Service, ServiceState};
use crate::store::Store;

/// The municipality, if `who` may use its `service`: nothing of it exists for
/// staff of another municipality (404), a deactivated municipality does not
/// exist for the public (404), a service that is off is 403.
pub async fn municipality(
    store: &Store,
    m: &MunicipalityId,
    service: Service,
    who: Option<&Principal>,
) -> Result<Municipality, ApiError> {
    if let Some(p) = who {
        outsider(p, m)?;
    }
    let muni = store
        .municipality_for_services(m)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let admin = who.is_some_and(Principal::is_platform_admin);
    if muni.status == ServiceState::Deactivated && !admin {
        return Err(ApiError::not_found());
    }
    muni.require_service(service, who)?;
    Ok(muni)
}

/// The signed-in staff member who may act on `m`'s `service` with
/// `permission` (its administrator too): 401 without a token, 404 for staff of
/// another municipality, 403 without the permission; the service may be one
/// they are still preparing.
pub async fn staff(
    store: &Store,
    verifier: &TokenVerifier,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    service: Service,
    permission: Permission,
) -> Result<Principal, ApiError> {
    let who = view.principal(verifier)?;
    authorize(&who, m, permission)?;
    municipality(store, m, service, Some(&who)).await?;
    Ok(who)
}

/// Staff of another municipality: nothing of `m` exists for them (404), even
/// where any signed-in person may act (file a request, follow a dossier).
pub fn outsider(who: &Principal, m: &MunicipalityId) -> Result<(), ApiError> {
    if crate::domain::case::access::outsider(who, m) {
        Err(ApiError::not_found())
    } else {
        Ok(())
    }
}
