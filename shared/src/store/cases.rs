//! Tracked cases of every kind: `PK = M#<m>#<KIND>#<id>` holds the current state
//! (`SK = CASE`) and the history (`SK = H#<seq>`). A state change updates `CASE`
//! (conditioned on the sequence number read) and puts the new history entry in one
//! transaction, together with any extra items the caller adds (for example a
//! notification intent), so that none is written without the others.

use aws_sdk_dynamodb::types::{KeysAndAttributes, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use super::idempotency::{Created, Idempotency};
use super::{
    Item, Page, Store, StoreError, TxError, from_item, keys, n, page, s, sdk_error, start_key,
    to_item,
};
use crate::domain::MunicipalityId;
use crate::domain::workflow::{CaseKind, HistoryEntry};
use crate::http::cursor::PageKey;

/// A case's current state and its kind-specific data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub kind: CaseKind,
    pub municipality: MunicipalityId,
    pub id: String,
    /// `usr_…` of the citizen who filed it.
    pub owner: String,
    pub state: String,
    /// Sequence number of the latest history entry.
    pub seq: u64,
    pub created_at: String,
    pub updated_at: String,
    /// Kind-specific fields (a complaint's category and location, a dossier's type…).
    #[serde(default)]
    pub data: serde_json::Value,
    /// Citizens who said "me too" (complaints), each counted once.
    #[serde(default)]
    pub supporters: u64,
    /// `stf_…` of the staff member it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// Closed as a duplicate of this case (same municipality and kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Hidden by staff (abusive content): out of every public view.
    #[serde(default)]
    pub hidden: bool,
    /// The note of the latest state change, if it had one (public, like the
    /// timeline): Open311's `status_notes` without reading the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// When the municipality must have acted (RFC 3339 UTC): a legal deadline or
    /// a service target. Open cases with one are on the kind's queue (GSI3
    /// `M#<m>#<KIND>#QUEUE`, by due time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
}

/// What a state change changes besides the state.
#[derive(Debug, Default)]
pub struct CaseChanges<'a> {
    /// Set (`duplicate`), else removed.
    pub duplicate_of: Option<&'a str>,
    /// `Some(Some(t))`: due at `t`, on the queue; `Some(None)`: off the queue.
    pub due_at: Option<Option<&'a str>>,
    /// The kind's data, replaced whole.
    pub data: Option<&'a serde_json::Value>,
}

/// The queue index attributes of a case due at `due_at`.
pub fn queue_index(case: &CaseRecord, due_at: &str) -> Item {
    let mut index = Item::new();
    index.insert(
        keys::GSI3PK.into(),
        s(keys::queue_gsi(&case.municipality, case.kind)),
    );
    index.insert(keys::GSI3SK.into(), s(format!("{due_at}#{}", case.id)));
    index.insert("due_at".into(), s(due_at));
    index
}

fn put(table: &str, item: Item, condition: &str) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(condition)
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn history_item(case: &CaseRecord, entry: &HistoryEntry) -> Result<Item, StoreError> {
    let mut item = to_item(entry)?;
    item.insert(
        keys::PK.into(),
        s(keys::case_pk(&case.municipality, case.kind, &case.id)),
    );
    item.insert(keys::SK.into(), s(keys::history_sk(entry.seq)));
    item.insert("type".into(), s("case_history"));
    // Every change after the filing, on the municipality's feed of updates
    // (Open311 `servicerequestupdates`), oldest first.
    if entry.seq > 1 {
        item.insert(
            keys::GSI1PK.into(),
            s(keys::case_updates_gsi(&case.municipality, case.kind)),
        );
        item.insert(
            keys::GSI1SK.into(),
            s(keys::case_update_sk(&entry.at, &case.id, entry.seq)),
        );
        item.insert("case".into(), s(&case.id));
    }
    Ok(item)
}

impl Store {
    /// File a new case with its first history entry (`entry.seq == 1`).
    pub async fn create_case(
        &self,
        case: &CaseRecord,
        entry: &HistoryEntry,
        extra: Vec<TransactWriteItem>,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        self.create_case_indexed(case, entry, Item::new(), extra, idem, answer)
            .await
    }

