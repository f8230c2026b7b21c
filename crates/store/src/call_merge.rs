//! Records of one call from different sources (a switch's queue_log and its Master.csv, a live
//! post and a later file) are merged into one, not first-wins: the merge is commutative and
//! idempotent, so the files in either order, or twice, give the same call and the same figures.

use crate::audit::{AuditPlace, record};
use crate::call_parties::{PARTY_TABLES, party_set_inserts};
use crate::calls::{NewCall, call, insert_calls_in};
use crate::reports::{SLOT_SECONDS, queue_slot_upserts};
use crate::sql::{Sql, bulk_chunks};
use crate::{AuditContext, Result, Store};
use std::collections::{BTreeSet, HashMap};
use switchboard_domain::*;

/// Ids per `IN (…)` list.
const IDS_PER_STATEMENT: usize = 500;

/// Party rows one statement deletes, by four values each.
const PARTY_ROWS_PER_STATEMENT: usize = 1_000;

/// How much a disposition says of a call: a later source that knows the call was answered (or
/// that the queue timed out) wins over one that knows less.
fn weight(d: Disposition) -> u8 {
    match d {
        Disposition::Answered => 6,
        Disposition::Voicemail => 5,
        Disposition::Missed => 4,
        Disposition::Abandoned => 3,
        Disposition::Busy => 2,
        Disposition::Failed => 1,
    }
}

fn direction_weight(d: Direction) -> u8 {
    match d {
        Direction::Internal => 3,
        Direction::Outbound => 2,
        Direction::Inbound => 1,
    }
}

/// The better of two values, the same whichever comes first: a known one over a placeholder,
/// else the smaller.
fn known(a: &str, b: &str, placeholder: &str) -> String {
    match (a == placeholder, b == placeholder) {
        (true, false) => b.to_owned(),
        (false, true) => a.to_owned(),
        _ => a.min(b).to_owned(),
    }
}

fn union<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter()
        .chain(b)
        .copied()
        .collect::<BTreeSet<T>>()
        .into_iter()
        .collect()
}

fn either<T: Ord + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// One call from two records of it.
pub fn merge_call(a: &NewCall, b: &NewCall) -> NewCall {
    let disposition = if weight(a.disposition) >= weight(b.disposition) {
        a.disposition
    } else {
        b.disposition
    };
    let answered = disposition == Disposition::Answered;
    let answered_at = if answered {
        either(a.answered_at, b.answered_at)
    } else {
        None
    };
    let agent_user_id = if answered {
        either(a.agent_user_id, b.agent_user_id)
    } else {
        None
    };
    let agent_name = match (answered, agent_user_id) {
        (true, None) => match (&a.agent_name, &b.agent_name) {
            (Some(x), Some(y)) => Some(x.min(y).clone()),
            (x, y) => x.clone().or_else(|| y.clone()),
        },
        _ => None,
    };
    NewCall {
        call_id: a.call_id.clone(),
        direction: if direction_weight(a.direction) >= direction_weight(b.direction) {
            a.direction
        } else {
            b.direction
        },
        from: known(&a.from, &b.from, "anonymous"),
        to: known(&a.to, &b.to, "unknown"),
        queue_id: either(a.queue_id, b.queue_id),
        agent_user_id,
        agent_name,
        started_at: a.started_at.min(b.started_at),
        answered_at,
        ended_at: a.ended_at.max(b.ended_at),
        disposition,
        user_ids: union(&a.user_ids, &b.user_ids),
        site_ids: union(&a.site_ids, &b.site_ids),
    }
}

/// A stored call as a record to merge.
fn as_new(c: &CallRecord) -> NewCall {
    NewCall {
        call_id: c.call_id.clone(),
        direction: c.direction,
        from: c.from.clone(),
        to: c.to.clone(),
        queue_id: c.queue_id,
        agent_user_id: c.agent_user_id,
        agent_name: c.agent_name.clone(),
        started_at: c.started_at,
        answered_at: c.answered_at,
        ended_at: c.ended_at,
        disposition: c.disposition,
        user_ids: c.user_ids.clone(),
        site_ids: c.site_ids.clone(),
    }
}

