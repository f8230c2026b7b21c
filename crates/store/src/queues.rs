//! Call queues, as far as supervisors and agents need them now. Queue settings, membership
//! details and availability arrive with the call-center work.

use crate::audit::{AuditPlace, record};
use crate::sql::get_i64;
use crate::{AuditContext, Permit, Result, Store, StoreError, expect_permit};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// A queue's identity and place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRef {
    pub id: QueueId,
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    pub extension: Extension,
    pub name: Label,
}

/// A call queue to create.
#[derive(Clone, Debug)]
pub struct NewQueue {
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    pub extension: Extension,
    pub name: Label,
}

impl Store {
    pub async fn create_call_queue(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        new: NewQueue,
    ) -> Result<QueueRef> {
        expect_permit(permit, Resource::CallQueues, Action::Create)?;
        let NewQueue {
            domain_id: domain,
            site_id: site,
            extension,
            name,
        } = new;
        let (extension, name) = (&extension, &name);
        let mut w = self.begin_write().await?;
        crate::directory::check_limit(&mut w.tx, "call_queues", domain, LimitKind::MaxCallQueues)
            .await?;
        let taken = sqlx::query("SELECT 1 FROM users WHERE domain_id = $1 AND extension = $2 UNION ALL SELECT 1 FROM call_queues WHERE domain_id = $1 AND extension = $2")
            .bind(domain.get()).bind(extension.as_str()).fetch_optional(&mut *w.tx).await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "extension",
                format!("extension {extension} is already used in this domain"),
            ));
        }
        let row = sqlx::query("INSERT INTO call_queues (domain_id, site_id, extension, name, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(domain.get()).bind(site.map(|s| s.get())).bind(extension.as_str()).bind(name.as_str()).bind(Timestamp::now().0)
            .fetch_one(&mut *w.tx).await?;
        let queue = QueueRef {
            id: QueueId(get_i64(&row, "id")?),
            domain_id: domain,
            site_id: site,
            extension: extension.clone(),
            name: name.clone(),
        };
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(domain),
            site,
        };
        record(&mut w.tx, ctx, place, "call_queue.create", &format!("call queue {extension}"), None,
            Some(&serde_json::json!({"id": queue.id, "extension": extension, "name": name, "site_id": site}))).await?;
        w.commit().await?;
        Ok(queue)
    }

    pub async fn add_queue_agent(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        queue: &QueueRef,
        user: UserId,
    ) -> Result<()> {
        expect_permit(permit, Resource::QueueAgents, Action::Create)?;
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO queue_agents (domain_id, queue_id, user_id) VALUES ($1, $2, $3) ON CONFLICT (queue_id, user_id) DO NOTHING")
            .bind(queue.domain_id.get()).bind(queue.id.get()).bind(user.get()).execute(&mut *w.tx).await?;
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(queue.domain_id),
            site: queue.site_id,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "queue_agent.create",
            &format!("agent {user} in call queue {}", queue.extension),
            None,
            None,
        )
        .await?;
        w.commit().await
    }
}
