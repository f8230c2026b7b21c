//! What the whole server does before any handler: slow and oversized clients, control
//! characters in paths, the portal's `next` after logging in, and the headers every answer
//! carries. One server, on SQLite (nothing here is stored).

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use switchboard_api::{AppState, Config};
use switchboard_store::testing::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const OM: &str = "101@acme.example";

async fn token(client: &reqwest::Client, base: &str, login: &str) -> String {
    let r: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": login, "password": switchboard_demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_owned()
}

/// Write `raw` on a new connection and read what comes back within `wait` (empty: the
/// server closed the connection without answering).
async fn raw_exchange(addr: &str, raw: &[u8], wait: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    let mut answer = vec![0u8; 512];
    let n = match tokio::time::timeout(wait, stream.read(&mut answer)).await {
        Ok(Ok(n)) => n,
        Ok(Err(_)) => 0,
        Err(_) => panic!("no answer and no close within {wait:?}"),
    };
    (
        String::from_utf8_lossy(&answer[..n]).into_owned(),
        started.elapsed(),
    )
}

/// A contact's creation, by hand: headers declaring `length` bytes, then the start of a body.
fn post_declaring(token: &str, length: u64) -> Vec<u8> {
    format!(
        "POST /api/v1/domains/~/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"a\":"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_holds_against_slow_odd_and_hostile_requests() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        argon2_memory_kib: 256,
        argon2_iterations: 1,
        blob_dir: dir.path().join("blobs"),
        header_read_timeout_seconds: 1,
        body_read_timeout_seconds: 1,
        ..Config::default()
    };
    let state = AppState::new(db.store().await, config).unwrap();
    switchboard_demo::load(&state).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(switchboard_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let om = token(&client, &base, OM).await;

    // A control character in a path parameter: missing, not a 500 from a header it reached.
    for path in [
        "/api/v1/domains/acme.example%0A/reports/queues.csv",
        "/api/v1/domains/~/users/101%09",
        "/api/v1/domains/acme.example%00/calls/export.csv",
    ] {
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth(&om)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // Every answer tells the browser not to sniff and not to leak addresses; the printable
    // invoice, HTML from the API, runs nothing.
    for path in ["/api/v1/openapi.json", "/login", "/nowhere"] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(r.headers()["referrer-policy"], "same-origin", "{path}");
    }
    // (Invoices are Account Preferences: the password is asked again first.)
    let r = client
        .post(format!("{base}/api/v1/auth/reauth"))
        .bearer_auth(&om)
        .json(&json!({"password": switchboard_demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let invoices: Value = client
        .get(format!("{base}/api/v1/domains/~/invoices"))
        .bearer_auth(&om)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invoice = invoices["items"][0]["id"].as_i64().expect("a demo invoice");
    let r = client
        .get(format!(
            "{base}/api/v1/domains/~/invoices/{invoice}/printable"
        ))
        .bearer_auth(&om)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");

    // After logging in, the portal goes only to one of its own pages: a `next` with a line
    // break or a tab (which browsers skip: `/\t/evil.example` is another site) is refused
    // before the password is checked, and no session is set.
    for next in [
        "/\nx",
        "/\t/evil.example",
        "/\\evil.example",
        "//evil.example",
    ] {
        let r = client
            .post(format!("{base}/login"))
            .header(ORIGIN, &base)
            .form(&[
                ("username", OM),
                ("password", switchboard_demo::DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{next:?}");
        assert!(r.headers().get(SET_COOKIE).is_none(), "{next:?}");
    }
    // Not behind a trusted proxy (none is configured): "X-Forwarded-Proto: https" from the
    // client itself earns neither Secure cookies nor Strict-Transport-Security.
    let r = client
        .post(format!("{base}/login"))
        .header(ORIGIN, &base)
        .header("x-forwarded-proto", "https")
        .form(&[
            ("username", OM),
            ("password", switchboard_demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!r.headers().contains_key("strict-transport-security"));
    for cookie in r.headers().get_all(SET_COOKIE) {
        assert!(!cookie.to_str().unwrap().contains("Secure"), "{cookie:?}");
    }
    let page = client
        .get(format!("{base}/login?next=%2F%09%2Fevil.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"next\" value=\"/\""), "{page}");

    // A body declared far larger than the route takes: 413 at once, nothing read.
    let (answer, took) = raw_exchange(
        &addr,
        &post_declaring(&om, 1000000000),
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // The same on a route with a small limit and a body a little over it.
    let (answer, _) =
        raw_exchange(&addr, &post_declaring(&om, 3000000), Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // Half a request's headers, then nothing: the connection is closed after the header
    // timeout, while another client is served meanwhile.
    let slow = tokio::spawn({
        let addr = addr.clone();
        async move {
            raw_exchange(
                &addr,
                b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
                Duration::from_secs(10),
            )
            .await
        }
    });
    let r = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (answer, took) = slow.await.unwrap();
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    // A body that stops arriving: dropped after the body timeout.
    let (answer, took) =
        raw_exchange(&addr, &post_declaring(&om, 100), Duration::from_secs(10)).await;
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");
    assert!(
        took < Duration::from_secs(5),
        "dropped after {took:?}: {answer}"
    );

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    db.drop_database().await;
}
