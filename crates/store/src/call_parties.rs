//! A call's parties, as the tables call history walks keep them.
//!
//! `call_users` and `call_sites` hold one row per call and party, in the order call history
//! reads them: (domain, party, time, call). Every write path (SQLite's bulk connection, the
//! `Any` driver, PostgreSQL's `COPY`, the merge) writes them from `PARTY_TABLES`, so a call's
//! rows are the same whichever way it came in.
//!
//! A call's whole set of parties (its users, sites and queue, as its row keeps them) is its
//! *party set*; `calls_by_party_set` keeps each set's calls in time order, and
//! `call_party_sets` says which sets each party is in. A domain has few sets (its queues times
//! their agents, its users, the pairs of users who call each other), so the calls two parties
//! share are the union of a few sets' walks: a narrow reach filtered by a party outside it (a
//! basic user's calls with an agent, a site's calls of a queue) reads exactly those calls, where
//! it read the whole reach and checked the other party on each call. A set costs its calls one
//! index entry each, where a row per pair of parties cost three.

use crate::calls::NewCall;
use crate::sql::{Sql, Value, bulk_chunks};
use crate::{Backend, calls::id_text};
use std::collections::{BTreeSet, HashMap};
use switchboard_domain::{DomainId, QueueId, SiteId, UserId};

/// One table of a call's parties.
pub(crate) struct PartyTable {
    pub name: &'static str,
    /// The party's column, between `domain_id` and `started_at` in the table's key.
    pub column: &'static str,
    pub parties: fn(&NewCall) -> Vec<i64>,
}

impl PartyTable {
    /// The columns a row is written with, in the order `party_row` gives them.
    pub fn columns(&self) -> String {
        format!(
            "call_pk, domain_id, {}, started_at, direction, disposition",
            self.column
        )
    }

    /// This table's rows for calls stored under these keys: one per call and party.
    pub fn rows<'a>(
        &'a self,
        domain: DomainId,
        keyed: &'a [(i64, &'a NewCall)],
    ) -> impl Iterator<Item = [Value; 6]> + 'a {
        keyed.iter().flat_map(move |&(pk, call)| {
            (self.parties)(call)
                .into_iter()
                .map(move |party| party_row(pk, domain, party, call))
        })
    }
}

pub(crate) const PARTY_TABLES: [PartyTable; 2] = [
    PartyTable {
        name: "call_users",
        column: "user_id",
        parties: |c| c.user_ids.iter().map(|u| u.get()).collect(),
    },
    PartyTable {
        name: "call_sites",
        column: "site_id",
        parties: |c| c.site_ids.iter().map(|s| s.get()).collect(),
    },
];

/// One party row's values, in `PartyTable::columns`' order.
pub(crate) fn party_row(pk: i64, domain: DomainId, party: i64, call: &NewCall) -> [Value; 6] {
    [
        Value::I64(pk),
        Value::I64(domain.get()),
        Value::I64(party),
        Value::I64(call.started_at.0),
        Value::from(call.direction.as_str()),
        Value::from(call.disposition.as_str()),
    ]
}

/// What a party is, in `call_party_sets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Party {
    User(i64),
    Site(i64),
    Queue(i64),
}

impl Party {
    /// The party as one number: its id and its kind in the two low bits. Ids come from the
    /// database's sequences, far below the 2^61 where this would wrap.
    pub fn key(self) -> i64 {
        let (id, kind) = match self {
            Party::User(id) => (id, 1),
            Party::Site(id) => (id, 2),
            Party::Queue(id) => (id, 3),
        };
        id.wrapping_mul(4).wrapping_add(kind)
    }
}

/// A call's party set, as the call's row keeps it: `user_ids`, `site_ids` and `queue_id`
/// (0 here for none, where the row has NULL).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PartySet {
    pub user_ids: String,
    pub site_ids: String,
    pub queue_id: i64,
}

impl PartySet {
    pub fn of(call: &NewCall) -> PartySet {
        PartySet {
            user_ids: id_text(call.user_ids.iter().map(|u| u.get())),
            site_ids: id_text(call.site_ids.iter().map(|s| s.get())),
            queue_id: call.queue_id.map_or(0, |q| q.get()),
        }
    }
}

/// A call's parties as its record holds them, to tell its set without making the set's text.
type PartiesOf<'c> = (&'c [UserId], &'c [SiteId], Option<QueueId>);

/// Rows per statement of `call_party_sets`: five values each.
const SET_ROWS_PER_STATEMENT: usize = 1_000;

/// The statements that record the calls' party sets (each party's membership), for the sets
/// not recorded yet: run in the transaction that stores the calls.
pub(crate) fn party_set_inserts(
    backend: Backend,
    domain: DomainId,
    calls: &[&NewCall],
) -> Vec<Sql> {
    // A batch has thousands of calls and a few dozen sets: each set's text is made once.
    let mut sets: HashMap<PartiesOf, &NewCall> = HashMap::new();
    for call in calls {
        sets.entry((&call.user_ids, &call.site_ids, call.queue_id))
            .or_insert(call);
    }
    let mut rows = BTreeSet::new();
    for call in sets.into_values() {
        let set = PartySet::of(call);
        let parties = call
            .user_ids
            .iter()
            .map(|u| Party::User(u.get()))
            .chain(call.site_ids.iter().map(|s| Party::Site(s.get())))
            .chain(call.queue_id.map(|q| Party::Queue(q.get())));
        for party in parties {
            rows.insert((party.key(), set.clone()));
        }
    }
    let rows: Vec<_> = rows.into_iter().collect();
    bulk_chunks(&rows, SET_ROWS_PER_STATEMENT)
        .map(|chunk| {
            let mut sql = Sql::new(
                "INSERT INTO call_party_sets (domain_id, party, user_ids, site_ids, queue_id)",
            );
            sql.push_values(
                backend,
                chunk.iter().map(|(party, set)| {
                    [
                        Value::I64(domain.get()),
                        Value::I64(*party),
                        Value::from(set.user_ids.as_str()),
                        Value::from(set.site_ids.as_str()),
                        Value::I64(set.queue_id),
                    ]
                }),
            )
            .push(" ON CONFLICT DO NOTHING");
            sql
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_never_share_a_key() {
        let keys = [
            Party::User(6),
            Party::Site(6),
            Party::Queue(6),
            Party::User(7),
        ]
        .map(Party::key);
        let distinct: BTreeSet<i64> = keys.iter().copied().collect();
        assert_eq!(distinct.len(), keys.len());
    }
}
