//! Bulk call ingestion on PostgreSQL through `COPY`. Multi-row `INSERT`s through sqlx's `Any`
//! driver bind sixteen values per call, each converted twice and parsed by the server as one
//! long statement; `COPY … FROM STDIN` streams the rows as text instead, straight into `calls`
//! and its party tables (the calls through a temporary table when the domain has some of them).
//! The report sums and the audit record follow in the same transaction, as on every other path.
//!
//! This keeps its own small pool of PostgreSQL connections (opened on first use): `COPY` is a
//! PostgreSQL statement the `Any` driver does not offer.

use crate::call_parties::PARTY_TABLES;
use crate::calls::{CALL_COLUMNS, call_values};
use crate::sql::{Sql, Value};
use crate::{NewCall, Result, StoreError};
use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::time::Duration;
use switchboard_domain::DomainId;

pub(crate) struct PgCopy {
    pool: PgPool,
}

impl PgCopy {
    /// A pool for a `postgres:` URL, connecting on first use.
    pub(crate) fn for_url(url: &str) -> Result<PgCopy> {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy(url)
            .map_err(|e| StoreError::Config(format!("bulk ingestion cannot connect: {e}")))?;
        Ok(PgCopy { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    /// Store `calls` (distinct call ids, parties sorted and distinct) in one transaction with
    /// what `finish` adds for the new ones; answers which of `calls` were new.
    ///
    /// The calls go straight into their tables by `COPY`, keys drawn from the sequence first,
    /// as if all were new. A call the domain has (a file imported again, a record another writer
    /// stores meanwhile, a deadlock with one) breaks that, on its unique key: then the batch goes
    /// in again through a temporary table that skips what is there (`ON CONFLICT DO NOTHING`).
    /// Asking first which calls are there cost more than the whole `COPY`: PostgreSQL kept a
    /// plan made when `calls` was empty and read the table for each batch.
    pub(crate) async fn ingest(
        &self,
        domain: DomainId,
        calls: &[NewCall],
        finish: impl Fn(&[&NewCall]) -> Vec<Sql>,
    ) -> Result<Vec<bool>> {
        match self.copy_straight(domain, calls, &finish).await {
            Err(e) if is_write_conflict(&e) => {}
            other => return Ok(other?),
        }
        let mut tries = 0;
        loop {
            match self.copy_through_temporary(domain, calls, &finish).await {
                Err(e) if is_write_conflict(&e) && tries < 3 => tries += 1,
                other => return Ok(other?),
            }
        }
    }

    /// Every call as new, by `COPY` into `calls` and its party tables, in time order; each
    /// index then grows at its end.
    async fn copy_straight(
        &self,
        domain: DomainId,
        calls: &[NewCall],
        finish: &impl Fn(&[&NewCall]) -> Vec<Sql>,
    ) -> std::result::Result<Vec<bool>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut fresh: Vec<&NewCall> = calls.iter().collect();
        fresh.sort_unstable_by(|a, b| {
            (a.started_at.0, &a.call_id).cmp(&(b.started_at.0, &b.call_id))
        });
        if !fresh.is_empty() {
            // The sequence is looked up once: per row, the lookup cost eight times the draw.
            // One array, not a row per key: sqlx hands each of 20,000 rows over on its own.
            let mut keys: Vec<i64> = sqlx::query_scalar(
                "WITH seq AS MATERIALIZED \
                 (SELECT pg_get_serial_sequence('calls', 'id')::regclass AS s) \
                 SELECT array_agg(nextval(s)) FROM seq, generate_series(1, $1)",
            )
            .bind(fresh.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
            keys.sort_unstable();
            let keyed: Vec<(i64, &NewCall)> = keys.into_iter().zip(fresh.iter().copied()).collect();
            let into = format!("calls (id, {})", CALL_COLUMNS.join(", "));
            copy_in(&mut tx, &into, &keyed, |out, &(key, call)| {
                push_copy_value(out, &Value::I64(key));
                out.push(b'\t');
                push_copy_line(out, &call_values(domain, call));
            })
            .await?;
            copy_parties(&mut tx, domain, &keyed).await?;
        }
        finish_and_commit(tx, finish, &fresh).await?;
        Ok(vec![true; calls.len()])
    }

    /// The batch through a temporary table of its transaction: one statement moves the new
    /// calls into `calls`, each call once (`ON CONFLICT DO NOTHING`, which waits for a writer
    /// storing the same call), and answers their keys; their parties follow by `COPY`.
    async fn copy_through_temporary(
        &self,
        domain: DomainId,
        calls: &[NewCall],
        finish: &impl Fn(&[&NewCall]) -> Vec<Sql>,
    ) -> std::result::Result<Vec<bool>, sqlx::Error> {
        let columns = CALL_COLUMNS.join(", ");
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "CREATE TEMPORARY TABLE calls_incoming ON COMMIT DROP AS \
             SELECT {columns} FROM calls WITH NO DATA"
        ))
        .execute(&mut *tx)
        .await?;
        copy_in(
            &mut tx,
            &format!("calls_incoming ({columns})"),
            calls,
            |out, call| push_copy_line(out, &call_values(domain, call)),
        )
        .await?;
        let moved: HashMap<String, i64> = sqlx::query_as(&format!(
            "INSERT INTO calls ({columns}) \
             SELECT {columns} FROM calls_incoming ORDER BY started_at, call_id \
             ON CONFLICT (domain_id, call_id) DO NOTHING RETURNING call_id, id"
        ))
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let keyed: Vec<(i64, &NewCall)> = calls
            .iter()
            .filter_map(|c| Some((*moved.get(&c.call_id)?, c)))
            .collect();
        copy_parties(&mut tx, domain, &keyed).await?;
        let fresh: Vec<&NewCall> = keyed.iter().map(|&(_, c)| c).collect();
        finish_and_commit(tx, finish, &fresh).await?;
        Ok(calls
            .iter()
            .map(|c| moved.contains_key(&c.call_id))
            .collect())
    }
}

/// What `finish` adds for the new calls (report sums, audit), then the commit: both ways end so.
async fn finish_and_commit(
    mut tx: sqlx::Transaction<'static, Postgres>,
    finish: &impl Fn(&[&NewCall]) -> Vec<Sql>,
    fresh: &[&NewCall],
) -> std::result::Result<(), sqlx::Error> {
    for sql in finish(fresh) {
        sql.query_for::<Postgres>().execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// Bytes of `COPY` text sent at a time. The server reads one chunk while the next is written,
/// and no buffer the size of a batch is made: a fresh one per batch cost a page fault per 4 KiB.
const COPY_CHUNK: usize = 256 * 1024;

/// `COPY into FROM STDIN` of the rows, each written as a text-format line by `line`, if there
/// are any.
async fn copy_in<R>(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    into: &str,
    rows: impl IntoIterator<Item = R>,
    mut line: impl FnMut(&mut Vec<u8>, R),
) -> std::result::Result<(), sqlx::Error> {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let mut copy = tx
        .copy_in_raw(&format!("COPY {into} FROM STDIN (FORMAT text)"))
        .await?;
    let mut chunk = Vec::with_capacity(COPY_CHUNK + 4096);
    for row in rows {
        line(&mut chunk, row);
        if chunk.len() >= COPY_CHUNK {
            copy.send(chunk.as_slice()).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        copy.send(chunk.as_slice()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// The party rows of calls stored under these keys, a `COPY` per party table.
async fn copy_parties(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    domain: DomainId,
    keyed: &[(i64, &NewCall)],
) -> std::result::Result<(), sqlx::Error> {
    for table in &PARTY_TABLES {
        let into = format!("{} ({})", table.name, table.columns());
        copy_in(tx, &into, table.rows(domain, keyed), |out, row| {
            push_copy_line(out, &row)
        })
        .await?;
    }
    Ok(())
}

/// A unique key taken by another writer since the batch looked (23505), or a deadlock with one
/// (40P01): the batch is worth another try the careful way.
fn is_write_conflict(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("23505" | "40P01")))
}

/// One row as a `COPY` text line: tab between columns, `\N` for none.
fn push_copy_line(out: &mut Vec<u8>, values: &[Value]) {
    for (n, value) in values.iter().enumerate() {
        if n > 0 {
            out.push(b'\t');
        }
        push_copy_value(out, value);
    }
    out.push(b'\n');
}

fn push_copy_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::I64(v) => out.extend_from_slice(itoa::Buffer::new().format(*v).as_bytes()),
        Value::NullI64 | Value::NullText => out.extend_from_slice(b"\\N"),
        Value::Text(text) => {
            for byte in text.bytes() {
                match byte {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    other => out.push(other),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped_as_copy_reads_them() {
        let mut out = Vec::new();
        for v in [
            Value::Text("a\\b\tc\nd\re".into()),
            Value::NullText,
            Value::I64(-7),
        ] {
            push_copy_value(&mut out, &v);
            out.push(b'|');
        }
        assert_eq!(out, b"a\\\\b\\tc\\nd\\re|\\N|-7|".to_vec());
    }
}
