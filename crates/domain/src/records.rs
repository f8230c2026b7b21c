//! The records the store keeps and the API returns.

use crate::ids::*;
use crate::scope::Scope;
use crate::values::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reseller {
    pub id: ResellerId,
    pub name: Label,
    pub contact_email: Option<Email>,
    /// Where its domains' calls leave and are served, unless a domain names its own.
    #[serde(default)]
    pub switch: SwitchRoutes,
    pub created_at: Timestamp,
}

/// Where a switch sends what it cannot ring itself: outside numbers to a carrier's gateway;
/// voicemail, auto attendants and conferences to a media server. Empty: inherited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchRoutes {
    #[serde(default)]
    pub gateway: Option<GatewayUri>,
    #[serde(default)]
    pub media_server: Option<MediaServerUri>,
}

impl SwitchRoutes {
    /// These routes, with what they leave empty taken from `fallback`.
    pub fn or(self, fallback: &SwitchRoutes) -> SwitchRoutes {
        SwitchRoutes {
            gateway: self.gateway.or_else(|| fallback.gateway.clone()),
            media_server: self.media_server.or_else(|| fallback.media_server.clone()),
        }
    }
    pub fn is_complete(&self) -> bool {
        self.gateway.is_some() && self.media_server.is_some()
    }
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
    /// The domain's managers (Office Managers, Site Managers, Call Center Supervisors) must log
    /// in with a second factor; set by the reseller.
    #[serde(default)]
    pub two_factor_for_managers: bool,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Domain {
    pub id: DomainId,
    pub reseller_id: ResellerId,
    pub name: DomainName,
    pub description: Label,
    pub timezone: TimeZoneName,
    pub policy: DomainPolicy,
    /// Where this domain's calls leave and are served; what it leaves empty comes from its
    /// reseller, then from the installation's `switch_gateway` / `switch_media_server`.
    #[serde(default)]
    pub switch: SwitchRoutes,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Site {
    pub id: SiteId,
    pub domain_id: DomainId,
    pub name: Label,
    /// Postal address or description of the location.
    pub address: Option<String>,
    pub timezone: Option<TimeZoneName>,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// A voicemail PIN is set (the PIN itself is kept only as a hash, never shown).
    #[serde(default)]
    pub voicemail_pin_set: bool,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
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

/// How a call queue offers a call to its agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RingStrategy {
    /// Every available agent at once.
    RingAll,
    /// The next agent after the one who took the last call.
    RoundRobin,
    /// The agent idle the longest.
    LongestIdle,
    /// Agents in priority order, always from the top.
    Linear,
}

impl RingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            RingStrategy::RingAll => "ring_all",
            RingStrategy::RoundRobin => "round_robin",
            RingStrategy::LongestIdle => "longest_idle",
            RingStrategy::Linear => "linear",
        }
    }
    pub fn parse(s: &str) -> Option<RingStrategy> {
        [
            RingStrategy::RingAll,
            RingStrategy::RoundRobin,
            RingStrategy::LongestIdle,
            RingStrategy::Linear,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Where a call goes when the queue is full or the caller waited the maximum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum Overflow {
    HangUp,
    /// A user of the domain, by extension.
    User(Extension),
    /// Another call queue of the domain, by extension.
    Queue(Extension),
    /// A user's voicemail box, by extension.
    Voicemail(Extension),
    /// An outside number.
    External(E164),
}

impl Overflow {
    pub fn kind(&self) -> &'static str {
        match self {
            Overflow::HangUp => "hang_up",
            Overflow::User(_) => "user",
            Overflow::Queue(_) => "queue",
            Overflow::Voicemail(_) => "voicemail",
            Overflow::External(_) => "external",
        }
    }
    pub fn target(&self) -> Option<&str> {
        match self {
            Overflow::HangUp => None,
            Overflow::User(e) | Overflow::Queue(e) | Overflow::Voicemail(e) => Some(e.as_str()),
            Overflow::External(n) => Some(n.as_str()),
        }
    }
    pub fn from_parts(kind: &str, target: Option<&str>) -> Result<Overflow, InvalidValue> {
        let target =
            || target.ok_or_else(|| InvalidValue(format!("overflow to {kind} needs a target")));
        Ok(match kind {
            "hang_up" => Overflow::HangUp,
            "user" => Overflow::User(Extension::parse(target()?)?),
            "queue" => Overflow::Queue(Extension::parse(target()?)?),
            "voicemail" => Overflow::Voicemail(Extension::parse(target()?)?),
            "external" => Overflow::External(E164::parse(target()?)?),
            other => return Err(InvalidValue(format!("unknown overflow kind {other}"))),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallQueue {
    pub id: QueueId,
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    pub extension: Extension,
    pub name: Label,
    pub ring_strategy: RingStrategy,
    /// The longest a caller waits before the overflow, in seconds.
    pub max_wait_seconds: u32,
    /// How many callers may wait at once before the overflow.
    pub max_callers: u32,
    /// Seconds an agent gets after a call before the next one.
    pub wrap_up_seconds: u32,
    pub overflow: Overflow,
    /// The domain's hold music played to waiting callers (absent: the system default).
    pub music_on_hold_id: Option<crate::ids::Id<crate::settings::MusicOnHold>>,
    pub created_at: Timestamp,
}

/// An agent's availability across its queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Available,
    Unavailable,
    OnBreak,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Available => "available",
            AgentStatus::Unavailable => "unavailable",
            AgentStatus::OnBreak => "on_break",
        }
    }
    pub fn parse(s: &str) -> Option<AgentStatus> {
        [
            AgentStatus::Available,
            AgentStatus::Unavailable,
            AgentStatus::OnBreak,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// A user's membership in a call queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueueAgent {
    pub queue_id: QueueId,
    pub queue_extension: Extension,
    pub user_id: UserId,
    pub extension: Extension,
    pub first_name: Label,
    pub last_name: Label,
    /// Lower rings first (for the linear strategy, and tiers).
    pub priority: u32,
    /// Overrides the queue's wrap-up time for this agent.
    pub wrap_up_seconds: Option<u32>,
    /// Logged in to this queue.
    pub logged_in: bool,
    pub status: AgentStatus,
    pub status_reason: Option<String>,
}

/// An agent's availability and its queues.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Availability {
    pub user_id: UserId,
    pub status: AgentStatus,
    /// Why, when on break (e.g. "lunch").
    pub reason: Option<String>,
    pub changed_at: Option<Timestamp>,
    pub queues: Vec<QueueAgent>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
    Internal,
}

impl Direction {
    pub const ALL: [Direction; 3] = [Direction::Inbound, Direction::Outbound, Direction::Internal];
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Internal => "internal",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Answered,
    /// Rang, nobody answered, the caller did not hang up first.
    Missed,
    /// The caller hung up while waiting (in a queue or ringing).
    Abandoned,
    Voicemail,
    Busy,
    Failed,
}

impl Disposition {
    pub const ALL: [Disposition; 6] = [
        Disposition::Answered,
        Disposition::Missed,
        Disposition::Abandoned,
        Disposition::Voicemail,
        Disposition::Busy,
        Disposition::Failed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Answered => "answered",
            Disposition::Missed => "missed",
            Disposition::Abandoned => "abandoned",
            Disposition::Voicemail => "voicemail",
            Disposition::Busy => "busy",
            Disposition::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Disposition> {
        Disposition::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One call record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallRecord {
    pub id: CallId,
    /// The switch's own id of the call (unique in the domain).
    pub call_id: String,
    pub domain_id: DomainId,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub queue_id: Option<QueueId>,
    /// The agent who answered a queue call.
    pub agent_user_id: Option<UserId>,
    /// The agent who answered, as the switch named it, when no user here has that extension
    /// (a queue member that is not a user).
    #[serde(default)]
    pub agent_name: Option<String>,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Timestamp,
    /// Seconds until answered (or until the end, when not answered).
    pub wait_seconds: u32,
    pub talk_seconds: u32,
    pub disposition: Disposition,
    /// Users the call touched.
    pub user_ids: Vec<UserId>,
    /// Sites of the users and queues the call touched.
    pub site_ids: Vec<SiteId>,
}

/// What an ingestion of call records did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IngestSummary {
    pub inserted: u64,
    /// Calls whose call id the domain already had, with nothing to add: skipped, so a batch can
    /// be sent again.
    pub duplicates: u64,
    /// Calls whose call id the domain already had, from another source that added to them (a
    /// queue_log's agent to a Master.csv record, say): merged into the stored call.
    #[serde(default)]
    pub merged: u64,
}
