//! Marks on events, places and the waiting list (keys: `store::events`).
//!
//! Each change is one transaction: the person's mark (conditioned on the one
//! read), the counters (a place only while `going < cap`; a turn on the
//! waiting list only while the event is full), and, when a place is freed,
//! the first in line moved to it with the notice that tells them. A
//! transaction that lost a race on the waiting list is tried again, from a
//! fresh read.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::events::{COUNT, Counts, Tell, pk};
use super::query::Query;
use super::update::Edit;
use super::{Store, StoreError, TxError, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::event::attendance::{self, Attendance, Seat};
use crate::domain::notice::Notice;

fn att_sk(user: &str) -> String {
    format!("ATT#{user}")
}

/// A turn on the waiting list: who, in the order of `WAIT#<key>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Turn {
    user: String,
}

/// Why a mark was not written.
#[derive(Debug, PartialEq, Eq)]
pub enum MarkError {
    /// No place left, and no waiting list asked for.
    Full,
    /// The event was cancelled meanwhile.
    Closed,
    /// The person's mark changed meanwhile (another request of theirs).
    Conflict,
    Store(StoreError),
}

impl From<StoreError> for MarkError {
    fn from(e: StoreError) -> Self {
        MarkError::Store(e)
    }
}

/// On what the counters move.
#[derive(Debug, Clone, Copy)]
enum When {
    Exists,
    Open,
    /// Open, and counting no places (a "going" without a seat).
    OpenNoCap,
    /// Open, with a place left and nobody waiting for it.
    PlaceLeft,
    /// Open, and full (or others already waiting): a turn on the waiting list.
    Full,
    /// Nobody waits for the place freed.
    NobodyWaiting,
}

/// Attempts of a change that lost a race on the waiting list.
const ATTEMPTS: usize = 6;

