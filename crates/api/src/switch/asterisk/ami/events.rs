//! What Asterisk tells over the manager interface, taken into Switchboard:
//!
//! - `QueueMemberPause`, `QueueMemberStatus` (`MemberName`, `Paused`, `PausedReason`): a
//!   member was paused or unpaused in Asterisk. It becomes the agent's availability ("On
//!   Break" unless the reason says unavailable); one Switchboard already has changes nothing.
//! - `ContactStatus` (`EndpointName` `login@domain`, `URI`, `ContactStatus`): where a login's
//!   phone registered, kept as Kamailio's reports are. Asterisk sends it when a contact is
//!   made, qualified or removed, and at every re-registration when pjsip.conf's
//!   `send_contact_status_on_update_registration` is on (as printed), so a registration is kept
//!   for the longest an AOR lets a contact live without renewing it (`MAX_CONTACT_SECONDS`).
//!   `Removed` and `Unreachable` end it.
//! - `QueueCallerJoin` (`Queue`, `Uniqueid`): a caller began waiting in a queue;
//!   `QueueCallerLeave` (it left: connected to an agent, timed out) and `QueueCallerAbandon`
//!   (it hung up) end its wait.
//! - `Cdr` (`cdr_manager.conf`, `enabled = yes`): a finished call, its fields those of a
//!   `Master.csv` row, read by the very same importer (local times in Asterisk's zone, the
//!   duration columns the truth, queue calls nobody took told apart by the queue's timeout),
//!   stored once by its `UniqueID`, which also ends the plan the call was routed by. Its domain is the `AccountCode` Switchboard gives every
//!   endpoint, else the dialplan context it ran in.

use super::wire::Message;
use super::{AmiConfig, availability};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::import::{Format, decoder_for};
use crate::switch::lookup::{domain_named, first_domain_named};
use crate::switch::resolved::take_plan;
use crate::switch::waiting;
use crate::switch::{agent_reported, store_call};
use switchboard_domain::Timestamp;
use switchboard_policy::{Action, Resource, operator_permit};
use switchboard_store::SipRegistration;

pub async fn handle(state: &AppState, config: &AmiConfig, event: &Message) -> ApiResult<()> {
    match event.event().unwrap_or("") {
        "QueueMemberPause" | "QueueMemberStatus" => member_paused(state, event).await,
        "Cdr" => cdr(state, config, event).await,
        "ContactStatus" => contact_status(state, event).await,
        "QueueCallerJoin" => match (event.get("Queue"), event.get("Uniqueid")) {
            (Some(queue), Some(call)) => {
                waiting::joined_named(state, call, queue, Timestamp::now()).await
            }
            _ => Ok(()),
        },
        "QueueCallerLeave" | "QueueCallerAbandon" => match event.get("Uniqueid") {
            Some(call) => waiting::left(state, call).await,
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

async fn member_paused(state: &AppState, event: &Message) -> ApiResult<()> {
    let (Some(name), Some(paused)) = (event.get("MemberName"), event.get("Paused")) else {
        return Ok(());
    };
    let reason = event
        .get("PausedReason")
        .or(event.get("Reason"))
        .unwrap_or("");
    let status = availability(paused == "1", reason);
    agent_reported(state, name, status, "asterisk").await
}

/// The longest a contact lives without a re-registration (the AORs' `maximum_expiration`).
pub const MAX_CONTACT_SECONDS: i64 = 7200;

async fn contact_status(state: &AppState, event: &Message) -> ApiResult<()> {
    let (Some(endpoint), Some(uri), Some(status)) = (
        event.get("EndpointName"),
        event.get("URI"),
        event.get("ContactStatus"),
    ) else {
        return Ok(());
    };
    let Some((login, domain)) = endpoint.rsplit_once('@') else {
        return Ok(());
    };
    let Some(domain) = domain_named(state, domain).await? else {
        return Ok(());
    };
    let now = Timestamp::now();
    let registration = (!matches!(status, "Removed" | "Unreachable")).then(|| SipRegistration {
        contact: uri.to_owned(),
        user_agent: None,
        source: None,
        registered_at: now,
        expires_at: now.plus_seconds(MAX_CONTACT_SECONDS),
    });
    state
        .store
        .record_registration(
            &operator_permit(Resource::Devices, Action::Update),
            domain.id,
            login,
            registration.as_ref(),
        )
        .await?;
    Ok(())
}

/// The `Cdr` event's fields in `Master.csv`'s column order.
pub const MASTER_CSV_COLUMNS: [&str; 18] = [
    "AccountCode",
    "Source",
    "Destination",
    "DestinationContext",
    "CallerID",
    "Channel",
    "DestinationChannel",
    "LastApplication",
    "LastData",
    "StartTime",
    "AnswerTime",
    "EndTime",
    "Duration",
    "BillableSeconds",
    "Disposition",
    "AMAFlags",
    "UniqueID",
    "UserField",
];

/// A `Cdr` event as the `Master.csv` row cdr_csv would have written for the same call.
pub fn master_csv_line(event: &Message) -> String {
    MASTER_CSV_COLUMNS
        .iter()
        .map(|column| {
            let value = event.get(column).unwrap_or("");
            format!("\"{}\"", value.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(",")
}

async fn cdr(state: &AppState, config: &AmiConfig, event: &Message) -> ApiResult<()> {
    let named = [event.get("AccountCode"), event.get("DestinationContext")];
    let Some(domain) = first_domain_named(state, named.into_iter().flatten()).await? else {
        tracing::debug!(
            "an Asterisk Cdr of no domain of Switchboard's (accountcode {:?}, context {:?})",
            event.get("AccountCode"),
            event.get("DestinationContext")
        );
        return Ok(());
    };
    let id = event.get("UniqueID").unwrap_or("");
    let invalid = |m: String| ApiError::invalid("Cdr", format!("Cdr {id}: {m}"));
    let (mut decoder, dir) = decoder_for(
        &state.store,
        &domain,
        Some(Format::AsteriskCsv),
        config.timezone.clone(),
    )
    .await
    .map_err(invalid)?;
    decoder.line(&master_csv_line(event)).map_err(invalid)?;
    // The plan the call was routed by is done with (the record says whom it reached).
    take_plan(state, id).await?;
    if let Some(call) = decoder.finish() {
        store_call(state, &domain, &dir, &call, "asterisk").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cdr_event_is_a_master_csv_row() {
        let event = Message {
            headers: MASTER_CSV_COLUMNS
                .iter()
                .map(|c| (c.to_string(), format!("{c} \"x\"")))
                .collect(),
        };
        let line = master_csv_line(&event);
        assert!(line.starts_with("\"AccountCode \"\"x\"\"\",\"Source \"\"x\"\"\""));
        assert_eq!(line.matches("\",\"").count(), 17);
    }
}
