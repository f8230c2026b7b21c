//! The server an operator runs: the REST API and the web portal in one router.

use switchboard_api::AppState;

/// The whole application: the API, and the portal, which calls the API in-process.
pub fn app(state: AppState) -> axum::Router {
    let api = switchboard_api::router(&state);
    // The portal's pages call the API through the same router and its guard.
    let api_alone = api.clone().with_state(state.clone());
    switchboard_api::finish(
        api.merge(switchboard_portal::router(api_alone, &state)),
        state,
    )
}

/// Serve the whole application until `shutdown` completes: the requests in flight finish, then
/// the database is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let header_timeout = std::time::Duration::from_secs(state.config.header_read_timeout_seconds);
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    let served =
        switchboard_api::server::serve(listener, app(state), header_timeout, shutdown).await;
    store.close().await;
    tracing::info!("the database is closed");
    served
}
