//! Kamailio's side of the conversation (its `http_client` module asking, `jansson` building what
//! it posts), and the `kamailio.cfg` that makes it ask:
//!
//! - `GET  /switch/kamailio/ha1?user=&realm=` → the HA1 of an enabled login (text), or 404;
//! - `POST /switch/kamailio/registration` (JSON) ← what a REGISTER left in Kamailio's location;
//! - `GET  /switch/kamailio/route?call_id=&from_user=&from_domain=&to_user=&to_domain=&stage=&target=`
//!   → `ring_ms|sip-uri` for one target of one stage of the call's plan (200), 204 past the last
//!   target of a stage (or past the last stage), or the refusal's SIP code (486, 404, 403, 480);
//! - `POST /switch/kamailio/answered` (JSON) ← `event_route[dialog:start]`: a caller who waited
//!   in a queue (while a queue's stages rang its agents) no longer does;
//! - `POST /switch/kamailio/cdr` (JSON) ← `event_route[dialog:end]` and `[dialog:failed]`.
//!
//! A plan is resolved once per call, when stage 0 is asked, and kept for its later stages.

use super::plan::{CallRequest, Refusal, Target};
use super::resolved::{Endpoints, Resolved, keep_plan, kept_plan, plan_call, take_plan};
use super::waiting;
use super::{FromSwitch, plain_text};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams};
use crate::routes::{Access, Route, route};
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, operator_permit, operator_visibility};
use switchboard_store::SipRegistration;

pub fn routes() -> Vec<Route> {
    let m = |method, path, summary| route(method, path, Access::Public, "switch", summary);
    vec![
        m(Method::GET, "/switch/kamailio/ha1", "Kamailio: the HA1 of an enabled SIP login (text/plain), or 404; the switch's shared secret, HTTP basic")
            .query::<Ha1Query>()
            .file("text/plain")
            .to(ha1),
        m(Method::POST, "/switch/kamailio/registration", "Kamailio: a phone registered (or unregistered, expires 0)")
            .body::<RegistrationReport>()
            .no_content()
            .to(registration),
        m(Method::GET, "/switch/kamailio/route", "Kamailio: one target of one stage of a call's plan, as `ring_ms|sip-uri`; 204 past the last; a refusal as its SIP code")
            .query::<RouteQuery>()
            .file("text/plain")
            .to(route_call),
        m(Method::POST, "/switch/kamailio/answered", "Kamailio: a call was answered (dialog:start): a caller waiting in a queue no longer is")
            .body::<AnsweredReport>()
            .no_content()
            .to(answered),
        m(Method::POST, "/switch/kamailio/cdr", "Kamailio: a call ended (dialog:end) or failed (dialog:failed); idempotent by Call-ID")
            .body::<DialogRecord>()
            .returns::<IngestSummary>()
            .to(cdr),
    ]
}

async fn domain_named(state: &AppState, name: &str) -> ApiResult<Domain> {
    let name = DomainName::parse(name).map_err(|e| ApiError::invalid("realm", e.0))?;
    Ok(state
        .store
        .get_domain_by_name(&operator_visibility(Resource::Domains), &name)
        .await?)
}

// ---------- logins ----------

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ha1Query {
    /// The digest username (`$au`).
    pub user: String,
    /// The realm: the domain's name.
    pub realm: String,
}

