//! Call queues, their agents, and agent availability.

use crate::audit::{AuditPlace, record};
use crate::directory::{Holder, check_limit, ensure_extension_free, to_json};
use crate::sites::ensure_site;
use crate::sql::{
    Scoping, Sql, contains_pattern, get_i64, get_opt_i64, get_opt_text, get_text, into_page,
    parsed, push_page, push_predicate,
};
use crate::{
    AuditContext, Page, PageRequest, Permit, Result, Store, StoreError, Visibility, expect_permit,
    expect_visibility,
};
use sqlx::any::AnyRow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// A call queue to create.
#[derive(Clone, Debug)]
pub struct NewQueue {
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    pub extension: Extension,
    pub name: Label,
    pub settings: QueueSettings,
}

/// The behaviour of a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSettings {
    pub ring_strategy: RingStrategy,
    pub max_wait_seconds: u32,
    pub max_callers: u32,
    pub wrap_up_seconds: u32,
    pub overflow: Overflow,
    pub music_on_hold_id: Option<Id<MusicOnHold>>,
}

impl Default for QueueSettings {
    fn default() -> QueueSettings {
        QueueSettings {
            ring_strategy: RingStrategy::RingAll,
            max_wait_seconds: 300,
            max_callers: 20,
            wrap_up_seconds: 0,
            overflow: Overflow::HangUp,
            music_on_hold_id: None,
        }
    }
}

/// A partial update of a queue; `None` leaves a field.
#[derive(Clone, Debug, Default)]
pub struct QueueChanges {
    pub name: Option<Label>,
    pub site_id: Option<Option<SiteId>>,
    pub extension: Option<Extension>,
    pub ring_strategy: Option<RingStrategy>,
    pub max_wait_seconds: Option<u32>,
    pub max_callers: Option<u32>,
    pub wrap_up_seconds: Option<u32>,
    pub overflow: Option<Overflow>,
    pub music_on_hold_id: Option<Option<Id<MusicOnHold>>>,
}

/// A new membership's details.
#[derive(Clone, Copy, Debug)]
pub struct Membership {
    /// Lower rings first.
    pub priority: u32,
    /// Overrides the queue's wrap-up time.
    pub wrap_up_seconds: Option<u32>,
}

/// Membership details.
#[derive(Clone, Debug, Default)]
pub struct AgentChanges {
    pub priority: Option<u32>,
    pub wrap_up_seconds: Option<Option<u32>>,
}

const QUEUE_SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = call_queues.domain_id)"),
    domain: Some("call_queues.domain_id"),
    site: Some("call_queues.site_id = {}"),
    owner: None,
    queues: Some("call_queues.id IN {}"),
    shared: None,
};

const AGENT_SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = qa.domain_id)"),
    domain: Some("qa.domain_id"),
    site: Some("q.site_id = {}"),
    owner: Some("qa.user_id = {}"),
    queues: Some("qa.queue_id IN {}"),
    shared: None,
};

fn seconds(row: &AnyRow, col: &str) -> Result<u32, sqlx::Error> {
    Ok(u32::try_from(get_i64(row, col)?).unwrap_or(0))
}

fn queue(row: &AnyRow) -> Result<CallQueue, sqlx::Error> {
    let strategy = get_text(row, "ring_strategy")?;
    let overflow_kind = get_text(row, "overflow_kind")?;
    let overflow_target = get_opt_text(row, "overflow_target")?;
    Ok(CallQueue {
        id: QueueId(get_i64(row, "id")?),
        domain_id: DomainId(get_i64(row, "domain_id")?),
        site_id: get_opt_i64(row, "site_id")?.map(SiteId),
        extension: parsed("extension", Extension::parse(&get_text(row, "extension")?))?,
        name: parsed("name", Label::parse(&get_text(row, "name")?))?,
        ring_strategy: parsed(
            "ring_strategy",
            RingStrategy::parse(&strategy).ok_or("unknown ring strategy"),
        )?,
        max_wait_seconds: seconds(row, "max_wait_seconds")?,
        max_callers: seconds(row, "max_callers")?,
        wrap_up_seconds: seconds(row, "wrap_up_seconds")?,
        overflow: parsed(
            "overflow",
            Overflow::from_parts(&overflow_kind, overflow_target.as_deref()),
        )?,
        music_on_hold_id: get_opt_i64(row, "music_on_hold_id")?.map(Id::new),
        created_at: Timestamp(get_i64(row, "created_at")?),
    })
}

