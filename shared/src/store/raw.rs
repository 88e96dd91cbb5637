//! Test support (feature `fixtures`): the table's items as JSON, and changes
//! made behind the functions' back (a code that has expired, a deadline that
//! has passed), for the black-box and adapter tests. The functions never use
//! it.

use serde_json::Value;

use super::query::Query;
use super::update::Edit;
use super::{Store, StoreError, from_item, sdk_error};

impl Store {
    /// The item `pk`/`sk` as stored, as JSON (numbers as numbers).
    pub async fn raw_item(&self, pk: &str, sk: &str) -> Result<Option<Value>, StoreError> {
        self.get_record("raw_item", pk, sk, true).await
    }

    /// Every item of partition `pk`, as JSON.
    pub async fn raw_partition(&self, pk: &str) -> Result<Vec<Value>, StoreError> {
        let items = self
            .query_all_raw(Query::table("raw_partition", pk).consistent())
            .await?;
        items.into_iter().map(from_item).collect()
    }

    /// Every item of the table, as JSON: a Scan, which only tests may make
    /// (no request path ever scans).
    pub async fn raw_scan(&self) -> Result<Vec<Value>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .db
                .scan()
                .table_name(&self.table)
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| sdk_error("raw_scan", e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// Set the attributes at `fields` (dotted paths: `data.deadline.due_at`)
    /// of the existing item `pk`/`sk`.
    pub async fn raw_set(
        &self,
        pk: &str,
        sk: &str,
        fields: &[(&str, Value)],
    ) -> Result<(), StoreError> {
        let mut names = Vec::new();
        let mut sets = Vec::new();
        for (i, (path, _)) in fields.iter().enumerate() {
            let parts: Vec<String> = path
                .split('.')
                .enumerate()
                .map(|(j, part)| {
                    let name = format!("#f{i}_{j}");
                    names.push((name.clone(), part.to_owned()));
                    name
                })
                .collect();
            sets.push(format!("{} = :v{i}", parts.join(".")));
        }
        let mut edit = Edit::new("raw_set", pk, sk, format!("SET {}", sets.join(", ")))
            .only_if("attribute_exists(PK)");
        for (name, attribute) in &names {
            edit = edit.name(name, attribute);
        }
        for (i, (_, value)) in fields.iter().enumerate() {
            let value = serde_dynamo::to_attribute_value(value)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            edit = edit.value(format!(":v{i}"), value);
        }
        self.edit(edit).await.map(|_| ())
    }
}
