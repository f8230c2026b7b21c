//! Where a call goes, decided from the data the portal edits, in the switch-neutral model of
//! DESIGN §9: a plan of stages, each a set of targets rung together for a ring time, tried in
//! turn; or a refusal. Each switch's adapter only translates a plan into its wire format.

use crate::AppState;
use crate::api::settings_extra::rule_in_force;
use crate::error::ApiResult;
use switchboard_domain::*;
use switchboard_policy::{Resource, operator_visibility};
use switchboard_store::{SettingFilter, SettingKind, StoreError};

/// What a switch does with a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Ring(Plan),
    Refuse(Refusal),
}

/// Why a call is refused; each adapter maps it to its own code (SIP 486, 404, 403, 480).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Do not disturb, or a queue that hangs up.
    Busy,
    /// No such extension, number or domain.
    NotFound,
    /// A caller outside the domain dialling its users.
    Forbidden,
    /// Somewhere this installation has no way to reach (no gateway, no media server).
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub stages: Vec<Stage>,
    /// Who the call was for, for its record.
    pub callee: Callee,
    /// What follows when the first stage answered busy, if that differs from what follows
    /// when nobody answered: `Some(vec![])` ends the call busy.
    pub busy: Option<Vec<Stage>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Callee {
    pub user: Option<Extension>,
    pub queue: Option<Extension>,
}

/// Targets rung together, for `ring_seconds`; when none answers, the next stage is tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub targets: Vec<Target>,
    pub ring_seconds: u32,
    /// The stage rings agents of this queue for it. A switch that runs queues itself (FreeSWITCH's
    /// `mod_callcenter`) hands the queue's run of stages to its queue instead; the others ring
    /// the targets as they are.
    pub queue: Option<Extension>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A phone, by its SIP username in the domain, with where it is registered now (read with
    /// the login, so the switch's adapter need not look it up again).
    Device {
        username: String,
        contact: Option<String>,
    },
    /// An outside number, through the configured gateway.
    External(E164),
    /// A service of the media server: `voicemail-105`, `attendant-700`, `conference-800`.
    Media(String),
}

/// How long a user's phones ring before a rule's "no answer" applies, when it names none.
pub const USER_RING_SECONDS: u32 = 30;
/// How long each agent rings in a queue that rings agents in turn.
pub const AGENT_RING_SECONDS: u32 = 15;
/// Forwards followed before a loop is assumed.
const MAX_DEPTH: u8 = 4;

/// The inputs of a decision.
pub struct CallRequest<'a> {
    /// The domain dialled into.
    pub domain: &'a Domain,
    /// The caller's domain (from its From header); another domain cannot reach this one's users.
    pub caller_domain: &'a str,
    /// What was dialled: an extension or a number.
    pub dialled: &'a str,
    /// The instant the call is decided at (the switch clock tests can set).
    pub at: Timestamp,
}

fn stage(targets: Vec<Target>, ring_seconds: u32) -> Stage {
    Stage {
        targets,
        ring_seconds,
        queue: None,
    }
}

pub async fn decide(state: &AppState, call: &CallRequest<'_>) -> ApiResult<Decision> {
    let from_inside = call
        .caller_domain
        .eq_ignore_ascii_case(call.domain.name.as_str());
    if let Ok(extension) = Extension::parse(call.dialled) {
        if !from_inside {
            return Ok(Decision::Refuse(Refusal::Forbidden));
        }
        return to_extension(state, call, &extension, 0).await;
    }
    match E164::parse(call.dialled) {
        Ok(number) => to_number(state, call, &number).await,
        Err(_) => Ok(Decision::Refuse(Refusal::NotFound)),
    }
}

/// The domain's setting of a kind with this unique key (a number, an extension).
async fn keyed<K: SettingKind>(
    state: &AppState,
    domain: DomainId,
    key: &str,
) -> ApiResult<Option<Setting<K>>> {
    let vis = operator_visibility(K::resource(false));
    let filter = SettingFilter {
        key: Some(key.to_owned()),
        ..SettingFilter::default()
    };
    let one = switchboard_store::PageRequest {
        after: None,
        limit: 1,
    };
    let page = state
        .store
        .list_settings::<K>(&[&vis], domain, &filter, one)
        .await?;
    Ok(page.items.into_iter().next())
}

/// A number: one of the domain's inbound numbers goes where the inventory routes it; any other
/// is an outside call, which only the domain's own phones may place.
async fn to_number(state: &AppState, call: &CallRequest<'_>, number: &E164) -> ApiResult<Decision> {
    let found = keyed::<PhoneNumber>(state, call.domain.id, number.as_str()).await?;
    let Some(did) = found else {
        if !call
            .caller_domain
            .eq_ignore_ascii_case(call.domain.name.as_str())
        {
            return Ok(Decision::Refuse(Refusal::NotFound));
        }
        return Ok(outside(number.clone(), Callee::default()));
    };
    let target = match did.body.route {
        Route::None => return Ok(Decision::Refuse(Refusal::NotFound)),
        Route::User(e) | Route::CallQueue(e) => return to_extension(state, call, &e, 0).await,
        Route::AutoAttendant(e) => format!("attendant-{e}"),
        Route::Conference(e) => format!("conference-{e}"),
        Route::External(n) => return Ok(outside(n, Callee::default())),
    };
    Ok(media(target, Callee::default()))
}

