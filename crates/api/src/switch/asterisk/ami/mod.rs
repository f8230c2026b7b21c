//! The manager interface connection to Asterisk (AMI, `manager.conf`): Switchboard connects,
//! logs in with `Events: agent,cdr,system`, and then keeps app_queue's members as Switchboard says:
//!
//! - a member per queue an agent is logged in to, dialled at the agent's first enabled login
//!   (`PJSIP/login@domain`), named `extension@domain`, its penalty the agent's priority in the
//!   queue; paused, with the reason ("On Break", "Unavailable"), when the agent is not
//!   available;
//! - on connecting (and again after each reconnection) `QueueStatus` says what Asterisk holds,
//!   and `QueueAdd`, `QueueRemove`, `QueuePause` and `QueuePenalty` make it so (only dynamic
//!   members of Switchboard's domains' queues are removed);
//! - each change in Switchboard reconciles that agent's, or that queue's domain's, members the
//!   same way, so an availability change is a `QueuePause` per queue, with its reason;
//! - what Asterisk tells (`events`): a member paused or unpaused there (the `PauseQueueMember`
//!   application, another manager client) becomes the agent's availability; `ContactStatus`
//!   events say where phones registered; `Cdr` events become call history as `Master.csv`
//!   rows do.
//!
//! The connection is kept by `switch::link`.

mod events;
pub use events::MAX_CONTACT_SECONDS;
pub mod wire;

use crate::AppState;
use crate::switch::SwitchChange;
use crate::switch::link::{self, Conversation, LinkError, LinkResult as Result};
use crate::switch::lookup::{all_domains, all_queues, domain_named, qualified_name, queues_of};
use std::collections::{HashMap, HashSet, VecDeque};
use switchboard_domain::{AgentStatus, CallQueue, Domain, QueueAgent, UserId};
use switchboard_policy::{Resource, operator_visibility};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use wire::Message;

/// Where Asterisk's manager interface listens, and the manager user Switchboard logs in as.
#[derive(Clone, Debug)]
pub struct AmiConfig {
    pub address: String,
    pub username: String,
    pub secret: String,
    /// Asterisk's own time zone, which its `Cdr` events' times are in (default: each
    /// domain's).
    pub timezone: Option<switchboard_domain::TimeZoneName>,
}

/// The event classes Switchboard listens to: queue members' (agent), finished calls (cdr) and
/// phones' contacts (system).
pub const EVENTS: &str = "agent,cdr,system";

/// The most pauses awaiting their echo.
const MAX_ECHOES: usize = 1024;

/// Keep a connection to Asterisk for as long as the process runs (or the handle is aborted).
pub fn spawn(state: AppState, config: AmiConfig) -> tokio::task::JoinHandle<()> {
    link::spawn::<Connection>(state, config)
}

/// A queue member as Switchboard wants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub queue: String,
    pub interface: String,
    pub name: String,
    pub penalty: u32,
    pub paused: bool,
    pub reason: &'static str,
}

/// A queue member as Asterisk holds it (`QueueStatus`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Held {
    queue: String,
    interface: String,
    name: String,
    dynamic: bool,
    penalty: u32,
    paused: bool,
    reason: String,
}

/// The pause reason an availability is sent with (empty: not paused).
pub fn pause_reason(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Available => "",
        AgentStatus::OnBreak => "On Break",
        AgentStatus::Unavailable => "Unavailable",
    }
}

/// The availability a member's pause stands for.
pub fn availability(paused: bool, reason: &str) -> AgentStatus {
    match (paused, reason.trim().to_ascii_lowercase().as_str()) {
        (false, _) => AgentStatus::Available,
        (true, "unavailable" | "logged out" | "logged off") => AgentStatus::Unavailable,
        (true, _) => AgentStatus::OnBreak,
    }
}

/// The members some queues should have: each logged-in agent with a login to dial.
pub async fn wanted(
    state: &AppState,
    queues: &[(Domain, CallQueue, Vec<QueueAgent>)],
) -> Result<Vec<Member>> {
    let devices = operator_visibility(Resource::Devices);
    // Each agent's interface, looked up once however many queues it is in.
    let mut interfaces: HashMap<UserId, Option<String>> = HashMap::new();
    let mut members = Vec::new();
    for (domain, queue, agents) in queues {
        for agent in agents.iter().filter(|a| a.logged_in) {
            let interface = match interfaces.get(&agent.user_id) {
                Some(known) => known.clone(),
                None => {
                    let logins = state
                        .store
                        .sip_accounts_of_user(&devices, agent.user_id)
                        .await?;
                    // The first login made, not the first registered: the member must not
                    // change each time a phone registers.
                    let first = logins
                        .iter()
                        .min_by_key(|l| l.device_id)
                        .map(|l| super::interface(&l.username, &domain.name));
                    interfaces.insert(agent.user_id, first.clone());
                    first
                }
            };
            let Some(interface) = interface else {
                continue;
            };
            members.push(Member {
                queue: qualified_name(&queue.extension, &domain.name),
                interface,
                name: qualified_name(&agent.extension, &domain.name),
                penalty: agent.priority,
                paused: agent.status != AgentStatus::Available,
                reason: pause_reason(agent.status),
            });
        }
    }
    Ok(members)
}

