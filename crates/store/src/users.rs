//! Users and supervisor settings.

use crate::audit::{AuditPlace, record};
use crate::directory::{
    DOMAIN_COLUMNS_AS_D, Holder, check_limit, domain_with_prefix, ensure_extension_free, to_json,
};
use crate::sites::ensure_site;
use crate::sql::{
    Columns, Scoping, Sql, contains_pattern, get_i64, get_opt_i64, get_opt_text, get_text,
    into_page, parsed, push_page, push_predicate,
};
use crate::{
    AuditContext, Page, PageRequest, Permit, Result, Store, StoreError, Visibility, expect_permit,
    expect_visibility,
};
use sqlx::any::AnyRow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// A user with what the policy needs to judge access to it.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub user: User,
    pub reseller_id: ResellerId,
    /// Queues this user is an agent in (for a supervisor's reach).
    pub agent_queues: Vec<QueueId>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    pub extension: Extension,
    pub first_name: Label,
    pub last_name: Label,
    pub email: Option<Email>,
    pub scope: Scope,
    pub language: Option<String>,
    pub timezone: Option<TimeZoneName>,
    pub caller_id: Option<String>,
    /// An Argon2id PHC string, or `None` for a user who cannot log in yet.
    pub password_hash: Option<String>,
}

/// A partial update; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub site_id: Option<Option<SiteId>>,
    pub extension: Option<Extension>,
    pub first_name: Option<Label>,
    pub last_name: Option<Label>,
    pub email: Option<Option<Email>>,
    pub language: Option<Option<String>>,
    pub timezone: Option<Option<TimeZoneName>>,
    pub caller_id: Option<Option<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Contains-search over extension, names and email.
    pub q: Option<String>,
    pub site_id: Option<SiteId>,
    pub scope: Option<Scope>,
}

const SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = users.domain_id)"),
    domain: Some("users.domain_id"),
    site: Some("users.site_id = {}"),
    owner: Some("users.id = {}"),
    queues: Some("users.id IN (SELECT qa.user_id FROM queue_agents qa WHERE qa.queue_id IN {})"),
    shared: None,
};

const SELECT_USER: &str = "SELECT users.*, d.reseller_id AS reseller_id FROM users JOIN domains d ON d.id = users.domain_id";

pub(crate) fn user(row: &(impl Columns + ?Sized)) -> Result<User, sqlx::Error> {
    let scope_text = get_text(row, "scope")?;
    Ok(User {
        id: UserId(get_i64(row, "id")?),
        domain_id: DomainId(get_i64(row, "domain_id")?),
        site_id: get_opt_i64(row, "site_id")?.map(SiteId),
        extension: parsed("extension", Extension::parse(&get_text(row, "extension")?))?,
        first_name: parsed("first_name", Label::parse(&get_text(row, "first_name")?))?,
        last_name: parsed("last_name", Label::parse(&get_text(row, "last_name")?))?,
        email: get_opt_text(row, "email")?.and_then(|e| Email::parse(&e).ok()),
        scope: parsed(
            "scope",
            Scope::parse(&scope_text).ok_or(format!("unknown scope {scope_text}")),
        )?,
        language: get_opt_text(row, "language")?,
        timezone: get_opt_text(row, "timezone")?.and_then(|t| TimeZoneName::parse(&t).ok()),
        caller_id: get_opt_text(row, "caller_id")?,
        voicemail_pin_set: get_opt_text(row, "voicemail_pin_hash")?.is_some(),
        created_at: Timestamp(get_i64(row, "created_at")?),
    })
}

/// A user, its reseller and its domain, from a row joining the three (`d_` domain columns).
pub(crate) type ActorRow = (User, ResellerId, Domain);

pub(crate) fn actor_row(row: &(impl Columns + ?Sized)) -> Result<ActorRow, sqlx::Error> {
    Ok((
        user(row)?,
        ResellerId(get_i64(row, "reseller_id")?),
        domain_with_prefix(row, "d_")?,
    ))
}

