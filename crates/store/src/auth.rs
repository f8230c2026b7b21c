//! Sessions, API keys and login throttling. Secrets are stored only as SHA-256 hashes.

use crate::audit::{AuditPlace, record};
use crate::directory::to_json;
use crate::sql::{
    Columns, Scoping, Sql, get_i64, get_opt_i64, get_opt_text, get_text, into_page, parsed,
    push_page, push_predicate,
};
use crate::users::UserRecord;
use crate::{
    AuditContext, Page, PageRequest, Permit, Result, Store, Visibility, expect_permit,
    expect_visibility,
};
use sqlx::any::AnyRow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

#[derive(Clone, Debug)]
pub struct NewSession {
    pub user_id: UserId,
    pub domain_id: DomainId,
    pub impersonator_id: Option<UserId>,
    pub access_hash: String,
    pub refresh_hash: String,
    pub access_expires_at: Timestamp,
    pub refresh_expires_at: Timestamp,
    pub reauthenticated_at: Option<Timestamp>,
    pub client_addr: Option<String>,
}

/// A session as authentication needs it.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub session: Session,
    pub reauthenticated_at: Option<Timestamp>,
}

fn session(row: &AnyRow) -> Result<SessionRecord, sqlx::Error> {
    session_with_prefix(row, "")
}

/// A session from a row whose session columns carry `prefix` (for joins with other tables).
fn session_with_prefix(
    row: &(impl Columns + ?Sized),
    prefix: &str,
) -> Result<SessionRecord, sqlx::Error> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(SessionRecord {
        session: Session {
            id: SessionId(get_i64(row, &col("id"))?),
            user_id: UserId(get_i64(row, &col("user_id"))?),
            impersonator_id: get_opt_i64(row, &col("impersonator_id"))?.map(UserId),
            created_at: Timestamp(get_i64(row, &col("created_at"))?),
            access_expires_at: Timestamp(get_i64(row, &col("access_expires_at"))?),
            refresh_expires_at: Timestamp(get_i64(row, &col("refresh_expires_at"))?),
            client_addr: get_opt_text(row, &col("client_addr"))?,
        },
        reauthenticated_at: get_opt_i64(row, &col("reauthenticated_at"))?.map(Timestamp),
    })
}

const SESSION_SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = sessions.domain_id)"),
    domain: Some("domain_id"),
    owner: Some("user_id = {}"),
    ..Scoping::NONE
};

#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub user_id: UserId,
    pub domain_id: DomainId,
    pub name: Label,
    pub scope: Scope,
    pub read_only: bool,
    pub prefix: String,
    pub secret_hash: String,
    pub expires_at: Option<Timestamp>,
}

fn api_key(row: &AnyRow) -> Result<ApiKey, sqlx::Error> {
    let scope_text = get_text(row, "scope")?;
    Ok(ApiKey {
        id: ApiKeyId(get_i64(row, "id")?),
        user_id: UserId(get_i64(row, "user_id")?),
        domain_id: DomainId(get_i64(row, "domain_id")?),
        name: parsed("name", Label::parse(&get_text(row, "name")?))?,
        scope: parsed("scope", Scope::parse(&scope_text).ok_or("unknown scope"))?,
        read_only: get_i64(row, "read_only")? != 0,
        prefix: get_text(row, "prefix")?,
        expires_at: get_opt_i64(row, "expires_at")?.map(Timestamp),
        last_used_at: get_opt_i64(row, "last_used_at")?.map(Timestamp),
        created_at: Timestamp(get_i64(row, "created_at")?),
    })
}

const KEY_SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = api_keys.domain_id)"),
    domain: Some("domain_id"),
    site: Some("user_id IN (SELECT u.id FROM users u WHERE u.site_id = {})"),
    owner: Some("user_id = {}"),
    ..Scoping::NONE
};

fn session_place(user: &UserRecord) -> AuditPlace {
    AuditPlace {
        reseller: Some(user.reseller_id),
        domain: Some(user.user.domain_id),
        site: user.user.site_id,
    }
}

impl Store {
    // ----- sessions -----

