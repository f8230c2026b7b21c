//! Queue and agent statistics, summed per 15-minute UTC slot (every time zone's offset is a
//! multiple of 15 minutes), so the caller can fold slots into local hours, days or months.
//!
//! Ingestion keeps the sums of every whole slot in `queue_slot_stats`; a report reads those for
//! the slots its range covers whole, and sums the calls themselves only for the partial slots at
//! its edges. A service-level threshold the table does not keep is read from a kept one, corrected
//! by the few calls whose waits lie between the two.

use crate::sql::{Columns, Scoping, Sql, Value, bulk_chunks, get_i64, push_predicate};
use crate::{NewCall, Result, Store, Visibility, expect_visibility};
use std::collections::BTreeMap;
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

/// The same reach over the per-slot sums, whose rows carry the domain, queue and agent.
const SLOT_SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = s.domain_id)"),
    domain: Some("s.domain_id"),
    site: Some("s.queue_id IN (SELECT q.id FROM call_queues q WHERE q.site_id = {})"),
    owner: Some("s.agent_user_id = {}"),
    queues: Some("s.queue_id IN {}"),
    shared: None,
};

/// How a report folds 15-minute slots into its intervals (local hours, days or months): bins
/// that start at given slots, kept as runs of bins of one width, so that the statement sums each
/// interval itself (a few hundred rows come back, not one per slot) with a short `CASE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotBins {
    /// (first slot of the run, width in slots); a run ends where the next begins.
    runs: Vec<(i64, i64)>,
}

impl SlotBins {
    /// Every slot its own bin.
    pub fn slots() -> SlotBins {
        SlotBins { runs: vec![(0, 1)] }
    }

    /// Bins starting at `starts` (ascending); the last one runs on to `end` (exclusive, a slot),
    /// and before the first start each slot is its own bin.
    pub fn starting_at(starts: &[i64], end: i64) -> SlotBins {
        let mut runs: Vec<(i64, i64)> = Vec::new();
        let mut bounds: Vec<i64> = starts.to_vec();
        bounds.push(end.max(starts.last().copied().unwrap_or(end) + 1));
        for pair in bounds.windows(2) {
            let (start, width) = (pair[0], pair[1] - pair[0]);
            if width <= 0 {
                continue;
            }
            match runs.last() {
                Some(&(first, w)) if w == width && (start - first) % w == 0 => {}
                _ => runs.push((start, width)),
            }
        }
        if runs.is_empty() {
            return SlotBins::slots();
        }
        if runs[0].0 > 0 {
            runs.insert(0, (0, 1));
        }
        SlotBins { runs }
    }

    /// The first slot of the bin holding `slot`.
    pub fn start_of(&self, slot: i64) -> i64 {
        let at = self.runs.partition_point(|&(first, _)| first <= slot);
        let (first, width) = self.runs[at.saturating_sub(1)];
        first + (slot - first).div_euclid(width) * width
    }

    /// The same as `start_of`, as SQL over the slot column `column` (integers only: no binds).
    fn push_start_of(&self, sql: &mut Sql, column: &str) {
        let formula = |(first, width): (i64, i64)| {
            if width == 1 {
                column.to_owned()
            } else {
                format!("{first} + ({column} - {first}) / {width} * {width}")
            }
        };
        if let [only] = self.runs[..] {
            sql.push(&formula(only));
            return;
        }
        sql.push("CASE");
        for pair in self.runs.windows(2) {
            sql.push(&format!(
                " WHEN {column} < {} THEN {}",
                pair[1].0,
                formula(pair[0])
            ));
        }
        let last = self.runs[self.runs.len() - 1];
        sql.push(&format!(" ELSE {} END", formula(last)));
    }
}

/// The service-level thresholds (seconds) kept in the per-slot sums (`within_N`); a report with
/// another threshold corrects the nearest of them with the calls between (`service_level_band`).
pub const KEPT_SERVICE_LEVELS: [u32; 12] = [5, 10, 15, 20, 25, 30, 45, 60, 90, 120, 180, 300];

