//! Storage for Switchboard on SQLite (the embedded default) and PostgreSQL, through one code
//! path. SQL is written once with `$n` placeholders, which both engines accept; ids, times and
//! flags are stored as integers so that values mean the same on both.
//!
//! Access is a value you must hold: list reads take a [`Visibility`] and writes take a
//! [`Permit`], both made only by `switchboard-policy`.

mod audit;
mod auth;
mod call_merge;
mod call_parties;
mod call_query;
mod calls;
mod directory;
mod error;
mod kinds;
mod locks;
mod native;
mod pg_copy;
mod portal_tabs;
mod queue_waiting;
mod queues;
mod recycle;
mod reports;
mod setting_tables;
mod settings;
mod sip;
mod sites;
mod sql;
mod switch;
pub mod testing;
mod two_factor;
mod users;

pub use audit::{AuditContext, AuditFilter};
pub use auth::{NewApiKey, NewSession, SessionRecord};
pub use calls::{CallCount, CallFilter, CallPage, CallPageRequest, NewCall};
pub use directory::{DomainChanges, NewDomain, NewReseller, ResellerChanges};
pub use error::StoreError;
pub use portal_tabs::HiddenTab;
pub use queue_waiting::{QueueWaiting, WAITING_TTL_SECONDS};
pub use queues::{AgentChanges, Membership, NewQueue, QueueChanges, QueueSettings};
pub use recycle::{Cleared, Recycling};
pub use reports::{AgentSums, KEPT_SERVICE_LEVELS, QueueSlot, ReportRange, SLOT_SECONDS, SlotBins};
pub use settings::{RefTarget, Reference, SettingFilter, SettingKind, Unique};
pub use sip::{SipAccount, SipRegistration};
pub use sites::{NewSite, SiteChanges};
pub use two_factor::{SecondFactorProof, TwoFactorRecord};
pub use users::{ExtensionDirectory, NewUser, UserChanges, UserFilter, UserRecord};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;
pub use switchboard_policy::{Permit, Visibility};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How many database connections are open, idle, and allowed.
#[derive(Clone, Copy, Debug)]
pub struct PoolUse {
    pub open: u32,
    pub idle: usize,
    pub max: u32,
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer; serialising writes in-process avoids busy errors on upgrade.
    write_lock: Option<Arc<Mutex<()>>>,
    /// A SQLite file's own connection for bulk call ingestion (see `native`).
    native: Option<Arc<native::NativeSqlite>>,
    /// PostgreSQL's own connections for bulk call ingestion through `COPY` (see `pg_copy`).
    pg_copy: Option<Arc<pg_copy::PgCopy>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// One page of a keyset-paginated list.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The last id of this page when more may follow.
    pub next_after: Option<i64>,
}

/// Where a list starts and how long it is.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: u32,
}

