//! A fake switch's control socket (FreeSWITCH's event socket, Asterisk's manager interface):
//! it listens on 127.0.0.1, serves each connection with the switch's own protocol, keeps what
//! it was sent in `held`, and lets a test push to (or drop) the latest connection.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

pub struct FakeSocket<H, P> {
    pub address: String,
    pub held: Arc<Mutex<H>>,
    /// The latest connection's channel: dropping it closes the connection.
    live: Arc<Mutex<Option<mpsc::UnboundedSender<P>>>>,
    connections: Arc<AtomicUsize>,
    accept: tokio::task::JoinHandle<()>,
}

impl<H, P> FakeSocket<H, P>
where
    H: Default + std::fmt::Debug + Send + 'static,
    P: Send + 'static,
{
    /// Listen; each connection is served by `serve` until it returns (it must return when its
    /// channel closes).
    pub async fn start<F, Fut>(serve: F) -> FakeSocket<H, P>
    where
        F: Fn(TcpStream, Arc<Mutex<H>>, mpsc::UnboundedReceiver<P>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let held = Arc::new(Mutex::new(H::default()));
        let live = Arc::new(Mutex::new(None));
        let connections = Arc::new(AtomicUsize::new(0));
        let (h, l, c) = (held.clone(), live.clone(), connections.clone());
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (tx, rx) = mpsc::unbounded_channel();
                *l.lock().unwrap() = Some(tx);
                c.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, h.clone(), rx));
            }
        });
        FakeSocket {
            address,
            held,
            live,
            connections,
            accept,
        }
    }

    pub fn push(&self, push: P) {
        if let Some(tx) = self.live.lock().unwrap().as_ref() {
            let _ = tx.send(push);
        }
    }

    /// Drop the latest connection, as a switch restarting does.
    pub fn close(&self) {
        self.live.lock().unwrap().take();
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Wait (ten seconds at most) until `done` holds of what the fake holds.
    pub async fn until(&self, what: &str, done: impl Fn(&H) -> bool) {
        for _ in 0..500 {
            if done(&self.held.lock().unwrap()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "{what}: never happened; the fake holds {:#?}",
            self.held.lock().unwrap()
        );
    }

    /// Wait until the switch was connected to `n` times.
    pub async fn until_connections(&self, n: usize) {
        for _ in 0..500 {
            if self.connections() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{n} connections never came: {}", self.connections());
    }
}

impl<H, P> Drop for FakeSocket<H, P> {
    fn drop(&mut self) {
        self.accept.abort();
        if let Ok(mut live) = self.live.lock() {
            live.take();
        }
    }
}
