//! Call records from FreeSWITCH: what `mod_json_cdr` and `mod_xml_cdr` post at the end of each
//! call, in every encoding they have (raw JSON or XML; `cdr=` form-encoded, base64 or plain),
//! and the files they write to their error folder when a post fails (the same text, without
//! `cdr=`). Channel variables are URL-encoded by default (`encode-values`); they are decoded
//! here. A record is stored once per channel uuid; anything that cannot be stored answers
//! non-2xx, so FreeSWITCH posts it again (and, after its retries, writes the file).

use super::{FromSwitch, percent_decode};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::switch::lookup::first_domain_named;
use crate::switch::plan::Callee;
use crate::switch::resolved::take_plan;
use crate::switch::{EndedCall, record_call};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use base64::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use switchboard_domain::{Disposition, Extension, IngestSummary};
use switchboard_policy::{Resource, operator_visibility};

/// The largest record taken (a long call's `callflow` and `app_log` included).
pub const MAX_CDR_BYTES: usize = 4 * 1024 * 1024;

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CdrQuery {
    /// The channel's uuid; `a_`-prefixed for an A leg when `prefix-a-leg` is set.
    #[serde(default)]
    pub uuid: Option<String>,
}

/// A record's channel variables, decoded.
#[derive(Debug, Default)]
pub struct Cdr {
    vars: HashMap<String, String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid("cdr", format!("cdr: {}", message.into()))
}

impl Cdr {
    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.var(n))
    }

    /// A time in Unix seconds; 0 or absent is "never".
    fn epoch(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.var(name) {
            None => Ok(None),
            Some(v) => match v.parse::<i64>() {
                Ok(0) => Ok(None),
                Ok(t) if t > 0 => Ok(Some(t)),
                _ => Err(invalid(format!("{name} is not a time in seconds: {v}"))),
            },
        }
    }

    /// A posted record: the body as the content type says it was encoded.
    pub fn from_post(content_type: &str, body: &[u8]) -> ApiResult<Cdr> {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let text = match media.as_str() {
            "application/x-www-form-urlencoded" => form_urlencoded::parse(body)
                .find(|(name, _)| name == "cdr")
                .map(|(_, value)| value.into_owned())
                .ok_or_else(|| invalid("missing: the form has no cdr field"))?,
            "application/x-www-form-base64-encoded" | "application/x-www-form-plaintext" => {
                let text = utf8(body)?;
                text.strip_prefix("cdr=")
                    .ok_or_else(|| invalid("missing: the body does not start with cdr="))?
                    .to_owned()
            }
            _ => utf8(body)?.to_owned(),
        };
        Cdr::read(&text)
    }

    /// A record's text in any of FreeSWITCH's encodings: JSON or XML, as it is, URL-encoded
    /// or base64 (what its error folder holds is whatever it would have posted).
    pub fn read(text: &str) -> ApiResult<Cdr> {
        let t = text.trim();
        match t.chars().next() {
            Some('{') => return Cdr::from_json(t),
            Some('<') => return Cdr::from_xml(t),
            _ => {}
        }
        let decoded = if t.starts_with('%') {
            percent_decode(t)
        } else {
            let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .unwrap_or_default()
        };
        match decoded.trim().chars().next() {
            Some('{') => Cdr::from_json(decoded.trim()),
            Some('<') => Cdr::from_xml(decoded.trim()),
            _ => Err(invalid(
                "not a FreeSWITCH record: neither JSON nor XML, URL-encoded or base64",
            )),
        }
    }

    fn from_json(text: &str) -> ApiResult<Cdr> {
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let vars = doc
            .get("variables")
            .and_then(|v| v.as_object())
            .ok_or_else(|| invalid("the JSON record has no variables object"))?;
        let vars = vars
            .iter()
            .filter_map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((name.clone(), percent_decode(&text)))
            })
            .collect();
        Ok(Cdr { vars })
    }

    fn from_xml(text: &str) -> ApiResult<Cdr> {
        let doc = roxmltree::Document::parse(text).map_err(|e| invalid(format!("not XML: {e}")))?;
        let root = doc.root_element();
        if root.tag_name().name() != "cdr" {
            return Err(invalid(format!(
                "the XML record's root is <{}>, not <cdr>",
                root.tag_name().name()
            )));
        }
        let variables = root
            .children()
            .find(|n| n.has_tag_name("variables"))
            .ok_or_else(|| invalid("the XML record has no <variables>"))?;
        let vars = variables
            .children()
            .filter(|n| n.is_element())
            .map(|n| {
                (
                    n.tag_name().name().to_owned(),
                    percent_decode(n.text().unwrap_or("")),
                )
            })
            .collect();
        Ok(Cdr { vars })
    }
}