impl Store {
    /// Connect by URL: `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL '{url}': use sqlite://FILE or postgres://…"
            )));
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_owned()
        };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await.map_err(|e| {
            StoreError::Config(format!("cannot open the database at {}: {e}", redact(&url)))
        })?;
        Ok(Store {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            native: native::NativeSqlite::for_url(&url).map(Arc::new),
            pg_copy: match backend {
                Backend::Postgres => Some(Arc::new(pg_copy::PgCopy::for_url(&url)?)),
                Backend::Sqlite => None,
            },
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Apply the migrations that have not run yet. On PostgreSQL sqlx holds an advisory lock,
    /// so several instances may start together.
    pub async fn migrate(&self) -> Result<usize> {
        let migrator = self.migrator();
        let before = self.applied_migrations().await.unwrap_or(0);
        // Several processes starting at once on one SQLite file race to apply the same
        // migration: the loser's transaction fails and rolls back, and applying again goes on
        // from what the winner did. (PostgreSQL's migrator holds a lock instead.)
        let mut attempts = 0;
        loop {
            match migrator.run(&self.pool).await {
                Ok(()) => break,
                Err(_) if self.backend == Backend::Sqlite && attempts < 50 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(StoreError::Config(format!("migration failed: {e}"))),
            }
        }
        Ok(self.applied_migrations().await?.saturating_sub(before))
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    async fn applied_migrations(&self) -> Result<usize> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Does the database answer, with every migration this build knows applied?
    pub async fn is_ready(&self) -> Result<bool> {
        let migrator = self.migrator();
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(usize::try_from(applied).unwrap_or(0) >= migrator.iter().count())
    }

    /// Is this database empty of users (a fresh installation)?
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    /// Close the database: the pool, then the native connections of a SQLite file, so the last
    /// one to close checkpoints the write-ahead log.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            // Everything into the main file now: the log's connections close on their own
            // threads, which may outlive the process's last moments.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await;
        }
        self.pool.close().await;
        if let Some(native) = &self.native {
            native.close();
        }
        if let Some(pg_copy) = &self.pg_copy {
            pg_copy.close().await;
        }
    }

    /// The connection pool's use right now, for the operator's metrics.
    pub fn pool_use(&self) -> PoolUse {
        PoolUse {
            open: self.pool.size(),
            idle: self.pool.num_idle(),
            max: self.pool.options().get_max_connections(),
        }
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Every row of a read, decoded: on a SQLite file by a read connection of `native` on a
    /// blocking thread (the result crosses threads once), elsewhere through sqlx.
    pub(crate) async fn fetch_decoded<T: Send + 'static>(
        &self,
        sql: sql::Sql,
        decode: sql::Decoder<T>,
    ) -> Result<Vec<T>> {
        match &self.native {
            Some(native) => {
                let native = native.clone();
                tokio::task::spawn_blocking(move || native.read(&sql, decode))
                    .await
                    .map_err(|e| StoreError::Internal(format!("a read stopped: {e}")))?
            }
            None => {
                let rows = sql.query().fetch_all(self.pool()).await?;
                Ok(rows
                    .iter()
                    .map(|row| decode(row))
                    .collect::<std::result::Result<_, _>>()?)
            }
        }
    }

    /// A write transaction; on SQLite it also holds the in-process writer lock.
    /// This process's turn to write (SQLite); `None` where the database takes writers at once.
    pub(crate) async fn write_guard(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        let guard = self.write_guard().await;
        // SQLite: take the write lock at the start (other processes wait, busy_timeout), so
        // what a transaction read before writing is still true when it writes.
        let tx = match self.write_lock {
            Some(_) => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            None => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// `(a contains needle OR b contains needle …)`, blind to case in every alphabet:
    /// PostgreSQL lowers both sides; SQLite, whose `lower()` knows only ASCII, matches a GLOB
    /// of both cases of each letter.
    pub(crate) fn push_contains(&self, sql: &mut sql::Sql, columns: &[&str], needle: &str) {
        sql.push("(");
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            match self.backend {
                Backend::Sqlite => {
                    sql.push(column)
                        .push(" GLOB ")
                        .bind(sql::contains_glob(needle));
                }
                Backend::Postgres => {
                    sql.push("lower(")
                        .push(column)
                        .push(") LIKE ")
                        .bind(sql::contains_pattern(needle))
                        .push(" ESCAPE '\\'");
                }
            }
        }
        sql.push(")");
    }

    /// Run raw SQL (used by tests to inject faults, and by benchmarks).
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        self.pool.execute(sql).await?;
        Ok(())
    }
}

pub(crate) struct WriteTx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Check that a permit is for what the method does; a mismatch is a programming error.
pub(crate) fn expect_permit(
    permit: &Permit,
    resource: switchboard_policy::Resource,
    action: switchboard_policy::Action,
) -> Result<()> {
    if permit.resource() == resource && permit.action() == action {
        Ok(())
    } else {
        Err(StoreError::Internal(format!(
            "a permit for {:?}/{:?} was used for {resource:?}/{action:?}",
            permit.resource(),
            permit.action()
        )))
    }
}

pub(crate) fn expect_visibility(
    visibility: &Visibility,
    resource: switchboard_policy::Resource,
) -> Result<()> {
    if visibility.resource() == resource {
        Ok(())
    } else {
        Err(StoreError::Internal(format!(
            "a visibility for {:?} was used to list {resource:?}",
            visibility.resource()
        )))
    }
}