pub struct Connection {
    state: AppState,
    config: AmiConfig,
    write: OwnedWriteHalf,
    frames: mpsc::Receiver<Message>,
    next_id: u64,
    /// Pauses sent whose `QueueMemberPause` has not come back yet: (queue, interface, paused).
    /// Their echo is not news (and may come after a later change).
    echoes: VecDeque<(String, String, bool)>,
}

impl Conversation for Connection {
    type Config = AmiConfig;
    type Frame = Message;
    const NAME: &'static str = "Asterisk's manager interface";

    fn address(config: &AmiConfig) -> &str {
        &config.address
    }

    async fn read_frame(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<Option<Message>> {
        wire::read_message(reader).await
    }

    async fn start(
        state: AppState,
        config: &AmiConfig,
        write: OwnedWriteHalf,
        frames: mpsc::Receiver<Message>,
    ) -> Result<Connection> {
        let mut conn = Connection {
            state,
            config: config.clone(),
            write,
            frames,
            next_id: 0,
            echoes: VecDeque::new(),
        };
        let hello = link::next_frame(&mut conn.frames).await?;
        if hello.banner().is_none() {
            return Err(LinkError::Refused(
                "no \"Asterisk Call Manager\" banner: is this the manager port (5038)?".into(),
            ));
        }
        let login = conn
            .action(
                "Login",
                &[
                    ("Username", &config.username),
                    ("Secret", &config.secret),
                    ("Events", EVENTS),
                ],
            )
            .await?;
        if !login.is_success() {
            return Err(LinkError::Refused(format!(
                "the manager login {:?} ({}): set it as in manager.conf",
                config.username,
                login.get("Message").unwrap_or("")
            )));
        }
        Ok(conn)
    }

    fn frames(&mut self) -> &mut mpsc::Receiver<Message> {
        &mut self.frames
    }

    async fn told(&mut self, message: Message) -> Result<()> {
        let Some(event) = message.event() else {
            return Ok(());
        };
        if event == "Shutdown" {
            return Err(LinkError::Closed);
        }
        if event == "QueueMemberPause" && self.is_echo(&message) {
            return Ok(());
        }
        if event == "QueueMemberStatus" && self.awaits_echo(&message) {
            return Ok(());
        }
        if let Err(e) = events::handle(&self.state, &self.config, &message).await {
            tracing::warn!("an Asterisk event was not taken: {}", LinkError::from(e));
        }
        Ok(())
    }

    async fn send_everything(&mut self) -> Result<()> {
        let wanted = wanted(&self.state, &all_queues(&self.state).await?).await?;
        let ours: HashSet<String> = all_domains(&self.state)
            .await?
            .into_iter()
            .map(|d| d.name.to_string())
            .collect();
        self.reconcile(&wanted, &[], |held| {
            held.queue
                .rsplit_once('@')
                .is_some_and(|(_, domain)| ours.contains(domain))
        })
        .await
    }

    async fn send_change(&mut self, change: &SwitchChange) -> Result<()> {
        match change {
            SwitchChange::Agent(user) => {
                let Some((record, domain)) = self.state.store.user_and_domain(*user).await? else {
                    return Ok(());
                };
                let name = qualified_name(&record.user.extension, &domain.name);
                let mut queues = queues_of(&self.state, &domain).await?;
                for (_, _, agents) in &mut queues {
                    agents.retain(|a| a.user_id == *user);
                }
                let members = wanted(&self.state, &queues).await?;
                // Asterisk lists this member's entries only (QueueStatus matches `Member`
                // against the member name or the interface).
                self.reconcile(&members, &[("Member", &name)], |held| held.name == name)
                    .await
            }
            SwitchChange::Queue { domain, .. } => {
                let Some(domain) = domain_named(&self.state, domain.as_str()).await? else {
                    return Ok(());
                };
                let members = wanted(&self.state, &queues_of(&self.state, &domain).await?).await?;
                let suffix = format!("@{}", domain.name);
                self.reconcile(&members, &[], |held| held.queue.ends_with(&suffix))
                    .await
            }
            // Asterisk said so itself.
            SwitchChange::QueueCallers => Ok(()),
        }
    }
}

impl Connection {
    /// Send an action and wait for its response, handling the events that come first.
    async fn action(&mut self, name: &str, fields: &[(&str, &str)]) -> Result<Message> {
        self.next_id += 1;
        let id = self.next_id;
        self.write
            .write_all(&Message::action(name, id, fields).to_wire())
            .await?;
        loop {
            let message = link::next_frame(&mut self.frames).await?;
            if message.answers(id) {
                if !message.is_success() {
                    tracing::debug!(
                        "Asterisk: {name}: {}",
                        message.get("Message").unwrap_or("error")
                    );
                }
                return Ok(message);
            }
            self.told(message).await?;
        }
    }

