//! Resellers and domains: the top of the tenancy tree (sites are in `sites`).

use crate::audit::{AuditPlace, record};
use crate::sql::{
    Columns, Scoping, Sql, get_i64, get_opt_i64, get_opt_text, get_text, into_page, parsed,
    push_page, push_predicate,
};
use crate::{
    AuditContext, Page, PageRequest, Permit, Result, Store, StoreError, Visibility, expect_permit,
    expect_visibility,
};
use sqlx::any::AnyRow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

// ---------- resellers ----------

#[derive(Clone, Debug)]
pub struct NewReseller {
    pub name: Label,
    pub contact_email: Option<Email>,
    pub switch: SwitchRoutes,
}

#[derive(Clone, Debug, Default)]
pub struct ResellerChanges {
    pub name: Option<Label>,
    pub contact_email: Option<Option<Email>>,
    pub switch: Option<SwitchRoutes>,
}

const RESELLER_SCOPING: Scoping = Scoping {
    reseller: Some("id"),
    ..Scoping::NONE
};

fn reseller(row: &AnyRow) -> Result<Reseller, sqlx::Error> {
    Ok(Reseller {
        id: ResellerId(get_i64(row, "id")?),
        name: parsed("name", Label::parse(&get_text(row, "name")?))?,
        contact_email: get_opt_text(row, "contact_email")?.and_then(|e| Email::parse(&e).ok()),
        switch: switch_routes(row, "")?,
        created_at: Timestamp(get_i64(row, "created_at")?),
    })
}

/// A row's gateway and media server columns (under `prefix`).
fn switch_routes(row: &(impl Columns + ?Sized), prefix: &str) -> Result<SwitchRoutes, sqlx::Error> {
    let text = |name: &str| get_opt_text(row, &format!("{prefix}{name}"));
    Ok(SwitchRoutes {
        gateway: text("gateway")?
            .map(|g| parsed("gateway", GatewayUri::parse(&g)))
            .transpose()?,
        media_server: text("media_server")?
            .map(|m| parsed("media_server", MediaServerUri::parse(&m)))
            .transpose()?,
    })
}

/// `gateway, media_server, ` values for an INSERT.
fn bind_switch_routes(sql: &mut Sql, routes: &SwitchRoutes) {
    sql.bind(routes.gateway.as_ref().map(|g| g.as_str()))
        .push(", ")
        .bind(routes.media_server.as_ref().map(|m| m.as_str()))
        .push(", ");
}

/// `, gateway = …, media_server = …` for an UPDATE.
fn set_switch_routes(sql: &mut Sql, routes: &SwitchRoutes) {
    sql.push(", gateway = ")
        .bind(routes.gateway.as_ref().map(|g| g.as_str()))
        .push(", media_server = ")
        .bind(routes.media_server.as_ref().map(|m| m.as_str()));
}

// ---------- domains ----------

#[derive(Clone, Debug)]
pub struct NewDomain {
    pub reseller_id: ResellerId,
    pub name: DomainName,
    pub description: Label,
    pub timezone: TimeZoneName,
    pub policy: DomainPolicy,
    pub switch: SwitchRoutes,
}

#[derive(Clone, Debug, Default)]
pub struct DomainChanges {
    pub description: Option<Label>,
    pub timezone: Option<TimeZoneName>,
    pub policy: Option<DomainPolicy>,
    pub switch: Option<SwitchRoutes>,
}

const DOMAIN_SCOPING: Scoping = Scoping {
    reseller: Some("reseller_id"),
    domain: Some("id"),
    ..Scoping::NONE
};

fn limit(row: &(impl Columns + ?Sized), col: &str) -> Result<Option<u32>, sqlx::Error> {
    Ok(get_opt_i64(row, col)?.and_then(|v| u32::try_from(v).ok()))
}

fn domain(row: &AnyRow) -> Result<Domain, sqlx::Error> {
    domain_with_prefix(row, "")
}

