//! The notice outbox and the per-person delivery records.
//!
//! | Item | PK | SK | Index |
//! |---|---|---|---|
//! | notice (outbox) | `M#<m>#OUTBOX#<ntf>` | `NOTICE` | GSI1 `M#<m>#OUTBOX` / `<due, 10 digits>#<ntf>` while undelivered |
//! | delivery to a person | `P#USER#<usr>#NOTICES` | `N#<ntf>` | |
//!
//! A notice is put in the same transaction as the change it tells about
//! ([`Store::notice_put`] gives the transaction item). The stream hands new
//! notices to the delivery function; undelivered ones stay on GSI1 (a sparse
//! index: the keys are removed once every person is reached) where the periodic
//! sweep finds them again.

use serde::{Deserialize, Serialize};

use super::query::Query;
use super::update::Edit;
use super::{
    Cond, Item, Page, PageKey, Store, StoreError, Write, from_item, keyed, keys, n, s, text,
    to_item,
};
use crate::domain::MunicipalityId;
use crate::domain::notice::{Channel, Notice};
use crate::domain::workflow::CaseKind;
use aws_sdk_dynamodb::types::AttributeValue;

pub fn notice_pk(m: &MunicipalityId, id: &str) -> String {
    format!("M#{m}#OUTBOX#{id}")
}
pub const NOTICE: &str = "NOTICE";
pub fn outbox_gsi(m: &MunicipalityId) -> String {
    format!("M#{m}#OUTBOX")
}
fn due_sk(due: u64, id: &str) -> String {
    format!("{due:010}#{id}")
}
pub fn deliveries_pk(user: &str) -> String {
    format!("P#USER#{user}#NOTICES")
}
const DELIVERY_PREFIX: &str = "N#";
pub fn delivery_sk(notice: &str) -> String {
    format!("{DELIVERY_PREFIX}{notice}")
}

/// What happened to one person's copy of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Claimed by a delivery run that has not finished (or died).
    Sending,
    Sent,
    /// Not sent, by the person's choice (no device, no SMS wanted).
    InApp,
    /// SNS failed; the notice is retried.
    Failed,
}

/// One person's copy of a notice: what `GET /v1/me/notifications` lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub notice: String,
    pub municipality: MunicipalityId,
    #[serde(default)]
    pub kind: Option<CaseKind>,
    pub case_id: String,
    /// The short reference the person knows the case by.
    #[serde(default)]
    pub reference: Option<String>,
    /// Where the app reads the case (its API path).
    #[serde(default)]
    pub path: Option<String>,
    pub state: String,
    pub text: String,
    pub channel: Option<Channel>,
    pub status: DeliveryStatus,
    pub at: String,
    /// When the current status was set (epoch seconds).
    pub updated: u64,
    /// The person has seen it.
    #[serde(default)]
    pub read: bool,
}

/// Whether a delivery may be (re)claimed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Ours to send.
    Claimed,
    /// Sent already, or settled in the app: nothing more to do.
    Settled,
    /// Another run claimed it a moment ago (or died doing so): not known to be
    /// delivered; try again after [`SENDING_TIMEOUT`].
    Busy,
}

/// How far back the unread count looks: a person's newest notices.
pub const UNREAD_WINDOW: i32 = 100;

/// A run that claimed a delivery and died is presumed dead after this long.
pub const SENDING_TIMEOUT: u64 = 300;

fn notice_item(notice: &Notice) -> Result<Item, StoreError> {
    let mut item = to_item(notice)?;
    item.insert(
        keys::PK.into(),
        s(notice_pk(&notice.municipality, &notice.id)),
    );
    item.insert(keys::SK.into(), s(NOTICE));
    item.insert(keys::GSI1PK.into(), s(outbox_gsi(&notice.municipality)));
    item.insert(
        keys::GSI1SK.into(),
        s(due_sk(notice.next_attempt_at, &notice.id)),
    );
    item.insert("type".into(), s("notice"));
    Ok(item)
}

impl Store {
    /// The write that records `notice` alongside the change it tells.
    pub fn notice_write(&self, notice: &Notice) -> Result<Write, StoreError> {
        self.put_new(notice_item(notice)?)
    }

    pub async fn get_notice(
        &self,
        m: &MunicipalityId,
        id: &str,
    ) -> Result<Option<(Notice, bool)>, StoreError> {
        let item = self
            .get_item("notice.get", notice_pk(m, id), NOTICE, true)
            .await?;
        let Some(item) = item else {
            return Ok(None);
        };
        let pending = item.contains_key(keys::GSI1PK);
        Ok(Some((from_item(item)?, pending)))
    }

    /// Undelivered notices of `m` due by `now`, oldest due first.
    pub async fn due_notices(
        &self,
        m: &MunicipalityId,
        now: u64,
        limit: i32,
    ) -> Result<Vec<Notice>, StoreError> {
        let page = self
            .query_page(
                Query::index("notice.due", keys::GSI1, outbox_gsi(m))
                    .at_most(format!("{now:010}~"))
                    .limit(limit),
            )
            .await?;
        Ok(page.items)
    }

    /// Every person reached: off the sweep's index.
    pub async fn complete_notice(&self, notice: &Notice, at: u64) -> Result<(), StoreError> {
        let pk = notice_pk(&notice.municipality, &notice.id);
        let set = "REMOVE GSI1PK, GSI1SK SET delivered_at = :at";
        self.edit(
            Edit::new("notice.complete", pk, NOTICE, set)
                .only_if("attribute_exists(PK)")
                .value(":at", n(at)),
        )
        .await?;
        Ok(())
    }

