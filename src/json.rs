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