async fn ha1(
    _: FromSwitch,
    State(state): State<AppState>,
    QueryParams(q): QueryParams<Ha1Query>,
) -> ApiResult<Response> {
    let domain = domain_named(&state, &q.realm).await?;
    let vis = operator_visibility(Resource::Devices);
    match state.store.sip_ha1(&vis, domain.id, &q.user).await? {
        Some(ha1) => Ok(plain_text(StatusCode::OK, ha1)),
        None => Err(ApiError::not_found()),
    }
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationReport {
    pub user: String,
    pub realm: String,
    /// The Contact URI the phone registered.
    pub contact: String,
    /// Seconds the registration lasts; 0 unregisters.
    pub expires: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `address:port` it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

async fn registration(
    _: FromSwitch,
    State(state): State<AppState>,
    JsonBody(report): JsonBody<RegistrationReport>,
) -> ApiResult<StatusCode> {
    let domain = domain_named(&state, &report.realm).await?;
    if !(0..=86_400 * 7).contains(&report.expires) {
        return Err(ApiError::invalid("expires", "expires: 0 to 604800 seconds"));
    }
    let now = Timestamp::now();
    let registered = (report.expires > 0).then(|| SipRegistration {
        contact: report.contact.clone(),
        user_agent: report.user_agent.clone().filter(|a| !a.is_empty()),
        source: report.source.clone().filter(|s| !s.is_empty()),
        registered_at: now,
        expires_at: now.plus_seconds(report.expires),
    });
    let permit = operator_permit(Resource::Devices, Action::Update);
    if state
        .store
        .record_registration(&permit, domain.id, &report.user, registered.as_ref())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

// ---------- routing ----------

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteQuery {
    pub call_id: String,
    /// The caller's user and domain (From).
    pub from_user: String,
    pub from_domain: String,
    /// What was dialled, and the domain dialled into (Request-URI).
    pub to_user: String,
    pub to_domain: String,
    /// Which stage of the plan (0 decides the call).
    #[serde(default)]
    pub stage: usize,
    /// Which target of that stage.
    #[serde(default)]
    pub target: usize,
    /// How the last stage ended (its final SIP code), when asking for the next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<u16>,
}

/// What Kamailio relays to: a phone's registered contact, the gateway's or the media server's
/// URI. Phones not registered are left out.
struct Uris(SwitchRoutes);

impl Endpoints for Uris {
    fn endpoint(&self, target: &Target) -> Option<String> {
        match target {
            // Enabled logins only, with their live registration (see `plan::phones`).
            Target::Device { contact, .. } => contact.clone(),
            Target::External(number) => self.0.gateway.as_ref().map(|g| g.fill(number.as_str())),
            Target::Media(service) => self.0.media_server.as_ref().map(|m| m.fill(service)),
        }
    }
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::Busy => plain_text(
            StatusCode::from_u16(486).unwrap_or(StatusCode::CONFLICT),
            "Busy Here",
        ),
        Refusal::NotFound => plain_text(StatusCode::NOT_FOUND, "Not Found"),
        Refusal::Forbidden => plain_text(StatusCode::FORBIDDEN, "Forbidden"),
        Refusal::Unavailable => plain_text(
            StatusCode::from_u16(480).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            "Temporarily Unavailable",
        ),
    }
}

async fn route_call(
    _: FromSwitch,
    State(state): State<AppState>,
    QueryParams(q): QueryParams<RouteQuery>,
) -> ApiResult<Response> {
    // A call is decided once, at its first question; the rest read the plan it was given.
    let kept = match (q.stage, q.target) {
        (0, 0) => None,
        _ => kept_plan(&state, &q.call_id).await?,
    };
    let plan = match kept {
        None => {
            let domain = match domain_named(&state, &q.to_domain).await {
                Ok(d) => d,
                Err(e) if e.status == StatusCode::NOT_FOUND => {
                    return Ok(refusal(Refusal::NotFound));
                }
                Err(e) => return Err(e),
            };
            let at = state.switch.now();
            let call = CallRequest {
                domain: &domain,
                caller_domain: &q.from_domain,
                dialled: &q.to_user,
                at,
            };
            match plan_call(&state, &q.call_id, &call, Uris).await? {
                Ok(plan) => plan,
                Err(why) => return Ok(refusal(why)),
            }
        }
        Some(mut plan) => {
            // The first stage ended busy: take the busy stages, if the plan has them.
            if q.stage == 1 && q.target == 0 && plan.busy.is_some() {
                plan.took_busy = matches!(q.failed, Some(486 | 600 | 603));
                keep_plan(&state, &q.call_id, &plan).await?;
            }
            plan
        }
    };
    if q.target == 0 {
        waiting_at_stage(&state, &q, &plan).await?;
    }
    Ok(
        match plan
            .stage(q.stage)
            .and_then(|(ms, uris)| uris.get(q.target).map(|u| (ms, u)))
        {
            Some((ms, uri)) => plain_text(StatusCode::OK, format!("{ms}|{uri}")),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// A stage that rings a queue's agents: the caller waits in that queue while they ring; the
/// stage after the queue's (its overflow) ends the wait, as answering or hanging up does. The
/// queue's later stages (the next agent's turn) find the caller already waiting there.
async fn waiting_at_stage(state: &AppState, q: &RouteQuery, plan: &Resolved) -> ApiResult<()> {
    let before = q.stage.checked_sub(1).and_then(|n| plan.stage_queue(n));
    match plan.stage_queue(q.stage) {
        Some(queue) if before == Some(queue) => Ok(()),
        Some(queue) => {
            let domain = domain_named(state, &q.to_domain).await?;
            waiting::joined(state, &q.call_id, &domain, queue, state.switch.now()).await
        }
        None if before.is_some() => waiting::left(state, &q.call_id).await,
        None => Ok(()),
    }
}

/// What `event_route[dialog:start]` posts when a call is answered.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnsweredReport {
    /// The Call-ID.
    pub callid: String,
}

async fn answered(
    _: FromSwitch,
    State(state): State<AppState>,
    JsonBody(report): JsonBody<AnsweredReport>,
) -> ApiResult<StatusCode> {
    waiting::left(&state, &report.callid).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------- call records ----------

/// What `event_route[dialog:end]` / `[dialog:failed]` posts (built with `jansson_set`).
#[derive(Deserialize, Serialize, JsonSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct DialogRecord {
    /// The Call-ID.
    pub callid: String,
    /// From and To URIs of the dialog.
    pub from: String,
    pub to: String,
    /// The Contact of who answered (absent or empty when nobody did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    /// When the INVITE arrived, Unix seconds.
    pub created: i64,
    /// When it was answered (`$dlg(start_ts)`), Unix seconds; 0 when it was not.
    #[serde(default)]
    pub start: i64,
    /// When it ended, Unix seconds.
    pub end: i64,
    /// The final SIP code of a failed call (486 busy, 487 cancelled, 408 no answer, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// BYE, or `failed`.
    pub ended_by: String,
}

fn user_part(uri: &str) -> &str {
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))
        .unwrap_or(uri);
    rest.split(['@', ';', '>']).next().unwrap_or(rest)
}

fn host_part(uri: &str) -> &str {
    uri.split_once('@')
        .map_or("", |(_, h)| h.split([';', '>', ':']).next().unwrap_or(h))
}

async fn cdr(
    _: FromSwitch,
    State(state): State<AppState>,
    JsonBody(record): JsonBody<DialogRecord>,
) -> ApiResult<Json<IngestSummary>> {
    let summary = ingest_dialog(&state, &record).await;
    if summary.is_err() {
        state.metrics.import_error();
    }
    Ok(Json(summary?))
}

/// Turn a dialog's record into a call of the dialled domain's history.
pub async fn ingest_dialog(state: &AppState, record: &DialogRecord) -> ApiResult<IngestSummary> {
    if record.callid.trim().is_empty() {
        return Err(ApiError::invalid("callid", "callid: empty"));
    }
    if record.end < record.created
        || record.start != 0 && (record.start < record.created || record.start > record.end)
    {
        return Err(ApiError::invalid(
            "end",
            "end: the times are out of order (created ≤ start ≤ end)",
        ));
    }
    let domain = domain_named(state, host_part(&record.to)).await?;
    let plan = take_plan(state, &record.callid).await?;
    let queued = plan.as_ref().is_some_and(|p| {
        p.stage_queues
            .iter()
            .chain(&p.busy_queues)
            .any(Option::is_some)
    });
    if queued {
        // A caller who hung up while waiting.
        waiting::left(state, &record.callid).await?;
    }
    let callee = plan.map(|p| p.callee).unwrap_or_default();
    let devices = operator_visibility(Resource::Devices);
    let dir = state.store.extension_directory(domain.id).await?;
    let owner_of = |account: Option<switchboard_store::SipAccount>| {
        account
            .and_then(|a| a.owner_id)
            .and_then(|id| dir.user_extension(id).map(str::to_owned))
    };
    let (from_user, to_user) = (user_part(&record.from), user_part(&record.to));
    let caller = owner_of(
        state
            .store
            .sip_login(&devices, domain.id, from_user)
            .await?,
    );
    let answered = record.start > 0 && record.ended_by != "failed";
    let answerer = match record
        .answered_by
        .as_deref()
        .filter(|c| answered && !c.is_empty())
    {
        Some(contact) => owner_of(
            state
                .store
                .sip_login_at(&devices, domain.id, contact)
                .await?,
        ),
        None => None,
    };
    let disposition = if answered {
        Disposition::Answered
    } else {
        match record.code {
            Some(486) | Some(600) => Disposition::Busy,
            Some(487) => Disposition::Abandoned,
            Some(408) | Some(480) | Some(404) | None => Disposition::Missed,
            Some(_) => Disposition::Failed,
        }
    };
    let answered = answered.then_some(record.start);
    super::record_call(
        state,
        &domain,
        &dir,
        super::EndedCall {
            call_id: record.callid.clone(),
            from_inside: host_part(&record.from).eq_ignore_ascii_case(domain.name.as_str()),
            caller,
            from: from_user.to_owned(),
            to: to_user.to_owned(),
            callee,
            answerer,
            started: record.created,
            answered,
            ended: record.end,
            disposition,
            switch: "kamailio",
        },
    )
    .await
}

// ---------- the configuration ----------

/// What `switchboard kamailio config` needs to know.
pub struct ConfigParams<'a> {
    /// Where Kamailio listens for SIP (`udp:127.0.0.1:5060`).
    pub listen: &'a str,
    /// Switchboard's address as Kamailio reaches it (`http://127.0.0.1:8080`).
    pub switchboard: &'a str,
    pub secret: &'a str,
    /// Kamailio's worker processes (each http_client query holds one while it waits).
    pub children: u32,
}

/// A complete `kamailio.cfg` (Kamailio 5.6) for this installation.
pub fn config(p: &ConfigParams<'_>) -> String {
    let base = p.switchboard.trim_end_matches('/');
    let (scheme, host) = base.split_once("://").unwrap_or(("http", base));
    let url = format!("{scheme}://switch:{}@{host}/switch/kamailio", p.secret);
    KAMAILIO_CFG
        .replace("@LISTEN@", p.listen)
        .replace("@SWITCHBOARD@", &url)
        .replace("@CHILDREN@", &p.children.to_string())
}

const KAMAILIO_CFG: &str = include_str!("kamailio.cfg");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_split_into_user_and_host() {
        assert_eq!(user_part("sip:105-3@acme.example"), "105-3");
        assert_eq!(
            host_part("sip:105-3@acme.example;transport=udp"),
            "acme.example"
        );
        assert_eq!(
            host_part("<sip:+12125550100@acme.example:5060>"),
            "acme.example"
        );
        assert_eq!(user_part("sip:acme.example"), "acme.example");
    }

    #[test]
    fn the_config_names_this_installation() {
        let cfg = config(&ConfigParams {
            listen: "udp:127.0.0.1:5070",
            switchboard: "http://127.0.0.1:8080/",
            secret: "s3cret",
            children: 4,
        });
        assert!(cfg.contains("listen=udp:127.0.0.1:5070"));
        assert!(cfg.contains("http://switch:s3cret@127.0.0.1:8080/switch/kamailio"));
        assert!(cfg.contains("children=4"));
        assert!(!cfg.contains('@') || !cfg.contains("@LISTEN@"));
    }
}
