//! JSON merge-patch (RFC 7396) helpers: telling "absent" from "null".

use serde::{Deserialize, Deserializer};

/// For `Option<Option<T>>` fields with `#[serde(default, deserialize_with = "double_option")]`:
/// absent → `None`, `null` → `Some(None)` (clear), a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// For `Option<T>` fields of a patch that cannot be removed: absent → `None`, a
/// value → `Some(v)`, and `null` is refused (422) instead of being read as "keep".
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Q {
        #[serde(default, deserialize_with = "non_null")]
        y: Option<u8>,
    }

    #[test]
    fn null_refused_where_removal_makes_no_sense() {
        assert_eq!(serde_json::from_str::<Q>("{}").unwrap().y, None);
        assert_eq!(serde_json::from_str::<Q>(r#"{"y":1}"#).unwrap().y, Some(1));
        assert!(serde_json::from_str::<Q>(r#"{"y":null}"#).is_err());
    }

    #[derive(Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "double_option")]
        x: Option<Option<u8>>,
    }

    #[test]
    fn absent_null_value() {
        assert_eq!(serde_json::from_str::<P>("{}").unwrap().x, None);
        assert_eq!(
            serde_json::from_str::<P>(r#"{"x":null}"#).unwrap().x,
            Some(None)
        );
        assert_eq!(
            serde_json::from_str::<P>(r#"{"x":3}"#).unwrap().x,
            Some(Some(3))
        );
    }
}
