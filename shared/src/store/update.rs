//! Every change of one item is described as data ([`Edit`]: its key, its
//! update expression, its condition, their names and values) and run in one
//! place: on its own ([`Store::edit`]) or as one write of a transaction
//! ([`Store::edit_write`]).

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};

use super::{Item, Store, StoreError, Write, keys, s, sdk_error};

/// An UpdateItem of the item `pk`/`sk`.
#[derive(Debug, Clone)]
pub(crate) struct Edit {
    op: &'static str,
    pk: String,
    sk: String,
    expression: String,
    condition: Option<String>,
    names: Vec<(String, String)>,
    values: Vec<(String, AttributeValue)>,
}

impl Edit {
    /// `expression` (`SET a = :a REMOVE b`) on the item `pk`/`sk`; `op` names
    /// the call in errors.
    pub(crate) fn new(
        op: &'static str,
        pk: impl Into<String>,
        sk: impl Into<String>,
        expression: impl Into<String>,
    ) -> Edit {
        Edit {
            op,
            pk: pk.into(),
            sk: sk.into(),
            expression: expression.into(),
            condition: None,
            names: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Only if `condition` holds: else [`StoreError::VersionConflict`] (on its
    /// own) or a failed condition (in a transaction).
    pub(crate) fn only_if(mut self, condition: impl Into<String>) -> Edit {
        self.condition = Some(condition.into());
        self
    }

    /// `#name` stands for the attribute `attribute` (a reserved word).
    pub(crate) fn name(mut self, name: &str, attribute: &str) -> Edit {
        self.names.push((name.to_owned(), attribute.to_owned()));
        self
    }

    pub(crate) fn value(mut self, name: impl Into<String>, value: AttributeValue) -> Edit {
        self.values.push((name.into(), value));
        self
    }
}

/// Sets the builder's fields from an [`Edit`]: the same for UpdateItem and for
/// a transaction's Update, whose builders share no trait.
macro_rules! apply_edit {
    ($builder:expr, $edit:expr, $table:expr) => {{
        let mut b = $builder
            .table_name($table)
            .key(keys::PK, s(&$edit.pk))
            .key(keys::SK, s(&$edit.sk))
            .update_expression(&$edit.expression)
            .set_condition_expression($edit.condition.clone());
        for (name, attribute) in &$edit.names {
            b = b.expression_attribute_names(name, attribute);
        }
        for (name, value) in &$edit.values {
            b = b.expression_attribute_values(name, value.clone());
        }
        b
    }};
}

impl Store {
    /// Run `e` on its own; the attributes it changed, as they are now.
    pub(crate) async fn edit(&self, e: Edit) -> Result<Item, StoreError> {
        let out = apply_edit!(self.db.update_item(), e, &self.table)
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|err| sdk_error(e.op, err))?;
        Ok(out.attributes.unwrap_or_default())
    }

    /// `e` as one write of a transaction.
    pub(crate) fn edit_write(&self, e: Edit) -> Result<Write, StoreError> {
        let update = apply_edit!(Update::builder(), e, &self.table)
            .build()
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        Ok(Write(TransactWriteItem::builder().update(update).build()))
    }
}
