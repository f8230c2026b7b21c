//! Validated values. Each is built once, at the edge, through `parse`; the rest of the code can
//! rely on it being well formed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a value was refused. The edge attaches the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

fn invalid<T>(reason: impl Into<String>) -> Result<T, InvalidValue> {
    Err(InvalidValue(reason.into()))
}

macro_rules! string_value {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(|e| serde::de::Error::custom(e.0))
            }
        }
    };
}

pub(crate) use string_value;

string_value!(
    /// A dialable extension: 2 to 10 digits, not starting with 0 (0 reaches the operator).
    Extension
);
impl Extension {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if !(2..=10).contains(&s.len()) {
            return invalid("an extension has 2 to 10 digits");
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("an extension has digits only");
        }
        if s.starts_with('0') {
            return invalid("an extension does not start with 0");
        }
        Ok(Extension(s.to_owned()))
    }
}

string_value!(
    /// A domain's name, as used in logins (`101@acme.example`): lowercase DNS labels.
    DomainName
);
impl DomainName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_lowercase();
        if s.is_empty() || s.len() > 253 {
            return invalid("a domain name has 1 to 253 characters");
        }
        if !s.contains('.') {
            return invalid("a domain name has at least two parts, like acme.example");
        }
        for label in s.split('.') {
            if label.is_empty() || label.len() > 63 {
                return invalid("each dot-separated part of a domain name has 1 to 63 characters");
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return invalid("a domain name has only letters, digits, '-' and '.'");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return invalid("a part of a domain name does not start or end with '-'");
            }
        }
        Ok(DomainName(s))
    }
}

string_value!(
    /// An email address: one '@', a local part, and a domain with a dot.
    Email
);
impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.len() > 254 {
            return invalid("an email address has at most 254 characters");
        }
        let Some((local, host)) = s.split_once('@') else {
            return invalid("an email address looks like name@example.com");
        };
        let host_ok = host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && !host.contains("..")
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@' || c == ',');
        if !host_ok || !local_ok {
            return invalid("an email address looks like name@example.com");
        }
        Ok(Email(s.to_owned()))
    }
}

string_value!(
    /// A human-readable name or label: 1 to 100 characters, no control characters.
    Label
);
impl Label {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let count = s.chars().count();
        if count == 0 {
            return invalid("must not be empty");
        }
        if count > 100 {
            return invalid("has at most 100 characters");
        }
        if s.chars().any(char::is_control) {
            return invalid("must not contain control characters");
        }
        Ok(Label(s.to_owned()))
    }
}

string_value!(
    /// An IANA time zone name, such as `America/New_York`.
    TimeZoneName
);
impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        match jiff::tz::TimeZone::get(s) {
            Ok(_) if !s.is_empty() => Ok(TimeZoneName(s.to_owned())),
            _ => invalid("an IANA time zone name such as America/New_York"),
        }
    }
}

string_value!(
    /// A phone number in E.164: `+`, then 8 to 15 digits, the first not 0.
    E164
);
impl E164 {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let Some(digits) = s.strip_prefix('+') else {
            return invalid(
                "an E.164 number starts with + and the country code, e.g. +15551234567",
            );
        };
        if !(8..=15).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return invalid("an E.164 number has 8 to 15 digits after the +, the first not 0");
        }
        Ok(E164(s))
    }
}

/// A SIP URI with a placeholder a switch fills per call: `sip:{number}@gw.example`.
fn sip_template(raw: &str, placeholder: &str) -> Result<String, InvalidValue> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 255 {
        return invalid("a SIP URI has 1 to 255 characters");
    }
    if !(s.starts_with("sip:") || s.starts_with("sips:")) {
        return invalid(format!(
            "a SIP URI starts with sip: or sips:, e.g. sip:{placeholder}@gw.example"
        ));
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '|'))
    {
        return invalid("a SIP URI has no spaces, control characters, quotes, <, > or |");
    }
    if !s.contains(placeholder) || !s.contains('@') {
        return invalid(format!(
            "the URI must say where {placeholder} goes, e.g. sip:{placeholder}@gw.example"
        ));
    }
    Ok(s.to_owned())
}

string_value!(
    /// Where outside calls leave: a carrier's SIP URI with `{number}` where the dialled number
    /// goes, e.g. `sip:{number}@gw.example:5060`.
    GatewayUri
);
impl GatewayUri {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        sip_template(raw, "{number}").map(GatewayUri)
    }
    pub fn fill(&self, number: &str) -> String {
        self.0.replace("{number}", number)
    }
}

string_value!(
    /// Where voicemail, auto attendants and conferences are served: a SIP URI with `{service}`
    /// (`voicemail-105`, `attendant-700`, `conference-800`), e.g. `sip:{service}@media.example`.
    MediaServerUri
);
impl MediaServerUri {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        sip_template(raw, "{service}").map(MediaServerUri)
    }
    pub fn fill(&self, service: &str) -> String {
        self.0.replace("{service}", service)
    }
}

