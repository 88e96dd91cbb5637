//! Municipality profiles: `PK = M#<m>`, `SK = PROFILE`; listed by governorate
//! through GSI1 (`GSI1PK = MUNICIPALITIES`, `GSI1SK = <governorate>#<m>`).

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{Cond, Item, Page, PageKey, Store, StoreError, keys, n, s, to_item};
use crate::domain::{Municipality, MunicipalityId};

fn item(m: &Municipality) -> Result<Item, StoreError> {
    let mut item = to_item(m)?;
    item.insert(keys::PK.into(), s(keys::tenant(&m.id)));
    item.insert(keys::SK.into(), s(keys::PROFILE));
    item.insert(keys::GSI1PK.into(), s(keys::MUNICIPALITIES));
    item.insert(
        keys::GSI1SK.into(),
        s(keys::municipality_listing(&m.governorate, &m.id)),
    );
    item.insert("type".into(), s("municipality"));
    Ok(item)
}

impl Store {
    /// Create a municipality; [`StoreError::AlreadyExists`] if the id is taken.
    pub async fn create_municipality(
        &self,
        m: &Municipality,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(m)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![TransactWriteItem::builder().put(put).build()];
        self.create_once("municipality.create", tx, idem, 201, answer)
            .await
    }

    /// `consistent` for a read that a conditional write will follow: an eventually
    /// consistent read could return an older version and fail the condition (or a
    /// correct `If-Match`) for nothing.
    pub async fn get_municipality(
        &self,
        id: &MunicipalityId,
        consistent: bool,
    ) -> Result<Option<Municipality>, StoreError> {
        self.get_record(
            "municipality.get",
            keys::tenant(id),
            keys::PROFILE,
            consistent,
        )
        .await
    }

    /// The municipality as the service functions check it (its status, its
    /// services), from the container's copy while it is fresh
    /// ([`super::cache`]). Never before a conditional write.
    pub async fn municipality_for_services(
        &self,
        id: &MunicipalityId,
    ) -> Result<Option<Municipality>, StoreError> {
        let now = std::time::Instant::now();
        if let Some(m) = self.cache.municipality(id, now) {
            return Ok(m);
        }
        let m = self.get_municipality(id, false).await?;
        self.cache.keep_municipality(id, m.clone(), now);
        Ok(m)
    }

    /// Replace a municipality's profile if nobody changed it since `expected_version`
    /// was read. `m.version` must already be the new version.
    pub async fn update_municipality(
        &self,
        m: &Municipality,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let condition =
            Cond::new("attribute_exists(PK) AND version = :v").value(":v", n(expected_version));
        self.put("municipality.update", item(m)?, condition).await
    }

    /// All municipalities, by governorate then id; optionally one governorate only.
    ///
    /// With `hide_deactivated`, deactivated ones are left out by a filter within
    /// the Query: a page may then hold fewer than `limit` items (never a Scan).
    pub async fn list_municipalities(
        &self,
        governorate: Option<&str>,
        hide_deactivated: bool,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Municipality>, StoreError> {
        let mut q = Query::index("municipality.list", keys::GSI1, keys::MUNICIPALITIES)
            .limit(limit)
            .after(start);
        if let Some(g) = governorate {
            q = q.begins_with(format!("{g}#"));
        }
        if hide_deactivated {
            q = q.filter(
                "#status <> :off",
                &[("#status", "status")],
                [(":off", s("DEACTIVATED"))],
            );
        }
        self.query_page(q).await
    }

    /// Every municipality, deactivated ones too (the scheduled jobs' round).
    pub async fn all_municipalities(&self) -> Result<Vec<Municipality>, StoreError> {
        self.query_all(Query::index(
            "municipality.all",
            keys::GSI1,
            keys::MUNICIPALITIES,
        ))
        .await
    }
}
