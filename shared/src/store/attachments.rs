//! Files of an owner (a case, a news item…): `PK = M#<m>#<TAG>#<owner>`,
//! `SK = ATT#<att>`, in the owner's own item collection (so a case and its files
//! are one Query).

use super::query::Query;
use super::{Cond, Item, Store, StoreError, keyed, keys, s};
use crate::domain::attachment::{Attachment, FileOwner};

const PREFIX: &str = "ATT#";

fn item(owner: &FileOwner, a: &Attachment) -> Result<Item, StoreError> {
    keyed(
        a,
        keys::owner_pk(owner),
        format!("{PREFIX}{}", a.id),
        "attachment",
    )
}

impl Store {
    /// Record a file about to be uploaded.
    pub async fn put_attachment(
        &self,
        owner: &FileOwner,
        a: &Attachment,
    ) -> Result<(), StoreError> {
        let new = Some("attribute_not_exists(PK)");
        self.put("attachment.put", item(owner, a)?, new).await
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
        let pending = Cond::new("#st = :pending")
            .name("#st", "status")
            .value(":pending", s("pending"));
        self.put("attachment.finish", item(owner, a)?, pending)
            .await
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
