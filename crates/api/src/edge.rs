//! What every request meets before routing and every response carries out, whatever the route:
//! a path with control characters is missing (a `%0A` in a parameter used to reach a header
//! and answer 500); the forwarding headers are read from a trusted proxy and removed from
//! anyone else (`proxy`); every response tells browsers not to sniff types or leak the address
//! it was read at, and, over HTTPS, to stay on HTTPS.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn edge(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if has_control_characters(req.uri().path()) {
        return ApiError::not_found().into_response();
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(a)| *a);
    let forwarded = crate::proxy::forwarded(&state.config.trusted_proxies, peer, req.headers_mut());
    crate::proxy::set_client(req.extensions_mut(), forwarded.client);
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if forwarded.https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(crate::proxy::hsts());
    }
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    response
}

/// Each route's guard: a body declared larger than `limit` is answered 413 at once, without
/// waiting for it (a body sent without a length is cut at the limit as it is read).
pub async fn declared_within(limit: usize, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit).into_response();
    }
    next.run(req).await
}

/// 413, naming the limit (routes that take recordings have their own, larger one).
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the body is larger than this server takes ({limit} bytes)"),
    )
}

/// Whether the percent-decoded path holds a control character (or is not UTF-8 at all).
fn has_control_characters(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                decoded.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    match String::from_utf8(decoded) {
        Ok(text) => text.chars().any(char::is_control),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_paths() {
        for bad in [
            "/api/v1/domains/acme.example%0A/x",
            "/a%09b",
            "/a%7f",
            "/a%FF%FE",
            "/a\u{7}",
        ] {
            assert!(has_control_characters(bad), "{bad}");
        }
        for good in [
            "/api/v1/domains/acme.example/users/101",
            "/a%20b",
            "/caf%C3%A9",
            "/100%",
            "/%zz",
        ] {
            assert!(!has_control_characters(good), "{good}");
        }
    }
}
