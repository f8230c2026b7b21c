//! Call records: idempotent ingestion and the scoped call-history query.

use crate::audit::{AuditPlace, audit_insert};
use crate::reports::queue_slot_upserts;
use crate::sql::{
    Columns, Scoping, Sql, Value, bulk_chunks, contains_pattern, get_i64, get_opt_i64,
    get_opt_text, get_text, parsed, push_predicate,
};
use crate::{
    AuditContext, Permit, Result, Store, StoreError, Visibility, expect_permit, expect_visibility,
};
use std::collections::{HashMap, HashSet};
use switchboard_domain::*;
use switchboard_policy::{Action, Atom, Resource};

/// A call to store; extensions are already resolved to ids by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    pub call_id: String,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub queue_id: Option<QueueId>,
    pub agent_user_id: Option<UserId>,
    /// The answering agent as the switch named it, when it is no user here.
    pub agent_name: Option<String>,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Timestamp,
    pub disposition: Disposition,
    pub user_ids: Vec<UserId>,
    pub site_ids: Vec<SiteId>,
}

impl NewCall {
    pub fn wait_seconds(&self) -> i64 {
        (self.answered_at.unwrap_or(self.ended_at).0 - self.started_at.0).max(0)
    }
    pub fn talk_seconds(&self) -> i64 {
        self.answered_at
            .map_or(0, |a| (self.ended_at.0 - a.0).max(0))
    }
}

/// Filters on call history.
#[derive(Clone, Debug, Default)]
pub struct CallFilter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub direction: Option<Direction>,
    /// Contained in the from or to number.
    pub number: Option<String>,
    pub user: Option<UserId>,
    pub queue: Option<QueueId>,
    pub disposition: Option<Disposition>,
}

/// Newest first: a page starts after (started_at, id) of the previous page's last call.
#[derive(Clone, Copy, Debug)]
pub struct CallPageRequest {
    pub before: Option<(Timestamp, CallId)>,
    pub limit: u32,
}

#[derive(Clone, Debug)]
pub struct CallPage {
    pub items: Vec<CallRecord>,
    pub next_before: Option<(Timestamp, CallId)>,
}

const SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = calls.domain_id)"),
    domain: Some("calls.domain_id"),
    // A party row is looked up by its whole key: (domain, party, time, call).
    site: Some(
        "EXISTS (SELECT 1 FROM call_sites cs WHERE cs.domain_id = calls.domain_id AND cs.site_id = {} \
         AND cs.started_at = calls.started_at AND cs.call_pk = calls.id)",
    ),
    owner: Some(
        "EXISTS (SELECT 1 FROM call_users cu WHERE cu.domain_id = calls.domain_id AND cu.user_id = {} \
         AND cu.started_at = calls.started_at AND cu.call_pk = calls.id)",
    ),
    // Through a supervised queue, or with an agent of one.
    queues: Some(
        "(calls.queue_id IN {} OR EXISTS (SELECT 1 FROM queue_agents qa JOIN call_users cu \
         ON cu.domain_id = calls.domain_id AND cu.user_id = qa.user_id \
         AND cu.started_at = calls.started_at AND cu.call_pk = calls.id WHERE qa.queue_id IN {}))",
    ),
    shared: None,
};

pub(crate) fn call(row: &(impl Columns + ?Sized)) -> Result<CallRecord, sqlx::Error> {
    let direction = get_text(row, "direction")?;
    let disposition = get_text(row, "disposition")?;
    let secs = |col: &str| -> Result<u32, sqlx::Error> {
        Ok(u32::try_from(get_i64(row, col)?).unwrap_or(u32::MAX))
    };
    Ok(CallRecord {
        id: CallId(get_i64(row, "id")?),
        call_id: get_text(row, "call_id")?,
        domain_id: DomainId(get_i64(row, "domain_id")?),
        direction: parsed(
            "direction",
            Direction::parse(&direction).ok_or("unknown direction"),
        )?,
        from: get_text(row, "from_number")?,
        to: get_text(row, "to_number")?,
        queue_id: get_opt_i64(row, "queue_id")?.map(QueueId),
        agent_user_id: get_opt_i64(row, "agent_user_id")?.map(UserId),
        agent_name: get_opt_text(row, "agent_name")?,
        started_at: Timestamp(get_i64(row, "started_at")?),
        answered_at: get_opt_i64(row, "answered_at")?.map(Timestamp),
        ended_at: Timestamp(get_i64(row, "ended_at")?),
        wait_seconds: secs("wait_seconds")?,
        talk_seconds: secs("talk_seconds")?,
        disposition: parsed(
            "disposition",
            Disposition::parse(&disposition).ok_or("unknown disposition"),
        )?,
        user_ids: id_list(row, "user_ids", UserId)?,
        site_ids: id_list(row, "site_ids", SiteId)?,
    })
}

