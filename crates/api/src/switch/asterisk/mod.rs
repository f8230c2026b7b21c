//! Asterisk's side of the conversation:
//!
//! - `POST /switch/asterisk/realtime/{table}/{operation}` ← `res_config_curl`: the PJSIP
//!   realtime tables (`ps_endpoints`, `ps_auths` with the login's HA1 as `md5_cred`, `ps_aors`)
//!   and `queues`, computed from Switchboard's own records (`realtime`). It serves the SQLite
//!   default and PostgreSQL alike, so Asterisk never reads Switchboard's database;
//! - `GET /switch/asterisk/route` ← `func_curl` in the `[switchboard]` context: where a call
//!   goes, one stage at a time (`dialplan`), from the same plan as every switch's;
//! - the manager interface (`ami`), which Switchboard opens: queue members added, removed and
//!   paused (with the reason) as agents log in and change availability; members' pauses and
//!   finished calls (`Cdr` events) read back.
//!
//! Names, in Asterisk's multi-domain convention: a login is the endpoint (and its auth and aor)
//! `login@domain`, dialled as `PJSIP/login@domain`; a queue and its members' names are
//! `extension@domain`. Every endpoint lands in the `[switchboard]` context, and carries its
//! domain as its `accountcode`, so every call record names its domain.

pub mod ami;
pub mod config;
pub mod dialplan;
pub mod realtime;

use crate::routes::{Access, Route, route};
use axum::http::Method;
use switchboard_domain::DomainName;

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::POST, "/switch/asterisk/realtime/{table}/{operation}", Access::Public, "switch",
            "Asterisk res_config_curl: rows of ps_endpoints, ps_auths, ps_aors and queues (operation single, multi, require; form-encoded criteria, `field OP`=value; answers url-encoded key=value rows, one per line); the switch's shared secret, HTTP basic")
            .upload("application/x-www-form-urlencoded", 64 * 1024)
            .file("text/plain")
            .to(realtime::answer),
        route(Method::GET, "/switch/asterisk/route", Access::Public, "switch",
            "Asterisk func_curl, from the [switchboard] context: one stage of a call's plan as `dial|seconds|dial string`, `queue|seconds|queue` or `hangup|cause`; the switch's shared secret, HTTP basic")
            .query::<dialplan::RouteQuery>()
            .file("text/plain")
            .to(dialplan::route),
    ]
}

/// A login's endpoint, auth and aor id.
pub fn endpoint_id(login: &str, domain: &DomainName) -> String {
    format!("{login}@{domain}")
}

/// How a queue member (a login) is dialled.
pub fn interface(login: &str, domain: &DomainName) -> String {
    format!("PJSIP/{}", endpoint_id(login, domain))
}
