//! The `dialplan` section: where a call goes, as one `<extension>` of `bridge` actions built
//! from the plan `plan::decide` makes for every switch. Each stage rings its endpoints together
//! for its ring time (`call_timeout`); `continue_on_fail` moves on to the next stage. A queue's
//! stages become one `callcenter` action (FreeSWITCH's `mod_callcenter` rings the agents, with
//! the states Switchboard sends it), followed by the queue's overflow.
//!
//! When a busy phone goes elsewhere than an unanswered one, the first stage is followed by a
//! `transfer` to `switchboard-busy` or `switchboard-next` (by `originate_disposition`); that
//! second lookup reads the plan the call was given, kept under its uuid.

use super::xml::{self, Doc};
use super::{Fields, user_endpoint};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::switch::lookup::{first_domain_named, qualified_name};
use crate::switch::plan::{CallRequest, Refusal, Target};
use crate::switch::resolved::{Endpoints, keep_plan, kept_plan, plan_call};
use switchboard_domain::{DomainName, Extension, SwitchRoutes};

/// The destinations of a call's second lookup, after its first stage.
pub const AFTER_BUSY: &str = "switchboard-busy";
pub const AFTER_NO_ANSWER: &str = "switchboard-next";
/// A stage handed to `mod_callcenter`: `callcenter:<queue>@<domain>`.
const QUEUE_PREFIX: &str = "callcenter:";

/// What FreeSWITCH dials: a login through the directory, the gateway and media server through
/// its `external` SIP profile, a queue through `mod_callcenter`.
struct DialStrings<'a> {
    domain: &'a DomainName,
    routes: SwitchRoutes,
}

/// A SIP URI as a `sofia/external/…` dial string.
fn through_external(uri: &str) -> String {
    let bare = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))
        .unwrap_or(uri);
    format!("sofia/external/{bare}")
}

impl Endpoints for DialStrings<'_> {
    fn endpoint(&self, target: &Target) -> Option<String> {
        match target {
            // FreeSWITCH keeps its phones' registrations; one not registered fails at once
            // (USER_NOT_REGISTERED) and the stage rings the others.
            Target::Device { username, .. } => Some(user_endpoint(username, self.domain)),
            Target::External(number) => self
                .routes
                .gateway
                .as_ref()
                .map(|g| through_external(&g.fill(number.as_str()))),
            Target::Media(service) => self
                .routes
                .media_server
                .as_ref()
                .map(|m| through_external(&m.fill(service))),
        }
    }

    fn queue(&self, queue: &Extension) -> Option<String> {
        Some(format!(
            "{QUEUE_PREFIX}{}",
            qualified_name(queue, self.domain)
        ))
    }
}

/// The call's parts, from the request event's headers.
struct Call<'a> {
    uuid: &'a str,
    dialled: &'a str,
    context: &'a str,
    /// The domain dialled into: the channel's `domain_name`, else the context when it names a
    /// domain, else the request's host.
    domain_names: Vec<&'a str>,
    caller_domain: &'a str,
}

fn call_of(fields: &Fields) -> ApiResult<Call<'_>> {
    let need = |names: &[&str]| {
        fields.first(names).ok_or_else(|| {
            ApiError::invalid(names[0], format!("{}: missing from the request", names[0]))
        })
    };
    Ok(Call {
        uuid: need(&["Unique-ID", "Channel-Call-UUID", "variable_uuid"])?,
        dialled: need(&["Hunt-Destination-Number", "Caller-Destination-Number"])?,
        context: need(&["Hunt-Context", "Caller-Context"])?,
        domain_names: [
            "variable_domain_name",
            "Hunt-Context",
            "variable_sip_req_host",
            "variable_sip_to_host",
        ]
        .iter()
        .filter_map(|n| fields.get(n))
        .collect(),
        caller_domain: fields
            .first(&["variable_sip_from_host", "variable_domain_name"])
            .unwrap_or(""),
    })
}