/// The parts of a range: the whole slots in the middle (read from the sums) and the partial
/// slots at either end (read from the calls).
struct Split {
    head: Option<ReportRange>,
    slots: Option<(i64, i64)>,
    tail: Option<ReportRange>,
}

fn split(range: &ReportRange) -> Split {
    let (since, until) = (range.since.0, range.until.0);
    // Slots are `started_at / 900`, truncated: the same as floor only from 1970 on.
    let first = (since + SLOT_SECONDS - 1).div_euclid(SLOT_SECONDS);
    let end = until.div_euclid(SLOT_SECONDS);
    if since < 0 || first >= end {
        return Split {
            head: Some(*range),
            slots: None,
            tail: None,
        };
    }
    let part = |from: i64, to: i64| {
        (from < to).then_some(ReportRange {
            since: Timestamp(from),
            until: Timestamp(to),
            queue: range.queue,
        })
    };
    Split {
        head: part(since, first * SLOT_SECONDS),
        slots: Some((first, end)),
        tail: part(end * SLOT_SECONDS, until),
    }
}

/// ` FROM calls WHERE` the queue calls of the range in reach; `from` names the table (and on
/// SQLite may pin its index).
fn range_filter(
    sql: &mut Sql,
    from: &str,
    vis: &Visibility,
    domain: DomainId,
    range: &ReportRange,
) {
    sql.push(from)
        .push(" WHERE calls.domain_id = ")
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

fn slots_filter(
    sql: &mut Sql,
    vis: &Visibility,
    domain: DomainId,
    (first, end): (i64, i64),
    queue: Option<QueueId>,
) {
    sql.push(" FROM queue_slot_stats s WHERE s.domain_id = ")
        .bind(domain.get());
    sql.push(" AND s.slot >= ").bind(first);
    sql.push(" AND s.slot < ").bind(end).push(" AND ");
    push_predicate(sql, vis.predicate(), &SLOT_SCOPING);
    if let Some(queue) = queue {
        sql.push(" AND s.queue_id = ").bind(queue.get());
    }
}

fn queue_slot(r: &(impl Columns + ?Sized)) -> Result<QueueSlot, sqlx::Error> {
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
}

fn agent_sums(r: &(impl Columns + ?Sized)) -> Result<AgentSums, sqlx::Error> {
    Ok(AgentSums {
        user_id: UserId(get_i64(r, "user_id")?),
        answered: get_i64(r, "answered")?,
        talk: get_i64(r, "talk")?,
    })
}

impl Store {
    /// Queue sums per queue and bin (`slot` is the bin's first slot; a bin cut by the range's
    /// edge may come in two rows), cut to the caller's reach (`vis` for `Reports`).
    pub async fn queue_slots(
        &self,
        vis: &Visibility,
        domain: DomainId,
        range: &ReportRange,
        service_level_seconds: u32,
        bins: &SlotBins,
    ) -> Result<Vec<QueueSlot>> {
        expect_visibility(vis, Resource::Reports)?;
        let parts = split(range);
        let (kept, band) = service_level_band(service_level_seconds);
        let mut out = Vec::new();
        for part in [parts.head, parts.tail].into_iter().flatten() {
            let sql = queue_slots_from_calls(vis, domain, &part, service_level_seconds);
            for mut slot in self.fetch_decoded(sql, |r| queue_slot(r)).await? {
                slot.slot = bins.start_of(slot.slot);
                out.push(slot);
            }
        }
        if let Some(slots) = parts.slots {
            let mut corrections: BTreeMap<(QueueId, i64), i64> = BTreeMap::new();
            if let Some(band) = band {
                let sql = answered_in_band(self.backend(), vis, domain, slots, range.queue, &band);
                let counts = self
                    .fetch_decoded(sql, |r| {
                        let key = (QueueId(get_i64(r, "queue_id")?), get_i64(r, "slot")?);
                        Ok((key, get_i64(r, "n")?))
                    })
                    .await?;
                for ((queue, slot), n) in counts {
                    *corrections.entry((queue, bins.start_of(slot))).or_default() += band.sign * n;
                }
            }
            let mut sql = Sql::new("SELECT s.queue_id AS queue_id, ");
            bins.push_start_of(&mut sql, "s.slot");
            sql.push(
                " AS slot, CAST(SUM(s.offered) AS BIGINT) AS offered, \
                 CAST(SUM(s.answered) AS BIGINT) AS answered, CAST(SUM(s.abandoned) AS BIGINT) AS abandoned, \
                 CAST(SUM(s.timed_out) AS BIGINT) AS timed_out, CAST(SUM(s.within_",
            );
            // A column name from the fixed list above, never the caller's text.
            sql.push(&kept.to_string()).push(
                ") AS BIGINT) AS answered_within, CAST(SUM(s.answered_wait) AS BIGINT) AS answered_wait, \
                 CAST(MAX(s.longest_wait) AS BIGINT) AS longest_wait, CAST(SUM(s.talk) AS BIGINT) AS talk",
            );
            slots_filter(&mut sql, vis, domain, slots, range.queue);
            sql.push(" GROUP BY 1, 2");
            for mut slot in self.fetch_decoded(sql, |r| queue_slot(r)).await? {
                slot.answered_within += corrections
                    .get(&(slot.queue_id, slot.slot))
                    .copied()
                    .unwrap_or(0);
                out.push(slot);
            }
        }
        out.sort_by_key(|s| (s.queue_id, s.slot));
        Ok(out)
    }

    /// Queue calls answered per agent, cut to the caller's reach (`vis` for `Reports`).
    pub async fn agent_sums(
        &self,
        vis: &Visibility,
        domain: DomainId,
        range: &ReportRange,
    ) -> Result<Vec<AgentSums>> {
        expect_visibility(vis, Resource::Reports)?;
        let parts = split(range);
        let mut sums: BTreeMap<UserId, AgentSums> = BTreeMap::new();
        let mut add = |s: AgentSums| {
            let e = sums.entry(s.user_id).or_insert(AgentSums {
                user_id: s.user_id,
                answered: 0,
                talk: 0,
            });
            e.answered += s.answered;
            e.talk += s.talk;
        };
        for part in [parts.head, parts.tail].into_iter().flatten() {
            let mut sql = Sql::new(
                "SELECT calls.agent_user_id AS user_id, COUNT(*) AS answered, CAST(SUM(calls.talk_seconds) AS BIGINT) AS talk",
            );
            range_filter(&mut sql, " FROM calls", vis, domain, &part);
            sql.push(" AND calls.agent_user_id IS NOT NULL AND calls.disposition = 'answered' GROUP BY calls.agent_user_id");
            for sums in self.fetch_decoded(sql, |r| agent_sums(r)).await? {
                add(sums);
            }
        }
        if let Some(slots) = parts.slots {
            let mut sql = Sql::new(
                "SELECT s.agent_user_id AS user_id, CAST(SUM(s.answered) AS BIGINT) AS answered, \
                 CAST(SUM(s.answered_talk) AS BIGINT) AS talk",
            );
            slots_filter(&mut sql, vis, domain, slots, range.queue);
            sql.push(
                " AND s.agent_user_id <> 0 GROUP BY s.agent_user_id HAVING SUM(s.answered) > 0",
            );
            for sums in self.fetch_decoded(sql, |r| agent_sums(r)).await? {
                add(sums);
            }
        }
        Ok(sums.into_values().collect())
    }
}

/// Answered calls whose waits lie in `(low, high]`: `sign` says whether they add to the kept
/// threshold's count or come off it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WaitBand {
    low: u32,
    high: u32,
    sign: i64,
}