fn utf8(body: &[u8]) -> ApiResult<&str> {
    std::str::from_utf8(body).map_err(|_| invalid("not UTF-8 text"))
}

pub async fn post(
    _: FromSwitch,
    State(state): State<AppState>,
    QueryParams(query): QueryParams<CdrQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<IngestSummary>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let stored = match Cdr::from_post(content_type, &body) {
        Ok(cdr) => ingest(&state, &cdr, query.uuid.as_deref()).await,
        Err(e) => Err(e),
    };
    if stored.is_err() {
        state.metrics.import_error();
    }
    Ok(Json(stored?))
}

/// The extension in an `extension@domain` name (`cc_agent`, `cc_queue`).
fn extension_of(name: &str) -> Option<String> {
    let ext = name.split('@').next()?;
    Extension::parse(ext).ok().map(|e| e.to_string())
}

/// The SIP user a channel was dialled at: `sofia/internal/105-1@10.0.0.5:5060` → `105-1`.
fn dialled_user(channel: &str) -> Option<&str> {
    let rest = channel.splitn(3, '/').nth(2)?;
    let rest = rest.strip_prefix("sip:").unwrap_or(rest);
    rest.split(['@', ';']).next().filter(|u| !u.is_empty())
}

/// Why an unanswered call ended, from the queue's, the bridge's, the SIP answer's and the
/// channel's causes, in that order.
fn unanswered(cdr: &Cdr) -> Disposition {
    if cdr.var("cc_cancel_reason") == Some("BREAK_OUT")
        || cdr.var("hangup_cause") == Some("ORIGINATOR_CANCEL")
    {
        return Disposition::Abandoned;
    }
    let cause = cdr
        .first(&["originate_disposition", "hangup_cause"])
        .filter(|c| !matches!(*c, "success" | "SUCCESS" | "NORMAL_CLEARING"));
    match cause {
        Some("USER_BUSY") => return Disposition::Busy,
        Some("ORIGINATOR_CANCEL") => return Disposition::Abandoned,
        Some(
            "NO_ANSWER"
            | "NO_USER_RESPONSE"
            | "ALLOTTED_TIMEOUT"
            | "USER_NOT_REGISTERED"
            | "SUBSCRIBER_ABSENT"
            | "UNALLOCATED_NUMBER"
            | "NO_ROUTE_DESTINATION"
            | "RECOVERY_ON_TIMER_EXPIRE",
        ) => return Disposition::Missed,
        _ => {}
    }
    match cdr
        .var("sip_term_status")
        .and_then(|s| s.parse::<u16>().ok())
    {
        Some(486 | 600) => Disposition::Busy,
        Some(487) => Disposition::Abandoned,
        Some(404 | 408 | 480) => Disposition::Missed,
        Some(_) => Disposition::Failed,
        None if cause.is_some() => Disposition::Failed,
        None => Disposition::Missed,
    }
}