/// Record what a queue points at (its hold music, which must be the domain's, and where it
/// overflows), so that neither goes while the queue uses it.
async fn write_queue_refs(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    queue: &CallQueue,
) -> Result<()> {
    let mut targets = match queue.music_on_hold_id {
        Some(id) => {
            let found =
                sqlx::query("SELECT id FROM music_on_hold WHERE id = $1 AND domain_id = $2")
                    .bind(id.get())
                    .bind(queue.domain_id.get())
                    .fetch_optional(&mut **tx)
                    .await?;
            if found.is_none() {
                return Err(StoreError::InvalidReference {
                    field: "music_on_hold_id".into(),
                    message: format!("no music on hold {id} in this domain"),
                });
            }
            vec![("music_on_hold", id.get())]
        }
        None => Vec::new(),
    };
    let overflow = match &queue.overflow {
        Overflow::User(e) => Some(("users", "user", e)),
        Overflow::Voicemail(e) => Some(("users", "voicemail", e)),
        Overflow::Queue(e) => Some(("call_queues", "call_queue", e)),
        Overflow::HangUp | Overflow::External(_) => None,
    };
    if let Some((table, kind, ext)) = overflow {
        let mut sql = Sql::new("SELECT id FROM ");
        sql.push(table)
            .push(" WHERE domain_id = ")
            .bind(queue.domain_id.get())
            .push(" AND extension = ")
            .bind(ext.as_str());
        if let Some(row) = sql.query().fetch_optional(&mut **tx).await? {
            targets.push((kind, get_i64(&row, "id")?));
        }
    }
    let label = format!("call queue {}", queue.extension);
    crate::settings::write_refs(
        tx,
        queue.domain_id,
        ("call_queues", queue.id.get()),
        &label,
        &targets,
    )
    .await
}

const SELECT_AGENT: &str = "SELECT qa.queue_id, q.extension AS queue_extension, qa.user_id, u.extension, u.first_name, \
    u.last_name, qa.priority, qa.wrap_up_seconds, qa.logged_in, COALESCE(st.status, 'unavailable') AS status, st.reason \
    FROM queue_agents qa JOIN call_queues q ON q.id = qa.queue_id JOIN users u ON u.id = qa.user_id \
    LEFT JOIN agent_status st ON st.user_id = qa.user_id";

fn agent(row: &AnyRow) -> Result<QueueAgent, sqlx::Error> {
    let status = get_text(row, "status")?;
    Ok(QueueAgent {
        queue_id: QueueId(get_i64(row, "queue_id")?),
        queue_extension: parsed(
            "queue_extension",
            Extension::parse(&get_text(row, "queue_extension")?),
        )?,
        user_id: UserId(get_i64(row, "user_id")?),
        extension: parsed("extension", Extension::parse(&get_text(row, "extension")?))?,
        first_name: parsed("first_name", Label::parse(&get_text(row, "first_name")?))?,
        last_name: parsed("last_name", Label::parse(&get_text(row, "last_name")?))?,
        priority: seconds(row, "priority")?,
        wrap_up_seconds: get_opt_i64(row, "wrap_up_seconds")?.and_then(|v| u32::try_from(v).ok()),
        logged_in: get_i64(row, "logged_in")? != 0,
        status: parsed(
            "status",
            AgentStatus::parse(&status).ok_or("unknown status"),
        )?,
        status_reason: get_opt_text(row, "reason")?,
    })
}

fn queue_place(reseller: ResellerId, q: &CallQueue) -> AuditPlace {
    AuditPlace {
        reseller: Some(reseller),
        domain: Some(q.domain_id),
        site: q.site_id,
    }
}

/// Overflow targets must exist in the same domain.
async fn check_overflow(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain: DomainId,
    overflow: &Overflow,
    own_queue: Option<QueueId>,
) -> Result<()> {
    let (table, ext) = match overflow {
        Overflow::User(e) | Overflow::Voicemail(e) => ("users", e),
        Overflow::Queue(e) => ("call_queues", e),
        Overflow::HangUp | Overflow::External(_) => return Ok(()),
    };
    let mut sql = Sql::new("SELECT id FROM ");
    sql.push(table)
        .push(" WHERE domain_id = ")
        .bind(domain.get())
        .push(" AND extension = ")
        .bind(ext.as_str());
    let found = sql.query().fetch_optional(&mut **tx).await?;
    match found {
        Some(row) if own_queue.is_some_and(|q| q.get() == get_i64(&row, "id").unwrap_or(-1)) => {
            Err(StoreError::InvalidReference {
                field: "overflow".into(),
                message: "a queue cannot overflow into itself".into(),
            })
        }
        Some(_) => Ok(()),
        None => Err(StoreError::InvalidReference {
            field: "overflow".into(),
            message: format!(
                "no {} with extension {ext} in this domain",
                if table == "users" {
                    "user"
                } else {
                    "call queue"
                }
            ),
        }),
    }
}

