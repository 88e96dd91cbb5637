//! E-ticket queues. An agency's configuration is one item (`M#<m>` /
//! `AGENCY#<code>`). Each service's queue of one day is one partition,
//! `M#<m>#Q#<agency>#<service>#<YYYY-MM-DD>` (the Tunis date: numbers restart
//! each day), holding:
//!
//! - `COUNTER`: `n`, the last number given, taken by an atomic `ADD` (so 500
//!   people at once get 500 distinct, consecutive numbers) conditioned on the
//!   daily maximum;
//! - `CALLED`: `last`, the number last called (the board's "now serving"); a
//!   call is conditioned on the ticket still waiting, so two counters calling
//!   at the same moment never get the same ticket;
//! - `STATS`: handled seconds and count, for the estimated wait;
//! - `T#<number, 6 digits>`: the tickets;
//! - `ACTIVE#<usr>`: one active ticket per person and service.
//!
//! Every item of a day's queue carries the table's TTL attribute: DynamoDB
//! deletes the queue 90 days after its day.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::query::Query;
use super::{
    Item, Store, StoreError, TxError, from_item, keyed, keys, n, s, sdk_error, text, to_item,
};
use crate::domain::MunicipalityId;
use crate::domain::eticket::agency::{Agency, Ticket};
use crate::domain::eticket::{QUEUE_RETENTION_DAYS, TicketStatus, queue_expiry};
use crate::domain::notice::Notice;

/// Where a day's queue of one service is, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKey {
    pub pk: String,
    /// Epoch seconds: every item of the queue carries it as the table's TTL
    /// (`eticket::queue_expiry`), so DynamoDB deletes the day's tickets, and who
    /// held them, [`QUEUE_RETENTION_DAYS`] after the day.
    pub expires_at: u64,
}

impl QueueKey {
    pub fn new(m: &MunicipalityId, agency: &str, service: &str, day: &str) -> QueueKey {
        QueueKey {
            pk: keys::queue_pk(m, agency, service, day),
            expires_at: queue_expiry(day).unwrap_or_else(|| {
                crate::http::auth::now_secs() + QUEUE_RETENTION_DAYS.unsigned_abs() * 86_400
            }),
        }
    }
}

fn ticket_sk(number: u64) -> String {
    format!("T#{number:06}")
}

/// The highest number a ticket key sorts by (six digits): "every ticket of the
/// day" for [`Store::queue_with_waiting`].
pub const LAST_NUMBER: u64 = 999_999;

/// The state of a day's queue: numbers given, last called, handling times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueState {
    pub taken: u64,
    pub last_called: u64,
    pub handled_secs: u64,
    pub handled_count: u64,
}

impl QueueState {
    /// Take in one of the queue's state items; `false` for any other item (a
    /// ticket).
    fn read(&mut self, item: &Item) -> bool {
        match text(item, keys::SK).as_deref() {
            Some("COUNTER") => self.taken = num(item, "n"),
            Some("CALLED") => self.last_called = num(item, "last"),
            Some("STATS") => {
                self.handled_secs = num(item, "secs");
                self.handled_count = num(item, "count");
            }
            _ => return false,
        }
        true
    }
}

