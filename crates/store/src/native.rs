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

use crate::call_parties::PARTY_TABLES;
use crate::sql::{Columns, Decoder, Sql};
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
    /// Set by `close`: no connection is opened after it.
    closed: std::sync::atomic::AtomicBool,
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
            closed: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Close every connection this opened (a closed store reopens none: see `Store::close`).
    /// SQLite checkpoints its write-ahead log and removes it when the last connection closes.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        for slot in std::iter::once(&self.conn).chain(self.readers.iter()) {
            if let Ok(mut conn) = slot.lock() {
                conn.take();
            }
        }
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
            let mut parties = PARTY_TABLES
                .iter()
                .map(|t| {
                    let sql = format!(
                        "INSERT INTO {} ({}) VALUES (?, ?, ?, ?, ?, ?)",
                        t.name,
                        t.columns()
                    );
                    Ok((t, tx.prepare_cached(&sql)?))
                })
                .collect::<Result<Vec<_>>>()?;
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
                for (table, statement) in &mut parties {
                    for party in (table.parties)(call) {
                        // In `party_row`'s order, bound as they are: no values made per row.
                        statement.execute((
                            pk,
                            domain.get(),
                            party,
                            call.started_at.0,
                            call.direction.as_str(),
                            call.disposition.as_str(),
                        ))?;
                    }
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
        if self.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Config("the database is closed".into()));
        }
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

/// Statements run on a rusqlite connection: bulk ingestion and whole-result reads on a SQLite
/// file. The same `Sql` text as through sqlx; placeholders number in the order they appear, so
/// the values bind by position.
impl Sql {
    /// Run this statement on a rusqlite connection (bulk ingestion on SQLite: `native`).
    /// Placeholders number in the order they appear, so the values bind by position.
    pub fn execute_native(&self, conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
        let mut stmt = conn.prepare_cached(&self.text)?;
        for (i, value) in self.args.iter().enumerate() {
            bind(&mut stmt, i + 1, value)?;
        }
        stmt.raw_execute()
    }

    /// Run this query on a rusqlite connection and decode every row it returns.
    pub fn fetch_native<T>(
        &self,
        conn: &rusqlite::Connection,
        decode: Decoder<T>,
    ) -> crate::Result<Vec<T>> {
        let mut stmt = conn.prepare_cached(&self.text)?;
        for (i, value) in self.args.iter().enumerate() {
            bind(&mut stmt, i + 1, value)?;
        }
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode(&NativeRow { row, names: &names })?);
        }
        Ok(out)
    }
}

/// A rusqlite row with its statement's column names, read once per query: rusqlite finds a
/// column by name by asking SQLite for every column's name on every call (a fifth of a page).
pub(crate) struct NativeRow<'a> {
    row: &'a rusqlite::Row<'a>,
    names: &'a [String],
}

impl NativeRow<'_> {
    fn value<T: rusqlite::types::FromSql>(&self, col: &str) -> Result<Option<T>, sqlx::Error> {
        let index = self
            .names
            .iter()
            .position(|name| name.eq_ignore_ascii_case(col))
            .ok_or_else(|| sqlx::Error::ColumnNotFound(col.to_owned()))?;
        self.row
            .get::<_, Option<T>>(index)
            .map_err(|e| sqlx::Error::Decode(format!("column {col}: {e}").into()))
    }
}

impl Columns for NativeRow<'_> {
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        self.value(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        self.value(col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{get_i64, get_opt_i64, get_text};

    #[test]
    fn native_rows_are_read_by_name_with_nulls_and_missing_columns_told_apart() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut sql = Sql::new("SELECT ");
        sql.bind(7)
            .push(" AS Id, NULL AS site_id, ")
            .bind("Ann")
            .push(" AS name");
        let rows = sql
            .fetch_native(&conn, |row| {
                Ok((
                    get_i64(row, "id")?,
                    get_opt_i64(row, "site_id")?,
                    get_text(row, "NAME")?,
                    get_i64(row, "site_id").is_err(),
                    matches!(get_text(row, "nope"), Err(sqlx::Error::ColumnNotFound(_))),
                ))
            })
            .unwrap();
        assert_eq!(rows, vec![(7, None, "Ann".to_owned(), true, true)]);
    }
}