/// A password as typed: 10 to 256 characters. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);
impl Password {
    pub const MIN: usize = 10;
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let count = raw.chars().count();
        if count < Self::MIN {
            return invalid(format!("a password has at least {} characters", Self::MIN));
        }
        if count > 256 {
            return invalid("a password has at most 256 characters");
        }
        Ok(Password(raw.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A voicemail PIN as typed: 4 to 10 digits, not one digit repeated. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct VoicemailPin(String);
impl VoicemailPin {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        if !(4..=10).contains(&raw.len()) || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("a voicemail PIN has 4 to 10 digits");
        }
        if raw.bytes().all(|b| Some(&b) == raw.as_bytes().first()) {
            return invalid(
                "a voicemail PIN is not one digit repeated: choose one harder to guess",
            );
        }
        Ok(VoicemailPin(raw.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl std::fmt::Debug for VoicemailPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoicemailPin(***)")
    }
}

/// A login name, `extension@domain`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub extension: Extension,
    pub domain: DomainName,
}
impl Login {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let Some((ext, dom)) = raw.trim().rsplit_once('@') else {
            return invalid("a login looks like extension@domain, e.g. 101@acme.example");
        };
        Ok(Login {
            extension: Extension::parse(ext)?,
            domain: DomainName::parse(dom)?,
        })
    }
}
impl std::fmt::Display for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.extension, self.domain)
    }
}

/// Seconds since the Unix epoch; serialized as RFC 3339 in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);
impl Timestamp {
    pub fn now() -> Self {
        Timestamp(jiff::Timestamp::now().as_second())
    }
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds))
    }
    pub fn to_rfc3339(self) -> String {
        jiff::Timestamp::from_second(self.0)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }
    pub fn parse_rfc3339(raw: &str) -> Result<Self, InvalidValue> {
        raw.parse::<jiff::Timestamp>()
            .map(|t| Timestamp(t.as_second()))
            .map_err(|_| InvalidValue("an RFC 3339 time such as 2026-01-31T09:00:00Z".into()))
    }
}
impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Timestamp::parse_rfc3339(&raw).map_err(|e| serde::de::Error::custom(e.0))
    }
}
impl JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn extensions() {
        assert!(Extension::parse("101").is_ok());
        assert!(Extension::parse(" 2001 ").is_ok());
        for bad in ["", "1", "01", "12a", "12345678901", "1 2"] {
            assert!(Extension::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(Email::parse("ann@acme.example").is_ok());
        for bad in [
            "",
            "ann",
            "ann@",
            "@acme.example",
            "ann@acme",
            "a b@acme.example",
            "ann@acme..example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains_are_lowercased() {
        assert_eq!(
            DomainName::parse("Acme.Example").unwrap().as_str(),
            "acme.example"
        );
        for bad in ["", "a..b", "-a.b", "a_b.c", "a b", "count", "localhost"] {
            assert!(DomainName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn e164_numbers() {
        assert_eq!(
            E164::parse("+1 (555) 123-4567").unwrap().as_str(),
            "+15551234567"
        );
        for bad in [
            "",
            "5551234567",
            "+0123456789",
            "+1234",
            "+1555abc4567",
            "+1234567890123456",
        ] {
            assert!(E164::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logins() {
        let login = Login::parse("101@acme.example").unwrap();
        assert_eq!(login.to_string(), "101@acme.example");
        assert!(Login::parse("101").is_err());
        assert!(Login::parse("abc@acme.example").is_err());
    }

    #[test]
    fn time_zones() {
        assert!(TimeZoneName::parse("Europe/Berlin").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn switch_addresses_say_where_the_call_goes() {
        let gw = GatewayUri::parse(" sip:{number}@gw.example:5060 ").unwrap();
        assert_eq!(gw.fill("+15551234567"), "sip:+15551234567@gw.example:5060");
        let media = MediaServerUri::parse("sips:{service}@media.example").unwrap();
        assert_eq!(
            media.fill("voicemail-105"),
            "sips:voicemail-105@media.example"
        );
        for bad in [
            "",
            "gw.example",
            "sip:gw.example",
            "sip:{service}@media.example",
            "http://{number}@gw.example",
            "sip:{number}@gw example",
            "sip:{number}@gw.example|evil",
            "sip:{number}@gw.example>",
        ] {
            assert!(GatewayUri::parse(bad).is_err(), "{bad}");
        }
        assert!(MediaServerUri::parse("sip:{number}@gw.example").is_err());
    }

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp(1_700_000_000);
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()).unwrap(), t);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,80}") {
            let _ = Extension::parse(&s);
            let _ = Email::parse(&s);
            let _ = DomainName::parse(&s);
            let _ = Label::parse(&s);
            let _ = GatewayUri::parse(&s);
            let _ = MediaServerUri::parse(&s);
            let _ = Login::parse(&s);
            let _ = TimeZoneName::parse(&s);
            let _ = Timestamp::parse_rfc3339(&s);
            let _ = E164::parse(&s);
        }

        #[test]
        fn valid_extensions_are_digits(n in 10u64..9_999_999_999) {
            let ext = Extension::parse(&n.to_string()).unwrap();
            prop_assert!(ext.as_str().bytes().all(|b| b.is_ascii_digit()));
        }

        #[test]
        fn parsed_emails_reparse(local in "[a-z0-9._]{1,20}", host in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
            let raw = format!("{local}@{host}");
            let email = Email::parse(&raw).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }
    }
}
