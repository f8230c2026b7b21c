//! Where an Asterisk call goes: the `[switchboard]` context `switchboard asterisk config`
//! prints asks `GET /switch/asterisk/route` through `func_curl`, one stage at a time, and runs
//! what it answers, one line of `|`-separated fields the dialplan reads with `CUT`:
//!
//! - `dial|<seconds>|PJSIP/105@acme.example&PJSIP/105-2@acme.example`: `Dial` those together
//!   for that long; when none answers, the dialplan asks for the next stage with `DIALSTATUS`.
//!   The first answer of a call adds a fourth field, its domain, which becomes the channel's
//!   `accountcode` (so the call's `Cdr` names it, even from a trunk);
//! - `queue|<seconds>|650@acme.example`: the queue's run of stages handed to `Queue` (app_queue
//!   rings the members Switchboard keeps over AMI) with that timeout, then the next stage with
//!   `QUEUESTATUS`;
//! - `hangup|<cause>`: a refusal, or no stage left, as the Q.850 cause chan_pjsip answers with
//!   the SIP code the other connectors use (17 → 486, 1 → 404, 21 → 403, 20 and 19 → 480).
//!
//! The plan is decided once, at stage 0, by `plan::decide` as for every switch, and kept under
//! the channel's `UNIQUEID` until its `Cdr` event takes it.

use super::endpoint_id;
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::QueryParams;
use crate::switch::lookup::{first_domain_named, qualified_name};
use crate::switch::plan::{CallRequest, Refusal, Target};
use crate::switch::resolved::{Endpoints, Resolved, keep_plan, kept_plan, plan_call};
use crate::switch::{FromSwitch, plain_text};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::{Domain, DomainName, Extension, SwitchRoutes};
use switchboard_policy::{Resource, operator_visibility};

/// The context every Switchboard endpoint lands in, and a trunk's inbound numbers are sent to.
pub const CONTEXT: &str = "switchboard";
/// The endpoint calls to the gateway and the media server leave through.
pub const EXTERNAL_ENDPOINT: &str = "switchboard-external";
/// A stage handed to app_queue, as the plan is kept: `queue:<queue>@<domain>`.
const QUEUE_PREFIX: &str = "queue:";

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteQuery {
    /// The channel's `UNIQUEID`: the plan is kept under it between stages.
    pub call: String,
    /// The calling endpoint (`CHANNEL(endpoint)`): `login@domain` for a Switchboard phone,
    /// the trunk's name for a call from outside.
    pub endpoint: String,
    /// What was dialled (`EXTEN`).
    pub dialled: String,
    /// The Request-URI's host (`SIPDOMAIN`): the domain dialled into, when it names one.
    #[serde(default)]
    pub domain: String,
    /// Which stage of the plan (0 decides the call).
    #[serde(default)]
    pub stage: usize,
    /// How the last stage ended (`DIALSTATUS` or `QUEUESTATUS`), when asking for the next.
    #[serde(default)]
    pub status: String,
}

/// What Asterisk dials: a login's endpoint (Asterisk rings where it registered), the gateway
/// and the media server through the external endpoint, a queue through app_queue.
struct DialStrings<'a> {
    domain: &'a DomainName,
    routes: SwitchRoutes,
}

impl Endpoints for DialStrings<'_> {
    fn endpoint(&self, target: &Target) -> Option<String> {
        let through_external = |uri: String| format!("PJSIP/{EXTERNAL_ENDPOINT}/{uri}");
        match target {
            // An endpoint with no contact fails at once (CHANUNAVAIL); the others still ring.
            Target::Device { username, .. } => {
                Some(format!("PJSIP/{}", endpoint_id(username, self.domain)))
            }
            Target::External(number) => self
                .routes
                .gateway
                .as_ref()
                .map(|g| through_external(g.fill(number.as_str()))),
            Target::Media(service) => self
                .routes
                .media_server
                .as_ref()
                .map(|m| through_external(m.fill(service))),
        }
    }

    fn queue(&self, queue: &Extension) -> Option<String> {
        Some(format!(
            "{QUEUE_PREFIX}{}",
            qualified_name(queue, self.domain)
        ))
    }
}

