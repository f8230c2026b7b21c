//! Asterisk's calls routed by Switchboard: the `[switchboard]` context `switchboard asterisk
//! config` prints is run here as Asterisk runs it (Asterisk is not packaged here). Its `CURL`
//! URL is filled in from the channel's variables, sent with the credentials it carries, and
//! each answer is cut at `|` as `CUT` does: a `Dial` or `Queue` whose outcome (`DIALSTATUS`,
//! `QUEUESTATUS`) goes into the next question, or a `Hangup` with its cause. The scenarios are
//! those of the Kamailio and FreeSWITCH connectors.

use crate::common::*;
use crate::switch::{SECRET, inbound_number_to_108, issue_password};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_api::switch::asterisk::config::route_url;
use switchboard_api::switch::asterisk::dialplan::extensions_conf;

const OM: &str = "101@acme.example";

/// What the dialplan did at one stage.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// `Dial(dial string, seconds)`: each `&`-joined channel.
    Dial(u32, Vec<String>),
    /// `Queue(queue,,,,seconds)`.
    Queue(u32, String),
    /// `Hangup(cause)`.
    Hangup(u8),
}

/// The `n(ask)` priority's `CURL(…)` argument, as printed.
fn ask_template(base: &str) -> String {
    let conf = extensions_conf(&route_url(base, SECRET));
    let line = conf
        .lines()
        .find(|l| l.contains("n(ask)"))
        .expect("an ask priority");
    let start = line.find("CURL(").expect("CURL") + "CURL(".len();
    // The argument ends where CURL's parenthesis closes: the last ")}" of the line.
    let end = line.rfind(")}").expect("CURL's end");
    line[start..end].to_owned()
}

/// A channel placing a call: what `${CHANNEL(endpoint)}`, `${EXTEN}`, `${SIPDOMAIN}` read.
struct Channel<'a> {
    uniqueid: &'a str,
    endpoint: &'a str,
    exten: &'a str,
    sipdomain: &'a str,
}