/// Store a record in the history of the domain it was for.
pub async fn ingest(state: &AppState, cdr: &Cdr, uuid: Option<&str>) -> ApiResult<IngestSummary> {
    let uuid = cdr
        .var("uuid")
        .or_else(|| uuid.map(|u| u.strip_prefix("a_").unwrap_or(u)))
        .ok_or_else(|| invalid("uuid: missing from the variables and the URL"))?
        .to_owned();
    let named = [
        "domain_name",
        "dialed_domain",
        "sip_to_host",
        "sip_req_host",
    ]
    .map(|name| cdr.var(name));
    let domain = first_domain_named(state, named.into_iter().flatten()).await?.ok_or_else(|| {
        invalid("no domain of this installation in domain_name, dialed_domain, sip_to_host or sip_req_host")
    })?;
    let started = cdr
        .epoch("start_epoch")?
        .ok_or_else(|| invalid("start_epoch: missing"))?;
    let ended = cdr
        .epoch("end_epoch")?
        .ok_or_else(|| invalid("end_epoch: missing"))?;
    if ended < started {
        return Err(invalid("end_epoch is before start_epoch"));
    }
    let plan = take_plan(state, &uuid).await?;
    let queue_from_record = cdr.var("cc_queue").and_then(extension_of);
    let callee = match plan {
        Some(p) => p.callee,
        None => Callee {
            user: None,
            queue: queue_from_record
                .as_deref()
                .and_then(|q| Extension::parse(q).ok()),
        },
    };
    let dir = state.store.extension_directory(domain.id).await?;
    let devices = operator_visibility(Resource::Devices);
    let owner = |login: Option<switchboard_store::SipAccount>| {
        login
            .and_then(|a| a.owner_id)
            .and_then(|id| dir.user_extension(id).map(str::to_owned))
    };
    let from_user = cdr
        .first(&["sip_from_user", "caller_id_number"])
        .unwrap_or("");
    let caller = match cdr.var("sip_from_user") {
        Some(user) => owner(state.store.sip_login(&devices, domain.id, user).await?),
        None => None,
    };
    // The queue's agent answered, else a bridge did (a phone, the overflow).
    let by_agent = cdr.epoch("cc_queue_answered_epoch")?;
    let bridged = cdr.epoch("bridge_epoch")?;
    let answered = by_agent.or(bridged).or(if cdr.var("cc_queue").is_none() {
        cdr.epoch("answer_epoch")?
    } else {
        None
    });
    let answerer = match (by_agent, cdr.var("cc_agent"), cdr.var("bridge_channel")) {
        (Some(_), Some(agent), _) => extension_of(agent),
        (_, _, Some(channel)) if answered.is_some() => match dialled_user(channel) {
            Some(user) => owner(state.store.sip_login(&devices, domain.id, user).await?),
            None => None,
        },
        _ => None,
    };
    let disposition = if answered.is_some() {
        Disposition::Answered
    } else {
        unanswered(cdr)
    };
    let to = cdr
        .first(&["sip_to_user", "sip_req_user", "destination_number"])
        .unwrap_or("");
    let from_host = cdr.var("sip_from_host").unwrap_or("");
    record_call(
        state,
        &domain,
        &dir,
        EndedCall {
            call_id: uuid,
            from_inside: from_host.eq_ignore_ascii_case(domain.name.as_str()),
            caller,
            from: from_user.to_owned(),
            to: to.to_owned(),
            callee,
            answerer,
            started,
            answered: answered.map(|t| t.clamp(started, ended)),
            ended,
            disposition,
            switch: "freeswitch",
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_percent_decoded_but_plus_stays() {
        assert_eq!(
            percent_decode("sofia%2Finternal%2F105-1%40h"),
            "sofia/internal/105-1@h"
        );
        assert_eq!(percent_decode("+1212%20x%"), "+1212 x%");
    }

    #[test]
    fn a_bridged_channel_names_its_user() {
        assert_eq!(
            dialled_user("sofia/internal/105-1@10.0.0.5:5060"),
            Some("105-1")
        );
        assert_eq!(
            dialled_user("sofia/internal/sip:105-1@10.0.0.5"),
            Some("105-1")
        );
        assert_eq!(dialled_user("loopback/x"), None);
    }

    #[test]
    fn every_encoding_reads_the_same() {
        let json = r#"{"variables":{"uuid":"u-1","start_epoch":"10","caller_id_name":"A%20B"}}"#;
        let url: String = form_urlencoded::byte_serialize(json.as_bytes()).collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(json);
        for (ct, body) in [
            ("application/json", json.to_owned()),
            ("application/x-www-form-urlencoded", format!("cdr={url}")),
            (
                "application/x-www-form-base64-encoded",
                format!("cdr={b64}"),
            ),
        ] {
            let cdr = Cdr::from_post(ct, body.as_bytes()).expect(ct);
            assert_eq!(cdr.var("uuid"), Some("u-1"), "{ct}");
            assert_eq!(cdr.var("caller_id_name"), Some("A B"), "{ct}");
        }
        for spooled in [json.to_owned(), url, b64] {
            assert_eq!(Cdr::read(&spooled).unwrap().var("start_epoch"), Some("10"));
        }
    }
}
