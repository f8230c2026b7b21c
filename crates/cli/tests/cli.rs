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

/// A record as mod_json_cdr writes it to its err-log-dir (values URL-encoded).
fn json_cdr(uuid: &str, domain: &str) -> String {
    serde_json::json!({
        "core-uuid": "0b7a4c2e-8d1f-4a55-9f0e-3c2d1b0a9f88",
        "switchname": "fs1",
        "channel_data": {"state": "CS_REPORTING", "direction": "inbound"},
        "variables": {
            "uuid": uuid,
            "domain_name": domain,
            "sip_from_user": "107-1",
            "sip_to_user": "105",
            "caller_id_name": "Front%20Desk",
            "start_epoch": "1796000000",
            "answer_epoch": "1796000004",
            "end_epoch": "1796000064",
            "hangup_cause": "NORMAL_CLEARING"
        }
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freeswitch_spool_files_are_imported_and_moved_aside() {
    let (db, store) = demo_database().await;
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path();
    let files = [
        (
            "3f0c-json.cdr.json",
            json_cdr("3f0c-json", "acme.example"),
        ),
        (
            "a_3f0c-leg.cdr.json",
            json_cdr("3f0c-leg", "acme.example"),
        ),
        (
            "3f0c-xml.cdr.xml",
            "<?xml version=\"1.0\"?>\n<cdr><variables><uuid>3f0c-xml</uuid><domain_name>acme.example</domain_name><caller_id_number>%2B15550001111</caller_id_number><sip_to_user>105</sip_to_user><start_epoch>1796000100</start_epoch><answer_epoch>0</answer_epoch><end_epoch>1796000120</end_epoch><hangup_cause>USER_BUSY</hangup_cause></variables></cdr>".to_owned(),
        ),
        ("3f0c-else.cdr.json", json_cdr("3f0c-else", "nowhere.example")),
        ("3f0c-torn.cdr.json", "{\"variables\": {\"uuid\": ".to_owned()),
        ("notes.txt", "not a record".to_owned()),
    ];
    for (name, text) in &files {
        std::fs::write(spool.join(name), text).unwrap();
    }
    let import = |dir: &std::path::Path| {
        switchboard(&[
            "freeswitch",
            "import-spool",
            dir.to_str().unwrap(),
            "--database-url",
            &db.url,
        ])
    };
    let (ok, out, err) = import(spool);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("5 files: 3 calls stored (3 new, 0 merged into calls already there, 0 already there), 2 rejected, 0 kept to try again"),
        "{out}"
    );
    assert!(out.contains("3f0c-else.cdr.json: cdr: no domain"), "{out}");
    assert!(out.contains("3f0c-torn.cdr.json"), "{out}");
    let names = |sub: &str| {
        let mut names: Vec<String> = std::fs::read_dir(spool.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !matches!(n.as_str(), "imported" | "rejected"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names("imported"),
        [
            "3f0c-json.cdr.json",
            "3f0c-xml.cdr.xml",
            "a_3f0c-leg.cdr.json"
        ]
    );
    assert_eq!(
        names("rejected"),
        ["3f0c-else.cdr.json", "3f0c-torn.cdr.json"]
    );
    assert_eq!(names(""), ["notes.txt"], "what is not a record stays");

    // The same records again (FreeSWITCH wrote them after a post that did arrive): stored once.
    for name in names("imported") {
        std::fs::copy(spool.join("imported").join(&name), spool.join(&name)).unwrap();
    }
    let (ok, out, err) = import(spool);
    assert!(ok, "{err}");
    assert!(
        out.contains("(0 new, 0 merged into calls already there, 3 already there)"),
        "{out}"
    );
    let (ok, _, err) = import(&spool.join("missing"));
    assert!(!ok && err.contains("missing"), "{err}");
    db.drop_database().await;
}

/// `switchboard <switch> config --out` for an installation listening on 10.0.0.2:8080 with
/// the switch secret s3cret and `settings`: the temporary folder, the config file, the folder
/// written and what was printed.
fn switch_config_written(
    switch: &str,
    folder: &str,
    settings: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
    String,
) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("switchboard.toml");
    std::fs::write(
        &config,
        format!("listen = \"10.0.0.2:8080\"\nswitch_secret = \"s3cret\"\n{settings}"),
    )
    .unwrap();
    let out_dir = dir.path().join(folder);
    let (ok, out, err) = switchboard(&[
        switch,
        "config",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    (dir, config, out_dir, out)
}

#[test]
fn freeswitch_config_is_written_for_this_installation() {
    let (_dir, config, out_dir, out) = switch_config_written(
        "freeswitch",
        "conf",
        "freeswitch_event_socket = \"127.0.0.1:8022\"\nfreeswitch_event_socket_password = \"Hush\"\n",
    );
    assert!(out.contains("mod_xml_curl"), "{out}");
    let read =
        |name: &str| std::fs::read_to_string(out_dir.join("autoload_configs").join(name)).unwrap();
    assert!(read("xml_curl.conf.xml").contains("http://10.0.0.2:8080/switch/freeswitch/xml"));
    assert!(read("json_cdr.conf.xml").contains("value=\"switch:s3cret\""));
    let socket = read("event_socket.conf.xml");
    assert!(
        socket.contains("value=\"8022\"") && socket.contains("value=\"Hush\""),
        "{socket}"
    );

    // Without a secret it says what to set.
    std::fs::write(&config, "listen = \"10.0.0.2:8080\"\n").unwrap();
    let (ok, _, err) = switchboard(&["freeswitch", "config", "--config", config.to_str().unwrap()]);
    assert!(!ok && err.contains("switch_secret"), "{err}");
}

#[test]
fn asterisk_config_is_written_for_this_installation() {
    let (_dir, config, out_dir, out) = switch_config_written(
        "asterisk",
        "asterisk",
        "asterisk_manager = \"10.0.0.5:5039\"\nasterisk_manager_secret = \"Hush\"\n",
    );
    assert!(out.contains("res_config_curl.so"), "{out}");
    let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
    assert!(read("extconfig.conf").contains(
        "ps_auths => curl,http://switch:s3cret@10.0.0.2:8080/switch/asterisk/realtime/ps_auths"
    ));
    assert!(read("sorcery.conf").contains("auth=realtime,ps_auths"));
    let manager = read("manager.conf");
    assert!(
        manager.contains("port = 5039") && manager.contains("[switchboard]\nsecret = Hush"),
        "{manager}"
    );
    assert!(read("cdr_manager.conf").contains("enabled = yes"));
    let dialplan = read("extensions.conf");
    assert!(dialplan.contains("[switchboard]"), "{dialplan}");
    assert!(
        dialplan.contains("CURL(http://switch:s3cret@10.0.0.2:8080/switch/asterisk/route?"),
        "{dialplan}"
    );
    assert!(read("pjsip.conf").contains("[switchboard-external]"));
    assert!(
        !out_dir.join("res_pgsql.conf").exists(),
        "SQLite: over HTTP"
    );

    // On PostgreSQL Asterisk reads the views, logged in as res_pgsql.conf says.
    let (_pg_dir, _, pg_out, pg_printed) = switch_config_written(
        "asterisk",
        "asterisk",
        "database_url = \"postgres://sb:pw@db.example:5433/switchboard\"\nasterisk_manager = \"127.0.0.1:5038\"\nasterisk_manager_secret = \"Hush\"\n",
    );
    assert!(pg_printed.contains("res_config_pgsql.so"), "{pg_printed}");
    let pgsql = std::fs::read_to_string(pg_out.join("res_pgsql.conf")).unwrap();
    assert!(
        pgsql
            .contains("hostname=db.example\nport=5433\ndbname=switchboard\nuser=sb\npassword=pw\n"),
        "{pgsql}"
    );
    let ext = std::fs::read_to_string(pg_out.join("extconfig.conf")).unwrap();
    assert!(
        ext.contains("ps_auths => pgsql,general,asterisk.ps_auths"),
        "{ext}"
    );

    // Without a manager secret it says what to set.
    std::fs::write(&config, "switch_secret = \"s3cret\"\n").unwrap();
    let (ok, _, err) = switchboard(&["asterisk", "config", "--config", config.to_str().unwrap()]);
    assert!(!ok && err.contains("asterisk_manager_secret"), "{err}");
}
