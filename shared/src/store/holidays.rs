//! The platform's public-holiday table: `P#HOLIDAYS` / `H#<YYYY-MM-DD>`, kept by
//! the operator. What it means is `domain::calendar`'s.

use super::{Item, Store, StoreError, from_item, keys, s, sdk_error, to_item};
use crate::domain::calendar::{self, Calendar, HolidayRecord};

impl Store {
    /// Every public holiday of the table, by date.
    pub async fn holidays(&self) -> Result<Vec<HolidayRecord>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(keys::HOLIDAYS))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("holidays", e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// The holidays in force: the recorded table, or the built-in one until
    /// the operator records one.
    pub async fn holidays_in_force(&self) -> Result<Vec<HolidayRecord>, StoreError> {
        Ok(calendar::in_force(self.holidays().await?))
    }

    /// The calendar of the holidays in force.
    pub async fn calendar(&self) -> Result<Calendar, StoreError> {
        Ok(Calendar::from_records(&self.holidays_in_force().await?))
    }

    pub async fn put_holiday(&self, h: &HolidayRecord) -> Result<(), StoreError> {
        let mut item = to_item(h)?;
        item.insert(keys::PK.into(), s(keys::HOLIDAYS));
        item.insert(keys::SK.into(), s(format!("H#{}", h.date)));
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("holiday.put", e))?;
        Ok(())
    }

    /// `NotFound` if there was no such holiday.
    pub async fn delete_holiday(&self, date: &str) -> Result<(), StoreError> {
        let out = self
            .db
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::HOLIDAYS))
            .key(keys::SK, s(format!("H#{date}")))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(sdk_error("holiday.delete", e)),
        }
    }
}
