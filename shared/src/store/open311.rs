//! Open311: the municipality's API keys (`PK = M#<m>`, `SK = O311KEY#<key_…>`,
//! the secret's digest only), its complaints by filing time (GSI1
//! `M#<m>#CMP`, key condition on the time) and its complaints' state changes by
//! time (GSI1 `M#<m>#CMP#UPDATES`, see `cases::history_item`).

use super::query::Query;
use super::update::Edit;
use super::{Store, StoreError, from_item, keyed, keys, s, text};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::open311::{ApiKeyRecord, CaseUpdate};
use crate::domain::workflow::CaseKind;

const KIND: CaseKind = CaseKind::Complaint;

/// Most items read for one search: the requests of a window are read newest
/// first, filtered, until this many have been looked at.
const MAX_READ: usize = 5000;
/// Items a page of a search looks at.
const PAGE: i32 = 500;

impl Store {
    pub async fn put_api_key(
        &self,
        m: &MunicipalityId,
        key: &ApiKeyRecord,
    ) -> Result<(), StoreError> {
        let item = keyed(
            key,
            keys::tenant(m),
            keys::api_key_sk(&key.id),
            "open311_key",
        )?;
        self.put("open311.key.put", item, Some("attribute_not_exists(PK)"))
            .await
    }

    pub async fn get_api_key(
        &self,
        m: &MunicipalityId,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.get_record(
            "open311.key.get",
            keys::tenant(m),
            keys::api_key_sk(id),
            false,
        )
        .await
    }

    /// A municipality's keys, revoked ones included, oldest first.
    pub async fn api_keys(&self, m: &MunicipalityId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.query_all(
            Query::table("open311.keys", keys::tenant(m))
                .begins_with(keys::API_KEY_PREFIX)
                .consistent(),
        )
        .await
    }

    /// Revoke a key; `NotFound` if there is none (or it is already revoked).
    pub async fn revoke_api_key(
        &self,
        m: &MunicipalityId,
        id: &str,
        by: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let set = "SET revoked_at = :at, revoked_by = :by";
        let revoked = self
            .edit(
                Edit::new(
                    "open311.key.revoke",
                    keys::tenant(m),
                    keys::api_key_sk(id),
                    set,
                )
                .only_if("attribute_exists(PK) AND attribute_not_exists(revoked_at)")
                .value(":at", s(at))
                .value(":by", s(by)),
            )
            .await;
        match revoked {
            Ok(_) => Ok(()),
            Err(StoreError::VersionConflict) => Err(StoreError::NotFound),
            Err(e) => Err(e),
        }
    }

    /// Public complaints of `m` filed between `from` and `to` (RFC 3339 UTC, as
    /// stored), newest first, those `keep` accepts, `max` at most.
    pub async fn complaints_filed_between(
        &self,
        m: &MunicipalityId,
        from: &str,
        to: &str,
        max: usize,
        keep: impl Fn(&CaseRecord) -> bool,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let mut q = super::complaints::only_public(
            Query::index("open311.requests", keys::GSI1, keys::cases_gsi(m, KIND))
                // `<time>#<id>`: every id sorts before `~`.
                .between(from, format!("{to}~"))
                .backwards()
                .limit(PAGE),
        );
        let mut out = Vec::new();
        let mut read = 0;
        loop {
            let (items, next) = self.query_raw(q.clone()).await?;
            read += PAGE as usize;
            for item in items {
                let case: CaseRecord = from_item(item)?;
                if keep(&case) {
                    out.push(case);
                    if out.len() >= max {
                        return Ok(out);
                    }
                }
            }
            match next {
                Some(k) if read < MAX_READ => q = q.after(Some(k)),
                _ => return Ok(out),
            }
        }
    }

    /// State changes of `m`'s complaints made between `from` and `to`, oldest
    /// first, `max` at most: the first ones of the window, or with `newest` the
    /// last ones.
    pub async fn complaint_updates_between(
        &self,
        m: &MunicipalityId,
        from: &str,
        to: &str,
        max: usize,
        newest: bool,
    ) -> Result<Vec<CaseUpdate>, StoreError> {
        let q = Query::index(
            "open311.updates",
            keys::GSI1,
            keys::case_updates_gsi(m, KIND),
        )
        .between(from, format!("{to}~"))
        .forwards(!newest);
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = q
                .clone()
                .limit((max - out.len()).clamp(1, 1000) as i32)
                .after(start);
            let (items, next) = self.query_raw(page).await?;
            for item in items {
                let case = text(&item, "case")
                    .ok_or_else(|| StoreError::Corrupt("update without its case".into()))?;
                out.push(CaseUpdate {
                    case,
                    entry: from_item(item)?,
                });
            }
            match next {
                Some(k) if out.len() < max => start = Some(k),
                _ => {
                    if newest {
                        out.reverse();
                    }
                    return Ok(out);
                }
            }
        }
    }
}
