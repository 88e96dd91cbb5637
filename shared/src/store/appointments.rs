//! Appointment hosts and their slots' bookings; the appointments themselves
//! are cases (`store::cases`), due at their slot (on the kind's queue: the
//! staff's day and the scheduler's reminders read it).
//!
//! | Item | PK | SK |
//! |---|---|---|
//! | a host (its availability) | `M#<m>` | `HOST#<code>` |
//! | a slot's bookings | `M#<m>#APT#SLOTS#<host>` | `S#<starts_at>` (`taken`) |
//! | a person's open appointment with a host | `M#<m>#APT#SLOTS#<host>` | `U#<usr>` (the case) |
//!
//! A booking is filed with `ADD taken 1` on its slot, conditioned on
//! `taken < capacity`, and the person's guard (`attribute_not_exists`), in the
//! case's own transaction: a slot never takes more than its capacity, and a
//! person holds one open appointment per host. A step that frees the slot
//! (declined, cancelled) gives it back in the step's transaction; a move takes
//! the new slot and frees the old one in the same way.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};

use super::query::Query;
use super::update::Edit;
use super::{Cond, Store, StoreError, Write, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::appointment::Host;

fn slots_pk(m: &MunicipalityId, host: &str) -> String {
    format!("M#{m}#APT#SLOTS#{host}")
}

fn host_sk(code: &str) -> String {
    format!("HOST#{code}")
}

impl Store {
    /// Write a host, new (`read` none) or on the version read.
    pub async fn put_host(
        &self,
        m: &MunicipalityId,
        host: &Host,
        read: Option<u64>,
    ) -> Result<(), StoreError> {
        let item = keyed(
            host,
            keys::tenant(m),
            host_sk(&host.code),
            "appointment_host",
        )?;
        let cond = match read {
            None => Cond::new("attribute_not_exists(PK)"),
            Some(v) => Cond::new("version = :v").value(":v", n(v)),
        };
        self.put("host.put", item, cond).await
    }

    pub async fn host(&self, m: &MunicipalityId, code: &str) -> Result<Option<Host>, StoreError> {
        self.get_record("host.get", keys::tenant(m), host_sk(code), false)
            .await
    }

    /// Every host of `m` (a few dozen at most).
    pub async fn hosts(&self, m: &MunicipalityId) -> Result<Vec<Host>, StoreError> {
        self.query_all(Query::table("host.list", keys::tenant(m)).begins_with("HOST#"))
            .await
    }

    /// Bookings per slot of `host` starting between `from` and `to`.
    pub async fn slot_bookings(
        &self,
        m: &MunicipalityId,
        host: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let items = self
            .query_all_raw(
                Query::table("slot.list", slots_pk(m, host))
                    .between(format!("S#{from}"), format!("S#{to}")),
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|i| {
                let sk = super::text(i, keys::SK)?;
                let taken = i.get("taken")?.as_n().ok()?.parse().ok()?;
                Some((sk.trim_start_matches("S#").to_owned(), taken))
            })
            .collect())
    }

    /// The open appointment `user` holds with `host`, if any (a hold whose
    /// slot ended before `now` holds nothing: a visit nobody closed does not
    /// lock the person out).
    pub async fn hold_of(
        &self,
        m: &MunicipalityId,
        host: &str,
        user: &str,
        now: &str,
    ) -> Result<Option<String>, StoreError> {
        let item = self
            .get_item("slot.guard", slots_pk(m, host), format!("U#{user}"), true)
            .await?;
        Ok(item.and_then(|i| {
            let until = super::text(&i, "until").unwrap_or_default();
            (until.as_str() >= now).then(|| super::text(&i, "case").unwrap_or_default())
        }))
    }

    /// The write that takes a place in a slot, if one is left.
    pub fn take_slot(
        &self,
        m: &MunicipalityId,
        host: &str,
        starts_at: &str,
        capacity: u16,
    ) -> Result<Write, StoreError> {
        self.edit_write(
            Edit::new(
                "slot.take",
                slots_pk(m, host),
                format!("S#{starts_at}"),
                "ADD taken :one",
            )
            .only_if("attribute_not_exists(taken) OR taken < :cap")
            .value(":one", n(1))
            .value(":cap", n(capacity)),
        )
    }

    /// The write that gives a slot's place back.
    pub fn free_slot(
        &self,
        m: &MunicipalityId,
        host: &str,
        starts_at: &str,
    ) -> Result<Write, StoreError> {
        self.edit_write(
            Edit::new(
                "slot.free",
                slots_pk(m, host),
                format!("S#{starts_at}"),
                "ADD taken :minus",
            )
            .only_if("taken > :zero")
            .value(":minus", n(-1))
            .value(":zero", n(0)),
        )
    }

    /// The write that records `user`'s open appointment `case` with `host`
    /// until `until` (its slot's end): only if they hold none, or one whose
    /// slot ended before `now`, or this one.
    #[allow(clippy::too_many_arguments)]
    pub fn hold(
        &self,
        m: &MunicipalityId,
        host: &str,
        user: &str,
        case: &str,
        until: &str,
        now: &str,
    ) -> Result<Write, StoreError> {
        let mut item = super::Item::new();
        item.insert(keys::PK.into(), s(slots_pk(m, host)));
        item.insert(keys::SK.into(), s(format!("U#{user}")));
        item.insert("case".into(), s(case));
        item.insert("until".into(), s(until));
        // `case` is a reserved word.
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR #until < :now OR #case = :case")
            .expression_attribute_names("#until", "until")
            .expression_attribute_names("#case", "case")
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":case", s(case))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Write(TransactWriteItem::builder().put(put).build()))
    }

    /// The write that ends `user`'s open appointment `case` with `host` (the
    /// caller read that the hold is this case's).
    pub fn release(
        &self,
        m: &MunicipalityId,
        host: &str,
        user: &str,
        case: &str,
    ) -> Result<Write, StoreError> {
        let d = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(slots_pk(m, host)))
            .key(keys::SK, s(format!("U#{user}")))
            .condition_expression("#case = :case")
            .expression_attribute_names("#case", "case")
            .expression_attribute_values(":case", s(case))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Write(TransactWriteItem::builder().delete(d).build()))
    }
}
