//! The switch-facing endpoints without a switch: who may call them, and bad input that changes
//! nothing. (The real Kamailio runs in crates/server/tests/kamailio.rs.)

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET: &str = "switchSecret123";

async fn with_switch() -> Vec<TestServer> {
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
        let (_, devices) = s
            .get("101@acme.example", "/api/v1/domains/~/users/105/devices")
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
