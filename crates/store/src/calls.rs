//! Call records: idempotent ingestion and the scoped call-history query.

use crate::audit::{AuditPlace, audit_insert};
use crate::call_parties::{PARTY_TABLES, PartySet, PartyTable, party_set_inserts};
use crate::call_query::{Walks, count_steps, domain_walk, page_sql, shared_sets_sql};
use crate::reports::queue_slot_upserts;
use crate::sql::{
    Columns, Sql, Value, bulk_chunks, get_i64, get_opt_i64, get_opt_text, get_text, parsed,
};
use crate::{
    AuditContext, Permit, Result, Store, StoreError, Visibility, expect_permit, expect_visibility,
};
use std::collections::{HashMap, HashSet};
use switchboard_domain::*;
use switchboard_policy::{Action, Atom, Predicate, Resource};

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

/// A count of calls that stops at a limit (`Store::count_calls`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallCount {
    /// Exact when `exact`; otherwise the limit, and more calls match.
    pub count: i64,
    pub exact: bool,
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

impl Store {
    /// How many `ingest_calls` batches are worth storing at once. PostgreSQL stores two on two
    /// connections (each server process on a core of its own: a million calls by COPY took
    /// 15.9 s on one, 10.9 s on two); SQLite has one writer.
    pub fn ingest_batches_at_once(&self) -> usize {
        if self.pg_copy.is_some() { 2 } else { 1 }
    }

    /// How many calls an import stores per `ingest_calls` batch unless told. PostgreSQL pays a
    /// commit, a key draw and three `COPY` starts per batch: a million calls took 12.5 s in
    /// batches of 5,000 and 11.5 s in batches of 20,000. SQLite writes at each commit every page
    /// the batch changed, and the party-set index changes one per set: a million calls took
    /// 17.5 s in batches of 5,000 and 14.9 s in batches of 20,000 (holding the database for a
    /// quarter of a second at a time).
    pub fn ingest_batch_size(&self) -> usize {
        20_000
    }

    /// Store a batch of calls in one transaction; calls whose id the domain has are merged into
    /// the stored ones, and a call id's second appearance in the batch is skipped. The batch is
    /// handed over: its calls are stored as they are, not copied.
    ///
    /// On a SQLite file the calls go in through `native` (one prepared statement per row, on a
    /// blocking thread); on PostgreSQL through `COPY` (`pg_copy`); a SQLite database in memory
    /// takes multi-row inserts through sqlx (`ingest_with_sqlx`). The queue report's per-slot
    /// sums are kept up to date here too.
    pub async fn ingest_calls(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        domain: DomainId,
        calls: Vec<NewCall>,
    ) -> Result<IngestSummary> {
        expect_permit(permit, Resource::CallHistory, Action::Create)?;
        // A call sent twice in one batch counts once; one already stored is not stored again
        // (`DO NOTHING`), and only the new ones get parties and report sums. Each call's parties
        // are sorted and made distinct here, once: its row and its party rows take them as they are.
        let total = calls.len();
        let first_of_its_id: Vec<bool> = {
            let mut seen = HashSet::with_capacity(total);
            calls
                .iter()
                .map(|c| seen.insert(c.call_id.as_str()))
                .collect()
        };
        let distinct: Vec<NewCall> = calls
            .into_iter()
            .zip(first_of_its_id)
            .filter_map(|(mut c, first)| {
                first.then(|| {
                    c.user_ids.sort_unstable();
                    c.user_ids.dedup();
                    c.site_ids.sort_unstable();
                    c.site_ids.dedup();
                    c
                })
            })
            .collect();
        let backend = self.backend();
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(domain),
            site: None,
        };
        let ctx_for_merge = ctx.clone();
        let ctx = ctx.clone();
        // What follows the calls in their transaction: the report sums and the audit record.
        let finish = move |fresh: &[&NewCall]| {
            let mut statements = queue_slot_upserts(backend, domain, fresh);
            statements.extend(party_set_inserts(backend, domain, fresh));
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
                let fresh = match &self.pg_copy {
                    Some(pg_copy) => pg_copy.ingest(domain, &distinct, finish).await?,
                    None => self.ingest_with_sqlx(domain, &distinct, finish).await?,
                };
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

    /// `ingest_calls` through sqlx (SQLite in memory): multi-row inserts that
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
        let walks = self.parties_in(vis, domain, filter).await?;
        let sql = page_sql(&walks, domain, filter, page);
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
        let walks = self.parties_in(vis, domain, filter).await?;
        self.explain(page_sql(&walks, domain, filter, page)).await
    }

    /// The database's plan for a count of call history (`count_calls`).
    pub async fn explain_count_calls(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &CallFilter,
        up_to: u32,
    ) -> Result<Vec<String>> {
        let walks = self.parties_in(vis, domain, filter).await?;
        let mut plans = Vec::new();
        for (n, step) in count_steps(&walks, domain, filter, up_to)
            .into_iter()
            .enumerate()
        {
            plans.push(format!("statement {}:", n + 1));
            plans.extend(self.explain(step).await?);
        }
        Ok(plans)
    }