/// The kept threshold a service level is read from, and the band of waits that corrects it: the
/// nearest kept threshold below (37 s: 30 s plus waits of 31 … 37 s), or for one under the
/// lowest, that one less the waits above the threshold (3 s: 5 s less waits of 4 and 5 s).
fn service_level_band(seconds: u32) -> (u32, Option<WaitBand>) {
    if KEPT_SERVICE_LEVELS.contains(&seconds) {
        return (seconds, None);
    }
    match KEPT_SERVICE_LEVELS.iter().rev().find(|k| **k < seconds) {
        Some(&kept) => (
            kept,
            Some(WaitBand {
                low: kept,
                high: seconds,
                sign: 1,
            }),
        ),
        None => {
            let lowest = KEPT_SERVICE_LEVELS[0];
            (
                lowest,
                Some(WaitBand {
                    low: seconds,
                    high: lowest,
                    sign: -1,
                }),
            )
        }
    }
}

/// Waits listed one by one up to this many (the index is sought once per wait, reading only that
/// wait's calls in the range); a wider band is read as one range of waits over all time.
const LISTED_WAITS: u32 = 128;

/// Answered calls per queue and slot with waits in the band, over whole slots.
fn answered_in_band(
    backend: crate::Backend,
    vis: &Visibility,
    domain: DomainId,
    (first, end): (i64, i64),
    queue: Option<QueueId>,
    band: &WaitBand,
) -> Sql {
    let mut sql = Sql::new(
        "SELECT calls.queue_id AS queue_id, calls.started_at / 900 AS slot, COUNT(*) AS n",
    );
    let range = ReportRange {
        since: Timestamp(first * SLOT_SECONDS),
        until: Timestamp(end * SLOT_SECONDS),
        queue,
    };
    // Without statistics SQLite judges a list of waits dearer than the month's range and reads
    // every queue call of the month through `calls_queue_report` (7× slower at a million calls).
    let from = match backend {
        crate::Backend::Sqlite => " FROM calls INDEXED BY calls_answered_by_wait",
        crate::Backend::Postgres => " FROM calls",
    };
    range_filter(&mut sql, from, vis, domain, &range);
    sql.push(" AND calls.disposition = 'answered' AND calls.wait_seconds ");
    if band.high - band.low <= LISTED_WAITS {
        sql.push("IN ")
            .bind_list((band.low + 1..=band.high).map(i64::from));
    } else {
        sql.push("> ").bind(i64::from(band.low));
        sql.push(" AND calls.wait_seconds <= ")
            .bind(i64::from(band.high));
    }
    sql.push(" GROUP BY calls.queue_id, calls.started_at / 900");
    sql
}

