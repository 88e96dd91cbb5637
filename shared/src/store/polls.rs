//! Polls, their ballots and their tally.
//!
//! | Item | PK | SK | Index |
//! |---|---|---|---|
//! | poll (choices inside) | `M#<m>#POL#<pol>` | `POLL` | GSI1 `M#<m>#POLLS` / `<opens_at>#<pol>` when published, `M#<m>#POLLS#draft` / `<created_at>#<pol>` before |
//! | a person's ballot | `M#<m>#POL#<pol>` | `BALLOT#<usr>` | |
//! | a shard of the tally (counters) | `M#<m>#POL#<pol>` | `TALLY#<nn>` | |
//! | a staff look at hidden results | `M#<m>#POL#<pol>` | `LOOK#<at>#<ulid>` (who) | |
//!
//! A ballot and the counters it moves are one transaction conditioned on the
//! ballot read (none, or its version): two ballots of one person at once
//! count once, and the counters are exact however many vote at once.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use super::accounts::Follow;
use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{Cond, Item, Page, PageKey, Store, StoreError, TxError, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::poll::{Ballot, Poll, PollStatus, shard};

fn pk(m: &MunicipalityId, id: &str) -> String {
    format!("M#{m}#POL#{id}")
}

fn listing(m: &MunicipalityId, p: &Poll) -> (String, String) {
    match p.status {
        PollStatus::Published => (
            format!("M#{m}#POLLS"),
            format!("{}#{}", p.content.opens_at, p.id),
        ),
        PollStatus::Draft => (
            format!("M#{m}#POLLS#draft"),
            format!("{}#{}", p.created_at, p.id),
        ),
    }
}

fn poll_item(m: &MunicipalityId, p: &Poll) -> Result<Item, StoreError> {
    let mut item = keyed(p, pk(m, &p.id), "POLL", "poll")?;
    let (gpk, gsk) = listing(m, p);
    item.insert(keys::GSI1PK.into(), s(gpk));
    item.insert(keys::GSI1SK.into(), s(gsk));
    Ok(item)
}

/// A staff look at results the public may not see yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Look {
    pub at: String,
    pub by: String,
}

impl Store {
    /// A new draft poll, once per idempotency key.
    pub async fn create_poll(
        &self,
        m: &MunicipalityId,
        p: &Poll,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let write = self.put_new(poll_item(m, p)?)?;
        self.create_once("poll.create", vec![write.0], idem, 201, answer)
            .await
    }

    /// Write a poll changed from the version read.
    pub async fn put_poll(
        &self,
        m: &MunicipalityId,
        p: &Poll,
        read: u64,
    ) -> Result<(), StoreError> {
        let cond = Cond::new("version = :v").value(":v", n(read));
        self.put("poll.put", poll_item(m, p)?, cond).await
    }

    pub async fn poll(
        &self,
        m: &MunicipalityId,
        id: &str,
        consistent: bool,
    ) -> Result<Option<Poll>, StoreError> {
        self.get_record("poll.get", pk(m, id), "POLL", consistent)
            .await
    }

    /// A page of `m`'s published polls (newest window first), or of its drafts.
    pub async fn polls_page(
        &self,
        m: &MunicipalityId,
        status: PollStatus,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Poll>, StoreError> {
        let gsi = match status {
            PollStatus::Published => format!("M#{m}#POLLS"),
            PollStatus::Draft => format!("M#{m}#POLLS#draft"),
        };
        let q = Query::index("polls.list", keys::GSI1, gsi)
            .backwards()
            .limit(limit)
            .after(start);
        self.query_page(q).await
    }

    /// `user`'s ballot in a poll (read consistently: it is what a new one
    /// replaces).
    pub async fn ballot(
        &self,
        m: &MunicipalityId,
        poll: &str,
        user: &str,
    ) -> Result<Option<Ballot>, StoreError> {
        self.get_record("ballot.get", pk(m, poll), format!("BALLOT#{user}"), true)
            .await
    }

    /// Whether `user` follows `m`, and the areas they chose.
    pub async fn follow_of(
        &self,
        user: &str,
        m: &MunicipalityId,
    ) -> Result<Option<Follow>, StoreError> {
        self.get_record("follow.get", keys::user_pk(user), keys::follow_sk(m), false)
            .await
    }

    /// Record `after`, replacing `before` (none: the first), and move the
    /// counters of `user`'s shard by `delta`, together. Another ballot of the
    /// same person written meanwhile: [`StoreError::VersionConflict`].
    pub async fn cast(
        &self,
        m: &MunicipalityId,
        poll: &str,
        user: &str,
        before: Option<&Ballot>,
        after: &Ballot,
        delta: &[(String, i64)],
    ) -> Result<(), StoreError> {
        let pk = pk(m, poll);
        let mut item = keyed(after, pk.clone(), format!("BALLOT#{user}"), "ballot")?;
        // The person's: in their data export, gone with their account.
        item.insert(keys::GSI2PK.into(), s(keys::owner_gsi(user)));
        item.insert(keys::GSI2SK.into(), s(&pk));
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match before {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(b) => put
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(b.version)),
        }
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        if !delta.is_empty() {
            let mut update = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&pk))
                .key(keys::SK, s(format!("TALLY#{:02}", shard(user))));
            let mut adds = Vec::new();
            for (i, (name, d)) in delta.iter().enumerate() {
                adds.push(format!("#c{i} :d{i}"));
                update = update
                    .expression_attribute_names(format!("#c{i}"), name)
                    .expression_attribute_values(format!(":d{i}"), n(d));
            }
            let update = update
                .update_expression(format!("ADD {}", adds.join(", ")))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        match self.transact("poll.cast", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// The tally's shards: each a map of counter → value.
    pub async fn tally(
        &self,
        m: &MunicipalityId,
        poll: &str,
    ) -> Result<Vec<HashMap<String, i64>>, StoreError> {
        let items = self
            .query_all_raw(
                Query::table("poll.tally", pk(m, poll))
                    .begins_with("TALLY#")
                    .consistent(),
            )
            .await?;
        Ok(items
            .into_iter()
            .map(|item| {
                item.into_iter()
                    .filter_map(|(k, v)| match v {
                        AttributeValue::N(x) => x.parse::<i64>().ok().map(|x| (k, x)),
                        _ => None,
                    })
                    .collect()
            })
            .collect())
    }

    /// Record that `by` looked at results not public yet (before they see
    /// them).
    pub async fn record_look(
        &self,
        m: &MunicipalityId,
        poll: &str,
        look: &Look,
    ) -> Result<(), StoreError> {
        // Each look its own record, however quick the next.
        let sk = format!("LOOK#{}#{}", look.at, ulid::Ulid::new());
        let item = keyed(look, pk(m, poll), sk, "look")?;
        self.put("poll.look", item, Cond::new("attribute_not_exists(PK)"))
            .await
    }

    /// Every recorded look, oldest first.
    pub async fn looks(&self, m: &MunicipalityId, poll: &str) -> Result<Vec<Look>, StoreError> {
        self.query_all(Query::table("poll.looks", pk(m, poll)).begins_with("LOOK#"))
            .await
    }
}
