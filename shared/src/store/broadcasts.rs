//! Broadcasts: the publication that sends one, its outbox record, the weekly
//! guard, and the followers it goes to.
//!
//! | Item | PK | SK | Index |
//! |---|---|---|---|
//! | broadcast (outbox) | `M#<m>#OUTBOX#<ntf>` | `BROADCAST` | GSI1 `M#<m>#BROADCASTS` / `<due, 10 digits>#<ntf>` while undelivered |
//! | weekly guard | `M#<m>` | `BROADCAST` | |
//! | follow (accounts) | `P#USER#<usr>` | `FOLLOW#<m>` | GSI1 `M#<m>#FOLLOWERS` / `<usr>` |
//!
//! A post published with a broadcast is one transaction: the post (on the
//! version read), the guard (on the value read: two broadcasts of one week
//! cannot both pass) unless the broadcast is urgent, and the outbox record.
//! People's copies are the notices' delivery records (`P#USER#<usr>#NOTICES`,
//! `N#<ntf>`: broadcasts take notices' ids, so that a person's list is in
//! time order), claimed one by one: a person is told once, however many runs.

use aws_sdk_dynamodb::types::AttributeValue;

use super::query::Query;
use super::update::Edit;
use super::{Item, PageKey, Store, StoreError, TxError, Write, from_item, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::broadcast::Broadcast;
use crate::domain::news::Post;

pub const BROADCAST: &str = "BROADCAST";
pub fn broadcast_pk(m: &MunicipalityId, id: &str) -> String {
    super::notices::notice_pk(m, id)
}
fn due_gsi(m: &MunicipalityId) -> String {
    format!("M#{m}#BROADCASTS")
}
fn due_sk(due: u64, id: &str) -> String {
    format!("{due:010}#{id}")
}

/// A follower of a municipality, and the areas they chose (none: all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follower {
    pub user: String,
    pub areas: Vec<String>,
}

/// What a publication writes besides the post.
#[derive(Debug, Default)]
pub struct Publication<'a> {
    pub broadcast: Option<&'a Broadcast>,
    /// The week's slot taken at this moment (epoch seconds), on condition the
    /// guard still holds `last` (what was read).
    pub slot: Option<(u64, Option<u64>)>,
}

fn broadcast_item(b: &Broadcast, pending: bool) -> Result<Item, StoreError> {
    let mut item = keyed(
        b,
        broadcast_pk(&b.municipality, &b.id),
        BROADCAST,
        "broadcast",
    )?;
    if pending {
        item.insert(keys::GSI1PK.into(), s(due_gsi(&b.municipality)));
        item.insert(keys::GSI1SK.into(), s(due_sk(b.next_attempt_at, &b.id)));
    }
    Ok(item)
}

