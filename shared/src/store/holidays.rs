//! The platform's public-holiday table: `P#HOLIDAYS` / `H#<YYYY-MM-DD>`, kept by
//! the operator. What it means is `domain::calendar`'s.

use super::query::Query;
use super::{Store, StoreError, keyed, keys};
use crate::domain::calendar::{self, Calendar, HolidayRecord};

impl Store {
    /// Every public holiday of the table, by date.
    pub async fn holidays(&self) -> Result<Vec<HolidayRecord>, StoreError> {
        self.query_all(Query::table("holidays", keys::HOLIDAYS))
            .await
    }

    /// The holidays in force: the recorded table, or the built-in one until
    /// the operator records one.
    pub async fn holidays_in_force(&self) -> Result<Vec<HolidayRecord>, StoreError> {
        Ok(calendar::in_force(self.holidays().await?))
    }

    /// The calendar of the holidays in force, from the container's copy while
    /// it is fresh ([`super::cache`]): for deadlines and opening hours, never
    /// for the operator's own listing.
    pub async fn calendar(&self) -> Result<Calendar, StoreError> {
        let now = std::time::Instant::now();
        if let Some(c) = self.cache.calendar(now) {
            return Ok(c);
        }
        let c = Calendar::from_records(&self.holidays_in_force().await?);
        self.cache.keep_calendar(&c, now);
        Ok(c)
    }

    pub async fn put_holiday(&self, h: &HolidayRecord) -> Result<(), StoreError> {
        let item = keyed(h, keys::HOLIDAYS, keys::holiday_sk(&h.date), "holiday")?;
        self.put("holiday.put", item, None).await
    }

    /// `NotFound` if there was no such holiday.
    pub async fn delete_holiday(&self, date: &str) -> Result<(), StoreError> {
        let deleted = self
            .delete(
                "holiday.delete",
                keys::HOLIDAYS,
                keys::holiday_sk(date),
                Some("attribute_exists(PK)"),
            )
            .await;
        match deleted {
            Err(StoreError::VersionConflict) => Err(StoreError::NotFound),
            other => other,
        }
    }
}
