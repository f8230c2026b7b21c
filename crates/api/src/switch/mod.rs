//! What a switch asks Switchboard: who may register and call, where a call goes, what a
//! finished call was (DESIGN §9). `plan` decides in a switch-neutral model; one module per
//! switch speaks its wire format.
//!
//! These endpoints answer only a switch: HTTP basic authentication with the configured shared
//! secret (`switch_secret`; without one they answer 404), from an address in
//! `switch_clients` (loopback by default). A user's token is never accepted.

pub mod kamailio;
pub mod plan;

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use base64::Engine;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use switchboard_domain::Timestamp;

/// How Switchboard meets a switch.
#[derive(Clone, Debug)]
pub struct SwitchConfig {
    /// The shared secret a switch authenticates with (HTTP basic, any user name). Without it the
    /// switch endpoints answer 404.
    pub secret: Option<String>,
    /// Addresses a switch may call from.
    pub clients: Vec<IpAddr>,
    /// Where outside numbers go: a SIP URI with `{number}`, e.g. `sip:{number}@gw.example`.
    pub gateway: Option<String>,
    /// Where voicemail, auto attendants and conferences are served: a SIP URI with `{service}`
    /// (`voicemail-105`, `attendant-700`, `conference-800`).
    pub media_server: Option<String>,
}

impl Default for SwitchConfig {
    fn default() -> SwitchConfig {
        SwitchConfig {
            secret: None,
            clients: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
            ],
            gateway: None,
            media_server: None,
        }
    }
}

/// What Switchboard keeps about calls in progress: the plan each was given (stages are asked
/// for one at a time, and must stay the plan the call started with), and the clock tests set.
#[derive(Default)]
pub struct SwitchState {
    plans: Mutex<HashMap<String, (Instant, kamailio::Resolved)>>,
    clock: Mutex<Option<Timestamp>>,
    /// Calls offered so far to each round-robin queue: the next call starts one agent further.
    turns: Mutex<HashMap<switchboard_domain::QueueId, usize>>,
    /// When each user's last answered call ended (for "longest idle"); since this process started.
    idle_since: Mutex<HashMap<switchboard_domain::UserId, Timestamp>>,
}

/// A call is decided once; its plan is forgotten after this long.
const PLAN_TTL: Duration = Duration::from_secs(3 * 3600);

impl SwitchState {
    /// The instant calls are decided at: now, unless a test set the clock.
    pub fn now(&self) -> Timestamp {
        self.clock
            .lock()
            .map(|c| c.unwrap_or_else(Timestamp::now))
            .unwrap_or_else(|_| Timestamp::now())
    }

    /// Decide calls as if it were `at` (tests of time frames); `None` goes back to the real clock.
    pub fn set_clock(&self, at: Option<Timestamp>) {
        if let Ok(mut clock) = self.clock.lock() {
            *clock = at;
        }
    }

    /// How many calls a round-robin queue was offered before this one.
    pub fn next_turn(&self, queue: switchboard_domain::QueueId) -> usize {
        self.turns
            .lock()
            .map(|mut turns| {
                let n = turns.entry(queue).or_insert(0);
                *n += 1;
                *n - 1
            })
            .unwrap_or(0)
    }

    /// A user's call ended at `at`: idle from then.
    pub fn ended_call(&self, user: switchboard_domain::UserId, at: Timestamp) {
        if let Ok(mut idle) = self.idle_since.lock() {
            let since = idle.entry(user).or_insert(at);
            *since = (*since).max(at);
        }
    }

    /// Since when a user has been idle; `None`: no answered call since this process started.
    pub fn idle_since(&self, user: switchboard_domain::UserId) -> Option<Timestamp> {
        self.idle_since.lock().ok()?.get(&user).copied()
    }

    fn plan(&self, call_id: &str) -> Option<kamailio::Resolved> {
        let plans = self.plans.lock().ok()?;
        plans.get(call_id).map(|(_, p)| p.clone())
    }

    fn keep_plan(&self, call_id: &str, plan: kamailio::Resolved) {
        if let Ok(mut plans) = self.plans.lock() {
            if plans.len() > 1000 {
                plans.retain(|_, (at, _)| at.elapsed() < PLAN_TTL);
            }
            plans.insert(call_id.to_owned(), (Instant::now(), plan));
        }
    }

    fn forget_plan(&self, call_id: &str) -> Option<kamailio::Resolved> {
        self.plans
            .lock()
            .ok()
            .and_then(|mut plans| plans.remove(call_id))
            .map(|(_, p)| p)
    }
}

/// A request that came from the configured switch.
pub struct FromSwitch;

impl FromRequestParts<AppState> for FromSwitch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let config = &state.config.switch;
        let Some(secret) = config.secret.as_deref() else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "switch_not_configured",
                "no switch is connected: set switch_secret (or SWITCHBOARD_SWITCH_SECRET) first",
            ));
        };
        let from = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        if !from.is_some_and(|ip| config.clients.contains(&ip)) {
            return Err(ApiError::forbidden(
                "not_a_switch_address",
                "switch endpoints answer only the addresses in switch_clients",
            ));
        }
        let sent = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| pair.split_once(':').map(|(_, p)| p.to_owned()));
        match sent {
            Some(p) if constant_eq(p.as_bytes(), secret.as_bytes()) => Ok(FromSwitch),
            _ => {
                let mut e = ApiError::unauthenticated(
                    "the switch's shared secret is missing or wrong (HTTP basic authentication)",
                );
                e.status = StatusCode::UNAUTHORIZED;
                Err(e)
            }
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn routes() -> Vec<crate::routes::Route> {
    kamailio::routes()
}
