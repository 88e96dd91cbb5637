//! The services guide's items, all in the municipality's tenant partition
//! (`M#<m>`): the guide's index (`GUIDE`, what lists and searches read), one
//! entry per procedure the municipality wrote, hid or linked (`PROC#<code>`),
//! its offices (`OFFICE#<code>`). A procedure's forms are files of its own
//! partition (`M#<m>#PRC#<code>`, `domain::attachment`).

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};

use super::{Store, StoreError, TxError, keyed, keys, s};
use crate::domain::MunicipalityId;
use crate::domain::guide::Office;
use crate::domain::guide::overlay::{Change, Entry, Index};

impl Store {
    /// The guide's index; an empty one before the municipality's first entry.
    pub async fn guide_index(
        &self,
        m: &MunicipalityId,
        consistent: bool,
    ) -> Result<Index, StoreError> {
        Ok(self
            .get_record("guide.index", keys::tenant(m), keys::GUIDE, consistent)
            .await?
            .unwrap_or_default())
    }

    pub async fn guide_entry(
        &self,
        m: &MunicipalityId,
        code: &str,
        consistent: bool,
    ) -> Result<Option<Entry>, StoreError> {
        self.get_record(
            "guide.entry",
            keys::tenant(m),
            keys::procedure_sk(code),
            consistent,
        )
        .await
    }

    /// Every entry of the municipality's guide (one Query; a few hundred at most).
    pub async fn guide_entries(&self, m: &MunicipalityId) -> Result<Vec<Entry>, StoreError> {
        self.query_all(
            super::query::Query::table("guide.entries", keys::tenant(m))
                .begins_with(keys::PROCEDURE_PREFIX),
        )
        .await
    }

    /// Write a change of the guide: its entry (put, or deleted) and the index,
    /// on condition that the index is still at `read_version`. A concurrent
    /// write is a [`StoreError::VersionConflict`].
    pub async fn write_guide(
        &self,
        m: &MunicipalityId,
        code: &str,
        read_version: u64,
        change: &Change,
    ) -> Result<(), StoreError> {
        let pk = keys::tenant(m);
        let index = keyed(&change.index, pk.clone(), keys::GUIDE, "guide")?;
        let mut put = Put::builder().table_name(&self.table).set_item(Some(index));
        put = if read_version == 0 {
            put.condition_expression("attribute_not_exists(PK)")
        } else {
            put.condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(read_version.to_string()))
        };
        let put = put
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let entry = match &change.entry {
            Some(e) => {
                let item = keyed(e, pk, keys::procedure_sk(code), "procedure")?;
                let p = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .build()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                TransactWriteItem::builder().put(p).build()
            }
            None => {
                let d = Delete::builder()
                    .table_name(&self.table)
                    .key(keys::PK, s(pk))
                    .key(keys::SK, s(keys::procedure_sk(code)))
                    .build()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                TransactWriteItem::builder().delete(d).build()
            }
        };
        let items = vec![TransactWriteItem::builder().put(put).build(), entry];
        match self.transact("guide.write", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// A municipality's offices (a few dozen at most).
    pub async fn offices(&self, m: &MunicipalityId) -> Result<Vec<Office>, StoreError> {
        self.query_all(
            super::query::Query::table("office.list", keys::tenant(m))
                .begins_with(keys::OFFICE_PREFIX),
        )
        .await
    }

    /// One office of a municipality.
    pub async fn office(
        &self,
        m: &MunicipalityId,
        code: &str,
    ) -> Result<Option<Office>, StoreError> {
        self.get_record("office.get", keys::tenant(m), keys::office_sk(code), false)
            .await
    }

    pub async fn put_office(&self, m: &MunicipalityId, o: &Office) -> Result<(), StoreError> {
        let item = keyed(o, keys::tenant(m), keys::office_sk(&o.code), "office")?;
        self.put("office.put", item, None).await
    }
}