    async fn explain(&self, mut sql: Sql) -> Result<Vec<String>> {
        let (prefix, col) = match self.backend() {
            crate::Backend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
            crate::Backend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        };
        sql.text.insert_str(0, prefix);
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(get_text(r, col)?)).collect()
    }

    /// How many of the reach's calls match, counted no further than `up_to`: exact up to it,
    /// "more than `up_to`" past it. Each party's index is walked for at most `up_to + 1` calls
    /// (`call_query::count_steps`), so a count costs the same at ten thousand calls as at ten
    /// million.
    pub async fn count_calls(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &CallFilter,
        up_to: u32,
    ) -> Result<CallCount> {
        expect_visibility(vis, Resource::CallHistory)?;
        let walks = self.parties_in(vis, domain, filter).await?;
        let limit = i64::from(up_to);
        let mut n = 0;
        for step in count_steps(&walks, domain, filter, up_to) {
            n = get_i64(&step.query().fetch_one(self.pool()).await?, "n")?;
            if n > limit {
                break;
            }
        }
        Ok(CallCount {
            count: n.min(limit),
            exact: n <= limit,
        })
    }

    /// One call by the switch's call id, if visible.
    pub async fn get_call(
        &self,
        vis: &Visibility,
        domain: DomainId,
        call_id: &str,
    ) -> Result<CallRecord> {
        expect_visibility(vis, Resource::CallHistory)?;
        let mut sql = domain_walk(
            &self.reach_in(vis, domain).await?,
            domain,
            &CallFilter::default(),
            "SELECT calls.*",
        );
        sql.push(" AND calls.call_id = ").bind(call_id);
        Ok(call(&sql.fetch_found(self.pool()).await?)?)
    }

    /// After a bulk load of call history: PostgreSQL has no statistics for the new rows until
    /// autovacuum gets to them, and plans counts and pages as if the tables were empty
    /// meanwhile (the report's per-slot sums too: it sorted them on disk, taking them for a few
    /// rows); nor does it know the new rows' pages are visible to all, so it cannot answer from
    /// the indexes alone (call history's counts do). Both are done at once: `VACUUM
    /// (ANALYZE)` reads only the pages changed since its last run. SQLite plans from its indexes
    /// and needs neither.
    pub async fn refresh_call_statistics(&self) -> Result<()> {
        if self.backend() == crate::Backend::Postgres {
            // Two statements on two connections, so two server processes share the work: `calls`
            // took as long as the other four together (0.7 s for both, one after the other, after
            // a million calls).
            let refresh = |statement: &'static str| sqlx::query(statement).execute(self.pool());
            tokio::try_join!(
                refresh("VACUUM (ANALYZE) calls"),
                refresh(
                    "VACUUM (ANALYZE) call_users, call_sites, call_party_sets, queue_slot_stats"
                ),
            )?;
        }
        Ok(())
    }

    /// What call history's walks are made of (`call_query::Walks`): the reach within one
    /// domain, the current agents of its queues (whose calls a supervisor sees), and the party
    /// sets a filter's party shares with a narrow reach.
    async fn parties_in(
        &self,
        vis: &Visibility,
        domain: DomainId,
        filter: &CallFilter,
    ) -> Result<Walks> {
        let reach = self.reach_in(vis, domain).await?;
        let agents = self.agents_in_reach(vis).await?;
        let shared = match shared_sets_sql(&reach, domain, filter, &agents) {
            Some(sql) => Some(
                self.fetch_decoded(sql, |r| {
                    Ok(PartySet {
                        user_ids: get_text(r, "user_ids")?,
                        site_ids: get_text(r, "site_ids")?,
                        queue_id: get_i64(r, "queue_id")?,
                    })
                })
                .await?,
            ),
            None => None,
        };
        Ok(Walks {
            reach,
            agents,
            shared,
        })
    }

    /// The reach within one domain. A reseller's atom is decided here, once, for the domain's
    /// own reseller: checked on each call it cost a lookup of the call's domain per call counted.
    async fn reach_in(&self, vis: &Visibility, domain: DomainId) -> Result<Predicate> {
        let mut atoms = Vec::with_capacity(vis.predicate().0.len());
        for atom in &vis.predicate().0 {
            match atom {
                Atom::Reseller(reseller) => {
                    let mut sql = Sql::new("SELECT reseller_id FROM domains WHERE id = ");
                    sql.bind(domain.get());
                    let owner = self
                        .fetch_decoded(sql, |r| get_i64(r, "reseller_id"))
                        .await?;
                    if owner.first() == Some(&reseller.get()) {
                        atoms.push(Atom::Domain(domain));
                    }
                }
                other => atoms.push(other.clone()),
            }
        }
        Ok(Predicate(atoms))
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
        for table in &PARTY_TABLES {
            let rows = party_rows(table, domain, chunk, &stored);
            for part in bulk_chunks(&rows, PARTIES_PER_STATEMENT) {
                let mut sql = Sql::new("INSERT INTO ");
                sql.push(table.name)
                    .push(" (")
                    .push(&table.columns())
                    .push(")")
                    .push_values(backend, part.iter().cloned());
                sql.query().execute(&mut **tx).await?;
            }
        }
    }
    Ok(fresh)
}

/// Rows per statement, within SQLite's 32,766 bound values a statement: 16 values a call,
/// 6 a party.
pub(crate) const CALLS_PER_STATEMENT: usize = 1_024;
const PARTIES_PER_STATEMENT: usize = 4_096;

/// A party table's rows for every new call of the chunk.
fn party_rows(
    table: &PartyTable,
    domain: DomainId,
    calls: &[&NewCall],
    keys: &HashMap<String, i64>,
) -> Vec<[Value; 6]> {
    let keyed: Vec<(i64, &NewCall)> = calls
        .iter()
        .filter_map(|&call| Some((*keys.get(&call.call_id)?, call)))
        .collect();
    table.rows(domain, &keyed).collect()
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
pub(crate) fn id_text(ids: impl Iterator<Item = i64>) -> String {
    let mut text = String::new();
    for (n, id) in ids.enumerate() {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&id.to_string());
    }
    text
}
