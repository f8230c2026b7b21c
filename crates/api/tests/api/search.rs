//! Search finds names whatever their case, in every alphabet and on both engines: SQLite's own
//! `lower()` knows only ASCII, so "émile" used to miss "Émile" there.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const OM: &str = "101@acme.example";

async fn found(s: &TestServer, path: &str, q: &str) -> usize {
    let (st, body) = s.get(OM, &format!("{path}?q={}", urlencode(q))).await;
    assert_eq!(st, StatusCode::OK, "{path}?q={q}: {body}");
    body["items"].as_array().unwrap().len()
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_is_blind_to_case_in_every_alphabet() {
    on_each_database(|s| async move {
        let su = "100@platform.example";
        let (st, _) = s
            .send(
                su,
                Method::PATCH,
                "/api/v1/domains/acme.example",
                Some(json!({"policy": {"office_managers_manage_users": true}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        for (path, body) in [
            (
                "/api/v1/domains/~/users",
                json!({"extension": "371", "first_name": "Émile", "last_name": "Øster"}),
            ),
            ("/api/v1/domains/~/sites", json!({"name": "Zürich Öffice"})),
            (
                "/api/v1/domains/~/call-queues",
                json!({"extension": "671", "name": "Équipe Ventes"}),
            ),
        ] {
            let (st, made) = s.send(OM, Method::POST, path, Some(body)).await;
            assert_eq!(st, StatusCode::CREATED, "{made}");
        }
        for q in ["émile", "ÉMILE", "Émile", "øster", "ØSTER"] {
            assert_eq!(found(&s, "/api/v1/domains/~/users", q).await, 1, "{q}");
        }
        for q in ["zürich öffice", "ZÜRICH", "öffice"] {
            assert_eq!(found(&s, "/api/v1/domains/~/sites", q).await, 1, "{q}");
        }
        for q in ["équipe", "ÉQUIPE VENTES"] {
            assert_eq!(
                found(&s, "/api/v1/domains/~/call-queues", q).await,
                1,
                "{q}"
            );
        }
        // The engines' wildcards in a search are plain characters.
        for q in ["*", "?", "[", "%", "_"] {
            assert_eq!(found(&s, "/api/v1/domains/~/sites", q).await, 0, "{q}");
        }
        s
    })
    .await;
}
