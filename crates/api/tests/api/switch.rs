//! The switch-facing endpoints without a switch: who may call them, and bad input that changes
//! nothing. (The real Kamailio runs in crates/server/tests/kamailio.rs.)

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const SECRET: &str = "switchSecret123";

pub async fn with_switch() -> Vec<TestServer> {
    let mut servers = Vec::new();
    for db in switchboard_store::testing::TestDatabase::all().await {
        let mut config = test_config();
        config.switch.secret = Some(SECRET.into());
        servers.push(TestServer::start(db, config).await);
    }
    servers
}

#[tokio::test]
async fn only_the_switch_with_its_secret_is_answered() {
    // Without a secret configured the endpoints do not exist.
    on_each_database(|s| async move {
        let r = s
            .client
            .get(s.url("/switch/kamailio/ha1?user=x&realm=acme.example"))
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        s
    })
    .await;
    for s in with_switch().await {
        let ha1 = s.url("/switch/kamailio/ha1?user=105-1&realm=acme.example");
        let none = s.client.get(&ha1).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
        let token = s.token("101@acme.example").await;
        let user = s.client.get(&ha1).bearer_auth(token).send().await.unwrap();
        assert_eq!(
            user.status(),
            StatusCode::UNAUTHORIZED,
            "a user's token is not the switch's"
        );
        let wrong = s
            .client
            .get(&ha1)
            .basic_auth("switch", Some("guess"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let unknown = s
            .client
            .get(&ha1)
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(
            unknown.status(),
            StatusCode::NOT_FOUND,
            "no password issued yet"
        );

        // Issue a password: the switch gets its HA1, never the password.
        let (id, issued) = issue_password(&s, "105").await;
        let username = issued["username"].as_str().unwrap();
        let password = issued["password"].as_str().unwrap();
        let r = s
            .client
            .get(s.url(&format!(
                "/switch/kamailio/ha1?user={username}&realm=acme.example"
            )))
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.text().await.unwrap(),
            switchboard_api::api::sip::ha1(username, "acme.example", password)
        );
        let (_, login) = s
            .get(
                "101@acme.example",
                &format!("/api/v1/domains/~/devices/{id}/sip"),
            )
            .await;
        assert!(
            login.get("password").is_none() && login["issued"] == true,
            "{login}"
        );
        // Another domain's manager: out of reach.
        let (st, _) = s
            .get(
                "101@globex.example",
                &format!("/api/v1/domains/acme.example/devices/{id}/sip"),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_routing_requests_and_call_records_change_nothing() {
    for s in with_switch().await {
        let route = |q: &str| {
            s.client
                .get(s.url(&format!(
                    "/switch/kamailio/route?call_id=c1&from_user=107-1&from_domain=acme.example&{q}"
                )))
                .basic_auth("switch", Some(SECRET))
                .send()
        };
        let r = route("to_user=105&to_domain=nowhere.example")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "unknown domain");
        let r = route("to_user=999&to_domain=acme.example").await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "unknown extension");
        let r = s
            .client
            .get(s.url("/switch/kamailio/route?call_id=c1"))
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::BAD_REQUEST,
            "a malformed request names what is missing"
        );
        // From another domain, a user is out of reach.
        let r = s
            .client
            .get(s.url("/switch/kamailio/route?call_id=c2&from_user=x&from_domain=globex.example&to_user=105&to_domain=acme.example"))
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let before = s
            .get("101@acme.example", "/api/v1/domains/~/calls/count")
            .await
            .1["count"]
            .clone();
        let post = |body: Value| {
            s.client
                .post(s.url("/switch/kamailio/cdr"))
                .basic_auth("switch", Some(SECRET))
                .json(&body)
                .send()
        };
        let record = json!({"callid": "cdr-1", "from": "sip:107-1@acme.example", "to": "sip:105@acme.example",
            "created": 1_796_000_000, "start": 1_796_000_005, "end": 1_796_000_065, "ended_by": "BYE"});
        let mut backwards = record.clone();
        backwards["end"] = json!(1_795_999_000);
        let r = post(backwards).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "end", "{body}");
        let r = post(json!({"callid": "x"})).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains("from"),
            "{body}"
        );
        let mut other = record.clone();
        other["to"] = json!("sip:105@nowhere.example");
        assert_eq!(post(other).await.unwrap().status(), StatusCode::NOT_FOUND);
        let after = s
            .get("101@acme.example", "/api/v1/domains/~/calls/count")
            .await
            .1["count"]
            .clone();
        assert_eq!(before, after, "nothing stored");
        // Sent twice, stored once.
        let first: Value = post(record.clone()).await.unwrap().json().await.unwrap();
        let again: Value = post(record).await.unwrap().json().await.unwrap();
        assert_eq!(
            (first["inserted"].clone(), again["duplicates"].clone()),
            (json!(1), json!(1))
        );
        s.stop().await;
    }
}