impl Store {
    fn queue_filter(
        &self,
        vis: &Visibility,
        domain: DomainId,
        q: Option<&str>,
        select: &str,
    ) -> Sql {
        let mut sql = Sql::new(select);
        sql.push(" FROM call_queues WHERE call_queues.domain_id = ")
            .bind(domain.get())
            .push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &QUEUE_SCOPING);
        if let Some(q) = q.filter(|q| !q.is_empty()) {
            // An extension is digits: a plain match. A name, in any alphabet.
            sql.push(" AND (call_queues.extension LIKE ")
                .bind(contains_pattern(q))
                .push(" ESCAPE '\\' OR ");
            self.push_contains(&mut sql, &["call_queues.name"], q);
            sql.push(")");
        }
        sql
    }

    pub async fn list_call_queues(
        &self,
        vis: &Visibility,
        domain: DomainId,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<CallQueue>> {
        expect_visibility(vis, Resource::CallQueues)?;
        let mut sql = self.queue_filter(vis, domain, q, "SELECT *");
        push_page(&mut sql, "call_queues.id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows.iter().map(queue).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |q| q.id.get()))
    }

    pub async fn count_call_queues(
        &self,
        vis: &Visibility,
        domain: DomainId,
        q: Option<&str>,
    ) -> Result<i64> {
        expect_visibility(vis, Resource::CallQueues)?;
        let sql = self.queue_filter(vis, domain, q, "SELECT COUNT(*) AS n");
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    /// A queue by extension, if it exists and is visible.
    pub async fn get_call_queue(
        &self,
        vis: &Visibility,
        domain: DomainId,
        extension: &Extension,
    ) -> Result<CallQueue> {
        expect_visibility(vis, Resource::CallQueues)?;
        let mut sql = self.queue_filter(vis, domain, None, "SELECT *");
        sql.push(" AND call_queues.extension = ")
            .bind(extension.as_str());
        Ok(queue(&sql.fetch_found(self.pool()).await?)?)
    }

    pub async fn create_call_queue(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        new: NewQueue,
    ) -> Result<CallQueue> {
        expect_permit(permit, Resource::CallQueues, Action::Create)?;
        let mut w = self.begin_write().await?;
        check_limit(
            &mut w.tx,
            "call_queues",
            new.domain_id,
            LimitKind::MaxCallQueues,
        )
        .await?;
        ensure_extension_free(&mut w.tx, new.domain_id, &new.extension, Holder::Nobody).await?;
        ensure_site(&mut w.tx, new.domain_id, new.site_id).await?;
        check_overflow(&mut w.tx, new.domain_id, &new.settings.overflow, None).await?;
        let s = &new.settings;
        let mut sql = Sql::new(
            "INSERT INTO call_queues (domain_id, site_id, extension, name, created_at, ring_strategy, \
            max_wait_seconds, max_callers, wrap_up_seconds, overflow_kind, overflow_target, music_on_hold_id) VALUES (",
        );
        sql.bind(new.domain_id.get())
            .push(", ")
            .bind(new.site_id.map(|s| s.get()))
            .push(", ");
        sql.bind(new.extension.as_str())
            .push(", ")
            .bind(new.name.as_str())
            .push(", ")
            .bind(Timestamp::now().0)
            .push(", ");
        sql.bind(s.ring_strategy.as_str())
            .push(", ")
            .bind(i64::from(s.max_wait_seconds))
            .push(", ");
        sql.bind(i64::from(s.max_callers))
            .push(", ")
            .bind(i64::from(s.wrap_up_seconds))
            .push(", ");
        sql.bind(s.overflow.kind())
            .push(", ")
            .bind(s.overflow.target())
            .push(", ")
            .bind(s.music_on_hold_id.map(Id::get))
            .push(") RETURNING *");
        let created = queue(&sql.query().fetch_one(&mut *w.tx).await?)?;
        write_queue_refs(&mut w.tx, &created).await?;
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, &created),
            "call_queue.create",
            &format!("call queue {}", created.extension),
            None,
            Some(&to_json(&created)),
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    pub async fn update_call_queue(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        before: &CallQueue,
        changes: QueueChanges,
    ) -> Result<CallQueue> {
        expect_permit(permit, Resource::CallQueues, Action::Update)?;
        let mut w = self.begin_write().await?;
        let extension = changes
            .extension
            .unwrap_or_else(|| before.extension.clone());
        ensure_extension_free(
            &mut w.tx,
            before.domain_id,
            &extension,
            Holder::Queue(before.id),
        )
        .await?;
        crate::settings::ensure_extension_kept(
            &mut w.tx,
            &["call_queue"],
            before.id.get(),
            &before.extension,
            &extension,
        )
        .await?;
        let site_id = changes.site_id.unwrap_or(before.site_id);
        ensure_site(&mut w.tx, before.domain_id, site_id).await?;
        let overflow = changes.overflow.unwrap_or_else(|| before.overflow.clone());
        check_overflow(&mut w.tx, before.domain_id, &overflow, Some(before.id)).await?;
        let mut sql = Sql::new("UPDATE call_queues SET name = ");
        sql.bind(
            changes
                .name
                .unwrap_or_else(|| before.name.clone())
                .into_string(),
        );
        sql.push(", site_id = ").bind(site_id.map(|s| s.get()));
        sql.push(", extension = ").bind(extension.as_str());
        sql.push(", ring_strategy = ").bind(
            changes
                .ring_strategy
                .unwrap_or(before.ring_strategy)
                .as_str(),
        );
        sql.push(", max_wait_seconds = ").bind(i64::from(
            changes.max_wait_seconds.unwrap_or(before.max_wait_seconds),
        ));
        sql.push(", max_callers = ")
            .bind(i64::from(changes.max_callers.unwrap_or(before.max_callers)));
        sql.push(", wrap_up_seconds = ").bind(i64::from(
            changes.wrap_up_seconds.unwrap_or(before.wrap_up_seconds),
        ));
        sql.push(", overflow_kind = ")
            .bind(overflow.kind())
            .push(", overflow_target = ")
            .bind(overflow.target());
        sql.push(", music_on_hold_id = ").bind(
            changes
                .music_on_hold_id
                .unwrap_or(before.music_on_hold_id)
                .map(Id::get),
        );
        sql.push(" WHERE id = ")
            .bind(before.id.get())
            .push(" RETURNING *");
        let after = queue(&sql.query().fetch_one(&mut *w.tx).await?)?;
        write_queue_refs(&mut w.tx, &after).await?;
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, &after),
            "call_queue.update",
            &format!("call queue {}", after.extension),
            Some(&to_json(before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Delete a queue, its memberships and its place in supervisors' settings; refused while
    /// another queue overflows into it.
    pub async fn delete_call_queue(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        before: &CallQueue,
        reroute_numbers_to: Option<&Route>,
    ) -> Result<()> {
        expect_permit(permit, Resource::CallQueues, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let feeding: Vec<String> = sqlx::query_scalar("SELECT extension FROM call_queues WHERE domain_id = $1 AND overflow_kind = 'queue' AND overflow_target = $2 ORDER BY extension")
            .bind(before.domain_id.get())
            .bind(before.extension.as_str())
            .fetch_all(&mut *w.tx)
            .await?;
        if !feeding.is_empty() {
            return Err(StoreError::conflict(
                "queue",
                format!(
                    "call queue(s) {} overflow into this queue; change their overflow first",
                    feeding.join(", ")
                ),
            ));
        }
        let id = before.id.get();
        if let Some(route) = reroute_numbers_to {
            crate::settings::reroute_numbers(
                &mut w.tx,
                ctx,
                reseller,
                before.domain_id,
                &["call_queue"],
                id,
                route,
            )
            .await?;
        }
        let what = format!("call queue {}", before.extension);
        crate::settings::ensure_unreferenced(&mut w.tx, &["call_queue"], id, &what).await?;
        crate::settings::write_refs(&mut w.tx, before.domain_id, ("call_queues", id), &what, &[])
            .await?;
        for table in ["queue_agents", "supervisor_queues"] {
            let mut sql = Sql::new("DELETE FROM ");
            sql.push(table)
                .push(" WHERE queue_id = ")
                .bind(before.id.get());
            sql.query().execute(&mut *w.tx).await?;
        }
        sqlx::query("DELETE FROM call_queues WHERE id = $1")
            .bind(before.id.get())
            .execute(&mut *w.tx)
            .await?;
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, before),
            "call_queue.delete",
            &format!("call queue {}", before.extension),
            Some(&to_json(before)),
            None,
        )
        .await?;
        w.commit().await
    }

    // ----- agents -----

    /// The agents of one queue that the caller may see (`vis` is for `QueueAgents`).
    pub async fn list_queue_agents(
        &self,
        vis: &Visibility,
        queue: &CallQueue,
    ) -> Result<Vec<QueueAgent>> {
        expect_visibility(vis, Resource::QueueAgents)?;
        let mut sql = Sql::new(SELECT_AGENT);
        sql.push(" WHERE qa.queue_id = ")
            .bind(queue.id.get())
            .push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &AGENT_SCOPING);
        sql.push(" ORDER BY qa.priority, u.extension");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(rows.iter().map(agent).collect::<Result<Vec<_>, _>>()?)
    }

    /// One membership, if visible.
    pub async fn get_queue_agent(
        &self,
        vis: &Visibility,
        queue: &CallQueue,
        user: UserId,
    ) -> Result<QueueAgent> {
        expect_visibility(vis, Resource::QueueAgents)?;
        let mut sql = Sql::new(SELECT_AGENT);
        sql.push(" WHERE qa.queue_id = ")
            .bind(queue.id.get())
            .push(" AND qa.user_id = ")
            .bind(user.get())
            .push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &AGENT_SCOPING);
        Ok(agent(&sql.fetch_found(self.pool()).await?)?)
    }

    pub async fn add_queue_agent(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        queue: &CallQueue,
        user: &User,
        membership: Membership,
    ) -> Result<QueueAgent> {
        expect_permit(permit, Resource::QueueAgents, Action::Create)?;
        if user.domain_id != queue.domain_id {
            return Err(StoreError::InvalidReference {
                field: "user".into(),
                message: "the user is not in this queue's domain".into(),
            });
        }
        let mut w = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM queue_agents WHERE queue_id = $1 AND user_id = $2")
            .bind(queue.id.get())
            .bind(user.id.get())
            .fetch_optional(&mut *w.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::conflict(
                "user",
                format!("{} is already an agent of this queue", user.extension),
            ));
        }
        sqlx::query("INSERT INTO queue_agents (domain_id, queue_id, user_id, priority, wrap_up_seconds, logged_in) VALUES ($1, $2, $3, $4, $5, 1)")
            .bind(queue.domain_id.get()).bind(queue.id.get()).bind(user.id.get()).bind(i64::from(membership.priority)).bind(membership.wrap_up_seconds.map(i64::from))
            .execute(&mut *w.tx).await?;
        let mut sql = Sql::new(SELECT_AGENT);
        sql.push(" WHERE qa.queue_id = ")
            .bind(queue.id.get())
            .push(" AND qa.user_id = ")
            .bind(user.id.get());
        let added = agent(&sql.query().fetch_one(&mut *w.tx).await?)?;
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, queue),
            "queue_agent.create",
            &format!("agent {} in call queue {}", user.extension, queue.extension),
            None,
            Some(&to_json(&added)),
        )
        .await?;
        w.commit().await?;
        Ok(added)
    }

    pub async fn update_queue_agent(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        queue: &CallQueue,
        before: &QueueAgent,
        changes: AgentChanges,
    ) -> Result<QueueAgent> {
        expect_permit(permit, Resource::QueueAgents, Action::Update)?;
        let mut w = self.begin_write().await?;
        let priority = changes.priority.unwrap_or(before.priority);
        let wrap = changes.wrap_up_seconds.unwrap_or(before.wrap_up_seconds);
        sqlx::query("UPDATE queue_agents SET priority = $1, wrap_up_seconds = $2 WHERE queue_id = $3 AND user_id = $4")
            .bind(i64::from(priority)).bind(wrap.map(i64::from)).bind(queue.id.get()).bind(before.user_id.get())
            .execute(&mut *w.tx).await?;
        let after = QueueAgent {
            priority,
            wrap_up_seconds: wrap,
            ..before.clone()
        };
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, queue),
            "queue_agent.update",
            &format!(
                "agent {} in call queue {}",
                before.extension, queue.extension
            ),
            Some(&to_json(before)),
            Some(&to_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn remove_queue_agent(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        queue: &CallQueue,
        before: &QueueAgent,
    ) -> Result<()> {
        expect_permit(permit, Resource::QueueAgents, Action::Delete)?;
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM queue_agents WHERE queue_id = $1 AND user_id = $2")
            .bind(queue.id.get())
            .bind(before.user_id.get())
            .execute(&mut *w.tx)
            .await?;
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, queue),
            "queue_agent.delete",
            &format!(
                "agent {} in call queue {}",
                before.extension, queue.extension
            ),
            Some(&to_json(before)),
            None,
        )
        .await?;
        w.commit().await
    }

    /// Log an agent in to, or out of, one queue.
    pub async fn set_queue_login(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        queue: &CallQueue,
        before: &QueueAgent,
        logged_in: bool,
    ) -> Result<QueueAgent> {
        expect_permit(permit, Resource::AgentAvailability, Action::Update)?;
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE queue_agents SET logged_in = $1 WHERE queue_id = $2 AND user_id = $3")
            .bind(i64::from(logged_in))
            .bind(queue.id.get())
            .bind(before.user_id.get())
            .execute(&mut *w.tx)
            .await?;
        let after = QueueAgent {
            logged_in,
            ..before.clone()
        };
        let action = if logged_in {
            "agent.queue_login"
        } else {
            "agent.queue_logout"
        };
        record(
            &mut w.tx,
            ctx,
            queue_place(reseller, queue),
            action,
            &format!(
                "agent {} in call queue {}",
                before.extension, queue.extension
            ),
            Some(&serde_json::json!({"logged_in": before.logged_in})),
            Some(&serde_json::json!({"logged_in": logged_in})),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    // ----- availability -----

    /// An agent's availability and the memberships the caller may see (`vis` for `QueueAgents`).
    pub async fn availability(&self, vis: &Visibility, user: UserId) -> Result<Availability> {
        let row =
            sqlx::query("SELECT status, reason, changed_at FROM agent_status WHERE user_id = $1")
                .bind(user.get())
                .fetch_optional(self.pool())
                .await?;
        let (status, reason, changed_at) = match row {
            Some(row) => {
                let s = get_text(&row, "status")?;
                (
                    parsed("status", AgentStatus::parse(&s).ok_or("unknown status"))?,
                    get_opt_text(&row, "reason")?,
                    Some(Timestamp(get_i64(&row, "changed_at")?)),
                )
            }
            None => (AgentStatus::Unavailable, None, None),
        };
        expect_visibility(vis, Resource::QueueAgents)?;
        let mut sql = Sql::new(SELECT_AGENT);
        sql.push(" WHERE qa.user_id = ")
            .bind(user.get())
            .push(" AND ");
        push_predicate(&mut sql, vis.predicate(), &AGENT_SCOPING);
        sql.push(" ORDER BY q.extension");
        let queues = sql
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(agent)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Availability {
            user_id: user,
            status,
            reason,
            changed_at,
            queues,
        })
    }

    pub async fn set_availability(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        target: &crate::UserRecord,
        status: AgentStatus,
        reason: Option<String>,
    ) -> Result<Timestamp> {
        expect_permit(permit, Resource::AgentAvailability, Action::Update)?;
        let now = Timestamp::now();
        let mut w = self.begin_write().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT status FROM agent_status WHERE user_id = $1")
                .bind(target.user.id.get())
                .fetch_optional(&mut *w.tx)
                .await?;
        sqlx::query(
            "INSERT INTO agent_status (user_id, domain_id, status, reason, changed_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, changed_at = excluded.changed_at",
        )
        .bind(target.user.id.get()).bind(target.user.domain_id.get()).bind(status.as_str()).bind(reason.clone()).bind(now.0)
        .execute(&mut *w.tx).await?;
        let place = AuditPlace {
            reseller: Some(target.reseller_id),
            domain: Some(target.user.domain_id),
            site: target.user.site_id,
        };
        record(
            &mut w.tx,
            ctx,
            place,
            "agent.availability",
            &format!("agent {}", target.user.extension),
            Some(&serde_json::json!({"status": before.unwrap_or_else(|| "unavailable".into())})),
            Some(&serde_json::json!({"status": status, "reason": reason})),
        )
        .await?;
        w.commit().await?;
        Ok(now)
    }
}