    /// Open a session (a login, or an impersonation when `impersonator_id` is set).
    pub async fn create_session(
        &self,
        ctx: &AuditContext,
        user: &UserRecord,
        new: NewSession,
    ) -> Result<SessionId> {
        let mut w = self.begin_write().await?;
        let mut sql = Sql::new(
            "INSERT INTO sessions (user_id, domain_id, impersonator_id, access_hash, refresh_hash, \
             access_expires_at, refresh_expires_at, reauthenticated_at, client_addr, created_at) VALUES (",
        );
        sql.bind(new.user_id.get())
            .push(", ")
            .bind(new.domain_id.get())
            .push(", ");
        sql.bind(new.impersonator_id.map(|u| u.get()))
            .push(", ")
            .bind(new.access_hash)
            .push(", ");
        sql.bind(new.refresh_hash)
            .push(", ")
            .bind(new.access_expires_at.0)
            .push(", ");
        sql.bind(new.refresh_expires_at.0)
            .push(", ")
            .bind(new.reauthenticated_at.map(|t| t.0))
            .push(", ");
        sql.bind(new.client_addr)
            .push(", ")
            .bind(Timestamp::now().0)
            .push(") RETURNING id");
        let id = SessionId(get_i64(&sql.query().fetch_one(&mut *w.tx).await?, "id")?);
        let action = if new.impersonator_id.is_some() {
            "session.impersonate"
        } else {
            "session.login"
        };
        record(
            &mut w.tx,
            ctx,
            session_place(user),
            action,
            &format!("user {}", user.user.extension),
            None,
            None,
        )
        .await?;
        w.commit().await?;
        Ok(id)
    }

