//! News posts: one partition per post (`M#<m>#NWS#<id>`: the post and its
//! files), listed on GSI1 by status — `M#<m>#NEWS#PUBLISHED` and `…#ARCHIVED`
//! by publication time, `…#SCHEDULED` by the time it is due (what the
//! scheduler reads), `…#DRAFT` by creation.

use aws_sdk_dynamodb::types::AttributeValue;

use super::idempotency::{Created, Idempotency};
use super::query::Query;
use super::{Cond, Page, PageKey, Store, StoreError, keyed, keys, s};
use crate::domain::MunicipalityId;
use crate::domain::news::{NewsCategory, NewsStatus, Post};

/// A post as its item: listed on GSI1 by its status.
pub(crate) fn post_item(m: &MunicipalityId, post: &Post) -> Result<super::Item, StoreError> {
    let mut item = keyed(post, keys::post_pk(m, &post.id), keys::POST, "post")?;
    let when = match post.status {
        NewsStatus::Draft => post.created_at.clone(),
        _ => post.publish_at.clone().unwrap_or_default(),
    };
    item.insert(
        keys::GSI1PK.into(),
        s(keys::news_gsi(m, post.status.code())),
    );
    item.insert(keys::GSI1SK.into(), s(format!("{when}#{}", post.id)));
    Ok(item)
}

impl Store {
    /// A new draft, once per idempotency key (`answer` is what a retry gets).
    pub async fn create_post(
        &self,
        m: &MunicipalityId,
        post: &Post,
        idem: Option<&Idempotency>,
        answer: &str,
    ) -> Result<Created, StoreError> {
        let item = post_item(m, post)?;
        let write = self.put_new(item)?;
        self.create_once("news.create", vec![write.0], idem, 201, answer)
            .await
    }

    /// Write `post`: new when `read_version` is `None`, else only if it is
    /// still at the version read ([`StoreError::VersionConflict`]).
    pub async fn put_post(
        &self,
        m: &MunicipalityId,
        post: &Post,
        read_version: Option<u64>,
    ) -> Result<(), StoreError> {
        let item = post_item(m, post)?;
        let cond = match read_version {
            None => Cond::new("attribute_not_exists(PK)"),
            Some(v) => Cond::new("version = :v").value(":v", AttributeValue::N(v.to_string())),
        };
        self.put("news.put", item, cond).await
    }

    pub async fn post(
        &self,
        m: &MunicipalityId,
        id: &str,
        consistent: bool,
    ) -> Result<Option<Post>, StoreError> {
        self.get_record("news.get", keys::post_pk(m, id), keys::POST, consistent)
            .await
    }

    /// A page of `m`'s posts in `status`, newest first, of `category` if given
    /// (filtered: a page may come back short, with a cursor to go on).
    pub async fn posts(
        &self,
        m: &MunicipalityId,
        status: NewsStatus,
        category: Option<NewsCategory>,
        limit: i32,
        start: Option<PageKey>,
    ) -> Result<Page<Post>, StoreError> {
        let mut q = Query::index("news.list", keys::GSI1, keys::news_gsi(m, status.code()))
            .backwards()
            .limit(limit)
            .after(start);
        if let Some(c) = category {
            q = q.filter("category = :c", &[], [(":c", s(c.code()))]);
        }
        self.query_page(q).await
    }

    /// `m`'s scheduled posts due by `now` (RFC 3339), oldest first.
    pub async fn due_posts(&self, m: &MunicipalityId, now: &str) -> Result<Vec<Post>, StoreError> {
        self.query_all(
            Query::index(
                "news.due",
                keys::GSI1,
                keys::news_gsi(m, NewsStatus::Scheduled.code()),
            )
            .at_most(format!("{now}~")),
        )
        .await
    }
}