/// A call's parties as kept on its row: ids joined by commas, in any order; returned sorted.
fn id_list<T: Ord>(
    row: &(impl Columns + ?Sized),
    col: &str,
    id: fn(i64) -> T,
) -> Result<Vec<T>, sqlx::Error> {
    let text = get_text(row, col)?;
    let mut ids = parsed(
        col,
        text.split(',')
            .filter(|part| !part.is_empty())
            .map(|part| part.parse::<i64>().map(id))
            .collect::<Result<Vec<T>, _>>(),
    )?;
    ids.sort_unstable();
    Ok(ids)
}

/// One index-driven stream of a scope's calls, newest first.
#[derive(Clone, Copy, Debug)]
enum Branch {
    /// The calls of one queue (`calls_by_queue_time`).
    Queue(i64),
    /// The calls one user took part in (`call_users`, kept by party and time).
    User(i64),
    /// The calls touching one site (`call_sites`, kept by party and time).
    Site(i64),
}

/// More branches than this and one walk of the domain's calls is cheaper.
const MAX_BRANCHES: usize = 64;

/// The index-driven branches whose union is exactly the predicate's calls, or `None` when the
/// predicate covers the whole domain (or too many branches): then the domain's time index drives.
/// `agents` are the current agents of the predicate's queues (a supervisor sees their calls).
fn branches(vis: &Visibility, domain: DomainId, agents: &[i64]) -> Option<Vec<Branch>> {
    let mut out = Vec::new();
    for atom in &vis.predicate().0 {
        match atom {
            Atom::Owner(user) => out.push(Branch::User(user.get())),
            Atom::Site(d, site) if *d == domain => out.push(Branch::Site(site.get())),
            Atom::Queues(d, queues) if *d == domain => {
                out.extend(queues.iter().map(|q| Branch::Queue(q.get())));
                out.extend(agents.iter().map(|a| Branch::User(*a)));
            }
            // Another domain's site or queues: nothing here.
            Atom::Site(..) | Atom::Queues(..) => {}
            Atom::All | Atom::Reseller(_) | Atom::Domain(_) | Atom::Shared(_) => return None,
        }
    }
    out.sort_by_key(|b| match b {
        Branch::Queue(q) => (0, *q),
        Branch::User(u) => (1, *u),
        Branch::Site(s) => (2, *s),
    });
    out.dedup_by_key(|b| match b {
        Branch::Queue(q) => (0, *q),
        Branch::User(u) => (1, *u),
        Branch::Site(s) => (2, *s),
    });
    (!out.is_empty() && out.len() <= MAX_BRANCHES).then_some(out)
}

/// The SQL of one page of call history. Each party of the reach (a user, a site, a queue, a
/// supervised queue's agent) is read from its own time index, newest first and no further than
/// the page; the page is the newest of their union. So a page costs the same however rare the
/// parties' calls are. A reach covering the whole domain walks the domain's time index.
fn page_sql(
    vis: &Visibility,
    domain: DomainId,
    filter: &CallFilter,
    page: CallPageRequest,
    agents: &[i64],
) -> Sql {
    let Some(branches) = branches(vis, domain, agents) else {
        let mut sql = filtered(vis, domain, filter, "SELECT calls.*");
        push_keyset(&mut sql, page, "calls.started_at", "calls.id");
        return sql;
    };
    if let [only] = branches.as_slice() {
        // One party: its own index gives the page directly.
        let mut sql = Sql::default();
        push_branch(&mut sql, *only, domain, filter, Some(page), true);
        return sql;
    }
    let mut sql = Sql::new("SELECT calls.* FROM calls WHERE calls.id IN (");
    for (n, branch) in branches.iter().enumerate() {
        if n > 0 {
            sql.push(" UNION ");
        }
        sql.push("SELECT pk FROM (");
        push_branch(&mut sql, *branch, domain, filter, Some(page), false);
        sql.push(") b").push(&n.to_string());
    }
    sql.push(")");
    push_keyset(&mut sql, page, "calls.started_at", "calls.id");
    sql
}

