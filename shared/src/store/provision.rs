//! Creating the table where nothing deploys it: the local stack (from
//! `template.yaml`'s definition) and the tests that want a table of their own.
//! AWS creates the production table from the template.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};

use crate::config::Aws;

/// A table as `template.yaml` declares it, in the template's own words
/// (`AttributeType: S`, `KeyType: HASH`…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSpec {
    pub name: String,
    /// `(name, type)` of each key attribute.
    pub attributes: Vec<(String, String)>,
    /// `(name, HASH | RANGE)`.
    pub key: Vec<(String, String)>,
    /// Global secondary indexes, all attributes projected.
    pub indexes: Vec<(String, Vec<(String, String)>)>,
    /// The stream's view type, if the table has a stream.
    pub stream: Option<String>,
    /// The expiry attribute, if items expire.
    pub ttl: Option<String>,
}

impl TableSpec {
    /// A table keyed `PK`, `SK` (strings) and nothing else.
    pub fn keys_only(name: &str) -> TableSpec {
        TableSpec {
            name: name.to_owned(),
            attributes: vec![("PK".into(), "S".into()), ("SK".into(), "S".into())],
            key: vec![("PK".into(), "HASH".into()), ("SK".into(), "RANGE".into())],
            ..TableSpec::default()
        }
    }
}

fn key_schema(key: &[(String, String)]) -> Result<Vec<KeySchemaElement>, String> {
    key.iter()
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(KeyType::from(kind.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Create the table; `Ok(false)` if it already exists. Its TTL is switched
/// on either way.
pub async fn create_table(aws: &Aws, spec: &TableSpec) -> Result<bool, String> {
    let db = aws.dynamodb();
    let attributes = spec
        .attributes
        .iter()
        .map(|(name, kind)| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut indexes = Vec::new();
    for (name, key) in &spec.indexes {
        let index = GlobalSecondaryIndex::builder()
            .index_name(name)
            .set_key_schema(Some(key_schema(key)?))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(|e| e.to_string())?;
        indexes.push(index);
    }
    let stream = match &spec.stream {
        Some(view) => Some(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view.as_str()))
                .build()
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let created = db
        .create_table()
        .table_name(&spec.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&spec.key)?))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .set_stream_specification(stream)
        .send()
        .await;
    let fresh = match created {
        Ok(_) => true,
        Err(e) if e.code().is_some_and(|c| c.contains("ResourceInUse")) => false,
        Err(e) => return Err(format!("create table {}: {e:?}", spec.name)),
    };
    if let Some(attribute) = &spec.ttl {
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(attribute)
            .enabled(true)
            .build()
            .map_err(|e| e.to_string())?;
        // Already on is the only failure a second run meets.
        let _ = db
            .update_time_to_live()
            .table_name(&spec.name)
            .time_to_live_specification(ttl)
            .send()
            .await;
    }
    Ok(fresh)
}
