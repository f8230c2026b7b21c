//! A submitted form, read into the API's own types: each value is parsed once, here, by the same
//! parser the API uses, and a value that does not parse is a failure naming its field.

use crate::client::Failure;
use serde::de::DeserializeOwned;
use serde::de::value::{Error as ValueError, StrDeserializer};

pub type R<T> = Result<T, Failure>;

pub struct Form<'a>(pub &'a [(String, String)]);

impl<'a> Form<'a> {
    /// The trimmed text of a field ("" when absent).
    pub fn text(&self, key: &str) -> &'a str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The text of a field, or nothing when it was left empty.
    pub fn opt(&self, key: &str) -> Option<String> {
        Some(self.text(key))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Was this field sent at all (a form that shows it)?
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, key: &str) -> Vec<&'a str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A checkbox or a hidden true/false.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.text(key), "on" | "true")
    }

    /// A value of one of the API's types (an extension, a label, a time, an enum's name), or
    /// nothing when the field was left empty.
    pub fn value<T: DeserializeOwned>(&self, key: &str) -> R<Option<T>> {
        match self.text(key) {
            "" => Ok(None),
            raw => T::deserialize(StrDeserializer::<ValueError>::new(raw))
                .map(Some)
                .map_err(|e| Failure::unparsed(key, e.to_string())),
        }
    }

    /// A value that must be there.
    pub fn required<T: DeserializeOwned>(&self, key: &str, label: &str) -> R<T> {
        self.value(key)?.ok_or_else(|| {
            Failure::invalid(
                key,
                crate::i18n::tf("field-required", &[("field", crate::i18n::arg(label))]),
            )
        })
    }

    /// A whole number, or nothing when the field was left empty.
    pub fn number<N: std::str::FromStr>(&self, key: &str, label: &str) -> R<Option<N>> {
        match self.text(key) {
            "" => Ok(None),
            raw => raw.parse().map(Some).map_err(|_| {
                Failure::invalid(
                    key,
                    crate::i18n::tf("field-whole-number", &[("field", crate::i18n::arg(label))]),
                )
            }),
        }
    }
}

/// One of the API's `{"kind": …, "target": …}` values (a number's route, an attendant's key)
/// from a kind and a target typed into a form; a wrong target is told at `field`.
pub fn tagged<T: DeserializeOwned>(kind: &str, target: &str, field: &str) -> R<T> {
    let mut pairs = vec![("kind", kind)];
    if !target.is_empty() {
        pairs.push(("target", target));
    }
    let map = serde::de::value::MapDeserializer::<_, ValueError>::new(pairs.into_iter());
    T::deserialize(map).map_err(|e| Failure::unparsed(field, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::{Extension, RingStrategy, Weekday};

    #[test]
    fn values_parse_with_the_api_parsers_and_name_their_field() {
        let pairs = vec![
            ("ext".to_owned(), " 105 ".to_owned()),
            ("bad".to_owned(), "1x".to_owned()),
            ("ring".to_owned(), "round_robin".to_owned()),
            ("day".to_owned(), "monday".to_owned()),
            ("n".to_owned(), "twelve".to_owned()),
        ];
        let form = Form(&pairs);
        assert_eq!(
            form.value::<Extension>("ext").unwrap().unwrap().as_str(),
            "105"
        );
        assert_eq!(
            form.value::<RingStrategy>("ring").unwrap(),
            Some(RingStrategy::RoundRobin)
        );
        assert_eq!(form.value::<Weekday>("day").unwrap(), Some(Weekday::Monday));
        assert_eq!(form.value::<Extension>("missing").unwrap(), None);
        let e = form.value::<Extension>("bad").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("bad"));
        assert!(e.message.contains("digits"), "{}", e.message);
        let e = form
            .required::<Extension>("missing", "Extension")
            .unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("missing"), "Extension is required")
        );
        assert!(form.number::<u32>("n", "Count").is_err());
    }

    #[test]
    fn tagged_values_read_kind_and_target() {
        use switchboard_domain::Route;
        let to_user: Route = tagged("user", "105", "target").unwrap();
        assert_eq!(to_user, Route::User(Extension::parse("105").unwrap()));
        assert_eq!(tagged::<Route>("none", "", "target").unwrap(), Route::None);
        let e = tagged::<Route>("user", "+1 not", "target").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("target"));
        assert!(tagged::<Route>("nowhere", "105", "kind").is_err());
    }
}
