//! Published documents: one partition per document (`M#<m>#DOC#<id>`) with its
//! record (`DOC`), its versions (`V#0001`…, never overwritten) and its files;
//! the published ones listed newest first on GSI1 (`M#<m>#DOCS`).

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{Page, PageKey, Store, StoreError, TxError, keyed, keys, s};
use crate::domain::MunicipalityId;
use crate::domain::document::{Document, DocumentType, Version};

/// What a listing of documents keeps.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub doc_type: Option<DocumentType>,
    pub fiscal_year: Option<u16>,
    pub committee: Option<String>,
}

impl Store {
    /// A new draft document (its partition must be new).
    /// A new draft document, once per idempotency key (`answer` is what a
    /// retry gets).
    pub async fn create_document(
        &self,
        m: &MunicipalityId,
        d: &Document,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let item = keyed(d, keys::document_pk(m, &d.id), keys::DOCUMENT, "document")?;
        let write = self.put_new(item)?;
        self.create_once("document.create", vec![write.0], idem, 201, answer)
            .await
    }

    pub async fn document(
        &self,
        m: &MunicipalityId,
        id: &str,
        consistent: bool,
    ) -> Result<Option<Document>, StoreError> {
        self.get_record(
            "document.get",
            keys::document_pk(m, id),
            keys::DOCUMENT,
            consistent,
        )
        .await
    }

    /// Every version of a document, oldest first.
    pub async fn document_versions(
        &self,
        m: &MunicipalityId,
        id: &str,
    ) -> Result<Vec<Version>, StoreError> {
        self.query_all(
            Query::table("document.versions", keys::document_pk(m, id))
                .begins_with(keys::VERSION_PREFIX),
        )
        .await
    }

    /// Record `version` of a document read at `before.versions` versions: the
    /// version is new, the record moves on and is listed; a concurrent version
    /// is a [`StoreError::VersionConflict`].
    pub async fn record_version(
        &self,
        m: &MunicipalityId,
        before: &Document,
        after: &Document,
        version: &Version,
    ) -> Result<(), StoreError> {
        let pk = keys::document_pk(m, &after.id);
        let mut doc = keyed(after, pk.clone(), keys::DOCUMENT, "document")?;
        let published = after.published_at.clone().unwrap_or_default();
        doc.insert(keys::GSI1PK.into(), s(keys::documents_gsi(m)));
        doc.insert(keys::GSI1SK.into(), s(format!("{published}#{}", after.id)));
        let put_doc = Put::builder()
            .table_name(&self.table)
            .set_item(Some(doc))
            .condition_expression("versions = :n")
            .expression_attribute_values(":n", AttributeValue::N(before.versions.to_string()))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let v = keyed(version, pk, keys::version_sk(version.number), "version")?;
        let items = vec![
            TransactWriteItem::builder().put(put_doc).build(),
            self.put_new(v)?.0,
        ];
        match self.transact("document.version", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// A page of a municipality's published documents, newest first, kept by
    /// `filter` (the filter does not make the Query read less: a page may come
    /// back short, with a cursor to go on).
    pub async fn documents_page(
        &self,
        m: &MunicipalityId,
        filter: &DocumentFilter,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Document>, StoreError> {
        let mut q = Query::index("documents.list", keys::GSI1, keys::documents_gsi(m))
            .backwards()
            .limit(limit)
            .after(start);
        if let Some(t) = filter.doc_type {
            q = q.filter("doc_type = :t", &[], [(":t", s(t.code()))]);
        }
        if let Some(y) = filter.fiscal_year {
            q = q.filter(
                "fiscal_year = :y",
                &[],
                [(":y", AttributeValue::N(y.to_string()))],
            );
        }
        if let Some(c) = &filter.committee {
            q = q.filter("committee = :c", &[], [(":c", s(c))]);
        }
        self.query_page(q).await
    }
}