    /// [`Store::create_case`] with extra attributes on the case item (the keys of
    /// a kind's own index, such as a complaint's map cell).
    pub async fn create_case_indexed(
        &self,
        case: &CaseRecord,
        entry: &HistoryEntry,
        index: Item,
        extra: Vec<TransactWriteItem>,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let mut item = to_item(case)?;
        item.extend(index);
        item.insert(
            keys::PK.into(),
            s(keys::case_pk(&case.municipality, case.kind, &case.id)),
        );
        item.insert(keys::SK.into(), s(keys::CASE));
        item.insert(
            keys::GSI1PK.into(),
            s(keys::cases_gsi(&case.municipality, case.kind)),
        );
        item.insert(
            keys::GSI1SK.into(),
            s(format!("{}#{}", case.created_at, case.id)),
        );
        item.insert(keys::GSI2PK.into(), s(keys::owner_gsi(&case.owner)));
        item.insert(
            keys::GSI2SK.into(),
            s(format!(
                "{}#{}",
                keys::cases_gsi(&case.municipality, case.kind),
                case.created_at
            )),
        );
        item.insert("type".into(), s("case"));
        let mut tx = vec![
            put(&self.table, item, "attribute_not_exists(PK)")?,
            put(
                &self.table,
                history_item(case, entry)?,
                "attribute_not_exists(PK)",
            )?,
        ];
        tx.extend(extra);
        self.create_once("case.create", tx, idem, 201, answer).await
    }

    pub async fn get_case(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        id: &str,
    ) -> Result<Option<CaseRecord>, StoreError> {
        self.get_record("case.get", keys::case_pk(m, kind, id), keys::CASE, true)
            .await
    }

    /// Cases of `m` by id, in no particular order; ids not found are left out.
    /// BatchGetItem, 100 keys at a time.
    pub async fn get_cases(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        ids: &[String],
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let mut found: Vec<CaseRecord> = Vec::new();
        for chunk in ids.chunks(100) {
            let mut wanted = KeysAndAttributes::builder();
            let mut seen = std::collections::HashSet::new();
            for id in chunk.iter().filter(|id| seen.insert(*id)) {
                let mut key = Item::new();
                key.insert(keys::PK.into(), s(keys::case_pk(m, kind, id)));
                key.insert(keys::SK.into(), s(keys::CASE));
                wanted = wanted.keys(key);
            }
            let wanted = wanted
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let mut request = Some(std::collections::HashMap::from([(
                self.table.clone(),
                wanted,
            )]));
            while let Some(r) = request.take().filter(|r| !r.is_empty()) {
                let got = self
                    .db
                    .batch_get_item()
                    .set_request_items(Some(r))
                    .send()
                    .await
                    .map_err(|e| sdk_error("case.batch_get", e))?;
                for item in got
                    .responses
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default()
                {
                    found.push(from_item(item)?);
                }
                request = got.unprocessed_keys;
            }
        }
        Ok(found)
    }

    /// Move `case` (as read, at `case.seq`) to `entry.state`, recording `entry`
    /// (whose `seq` must be `case.seq + 1`). Fails with
    /// [`StoreError::VersionConflict`] if someone moved it meanwhile; then nothing
    /// at all is written.
    pub async fn transition_case(
        &self,
        case: &CaseRecord,
        entry: &HistoryEntry,
        extra: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        self.transition_case_setting(case, entry, None, extra).await
    }

    /// [`Store::transition_case`], also recording which case this one duplicates.
    pub async fn transition_case_setting(
        &self,
        case: &CaseRecord,
        entry: &HistoryEntry,
        duplicate_of: Option<&str>,
        extra: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let changes = CaseChanges {
            duplicate_of,
            ..CaseChanges::default()
        };
        self.transition_case_changing(case, entry, &changes, extra)
            .await
    }

