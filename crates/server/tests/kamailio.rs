//! Switchboard drives a real switch: Debian's Kamailio, configured by `kamailio::config`, with
//! sipp phones. Phones register with the credentials Switchboard issued; calls follow the rules
//! set through the API; every call lands in call history. On SQLite and PostgreSQL.

mod sip;
mod visitor;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sip::{Kamailio, Phone, Run, free_udp_port, sipp_client};
use std::path::Path;
use switchboard_api::switch::SwitchConfig;
use switchboard_api::switch::kamailio::{ConfigParams, config as kamailio_cfg};
use switchboard_api::{AppState, Config};
use switchboard_store::testing::TestDatabase;

const SECRET: &str = "kamailioTestSecret42";
const DOMAIN: &str = "acme.example";
const OM: &str = "101@acme.example";
/// The carrier's gateway and the media server, played by sipp phones.
const GATEWAY_PORT: u16 = 25_091;
const MEDIA_PORT: u16 = 25_093;
/// The installation's own gateway and media server: set, but overridden by the domain (the
/// gateway) and its reseller (the media server), so nothing listens there.
const UNUSED_PORT: u16 = 25_095;

struct Api {
    client: reqwest::Client,
    base: String,
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl Api {
    async fn token(&self, login: &str) -> String {
        if let Some(t) = self.tokens.lock().unwrap().get(login) {
            return t.clone();
        }
        let r: Value = self
            .client
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&json!({"username": login, "password": switchboard_demo::DEMO_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let t = r["access_token"].as_str().unwrap().to_owned();
        self.tokens.lock().unwrap().insert(login.into(), t.clone());
        t
    }

    async fn send(
        &self,
        login: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token(login).await);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ok(&self, login: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.send(login, method, path, body).await;
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// The first phone of a user, with a freshly issued SIP password.
    async fn phone_login(&self, ext: &str) -> (i64, String, String) {
        let devices = self
            .ok(
                OM,
                Method::GET,
                &format!("/api/v1/domains/{DOMAIN}/users/{ext}/devices"),
                None,
            )
            .await;
        let id = devices["items"][0]["id"].as_i64().unwrap();
        let issued = self
            .ok(
                OM,
                Method::POST,
                &format!("/api/v1/domains/{DOMAIN}/devices/{id}/sip/password"),
                None,
            )
            .await;
        assert_eq!(issued["realm"], DOMAIN);
        (
            id,
            issued["username"].as_str().unwrap().to_owned(),
            issued["password"].as_str().unwrap().to_owned(),
        )
    }

    /// A device's SIP login as the Office Manager sees it.
    async fn sip_login(&self, device: i64) -> Value {
        let path = format!("/api/v1/domains/{DOMAIN}/devices/{device}/sip");
        self.ok(OM, Method::GET, &path, None).await
    }

    /// A user's answering rules replaced by one (or none).
    async fn set_rule(&self, ext: &str, action: Option<Value>) {
        let login = format!("{ext}@{DOMAIN}");
        let rules = self
            .ok(
                OM,
                Method::GET,
                &format!("/api/v1/domains/{DOMAIN}/users/{ext}/answer-rules"),
                None,
            )
            .await;
        for r in rules["items"].as_array().unwrap() {
            self.ok(
                OM,
                Method::DELETE,
                &format!("/api/v1/domains/{DOMAIN}/answer-rules/{}", r["id"]),
                None,
            )
            .await;
        }
        let _ = login;
        if let Some(action) = action {
            self.ok(
                OM,
                Method::POST,
                &format!("/api/v1/domains/{DOMAIN}/users/{ext}/answer-rules"),
                Some(json!({"position": 1, "action": action})),
            )
            .await;
        }
    }

    async fn calls(&self, login: &str) -> Vec<Value> {
        let page = self
            .ok(
                login,
                Method::GET,
                "/api/v1/domains/~/calls?limit=100",
                None,
            )
            .await;
        page["items"].as_array().unwrap().clone()
    }
}

fn registered(run: &Run, what: &str) {
    assert!(run.ok, "{what}: {}", run.output);
}

async fn register(
    dir: &Path,
    k: u16,
    name: &str,
    user: &str,
    password: &str,
    port: u16,
    expect: u16,
) -> Run {
    sipp_client(
        dir,
        name,
        &sip::register(expect),
        k,
        &[
            "-au",
            user,
            "-ap",
            password,
            "-key",
            "user",
            user,
            "-key",
            "domain",
            DOMAIN,
            "-key",
            "contact_port",
            &port.to_string(),
            "-key",
            "expires",
            "600",
        ],
    )
    .await
}

async fn dial(
    dir: &Path,
    k: u16,
    name: &str,
    from: &(String, String),
    to: &str,
    expect: u16,
) -> Run {
    sipp_client(
        dir,
        name,
        &sip::call(expect, 300),
        k,
        &[
            "-au", &from.0, "-ap", &from.1, "-key", "user", &from.0, "-key", "domain", DOMAIN,
            "-key", "to", to,
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_and_calls_follow_switchboard() {
    sip::require_tools();
    for db in TestDatabase::all().await {
        eprintln!("-- on {}", db.label);
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            blob_dir: dir.path().join("blobs"),
            switch: SwitchConfig {
                secret: Some(SECRET.into()),
                routes: switchboard_domain::SwitchRoutes {
                    gateway: Some(
                        switchboard_domain::GatewayUri::parse(&format!(
                            "sip:{{number}}@127.0.0.1:{UNUSED_PORT}"
                        ))
                        .unwrap(),
                    ),
                    media_server: Some(
                        switchboard_domain::MediaServerUri::parse(&format!(
                            "sip:{{service}}@127.0.0.1:{UNUSED_PORT}"
                        ))
                        .unwrap(),
                    ),
                },
                ..SwitchConfig::default()
            },
            ..Config::default()
        };
        let state = AppState::new(store.clone(), config).unwrap();
        switchboard_demo::load(&state).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(switchboard_server::serve(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        let api = Api {
            client: reqwest::Client::new(),
            base: base.clone(),
            tokens: Default::default(),
        };
        let port = free_udp_port();
        let cfg = kamailio_cfg(&ConfigParams {
            listen: &format!("udp:127.0.0.1:{port}"),
            switchboard: &base,
            secret: SECRET,
            children: 4,
        });
        let k = Kamailio::start(dir.path(), &cfg, port).await;
        scenario(&api, dir.path(), port, &state)
            .await
            .unwrap_or_else(|e| panic!("{e}\n--- kamailio ---\n{}", k.log_text()));
        k.stop().await;
        let _ = stop.send(());
        server.await.unwrap().unwrap();
        db.drop_database().await;
    }
}

async fn scenario(api: &Api, dir: &Path, k: u16, state: &AppState) -> Result<(), String> {
    let check = |ok: bool, what: String| if ok { Ok(()) } else { Err(what) };
    // Logins issued through the API.
    let caller = api.phone_login("107").await;
    let (agent_device, agent_user, agent_pw) = api.phone_login("105").await;
    let other = api.phone_login("106").await;
    let target = api.phone_login("108").await;
    let caller = (caller.1, caller.2);

    // A wrong password is refused; a disabled device cannot register.
    let wrong = register(
        dir,
        k,
        "reg-wrong",
        &agent_user,
        "not-the-password",
        free_udp_port(),
        401,
    )
    .await;
    registered(&wrong, "a wrong password gets 401 again");
    api.ok(
        OM,
        Method::PUT,
        &format!("/api/v1/domains/{DOMAIN}/devices/{}/sip", other.0),
        Some(json!({"enabled": false})),
    )
    .await;
    let disabled = register(
        dir,
        k,
        "reg-disabled",
        &other.1,
        &other.2,
        free_udp_port(),
        401,
    )
    .await;
    registered(&disabled, "a disabled login is refused");
    api.ok(
        OM,
        Method::PUT,
        &format!("/api/v1/domains/{DOMAIN}/devices/{}/sip", other.0),
        Some(json!({"enabled": true})),
    )
    .await;

    // Phones register; Switchboard shows where.
    let ports: Vec<u16> = (0..4).map(|_| free_udp_port()).collect();
    for ((user, pw), port) in [
        (&caller.0, &caller.1),
        (&agent_user, &agent_pw),
        (&other.1, &other.2),
        (&target.1, &target.2),
    ]
    .into_iter()
    .zip(&ports)
    {
        let run = register(dir, k, &format!("reg-{user}"), user, pw, *port, 200).await;
        registered(&run, &format!("{user} registers"));
    }
    let login = api.sip_login(agent_device).await;
    check(
        login["registration"]["contact"] == format!("sip:{agent_user}@127.0.0.1:{}", ports[1]),
        format!("the registration is shown: {login}"),
    )?;
    check(
        login["registration"]["user_agent"] == "sipp-phone",
        format!("user agent: {login}"),
    )?;
    // The owner sees it on the portal's Phones tab.
    let visitor = visitor::Visitor::log_in(&api.base, "107@acme.example").await;
    let (_, phones) = visitor.get("/my-account/phones").await;
    check(
        phones.contains(&format!("{}@{DOMAIN}", caller.0))
            && phones.contains("Registered from 127.0.0.1:"),
        format!("the Phones page shows the registration: {phones}"),
    )?;
    // The owner issues a new password on the Phones tab: it is shown once; the old one stops
    // working, the new one logs in.
    let device_107 = api
        .ok(
            OM,
            Method::GET,
            &format!("/api/v1/domains/{DOMAIN}/users/107/devices"),
            None,
        )
        .await["items"][0]["id"]
        .clone();
    let (status, issued) = visitor
        .submit(
            &phones,
            &format!("/my-account/phones/{device_107}/sip-password"),
            &[],
        )
        .await;
    check(
        status == StatusCode::OK && issued.contains("shown this once"),
        format!("{status}: {issued}"),
    )?;
    let new_password = issued
        .split("id=\"sip-password\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .ok_or(format!("the new password is on the page: {issued}"))?
        .to_owned();
    let old = register(dir, k, "reg-old", &caller.0, &caller.1, ports[0], 401).await;
    registered(&old, "the old password no longer logs in");
    let new = register(dir, k, "reg-new", &caller.0, &new_password, ports[0], 200).await;
    registered(&new, "the new password logs in");
    let caller = (caller.0.clone(), new_password);
    // The Office Manager sees 105's phone on 105's page, and turns its login off and on there.
    let manager = visitor::Visitor::log_in(&api.base, OM).await;
    let (_, page) = manager.get("/manage-organization/users/105").await;
    check(
        page.contains("Registered from 127.0.0.1:"),
        format!("105's page shows its phone: {page}"),
    )?;
    let switch_path = format!("/manage-organization/users/105/phones/{agent_device}/sip-enabled");
    let (status, _) = manager
        .submit(&page, &switch_path, &[("enabled", "false")])
        .await;
    check(
        status == StatusCode::SEE_OTHER,
        format!("turning the login off: {status}"),
    )?;
    let login = api.sip_login(agent_device).await;
    check(
        login["enabled"] == false,
        format!("the login is off: {login}"),
    )?;
    let (status, _) = manager
        .submit(&page, &switch_path, &[("enabled", "true")])
        .await;
    check(
        status == StatusCode::SEE_OTHER,
        format!("turning the login on: {status}"),
    )?;
    // Another domain's manager cannot see it.
    let (status, _) = api
        .send(
            "101@globex.example",
            Method::GET,
            &format!("/api/v1/domains/{DOMAIN}/devices/{agent_device}/sip"),
            None,
        )
        .await;
    check(
        status == StatusCode::NOT_FOUND,
        format!("another domain: {status}"),
    )?;

    // Extension to extension rings the callee.
    api.set_rule("105", None).await;
    let phone = Phone::start(
        dir,
        "phone-105",
        &sip::answering(200),
        ports[1],
        &agent_user,
    );
    let run = dial(dir, k, "call-105", &caller, "105", 200).await;
    phone.stop().await;
    check(run.ok, format!("107 calls 105: {}", run.output))?;

    // Do not disturb: busy.
    api.set_rule("105", Some(json!({"kind": "do_not_disturb"})))
        .await;
    let run = dial(dir, k, "call-dnd", &caller, "105", 486).await;
    check(run.ok, format!("do not disturb gives 486: {}", run.output))?;

    // Forward always reaches the other user.
    api.set_rule("105", Some(json!({"kind": "forward_always", "to": "108"})))
        .await;
    let phone = Phone::start(dir, "phone-108", &sip::answering(100), ports[3], &target.1);
    let run = dial(dir, k, "call-forward", &caller, "105", 200).await;
    phone.stop().await;
    check(run.ok, format!("forward always to 108: {}", run.output))?;

    // No answer after 5 s: the forward target answers about 5 s later.
    api.set_rule(
        "105",
        Some(json!({"kind": "forward_conditional", "no_answer": "108", "ring_timeout_seconds": 5})),
    )
    .await;
    let ringing = Phone::start(dir, "ringing-105", &sip::ringing(), ports[1], &agent_user);
    let answering = Phone::start(dir, "phone-108b", &sip::answering(100), ports[3], &target.1);
    let run = dial(dir, k, "call-noanswer", &caller, "105", 200).await;
    ringing.stop().await;
    answering.stop().await;
    check(run.ok, format!("no answer forwards to 108: {}", run.output))?;
    check(
        run.elapsed.as_secs_f64() >= 4.8,
        format!("108 answered only after 105 rang 5 s ({:?})", run.elapsed),
    )?;
    api.set_rule("105", None).await;

    // Busy goes elsewhere than no answer: 105 is busy, the rule's busy target (106) answers
    // and its no-answer target (108) is never rung.
    api.set_rule(
        "105",
        Some(json!({"kind": "forward_conditional", "busy": "106", "no_answer": "108", "ring_timeout_seconds": 5})),
    )
    .await;
    let busy = Phone::start(dir, "busy-105", &sip::busy(), ports[1], &agent_user);
    let to_busy = Phone::start(dir, "busy-106", &sip::answering(100), ports[2], &other.1);
    let to_no_answer = Phone::start(dir, "busy-108", &sip::ringing(), ports[3], &target.1);
    let run = dial(dir, k, "call-busy", &caller, "105", 200).await;
    check(
        run.ok,
        format!("busy forwards to the busy target: {}", run.output),
    )?;
    check(busy.rang().await, "105 was rung and was busy".into())?;
    check(
        to_busy.finished(std::time::Duration::from_secs(5)).await,
        "106 (busy target) answered".into(),
    )?;
    check(
        to_no_answer.never_called().await,
        "108 (no-answer target) was not rung".into(),
    )?;

    // A time frame decides: office hours forward to 108, outside them 105's phone rings.
    let frame = api
        .ok(
            OM,
            Method::POST,
            &format!("/api/v1/domains/{DOMAIN}/users/105/time-frames"),
            Some(json!({"name": "Office", "schedule": {"kind": "days_of_week",
                "spans": [{"days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "start": "09:00", "end": "17:00"}]}})),
        )
        .await;
    api.set_rule("105", None).await;
    api.ok(
        OM,
        Method::POST,
        &format!("/api/v1/domains/{DOMAIN}/users/105/answer-rules"),
        Some(json!({"time_frame_id": frame["id"], "position": 1, "action": {"kind": "forward_always", "to": "108"}})),
    )
    .await;
    // Wednesday 25 November 2026, 10:00 in New York: inside the frame.
    state
        .switch
        .set_clock(Some(switchboard_domain::Timestamp(1_795_618_800)));
    let own = Phone::start(dir, "tf-105", &sip::ringing(), ports[1], &agent_user);
    let forward = Phone::start(dir, "tf-108", &sip::answering(100), ports[3], &target.1);
    let run = dial(dir, k, "call-in-frame", &caller, "105", 200).await;
    check(run.ok, format!("inside the frame: {}", run.output))?;
    check(
        forward.finished(std::time::Duration::from_secs(5)).await,
        "inside the frame 108 answers".into(),
    )?;
    check(
        own.never_called().await,
        "inside the frame 105 is not rung".into(),
    )?;
    // Sunday 29 November 2026, 10:00: outside it.
    state
        .switch
        .set_clock(Some(switchboard_domain::Timestamp(1_795_964_400)));
    let own = Phone::start(dir, "tf-105b", &sip::answering(100), ports[1], &agent_user);
    let forward = Phone::start(dir, "tf-108b", &sip::ringing(), ports[3], &target.1);
    let run = dial(dir, k, "call-out-of-frame", &caller, "105", 200).await;
    check(run.ok, format!("outside the frame: {}", run.output))?;
    check(
        own.finished(std::time::Duration::from_secs(5)).await,
        "outside the frame 105 answers".into(),
    )?;
    check(
        forward.never_called().await,
        "outside the frame 108 is not rung".into(),
    )?;
    state.switch.set_clock(None);

    // Simultaneous ring: 105's phone and 108 ring together; 108 answers, 105 is cancelled.
    api.set_rule(
        "105",
        Some(json!({"kind": "simultaneous_ring", "numbers": ["108"], "ring_timeout_seconds": 20})),
    )
    .await;
    let own = Phone::start(dir, "sim-105", &sip::ringing(), ports[1], &agent_user);
    let also = Phone::start(dir, "sim-108", &sip::answering(300), ports[3], &target.1);
    let run = dial(dir, k, "call-simultaneous", &caller, "105", 200).await;
    check(run.ok, format!("simultaneous ring: {}", run.output))?;
    check(
        also.finished(std::time::Duration::from_secs(5)).await,
        "108 answered".into(),
    )?;
    check(own.rang().await, "105 rang too".into())?;

    // An outside number goes out through the domain's gateway (its reseller sets it); voicemail
    // to the media server its reseller has (the super user sets it), not the installation's.
    api.ok(
        "100@voiceco.example",
        Method::PATCH,
        &format!("/api/v1/domains/{DOMAIN}"),
        Some(json!({"switch": {"gateway": format!("sip:{{number}}@127.0.0.1:{GATEWAY_PORT}")}})),
    )
    .await;
    let resellers = api
        .ok(
            "100@platform.example",
            Method::GET,
            "/api/v1/resellers",
            None,
        )
        .await;
    let voiceco = resellers["items"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["name"] == "VoiceCo"))
        .map(|r| r["id"].clone())
        .ok_or("no VoiceCo reseller")?;
    api.ok(
        "100@platform.example",
        Method::PATCH,
        &format!("/api/v1/resellers/{voiceco}"),
        Some(
            json!({"switch": {"media_server": format!("sip:{{service}}@127.0.0.1:{MEDIA_PORT}")}}),
        ),
    )
    .await;
    api.set_rule(
        "105",
        Some(json!({"kind": "forward_always", "to": "+12125550111"})),
    )
    .await;
    let gateway = Phone::start(
        dir,
        "gateway",
        &sip::answering(100),
        GATEWAY_PORT,
        "gateway",
    );
    let run = dial(dir, k, "call-outside", &caller, "105", 200).await;
    check(
        run.ok,
        format!("forwarded to an outside number: {}", run.output),
    )?;
    check(
        gateway.called_at("+12125550111@127.0.0.1").await,
        "the gateway got the outside number".into(),
    )?;
    api.set_rule("105", Some(json!({"kind": "send_to_voicemail"})))
        .await;
    let media = Phone::start(dir, "media", &sip::answering(100), MEDIA_PORT, "media");
    let run = dial(dir, k, "call-voicemail", &caller, "105", 200).await;
    check(run.ok, format!("sent to voicemail: {}", run.output))?;
    check(
        media.called_at("voicemail-105@127.0.0.1").await,
        "the media server got 105's voicemail".into(),
    )?;
    api.set_rule("105", None).await;

    // A queue rings only its available, logged-in agents; with none, its overflow.
    api.ok(
        OM,
        Method::POST,
        &format!("/api/v1/domains/{DOMAIN}/call-queues"),
        Some(
            json!({"extension": "650", "name": "Switch test", "ring_strategy": "ring_all",
            "max_wait_seconds": 10, "overflow": {"kind": "user", "target": "108"}}),
        ),
    )
    .await;
    for agent in ["105", "106"] {
        api.ok(
            OM,
            Method::POST,
            &format!("/api/v1/domains/{DOMAIN}/call-queues/650/agents"),
            Some(json!({"user": agent})),
        )
        .await;
        api.ok(
            OM,
            Method::PUT,
            &format!("/api/v1/domains/{DOMAIN}/call-queues/650/agents/{agent}/login"),
            Some(json!({"logged_in": true})),
        )
        .await;
        api.ok(
            OM,
            Method::PUT,
            &format!("/api/v1/domains/{DOMAIN}/users/{agent}/availability"),
            Some(json!({"status": "available"})),
        )
        .await;
    }
    // 106 goes on break: the next call rings 105 only (106's phone is not even running).
    api.ok(
        OM,
        Method::PUT,
        &format!("/api/v1/domains/{DOMAIN}/users/106/availability"),
        Some(json!({"status": "on_break", "reason": "lunch"})),
    )
    .await;
    let phone = Phone::start(
        dir,
        "agent-105",
        &sip::answering(100),
        ports[1],
        &agent_user,
    );
    let on_break = Phone::start(dir, "agent-106", &sip::ringing(), ports[2], &other.1);
    let run = dial(dir, k, "call-queue", &caller, "650", 200).await;
    check(
        run.ok,
        format!("the queue rings the available agent: {}", run.output),
    )?;
    check(
        phone.finished(std::time::Duration::from_secs(5)).await,
        "105 answered the queue call".into(),
    )?;
    check(
        on_break.never_called().await,
        "the agent on break was not rung".into(),
    )?;
    // Nobody available: the overflow (108) answers.
    api.ok(
        OM,
        Method::PUT,
        &format!("/api/v1/domains/{DOMAIN}/users/105/availability"),
        Some(json!({"status": "unavailable"})),
    )
    .await;
    let phone = Phone::start(
        dir,
        "overflow-108",
        &sip::answering(100),
        ports[3],
        &target.1,
    );
    let run = dial(dir, k, "call-overflow", &caller, "650", 200).await;
    phone.stop().await;
    check(
        run.ok,
        format!("no agent available: overflow to 108: {}", run.output),
    )?;

    // An inbound number reaches what the inventory routes it to.
    api.ok(
        "100@voiceco.example",
        Method::POST,
        &format!("/api/v1/domains/{DOMAIN}/phone-numbers"),
        Some(json!({"number": "+12125550199", "route": {"kind": "user", "target": "108"}})),
    )
    .await;
    // From a carrier: another domain, no login.
    let phone = Phone::start(dir, "did-108b", &sip::answering(100), ports[3], &target.1);
    let run = sipp_client(
        dir,
        "call-did2",
        &sip::carrier_call().replace(
            "From: <sip:[user]@[domain]>",
            "From: <sip:[user]@carrier.example>",
        ),
        k,
        &[
            "-key",
            "user",
            "12125550000",
            "-key",
            "domain",
            DOMAIN,
            "-key",
            "to",
            "+12125550199",
        ],
    )
    .await;
    phone.stop().await;
    check(run.ok, format!("the number reaches 108: {}", run.output))?;

    // An unknown extension: 404.
    let run = dial(dir, k, "call-unknown", &caller, "999", 404).await;
    check(
        run.ok,
        format!("an unknown extension gets 404: {}", run.output),
    )?;

    // Every call is in call history, cut to scope.
    let calls = api.calls(OM).await;
    let answered = calls
        .iter()
        .filter(|c| c["disposition"] == "answered")
        .count();
    check(
        answered >= 6,
        format!("answered calls in history: {answered}: {calls:#?}"),
    )?;
    check(
        calls.iter().any(|c| c["disposition"] == "busy"),
        format!("the do-not-disturb call is busy: {calls:#?}"),
    )?;
    let queue_call = calls
        .iter()
        .find(|c| c["to"] == "650" && c["disposition"] == "answered")
        .ok_or(format!("the queue call is in history: {calls:#?}"))?;
    check(
        queue_call["queue_id"].is_i64() && queue_call["agent_user_id"].is_i64(),
        format!("the queue call names its queue and agent: {queue_call}"),
    )?;
    check(
        calls
            .iter()
            .any(|c| c["to"] == "+12125550199" && c["direction"] == "inbound"),
        format!("the carrier's call is inbound: {calls:#?}"),
    )?;
    let by_agent = api.calls("105@acme.example").await;
    check(!by_agent.is_empty(), "105 sees its calls".into())?;
    check(
        api.calls("101@globex.example")
            .await
            .iter()
            .all(|c| c["domain_id"] != calls[0]["domain_id"]),
        "another domain sees none of them".into(),
    )?;
    let _ = state;
    Ok(())
}
