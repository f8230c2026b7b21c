//! A connection Switchboard keeps to a switch's control socket (FreeSWITCH's event socket,
//! Asterisk's manager interface). Each switch says how its messages are framed, how it logs in,
//! and what to send; this module keeps the connection:
//!
//! - on connecting (and after each reconnection, or when it fell behind the changes) the switch
//!   is sent the whole present state;
//! - each change made in Switchboard (`SwitchChange`) is sent as it happens;
//! - what the switch tells unasked is handed back to the switch's module;
//! - when the connection drops, Switchboard connects again, waiting longer each time up to half
//!   a minute.

use super::SwitchChange;
use crate::AppState;
use std::future::Future;
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{broadcast, mpsc};

/// How long a switch has to answer one command.
pub const REPLY_DEADLINE: Duration = Duration::from_secs(10);
const LONGEST_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the switch closed the connection")]
    Closed,
    #[error("the switch did not answer within {0:?}")]
    Slow(Duration),
    #[error("the switch refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Api(String),
}

impl From<crate::error::ApiError> for LinkError {
    fn from(e: crate::error::ApiError) -> LinkError {
        LinkError::Api(e.cause.unwrap_or(e.message))
    }
}

impl From<switchboard_store::StoreError> for LinkError {
    fn from(e: switchboard_store::StoreError) -> LinkError {
        crate::error::ApiError::from(e).into()
    }
}

pub type LinkResult<T> = std::result::Result<T, LinkError>;

/// One switch's side of a kept connection.
pub trait Conversation: Sized + Send {
    /// Where to connect, and how to log in.
    type Config: Clone + Send + Sync + 'static;
    type Frame: Send + 'static;
    /// The socket's name in logs ("FreeSWITCH's event socket").
    const NAME: &'static str;

    fn address(config: &Self::Config) -> &str;

    /// The next message, or `None` when the socket closed between messages.
    fn read_frame(
        reader: &mut BufReader<OwnedReadHalf>,
    ) -> impl Future<Output = io::Result<Option<Self::Frame>>> + Send;

    /// Log in and subscribe; the connection is up when this returns.
    fn start(
        state: AppState,
        config: &Self::Config,
        write: OwnedWriteHalf,
        frames: mpsc::Receiver<Self::Frame>,
    ) -> impl Future<Output = LinkResult<Self>> + Send;

    fn frames(&mut self) -> &mut mpsc::Receiver<Self::Frame>;

    /// Something the switch said unasked.
    fn told(&mut self, frame: Self::Frame) -> impl Future<Output = LinkResult<()>> + Send;

    /// The whole present state.
    fn send_everything(&mut self) -> impl Future<Output = LinkResult<()>> + Send;

    fn send_change(&mut self, change: &SwitchChange)
    -> impl Future<Output = LinkResult<()>> + Send;
}

/// The next message, within the reply deadline.
pub async fn next_frame<T>(frames: &mut mpsc::Receiver<T>) -> LinkResult<T> {
    match tokio::time::timeout(REPLY_DEADLINE, frames.recv()).await {
        Ok(Some(frame)) => Ok(frame),
        Ok(None) => Err(LinkError::Closed),
        Err(_) => Err(LinkError::Slow(REPLY_DEADLINE)),
    }
}

/// Keep a connection for as long as the process runs (or the handle is aborted).
pub fn spawn<C: Conversation + 'static>(
    state: AppState,
    config: C::Config,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Subscribed before the first connection, so no change falls between.
        let mut changes = state.switch.subscribe();
        let mut wait = Duration::from_secs(1);
        let address = C::address(&config).to_owned();
        loop {
            let (problem, was_up) = match session::<C>(&state, &config, &mut changes).await {
                Ok(Session::Ended) => return,
                Ok(Session::Lost) => (LinkError::Closed, true),
                Err(lost) => lost,
            };
            tracing::warn!("{} at {address}: {problem}", C::NAME);
            if was_up {
                wait = Duration::from_secs(1);
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(LONGEST_WAIT);
        }
    })
}

enum Session {
    /// Switchboard is stopping.
    Ended,
    /// The switch closed a connection that was up.
    Lost,
}

/// The reader task, stopped with its connection.
struct Reader(tokio::task::JoinHandle<()>);

impl Drop for Reader {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One connection, from connecting to losing it; the error says whether it had been up.
async fn session<C: Conversation>(
    state: &AppState,
    config: &C::Config,
    changes: &mut broadcast::Receiver<SwitchChange>,
) -> std::result::Result<Session, (LinkError, bool)> {
    let stream = tokio::net::TcpStream::connect(C::address(config))
        .await
        .map_err(|e| (e.into(), false))?;
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    // Messages are read by their own task, so waiting for one never loses half of it.
    let (tx, frames) = mpsc::channel(256);
    let _reader = Reader(tokio::spawn(async move {
        let mut read = BufReader::new(read);
        loop {
            match C::read_frame(&mut read).await {
                Ok(Some(frame)) => {
                    if tx.send(frame).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("{} sent what is not a message: {e}", C::NAME);
                    return;
                }
            }
        }
    }));
    let mut conn = C::start(state.clone(), config, write, frames)
        .await
        .map_err(|e| (e, false))?;
    tracing::info!("connected to {} at {}", C::NAME, C::address(config));
    let up = |e| (e, true);
    conn.send_everything().await.map_err(up)?;
    loop {
        tokio::select! {
            frame = conn.frames().recv() => match frame {
                Some(frame) => conn.told(frame).await.map_err(up)?,
                None => return Ok(Session::Lost),
            },
            change = changes.recv() => match change {
                Ok(change) => conn.send_change(&change).await.map_err(up)?,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!("{missed} changes came faster than {} took them: sending everything again", C::NAME);
                    conn.send_everything().await.map_err(up)?;
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(Session::Ended),
            },
        }
    }
}

/// The longest header line and the most headers in one message: a socket speaking something
/// else is dropped rather than read without end.
const MAX_LINE: usize = 64 * 1024;
const MAX_HEADERS: usize = 512;

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// A message's `Name: value` lines up to the blank line that ends them (both switches frame
/// messages so), or `None` when the socket closed between messages. A first line `lone`
/// accepts is a message by itself (Asterisk's banner), returned as its only line, nameless.
pub async fn read_headers<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    socket: &str,
    lone: impl Fn(&str) -> bool,
) -> io::Result<Option<Vec<(String, String)>>> {
    let mut headers = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = (&mut *reader)
            .take(MAX_LINE as u64 + 1)
            .read_line(&mut line)
            .await?;
        if n == 0 {
            return if headers.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        if n > MAX_LINE {
            return Err(invalid(format!("a {socket} line is too long")));
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            // Blank lines between messages are not a message.
            if headers.is_empty() {
                continue;
            }
            return Ok(Some(headers));
        }
        if headers.is_empty() && lone(text) {
            return Ok(Some(vec![(String::new(), text.to_owned())]));
        }
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| invalid(format!("a {socket} line without a colon")))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
        if headers.len() > MAX_HEADERS {
            return Err(invalid(format!("too many lines in one {socket} message")));
        }
    }
}
