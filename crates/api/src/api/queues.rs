//! Call queues, their agents, and agent availability.

use super::{
    CountResponse, ListResponse, field, page_request, required, resolve_domain, resolve_user,
    visibility_for_list, visibility_for_lookup,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams, double_option};
use crate::routes::{Access, Route, route};
use crate::switch::SwitchChange;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{
    Action, Resource, Target, authorize, authorize_create, queue_update_allowance,
};
use switchboard_store::{
    AgentChanges, Membership, NewQueue, QueueChanges, QueueSettings, UserRecord,
};

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Contains-search on extension and name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewQueueBody {
    pub extension: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ring_strategy: Option<RingStrategy>,
    /// 10 to 7200 seconds (default 300).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_seconds: Option<u32>,
    /// 1 to 1000 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_callers: Option<u32>,
    /// 0 to 600 seconds (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap_up_seconds: Option<u32>,
    /// Where calls go when the queue is full or the wait is over (default: hang up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
    /// One of the domain's music-on-hold files (default: the system's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub music_on_hold_id: Option<i64>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct QueuePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ring_strategy: Option<RingStrategy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_callers: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap_up_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
    /// `null` goes back to the system's hold music.
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub music_on_hold_id: Option<Option<i64>>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewAgentBody {
    /// The user's extension in this domain.
    pub user: String,
    /// 1 to 100; lower rings first (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// Overrides the queue's wrap-up time, 0 to 600 seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap_up_seconds: Option<u32>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap_up_seconds: Option<Option<u32>>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub logged_in: bool,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityBody {
    pub status: AgentStatus,
    /// Why, when on break (e.g. "lunch"); at most 100 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub fn routes() -> Vec<Route> {
    use Access::Guarded;
    use Action::*;
    use Resource::{AgentAvailability as Avail, CallQueues, QueueAgents};
    let m =
        |method: Method, path, access, summary| route(method, path, access, "call center", summary);
    vec![
        m(
            Method::GET,
            "/api/v1/domains/{domain}/call-queues",
            Guarded(CallQueues, Read),
            "List call queues",
        )
        .query::<QueueQuery>()
        .returns::<ListResponse<CallQueue>>()
        .to(list),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/call-queues/count",
            Guarded(CallQueues, Read),
            "Count call queues",
        )
        .query::<QueueQuery>()
        .returns::<CountResponse>()
        .to(count),
        m(
            Method::POST,
            "/api/v1/domains/{domain}/call-queues",
            Guarded(CallQueues, Create),
            "Create a call queue",
        )
        .body::<NewQueueBody>()
        .created::<CallQueue>()
        .to(create),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/call-queues/{queue}",
            Guarded(CallQueues, Read),
            "Get a call queue",
        )
        .returns::<CallQueue>()
        .to(get),
        m(
            Method::PATCH,
            "/api/v1/domains/{domain}/call-queues/{queue}",
            Guarded(CallQueues, Update),
            "Change a call queue",
        )
        .body::<QueuePatch>()
        .returns::<CallQueue>()
        .to(update),
        m(
            Method::DELETE,
            "/api/v1/domains/{domain}/call-queues/{queue}",
            Guarded(CallQueues, Delete),
            "Delete a call queue",
        )
        .query::<super::DeleteQuery>()
        .no_content()
        .to(delete),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/call-queues/{queue}/agents",
            Guarded(QueueAgents, Read),
            "List a queue's agents",
        )
        .returns::<Vec<QueueAgent>>()
        .to(list_agents),
        m(
            Method::POST,
            "/api/v1/domains/{domain}/call-queues/{queue}/agents",
            Guarded(QueueAgents, Create),
            "Add an agent to a queue",
        )
        .body::<NewAgentBody>()
        .created::<QueueAgent>()
        .to(add_agent),
        m(
            Method::PATCH,
            "/api/v1/domains/{domain}/call-queues/{queue}/agents/{user}",
            Guarded(QueueAgents, Update),
            "Change an agent's priority or wrap-up",
        )
        .body::<AgentPatch>()
        .returns::<QueueAgent>()
        .to(update_agent),
        m(
            Method::DELETE,
            "/api/v1/domains/{domain}/call-queues/{queue}/agents/{user}",
            Guarded(QueueAgents, Delete),
            "Remove an agent from a queue",
        )
        .no_content()
        .to(remove_agent),
        m(
            Method::PUT,
            "/api/v1/domains/{domain}/call-queues/{queue}/agents/{user}/login",
            Guarded(Avail, Update),
            "Log an agent in to or out of a queue",
        )
        .body::<LoginBody>()
        .returns::<QueueAgent>()
        .to(set_login),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/users/{user}/availability",
            Guarded(Avail, Read),
            "An agent's availability and queues",
        )
        .returns::<Availability>()
        .to(get_availability),
        m(
            Method::PUT,
            "/api/v1/domains/{domain}/users/{user}/availability",
            Guarded(Avail, Update),
            "Set an agent's availability",
        )
        .body::<AvailabilityBody>()
        .returns::<Availability>()
        .to(put_availability),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

