//! Fresh databases for tests: a SQLite file always, and a new PostgreSQL database whenever
//! `SWITCHBOARD_TEST_POSTGRES_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/test`).

use crate::{Result, Store};
use sqlx::Executor;
use std::sync::atomic::{AtomicU64, Ordering};

pub const POSTGRES_URL_VAR: &str = "SWITCHBOARD_TEST_POSTGRES_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    pub label: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDatabase {
    pub fn sqlite() -> TestDatabase {
        let dir = std::env::temp_dir().join(unique("switchboard_test"));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("test.db");
        TestDatabase {
            url: format!("sqlite://{}", path.display()),
            label: "sqlite",
            cleanup: Cleanup::File(dir),
        }
    }

    pub async fn postgres(admin_url: &str) -> Result<TestDatabase> {
        crate::Store::connect(admin_url).await?; // installs the drivers, checks the URL
        let name = unique("sbtest");
        let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url).await?;
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Ok(TestDatabase {
            url: format!("{base}/{name}"),
            label: "postgres",
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }

    /// Every database the suite must run on: SQLite, and PostgreSQL when its variable is set.
    pub async fn all() -> Vec<TestDatabase> {
        let mut out = vec![TestDatabase::sqlite()];
        if let Ok(url) = std::env::var(POSTGRES_URL_VAR) {
            match TestDatabase::postgres(&url).await {
                Ok(db) => out.push(db),
                Err(e) => panic!("{POSTGRES_URL_VAR} is set but PostgreSQL cannot be used: {e}"),
            }
        }
        out
    }

    /// Connect and migrate.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }

    /// Connect and migrate, storing bulk calls and reading pages through sqlx even on a SQLite
    /// file (the path PostgreSQL and SQLite in memory take), to hold the native and the sqlx
    /// paths to one result.
    pub async fn store_without_native_ingest(&self) -> Store {
        let mut store = self.store().await;
        store.native = None;
        store
    }

    /// Remove the database (call at the end of a test; a failed test leaves it for inspection).
    pub async fn drop_database(self) {
        match self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) =
                    <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await
                {
                    let _ = admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            }
        }
    }
}
