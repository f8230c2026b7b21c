//! Behind a reverse proxy: X-Forwarded-For and -Proto are believed from `trusted_proxies`
//! only. The test client connects from 127.0.0.1, which is trusted in one server and not in
//! the other.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Log 107 in, as the proxy says a client at 203.0.113.9 on HTTPS did; answers the session's
/// recorded address and whether the answer told the browser to stay on HTTPS.
async fn login_through_proxy(s: &TestServer) -> (String, bool) {
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .header("x-forwarded-for", "198.51.100.1, 203.0.113.9")
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "107@acme.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let hsts = r.headers().contains_key("strict-transport-security");
    let tokens: Value = r.json().await.unwrap();
    let token = tokens["access_token"].as_str().unwrap();
    let (_, sessions) = s
        .send_token(token, reqwest::Method::GET, "/api/v1/sessions", None)
        .await;
    let addr = sessions["items"][0]["client_addr"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (addr, hsts)
}

#[tokio::test]
async fn forwarded_headers_are_believed_from_trusted_proxies_only() {
    for db in switchboard_store::testing::TestDatabase::all().await {
        let mut config = test_config();
        config.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        let behind = TestServer::start(db, config).await;
        // The nearest address the proxy did not add itself: 203.0.113.9, not the spoofable left.
        assert_eq!(
            login_through_proxy(&behind).await,
            ("203.0.113.9".to_owned(), true)
        );
        behind.stop().await;
    }
    on_each_database(|s| async move {
        assert_eq!(
            login_through_proxy(&s).await,
            ("127.0.0.1".to_owned(), false)
        );
        s
    })
    .await;
}
