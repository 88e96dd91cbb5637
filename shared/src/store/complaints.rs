//! Complaint listings — a municipality's public complaints newest first (GSI1,
//! the cases index) and those in a map cell (GSI3 `M#<m>#CMP#CELL#<geohash7>`,
//! set only on complaints listed publicly), for "nearby" suggestions and the map
//! — and what a municipality offers to file under: its categories and areas.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;

use super::query::Query;
use super::{Page, PageKey, Store, StoreError, keyed, keys, n, s};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::complaint::{Area, OfferedCategory};
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

/// Public complaints only: listed by their reporter, not hidden by staff
/// (`Complaint::public`, as a filter).
pub(crate) fn only_public(q: Query) -> Query {
    q.filter(
        "#d.#public = :yes AND (attribute_not_exists(#hidden) OR #hidden = :no)",
        // HIDDEN is one of DynamoDB's reserved words.
        &[("#d", "data"), ("#public", "public"), ("#hidden", "hidden")],
        [
            (":yes", AttributeValue::Bool(true)),
            (":no", AttributeValue::Bool(false)),
        ],
    )
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
        let mut q = only_public(
            Query::index("complaints.public", keys::GSI1, keys::cases_gsi(m, KIND))
                .backwards()
                .limit(limit)
                .after(start),
        );
        if let Some(state) = &filter.state {
            q = q.filter(
                "#state = :state",
                &[("#state", "state")],
                [(":state", s(state))],
            );
        }
        if let Some((sw, ne)) = &filter.within {
            q = q.filter(
                "#d.#loc.lat BETWEEN :s AND :n AND #d.#loc.lon BETWEEN :w AND :e",
                &[("#loc", "location")],
                [
                    (":s", n(sw.lat)),
                    (":n", n(ne.lat)),
                    (":w", n(sw.lon)),
                    (":e", n(ne.lon)),
                ],
            );
        }
        if let Some(category) = &filter.category {
            q = q.filter(
                "#d.#category = :category",
                &[("#category", "category")],
                [(":category", s(category))],
            );
        }
        self.query_page(q).await
    }

    /// Public complaints in the given map cells (newest 50 of each cell), one
    /// Query per cell, concurrently.
    pub async fn complaints_in_cells<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        cells: &[String],
    ) -> Result<Vec<CaseRecord<D>>, StoreError> {
        let queries = cells.iter().map(|cell| {
            self.query_page(
                Query::index(
                    "complaints.cells",
                    keys::GSI3,
                    keys::map_cell_gsi(m, KIND, cell),
                )
                .backwards()
                .limit(50),
            )
        });
        let mut out = Vec::new();
        for page in futures_util::future::join_all(queries).await {
            out.extend(page?.items);
        }
        Ok(out)
    }
}

impl Store {
    /// A municipality's own complaint categories (`M#<m>`, `CATEGORY#<code>`).
    pub async fn own_complaint_categories(
        &self,
        m: &MunicipalityId,
    ) -> Result<Vec<OfferedCategory>, StoreError> {
        self.query_all(
            Query::table("categories.list", keys::tenant(m)).begins_with(keys::CATEGORY_PREFIX),
        )
        .await
    }

    /// Add or replace one of a municipality's categories.
    pub async fn put_complaint_category(
        &self,
        m: &MunicipalityId,
        c: &OfferedCategory,
    ) -> Result<(), StoreError> {
        let item = keyed(
            c,
            keys::tenant(m),
            keys::category_sk(&c.code),
            "complaint_category",
        )?;
        self.put("categories.put", item, None).await
    }
}

impl Store {
    /// A municipality's areas (`M#<m>`, `AREA#<code>`), by code.
    pub async fn areas(&self, m: &MunicipalityId) -> Result<Vec<Area>, StoreError> {
        self.query_all(Query::table("areas.list", keys::tenant(m)).begins_with(keys::AREA_PREFIX))
            .await
    }

    pub async fn put_area(&self, m: &MunicipalityId, a: &Area) -> Result<(), StoreError> {
        let item = keyed(a, keys::tenant(m), keys::area_sk(&a.code), "area")?;
        self.put("areas.put", item, None).await
    }
}
