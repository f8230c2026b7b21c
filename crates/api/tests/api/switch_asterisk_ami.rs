//! Switchboard driving Asterisk's queues over the manager interface, against a fake Asterisk
//! that speaks AMI: the banner line on connect, `Key: Value` blocks ended by a blank line,
//! `Response:` with the action's `ActionID`, `QueueStatus` as an event list ended by
//! `QueueStatusComplete`. Its queues keep members as app_queue does (adding one that is there,
//! or removing one that is not, is an error; a pause is echoed as `QueueMemberPause`), so the
//! reconciliations are checked for real.

use crate::common::*;
use crate::fake_socket::FakeSocket;
use crate::switch::{issue_password, with_switch};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_api::switch::asterisk::ami::AmiConfig;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

const OM: &str = "101@acme.example";
const USER: &str = "switchboard";
const SECRET: &str = "amp111-test";

#[derive(Clone, Debug, PartialEq, Eq)]
struct Member {
    name: String,
    penalty: String,
    paused: bool,
    reason: String,
    dynamic: bool,
}

type Fields = BTreeMap<String, String>;

/// What the fake was sent and holds.
#[derive(Default, Debug)]
struct Held {
    /// Every action, in order, with its fields (ActionID left out).
    actions: Vec<(String, Fields)>,
    /// Members by (queue, interface).
    members: BTreeMap<(String, String), Member>,
}

impl Held {
    fn sent(&self, action: &str) -> Vec<Fields> {
        self.actions
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, f)| f.clone())
            .collect()
    }
}

/// A fake Asterisk; what is pushed to it is an event's lines.
struct FakeAsterisk(FakeSocket<Held, Vec<(String, String)>>);

