//! Tracked files (permit dossiers, access-to-information requests): numbering,
//! dossier references, the queue by due time, reminders sent once, and listings
//! by kind.
//!
//! - a numbering counter: `M#<m>` / `COUNTER#<name>` (`ADD n 1`);
//! - a dossier reference: `M#<m>#PRMREF#<ref>` / `REF`, written with the dossier,
//!   holding its id and the keyed digest of the holder's national ID;
//! - the queue: GSI3 `M#<m>#<KIND>#QUEUE` / `<due_at>#<id>` on open cases;
//! - a reminder: a guard `REMIND#<what>#<due_at>` in the case's partition (so that
//!   each is made once, however often the scheduler runs) and the staff's list
//!   item `M#<m>#REMINDERS` / `<at>#<id>#<what>`, written together.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;

use super::{
    Item, Page, PageKey, Store, StoreError, TxError, Write, keys, n, page, s, sdk_error, start_key,
    to_item,
};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::notice::{Notice, Reminder};
use crate::domain::permit::holder::PermitRef;
use crate::domain::workflow::CaseKind;

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

    /// The reference item of a new dossier (one more write of its filing).
    pub fn permit_reference_write(
        &self,
        m: &MunicipalityId,
        r: &PermitRef,
    ) -> Result<Write, StoreError> {
        let mut item = to_item(r)?;
        item.insert(keys::PK.into(), s(keys::permit_ref_pk(m, &r.reference)));
        item.insert(keys::SK.into(), s("REF"));
        item.insert("type".into(), s("permit_ref"));
        self.put_new(item)
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
        let (failures, locked_until) = r.after_failure(now);
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
    pub async fn queue<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        until: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
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
    pub async fn cases_of_kind<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        register: Option<&[&str]>,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
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
    pub async fn cases_owned<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        owner: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
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
    pub async fn remind_once<D>(
        &self,
        case: &CaseRecord<D>,
        reminder: &Reminder,
        notices: &[Notice],
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
        let mut tx = vec![self.put_new(guard)?.0, self.put_new(listed)?.0];
        for notice in notices {
            tx.push(self.notice_write(notice)?.0);
        }
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
}