    /// Try again later (or never, once given up: `due = None`).
    pub async fn reschedule_notice(
        &self,
        notice: &Notice,
        attempts: u32,
        due: Option<u64>,
    ) -> Result<(), StoreError> {
        let pk = notice_pk(&notice.municipality, &notice.id);
        let edit = match due {
            Some(due) => Edit::new(
                "notice.reschedule",
                pk,
                NOTICE,
                "SET attempts = :a, next_attempt_at = :due, GSI1PK = :o, GSI1SK = :sk",
            )
            .value(":o", s(outbox_gsi(&notice.municipality)))
            .value(":due", n(due))
            .value(":sk", s(due_sk(due, &notice.id))),
            None => Edit::new(
                "notice.reschedule",
                pk,
                NOTICE,
                "SET attempts = :a, given_up = :t REMOVE GSI1PK, GSI1SK",
            )
            .value(":t", AttributeValue::Bool(true)),
        };
        self.edit(
            edit.only_if("attribute_exists(PK)")
                .value(":a", n(attempts)),
        )
        .await?;
        Ok(())
    }

    /// Claim one person's delivery of a notice: the first run creates it; a run
    /// may take over a failed one, or one whose run died while sending.
    pub async fn claim_delivery(
        &self,
        user: &str,
        d: &Delivery,
        now: u64,
    ) -> Result<Claim, StoreError> {
        let item = keyed(d, deliveries_pk(user), delivery_sk(&d.notice), "delivery")?;
        let free = Cond::new(
            "attribute_not_exists(PK) OR #st = :failed OR (#st = :sending AND updated < :stale)",
        )
        .name("#st", "status")
        .value(":failed", s("failed"))
        .value(":sending", s("sending"))
        .value(":stale", n(now.saturating_sub(SENDING_TIMEOUT)));
        match self.put("delivery.claim", item, free).await {
            Ok(()) => Ok(Claim::Claimed),
            Err(e) => match e {
                StoreError::VersionConflict => {
                    // Which kind of "taken": read it.
                    let item = self
                        .get_item(
                            "delivery.claim",
                            deliveries_pk(user),
                            delivery_sk(&d.notice),
                            true,
                        )
                        .await?;
                    let status = item
                        .as_ref()
                        .and_then(|i| i.get("status"))
                        .and_then(|v| v.as_s().ok())
                        .cloned()
                        .unwrap_or_default();
                    Ok(if status == "sending" {
                        Claim::Busy
                    } else {
                        Claim::Settled
                    })
                }
                other => Err(other),
            },
        }
    }

    /// Record how a claimed delivery ended.
    pub async fn settle_delivery(
        &self,
        user: &str,
        notice: &str,
        status: DeliveryStatus,
        now: u64,
    ) -> Result<(), StoreError> {
        let status = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.edit(
            Edit::new(
                "delivery.settle",
                deliveries_pk(user),
                delivery_sk(notice),
                "SET #st = :st, updated = :now",
            )
            .only_if("attribute_exists(PK)")
            .name("#st", "status")
            .value(":st", s(status))
            .value(":now", n(now)),
        )
        .await?;
        Ok(())
    }

    /// A person's notices, newest first.
    pub async fn deliveries_of(
        &self,
        user: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Delivery>, StoreError> {
        self.query_page(
            Query::table("delivery.list", deliveries_pk(user))
                .begins_with(DELIVERY_PREFIX)
                .backwards()
                .limit(limit)
                .after(start),
        )
        .await
    }

    /// How many of a person's newest [`UNREAD_WINDOW`] notices they have not
    /// read (a badge shows "99+" beyond), and the ids of those.
    pub async fn unread_of(&self, user: &str) -> Result<Vec<String>, StoreError> {
        let (items, _) = self
            .query_raw(
                Query::table("delivery.unread", deliveries_pk(user))
                    .begins_with(DELIVERY_PREFIX)
                    .backwards()
                    .limit(UNREAD_WINDOW)
                    .filter(
                        "attribute_not_exists(#read) OR #read = :no",
                        &[("#read", "read")],
                        [(":no", AttributeValue::Bool(false))],
                    ),
            )
            .await?;
        Ok(items.iter().filter_map(|i| text(i, "notice")).collect())
    }

    /// Mark notices of a person read; ids that are not theirs change nothing.
    pub async fn mark_read(&self, user: &str, notices: &[String]) -> Result<(), StoreError> {
        for notice in notices {
            let edit = Edit::new(
                "delivery.read",
                deliveries_pk(user),
                delivery_sk(notice),
                "SET #read = :yes",
            )
            .only_if("attribute_exists(PK)")
            .name("#read", "read")
            .value(":yes", AttributeValue::Bool(true));
            match self.edit(edit).await {
                Ok(_) | Err(StoreError::VersionConflict) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Delete every delivery record of a person (erasure).
    pub async fn delete_deliveries(&self, user: &str) -> Result<(), StoreError> {
        loop {
            let (items, _) = self
                .query_raw(Query::table("delivery.erase", deliveries_pk(user)).limit(100))
                .await?;
            if items.is_empty() {
                return Ok(());
            }
            for item in items {
                let Some(sk) = text(&item, keys::SK) else {
                    continue;
                };
                self.delete("delivery.erase", deliveries_pk(user), sk, None)
                    .await?;
            }
        }
    }
}