/// The Q.850 cause a refusal hangs up with.
fn cause(why: Refusal) -> u8 {
    match why {
        Refusal::Busy => 17,
        Refusal::NotFound => 1,
        Refusal::Forbidden => 21,
        Refusal::Unavailable => 20,
    }
}

fn hangup(cause: u8) -> Response {
    plain_text(StatusCode::OK, format!("hangup|{cause}"))
}

/// The caller's domain: a login's own, when the endpoint is one of Switchboard's; none (a call
/// from outside) for a trunk.
async fn caller_domain(state: &AppState, endpoint: &str, called: &Domain) -> ApiResult<String> {
    let Some((login, domain)) = endpoint.rsplit_once('@') else {
        return Ok(String::new());
    };
    // Most calls stay in their domain: the one dialled into is already at hand.
    let found = if called.name.as_str().eq_ignore_ascii_case(domain) {
        Some(called.clone())
    } else {
        first_domain_named(state, [domain]).await?
    };
    let Some(found) = found else {
        return Ok(String::new());
    };
    let devices = operator_visibility(Resource::Devices);
    Ok(
        match state.store.sip_login(&devices, found.id, login).await? {
            Some(_) => found.name.as_str().to_owned(),
            None => String::new(),
        },
    )
}

pub async fn route(
    _: FromSwitch,
    State(state): State<AppState>,
    QueryParams(q): QueryParams<RouteQuery>,
) -> ApiResult<Response> {
    let kept = match q.stage {
        0 => None,
        _ => kept_plan(&state, &q.call).await?,
    };
    // The first answer also names the call's domain, which the dialplan makes the channel's
    // accountcode: a call from a trunk then has its domain in its record too.
    let (plan, domain) = match kept {
        Some(mut plan) => {
            if q.stage == 1 && plan.busy.is_some() {
                plan.took_busy = q.status == "BUSY";
                keep_plan(&state, &q.call, &plan).await?;
            }
            (plan, None)
        }
        // A later stage of a call never planned here: refused, not guessed.
        None if q.stage > 0 => return Ok(hangup(cause(Refusal::Unavailable))),
        None => match decide(&state, &q).await? {
            Ok((plan, domain)) => (plan, Some(domain)),
            Err(why) => return Ok(hangup(cause(why))),
        },
    };
    let named = domain.map(|d| format!("|{d}")).unwrap_or_default();
    Ok(match plan.stage(q.stage) {
        Some((ms, endpoints)) => {
            let seconds = ms.div_ceil(1000).max(1);
            let (what, dialled) = match endpoints.first().and_then(|e| e.strip_prefix(QUEUE_PREFIX))
            {
                Some(queue) => ("queue", queue.to_owned()),
                None => ("dial", endpoints.join("&")),
            };
            plain_text(StatusCode::OK, format!("{what}|{seconds}|{dialled}{named}"))
        }
        // Nothing left: busy when the last stage was, or when a busy first stage ends the
        // call (a plan whose busy stages are none), else unanswered.
        None if q.status == "BUSY" || (plan.took_busy && q.stage == 1) => {
            hangup(cause(Refusal::Busy))
        }
        None => hangup(19),
    })
}

/// Stage 0: the call decided, resolved into dial strings and kept.
async fn decide(
    state: &AppState,
    q: &RouteQuery,
) -> ApiResult<Result<(Resolved, DomainName), Refusal>> {
    let own = q.endpoint.rsplit_once('@').map(|(_, d)| d);
    let named = [Some(q.domain.as_str()), own];
    let Some(domain) = first_domain_named(state, named.into_iter().flatten()).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let from = caller_domain(state, &q.endpoint, &domain).await?;
    let request = CallRequest {
        domain: &domain,
        caller_domain: &from,
        dialled: &q.dialled,
        at: state.switch.now(),
    };
    let name = &domain.name;
    let resolved = plan_call(state, &q.call, &request, |routes| DialStrings {
        domain: name,
        routes,
    })
    .await?;
    Ok(resolved.map(|plan| (plan, domain.name.clone())))
}

