//! Tracked cases of every kind: `PK = M#<m>#<KIND>#<id>` holds the current state
//! (`SK = CASE`) and the history (`SK = H#<seq>`). The case lifecycle's plans
//! (`domain::case::decide`) are written here, each in one transaction: a filing
//! puts the case and its first entry; a state change updates `CASE` (conditioned
//! on the sequence number read), puts the new history entry and the notice that
//! tells of it, together with any extra write of the caller's, so that none is
//! written without the others.

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::update::Edit;
use super::{
    Item, Page, PageKey, Store, StoreError, TxError, Write, from_item, keys, n, s, sdk_error,
    to_item,
};
use crate::domain::MunicipalityId;
use crate::domain::case::decide::{Filing, TransitionPlan};
use crate::domain::case::inbox::count_shard;
use crate::domain::case::{CaseRecord, DueChange, HistoryEntry};
use crate::domain::workflow::CaseKind;

fn case_key<D>(case: &CaseRecord<D>) -> String {
    keys::case_pk(&case.municipality, case.kind, &case.id)
}

fn queue_sk(due_at: &str, id: &str) -> String {
    format!("{due_at}#{id}")
}

fn history_item<D>(case: &CaseRecord<D>, entry: &HistoryEntry) -> Result<Item, StoreError> {
    let mut item = to_item(entry)?;
    item.insert(keys::PK.into(), s(case_key(case)));
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

/// The case item of a filing: the record and its indexes — the kind's list
/// (GSI1), the owner's (GSI2), and either the kind's public map (a complaint's
/// cell) or its queue by due time (GSI3).
fn case_item<D: Serialize>(filing: &Filing<D>) -> Result<Item, StoreError> {
    let case = &filing.case;
    let mut item = to_item(case)?;
    item.insert(keys::PK.into(), s(case_key(case)));
    item.insert(keys::SK.into(), s(keys::CASE));
    let listing = keys::cases_gsi(&case.municipality, case.kind);
    item.insert(
        keys::GSI1SK.into(),
        s(format!("{}#{}", case.created_at, case.id)),
    );
    item.insert(
        keys::GSI2SK.into(),
        s(format!("{listing}#{}", case.created_at)),
    );
    item.insert(keys::GSI1PK.into(), s(listing));
    item.insert(keys::GSI2PK.into(), s(keys::owner_gsi(&case.owner)));
    item.insert(keys::GSI4PK.into(), s(inbox_pk(case)));
    item.insert(
        keys::GSI4SK.into(),
        s(format!("{}#{}", case.created_at, case.id)),
    );
    match (&filing.cell, &case.due_at) {
        (Some(cell), _) => {
            item.insert(
                keys::GSI3PK.into(),
                s(keys::map_cell_gsi(&case.municipality, case.kind, cell)),
            );
            item.insert(
                keys::GSI3SK.into(),
                s(format!("{}#{}", case.created_at, case.id)),
            );
        }
        (None, Some(due)) => {
            item.insert(
                keys::GSI3PK.into(),
                s(keys::queue_gsi(&case.municipality, case.kind)),
            );
            item.insert(keys::GSI3SK.into(), s(queue_sk(due, &case.id)));
        }
        (None, None) => {}
    }
    item.insert("type".into(), s("case"));
    Ok(item)
}

/// The case's partition of its staff's inbox (GSI4), for its current state.
fn inbox_pk<D>(case: &CaseRecord<D>) -> String {
    keys::inbox_gsi(
        &case.municipality,
        case.kind,
        !case.is_closed(),
        &case.state,
    )
}

/// The lookup of a filing's short reference: an item per case.
fn reference_item<D>(filing: &Filing<D>) -> Item {
    let case = &filing.case;
    let mut item = Item::new();
    item.insert(
        keys::PK.into(),
        s(keys::case_ref_pk(
            &case.municipality,
            case.kind,
            &filing.reference,
        )),
    );
    item.insert(keys::SK.into(), s(&case.id));
    item.insert("type".into(), s("case_reference"));
    item
}

/// The change of the case's count shard: one more in `to`, one fewer in
/// `from` (none on a filing).
fn count_edit<D>(case: &CaseRecord<D>, from: Option<&str>, to: &str) -> Edit {
    let shard = count_shard(&case.id).to_string();
    let pk = keys::case_counts_pk(&case.municipality, case.kind);
    let edit = match from {
        Some(from) => Edit::new("case.count", pk, shard, "ADD #to :one, #from :minus")
            .name("#from", from)
            .value(":minus", n(-1)),
        None => Edit::new("case.count", pk, shard, "ADD #to :one"),
    };
    edit.name("#to", to).value(":one", n(1))
}

/// An update expression being written: `SET` and `REMOVE` clauses and their
/// values.
#[derive(Default)]
struct Changes {
    set: Vec<String>,
    remove: Vec<&'static str>,
    values: Vec<(String, AttributeValue)>,
}

impl Changes {
    fn set(&mut self, attribute: &str, value: AttributeValue) {
        let name = format!(":{}", attribute.trim_start_matches('#'));
        self.set.push(format!("{attribute} = {name}"));
        self.values.push((name, value));
    }

    fn expression(&self) -> String {
        let mut e = format!("SET {}", self.set.join(", "));
        if !self.remove.is_empty() {
            e.push_str(&format!(" REMOVE {}", self.remove.join(", ")));
        }
        e
    }
}

/// The update of `CASE` a transition plan makes, conditioned on the version read.
fn transition_update<D: Serialize>(plan: &TransitionPlan<D>) -> Result<Edit, StoreError> {
    let case = &plan.case;
    let mut c = Changes::default();
    c.set("#state", s(&case.state));
    c.set("seq", n(case.seq));
    c.set("updated_at", s(&case.updated_at));
    c.set(keys::GSI4PK, s(inbox_pk(case)));
    match &case.duplicate_of {
        Some(d) => c.set("duplicate_of", s(d)),
        None => c.remove.push("duplicate_of"),
    }
    match &case.status_note {
        Some(note) => c.set("status_note", s(note)),
        None => c.remove.push("status_note"),
    }
    match &plan.due {
        DueChange::Keep => {}
        DueChange::Set(due) => {
            c.set("due_at", s(due));
            c.set(
                keys::GSI3PK,
                s(keys::queue_gsi(&case.municipality, case.kind)),
            );
            c.set(keys::GSI3SK, s(queue_sk(due, &case.id)));
        }
        DueChange::Clear => c.remove.extend(["due_at", keys::GSI3PK, keys::GSI3SK]),
    }
    if plan.data_changed {
        let data = serde_dynamo::to_attribute_value(&case.data)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        c.set("#data", data);
    }
    let mut edit = Edit::new(
        "case.transition",
        case_key(case),
        keys::CASE,
        c.expression(),
    )
    .only_if("seq = :read")
    .name("#state", "state")
    .value(":read", n(plan.read_seq));
    if plan.data_changed {
        edit = edit.name("#data", "data");
    }
    for (name, value) in c.values {
        edit = edit.value(name, value);
    }
    Ok(edit)
}

impl Store {
    /// File a new case: the case, its first entry and `extra` (a dossier's
    /// reference), once per idempotency key; `answer` is what a retry gets.
    pub async fn file_case<D: Serialize>(
        &self,
        filing: &Filing<D>,
        extra: Vec<Write>,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let case = &filing.case;
        let mut tx = vec![
            self.put_new(case_item(filing)?)?.0,
            self.put_new(history_item(case, &filing.first)?)?.0,
            self.put_new(reference_item(filing))?.0,
            self.edit_write(count_edit(case, None, &case.state))?.0,
        ];
        tx.extend(extra.into_iter().map(|w| w.0));
        self.create_once("case.create", tx, idem, 201, answer).await
    }

    /// Write a decided state change: the case, its history entry, its notice
    /// and `extra`, all or nothing. [`StoreError::VersionConflict`] if someone
    /// moved the case since it was read.
    pub async fn commit_transition<D: Serialize>(
        &self,
        plan: &TransitionPlan<D>,
        extra: Vec<Write>,
    ) -> Result<(), StoreError> {
        if plan.entry.seq != plan.read_seq + 1 {
            return Err(StoreError::VersionConflict);
        }
        let mut tx = vec![
            self.edit_write(transition_update(plan)?)?.0,
            self.put_new(history_item(&plan.case, &plan.entry)?)?.0,
            self.notice_write(&plan.notice)?.0,
        ];
        if plan.from != plan.case.state {
            let count = count_edit(&plan.case, Some(&plan.from), &plan.case.state);
            tx.push(self.edit_write(count)?.0);
        }
        if let Some(reminder) = &plan.staff_reminder {
            tx.push(self.reminder_write(&plan.case, reminder)?.0);
        }
        tx.extend(extra.into_iter().map(|w| w.0));
        match self.transact("case.transition", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// One case, its data read as `D`.
    pub async fn get_case<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        id: &str,
    ) -> Result<Option<CaseRecord<D>>, StoreError> {
        self.get_record("case.get", keys::case_pk(m, kind, id), keys::CASE, true)
            .await
    }

    /// Cases of `m` by id, in no particular order; ids not found are left out.
    /// BatchGetItem, 100 keys at a time.
    pub async fn get_cases<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        ids: &[String],
    ) -> Result<Vec<CaseRecord<D>>, StoreError> {
        let mut found = Vec::new();
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

    /// Assign a case to a staff member (or to nobody).
    pub async fn assign_case<D>(
        &self,
        case: &CaseRecord<D>,
        staff: Option<&str>,
    ) -> Result<(), StoreError> {
        let edit = match staff {
            Some(stf) => Edit::new(
                "case.assign",
                case_key(case),
                keys::CASE,
                "SET assigned_to = :s",
            )
            .value(":s", s(stf)),
            None => Edit::new(
                "case.assign",
                case_key(case),
                keys::CASE,
                "REMOVE assigned_to",
            ),
        };
        self.edit(edit.only_if("attribute_exists(PK)")).await?;
        Ok(())
    }

    /// Hide a case from every public view (or show it again), with the reason.
    pub async fn moderate_case<D>(
        &self,
        case: &CaseRecord<D>,
        hidden: bool,
        reason: Option<&str>,
        by: &str,
    ) -> Result<(), StoreError> {
        let set = "SET #hidden = :h, moderated_by = :by";
        let edit = match reason {
            Some(r) => Edit::new(
                "case.moderate",
                case_key(case),
                keys::CASE,
                format!("{set}, moderation_reason = :r"),
            )
            .value(":r", s(r)),
            None => Edit::new(
                "case.moderate",
                case_key(case),
                keys::CASE,
                format!("{set} REMOVE moderation_reason"),
            ),
        };
        let edit = edit
            .only_if("attribute_exists(PK)")
            // HIDDEN is one of DynamoDB's reserved words.
            .name("#hidden", "hidden")
            .value(":h", AttributeValue::Bool(hidden))
            .value(":by", s(by));
        self.edit(edit).await?;
        Ok(())
    }

    /// A page of a case's history, oldest first.
    pub async fn case_history(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        id: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<HistoryEntry>, StoreError> {
        self.query_page(
            Query::table("case.history", keys::case_pk(m, kind, id))
                .begins_with(keys::HISTORY_PREFIX)
                .consistent()
                .limit(limit)
                .after(start),
        )
        .await
    }

    /// A case's whole history, oldest first.
    pub async fn full_history<D>(
        &self,
        case: &CaseRecord<D>,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        self.query_all(
            Query::table("case.history", case_key(case))
                .begins_with(keys::HISTORY_PREFIX)
                .consistent(),
        )
        .await
    }
}
