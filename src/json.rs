//! Reading fields out of provider JSON, which writes ids as numbers or strings, by taste.

use serde_json::Value;

/// The non-empty string, or the number written out, at `path`. A numeric step indexes an array
/// (`["links", "self", "0", "href"]`).
pub(crate) fn text(value: &Value, path: &[&str]) -> Option<String> {
    let mut current = value;
    for key in path {
        current = match key.parse::<usize>() {
            Ok(index) if current.is_array() => current.get(index)?,
            _ => current.get(key)?,
        };
    }
    match current {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The whole number at `path`, written as a number or a string.
pub(crate) fn number(value: &Value, path: &[&str]) -> Option<u64> {
    text(value, path).and_then(|t| t.parse().ok())
}

/// The strings of the array `value`, skipping anything else; empty when it is not an array.
pub(crate) fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// An id that JSON may carry as a whole number or as text (GitLab's group ids), as text; `null`
/// or absent is none.
pub(crate) fn optional_id_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    struct IdText;
    impl<'de> serde::de::Visitor<'de> for IdText {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an id: a whole number or a string")
        }

        fn visit_u64<E>(self, id: u64) -> Result<Self::Value, E> {
            Ok(Some(id.to_string()))
        }

        fn visit_str<E>(self, id: &str) -> Result<Self::Value, E> {
            Ok(Some(id.to_owned()))
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: serde::Deserializer<'de>>(
            self,
            inner: D,
        ) -> Result<Self::Value, D::Error> {
            inner.deserialize_any(self)
        }
    }
    deserializer.deserialize_option(IdText)
}
