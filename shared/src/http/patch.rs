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

#[cfg(test)]
mod tests {
    use super::*;

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
