//! Every read of a listing is a Query of one partition, of the table or of an
//! index: described here as data ([`Query`]) and run in one place
//! ([`Store::query_page`], [`Store::query_all`]), so that each access pattern
//! reads as its key condition and nothing else.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;

use super::{
    Item, Page, PageKey, Store, StoreError, from_item, keys, page_key, s, sdk_error, start_key,
};

/// How the sort key is narrowed.
#[derive(Debug, Clone)]
enum Range {
    All,
    BeginsWith(String),
    Between(String, String),
    AtMost(String),
}

/// One Query: a partition of the table or of an index, a range of its sort
/// key, an order, a page size, where to start, and a filter if any.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    op: &'static str,
    /// `None`: the table (`PK`, `SK`); else `GSI1`…
    index: Option<&'static str>,
    pk: String,
    range: Range,
    forward: bool,
    limit: Option<i32>,
    start: Option<Item>,
    consistent: bool,
    filter: Option<String>,
    names: Vec<(String, String)>,
    values: Vec<(String, AttributeValue)>,
}

impl Query {
    /// Partition `pk` of the table; `op` names the call in errors.
    pub(crate) fn table(op: &'static str, pk: impl Into<String>) -> Query {
        Query {
            op,
            index: None,
            pk: pk.into(),
            range: Range::All,
            forward: true,
            limit: None,
            start: None,
            consistent: false,
            filter: None,
            names: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Partition `pk` of index `index` (`keys::GSI1`…).
    pub(crate) fn index(op: &'static str, index: &'static str, pk: impl Into<String>) -> Query {
        Query {
            index: Some(index),
            ..Query::table(op, pk)
        }
    }

    pub(crate) fn begins_with(mut self, prefix: impl Into<String>) -> Query {
        self.range = Range::BeginsWith(prefix.into());
        self
    }

    pub(crate) fn between(mut self, from: impl Into<String>, to: impl Into<String>) -> Query {
        self.range = Range::Between(from.into(), to.into());
        self
    }

    pub(crate) fn at_most(mut self, last: impl Into<String>) -> Query {
        self.range = Range::AtMost(last.into());
        self
    }

    /// Highest sort keys first.
    pub(crate) fn backwards(mut self) -> Query {
        self.forward = false;
        self
    }

    pub(crate) fn forwards(mut self, forward: bool) -> Query {
        self.forward = forward;
        self
    }

    pub(crate) fn limit(mut self, limit: i32) -> Query {
        self.limit = Some(limit);
        self
    }

    /// Continue where a page ended.
    pub(crate) fn after(mut self, start: Option<PageKey>) -> Query {
        self.start = start_key(start);
        self
    }

    /// Read what was just written (before a conditional write).
    pub(crate) fn consistent(mut self) -> Query {
        self.consistent = true;
        self
    }

    /// Keep only the items `expression` holds for (applied after the key
    /// condition: it does not make the Query read less). Filters add up.
    pub(crate) fn filter<N: Into<String>>(
        mut self,
        expression: impl Into<String>,
        names: &[(&str, &str)],
        values: impl IntoIterator<Item = (N, AttributeValue)>,
    ) -> Query {
        let expression = expression.into();
        self.filter = Some(match self.filter.take() {
            Some(before) => format!("{before} AND {expression}"),
            None => expression,
        });
        self.names
            .extend(names.iter().map(|(n, a)| (n.to_string(), a.to_string())));
        self.values
            .extend(values.into_iter().map(|(n, v)| (n.into(), v)));
        self
    }
}

impl Store {
    /// One call of `q`: its items and where the next page starts.
    async fn query_once(&self, q: &Query) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let (pk_name, sk_name) = match q.index {
            None => (keys::PK.to_owned(), keys::SK.to_owned()),
            Some(index) => (format!("{index}PK"), format!("{index}SK")),
        };
        let condition = match &q.range {
            Range::All => format!("{pk_name} = :pk"),
            Range::BeginsWith(_) => format!("{pk_name} = :pk AND begins_with({sk_name}, :a)"),
            Range::Between(_, _) => format!("{pk_name} = :pk AND {sk_name} BETWEEN :a AND :b"),
            Range::AtMost(_) => format!("{pk_name} = :pk AND {sk_name} <= :a"),
        };
        let mut req = self
            .db
            .query()
            .table_name(&self.table)
            .set_index_name(q.index.map(str::to_owned))
            .key_condition_expression(condition)
            .expression_attribute_values(":pk", s(&q.pk))
            .scan_index_forward(q.forward)
            .consistent_read(q.consistent)
            .set_limit(q.limit)
            .set_exclusive_start_key(q.start.clone())
            .set_filter_expression(q.filter.clone());
        req = match &q.range {
            Range::All => req,
            Range::BeginsWith(a) | Range::AtMost(a) => req.expression_attribute_values(":a", s(a)),
            Range::Between(a, b) => req
                .expression_attribute_values(":a", s(a))
                .expression_attribute_values(":b", s(b)),
        };
        for (name, attribute) in &q.names {
            req = req.expression_attribute_names(name, attribute);
        }
        for (name, value) in &q.values {
            req = req.expression_attribute_values(name, value.clone());
        }
        let out = req.send().await.map_err(|e| sdk_error(q.op, e))?;
        Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
    }

    /// One page of `q`, read as `T`.
    pub(crate) async fn query_page<T: DeserializeOwned>(
        &self,
        q: Query,
    ) -> Result<Page<T>, StoreError> {
        let (items, next) = self.query_once(&q).await?;
        Ok(Page {
            items: items.into_iter().map(from_item).collect::<Result<_, _>>()?,
            next: page_key(next.as_ref()),
        })
    }

    /// One page of `q`, as the items stored.
    pub(crate) async fn query_raw(
        &self,
        q: Query,
    ) -> Result<(Vec<Item>, Option<PageKey>), StoreError> {
        let (items, next) = self.query_once(&q).await?;
        Ok((items, page_key(next.as_ref())))
    }

    /// Every item of `q`, page after page, as the items stored.
    pub(crate) async fn query_all_raw(&self, mut q: Query) -> Result<Vec<Item>, StoreError> {
        let mut out = Vec::new();
        loop {
            let (items, next) = self.query_once(&q).await?;
            out.extend(items);
            match next {
                Some(k) => q.start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// Every item of `q`, page after page, read as `T`.
    pub(crate) async fn query_all<T: DeserializeOwned>(
        &self,
        q: Query,
    ) -> Result<Vec<T>, StoreError> {
        self.query_all_raw(q)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }
}
