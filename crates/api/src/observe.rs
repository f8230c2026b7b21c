//! Every answered request is counted under its route template, timed, and — when it is a 5xx —
//! logged with its cause, which the handler's error carries to here in the response.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// The route template a request matched, carried out on its response (the outer layer, which
/// also sees unmatched requests, cannot read it from the request).
#[derive(Clone)]
struct RouteTemplate(String);

/// Why a request failed on our side: set by `ApiError` on a 5xx, read and logged here.
#[derive(Clone, Debug)]
pub struct FailureCause(pub String);

/// Layered with `route_layer`: runs after routing, where the matched template is known.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut response = next.run(req).await;
    if let Some(template) = template {
        response.extensions_mut().insert(RouteTemplate(template));
    }
    response
}

/// Layered around everything: count, time and, on a 5xx, log with the cause.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let status = response.status();
    let route = response
        .extensions()
        .get::<RouteTemplate>()
        .map_or("unmatched", |r| r.0.as_str());
    state.metrics.request(
        method.as_str(),
        route,
        status.as_u16(),
        started.elapsed().as_secs_f64(),
    );
    if status.is_server_error() {
        let cause = response
            .extensions()
            .get::<FailureCause>()
            .map_or("no cause recorded", |c| c.0.as_str());
        tracing::error!(%method, route, path, status = status.as_u16(), cause, "request failed");
    }
    response
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    format!("panic: {text}")
}
