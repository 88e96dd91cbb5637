//! Committees and their meetings.
//!
//! | Item | PK | SK | Index |
//! |---|---|---|---|
//! | committee (members inside) | `M#<m>` | `CMT#<cmt>` | |
//! | meeting (agenda inside) | `M#<m>#MTG#<mtg>` | `MEETING` | GSI1 `M#<m>#MEETINGS` / `<start>#<mtg>` |
//!
//! A municipality has a few dozen committees at most: the list is one Query
//! of its partition. Meetings are listed by start on GSI1, filtered on the
//! committee for one committee's.

use aws_sdk_dynamodb::types::AttributeValue;

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{Cond, Item, Page, PageKey, Store, StoreError, keyed, keys, s};
use crate::domain::MunicipalityId;
use crate::domain::committee::{Committee, Meeting};

fn committee_item(m: &MunicipalityId, c: &Committee) -> Result<Item, StoreError> {
    keyed(c, keys::tenant(m), keys::committee_sk(&c.id), "committee")
}

fn meeting_item(m: &MunicipalityId, mt: &Meeting) -> Result<Item, StoreError> {
    let mut item = keyed(mt, keys::meeting_pk(m, &mt.id), keys::MEETING, "meeting")?;
    item.insert(keys::GSI1PK.into(), s(keys::meetings_gsi(m)));
    item.insert(
        keys::GSI1SK.into(),
        s(format!("{}#{}", mt.content.start, mt.id)),
    );
    Ok(item)
}

fn at_version(read: u64) -> Cond {
    Cond::new("version = :v").value(":v", AttributeValue::N(read.to_string()))
}

impl Store {
    /// A new committee, once per idempotency key.
    pub async fn create_committee(
        &self,
        m: &MunicipalityId,
        c: &Committee,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let write = self.put_new(committee_item(m, c)?)?;
        self.create_once("committee.create", vec![write.0], idem, 201, answer)
            .await
    }

    /// Write a committee changed from the version read.
    pub async fn put_committee(
        &self,
        m: &MunicipalityId,
        c: &Committee,
        read: u64,
    ) -> Result<(), StoreError> {
        self.put("committee.put", committee_item(m, c)?, at_version(read))
            .await
    }

    pub async fn committee(
        &self,
        m: &MunicipalityId,
        id: &str,
        consistent: bool,
    ) -> Result<Option<Committee>, StoreError> {
        self.get_record(
            "committee.get",
            keys::tenant(m),
            keys::committee_sk(id),
            consistent,
        )
        .await
    }

    /// Every committee of `m` (a few dozen at most), in creation order.
    pub async fn committees(&self, m: &MunicipalityId) -> Result<Vec<Committee>, StoreError> {
        self.query_all(
            Query::table("committee.list", keys::tenant(m)).begins_with(keys::COMMITTEE_PREFIX),
        )
        .await
    }

    /// A new meeting, once per idempotency key.
    pub async fn create_meeting(
        &self,
        m: &MunicipalityId,
        mt: &Meeting,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let write = self.put_new(meeting_item(m, mt)?)?;
        self.create_once("meeting.create", vec![write.0], idem, 201, answer)
            .await
    }

    /// Write a meeting changed from the version read.
    pub async fn put_meeting(
        &self,
        m: &MunicipalityId,
        mt: &Meeting,
        read: u64,
    ) -> Result<(), StoreError> {
        self.put("meeting.put", meeting_item(m, mt)?, at_version(read))
            .await
    }

    pub async fn meeting(
        &self,
        m: &MunicipalityId,
        id: &str,
        consistent: bool,
    ) -> Result<Option<Meeting>, StoreError> {
        self.get_record(
            "meeting.get",
            keys::meeting_pk(m, id),
            keys::MEETING,
            consistent,
        )
        .await
    }

    /// A page of `m`'s meetings by start (newest first unless `oldest_first`),
    /// of `committee` if given (filtered: a page may come back short).
    pub async fn meetings(
        &self,
        m: &MunicipalityId,
        committee: Option<&str>,
        oldest_first: bool,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Meeting>, StoreError> {
        let mut q = Query::index("meeting.list", keys::GSI1, keys::meetings_gsi(m))
            .limit(limit)
            .after(start);
        if !oldest_first {
            q = q.backwards();
        }
        if let Some(c) = committee {
            q = q.filter("committee = :c", &[], [(":c", s(c))]);
        }
        self.query_page(q).await
    }

    /// `m`'s meetings starting between `from` and `to` (RFC 3339 UTC), of
    /// `committee` if given, oldest first (a feed's window).
    pub async fn meetings_between(
        &self,
        m: &MunicipalityId,
        committee: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<Meeting>, StoreError> {
        let mut q = Query::index("meeting.window", keys::GSI1, keys::meetings_gsi(m))
            .between(format!("{from}#"), format!("{to}#~"));
        if let Some(c) = committee {
            q = q.filter("committee = :c", &[], [(":c", s(c))]);
        }
        self.query_all(q).await
    }
}
