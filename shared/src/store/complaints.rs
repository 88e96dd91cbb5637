//! Complaint listings — a municipality's public complaints newest first (GSI1,
//! the cases index) and those in a map cell (GSI3 `M#<m>#CMP#CELL#<geohash7>`,
//! set only on complaints listed publicly), for "nearby" suggestions and the map
//! — and what a municipality offers to file under: its categories and areas.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;

use super::{Page, PageKey, Store, StoreError, from_item, keys, n, page, s, sdk_error, start_key};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::geo::Coordinates;
use crate::domain::workflow::CaseKind;

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
    /// A municipality's public complaints, newest first.
    pub async fn public_complaints<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        filter: &ComplaintFilter,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
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

    /// Public complaints in the given map cells (newest 50 of each cell), one
    /// Query per cell, concurrently.
    pub async fn complaints_in_cells<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        cells: &[String],
    ) -> Result<Vec<CaseRecord<D>>, StoreError> {
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
