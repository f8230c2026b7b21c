//! `switchboard serve` as an operator runs it: structured logs, and a SIGTERM that lets the
//! request in flight finish and closes the database.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `switchboard serve` on a SQLite file in `dir`, logging JSON; answers the process, its
/// standard output (kept open: the server still writes to it) and the address it listens on.
type Served = (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    String,
);

// The caller waits for the process; a server that ends before listening fails the test.
#[allow(clippy::zombie_processes)]
fn serve(dir: &tempfile::TempDir, extra: &[&str]) -> Served {
    let db = dir.path().join("switchboard.db");
    let mut server = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(extra)
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .env("SWITCHBOARD_BLOB_DIR", dir.path().join("blobs"))
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start switchboard serve");
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "serve ended early"
        );
        if let Some(rest) = line
            .trim()
            .strip_prefix("Switchboard is listening on http://")
        {
            return (server, stdout, rest.to_owned());
        }
    }
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_closes_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, _stdout, addr) = serve(&dir, &[]);

    // A login whose head has arrived but whose body has not: a request in flight.
    let body = r#"{"username":"100@platform.example","password":"not the password"}"#;
    let mut conn = TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        conn,
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sigterm(&server);
    std::thread::sleep(Duration::from_millis(300));
    // New connections are no longer taken...
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the listener is still open after SIGTERM"
    );
    // ...but the request in flight gets its answer.
    conn.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    let stderr = exit_log(&mut server);
    // Every log line is one JSON object, and the last says the database is closed.
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(
        lines.last().and_then(|l| l["message"].as_str()),
        Some("the database is closed"),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string())
    );
    // A clean close checkpoints SQLite's write-ahead log: nothing is left in it.
    let wal = dir.path().join("switchboard.db-wal");
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(left, 0, "{} still holds {left} bytes", wal.display());
}

/// Read one HTTP/1.1 answer's head from `conn`: the status line and headers.
/// Ask the server to stop, as an operator's `kill` does.
fn sigterm(server: &std::process::Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// Wait for the server to end, which it must do cleanly; answers what it logged.
fn exit_log(server: &mut std::process::Child) -> String {
    let status = server.wait().unwrap();
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
    stderr
}

fn read_head(conn: &mut BufReader<TcpStream>) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).unwrap();
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            return lines;
        }
        lines.push(line);
    }
}

#[test]
fn sigterm_ends_a_live_view_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, _stdout, addr) = serve(&dir, &["--demo"]);
    // The supervisor logs in to the portal…
    let form = "username=104%40acme.example&password=switchboard-demo";
    let mut login = BufReader::new(TcpStream::connect(&addr).unwrap());
    write!(
        login.get_mut(),
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let cookies: Vec<String> = read_head(&mut login)
        .iter()
        .filter_map(|h| {
            h.strip_prefix("set-cookie: ")
                .or_else(|| h.strip_prefix("Set-Cookie: "))
        })
        .map(|c| c.split(';').next().unwrap_or("").to_owned())
        .collect();
    assert!(!cookies.is_empty(), "no session cookie");
    // …and opens its wallboard's stream, which sends the board and stays open.
    let mut live = BufReader::new(TcpStream::connect(&addr).unwrap());
    live.get_ref()
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        live.get_mut(),
        "GET /manage-call-center/call-center/live HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nAccept: text/event-stream\r\n\r\n",
        cookies.join("; ")
    )
    .unwrap();
    let head = read_head(&mut live);
    assert!(head[0].starts_with("HTTP/1.1 200"), "{head:?}");
    let mut first = String::new();
    while !first.contains("data:") {
        first.clear();
        live.read_line(&mut first).unwrap();
    }
    // Stopping ends the stream itself, rather than waiting out the grace period for it.
    sigterm(&server);
    let mut rest = Vec::new();
    live.read_to_end(&mut rest).expect("the stream ends");
    let stderr = exit_log(&mut server);
    assert!(
        !stderr.contains("connections still open"),
        "the live view was cut by the grace period, not ended: {stderr}"
    );
    assert!(stderr.contains("the database is closed"), "{stderr}");
}
