//! The REST API (JSON + OpenAPI). Handlers are thin: they take the `Caller`
//! built by authentication, call one service function, and render JSON.

pub mod api;
pub mod auth;
pub mod blobs;
pub mod bootstrap;
pub mod edge;
pub mod endpoints;
pub mod error;
pub mod extract;
pub mod import;
pub mod invoices;
pub mod json_keys;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod proxy;
pub mod routes;
pub mod server;
pub mod spreadsheet;
pub mod switch;
pub mod two_factor;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use error::ApiError;
use std::sync::Arc;
use switchboard_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// Settings of a running server.
#[derive(Clone, Debug)]
pub struct Config {
    pub access_token_seconds: i64,
    pub refresh_token_seconds: i64,
    /// How long a password asked again opens Account Preferences.
    pub reauth_seconds: i64,
    pub login_window_seconds: i64,
    /// Failed logins per account within the window before it is locked.
    pub account_max_failures: i64,
    /// Failed logins per client address within the window before it is locked.
    pub address_max_failures: i64,
    pub lockout_seconds: i64,
    pub max_body_bytes: usize,
    /// Argon2id memory cost in KiB and iterations.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Where recordings are kept.
    pub blob_dir: std::path::PathBuf,
    /// The largest recording accepted (WAV upload).
    pub max_audio_bytes: usize,
    /// How a switch (Kamailio) reaches Switchboard.
    pub switch: switch::SwitchConfig,
    /// A client has this long to send a request's headers; then the connection is closed.
    pub header_read_timeout_seconds: u64,
    /// A body that stops arriving for this long is dropped (408).
    pub body_read_timeout_seconds: u64,
    /// A request not answered within this long is answered 503 (imports of large files
    /// included: raise it for those).
    pub handler_timeout_seconds: u64,
    /// Reverse proxies whose `X-Forwarded-For` / `-Proto` are believed (addresses or blocks).
    pub trusted_proxies: Vec<proxy::Cidr>,
    /// Resellers and super users must log in with a second factor (the platform's setting;
    /// a domain's managers follow their domain's policy).
    pub two_factor_for_providers: bool,
    /// The name authenticator apps show beside a Switchboard login.
    pub two_factor_issuer: String,
    /// How long the second step of a login may wait after the password.
    pub login_challenge_seconds: i64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            access_token_seconds: 15 * 60,
            refresh_token_seconds: 30 * 24 * 3600,
            reauth_seconds: 5 * 60,
            login_window_seconds: 15 * 60,
            account_max_failures: 5,
            address_max_failures: 50,
            lockout_seconds: 15 * 60,
            max_body_bytes: 64 * 1024,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            blob_dir: std::path::PathBuf::from("switchboard-blobs"),
            max_audio_bytes: 10 * 1024 * 1024,
            switch: switch::SwitchConfig::default(),
            header_read_timeout_seconds: 10,
            body_read_timeout_seconds: 30,
            handler_timeout_seconds: 300,
            trusted_proxies: Vec::new(),
            two_factor_for_providers: false,
            two_factor_issuer: "Switchboard".into(),
            login_challenge_seconds: 5 * 60,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub hasher: auth::Hasher,
    pub blobs: blobs::BlobStore,
    pub metrics: Arc<metrics::Metrics>,
    /// The switch clock tests set.
    pub switch: Arc<switch::SwitchState>,
    /// Turns true when the server begins to stop: what never ends by itself (a live view's
    /// stream) ends then.
    pub stopping: tokio::sync::watch::Sender<bool>,
    openapi: Arc<serde_json::Value>,
    /// The same document, serialized once.
    openapi_bytes: axum::body::Bytes,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Result<AppState, String> {
        let hasher = auth::Hasher::new(config.argon2_memory_kib, config.argon2_iterations)?;
        let openapi = Arc::new(openapi::document(&api::routes()));
        let openapi_bytes =
            axum::body::Bytes::from(serde_json::to_vec(&*openapi).map_err(|e| e.to_string())?);
        Ok(AppState {
            blobs: blobs::BlobStore::new(config.blob_dir.clone()),
            metrics: Arc::default(),
            switch: Arc::default(),
            stopping: tokio::sync::watch::Sender::new(false),
            store,
            config: Arc::new(config),
            hasher,
            openapi,
            openapi_bytes,
        })
    }

    pub fn openapi(&self) -> &serde_json::Value {
        &self.openapi
    }

    pub fn openapi_bytes(&self) -> axum::body::Bytes {
        self.openapi_bytes.clone()
    }
}

pub async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such endpoint; see GET /api/v1/openapi.json",
    )
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; see GET /api/v1/openapi.json",
    )
}

/// The API's routes, authenticated as the route table says, before fallbacks and layers.
pub fn router(state: &AppState) -> axum::Router<AppState> {
    routes::build_router(state, api::routes())
}

/// What every served router gets around it: the fallbacks for unknown paths and methods, the
/// body limit, a 500 instead of a dropped connection on a panic, request tracing, and the
/// operator's metrics (with every 5xx logged with its cause).
pub fn finish(router: axum::Router<AppState>, state: AppState) -> axum::Router {
    let max_body = state.config.max_body_bytes;
    let seconds = std::time::Duration::from_secs;
    router
        .route_layer(axum::middleware::from_fn(observe::tag_route))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(seconds(
            state.config.body_read_timeout_seconds,
        )))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            seconds(state.config.handler_timeout_seconds),
        ))
        .layer(CatchPanicLayer::custom(
            |payload: Box<dyn std::any::Any + Send>| {
                ApiError::internal(observe::panic_message(payload.as_ref())).into_response()
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::edge,
        ))
        // A failure is logged by `observe`, with its cause.
        .layer(TraceLayer::new_for_http().on_failure(()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state)
}

/// The REST API alone.
pub fn app(state: AppState) -> axum::Router {
    finish(router(&state), state)
}
