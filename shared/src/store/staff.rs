//! Staff members (`PK = M#<m>`, `SK = STAFF#<stf>`), a guard item per phone number
//! (`SK = STAFFPHONE#<e164>`) so a number is registered once per municipality, and
//! the person's roles by phone through GSI2 (`GSI2PK = PHONE#<e164>`), which the
//! accounts function reads at sign-in. Platform administrators live under
//! `PK = P`, `SK = ADMIN#<e164>`.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{
    Item, Page, PageKey, Store, StoreError, TxError, from_item, keys, n, s, text, to_item,
};
use crate::domain::{Id, MunicipalityId, Phone, StaffMember};

fn member_item(m: &StaffMember) -> Result<Item, StoreError> {
    let mut item = to_item(m)?;
    item.insert(keys::PK.into(), s(keys::tenant(&m.municipality)));
    item.insert(keys::SK.into(), s(keys::staff_sk(&m.id)));
    item.insert(keys::GSI2PK.into(), s(keys::phone_gsi(&m.phone)));
    item.insert(
        keys::GSI2SK.into(),
        s(keys::staff_role_gsi(&m.municipality, &m.id)),
    );
    item.insert("type".into(), s("staff"));
    Ok(item)
}

fn guard_put(table: &str, m: &StaffMember) -> Result<TransactWriteItem, StoreError> {
    let mut item = Item::new();
    item.insert(keys::PK.into(), s(keys::tenant(&m.municipality)));
    item.insert(keys::SK.into(), s(keys::staff_phone_sk(&m.phone)));
    item.insert("staffId".into(), s(m.id.as_str()));
    item.insert("type".into(), s("staff_phone"));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn guard_delete(
    table: &str,
    m: &MunicipalityId,
    phone: &Phone,
) -> Result<TransactWriteItem, StoreError> {
    let del = Delete::builder()
        .table_name(table)
        .key(keys::PK, s(keys::tenant(m)))
        .key(keys::SK, s(keys::staff_phone_sk(phone)))
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(del).build())
}

/// Who a phone number is on the platform: found at sign-in.
pub type PhoneRoles = crate::domain::account::HeldRoles;

impl Store {
    /// Add a staff member. [`StoreError::AlreadyExists`] if the phone number is
    /// already on this municipality's staff.
    pub async fn create_staff(
        &self,
        m: &StaffMember,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(member_item(m)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder().put(put).build(),
            guard_put(&self.table, m)?,
        ];
        self.create_once("staff.create", tx, idem, 201, answer)
            .await
    }

    /// `consistent` for a read that a conditional write will follow.
    pub async fn get_staff(
        &self,
        m: &MunicipalityId,
        id: &Id,
        consistent: bool,
    ) -> Result<Option<StaffMember>, StoreError> {
        self.get_record("staff.get", keys::tenant(m), keys::staff_sk(id), consistent)
            .await
    }

    pub async fn list_staff(
        &self,
        m: &MunicipalityId,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<StaffMember>, StoreError> {
        self.query_page(
            Query::table("staff.list", keys::tenant(m))
                .begins_with(keys::STAFF_PREFIX)
                .limit(limit)
                .after(start),
        )
        .await
    }

    /// Replace a member's record (optimistic lock on `expected_version`). When the
    /// phone number changes, the guard items move in the same transaction.
    pub async fn update_staff(
        &self,
        updated: &StaffMember,
        previous_phone: &Phone,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(member_item(updated)?))
            .condition_expression("attribute_exists(PK) AND version = :v")
            .expression_attribute_values(":v", n(expected_version))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = vec![TransactWriteItem::builder().put(put).build()];
        let phone_changed = &updated.phone != previous_phone;
        if phone_changed {
            tx.push(guard_delete(
                &self.table,
                &updated.municipality,
                previous_phone,
            )?);
            tx.push(guard_put(&self.table, updated)?);
        }
        match self.transact("staff.update", tx).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed_at(0) => Err(StoreError::VersionConflict),
            Err(TxError::Conditions(_)) => Err(StoreError::AlreadyExists),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Remove a member and free their phone number, if the record is still at
    /// `expected_version`.
    pub async fn delete_staff(&self, member: &StaffMember) -> Result<(), StoreError> {
        let del = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::tenant(&member.municipality)))
            .key(keys::SK, s(keys::staff_sk(&member.id)))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(member.version))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = vec![
            TransactWriteItem::builder().delete(del).build(),
            guard_delete(&self.table, &member.municipality, &member.phone)?,
        ];
        match self.transact("staff.delete", tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Conditions(_)) => Err(StoreError::VersionConflict),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// Make `phone` a platform administrator (idempotent: used by seeding).
    pub async fn put_platform_admin(&self, phone: &Phone) -> Result<(), StoreError> {
        let mut item = Item::new();
        item.insert(keys::PK.into(), s(keys::PLATFORM));
        item.insert(keys::SK.into(), s(keys::admin_sk(phone)));
        item.insert(keys::GSI2PK.into(), s(keys::phone_gsi(phone)));
        item.insert(keys::GSI2SK.into(), s(keys::ADMIN_ROLE_GSI));
        item.insert("type".into(), s("platform_admin"));
        self.put("admin.put", item, None).await
    }

    /// Every role held by `phone`: one Query on GSI2.
    pub async fn roles_by_phone(&self, phone: &Phone) -> Result<PhoneRoles, StoreError> {
        let (items, _) = self
            .query_raw(
                Query::index("roles.by_phone", keys::GSI2, keys::phone_gsi(phone))
                    .begins_with(keys::ROLE_PREFIX),
            )
            .await?;
        let mut roles = PhoneRoles {
            platform_admin: false,
            staff: Vec::new(),
        };
        for item in items {
            match text(&item, "type").as_deref() {
                Some("platform_admin") => roles.platform_admin = true,
                Some("staff") => roles.staff.push(from_item(item)?),
                _ => {}
            }
        }
        Ok(roles)
    }
}
