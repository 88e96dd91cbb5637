//! Open311: the municipality's API keys (`PK = M#<m>`, `SK = O311KEY#<key_…>`,
//! the secret's digest only), its complaints by filing time (GSI1
//! `M#<m>#CMP`, key condition on the time) and its complaints' state changes by
//! time (GSI1 `M#<m>#CMP#UPDATES`, see `cases::history_item`).

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::{Item, Store, StoreError, from_item, keys, s, sdk_error, to_item};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::case::HistoryEntry;
use crate::domain::workflow::CaseKind;

const KIND: CaseKind = CaseKind::Complaint;
const KEY_PREFIX: &str = "O311KEY#";

/// An API key of a municipality's Open311 server, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// `key_…`
    pub id: String,
    /// Who uses it ("FixMyStreet Tunisie", "Back-office SIG").
    pub name: String,
    /// SHA-256 of the secret, hex. The secret itself is never stored.
    pub digest: String,
    /// The `usr_…` its requests are filed as: an id without an account, so that
    /// nobody is notified in the client's place and "mine" lists stay personal.
    pub client_user: String,
    pub created_at: String,
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

/// A state change of a complaint, for `servicerequestupdates`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseUpdate {
    pub case: String,
    pub entry: HistoryEntry,
}

/// Most items read for one search: the requests of a window are read newest
/// first, filtered, until this many have been looked at.
const MAX_READ: usize = 5000;

impl Store {
    pub async fn put_api_key(
        &self,
        m: &MunicipalityId,
        key: &ApiKeyRecord,
    ) -> Result<(), StoreError> {
        let mut item = to_item(key)?;
        item.insert(keys::PK.into(), s(keys::tenant(m)));
        item.insert(keys::SK.into(), s(format!("{KEY_PREFIX}{}", key.id)));
        item.insert("type".into(), s("open311_key"));
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| sdk_error("open311.key.put", e))?;
        Ok(())
    }

    pub async fn get_api_key(
        &self,
        m: &MunicipalityId,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.get_record(
            "open311.key.get",
            keys::tenant(m),
            format!("{KEY_PREFIX}{id}"),
            false,
        )
        .await
    }

    /// A municipality's keys, revoked ones included, oldest first.
    pub async fn api_keys(&self, m: &MunicipalityId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :p)")
                .expression_attribute_values(":pk", s(keys::tenant(m)))
                .expression_attribute_values(":p", s(KEY_PREFIX))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("open311.keys", e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// Revoke a key; `NotFound` if there is none (or it is already revoked).
    pub async fn revoke_api_key(
        &self,
        m: &MunicipalityId,
        id: &str,
        by: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::tenant(m)))
            .key(keys::SK, s(format!("{KEY_PREFIX}{id}")))
            .update_expression("SET revoked_at = :at, revoked_by = :by")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(revoked_at)")
            .expression_attribute_values(":at", s(at))
            .expression_attribute_values(":by", s(by))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(sdk_error("open311.key.revoke", e)),
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
        let mut out = Vec::new();
        let mut read = 0;
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI1)
                .key_condition_expression("GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(keys::cases_gsi(m, KIND)))
                .expression_attribute_values(":from", s(from))
                // `<time>#<id>`: every id sorts before `~`.
                .expression_attribute_values(":to", s(format!("{to}~")))
                .filter_expression(
                    "#d.#public = :yes AND (attribute_not_exists(#hidden) OR #hidden = :no)",
                )
                .expression_attribute_names("#d", "data")
                .expression_attribute_names("#public", "public")
                .expression_attribute_names("#hidden", "hidden")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .scan_index_forward(false)
                .limit(500)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("open311.requests", e))?;
            read += page.scanned_count as usize;
            for item in page.items.unwrap_or_default() {
                let case: CaseRecord = from_item(item)?;
                if keep(&case) {
                    out.push(case);
                    if out.len() >= max {
                        return Ok(out);
                    }
                }
            }
            match page.last_evaluated_key {
                Some(k) if read < MAX_READ => start = Some(k),
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
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI1)
                .key_condition_expression("GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(keys::case_updates_gsi(m, KIND)))
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(format!("{to}~")))
                .scan_index_forward(!newest)
                .limit((max - out.len()).clamp(1, 1000) as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("open311.updates", e))?;
            for item in page.items.unwrap_or_default() {
                let case = item
                    .get("case")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt("update without its case".into()))?;
                out.push(CaseUpdate {
                    case,
                    entry: from_item(item)?,
                });
            }
            match page.last_evaluated_key {
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