impl std::ops::Deref for FakeAsterisk {
    type Target = FakeSocket<Held, Vec<(String, String)>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FakeAsterisk {
    async fn start() -> FakeAsterisk {
        FakeAsterisk(FakeSocket::start(serve).await)
    }

    fn config(&self, secret: &str) -> AmiConfig {
        AmiConfig {
            address: self.address.clone(),
            username: USER.into(),
            secret: secret.into(),
            timezone: Some(switchboard_domain::TimeZoneName::parse("America/New_York").unwrap()),
        }
    }

    fn event(&self, fields: &[(&str, &str)]) {
        self.push(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
    }

    fn member(&self, queue: &str, interface: &str) -> Option<Member> {
        let held = self.held.lock().unwrap();
        held.members
            .get(&(queue.to_owned(), interface.to_owned()))
            .cloned()
    }
}

fn block(lines: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in lines {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out + "\r\n"
}

fn member_event(event: &str, queue: &str, interface: &str, m: &Member) -> String {
    block(&[
        ("Event", event),
        ("Privilege", "agent,all"),
        ("Queue", queue),
        ("MemberName", &m.name),
        ("Interface", interface),
        ("StateInterface", interface),
        ("Membership", if m.dynamic { "dynamic" } else { "static" }),
        ("Penalty", &m.penalty),
        ("Paused", if m.paused { "1" } else { "0" }),
        ("PausedReason", &m.reason),
    ])
}

async fn serve(
    stream: tokio::net::TcpStream,
    held: Arc<Mutex<Held>>,
    mut pushed: mpsc::UnboundedReceiver<Vec<(String, String)>>,
) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write
        .write_all(b"Asterisk Call Manager/9.0.0\r\n")
        .await
        .unwrap();
    let mut logged_in = false;
    let mut fields = Fields::new();
    loop {
        let mut line = String::new();
        tokio::select! {
            push = pushed.recv() => match push {
                Some(lines) => {
                    let lines: Vec<(&str, &str)> =
                        lines.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    if write.write_all(block(&lines).as_bytes()).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            read_line = read.read_line(&mut line) => {
                if !matches!(read_line, Ok(n) if n > 0) {
                    return;
                }
                assert!(line.ends_with("\r\n"), "AMI lines end with CRLF: {line:?}");
                let text = line.trim_end();
                if !text.is_empty() {
                    let (k, v) = text.split_once(':').expect("Key: Value");
                    fields.insert(k.to_owned(), v.trim().to_owned());
                    continue;
                }
                let mut action = std::mem::take(&mut fields);
                let name = action.remove("Action").expect("an Action");
                let id = action.remove("ActionID").expect("an ActionID");
                if name != "Login" {
                    assert!(logged_in, "{name} before Login");
                }
                held.lock().unwrap().actions.push((name.clone(), action.clone()));
                let (reply, ok) = answer(&held, &name, &id, &action);
                if name == "Login" {
                    logged_in = ok;
                }
                if write.write_all(reply.as_bytes()).await.is_err() || !logged_in {
                    return;
                }
            },
        }
    }
}

/// app_queue's (and the manager's) answers.
fn answer(held: &Mutex<Held>, name: &str, id: &str, f: &Fields) -> (String, bool) {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let respond = |ok: bool, message: &str| {
        let r = if ok { "Success" } else { "Error" };
        (
            block(&[("Response", r), ("ActionID", id), ("Message", message)]),
            ok,
        )
    };
    let mut held = held.lock().unwrap();
    let key = (get("Queue"), get("Interface"));
    match name {
        "Login" => {
            if get("Username") == USER && get("Secret") == SECRET {
                let (mut reply, ok) = respond(true, "Authentication accepted");
                reply += &block(&[
                    ("Event", "FullyBooted"),
                    ("Privilege", "system,all"),
                    ("Status", "Fully Booted"),
                ]);
                (reply, ok)
            } else {
                respond(false, "Authentication failed")
            }
        }
        "QueueStatus" => {
            let (mut reply, _) = respond(true, "Queue status will follow");
            // QueueStatus names members as app_queue's manager_queues_status does: Name and
            // Location, not MemberName and Interface. It lists one queue (`Queue`, without
            // case) and one member (`Member`, its interface or name) when asked to.
            let listed = held.members.iter().filter(|((queue, interface), m)| {
                f.get("Queue").is_none_or(|q| q.eq_ignore_ascii_case(queue))
                    && f.get("Member")
                        .is_none_or(|w| *w == *interface || *w == m.name)
            });
            let mut items = 0;
            for ((queue, interface), m) in listed {
                items += 1;
                reply += &block(&[
                    ("Event", "QueueMember"),
                    ("Queue", queue),
                    ("Name", &m.name),
                    ("Location", interface),
                    ("StateInterface", interface),
                    ("Membership", if m.dynamic { "dynamic" } else { "static" }),
                    ("Penalty", &m.penalty),
                    ("CallsTaken", "0"),
                    ("LastCall", "0"),
                    ("LastPause", "0"),
                    ("LoginTime", "0"),
                    ("InCall", "0"),
                    ("Status", "1"),
                    ("Paused", if m.paused { "1" } else { "0" }),
                    ("PausedReason", &m.reason),
                    ("Wrapuptime", "0"),
                    ("ActionID", id),
                ]);
            }
            reply += &block(&[
                ("Event", "QueueStatusComplete"),
                ("ActionID", id),
                ("EventList", "Complete"),
                ("ListItems", &items.to_string()),
            ]);
            (reply, true)
        }
        "QueueAdd" => {
            if held.members.contains_key(&key) {
                return respond(false, "Unable to add interface: Already there");
            }
            held.members.insert(
                key,
                Member {
                    name: get("MemberName"),
                    penalty: get("Penalty"),
                    paused: get("Paused") == "true",
                    reason: get("Reason"),
                    dynamic: true,
                },
            );
            respond(true, "Added interface to queue")
        }
        "QueueRemove" => match held.members.get(&key) {
            Some(m) if !m.dynamic => respond(false, "Unable to remove interface: Not dynamic"),
            Some(_) => {
                held.members.remove(&key);
                respond(true, "Removed interface from queue")
            }
            None => respond(false, "Unable to remove interface: Not there"),
        },
        "QueuePause" => {
            let Some(m) = held.members.get_mut(&key) else {
                return respond(false, "Interface not found");
            };
            m.paused = get("Paused") == "true";
            m.reason = if m.paused {
                get("Reason")
            } else {
                String::new()
            };
            let event = member_event("QueueMemberPause", &key.0, &key.1, m);
            let (reply, ok) = respond(true, "Interface paused successfully");
            (reply + &event, ok)
        }
        "QueuePenalty" => match held.members.get_mut(&key) {
            Some(m) => {
                m.penalty = get("Penalty");
                respond(true, "Interface penalty set successfully")
            }
            None => respond(false, "Invalid interface, queuename or penalty"),
        },
        _ => respond(false, "Invalid/unknown command"),
    }
}

async fn set(s: &TestServer, path: &str, body: serde_json::Value) {
    let (st, answer) = s.send(OM, Method::PUT, path, Some(body)).await;
    assert!(st.is_success(), "{path}: {answer}");
}

async fn status_becomes(s: &TestServer, wanted: &str) {
    let availability = "/api/v1/domains/~/users/105/availability";
    let mut status = serde_json::Value::Null;
    for _ in 0..250 {
        status = s.get(OM, availability).await.1["status"].clone();
        if status == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the availability stayed {status}, not {wanted}");
}

#[tokio::test]
async fn queue_members_follow_agents_and_pauses_and_calls_come_back() {
    for s in with_switch().await {
        let (_, issued) = issue_password(&s, "105").await;
        let login = issued["username"].as_str().unwrap().to_owned();
        let interface = format!("PJSIP/{login}@acme.example");
        let ast = FakeAsterisk::start().await;
        // A member Asterisk holds that Switchboard does not want (the agent is not logged in
        // to 601), one of a domain Switchboard does not serve, and a static one of
        // Switchboard's queue, which only Asterisk's files can remove: the last two are left.
        let member = |name: &str, dynamic| Member {
            name: name.into(),
            penalty: "0".into(),
            paused: false,
            reason: String::new(),
            dynamic,
        };
        ast.held.lock().unwrap().members.extend([
            (
                ("601@acme.example".into(), interface.clone()),
                member("105@acme.example", true),
            ),
            (
                (
                    "900@elsewhere.example".into(),
                    "PJSIP/1@elsewhere.example".into(),
                ),
                member("1@elsewhere.example", true),
            ),
            (
                ("600@acme.example".into(), "PJSIP/lobby".into()),
                member("lobby", false),
            ),
        ]);
        let connection =
            switchboard_api::switch::asterisk::ami::spawn(s.state.clone(), ast.config(SECRET));

        // On connecting: logged in with the events it reads, the members made what
        // Switchboard says.
        ast.until("the first sync", |h| {
            h.members
                .contains_key(&("602@acme.example".into(), interface.clone()))
        })
        .await;
        {
            let held = ast.held.lock().unwrap();
            let login = &held.actions[0];
            assert_eq!(login.0, "Login");
            assert_eq!(login.1["Username"], USER);
            assert_eq!(login.1["Events"], "agent,cdr,system");
        }
        let status = s
            .get(OM, "/api/v1/domains/~/users/105/availability")
            .await
            .1["status"]
            .clone();
        let in_600 = ast.member("600@acme.example", &interface).expect("in 600");
        assert_eq!(in_600.name, "105@acme.example");
        assert_eq!(in_600.penalty, "1", "the agent's priority in 600");
        assert_eq!(in_600.paused, status != "available", "{status}");
        assert_eq!(
            ast.member("602@acme.example", &interface).unwrap().penalty,
            "2"
        );
        assert!(
            ast.member("601@acme.example", &interface).is_none(),
            "a member not wanted is removed"
        );
        assert!(
            ast.member("900@elsewhere.example", "PJSIP/1@elsewhere.example")
                .is_some()
        );
        assert!(ast.member("600@acme.example", "PJSIP/lobby").is_some());

        // On break in Switchboard: a QueuePause per queue, with the reason. Asterisk's echo of
        // it changes nothing.
        set(
            &s,
            "/api/v1/domains/~/users/105/availability",
            json!({"status": "on_break", "reason": "lunch"}),
        )
        .await;
        ast.until("both queues paused", |h| {
            ["600@acme.example", "602@acme.example"].iter().all(|q| {
                h.members
                    .get(&(q.to_string(), interface.clone()))
                    .is_some_and(|m| m.paused && m.reason == "On Break")
            })
        })
        .await;
        let pauses = ast.held.lock().unwrap().sent("QueuePause");
        let last = pauses.last().unwrap();
        assert_eq!(last["Interface"], interface);
        assert_eq!(last["Paused"], "true");
        assert_eq!(last["Reason"], "On Break");
        tokio::time::sleep(Duration::from_millis(200)).await;
        status_becomes(&s, "on_break").await;

        // Unpaused in Asterisk (the agent's feature code): Switchboard takes it, audited as
        // the switch's, and unpauses the agent's other queue too.
        {
            let mut held = ast.held.lock().unwrap();
            let m = held
                .members
                .get_mut(&("600@acme.example".into(), interface.clone()))
                .unwrap();
            m.paused = false;
            m.reason.clear();
        }
        let unpaused = member_event(
            "QueueMemberPause",
            "600@acme.example",
            &interface,
            &ast.member("600@acme.example", &interface).unwrap(),
        );
        let fields: Vec<(String, String)> = unpaused
            .lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        ast.push(fields);
        status_becomes(&s, "available").await;
        ast.until("the other queue unpaused", |h| {
            h.members
                .get(&("602@acme.example".into(), interface.clone()))
                .is_some_and(|m| !m.paused)
        })
        .await;
        let (_, audit) = s.get(OM, "/api/v1/audit-log").await;
        assert!(
            audit.to_string().contains("switch:asterisk"),
            "the audit log names the switch: {audit}"
        );

        // Logged out of 600 in Switchboard: removed from it.
        let login_600 = "/api/v1/domains/~/call-queues/600/agents/105/login";
        set(&s, login_600, json!({"logged_in": false})).await;
        ast.until("removed from 600", |h| {
            !h.members
                .contains_key(&("600@acme.example".into(), interface.clone()))
        })
        .await;

        // A finished call as cdr_manager sends it: stored once, read as Master.csv is (local
        // times in Asterisk's zone; the queue's agent from the channel).
        let uniqueid = "1764770400.17".to_owned();
        let dst_channel = format!("{interface}-00000002");
        let cdr = [
            ("Event", "Cdr"),
            ("Privilege", "cdr,all"),
            ("AccountCode", "acme.example"),
            ("Source", "5551234"),
            ("Destination", "600"),
            ("DestinationContext", "acme.example"),
            ("CallerID", "\"Bob\" <5551234>"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("DestinationChannel", dst_channel.as_str()),
            ("LastApplication", "Queue"),
            ("LastData", "600@acme.example,t,,,30"),
            ("StartTime", "2026-12-03 09:00:00"),
            ("AnswerTime", "2026-12-03 09:00:10"),
            ("EndTime", "2026-12-03 09:01:00"),
            ("Duration", "60"),
            ("BillableSeconds", "50"),
            ("Disposition", "ANSWERED"),
            ("AMAFlags", "DOCUMENTATION"),
            ("UniqueID", uniqueid.as_str()),
            ("UserField", ""),
        ];
        let count =
            || async { s.get(OM, "/api/v1/domains/~/calls/count").await.1["count"].clone() };
        let before = count().await.as_i64().unwrap();
        ast.event(&cdr);
        ast.event(&cdr);
        let mut call = None;
        for _ in 0..250 {
            let calls = s.list_all(OM, "/api/v1/domains/~/calls").await.unwrap();
            call = calls
                .into_iter()
                .find(|c| c["call_id"] == uniqueid.as_str());
            if call.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let call = call.expect("the Cdr became a call");
        assert_eq!(call["started_at"], "2026-12-03T14:00:00Z", "{call}");
        assert_eq!(call["answered_at"], "2026-12-03T14:00:10Z", "{call}");
        assert_eq!(call["disposition"], "answered", "{call}");
        assert_eq!(call["direction"], "inbound", "{call}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(count().await.as_i64().unwrap(), before + 1, "stored once");

        // A phone registers (ContactStatus, as at every re-registration): Switchboard shows
        // where, and routes to it; removed, it is no longer registered.
        let (_, device) = s.get(OM, "/api/v1/domains/~/users/105/devices").await;
        let sip = format!(
            "/api/v1/domains/~/devices/{}/sip",
            device["items"][0]["id"].as_i64().unwrap()
        );
        let endpoint = format!("{login}@acme.example");
        let contact = format!("sip:{login}@192.0.2.10:5060;ob");
        let contact_event = |status: &'static str| {
            [
                ("Event", "ContactStatus".to_owned()),
                ("Privilege", "system,all".to_owned()),
                ("URI", contact.clone()),
                ("ContactStatus", status.to_owned()),
                ("AOR", endpoint.clone()),
                ("EndpointName", endpoint.clone()),
                ("RoundtripUsec", "0".to_owned()),
            ]
        };
        let registration_is = |wanted: Option<&'static str>| {
            let (s, sip) = (&s, &sip);
            async move {
                let mut seen = serde_json::Value::Null;
                for _ in 0..250 {
                    seen = s.get(OM, sip).await.1["registration"]["contact"].clone();
                    if seen.as_str().map(|c| c.ends_with(";ob")) == wanted.map(|_| true) {
                        return seen;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                panic!("the registration stayed {seen}, not {wanted:?}");
            }
        };
        let send = |fields: [(&str, String); 7]| {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ast.event(&fields);
        };
        send(contact_event("NonQualified"));
        assert_eq!(registration_is(Some("")).await, contact.as_str());
        send(contact_event("Removed"));
        registration_is(None).await;
        send(contact_event("Reachable"));
        registration_is(Some("")).await;
        send(contact_event("Unreachable"));
        registration_is(None).await;

        // The connection drops: Switchboard logs in again and makes the members right again,
        // including what changed while it was away.
        ast.close();
        ast.until_connections(2).await;
        set(&s, login_600, json!({"logged_in": true})).await;
        ast.until("back in 600", |h| {
            h.members
                .contains_key(&("600@acme.example".into(), interface.clone()))
        })
        .await;
        connection.abort();
        s.stop().await;
    }
}

#[tokio::test]
async fn a_wrong_secret_sends_nothing_and_is_tried_again() {
    let mut servers = with_switch().await;
    let s = servers.remove(0);
    for other in servers {
        other.stop().await;
    }
    let ast = FakeAsterisk::start().await;
    let connection =
        switchboard_api::switch::asterisk::ami::spawn(s.state.clone(), ast.config("guess"));
    ast.until_connections(2).await;
    {
        let held = ast.held.lock().unwrap();
        assert!(
            held.actions.iter().all(|(a, _)| a == "Login"),
            "{:?}",
            held.actions
        );
    }
    connection.abort();
    let (st, _) = s
        .send(
            OM,
            Method::GET,
            "/api/v1/domains/~/users/105/availability",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn callers_waiting_in_app_queue_reach_the_wallboard() {
    use crate::queue_waiting::waiting_becomes;
    for s in with_switch().await {
        let ast = FakeAsterisk::start().await;
        let connection =
            switchboard_api::switch::asterisk::ami::spawn(s.state.clone(), ast.config(SECRET));
        ast.until("logged in and synced", |h| {
            h.actions.iter().any(|(a, _)| a == "QueueStatus")
        })
        .await;
        let caller = |event: &'static str, id: &'static str| {
            [
                ("Event", event),
                ("Queue", "600@acme.example"),
                ("Uniqueid", id),
                ("Position", "1"),
                ("Count", "1"),
            ]
        };
        ast.event(&caller("QueueCallerJoin", "1796000000.11"));
        ast.event(&caller("QueueCallerJoin", "1796000000.12"));
        waiting_becomes(&s, OM, "600", 2).await;
        // Connected to an agent (app_queue says the caller left the queue), and abandoned.
        ast.event(&caller("QueueCallerLeave", "1796000000.11"));
        waiting_becomes(&s, OM, "600", 1).await;
        ast.event(&caller("QueueCallerAbandon", "1796000000.12"));
        waiting_becomes(&s, OM, "600", 0).await;
        connection.abort();
        s.stop().await;
    }
}
