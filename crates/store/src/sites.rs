//! Sites: the locations of a domain, the last level of the tenancy tree.

use crate::audit::{AuditPlace, record};
use crate::directory::{check_limit, to_json};
use crate::sql::{
    Scoping, Sql, get_i64, get_opt_text, get_text, into_page, parsed, push_page, push_predicate,
};
use crate::{
    AuditContext, Page, PageRequest, Permit, Result, Store, StoreError, Visibility, expect_permit,
    expect_visibility,
};
use sqlx::any::AnyRow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

#[derive(Clone, Debug)]
pub struct NewSite {
    pub domain_id: DomainId,
    pub name: Label,
    pub address: Option<String>,
    pub timezone: Option<TimeZoneName>,
}

#[derive(Clone, Debug, Default)]
pub struct SiteChanges {
    pub name: Option<Label>,
    pub address: Option<Option<String>>,
    pub timezone: Option<Option<TimeZoneName>>,
}

const SITE_SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = sites.domain_id)"),
    domain: Some("domain_id"),
    site: Some("id = {}"),
    ..Scoping::NONE
};

fn site(row: &AnyRow) -> Result<Site, sqlx::Error> {
    Ok(Site {
        id: SiteId(get_i64(row, "id")?),
        domain_id: DomainId(get_i64(row, "domain_id")?),
        name: parsed("name", Label::parse(&get_text(row, "name")?))?,
        address: get_opt_text(row, "address")?,
        timezone: get_opt_text(row, "timezone")?.and_then(|t| TimeZoneName::parse(&t).ok()),
        created_at: Timestamp(get_i64(row, "created_at")?),
    })
}

