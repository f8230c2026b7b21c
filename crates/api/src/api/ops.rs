//! What a load balancer and an operator ask: does the process answer, is the database ready.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::{Access, Route, route};
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// `ok` (the process answers) or `ready` (the database answers, migrated).
    pub status: std::borrow::Cow<'static, str>,
}

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/healthz",
            Access::Public,
            "operations",
            "The process answers (no database is asked)",
        )
        .returns::<Health>()
        .to(healthz),
        route(
            Method::GET,
            "/readyz",
            Access::Public,
            "operations",
            "The database answers and every migration is applied; 503 otherwise",
        )
        .returns::<Health>()
        .to(readyz),
        route(
            Method::GET,
            "/metrics",
            Access::Public,
            "operations",
            "Counters and histograms in the Prometheus text format: requests by route template \
             and status, latency, database pool use, logins, call records ingested",
        )
        .file(METRICS_TYPE)
        .to(metrics),
    ]
}

/// The OpenMetrics text format, which Prometheus reads.
const METRICS_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

async fn metrics(State(state): State<AppState>) -> ApiResult<Response> {
    let text = state
        .metrics
        .render(state.store.pool_use())
        .map_err(|e| ApiError::internal(format!("cannot render the metrics: {e}")))?;
    Ok(([(header::CONTENT_TYPE, METRICS_TYPE)], text).into_response())
}

async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let not_ready = |why: String| {
        tracing::warn!(%why, "not ready");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", why)
    };
    match state.store.is_ready().await {
        Ok(true) => Ok(Json(Health {
            status: "ready".into(),
        })),
        Ok(false) => Err(not_ready(
            "migrations are pending: run `switchboard migrate`".into(),
        )),
        Err(e) => Err(not_ready(format!("the database does not answer: {e}"))),
    }
}
