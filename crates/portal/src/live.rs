//! The live views, over server-sent events (htmx's SSE extension): a page holds
//! `div#live hx-ext="sse" sse-connect="…/live" sse-swap="board"`, and `GET …/live` sends that
//! board again, rendered through the API with the viewer's own session (so cut to its scope
//! exactly as the page is): at once, within a moment of any change to an agent's availability
//! or a queue (what the switch connectors are told too), and every `REFRESH` for today's
//! figures. The stream ends when the session no longer reads the board, or the server stops.

use crate::i18n;
use crate::{Addr, Ctx, Portal, enter, not_found_bare};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use switchboard_domain::Scope;
use switchboard_policy::Tab;
use tokio::sync::broadcast::error::RecvError;

/// Today's figures come from call records, which arrive without a change notice.
const REFRESH: Duration = Duration::from_secs(10);
/// Changes that come together are sent as one board.
const GATHER: Duration = Duration::from_millis(50);

pub(crate) async fn stream(
    State(p): State<Portal>,
    Path((layout, tab)): Path<(String, String)>,
    headers: HeaderMap,
    a: Addr,
) -> Response {
    let ctx = match enter(&p, &headers, &a, &layout, &tab, Some("live".into()), &None).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    if ctx.tab != Tab::CallCenter
        || !matches!(
            ctx.s.me.scope,
            Scope::CallCenterAgent | Scope::CallCenterSupervisor
        )
    {
        return not_found_bare();
    }
    // The stream is polled after this handler returns: it keeps the request's language itself.
    let lang = i18n::current();
    let changes = p.state.switch.subscribe();
    let stopping = p.state.stopping.subscribe();
    let boards = futures_util::stream::unfold(
        (ctx, changes, stopping, true),
        move |(ctx, mut changes, mut stopping, first)| async move {
            if *stopping.borrow() {
                return None;
            }
            if !first {
                tokio::select! {
                    got = changes.recv() => {
                        if matches!(got, Err(RecvError::Closed)) {
                            return None;
                        }
                        tokio::time::sleep(GATHER).await;
                        while changes.try_recv().is_ok() {}
                    }
                    _ = tokio::time::sleep(REFRESH) => {}
                    // The server is stopping: the stream ends, so the connection can close.
                    _ = stopping.changed() => return None,
                }
            }
            let board = i18n::scope(lang, board(&ctx)).await?;
            let event = Event::default().event("board").data(board);
            Some((Ok::<_, Infallible>(event), (ctx, changes, stopping, false)))
        },
    );
    Sse::new(boards)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn board(ctx: &Ctx) -> Option<String> {
    let markup = match ctx.s.me.scope {
        Scope::CallCenterAgent => crate::pages::call_center::agent_board(ctx).await,
        _ => crate::pages::call_center::wallboard(ctx).await,
    };
    markup.ok().map(|m| m.into_string())
}
