//! Bulk call ingestion on SQLite through the C library directly (rusqlite, on the same
//! `libsqlite3-sys` that sqlx links). sqlx runs SQLite on a worker thread and hands every
//! statement and every returned row across a channel; for a million calls that hand-off and the
//! `Any` layer's value conversions cost as much as SQLite's own work. Here one blocking thread
//! binds each call straight into a prepared statement and reads its key back.
//!
//! Only ingestion writes here, under the store's write lock, so sqlx's connections and this one
//! never write at the same time; every other write stays on sqlx. A database in memory has no
//! second connection, so it keeps the sqlx path.
//!
//! The pages people list most (users, call history) are read here too, on connections of their
//! own that only read: the whole result crosses to the async side once, where sqlx hands every
//! row over on its own (under 64 connections that hand-off was most of a page's time).

use crate::sql::{Decoder, Sql};
use crate::{NewCall, Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use switchboard_domain::DomainId;

pub(crate) struct NativeSqlite {
    path: PathBuf,
    /// Opened on first use and kept, with its prepared statements.
    conn: Mutex<Option<Connection>>,
    /// Read-only connections, opened on first use; a read takes the first one free.
    readers: [Mutex<Option<Connection>>; READERS],
    next_reader: AtomicUsize,
}

/// As many readers as the blocking threads that commonly run reads at once on a small machine.
const READERS: usize = 4;

impl NativeSqlite {
    /// The database file of a `sqlite:` URL; `None` for one in memory.
    pub(crate) fn for_url(url: &str) -> Option<NativeSqlite> {
        let rest = url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() || path.starts_with(":memory:") || url.contains("mode=memory") {
            return None;
        }
        Some(NativeSqlite {
            path: PathBuf::from(path),
            conn: Mutex::new(None),
            readers: Default::default(),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Store the calls that are not stored yet, with their parties, then run the statements
    /// `finish` makes from the ones that were new (report sums, audit), all in one transaction.
    /// Returns which of `calls` were new. Each call's parties come distinct (`Store::ingest_calls`).
    pub(crate) fn ingest(
        &self,
        domain: DomainId,
        calls: &[NewCall],
        finish: impl FnOnce(&[&NewCall]) -> Vec<Sql>,
    ) -> Result<Vec<bool>> {
        let mut slot = self
            .conn
            .lock()
            .map_err(|_| StoreError::Internal("the SQLite bulk connection was poisoned".into()))?;
        let conn = match slot.as_mut() {
            Some(conn) => conn,
            None => slot.insert(self.open()?),
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut fresh = vec![false; calls.len()];
        {
            let mut insert = tx.prepare_cached(&format!(
                "INSERT INTO calls ({}) VALUES ({}) ON CONFLICT (domain_id, call_id) DO NOTHING",
                crate::calls::CALL_COLUMNS.join(", "),
                vec!["?"; crate::calls::CALL_COLUMNS.len()].join(", ")
            ))?;
            let mut users = tx.prepare_cached(
                "INSERT INTO call_users (call_pk, domain_id, user_id, started_at) VALUES (?, ?, ?, ?)",
            )?;
            let mut sites = tx.prepare_cached(
                "INSERT INTO call_sites (call_pk, domain_id, site_id, started_at) VALUES (?, ?, ?, ?)",
            )?;
            for (n, call) in calls.iter().enumerate() {
                let values = crate::calls::call_values(domain, call);
                for (i, value) in values.iter().enumerate() {
                    bind(&mut insert, i + 1, value)?;
                }
                if insert.raw_execute()? == 0 {
                    continue; // stored before: its parties are too
                }
                fresh[n] = true;
                let pk = tx.last_insert_rowid();
                let started = call.started_at.0;
                for user in &call.user_ids {
                    users.execute((pk, domain.get(), user.get(), started))?;
                }
                for site in &call.site_ids {
                    sites.execute((pk, domain.get(), site.get(), started))?;
                }
            }
        }
        let new: Vec<&NewCall> = calls
            .iter()
            .zip(&fresh)
            .filter_map(|(c, &f)| f.then_some(c))
            .collect();
        for sql in finish(&new) {
            sql.execute_native(&tx)?;
        }
        tx.commit()?;
        Ok(fresh)
    }

    /// Run a read on a connection that only reads, and decode its rows (on the calling thread:
    /// call it from a blocking one).
    pub(crate) fn read<T>(&self, sql: &Sql, decode: Decoder<T>) -> Result<Vec<T>> {
        let free = self.readers.iter().find_map(|r| r.try_lock().ok());
        let mut slot = match free {
            Some(slot) => slot,
            None => {
                let n = self.next_reader.fetch_add(1, Ordering::Relaxed) % READERS;
                self.readers[n].lock().map_err(|_| {
                    StoreError::Internal("a SQLite read connection was poisoned".into())
                })?
            }
        };
        let conn = match slot.as_mut() {
            Some(conn) => conn,
            None => {
                let conn = self.open()?;
                conn.execute_batch("PRAGMA query_only = ON;")?;
                slot.insert(conn)
            }
        };
        sql.fetch_native(conn, decode)
    }

    fn open(&self) -> Result<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }
}

pub(crate) fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    index: usize,
    value: &crate::sql::Value,
) -> rusqlite::Result<()> {
    use crate::sql::Value;
    match value {
        Value::I64(v) => stmt.raw_bind_parameter(index, v),
        Value::Text(v) => stmt.raw_bind_parameter(index, v.as_str()),
        Value::NullI64 | Value::NullText => stmt.raw_bind_parameter(index, rusqlite::types::Null),
    }
}