impl Store {
    fn att_write(
        &self,
        m: &MunicipalityId,
        before: Option<&Attendance>,
        after: Option<&Attendance>,
        user: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let pk = pk(m, before.or(after).map_or("", |a| a.event.as_str()));
        let (cond, version) = match before {
            None => ("attribute_not_exists(PK)", None),
            Some(b) => ("version = :v", Some(b.version)),
        };
        if let Some(a) = after {
            let mut item = keyed(a, &pk, att_sk(user), "attendance")?;
            // The person's: in their data export, gone with their account.
            item.insert(keys::GSI2PK.into(), s(keys::owner_gsi(user)));
            item.insert(keys::GSI2SK.into(), s(&pk));
            let mut put = aws_sdk_dynamodb::types::Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(cond);
            if let Some(v) = version {
                put = put.expression_attribute_values(":v", n(v));
            }
            let put = put
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            return Ok(TransactWriteItem::builder().put(put).build());
        }
        let mut d = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&pk))
            .key(keys::SK, s(att_sk(user)))
            .condition_expression(cond);
        if let Some(v) = version {
            d = d.expression_attribute_values(":v", n(v));
        }
        let d = d.build().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(TransactWriteItem::builder().delete(d).build())
    }

    /// The counters moved by `delta`, on `when`.
    fn counts_add(
        &self,
        m: &MunicipalityId,
        event: &str,
        delta: &[(&'static str, i64)],
        when: When,
    ) -> Result<TransactWriteItem, StoreError> {
        let adds: Vec<String> = delta.iter().map(|(c, _)| format!("{c} :d_{c}")).collect();
        // Nothing to add still checks the condition (an ADD of 0 is harmless).
        let expression = if adds.is_empty() {
            "ADD going :zero".to_owned()
        } else {
            format!("ADD {}", adds.join(", "))
        };
        let (condition, zero) = match when {
            When::Exists => ("attribute_exists(PK)", false),
            When::Open => ("#o = :yes", false),
            When::OpenNoCap => ("#o = :yes AND attribute_not_exists(cap)", false),
            When::PlaceLeft => ("#o = :yes AND going < cap AND waiting = :zero", true),
            When::Full => ("#o = :yes AND (going >= cap OR waiting > :zero)", true),
            When::NobodyWaiting => ("attribute_not_exists(waiting) OR waiting = :zero", true),
        };
        let mut e = Edit::new("event.counts", pk(m, event), COUNT, expression).only_if(condition);
        if condition.contains("#o") {
            e = e
                .name("#o", "open")
                .value(":yes", AttributeValue::Bool(true));
        }
        if adds.is_empty() || zero {
            e = e.value(":zero", n(0));
        }
        for (c, d) in delta {
            e = e.value(format!(":d_{c}"), n(d));
        }
        Ok(self.edit_write(e)?.0)
    }

    /// `user`'s mark on an event, read consistently (what a new one replaces).
    pub async fn attendance(
        &self,
        m: &MunicipalityId,
        event: &str,
        user: &str,
    ) -> Result<Option<Attendance>, StoreError> {
        self.get_record("attendance.get", pk(m, event), att_sk(user), true)
            .await
    }

    async fn first_in_line(
        &self,
        m: &MunicipalityId,
        event: &str,
    ) -> Result<Option<(String, Attendance)>, StoreError> {
        let (items, _) = self
            .query_raw(
                Query::table("event.waiting", pk(m, event))
                    .begins_with("WAIT#")
                    .consistent()
                    .limit(1),
            )
            .await?;
        let Some(item) = items.into_iter().next() else {
            return Ok(None);
        };
        let sk = super::text(&item, keys::SK).unwrap_or_default();
        let turn: Turn = super::from_item(item)?;
        match self.attendance(m, event, &turn.user).await? {
            Some(a) if a.seat == Some(Seat::Waiting) => Ok(Some((sk, a))),
            // A turn whose person left (their account erased): it goes.
            _ => {
                let items = vec![
                    delete_write(&self.table, pk(m, event), &sk)?,
                    self.counts_add(m, event, &[("waiting", -1)], When::Exists)?,
                ];
                match self.transact("event.turn", items).await {
                    Ok(()) | Err(TxError::Conditions(_)) => {}
                    Err(TxError::Store(e)) => return Err(e),
                }
                Box::pin(self.first_in_line(m, event)).await
            }
        }
    }

    /// The writes that give the first in line the freed place (`next`,
    /// at `wait_sk`), and tell them.
    fn promotion(
        &self,
        m: &MunicipalityId,
        wait_sk: &str,
        next: &Attendance,
        notice: &Notice,
        now: time::OffsetDateTime,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let d = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(pk(m, &next.event)))
            .key(keys::SK, s(wait_sk))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let placed = attendance::promoted(next, now);
        let mut notice = notice.clone();
        notice.id = crate::domain::Id::generate("ntf").to_string();
        notice.to = Some(next.user.clone());
        Ok(vec![
            TransactWriteItem::builder().delete(d).build(),
            self.att_write(m, Some(next), Some(&placed), &next.user)?,
            self.notice_write(&notice)?.0,
        ])
    }

    /// Change a person's mark from `before` to `after` (none: remove it), where
    /// `after` takes no new place. A place freed goes to the first in line,
    /// told by `notice` (its `to` and id set here) — none: the event is over
    /// or cancelled, nobody is moved up.
    pub async fn remark(
        &self,
        m: &MunicipalityId,
        before: Option<&Attendance>,
        after: Option<&Attendance>,
        notice: Option<&Notice>,
        now: time::OffsetDateTime,
    ) -> Result<(), MarkError> {
        let Some(whose) = before.or(after) else {
            return Ok(());
        };
        let (event, user) = (whose.event.as_str(), whose.user.as_str());
        let promote = notice.filter(|_| before.is_some_and(attendance::holds_place));
        for _ in 0..ATTEMPTS {
            let mut items = vec![self.att_write(m, before, after, user)?];
            let mut delta = attendance::delta(before, after);
            if let Some(key) = before.and_then(|b| b.wait_key.as_deref()) {
                items.push(delete_write(
                    &self.table,
                    pk(m, event),
                    &format!("WAIT#{key}"),
                )?);
            }
            let mut when = match after {
                None => When::Exists,
                // A "going" that takes no seat: only while places are not counted.
                Some(a) if a.mark == attendance::Mark::Going => When::OpenNoCap,
                Some(_) => When::Open,
            };
            if let Some(notice) = promote {
                match self.first_in_line(m, event).await? {
                    Some((wait_sk, next)) => {
                        items.extend(self.promotion(m, &wait_sk, &next, notice, now)?);
                        // The place changes hands: one fewer waiting, as many going.
                        for (c, d) in [("going", 1), ("waiting", -1)] {
                            match delta.iter_mut().find(|(n, _)| *n == c) {
                                Some((_, v)) => *v += d,
                                None => delta.push((c, d)),
                            }
                        }
                        delta.retain(|(_, d)| *d != 0);
                    }
                    None => when = When::NobodyWaiting,
                }
            }
            items.push(self.counts_add(m, event, &delta, when)?);
            match self.transact("event.mark", items).await {
                Ok(()) => return Ok(()),
                Err(e) if e.failed_at(0) => return Err(MarkError::Conflict),
                Err(TxError::Conditions(_)) if after.is_some() => {
                    // Cancelled meanwhile, or places counted from now on.
                    if !self.event_counts(m, event).await?.1 {
                        return Err(MarkError::Closed);
                    }
                }
                Err(TxError::Conditions(_)) => {}
                Err(TxError::Store(e)) => return Err(e.into()),
            }
        }
        // Lost every race: the caller reads again (409 if it keeps losing).
        Err(MarkError::Conflict)
    }

    /// An erased account's mark goes as if they took it back: counters, turn
    /// and the place given to the next in line, in one transaction.
    pub(crate) async fn erase_mark(&self, item: super::Item) -> Result<(), StoreError> {
        let pk = super::text(&item, keys::PK).unwrap_or_default();
        let a: Attendance = super::from_item(item)?;
        let m = pk
            .strip_prefix("M#")
            .and_then(|rest| rest.split("#EVT#").next())
            .and_then(|slug| MunicipalityId::parse(slug).ok());
        let Some(m) = m else {
            return Ok(());
        };
        let now = time::OffsetDateTime::now_utc();
        let notice = self
            .event(&m, &a.event, true)
            .await?
            .filter(|(e, _)| attendance::open(e, now))
            .map(|(e, _)| crate::domain::event::notice(&m, &e, "registered", now));
        match self.remark(&m, Some(&a), None, notice.as_ref(), now).await {
            Ok(()) | Err(MarkError::Conflict) => Ok(()),
            Err(MarkError::Store(e)) => Err(e),
            Err(MarkError::Full | MarkError::Closed) => Ok(()),
        }
    }

    /// Take a place for `registered` (from `before`), or, the event being
    /// full, a turn on the waiting list for `waiting` if given.
    pub async fn take_seat(
        &self,
        m: &MunicipalityId,
        event: &str,
        user: &str,
        before: Option<&Attendance>,
        registered: &Attendance,
        waiting: Option<&Attendance>,
    ) -> Result<Seat, MarkError> {
        for _ in 0..ATTEMPTS {
            let items = vec![
                self.att_write(m, before, Some(registered), user)?,
                self.counts_add(
                    m,
                    event,
                    &attendance::delta(before, Some(registered)),
                    When::PlaceLeft,
                )?,
            ];
            match self.transact("event.seat", items).await {
                Ok(()) => return Ok(Seat::Registered),
                Err(e) if e.failed_at(0) => return Err(MarkError::Conflict),
                Err(TxError::Conditions(_)) => {}
                Err(TxError::Store(e)) => return Err(e.into()),
            }
            let counts = self.event_counts(m, event).await?;
            if !counts.1 {
                return Err(MarkError::Closed);
            }
            let Some(w) = waiting else {
                return Err(MarkError::Full);
            };
            let key = w.wait_key.clone().unwrap_or_default();
            let turn = keyed(
                &Turn {
                    user: user.to_owned(),
                },
                pk(m, event),
                format!("WAIT#{key}"),
                "event_turn",
            )?;
            let items = vec![
                self.att_write(m, before, Some(w), user)?,
                self.put_new(turn)?.0,
                self.counts_add(m, event, &attendance::delta(before, Some(w)), When::Full)?,
            ];
            match self.transact("event.wait", items).await {
                Ok(()) => return Ok(Seat::Waiting),
                Err(e) if e.failed_at(0) => return Err(MarkError::Conflict),
                // A place was freed meanwhile: try for it.
                Err(TxError::Conditions(_)) => continue,
                Err(TxError::Store(e)) => return Err(e.into()),
            }
        }
        // Lost every race: the caller reads again (409 if it keeps losing).
        Err(MarkError::Conflict)
    }

    /// The counters and whether the event takes marks, read consistently.
    pub async fn event_counts(
        &self,
        m: &MunicipalityId,
        event: &str,
    ) -> Result<(Counts, bool), StoreError> {
        let Some(item) = self
            .get_item("event.counts", pk(m, event), COUNT, true)
            .await?
        else {
            return Ok((Counts::default(), false));
        };
        let open = item.get("open").and_then(|v| v.as_bool().ok()).copied();
        Ok((super::from_item(item)?, open.unwrap_or(false)))
    }

    /// Give freed places (a capacity raised) to those in line, in order;
    /// how many were placed.
    pub async fn fill_places(
        &self,
        m: &MunicipalityId,
        event: &str,
        notice: &Notice,
        now: time::OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let mut placed = 0;
        let mut misses = 0;
        // A capacity raised by a thousand is filled over several edits at most.
        for _ in 0..200 {
            let Some((wait_sk, next)) = self.first_in_line(m, event).await? else {
                break;
            };
            let mut items = self.promotion(m, &wait_sk, &next, notice, now)?;
            // A place left (others waiting is the point here).
            let counts = Edit::new(
                "event.fill",
                pk(m, event),
                COUNT,
                "ADD going :one, waiting :minus",
            )
            .only_if("#o = :yes AND going < cap")
            .name("#o", "open")
            .value(":yes", AttributeValue::Bool(true))
            .value(":one", n(1))
            .value(":minus", n(-1));
            items.push(self.edit_write(counts)?.0);
            let last = items.len() - 1;
            match self.transact("event.fill", items).await {
                Ok(()) => placed += 1,
                // No place left: done.
                Err(e) if e.failed_at(last) => break,
                // The next in line changed their mark meanwhile: read again.
                Err(TxError::Conditions(_)) => {
                    misses += 1;
                    if misses > ATTEMPTS {
                        break;
                    }
                }
                Err(TxError::Store(e)) => return Err(e),
            }
        }
        Ok(placed)
    }

    /// How many wait ahead of the turn `key`.
    pub async fn ahead_of(
        &self,
        m: &MunicipalityId,
        event: &str,
        key: &str,
    ) -> Result<u64, StoreError> {
        let items = self
            .query_all_raw(
                Query::table("event.ahead", pk(m, event))
                    .between("WAIT#", format!("WAIT#{key}"))
                    .consistent(),
            )
            .await?;
        Ok((items.len() as u64).saturating_sub(1))
    }

    /// A page of the marks on an event, for staff.
    pub async fn attendees_page(
        &self,
        m: &MunicipalityId,
        event: &str,
        limit: i32,
        start: Option<super::PageKey>,
    ) -> Result<super::Page<Attendance>, StoreError> {
        self.query_page(
            Query::table("event.attendees", pk(m, event))
                .begins_with("ATT#")
                .limit(limit)
                .after(start),
        )
        .await
    }

    /// A page of the marks on an event, after `cursor` (an `ATT#<usr>` key).
    pub async fn marks_page(
        &self,
        m: &MunicipalityId,
        event: &str,
        cursor: Option<&str>,
        limit: i32,
    ) -> Result<(Vec<Attendance>, Option<String>), StoreError> {
        let pk = pk(m, event);
        let start = cursor.map(|c| {
            let mut k = super::PageKey::new();
            k.insert(keys::PK.into(), pk.clone());
            k.insert(keys::SK.into(), c.to_owned());
            k
        });
        let (items, next) = self
            .query_raw(
                Query::table("event.marks", &pk)
                    .begins_with("ATT#")
                    .limit(limit)
                    .after(start),
            )
            .await?;
        let marks: Vec<Attendance> = items
            .into_iter()
            .map(super::from_item)
            .collect::<Result<_, _>>()?;
        let next = next.and_then(|k| k.get(keys::SK).cloned());
        Ok((marks, next))
    }

    /// Write `notices` and move `tell` on to `next` (none: it is done),
    /// conditioned on the cursor read: a page another run wrote is not
    /// written again.
    pub async fn tell_step(
        &self,
        m: &MunicipalityId,
        tell: &Tell,
        notices: &[Notice],
        next: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut items = Vec::with_capacity(notices.len() + 1);
        for x in notices {
            items.push(self.notice_write(x)?.0);
        }
        let pk = pk(m, &tell.event);
        // `cursor` is a reserved word: `#cur`.
        let read = match &tell.cursor {
            Some(c) => ("#cur = :c", Some(c.clone())),
            None => ("attribute_not_exists(#cur)", None),
        };
        // The item as read: a reminder rewritten since (the event moved) is
        // another's to send.
        let cond = format!("attribute_exists(PK) AND #seq = :seq AND {}", read.0);
        let mut e = match next {
            Some(n) => Edit::new("event.tell", &pk, &tell.sk, "SET #cur = :n").value(":n", s(n)),
            // Done: out of the queue, kept as a record of what was sent.
            None => Edit::new("event.tell", &pk, &tell.sk, "REMOVE GSI3PK, GSI3SK, #cur"),
        }
        .name("#cur", "cursor")
        .name("#seq", "sequence")
        .value(":seq", n(tell.sequence))
        .only_if(cond);
        if let Some(c) = read.1 {
            e = e.value(":c", s(c));
        }
        items.push(self.edit_write(e)?.0);
        match self.transact("event.tell", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }
}

fn delete_write(table: &str, pk: String, sk: &str) -> Result<TransactWriteItem, StoreError> {
    let d = Delete::builder()
        .table_name(table)
        .key(keys::PK, s(pk))
        .key(keys::SK, s(sk))
        .condition_expression("attribute_exists(PK)")
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(d).build())
}
