//! Events of the municipal calendar, their counters, and what is to be told
//! of them. Marks and the waiting list are `store::attendance`.
//!
//! | Item | PK | SK | Index |
//! |---|---|---|---|
//! | event | `M#<m>#EVT#<evt>` | `EVENT` | GSI1 `M#<m>#EVENTS` / `<start UTC>#<evt>` |
//! | its counters and capacity | `M#<m>#EVT#<evt>` | `EVENT#COUNT` | |
//! | a person's mark | `M#<m>#EVT#<evt>` | `ATT#<usr>` | GSI2 `USER#<usr>` / PK (theirs) |
//! | a turn on the waiting list | `M#<m>#EVT#<evt>` | `WAIT#<at>#<ulid>` (who) | |
//! | something to tell those who marked it | `M#<m>#EVT#<evt>` | `TELL#reminder`, `TELL#<change>#<seq>` | GSI3 `M#<m>#EVENTS#TELL` / `<due>#<evt>#<what>` |
//!
//! The event and its counters are read together (one Query, `EVENT` prefix).
//! The counters are a separate item so that marks never conflict with staff's
//! edits (conditioned on the event's version) — and an edit moves the
//! capacity on the counters in the same transaction.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::update::Edit;
use super::{Item, Page, PageKey, Store, StoreError, TxError, Write, from_item, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::event::{Change, Event, EventStatus};

pub(crate) fn pk(m: &MunicipalityId, id: &str) -> String {
    format!("M#{m}#EVT#{id}")
}

pub(crate) const COUNT: &str = "EVENT#COUNT";

fn listing(m: &MunicipalityId) -> String {
    format!("M#{m}#EVENTS")
}

fn tells(m: &MunicipalityId) -> String {
    format!("M#{m}#EVENTS#TELL")
}

/// The GSI1 sort key of an event: its start as an RFC 3339 UTC instant.
fn start_key(e: &Event) -> String {
    format!("{}#{}", crate::clock::rfc3339(e.content.starts()), e.id)
}

fn event_item(m: &MunicipalityId, e: &Event) -> Result<Item, StoreError> {
    let mut item = keyed(e, pk(m, &e.id), "EVENT", "event")?;
    item.insert(keys::GSI1PK.into(), s(listing(m)));
    item.insert(keys::GSI1SK.into(), s(start_key(e)));
    Ok(item)
}

/// An event's counters as read with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    #[serde(default)]
    pub interested: u64,
    #[serde(default)]
    pub going: u64,
    #[serde(default)]
    pub waiting: u64,
}

/// Something to tell those who marked an event, due at `due`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tell {
    pub event: String,
    /// `reminder`, or a [`Change`]'s code.
    pub what: String,
    /// The event's SEQUENCE when it was written: a reminder of an older one
    /// is not sent.
    pub sequence: u32,
    pub due: String,
    /// The last person told (`ATT#<usr>`), for the next page.
    pub cursor: Option<String>,
    pub sk: String,
}

fn tell_item(m: &MunicipalityId, t: &Tell) -> Result<Item, StoreError> {
    let mut item = keyed(t, pk(m, &t.event), &t.sk, "event_tell")?;
    item.insert(keys::GSI3PK.into(), s(tells(m)));
    item.insert(
        keys::GSI3SK.into(),
        s(format!("{}#{}#{}", t.due, t.event, t.what)),
    );
    Ok(item)
}

/// What becomes of an event's day-before reminder with a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// As it is (an edit of the texts: a reminder half sent goes on).
    Keep,
    /// Due then, from the first person.
    At(OffsetDateTime),
    /// None any more (cancelled, moved too close, or already past).
    Remove,
}

/// What changes with an event's write besides the event.
pub struct Telling {
    pub reminder: Reminder,
    /// A change to tell at once.
    pub change: Option<Change>,
}

fn delete(table: &str, pk: String, sk: &str) -> Result<TransactWriteItem, StoreError> {
    let d = Delete::builder()
        .table_name(table)
        .key(keys::PK, s(pk))
        .key(keys::SK, s(sk))
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(d).build())
}