fn bounded(
    name: &str,
    value: Option<u32>,
    range: std::ops::RangeInclusive<u32>,
) -> ApiResult<Option<u32>> {
    match value {
        Some(v) if !range.contains(&v) => Err(ApiError::invalid(
            name,
            format!("{name} is between {} and {}", range.start(), range.end()),
        )),
        other => Ok(other),
    }
}

fn queue_target(queue: &CallQueue, reseller: ResellerId) -> Target<'_> {
    Target::domain(reseller, queue.domain_id)
        .in_sites(queue.site_id.as_slice())
        .in_queues(std::slice::from_ref(&queue.id))
}

/// A queue by extension, visible to the caller.
pub async fn resolve_queue(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    raw: &str,
) -> ApiResult<CallQueue> {
    let extension = switchboard_domain::Extension::parse(raw).map_err(|_| ApiError::not_found())?;
    let vis = visibility_for_lookup(caller, Resource::CallQueues)?;
    Ok(state
        .store
        .get_call_queue(&vis, domain.id, &extension)
        .await?)
}

async fn list(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<QueueQuery>,
) -> ApiResult<Json<ListResponse<CallQueue>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::CallQueues)?;
    let page = state
        .store
        .list_call_queues(
            &vis,
            domain.id,
            q.q.as_deref(),
            page_request(q.cursor.as_deref(), q.limit)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(page, |q| q)))
}

async fn count(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<QueueQuery>,
) -> ApiResult<Json<CountResponse>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::CallQueues)?;
    Ok(Json(CountResponse {
        count: state
            .store
            .count_call_queues(&vis, domain.id, q.q.as_deref())
            .await?,
    }))
}

async fn create(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<NewQueueBody>,
) -> ApiResult<(StatusCode, Json<CallQueue>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let site_id = body.site_id.map(SiteId);
    let sites: Vec<SiteId> = site_id.into_iter().collect();
    let permit = authorize_create(
        &caller.actor,
        Resource::CallQueues,
        &Target::domain(domain.reseller_id, domain.id).in_sites(&sites),
    )?;
    let defaults = QueueSettings::default();
    let new = NewQueue {
        domain_id: domain.id,
        site_id,
        extension: required(
            "extension",
            &body.extension,
            switchboard_domain::Extension::parse,
        )?,
        name: required("name", &body.name, Label::parse)?,
        settings: QueueSettings {
            ring_strategy: body.ring_strategy.unwrap_or(defaults.ring_strategy),
            max_wait_seconds: bounded("max_wait_seconds", body.max_wait_seconds, 10..=7200)?
                .unwrap_or(defaults.max_wait_seconds),
            max_callers: bounded("max_callers", body.max_callers, 1..=1000)?
                .unwrap_or(defaults.max_callers),
            wrap_up_seconds: bounded("wrap_up_seconds", body.wrap_up_seconds, 0..=600)?
                .unwrap_or(defaults.wrap_up_seconds),
            overflow: body.overflow.unwrap_or(defaults.overflow),
            music_on_hold_id: body.music_on_hold_id.map(switchboard_domain::Id::new),
        },
    };
    let created = state
        .store
        .create_call_queue(&permit, &caller.audit(), domain.reseller_id, new)
        .await?;
    queue_changed(&state, &domain, &created.extension, false);
    Ok((StatusCode::CREATED, Json(created)))
}

