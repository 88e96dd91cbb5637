//! Tracked files (permit dossiers, access-to-information requests): numbering,
//! dossier references, the queue by due time, reminders sent once, the
//! public-holiday table, and listings by kind.
//!
//! - a numbering counter: `M#<m>` / `COUNTER#<name>` (`ADD n 1`);
//! - a dossier reference: `M#<m>#PRMREF#<ref>` / `REF`, written with the dossier,
//!   holding its id and the keyed digest of the holder's national ID;
//! - the queue: GSI3 `M#<m>#<KIND>#QUEUE` / `<due_at>#<id>` on open cases;
//! - a reminder: a guard `REMIND#<what>#<due_at>` in the case's partition (so that
//!   each is made once, however often the scheduler runs) and the staff's list
//!   item `M#<m>#REMINDERS` / `<at>#<id>#<what>`, written together;
//! - public holidays: `P#HOLIDAYS` / `H#<YYYY-MM-DD>`.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::cases::CaseRecord;
use super::{
    Item, Page, Store, StoreError, TxError, from_item, keys, n, page, s, sdk_error, start_key,
    to_item,
};
use crate::domain::MunicipalityId;
use crate::domain::workflow::CaseKind;
use crate::http::cursor::PageKey;

/// What a dossier reference leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitRef {
    pub reference: String,
    pub permit_id: String,
    /// Keyed digest of the holder's national ID (never the number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_digest: Option<String>,
    /// Wrong national IDs tried, and until when following is locked (epoch s).
    #[serde(default)]
    pub failures: u32,
    #[serde(default)]
    pub locked_until: u64,
}

/// A reminder for the municipality's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: CaseKind,
    pub case_id: String,
    /// `due_soon` or `overdue`.
    pub what: String,
    pub due_at: String,
    pub at: String,
    /// The dossier reference, if the case has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A public holiday of the calendar the deadlines are computed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRecord {
    /// `YYYY-MM-DD`
    pub date: String,
    pub name_fr: String,
    pub name_ar: String,
}

/// Wrong national IDs tried on one reference before following it is locked.
pub const FOLLOW_TRIES: u32 = 5;
/// How long it stays locked.
pub const FOLLOW_LOCK_SECS: u64 = 3600;

