//! The event socket connection to FreeSWITCH (`mod_event_socket`): Switchboard connects,
//! authenticates, subscribes to `callcenter::info` and the phones' registrations, and then:
//!
//! - sends `mod_callcenter` the whole present state (queues loaded, agents with contact and
//!   status, tiers of logged-in agents; tiers it holds that Switchboard does not are deleted),
//!   and again after each reconnection or when it fell behind;
//! - sends each change made in Switchboard as it happens (`SwitchChange`), as that agent's or
//!   queue's whole state read again from the database;
//! - reads back what FreeSWITCH tells (`events`): agents' status changes (an agent pressing a
//!   feature code, or `mod_callcenter` itself) and where phones registered.
//!
//! The connection is kept by `switch::link`.

mod events;
pub mod wire;

use super::callcenter::{Snapshot, Tier, snapshot};
use crate::AppState;
use crate::switch::SwitchChange;
use crate::switch::link::{self, Conversation, LinkError, LinkResult as Result};
use crate::switch::lookup::{all_domains, all_queues, domain_named, qualified_name, queues_of};
use std::collections::HashSet;
use switchboard_domain::{Domain, UserId};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use wire::{Frame, quoted};

/// Where FreeSWITCH's event socket listens, and its password (`event_socket.conf.xml`).
#[derive(Clone, Debug)]
pub struct EslConfig {
    pub address: String,
    pub password: String,
}

/// What the connection subscribes to.
pub const EVENTS: &str =
    "event plain CUSTOM callcenter::info sofia::register sofia::unregister sofia::expire";

/// Keep a connection to FreeSWITCH for as long as the process runs (or the handle is aborted).
pub fn spawn(state: AppState, config: EslConfig) -> tokio::task::JoinHandle<()> {
    link::spawn::<Connection>(state, config)
}

pub struct Connection {
    state: AppState,
    write: OwnedWriteHalf,
    frames: mpsc::Receiver<Frame>,
}

impl Conversation for Connection {
    type Config = EslConfig;
    type Frame = Frame;
    const NAME: &'static str = "FreeSWITCH's event socket";

    fn address(config: &EslConfig) -> &str {
        &config.address
    }

    async fn read_frame(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<Option<Frame>> {
        wire::read_frame(reader).await
    }

    async fn start(
        state: AppState,
        config: &EslConfig,
        write: OwnedWriteHalf,
        frames: mpsc::Receiver<Frame>,
    ) -> Result<Connection> {
        let mut conn = Connection {
            state,
            write,
            frames,
        };
        let hello = link::next_frame(&mut conn.frames).await?;
        if hello.content_type() != "auth/request" {
            return Err(LinkError::Refused(format!(
                "expected auth/request, got {:?}",
                hello.content_type()
            )));
        }
        let reply = conn.command(&format!("auth {}", config.password)).await?;
        if !reply.is_ok() {
            return Err(LinkError::Refused(
                "the event socket password (set it as in event_socket.conf.xml)".into(),
            ));
        }
        let reply = conn.command(EVENTS).await?;
        if !reply.is_ok() {
            return Err(LinkError::Refused(format!(
                "the subscription: {}",
                reply.header("Reply-Text").unwrap_or("")
            )));
        }
        Ok(conn)
    }

    fn frames(&mut self) -> &mut mpsc::Receiver<Frame> {
        &mut self.frames
    }

    async fn told(&mut self, frame: Frame) -> Result<()> {
        match frame.content_type() {
            "text/event-plain" => {
                if let Err(e) = events::handle(&self.state, &frame.event()).await {
                    tracing::warn!("a FreeSWITCH event was not taken: {}", LinkError::from(e));
                }
                Ok(())
            }
            "text/disconnect-notice" => Err(LinkError::Closed),
            _ => Ok(()),
        }
    }

    /// Every queue, agent and tier, and no tier Switchboard does not have.
    async fn send_everything(&mut self) -> Result<()> {
        let snapshot = snapshot(&self.state, all_queues(&self.state).await?).await?;
        for (domain, queue) in &snapshot.queues {
            let name = qualified_name(&queue.extension, &domain.name);
            self.api(&format!("callcenter_config queue load {name}"))
                .await?;
        }
        for name in snapshot.agents.keys() {
            self.send_agent(&snapshot, name).await?;
        }
        let ours: HashSet<String> = all_domains(&self.state)
            .await?
            .into_iter()
            .map(|d| d.name.to_string())
            .collect();
        self.drop_tiers_not_in(&snapshot, |queue| {
            queue
                .split_once('@')
                .is_some_and(|(_, domain)| ours.contains(domain))
        })
        .await
    }

    async fn send_change(&mut self, change: &SwitchChange) -> Result<()> {
        match change {
            SwitchChange::Agent(user) => self.send_agent_of(*user).await,
            SwitchChange::Queue {
                domain,
                extension,
                removed,
            } => {
                let name = qualified_name(extension, domain);
                if *removed {
                    self.api(&format!("callcenter_config queue unload {name}"))
                        .await?;
                } else {
                    self.api(&format!("callcenter_config queue reload {name}"))
                        .await?;
                }
                if let Some(domain) = domain_named(&self.state, domain.as_str()).await? {
                    self.send_domain_tiers(&domain).await?;
                }
                Ok(())
            }
            // FreeSWITCH said so itself.
            SwitchChange::QueueCallers => Ok(()),
        }
    }
}

impl Connection {
    /// Send a command and wait for its answer, handling the events that come first.
    async fn exchange(&mut self, text: &str, answer: &str) -> Result<Frame> {
        self.write.write_all(&wire::command(text)?).await?;
        loop {
            let frame = link::next_frame(&mut self.frames).await?;
            if frame.content_type() == answer {
                return Ok(frame);
            }
            self.told(frame).await?;
        }
    }

