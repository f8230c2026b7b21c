//! One type per id, so a `SiteId` can never be passed where a `UserId` is meant.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

id_type!(
    /// A reseller (voice provider) hosting domains.
    ResellerId,
    /// A customer organisation.
    DomainId,
    /// A branch location inside a domain.
    SiteId,
    /// A person or phone line.
    UserId,
    /// A call queue (its settings arrive with the call-center issue; supervisors reference it now).
    QueueId,
    /// An API key.
    ApiKeyId,
    /// A login session (access + refresh token pair).
    SessionId,
    /// One audit log entry.
    AuditId,
    /// One call record (the database's key; `CallRecord::call_id` is the switch's).
    CallId,
);

/// The id of one kind of phone-system setting (a device, number, time frame, rule, …): each
/// kind has its own table, so `Id<TimeFrame>` can never be passed where `Id<MusicOnHold>` is
/// meant. On the wire it is a plain integer.
pub struct Id<T> {
    raw: i64,
    kind: std::marker::PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    pub const fn new(raw: i64) -> Id<T> {
        Id {
            raw,
            kind: std::marker::PhantomData,
        }
    }
    pub fn get(self) -> i64 {
        self.raw
    }
}

// Written out rather than derived: a derive would ask `T` for the same traits.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw)
    }
}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}
impl<T> std::fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Id({})", self.raw)
    }
}
impl<T> std::fmt::Display for Id<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.raw.fmt(f)
    }
}
impl<T> std::str::FromStr for Id<T> {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Id::new)
    }
}
impl<T> Serialize for Id<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.raw)
    }
}
impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Id::new)
    }
}
impl<T> JsonSchema for Id<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SettingId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "integer", "format": "int64"})
    }
}
