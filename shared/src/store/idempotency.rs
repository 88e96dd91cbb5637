//! Idempotent creation. A create carrying an `Idempotency-Key` stores, in the same
//! transaction, a record of the request's fingerprint and of the answer given. A
//! retry finds the record and gets the same answer; the same key with another body
//! is refused. Records expire after a day (TTL).

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use sha2::{Digest, Sha256};

use super::{Item, Store, StoreError, TxError, keys, n, s};
use crate::http::auth::now_secs;

/// How long a key is remembered.
pub const TTL_SECS: u64 = 24 * 3600;

/// The idempotency part of a create.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pk: String,
    fingerprint: String,
}

/// A remembered answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
}

/// Result of an idempotent create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Written now.
    New,
    /// Written by an earlier request with the same key: its answer.
    Replayed(StoredAnswer),
}

impl Idempotency {
    /// `tenant` is the key prefix of where the thing is created, `caller` the user
    /// id, `key` the header, `request` the canonical request (method, path, body).
    pub fn new(tenant: &str, caller: &str, key: &str, request: &[u8]) -> Idempotency {
        let fingerprint = crate::domain::hex(&Sha256::digest(request));
        Idempotency {
            pk: keys::idempotency_pk(tenant, caller, key),
            fingerprint,
        }
    }
}

impl Store {
    async fn read_answer(&self, idem: &Idempotency) -> Result<Option<StoredAnswer>, StoreError> {
        let item = self
            .get_item("idempotency.get", &idem.pk, keys::IDEMPOTENCY, true)
            .await?;
        let Some(item) = item else {
            return Ok(None);
        };
        // An expired record may linger until DynamoDB's TTL sweep: ignore it.
        let expires = item
            .get(keys::EXPIRES_AT)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if expires.is_some_and(|t| t < now_secs()) {
            return Ok(None);
        }
        let get = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
        if get("fingerprint").as_deref() != Some(idem.fingerprint.as_str()) {
            return Err(StoreError::IdempotencyMismatch);
        }
        let status = item
            .get("status")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| StoreError::Corrupt("idempotency status".into()))?;
        Ok(Some(StoredAnswer {
            status,
            body: get("body").unwrap_or_default(),
        }))
    }

    /// Write `items` in one transaction, once per idempotency key.
    ///
    /// Conditions on `items` that fail map to [`StoreError::AlreadyExists`]; the
    /// answer (`status`, `body`) is what a retry will get.
    pub(crate) async fn create_once(
        &self,
        op: &'static str,
        mut items: Vec<TransactWriteItem>,
        idem: Option<&Idempotency>,
        status: u16,
        body: &str,
    ) -> Result<Created, StoreError> {
        if let Some(idem) = idem {
            if let Some(answer) = self.read_answer(idem).await? {
                return Ok(Created::Replayed(answer));
            }
            let mut record = Item::new();
            record.insert(keys::PK.into(), s(&idem.pk));
            record.insert(keys::SK.into(), s(keys::IDEMPOTENCY));
            record.insert("fingerprint".into(), s(&idem.fingerprint));
            record.insert("status".into(), n(status));
            record.insert("body".into(), s(body));
            record.insert(keys::EXPIRES_AT.into(), n(now_secs() + TTL_SECS));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(record))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            items.push(TransactWriteItem::builder().put(put).build());
        }
        let idem_index = items.len().saturating_sub(1);
        match self.transact(op, items).await {
            Ok(()) => Ok(Created::New),
            Err(e) if idem.is_some() && e.failed_at(idem_index) => {
                // A concurrent retry won the race: answer as it did.
                match self.read_answer(idem.expect("checked")).await? {
                    Some(answer) => Ok(Created::Replayed(answer)),
                    None => Err(StoreError::AlreadyExists),
                }
            }
            Err(TxError::Conditions(_)) => Err(StoreError::AlreadyExists),
            Err(TxError::Store(e)) => Err(e),
        }
    }
}
