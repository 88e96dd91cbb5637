//! Complaint listings: a municipality's public complaints newest first (GSI1, the
//! cases index), a citizen's own (GSI2), and those in a map cell (GSI3
//! `M#<m>#CMP#CELL#<geohash7>`, set only on complaints listed publicly), for
//! "nearby" suggestions and the map.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::cases::CaseRecord;
use super::idempotency::{Created, Idempotency};
use super::{
    Item, Page, Store, StoreError, TxError, from_item, keys, n, page, page_key, s, sdk_error,
    start_key,
};
use crate::domain::MunicipalityId;
use crate::domain::geo::Coordinates;
use crate::domain::workflow::{CaseKind, HistoryEntry};
use crate::http::cursor::PageKey;

const KIND: CaseKind = CaseKind::Complaint;

/// Filters of a public listing, applied after the key condition.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub state: Option<String>,
    pub category: Option<String>,
    /// A map's bounding box: south-west and north-east corners.
    pub within: Option<(Coordinates, Coordinates)>,
}

impl Store {
    /// File a complaint; `cell` puts it on the public map.
    pub async fn create_complaint(
        &self,
        case: &CaseRecord,
        entry: &HistoryEntry,
        cell: Option<&str>,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let mut index = Item::new();
        if let Some(cell) = cell {
            index.insert(
                keys::GSI3PK.into(),
                s(keys::map_cell_gsi(&case.municipality, KIND, cell)),
            );
            index.insert(
                keys::GSI3SK.into(),
                s(format!("{}#{}", case.created_at, case.id)),
            );
        }
        self.create_case_indexed(case, entry, index, vec![], idem, answer)
            .await
    }

    /// A municipality's public complaints, newest first.
    pub async fn public_complaints(
        &self,
        m: &MunicipalityId,
        filter: &ComplaintFilter,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        let mut conditions = vec![
            "#d.#public = :yes".to_owned(),
            "(attribute_not_exists(#hidden) OR #hidden = :no)".to_owned(),
        ];
        let mut q = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::cases_gsi(m, KIND)))
            .expression_attribute_names("#d", "data")
            .expression_attribute_names("#public", "public")
            // HIDDEN is one of DynamoDB's reserved words.
            .expression_attribute_names("#hidden", "hidden")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start));
        if let Some(state) = &filter.state {
            conditions.push("#state = :state".into());
            q = q
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":state", s(state));
        }
        if let Some((sw, ne)) = &filter.within {
            conditions
                .push("#d.#loc.lat BETWEEN :s AND :n AND #d.#loc.lon BETWEEN :w AND :e".into());
            q = q
                .expression_attribute_names("#loc", "location")
                .expression_attribute_values(":s", n(sw.lat))
                .expression_attribute_values(":n", n(ne.lat))
                .expression_attribute_values(":w", n(sw.lon))
                .expression_attribute_values(":e", n(ne.lon));
        }
        if let Some(category) = &filter.category {
            conditions.push("#d.#category = :category".into());
            q = q
                .expression_attribute_names("#category", "category")
                .expression_attribute_values(":category", s(category));
        }
        let out = q
            .filter_expression(conditions.join(" AND "))
            .send()
            .await
            .map_err(|e| sdk_error("complaints.public", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
    }

    /// A citizen's own complaints in a municipality, newest first.
    pub async fn complaints_of(
        &self,
        m: &MunicipalityId,
        owner: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        self.cases_owned(m, KIND, owner, limit, start).await
    }

    /// Public complaints in the given map cells (newest 50 of each cell), one
    /// Query per cell, concurrently.
    pub async fn complaints_in_cells(
        &self,
        m: &MunicipalityId,
        cells: &[String],
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let queries = cells.iter().map(|cell| {
            self.db
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI3)
                .key_condition_expression("GSI3PK = :c")
                .expression_attribute_values(":c", s(keys::map_cell_gsi(m, KIND, cell)))
                .scan_index_forward(false)
                .limit(50)
                .send()
        });
        let mut out = Vec::new();
        for res in futures_util::future::join_all(queries).await {
            let res = res.map_err(|e| sdk_error("complaints.cells", e))?;
            for item in res.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
        }
        Ok(out)
    }
}