impl Store {
    /// When `m` last sent a broadcast that counts towards the weekly limit.
    pub async fn last_broadcast(&self, m: &MunicipalityId) -> Result<Option<u64>, StoreError> {
        let item = self
            .get_item("broadcast.guard", keys::tenant(m), BROADCAST, true)
            .await?;
        Ok(item
            .as_ref()
            .and_then(|i| i.get("last_at"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok()))
    }

    /// Write a post's publication: the post on the version read, and what it
    /// broadcasts. A guard that moved meanwhile (another broadcast) is a
    /// [`StoreError::VersionConflict`], as is a post that did.
    pub async fn publish_post(
        &self,
        m: &MunicipalityId,
        post: &Post,
        read_version: u64,
        publication: Publication<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = vec![self.post_write(m, post, read_version)?.0];
        if let Some((at, last)) = publication.slot {
            let mut guard = Item::new();
            guard.insert(keys::PK.into(), s(keys::tenant(m)));
            guard.insert(keys::SK.into(), s(BROADCAST));
            guard.insert("last_at".into(), n(at));
            guard.insert("type".into(), s("broadcast_guard"));
            let write = match last {
                None => self.put_new(guard)?,
                Some(last) => {
                    let edit = Edit::new(
                        "broadcast.guard",
                        keys::tenant(m),
                        BROADCAST,
                        "SET last_at = :at",
                    )
                    .only_if("last_at = :last")
                    .value(":at", n(at))
                    .value(":last", n(last));
                    self.edit_write(edit)?
                }
            };
            tx.push(write.0);
        }
        if let Some(b) = publication.broadcast {
            tx.push(self.put_new(broadcast_item(b, true)?)?.0);
        }
        match self.transact("news.publish", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// A broadcast, and whether it is still to deliver.
    pub async fn get_broadcast(
        &self,
        m: &MunicipalityId,
        id: &str,
    ) -> Result<Option<(Broadcast, bool)>, StoreError> {
        let Some(item) = self
            .get_item("broadcast.get", broadcast_pk(m, id), BROADCAST, true)
            .await?
        else {
            return Ok(None);
        };
        let pending = item.contains_key(keys::GSI1PK);
        Ok(Some((from_item(item)?, pending)))
    }

    /// Undelivered broadcasts of `m` due by `now`, oldest due first.
    pub async fn due_broadcasts(
        &self,
        m: &MunicipalityId,
        now: u64,
        limit: i32,
    ) -> Result<Vec<Broadcast>, StoreError> {
        let q = Query::index("broadcast.due", keys::GSI1, due_gsi(m))
            .at_most(format!("{now:010}~"))
            .limit(limit);
        Ok(self.query_page(q).await?.items)
    }

    /// Everyone reached: off the sweep's index.
    pub async fn complete_broadcast(&self, b: &Broadcast, at: u64) -> Result<(), StoreError> {
        let pk = broadcast_pk(&b.municipality, &b.id);
        let set = "REMOVE GSI1PK, GSI1SK, #cursor SET delivered_at = :at";
        self.edit(
            Edit::new("broadcast.complete", pk, BROADCAST, set)
                .only_if("attribute_exists(PK)")
                .name("#cursor", "cursor")
                .value(":at", n(at)),
        )
        .await?;
        Ok(())
    }

    /// Go on later from `cursor` (a run out of time), or from the start
    /// after a failure (`attempts` raised); `due: None` gives it up.
    pub async fn reschedule_broadcast(
        &self,
        b: &Broadcast,
        attempts: u32,
        due: Option<u64>,
        cursor: Option<&str>,
    ) -> Result<(), StoreError> {
        let pk = broadcast_pk(&b.municipality, &b.id);
        let (set, remove) = match (due, cursor) {
            (Some(_), Some(_)) => (
                "attempts = :a, next_attempt_at = :due, GSI1PK = :o, GSI1SK = :sk, #cursor = :c",
                "",
            ),
            (Some(_), None) => (
                "attempts = :a, next_attempt_at = :due, GSI1PK = :o, GSI1SK = :sk",
                " REMOVE #cursor",
            ),
            (None, _) => (
                "attempts = :a, given_up = :t",
                " REMOVE GSI1PK, GSI1SK, #cursor",
            ),
        };
        let mut edit = Edit::new(
            "broadcast.reschedule",
            pk,
            BROADCAST,
            format!("SET {set}{remove}"),
        )
        .only_if("attribute_exists(PK)")
        .name("#cursor", "cursor")
        .value(":a", n(attempts));
        match due {
            Some(due) => {
                edit = edit
                    .value(":o", s(due_gsi(&b.municipality)))
                    .value(":due", n(due))
                    .value(":sk", s(due_sk(due, &b.id)));
                if let Some(c) = cursor {
                    edit = edit.value(":c", s(c));
                }
            }
            None => edit = edit.value(":t", AttributeValue::Bool(true)),
        }
        self.edit(edit).await?;
        Ok(())
    }

    /// A page of `m`'s followers, from `start` (a previous page's cursor).
    pub async fn followers(
        &self,
        m: &MunicipalityId,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<(Vec<Follower>, Option<PageKey>), StoreError> {
        let (items, next) = self
            .query_raw(
                Query::index("followers", keys::GSI1, keys::followers_gsi(m))
                    .limit(limit)
                    .after(start),
            )
            .await?;
        let followers = items
            .iter()
            .filter_map(|i| {
                let user = super::text(i, keys::GSI1SK)?;
                let areas = i
                    .get("areas")
                    .and_then(|v| v.as_l().ok())
                    .map(|l| l.iter().filter_map(|a| a.as_s().ok().cloned()).collect())
                    .unwrap_or_default();
                Some(Follower { user, areas })
            })
            .collect();
        Ok((followers, next))
    }
}

/// A transaction's write of a post, conditioned on the version read.
impl Store {
    fn post_write(
        &self,
        m: &MunicipalityId,
        post: &Post,
        read_version: u64,
    ) -> Result<Write, StoreError> {
        let item = super::news::post_item(m, post)?;
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(read_version))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Write(
            aws_sdk_dynamodb::types::TransactWriteItem::builder()
                .put(put)
                .build(),
        ))
    }
}
