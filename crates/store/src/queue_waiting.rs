//! Callers waiting in a queue right now, as the switch connectors hear of them: a call joins a
//! queue, and leaves it when answered, when it gives up or times out, or when it ends. The
//! wallboards read how many wait in each queue and since when the longest has.

use crate::sql::{Sql, get_i64};
use crate::{Permit, Result, Store, Visibility, expect_permit, expect_visibility};
use std::collections::HashMap;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// A caller said to wait longer than this was left behind by a switch that never said it left
/// (a restart, a lost event): it is not counted, and is forgotten at the next join.
pub const WAITING_TTL_SECONDS: i64 = 4 * 3600;

/// The callers waiting in one queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueWaiting {
    pub waiting: u32,
    /// Since when the caller waiting longest has.
    pub longest_since: Option<Timestamp>,
}

impl Store {
    /// A caller began to wait in a queue (again, if it moved to another: it waits there since
    /// `at`; in the same queue it keeps its first time).
    pub async fn caller_waiting(
        &self,
        permit: &Permit,
        call_id: &str,
        domain: DomainId,
        queue: QueueId,
        at: Timestamp,
    ) -> Result<()> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO queue_calls_waiting (call_id, domain_id, queue_id, joined_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (call_id) DO UPDATE SET \
             joined_at = CASE WHEN queue_calls_waiting.queue_id = excluded.queue_id \
                 THEN queue_calls_waiting.joined_at ELSE excluded.joined_at END, \
             queue_id = excluded.queue_id, domain_id = excluded.domain_id",
        )
        .bind(call_id)
        .bind(domain.get())
        .bind(queue.get())
        .bind(at.0)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("DELETE FROM queue_calls_waiting WHERE joined_at < $1")
            .bind(at.0 - WAITING_TTL_SECONDS)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// A caller stopped waiting (answered, gave up, timed out, hung up): answers whether it
    /// was waiting.
    pub async fn caller_left(&self, permit: &Permit, call_id: &str) -> Result<bool> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        let mut w = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM queue_calls_waiting WHERE call_id = $1")
            .bind(call_id)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        w.commit().await?;
        Ok(gone > 0)
    }

    /// How many callers wait in each of these queues of a domain (the queues the reader may
    /// read: the caller names them), and since when the longest has; a queue nobody waits in
    /// is absent.
    pub async fn callers_waiting(
        &self,
        vis: &Visibility,
        domain: DomainId,
        queues: &[QueueId],
        now: Timestamp,
    ) -> Result<HashMap<QueueId, QueueWaiting>> {
        expect_visibility(vis, Resource::CallQueues)?;
        let mut waiting = HashMap::new();
        if queues.is_empty() {
            return Ok(waiting);
        }
        let mut sql = Sql::new(
            "SELECT queue_id, COUNT(*) AS waiting, MIN(joined_at) AS longest_since \
             FROM queue_calls_waiting WHERE domain_id = ",
        );
        sql.bind(domain.get())
            .push(" AND joined_at >= ")
            .bind(now.0 - WAITING_TTL_SECONDS)
            .push(" AND queue_id IN ")
            .bind_list(queues.iter().map(|q| q.get()))
            .push(" GROUP BY queue_id");
        for row in sql.query().fetch_all(self.pool()).await? {
            waiting.insert(
                QueueId(get_i64(&row, "queue_id")?),
                QueueWaiting {
                    waiting: u32::try_from(get_i64(&row, "waiting")?).unwrap_or(u32::MAX),
                    longest_since: Some(Timestamp(get_i64(&row, "longest_since")?)),
                },
            );
        }
        Ok(waiting)
    }
}
