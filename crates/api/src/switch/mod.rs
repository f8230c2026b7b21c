//! What a switch asks Switchboard: who may register and call, where a call goes, what a
//! finished call was (DESIGN §9). `plan` decides in a switch-neutral model; one module per
//! switch speaks its wire format.
//!
//! These endpoints answer only a switch: HTTP basic authentication with the configured shared
//! secret (`switch_secret`; without one they answer 404), from an address in
//! `switch_clients` (loopback by default). A user's token is never accepted.

pub mod asterisk;
pub mod freeswitch;
pub mod kamailio;
pub mod link;
pub mod lookup;
pub mod plan;
pub mod resolved;
pub mod voicemail;
pub mod waiting;

use crate::AppState;
use crate::error::ApiError;
use crate::error::ApiResult;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use base64::Engine;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use switchboard_domain::{Domain, DomainName, Extension, SwitchRoutes, Timestamp, UserId};
use switchboard_policy::{Resource, operator_visibility};

/// How Switchboard meets a switch.
#[derive(Clone, Debug)]
pub struct SwitchConfig {
    /// The shared secret a switch authenticates with (HTTP basic, any user name). Without it the
    /// switch endpoints answer 404.
    pub secret: Option<String>,
    /// Addresses a switch may call from.
    pub clients: Vec<IpAddr>,
    /// The installation's gateway and media server, for domains and resellers that name none.
    pub routes: SwitchRoutes,
    /// FreeSWITCH's event socket, when Switchboard drives a FreeSWITCH's `mod_callcenter`.
    pub freeswitch_event_socket: Option<freeswitch::esl::EslConfig>,
    /// Asterisk's manager interface, when Switchboard drives an Asterisk's queues.
    pub asterisk_manager: Option<asterisk::ami::AmiConfig>,
}

impl Default for SwitchConfig {
    fn default() -> SwitchConfig {
        SwitchConfig {
            secret: None,
            clients: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
            ],
            routes: SwitchRoutes::default(),
            freeswitch_event_socket: None,
            asterisk_manager: None,
        }
    }
}

/// What this process keeps for the switch: the clock tests set, and a copy of the plans it gave
/// lately. Everything a call needs between its questions (its plan, a queue's turn, agents'
/// idle time) is in the database, so any instance answers a switch alike
/// (`switchboard_store::switch`); the copy spares the routing answer a database write.
#[derive(Default)]
pub struct SwitchState {
    clock: Mutex<Option<Timestamp>>,
    /// How long a FreeSWITCH lookup may take (tests shorten it).
    lookup_deadline: Mutex<Option<Duration>>,
    recent: Mutex<HashMap<String, (Instant, resolved::Resolved)>>,
    /// Plans on their way to the database (see `write_behind`).
    to_keep: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<(String, String)>>,
    /// Changes the connected switches hear of at once (see `SwitchChange`).
    changes: std::sync::OnceLock<tokio::sync::broadcast::Sender<SwitchChange>>,
}

/// A change made in Switchboard that a switch holding its own copy (FreeSWITCH's
/// `mod_callcenter`, Asterisk's queues) must hear of at once. Each names what changed; the
/// connector sends that thing's whole present state, read again from the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SwitchChange {
    /// An agent's availability, or its queue memberships and log-ins.
    Agent(UserId),
    /// A queue was created or changed, or (`removed`) is gone.
    Queue {
        domain: DomainName,
        extension: Extension,
        removed: bool,
    },
    /// A caller began or stopped waiting in a queue (for the live views; the switches, which
    /// said so, need not hear it).
    QueueCallers,
}

/// A switch's plain-text answer (an HA1, a route, realtime rows).
pub fn plain_text(status: StatusCode, body: impl Into<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// One file of a switch's configuration, as `switchboard <switch> config` prints it: its path
/// under the switch's configuration folder, and its text.
pub struct ConfigFile {
    pub path: &'static str,
    pub text: String,
}

/// Where a switch's control socket listens (`host:port`, `[v6]:port`), for its configuration:
/// the host without brackets, the port (`default_port` when none is given), and whether the
/// host is loopback (only Switchboard on the same machine may connect; elsewhere the installer
/// names Switchboard's address in an ACL of their own).
pub fn listen_address<'a>(address: &'a str, default_port: &'a str) -> (&'a str, &'a str, bool) {
    let (host, port) = address.rsplit_once(':').unwrap_or((address, default_port));
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (host, port, loopback)
}

/// How many changes wait for a slow connector before it starts over from the database.
const CHANGES_WAITING: usize = 1024;

/// How long plans gather before they are written together.
const BATCH: Duration = Duration::from_millis(25);

/// How long this instance keeps its own copy of a plan (the database keeps it until the call's
/// record comes).
const RECENT_PLAN: Duration = Duration::from_secs(600);

impl SwitchState {
    /// The instant calls are decided at: now, unless a test set the clock.
    pub fn now(&self) -> Timestamp {
        self.clock
            .lock()
            .map(|c| c.unwrap_or_else(Timestamp::now))
            .unwrap_or_else(|_| Timestamp::now())
    }

