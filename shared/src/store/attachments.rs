//! Files of an owner (a case, a news item…): `PK = M#<m>#<TAG>#<owner>`,
//! `SK = ATT#<att>`, in the owner's own item collection (so a case and its files
//! are one Query).

use super::query::Query;
use super::{Item, Store, StoreError, keys, s, sdk_error, to_item};
use crate::domain::attachment::{Attachment, FileOwner};

const PREFIX: &str = "ATT#";

fn item(owner: &FileOwner, a: &Attachment) -> Result<Item, StoreError> {
    let mut item = to_item(a)?;
    item.insert(keys::PK.into(), s(keys::owner_pk(owner)));
    item.insert(keys::SK.into(), s(format!("{PREFIX}{}", a.id)));
    item.insert("type".into(), s("attachment"));
    Ok(item)
}

impl Store {
    /// Record a file about to be uploaded.
    pub async fn put_attachment(
        &self,
        owner: &FileOwner,
        a: &Attachment,
    ) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(owner, a)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| sdk_error("attachment.put", e))?;
        Ok(())
    }

    pub async fn get_attachment(
        &self,
        owner: &FileOwner,
        id: &str,
    ) -> Result<Option<Attachment>, StoreError> {
        self.get_record(
            "attachment.get",
            keys::owner_pk(owner),
            format!("{PREFIX}{id}"),
            true,
        )
        .await
    }

    /// Record the outcome of the check, once: only a pending attachment changes
    /// ([`StoreError::VersionConflict`] otherwise: an S3 event delivered twice).
    pub async fn finish_attachment(
        &self,
        owner: &FileOwner,
        a: &Attachment,
    ) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(owner, a)?))
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":pending", s("pending"))
            .send()
            .await
            .map_err(|e| sdk_error("attachment.finish", e))?;
        Ok(())
    }

    /// Every file of an owner, oldest first.
    pub async fn attachments_of(&self, owner: &FileOwner) -> Result<Vec<Attachment>, StoreError> {
        self.query_all(
            Query::table("attachment.list", keys::owner_pk(owner))
                .begins_with(PREFIX)
                .consistent(),
        )
        .await
    }
}