/// Tell the connected switches a queue changed.
fn queue_changed(
    state: &AppState,
    domain: &Domain,
    extension: &switchboard_domain::Extension,
    removed: bool,
) {
    state.switch.changed(SwitchChange::Queue {
        domain: domain.name.clone(),
        extension: extension.clone(),
        removed,
    });
}

async fn get(
    State(state): S,
    Extension(caller): C,
    Path((domain, queue)): Path<(String, String)>,
) -> ApiResult<Json<CallQueue>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(resolve_queue(&state, &caller, &domain, &queue).await?))
}

/// Change a queue within the caller's field limits.
pub async fn update_queue(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    before: &CallQueue,
    body: QueuePatch,
) -> ApiResult<CallQueue> {
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::CallQueues,
        &queue_target(before, domain.reseller_id),
    )?;
    let allowed = queue_update_allowance(&caller.actor);
    let refuse = |f: &str| {
        ApiError::forbidden(
            "field_not_allowed",
            format!("your scope does not let you change {f}"),
        )
        .with_field(f)
    };
    for (name, present, ok) in [
        ("extension", body.extension.is_some(), allowed.identity),
        ("name", body.name.is_some(), allowed.identity),
        ("site_id", body.site_id.is_some(), allowed.site),
        (
            "ring_strategy",
            body.ring_strategy.is_some(),
            allowed.behaviour,
        ),
        (
            "max_wait_seconds",
            body.max_wait_seconds.is_some(),
            allowed.behaviour,
        ),
        ("max_callers", body.max_callers.is_some(), allowed.behaviour),
        (
            "wrap_up_seconds",
            body.wrap_up_seconds.is_some(),
            allowed.behaviour,
        ),
        ("overflow", body.overflow.is_some(), allowed.behaviour),
        (
            "music_on_hold_id",
            body.music_on_hold_id.is_some(),
            allowed.behaviour,
        ),
    ] {
        if present && !ok {
            return Err(refuse(name));
        }
    }
    let changes = QueueChanges {
        name: field("name", body.name.as_deref(), Label::parse)?,
        site_id: body.site_id.map(|s| s.map(SiteId)),
        extension: field(
            "extension",
            body.extension.as_deref(),
            switchboard_domain::Extension::parse,
        )?,
        ring_strategy: body.ring_strategy,
        max_wait_seconds: bounded("max_wait_seconds", body.max_wait_seconds, 10..=7200)?,
        max_callers: bounded("max_callers", body.max_callers, 1..=1000)?,
        wrap_up_seconds: bounded("wrap_up_seconds", body.wrap_up_seconds, 0..=600)?,
        overflow: body.overflow,
        music_on_hold_id: body
            .music_on_hold_id
            .map(|m| m.map(switchboard_domain::Id::new)),
    };
    let after = state
        .store
        .update_call_queue(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            before,
            changes,
        )
        .await?;
    if after.extension != before.extension {
        queue_changed(state, domain, &before.extension, true);
    }
    queue_changed(state, domain, &after.extension, false);
    Ok(after)
}

async fn update(
    State(state): S,
    Extension(caller): C,
    Path((domain, queue)): Path<(String, String)>,
    JsonBody(body): JsonBody<QueuePatch>,
) -> ApiResult<Json<CallQueue>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = resolve_queue(&state, &caller, &domain, &queue).await?;
    Ok(Json(
        update_queue(&state, &caller, &domain, &before, body).await?,
    ))
}