/// Ask the routing endpoint one question; answers the status and the text.
pub async fn route(s: &TestServer, query: &str) -> (StatusCode, String) {
    let r = s
        .client
        .get(s.url(&format!("/switch/kamailio/route?{query}")))
        .basic_auth("switch", Some(SECRET))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn outside_call(call_id: &str) -> String {
    format!(
        "call_id={call_id}&from_user=107-1&from_domain=acme.example&to_user=%2B12125550111&to_domain=acme.example"
    )
}

#[tokio::test]
async fn outside_calls_leave_by_the_domains_then_the_resellers_then_the_installations_gateway() {
    for db in switchboard_store::testing::TestDatabase::all().await {
        let mut config = test_config();
        config.switch.secret = Some(SECRET.into());
        config.switch.routes.gateway =
            Some(switchboard_domain::GatewayUri::parse("sip:{number}@install.example").unwrap());
        let s = TestServer::start(db, config).await;
        let (st, body) = route(&s, &outside_call("out-1")).await;
        assert_eq!(
            (st, body.as_str()),
            (StatusCode::OK, "60000|sip:+12125550111@install.example")
        );
        // Conferences: no media server anywhere yet, so the call is refused (480).
        let (st, _) = route(
            &s,
            "call_id=conf-1&from_user=107-1&from_domain=acme.example&to_user=800&to_domain=acme.example",
        )
        .await;
        assert_eq!(st.as_u16(), 480);

        let su = "100@platform.example";
        let resellers = s.list_all(su, "/api/v1/resellers").await.unwrap();
        let voiceco = resellers.iter().find(|r| r["name"] == "VoiceCo").unwrap()["id"].clone();
        let reseller_path = format!("/api/v1/resellers/{voiceco}");
        let (st, body) = s
            .send(
                su,
                reqwest::Method::PATCH,
                &reseller_path,
                Some(
                    json!({"switch": {"gateway": "sip:{number}@voiceco-gw.example",
                    "media_server": "sip:{service}@media.voiceco.example"}}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(
            route(&s, &outside_call("out-2")).await.1,
            "60000|sip:+12125550111@voiceco-gw.example"
        );
        let (_, body) = route(
            &s,
            "call_id=conf-2&from_user=107-1&from_domain=acme.example&to_user=800&to_domain=acme.example",
        )
        .await;
        assert_eq!(body, "60000|sip:conference-800@media.voiceco.example");

        // The reseller gives acme its own gateway; its media server stays the reseller's.
        let reseller = "100@voiceco.example";
        let (st, body) = s
            .send(
                reseller,
                reqwest::Method::PATCH,
                "/api/v1/domains/acme.example",
                Some(json!({"switch": {"gateway": "sips:{number}@acme-trunk.example:5061"}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(
            body["switch"]["gateway"],
            "sips:{number}@acme-trunk.example:5061"
        );
        assert_eq!(
            route(&s, &outside_call("out-3")).await.1,
            "60000|sips:+12125550111@acme-trunk.example:5061"
        );
        // Another reseller's domain keeps the installation's.
        let (_, body) = route(
            &s,
            "call_id=out-4&from_user=150-1&from_domain=initech.example&to_user=%2B12125550111&to_domain=initech.example",
        )
        .await;
        assert_eq!(body, "60000|sip:+12125550111@install.example");

        // Bad addresses name their field and change nothing; an Office Manager may not set them.
        for (bad, field) in [
            (
                json!({"switch": {"gateway": "gw.example"}}),
                "switch.gateway",
            ),
            (
                json!({"switch": {"gateway": "sip:{service}@gw.example"}}),
                "switch.gateway",
            ),
            (
                json!({"switch": {"media_server": "sip:media.example"}}),
                "switch.media_server",
            ),
            (
                json!({"switch": {"gw": "sip:{number}@gw.example"}}),
                "switch.gw",
            ),
        ] {
            let (st, body) = s
                .send(
                    reseller,
                    reqwest::Method::PATCH,
                    "/api/v1/domains/acme.example",
                    Some(bad.clone()),
                )
                .await;
            assert!(st.is_client_error(), "{bad}: {st}");
            assert_eq!(body["error"]["field"], field, "{bad}: {body}");
        }
        let (st, _) = s
            .send(
                "101@acme.example",
                reqwest::Method::PATCH,
                "/api/v1/domains/acme.example",
                Some(json!({"switch": {"gateway": "sip:{number}@cheap.example"}})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, domain) = s
            .get("101@acme.example", "/api/v1/domains/acme.example")
            .await;
        assert_eq!(
            domain["switch"]["gateway"],
            "sips:{number}@acme-trunk.example:5061"
        );
        s.stop().await;
    }
}

/// A new SIP password for the first phone of `ext` (in acme.example): its device id and what
/// the API answered (username, password).
pub async fn issue_password(s: &TestServer, ext: &str) -> (i64, Value) {
    let (_, devices) = s
        .get(
            "101@acme.example",
            &format!("/api/v1/domains/~/users/{ext}/devices"),
        )
        .await;
    let id = devices["items"][0]["id"].as_i64().unwrap();
    let (st, issued) = s
        .send(
            "101@acme.example",
            reqwest::Method::POST,
            &format!("/api/v1/domains/~/devices/{id}/sip/password"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{issued}");
    (id, issued)
}

/// acme's inbound number +12125550199, routed to user 108 (its reseller adds numbers).
pub async fn inbound_number_to_108(s: &TestServer) {
    let (st, number) = s
        .send(
            "100@voiceco.example",
            reqwest::Method::POST,
            "/api/v1/domains/acme.example/phone-numbers",
            Some(json!({"number": "+12125550199", "route": {"kind": "user", "target": "108"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{number}");
}

/// The HA1 the switch checks a login of acme.example against (Kamailio's lookup).
pub async fn switch_ha1(s: &TestServer, username: &str) -> String {
    s.client
        .get(s.url(&format!(
            "/switch/kamailio/ha1?user={username}&realm=acme.example"
        )))
        .basic_auth("switch", Some(SECRET))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

/// A phone of `ext` registered at `contact` (through the switch's own report).
pub async fn registered_phone(s: &TestServer, ext: &str, contact: &str) {
    let (_, issued) = issue_password(s, ext).await;
    let r = s
        .client
        .post(s.url("/switch/kamailio/registration"))
        .basic_auth("switch", Some(SECRET))
        .json(&json!({"user": issued["username"], "realm": "acme.example", "contact": contact, "expires": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

pub fn queue_call(call_id: &str, stage: usize) -> String {
    format!(
        "call_id={call_id}&from_user=107-1&from_domain=acme.example&to_user=660&to_domain=acme.example&stage={stage}"
    )
}

/// Queue 660 of acme ("Turns", round robin, 30 s then hang up), with 105 and 106 registered,
/// logged in and available.
pub async fn queue_660(s: &TestServer) {
    let om = "101@acme.example";
    let (st, body) = s
        .send(
            om,
            reqwest::Method::POST,
            "/api/v1/domains/~/call-queues",
            Some(
                json!({"extension": "660", "name": "Turns", "ring_strategy": "round_robin",
                    "max_wait_seconds": 30, "overflow": {"kind": "hang_up"}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    for ext in ["105", "106"] {
        registered_phone(s, ext, &format!("sip:{ext}@127.0.0.1:5{ext}")).await;
        for (method, path, body) in [
            (
                reqwest::Method::POST,
                "/api/v1/domains/~/call-queues/660/agents".to_owned(),
                json!({"user": ext}),
            ),
            (
                reqwest::Method::PUT,
                format!("/api/v1/domains/~/call-queues/660/agents/{ext}/login"),
                json!({"logged_in": true}),
            ),
            (
                reqwest::Method::PUT,
                format!("/api/v1/domains/~/users/{ext}/availability"),
                json!({"status": "available"}),
            ),
        ] {
            let (st, body) = s.send(om, method, &path, Some(body)).await;
            assert!(st.is_success(), "{path}: {body}");
        }
    }
}

#[tokio::test]
async fn two_instances_answer_the_switch_alike() {
    for s in with_switch().await {
        let other = s.another_instance().await;
        let om = "101@acme.example";
        queue_660(&s).await;
        // Calls alternate between the instances; the queue's turn goes round all the same.
        let mut first_rung = Vec::new();
        for (n, instance) in [&s, &other, &s, &other].into_iter().enumerate() {
            let (st, body) = route(instance, &queue_call(&format!("rr-{n}"), 0)).await;
            assert_eq!(st, StatusCode::OK, "{body}");
            first_rung.push(body);
        }
        assert_ne!(first_rung[0], first_rung[1], "{first_rung:?}");
        assert_eq!(first_rung[0], first_rung[2], "{first_rung:?}");
        assert_eq!(first_rung[1], first_rung[3], "{first_rung:?}");
        // A call decided on one instance goes on, on the other, with the plan it was given:
        // its next stage is the other agent.
        // (The next stage is asked a ring time later; a moment is enough here.)
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let (_, next) = route(&other, &queue_call("rr-0", 1)).await;
        assert_eq!(next, first_rung[1], "{first_rung:?}");

        // Longest idle, from call history: 105 answered a call lately, 106 never did.
        let (st, _) = s
            .send(
                om,
                reqwest::Method::PATCH,
                "/api/v1/domains/~/call-queues/660",
                Some(json!({"ring_strategy": "longest_idle"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let record = json!({"callid": "talk-105", "from": "sip:107-1@acme.example", "to": "sip:105@acme.example",
            "answered_by": "sip:105@127.0.0.1:5105", "created": 1_796_000_000, "start": 1_796_000_005,
            "end": 1_796_000_065, "ended_by": "BYE"});
        let r = other
            .client
            .post(other.url("/switch/kamailio/cdr"))
            .basic_auth("switch", Some(SECRET))
            .json(&record)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, body) = route(&s, &queue_call("idle-1", 0)).await;
        assert!(body.ends_with("sip:106@127.0.0.1:5106"), "{body}");
        other.stop().await;
        s.stop().await;
    }
}
