//! FreeSWITCH's side of the conversation, one module per thing it asks or is told:
//!
//! - `POST /switch/freeswitch/xml` ← `mod_xml_curl`, form-encoded: the `directory` section
//!   (who may register and be called, with the login's HA1 as `a1-hash`), the `dialplan`
//!   section (where a call goes, decided by `plan` as for every switch) and the `configuration`
//!   section for `callcenter.conf` (queues, agents, tiers). Anything else answers
//!   `<result status="not found"/>`, so FreeSWITCH goes on to its own files;
//! - `POST /switch/freeswitch/cdr?uuid=` ← `mod_json_cdr` and `mod_xml_cdr` in each encoding
//!   (`cdr` module); the same reader takes the files they write when a post fails
//!   (`spool`, run by `switchboard freeswitch import-spool`);
//! - the event socket (`esl`), which Switchboard opens: agents' availability and queue
//!   log-ins sent to `mod_callcenter` as they change, its events and phones' registrations
//!   read back.
//!
//! Names: a domain's calls hunt in a context named after the domain; its queues and agents
//! are `extension@domain` in `mod_callcenter`.

pub mod callcenter;
pub mod cdr;
pub mod config;
pub mod dialplan;
pub mod directory;
pub mod esl;
pub mod spool;
pub mod xml;

use super::FromSwitch;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::{Access, Route, route};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::time::Duration;
use switchboard_domain::DomainName;

/// The longest a lookup may take before it answers "not found": under the binding's
/// `timeout` that `switchboard freeswitch config` prints, so a slow database never stalls
/// FreeSWITCH's registrations.
pub const LOOKUP_DEADLINE: Duration = Duration::from_secs(4);

pub fn routes() -> Vec<Route> {
    let m = |method, path, summary| route(method, path, Access::Public, "switch", summary);
    vec![
        m(Method::POST, "/switch/freeswitch/xml", "FreeSWITCH mod_xml_curl: the directory, dialplan and callcenter.conf configuration sections (form-encoded request, freeswitch/xml answer); the switch's shared secret, HTTP basic")
            .upload("application/x-www-form-urlencoded", 256 * 1024)
            .file("text/xml")
            .to(lookup),
        m(Method::POST, "/switch/freeswitch/cdr", "FreeSWITCH mod_json_cdr / mod_xml_cdr: a finished call's record (raw JSON or XML, or cdr= form-encoded, base64 or plain); idempotent by uuid; any failure answers non-2xx so FreeSWITCH posts again")
            .query::<cdr::CdrQuery>()
            .upload("application/json", cdr::MAX_CDR_BYTES)
            .returns::<switchboard_domain::IngestSummary>()
            .to(cdr::post),
    ]
}

/// What an xml_curl request carries: the lookup's own fields and every header of the request
/// event, form-encoded. A name sent twice keeps its first value.
pub struct Fields(HashMap<String, String>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        let mut fields = HashMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            fields
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        Fields(fields)
    }

    /// A field's value, when present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The first of these fields that is present.
    pub fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.get(n))
    }
}

pub fn xml_answer(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn lookup(_: FromSwitch, State(state): State<AppState>, body: Bytes) -> Response {
    let fields = Fields::parse(&body);
    let deadline = state.switch.lookup_deadline();
    // An answer that is late (or merely finished on the deadline) is not found: FreeSWITCH
    // gives up at its binding's timeout, and a late answer must not look like a success.
    let started = std::time::Instant::now();
    match tokio::time::timeout(deadline, answer(&state, &fields)).await {
        Ok(answered) if started.elapsed() < deadline => match answered {
            Ok(xml) => xml_answer(xml),
            Err(e) => e.into_response(),
        },
        _ => {
            tracing::warn!(
                "a FreeSWITCH {} lookup took longer than {deadline:?}: answered not found",
                fields.get("section").unwrap_or("?")
            );
            xml_answer(xml::not_found())
        }
    }
}

async fn answer(state: &AppState, fields: &Fields) -> ApiResult<String> {
    match fields.get("section") {
        Some("directory") => directory::answer(state, fields).await,
        Some("dialplan") => dialplan::answer(state, fields).await,
        Some("configuration") => match fields.get("key_value") {
            Some("callcenter.conf") => callcenter::answer(state).await,
            _ => Ok(xml::not_found()),
        },
        Some(_) => Ok(xml::not_found()),
        None => Err(ApiError::invalid(
            "section",
            "section: missing (directory, dialplan or configuration)",
        )),
    }
}

/// How FreeSWITCH dials a phone: through the directory's `dial-string`, which finds where the
/// login is registered.
pub fn user_endpoint(username: &str, domain: &DomainName) -> String {
    format!("user/{username}@{domain}")
}

/// `%XX` decoded, as FreeSWITCH encodes values in its posts and events; `+` stays a plus
/// (FreeSWITCH encodes a space as `%20`), and a `%` not followed by two hex digits stays.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        let pair = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)),
            _ => None,
        };
        match pair {
            Some((h, l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