async fn delete(
    State(state): S,
    Extension(caller): C,
    Path((domain, queue)): Path<(String, String)>,
    QueryParams(q): QueryParams<super::DeleteQuery>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = resolve_queue(&state, &caller, &domain, &queue).await?;
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        Resource::CallQueues,
        &queue_target(&before, domain.reseller_id),
    )?;
    state
        .store
        .delete_call_queue(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            &before,
            q.reroute()?.as_ref(),
        )
        .await?;
    queue_changed(&state, &domain, &before.extension, true);
    Ok(StatusCode::NO_CONTENT)
}

// ----- agents -----

async fn list_agents(
    State(state): S,
    Extension(caller): C,
    Path((domain, queue)): Path<(String, String)>,
) -> ApiResult<Json<Vec<QueueAgent>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let queue = resolve_queue(&state, &caller, &domain, &queue).await?;
    let vis = visibility_for_list(&caller, Resource::QueueAgents)?;
    Ok(Json(state.store.list_queue_agents(&vis, &queue).await?))
}

/// Add a user of the queue's domain as an agent. The user is named by extension; a supervisor
/// may add any user of its domain to the queues it manages.
pub async fn add_agent_service(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    queue: &CallQueue,
    body: NewAgentBody,
) -> ApiResult<QueueAgent> {
    let permit = authorize_create(
        &caller.actor,
        Resource::QueueAgents,
        &queue_target(queue, domain.reseller_id),
    )?;
    let extension = required("user", &body.user, switchboard_domain::Extension::parse)?;
    let user = state
        .store
        .user_reference(domain.id, &extension)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "user",
                format!("user: no user with extension {extension} in this domain"),
            )
        })?;
    let priority = bounded("priority", body.priority, 1..=100)?.unwrap_or(1);
    let wrap = bounded("wrap_up_seconds", body.wrap_up_seconds, 0..=600)?;
    let added = state
        .store
        .add_queue_agent(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            queue,
            &user,
            Membership {
                priority,
                wrap_up_seconds: wrap,
            },
        )
        .await?;
    state.switch.changed(SwitchChange::Agent(added.user_id));
    Ok(added)
}

