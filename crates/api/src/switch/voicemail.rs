//! The media server's question when a caller opens a mailbox: is this its PIN?
//!
//! `POST /switch/voicemail/check` (form-encoded `domain`, `mailbox` — the extension — and
//! `pin`) answers one word in text/plain, as a dialplan's `CURL()` or FreeSWITCH's `curl`
//! application reads it: `ok`, `wrong`, `locked` (five wrong PINs within five minutes lock the
//! mailbox for fifteen, on every instance: a PIN is short) or `none` (no such mailbox, or no PIN
//! set: the media server asks the caller to call from the user's own phone or to set one in the
//! portal). Switchboard keeps only the PIN's hash, so only it can check one.

use super::{FromSwitch, plain_text};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::{Access, Route, route};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use switchboard_domain::{DomainName, Extension, Login, Timestamp};

/// Wrong PINs allowed within `WINDOW_SECONDS` before the mailbox locks for `LOCK_SECONDS`.
const MAX_WRONG: i64 = 5;
const WINDOW_SECONDS: i64 = 300;
const LOCK_SECONDS: i64 = 900;

pub fn routes() -> Vec<Route> {
    vec![route(Method::POST, "/switch/voicemail/check", Access::Public, "switch",
        "A media server checks a mailbox's PIN (form-encoded domain, mailbox, pin): answers ok, wrong, locked or none; the switch's shared secret, HTTP basic")
        .upload("application/x-www-form-urlencoded", 4096)
        .file("text/plain")
        .to(check)]
}

async fn check(_: FromSwitch, State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let value = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .ok_or_else(|| ApiError::invalid(name, format!("{name}: required")))
    };
    let domain =
        DomainName::parse(&value("domain")?).map_err(|e| ApiError::invalid("domain", e.0))?;
    let extension =
        Extension::parse(&value("mailbox")?).map_err(|e| ApiError::invalid("mailbox", e.0))?;
    let pin = value("pin")?;
    let login = Login { extension, domain };
    let answer = |word: &str| Ok(plain_text(StatusCode::OK, word.to_owned()));
    let Some((user, _)) = state.store.find_login(&login).await? else {
        return answer("none");
    };
    let Some(hash) = state.store.voicemail_pin_hash(user.id).await? else {
        return answer("none");
    };
    let key = format!("voicemail:{}", user.id.get());
    let now = Timestamp::now();
    let keys = [(key.clone(), MAX_WRONG)];
    if state
        .store
        .count_login_attempt(&keys, now, WINDOW_SECONDS, LOCK_SECONDS)
        .await?
        .is_some()
    {
        return answer("locked");
    }
    if state.hasher.verify(&pin, Some(&hash)).await {
        state.store.clear_login_failures(&key).await?;
        answer("ok")
    } else {
        answer("wrong")
    }
}
