//! The portal's session: two HttpOnly cookies (the API access token and its refresh token), a
//! CSRF token derived from the session's secret, and a same-origin check on every change.

use super::client::{Api, Failure};
use crate::i18n::t;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use switchboard_api::api::auth::{RefreshRequest, TokenResponse};
use switchboard_api::endpoints;
use switchboard_policy::{Action, Layout, Resource, Tab, When};

pub const SESSION_COOKIE: &str = "sb_session";
pub const REFRESH_COOKIE: &str = "sb_refresh";
/// The administrator's own session, kept while it acts as someone else.
pub const ADMIN_COOKIE: &str = "sb_admin";
pub const ADMIN_REFRESH_COOKIE: &str = "sb_admin_refresh";

/// `GET /api/v1/me`: who the visitor is, in the API's own type.
pub use switchboard_api::api::me::MeResponse as Me;

/// What pages ask of `Me`.
pub trait MeExt {
    fn extension(&self) -> String;
    fn name(&self) -> String;
    /// Does the scope's rule for `resource` include `action`, with its condition holding now
    /// (domain policy, supervisor settings, recent password)?
    fn may_now(&self, resource: Resource, action: Action) -> bool;
    fn has_tab(&self, layout: Layout, tab: Tab) -> bool;
}

impl MeExt for Me {
    fn extension(&self) -> String {
        self.user.extension.to_string()
    }

    fn name(&self) -> String {
        format!("{} {}", self.user.first_name, self.user.last_name)
    }

    fn may_now(&self, resource: Resource, action: Action) -> bool {
        self.permissions
            .iter()
            .filter(|p| p.resource == resource)
            .flat_map(|p| &p.grants)
            // A password asked again is a condition the page meets itself, by asking for it.
            .any(|g| (g.holds || g.when == When::Reauthenticated) && g.actions.contains(&action))
    }

    fn has_tab(&self, layout: Layout, tab: Tab) -> bool {
        self.layouts
            .iter()
            .any(|l| l.layout == layout && l.tabs.iter().any(|t| t.tab == tab))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Served over HTTPS (behind a TLS-terminating proxy, which says so)?
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("sb_invalid=; Max-Age=0"))
}

pub fn clear_cookie(name: &str) -> HeaderValue {
    set_cookie(name, "", 0, false)
}

/// The CSRF token of a session: only someone holding the session's secret can compute it.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("switchboard-csrf:{session_token}").as_bytes());
    hex::encode(&digest[..16])
}

/// Refuse a change that a page of another site sent: its Origin (or, without one, its
/// Sec-Fetch-Site) must be this server.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        return Some(origin_host) == host;
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v != "cross-site")
}

/// The cookies that carry a login's tokens.
pub fn token_cookies(tokens: &TokenResponse, secure: bool) -> Vec<HeaderValue> {
    vec![
        set_cookie(
            SESSION_COOKIE,
            &tokens.access_token,
            tokens.refresh_expires_in,
            secure,
        ),
        set_cookie(
            REFRESH_COOKIE,
            &tokens.refresh_token,
            tokens.refresh_expires_in,
            secure,
        ),
    ]
}

/// A logged-in visitor.
pub struct Session {
    pub api: Api,
    pub me: Me,
    /// The CSRF token forms carry; from the session token the request came with.
    pub csrf: String,
    /// Cookies to set on the answer (after a refresh).
    pub cookies: Vec<HeaderValue>,
}

/// Who is asking, by its cookies; refreshes an expired access token once.
pub async fn open(
    router: &axum::Router,
    headers: &HeaderMap,
    addr: Option<SocketAddr>,
) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?.to_owned();
    let csrf = csrf_token(&token);
    let api = Api::new(router.clone(), token, addr);
    match api.call(endpoints::me()).await {
        Ok(me) => {
            speak_as(&me);
            return Some(Session {
                api,
                me,
                csrf,
                cookies: Vec::new(),
            });
        }
        Err(f) if f.status == StatusCode::UNAUTHORIZED => {}
        Err(_) => return None,
    }
    let refresh = RefreshRequest {
        refresh_token: cookie(headers, REFRESH_COOKIE)?.to_owned(),
    };
    let tokens = api.call(endpoints::refresh(&refresh)).await.ok()?;
    let api = Api::new(router.clone(), tokens.access_token.clone(), addr);
    let me = api.call(endpoints::me()).await.ok()?;
    speak_as(&me);
    Some(Session {
        api,
        me,
        csrf,
        cookies: token_cookies(&tokens, is_https(headers)),
    })
}

/// The rest of the request speaks the user's own language, when it has chosen one.
fn speak_as(me: &Me) {
    if let Some(lang) = me
        .user
        .language
        .as_deref()
        .and_then(crate::i18n::Lang::parse)
    {
        crate::i18n::set(lang);
    }
}

/// Check a change: same origin and the session's CSRF token.
pub fn check_change(
    headers: &HeaderMap,
    session: &Session,
    sent: Option<&str>,
) -> Result<(), Failure> {
    let refused = Failure {
        status: StatusCode::FORBIDDEN,
        code: crate::client::PORTAL.into(),
        message: t("this-form-did-not-come-from").into(),
        field: None,
    };
    if !same_origin(headers) {
        return Err(refused);
    }
    let header_token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    match sent.or(header_token) {
        Some(t) if constant_eq(t, &session.csrf) => Ok(()),
        _ => Err(refused),
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_and_lax() {
        let c = set_cookie("a", "b", 60, false);
        let s = c.to_str().unwrap();
        assert!(s.contains("HttpOnly") && s.contains("SameSite=Lax") && !s.contains("Secure"));
        assert!(
            set_cookie("a", "b", 60, true)
                .to_str()
                .unwrap()
                .contains("; Secure")
        );
    }

    #[test]
    fn origin_must_be_this_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
    }

    #[test]
    fn csrf_tokens_differ_per_session() {
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert!(constant_eq("abc", "abc") && !constant_eq("abc", "abd") && !constant_eq("a", "ab"));
    }
}
