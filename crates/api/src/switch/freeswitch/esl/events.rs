//! What FreeSWITCH tells over the event socket, taken into Switchboard:
//!
//! - `callcenter::info` / `agent-status-change` (`CC-Agent`, `CC-Agent-Status`): an agent's
//!   status changed in `mod_callcenter` (a feature code, an API call, too many unanswered
//!   offers). It becomes the agent's availability; a status that is already Switchboard's (the
//!   echo of what Switchboard sent) changes nothing.
//! - `callcenter::info` / `member-queue-start` (`CC-Queue`, `CC-Member-Session-UUID`,
//!   `CC-Member-Joined-Time`): a caller began waiting in a queue; `bridge-agent-start` (an
//!   agent took it) and `member-queue-end` (it left: answered, gave up, timed out) end its wait.
//! - `sofia::register` / `sofia::unregister` / `sofia::expire`: where a login registered, or
//!   that it no longer is, as Kamailio's reports are kept.

use super::super::callcenter::availability;
use super::wire::Frame;
use crate::AppState;
use crate::error::ApiResult;
use crate::switch::agent_reported;
use crate::switch::lookup::domain_named;
use crate::switch::waiting;
use switchboard_domain::Timestamp;
use switchboard_policy::{Action, Resource, operator_permit};
use switchboard_store::SipRegistration;

pub async fn handle(state: &AppState, event: &Frame) -> ApiResult<()> {
    match event.header("Event-Subclass").unwrap_or("") {
        "callcenter::info" => match event.header("CC-Action") {
            Some("agent-status-change") => agent_status(state, event).await,
            Some("member-queue-start") => member_waiting(state, event).await,
            Some("bridge-agent-start" | "member-queue-end") => match member(event) {
                Some(call) => waiting::left(state, call).await,
                None => Ok(()),
            },
            _ => Ok(()),
        },
        "sofia::register" => registration(state, event, true).await,
        "sofia::unregister" | "sofia::expire" => registration(state, event, false).await,
        _ => Ok(()),
    }
}

async fn agent_status(state: &AppState, event: &Frame) -> ApiResult<()> {
    let (Some(agent), Some(status)) = (event.header("CC-Agent"), event.header("CC-Agent-Status"))
    else {
        return Ok(());
    };
    match availability(status) {
        Some(status) => agent_reported(state, agent, status, "freeswitch").await,
        None => Ok(()),
    }
}

/// The caller's channel a queue event is about.
fn member(event: &Frame) -> Option<&str> {
    event
        .header("CC-Member-Session-UUID")
        .or(event.header("CC-Member-UUID"))
}

async fn member_waiting(state: &AppState, event: &Frame) -> ApiResult<()> {
    let (Some(queue), Some(call)) = (event.header("CC-Queue"), member(event)) else {
        return Ok(());
    };
    let joined = event
        .header("CC-Member-Joined-Time")
        .and_then(|t| t.parse::<i64>().ok())
        .filter(|t| *t > 0)
        .map_or_else(Timestamp::now, Timestamp);
    waiting::joined_named(state, call, queue, joined).await
}

/// `"105" <sip:105-1@192.0.2.10:5060;ob>` → `sip:105-1@192.0.2.10:5060;ob`.
fn contact_uri(contact: &str) -> &str {
    match (contact.find('<'), contact.rfind('>')) {
        (Some(open), Some(close)) if open < close => &contact[open + 1..close],
        _ => contact.trim(),
    }
}

async fn registration(state: &AppState, event: &Frame, registered: bool) -> ApiResult<()> {
    let (Some(user), Some(realm)) = (
        event.header("username").or(event.header("from-user")),
        event
            .header("realm")
            .or(event.header("from-host"))
            .or(event.header("host")),
    ) else {
        return Ok(());
    };
    let Some(domain) = domain_named(state, realm).await? else {
        return Ok(());
    };
    let expires: i64 = event
        .header("expires")
        .and_then(|e| e.parse().ok())
        .unwrap_or(0)
        .clamp(0, 86_400 * 7);
    let now = Timestamp::now();
    let registration = (registered && expires > 0).then(|| SipRegistration {
        contact: contact_uri(event.header("contact").unwrap_or("")).to_owned(),
        user_agent: event
            .header("user-agent")
            .filter(|a| !a.is_empty())
            .map(str::to_owned),
        source: match (event.header("network-ip"), event.header("network-port")) {
            (Some(ip), Some(port)) => Some(format!("{ip}:{port}")),
            (Some(ip), None) => Some(ip.to_owned()),
            _ => None,
        },
        registered_at: now,
        expires_at: now.plus_seconds(expires),
    });
    state
        .store
        .record_registration(
            &operator_permit(Resource::Devices, Action::Update),
            domain.id,
            user,
            registration.as_ref(),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_is_the_uri_inside_the_brackets() {
        assert_eq!(
            contact_uri("\"105\" <sip:105-1@192.0.2.10:5060;ob>"),
            "sip:105-1@192.0.2.10:5060;ob"
        );
        assert_eq!(
            contact_uri("sip:105-1@192.0.2.10:5060"),
            "sip:105-1@192.0.2.10:5060"
        );
    }
}
