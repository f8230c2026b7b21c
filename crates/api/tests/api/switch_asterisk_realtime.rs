//! Asterisk's realtime lookups through `res_config_curl`, as its `realtime_curl`,
//! `realtime_multi_curl` and `require_curl` send them (criteria URL-encoded with
//! `ast_uri_http`, `field OP` for comparisons) and read the answer back the way those functions
//! do: a row is `key=value` pairs split on `&`, each side URL-decoded, one row per line.

use crate::common::*;
use crate::switch::{SECRET, issue_password, with_switch};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;

const OM: &str = "101@acme.example";

/// `ast_uri_encode(…, ast_uri_http)`: all but the unreserved characters as `%XX`.
fn uri_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `ast_uri_decode(…, ast_uri_http)`: `%XX` decoded, a `+` left as it is.
fn uri_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

type Row = BTreeMap<String, String>;

/// Ask as res_config_curl does; the answer read as it reads it.
async fn ask(s: &TestServer, table: &str, op: &str, criteria: &[(&str, &str)]) -> Vec<Row> {
    let (status, text) = post(s, table, op, criteria).await;
    assert_eq!(status, StatusCode::OK, "{table}/{op}: {text}");
    text.split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .map(|line| {
            line.split('&')
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (uri_decode(k), uri_decode(v))
                })
                .collect()
        })
        .collect()
}

async fn post(
    s: &TestServer,
    table: &str,
    op: &str,
    criteria: &[(&str, &str)],
) -> (StatusCode, String) {
    let body: Vec<String> = criteria
        .iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k), uri_encode(v)))
        .collect();
    let r = s
        .client
        .post(s.url(&format!("/switch/asterisk/realtime/{table}/{op}")))
        .basic_auth("switch", Some(SECRET))
        .body(body.join("&"))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn pjsip_and_queue_rows_are_what_switchboard_says() {
    for s in with_switch().await {
        let (device, issued) = issue_password(&s, "105").await;
        let login = issued["username"].as_str().unwrap().to_owned();
        let id = format!("{login}@acme.example");

        // The endpoint Asterisk looks up by id (sorcery's retrieve by id).
        let rows = ask(&s, "ps_endpoints", "single", &[("id", &id)]).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        let e = &rows[0];
        assert_eq!(e["id"], id);
        assert_eq!((&e["aors"], &e["auth"]), (&id, &id));
        assert_eq!(
            e["context"], "switchboard",
            "the context that asks Switchboard"
        );
        assert_eq!(e["accountcode"], "acme.example");
        assert!(e["callerid"].ends_with("<105>"), "{e:?}");
        assert_eq!(e["mailboxes"], "105@acme.example");

        // Its auth: the HA1 Kamailio would check, never a password.
        let auth = &ask(&s, "ps_auths", "single", &[("id", &id)]).await[0];
        let ha1 = s
            .client
            .get(s.url(&format!(
                "/switch/kamailio/ha1?user={login}&realm=acme.example"
            )))
            .basic_auth("switch", Some(SECRET))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(auth["md5_cred"], ha1.trim());
        assert_eq!(auth["auth_type"], "md5");
        assert_eq!(
            (&auth["username"], &auth["realm"]),
            (&login, &"acme.example".to_owned())
        );
        assert!(!auth.contains_key("password"));

        let aor = &ask(&s, "ps_aors", "single", &[("id", &id)]).await[0];
        assert_eq!(aor["max_contacts"], "1");

        // Every row (sorcery's retrieve all), and a pattern.
        let all = ask(&s, "ps_aors", "multi", &[("id LIKE", "%")]).await;
        assert!(all.iter().any(|r| r["id"] == id), "{all:?}");
        let none = ask(
            &s,
            "ps_aors",
            "multi",
            &[("id LIKE", "%@elsewhere.example")],
        )
        .await;
        assert!(none.is_empty());

        // Unknown, and turned off: no row, so Asterisk refuses the phone.
        assert!(
            ask(
                &s,
                "ps_endpoints",
                "single",
                &[("id", "nobody@acme.example")]
            )
            .await
            .is_empty()
        );
        assert!(
            ask(&s, "ps_endpoints", "single", &[("id", "105")])
                .await
                .is_empty()
        );
        let sip = format!("/api/v1/domains/~/devices/{device}/sip");
        let (st, body) = s
            .send(OM, Method::PUT, &sip, Some(json!({"enabled": false})))
            .await;
        assert!(st.is_success(), "{body}");
        assert!(
            ask(&s, "ps_endpoints", "single", &[("id", &id)])
                .await
                .is_empty()
        );
        assert!(
            ask(&s, "ps_auths", "single", &[("id", &id)])
                .await
                .is_empty()
        );

        // Queues: one by name (app_queue's lookup), and all (QueueStatus loading them).
        let q = &ask(&s, "queues", "single", &[("name", "600@acme.example")]).await[0];
        assert_eq!(q["name"], "600@acme.example");
        let (_, queue) = s.get(OM, "/api/v1/domains/~/call-queues/600").await;
        assert_eq!(q["wrapuptime"], queue["wrap_up_seconds"].to_string());
        assert_eq!(q["maxlen"], queue["max_callers"].to_string());
        let strategy = match queue["ring_strategy"].as_str().unwrap() {
            "ring_all" => "ringall",
            "round_robin" => "rrmemory",
            "longest_idle" => "leastrecent",
            _ => "linear",
        };
        assert_eq!(q["strategy"], strategy);
        let queues = ask(&s, "queues", "multi", &[("name LIKE", "%")]).await;
        let listed = s
            .list_all(OM, "/api/v1/domains/~/call-queues")
            .await
            .unwrap();
        assert!(queues.len() >= listed.len(), "{queues:?}");
        for l in &listed {
            let name = format!("{}@acme.example", l["extension"].as_str().unwrap());
            assert!(queues.iter().any(|q| q["name"] == name), "{name}");
        }
        assert!(
            ask(&s, "queues", "single", &[("name", "600")])
                .await
                .is_empty()
        );
        // Members come over the manager interface, never as realtime rows.
        assert!(
            ask(
                &s,
                "queue_members",
                "multi",
                &[("interface LIKE", "%"), ("queue_name", "600@acme.example")]
            )
            .await
            .is_empty()
        );

        // require: the columns exist (0) or not (-1); writes are refused (-1).
        assert_eq!(
            post(
                &s,
                "queue_members",
                "require",
                &[("paused", "integer1:1"), ("uniqueid", "uinteger2:5")]
            )
            .await
            .1,
            "0"
        );
        assert_eq!(
            post(
                &s,
                "ps_endpoints",
                "require",
                &[("no_such_column", "char:10")]
            )
            .await
            .1,
            "-1"
        );
        assert_eq!(
            post(&s, "ps_aors", "update", &[("max_contacts", "9")])
                .await
                .1,
            "-1"
        );
        let aor = &ask(&s, "ps_endpoints", "multi", &[("id LIKE", "%")]).await;
        assert!(aor.iter().all(|r| r["id"] != id), "still off");

        // Bad requests name what is wrong and change nothing.
        let (st, body) = post(&s, "sip_buddies", "single", &[("name", "105")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("\"field\":\"table\""), "{body}");
        let (st, body) = post(&s, "ps_endpoints", "drop", &[]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("\"field\":\"operation\""), "{body}");
        let (st, body) = post(&s, "ps_endpoints", "single", &[("id REGEXP", ".*")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // Only the switch, with its secret.
        let r = s
            .client
            .post(s.url("/switch/asterisk/realtime/ps_auths/multi"))
            .body("id%20LIKE=%25")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error());
        s.stop().await;
    }
}
