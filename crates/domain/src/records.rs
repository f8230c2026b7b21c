//! The records the store keeps and the API returns.

use crate::ids::*;
use crate::scope::Scope;
use crate::values::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Reseller {
    pub id: ResellerId,
    pub name: Label,
    pub contact_email: Option<Email>,
    pub created_at: Timestamp,
}

/// Per-domain limits; `None` means unlimited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_users: Option<u32>,
    pub max_sites: Option<u32>,
    pub max_call_queues: Option<u32>,
    pub max_auto_attendants: Option<u32>,
    pub max_conferences: Option<u32>,
}

/// What the reseller allows a domain's Office Managers to do, and how big the domain may grow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainPolicy {
    /// With this off (the default) an Office Manager edits users but cannot create or delete them.
    #[serde(default)]
    pub office_managers_manage_users: bool,
    #[serde(default)]
    pub limits: Limits,
}

/// Which limit a create would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    MaxUsers,
    MaxSites,
    MaxCallQueues,
    MaxAutoAttendants,
    MaxConferences,
}
impl LimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::MaxUsers => "max_users",
            LimitKind::MaxSites => "max_sites",
            LimitKind::MaxCallQueues => "max_call_queues",
            LimitKind::MaxAutoAttendants => "max_auto_attendants",
            LimitKind::MaxConferences => "max_conferences",
        }
    }
    pub fn of(self, limits: &Limits) -> Option<u32> {
        match self {
            LimitKind::MaxUsers => limits.max_users,
            LimitKind::MaxSites => limits.max_sites,
            LimitKind::MaxCallQueues => limits.max_call_queues,
            LimitKind::MaxAutoAttendants => limits.max_auto_attendants,
            LimitKind::MaxConferences => limits.max_conferences,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Domain {
    pub id: DomainId,
    pub reseller_id: ResellerId,
    pub name: DomainName,
    pub description: Label,
    pub timezone: TimeZoneName,
    pub policy: DomainPolicy,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Site {
    pub id: SiteId,
    pub domain_id: DomainId,
    pub name: Label,
    /// Postal address or description of the location.
    pub address: Option<String>,
    pub timezone: Option<TimeZoneName>,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct User {
    pub id: UserId,
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    pub extension: Extension,
    pub first_name: Label,
    pub last_name: Label,
    pub email: Option<Email>,
    pub scope: Scope,
    pub language: Option<String>,
    pub timezone: Option<TimeZoneName>,
    /// The number shown to people this user calls.
    pub caller_id: Option<String>,
    pub created_at: Timestamp,
}

/// The "Call Center" tab of a supervisor's user settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupervisorSettings {
    /// The call queues this supervisor manages.
    pub queue_ids: Vec<QueueId>,
    /// Whether it may change those queues' settings (otherwise it reads them).
    pub may_edit_queue_settings: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub user_id: UserId,
    pub domain_id: DomainId,
    pub name: Label,
    pub scope: Scope,
    pub read_only: bool,
    /// The first characters of the key, to recognise it in lists.
    pub prefix: String,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    /// Set while an administrator acts as this session's user.
    pub impersonator_id: Option<UserId>,
    pub created_at: Timestamp,
    pub access_expires_at: Timestamp,
    pub refresh_expires_at: Timestamp,
    pub client_addr: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: Timestamp,
    /// Who acted: the logged-in user (the impersonator while impersonating).
    pub actor_id: Option<UserId>,
    pub actor_login: String,
    /// The user on whose behalf, while impersonating.
    pub on_behalf_of_id: Option<UserId>,
    pub on_behalf_of_login: Option<String>,
    pub reseller_id: Option<ResellerId>,
    pub domain_id: Option<DomainId>,
    pub site_id: Option<SiteId>,
    /// e.g. `user.create`.
    pub action: String,
    pub object: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub client_addr: Option<String>,
}