    fn remember(&self, call_id: &str, plan: &resolved::Resolved) {
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() > 10_000 {
                recent.retain(|_, (at, _)| at.elapsed() < RECENT_PLAN);
            }
            recent.insert(call_id.to_owned(), (Instant::now(), plan.clone()));
        }
    }

    /// Send a plan (as JSON) to the database, with the others of the next few milliseconds, by
    /// one writer task (started with the first plan; it ends with this state).
    fn write_behind(&self, store: &switchboard_store::Store, call_id: String, plan: String) {
        let sender = self.to_keep.get_or_init(|| {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
            let store = store.clone();
            tokio::spawn(async move {
                let permit = switch_permit();
                while let Some(first) = rx.recv().await {
                    tokio::time::sleep(BATCH).await;
                    let mut batch = vec![first];
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                    if let Err(e) = store.keep_switch_plans(&permit, &batch).await {
                        tracing::warn!(
                            "{} call plans were not kept in the database: {e}",
                            batch.len()
                        );
                    }
                }
            });
            tx
        });
        let _ = sender.send((call_id, plan));
    }

    fn recall(&self, call_id: &str) -> Option<resolved::Resolved> {
        let recent = self.recent.lock().ok()?;
        recent.get(call_id).map(|(_, plan)| plan.clone())
    }

    fn forget(&self, call_id: &str) -> Option<resolved::Resolved> {
        let mut recent = self.recent.lock().ok()?;
        recent.remove(call_id).map(|(_, plan)| plan)
    }

    fn change_feed(&self) -> &tokio::sync::broadcast::Sender<SwitchChange> {
        self.changes
            .get_or_init(|| tokio::sync::broadcast::channel(CHANGES_WAITING).0)
    }

    /// Tell the connected switches (nobody listening is fine: no switch is connected).
    pub fn changed(&self, change: SwitchChange) {
        let _ = self.change_feed().send(change);
    }

    /// The changes from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<SwitchChange> {
        self.change_feed().subscribe()
    }

    /// How long a FreeSWITCH lookup may take before it answers "not found".
    pub fn lookup_deadline(&self) -> Duration {
        self.lookup_deadline
            .lock()
            .ok()
            .and_then(|d| *d)
            .unwrap_or(freeswitch::LOOKUP_DEADLINE)
    }

    /// Shorten (or restore, `None`) the lookups' deadline.
    pub fn set_lookup_deadline(&self, deadline: Option<Duration>) {
        if let Ok(mut d) = self.lookup_deadline.lock() {
            *d = deadline;
        }
    }

    /// Decide calls as if it were `at` (tests of time frames); `None` goes back to the real clock.
    pub fn set_clock(&self, at: Option<Timestamp>) {
        if let Ok(mut clock) = self.clock.lock() {
            *clock = at;
        }
    }
}

/// Where a domain's calls leave and are served: its own addresses, else its reseller's, else
/// the installation's.
pub async fn routes_of(state: &AppState, domain: &Domain) -> ApiResult<SwitchRoutes> {
    let mut routes = domain.switch.clone();
    if !routes.is_complete() {
        let vis = operator_visibility(Resource::Resellers);
        let reseller = state.store.get_reseller(&vis, domain.reseller_id).await?;
        routes = routes.or(&reseller.switch);
    }
    Ok(routes.or(&state.config.switch.routes))
}

/// What the switch's own bookkeeping writes under: calls in progress become call history
/// (their plans, a queue's turn), so the permit is the one that creates call history.
pub(crate) fn switch_permit() -> switchboard_policy::Permit {
    switchboard_policy::operator_permit(Resource::CallHistory, switchboard_policy::Action::Create)
}

/// A request that came from the configured switch.
pub struct FromSwitch;

