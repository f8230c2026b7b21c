//! Asterisk's realtime lookups through `res_config_curl`, as its `realtime_curl`,
//! `realtime_multi_curl` and `require_curl` send them (criteria URL-encoded with
//! `ast_uri_http`, `field OP` for comparisons) and read the answer back the way those functions
//! do: a row is `key=value` pairs split on `&`, each side URL-decoded, one row per line.

use crate::common::*;
use crate::switch::{SECRET, issue_password, switch_ha1, with_switch};
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
        let ha1 = switch_ha1(&s, &login).await;
        assert_eq!(auth["md5_cred"], ha1);
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

/// res_config_pgsql's own queries, on a PostgreSQL installation: the `asterisk` schema's views
/// hold the columns the realtime families read (its table-structure query, as it sends it) and,
/// row for row, what the HTTP realtime answer gives for every table; Asterisk may write its
/// contacts into `asterisk.ps_contacts`.
#[tokio::test]
async fn on_postgresql_asterisk_reads_the_same_rows_from_views() {
    let Ok(admin) = std::env::var(switchboard_store::testing::POSTGRES_URL_VAR) else {
        eprintln!(
            "PostgreSQL not set ({}): its views are not checked",
            switchboard_store::testing::POSTGRES_URL_VAR
        );
        return;
    };
    let db = switchboard_store::testing::TestDatabase::postgres(&admin)
        .await
        .unwrap();
    let url = db.url.clone();
    let mut config = test_config();
    config.switch.secret = Some(SECRET.into());
    let s = TestServer::start(db, config).await;
    for ext in ["105", "107"] {
        issue_password(&s, ext).await;
    }
    // A queue of each ring strategy (the demo has the other three).
    let (st, body) = s
        .send(
            OM,
            Method::POST,
            "/api/v1/domains/~/call-queues",
            Some(json!({"extension": "650", "name": "All hands", "ring_strategy": "ring_all"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // One login turned off: in neither answer.
    let (device, _) = issue_password(&s, "108").await;
    let sip = format!("/api/v1/domains/~/devices/{device}/sip");
    let (st, body) = s
        .send(OM, Method::PUT, &sip, Some(json!({"enabled": false})))
        .await;
    assert!(st.is_success(), "{body}");

    use sqlx::{Connection, Row as _};
    let mut pg = sqlx::PgConnection::connect(&url).await.unwrap();
    for (table, columns) in switchboard_api::switch::asterisk::realtime::TABLES {
        // find_table(): the columns, in order, as res_config_pgsql reads a table's structure.
        let structure = format!(
            "SELECT a.attname, t.typname, a.attlen, a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) adsrc, a.atttypmod FROM (((pg_catalog.pg_class c INNER JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND c.relname = '{table}' AND n.nspname = 'asterisk') INNER JOIN pg_catalog.pg_attribute a ON (NOT a.attisdropped) AND a.attnum > 0 AND a.attrelid = c.oid) INNER JOIN pg_catalog.pg_type t ON t.oid = a.atttypid) LEFT OUTER JOIN pg_attrdef d ON a.atthasdef AND d.adrelid = a.attrelid AND d.adnum = a.attnum ORDER BY n.nspname, c.relname, attnum"
        );
        let found: Vec<String> = sqlx::query(&structure)
            .fetch_all(&mut pg)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        assert_eq!(found, *columns, "asterisk.{table}'s columns");

        // Every row (realtime_multi_pgsql's SELECT *), as text, against res_config_curl's.
        let select = format!("SELECT row_to_json(t)::text FROM asterisk.{table} t");
        let mut from_view: Vec<Row> = sqlx::query_scalar::<_, String>(&select)
            .fetch_all(&mut pg)
            .await
            .unwrap()
            .iter()
            .map(|json| {
                let object: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(json).unwrap();
                object
                    .into_iter()
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => (k, s),
                        other => (k, other.to_string()),
                    })
                    .collect()
            })
            .collect();
        let key = columns[0];
        let mut from_curl = ask(&s, table, "multi", &[(&format!("{key} LIKE"), "%")]).await;
        from_view.sort_by(|a, b| a[key].cmp(&b[key]));
        from_curl.sort_by(|a, b| a[key].cmp(&b[key]));
        assert_eq!(from_view, from_curl, "asterisk.{table}");
        if table != "queue_members" {
            assert!(!from_view.is_empty(), "asterisk.{table} has rows");
        }
        if table == "queues" {
            let strategies: std::collections::BTreeSet<&str> =
                from_view.iter().map(|q| q["strategy"].as_str()).collect();
            assert_eq!(strategies.len(), 4, "{strategies:?}");
        }
    }
    let endpoints: Vec<String> = sqlx::query_scalar("SELECT id FROM asterisk.ps_endpoints")
        .fetch_all(&mut pg)
        .await
        .unwrap();
    assert_eq!(endpoints.len(), 2, "105 and 107, not 108: {endpoints:?}");

    // A contact as Asterisk stores one (realtime_store_pgsql), then its refresh and removal.
    let contact = format!("{};@sip:105-1@192.0.2.10:5060", endpoints[0]);
    sqlx::query("INSERT INTO asterisk.ps_contacts (id, uri, expiration_time, qualify_frequency, qualify_timeout, reg_server, authenticate_qualify, via_addr, via_port, call_id, endpoint, prune_on_boot, user_agent, path, outbound_proxy, qualify_2xx_only) VALUES ($1, 'sip:105-1@192.0.2.10:5060', '1796400000', '0', '3.000000', '', 'no', '192.0.2.10', '5060', 'abc@192.0.2.10', $2, 'no', 'Yealink', '', '', 'no')")
        .bind(&contact)
        .bind(&endpoints[0])
        .execute(&mut pg)
        .await
        .unwrap();
    sqlx::query("UPDATE asterisk.ps_contacts SET expiration_time = '1796403600' WHERE id = $1")
        .bind(&contact)
        .execute(&mut pg)
        .await
        .unwrap();
    let kept: i64 =
        sqlx::query_scalar("SELECT expiration_time FROM asterisk.ps_contacts WHERE id = $1")
            .bind(&contact)
            .fetch_one(&mut pg)
            .await
            .unwrap();
    assert_eq!(kept, 1_796_403_600);
    sqlx::query("DELETE FROM asterisk.ps_contacts WHERE id = $1")
        .bind(&contact)
        .execute(&mut pg)
        .await
        .unwrap();
    pg.close().await.unwrap();
    s.stop().await;
}
