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

use super::query::Query;
use super::update::Edit;
use super::{Item, Page, PageKey, Store, StoreError, TxError, Write, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::notice::{Notice, Reminder};
use crate::domain::permit::holder::PermitRef;
use crate::domain::workflow::CaseKind;

impl Store {
    /// The next number of counter `name` in `m` (1, 2, 3…), atomically.
    pub async fn next_number(&self, m: &MunicipalityId, name: &str) -> Result<u64, StoreError> {
        let counted = self
            .edit(
                Edit::new(
                    "counter.next",
                    keys::tenant(m),
                    keys::counter_sk(name),
                    "ADD #n :one",
                )
                .name("#n", "n")
                .value(":one", n(1)),
            )
            .await?;
        counted
            .get("n")
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
        let pk = keys::permit_ref_pk(m, &r.reference);
        self.put_new(keyed(r, pk, keys::PERMIT_REF, "permit_ref")?)
    }

    pub async fn permit_by_reference(
        &self,
        m: &MunicipalityId,
        reference: &str,
    ) -> Result<Option<PermitRef>, StoreError> {
        let pk = keys::permit_ref_pk(m, reference);
        self.get_record("permit.ref", pk, keys::PERMIT_REF, true)
            .await
    }

    /// Count a wrong national ID on `reference` (conditioned on the count read:
    /// [`StoreError::VersionConflict`] if another was counted meanwhile); lock
    /// it after too many.
    pub async fn permit_follow_failed(
        &self,
        m: &MunicipalityId,
        r: &PermitRef,
        now: u64,
    ) -> Result<(), StoreError> {
        let (failures, locked_until) = r.after_failure(now);
        let pk = keys::permit_ref_pk(m, &r.reference);
        let set = "SET failures = :f, locked_until = :l";
        self.edit(
            Edit::new("permit.ref.fail", pk, keys::PERMIT_REF, set)
                .only_if("failures = :was")
                .value(":f", n(failures))
                .value(":l", n(locked_until))
                .value(":was", n(r.failures)),
        )
        .await?;
        Ok(())
    }

    /// A right national ID: the try it counted is given back.
    pub async fn permit_follow_succeeded(
        &self,
        m: &MunicipalityId,
        reference: &str,
    ) -> Result<(), StoreError> {
        let pk = keys::permit_ref_pk(m, reference);
        let given_back = self
            .edit(
                Edit::new(
                    "permit.ref.ok",
                    pk,
                    keys::PERMIT_REF,
                    "SET failures = failures - :one",
                )
                .only_if("failures > :zero")
                .value(":one", n(1))
                .value(":zero", n(0)),
            )
            .await;
        match given_back {
            // Nothing counted (the count was reset by a lock): nothing to give.
            Ok(_) | Err(StoreError::VersionConflict) => Ok(()),
            Err(e) => Err(e),
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
        self.query_page(
            Query::index("cases.queue", keys::GSI3, keys::queue_gsi(m, kind))
                // `<due>#<id>`: every id sorts before `~`.
                .at_most(format!("{until}~"))
                .limit(limit)
                .after(start),
        )
        .await
    }

    /// Cases of `kind` on the queue due between `from` and `to` (RFC 3339
    /// UTC), soonest first: a day of appointments.
    pub async fn queue_between<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        from: &str,
        to: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
        self.query_page(
            Query::index("cases.queue", keys::GSI3, keys::queue_gsi(m, kind))
                .between(from.to_owned(), format!("{to}~"))
                .limit(limit)
                .after(start),
        )
        .await
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
        let mut q = Query::index("cases.of_kind", keys::GSI1, keys::cases_gsi(m, kind))
            .backwards()
            .limit(limit)
            .after(start);
        if let Some(states) = register {
            let names: Vec<String> = (0..states.len()).map(|i| format!(":s{i}")).collect();
            let mut values: Vec<(String, AttributeValue)> = names
                .iter()
                .cloned()
                .zip(states.iter().map(|st| s(*st)))
                .collect();
            values.push((":yes".into(), AttributeValue::Bool(true)));
            q = q.filter(
                format!("#d.#consent = :yes AND #state IN ({})", names.join(", ")),
                &[
                    ("#d", "data"),
                    ("#consent", "publish_consent"),
                    ("#state", "state"),
                ],
                values,
            );
        }
        self.query_page(q).await
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
        self.query_page(
            Query::index("cases.owned", keys::GSI2, keys::owner_gsi(owner))
                .begins_with(format!("{}#", keys::cases_gsi(m, kind)))
                .backwards()
                .limit(limit)
                .after(start),
        )
        .await
    }

    /// Record `reminder` once per case, kind of reminder and due time, with its
    /// notices (to the citizen) in the same transaction. `false`: it was made
    /// before.
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
            s(keys::reminded_sk(&reminder.what, &reminder.due_at)),
        );
        guard.insert("at".into(), s(&reminder.at));
        let mut tx = vec![
            self.put_new(guard)?.0,
            self.reminder_write(case, reminder)?.0,
        ];
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

    /// Tell a case's people `notice` once per `what` and due time (a
    /// reminder of an appointment): `false` if it was told already.
    pub async fn tell_once<D>(
        &self,
        case: &CaseRecord<D>,
        what: &str,
        due_at: &str,
        notice: &Notice,
    ) -> Result<bool, StoreError> {
        let mut guard = Item::new();
        guard.insert(
            keys::PK.into(),
            s(keys::case_pk(&case.municipality, case.kind, &case.id)),
        );
        guard.insert(keys::SK.into(), s(keys::reminded_sk(what, due_at)));
        guard.insert("at".into(), s(&notice.at));
        let tx = vec![self.put_new(guard)?.0, self.notice_write(notice)?.0];
        match self.transact("case.tell", tx).await {
            Ok(()) => Ok(true),
            Err(e @ TxError::Conditions(_)) if e.failed_at(0) => Ok(false),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// The write of a reminder on the municipality's list.
    pub(crate) fn reminder_write<D>(
        &self,
        case: &CaseRecord<D>,
        reminder: &Reminder,
    ) -> Result<Write, StoreError> {
        let listed = keyed(
            reminder,
            keys::reminders_pk(&case.municipality),
            keys::reminder_sk(&reminder.at, &case.id, &reminder.what),
            "reminder",
        )?;
        self.put_new(listed)
    }

    /// The municipality's reminders, newest first.
    pub async fn reminders(
        &self,
        m: &MunicipalityId,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Reminder>, StoreError> {
        self.query_page(
            Query::table("reminders", keys::reminders_pk(m))
                .backwards()
                .limit(limit)
                .after(start),
        )
        .await
    }
}