fn link_item(case: &CaseRecord, user: &str, sk: String, kind: &str, at: &str) -> Item {
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
    pub async fn follow_case(
        &self,
        case: &CaseRecord,
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
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("case.follow", e))?;
        Ok(())
    }

    pub async fn unfollow_case(&self, case: &CaseRecord, user: &str) -> Result<(), StoreError> {
        self.db
            .delete_item()
            .table_name(&self.table)
            .key(
                keys::PK,
                s(keys::case_pk(&case.municipality, case.kind, &case.id)),
            )
            .key(keys::SK, s(keys::case_follower_sk(user)))
            .send()
            .await
            .map_err(|e| sdk_error("case.unfollow", e))?;
        Ok(())
    }

    /// Whether `user` follows the case.
    pub async fn follows_case(&self, case: &CaseRecord, user: &str) -> Result<bool, StoreError> {
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
        let mut users = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :f)")
                .expression_attribute_values(":pk", s(case_pk))
                .expression_attribute_values(":f", s(keys::CASE_FOLLOWER_PREFIX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| sdk_error("case.followers", e))?;
            for item in out.items.unwrap_or_default() {
                if let Some(u) = item.get("user").and_then(|v| v.as_s().ok()) {
                    users.push(u.clone());
                }
            }
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(users),
            }
        }
    }

    /// The complaints `user` follows in `m`, most recently filed first: a Query of
    /// their GSI2 follow links, then one BatchGetItem of the cases.
    pub async fn followed_complaints(
        &self,
        m: &MunicipalityId,
        user: &str,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI2)
            .key_condition_expression("GSI2PK = :u AND begins_with(GSI2SK, :f)")
            .expression_attribute_values(":u", s(keys::owner_gsi(user)))
            .expression_attribute_values(":f", s(format!("FOLLOW#{}#", keys::cases_gsi(m, KIND))))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start))
            .send()
            .await
            .map_err(|e| sdk_error("complaints.followed", e))?;
        let next = page_key(out.last_evaluated_key.as_ref());
        let ids: Vec<String> = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.get("case").and_then(|v| v.as_s().ok()).cloned())
            .collect();
        if ids.is_empty() {
            return Ok(Page {
                items: vec![],
                next,
            });
        }
        let found = self.get_cases(m, KIND, &ids).await?;
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
    pub async fn support_case(
        &self,
        case: &CaseRecord,
        user: &str,
        at: &str,
    ) -> Result<bool, StoreError> {
        let mut item = link_item(case, user, keys::case_support_sk(user), "case_support", at);
        item.insert(
            keys::GSI2SK.into(),
            s(format!(
                "SUPPORT#{}#{}",
                keys::cases_gsi(&case.municipality, KIND),
                case.id
            )),
        );
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let count = Update::builder()
            .table_name(&self.table)
            .key(
                keys::PK,
                s(keys::case_pk(&case.municipality, KIND, &case.id)),
            )
            .key(keys::SK, s(keys::CASE))
            .update_expression("ADD supporters :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder().put(put).build(),
            TransactWriteItem::builder().update(count).build(),
        ];
        match self.transact("case.support", tx).await {
            Ok(()) => Ok(true),
            Err(e) if e.failed_at(0) => Ok(false),
            Err(TxError::Conditions(_)) => Err(StoreError::NotFound),
            Err(TxError::Store(e)) => Err(e),
        }
    }
}

impl Store {
    /// A municipality's own complaint categories (`M#<m>`, `CATEGORY#<code>`).
    pub async fn own_complaint_categories(
        &self,
        m: &MunicipalityId,
    ) -> Result<Vec<crate::domain::complaint::OfferedCategory>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :c)")
            .expression_attribute_values(":pk", s(keys::tenant(m)))
            .expression_attribute_values(":c", s("CATEGORY#"))
            .send()
            .await
            .map_err(|e| sdk_error("categories.list", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// Add or replace one of a municipality's categories.
    pub async fn put_complaint_category(
        &self,
        m: &MunicipalityId,
        c: &crate::domain::complaint::OfferedCategory,
    ) -> Result<(), StoreError> {
        let mut item = super::to_item(c)?;
        item.insert(keys::PK.into(), s(keys::tenant(m)));
        item.insert(keys::SK.into(), s(format!("CATEGORY#{}", c.code)));
        item.insert("type".into(), s("complaint_category"));
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("categories.put", e))?;
        Ok(())
    }
}

impl Store {
    /// A municipality's areas (`M#<m>`, `AREA#<code>`), by code.
    pub async fn areas(
        &self,
        m: &MunicipalityId,
    ) -> Result<Vec<crate::domain::complaint::Area>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :a)")
                .expression_attribute_values(":pk", s(keys::tenant(m)))
                .expression_attribute_values(":a", s("AREA#"))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| sdk_error("areas.list", e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    pub async fn put_area(
        &self,
        m: &MunicipalityId,
        a: &crate::domain::complaint::Area,
    ) -> Result<(), StoreError> {
        let mut item = super::to_item(a)?;
        item.insert(keys::PK.into(), s(keys::tenant(m)));
        item.insert(keys::SK.into(), s(format!("AREA#{}", a.code)));
        item.insert("type".into(), s("area"));
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("areas.put", e))?;
        Ok(())
    }
}
