//! Finding a key given twice in one JSON object, anywhere in a document, by walking it once
//! with serde (no tree is built).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The path of the first key repeated within one object (`phones[1].kind`), if any. A document
/// that is not JSON has none: its parse reports that.
pub fn first_repeated_key(bytes: &[u8]) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut found = None;
    let _ = Walk {
        path: String::new(),
        found: &mut found,
    }
    .deserialize(&mut de);
    found
}

struct Walk<'a> {
    path: String,
    found: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if self.found.is_none() && !seen.insert(key) {
                *self.found = Some(path.clone());
            }
            if self.found.is_some() {
                map.next_value::<IgnoredAny>()?;
            } else {
                map.next_value_seed(Walk {
                    path,
                    found: &mut *self.found,
                })?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            let path = format!("{}[{i}]", self.path);
            let next = if self.found.is_some() {
                seq.next_element::<IgnoredAny>()?.map(|_| ())
            } else {
                seq.next_element_seed(Walk {
                    path,
                    found: &mut *self.found,
                })?
            };
            if next.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn repeated_keys_are_found_with_their_path() {
        assert_eq!(
            first_repeated_key(br#"{"a":1,"a":2}"#).as_deref(),
            Some("a")
        );
        assert_eq!(
            first_repeated_key(br#"{"phones":[{"kind":"work"},{"kind":"x","kind":"y"}]}"#)
                .as_deref(),
            Some("phones[1].kind")
        );
        assert_eq!(first_repeated_key(br#"{"a":{"b":1},"c":{"b":2}}"#), None);
        assert_eq!(first_repeated_key(br#"[1,{"x":null}]"#), None);
        assert_eq!(first_repeated_key(b"not json"), None);
    }

    proptest! {
        /// Whatever JSON serde_json itself writes (never a repeated key) passes.
        #[test]
        fn what_serde_json_writes_has_no_repeated_key(
            map in proptest::collection::btree_map("[a-z]{1,3}", any::<i32>(), 0..8)
        ) {
            let json = serde_json::to_vec(&serde_json::json!({"outer": map, "list": [map]})).unwrap();
            prop_assert_eq!(first_repeated_key(&json), None);
        }
    }
}