    /// [`Store::transition_case`] with [`CaseChanges`]: a deadline (and the
    /// queue), the kind's data.
    pub async fn transition_case_changing(
        &self,
        case: &CaseRecord,
        entry: &HistoryEntry,
        changes: &CaseChanges<'_>,
        extra: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        if entry.seq != case.seq + 1 {
            return Err(StoreError::VersionConflict);
        }
        let duplicate_of = changes.duplicate_of;
        let mut set = vec!["#state = :state", "seq = :next", "updated_at = :at"];
        let mut remove = Vec::new();
        match duplicate_of {
            Some(_) => set.push("duplicate_of = :dup"),
            None => remove.push("duplicate_of"),
        }
        match changes.due_at {
            Some(Some(_)) => set.extend(["due_at = :due", "GSI3PK = :qpk", "GSI3SK = :qsk"]),
            Some(None) => remove.extend(["due_at", "GSI3PK", "GSI3SK"]),
            None => {}
        }
        if changes.data.is_some() {
            set.push("#data = :data");
        }
        match entry.note {
            Some(_) => set.push("status_note = :note"),
            None => remove.push("status_note"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let update = Update::builder()
            .table_name(&self.table)
            .key(
                keys::PK,
                s(keys::case_pk(&case.municipality, case.kind, &case.id)),
            )
            .key(keys::SK, s(keys::CASE))
            .update_expression(expression)
            .condition_expression("seq = :seq")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", s(&entry.state))
            .expression_attribute_values(":next", n(entry.seq))
            .expression_attribute_values(":seq", n(case.seq))
            .expression_attribute_values(":at", s(&entry.at));
        let update = match duplicate_of {
            Some(d) => update.expression_attribute_values(":dup", s(d)),
            None => update,
        };
        let update = match &entry.note {
            Some(note) => update.expression_attribute_values(":note", s(note)),
            None => update,
        };
        let update = match changes.due_at {
            Some(Some(due)) => update
                .expression_attribute_values(":due", s(due))
                .expression_attribute_values(
                    ":qpk",
                    s(keys::queue_gsi(&case.municipality, case.kind)),
                )
                .expression_attribute_values(":qsk", s(format!("{due}#{}", case.id))),
            _ => update,
        };
        let update = match changes.data {
            Some(data) => update
                .expression_attribute_names("#data", "data")
                .expression_attribute_values(
                    ":data",
                    serde_dynamo::to_attribute_value(data)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ),
            None => update,
        }
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = vec![
            TransactWriteItem::builder().update(update).build(),
            put(
                &self.table,
                history_item(case, entry)?,
                "attribute_not_exists(PK)",
            )?,
        ];
        tx.extend(extra);
        match self.transact("case.transition", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Assign a case to a staff member (or to nobody).
    pub async fn assign_case(
        &self,
        case: &CaseRecord,
        staff: Option<&str>,
    ) -> Result<(), StoreError> {
        let req = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(
                keys::PK,
                s(keys::case_pk(&case.municipality, case.kind, &case.id)),
            )
            .key(keys::SK, s(keys::CASE))
            .condition_expression("attribute_exists(PK)");
        let req = match staff {
            Some(stf) => req
                .update_expression("SET assigned_to = :s")
                .expression_attribute_values(":s", s(stf)),
            None => req.update_expression("REMOVE assigned_to"),
        };
        req.send().await.map_err(|e| sdk_error("case.assign", e))?;
        Ok(())
    }

    /// Hide a case from every public view (or show it again), with the reason.
    pub async fn moderate_case(
        &self,
        case: &CaseRecord,
        hidden: bool,
        reason: Option<&str>,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut req = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(
                keys::PK,
                s(keys::case_pk(&case.municipality, case.kind, &case.id)),
            )
            .key(keys::SK, s(keys::CASE))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(
                ":h",
                aws_sdk_dynamodb::types::AttributeValue::Bool(hidden),
            )
            .expression_attribute_values(":by", s(by))
            // HIDDEN is one of DynamoDB's reserved words.
            .expression_attribute_names("#hidden", "hidden");
        req = match reason {
            Some(r) => req
                .update_expression("SET #hidden = :h, moderated_by = :by, moderation_reason = :r")
                .expression_attribute_values(":r", s(r)),
            None => req
                .update_expression("SET #hidden = :h, moderated_by = :by REMOVE moderation_reason"),
        };
        req.send()
            .await
            .map_err(|e| sdk_error("case.moderate", e))?;
        Ok(())
    }

    /// A case's history, oldest first.
    pub async fn case_history(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        id: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<HistoryEntry>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :h)")
            .expression_attribute_values(":pk", s(keys::case_pk(m, kind, id)))
            .expression_attribute_values(":h", s(keys::HISTORY_PREFIX))
            .consistent_read(true)
            .limit(limit)
            .set_exclusive_start_key(start_key(start))
            .send()
            .await
            .map_err(|e| sdk_error("case.history", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
    }
}
