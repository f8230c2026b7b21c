//! Bulk call ingestion on PostgreSQL through `COPY`. Multi-row `INSERT`s through sqlx's `Any`
//! driver bind sixteen values per call, each converted twice and parsed by the server as one
//! long statement; `COPY … FROM STDIN` streams the rows as text instead. A batch goes into a
//! temporary table of its transaction, then one statement moves the new calls into `calls` and
//! their parties into `call_users` and `call_sites` (each call once: `ON CONFLICT DO NOTHING`),
//! and answers which calls were new. The report sums and the audit record follow in the same
//! transaction, as on every other path.
//!
//! This keeps its own small pool of PostgreSQL connections (opened on first use): `COPY` is a
//! PostgreSQL statement the `Any` driver does not offer.

use crate::calls::{CALL_COLUMNS, call_values};
use crate::sql::{Sql, Value};
use crate::{NewCall, Result, StoreError};
use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::HashSet;
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
    pub(crate) async fn ingest(
        &self,
        domain: DomainId,
        calls: &[NewCall],
        finish: impl FnOnce(&[&NewCall]) -> Vec<Sql>,
    ) -> Result<Vec<bool>> {
        let columns = CALL_COLUMNS.join(", ");
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "CREATE TEMPORARY TABLE calls_incoming ON COMMIT DROP AS \
             SELECT {columns} FROM calls WITH NO DATA"
        ))
        .execute(&mut *tx)
        .await?;
        let mut copy = tx
            .copy_in_raw(&format!(
                "COPY calls_incoming ({columns}) FROM STDIN (FORMAT text)"
            ))
            .await?;
        copy.send(copy_text(domain, calls)).await?;
        copy.finish().await?;
        // Data-modifying CTEs all run, each once; the parties come from the new rows' keys.
        let parties = |table: &str, column: &str, list: &str| {
            format!(
                "{table}_new AS (INSERT INTO {table} \
                 (call_pk, domain_id, {column}, started_at, direction, disposition) \
                 SELECT n.id, n.domain_id, CAST(p AS BIGINT), n.started_at, n.direction, n.disposition \
                 FROM new_calls n, unnest(string_to_array(n.{list}, ',')) AS p WHERE p <> '')"
            )
        };
        let moved: Vec<String> = sqlx::query_scalar(&format!(
            "WITH new_calls AS (INSERT INTO calls ({columns}) \
             SELECT {columns} FROM calls_incoming ORDER BY started_at, call_id \
             ON CONFLICT (domain_id, call_id) DO NOTHING \
             RETURNING id, domain_id, call_id, started_at, direction, disposition, user_ids, site_ids), \
             {}, {} SELECT call_id FROM new_calls",
            parties("call_users", "user_id", "user_ids"),
            parties("call_sites", "site_id", "site_ids"),
        ))
        .fetch_all(&mut *tx)
        .await?;
        let moved: HashSet<String> = moved.into_iter().collect();
        let fresh: Vec<&NewCall> = calls
            .iter()
            .filter(|c| moved.contains(&c.call_id))
            .collect();
        for sql in finish(&fresh) {
            sql.query_for::<Postgres>().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(calls.iter().map(|c| moved.contains(&c.call_id)).collect())
    }
}

/// The calls as `COPY`'s text format: a line per call, tab between columns, `\N` for none.
fn copy_text(domain: DomainId, calls: &[NewCall]) -> Vec<u8> {
    let mut out = Vec::with_capacity(calls.len() * 160);
    for call in calls {
        for (n, value) in call_values(domain, call).iter().enumerate() {
            if n > 0 {
                out.push(b'\t');
            }
            push_copy_value(&mut out, value);
        }
        out.push(b'\n');
    }
    out
}

fn push_copy_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::I64(v) => out.extend_from_slice(v.to_string().as_bytes()),
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
