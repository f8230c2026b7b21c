//! Tabs a domain hides from a scope in its portal (DESIGN §3).

use crate::audit::{AuditPlace, record};
use crate::directory::to_json;
use crate::{AuditContext, Result, Store, StoreError, expect_permit};
use switchboard_domain::{Domain, Scope};
use switchboard_policy::{Action, Layout, Permit, Resource, Tab};

/// One hidden tab: `scope` does not see `tab` in `layout`.
pub type HiddenTab = (Scope, Layout, Tab);

impl Store {
    /// The tabs a domain hides. Not cut by scope: every user of the domain needs its own
    /// scope's entries to draw its portal, and they say nothing about anyone's data.
    pub async fn hidden_tabs(&self, domain: &Domain) -> Result<Vec<HiddenTab>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT scope, layout, tab FROM portal_hidden_tabs WHERE domain_id = $1 \
             ORDER BY scope, layout, tab",
        )
        .bind(domain.id.get())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(scope, layout, tab)| {
                match (
                    Scope::parse(&scope),
                    Layout::parse(&layout),
                    Tab::parse(&tab),
                ) {
                    (Some(s), Some(l), Some(t)) => Ok((s, l, t)),
                    _ => Err(StoreError::Internal(format!(
                        "unknown hidden tab {scope}/{layout}/{tab}"
                    ))),
                }
            })
            .collect()
    }

    /// Replace what a domain hides; the caller has checked each entry with `check_hide`.
    pub async fn set_hidden_tabs(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        domain: &Domain,
        hidden: &[HiddenTab],
    ) -> Result<Vec<HiddenTab>> {
        expect_permit(permit, Resource::PortalTabSettings, Action::Update)?;
        let before = self.hidden_tabs(domain).await?;
        let mut after = hidden.to_vec();
        after.sort_by_key(|(s, l, t)| (s.as_str(), l.name(), t.name()));
        after.dedup();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM portal_hidden_tabs WHERE domain_id = $1")
            .bind(domain.id.get())
            .execute(&mut *w.tx)
            .await?;
        for (scope, layout, tab) in &after {
            sqlx::query(
                "INSERT INTO portal_hidden_tabs (domain_id, scope, layout, tab) VALUES ($1, $2, $3, $4)",
            )
            .bind(domain.id.get())
            .bind(scope.as_str())
            .bind(layout.name())
            .bind(tab.name())
            .execute(&mut *w.tx)
            .await?;
        }
        let place = AuditPlace {
            reseller: Some(domain.reseller_id),
            domain: Some(domain.id),
            site: None,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "portal_tabs.update",
            &format!("portal tabs of {}", domain.name),
            Some(&to_json(&before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
