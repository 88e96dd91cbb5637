//! Who may reach a municipality's service: the checks every service function
//! makes before anything else.

use super::ApiError;
use crate::domain::{Municipality, MunicipalityId, Principal, Service, ServiceState};
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

/// Staff of another municipality: nothing of `m` exists for them (404), even
/// where any signed-in person may act (file a request, follow a dossier).
pub fn outsider(who: &Principal, m: &MunicipalityId) -> Result<(), ApiError> {
    if crate::domain::case::access::outsider(who, m) {
        Err(ApiError::not_found())
    } else {
        Ok(())
    }
}
