//! The platform's list of revoked access tokens, one item: `P#REVOKED` /
//! `REVOKED`. Read by every function through its container's copy (at most
//! [`REVOCATION_FRESH_SECS`] old), written by the accounts and municipalities
//! functions when an account is erased or a staff member removed or changed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Cond, Store, StoreError, from_item, keyed, keys, n};
use crate::domain::revocation::{REVOCATION_FRESH_SECS, Revocations};

const SK: &str = "REVOKED";

/// Writers that raced are retried this often.
const ATTEMPTS: usize = 5;

#[derive(Serialize, Deserialize, Default)]
struct Record {
    #[serde(flatten)]
    list: Revocations,
    #[serde(default)]
    version: u64,
}

impl Store {
    /// The revocations in force, from the container's copy while it is fresh
    /// (never older than [`REVOCATION_FRESH_SECS`], nor than the read cache's
    /// time when that is shorter).
    pub async fn revocations(&self) -> Result<Arc<Revocations>, StoreError> {
        let now = Instant::now();
        let fresh = self
            .cache
            .ttl()
            .min(Duration::from_secs(REVOCATION_FRESH_SECS));
        if let Some(r) = self.cache.revocations(now, fresh) {
            return Ok(r);
        }
        let r = Arc::new(self.revocation_record(false).await?.list);
        self.cache.keep_revocations(&r, now, fresh);
        Ok(r)
    }

    async fn revocation_record(&self, consistent: bool) -> Result<Record, StoreError> {
        let item = self
            .get_item("revocations.get", keys::REVOKED, SK, consistent)
            .await?;
        Ok(item.map(from_item).transpose()?.unwrap_or_default())
    }

    /// Refuse `user`'s access tokens issued up to `now` (epoch seconds), on
    /// every function within [`REVOCATION_FRESH_SECS`].
    pub async fn revoke_tokens(&self, user: &str, now: u64) -> Result<(), StoreError> {
        for _ in 0..ATTEMPTS {
            let current = self.revocation_record(true).await?;
            let next = Record {
                list: current.list.revoke(user, now),
                version: current.version + 1,
            };
            let item = keyed(&next, keys::REVOKED, SK, "revocations")?;
            let cond = if current.version == 0 {
                Cond::new("attribute_not_exists(PK)")
            } else {
                Cond::new("version = :v").value(":v", n(current.version))
            };
            match self.put("revocations.put", item, cond).await {
                Err(StoreError::VersionConflict) => continue,
                other => return other,
            }
        }
        Err(StoreError::VersionConflict)
    }
}
