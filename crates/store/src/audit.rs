//! The audit log: written in the same transaction as every change.

use crate::sql::{
    Scoping, Sql, get_i64, get_opt_i64, get_opt_text, get_text, into_page, push_page_newest_first,
    push_predicate,
};
use crate::{Page, PageRequest, Result, Store, Visibility, expect_visibility};
use sqlx::any::AnyRow;
use switchboard_domain::{AuditEntry, AuditId, DomainId, ResellerId, SiteId, Timestamp, UserId};
use switchboard_policy::Resource;

/// Who makes a change, for its audit record.
#[derive(Clone, Debug)]
pub struct AuditContext {
    /// The logged-in user (the administrator while impersonating); `None` for the command line.
    pub actor_id: Option<UserId>,
    pub actor_login: String,
    /// The user acted for, while impersonating.
    pub on_behalf_of: Option<(UserId, String)>,
    pub client_addr: Option<String>,
}

impl AuditContext {
    /// Changes made by the operator on the command line, who holds the database itself.
    pub fn operator(what: &str) -> AuditContext {
        AuditContext {
            actor_id: None,
            actor_login: format!("operator ({what})"),
            on_behalf_of: None,
            client_addr: None,
        }
    }
}

/// Where a change happened, for the audit record's scoping.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AuditPlace {
    pub reseller: Option<ResellerId>,
    pub domain: Option<DomainId>,
    pub site: Option<SiteId>,
}

pub(crate) async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ctx: &AuditContext,
    place: AuditPlace,
    action: &str,
    object: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<()> {
    audit_insert(ctx, place, action, object, before, after)
        .query()
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The statement `record` runs.
pub(crate) fn audit_insert(
    ctx: &AuditContext,
    place: AuditPlace,
    action: &str,
    object: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Sql {
    let mut sql = Sql::new(
        "INSERT INTO audit_log (at, actor_id, actor_login, on_behalf_of_id, on_behalf_of_login, \
         reseller_id, domain_id, site_id, action, object, before_json, after_json, client_addr) VALUES (",
    );
    sql.bind(Timestamp::now().0).push(", ");
    sql.bind(ctx.actor_id.map(|u| u.get())).push(", ");
    sql.bind(ctx.actor_login.as_str()).push(", ");
    sql.bind(ctx.on_behalf_of.as_ref().map(|(u, _)| u.get()))
        .push(", ");
    sql.bind(ctx.on_behalf_of.as_ref().map(|(_, l)| l.as_str()))
        .push(", ");
    sql.bind(place.reseller.map(|r| r.get())).push(", ");
    sql.bind(place.domain.map(|d| d.get())).push(", ");
    sql.bind(place.site.map(|s| s.get())).push(", ");
    sql.bind(action).push(", ");
    sql.bind(object).push(", ");
    sql.bind(before.map(|v| v.to_string())).push(", ");
    sql.bind(after.map(|v| v.to_string())).push(", ");
    sql.bind(ctx.client_addr.clone()).push(")");
    sql
}

/// Filters on the audit log.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub domain: Option<DomainId>,
    /// Actions starting with this text, e.g. `user.`.
    pub action_prefix: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Done by this login (`extension@domain`) or on its behalf.
    pub login: Option<String>,
}

const SCOPING: Scoping = Scoping {
    reseller: Some("reseller_id"),
    domain: Some("domain_id"),
    site: Some("site_id = {}"),
    ..Scoping::NONE
};

fn filtered(visibility: &Visibility, filter: &AuditFilter, select: &str) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM audit_log WHERE ");
    push_predicate(&mut sql, visibility.predicate(), &SCOPING);
    if let Some(domain) = filter.domain {
        sql.push(" AND domain_id = ").bind(domain.get());
    }
    if let Some(prefix) = &filter.action_prefix {
        // Escaped, not stripped: actions have underscores (`portal_tabs.update`).
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push(" AND action LIKE ")
            .bind(format!("{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    if let Some(since) = filter.since {
        sql.push(" AND at >= ").bind(since.0);
    }
    if let Some(until) = filter.until {
        sql.push(" AND at < ").bind(until.0);
    }
    if let Some(login) = &filter.login {
        sql.push(" AND (actor_login = ").bind(login.as_str());
        sql.push(" OR on_behalf_of_login = ")
            .bind(login.as_str())
            .push(")");
    }
    sql
}

fn entry(row: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let json = |col: &str| -> Result<Option<serde_json::Value>, sqlx::Error> {
        Ok(get_opt_text(row, col)?.and_then(|t| serde_json::from_str(&t).ok()))
    };
    let behalf_id = get_opt_i64(row, "on_behalf_of_id")?;
    Ok(AuditEntry {
        id: AuditId(get_i64(row, "id")?),
        at: Timestamp(get_i64(row, "at")?),
        actor_id: get_opt_i64(row, "actor_id")?.map(UserId),
        actor_login: get_text(row, "actor_login")?,
        on_behalf_of_id: behalf_id.map(UserId),
        on_behalf_of_login: get_opt_text(row, "on_behalf_of_login")?,
        reseller_id: get_opt_i64(row, "reseller_id")?.map(ResellerId),
        domain_id: get_opt_i64(row, "domain_id")?.map(DomainId),
        site_id: get_opt_i64(row, "site_id")?.map(SiteId),
        action: get_text(row, "action")?,
        object: get_text(row, "object")?,
        before: json("before_json")?,
        after: json("after_json")?,
        client_addr: get_opt_text(row, "client_addr")?,
    })
}

impl Store {
    /// Newest first.
    pub async fn list_audit(
        &self,
        visibility: &Visibility,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        expect_visibility(visibility, Resource::AuditLog)?;
        let mut sql = filtered(visibility, filter, "SELECT *");
        push_page_newest_first(&mut sql, "id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |e| e.id.get()))
    }

    pub async fn count_audit(&self, visibility: &Visibility, filter: &AuditFilter) -> Result<i64> {
        expect_visibility(visibility, Resource::AuditLog)?;
        let sql = filtered(visibility, filter, "SELECT COUNT(*) AS n");
        let row = sql.query().fetch_one(self.pool()).await?;
        Ok(get_i64(&row, "n")?)
    }
}
