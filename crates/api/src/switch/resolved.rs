//! A plan as one switch dials it, and where it is kept between a call's questions: this
//! instance's copy at once, the database's within a few milliseconds, until the call's record
//! takes it (see `SwitchState`).

use super::plan::{self, CallRequest, Callee, Decision, Refusal, Target};
use super::switch_permit;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use switchboard_domain::{Extension, SwitchRoutes};

/// How one switch names what a plan rings.
pub trait Endpoints {
    /// A target as the switch dials it; `None` when this switch cannot reach it (a phone not
    /// registered, no gateway configured): it is dropped.
    fn endpoint(&self, target: &Target) -> Option<String>;
    /// A queue's run of stages as one endpoint, for a switch that runs queues itself; `None`
    /// rings the stages' targets as they are.
    fn queue(&self, _queue: &Extension) -> Option<String> {
        None
    }
}

/// A plan with every target turned into what the switch dials; unreachable targets and stages
/// left empty are dropped. Kept in the database (as JSON) from the call's first question to
/// its record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Resolved {
    /// Each stage's ring time in milliseconds and its endpoints, rung together.
    pub stages: Vec<(u32, Vec<String>)>,
    /// What follows a busy first stage, when that differs (see `plan::Plan::busy`).
    pub busy: Option<Vec<(u32, Vec<String>)>>,
    /// The first stage ended busy and the busy stages were taken.
    pub took_busy: bool,
    pub callee: Callee,
    /// The queue each stage rings the agents of, for a switch that rings them itself (the
    /// caller waits in the queue while they ring); absent in plans kept before it was.
    #[serde(default)]
    pub stage_queues: Vec<Option<Extension>>,
    #[serde(default)]
    pub busy_queues: Vec<Option<Extension>>,
}

impl Resolved {
    /// A stage of the call as it went: after a busy first stage, the busy stages follow it.
    pub fn stage(&self, n: usize) -> Option<&(u32, Vec<String>)> {
        match (&self.busy, self.took_busy, n) {
            (Some(busy), true, n) if n > 0 => busy.get(n - 1),
            _ => self.stages.get(n),
        }
    }

    /// The queue a stage of the call as it went rings the agents of, if it does.
    pub fn stage_queue(&self, n: usize) -> Option<&Extension> {
        let queues = match (&self.busy, self.took_busy, n) {
            (Some(_), true, n) if n > 0 => self.busy_queues.get(n - 1),
            _ => self.stage_queues.get(n),
        };
        queues.and_then(Option::as_ref)
    }
}

pub fn resolve(endpoints: &impl Endpoints, decided: plan::Plan) -> Resolved {
    let (stages, stage_queues) = resolve_stages(endpoints, decided.stages);
    let (busy, busy_queues) = match decided.busy.map(|busy| resolve_stages(endpoints, busy)) {
        Some((busy, queues)) => (Some(busy), queues),
        None => (None, Vec::new()),
    };
    Resolved {
        stages,
        busy,
        took_busy: false,
        callee: decided.callee,
        stage_queues,
        busy_queues,
    }
}

/// Each stage as the switch dials it, and beside it the queue whose agents it rings (`None`
/// for a queue the switch runs itself: it says who waits).
type Stages = (Vec<(u32, Vec<String>)>, Vec<Option<Extension>>);

fn resolve_stages(endpoints: &impl Endpoints, planned: Vec<plan::Stage>) -> Stages {
    let mut stages: Vec<(u32, Vec<String>)> = Vec::new();
    let mut queues: Vec<Option<Extension>> = Vec::new();
    let mut in_queue: Option<Extension> = None;
    for stage in planned {
        let ms = stage.ring_seconds.saturating_mul(1000);
        if let Some(queue) = &stage.queue
            && let Some(endpoint) = endpoints.queue(queue)
        {
            // The queue's stages become one, as long as all of them.
            match (&in_queue, stages.last_mut()) {
                (Some(q), Some(last)) if q == queue => last.0 = last.0.saturating_add(ms),
                _ => {
                    stages.push((ms, vec![endpoint]));
                    queues.push(None);
                }
            }
            in_queue = Some(queue.clone());
            continue;
        }
        in_queue = None;
        let mut dialled = Vec::new();
        for target in &stage.targets {
            if let Some(e) = endpoints.endpoint(target).filter(|e| !dialled.contains(e)) {
                dialled.push(e);
            }
        }
        if !dialled.is_empty() {
            stages.push((ms, dialled));
            queues.push(stage.queue.clone());
        }
    }
    (stages, queues)
}

/// Decide a call at its first question and resolve it into what one switch dials (`endpoints`
/// given the domain's routes): the plan, kept under `call_id`, or why the call is refused (a
/// plan nothing of which this switch can reach is `Unavailable`).
pub async fn plan_call<E: Endpoints>(
    state: &AppState,
    call_id: &str,
    request: &CallRequest<'_>,
    endpoints: impl FnOnce(SwitchRoutes) -> E,
) -> ApiResult<Result<Resolved, Refusal>> {
    let decided = match plan::decide(state, request).await? {
        Decision::Refuse(why) => return Ok(Err(why)),
        Decision::Ring(p) => p,
    };
    let routes = super::routes_of(state, request.domain).await?;
    let resolved = resolve(&endpoints(routes), decided);
    if resolved.stages.is_empty() {
        return Ok(Err(Refusal::Unavailable));
    }
    keep_plan(state, call_id, &resolved).await?;
    Ok(Ok(resolved))
}

/// Keep the plan a call was given: this instance's copy at once, the database's within a few
/// milliseconds (the next question of the call comes a ring time later, or to this instance).
pub async fn keep_plan(state: &AppState, call_id: &str, plan: &Resolved) -> ApiResult<()> {
    state.switch.remember(call_id, plan);
    let json = serde_json::to_string(plan).map_err(ApiError::internal)?;
    state
        .switch
        .write_behind(&state.store, call_id.to_owned(), json);
    Ok(())
}

/// The plan a call was given, if it is still in progress. A plan that no longer reads (kept
/// by another version) is as good as none: the call is decided again.
pub async fn kept_plan(state: &AppState, call_id: &str) -> ApiResult<Option<Resolved>> {
    if let Some(plan) = state.switch.recall(call_id) {
        return Ok(Some(plan));
    }
    let json = state.store.switch_plan(&switch_permit(), call_id).await?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// The plan of a call that ended, taken out of both places (its record needs whom it was for).
pub async fn take_plan(state: &AppState, call_id: &str) -> ApiResult<Option<Resolved>> {
    let kept = state
        .store
        .take_switch_plan(&switch_permit(), call_id)
        .await?
        .and_then(|j| serde_json::from_str::<Resolved>(&j).ok());
    Ok(state.switch.forget(call_id).or(kept))
}
