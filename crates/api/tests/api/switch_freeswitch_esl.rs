//! Switchboard driving FreeSWITCH's `mod_callcenter` over the event socket, against a fake
//! FreeSWITCH that speaks `mod_event_socket`'s protocol: `auth/request` on connect, commands
//! ended by a blank line, `command/reply` and `api/response` (with `Content-Length`) answers,
//! `text/event-plain` events with url-encoded values. Its `callcenter_config` keeps tiers as
//! `mod_callcenter` does (adding one that exists is `-ERR`), so resyncs are checked for real.

use crate::common::*;
use crate::fake_socket::FakeSocket;
use crate::switch::{issue_password, with_switch};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_api::switch::freeswitch::esl::EslConfig;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

const OM: &str = "101@acme.example";
const PASSWORD: &str = "ClueCon-test";

/// What the fake was sent and holds.
#[derive(Default, Debug)]
struct Held {
    /// Every `api` command, in order.
    api: Vec<String>,
    /// Every non-`api` command, in order (`auth …`, `event …`).
    commands: Vec<String>,
    /// Tiers as (queue, agent).
    tiers: BTreeSet<(String, String)>,
}

/// A fake FreeSWITCH; what is pushed to it is an event's body.
struct FakeFreeswitch(FakeSocket<Held, String>);