async fn add_agent(
    State(state): S,
    Extension(caller): C,
    Path((domain, queue)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewAgentBody>,
) -> ApiResult<(StatusCode, Json<QueueAgent>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let queue = resolve_queue(&state, &caller, &domain, &queue).await?;
    Ok((
        StatusCode::CREATED,
        Json(add_agent_service(&state, &caller, &domain, &queue, body).await?),
    ))
}

async fn resolve_agent(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    queue: &CallQueue,
    raw: &str,
) -> ApiResult<QueueAgent> {
    let extension = switchboard_domain::Extension::parse(raw).map_err(|_| ApiError::not_found())?;
    let user = state
        .store
        .user_reference(domain.id, &extension)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let vis = visibility_for_lookup(caller, Resource::QueueAgents)?;
    Ok(state.store.get_queue_agent(&vis, queue, user.id).await?)
}

/// One membership named by `{domain}/{queue}/{user}`, and the policy's permit to act on it.
struct MembershipAction {
    domain: Domain,
    queue: CallQueue,
    agent: QueueAgent,
    permit: switchboard_policy::Permit,
}

async fn membership_action(
    state: &AppState,
    caller: &Caller,
    (domain, queue, user): (String, String, String),
    action: Action,
    resource: Resource,
) -> ApiResult<MembershipAction> {
    let domain = resolve_domain(state, caller, &domain).await?;
    let queue = resolve_queue(state, caller, &domain, &queue).await?;
    let agent = resolve_agent(state, caller, &domain, &queue, &user).await?;
    let permit = authorize(
        &caller.actor,
        action,
        resource,
        &queue_target(&queue, domain.reseller_id).owned_by(agent.user_id),
    )?;
    Ok(MembershipAction {
        domain,
        queue,
        agent,
        permit,
    })
}

async fn update_agent(
    State(state): S,
    Extension(caller): C,
    Path(path): Path<(String, String, String)>,
    JsonBody(body): JsonBody<AgentPatch>,
) -> ApiResult<Json<QueueAgent>> {
    let m = membership_action(&state, &caller, path, Action::Update, Resource::QueueAgents).await?;
    let changes = AgentChanges {
        priority: bounded("priority", body.priority, 1..=100)?,
        wrap_up_seconds: match body.wrap_up_seconds {
            Some(Some(v)) => Some(bounded("wrap_up_seconds", Some(v), 0..=600)?),
            other => other,
        },
    };
    let updated = state
        .store
        .update_queue_agent(
            &m.permit,
            &caller.audit(),
            m.domain.reseller_id,
            &m.queue,
            &m.agent,
            changes,
        )
        .await?;
    state.switch.changed(SwitchChange::Agent(updated.user_id));
    Ok(Json(updated))
}

async fn remove_agent(
    State(state): S,
    Extension(caller): C,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let m = membership_action(&state, &caller, path, Action::Delete, Resource::QueueAgents).await?;
    state
        .store
        .remove_queue_agent(
            &m.permit,
            &caller.audit(),
            m.domain.reseller_id,
            &m.queue,
            &m.agent,
        )
        .await?;
    state.switch.changed(SwitchChange::Agent(m.agent.user_id));
    Ok(StatusCode::NO_CONTENT)
}

async fn set_login(
    State(state): S,
    Extension(caller): C,
    Path(path): Path<(String, String, String)>,
    JsonBody(body): JsonBody<LoginBody>,
) -> ApiResult<Json<QueueAgent>> {
    let m = membership_action(
        &state,
        &caller,
        path,
        Action::Update,
        Resource::AgentAvailability,
    )
    .await?;
    let agent = state
        .store
        .set_queue_login(
            &m.permit,
            &caller.audit(),
            m.domain.reseller_id,
            &m.queue,
            &m.agent,
            body.logged_in,
        )
        .await?;
    state.switch.changed(SwitchChange::Agent(agent.user_id));
    Ok(Json(agent))
}

// ----- availability -----

fn agent_target(record: &UserRecord) -> Target<'_> {
    Target::domain(record.reseller_id, record.user.domain_id)
        .in_sites(record.user.site_id.as_slice())
        .owned_by(record.user.id)
        .in_queues(&record.agent_queues)
}

/// An agent's availability, with the memberships the caller may see.
pub async fn availability_of(
    state: &AppState,
    caller: &Caller,
    target: &UserRecord,
) -> ApiResult<Availability> {
    authorize(
        &caller.actor,
        Action::Read,
        Resource::AgentAvailability,
        &agent_target(target),
    )?;
    let vis = visibility_for_lookup(caller, Resource::QueueAgents)?;
    Ok(state.store.availability(&vis, target.user.id).await?)
}

async fn get_availability(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<Json<Availability>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    Ok(Json(availability_of(&state, &caller, &target).await?))
}

/// Set an agent's availability: the agent its own, a supervisor its queues' agents'.
pub async fn set_availability(
    state: &AppState,
    caller: &Caller,
    target: &UserRecord,
    body: AvailabilityBody,
) -> ApiResult<Availability> {
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::AgentAvailability,
        &agent_target(target),
    )?;
    if target.agent_queues.is_empty() {
        return Err(ApiError::conflict(
            "not_an_agent",
            format!(
                "user {} is not an agent of any call queue",
                target.user.extension
            ),
        ));
    }
    let reason = match (body.status, body.reason) {
        (AgentStatus::OnBreak, reason) => {
            field("reason", reason.as_deref(), Label::parse)?.map(Label::into_string)
        }
        (_, Some(_)) => {
            return Err(ApiError::invalid(
                "reason",
                "reason: a reason goes with on_break only",
            ));
        }
        (_, None) => None,
    };
    state
        .store
        .set_availability(&permit, &caller.audit(), target, body.status, reason)
        .await?;
    state.switch.changed(SwitchChange::Agent(target.user.id));
    availability_of(state, caller, target).await
}

async fn put_availability(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<AvailabilityBody>,
) -> ApiResult<Json<Availability>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    Ok(Json(
        set_availability(&state, &caller, &target, body).await?,
    ))
}
