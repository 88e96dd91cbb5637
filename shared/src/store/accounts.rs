//! Accounts, sign-in codes, sessions, devices and follows.
//!
//! | Item | PK | SK | Index |
//! |---|---|---|---|
//! | profile | `P#USER#<usr>` | `PROFILE` | |
//! | device | `P#USER#<usr>` | `DEVICE#<dev>` | |
//! | follow | `P#USER#<usr>` | `FOLLOW#<m>` | GSI1 `M#<m>#FOLLOWERS` / `<usr>` |
//! | phone → account | `P#PHONE#<digest>` | `ACCOUNT` | |
//! | sign-in code state | `P#OTP#<digest>` | `OTP` | (TTL) |
//! | session | `P#RT#<family>` | `RT` | GSI2 `USER#<usr>` / `RT#<family>` (TTL) |
//! | push endpoint → owner | `P#ENDPOINT#<hash>` | `ENDPOINT` | |
//! | SMS sent today | `P#SMS#<day>` | `COUNT` | (TTL) |
//! | notices delivered to a person | `P#USER#<usr>#NOTICES` | `N#<ntf>` | (see `notices`) |
//!
//! `<digest>` is a keyed digest of the phone number: the number is stored in the
//! profile only, so erasing the profile erases it.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, ReturnValue, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::Cond;
use super::query::Query;
use super::{Item, Store, StoreError, TxError, from_item, keys, n, s, sdk_error, to_item};
use crate::domain::account::{Account, Device};
use crate::domain::otp::OtpState;
use crate::domain::refresh::RefreshFamily;
use crate::domain::{Id, MunicipalityId};

/// Who an erased person's contributions name from then on: a valid user id that
/// belongs to nobody.
pub const ERASED_USER: &str = "usr_00000000000000000000000000";

/// A followed municipality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Follow {
    pub municipality: MunicipalityId,
    pub since: String,
    /// The areas whose news the person wants too (a broadcast to an area
    /// reaches those who chose it); none: the municipality's news only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
}

/// What a person holds outside their own partition (`Store::held_by`).
#[derive(Debug, Default)]
pub struct Held {
    pub sessions: Vec<RefreshFamily>,
    /// Items they filed, follow or supported, as stored.
    pub contributions: Vec<serde_json::Value>,
}

/// Everything in a person's partition: one Query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccountData {
    pub account: Option<Account>,
    pub devices: Vec<Device>,
    pub follows: Vec<Follow>,
}

/// Why a code could not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpWriteError {
    /// Another request changed the state since it was read.
    Raced,
    Store(StoreError),
}