    async fn command(&mut self, text: &str) -> Result<Frame> {
        self.exchange(text, "command/reply").await
    }

    /// An API command's output (`-ERR …` is FreeSWITCH declining, not a broken connection).
    async fn api(&mut self, command: &str) -> Result<String> {
        let frame = self
            .exchange(&format!("api {command}"), "api/response")
            .await?;
        if frame.body.starts_with("-ERR") {
            tracing::debug!("FreeSWITCH: {command}: {}", frame.body.trim());
        }
        Ok(frame.body)
    }

    /// One agent: created when new, its contact and status, and its tiers.
    async fn send_agent(&mut self, snapshot: &Snapshot, name: &str) -> Result<()> {
        let Some(agent) = snapshot.agents.get(name) else {
            return Ok(());
        };
        self.api(&format!("callcenter_config agent add {name} callback"))
            .await?;
        for (key, value) in [
            ("contact", quoted(&agent.contact)),
            ("status", quoted(agent.status)),
            ("wrap_up_time", agent.wrap_up.to_string()),
        ] {
            self.api(&format!("callcenter_config agent set {key} {name} {value}"))
                .await?;
        }
        for tier in snapshot.tiers.iter().filter(|t| t.agent == name) {
            self.send_tier(tier).await?;
        }
        Ok(())
    }

    async fn send_tier(&mut self, tier: &Tier) -> Result<()> {
        let Tier {
            queue,
            agent,
            level,
        } = tier;
        let added = self
            .api(&format!(
                "callcenter_config tier add {queue} {agent} {level} 1"
            ))
            .await?;
        if !added.starts_with("+OK") {
            self.api(&format!(
                "callcenter_config tier set level {queue} {agent} {level}"
            ))
            .await?;
        }
        Ok(())
    }

    /// Delete the tiers FreeSWITCH holds, among those `ours` says Switchboard keeps, that are
    /// not in the snapshot.
    async fn drop_tiers_not_in(
        &mut self,
        snapshot: &Snapshot,
        ours: impl Fn(&str) -> bool,
    ) -> Result<()> {
        let held = wire::list_rows(&self.api("callcenter_config tier list").await?);
        for row in held {
            let (Some(queue), Some(agent)) = (row.get("queue"), row.get("agent")) else {
                continue;
            };
            let wanted = snapshot
                .tiers
                .iter()
                .any(|t| &t.queue == queue && &t.agent == agent);
            if ours(queue) && !wanted {
                self.api(&format!("callcenter_config tier del {queue} {agent}"))
                    .await?;
            }
        }
        Ok(())
    }

    /// An agent's state across its domain's queues.
    async fn send_agent_of(&mut self, user: UserId) -> Result<()> {
        let Some((record, domain)) = self
            .state
            .store
            .user_and_domain(user)
            .await
            .map_err(crate::error::ApiError::from)?
        else {
            return Ok(());
        };
        let snapshot = snapshot(&self.state, queues_of(&self.state, &domain).await?).await?;
        let name = qualified_name(&record.user.extension, &domain.name);
        self.send_agent(&snapshot, &name).await?;
        self.drop_tiers_not_in(&snapshot, |queue| {
            queue.ends_with(&format!("@{}", domain.name))
        })
        .await
    }

    /// A domain's tiers, after one of its queues changed.
    async fn send_domain_tiers(&mut self, domain: &Domain) -> Result<()> {
        let snapshot = snapshot(&self.state, queues_of(&self.state, domain).await?).await?;
        for tier in snapshot.tiers.clone() {
            self.send_tier(&tier).await?;
        }
        let suffix = format!("@{}", domain.name);
        self.drop_tiers_not_in(&snapshot, |queue| queue.ends_with(&suffix))
            .await
    }
}