fn uriencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Run the context for a call; `outcomes` are each Dial's or Queue's status in turn (then
/// NOANSWER / TIMEOUT). Answers the steps and the domain the first answer names.
async fn run(s: &TestServer, chan: &Channel<'_>, outcomes: &[&str]) -> (Vec<Step>, Option<String>) {
    let template = ask_template(&s.url(""));
    let mut steps = Vec::new();
    let mut accountcode = None;
    let mut status = String::new();
    let mut outcomes = outcomes.iter();
    for stage in 0..20 {
        let url = template
            .replace("${URIENCODE(${UNIQUEID})}", &uriencode(chan.uniqueid))
            .replace(
                "${URIENCODE(${CHANNEL(endpoint)})}",
                &uriencode(chan.endpoint),
            )
            .replace("${URIENCODE(${EXTEN})}", &uriencode(chan.exten))
            .replace("${URIENCODE(${SIPDOMAIN})}", &uriencode(chan.sipdomain))
            .replace("${SB_STAGE}", &stage.to_string())
            .replace("${SB_STATUS}", &status);
        assert!(!url.contains("${"), "a variable left unfilled: {url}");
        // libcurl sends the URL's user and password as HTTP basic credentials.
        let mut parsed = reqwest::Url::parse(&url).unwrap();
        assert_eq!(
            (parsed.username(), parsed.password()),
            ("switch", Some(SECRET))
        );
        parsed.set_username("").unwrap();
        parsed.set_password(None).unwrap();
        let r = s
            .client
            .get(parsed)
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let answer = r.text().await.unwrap();
        assert!(!answer.contains('\n'), "one line: {answer:?}");
        let field = |n: usize| answer.split('|').nth(n - 1).unwrap_or("").to_owned();
        if !field(4).is_empty() {
            assert_eq!(stage, 0, "only the first answer names the domain: {answer}");
            accountcode = Some(field(4));
        }
        let seconds = || {
            field(2)
                .parse::<u32>()
                .unwrap_or_else(|_| panic!("{answer}"))
        };
        match field(1).as_str() {
            "dial" => {
                steps.push(Step::Dial(
                    seconds(),
                    field(3).split('&').map(str::to_owned).collect(),
                ));
                status = outcomes.next().unwrap_or(&"NOANSWER").to_string();
            }
            "queue" => {
                steps.push(Step::Queue(seconds(), field(3)));
                status = outcomes.next().unwrap_or(&"TIMEOUT").to_string();
            }
            "hangup" => {
                steps.push(Step::Hangup(field(2).parse().unwrap()));
                return (steps, accountcode);
            }
            other => panic!("not an answer the context runs: {other:?} in {answer:?}"),
        }
    }
    panic!("the call went on past 20 stages: {steps:?}");
}

async fn set_rule(s: &TestServer, ext: &str, rule: Option<Value>) {
    let path = format!("/api/v1/domains/~/users/{ext}/answer-rules");
    let (_, rules) = s.get(OM, &path).await;
    for r in rules["items"].as_array().unwrap() {
        let path = format!("/api/v1/domains/~/answer-rules/{}", r["id"]);
        assert!(s.send(OM, Method::DELETE, &path, None).await.0.is_success());
    }
    if let Some(rule) = rule {
        let (st, body) = s.send(OM, Method::POST, &path, Some(rule)).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
}

async fn ok(s: &TestServer, method: Method, path: &str, body: Value) -> Value {
    let (st, answer) = s.send(OM, method, path, Some(body)).await;
    assert!(st.is_success(), "{path}: {answer}");
    answer
}

#[tokio::test]
async fn calls_run_the_plan_through_the_printed_context() {
    for db in switchboard_store::testing::TestDatabase::all().await {
        let mut config = test_config();
        config.switch.secret = Some(SECRET.into());
        config.switch.routes.gateway =
            Some(switchboard_domain::GatewayUri::parse("sip:{number}@gw.example:5060").unwrap());
        let s = TestServer::start(db, config).await;
        let mut phone = std::collections::HashMap::new();
        for ext in ["105", "106", "107", "108"] {
            let (_, issued) = issue_password(&s, ext).await;
            let login = issued["username"].as_str().unwrap().to_owned();
            phone.insert(ext, format!("PJSIP/{login}@acme.example"));
        }
        let from_107 = phone["107"].trim_start_matches("PJSIP/").to_owned();
        let call = |id: &'static str, exten: &'static str| Channel {
            uniqueid: id,
            endpoint: &from_107,
            exten,
            sipdomain: "acme.example",
        };
        let dial =
            |secs, exts: &[&str]| Step::Dial(secs, exts.iter().map(|e| phone[e].clone()).collect());

        // Plainly: 105's phone for the user ring time; unanswered, 480.
        let (steps, domain) = run(&s, &call("1.1", "105"), &[]).await;
        assert_eq!(steps, [dial(30, &["105"]), Step::Hangup(19)]);
        assert_eq!(domain.as_deref(), Some("acme.example"), "the accountcode");
        // Dialled at Asterisk's own address, the caller's domain is the one dialled into.
        let at_ip = Channel {
            sipdomain: "192.0.2.1",
            ..call("1.2", "105")
        };
        assert_eq!(run(&s, &at_ip, &[]).await.0[0], dial(30, &["105"]));

        // Do not disturb: busy (486).
        set_rule(
            &s,
            "105",
            Some(json!({"position": 1, "action": {"kind": "do_not_disturb"}})),
        )
        .await;
        assert_eq!(
            run(&s, &call("2.1", "105"), &[]).await.0,
            [Step::Hangup(17)]
        );

        // Forward always to 108.
        set_rule(
            &s,
            "105",
            Some(json!({"position": 1, "action": {"kind": "forward_always", "to": "108"}})),
        )
        .await;
        assert_eq!(
            run(&s, &call("3.1", "105"), &[]).await.0,
            [dial(30, &["108"]), Step::Hangup(19)]
        );

        // Busy and unanswered lead apart. 105's phone registered (Asterisk's ContactStatus,
        // reported as every switch's registrations are).
        let registered = s
            .client
            .post(s.url("/switch/kamailio/registration"))
            .basic_auth("switch", Some(SECRET))
            .json(
                &json!({"user": phone["105"].trim_start_matches("PJSIP/").split('@').next(),
                "realm": "acme.example", "contact": "sip:105@192.0.2.10:5060", "expires": 3600}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), StatusCode::NO_CONTENT);
        set_rule(
            &s,
            "105",
            Some(
                json!({"position": 1, "action": {"kind": "forward_conditional",
            "busy": "106", "no_answer": "108", "ring_timeout_seconds": 5}}),
            ),
        )
        .await;
        let (busy, _) = run(&s, &call("4.1", "105"), &["BUSY", "NOANSWER"]).await;
        assert_eq!(
            busy,
            [dial(5, &["105"]), dial(30, &["106"]), Step::Hangup(19)]
        );
        let (unanswered, _) = run(&s, &call("4.2", "105"), &["NOANSWER", "BUSY"]).await;
        assert_eq!(
            unanswered,
            [dial(5, &["105"]), dial(30, &["108"]), Step::Hangup(17)]
        );
        // Without a busy target, a busy phone ends the call busy.
        set_rule(
            &s,
            "105",
            Some(
                json!({"position": 1, "action": {"kind": "forward_conditional",
            "no_answer": "108", "ring_timeout_seconds": 5}}),
            ),
        )
        .await;
        let (ends_busy, _) = run(&s, &call("4.3", "105"), &["BUSY"]).await;
        assert_eq!(ends_busy, [dial(5, &["105"]), Step::Hangup(17)]);
        // A later stage of a call never planned: refused, not guessed.
        let lost = s
            .client
            .get(
                s.url("/switch/asterisk/route?call=9.9&endpoint=x&dialled=105&stage=1&status=BUSY"),
            )
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(lost.text().await.unwrap(), "hangup|20");

        // A time frame: office hours forward to 108, outside them 105 rings.
        set_rule(&s, "105", None).await;
        let frame = ok(
            &s,
            Method::POST,
            "/api/v1/domains/~/users/105/time-frames",
            json!({"name": "Office", "schedule": {"kind": "days_of_week",
                "spans": [{"days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                "start": "09:00", "end": "17:00"}]}}),
        )
        .await;
        set_rule(
            &s,
            "105",
            Some(json!({"time_frame_id": frame["id"], "position": 1,
            "action": {"kind": "forward_always", "to": "108"}})),
        )
        .await;
        // Wednesday 25 November 2026, 10:00 in New York; then Sunday 29 November, 10:00.
        s.state
            .switch
            .set_clock(Some(switchboard_domain::Timestamp(1_795_618_800)));
        let inside = run(&s, &call("5.1", "105"), &[]).await.0;
        s.state
            .switch
            .set_clock(Some(switchboard_domain::Timestamp(1_795_964_400)));
        let outside = run(&s, &call("5.2", "105"), &[]).await.0;
        s.state.switch.set_clock(None);
        assert_eq!(inside[0], dial(30, &["108"]));
        assert_eq!(outside[0], dial(30, &["105"]));
        set_rule(&s, "105", None).await;

        // A queue: app_queue rings its members for the queue's wait, then the overflow.
        ok(
            &s,
            Method::POST,
            "/api/v1/domains/~/call-queues",
            json!({"extension": "650",
            "name": "Sales line", "ring_strategy": "ring_all", "max_wait_seconds": 10,
            "overflow": {"kind": "user", "target": "108"}}),
        )
        .await;
        ok(
            &s,
            Method::POST,
            "/api/v1/domains/~/call-queues/650/agents",
            json!({"user": "105"}),
        )
        .await;
        ok(
            &s,
            Method::PUT,
            "/api/v1/domains/~/call-queues/650/agents/105/login",
            json!({"logged_in": true}),
        )
        .await;
        let availability = "/api/v1/domains/~/users/105/availability";
        ok(
            &s,
            Method::PUT,
            availability,
            json!({"status": "available"}),
        )
        .await;
        let (queued, _) = run(&s, &call("6.1", "650"), &["TIMEOUT"]).await;
        assert_eq!(
            queued,
            [
                Step::Queue(10, "650@acme.example".into()),
                dial(30, &["108"]),
                Step::Hangup(19)
            ]
        );
        // The agent on a break: nobody to ring, straight to the overflow.
        ok(&s, Method::PUT, availability, json!({"status": "on_break"})).await;
        let (on_break, _) = run(&s, &call("6.2", "650"), &[]).await;
        assert_eq!(on_break, [dial(30, &["108"]), Step::Hangup(19)]);

        // An inbound number from a trunk (no login: an outside caller) reaches its route, and
        // the first answer names the domain for the call's record.
        inbound_number_to_108(&s).await;
        let trunk = |id, exten| Channel {
            uniqueid: id,
            endpoint: "carrier",
            exten,
            sipdomain: "acme.example",
        };
        let (inbound, domain) = run(&s, &trunk("7.1", "+12125550199"), &[]).await;
        assert_eq!(inbound, [dial(30, &["108"]), Step::Hangup(19)]);
        assert_eq!(domain.as_deref(), Some("acme.example"));
        // From outside, extensions are not reachable (403), nor other numbers (404).
        assert_eq!(
            run(&s, &trunk("7.2", "105"), &[]).await.0,
            [Step::Hangup(21)]
        );
        assert_eq!(
            run(&s, &trunk("7.3", "+12125550100"), &[]).await.0,
            [Step::Hangup(1)]
        );
        // A phone's outside call leaves through the external endpoint to the gateway.
        let (out, _) = run(&s, &call("7.4", "+12125550100"), &[]).await;
        assert_eq!(
            out[0],
            Step::Dial(
                60,
                vec!["PJSIP/switchboard-external/sip:+12125550100@gw.example:5060".into()]
            )
        );
        // Nothing there: 404; a domain that is not here: 404.
        assert_eq!(run(&s, &call("8.1", "999"), &[]).await.0, [Step::Hangup(1)]);
        let elsewhere = Channel {
            endpoint: "x@nowhere.example",
            sipdomain: "nowhere.example",
            ..call("8.2", "105")
        };
        assert_eq!(run(&s, &elsewhere, &[]).await.0, [Step::Hangup(1)]);
        s.stop().await;
    }
}
