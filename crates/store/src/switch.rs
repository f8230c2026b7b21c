//! What the switch connectors remember between the questions of one call, kept here so that
//! every instance of Switchboard answers a switch alike: the plan each call in progress was
//! given, calls offered to each round-robin queue, and since when each agent has been idle.
//! Plans are opaque to the store (each connector keeps its own, as JSON).

use crate::sql::{Sql, Value, get_i64, get_text};
use crate::{Permit, Result, Store, Visibility, expect_permit, expect_visibility};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

static KEPT: AtomicU64 = AtomicU64::new(0);

/// Plans older than this are of calls long over whose record never came; they are dropped.
const PLAN_TTL_SECONDS: i64 = 6 * 3600;

impl Store {
    /// Keep the plans calls were given (replacing earlier ones of the same calls), many in one
    /// statement: at a hundred calls a second, one insert every few tens of milliseconds
    /// rather than a hundred.
    pub async fn keep_switch_plans(
        &self,
        permit: &Permit,
        plans: &[(String, String)],
    ) -> Result<()> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        // One row per call (PostgreSQL refuses to update a row twice in one statement): the last.
        let mut latest: HashMap<&str, &str> = HashMap::new();
        for (call_id, plan) in plans {
            latest.insert(call_id, plan);
        }
        if latest.is_empty() {
            return Ok(());
        }
        let now = Timestamp::now().0;
        let mut sql = Sql::new("INSERT INTO switch_calls (call_id, plan, decided_at)");
        sql.push_values(
            self.backend(),
            latest.iter().map(|(call_id, plan)| {
                [Value::from(*call_id), Value::from(*plan), Value::from(now)]
            }),
        );
        sql.push(
            " ON CONFLICT (call_id) DO UPDATE SET plan = excluded.plan, decided_at = excluded.decided_at",
        );
        let _turn = self.write_guard().await;
        sql.query().execute(self.pool()).await?;
        // Now and then, the plans of calls whose record never came.
        if KEPT.fetch_add(1, Ordering::Relaxed).is_multiple_of(64) {
            sqlx::query("DELETE FROM switch_calls WHERE decided_at < $1")
                .bind(now - PLAN_TTL_SECONDS)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// The plan a call in progress was given.
    pub async fn switch_plan(&self, permit: &Permit, call_id: &str) -> Result<Option<String>> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        let row = sqlx::query("SELECT plan FROM switch_calls WHERE call_id = $1")
            .bind(call_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| get_text(&r, "plan")).transpose()?)
    }

    /// The plan of a call that ended, forgotten as it is read.
    pub async fn take_switch_plan(&self, permit: &Permit, call_id: &str) -> Result<Option<String>> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        let _turn = self.write_guard().await;
        let row = sqlx::query("DELETE FROM switch_calls WHERE call_id = $1 RETURNING plan")
            .bind(call_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| get_text(&r, "plan")).transpose()?)
    }

    /// Count a call offered to a queue that rings its agents in turn: answers how many were
    /// offered before it. One statement, so simultaneous calls on any instance each get their
    /// own turn.
    pub async fn offer_queue_turn(&self, permit: &Permit, queue: QueueId) -> Result<u64> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO queue_turns (queue_id, offered) VALUES ($1, 1) \
             ON CONFLICT (queue_id) DO UPDATE SET offered = queue_turns.offered + 1 \
             RETURNING offered",
        )
        .bind(queue.get())
        .fetch_one(&mut *w.tx)
        .await?;
        w.commit().await?;
        Ok(u64::try_from(get_i64(&row, "offered")? - 1).unwrap_or(0))
    }

    /// When each of these users last finished an answered call, from call history (whichever
    /// way it arrived); users with none are absent. One index walk per user.
    pub async fn idle_since(
        &self,
        vis: &Visibility,
        domain: DomainId,
        users: &[UserId],
    ) -> Result<HashMap<UserId, Timestamp>> {
        expect_visibility(vis, Resource::CallHistory)?;
        let mut idle = HashMap::new();
        for user in users {
            let mut sql = Sql::new(
                "SELECT calls.ended_at AS ended_at FROM call_users \
                 JOIN calls ON calls.id = call_users.call_pk WHERE call_users.domain_id = ",
            );
            sql.bind(domain.get())
                .push(" AND call_users.user_id = ")
                .bind(user.get())
                .push(" AND calls.disposition = 'answered' ORDER BY call_users.started_at DESC LIMIT 1");
            if let Some(row) = sql.query().fetch_optional(self.pool()).await? {
                idle.insert(*user, Timestamp(get_i64(&row, "ended_at")?));
            }
        }
        Ok(idle)
    }
}