/// One branch's page: whole rows (the page itself), or only the call keys as `pk` (for a union);
/// without a page, all the branch's calls (for a count).
fn push_branch(
    sql: &mut Sql,
    branch: Branch,
    domain: DomainId,
    filter: &CallFilter,
    page: Option<CallPageRequest>,
    whole_rows: bool,
) {
    let (table, column, party) = match branch {
        Branch::Queue(q) => {
            sql.push(if whole_rows {
                "SELECT calls.*"
            } else {
                "SELECT calls.id AS pk"
            });
            sql.push(" FROM calls WHERE calls.domain_id = ")
                .bind(domain.get());
            sql.push(" AND calls.queue_id = ").bind(q);
            push_filters(sql, filter);
            if let Some(page) = page {
                push_keyset(sql, page, "calls.started_at", "calls.id");
            }
            return;
        }
        Branch::User(u) => ("call_users", "user_id", u),
        Branch::Site(s) => ("call_sites", "site_id", s),
    };
    sql.push(if whole_rows {
        "SELECT calls.*"
    } else {
        "SELECT drv.call_pk AS pk"
    });
    sql.push(" FROM ")
        .push(table)
        .push(" drv JOIN calls ON calls.id = drv.call_pk WHERE drv.domain_id = ")
        .bind(domain.get());
    sql.push(" AND drv.").push(column).push(" = ").bind(party);
    sql.push(" AND calls.domain_id = ").bind(domain.get());
    push_filters(sql, filter);
    if let Some(page) = page {
        push_keyset(sql, page, "drv.started_at", "drv.call_pk");
    }
}

/// Newer-than-the-cursor condition, newest-first order and the page size (one more than asked).
fn push_keyset(sql: &mut Sql, page: CallPageRequest, order_time: &str, order_id: &str) {
    if let Some((started, id)) = page.before {
        sql.push(" AND (")
            .push(order_time)
            .push(" < ")
            .bind(started.0);
        sql.push(" OR (")
            .push(order_time)
            .push(" = ")
            .bind(started.0)
            .push(" AND ")
            .push(order_id)
            .push(" < ")
            .bind(id.get())
            .push("))");
    }
    sql.push(" ORDER BY ")
        .push(order_time)
        .push(" DESC, ")
        .push(order_id)
        .push(" DESC LIMIT ")
        .bind(i64::from(page.limit) + 1);
}

fn filtered(vis: &Visibility, domain: DomainId, filter: &CallFilter, select: &str) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM calls WHERE calls.domain_id = ")
        .bind(domain.get())
        .push(" AND ");
    push_predicate(&mut sql, vis.predicate(), &SCOPING);
    push_filters(&mut sql, filter);
    sql
}

fn push_filters(sql: &mut Sql, filter: &CallFilter) {
    if let Some(since) = filter.since {
        sql.push(" AND calls.started_at >= ").bind(since.0);
    }
    if let Some(until) = filter.until {
        sql.push(" AND calls.started_at < ").bind(until.0);
    }
    if let Some(direction) = filter.direction {
        sql.push(" AND calls.direction = ").bind(direction.as_str());
    }
    if let Some(disposition) = filter.disposition {
        sql.push(" AND calls.disposition = ")
            .bind(disposition.as_str());
    }
    if let Some(number) = filter.number.as_deref().filter(|n| !n.is_empty()) {
        let pattern = contains_pattern(number);
        sql.push(" AND (calls.from_number LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR calls.to_number LIKE ");
        sql.bind(pattern).push(" ESCAPE '\\')");
    }
    if let Some(user) = filter.user {
        sql.push(" AND EXISTS (SELECT 1 FROM call_users f WHERE f.domain_id = calls.domain_id AND f.user_id = ")
            .bind(user.get())
            .push(" AND f.started_at = calls.started_at AND f.call_pk = calls.id)");
    }
    if let Some(queue) = filter.queue {
        sql.push(" AND calls.queue_id = ").bind(queue.get());
    }
}

