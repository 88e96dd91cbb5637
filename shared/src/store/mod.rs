//! The only DynamoDB code: key builders, item mapping, queries and transactions.
//!
//! One table. Every key begins with the tenant (`M#<municipality>` or, for
//! platform-wide records, `P`); every read is a GetItem or a Query. See the
//! access-pattern table in the README.

pub mod accounts;
pub mod appointments;
pub mod attachments;
pub mod attendance;
pub mod broadcasts;
pub mod cache;
pub mod cases;
pub mod committees;
pub mod complaints;
pub mod device_claims;
pub mod documents;
pub mod etickets;
pub mod events;
pub mod follows;
pub mod guide;
pub mod holidays;
pub mod idempotency;
pub mod inbox;
pub mod keys;
pub mod municipalities;
pub mod news;
pub mod notices;
pub mod open311;
pub mod polls;
pub mod provision;
mod query;
#[cfg(feature = "fixtures")]
mod raw;
pub mod revocations;
pub mod staff;
pub mod tracked;
mod update;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, TransactWriteItem};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// A position in a listing: a Query's last evaluated key (our key attributes
/// are all strings). The HTTP edge turns it into an opaque cursor.
pub type PageKey = std::collections::BTreeMap<String, String>;

/// The table, and the client to reach it. Built once per cold start.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Client,
    pub(crate) table: String,
    /// Per-container copies of municipalities and holidays (none by default).
    pub(crate) cache: std::sync::Arc<cache::ReadCache>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("item not found")]
    NotFound,
    #[error("item already exists")]
    AlreadyExists,
    #[error("item changed since it was read")]
    VersionConflict,
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    #[error("throttled")]
    Throttled,
    #[error("database unavailable ({0})")]
    Unavailable(String),
    #[error("stored item does not match its type ({0})")]
    Corrupt(String),
}

/// A write's condition, with the names and values it uses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cond {
    expression: Option<String>,
    names: Option<HashMap<String, String>>,
    values: Option<HashMap<String, AttributeValue>>,
}

impl Cond {
    pub(crate) fn new(expression: impl Into<String>) -> Cond {
        Cond {
            expression: Some(expression.into()),
            ..Cond::default()
        }
    }

    pub(crate) fn name(mut self, name: &str, attribute: &str) -> Cond {
        self.names
            .get_or_insert_default()
            .insert(name.to_owned(), attribute.to_owned());
        self
    }

    pub(crate) fn value(mut self, name: &str, value: AttributeValue) -> Cond {
        self.values
            .get_or_insert_default()
            .insert(name.to_owned(), value);
        self
    }
}

impl From<Option<&str>> for Cond {
    fn from(expression: Option<&str>) -> Cond {
        Cond {
            expression: expression.map(str::to_owned),
            ..Cond::default()
        }
    }
}

/// One write of a transaction, built by the store (a notice, a dossier's
/// reference): what a caller adds to a plan's transaction without knowing how it
/// is written.
#[derive(Debug)]
pub struct Write(pub(crate) TransactWriteItem);

/// A page of a listing and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageKey>,
}

/// Map an SDK failure. Only the error code is logged: messages can echo key values,
/// and some keys hold phone numbers.
pub(crate) fn sdk_error<E: ProvideErrorMetadata + std::fmt::Debug>(
    op: &'static str,
    e: SdkError<E>,
) -> StoreError {
    let code = e.code().unwrap_or("none").to_owned();
    match code.as_str() {
        "ConditionalCheckFailedException" => StoreError::VersionConflict,
        "ProvisionedThroughputExceededException"
        | "ThrottlingException"
        | "RequestLimitExceeded" => {
            tracing::warn!(op, code, "dynamodb throttled");
            StoreError::Throttled
        }
        _ => {
            let kind = match &e {
                SdkError::ConstructionFailure(_) => "construction",
                SdkError::TimeoutError(_) => "timeout",
                SdkError::DispatchFailure(_) => "dispatch",
                SdkError::ResponseError(_) => "response",
                SdkError::ServiceError(_) => "service",
                _ => "other",
            };
            tracing::error!(op, code, kind, "dynamodb call failed");
            StoreError::Unavailable(code)
        }
    }
}

pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A string attribute of a stored item.
pub(crate) fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// `value` as an item of the table: its keys and its type.
pub(crate) fn keyed<T: Serialize>(
    value: &T,
    pk: impl Into<String>,
    sk: impl Into<String>,
    kind: &str,
) -> Result<Item, StoreError> {
    let mut item = to_item(value)?;
    item.insert(keys::PK.into(), s(pk));
    item.insert(keys::SK.into(), s(sk));
    item.insert("type".into(), s(kind));
    Ok(item)
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// Our key attributes are all strings: a LastEvaluatedKey fits a `PageKey`.
pub(crate) fn page_key(lek: Option<&Item>) -> Option<PageKey> {
    lek.map(|k| {
        k.iter()
            .filter_map(|(name, v)| v.as_s().ok().map(|s| (name.clone(), s.clone())))
            .collect()
    })
}

pub(crate) fn start_key(key: Option<PageKey>) -> Option<Item> {
    key.map(|k| {
        k.into_iter()
            .map(|(name, v)| (name, AttributeValue::S(v)))
            .collect()
    })
}

/// How a cancelled transaction failed, item by item.
pub(crate) fn cancellation_codes(reasons: &[CancellationReason]) -> Vec<Option<String>> {
    reasons
        .iter()
        .map(|r| r.code().filter(|c| *c != "None").map(str::to_owned))
        .collect()
}

impl Store {
    pub fn new(db: Client, table: impl Into<String>) -> Store {
        Store {
            db,
            table: table.into(),
            cache: Default::default(),
        }
    }

    /// Keep municipalities and the holiday calendar for `ttl` per container
    /// ([`cache`]); zero keeps nothing.
    pub fn with_read_cache(mut self, ttl: std::time::Duration) -> Store {
        self.cache = std::sync::Arc::new(cache::ReadCache::new(ttl));
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// One item by its key (GetItem); `consistent` for a read before a
    /// conditional write. `op` names the call in errors.
    pub(crate) async fn get_item(
        &self,
        op: &'static str,
        pk: impl Into<String>,
        sk: impl Into<String>,
        consistent: bool,
    ) -> Result<Option<Item>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(|e| sdk_error(op, e))?;
        Ok(out.item)
    }

    /// One record by its key, read back into its type.
    pub(crate) async fn get_record<T: DeserializeOwned>(
        &self,
        op: &'static str,
        pk: impl Into<String>,
        sk: impl Into<String>,
        consistent: bool,
    ) -> Result<Option<T>, StoreError> {
        self.get_item(op, pk, sk, consistent)
            .await?
            .map(from_item)
            .transpose()
    }

    /// Put `item`, on `condition` if there is one: a failed condition is a
    /// [`StoreError::VersionConflict`].
    pub(crate) async fn put(
        &self,
        op: &'static str,
        item: Item,
        condition: impl Into<Cond>,
    ) -> Result<(), StoreError> {
        let c = condition.into();
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(c.expression)
            .set_expression_attribute_names(c.names)
            .set_expression_attribute_values(c.values)
            .send()
            .await
            .map_err(|e| sdk_error(op, e))?;
        Ok(())
    }

    /// Delete the item `pk`/`sk`, on `condition` if there is one.
    pub(crate) async fn delete(
        &self,
        op: &'static str,
        pk: impl Into<String>,
        sk: impl Into<String>,
        condition: impl Into<Cond>,
    ) -> Result<(), StoreError> {
        let c = condition.into();
        self.db
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .set_condition_expression(c.expression)
            .set_expression_attribute_names(c.names)
            .set_expression_attribute_values(c.values)
            .send()
            .await
            .map_err(|e| sdk_error(op, e))?;
        Ok(())
    }

    /// A transaction's put of `item`, on condition it is new.
    pub(crate) fn put_new(&self, item: Item) -> Result<Write, StoreError> {
        self.put_if(item, Some("attribute_not_exists(PK)"))
    }

    /// A transaction's put of `item`, on `condition` if there is one.
    pub(crate) fn put_if(&self, item: Item, condition: Option<&str>) -> Result<Write, StoreError> {
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Write(TransactWriteItem::builder().put(put).build()))
    }

    /// Run a transaction. On cancellation, the per-item reason codes are returned so
    /// callers can tell which condition failed. A transaction cancelled only
    /// because another one was writing one of its items at the same moment
    /// (two cases of one municipality counted in the same shard) wrote
    /// nothing, and is tried again, up to [`TX_ATTEMPTS`] times.
    pub(crate) async fn transact(
        &self,
        op: &'static str,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), TxError> {
        let mut attempt = 1;
        loop {
            match self.transact_once(op, items.clone()).await {
                Err(TxError::Store(StoreError::Throttled)) if attempt < TX_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    async fn transact_once(
        &self,
        op: &'static str,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), TxError> {
        match self
            .db
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                if let Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c)) =
                    e.as_service_error()
                {
                    let codes = cancellation_codes(c.cancellation_reasons());
                    if codes.iter().flatten().all(|c| c == "ConditionalCheckFailed") && !codes.iter().all(Option::is_none) {
                        return Err(TxError::Conditions(codes));
                    }
                    tracing::warn!(op, ?codes, "transaction cancelled");
                    if codes.iter().flatten().any(|c| c == "TransactionConflict" || c == "ThrottlingError") {
                        return Err(TxError::Store(StoreError::Throttled));
                    }
                }
                Err(TxError::Store(sdk_error(op, e)))
            }
        }
    }
}

/// Tries of a transaction that conflicted with another.
const TX_ATTEMPTS: u32 = 3;

/// Outcome of a failed transaction.
#[derive(Debug)]
pub(crate) enum TxError {
    /// Item `i`'s condition failed where `codes[i]` is `Some`.
    Conditions(Vec<Option<String>>),
    Store(StoreError),
}

impl TxError {
    pub(crate) fn failed_at(&self, i: usize) -> bool {
        matches!(self, TxError::Conditions(codes) if codes.get(i).is_some_and(Option::is_some))
    }
}
