//! A claim on a device another account holds (`domain::device_claim`): one
//! item beside the endpoint's owner, `P#ENDPOINT#<digest>` / `CLAIM`, gone by
//! itself when it expires (TTL).

use super::{Cond, Store, StoreError, from_item, keyed, keys, n};
use crate::domain::device_claim::DeviceClaim;

const SK: &str = "CLAIM";

impl Store {
    /// The claim on `endpoint_arn` in force, if any (read before a write that
    /// depends on it).
    pub async fn device_claim(
        &self,
        endpoint_arn: &str,
    ) -> Result<Option<DeviceClaim>, StoreError> {
        self.get_item("claim.get", keys::endpoint_pk(endpoint_arn), SK, true)
            .await?
            .map(from_item)
            .transpose()
    }

    /// Record a new claim (a new code), replacing any earlier one.
    pub async fn put_device_claim(
        &self,
        endpoint_arn: &str,
        claim: &DeviceClaim,
    ) -> Result<(), StoreError> {
        let mut item = keyed(claim, keys::endpoint_pk(endpoint_arn), SK, "device_claim")?;
        item.insert(keys::EXPIRES_AT.into(), n(claim.expires_at));
        self.put("claim.put", item, None).await
    }

    /// Count one wrong code, on condition the count is still `claim.tries`:
    /// concurrent guesses are counted each, or refused.
    pub async fn device_claim_failed(
        &self,
        endpoint_arn: &str,
        claim: &DeviceClaim,
    ) -> Result<(), StoreError> {
        let next = DeviceClaim {
            tries: claim.tries + 1,
            ..claim.clone()
        };
        let mut item = keyed(&next, keys::endpoint_pk(endpoint_arn), SK, "device_claim")?;
        item.insert(keys::EXPIRES_AT.into(), n(claim.expires_at));
        let cond = Cond::new("tries = :t AND code_hash = :h")
            .value(":t", n(claim.tries))
            .value(":h", super::s(&claim.code_hash));
        self.put("claim.failed", item, cond).await
    }

    /// The claim was proven (or is void): it goes.
    pub async fn drop_device_claim(&self, endpoint_arn: &str) -> Result<(), StoreError> {
        self.delete("claim.delete", keys::endpoint_pk(endpoint_arn), SK, None)
            .await
    }
}
