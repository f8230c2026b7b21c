//! Callers waiting in a queue, as each switch says it (the neutral model the wallboards read):
//! FreeSWITCH's `member-queue-start` / `-end` and `bridge-agent-start`, Asterisk's
//! `QueueCallerJoin` / `Leave` / `Abandon`, and Kamailio's own stages (a call waits while a
//! queue's stages ring, until one answers or the plan moves on). Each change is heard by the
//! live views at once.

use super::{SwitchChange, lookup, switch_permit};
use crate::AppState;
use crate::error::ApiResult;
use switchboard_domain::{Domain, Extension, Timestamp};
use switchboard_policy::{Resource, operator_visibility};
use switchboard_store::StoreError;

/// A caller began waiting in a domain's queue (by its extension).
pub async fn joined(
    state: &AppState,
    call_id: &str,
    domain: &Domain,
    queue: &Extension,
    at: Timestamp,
) -> ApiResult<()> {
    let vis = operator_visibility(Resource::CallQueues);
    let queue = match state.store.get_call_queue(&vis, domain.id, queue).await {
        Ok(queue) => queue,
        // A queue the switch has and Switchboard does not: nothing to show it on.
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    state
        .store
        .caller_waiting(&switch_permit(), call_id, domain.id, queue.id, at)
        .await?;
    state.switch.changed(SwitchChange::QueueCallers);
    Ok(())
}

/// A caller began waiting in a queue named as the switches name it: `extension@domain`.
pub async fn joined_named(
    state: &AppState,
    call_id: &str,
    queue: &str,
    at: Timestamp,
) -> ApiResult<()> {
    match lookup::qualified(state, queue).await? {
        Some((extension, domain)) => joined(state, call_id, &domain, &extension, at).await,
        None => Ok(()),
    }
}

/// A caller stopped waiting: answered, gave up, timed out or hung up.
pub async fn left(state: &AppState, call_id: &str) -> ApiResult<()> {
    if state.store.caller_left(&switch_permit(), call_id).await? {
        state.switch.changed(SwitchChange::QueueCallers);
    }
    Ok(())
}