/// A domain from a row whose domain columns carry `prefix` (for joins with other tables).
pub(crate) fn domain_with_prefix(
    row: &(impl Columns + ?Sized),
    prefix: &str,
) -> Result<Domain, sqlx::Error> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Domain {
        id: DomainId(get_i64(row, &col("id"))?),
        reseller_id: ResellerId(get_i64(row, &col("reseller_id"))?),
        name: parsed("name", DomainName::parse(&get_text(row, &col("name"))?))?,
        description: parsed(
            "description",
            Label::parse(&get_text(row, &col("description"))?),
        )?,
        timezone: parsed(
            "timezone",
            TimeZoneName::parse(&get_text(row, &col("timezone"))?),
        )?,
        policy: DomainPolicy {
            office_managers_manage_users: get_i64(row, &col("office_managers_manage_users"))? != 0,
            two_factor_for_managers: get_i64(row, &col("two_factor_for_managers"))? != 0,
            limits: Limits {
                max_users: limit(row, &col("max_users"))?,
                max_sites: limit(row, &col("max_sites"))?,
                max_call_queues: limit(row, &col("max_call_queues"))?,
                max_auto_attendants: limit(row, &col("max_auto_attendants"))?,
                max_conferences: limit(row, &col("max_conferences"))?,
            },
        },
        switch: switch_routes(row, prefix)?,
        created_at: Timestamp(get_i64(row, &col("created_at"))?),
    })
}

/// The domain columns under a prefix, for a join: `d.id AS d_id, …`.
pub(crate) const DOMAIN_COLUMNS_AS_D: &str = "d.id AS d_id, d.reseller_id AS d_reseller_id, \
    d.name AS d_name, d.description AS d_description, d.timezone AS d_timezone, \
    d.office_managers_manage_users AS d_office_managers_manage_users, \
    d.two_factor_for_managers AS d_two_factor_for_managers, d.max_users AS d_max_users, \
    d.max_sites AS d_max_sites, d.max_call_queues AS d_max_call_queues, \
    d.max_auto_attendants AS d_max_auto_attendants, d.max_conferences AS d_max_conferences, \
    d.gateway AS d_gateway, d.media_server AS d_media_server, d.created_at AS d_created_at";

fn bind_limit(sql: &mut Sql, value: Option<u32>) {
    sql.bind(value.map(i64::from));
}

/// Hold the domain's row until the transaction ends, so that checks of what the domain holds
/// (a limit, a free extension) and the write that follows them are not raced by another
/// transaction doing the same, on any instance. PostgreSQL locks the row; on SQLite a write
/// transaction holds the whole database from its start (`BEGIN IMMEDIATE`).
pub(crate) async fn lock_domain(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain_id: DomainId,
) -> Result<()> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT id FROM domains WHERE id = $1 FOR UPDATE")
            .bind(domain_id.get())
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Fail with `LimitReached` when `table` already holds `max` rows of the domain.
pub(crate) async fn check_limit(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    domain_id: DomainId,
    kind: LimitKind,
) -> Result<()> {
    lock_domain(tx, domain_id).await?;
    let mut sql = Sql::new("SELECT d.*, (SELECT COUNT(*) FROM ");
    sql.push(table)
        .push(" t WHERE t.domain_id = d.id) AS used FROM domains d WHERE d.id = ");
    sql.bind(domain_id.get());
    let row = sql.fetch_found(&mut **tx).await?;
    let dom = domain(&row)?;
    if let Some(max) = kind.of(&dom.policy.limits)
        && get_i64(&row, "used")? >= i64::from(max)
    {
        return Err(StoreError::LimitReached {
            limit: kind.as_str(),
            max,
        });
    }
    Ok(())
}

impl Store {
    // ----- resellers -----