/// The per-slot sums a call counts in: its 15 minutes, queue and agent.
fn slot_key(c: &NewCall) -> Option<(i64, i64, i64)> {
    let queue = c.queue_id?;
    Some((
        c.started_at.0.div_euclid(SLOT_SECONDS),
        queue.get(),
        c.agent_user_id.map_or(0, |u| u.get()),
    ))
}

impl Store {
    /// Merge records of calls the domain already has into the stored calls, in one transaction:
    /// a call that gains something is stored again whole (row, parties), and the per-slot sums it
    /// counted in, before and after, are summed again from the calls. Answers how many changed.
    pub(crate) async fn merge_into_stored(
        &self,
        ctx: &AuditContext,
        reseller: ResellerId,
        domain: DomainId,
        calls: &[&NewCall],
    ) -> Result<u64> {
        let mut w = self.begin_write().await?;
        let mut stored: HashMap<String, CallRecord> = HashMap::with_capacity(calls.len());
        for chunk in bulk_chunks(calls, IDS_PER_STATEMENT) {
            let mut sql = Sql::new("SELECT * FROM calls WHERE domain_id = ");
            sql.bind(domain.get()).push(" AND call_id IN (");
            for (n, c) in chunk.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.bind(c.call_id.as_str());
            }
            sql.push(")");
            for row in sql.query().fetch_all(&mut *w.tx).await? {
                let record = call(&row)?;
                stored.insert(record.call_id.clone(), record);
            }
        }
        let mut before = Vec::new();
        let mut after = Vec::new();
        for incoming in calls {
            let Some(old) = stored.get(&incoming.call_id) else {
                continue;
            };
            let old_call = as_new(old);
            let merged = merge_call(&old_call, incoming);
            if merged != old_call {
                before.push((old.id, old_call));
                after.push(merged);
            }
        }
        if after.is_empty() {
            return Ok(0);
        }
        // Party rows are found by their whole key: the tables have no order by call.
        for table in &PARTY_TABLES {
            let rows: Vec<(i64, i64, i64)> = before
                .iter()
                .flat_map(|(pk, call)| {
                    (table.parties)(call)
                        .into_iter()
                        .map(|party| (pk.get(), call.started_at.0, party))
                })
                .collect();
            for chunk in bulk_chunks(&rows, PARTY_ROWS_PER_STATEMENT) {
                let mut sql = Sql::new("DELETE FROM ");
                sql.push(table.name)
                    .push(" WHERE domain_id = ")
                    .bind(domain.get())
                    .push(" AND (");
                for (n, (pk, started, party)) in chunk.iter().enumerate() {
                    sql.push(if n > 0 { " OR (" } else { "(" });
                    sql.push(table.column)
                        .push(" = ")
                        .bind(*party)
                        .push(" AND started_at = ")
                        .bind(*started)
                        .push(" AND call_pk = ")
                        .bind(*pk)
                        .push(")");
                }
                sql.push(")").query().execute(&mut *w.tx).await?;
            }
        }
        let pks: Vec<i64> = before.iter().map(|(id, _)| id.get()).collect();
        for chunk in bulk_chunks(&pks, IDS_PER_STATEMENT) {
            let mut sql = Sql::new("DELETE FROM calls WHERE id IN ");
            sql.bind_list(chunk.iter().copied());
            sql.query().execute(&mut *w.tx).await?;
        }
        let merged: Vec<&NewCall> = after.iter().collect();
        insert_calls_in(&mut w.tx, self.backend(), domain, &merged).await?;
        for sql in party_set_inserts(self.backend(), domain, &merged) {
            sql.query().execute(&mut *w.tx).await?;
        }
        // The sums of every slot the calls counted in, before or after, from the calls again.
        let keys: BTreeSet<(i64, i64, i64)> = before
            .iter()
            .map(|(_, c)| c)
            .chain(&after)
            .filter_map(slot_key)
            .collect();
        for (slot, queue, agent) in keys {
            let mut sql = Sql::new("DELETE FROM queue_slot_stats WHERE domain_id = ");
            sql.bind(domain.get())
                .push(" AND slot = ")
                .bind(slot)
                .push(" AND queue_id = ")
                .bind(queue)
                .push(" AND agent_user_id = ")
                .bind(agent);
            sql.query().execute(&mut *w.tx).await?;
            let mut sql = Sql::new("SELECT * FROM calls WHERE domain_id = ");
            sql.bind(domain.get())
                .push(" AND queue_id = ")
                .bind(queue)
                .push(" AND started_at >= ")
                .bind(slot * SLOT_SECONDS)
                .push(" AND started_at < ")
                .bind((slot + 1) * SLOT_SECONDS)
                .push(" AND COALESCE(agent_user_id, 0) = ")
                .bind(agent);
            let rows = sql.query().fetch_all(&mut *w.tx).await?;
            let slot_calls = rows
                .iter()
                .map(|row| call(row).map(|c| as_new(&c)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            let refs: Vec<&NewCall> = slot_calls.iter().collect();
            for sql in queue_slot_upserts(self.backend(), domain, &refs) {
                sql.query().execute(&mut *w.tx).await?;
            }
        }
        let place = AuditPlace {
            reseller: Some(reseller),
            domain: Some(domain),
            site: None,
        };
        let summary = serde_json::json!({"merged": after.len()});
        record(
            &mut w.tx,
            ctx,
            place,
            "calls.merge",
            &format!("{} call record(s) from another source", after.len()),
            None,
            Some(&summary),
        )
        .await?;
        w.commit().await?;
        Ok(after.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: i64) -> NewCall {
        NewCall {
            call_id: "c".into(),
            direction: Direction::Inbound,
            from: "anonymous".into(),
            to: "600".into(),
            queue_id: Some(QueueId(1)),
            agent_user_id: None,
            agent_name: None,
            started_at: Timestamp(1_000 + n),
            answered_at: None,
            ended_at: Timestamp(1_100 + n),
            disposition: Disposition::Abandoned,
            user_ids: vec![],
            site_ids: vec![],
        }
    }

    #[test]
    fn merging_is_the_same_in_either_order_and_twice() {
        let master = NewCall {
            direction: Direction::Internal,
            from: "107".into(),
            user_ids: vec![UserId(7)],
            disposition: Disposition::Answered,
            answered_at: Some(Timestamp(1_010)),
            agent_user_id: Some(UserId(5)),
            ..record(0)
        };
        let queue_log = NewCall {
            answered_at: Some(Timestamp(1_012)),
            disposition: Disposition::Answered,
            agent_user_id: Some(UserId(5)),
            user_ids: vec![UserId(5)],
            ..record(5)
        };
        let ab = merge_call(&master, &queue_log);
        assert_eq!(ab, merge_call(&queue_log, &master));
        assert_eq!(merge_call(&ab, &queue_log), ab);
        assert_eq!(merge_call(&ab, &master), ab);
        assert_eq!(ab.from, "107");
        assert_eq!(ab.direction, Direction::Internal);
        assert_eq!(
            (ab.started_at, ab.ended_at),
            (Timestamp(1_000), Timestamp(1_105))
        );
        assert_eq!(ab.answered_at, Some(Timestamp(1_010)));
        assert_eq!(ab.user_ids, vec![UserId(5), UserId(7)]);
    }

    #[test]
    fn a_queue_that_timed_out_outweighs_a_guess_of_abandoned() {
        let guess = record(0);
        let timed_out = NewCall {
            disposition: Disposition::Missed,
            ..record(0)
        };
        assert_eq!(
            merge_call(&guess, &timed_out).disposition,
            Disposition::Missed
        );
        assert_eq!(
            merge_call(&timed_out, &guess).disposition,
            Disposition::Missed
        );
    }
}
