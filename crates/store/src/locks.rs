//! Named locks across processes, in the database: for work that must run once even when
//! several instances start at once (loading the demo installation). A holder that died is
//! replaced when its lease runs out.

use crate::sql::get_text;
use crate::{Permit, Result, Store, expect_permit};
use switchboard_domain::Timestamp;
use switchboard_policy::{Action, Resource};

impl Store {
    /// Take the lock `name` for `holder` for `lease_seconds`, unless someone else holds it.
    pub async fn try_lock(
        &self,
        permit: &Permit,
        name: &str,
        holder: &str,
        lease_seconds: i64,
    ) -> Result<bool> {
        expect_permit(permit, Resource::Domains, Action::Create)?;
        let now = Timestamp::now().0;
        let _turn = self.write_guard().await;
        let row = sqlx::query(
            "INSERT INTO installation_locks (name, holder, until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
             WHERE installation_locks.until < $4 RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now + lease_seconds)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| get_text(&r, "holder")).transpose()?.as_deref() == Some(holder))
    }

    /// Give the lock back (only its holder can).
    pub async fn unlock(&self, permit: &Permit, name: &str, holder: &str) -> Result<()> {
        expect_permit(permit, Resource::Domains, Action::Create)?;
        let _turn = self.write_guard().await;
        sqlx::query("DELETE FROM installation_locks WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