pub async fn answer(state: &AppState, fields: &Fields) -> ApiResult<String> {
    let call = call_of(fields)?;
    if call.dialled == AFTER_BUSY || call.dialled == AFTER_NO_ANSWER {
        return after_first_stage(state, &call).await;
    }
    let Some(domain) = first_domain_named(state, &call.domain_names).await? else {
        return Ok(xml::not_found());
    };
    let request = CallRequest {
        domain: &domain,
        caller_domain: call.caller_domain,
        dialled: call.dialled,
        at: state.switch.now(),
    };
    // Kept for the call's record (whom it was for) and its second lookup.
    let name = &domain.name;
    let planned = plan_call(state, call.uuid, &request, |routes| DialStrings {
        domain: name,
        routes,
    })
    .await?;
    let resolved = match planned {
        Ok(plan) => plan,
        Err(why) => return Ok(refuse(&call, why)),
    };
    let mut ext = Answer::open(&call);
    ext.preamble();
    match &resolved.busy {
        Some(_) => {
            ext.stages(&resolved.stages[..1]);
            ext.branch_on_busy(call.context);
        }
        None => ext.stages(&resolved.stages),
    }
    Ok(ext.finish())
}

/// The second lookup of a call whose busy and unanswered first stage lead apart.
async fn after_first_stage(state: &AppState, call: &Call<'_>) -> ApiResult<String> {
    let Some(mut plan) = kept_plan(state, call.uuid).await? else {
        return Ok(refuse(call, Refusal::Unavailable));
    };
    plan.took_busy = call.dialled == AFTER_BUSY;
    keep_plan(state, call.uuid, &plan).await?;
    let rest: Vec<(u32, Vec<String>)> = (1..).map_while(|n| plan.stage(n).cloned()).collect();
    if rest.is_empty() {
        let why = if plan.took_busy {
            Refusal::Busy
        } else {
            Refusal::Unavailable
        };
        return Ok(refuse(call, why));
    }
    let mut ext = Answer::open(call);
    ext.preamble();
    ext.stages(&rest);
    Ok(ext.finish())
}

fn refuse(call: &Call<'_>, why: Refusal) -> String {
    let response = match why {
        Refusal::Busy => "486 Busy Here",
        Refusal::NotFound => "404 Not Found",
        Refusal::Forbidden => "403 Forbidden",
        Refusal::Unavailable => "480 Temporarily Unavailable",
    };
    let mut ext = Answer::open(call);
    ext.action("respond", response);
    ext.finish()
}

/// One `<extension>` in the call's context, matching exactly what was dialled.
struct Answer(Doc);

impl Answer {
    fn open(call: &Call<'_>) -> Answer {
        let mut doc = Doc::section("dialplan");
        doc.open("context", &[("name", call.context)])
            .open("extension", &[("name", "switchboard")])
            .open(
                "condition",
                &[
                    ("field", "destination_number"),
                    ("expression", &format!("^{}$", regex_escape(call.dialled))),
                ],
            );
        Answer(doc)
    }

    fn action(&mut self, application: &str, data: &str) {
        self.0
            .leaf("action", &[("application", application), ("data", data)]);
    }

    fn preamble(&mut self) {
        self.action("set", "hangup_after_bridge=true");
        self.action("set", "continue_on_fail=true");
    }

    fn stages(&mut self, stages: &[(u32, Vec<String>)]) {
        for (ms, endpoints) in stages {
            match endpoints.first().and_then(|e| e.strip_prefix(QUEUE_PREFIX)) {
                Some(queue) => self.action("callcenter", queue),
                None => {
                    self.action("set", &format!("call_timeout={}", ms.div_ceil(1000).max(1)));
                    self.action("bridge", &endpoints.join(","));
                }
            }
        }
    }

    fn branch_on_busy(&mut self, context: &str) {
        self.action(
            "transfer",
            &format!(
                "${{cond(${{originate_disposition}} == USER_BUSY ? {AFTER_BUSY} : {AFTER_NO_ANSWER})}} XML {context}"
            ),
        );
    }

    fn finish(self) -> String {
        self.0.finish()
    }
}

/// `destination_number` is matched as a PCRE: what was dialled, literally.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_dialled_is_matched_literally() {
        assert_eq!(regex_escape("+12125550100"), "\\+12125550100");
        assert_eq!(regex_escape("105"), "105");
    }

    #[test]
    fn gateway_uris_go_out_through_the_external_profile() {
        assert_eq!(
            through_external("sip:+12125550111@127.0.0.1:5090"),
            "sofia/external/+12125550111@127.0.0.1:5090"
        );
    }
}