/// Queue sums per slot computed from the calls (any threshold, any range).
fn queue_slots_from_calls(
    vis: &Visibility,
    domain: DomainId,
    range: &ReportRange,
    service_level_seconds: u32,
) -> Sql {
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
    range_filter(&mut sql, " FROM calls", vis, domain, range);
    sql.push(" GROUP BY calls.queue_id, calls.started_at / 900");
    sql
}

/// What one slot, queue and agent add to the per-slot sums.
#[derive(Default)]
struct SlotSums {
    offered: i64,
    answered: i64,
    abandoned: i64,
    timed_out: i64,
    answered_wait: i64,
    answered_talk: i64,
    longest_wait: i64,
    talk: i64,
    within: [i64; KEPT_SERVICE_LEVELS.len()],
}

/// The statements that add newly stored calls to the per-slot sums (to run in the transaction
/// that stores them). The sums mean exactly what `queue_slots_from_calls` computes; migration
/// 0007 fills them the same way.
pub(crate) fn queue_slot_upserts(
    backend: crate::Backend,
    domain: DomainId,
    calls: &[&NewCall],
) -> Vec<Sql> {
    let mut sums: BTreeMap<(i64, i64, i64), SlotSums> = BTreeMap::new();
    for c in calls {
        let Some(queue) = c.queue_id else { continue };
        let key = (
            c.started_at.0 / SLOT_SECONDS,
            queue.get(),
            c.agent_user_id.map_or(0, |u| u.get()),
        );
        let s = sums.entry(key).or_default();
        let (wait, talk) = (c.wait_seconds(), c.talk_seconds());
        s.offered += 1;
        match c.disposition {
            Disposition::Answered => {
                s.answered += 1;
                s.answered_wait += wait;
                s.answered_talk += talk;
                for (n, level) in KEPT_SERVICE_LEVELS.iter().enumerate() {
                    if wait <= i64::from(*level) {
                        s.within[n] += 1;
                    }
                }
            }
            Disposition::Abandoned => s.abandoned += 1,
            _ => s.timed_out += 1,
        }
        s.longest_wait = s.longest_wait.max(wait);
        s.talk += talk;
    }
    const SUMMED: [&str; 7] = [
        "offered",
        "answered",
        "abandoned",
        "timed_out",
        "answered_wait",
        "answered_talk",
        "talk",
    ];
    let within: Vec<String> = KEPT_SERVICE_LEVELS
        .iter()
        .map(|l| format!("within_{l}"))
        .collect();
    let mut columns: Vec<&str> = SUMMED.to_vec();
    columns.push("longest_wait");
    columns.extend(within.iter().map(String::as_str));
    let rows: Vec<Vec<Value>> = sums
        .iter()
        .map(|((slot, queue, agent), s)| {
            let mut row = vec![
                domain.get(),
                *slot,
                *queue,
                *agent,
                s.offered,
                s.answered,
                s.abandoned,
                s.timed_out,
                s.answered_wait,
                s.answered_talk,
                s.talk,
                s.longest_wait,
            ];
            row.extend_from_slice(&s.within);
            row.into_iter().map(Value::from).collect()
        })
        .collect();
    // 24 values a row, within SQLite's 32,766 a statement.
    let mut statements = Vec::new();
    for part in bulk_chunks(&rows, 1_024) {
        let mut sql =
            Sql::new("INSERT INTO queue_slot_stats (domain_id, slot, queue_id, agent_user_id");
        for c in &columns {
            sql.push(", ").push(c);
        }
        sql.push(")").push_values(backend, part.iter().cloned());
        sql.push(" ON CONFLICT (domain_id, slot, queue_id, agent_user_id) DO UPDATE SET ");
        for (n, c) in columns.iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            if *c == "longest_wait" {
                // MAX(a, b) in SQLite is GREATEST(a, b) in PostgreSQL; CASE is both.
                sql.push("longest_wait = CASE WHEN excluded.longest_wait > queue_slot_stats.longest_wait \
                          THEN excluded.longest_wait ELSE queue_slot_stats.longest_wait END");
            } else {
                sql.push(&format!("{c} = queue_slot_stats.{c} + excluded.{c}"));
            }
        }
        statements.push(sql);
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A slot's bin is the last start at or before it (before the first start, the slot
        /// itself), and the SQL says the same as the Rust.
        #[test]
        fn a_slot_falls_in_the_last_bin_starting_at_or_before_it(
            first in 0i64..5_000,
            widths in proptest::collection::vec(1i64..200, 0..40),
            probes in proptest::collection::vec(0i64..20_000, 1..60),
        ) {
            let mut starts = vec![first];
            for w in &widths {
                starts.push(starts[starts.len() - 1] + w);
            }
            let end = starts[starts.len() - 1] + 100;
            let bins = SlotBins::starting_at(&starts, end);
            let db = rusqlite::Connection::open_in_memory().unwrap();
            let mut sql = Sql::new("SELECT ");
            bins.push_start_of(&mut sql, "?1");
            let mut statement = db.prepare(&sql.text).unwrap();
            for slot in probes {
                let expected = starts.iter().rev().find(|s| **s <= slot).copied().unwrap_or(slot);
                let in_sql: i64 = statement.query_row([slot], |r| r.get(0)).unwrap();
                prop_assert_eq!(bins.start_of(slot), in_sql, "slot {}", slot);
                if slot < end {
                    prop_assert_eq!(bins.start_of(slot), expected, "slot {}", slot);
                }
            }
        }
    }

    /// For every threshold the API accepts and every wait, the kept count corrected by the band
    /// counts a call exactly when its wait is within the threshold.
    #[test]
    fn a_kept_threshold_and_its_band_count_exactly_the_waits_within_any_threshold() {
        for threshold in 0..=3600u32 {
            let (kept, band) = service_level_band(threshold);
            assert!(KEPT_SERVICE_LEVELS.contains(&kept), "{threshold}");
            for wait in 0..=3700u32 {
                let in_band =
                    band.map_or(0, |b| i64::from(b.low < wait && wait <= b.high) * b.sign);
                let counted = i64::from(wait <= kept) + in_band;
                assert_eq!(
                    counted,
                    i64::from(wait <= threshold),
                    "{threshold} s, wait {wait} s"
                );
            }
        }
    }
}