impl Store {
    fn site_filter(
        &self,
        vis: &Visibility,
        domain: DomainId,
        q: Option<&str>,
        select: &str,
    ) -> Sql {
        let mut sql = Sql::new(select);
        sql.push(" FROM sites WHERE domain_id = ")
            .bind(domain.get())
            .push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &SITE_SCOPING);
        if let Some(q) = q {
            sql.push(" AND ");
            self.push_contains(&mut sql, &["name"], q);
        }
        sql
    }

    pub async fn list_sites(
        &self,
        vis: &Visibility,
        domain: DomainId,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Site>> {
        expect_visibility(vis, Resource::Sites)?;
        let mut sql = self.site_filter(vis, domain, q, "SELECT *");
        push_page(&mut sql, "id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows.iter().map(site).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |s| s.id.get()))
    }

    pub async fn count_sites(
        &self,
        vis: &Visibility,
        domain: DomainId,
        q: Option<&str>,
    ) -> Result<i64> {
        expect_visibility(vis, Resource::Sites)?;
        let sql = self.site_filter(vis, domain, q, "SELECT COUNT(*) AS n");
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    pub async fn get_site(&self, vis: &Visibility, domain: DomainId, id: SiteId) -> Result<Site> {
        expect_visibility(vis, Resource::Sites)?;
        let mut sql = self.site_filter(vis, domain, None, "SELECT *");
        sql.push(" AND id = ").bind(id.get());
        let row = sql.fetch_found(self.pool()).await?;
        Ok(site(&row)?)
    }

    /// Does this site exist in this domain? For validating references in input.
    pub async fn site_exists(&self, domain: DomainId, id: SiteId) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM sites WHERE id = $1 AND domain_id = $2")
            .bind(id.get())
            .bind(domain.get())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    pub async fn create_site(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        new: NewSite,
    ) -> Result<Site> {
        expect_permit(permit, Resource::Sites, Action::Create)?;
        let mut w = self.begin_write().await?;
        check_limit(&mut w.tx, "sites", new.domain_id, LimitKind::MaxSites).await?;
        let clash = sqlx::query("SELECT 1 FROM sites WHERE domain_id = $1 AND name = $2")
            .bind(new.domain_id.get())
            .bind(new.name.as_str())
            .fetch_optional(&mut *w.tx)
            .await?;
        if clash.is_some() {
            return Err(StoreError::conflict(
                "name",
                format!("a site named '{}' exists in this domain", new.name),
            ));
        }
        let mut sql =
            Sql::new("INSERT INTO sites (domain_id, name, address, timezone, created_at) VALUES (");
        sql.bind(new.domain_id.get())
            .push(", ")
            .bind(new.name.as_str())
            .push(", ");
        sql.bind(new.address.clone())
            .push(", ")
            .bind(new.timezone.as_ref().map(|t| t.as_str()))
            .push(", ");
        sql.bind(Timestamp::now().0).push(") RETURNING *");
        let created = site(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(created.domain_id),
            site: Some(created.id),
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "site.create",
            &format!("site {}", created.name),
            None,
            Some(&to_json(&created)),
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    pub async fn update_site(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        before: &Site,
        changes: SiteChanges,
    ) -> Result<Site> {
        expect_permit(permit, Resource::Sites, Action::Update)?;
        let mut w = self.begin_write().await?;
        let name = changes.name.unwrap_or_else(|| before.name.clone());
        let address = changes.address.unwrap_or_else(|| before.address.clone());
        let timezone = changes.timezone.unwrap_or_else(|| before.timezone.clone());
        let clash =
            sqlx::query("SELECT 1 FROM sites WHERE domain_id = $1 AND name = $2 AND id <> $3")
                .bind(before.domain_id.get())
                .bind(name.as_str())
                .bind(before.id.get())
                .fetch_optional(&mut *w.tx)
                .await?;
        if clash.is_some() {
            return Err(StoreError::conflict(
                "name",
                format!("a site named '{name}' exists in this domain"),
            ));
        }
        let mut sql = Sql::new("UPDATE sites SET name = ");
        sql.bind(name.as_str())
            .push(", address = ")
            .bind(address)
            .push(", timezone = ");
        sql.bind(timezone.as_ref().map(|t| t.as_str()))
            .push(" WHERE id = ")
            .bind(before.id.get())
            .push(" RETURNING *");
        let after = site(&sql.query().fetch_one(&mut *w.tx).await?)?;
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(after.domain_id),
            site: Some(after.id),
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "site.update",
            &format!("site {}", after.name),
            Some(&to_json(before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Delete a site; refused while users or queues still belong to it.
    pub async fn delete_site(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        before: &Site,
    ) -> Result<()> {
        expect_permit(permit, Resource::Sites, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE site_id = $1")
            .bind(before.id.get())
            .fetch_one(&mut *w.tx)
            .await?;
        let queues: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM call_queues WHERE site_id = $1")
            .bind(before.id.get())
            .fetch_one(&mut *w.tx)
            .await?;
        let mut others = 0i64;
        for table in ["auto_attendants", "conferences", "emergency_addresses"] {
            let mut sql = Sql::new("SELECT COUNT(*) AS n FROM ");
            sql.push(table)
                .push(" WHERE site_id = ")
                .bind(before.id.get());
            others += get_i64(&sql.query().fetch_one(&mut *w.tx).await?, "n")?;
        }
        if users + queues + others > 0 {
            return Err(StoreError::conflict(
                "site",
                format!(
                    "the site still has {users} user(s), {queues} call queue(s) and {others} attendant(s), \
                     conference(s) or 911 address(es); move them to another site first"
                ),
            ));
        }
        sqlx::query("DELETE FROM sites WHERE id = $1")
            .bind(before.id.get())
            .execute(&mut *w.tx)
            .await?;
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(before.domain_id),
            site: Some(before.id),
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "site.delete",
            &format!("site {}", before.name),
            Some(&to_json(before)),
            None,
        )
        .await?;
        w.commit().await
    }
}

/// A site given in input exists in the domain.
pub(crate) async fn ensure_site(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain: DomainId,
    site: Option<SiteId>,
) -> Result<()> {
    let Some(site) = site else { return Ok(()) };
    let found = sqlx::query("SELECT 1 FROM sites WHERE id = $1 AND domain_id = $2")
        .bind(site.get())
        .bind(domain.get())
        .fetch_optional(&mut **tx)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::InvalidReference {
            field: "site_id".into(),
            message: format!("no site with id {site} in this domain"),
        }),
    }
}