fn put(table: &str, item: Item, condition: &str) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(condition)
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl Store {
    /// The next number of counter `name` in `m` (1, 2, 3…), atomically.
    pub async fn next_number(&self, m: &MunicipalityId, name: &str) -> Result<u64, StoreError> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::tenant(m)))
            .key(keys::SK, s(format!("COUNTER#{name}")))
            .update_expression("ADD #n :one")
            .expression_attribute_names("#n", "n")
            .expression_attribute_values(":one", n(1))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| sdk_error("counter.next", e))?;
        out.attributes
            .as_ref()
            .and_then(|a| a.get("n"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| StoreError::Corrupt("counter".into()))
    }

    /// The reference item of a new dossier (one more item of its creation).
    pub fn permit_reference_put(
        &self,
        m: &MunicipalityId,
        r: &PermitRef,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = to_item(r)?;
        item.insert(keys::PK.into(), s(keys::permit_ref_pk(m, &r.reference)));
        item.insert(keys::SK.into(), s("REF"));
        item.insert("type".into(), s("permit_ref"));
        put(&self.table, item, "attribute_not_exists(PK)")
    }

    pub async fn permit_by_reference(
        &self,
        m: &MunicipalityId,
        reference: &str,
    ) -> Result<Option<PermitRef>, StoreError> {
        self.get_record("permit.ref", keys::permit_ref_pk(m, reference), "REF", true)
            .await
    }

    /// Count a wrong national ID on `reference`; lock it after too many.
    pub async fn permit_follow_failed(
        &self,
        m: &MunicipalityId,
        r: &PermitRef,
        now: u64,
    ) -> Result<(), StoreError> {
        let failures = if r.locked_until > 0 && r.locked_until <= now {
            1
        } else {
            r.failures + 1
        };
        let locked_until = if failures >= FOLLOW_TRIES {
            now + FOLLOW_LOCK_SECS
        } else {
            0
        };
        let failures = if locked_until > 0 { 0 } else { failures };
        self.db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::permit_ref_pk(m, &r.reference)))
            .key(keys::SK, s("REF"))
            .update_expression("SET failures = :f, locked_until = :l")
            .condition_expression("failures = :was")
            .expression_attribute_values(":f", n(failures))
            .expression_attribute_values(":l", n(locked_until))
            .expression_attribute_values(":was", n(r.failures))
            .send()
            .await
            .map_err(|e| sdk_error("permit.ref.fail", e))?;
        Ok(())
    }

    /// A right national ID: the try it counted is given back.
    pub async fn permit_follow_succeeded(
        &self,
        m: &MunicipalityId,
        reference: &str,
    ) -> Result<(), StoreError> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::permit_ref_pk(m, reference)))
            .key(keys::SK, s("REF"))
            .update_expression("SET failures = failures - :one")
            .condition_expression("failures > :zero")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk_error("permit.ref.ok", e)),
        }
    }

    /// A municipality's open cases of `kind` due before `until` (RFC 3339),
    /// soonest first.
    pub async fn queue(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        until: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI3)
            .key_condition_expression("GSI3PK = :q AND GSI3SK <= :until")
            .expression_attribute_values(":q", s(keys::queue_gsi(m, kind)))
            .expression_attribute_values(":until", s(format!("{until}~")))
            .limit(limit)
            .set_exclusive_start_key(start_key(start))
            .send()
            .await
            .map_err(|e| sdk_error("cases.queue", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
    }

    /// A municipality's cases of `kind`, newest first; with `register`, only
    /// answered ones whose requester agreed to publish them.
    pub async fn cases_of_kind(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        register: Option<&[&str]>,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        let mut q = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::cases_gsi(m, kind)))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start));
        if let Some(states) = register {
            let names: Vec<String> = (0..states.len()).map(|i| format!(":s{i}")).collect();
            for (name, state) in names.iter().zip(states) {
                q = q.expression_attribute_values(name, s(*state));
            }
            q = q
                .filter_expression(format!(
                    "#d.#consent = :yes AND #state IN ({})",
                    names.join(", ")
                ))
                .expression_attribute_names("#d", "data")
                .expression_attribute_names("#consent", "publish_consent")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":yes", AttributeValue::Bool(true));
        }
        let out = q.send().await.map_err(|e| sdk_error("cases.of_kind", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
    }

    /// A person's own cases of `kind` in `m`, newest first.
    pub async fn cases_owned(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        owner: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI2)
            .key_condition_expression("GSI2PK = :u AND begins_with(GSI2SK, :k)")
            .expression_attribute_values(":u", s(keys::owner_gsi(owner)))
            .expression_attribute_values(":k", s(format!("{}#", keys::cases_gsi(m, kind))))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start))
            .send()
            .await
            .map_err(|e| sdk_error("cases.owned", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
    }

    /// Record `reminder` once per case, kind of reminder and due time, with
    /// `extra` items (a notice to the citizen) in the same transaction. `false`:
    /// it was made before.
    pub async fn remind_once(
        &self,
        case: &CaseRecord,
        reminder: &Reminder,
        extra: Vec<TransactWriteItem>,
    ) -> Result<bool, StoreError> {
        let mut guard = Item::new();
        guard.insert(
            keys::PK.into(),
            s(keys::case_pk(&case.municipality, case.kind, &case.id)),
        );
        guard.insert(
            keys::SK.into(),
            s(format!("REMIND#{}#{}", reminder.what, reminder.due_at)),
        );
        guard.insert("at".into(), s(&reminder.at));
        let mut listed = to_item(reminder)?;
        listed.insert(keys::PK.into(), s(keys::reminders_pk(&case.municipality)));
        listed.insert(
            keys::SK.into(),
            s(format!("{}#{}#{}", reminder.at, case.id, reminder.what)),
        );
        let mut tx = vec![
            put(&self.table, guard, "attribute_not_exists(PK)")?,
            put(&self.table, listed, "attribute_not_exists(PK)")?,
        ];
        tx.extend(extra);
        match self.transact("case.remind", tx).await {
            Ok(()) => Ok(true),
            Err(e @ TxError::Conditions(_)) if e.failed_at(0) => Ok(false),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// The municipality's reminders, newest first.
    pub async fn reminders(
        &self,
        m: &MunicipalityId,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Reminder>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::reminders_pk(m)))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start))
            .send()
            .await
            .map_err(|e| sdk_error("reminders", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
    }

    /// Every public holiday of the table, by date.
    pub async fn holidays(&self) -> Result<Vec<HolidayRecord>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(keys::HOLIDAYS))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("holidays", e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// The calendar of public holidays in force: the recorded table, or the
    /// built-in one until the operator records one.
    pub async fn calendar(&self) -> Result<crate::domain::deadline::Calendar, StoreError> {
        let recorded = self.holidays().await?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Ok(if recorded.is_empty() {
            crate::domain::deadline::Calendar::tunisia_default()
        } else {
            crate::domain::deadline::Calendar::new(
                recorded
                    .iter()
                    .filter_map(|h| time::Date::parse(&h.date, &format).ok()),
            )
        })
    }

    pub async fn put_holiday(&self, h: &HolidayRecord) -> Result<(), StoreError> {
        let mut item = to_item(h)?;
        item.insert(keys::PK.into(), s(keys::HOLIDAYS));
        item.insert(keys::SK.into(), s(format!("H#{}", h.date)));
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("holiday.put", e))?;
        Ok(())
    }

    /// `NotFound` if there was no such holiday.
    pub async fn delete_holiday(&self, date: &str) -> Result<(), StoreError> {
        let out = self
            .db
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::HOLIDAYS))
            .key(keys::SK, s(format!("H#{date}")))
            .condition_expression("attribute_exists(PK)")
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
            Err(e) => Err(sdk_error("holiday.delete", e)),
        }
    }
}
