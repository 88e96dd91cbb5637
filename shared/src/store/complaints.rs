//! Complaint listings: a municipality's public complaints newest first (GSI1, the
//! cases index), a citizen's own (GSI2), and those in a map cell (GSI3
//! `M#<m>#CMP#CELL#<geohash7>`, set only on complaints listed publicly), for
//! "nearby" suggestions and the map.

use aws_sdk_dynamodb::types::AttributeValue;

use super::cases::CaseRecord;
use super::idempotency::{Created, Idempotency};
use super::{Item, Page, Store, StoreError, from_item, keys, page, s, sdk_error, start_key};
use crate::domain::MunicipalityId;
use crate::domain::workflow::{CaseKind, HistoryEntry};
use crate::http::cursor::PageKey;

const KIND: CaseKind = CaseKind::Complaint;

/// Filters of a public listing, applied after the key condition.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub state: Option<String>,
    pub category: Option<String>,
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
        let mut conditions = vec!["#d.#public = :yes".to_owned()];
        let mut q = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::cases_gsi(m, KIND)))
            .expression_attribute_names("#d", "data")
            .expression_attribute_names("#public", "public")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start));
        if let Some(state) = &filter.state {
            conditions.push("#state = :state".into());
            q = q
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":state", s(state));
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
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI2)
            .key_condition_expression("GSI2PK = :u AND begins_with(GSI2SK, :k)")
            .expression_attribute_values(":u", s(keys::owner_gsi(owner)))
            .expression_attribute_values(":k", s(format!("{}#", keys::cases_gsi(m, KIND))))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key(start))
            .send()
            .await
            .map_err(|e| sdk_error("complaints.mine", e))?;
        page(out.items, out.last_evaluated_key.as_ref())
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