fn build_put(table: &str, item: Item, condition: Option<&str>) -> Result<Put, StoreError> {
    Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_owned))
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn build_delete(table: &str, pk: String, sk: &str) -> Result<Delete, StoreError> {
    Delete::builder()
        .table_name(table)
        .key(keys::PK, s(pk))
        .key(keys::SK, s(sk))
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn account_item(a: &Account) -> Result<Item, StoreError> {
    let mut item = to_item(a)?;
    item.insert(keys::PK.into(), s(keys::user_pk(a.id.as_str())));
    item.insert(keys::SK.into(), s(keys::PROFILE));
    item.insert("type".into(), s("account"));
    Ok(item)
}

fn device_item(user: &Id, d: &Device) -> Result<Item, StoreError> {
    let mut item = to_item(d)?;
    item.insert(keys::PK.into(), s(keys::user_pk(user.as_str())));
    item.insert(keys::SK.into(), s(keys::device_sk(d.id.as_str())));
    item.insert("type".into(), s("device"));
    Ok(item)
}

fn endpoint_owner_item(user: &Id, d: &Device) -> Item {
    let mut item = Item::new();
    item.insert(keys::PK.into(), s(keys::endpoint_pk(&d.endpoint_arn)));
    item.insert(keys::SK.into(), s(keys::ENDPOINT));
    item.insert("user".into(), s(user.as_str()));
    item.insert("device".into(), s(d.id.as_str()));
    item.insert("type".into(), s("endpoint_owner"));
    item
}

fn session_item(f: &RefreshFamily) -> Result<Item, StoreError> {
    let mut item = to_item(f)?;
    item.insert(keys::PK.into(), s(keys::session_pk(&f.family)));
    item.insert(keys::SK.into(), s(keys::SESSION));
    item.insert(keys::GSI2PK.into(), s(keys::owner_gsi(&f.user)));
    item.insert(
        keys::GSI2SK.into(),
        s(format!("{}{}", keys::SESSION_GSI_PREFIX, f.family)),
    );
    item.insert(keys::EXPIRES_AT.into(), n(f.expires_at));
    item.insert("type".into(), s("session"));
    Ok(item)
}

fn type_of(item: &Item) -> &str {
    item.get("type")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}

impl Store {
    // ------------------------------------------------------------ sign-in codes

    pub async fn get_otp(&self, digest: &str) -> Result<Option<OtpState>, StoreError> {
        self.get_record("otp.get", keys::otp_pk(digest), keys::OTP, true)
            .await
    }

    /// Store a code's state if it is still `previous` (as read): concurrent sends or
    /// guesses cannot each slip past the cooldown or the attempt limit.
    pub async fn put_otp(
        &self,
        digest: &str,
        next: &OtpState,
        previous: Option<&OtpState>,
    ) -> Result<(), OtpWriteError> {
        let mut item = to_item(next).map_err(OtpWriteError::Store)?;
        item.insert(keys::PK.into(), s(keys::otp_pk(digest)));
        item.insert(keys::SK.into(), s(keys::OTP));
        // Gone once neither the code nor the hourly window matters any more.
        item.insert(
            keys::EXPIRES_AT.into(),
            n(next.window_start.max(next.issued_at) + 3600),
        );
        item.insert("type".into(), s("otp"));
        let condition = match previous {
            None => Cond::new("attribute_not_exists(PK)"),
            Some(p) => Cond::new(
                "issued_at = :i AND wrong_attempts = :w AND spent = :s AND sent_in_window = :c",
            )
            .value(":i", n(p.issued_at))
            .value(":w", n(p.wrong_attempts))
            .value(":s", AttributeValue::Bool(p.spent))
            .value(":c", n(p.sent_in_window)),
        };
        match self.put("otp.put", item, condition).await {
            Ok(()) => Ok(()),
            Err(StoreError::VersionConflict) => Err(OtpWriteError::Raced),
            Err(other) => Err(OtpWriteError::Store(other)),
        }
    }

    pub async fn delete_otp(&self, digest: &str) -> Result<(), StoreError> {
        self.delete("otp.delete", keys::otp_pk(digest), keys::OTP, None)
            .await
    }

    /// Count one SMS against the day's platform-wide budget. Returns the count
    /// including this one, or `None` when the budget is spent (nothing counted).
    pub async fn count_sms(
        &self,
        day: &str,
        cap: u64,
        expires_at: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.count_below(keys::sms_budget_pk(day), cap, expires_at)
            .await
    }

    /// Count one code asked for from a client address (by keyed digest) in the
    /// current hour; `None` past `cap`.
    pub async fn count_client(
        &self,
        digest: &str,
        hour: u64,
        cap: u64,
    ) -> Result<Option<u64>, StoreError> {
        self.count_below(keys::client_rate_pk(digest, hour), cap, (hour + 2) * 3600)
            .await
    }

    /// Add one to a counter item unless it has reached `cap`.
    async fn count_below(
        &self,
        pk: String,
        cap: u64,
        expires_at: u64,
    ) -> Result<Option<u64>, StoreError> {
        let res = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(keys::COUNT))
            .update_expression("ADD sent :one SET expiresAt = :exp, #t = :type")
            .condition_expression("attribute_not_exists(sent) OR sent < :cap")
            .expression_attribute_names("#t", "type")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":cap", n(cap))
            .expression_attribute_values(":exp", n(expires_at))
            .expression_attribute_values(":type", s("counter"))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match res {
            Ok(out) => Ok(out
                .attributes
                .as_ref()
                .and_then(|a| a.get("sent"))
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())),
            Err(e) => match sdk_error("counter.add", e) {
                StoreError::VersionConflict => Ok(None),
                other => Err(other),
            },
        }
    }

    // ----------------------------------------------------------------- accounts

    /// The account a phone number (by digest) belongs to.
    pub async fn account_by_phone(&self, digest: &str) -> Result<Option<Id>, StoreError> {
        let item = self
            .get_item(
                "account.by_phone",
                keys::phone_lookup_pk(digest),
                keys::ACCOUNT,
                true,
            )
            .await?;
        let Some(item) = item else {
            return Ok(None);
        };
        let user = item
            .get("user")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::Corrupt("phone lookup without user".into()))?;
        Id::parse("usr", user)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Create an account and its phone lookup together.
    /// [`StoreError::AlreadyExists`] if the number has an account already.
    pub async fn create_account(&self, digest: &str, a: &Account) -> Result<(), StoreError> {
        let mut lookup = Item::new();
        lookup.insert(keys::PK.into(), s(keys::phone_lookup_pk(digest)));
        lookup.insert(keys::SK.into(), s(keys::ACCOUNT));
        lookup.insert("user".into(), s(a.id.as_str()));
        lookup.insert("type".into(), s("account_phone"));
        let cond = Some("attribute_not_exists(PK)");
        let tx = vec![
            TransactWriteItem::builder()
                .put(build_put(&self.table, lookup, cond)?)
                .build(),
            TransactWriteItem::builder()
                .put(build_put(&self.table, account_item(a)?, cond)?)
                .build(),
        ];
        match self.transact("account.create", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::AlreadyExists),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    pub async fn get_account(
        &self,
        user: &Id,
        consistent: bool,
    ) -> Result<Option<Account>, StoreError> {
        self.get_record(
            "account.get",
            keys::user_pk(user.as_str()),
            keys::PROFILE,
            consistent,
        )
        .await
    }

    /// The profile, devices and follows of a person: one Query of their partition.
    pub async fn account_data(&self, user: &Id) -> Result<AccountData, StoreError> {
        let mut data = AccountData::default();
        let items = self
            .query_all_raw(Query::table("account.data", keys::user_pk(user.as_str())).consistent())
            .await?;
        for item in items {
            match type_of(&item) {
                "account" => data.account = Some(from_item(item)?),
                "device" => data.devices.push(from_item(item)?),
                "follow" => data.follows.push(from_item(item)?),
                _ => {}
            }
        }
        Ok(data)
    }

    /// Replace the profile if it is still at `expected_version`.
    pub async fn update_account(
        &self,
        updated: &Account,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let condition =
            Cond::new("attribute_exists(PK) AND version = :v").value(":v", n(expected_version));
        self.put("account.update", account_item(updated)?, condition)
            .await
    }

    // ------------------------------------------------------------------ follows

    /// Follow `m` (idempotent), only while the account exists.
    pub async fn follow(&self, user: &Id, f: &Follow) -> Result<(), StoreError> {
        let mut item = to_item(f)?;
        item.insert(keys::PK.into(), s(keys::user_pk(user.as_str())));
        item.insert(keys::SK.into(), s(keys::follow_sk(&f.municipality)));
        item.insert(keys::GSI1PK.into(), s(keys::followers_gsi(&f.municipality)));
        item.insert(keys::GSI1SK.into(), s(user.as_str()));
        item.insert("type".into(), s("follow"));
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user_pk(user.as_str())))
            .key(keys::SK, s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder().condition_check(check).build(),
            TransactWriteItem::builder()
                .put(build_put(&self.table, item, None)?)
                .build(),
        ];
        match self.transact("follow.put", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::NotFound),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    pub async fn unfollow(&self, user: &Id, m: &MunicipalityId) -> Result<(), StoreError> {
        let pk = keys::user_pk(user.as_str());
        self.delete("follow.delete", pk, keys::follow_sk(m), None)
            .await
    }

    // ------------------------------------------------------------------ devices

    /// Who holds a push endpoint now: `(user, device id)`.
    pub async fn endpoint_owner(
        &self,
        endpoint_arn: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let item = self
            .get_item(
                "endpoint.owner",
                keys::endpoint_pk(endpoint_arn),
                keys::ENDPOINT,
                true,
            )
            .await?;
        Ok(item.and_then(|i| {
            let get = |k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned();
            Some((get("user")?, get("device")?))
        }))
    }

    /// Record a device for `user`. A device token belongs to one account at a time:
    /// when the phone was another account's (`previous`), that account's record goes
    /// in the same transaction, so it is never told about someone else's files.
    pub async fn put_device(
        &self,
        user: &Id,
        d: &Device,
        previous: Option<&(String, String)>,
    ) -> Result<(), StoreError> {
        let owner_cond = match previous {
            None => "attribute_not_exists(PK)",
            Some(_) => "#u = :pu AND device = :pd",
        };
        let mut owner = Put::builder()
            .table_name(&self.table)
            .set_item(Some(endpoint_owner_item(user, d)))
            .condition_expression(owner_cond);
        if let Some((pu, pd)) = previous {
            owner = owner
                .expression_attribute_names("#u", "user")
                .expression_attribute_values(":pu", s(pu))
                .expression_attribute_values(":pd", s(pd));
        }
        let owner = owner
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let account_exists = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user_pk(user.as_str())))
            .key(keys::SK, s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = vec![
            TransactWriteItem::builder()
                .condition_check(account_exists)
                .build(),
            TransactWriteItem::builder().put(owner).build(),
            TransactWriteItem::builder()
                .put(build_put(
                    &self.table,
                    device_item(user, d)?,
                    Some("attribute_not_exists(PK)"),
                )?)
                .build(),
        ];
        if let Some((pu, pd)) = previous {
            tx.push(
                TransactWriteItem::builder()
                    .delete(build_delete(
                        &self.table,
                        keys::user_pk(pu),
                        &keys::device_sk(pd),
                    )?)
                    .build(),
            );
        }
        match self.transact("device.put", tx).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed_at(0) => Err(StoreError::NotFound),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Remove a device record and its endpoint ownership together.
    pub async fn delete_device(&self, user: &Id, d: &Device) -> Result<(), StoreError> {
        let owner = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::endpoint_pk(&d.endpoint_arn)))
            .key(keys::SK, s(keys::ENDPOINT))
            // Only if it is still ours: it may have moved to another account.
            .condition_expression("attribute_not_exists(PK) OR (#u = :u AND device = :d)")
            .expression_attribute_names("#u", "user")
            .expression_attribute_values(":u", s(user.as_str()))
            .expression_attribute_values(":d", s(d.id.as_str()))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder()
                .delete(build_delete(
                    &self.table,
                    keys::user_pk(user.as_str()),
                    &keys::device_sk(d.id.as_str()),
                )?)
                .build(),
            TransactWriteItem::builder().delete(owner).build(),
        ];
        match self.transact("device.delete", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    // ----------------------------------------------------------------- sessions

    /// Start a session, only while the account exists: a sign-in racing an
    /// erasure cannot leave a session behind.
    pub async fn create_session(&self, f: &RefreshFamily) -> Result<(), StoreError> {
        let account_exists = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user_pk(&f.user)))
            .key(keys::SK, s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder()
                .condition_check(account_exists)
                .build(),
            TransactWriteItem::builder()
                .put(build_put(
                    &self.table,
                    session_item(f)?,
                    Some("attribute_not_exists(PK)"),
                )?)
                .build(),
        ];
        match self.transact("session.create", tx).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed_at(0) => Err(StoreError::NotFound),
            Err(TxError::Conditions(_)) => Err(StoreError::AlreadyExists),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    pub async fn get_session(&self, family: &str) -> Result<Option<RefreshFamily>, StoreError> {
        self.get_record("session.get", keys::session_pk(family), keys::SESSION, true)
            .await
    }

    /// Replace a session if its current token is still `previous_hash` and it is
    /// not revoked: of two refreshes with the same token, one wins.
    pub async fn rotate_session(
        &self,
        next: &RefreshFamily,
        previous_hash: &str,
    ) -> Result<(), StoreError> {
        let condition = Cond::new("current_hash = :h AND revoked = :f")
            .value(":h", s(previous_hash))
            .value(":f", AttributeValue::Bool(false));
        self.put("session.rotate", session_item(next)?, condition)
            .await
    }

    /// Mark a session revoked (kept until it expires, so that a replayed token is
    /// recognised as such rather than unknown).
    pub async fn revoke_session(&self, family: &str) -> Result<(), StoreError> {
        let res = self
            .db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::session_pk(family)))
            .key(keys::SK, s(keys::SESSION))
            .update_expression("SET revoked = :t")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":t", AttributeValue::Bool(true))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) => match sdk_error("session.revoke", e) {
                StoreError::VersionConflict => Ok(()),
                other => Err(other),
            },
        }
    }

    pub async fn delete_session(&self, family: &str) -> Result<(), StoreError> {
        self.delete(
            "session.delete",
            keys::session_pk(family),
            keys::SESSION,
            None,
        )
        .await
    }

    /// Every item linked to a person on GSI2 (`USER#<usr>`): their sessions,
    /// the cases they filed, follow and supported. For data-rights requests only.
    pub(crate) async fn owned_items(&self, user: &Id) -> Result<Vec<Item>, StoreError> {
        self.query_all_raw(Query::index(
            "account.owned",
            keys::GSI2,
            keys::owner_gsi(user.as_str()),
        ))
        .await
    }

    /// What a person holds besides their partition, for their data export:
    /// their sessions, and every other item linked to them as stored (without
    /// its keys).
    pub async fn held_by(&self, user: &Id) -> Result<Held, StoreError> {
        let mut held = Held::default();
        for mut item in self.owned_items(user).await? {
            if type_of(&item) == "session" {
                held.sessions.push(from_item(item)?);
            } else {
                for k in [
                    keys::PK,
                    keys::SK,
                    keys::GSI1PK,
                    keys::GSI1SK,
                    keys::GSI2PK,
                    keys::GSI2SK,
                ] {
                    item.remove(k);
                }
                held.contributions.push(from_item(item)?);
            }
        }
        Ok(held)
    }

    /// How many items are linked to a person on GSI2.
    pub async fn held_count(&self, user: &Id) -> Result<usize, StoreError> {
        Ok(self.owned_items(user).await?.len())
    }

    /// The person's sessions.
    pub async fn sessions_of(&self, user: &Id) -> Result<Vec<RefreshFamily>, StoreError> {
        self.owned_items(user)
            .await?
            .into_iter()
            .filter(|i| type_of(i) == "session")
            .map(from_item)
            .collect()
    }

    // ------------------------------------------------------------------ erasure

    /// Erase an account (after its devices' push endpoints were deleted):
    /// sessions are deleted first, so no token outlives the erasure; the person's
    /// contributions stay but are unlinked from them; devices, follows and the
    /// sign-in code state go; the profile and the phone lookup go last, together.
    /// A failure part-way leaves a smaller account that a retry finishes erasing.
    /// A case filed by `user`: the case and every history entry they wrote name
    /// [`ERASED_USER`] instead, and the case leaves their list (GSI2).
    async fn unlink_case(
        &self,
        pk: &AttributeValue,
        sk: &AttributeValue,
        user: &str,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, pk.clone())
            .key(keys::SK, sk.clone())
            // The name the report was filed under goes too.
            .update_expression("REMOVE GSI2PK, GSI2SK, #d.reporter_name SET #o = :gone")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#o", "owner")
            .expression_attribute_names("#d", "data")
            .expression_attribute_values(":gone", s(ERASED_USER))
            .send()
            .await
            .map_err(|e| sdk_error("erase.unlink", e))?;
        let pk_text = pk
            .as_s()
            .map_err(|_| StoreError::Corrupt("case key".into()))?;
        let written = self
            .query_all_raw(
                Query::table("erase.history", pk_text.clone())
                    .begins_with(keys::HISTORY_PREFIX)
                    .filter("author = :u", &[], [(":u", s(user))]),
            )
            .await?;
        for entry in written {
            let Some(hsk) = entry.get(keys::SK) else {
                continue;
            };
            self.db
                .update_item()
                .table_name(&self.table)
                .key(keys::PK, pk.clone())
                .key(keys::SK, hsk.clone())
                .update_expression("SET author = :gone")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":gone", s(ERASED_USER))
                .send()
                .await
                .map_err(|e| sdk_error("erase.history", e))?;
        }
        Ok(())
    }

    pub async fn erase_account(&self, account: &Account, digest: &str) -> Result<(), StoreError> {
        let user = account.id.as_str();
        for item in self.owned_items(&account.id).await? {
            let (Some(pk), Some(sk)) = (item.get(keys::PK), item.get(keys::SK)) else {
                continue;
            };
            // A ballot goes (the tally keeps its count, anonymous); a mark on an
            // event as if taken back (its place to the next in line).
            let req = if type_of(&item) == "attendance" {
                self.erase_mark(item.clone()).await
            } else if matches!(
                type_of(&item),
                "session" | "case_follow" | "case_support" | "ballot"
            ) {
                self.db
                    .delete_item()
                    .table_name(&self.table)
                    .key(keys::PK, pk.clone())
                    .key(keys::SK, sk.clone())
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error("erase.session", e))
            } else {
                // A public contribution: it stays, but no longer names its author.
                self.unlink_case(pk, sk, user).await
            };
            match req {
                Ok(()) | Err(StoreError::VersionConflict) => {}
                Err(e) => return Err(e),
            }
        }
        let data = self.account_data(&account.id).await?;
        for d in &data.devices {
            match self.delete_device(&account.id, d).await {
                Ok(()) | Err(StoreError::VersionConflict) => {}
                Err(e) => return Err(e),
            }
        }
        for f in &data.follows {
            self.unfollow(&account.id, &f.municipality).await?;
        }
        self.delete_otp(digest).await?;
        self.delete_deliveries(user).await?;
        let profile = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user_pk(user)))
            .key(keys::SK, s(keys::PROFILE))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(account.version))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder().delete(profile).build(),
            TransactWriteItem::builder()
                .delete(build_delete(
                    &self.table,
                    keys::phone_lookup_pk(digest),
                    keys::ACCOUNT,
                )?)
                .build(),
        ];
        match self.transact("account.erase", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }
}
