//! `callcenter.conf`, as `mod_callcenter` loads it through xml_curl: every domain's queues,
//! their agents and tiers. Names are `extension@domain`. An agent's status is its
//! availability; its tiers are the queues it is logged in to (a tier is what lets
//! `mod_callcenter` offer a queue's calls to an agent). Changes after the module loaded reach
//! it over the event socket (`esl`), in the same terms as here.

use super::user_endpoint;
use super::xml::Doc;
use crate::AppState;
use crate::error::ApiResult;
use crate::switch::lookup::{all_queues, qualified_name};
use std::collections::BTreeMap;
use switchboard_domain::{AgentStatus, CallQueue, Domain, QueueAgent, RingStrategy, UserId};
use switchboard_policy::{Resource, operator_visibility};

/// `mod_callcenter`'s status for an availability.
pub fn status(availability: AgentStatus) -> &'static str {
    match availability {
        AgentStatus::Available => "Available",
        AgentStatus::OnBreak => "On Break",
        AgentStatus::Unavailable => "Logged Out",
    }
}

/// The availability a `mod_callcenter` status stands for (`None`: one Switchboard has no
/// counterpart for, such as `Unknown`).
pub fn availability(status: &str) -> Option<AgentStatus> {
    match status {
        "Available" | "Available (On Demand)" => Some(AgentStatus::Available),
        "On Break" => Some(AgentStatus::OnBreak),
        "Logged Out" => Some(AgentStatus::Unavailable),
        _ => None,
    }
}

pub fn strategy(s: RingStrategy) -> &'static str {
    match s {
        RingStrategy::RingAll => "ring-all",
        RingStrategy::RoundRobin => "round-robin",
        RingStrategy::LongestIdle => "longest-idle-agent",
        RingStrategy::Linear => "top-down",
    }
}

/// What an agent's phones are dialled by: its enabled logins together, or FreeSWITCH's
/// `error/` endpoint when it has none (the call moves on to another agent).
pub async fn contact(state: &AppState, domain: &Domain, user: UserId) -> ApiResult<String> {
    let vis = operator_visibility(Resource::Devices);
    let logins = state.store.sip_accounts_of_user(&vis, user).await?;
    if logins.is_empty() {
        return Ok("error/user_not_registered".into());
    }
    let dial: Vec<String> = logins
        .iter()
        .map(|l| user_endpoint(&l.username, &domain.name))
        .collect();
    Ok(dial.join(","))
}

/// One agent as `mod_callcenter` knows it.
pub struct Agent {
    pub contact: String,
    pub status: &'static str,
    pub wrap_up: u32,
}

/// A queue an agent is offered calls of, at a level (lower first).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tier {
    pub queue: String,
    pub agent: String,
    pub level: u32,
}

/// What `mod_callcenter` should hold for some queues: their agents (one per person, across
/// its queues, with its longest wrap-up) and the tiers of the agents logged in.
pub struct Snapshot {
    pub queues: Vec<(Domain, CallQueue)>,
    pub agents: BTreeMap<String, Agent>,
    pub tiers: Vec<Tier>,
}

pub async fn snapshot(
    state: &AppState,
    queues: Vec<(Domain, CallQueue, Vec<QueueAgent>)>,
) -> ApiResult<Snapshot> {
    let mut agents: BTreeMap<String, Agent> = BTreeMap::new();
    let mut tiers = Vec::new();
    let mut plain = Vec::new();
    for (domain, queue, members) in queues {
        let queue_name = qualified_name(&queue.extension, &domain.name);
        for member in &members {
            let name = qualified_name(&member.extension, &domain.name);
            let wrap_up = member.wrap_up_seconds.unwrap_or(queue.wrap_up_seconds);
            match agents.get_mut(&name) {
                Some(agent) => agent.wrap_up = agent.wrap_up.max(wrap_up),
                None => {
                    let agent = Agent {
                        contact: contact(state, &domain, member.user_id).await?,
                        status: status(member.status),
                        wrap_up,
                    };
                    agents.insert(name.clone(), agent);
                }
            }
            if member.logged_in {
                tiers.push(Tier {
                    queue: queue_name.clone(),
                    agent: name,
                    level: member.priority,
                });
            }
        }
        plain.push((domain, queue));
    }
    Ok(Snapshot {
        queues: plain,
        agents,
        tiers,
    })
}

pub async fn answer(state: &AppState) -> ApiResult<String> {
    let snapshot = snapshot(state, all_queues(state).await?).await?;
    let mut doc = Doc::section("configuration");
    doc.open(
        "configuration",
        &[
            ("name", "callcenter.conf"),
            ("description", "Switchboard's call queues"),
        ],
    );
    doc.open("settings", &[]).close();
    doc.open("queues", &[]);
    for (domain, queue) in &snapshot.queues {
        let wait = queue.max_wait_seconds.to_string();
        doc.open(
            "queue",
            &[("name", &qualified_name(&queue.extension, &domain.name))],
        )
        .param("strategy", strategy(queue.ring_strategy))
        .param("moh-sound", "local_stream://default")
        .param("time-base-score", "system")
        .param("tier-rules-apply", "false")
        .param("max-wait-time", &wait)
        // With nobody to answer, the caller goes on to the overflow at once.
        .param("max-wait-time-with-no-agent", "1")
        .param("max-wait-time-with-no-agent-time-reached", "1")
        .param("discard-abandoned-after", "60")
        .param("abandoned-resume-allowed", "false")
        .close();
    }
    doc.close();
    doc.open("agents", &[]);
    for (name, agent) in &snapshot.agents {
        doc.leaf(
            "agent",
            &[
                ("name", name),
                ("type", "callback"),
                ("contact", &agent.contact),
                ("status", agent.status),
                ("max-no-answer", "3"),
                ("wrap-up-time", &agent.wrap_up.to_string()),
                ("reject-delay-time", "10"),
                ("busy-delay-time", "10"),
                ("no-answer-delay-time", "10"),
            ],
        );
    }
    doc.close();
    doc.open("tiers", &[]);
    for tier in &snapshot.tiers {
        doc.leaf(
            "tier",
            &[
                ("agent", &tier.agent),
                ("queue", &tier.queue),
                ("level", &tier.level.to_string()),
                ("position", "1"),
            ],
        );
    }
    doc.close();
    Ok(doc.finish())
}