/// Delete a user's rows (`user_id`) in `tables`, and the sessions it opened acting as someone.
pub(crate) async fn delete_rows_of(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tables: &[&str],
    id: i64,
) -> Result<()> {
    for table in tables {
        let mut sql = Sql::new("DELETE FROM ");
        sql.push(table).push(" WHERE user_id = ").bind(id);
        sql.query().execute(&mut **tx).await?;
    }
    sqlx::query("DELETE FROM sessions WHERE impersonator_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn place_of(record: &UserRecord) -> AuditPlace {
    AuditPlace {
        reseller: Some(record.reseller_id),
        domain: Some(record.user.domain_id),
        site: record.user.site_id,
    }
}

pub(crate) fn object(user: &User) -> String {
    format!("user {}", user.extension)
}

impl Store {
    fn user_filter(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &UserFilter,
        select: &str,
    ) -> Sql {
        let mut sql = Sql::new(select);
        sql.push(" WHERE users.domain_id = ")
            .bind(domain.get())
            .push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &SCOPING);
        if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
            // An extension is digits: a plain match. Names and email, in any alphabet.
            sql.push(" AND (users.extension LIKE ")
                .bind(contains_pattern(q))
                .push(" ESCAPE '\\' OR ");
            self.push_contains(
                &mut sql,
                &["users.first_name", "users.last_name", "users.email"],
                q,
            );
            sql.push(")");
        }
        if let Some(site) = filter.site_id {
            sql.push(" AND users.site_id = ").bind(site.get());
        }
        if let Some(scope) = filter.scope {
            sql.push(" AND users.scope = ").bind(scope.as_str());
        }
        sql
    }

    pub async fn list_users(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>> {
        expect_visibility(vis, Resource::Users)?;
        let mut sql = self.user_filter(vis, domain, filter, SELECT_USER);
        push_page(&mut sql, "users.id", page);
        let items = self.fetch_decoded(sql, |row| user(row)).await?;
        Ok(into_page(items, page, |u| u.id.get()))
    }

    pub async fn count_users(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &UserFilter,
    ) -> Result<i64> {
        expect_visibility(vis, Resource::Users)?;
        let sql = self.user_filter(vis, domain, filter, "SELECT COUNT(*) AS n FROM users");
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    /// A user by extension, if it exists and is visible.
    pub async fn get_user(
        &self,
        vis: &Visibility,
        domain: DomainId,
        extension: &Extension,
    ) -> Result<UserRecord> {
        expect_visibility(vis, Resource::Users)?;
        let mut sql = self.user_filter(vis, domain, &UserFilter::default(), SELECT_USER);
        sql.push(" AND users.extension = ").bind(extension.as_str());
        let row = sql.fetch_found(self.pool()).await?;
        self.user_record(&row).await
    }

    async fn user_record(&self, row: &AnyRow) -> Result<UserRecord> {
        let user = user(row)?;
        Ok(UserRecord {
            reseller_id: ResellerId(get_i64(row, "reseller_id")?),
            agent_queues: self.agent_queues(user.id).await?,
            user,
        })
    }

    /// The queues a user is an agent in.
    pub async fn agent_queues(&self, user: UserId) -> Result<Vec<QueueId>> {
        let mut sql = Sql::new("SELECT queue_id FROM queue_agents WHERE user_id = ");
        sql.bind(user.get()).push(" ORDER BY queue_id");
        self.fetch_decoded(sql, |r| Ok(QueueId(get_i64(r, "queue_id")?)))
            .await
    }

    /// A user and its domain in one query, for authentication (not a resource read). Queue
    /// memberships are loaded only for agents, whose reach depends on them.
    pub async fn user_and_domain(&self, id: UserId) -> Result<Option<(UserRecord, Domain)>> {
        let mut sql = Sql::new(&format!(
            "SELECT users.*, d.reseller_id AS reseller_id, {DOMAIN_COLUMNS_AS_D} FROM users \
             JOIN domains d ON d.id = users.domain_id WHERE users.id = "
        ));
        sql.bind(id.get());
        let Some((user, reseller_id, domain)) =
            self.fetch_decoded(sql, |r| actor_row(r)).await?.pop()
        else {
            return Ok(None);
        };
        Ok(Some((
            self.user_record_of(user, reseller_id).await?,
            domain,
        )))
    }

    /// A user's record: the user, its reseller and, for an agent, the queues it serves.
    pub(crate) async fn user_record_of(
        &self,
        user: User,
        reseller_id: ResellerId,
    ) -> Result<UserRecord> {
        let agent_queues = if user.scope == Scope::CallCenterAgent {
            self.agent_queues(user.id).await?
        } else {
            Vec::new()
        };
        Ok(UserRecord {
            reseller_id,
            agent_queues,
            user,
        })
    }

    /// A user by id, for building an authenticated actor (not a resource read).
    pub async fn user_for_actor(&self, id: UserId) -> Result<UserRecord> {
        let row = sqlx::query(&format!("{SELECT_USER} WHERE users.id = $1"))
            .bind(id.get())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        self.user_record(&row).await
    }

    /// The user behind a login and its password hash, for authentication only.
    pub async fn find_login(&self, login: &Login) -> Result<Option<(User, Option<String>)>> {
        let row = sqlx::query(&format!(
            "{SELECT_USER} WHERE d.name = $1 AND users.extension = $2"
        ))
        .bind(login.domain.as_str())
        .bind(login.extension.as_str())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(Some((user(&row)?, get_opt_text(&row, "password_hash")?))),
            None => Ok(None),
        }
    }

    /// The password hash of a user, for re-authentication.
    pub async fn password_hash(&self, id: UserId) -> Result<Option<String>> {
        let hash: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(id.get())
                .fetch_optional(self.pool())
                .await?;
        Ok(hash.flatten())
    }

    pub async fn create_user(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        new: NewUser,
    ) -> Result<User> {
        expect_permit(permit, Resource::Users, Action::Create)?;
        let mut w = self.begin_write().await?;
        check_limit(&mut w.tx, "users", new.domain_id, LimitKind::MaxUsers).await?;
        ensure_extension_free(&mut w.tx, new.domain_id, &new.extension, Holder::Nobody).await?;
        ensure_site(&mut w.tx, new.domain_id, new.site_id).await?;
        let mut sql = Sql::new(
            "INSERT INTO users (domain_id, site_id, extension, first_name, last_name, email, scope, \
             language, timezone, caller_id, password_hash, created_at) VALUES (",
        );
        sql.bind(new.domain_id.get())
            .push(", ")
            .bind(new.site_id.map(|s| s.get()))
            .push(", ");
        sql.bind(new.extension.as_str())
            .push(", ")
            .bind(new.first_name.as_str())
            .push(", ");
        sql.bind(new.last_name.as_str())
            .push(", ")
            .bind(new.email.as_ref().map(|e| e.as_str()))
            .push(", ");
        sql.bind(new.scope.as_str())
            .push(", ")
            .bind(new.language.clone())
            .push(", ");
        sql.bind(new.timezone.as_ref().map(|t| t.as_str()))
            .push(", ")
            .bind(new.caller_id.clone())
            .push(", ");
        sql.bind(new.password_hash.clone())
            .push(", ")
            .bind(Timestamp::now().0)
            .push(") RETURNING *");
        let created = user(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(created.domain_id),
            site: created.site_id,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "user.create",
            &object(&created),
            None,
            Some(&to_json(&created)),
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    pub async fn update_user(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &UserRecord,
        changes: UserChanges,
    ) -> Result<User> {
        expect_permit(permit, Resource::Users, Action::Update)?;
        let b = &before.user;
        let mut w = self.begin_write().await?;
        let extension = changes.extension.unwrap_or_else(|| b.extension.clone());
        ensure_extension_free(&mut w.tx, b.domain_id, &extension, Holder::User(b.id)).await?;
        crate::settings::ensure_extension_kept(
            &mut w.tx,
            &["user", "voicemail"],
            b.id.get(),
            &b.extension,
            &extension,
        )
        .await?;
        let site_id = changes.site_id.unwrap_or(b.site_id);
        ensure_site(&mut w.tx, b.domain_id, site_id).await?;
        let first = changes.first_name.unwrap_or_else(|| b.first_name.clone());
        let last = changes.last_name.unwrap_or_else(|| b.last_name.clone());
        let email = changes.email.unwrap_or_else(|| b.email.clone());
        let language = changes.language.unwrap_or_else(|| b.language.clone());
        let timezone = changes.timezone.unwrap_or_else(|| b.timezone.clone());
        let caller_id = changes.caller_id.unwrap_or_else(|| b.caller_id.clone());
        let mut sql = Sql::new("UPDATE users SET site_id = ");
        sql.bind(site_id.map(|s| s.get()))
            .push(", extension = ")
            .bind(extension.as_str());
        sql.push(", first_name = ")
            .bind(first.as_str())
            .push(", last_name = ")
            .bind(last.as_str());
        sql.push(", email = ")
            .bind(email.as_ref().map(|e| e.as_str()))
            .push(", language = ")
            .bind(language);
        sql.push(", timezone = ")
            .bind(timezone.as_ref().map(|t| t.as_str()))
            .push(", caller_id = ")
            .bind(caller_id);
        sql.push(" WHERE id = ")
            .bind(b.id.get())
            .push(" RETURNING *");
        let after = user(&sql.query().fetch_one(&mut *w.tx).await?)?;
        record(
            &mut w.tx,
            ctx,
            place_of(before),
            "user.update",
            &object(&after),
            Some(&to_json(b)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Change a user's scope. Leaving the supervisor scope drops its supervisor settings.
    pub async fn set_user_scope(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &UserRecord,
        scope: Scope,
    ) -> Result<User> {
        expect_permit(permit, Resource::UserScope, Action::Update)?;
        let mut w = self.begin_write().await?;
        let row = sqlx::query("UPDATE users SET scope = $1 WHERE id = $2 RETURNING *")
            .bind(scope.as_str())
            .bind(before.user.id.get())
            .fetch_one(&mut *w.tx)
            .await?;
        let after = user(&row)?;
        if scope != Scope::CallCenterSupervisor {
            for table in ["supervisor_queues", "supervisor_settings"] {
                let mut sql = Sql::new("DELETE FROM ");
                sql.push(table)
                    .push(" WHERE user_id = ")
                    .bind(after.id.get());
                sql.query().execute(&mut *w.tx).await?;
            }
        }
        // A session keeps the scope it was issued with nowhere: actors are rebuilt per request.
        record(
            &mut w.tx,
            ctx,
            place_of(before),
            "user.scope",
            &object(&after),
            Some(&serde_json::json!({"scope": before.user.scope})),
            Some(&serde_json::json!({"scope": scope})),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Set a user's password; every session of the user ends.
    pub async fn set_password(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        target: &UserRecord,
        password_hash: &str,
    ) -> Result<()> {
        expect_permit(permit, Resource::Users, Action::Update)?;
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(target.user.id.get())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(target.user.id.get())
            .execute(&mut *w.tx)
            .await?;
        record(
            &mut w.tx,
            ctx,
            place_of(target),
            "user.password",
            &object(&target.user),
            None,
            None,
        )
        .await?;
        w.commit().await
    }

    /// Set (or with `None`, clear) a user's voicemail PIN, kept as its hash.
    pub async fn set_voicemail_pin(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        target: &UserRecord,
        pin_hash: Option<&str>,
    ) -> Result<()> {
        expect_permit(permit, Resource::Users, Action::Update)?;
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE users SET voicemail_pin_hash = $1 WHERE id = $2")
            .bind(pin_hash)
            .bind(target.user.id.get())
            .execute(&mut *w.tx)
            .await?;
        let set = serde_json::json!({ "voicemail_pin_set": pin_hash.is_some() });
        let was = serde_json::json!({ "voicemail_pin_set": target.user.voicemail_pin_set });
        record(
            &mut w.tx,
            ctx,
            place_of(target),
            "user.voicemail_pin",
            &object(&target.user),
            Some(&was),
            Some(&set),
        )
        .await?;
        w.commit().await
    }

    /// The hash of a user's voicemail PIN, for the media server's check (operator reach).
    pub async fn voicemail_pin_hash(&self, id: UserId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT voicemail_pin_hash FROM users WHERE id = $1")
            .bind(id.get())
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => get_opt_text(&row, "voicemail_pin_hash")?,
            None => None,
        })
    }

    /// Delete a user and what is only its own (sessions, keys, memberships, its settings);
    /// refused while numbers, attendants, queues or rules of others point at it, unless the
    /// numbers are re-routed (`reroute_numbers_to`). Answers the blob keys of the recordings
    /// that went with it, for the caller to remove once this has committed.
    pub async fn delete_user(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &UserRecord,
        reroute_numbers_to: Option<&Route>,
    ) -> Result<Vec<String>> {
        expect_permit(permit, Resource::Users, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let id = before.user.id.get();
        let what = format!("user {}", before.user.extension);
        if let Some(route) = reroute_numbers_to {
            crate::settings::reroute_numbers(
                &mut w.tx,
                ctx,
                before.reseller_id,
                before.user.domain_id,
                &["user", "voicemail"],
                id,
                route,
            )
            .await?;
        }
        crate::settings::ensure_unreferenced(&mut w.tx, &["user", "voicemail"], id, &what).await?;
        // Its own settings go with it (the tables cascade); what they pointed at is freed.
        let recordings = crate::setting_tables::recordings(&mut w.tx, "owner_id", id).await?;
        for table in crate::setting_tables::OWNED_TABLES {
            crate::setting_tables::forget_owned_refs(&mut w.tx, table, id).await?;
        }
        delete_rows_of(
            &mut w.tx,
            &[
                "sessions",
                "api_keys",
                "queue_agents",
                "supervisor_queues",
                "supervisor_settings",
                "agent_status",
            ],
            id,
        )
        .await?;
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        record(
            &mut w.tx,
            ctx,
            place_of(before),
            "user.delete",
            &object(&before.user),
            Some(&to_json(&before.user)),
            None,
        )
        .await?;
        w.commit().await?;
        Ok(recordings)
    }

    // ----- supervisor settings -----

    /// The supervisor settings of a user, if visible. `vis` is for `SupervisorSettings`.
    pub async fn get_supervisor_settings(
        &self,
        vis: &Visibility,
        target: &UserRecord,
    ) -> Result<SupervisorSettings> {
        expect_visibility(vis, Resource::SupervisorSettings)?;
        const SETTINGS_SCOPING: Scoping = Scoping {
            reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = u.domain_id)"),
            domain: Some("u.domain_id"),
            owner: Some("u.id = {}"),
            ..Scoping::NONE
        };
        let mut sql = Sql::new(
            "SELECT COALESCE(s.may_edit_queue_settings, 0) AS may_edit FROM users u \
             LEFT JOIN supervisor_settings s ON s.user_id = u.id WHERE u.id = ",
        );
        sql.bind(target.user.id.get()).push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &SETTINGS_SCOPING);
        let row = sql.fetch_found(self.pool()).await?;
        let (queue_ids, _) = self.supervision(target.user.id).await?;
        Ok(SupervisorSettings {
            queue_ids,
            may_edit_queue_settings: get_i64(&row, "may_edit")? != 0,
        })
    }

    /// The queues a supervisor manages and whether it may edit them.
    pub async fn supervision(&self, user: UserId) -> Result<(Vec<QueueId>, bool)> {
        // One query (it runs on every request of a supervisor), at least one row: the setting,
        // beside each supervised queue (NULL when there is none).
        let mut sql = Sql::new(
            "SELECT (SELECT may_edit_queue_settings FROM supervisor_settings WHERE user_id = ",
        );
        sql.bind(user.get()).push(
            ") AS may_edit, sq.queue_id AS queue_id FROM (SELECT 1 AS one) one \
             LEFT JOIN supervisor_queues sq ON sq.user_id = ",
        );
        sql.bind(user.get()).push(" ORDER BY sq.queue_id");
        let rows = self
            .fetch_decoded(sql, |r| {
                Ok((get_opt_i64(r, "may_edit")?, get_opt_i64(r, "queue_id")?))
            })
            .await?;
        let may_edit = rows
            .first()
            .and_then(|(may_edit, _)| *may_edit)
            .unwrap_or(0)
            != 0;
        let queues = rows.iter().filter_map(|(_, q)| q.map(QueueId)).collect();
        Ok((queues, may_edit))
    }

    pub async fn put_supervisor_settings(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        target: &UserRecord,
        settings: &SupervisorSettings,
    ) -> Result<SupervisorSettings> {
        expect_permit(permit, Resource::SupervisorSettings, Action::Update)?;
        let (before_queues, before_edit) = self.supervision(target.user.id).await?;
        let domain = target.user.domain_id;
        let mut queue_ids = settings.queue_ids.clone();
        queue_ids.sort();
        queue_ids.dedup();
        let mut w = self.begin_write().await?;
        if !queue_ids.is_empty() {
            let mut sql = Sql::new("SELECT id FROM call_queues WHERE domain_id = ");
            sql.bind(domain.get()).push(" AND id IN ");
            sql.bind_list(queue_ids.iter().map(|q| q.get()));
            let found: Vec<i64> = sql
                .query()
                .fetch_all(&mut *w.tx)
                .await?
                .iter()
                .map(|r| get_i64(r, "id"))
                .collect::<Result<_, _>>()?;
            if let Some(missing) = queue_ids.iter().find(|q| !found.contains(&q.get())) {
                return Err(StoreError::InvalidReference {
                    field: "queue_ids".into(),
                    message: format!("no call queue with id {missing} in this domain"),
                });
            }
        }
        let uid = target.user.id.get();
        sqlx::query("DELETE FROM supervisor_queues WHERE user_id = $1")
            .bind(uid)
            .execute(&mut *w.tx)
            .await?;
        for queue in &queue_ids {
            sqlx::query(
                "INSERT INTO supervisor_queues (domain_id, user_id, queue_id) VALUES ($1, $2, $3)",
            )
            .bind(domain.get())
            .bind(uid)
            .bind(queue.get())
            .execute(&mut *w.tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO supervisor_settings (user_id, domain_id, may_edit_queue_settings) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET may_edit_queue_settings = excluded.may_edit_queue_settings",
        )
        .bind(uid).bind(domain.get()).bind(i64::from(settings.may_edit_queue_settings)).execute(&mut *w.tx).await?;
        let after = SupervisorSettings {
            queue_ids,
            may_edit_queue_settings: settings.may_edit_queue_settings,
        };
        let before = SupervisorSettings {
            queue_ids: before_queues,
            may_edit_queue_settings: before_edit,
        };
        record(
            &mut w.tx,
            ctx,
            place_of(target),
            "supervisor_settings.update",
            &object(&target.user),
            Some(&to_json(&before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}

impl Store {
    /// The user with this extension in a domain, to check a reference given in input (an
    /// agent to add, say); not a read of the user, whose fields the caller does not get.
    pub async fn user_reference(
        &self,
        domain: DomainId,
        extension: &Extension,
    ) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE domain_id = $1 AND extension = $2")
            .bind(domain.get())
            .bind(extension.as_str())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(user).transpose()?)
    }
}

/// A domain's extensions, for resolving references in call records.
#[derive(Clone, Debug, Default)]
pub struct ExtensionDirectory {
    pub users: std::collections::HashMap<String, (UserId, Option<SiteId>)>,
    pub queues: std::collections::HashMap<String, (QueueId, Option<SiteId>)>,
    /// The same, by id: exports look an extension up for every call.
    user_extensions: std::collections::HashMap<UserId, String>,
    queue_extensions: std::collections::HashMap<QueueId, String>,
    /// Names to show beside extensions in reports.
    user_names: std::collections::HashMap<UserId, String>,
    queue_names: std::collections::HashMap<QueueId, String>,
}

impl ExtensionDirectory {
    pub fn user_extension(&self, id: UserId) -> Option<&str> {
        self.user_extensions.get(&id).map(String::as_str)
    }
    pub fn queue_extension(&self, id: QueueId) -> Option<&str> {
        self.queue_extensions.get(&id).map(String::as_str)
    }
    pub fn user_name(&self, id: UserId) -> Option<&str> {
        self.user_names.get(&id).map(String::as_str)
    }
    pub fn queue_name(&self, id: QueueId) -> Option<&str> {
        self.queue_names.get(&id).map(String::as_str)
    }
}

impl Store {
    /// Every user and queue extension of a domain with its id and site: to resolve the
    /// extensions in imported call records (not a read of users or queues).
    pub async fn extension_directory(&self, domain: DomainId) -> Result<ExtensionDirectory> {
        let mut dir = ExtensionDirectory::default();
        for row in sqlx::query(
            "SELECT id, extension, site_id, first_name, last_name FROM users WHERE domain_id = $1",
        )
        .bind(domain.get())
        .fetch_all(self.pool())
        .await?
        {
            let id = UserId(get_i64(&row, "id")?);
            let name = format!(
                "{} {}",
                get_text(&row, "first_name")?,
                get_text(&row, "last_name")?
            );
            dir.user_names.insert(id, name.trim().to_owned());
            dir.users.insert(
                get_text(&row, "extension")?,
                (id, get_opt_i64(&row, "site_id")?.map(SiteId)),
            );
        }
        for row in
            sqlx::query("SELECT id, extension, site_id, name FROM call_queues WHERE domain_id = $1")
                .bind(domain.get())
                .fetch_all(self.pool())
                .await?
        {
            let id = QueueId(get_i64(&row, "id")?);
            dir.queue_names.insert(id, get_text(&row, "name")?);
            dir.queues.insert(
                get_text(&row, "extension")?,
                (id, get_opt_i64(&row, "site_id")?.map(SiteId)),
            );
        }
        dir.user_extensions = dir
            .users
            .iter()
            .map(|(e, (id, _))| (*id, e.clone()))
            .collect();
        dir.queue_extensions = dir
            .queues
            .iter()
            .map(|(e, (id, _))| (*id, e.clone()))
            .collect();
        Ok(dir)
    }
}