impl std::ops::Deref for FakeFreeswitch {
    type Target = FakeSocket<Held, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FakeFreeswitch {
    async fn start(password: &'static str) -> FakeFreeswitch {
        FakeFreeswitch(
            FakeSocket::start(move |stream, held, pushed| serve(stream, password, held, pushed))
                .await,
        )
    }

    fn config(&self, password: &str) -> EslConfig {
        EslConfig {
            address: self.address.clone(),
            password: password.into(),
        }
    }

    /// Send an event as FreeSWITCH does: headers url-encoded, the frame sized.
    fn event(&self, headers: &[(&str, &str)]) {
        let mut body = String::new();
        for (name, value) in headers {
            let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
            body.push_str(&format!("{name}: {}\n", value.replace('+', "%20")));
        }
        body.push('\n');
        self.push(body);
    }

    fn api_sent(&self) -> Vec<String> {
        self.held.lock().unwrap().api.clone()
    }

    fn tiers(&self) -> BTreeSet<(String, String)> {
        self.held.lock().unwrap().tiers.clone()
    }
}

async fn serve(
    stream: tokio::net::TcpStream,
    password: &str,
    held: Arc<Mutex<Held>>,
    mut pushed: mpsc::UnboundedReceiver<String>,
) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write
        .write_all(b"Content-Type: auth/request\n\n")
        .await
        .unwrap();
    let mut authenticated = false;
    loop {
        let mut command = String::new();
        tokio::select! {
            push = pushed.recv() => match push {
                Some(body) => {
                    let frame = format!(
                        "Content-Length: {}\nContent-Type: text/event-plain\n\n{body}",
                        body.len()
                    );
                    if write.write_all(frame.as_bytes()).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            read_line = read.read_line(&mut command) => {
                if !matches!(read_line, Ok(n) if n > 0) {
                    return;
                }
                // A command ends with a blank line.
                let mut blank = String::new();
                if !matches!(read.read_line(&mut blank).await, Ok(n) if n > 0) || !blank.trim().is_empty() {
                    return;
                }
                let command = command.trim().to_owned();
                let reply = if let Some(api) = command.strip_prefix("api ") {
                    assert!(authenticated, "an api command before auth: {api}");
                    let body = callcenter_config(&held, api);
                    held.lock().unwrap().api.push(api.to_owned());
                    format!("Content-Type: api/response\nContent-Length: {}\n\n{body}", body.len())
                } else {
                    held.lock().unwrap().commands.push(command.clone());
                    let ok = match command.strip_prefix("auth ") {
                        Some(given) => {
                            authenticated = given == password;
                            authenticated
                        }
                        None => authenticated,
                    };
                    let text = if ok { "+OK accepted" } else { "-ERR invalid" };
                    format!("Content-Type: command/reply\nReply-Text: {text}\n\n")
                };
                if write.write_all(reply.as_bytes()).await.is_err() || !authenticated {
                    return;
                }
            },
        }
    }
}

/// `mod_callcenter`'s answers to the commands Switchboard sends.
fn callcenter_config(held: &Mutex<Held>, api: &str) -> String {
    let words: Vec<&str> = api.split_whitespace().collect();
    let mut held = held.lock().unwrap();
    match words.as_slice() {
        ["callcenter_config", "tier", "add", queue, agent, ..] => {
            if held.tiers.insert((queue.to_string(), agent.to_string())) {
                "+OK\n".into()
            } else {
                "-ERR Tier already exist!\n".into()
            }
        }
        ["callcenter_config", "tier", "del", queue, agent] => {
            held.tiers.remove(&(queue.to_string(), agent.to_string()));
            "+OK\n".into()
        }
        ["callcenter_config", "tier", "list"] => {
            let mut out = String::from("queue|agent|state|level|position\n");
            for (queue, agent) in &held.tiers {
                out.push_str(&format!("{queue}|{agent}|Ready|1|1\n"));
            }
            out + "+OK\n"
        }
        ["callcenter_config", ..] => "+OK\n".into(),
        _ => "-ERR command not found\n".into(),
    }
}

fn tier(queue: &str, agent: &str) -> (String, String) {
    (
        format!("{queue}@acme.example"),
        format!("{agent}@acme.example"),
    )
}

async fn set(s: &TestServer, path: &str, body: serde_json::Value) {
    let (st, answer) = s.send(OM, Method::PUT, path, Some(body)).await;
    assert!(st.is_success(), "{path}: {answer}");
}

#[tokio::test]
async fn agents_and_tiers_reach_mod_callcenter_and_its_events_come_back() {
    for s in with_switch().await {
        let fs = FakeFreeswitch::start(PASSWORD).await;
        // A tier FreeSWITCH holds that Switchboard does not (an agent logged out meanwhile),
        // and one of a domain Switchboard does not serve, which it must leave alone.
        fs.held.lock().unwrap().tiers.extend([
            tier("601", "105"),
            ("900@elsewhere.example".into(), "1@elsewhere.example".into()),
        ]);
        let connections =
            switchboard_api::switch::freeswitch::esl::spawn(s.state.clone(), fs.config(PASSWORD));

        // On connecting: authenticated, subscribed, and everything sent.
        fs.until("the first sync", |h| {
            h.api.iter().any(|a| a == "callcenter_config tier list")
        })
        .await;
        {
            let held = fs.held.lock().unwrap();
            assert_eq!(held.commands[0], format!("auth {PASSWORD}"));
            assert!(
                held.commands[1].starts_with("event plain CUSTOM callcenter::info"),
                "{:?}",
                held.commands
            );
        }
        let sent = fs.api_sent();
        for expected in [
            "callcenter_config queue load 600@acme.example",
            "callcenter_config agent add 105@acme.example callback",
        ] {
            assert!(sent.iter().any(|a| a == expected), "{expected}: {sent:#?}");
        }
        assert!(
            sent.iter()
                .any(|a| a.starts_with("callcenter_config agent set status 105@acme.example '")),
            "{sent:#?}"
        );
        assert!(
            sent.iter()
                .any(|a| a
                    .starts_with("callcenter_config agent set contact 105@acme.example 'error/")),
            "no phone registered yet: {sent:#?}"
        );
        let demo_tiers = fs.tiers();
        assert!(
            !demo_tiers.contains(&tier("601", "105")),
            "a stale tier is deleted"
        );
        assert!(
            demo_tiers.contains(&("900@elsewhere.example".into(), "1@elsewhere.example".into())),
            "another installation's tier is left alone"
        );

        // Availability set in Switchboard: sent at once.
        set(
            &s,
            "/api/v1/domains/~/users/105/availability",
            json!({"status": "on_break", "reason": "lunch"}),
        )
        .await;
        fs.until("the status", |h| {
            h.api
                .iter()
                .any(|a| a == "callcenter_config agent set status 105@acme.example 'On Break'")
        })
        .await;

        // Logged in to a queue: its tier added; logged out: deleted.
        let (st, body) = s
            .send(
                OM,
                Method::POST,
                "/api/v1/domains/~/call-queues/601/agents",
                Some(json!({"user": "105"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let login = "/api/v1/domains/~/call-queues/601/agents/105/login";
        set(&s, login, json!({"logged_in": true})).await;
        fs.until("the tier added", |h| h.tiers.contains(&tier("601", "105")))
            .await;
        set(&s, login, json!({"logged_in": false})).await;
        fs.until("the tier deleted", |h| {
            !h.tiers.contains(&tier("601", "105"))
        })
        .await;

        // A phone registered: the agent's contact becomes its login.
        let (device, issued) = issue_password(&s, "105").await;
        let username = issued["username"].as_str().unwrap().to_owned();
        let contact = format!(
            "callcenter_config agent set contact 105@acme.example 'user/{username}@acme.example'"
        );
        fs.until("the agent's contact", |h| h.api.contains(&contact))
            .await;
        fs.event(&[
            ("Event-Name", "CUSTOM"),
            ("Event-Subclass", "sofia::register"),
            ("profile-name", "internal"),
            ("from-user", &username),
            ("from-host", "acme.example"),
            (
                "contact",
                &format!("\"105\" <sip:{username}@192.0.2.10:5060;ob>"),
            ),
            ("expires", "600"),
            ("user-agent", "Yealink SIP-T54W 96.86.0.100"),
            ("network-ip", "192.0.2.10"),
            ("network-port", "5060"),
            ("username", &username),
            ("realm", "acme.example"),
        ]);
        let sip = format!("/api/v1/domains/~/devices/{device}/sip");
        let mut registration = serde_json::Value::Null;
        for _ in 0..250 {
            registration = s.get(OM, &sip).await.1["registration"].clone();
            if !registration.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            registration["contact"],
            format!("sip:{username}@192.0.2.10:5060;ob"),
            "{registration}"
        );
        assert_eq!(registration["user_agent"], "Yealink SIP-T54W 96.86.0.100");

        // mod_callcenter says the agent is Available (a feature code on the phone): Switchboard
        // takes it, and the audit log says the switch did it.
        fs.event(&[
            ("Event-Name", "CUSTOM"),
            ("Event-Subclass", "callcenter::info"),
            ("CC-Action", "agent-status-change"),
            ("CC-Agent", "105@acme.example"),
            ("CC-Agent-Status", "Available"),
        ]);
        let availability = "/api/v1/domains/~/users/105/availability";
        let mut status = serde_json::Value::Null;
        for _ in 0..250 {
            status = s.get(OM, availability).await.1["status"].clone();
            if status == "available" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(status, "available");
        // An agent or status Switchboard does not know changes nothing.
        fs.event(&[
            ("Event-Subclass", "callcenter::info"),
            ("CC-Action", "agent-status-change"),
            ("CC-Agent", "999@acme.example"),
            ("CC-Agent-Status", "Available"),
        ]);
        fs.event(&[
            ("Event-Subclass", "callcenter::info"),
            ("CC-Action", "agent-status-change"),
            ("CC-Agent", "105@acme.example"),
            ("CC-Agent-Status", "Dancing"),
        ]);

        // The connection drops: Switchboard connects again and sends everything again,
        // including what changed while it was away.
        fs.close();
        fs.until_connections(2).await;
        set(&s, login, json!({"logged_in": true})).await;
        fs.until("the tier after reconnecting", |h| {
            h.tiers.contains(&tier("601", "105"))
        })
        .await;
        assert_eq!(s.get(OM, availability).await.1["status"], "available");
        connections.abort();
        s.stop().await;
    }
}

#[tokio::test]
async fn a_wrong_password_sends_nothing_and_is_tried_again() {
    let mut servers = with_switch().await;
    let s = servers.remove(0);
    for other in servers {
        other.stop().await;
    }
    let fs = FakeFreeswitch::start(PASSWORD).await;
    let connections =
        switchboard_api::switch::freeswitch::esl::spawn(s.state.clone(), fs.config("guess"));
    fs.until_connections(2).await;
    {
        let held = fs.held.lock().unwrap();
        assert!(held.api.is_empty(), "{:?}", held.api);
        assert!(
            held.commands.iter().all(|c| c == "auth guess"),
            "{:?}",
            held.commands
        );
    }
    connections.abort();
    s.stop().await;
}

#[tokio::test]
async fn callers_waiting_in_mod_callcenter_reach_the_wallboard() {
    use crate::queue_waiting::{waiting_becomes, waiting_in};
    for s in with_switch().await {
        let fs = FakeFreeswitch::start(PASSWORD).await;
        let connections =
            switchboard_api::switch::freeswitch::esl::spawn(s.state.clone(), fs.config(PASSWORD));
        fs.until("the first sync", |h| {
            h.api.iter().any(|a| a == "callcenter_config tier list")
        })
        .await;
        // A caller joined 600 half a minute ago (mod_callcenter's own clock).
        let joined = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 30)
            .to_string();
        let member = |action: &'static str, call: &'static str, queue: &'static str| {
            [
                ("Event-Name", "CUSTOM"),
                ("Event-Subclass", "callcenter::info"),
                ("CC-Action", action),
                ("CC-Queue", queue),
                ("CC-Member-UUID", "member-uuid"),
                ("CC-Member-Session-UUID", call),
            ]
        };
        let mut start = member("member-queue-start", "fs-call-1", "600@acme.example").to_vec();
        start.push(("CC-Member-Joined-Time", joined.as_str()));
        fs.event(&start);
        waiting_becomes(&s, OM, "600", 1).await;
        let longest = waiting_in(&s, OM, "600").await.unwrap().1.unwrap();
        assert!((30..40).contains(&longest), "{longest}");
        // A queue Switchboard does not have is nobody's wallboard's.
        fs.event(&member(
            "member-queue-start",
            "fs-call-2",
            "999@acme.example",
        ));
        // An agent took the call: it no longer waits.
        fs.event(&member(
            "bridge-agent-start",
            "fs-call-1",
            "600@acme.example",
        ));
        waiting_becomes(&s, OM, "600", 0).await;
        // Another joins, then hangs up before anyone answers.
        fs.event(&member(
            "member-queue-start",
            "fs-call-3",
            "601@acme.example",
        ));
        waiting_becomes(&s, OM, "601", 1).await;
        fs.event(&member("member-queue-end", "fs-call-3", "601@acme.example"));
        waiting_becomes(&s, OM, "601", 0).await;
        connections.abort();
        s.stop().await;
    }
}
