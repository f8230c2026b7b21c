//! Three `switchboard demo` started at once on one empty database (as three instances starting
//! with `serve --demo` would): all three succeed, and the demo is there once. On SQLite, and on
//! PostgreSQL when SWITCHBOARD_TEST_POSTGRES_URL is set.

use std::process::{Command, Stdio};

fn load_three_at_once(database_url: &str, blobs: &std::path::Path) {
    let loaders: Vec<_> = (0..3)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_switchboard"))
                .args(["demo", "--calls", "0", "--database-url", database_url])
                .env("SWITCHBOARD_BLOB_DIR", blobs)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start switchboard demo")
        })
        .collect();
    for loader in loaders {
        let out = loader.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{database_url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn three_demo_loads_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("demo.db").display());
    load_three_at_once(&sqlite, &dir.path().join("blobs"));
    if let Ok(admin) = std::env::var(switchboard_store::testing::POSTGRES_URL_VAR) {
        let db = switchboard_store::testing::TestDatabase::postgres(&admin)
            .await
            .expect("a PostgreSQL database for the test");
        load_three_at_once(&db.url, &dir.path().join("blobs-pg"));
        db.drop_database().await;
    }
}