    /// An action answered by a list of events (ended by `…Complete`).
    async fn list(&mut self, name: &str, fields: &[(&str, &str)]) -> Result<Vec<Message>> {
        let response = self.action(name, fields).await?;
        if !response.is_success() {
            return Err(LinkError::Refused(format!(
                "{name}: {}",
                response.get("Message").unwrap_or("error")
            )));
        }
        let id = self.next_id.to_string();
        let mut items = Vec::new();
        loop {
            let message = link::next_frame(&mut self.frames).await?;
            match message.event() {
                Some(event) if message.get("ActionID") == Some(&id) => {
                    if event.ends_with("Complete") {
                        return Ok(items);
                    }
                    items.push(message);
                }
                _ => self.told(message).await?,
            }
        }
    }

    /// The members Asterisk holds (`filter`: `QueueStatus`'s own `Queue` or `Member`).
    async fn held(&mut self, filter: &[(&str, &str)]) -> Result<Vec<Held>> {
        let status = self.list("QueueStatus", filter).await?;
        Ok(status
            .iter()
            .filter(|m| m.event() == Some("QueueMember"))
            .filter_map(|m| {
                Some(Held {
                    queue: m.get("Queue")?.to_owned(),
                    interface: m.get("Location")?.to_owned(),
                    name: m.get("Name").unwrap_or("").to_owned(),
                    dynamic: m.get("Membership") == Some("dynamic"),
                    penalty: m.get("Penalty").and_then(|p| p.parse().ok()).unwrap_or(0),
                    paused: m.get("Paused") == Some("1"),
                    reason: m.get("PausedReason").unwrap_or("").to_owned(),
                })
            })
            .collect())
    }

    /// Make the members `ours` selects (among those `filter` lists) what `wanted` says: add
    /// the missing, remove the dynamic ones not wanted, pause and set penalties where they
    /// differ.
    async fn reconcile(
        &mut self,
        wanted: &[Member],
        filter: &[(&str, &str)],
        ours: impl Fn(&Held) -> bool,
    ) -> Result<()> {
        let held: Vec<Held> = self
            .held(filter)
            .await?
            .into_iter()
            .filter(|h| ours(h))
            .collect();
        let same = |h: &Held, m: &Member| h.queue == m.queue && h.interface == m.interface;
        for h in held.iter().filter(|h| h.dynamic) {
            if !wanted.iter().any(|m| same(h, m)) {
                self.action(
                    "QueueRemove",
                    &[("Queue", &h.queue), ("Interface", &h.interface)],
                )
                .await?;
            }
        }
        for m in wanted {
            let paused = if m.paused { "true" } else { "false" };
            match held.iter().find(|h| same(h, m)) {
                None => {
                    self.action(
                        "QueueAdd",
                        &[
                            ("Queue", &m.queue),
                            ("Interface", &m.interface),
                            ("Penalty", &m.penalty.to_string()),
                            ("Paused", paused),
                            ("Reason", m.reason),
                            ("MemberName", &m.name),
                            ("StateInterface", &m.interface),
                        ],
                    )
                    .await?;
                }
                Some(h) => {
                    if h.paused != m.paused || (m.paused && h.reason != m.reason) {
                        self.expect_echo((m.queue.clone(), m.interface.clone(), m.paused));
                        self.action(
                            "QueuePause",
                            &[
                                ("Interface", &m.interface),
                                ("Queue", &m.queue),
                                ("Paused", paused),
                                ("Reason", m.reason),
                            ],
                        )
                        .await?;
                    }
                    if h.penalty != m.penalty {
                        self.action(
                            "QueuePenalty",
                            &[
                                ("Interface", &m.interface),
                                ("Penalty", &m.penalty.to_string()),
                                ("Queue", &m.queue),
                            ],
                        )
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Remember a pause sent. A manager user that may not read agent events never echoes:
    /// the oldest are forgotten past a bound.
    fn expect_echo(&mut self, pause: (String, String, bool)) {
        if self.echoes.len() >= MAX_ECHOES {
            self.echoes.pop_front();
        }
        self.echoes.push_back(pause);
    }

    fn member_of(message: &Message) -> Option<(String, String, bool)> {
        Some((
            message.get("Queue")?.to_owned(),
            message.get("Interface")?.to_owned(),
            message.get("Paused")? == "1",
        ))
    }

    /// A `QueueMemberPause` that is the echo of a pause Switchboard sent (consumed).
    fn is_echo(&mut self, message: &Message) -> bool {
        let Some(member) = Self::member_of(message) else {
            return false;
        };
        match self.echoes.iter().position(|e| *e == member) {
            Some(at) => {
                self.echoes.remove(at);
                true
            }
            None => false,
        }
    }

    /// A member whose pause Switchboard sent and has not heard back about: its status may
    /// still show the pause before.
    fn awaits_echo(&self, message: &Message) -> bool {
        Self::member_of(message).is_some_and(|(queue, interface, _)| {
            self.echoes
                .iter()
                .any(|(q, i, _)| *q == queue && *i == interface)
        })
    }
}
