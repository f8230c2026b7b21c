//! Callers waiting in the queues in reach, now: `GET …/call-queues/waiting`, what the
//! supervisor's wallboard shows beside each queue's day. The switches say who waits (see
//! `switch::waiting`); a queue out of reach is never in the answer.

use super::{Caller, resolve_domain, visibility_for_list};
use crate::AppState;
use crate::error::ApiResult;
use crate::routes::{Access, Route, route};
use crate::switch::lookup::every_page;
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::{Extension as Ext, QueueId, Timestamp};
use switchboard_policy::{Action, Resource};

/// One queue in reach and its callers waiting now.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct QueueWaitingView {
    pub queue_id: QueueId,
    pub extension: Ext,
    /// Callers waiting now.
    pub waiting: u32,
    /// Since when the caller waiting longest has (absent when none waits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_waiting_since: Option<Timestamp>,
    /// How long it has waited, in seconds, when this was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_wait_seconds: Option<i64>,
}

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/domains/{domain}/call-queues/waiting",
            Access::Guarded(Resource::CallQueues, Action::Read),
            "call_queues",
            "Callers waiting now in each call queue in reach, and the longest wait",
        )
        .returns::<Vec<QueueWaitingView>>()
        .to(waiting),
    ]
}

async fn waiting(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(domain): Path<String>,
) -> ApiResult<Json<Vec<QueueWaitingView>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::CallQueues)?;
    let queues = every_page(|p| {
        let vis = &vis;
        let state = &state;
        async move {
            Ok(state
                .store
                .list_call_queues(vis, domain.id, None, p)
                .await?)
        }
    })
    .await?;
    let now = Timestamp::now();
    let ids: Vec<QueueId> = queues.iter().map(|q| q.id).collect();
    let waiting = state
        .store
        .callers_waiting(&vis, domain.id, &ids, now)
        .await?;
    Ok(Json(
        queues
            .into_iter()
            .map(|q| {
                let w = waiting.get(&q.id).copied().unwrap_or_default();
                QueueWaitingView {
                    queue_id: q.id,
                    extension: q.extension,
                    waiting: w.waiting,
                    longest_waiting_since: w.longest_since,
                    longest_wait_seconds: w.longest_since.map(|since| (now.0 - since.0).max(0)),
                }
            })
            .collect(),
    ))
}