fn outside(number: E164, callee: Callee) -> Decision {
    Decision::Ring(Plan {
        stages: vec![stage(vec![Target::External(number)], USER_RING_SECONDS * 2)],
        callee,
        busy: None,
    })
}

fn media(service: String, callee: Callee) -> Decision {
    Decision::Ring(Plan {
        stages: vec![stage(vec![Target::Media(service)], USER_RING_SECONDS * 2)],
        callee,
        busy: None,
    })
}

/// An extension of the domain: a user, a queue, an attendant or a conference.
fn to_extension<'a>(
    state: &'a AppState,
    call: &'a CallRequest<'a>,
    extension: &'a Extension,
    depth: u8,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<Decision>> + Send + 'a>> {
    Box::pin(async move {
        if depth > MAX_DEPTH {
            return Ok(Decision::Refuse(Refusal::Unavailable));
        }
        let users = operator_visibility(Resource::Users);
        match state
            .store
            .get_user(&users, call.domain.id, extension)
            .await
        {
            Ok(user) => return to_user(state, call, &user.user, depth).await,
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        let queues = operator_visibility(Resource::CallQueues);
        match state
            .store
            .get_call_queue(&queues, call.domain.id, extension)
            .await
        {
            Ok(queue) => return to_queue(state, call, &queue, depth).await,
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        if keyed::<AutoAttendant>(state, call.domain.id, extension.as_str())
            .await?
            .is_some()
        {
            return Ok(media(format!("attendant-{extension}"), Callee::default()));
        }
        if keyed::<Conference>(state, call.domain.id, extension.as_str())
            .await?
            .is_some()
        {
            return Ok(media(format!("conference-{extension}"), Callee::default()));
        }
        Ok(Decision::Refuse(Refusal::NotFound))
    })
}

/// A user's phones (its devices' SIP logins), and whether any is registered. Registrations are
/// the present's (the store drops expired ones), whatever instant the rules are judged at.
async fn phones(state: &AppState, user: UserId) -> ApiResult<(Vec<Target>, bool)> {
    let vis = operator_visibility(Resource::Devices);
    let accounts = state.store.sip_accounts_of_user(&vis, user).await?;
    let registered = accounts.iter().any(|a| a.registration.is_some());
    Ok((
        accounts
            .into_iter()
            .map(|a| Target::Device {
                contact: a.registration.map(|r| r.contact),
                username: a.username,
            })
            .collect(),
        registered,
    ))
}

/// Where a rule's destination leads: a user or queue of the domain (their own plan), else an
/// outside number.
async fn destination(
    state: &AppState,
    call: &CallRequest<'_>,
    to: &Destination,
    depth: u8,
) -> ApiResult<Decision> {
    match Extension::parse(to.as_str()) {
        Ok(extension) => to_extension(state, call, &extension, depth + 1).await,
        Err(_) => match E164::parse(to.as_str()) {
            Ok(number) => Ok(outside(number, Callee::default())),
            Err(_) => Ok(Decision::Refuse(Refusal::NotFound)),
        },
    }
}

/// The stages of a decision (none for a refusal: the call ends there).
fn stages_of(decision: Decision) -> Vec<Stage> {
    match decision {
        Decision::Ring(plan) => plan.stages,
        Decision::Refuse(_) => Vec::new(),
    }
}

async fn to_user(
    state: &AppState,
    call: &CallRequest<'_>,
    user: &User,
    depth: u8,
) -> ApiResult<Decision> {
    let callee = Callee {
        user: Some(user.extension.clone()),
        queue: None,
    };
    let rules = operator_visibility(AnswerRule::resource(true));
    let rule = rule_in_force(state, call.domain, user.id, call.at, &[&rules]).await?;
    let (devices, registered) = phones(state, user.id).await?;
    let ring = |seconds| stage(devices.clone(), seconds);
    let with_callee = |decision: Decision| match decision {
        Decision::Ring(plan) => Decision::Ring(Plan {
            callee: callee.clone(),
            ..plan
        }),
        refused => refused,
    };
    let Some(rule) = rule else {
        if devices.is_empty() {
            return Ok(Decision::Refuse(Refusal::Unavailable));
        }
        return Ok(Decision::Ring(Plan {
            stages: vec![ring(USER_RING_SECONDS)],
            callee,
            busy: None,
        }));
    };
    Ok(match rule.body.action {
        RuleAction::DoNotDisturb => Decision::Refuse(Refusal::Busy),
        RuleAction::ForwardAlways { to } => {
            with_callee(destination(state, call, &to, depth).await?)
        }
        RuleAction::SendToVoicemail => media(format!("voicemail-{}", user.extension), callee),
        RuleAction::ForwardConditional {
            busy,
            no_answer,
            unreachable,
            ring_timeout_seconds,
        } => {
            if !registered && let Some(to) = unreachable.as_ref().or(no_answer.as_ref()) {
                with_callee(destination(state, call, to, depth).await?)
            } else {
                // Ring, then the "no answer" target; a busy phone goes to the "busy" target,
                // or ends busy when the rule names none.
                let mut stages = vec![ring(ring_timeout_seconds)];
                if let Some(to) = no_answer.as_ref() {
                    stages.extend(stages_of(destination(state, call, to, depth).await?));
                }
                let busy = match busy.as_ref() {
                    Some(to) => Some(stages_of(destination(state, call, to, depth).await?)),
                    None => Some(Vec::new()),
                };
                Decision::Ring(Plan {
                    stages,
                    callee,
                    busy,
                })
            }
        }
        RuleAction::SimultaneousRing {
            numbers,
            ring_timeout_seconds,
        } => {
            let mut targets = devices.clone();
            for number in &numbers {
                if let Decision::Ring(plan) = destination(state, call, number, depth).await?
                    && let Some(first) = plan.stages.into_iter().next()
                {
                    targets.extend(first.targets);
                }
            }
            Decision::Ring(Plan {
                stages: vec![stage(targets, ring_timeout_seconds)],
                callee,
                busy: None,
            })
        }
    })
}

/// A queue: its available, logged-in agents by its ring strategy, then its overflow.
async fn to_queue(
    state: &AppState,
    call: &CallRequest<'_>,
    queue: &CallQueue,
    depth: u8,
) -> ApiResult<Decision> {
    let callee = Callee {
        user: None,
        queue: Some(queue.extension.clone()),
    };
    let vis = operator_visibility(Resource::QueueAgents);
    let agents: Vec<QueueAgent> = state
        .store
        .list_queue_agents(&vis, queue)
        .await?
        .into_iter()
        .filter(|a| a.logged_in && a.status == AgentStatus::Available)
        .collect();
    let mut rung = Vec::new();
    for agent in &agents {
        let (devices, _) = phones(state, agent.user_id).await?;
        if !devices.is_empty() {
            rung.push((agent, devices));
        }
    }
    let wait = queue.max_wait_seconds.max(1);
    let for_queue = |targets, seconds| Stage {
        queue: Some(queue.extension.clone()),
        ..stage(targets, seconds)
    };
    let mut stages: Vec<Stage> = match queue.ring_strategy {
        RingStrategy::RingAll => {
            let all: Vec<Target> = rung.iter().flat_map(|(_, d)| d.clone()).collect();
            if all.is_empty() {
                Vec::new()
            } else {
                vec![for_queue(all, wait)]
            }
        }
        // In turn, by priority then extension (the store's order), each for the agent ring time,
        // as many rounds as the maximum wait allows; round robin starts one agent further on
        // each call; longest idle starts with whoever finished a call longest ago.
        strategy => {
            if strategy == RingStrategy::LongestIdle {
                // From call history: no answered call at all counts as idle longest; ties keep
                // the linear order.
                let users: Vec<UserId> = rung.iter().map(|(agent, _)| agent.user_id).collect();
                let calls = operator_visibility(Resource::CallHistory);
                let idle = state
                    .store
                    .idle_since(&calls, call.domain.id, &users)
                    .await?;
                rung.sort_by_key(|(agent, _)| idle.get(&agent.user_id).copied());
            }
            let mut turns: Vec<Stage> = rung
                .iter()
                .map(|(_, d)| for_queue(d.clone(), AGENT_RING_SECONDS.min(wait)))
                .collect();
            if strategy == RingStrategy::RoundRobin && !turns.is_empty() {
                let offered = state
                    .store
                    .offer_queue_turn(&super::switch_permit(), queue.id)
                    .await?;
                let start = usize::try_from(offered % turns.len() as u64).unwrap_or(0);
                turns.rotate_left(start);
            }
            let per_round: u32 = turns.iter().map(|s| s.ring_seconds).sum();
            let rounds = wait.checked_div(per_round).map_or(0, |r| r.max(1));
            (0..rounds).flat_map(|_| turns.clone()).collect()
        }
    };
    let overflow = match &queue.overflow {
        Overflow::HangUp => Decision::Refuse(Refusal::Busy),
        Overflow::User(e) | Overflow::Queue(e) => to_extension(state, call, e, depth + 1).await?,
        Overflow::Voicemail(e) => media(format!("voicemail-{e}"), Callee::default()),
        Overflow::External(n) => outside(n.clone(), Callee::default()),
    };
    match overflow {
        Decision::Ring(plan) => stages.extend(plan.stages),
        refused if stages.is_empty() => return Ok(refused),
        _ => {}
    }
    Ok(Decision::Ring(Plan {
        stages,
        callee,
        busy: None,
    }))
}
