//! Queue and agent statistics, summed per 15-minute UTC slot in SQL (every time zone's offset
//! is a multiple of 15 minutes), so the caller can fold slots into local hours, days or months.

use crate::sql::{Scoping, Sql, get_i64, push_predicate};
use crate::{Result, Store, Visibility, expect_visibility};
use switchboard_domain::*;
use switchboard_policy::Resource;

pub const SLOT_SECONDS: i64 = 900;

/// Sums for one queue in one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueSlot {
    pub queue_id: QueueId,
    /// `started_at / 900`.
    pub slot: i64,
    pub offered: i64,
    pub answered: i64,
    pub abandoned: i64,
    /// Left the queue unanswered without hanging up: timed out, queue full, no agents.
    pub timed_out: i64,
    pub answered_within: i64,
    /// Sum of waits of answered calls.
    pub answered_wait: i64,
    pub longest_wait: i64,
    pub talk: i64,
}

/// Sums for one agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentSums {
    pub user_id: UserId,
    pub answered: i64,
    pub talk: i64,
}

/// What the statistics cover.
#[derive(Clone, Copy, Debug)]
pub struct ReportRange {
    pub since: Timestamp,
    pub until: Timestamp,
    pub queue: Option<QueueId>,
}

const SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = calls.domain_id)"),
    domain: Some("calls.domain_id"),
    site: Some("calls.queue_id IN (SELECT q.id FROM call_queues q WHERE q.site_id = {})"),
    owner: Some("calls.agent_user_id = {}"),
    queues: Some("calls.queue_id IN {}"),
    shared: None,
};

fn range_filter(sql: &mut Sql, vis: &Visibility, domain: DomainId, range: &ReportRange) {
    sql.push(" FROM calls WHERE calls.domain_id = ")
        .bind(domain.get());
    sql.push(" AND calls.queue_id IS NOT NULL AND calls.started_at >= ")
        .bind(range.since.0);
    sql.push(" AND calls.started_at < ")
        .bind(range.until.0)
        .push(" AND ");
    push_predicate(sql, vis.predicate(), &SCOPING);
    if let Some(queue) = range.queue {
        sql.push(" AND calls.queue_id = ").bind(queue.get());
    }
}

impl Store {
    /// Queue sums per queue and slot, cut to the caller's reach (`vis` for `Reports`).
    pub async fn queue_slots(
        &self,
        vis: &Visibility,
        domain: DomainId,
        range: &ReportRange,
        service_level_seconds: u32,
    ) -> Result<Vec<QueueSlot>> {
        expect_visibility(vis, Resource::Reports)?;
        let mut sql = Sql::new(
            "SELECT calls.queue_id AS queue_id, calls.started_at / 900 AS slot, COUNT(*) AS offered, \
            CAST(SUM(CASE WHEN calls.disposition = 'answered' THEN 1 ELSE 0 END) AS BIGINT) AS answered, \
            CAST(SUM(CASE WHEN calls.disposition = 'abandoned' THEN 1 ELSE 0 END) AS BIGINT) AS abandoned, \
            CAST(SUM(CASE WHEN calls.disposition NOT IN ('answered', 'abandoned') THEN 1 ELSE 0 END) AS BIGINT) AS timed_out, \
            CAST(SUM(CASE WHEN calls.disposition = 'answered' AND calls.wait_seconds <= ",
        );
        sql.bind(i64::from(service_level_seconds));
        sql.push(" THEN 1 ELSE 0 END) AS BIGINT) AS answered_within, \
            CAST(SUM(CASE WHEN calls.disposition = 'answered' THEN calls.wait_seconds ELSE 0 END) AS BIGINT) AS answered_wait, \
            CAST(MAX(calls.wait_seconds) AS BIGINT) AS longest_wait, CAST(SUM(calls.talk_seconds) AS BIGINT) AS talk");
        range_filter(&mut sql, vis, domain, range);
        sql.push(" GROUP BY calls.queue_id, calls.started_at / 900 ORDER BY calls.queue_id, slot");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(QueueSlot {
                    queue_id: QueueId(get_i64(r, "queue_id")?),
                    slot: get_i64(r, "slot")?,
                    offered: get_i64(r, "offered")?,
                    answered: get_i64(r, "answered")?,
                    abandoned: get_i64(r, "abandoned")?,
                    timed_out: get_i64(r, "timed_out")?,
                    answered_within: get_i64(r, "answered_within")?,
                    answered_wait: get_i64(r, "answered_wait")?,
                    longest_wait: get_i64(r, "longest_wait")?,
                    talk: get_i64(r, "talk")?,
                })
            })
            .collect()
    }

    /// Queue calls answered per agent, cut to the caller's reach (`vis` for `Reports`).
    pub async fn agent_sums(
        &self,
        vis: &Visibility,
        domain: DomainId,
        range: &ReportRange,
    ) -> Result<Vec<AgentSums>> {
        expect_visibility(vis, Resource::Reports)?;
        let mut sql = Sql::new(
            "SELECT calls.agent_user_id AS user_id, COUNT(*) AS answered, CAST(SUM(calls.talk_seconds) AS BIGINT) AS talk",
        );
        range_filter(&mut sql, vis, domain, range);
        sql.push(" AND calls.agent_user_id IS NOT NULL AND calls.disposition = 'answered' GROUP BY calls.agent_user_id ORDER BY calls.agent_user_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(AgentSums {
                    user_id: UserId(get_i64(r, "user_id")?),
                    answered: get_i64(r, "answered")?,
                    talk: get_i64(r, "talk")?,
                })
            })
            .collect()
    }
}
