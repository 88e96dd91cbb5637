//! Who follows a case and who supported it ("me too"): items of the case's own
//! partition (`FOLLOWER#<usr>`, `SUPPORT#<usr>`), also listed on the person's
//! GSI2 (`USER#<usr>`) so that "the cases I follow" is one Query and their data
//! can be found for export and erasure. For cases of every kind.

use serde::de::DeserializeOwned;

use super::query::Query;
use super::update::Edit;
use super::{Item, Page, PageKey, Store, StoreError, TxError, keys, n, s, text};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::workflow::CaseKind;

fn link_item<D>(case: &CaseRecord<D>, user: &str, sk: String, kind: &str, at: &str) -> Item {
    let pk = keys::case_pk(&case.municipality, case.kind, &case.id);
    let mut item = Item::new();
    item.insert(keys::PK.into(), s(pk));
    item.insert(keys::SK.into(), s(sk));
    item.insert("user".into(), s(user));
    item.insert("case".into(), s(&case.id));
    item.insert("at".into(), s(at));
    item.insert(keys::GSI2PK.into(), s(keys::owner_gsi(user)));
    item.insert("type".into(), s(kind));
    item
}

impl Store {
    /// Follow a case of any kind (idempotent): its state changes are then notified.
    pub async fn follow_case<D>(
        &self,
        case: &CaseRecord<D>,
        user: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let mut item = link_item(case, user, keys::case_follower_sk(user), "case_follow", at);
        item.insert(
            keys::GSI2SK.into(),
            s(keys::followed_gsi_sk(
                &case.municipality,
                case.kind,
                &case.id,
            )),
        );
        self.put("case.follow", item, None).await
    }

    pub async fn unfollow_case<D>(
        &self,
        case: &CaseRecord<D>,
        user: &str,
    ) -> Result<(), StoreError> {
        self.delete(
            "case.unfollow",
            keys::case_pk(&case.municipality, case.kind, &case.id),
            keys::case_follower_sk(user),
            None,
        )
        .await
    }

    /// Whether `user` follows the case.
    pub async fn follows_case<D>(
        &self,
        case: &CaseRecord<D>,
        user: &str,
    ) -> Result<bool, StoreError> {
        let item = self
            .get_item(
                "case.follows",
                keys::case_pk(&case.municipality, case.kind, &case.id),
                keys::case_follower_sk(user),
                false,
            )
            .await?;
        Ok(item.is_some())
    }

    /// Everyone following a case (user ids).
    pub async fn case_followers(&self, case_pk: &str) -> Result<Vec<String>, StoreError> {
        let links = self
            .query_all_raw(
                Query::table("case.followers", case_pk).begins_with(keys::CASE_FOLLOWER_PREFIX),
            )
            .await?;
        Ok(links.iter().filter_map(|l| text(l, "user")).collect())
    }

    /// The cases of `kind` `user` follows in `m`, most recently followed first:
    /// a Query of their GSI2 follow links, then one BatchGetItem of the cases.
    pub async fn followed_cases<D: DeserializeOwned + Clone>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        user: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
        let (links, next) = self
            .query_raw(
                Query::index("cases.followed", keys::GSI2, keys::owner_gsi(user))
                    .begins_with(format!("FOLLOW#{}#", keys::cases_gsi(m, kind)))
                    .backwards()
                    .limit(limit)
                    .after(start),
            )
            .await?;
        let ids: Vec<String> = links.iter().filter_map(|l| text(l, "case")).collect();
        if ids.is_empty() {
            return Ok(Page {
                items: vec![],
                next,
            });
        }
        let found: Vec<CaseRecord<D>> = self.get_cases(m, kind, &ids).await?;
        // In the order of the follow links; a case since removed is skipped.
        let items = ids
            .iter()
            .filter_map(|id| {
                found
                    .iter()
                    .position(|c| &c.id == id)
                    .map(|i| found[i].clone())
            })
            .collect();
        Ok(Page { items, next })
    }

    /// "Me too": count `user`'s support once. Returns the supporter count, and
    /// whether this call added one.
    pub async fn support_case<D>(
        &self,
        case: &CaseRecord<D>,
        user: &str,
        at: &str,
    ) -> Result<bool, StoreError> {
        let mut item = link_item(case, user, keys::case_support_sk(user), "case_support", at);
        item.insert(
            keys::GSI2SK.into(),
            s(format!(
                "SUPPORT#{}#{}",
                keys::cases_gsi(&case.municipality, case.kind),
                case.id
            )),
        );
        let put = self.put_new(item)?.0;
        let pk = keys::case_pk(&case.municipality, case.kind, &case.id);
        let count = Edit::new("case.support", pk, keys::CASE, "ADD supporters :one")
            .only_if("attribute_exists(PK)")
            .value(":one", n(1));
        let tx = vec![put, self.edit_write(count)?.0];
        match self.transact("case.support", tx).await {
            Ok(()) => Ok(true),
            Err(e) if e.failed_at(0) => Ok(false),
            Err(TxError::Conditions(_)) => Err(StoreError::NotFound),
            Err(TxError::Store(e)) => Err(e),
        }
    }
}