/// The `[switchboard]` context of extensions.conf: ask, run the stage, ask again.
/// `route_url` is the route's URL with the switch's credentials in it.
pub fn extensions_conf(route_url: &str) -> String {
    let ask = format!(
        "{route_url}?call=${{URIENCODE(${{UNIQUEID}})}}&endpoint=${{URIENCODE(${{CHANNEL(endpoint)}})}}\
         &dialled=${{URIENCODE(${{EXTEN}})}}&domain=${{URIENCODE(${{SIPDOMAIN}})}}\
         &stage=${{SB_STAGE}}&status=${{SB_STATUS}}"
    );
    format!(
        "; Every call of a Switchboard phone (endpoints land in [{CONTEXT}]), and every inbound\n\
         ; number a trunk sends here as number@domain, is decided by Switchboard one stage at a\n\
         ; time: dial|<seconds>|<dial string>, queue|<seconds>|<queue>, or hangup|<cause>.\n\
         [{CONTEXT}]\n\
         exten => _[+0-9*#].,1,Set(SB_STAGE=0)\n\
         \x20same => n,Set(SB_STATUS=)\n\
         \x20same => n(ask),Set(SB=${{CURL({ask})}})\n\
         \x20same => n,GotoIf($[\"${{SB}}\" = \"\"]?down)\n\
         \x20same => n,Set(SB_DO=${{CUT(SB,|,1)}})\n\
         \x20same => n,ExecIf($[\"${{CUT(SB,|,4)}}\" != \"\"]?Set(CHANNEL(accountcode)=${{CUT(SB,|,4)}}))\n\
         \x20same => n,GotoIf($[\"${{SB_DO}}\" = \"dial\"]?dial)\n\
         \x20same => n,GotoIf($[\"${{SB_DO}}\" = \"queue\"]?queue)\n\
         \x20same => n,Hangup(${{CUT(SB,|,2)}})\n\
         \x20same => n(dial),Dial(${{CUT(SB,|,3)}},${{CUT(SB,|,2)}})\n\
         \x20same => n,Set(SB_STATUS=${{DIALSTATUS}})\n\
         \x20same => n,Goto(next)\n\
         \x20same => n(queue),Queue(${{CUT(SB,|,3)}},,,,${{CUT(SB,|,2)}})\n\
         \x20same => n,Set(SB_STATUS=${{QUEUESTATUS}})\n\
         \x20same => n(next),Set(SB_STAGE=$[${{SB_STAGE}} + 1])\n\
         \x20same => n,Goto(ask)\n\
         ; Switchboard did not answer: 503, so the caller's side may try elsewhere.\n\
         \x20same => n(down),Hangup(34)\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_hang_up_with_the_causes_chan_pjsip_maps_to_the_other_connectors_codes() {
        // chan_pjsip's hangup_cause2sip.
        assert_eq!(cause(Refusal::Busy), 17); // 486
        assert_eq!(cause(Refusal::NotFound), 1); // 404
        assert_eq!(cause(Refusal::Forbidden), 21); // 403
        assert_eq!(cause(Refusal::Unavailable), 20); // 480
    }

    #[test]
    fn the_context_asks_with_every_field_the_route_reads() {
        let text = extensions_conf("http://switch:s@127.0.0.1:8080/switch/asterisk/route");
        let ask = text
            .lines()
            .find(|l| l.contains("n(ask)"))
            .expect("an ask priority");
        let url = ask
            .split_once("CURL(")
            .map(|(_, rest)| rest)
            .expect("a CURL call");
        // func_curl splits its arguments at commas: the URL must carry none.
        let url = url.trim_end_matches(")})");
        assert!(!url.contains(','), "{url}");
        let (_, query) = url.split_once('?').expect("a query");
        let mut names: Vec<&str> = query
            .split('&')
            .map(|p| p.split_once('=').expect("name=value").0)
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["call", "dialled", "domain", "endpoint", "stage", "status"]
        );
        // Each priority label the Gotos name exists once.
        for label in ["ask", "dial", "queue", "next", "down"] {
            assert_eq!(
                text.matches(&format!("n({label})")).count(),
                1,
                "{label} in {text}"
            );
        }
    }
}