impl FromRequestParts<AppState> for FromSwitch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let config = &state.config.switch;
        let Some(secret) = config.secret.as_deref() else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "switch_not_configured",
                "no switch is connected: set switch_secret (or SWITCHBOARD_SWITCH_SECRET) first",
            ));
        };
        let from = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        if !from.is_some_and(|ip| config.clients.contains(&ip)) {
            return Err(ApiError::forbidden(
                "not_a_switch_address",
                "switch endpoints answer only the addresses in switch_clients",
            ));
        }
        let sent = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| pair.split_once(':').map(|(_, p)| p.to_owned()));
        match sent {
            Some(p) if constant_eq(p.as_bytes(), secret.as_bytes()) => Ok(FromSwitch),
            _ => {
                let mut e = ApiError::unauthenticated(
                    "the switch's shared secret is missing or wrong (HTTP basic authentication)",
                );
                e.status = StatusCode::UNAUTHORIZED;
                Err(e)
            }
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn routes() -> Vec<crate::routes::Route> {
    let mut routes = kamailio::routes();
    routes.extend(freeswitch::routes());
    routes.extend(asterisk::routes());
    routes.extend(voicemail::routes());
    routes
}

/// A finished call as a switch reports it, in Switchboard's terms.
pub struct EndedCall {
    /// The switch's id of the call (Call-ID, channel uuid): a record sent twice is stored once.
    pub call_id: String,
    /// The caller is of the dialled domain (its From host).
    pub from_inside: bool,
    /// The caller's extension, when a login of the domain called.
    pub caller: Option<String>,
    /// The caller as the switch saw it (a SIP user, a number).
    pub from: String,
    /// What was dialled.
    pub to: String,
    /// Whom the plan was for.
    pub callee: plan::Callee,
    /// The extension of who answered.
    pub answerer: Option<String>,
    /// Unix seconds.
    pub started: i64,
    pub answered: Option<i64>,
    pub ended: i64,
    pub disposition: switchboard_domain::Disposition,
    /// Who wrote it, for the audit log (`switch:<name>`).
    pub switch: &'static str,
}

fn rfc3339(field: &str, seconds: i64) -> ApiResult<String> {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .map_err(|_| ApiError::invalid(field, format!("{field}: not a time")))
}

/// Store a finished call in its domain's history, as every switch's records become one.
pub async fn record_call(
    state: &AppState,
    domain: &Domain,
    dir: &switchboard_store::ExtensionDirectory,
    call: EndedCall,
) -> ApiResult<switchboard_domain::IngestSummary> {
    use switchboard_domain::{Direction, Extension};
    let callee = &call.callee;
    let direction = if !call.from_inside || call.caller.is_none() {
        Direction::Inbound
    } else if Extension::parse(&call.to).is_ok() || callee.user.is_some() || callee.queue.is_some()
    {
        Direction::Internal
    } else {
        Direction::Outbound
    };
    let mut users: Vec<String> = [
        call.caller.clone(),
        callee.user.as_ref().map(ToString::to_string),
        call.answerer.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    users.sort();
    users.dedup();
    let input = switchboard_records::CallInput {
        call_id: call.call_id.clone(),
        direction,
        from: call.caller.clone().unwrap_or(call.from),
        to: call.to,
        started_at: rfc3339("start", call.started)?,
        answered_at: call.answered.map(|t| rfc3339("answer", t)).transpose()?,
        ended_at: rfc3339("end", call.ended)?,
        disposition: call.disposition,
        users,
        queue: callee.queue.as_ref().map(ToString::to_string),
        agent: callee.queue.as_ref().and(call.answerer),
    };
    store_call(state, domain, dir, &input, call.switch).await
}

/// Store a call a switch reported, read into the neutral form.
pub async fn store_call(
    state: &AppState,
    domain: &Domain,
    dir: &switchboard_store::ExtensionDirectory,
    input: &switchboard_records::CallInput,
    switch: &str,
) -> ApiResult<switchboard_domain::IngestSummary> {
    let parsed = crate::api::calls::parse_call(0, input, dir)?;
    let ctx = switch_audit(switch);
    let summary = state
        .store
        .ingest_calls(
            &switch_permit(),
            &ctx,
            domain.reseller_id,
            domain.id,
            vec![parsed],
        )
        .await?;
    state
        .metrics
        .calls_ingested(summary.inserted, summary.duplicates);
    Ok(summary)
}

/// Start the connections Switchboard keeps to its switches (FreeSWITCH's event socket,
/// Asterisk's manager interface), those configured; they run until their handles are aborted.
pub fn start_connections(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut running = Vec::new();
    if let Some(esl) = &state.config.switch.freeswitch_event_socket {
        running.push(freeswitch::esl::spawn(state.clone(), esl.clone()));
    }
    if let Some(ami) = &state.config.switch.asterisk_manager {
        running.push(asterisk::ami::spawn(state.clone(), ami.clone()));
    }
    running
}

/// A switch reports an agent's (`extension@domain`) availability: it becomes Switchboard's,
/// audited as the switch's change, and sent on as any change is. One Switchboard has already
/// (the echo of what it sent) changes nothing; an agent Switchboard does not know is no error.
pub async fn agent_reported(
    state: &AppState,
    agent: &str,
    status: switchboard_domain::AgentStatus,
    switch: &str,
) -> ApiResult<()> {
    use switchboard_policy::{Action, operator_permit};
    let Some((extension, domain)) = lookup::qualified(state, agent).await? else {
        return Ok(());
    };
    let user = match state
        .store
        .get_user(&operator_visibility(Resource::Users), domain.id, &extension)
        .await
    {
        Ok(user) => user,
        Err(switchboard_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let now = state
        .store
        .availability(&operator_visibility(Resource::QueueAgents), user.user.id)
        .await?;
    if now.status == status {
        return Ok(());
    }
    state
        .store
        .set_availability(
            &operator_permit(Resource::AgentAvailability, Action::Update),
            &switch_audit(switch),
            &user,
            status,
            None,
        )
        .await?;
    // The other switches (and this one's other queues) hear of it as of any change.
    state.switch.changed(SwitchChange::Agent(user.user.id));
    Ok(())
}

/// Who the audit log says made a change a switch reported (`switch:<name>`).
pub fn switch_audit(switch: &str) -> switchboard_store::AuditContext {
    switchboard_store::AuditContext {
        actor_id: None,
        actor_login: format!("switch:{switch}"),
        on_behalf_of: None,
        client_addr: None,
    }
}
