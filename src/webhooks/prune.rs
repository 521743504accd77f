//! Reading only the parts of a payload the event model uses.
//!
//! Deliveries run to hundreds of kilobytes (a push lists every commit, every payload repeats
//! the repository's seventy-odd fields), and the model needs a few dozen values of them.
//! Building a whole [`Value`] tree allocates for every one of those fields; this reader walks
//! the same bytes with serde_json, keeps the paths a [`Want`] names and skips the rest without
//! building anything, which makes parsing several times faster. The result is still a [`Value`],
//! so the readers in `parse.rs` use the same path lookups either way, and a test parses every
//! fixture both ways to show that nothing they look at is dropped.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Which parts of a JSON value to keep.
#[derive(Debug)]
pub(crate) enum Want {
    /// The whole value, whatever it is.
    All,
    /// Of an object, the named members; of an array, the elements at the named indexes
    /// (`"0"`), the others kept as `null` so that indexes do not move. A scalar is kept as is.
    Fields(&'static [(&'static str, Want)]),
}

/// The members (or indexes) a [`Want::Fields`] keeps.
type Wanted = &'static [(&'static str, Want)];

/// Reads `bytes` as JSON, keeping what `want` names. Syntax is checked over the whole input,
/// skipped parts included, exactly as [`serde_json::from_slice`] checks it.
pub(crate) fn from_slice(bytes: &[u8], want: &'static Want) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = want.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

impl<'de> DeserializeSeed<'de> for &'static Want {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self {
            Want::All => serde::Deserialize::deserialize(deserializer),
            Want::Fields(wanted) => deserializer.deserialize_any(Pruned(wanted)),
        }
    }
}

/// A member name, looked up among the wanted ones as it is read. It is read as bytes and
/// compared as bytes: a name no reader asks for is skipped like any skipped text, neither
/// decoded nor copied, and a wanted one is kept under the reader's own spelling.
struct Key(Wanted);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<&'static (&'static str, Want)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Option<&'static (&'static str, Want)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_bytes<E>(self, name: &[u8]) -> Result<Self::Value, E> {
        Ok(self.0.iter().find(|(wanted, _)| wanted.as_bytes() == name))
    }
}

struct Pruned(Wanted);

impl<'de> Visitor<'de> for Pruned {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            match key {
                Some((name, want)) => {
                    kept.insert((*name).to_owned(), map.next_value_seed(want)?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut kept = Vec::new();
        loop {
            let index = kept.len();
            let element = match self.0.iter().find(|(n, _)| n.parse() == Ok(index)) {
                Some((_, want)) => seq.next_element_seed(want)?,
                None => seq.next_element::<IgnoredAny>()?.map(|_| Value::Null),
            };
            match element {
                Some(value) => kept.push(value),
                None => break,
            }
        }
        // Trailing placeholders carry nothing a reader could ask for.
        while kept.last() == Some(&Value::Null) {
            kept.pop();
        }
        Ok(Value::Array(kept))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static WANT: Want = Want::Fields(&[
        ("a", Want::Fields(&[("b", Want::All)])),
        ("list", Want::Fields(&[("1", Want::Fields(&[("x", Want::All)]))])),
        ("whole", Want::All),
    ]);

    #[test]
    fn keeps_what_is_wanted_and_nothing_else() {
        let json = br#"{"a":{"b":{"deep":[1,2]},"c":3},"list":[{"x":1},{"x":2,"y":3},{"x":4}],
                        "whole":{"k":[true,null]},"skipped":{"n":"\u00e9"},"s":"t"}"#;
        let value = from_slice(json, &WANT).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"a":{"b":{"deep":[1,2]}},"list":[null,{"x":2}],"whole":{"k":[true,null]}})
        );
    }

    #[test]
    fn scalars_where_containers_were_wanted_are_kept() {
        let value = from_slice(br#"{"a":null,"list":"x"}"#, &WANT).unwrap();
        assert_eq!(value, serde_json::json!({"a":null,"list":"x"}));
        assert_eq!(from_slice(b"[1]", &WANT).unwrap(), serde_json::json!([]));
        assert_eq!(from_slice(b"7", &WANT).unwrap(), serde_json::json!(7));
    }

    #[test]
    fn member_names_are_matched_after_their_escapes() {
        let json = br#"{"\u0061":{"\u0062":1,"c":2},"wh\u006fle":[3],"\u00e9":4}"#;
        let value = from_slice(json, &WANT).unwrap();
        assert_eq!(value, serde_json::json!({"a":{"b":1},"whole":[3]}));
    }

    #[test]
    fn syntax_is_checked_in_skipped_parts_too() {
        for bad in [&br#"{"skipped":[1,}"#[..], br#"{"a":{}} x"#, br#"{"skipped":"\x"}"#, b""] {
            assert!(from_slice(bad, &WANT).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