fn num(item: &Item, k: &str) -> u64 {
    item.get(k)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Why taking a number failed.
#[derive(Debug, PartialEq, Eq)]
pub enum TakeError {
    /// The day's maximum is reached.
    Full,
    /// The person already holds an active ticket of this service today.
    AlreadyHolding(u64),
    Store(StoreError),
}

impl From<StoreError> for TakeError {
    fn from(e: StoreError) -> Self {
        TakeError::Store(e)
    }
}

impl Store {
    pub async fn put_agency(&self, m: &MunicipalityId, a: &Agency) -> Result<(), StoreError> {
        let item = keyed(a, keys::tenant(m), keys::agency_sk(&a.code), "agency")?;
        self.put("agency.put", item, None).await
    }

    pub async fn get_agency(
        &self,
        m: &MunicipalityId,
        code: &str,
    ) -> Result<Option<Agency>, StoreError> {
        self.get_record("agency.get", keys::tenant(m), keys::agency_sk(code), false)
            .await
    }

    /// A municipality's agencies (a few dozen at most).
    pub async fn agencies(&self, m: &MunicipalityId) -> Result<Vec<Agency>, StoreError> {
        self.query_all(
            Query::table("agency.list", keys::tenant(m)).begins_with(keys::AGENCY_PREFIX),
        )
        .await
    }

    /// The counters of a day's queue: one Query of its three small items.
    pub async fn queue_state(&self, q: &QueueKey) -> Result<QueueState, StoreError> {
        let (items, _) = self
            .query_raw(
                Query::table("queue.state", &q.pk)
                    .between("CALLED", "STATS")
                    .consistent(),
            )
            .await?;
        let mut state = QueueState::default();
        for item in &items {
            state.read(item);
        }
        Ok(state)
    }

    /// The number of `holder`'s active ticket today, if any.
    pub async fn active_ticket(
        &self,
        q: &QueueKey,
        holder: &str,
    ) -> Result<Option<u64>, StoreError> {
        let item = self
            .get_item("queue.active", &q.pk, format!("ACTIVE#{holder}"), true)
            .await?;
        Ok(item.map(|i| num(&i, "number")))
    }

    /// Give the next number (atomic `ADD`, never above `max`) and record the
    /// ticket, with `holder`'s active-ticket guard when there is a holder.
    pub async fn take_ticket(
        &self,
        q: &QueueKey,
        max: u64,
        mut ticket: Ticket,
    ) -> Result<Ticket, TakeError> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s("COUNTER"))
            .update_expression("ADD #n :one SET #exp = :exp")
            .condition_expression("attribute_not_exists(#n) OR #n < :max")
            .expression_attribute_names("#n", "n")
            .expression_attribute_names("#exp", keys::EXPIRES_AT)
            .expression_attribute_values(":exp", n(q.expires_at))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await;
        let number = match out {
            Ok(o) => o
                .attributes
                .as_ref()
                .map(|a| num(a, "n"))
                .filter(|n| *n > 0)
                .ok_or_else(|| StoreError::Corrupt("counter".into()))?,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                return Err(TakeError::Full);
            }
            Err(e) => return Err(sdk_error("queue.take", e).into()),
        };
        ticket.number = number;
        let mut tx = vec![self.put_ticket(q, &ticket, "attribute_not_exists(PK)")?];
        if let Some(holder) = &ticket.holder {
            tx.push(self.guard_put(q, holder, number)?);
        }
        match self.transact("queue.ticket", tx).await {
            Ok(()) => Ok(ticket),
            Err(e @ TxError::Conditions(_)) if e.failed_at(1) => {
                // The same person took one at the same moment: this number is
                // void (the queue skips it), theirs stands.
                let held = self
                    .active_ticket(q, ticket.holder.as_deref().unwrap_or_default())
                    .await?
                    .unwrap_or(0);
                ticket.status = TicketStatus::Void;
                ticket.holder = None;
                self.transact(
                    "queue.void",
                    vec![self.put_ticket(q, &ticket, "attribute_not_exists(PK)")?],
                )
                .await
                .map_err(|e| match e {
                    TxError::Store(e) => e,
                    TxError::Conditions(_) => StoreError::Corrupt("void ticket".into()),
                })?;
                Err(TakeError::AlreadyHolding(held))
            }
            Err(TxError::Conditions(_)) => Err(StoreError::Corrupt("ticket exists".into()).into()),
            Err(TxError::Store(e)) => Err(e.into()),
        }
    }

    fn put_ticket(
        &self,
        q: &QueueKey,
        t: &Ticket,
        condition: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = to_item(t)?;
        item.insert(keys::PK.into(), s(&q.pk));
        item.insert(keys::SK.into(), s(ticket_sk(t.number)));
        item.insert("type".into(), s("ticket"));
        item.insert(keys::EXPIRES_AT.into(), n(q.expires_at));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn guard_put(
        &self,
        q: &QueueKey,
        holder: &str,
        number: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = Item::new();
        item.insert(keys::PK.into(), s(&q.pk));
        item.insert(keys::SK.into(), s(format!("ACTIVE#{holder}")));
        item.insert("number".into(), n(number));
        item.insert(keys::EXPIRES_AT.into(), n(q.expires_at));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Remove `holder`'s guard if it is this ticket's (not a later one's).
    fn guard_delete(
        &self,
        q: &QueueKey,
        holder: &str,
        number: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s(format!("ACTIVE#{holder}")))
            .condition_expression("attribute_not_exists(PK) OR #number = :n")
            .expression_attribute_names("#number", "number")
            .expression_attribute_values(":n", n(number))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    pub async fn get_ticket(
        &self,
        q: &QueueKey,
        number: u64,
    ) -> Result<Option<Ticket>, StoreError> {
        self.get_record("ticket.get", &q.pk, ticket_sk(number), true)
            .await
    }

    /// Waiting tickets after number `after`, in order, `max` at most.
    pub async fn waiting_after(
        &self,
        q: &QueueKey,
        after: u64,
        max: usize,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut q = Query::table("queue.waiting", &q.pk)
            .between(ticket_sk(after + 1), "T#~")
            .filter(
                "#st = :waiting",
                &[("#st", "status")],
                [(":waiting", s("waiting"))],
            )
            .consistent();
        let mut out = Vec::new();
        loop {
            let (items, next) = self.query_raw(q.clone()).await?;
            for item in items {
                out.push(from_item(item)?);
                if out.len() >= max {
                    return Ok(out);
                }
            }
            match next {
                Some(k) => q = q.after(Some(k)),
                None => return Ok(out),
            }
        }
    }

    /// The queue's state and how many tickets up to number `up_to` still wait,
    /// in one Query: the state items (`CALLED`, `COUNTER`, `STATS`) sort just
    /// before the tickets (`T#…`), so one key range holds both; the filter keeps
    /// the state and the waiting tickets, and only their key and counters are
    /// returned. The state alone is [`Self::queue_state`].
    pub async fn queue_with_waiting(
        &self,
        q: &QueueKey,
        up_to: u64,
    ) -> Result<(QueueState, u64), StoreError> {
        let mut state = QueueState::default();
        let mut waiting = 0u64;
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :to")
                .filter_expression("attribute_not_exists(#st) OR #st = :waiting")
                .projection_expression("SK, #n, #last, #secs, #count")
                .expression_attribute_names("#st", "status")
                .expression_attribute_names("#n", "n")
                .expression_attribute_names("#last", "last")
                .expression_attribute_names("#secs", "secs")
                .expression_attribute_names("#count", "count")
                .expression_attribute_values(":pk", s(&q.pk))
                .expression_attribute_values(":from", s("CALLED"))
                .expression_attribute_values(":to", s(ticket_sk(up_to)))
                .expression_attribute_values(":waiting", s("waiting"))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("queue.view", e))?;
            for item in page.items() {
                if !state.read(item) {
                    waiting += 1;
                }
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok((state, waiting)),
            }
        }
    }

    /// Call `ticket` at `counter`, if it still waits (so two counters never get
    /// the same ticket), with the holder's notices; the queue's
    /// `last` (shown as "now serving") becomes its number. `Ok(false)`: someone
    /// called it meanwhile (read again).
    pub async fn call_ticket(
        &self,
        q: &QueueKey,
        ticket: &Ticket,
        counter: &str,
        at: &str,
        notices: &[Notice],
    ) -> Result<bool, StoreError> {
        let called = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s("CALLED"))
            .update_expression("SET #last = :n, #exp = :exp")
            .expression_attribute_names("#last", "last")
            .expression_attribute_names("#exp", keys::EXPIRES_AT)
            .expression_attribute_values(":exp", n(q.expires_at))
            .expression_attribute_values(":n", n(ticket.number))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let t = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s(ticket_sk(ticket.number)))
            .update_expression("SET #st = :called, called_at = :at, #c = :counter")
            .condition_expression("#st = :waiting")
            .expression_attribute_names("#st", "status")
            .expression_attribute_names("#c", "counter")
            .expression_attribute_values(":called", s("called"))
            .expression_attribute_values(":waiting", s("waiting"))
            .expression_attribute_values(":at", s(at))
            .expression_attribute_values(":counter", s(counter))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = vec![
            TransactWriteItem::builder().update(called).build(),
            TransactWriteItem::builder().update(t).build(),
        ];
        for notice in notices {
            tx.push(self.notice_write(notice)?.0);
        }
        match self.transact("queue.call", tx).await {
            Ok(()) => Ok(true),
            Err(TxError::Conditions(_)) => Ok(false),
            Err(TxError::Store(StoreError::Throttled)) => Ok(false),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Move a ticket from `from` to `to` (conditioned on `from`), ending the
    /// holder's active guard when it ends, counting the handling time when
    /// served, with its notices. `Ok(false)`: it changed meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_ticket(
        &self,
        q: &QueueKey,
        ticket: &Ticket,
        to: TicketStatus,
        counter: Option<&str>,
        at: &str,
        handled_secs: Option<u64>,
        notices: &[Notice],
    ) -> Result<bool, StoreError> {
        let status = |t: TicketStatus| {
            serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let mut set = vec!["#st = :to"];
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s(ticket_sk(ticket.number)))
            .condition_expression("#st = :from AND recalls = :recalls")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(status(to)))
            .expression_attribute_values(":from", s(status(ticket.status)))
            .expression_attribute_values(":recalls", n(ticket.recalls))
            .expression_attribute_values(":at", s(at));
        match to {
            TicketStatus::Called => {
                set.extend([
                    "called_at = :at",
                    "recalls = recalls + :one",
                    "#c = :counter",
                ]);
                update = update
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_names("#c", "counter")
                    .expression_attribute_values(":counter", s(counter.unwrap_or_default()));
            }
            _ => set.push("finished_at = :at"),
        }
        let update = update
            .update_expression(format!("SET {}", set.join(", ")))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = vec![TransactWriteItem::builder().update(update).build()];
        // The holder may take another ticket once this one is over: served,
        // cancelled, or absent with its one recall used (an absent ticket that
        // may still be recalled keeps its place).
        let over = match to {
            TicketStatus::Absent => ticket.recalls >= 1,
            t => !t.is_active(),
        };
        if over && let Some(holder) = &ticket.holder {
            tx.push(self.guard_delete(q, holder, ticket.number)?);
        }
        if let Some(secs) = handled_secs {
            let stats = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&q.pk))
                .key(keys::SK, s("STATS"))
                .update_expression("ADD secs :s, #count :one SET #exp = :exp")
                .expression_attribute_names("#count", "count")
                .expression_attribute_names("#exp", keys::EXPIRES_AT)
                .expression_attribute_values(":exp", n(q.expires_at))
                .expression_attribute_values(":s", n(secs))
                .expression_attribute_values(":one", n(1))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.push(TransactWriteItem::builder().update(stats).build());
        }
        for notice in notices {
            tx.push(self.notice_write(notice)?.0);
        }
        match self.transact("ticket.move", tx).await {
            Ok(()) => Ok(true),
            Err(TxError::Conditions(_)) => Ok(false),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// A paper ticket claimed in the app: its holder is set (once) and guarded.
    pub async fn claim_ticket(
        &self,
        q: &QueueKey,
        number: u64,
        holder: &str,
    ) -> Result<bool, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s(ticket_sk(number)))
            .update_expression("SET holder = :h")
            .condition_expression(
                "attribute_not_exists(holder) AND (#st = :waiting OR #st = :called)",
            )
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":h", s(holder))
            .expression_attribute_values(":waiting", s("waiting"))
            .expression_attribute_values(":called", s("called"))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match self
            .transact(
                "ticket.claim",
                vec![
                    TransactWriteItem::builder().update(update).build(),
                    self.guard_put(q, holder, number)?,
                ],
            )
            .await
        {
            Ok(()) => Ok(true),
            Err(TxError::Conditions(_)) => Ok(false),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Record that `ticket`'s holder was told of `level` (people ahead), once,
    /// with the notice in the same transaction. `Ok(false)`: told before.
    pub async fn tell_ticket_once(
        &self,
        q: &QueueKey,
        number: u64,
        level: u64,
        notice: &Notice,
    ) -> Result<bool, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&q.pk))
            .key(keys::SK, s(ticket_sk(number)))
            .update_expression("SET notified = list_append(if_not_exists(notified, :empty), :lvl)")
            .condition_expression("#st = :waiting AND NOT contains(notified, :level)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":waiting", s("waiting"))
            .expression_attribute_values(":empty", AttributeValue::L(vec![]))
            .expression_attribute_values(":lvl", AttributeValue::L(vec![n(level)]))
            .expression_attribute_values(":level", n(level))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match self
            .transact(
                "ticket.tell",
                vec![
                    TransactWriteItem::builder().update(update).build(),
                    self.notice_write(notice)?.0,
                ],
            )
            .await
        {
            Ok(()) => Ok(true),
            Err(TxError::Conditions(_)) => Ok(false),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// A notice on its own (not part of a state change's transaction).
    pub async fn put_notice(&self, notice: &Notice) -> Result<(), StoreError> {
        self.transact("notice.put", vec![self.notice_write(notice)?.0])
            .await
            .map_err(|e| match e {
                TxError::Store(e) => e,
                TxError::Conditions(_) => StoreError::AlreadyExists,
            })
    }
}
