//! Published documents: one partition per document (`M#<m>#DOC#<id>`) with its
//! record (`DOC`), its versions (`V#0001`…, never overwritten), its workflow
//! trail (`TRAIL#…`) and its files; the published ones listed newest first on
//! GSI1 (`M#<m>#DOCS`), drafts and approved minutes, for staff, on
//! `M#<m>#DOCS#<status>`.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{Page, PageKey, Store, StoreError, TxError, keyed, keys, s};
use crate::domain::MunicipalityId;
use crate::domain::document::{DocStatus, Document, DocumentType, Transition, Version};

/// What a listing of documents keeps.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub doc_type: Option<DocumentType>,
    pub fiscal_year: Option<u16>,
    pub committee: Option<String>,
}

/// A document's record with its place on GSI1 (by its status).
fn listed(m: &MunicipalityId, d: &Document) -> Result<super::Item, StoreError> {
    let mut doc = keyed(d, keys::document_pk(m, &d.id), keys::DOCUMENT, "document")?;
    let status = d.status();
    let when = match status {
        DocStatus::Published => d.published_at.as_deref().unwrap_or(&d.created_at),
        _ => &d.created_at,
    };
    doc.insert(keys::GSI1PK.into(), s(keys::document_listing(m, status)));
    doc.insert(keys::GSI1SK.into(), s(format!("{when}#{}", d.id)));
    Ok(doc)
}

impl Store {
    /// When `after` becomes public and names a meeting: the meeting lists it
    /// (and moves on a version, so a concurrent edit of the meeting, read
    /// before, does not drop it).
    fn meeting_lists(
        &self,
        m: &MunicipalityId,
        before: &Document,
        after: &Document,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        // (A record from before meetings had ids names none.)
        let Some(mid) = after
            .meeting
            .as_deref()
            .filter(|id| crate::domain::Id::parse("mtg", id).is_ok())
        else {
            return Ok(None);
        };
        if before.is_public() || !after.is_public() {
            return Ok(None);
        }
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::meeting_pk(m, mid)))
            .key(keys::SK, s(keys::MEETING))
            .update_expression(
                "SET documents = list_append(if_not_exists(documents, :none), :d), \
                 version = version + :one, updated_at = :u",
            )
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":none", AttributeValue::L(vec![]))
            .expression_attribute_values(":d", AttributeValue::L(vec![s(&after.id)]))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":u", s(&after.updated_at))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
    }

    /// A new draft document, once per idempotency key (`answer` is what a
    /// retry gets).
    pub async fn create_document(
        &self,
        m: &MunicipalityId,
        d: &Document,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let write = self.put_new(listed(m, d)?)?;
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
    /// version is new, the record moves on and is listed (and, published now,
    /// listed by its meeting); a concurrent version is a
    /// [`StoreError::VersionConflict`].
    pub async fn record_version(
        &self,
        m: &MunicipalityId,
        before: &Document,
        after: &Document,
        version: &Version,
    ) -> Result<(), StoreError> {
        let pk = keys::document_pk(m, &after.id);
        let doc = listed(m, after)?;
        let put_doc = Put::builder()
            .table_name(&self.table)
            .set_item(Some(doc))
            // The status too: minutes approved or published meanwhile are
            // not sent back to draft by a version read before.
            .condition_expression(
                "versions = :n AND (attribute_not_exists(#status) OR #status = :s)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":n", AttributeValue::N(before.versions.to_string()))
            .expression_attribute_values(":s", s(before.status().code()))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let v = keyed(version, pk, keys::version_sk(version.number), "version")?;
        let mut items = vec![
            TransactWriteItem::builder().put(put_doc).build(),
            self.put_new(v)?.0,
        ];
        items.extend(self.meeting_lists(m, before, after)?);
        match self.transact("document.version", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Move a document read as `before` along its workflow: the record and
    /// its trail entry together, conditioned on the record's versions and
    /// status being as read (a concurrent version or step is a
    /// [`StoreError::VersionConflict`]).
    pub async fn move_document(
        &self,
        m: &MunicipalityId,
        before: &Document,
        after: &Document,
        step: &Transition,
    ) -> Result<(), StoreError> {
        let pk = keys::document_pk(m, &after.id);
        let put_doc = Put::builder()
            .table_name(&self.table)
            .set_item(Some(listed(m, after)?))
            .condition_expression("versions = :n AND #status = :s")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":n", AttributeValue::N(before.versions.to_string()))
            .expression_attribute_values(":s", s(before.status().code()))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let entry = keyed(
            step,
            pk,
            keys::trail_sk(&step.at, after.versions, step.status),
            "trail",
        )?;
        let mut items = vec![
            TransactWriteItem::builder().put(put_doc).build(),
            self.put_new(entry)?.0,
        ];
        items.extend(self.meeting_lists(m, before, after)?);
        match self.transact("document.move", items).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// A document's workflow steps, oldest first.
    pub async fn document_trail(
        &self,
        m: &MunicipalityId,
        id: &str,
    ) -> Result<Vec<Transition>, StoreError> {
        self.query_all(
            Query::table("document.trail", keys::document_pk(m, id))
                .begins_with(keys::TRAIL_PREFIX),
        )
        .await
    }

    /// A page of `m`'s documents in `status` other than published (drafts,
    /// approved minutes), newest first: staff's worklist.
    pub async fn documents_in(
        &self,
        m: &MunicipalityId,
        status: DocStatus,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Document>, StoreError> {
        let q = Query::index(
            "documents.by_status",
            keys::GSI1,
            keys::document_listing(m, status),
        )
        .backwards()
        .limit(limit)
        .after(start);
        self.query_page(q).await
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

    /// A page of `m`'s published documents that belong to a committee (its
    /// minutes, reports…), newest first.
    pub async fn committee_documents(
        &self,
        m: &MunicipalityId,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Document>, StoreError> {
        let q = Query::index("documents.committees", keys::GSI1, keys::documents_gsi(m))
            .backwards()
            .limit(limit)
            .after(start)
            .filter(
                "attribute_exists(committee)",
                &[],
                std::iter::empty::<(String, AttributeValue)>(),
            );
        self.query_page(q).await
    }
}
