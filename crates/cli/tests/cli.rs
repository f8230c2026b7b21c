//! The `switchboard` binary, run as a person would.

use std::process::Command;
use switchboard_api::{AppState, Config};
use switchboard_store::testing::TestDatabase;

fn switchboard(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run switchboard");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const MASTER_CSV: &str = r#""","+15550001111","600","from-trunk","+15550001111","SIP/trunk-0001","SIP/105-0002","Queue","600","2026-03-02 09:00:00","2026-03-02 09:00:12","2026-03-02 09:05:00",300,288,"ANSWERED","DOCUMENTATION","1772461200.1"
"","107","108","from-internal","107","SIP/107-0003","SIP/108-0004","Dial","SIP/108","2026-03-02 09:10:00","2026-03-02 09:10:03","2026-03-02 09:12:03",123,120,"ANSWERED","DOCUMENTATION","1772461800.2"
"#;

/// A fresh SQLite database holding the demo installation.
async fn demo_database() -> (TestDatabase, switchboard_store::Store) {
    let db = TestDatabase::sqlite();
    let store = db.store().await;
    let state = AppState::new(
        store.clone(),
        Config {
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            blob_dir: std::env::temp_dir()
                .join(format!("switchboard-cli-blobs-{}", std::process::id())),
            ..Config::default()
        },
    )
    .unwrap();
    switchboard_demo::load(&state).await.unwrap();
    (db, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_import_from_the_command_line() {
    let (db, store) = demo_database().await;
    store.close().await;
    let dir = std::env::temp_dir().join(format!("switchboard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("Master.csv");
    std::fs::write(&file, MASTER_CSV).unwrap();
    let path = file.to_str().unwrap();

    let (ok, out, err) = switchboard(&[
        "calls",
        "import",
        path,
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
        "--dry-run",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 calls checked (dry run, nothing stored)"),
        "{out}"
    );
    let (ok, out, err) = switchboard(&[
        "calls",
        "import",
        path,
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains(
            "2 lines: 2 calls imported (2 new, 0 merged into calls already there, 0 already there) from 2 call records, 0 queue events, 0 skipped"
        ),
        "{out}"
    );
    let (ok, out, _) = switchboard(&[
        "calls",
        "import",
        path,
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
    ]);
    assert!(
        ok && out.contains("(0 new, 0 merged into calls already there, 2 already there)"),
        "{out}"
    );

    std::fs::write(&file, MASTER_CSV.replace("2026-03-02 09:10:00", "soon")).unwrap();
    let (ok, _, err) = switchboard(&[
        "calls",
        "import",
        path,
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
    ]);
    assert!(!ok);
    assert!(err.contains("line 2") && err.contains("soon"), "{err}");
    let (ok, _, err) = switchboard(&[
        "calls",
        "import",
        path,
        "--domain",
        "nowhere.example",
        "--database-url",
        &db.url,
    ]);
    assert!(!ok && err.contains("--domain"), "{err}");
    let (ok, _, err) = switchboard(&[
        "calls",
        "import",
        path,
        "--domain",
        "acme.example",
        "--format",
        "excel",
        "--database-url",
        &db.url,
    ]);
    assert!(!ok && err.contains("--format"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_database().await;
}

/// `demo --queues N` adds queues (served by the agents) before the calls, and the calls reach them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_adds_queues_and_spreads_calls_over_them() {
    use switchboard_domain::{DomainName, Extension};
    use switchboard_policy::{Resource, operator_visibility};
    let db = TestDatabase::sqlite();
    let (ok, _, err) = switchboard(&["demo", "--queues", "21", "--database-url", &db.url]);
    assert!(!ok && err.contains("--queues"), "{err}");

    let args = ["demo", "--calls", "600", "--queues", "5", "--days", "2"];
    let (ok, out, err) = switchboard(&[&args[..], &["--database-url", &db.url]].concat());
    assert!(ok, "{err}");
    assert!(out.contains("4 call queues added"), "{out}");
    let (ok, out, err) = switchboard(&[&args[..], &["--database-url", &db.url]].concat());
    assert!(ok, "{err}");
    assert!(out.contains("0 call queues added"), "{out}");
    // Stored once: nothing new (a run in the next hour may move the newest calls, and merge).
    assert!(out.contains("(0 new, "), "{out}");

    let store = db.store().await;
    for name in switchboard_demo::DEMO_DOMAINS {
        let domain = store
            .get_domain_by_name(
                &operator_visibility(Resource::Domains),
                &DomainName::parse(name).unwrap(),
            )
            .await
            .unwrap();
        let dir = store.extension_directory(domain.id).await.unwrap();
        let mut queues: Vec<&String> = dir.queues.keys().collect();
        queues.sort();
        assert_eq!(queues, ["600", "601", "602", "603", "604"], "{name}");
        for ext in ["603", "604"] {
            let queue = store
                .get_call_queue(
                    &operator_visibility(Resource::CallQueues),
                    domain.id,
                    &Extension::parse(ext).unwrap(),
                )
                .await
                .unwrap();
            let agents = store
                .list_queue_agents(&operator_visibility(Resource::QueueAgents), &queue)
                .await
                .unwrap();
            assert_eq!(agents.len(), 2, "{name} {ext}");
            let calls = store
                .count_calls(
                    &operator_visibility(Resource::CallHistory),
                    domain.id,
                    &switchboard_store::CallFilter {
                        queue: Some(queue.id),
                        ..Default::default()
                    },
                    1,
                )
                .await
                .unwrap();
            assert!(calls.count > 0, "no calls through {ext} in {name}");
        }
    }
    store.close().await;
    db.drop_database().await;
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["scopes", "--help"],
        vec!["admin", "create-super-user", "--help"],
        vec!["calls", "import", "--help"],
        vec!["invoices", "import", "--help"],
    ] {
        let (ok, out, err) = switchboard(&args);
        assert!(ok && out.contains("Usage"), "{args:?}: {err}");
    }
    let (ok, out, _) = switchboard(&["scopes"]);
    assert!(ok && out.contains("call_center_supervisor") && out.contains("r Q, u Q if allowed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_import_from_the_command_line() {
    let (db, store) = demo_database().await;
    let dir = std::env::temp_dir().join(format!("switchboard-cli-inv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let line = |n: &str, currency: &str| {
        format!(
            r#"{{"number": "{n}", "issued_on": "2026-11-01", "due_on": "2026-11-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "{currency}", "lines": [{{"description": "Seats", "quantity": 10, "unit_price_cents": 1999}}]}}"#
        )
    };
    let bad = dir.join("bad.jsonl");
    std::fs::write(
        &bad,
        format!("{}\n{}\n", line("N-1", "USD"), line("N-2", "US")),
    )
    .unwrap();
    let good = dir.join("good.jsonl");
    std::fs::write(
        &good,
        format!("{}\n{}\n", line("N-1", "USD"), line("N-2", "USD")),
    )
    .unwrap();
    let count = || async {
        let vis = switchboard_policy::operator_visibility(switchboard_policy::Resource::Invoices);
        let domain = store
            .get_domain_by_name(
                &switchboard_policy::operator_visibility(switchboard_policy::Resource::Domains),
                &switchboard_domain::DomainName::parse("acme.example").unwrap(),
            )
            .await
            .unwrap();
        store
            .count_settings::<switchboard_domain::Invoice>(&[&vis], domain.id, &Default::default())
            .await
            .unwrap()
    };
    let demo = count().await;
    let (ok, _, err) = switchboard(&[
        "invoices",
        "import",
        bad.to_str().unwrap(),
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
    ]);
    assert!(!ok && err.contains("line 2: currency"), "{err}");
    assert_eq!(count().await, demo);
    let (ok, out, err) = switchboard(&[
        "invoices",
        "import",
        good.to_str().unwrap(),
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
    ]);
    assert!(ok && out.contains("2 invoice(s) stored"), "{out} {err}");
    assert_eq!(count().await, demo + 2);
    let (ok, _, err) = switchboard(&[
        "invoices",
        "import",
        good.to_str().unwrap(),
        "--domain",
        "acme.example",
        "--database-url",
        &db.url,
    ]);
    assert!(!ok && err.contains("number N-1 is already used"), "{err}");
    assert_eq!(count().await, demo + 2);
    store.close().await;
}