impl Store {
    /// Store a batch of calls in one transaction; calls whose id the domain has are skipped, and
    /// so is a call id's second appearance in the batch.
    ///
    /// On a SQLite file the calls go in through `native` (one prepared statement per row, on a
    /// blocking thread); elsewhere as multi-row inserts through sqlx (`ingest_with_sqlx`). The
    /// queue report's per-slot sums are kept up to date here too.
    pub async fn ingest_calls(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        domain: DomainId,
        calls: &[NewCall],
    ) -> Result<IngestSummary> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        // A call sent twice in one batch counts once; one already stored is not stored again
        // (`DO NOTHING`), and only the new ones get parties and report sums. Each call's parties
        // are sorted and made distinct here, once: its row and its party rows take them as they are.
        let mut seen = HashSet::with_capacity(calls.len());
        let distinct: Vec<NewCall> = calls
            .iter()
            .filter(|c| seen.insert(c.call_id.as_str()))
            .map(|c| {
                let mut c = c.clone();
                c.user_ids.sort_unstable();
                c.user_ids.dedup();
                c.site_ids.sort_unstable();
                c.site_ids.dedup();
                c
            })
            .collect();
        let backend = self.backend();
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(domain),
            site: None,
        };
        let total = calls.len();
        let ctx_for_merge = ctx.clone();
        let ctx = ctx.clone();
        // What follows the calls in their transaction: the report sums and the audit record.
        let finish = move |fresh: &[&NewCall]| {
            let mut statements = queue_slot_upserts(backend, domain, fresh);
            let after = serde_json::json!({
                "inserted": fresh.len(),
                "duplicates": total - fresh.len(),
            });
            statements.push(audit_insert(
                &ctx,
                place,
                "calls.ingest",
                &format!("{total} call record(s)"),
                None,
                Some(&after),
            ));
            statements
        };
        let (distinct, fresh) = match &self.native {
            Some(native) => {
                let _writer = self.write_guard().await;
                let native = native.clone();
                tokio::task::spawn_blocking(move || {
                    native
                        .ingest(domain, &distinct, finish)
                        .map(|fresh| (distinct, fresh))
                })
                .await
                .map_err(|e| StoreError::Internal(format!("call ingestion stopped: {e}")))??
            }
            None => {
                let fresh = self.ingest_with_sqlx(domain, &distinct, finish).await?;
                (distinct, fresh)
            }
        };
        let inserted = fresh.iter().filter(|&&f| f).count();
        // The domain had the others: what they add to the stored calls is merged in.
        let known: Vec<&NewCall> = distinct
            .iter()
            .zip(&fresh)
            .filter_map(|(c, &f)| (!f).then_some(c))
            .collect();
        let merged = if known.is_empty() {
            0
        } else {
            self.merge_into_stored(&ctx_for_merge, reseller, domain, &known)
                .await?
        };
        Ok(IngestSummary {
            inserted: inserted as u64,
            duplicates: (total - inserted) as u64 - merged,
            merged,
        })
    }

    /// `ingest_calls` through sqlx (PostgreSQL, and SQLite in memory): multi-row inserts that
    /// return the keys of the new rows. Returns which of `distinct` were new.
    async fn ingest_with_sqlx(
        &self,
        domain: DomainId,
        distinct: &[NewCall],
        finish: impl FnOnce(&[&NewCall]) -> Vec<Sql>,
    ) -> Result<Vec<bool>> {
        let all: Vec<&NewCall> = distinct.iter().collect();
        let mut w = self.begin_write().await?;
        let fresh = insert_calls_in(&mut w.tx, self.backend(), domain, &all).await?;
        let ids: HashSet<&str> = fresh.iter().map(|c| c.call_id.as_str()).collect();
        for sql in finish(&fresh) {
            sql.query().execute(&mut *w.tx).await?;
        }
        w.commit().await?;
        Ok(distinct
            .iter()
            .map(|c| ids.contains(c.call_id.as_str()))
            .collect())
    }

    /// A page of call history, newest first, cut to the caller's reach.
    pub async fn list_calls(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &CallFilter,
        page: CallPageRequest,
    ) -> Result<CallPage> {
        expect_visibility(vis, Resource::CallHistory)?;
        let agents = self.agents_in_reach(vis).await?;
        let sql = page_sql(vis, domain, filter, page, &agents);
        let mut items = self.fetch_decoded(sql, |row| call(row)).await?;
        let more = items.len() > page.limit as usize;
        items.truncate(page.limit as usize);
        let next_before = if more {
            items.last().map(|c| (c.started_at, c.id))
        } else {
            None
        };
        Ok(CallPage { items, next_before })
    }

    /// The database's plan for one page of call history (for benchmarks and diagnosis).
    pub async fn explain_calls(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &CallFilter,
        page: CallPageRequest,
    ) -> Result<Vec<String>> {
        let agents = self.agents_in_reach(vis).await?;
        let mut sql = page_sql(vis, domain, filter, page, &agents);
        let prefix = match self.backend() {
            crate::Backend::Sqlite => "EXPLAIN QUERY PLAN ",
            crate::Backend::Postgres => "EXPLAIN ",
        };
        sql.text.insert_str(0, prefix);
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let col = if self.backend() == crate::Backend::Sqlite {
                    "detail"
                } else {
                    "QUERY PLAN"
                };
                Ok(get_text(r, col)?)
            })
            .collect()
    }

    pub async fn count_calls(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &CallFilter,
    ) -> Result<i64> {
        expect_visibility(vis, Resource::CallHistory)?;
        let agents = self.agents_in_reach(vis).await?;
        let sql = match branches(vis, domain, &agents) {
            // The parties' own indexes, each call once: not a check of every call of the domain
            // against every party (a supervisor's queues and agents took seconds that way).
            Some(branches) => {
                let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (");
                for (n, branch) in branches.iter().enumerate() {
                    if n > 0 {
                        sql.push(" UNION ");
                    }
                    push_branch(&mut sql, *branch, domain, filter, None, false);
                }
                sql.push(") reach");
                sql
            }
            None => filtered(vis, domain, filter, "SELECT COUNT(*) AS n"),
        };
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    /// One call by the switch's call id, if visible.
    pub async fn get_call(
        &self,
        vis: &Visibility,
        domain: DomainId,
        call_id: &str,
    ) -> Result<CallRecord> {
        expect_visibility(vis, Resource::CallHistory)?;
        let mut sql = filtered(vis, domain, &CallFilter::default(), "SELECT calls.*");
        sql.push(" AND calls.call_id = ").bind(call_id);
        Ok(call(&sql.fetch_found(self.pool()).await?)?)
    }

    /// After a bulk load of call history: PostgreSQL has no statistics for the new rows until
    /// autovacuum gets to them, and plans counts and pages as if the tables were empty
    /// meanwhile, so they are gathered at once. SQLite plans from its indexes and needs none.
    pub async fn refresh_call_statistics(&self) -> Result<()> {
        if self.backend() == crate::Backend::Postgres {
            sqlx::query("ANALYZE calls, call_users, call_sites")
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// The current agents of the queues a predicate reaches (whose calls a supervisor sees).
    async fn agents_in_reach(&self, vis: &Visibility) -> Result<Vec<i64>> {
        let queues: Vec<i64> = vis
            .predicate()
            .0
            .iter()
            .filter_map(|atom| match atom {
                Atom::Queues(_, queues) => Some(queues.iter().map(|q| q.get())),
                _ => None,
            })
            .flatten()
            .collect();
        if queues.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT DISTINCT user_id FROM queue_agents WHERE queue_id IN ");
        sql.bind_list(queues).push(" ORDER BY user_id");
        self.fetch_decoded(sql, |r| get_i64(r, "user_id")).await
    }
}

/// Insert the calls whose ids the domain has not got, with their parties, in a transaction;
/// answers the ones that were new.
pub(crate) async fn insert_calls_in<'c>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    domain: DomainId,
    calls: &[&'c NewCall],
) -> Result<Vec<&'c NewCall>> {
    let mut fresh: Vec<&NewCall> = Vec::with_capacity(calls.len());
    for chunk in bulk_chunks(calls, CALLS_PER_STATEMENT) {
        let mut sql = Sql::new("INSERT INTO calls (");
        sql.push(&CALL_COLUMNS.join(", ")).push(")");
        sql.push_values(backend, chunk.iter().map(|c| call_values(domain, c)))
            .push(" ON CONFLICT (domain_id, call_id) DO NOTHING RETURNING id, call_id");
        let stored: HashMap<String, i64> = sql
            .query()
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| Ok((get_text(r, "call_id")?, get_i64(r, "id")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        fresh.extend(chunk.iter().filter(|c| stored.contains_key(&c.call_id)));
        // The parties carry the new rows' keys: no join back to `calls` (the planner would
        // scan the domain's calls once per party).
        for (table, col, parties) in [
            (
                "call_users",
                "user_id",
                party_rows(chunk, &stored, |c| {
                    c.user_ids.iter().map(|u| u.get()).collect()
                }),
            ),
            (
                "call_sites",
                "site_id",
                party_rows(chunk, &stored, |c| {
                    c.site_ids.iter().map(|s| s.get()).collect()
                }),
            ),
        ] {
            for part in bulk_chunks(&parties, PARTIES_PER_STATEMENT) {
                let mut sql = Sql::new("INSERT INTO ");
                sql.push(table)
                    .push(" (call_pk, domain_id, ")
                    .push(col)
                    .push(", started_at)")
                    .push_values(
                        backend,
                        part.iter().map(|&[pk, party, started_at]| {
                            [pk, domain.get(), party, started_at].map(Value::from)
                        }),
                    );
                sql.query().execute(&mut **tx).await?;
            }
        }
    }
    Ok(fresh)
}

/// Rows per statement, within SQLite's 32,766 bound values a statement: 16 values a call,
/// 4 a party.
pub(crate) const CALLS_PER_STATEMENT: usize = 1_024;
const PARTIES_PER_STATEMENT: usize = 4_096;

/// `[call_pk, party, started_at]` for every party of every new call of the chunk.
fn party_rows(
    calls: &[&NewCall],
    keys: &HashMap<String, i64>,
    parties: fn(&NewCall) -> Vec<i64>,
) -> Vec<[i64; 3]> {
    calls
        .iter()
        .filter_map(|c| Some((c, *keys.get(&c.call_id)?)))
        .flat_map(|(c, pk)| parties(c).into_iter().map(move |p| [pk, p, c.started_at.0]))
        .collect()
}

/// The columns a call is stored with, in the order of `call_values`.
pub(crate) const CALL_COLUMNS: [&str; 16] = [
    "domain_id",
    "call_id",
    "direction",
    "from_number",
    "to_number",
    "queue_id",
    "agent_user_id",
    "started_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "disposition",
    "user_ids",
    "site_ids",
    "agent_name",
];

pub(crate) fn call_values(domain: DomainId, c: &NewCall) -> [Value; 16] {
    [
        Value::from(domain.get()),
        Value::from(c.call_id.as_str()),
        Value::from(c.direction.as_str()),
        Value::from(c.from.as_str()),
        Value::from(c.to.as_str()),
        Value::from(c.queue_id.map(|q| q.get())),
        Value::from(c.agent_user_id.map(|u| u.get())),
        Value::from(c.started_at.0),
        Value::from(c.answered_at.map(|t| t.0)),
        Value::from(c.ended_at.0),
        Value::from(c.wait_seconds()),
        Value::from(c.talk_seconds()),
        Value::from(c.disposition.as_str()),
        Value::from(id_text(c.user_ids.iter().map(|u| u.get()))),
        Value::from(id_text(c.site_ids.iter().map(|s| s.get()))),
        Value::from(c.agent_name.as_deref()),
    ]
}

/// Ids joined by commas, as a call's row keeps its parties.
fn id_text(ids: impl Iterator<Item = i64>) -> String {
    let mut text = String::new();
    for (n, id) in ids.enumerate() {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&id.to_string());
    }
    text
}