    pub async fn session_by_access_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE access_hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(session).transpose()?)
    }

    /// A session with its user and the user's domain, in one query: what every authenticated
    /// request needs (read as a whole on a SQLite file, see `Store::fetch_decoded`).
    pub async fn session_for_access(
        &self,
        hash: &str,
    ) -> Result<Option<(SessionRecord, UserRecord, Domain)>> {
        let mut sql = Sql::new(&format!(
            "SELECT users.*, d.reseller_id AS reseller_id, {}, s.id AS s_id, s.user_id AS s_user_id, \
             s.impersonator_id AS s_impersonator_id, s.created_at AS s_created_at, \
             s.access_expires_at AS s_access_expires_at, s.refresh_expires_at AS s_refresh_expires_at, \
             s.client_addr AS s_client_addr, s.reauthenticated_at AS s_reauthenticated_at \
             FROM sessions s JOIN users ON users.id = s.user_id JOIN domains d ON d.id = users.domain_id \
             WHERE s.access_hash = ",
            crate::directory::DOMAIN_COLUMNS_AS_D
        ));
        sql.bind(hash);
        let Some((session, (user, reseller_id, domain))) =
            self.fetch_decoded(sql, access_row).await?.pop()
        else {
            return Ok(None);
        };
        let user = self.user_record_of(user, reseller_id).await?;
        Ok(Some((session, user, domain)))
    }

    pub async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE refresh_hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(session).transpose()?)
    }

    /// Replace a session's tokens (refresh), if `old_refresh_hash` is still its refresh
    /// token: of simultaneous refreshes with one token exactly one does. The old token is kept
    /// as the session's previous one, so that its reuse is recognised.
    pub async fn rotate_session(
        &self,
        id: SessionId,
        old_refresh_hash: &str,
        access_hash: &str,
        refresh_hash: &str,
        access_expires: Timestamp,
        refresh_expires: Timestamp,
    ) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let rotated = sqlx::query(
            "UPDATE sessions SET access_hash = $1, refresh_hash = $2, access_expires_at = $3, \
             refresh_expires_at = $4, previous_refresh_hash = $5 WHERE id = $6 AND refresh_hash = $5",
        )
        .bind(access_hash)
        .bind(refresh_hash)
        .bind(access_expires.0)
        .bind(refresh_expires.0)
        .bind(old_refresh_hash)
        .bind(id.get())
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        w.commit().await?;
        Ok(rotated == 1)
    }

    /// A refresh token already rotated away was presented again: someone else may hold it.
    /// Every session of its user ends (audited); answers whether it was such a token. (A
    /// refresh that lost a race finds its token here too: the winner kept it as previous.)
    pub async fn revoke_on_reused_refresh(&self, refresh_hash: &str) -> Result<bool> {
        let row = sqlx::query("SELECT user_id FROM sessions WHERE previous_refresh_hash = $1")
            .bind(refresh_hash)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let user = self
            .user_for_actor(UserId(get_i64(&row, "user_id")?))
            .await?;
        let user_id = user.user.id;
        let mut w = self.begin_write().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id.get())
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        let ctx = AuditContext {
            actor_id: None,
            actor_login: "switchboard".into(),
            on_behalf_of: None,
            client_addr: None,
        };
        record(
            &mut w.tx,
            &ctx,
            session_place(&user),
            "session.revoke_reused_refresh",
            &format!(
                "{ended} sessions of user {}: a refresh token was used twice",
                user.user.extension
            ),
            None,
            None,
        )
        .await?;
        w.commit().await?;
        Ok(true)
    }

    /// The password was asked again: the session may open Account Preferences for a while.
    pub async fn mark_reauthenticated(
        &self,
        ctx: &AuditContext,
        user: &UserRecord,
        id: SessionId,
        at: Timestamp,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE sessions SET reauthenticated_at = $1 WHERE id = $2")
            .bind(at.0)
            .bind(id.get())
            .execute(&mut *w.tx)
            .await?;
        let object = format!("session {id} of user {}", user.user.extension);
        record(
            &mut w.tx,
            ctx,
            session_place(user),
            "session.reauth",
            &object,
            None,
            None,
        )
        .await?;
        w.commit().await
    }

    pub async fn list_sessions(
        &self,
        vis: &Visibility,
        page: PageRequest,
    ) -> Result<Page<Session>> {
        expect_visibility(vis, Resource::Sessions)?;
        let mut sql = Sql::new("SELECT * FROM sessions WHERE ");
        push_predicate(&mut sql, vis.predicate(), &SESSION_SCOPING);
        push_page(&mut sql, "id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows
            .iter()
            .map(|r| session(r).map(|s| s.session))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |s| s.id.get()))
    }

    pub async fn get_session(&self, vis: &Visibility, id: SessionId) -> Result<Session> {
        expect_visibility(vis, Resource::Sessions)?;
        let mut sql = Sql::new("SELECT * FROM sessions WHERE id = ");
        sql.bind(id.get()).push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &SESSION_SCOPING);
        let row = sql.fetch_found(self.pool()).await?;
        Ok(session(&row)?.session)
    }

    /// End a session (logout, or revocation by an administrator).
    pub async fn delete_session(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        owner: &UserRecord,
        id: SessionId,
    ) -> Result<()> {
        expect_permit(permit, Resource::Sessions, Action::Delete)?;
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.get())
            .execute(&mut *w.tx)
            .await?;
        record(
            &mut w.tx,
            ctx,
            session_place(owner),
            "session.end",
            &format!("session {id} of user {}", owner.user.extension),
            None,
            None,
        )
        .await?;
        w.commit().await
    }

    /// Remove sessions whose refresh token has expired, login challenges past their time, and
    /// failed-login counts that no longer lock anything and are older than
    /// `keep_failures_seconds`; returns how many rows went.
    pub async fn purge_expired(&self, now: Timestamp, keep_failures_seconds: i64) -> Result<u64> {
        let mut w = self.begin_write().await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE refresh_expires_at < $1")
            .bind(now.0)
            .execute(&mut *w.tx)
            .await?;
        let failures = sqlx::query(
            "DELETE FROM login_failures WHERE locked_until < $1 AND window_started_at < $2",
        )
        .bind(now.0)
        .bind(now.0 - keep_failures_seconds)
        .execute(&mut *w.tx)
        .await?;
        let challenges = sqlx::query("DELETE FROM login_challenges WHERE expires_at < $1")
            .bind(now.0)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(sessions.rows_affected() + failures.rows_affected() + challenges.rows_affected())
    }

    // ----- API keys -----

    pub async fn create_api_key(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        owner: &UserRecord,
        new: NewApiKey,
    ) -> Result<ApiKey> {
        expect_permit(permit, Resource::ApiKeys, Action::Create)?;
        let mut w = self.begin_write().await?;
        let mut sql = Sql::new(
            "INSERT INTO api_keys (user_id, domain_id, name, scope, read_only, prefix, secret_hash, expires_at, created_at) VALUES (",
        );
        sql.bind(new.user_id.get())
            .push(", ")
            .bind(new.domain_id.get())
            .push(", ")
            .bind(new.name.as_str())
            .push(", ");
        sql.bind(new.scope.as_str())
            .push(", ")
            .bind(new.read_only)
            .push(", ")
            .bind(new.prefix)
            .push(", ");
        sql.bind(new.secret_hash)
            .push(", ")
            .bind(new.expires_at.map(|t| t.0))
            .push(", ")
            .bind(Timestamp::now().0);
        sql.push(") RETURNING *");
        let created = api_key(&sql.query().fetch_one(&mut *w.tx).await?)?;
        record(
            &mut w.tx,
            ctx,
            session_place(owner),
            "api_key.create",
            &format!("api key {} of user {}", created.id, owner.user.extension),
            None,
            Some(&to_json(&created)),
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    /// The key with this secret hash, for authentication.
    pub async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>> {
        let row = sqlx::query("SELECT * FROM api_keys WHERE secret_hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(api_key).transpose()?)
    }

    /// Note when a key was last used, at most once a minute per key.
    pub async fn touch_api_key(&self, id: ApiKeyId, now: Timestamp) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
            .bind(now.0).bind(id.get()).bind(now.0 - 60).execute(&mut *w.tx).await?;
        w.commit().await
    }

    pub async fn list_api_keys(&self, vis: &Visibility, page: PageRequest) -> Result<Page<ApiKey>> {
        expect_visibility(vis, Resource::ApiKeys)?;
        let mut sql = Sql::new("SELECT * FROM api_keys WHERE ");
        push_predicate(&mut sql, vis.predicate(), &KEY_SCOPING);
        push_page(&mut sql, "id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows.iter().map(api_key).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |k| k.id.get()))
    }

    pub async fn count_api_keys(&self, vis: &Visibility) -> Result<i64> {
        expect_visibility(vis, Resource::ApiKeys)?;
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM api_keys WHERE ");
        push_predicate(&mut sql, vis.predicate(), &KEY_SCOPING);
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    pub async fn get_api_key(&self, vis: &Visibility, id: ApiKeyId) -> Result<ApiKey> {
        expect_visibility(vis, Resource::ApiKeys)?;
        let mut sql = Sql::new("SELECT * FROM api_keys WHERE id = ");
        sql.bind(id.get()).push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &KEY_SCOPING);
        let row = sql.fetch_found(self.pool()).await?;
        Ok(api_key(&row)?)
    }

    pub async fn delete_api_key(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        owner: &UserRecord,
        key: &ApiKey,
    ) -> Result<()> {
        expect_permit(permit, Resource::ApiKeys, Action::Delete)?;
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM api_keys WHERE id = $1")
            .bind(key.id.get())
            .execute(&mut *w.tx)
            .await?;
        record(
            &mut w.tx,
            ctx,
            session_place(owner),
            "api_key.delete",
            &format!("api key {} of user {}", key.id, owner.user.extension),
            Some(&to_json(key)),
            None,
        )
        .await?;
        w.commit().await
    }

    // ----- login throttling -----

    /// Count a login attempt against each key (account, client address) before its password
    /// is checked, each with its own limit; answers until when the attempt is refused, if it
    /// is. A key over its limit within the window is locked for `lock_seconds`; a locked key
    /// counts nothing more. One statement per key, so simultaneous attempts on any instance
    /// are each counted and no more than the limit get their password checked.
    pub async fn count_login_attempt(
        &self,
        keys: &[(String, i64)],
        now: Timestamp,
        window_seconds: i64,
        lock_seconds: i64,
    ) -> Result<Option<Timestamp>> {
        let mut w = self.begin_write().await?;
        let mut refused_until = None;
        for (key, max_attempts) in keys {
            let row = sqlx::query(
                "INSERT INTO login_failures (throttle_key, failures, window_started_at, locked_until) \
                 VALUES ($1, 1, $2, 0) ON CONFLICT (throttle_key) DO UPDATE SET \
                 failures = CASE WHEN login_failures.locked_until > $2 THEN login_failures.failures \
                     WHEN login_failures.window_started_at > $3 THEN login_failures.failures + 1 ELSE 1 END, \
                 window_started_at = CASE WHEN login_failures.locked_until > $2 \
                     OR login_failures.window_started_at > $3 THEN login_failures.window_started_at ELSE $2 END, \
                 locked_until = CASE WHEN login_failures.locked_until > $2 THEN login_failures.locked_until \
                     WHEN login_failures.window_started_at > $3 AND login_failures.failures + 1 > $4 THEN $5 \
                     ELSE 0 END \
                 RETURNING failures, locked_until",
            )
            .bind(key.as_str())
            .bind(now.0)
            .bind(now.0 - window_seconds)
            .bind(*max_attempts)
            .bind(now.0 + lock_seconds)
            .fetch_one(&mut *w.tx)
            .await?;
            let until = get_i64(&row, "locked_until")?;
            if until > now.0 {
                refused_until = refused_until.max(Some(Timestamp(until)));
            }
        }
        w.commit().await?;
        Ok(refused_until)
    }

    /// An attempt counted against a key turned out to be a good one: it no longer counts.
    pub async fn uncount_login_attempt(&self, key: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE login_failures SET failures = failures - 1 WHERE throttle_key = $1 AND failures > 0",
        )
        .bind(key)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
            .bind(key)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }
}

/// A session joined with its user and domain (`Store::session_for_access`).
fn access_row(row: &dyn Columns) -> Result<(SessionRecord, crate::users::ActorRow), sqlx::Error> {
    let session = session_with_prefix(row, "s_")?;
    Ok((session, crate::users::actor_row(row)?))
}