    pub async fn list_resellers(
        &self,
        vis: &Visibility,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Reseller>> {
        expect_visibility(vis, Resource::Resellers)?;
        let mut sql = Sql::new("SELECT * FROM resellers WHERE ");
        push_predicate(&mut sql, vis.predicate(), &RESELLER_SCOPING);
        if let Some(q) = q {
            sql.push(" AND ");
            self.push_contains(&mut sql, &["name"], q);
        }
        push_page(&mut sql, "id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows.iter().map(reseller).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |r| r.id.get()))
    }

    pub async fn count_resellers(&self, vis: &Visibility, q: Option<&str>) -> Result<i64> {
        expect_visibility(vis, Resource::Resellers)?;
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM resellers WHERE ");
        push_predicate(&mut sql, vis.predicate(), &RESELLER_SCOPING);
        if let Some(q) = q {
            sql.push(" AND ");
            self.push_contains(&mut sql, &["name"], q);
        }
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    /// A reseller, if it exists and is visible.
    pub async fn get_reseller(&self, vis: &Visibility, id: ResellerId) -> Result<Reseller> {
        expect_visibility(vis, Resource::Resellers)?;
        let mut sql = Sql::new("SELECT * FROM resellers WHERE id = ");
        sql.bind(id.get()).push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &RESELLER_SCOPING);
        let row = sql.fetch_found(self.pool()).await?;
        Ok(reseller(&row)?)
    }

    pub async fn create_reseller(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        new: NewReseller,
    ) -> Result<Reseller> {
        expect_permit(permit, Resource::Resellers, Action::Create)?;
        let mut w = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM resellers WHERE name = $1")
            .bind(new.name.as_str())
            .fetch_optional(&mut *w.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::conflict(
                "name",
                format!("a reseller named '{}' exists", new.name),
            ));
        }
        let mut sql = Sql::new(
            "INSERT INTO resellers (name, contact_email, gateway, media_server, created_at) VALUES (",
        );
        sql.bind(new.name.as_str()).push(", ");
        sql.bind(new.contact_email.as_ref().map(|e| e.as_str()))
            .push(", ");
        bind_switch_routes(&mut sql, &new.switch);
        sql.bind(Timestamp::now().0).push(") RETURNING *");
        let created = reseller(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(created.id),
            ..AuditPlace::default()
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "reseller.create",
            &format!("reseller {}", created.id),
            None,
            Some(&to_json(&created)),
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    pub async fn update_reseller(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &Reseller,
        changes: ResellerChanges,
    ) -> Result<Reseller> {
        expect_permit(permit, Resource::Resellers, Action::Update)?;
        let mut w = self.begin_write().await?;
        let name = changes.name.unwrap_or_else(|| before.name.clone());
        let email = changes
            .contact_email
            .unwrap_or_else(|| before.contact_email.clone());
        let clash = sqlx::query("SELECT 1 FROM resellers WHERE name = $1 AND id <> $2")
            .bind(name.as_str())
            .bind(before.id.get())
            .fetch_optional(&mut *w.tx)
            .await?;
        if clash.is_some() {
            return Err(StoreError::conflict(
                "name",
                format!("a reseller named '{name}' exists"),
            ));
        }
        let routes = changes.switch.unwrap_or_else(|| before.switch.clone());
        let mut sql = Sql::new("UPDATE resellers SET name = ");
        sql.bind(name.as_str())
            .push(", contact_email = ")
            .bind(email.as_ref().map(|e| e.as_str()));
        set_switch_routes(&mut sql, &routes);
        sql.push(" WHERE id = ")
            .bind(before.id.get())
            .push(" RETURNING *");
        let after = reseller(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(after.id),
            ..AuditPlace::default()
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "reseller.update",
            &format!("reseller {}", after.id),
            Some(&to_json(before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn delete_reseller(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &Reseller,
    ) -> Result<()> {
        expect_permit(permit, Resource::Resellers, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let domains: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM domains WHERE reseller_id = $1")
                .bind(before.id.get())
                .fetch_one(&mut *w.tx)
                .await?;
        if domains > 0 {
            return Err(StoreError::conflict(
                "reseller",
                format!("the reseller still owns {domains} domain(s); delete or move them first"),
            ));
        }
        sqlx::query("DELETE FROM resellers WHERE id = $1")
            .bind(before.id.get())
            .execute(&mut *w.tx)
            .await?;
        let place = AuditPlace {
            reseller: Some(before.id),
            ..AuditPlace::default()
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "reseller.delete",
            &format!("reseller {}", before.id),
            Some(&to_json(before)),
            None,
        )
        .await?;
        w.commit().await
    }

    // ----- domains -----

    fn domain_filter(
        &self,
        vis: &Visibility,
        q: Option<&str>,
        reseller: Option<ResellerId>,
        select: &str,
    ) -> Sql {
        let mut sql = Sql::new(select);
        sql.push(" FROM domains WHERE ");
        push_predicate(&mut sql, vis.predicate(), &DOMAIN_SCOPING);
        if let Some(q) = q {
            sql.push(" AND ");
            self.push_contains(&mut sql, &["name", "description"], q);
        }
        if let Some(reseller) = reseller {
            sql.push(" AND reseller_id = ").bind(reseller.get());
        }
        sql
    }

    pub async fn list_domains(
        &self,
        vis: &Visibility,
        q: Option<&str>,
        reseller: Option<ResellerId>,
        page: PageRequest,
    ) -> Result<Page<Domain>> {
        expect_visibility(vis, Resource::Domains)?;
        let mut sql = self.domain_filter(vis, q, reseller, "SELECT *");
        push_page(&mut sql, "id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows.iter().map(domain).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |d| d.id.get()))
    }

    pub async fn count_domains(
        &self,
        vis: &Visibility,
        q: Option<&str>,
        reseller: Option<ResellerId>,
    ) -> Result<i64> {
        expect_visibility(vis, Resource::Domains)?;
        let sql = self.domain_filter(vis, q, reseller, "SELECT COUNT(*) AS n");
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    /// A domain by name, if it exists and is visible.
    pub async fn get_domain_by_name(&self, vis: &Visibility, name: &DomainName) -> Result<Domain> {
        expect_visibility(vis, Resource::Domains)?;
        let mut sql = Sql::new("SELECT * FROM domains WHERE name = ");
        sql.bind(name.as_str()).push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &DOMAIN_SCOPING);
        let row = sql.fetch_found(self.pool()).await?;
        Ok(domain(&row)?)
    }

    /// A domain by id, for building an authenticated actor (not a resource read).
    pub async fn domain_for_actor(&self, id: DomainId) -> Result<Domain> {
        let row = sqlx::query("SELECT * FROM domains WHERE id = $1")
            .bind(id.get())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(domain(&row)?)
    }

    pub async fn create_domain(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        new: NewDomain,
    ) -> Result<Domain> {
        expect_permit(permit, Resource::Domains, Action::Create)?;
        let mut w = self.begin_write().await?;
        let reseller_exists = sqlx::query("SELECT 1 FROM resellers WHERE id = $1")
            .bind(new.reseller_id.get())
            .fetch_optional(&mut *w.tx)
            .await?;
        if reseller_exists.is_none() {
            return Err(StoreError::InvalidReference {
                field: "reseller_id".into(),
                message: format!("no reseller with id {}", new.reseller_id),
            });
        }
        let exists = sqlx::query("SELECT 1 FROM domains WHERE name = $1")
            .bind(new.name.as_str())
            .fetch_optional(&mut *w.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::conflict(
                "name",
                format!("the domain name '{}' is taken", new.name),
            ));
        }
        let mut sql = Sql::new(
            "INSERT INTO domains (reseller_id, name, description, timezone, office_managers_manage_users, \
             two_factor_for_managers, max_users, max_sites, max_call_queues, max_auto_attendants, max_conferences, gateway, media_server, created_at) VALUES (",
        );
        sql.bind(new.reseller_id.get())
            .push(", ")
            .bind(new.name.as_str())
            .push(", ");
        sql.bind(new.description.as_str())
            .push(", ")
            .bind(new.timezone.as_str())
            .push(", ");
        sql.bind(new.policy.office_managers_manage_users).push(", ");
        sql.bind(new.policy.two_factor_for_managers).push(", ");
        let l = &new.policy.limits;
        for v in [
            l.max_users,
            l.max_sites,
            l.max_call_queues,
            l.max_auto_attendants,
            l.max_conferences,
        ] {
            bind_limit(&mut sql, v);
            sql.push(", ");
        }
        bind_switch_routes(&mut sql, &new.switch);
        sql.bind(Timestamp::now().0).push(") RETURNING *");
        let created = domain(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(created.reseller_id),
            domain: Some(created.id),
            site: None,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "domain.create",
            &format!("domain {}", created.name),
            None,
            Some(&to_json(&created)),
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    pub async fn update_domain(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &Domain,
        changes: DomainChanges,
    ) -> Result<Domain> {
        expect_permit(permit, Resource::Domains, Action::Update)?;
        let mut w = self.begin_write().await?;
        let description = changes
            .description
            .unwrap_or_else(|| before.description.clone());
        let timezone = changes.timezone.unwrap_or_else(|| before.timezone.clone());
        let policy = changes.policy.unwrap_or_else(|| before.policy.clone());
        let mut sql = Sql::new("UPDATE domains SET description = ");
        sql.bind(description.as_str())
            .push(", timezone = ")
            .bind(timezone.as_str());
        sql.push(", office_managers_manage_users = ")
            .bind(policy.office_managers_manage_users)
            .push(", two_factor_for_managers = ")
            .bind(policy.two_factor_for_managers);
        let l = &policy.limits;
        for (col, v) in [
            ("max_users", l.max_users),
            ("max_sites", l.max_sites),
            ("max_call_queues", l.max_call_queues),
            ("max_auto_attendants", l.max_auto_attendants),
            ("max_conferences", l.max_conferences),
        ] {
            sql.push(", ").push(col).push(" = ");
            bind_limit(&mut sql, v);
        }
        let routes = changes.switch.unwrap_or_else(|| before.switch.clone());
        set_switch_routes(&mut sql, &routes);
        sql.push(" WHERE id = ")
            .bind(before.id.get())
            .push(" RETURNING *");
        let after = domain(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(after.reseller_id),
            domain: Some(after.id),
            site: None,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "domain.update",
            &format!("domain {}", after.name),
            Some(&to_json(before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Delete a domain and everything in it.
    /// Delete a domain and everything in it. Answers the blob keys of its recordings, for the
    /// caller to remove once this has committed.
    pub async fn delete_domain(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &Domain,
    ) -> Result<Vec<String>> {
        expect_permit(permit, Resource::Domains, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let recordings =
            crate::setting_tables::recordings(&mut w.tx, "domain_id", before.id.get()).await?;
        // Children first, so the delete does not depend on each engine's cascade order.
        for table in ["setting_refs"]
            .iter()
            .chain(crate::setting_tables::ALL_TABLES)
            .chain(&[
                "sessions",
                "api_keys",
                "supervisor_queues",
                "supervisor_settings",
                "queue_agents",
                "agent_status",
                "portal_hidden_tabs",
            ])
        {
            let mut sql = Sql::new("DELETE FROM ");
            sql.push(table)
                .push(" WHERE domain_id = ")
                .bind(before.id.get());
            sql.query().execute(&mut *w.tx).await?;
        }
        for table in ["users", "call_queues", "sites", "domains"] {
            let mut sql = Sql::new("DELETE FROM ");
            let col = if table == "domains" {
                "id"
            } else {
                "domain_id"
            };
            sql.push(table)
                .push(" WHERE ")
                .push(col)
                .push(" = ")
                .bind(before.id.get());
            sql.query().execute(&mut *w.tx).await?;
        }
        let place = AuditPlace {
            reseller: Some(before.reseller_id),
            domain: Some(before.id),
            site: None,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "domain.delete",
            &format!("domain {}", before.name),
            Some(&to_json(before)),
            None,
        )
        .await?;
        w.commit().await?;
        Ok(recordings)
    }
}

/// Who holds an extension now, when checking that a change keeps extensions unique.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Holder {
    Nobody,
    User(UserId),
    Queue(QueueId),
    /// An attendant or conference: its table and id.
    Setting(&'static str, i64),
}

/// An extension is unique among a domain's users, call queues, auto attendants and conferences.
pub(crate) async fn ensure_extension_free(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain: DomainId,
    extension: &Extension,
    holder: Holder,
) -> Result<()> {
    lock_domain(tx, domain).await?;
    let (user, queue, attendant, conference) = match holder {
        Holder::Nobody => (-1, -1, -1, -1),
        Holder::User(u) => (u.get(), -1, -1, -1),
        Holder::Queue(q) => (-1, q.get(), -1, -1),
        Holder::Setting("auto_attendants", id) => (-1, -1, id, -1),
        Holder::Setting(_, id) => (-1, -1, -1, id),
    };
    let taken = sqlx::query(
        "SELECT 'a user' AS kind FROM users WHERE domain_id = $1 AND extension = $2 AND id <> $3 \
         UNION ALL SELECT 'a call queue' AS kind FROM call_queues WHERE domain_id = $1 AND extension = $2 AND id <> $4 \
         UNION ALL SELECT 'an auto attendant' AS kind FROM auto_attendants WHERE domain_id = $1 AND unique_key = $2 AND id <> $5 \
         UNION ALL SELECT 'a conference' AS kind FROM conferences WHERE domain_id = $1 AND unique_key = $2 AND id <> $6",
    )
    .bind(domain.get())
    .bind(extension.as_str())
    .bind(user)
    .bind(queue)
    .bind(attendant)
    .bind(conference)
    .fetch_optional(&mut **tx)
    .await?;
    match taken {
        Some(row) => Err(StoreError::conflict(
            "extension",
            format!(
                "extension {extension} is already used by {} in this domain",
                get_text(&row, "kind")?
            ),
        )),
        None => Ok(()),
    }
}