impl Store {
    fn telling_writes(
        &self,
        m: &MunicipalityId,
        e: &Event,
        t: &Telling,
        now: OffsetDateTime,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut out = Vec::new();
        match t.reminder {
            Reminder::Keep => {}
            Reminder::At(due) => {
                let tell = Tell {
                    event: e.id.clone(),
                    what: "reminder".into(),
                    sequence: e.sequence,
                    due: crate::clock::rfc3339(due),
                    cursor: None,
                    sk: "TELL#reminder".into(),
                };
                out.push(self.put_if(tell_item(m, &tell)?, None)?.0);
            }
            Reminder::Remove => out.push(delete(&self.table, pk(m, &e.id), "TELL#reminder")?),
        }
        if let Some(c) = t.change {
            let tell = Tell {
                event: e.id.clone(),
                what: c.code().into(),
                sequence: e.sequence,
                due: crate::clock::rfc3339(now),
                cursor: None,
                sk: format!("TELL#{}#{:06}", c.code(), e.sequence),
            };
            out.push(self.put_new(tell_item(m, &tell)?)?.0);
        }
        Ok(out)
    }

    fn counts_write(&self, m: &MunicipalityId, e: &Event) -> Result<Write, StoreError> {
        let open = e.status != EventStatus::Cancelled;
        // The counters exist from the first write on: conditions compare them.
        let counters = "going = if_not_exists(going, :z), waiting = if_not_exists(waiting, :z), \
                        interested = if_not_exists(interested, :z)";
        let edit = match e.content.capacity {
            Some(cap) => Edit::new(
                "event.count",
                pk(m, &e.id),
                COUNT,
                format!("SET cap = :cap, #o = :o, {counters}"),
            )
            .value(":cap", n(cap))
            // Never below the places taken (the handler checked as read).
            .only_if("attribute_not_exists(going) OR going <= :cap"),
            None => Edit::new(
                "event.count",
                pk(m, &e.id),
                COUNT,
                format!("SET #o = :o, {counters} REMOVE cap"),
            ),
        }
        .name("#o", "open")
        .value(":o", AttributeValue::Bool(open))
        .value(":z", n(0));
        self.edit_write(edit)
    }

    /// A new event with its counters (and its reminder), once per
    /// idempotency key.
    pub async fn create_event(
        &self,
        m: &MunicipalityId,
        e: &Event,
        telling: &Telling,
        idem: Option<&Idempotency>,
        answer: &str,
        now: OffsetDateTime,
    ) -> Result<Created, StoreError> {
        let mut items = vec![self.put_new(event_item(m, e)?)?.0];
        items.push(self.counts_write(m, e)?.0);
        items.extend(self.telling_writes(m, e, telling, now)?);
        self.create_once("event.create", items, idem, 201, answer)
            .await
    }

    /// Write an event changed from the version read, its counters' capacity
    /// and what is to be told of it, together.
    pub async fn put_event(
        &self,
        m: &MunicipalityId,
        e: &Event,
        read: u64,
        telling: &Telling,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let cond = "version = :v";
        let put = event_item(m, e)?;
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(put))
            .condition_expression(cond)
            .expression_attribute_values(":v", n(read))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        items.push(self.counts_write(m, e)?.0);
        items.extend(self.telling_writes(m, e, telling, now)?);
        match self.transact("event.put", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// An event and its counters (one Query).
    pub async fn event(
        &self,
        m: &MunicipalityId,
        id: &str,
        consistent: bool,
    ) -> Result<Option<(Event, Counts)>, StoreError> {
        let mut q = Query::table("event.get", pk(m, id)).begins_with("EVENT");
        if consistent {
            q = q.consistent();
        }
        let mut event = None;
        let mut counts = Counts::default();
        for item in self.query_all_raw(q).await? {
            match super::text(&item, keys::SK).as_deref() {
                Some("EVENT") => event = Some(from_item::<Event>(item)?),
                Some(COUNT) => counts = from_item(item)?,
                _ => {}
            }
        }
        Ok(event.map(|e| (e, counts)))
    }

    /// A page of `m`'s events starting between `from` and `to` (RFC 3339
    /// UTC), in order of start (latest first if `backwards`).
    pub async fn events_between(
        &self,
        m: &MunicipalityId,
        from: &str,
        to: &str,
        backwards: bool,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Event>, StoreError> {
        // `#` sorts before every id character: `to` + `~` takes all of `to`'s second.
        let q = Query::index("event.list", keys::GSI1, listing(m))
            .between(format!("{from}#"), format!("{to}#~"))
            .forwards(!backwards)
            .limit(limit)
            .after(start);
        self.query_page(q).await
    }

    /// What is due to be told for `m`'s events at `now`.
    pub async fn due_tells(&self, m: &MunicipalityId, now: &str) -> Result<Vec<Tell>, StoreError> {
        self.query_all(
            Query::index("event.tells", keys::GSI3, tells(m)).at_most(format!("{now}#~")),
        )
        .await
    }
}
