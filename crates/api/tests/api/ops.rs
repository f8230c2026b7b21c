//! The operator's probes: /healthz always, /readyz only while the database answers.

use crate::common::*;

/// Log lines written while a test runs on this thread (the test runtime has one thread, so the
/// server's tasks log here too).
#[derive(Clone, Default)]
struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    on_each_database(|s| async move {
        let probe = |path: &'static str| s.client.get(s.url(path)).send();
        assert_eq!(probe("/healthz").await.unwrap().status(), 200);
        assert_eq!(probe("/readyz").await.unwrap().status(), 200);
        s.state.store.close().await;
        let gone = probe("/readyz").await.unwrap();
        assert_eq!(gone.status(), 503);
        let body: serde_json::Value = gone.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_ready", "{body}");
        let health = probe("/healthz").await.unwrap();
        assert_eq!(health.status(), 200, "the process still answers");
        s
    })
    .await;
    // Each 503 was logged with its route and why.
    let text = logs.text();
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("request failed") && l.contains("route=\"/readyz\""))
        .collect();
    assert!(!failed.is_empty(), "{text}");
    assert!(
        failed
            .iter()
            .all(|l| l.contains("status=503") && l.contains("the database does not answer")),
        "{text}"
    );
}

/// The value of one series in a scrape, or 0 when it is not there yet.
fn series(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_by_route_logins_and_call_records() {
    on_each_database(|s| async move {
        let scrape = || async {
            let r = s.client.get(s.url("/metrics")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/openmetrics-text")
            );
            r.text().await.unwrap()
        };
        let before = scrape().await;
        let users = r#"switchboard_http_requests_total{method="GET",route="/api/v1/domains/{domain}/users",status="200"}"#;
        let missing = r#"switchboard_http_requests_total{method="GET",route="unmatched",status="404"}"#;
        let success = r#"switchboard_logins_total{outcome="success"}"#;
        let failure = r#"switchboard_logins_total{outcome="failure"}"#;
        let inserted = r#"switchboard_call_records_ingested_total{outcome="inserted"}"#;
        let duplicate = r#"switchboard_call_records_ingested_total{outcome="duplicate"}"#;
        let refused = "switchboard_call_record_import_errors_total";

        for _ in 0..3 {
            let (st, _) = s.get("101@acme.example", "/api/v1/domains/~/users").await;
            assert_eq!(st, 200);
        }
        let wrong = s
            .client
            .post(s.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": "102@acme.example", "password": "not the password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let r = s.client.get(s.url("/no/such/page/42")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let call = serde_json::json!({
            "call_id": "metrics-1", "direction": "internal", "from": "107", "to": "108",
            "started_at": "2026-03-02T09:00:00Z", "answered_at": "2026-03-02T09:00:10Z",
            "ended_at": "2026-03-02T09:00:59Z", "disposition": "answered", "users": ["107", "108"],
        });
        let path = "/api/v1/domains/acme.example/calls";
        let reseller = "100@voiceco.example";
        for _ in 0..2 {
            let (st, body) = s
                .send(reseller, reqwest::Method::POST, path, Some(serde_json::json!({"calls": [call]})))
                .await;
            assert_eq!(st, 200, "{body}");
        }
        let mut bad = call.clone();
        bad["started_at"] = "yesterday".into();
        let (st, _) = s
            .send(reseller, reqwest::Method::POST, path, Some(serde_json::json!({"calls": [bad]})))
            .await;
        assert_eq!(st, 422);

        let after = scrape().await;
        let grew = |name: &str| series(&after, name) - series(&before, name);
        assert_eq!(grew(users), 3.0, "{after}");
        assert_eq!(grew(missing), 1.0, "{after}");
        // Logins: 101 and the reseller; 102's wrong password.
        assert_eq!(grew(success), 2.0, "{after}");
        assert_eq!(grew(failure), 1.0, "{after}");
        assert_eq!((grew(inserted), grew(duplicate), grew(refused)), (1.0, 1.0, 1.0), "{after}");
        // Latency histograms are kept by route template, the pool's use is read at the scrape.
        assert!(after.contains(r#"switchboard_http_request_duration_seconds_count{method="GET",route="/api/v1/domains/{domain}/users"} 3"#), "{after}");
        assert!(series(&after, "switchboard_db_pool_max_connections") >= 1.0, "{after}");
        assert!(after.contains("switchboard_db_pool_connections "), "{after}");
        // No tenant's name reaches the metrics.
        assert!(!after.contains("acme.example"), "{after}");
        s
    })
    .await;
}
