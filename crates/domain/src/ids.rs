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
    /// One phone-system setting (a device, number, time frame, rule, contact, message, …); each
    /// kind has its own table, so an id is only meaningful with its kind.
    SettingId,
);
