//! The SQL of call history's pages and counts, cut to a reach. Every statement is driven by an
//! index read newest first: the parties of the reach (a user, a site, a queue, a supervised
//! queue's agent), each from its own time index; the one party a filter names (a user, a queue),
//! when all its calls are in reach, or else the party sets it shares with the reach's parties
//! (`call_party_sets`, `calls_by_party_set`); or the domain's time index, the reach checked call
//! by call. Direction and disposition are kept in those indexes too (migration 0017), so the
//! common filters are decided without reading call rows.

use crate::call_parties::{Party, PartySet};
use crate::calls::{CallFilter, CallPageRequest};
use crate::sql::{Scoping, Sql, contains_pattern, push_predicate};
use switchboard_domain::{Disposition, DomainId};
use switchboard_policy::{Atom, Predicate};

pub(crate) const SCOPING: Scoping = Scoping {
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

/// One index-driven stream of calls, newest first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Branch {
    /// The calls of one queue (`calls_by_queue_time`).
    Queue(i64),
    /// The calls one user took part in (`call_users`, kept by party and time).
    User(i64),
    /// The calls touching one site (`call_sites`, kept by party and time).
    Site(i64),
    /// The calls of one party set (`calls_by_party_set`).
    Set(PartySet),
}

impl Branch {
    fn party(&self) -> Option<Party> {
        match self {
            Branch::Queue(q) => Some(Party::Queue(*q)),
            Branch::User(u) => Some(Party::User(*u)),
            Branch::Site(s) => Some(Party::Site(*s)),
            Branch::Set(_) => None,
        }
    }
}

/// What a page's or a count's statements are made of, read first: the reach within the
/// domain, the current agents of its queues (a supervisor sees their calls), and, for a filter
/// naming a party outside a narrow reach, the party sets it shares with the reach's parties.
pub(crate) struct Walks {
    pub reach: Predicate,
    pub agents: Vec<i64>,
    pub shared: Option<Vec<PartySet>>,
}

/// The statement that finds the party sets holding both the party a filter names and one of
/// a narrow reach's parties, when that is how the filter is read (`drive`).
pub(crate) fn shared_sets_sql(
    reach: &Predicate,
    domain: DomainId,
    filter: &CallFilter,
    agents: &[i64],
) -> Option<Sql> {
    let (parties, named) = outside_narrow_reach(reach, domain, agents, filter)?;
    let named_key = named.party()?.key();
    let keys: Vec<i64> = parties
        .iter()
        .filter_map(|p| p.party())
        .map(Party::key)
        .collect();
    let mut sql = Sql::new(
        "SELECT DISTINCT r.user_ids AS user_ids, r.site_ids AS site_ids, r.queue_id AS queue_id \
         FROM call_party_sets r JOIN call_party_sets n ON n.domain_id = r.domain_id \
         AND n.user_ids = r.user_ids AND n.site_ids = r.site_ids AND n.queue_id = r.queue_id \
         WHERE r.domain_id = ",
    );
    sql.bind(domain.get()).push(" AND r.party IN ");
    sql.bind_list(keys);
    sql.push(" AND n.party = ").bind(named_key);
    Some(sql)
}

/// A filter naming a party outside a narrow reach: the reach's parties and the named one.
/// Their calls are read through the party sets they share (`shared_sets_sql`, `drive`).
fn outside_narrow_reach(
    reach: &Predicate,
    domain: DomainId,
    agents: &[i64],
    filter: &CallFilter,
) -> Option<(Vec<Branch>, Branch)> {
    let named = named_party(filter)?;
    let parties = branches(reach, domain, agents)?;
    (!parties.contains(&named)).then_some((parties, named))
}

/// The one party a filter names (a user, else a queue).
fn named_party(filter: &CallFilter) -> Option<Branch> {
    filter
        .user
        .map(|u| Branch::User(u.get()))
        .or_else(|| filter.queue.map(|q| Branch::Queue(q.get())))
}

/// How a page or a count reads its calls.
#[derive(Debug)]
enum Drive {
    /// The union of these parties' indexes, each call once: the reach's parties, the one
    /// party a filter names when all its calls are in reach, or the calls the named party
    /// shares with each of the reach's.
    Union(Vec<Branch>),
    /// The domain's time index, the reach checked on each call.
    Domain,
    /// No call can match (the named party shares no party set with the reach).
    Nothing,
}

/// More branches than this and one walk of the domain's calls is cheaper.
const MAX_BRANCHES: usize = 64;

/// The index-driven branches whose union is exactly the predicate's calls, or `None` when the
/// predicate covers the whole domain (or too many branches).
/// `agents` are the current agents of the predicate's queues (a supervisor sees their calls).
fn branches(reach: &Predicate, domain: DomainId, agents: &[i64]) -> Option<Vec<Branch>> {
    let mut out = Vec::new();
    for atom in &reach.0 {
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
    out.sort_unstable();
    out.dedup();
    (!out.is_empty() && out.len() <= MAX_BRANCHES).then_some(out)
}

/// The drive, and the filter left to check once the drive's own party is taken out of it.
fn drive(walks: &Walks, domain: DomainId, filter: &CallFilter) -> (Drive, CallFilter) {
    let reach = &walks.reach;
    let named = named_party(filter);
    let mut rest = filter.clone();
    match named {
        Some(Branch::User(_)) => rest.user = None,
        Some(Branch::Queue(_)) => rest.queue = None,
        _ => {}
    }
    // Another party within a narrow reach: the party sets it shares with the reach's parties,
    // each read from its own index. (Either side's calls, checked for the other one by one, read
    // a whole history when the two share few.) A party in more sets than a union takes is read
    // the slow way: the reach's calls, the filter checked on each.
    if let Some((parties, _)) = outside_narrow_reach(reach, domain, &walks.agents, filter) {
        return match &walks.shared {
            Some(sets) if sets.is_empty() => (Drive::Nothing, rest),
            Some(sets) if sets.len() <= MAX_BRANCHES => (
                Drive::Union(sets.iter().cloned().map(Branch::Set).collect()),
                rest,
            ),
            _ => (Drive::Union(parties), filter.clone()),
        };
    }
    match (branches(reach, domain, &walks.agents), named) {
        // One of the reach's own parties (a supervisor's agent, a user itself; any other was
        // read through party sets above): every call of it is in reach, so its own index is
        // the answer.
        (Some(_), Some(named)) => (Drive::Union(vec![named]), rest),
        (Some(parties), None) => (Drive::Union(parties), filter.clone()),
        // Over the whole domain, a user's or a queue's calls come from its own index.
        (None, Some(named)) if covers_domain(reach, domain) => (Drive::Union(vec![named]), rest),
        (None, _) => (Drive::Domain, filter.clone()),
    }
}

/// Does the reach hold every call of the domain?
fn covers_domain(reach: &Predicate, domain: DomainId) -> bool {
    reach
        .0
        .iter()
        .any(|atom| *atom == Atom::All || *atom == Atom::Domain(domain))
}

/// What a branch's statement answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Whole call rows (a page read straight from one branch).
    Rows,
    /// The call keys only, as `pk` (for a union, or a count).
    Keys,
}

/// The SQL of one page of call history: the newest `page.limit + 1` calls before its cursor.
/// Each branch reads no further than the page, so a page costs the same however large the
/// history and however rare the parties' calls.
pub(crate) fn page_sql(
    walks: &Walks,
    domain: DomainId,
    filter: &CallFilter,
    page: CallPageRequest,
) -> Sql {
    let (drive, filter) = drive(walks, domain, filter);
    match drive {
        Drive::Domain => {
            let mut sql = domain_walk(&walks.reach, domain, &filter, "SELECT calls.*");
            push_keyset(&mut sql, page, "calls.started_at", "calls.id");
            sql
        }
        Drive::Nothing => Sql::new("SELECT calls.* FROM calls WHERE 1 = 0"),
        Drive::Union(branches) => match branches.as_slice() {
            [only] => {
                let mut sql = Sql::default();
                push_branch(&mut sql, only, domain, &filter, Output::Rows);
                push_branch_keyset(&mut sql, only, page);
                sql
            }
            // The page is picked from the branches' keys and times before any call row is
            // read: a union of many parties' pages read every one of their rows first.
            _ => {
                let mut sql =
                    Sql::new("SELECT calls.* FROM calls WHERE calls.id IN (SELECT pk FROM (");
                push_union(&mut sql, &branches, domain, &filter, |sql, branch| {
                    push_branch_keyset(sql, branch, page)
                });
                sql.push(") page WHERE 1 = 1");
                push_keyset(&mut sql, page, "t", "pk");
                sql.push(")");
                push_keyset(&mut sql, page, "calls.started_at", "calls.id");
                sql
            }
        },
    }
}

/// `SELECT pk, t FROM (…) b0 UNION SELECT pk, t FROM (…) b1 …`: each branch's keys and times,
/// cut by `cut` (its page, or the count's limit).
fn push_union(
    sql: &mut Sql,
    branches: &[Branch],
    domain: DomainId,
    filter: &CallFilter,
    cut: impl Fn(&mut Sql, &Branch),
) {
    for (n, branch) in branches.iter().enumerate() {
        if n > 0 {
            sql.push(" UNION ");
        }
        sql.push("SELECT pk, t FROM (");
        push_branch(sql, branch, domain, filter, Output::Keys);
        cut(sql, branch);
        sql.push(") b").push(&n.to_string());
    }
}

/// The statements of `Store::count_calls`, to run in order until one answers more than
/// `up_to` (then more than `up_to` calls match) or the last answers. Each counts the matching
/// calls of its branches, at most `up_to + 1` of each, each call once. A reach of several parties
/// counts each party alone first: one past the limit settles it without the union, which reads
/// every party's calls to take out those two parties share. (A branch cut short holds more than
/// `up_to` calls by itself, so the union is short of exact only when it is past the limit.)
pub(crate) fn count_steps(
    walks: &Walks,
    domain: DomainId,
    filter: &CallFilter,
    up_to: u32,
) -> Vec<Sql> {
    let walk = i64::from(up_to) + 1;
    let (drive, filter) = drive(walks, domain, filter);
    const COUNT_OF: &str = "SELECT COUNT(*) AS n FROM (";
    let union = |branches: &[Branch]| {
        let mut sql = Sql::new(COUNT_OF);
        push_union(&mut sql, branches, domain, &filter, |sql, _| {
            sql.push(" LIMIT ").bind(walk);
        });
        sql.push(") reach");
        sql
    };
    match drive {
        Drive::Nothing => vec![Sql::new("SELECT CAST(0 AS BIGINT) AS n")],
        Drive::Domain => {
            let select = format!("{COUNT_OF}SELECT calls.id AS pk");
            let mut sql = domain_walk(&walks.reach, domain, &filter, &select);
            sql.push(" LIMIT ").bind(walk).push(") reach");
            vec![sql]
        }
        Drive::Union(branches) if branches.len() == 1 => vec![union(&branches)],
        Drive::Union(branches) => branches
            .iter()
            .map(|b| union(std::slice::from_ref(b)))
            .chain(std::iter::once(union(&branches)))
            .collect(),
    }
}

/// The reach's calls from the domain's time index (`calls_by_domain_time`).
pub(crate) fn domain_walk(
    reach: &Predicate,
    domain: DomainId,
    filter: &CallFilter,
    select: &str,
) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM calls WHERE calls.domain_id = ")
        .bind(domain.get())
        .push(" AND ");
    push_predicate(&mut sql, reach, &SCOPING);
    push_filters(&mut sql, filter, "calls");
    sql
}

/// One branch's calls, filtered. A party's index answers keys, time, direction and disposition
/// by itself; the call's row is joined only for whole rows or a filter on what only the row
/// holds. The joined row is found by its key alone: with a condition of its own on the domain,
/// SQLite may walk the domain's calls and look each up among the party's (a supervisor's count
/// filtered by an agent took minutes at ten million calls that way).
fn push_branch(
    sql: &mut Sql,
    branch: &Branch,
    domain: DomainId,
    filter: &CallFilter,
    output: Output,
) {
    let calls_walk = |sql: &mut Sql| {
        sql.push(match output {
            Output::Rows => "SELECT calls.*",
            Output::Keys => "SELECT calls.id AS pk, calls.started_at AS t",
        });
        sql.push(" FROM calls WHERE calls.domain_id = ")
            .bind(domain.get());
    };
    let (table, column, party) = match branch {
        Branch::Queue(q) => {
            calls_walk(sql);
            sql.push(" AND calls.queue_id = ").bind(*q);
            push_filters(sql, filter, "calls");
            return;
        }
        Branch::Set(set) => {
            calls_walk(sql);
            sql.push(" AND calls.user_ids = ")
                .bind(set.user_ids.as_str())
                .push(" AND calls.site_ids = ")
                .bind(set.site_ids.as_str());
            match set.queue_id {
                0 => sql.push(" AND calls.queue_id IS NULL"),
                q => sql.push(" AND calls.queue_id = ").bind(q),
            };
            push_filters(sql, filter, "calls");
            return;
        }
        Branch::User(u) => ("call_users", "user_id", *u),
        Branch::Site(s) => ("call_sites", "site_id", *s),
    };
    let row_needed = output == Output::Rows
        || filter.user.is_some()
        || filter.queue.is_some()
        || filter.number.as_deref().is_some_and(|n| !n.is_empty());
    sql.push(match output {
        Output::Rows => "SELECT calls.*",
        Output::Keys => "SELECT drv.call_pk AS pk, drv.started_at AS t",
    });
    sql.push(" FROM ").push(table).push(" drv");
    if row_needed {
        sql.push(" JOIN calls ON calls.id = drv.call_pk");
    }
    sql.push(" WHERE drv.domain_id = ").bind(domain.get());
    sql.push(" AND drv.").push(column).push(" = ").bind(party);
    push_filters(sql, filter, "drv");
}

/// A branch's keyset, on the columns of the index it walks.
fn push_branch_keyset(sql: &mut Sql, branch: &Branch, page: CallPageRequest) {
    match branch {
        Branch::Queue(_) | Branch::Set(_) => push_keyset(sql, page, "calls.started_at", "calls.id"),
        Branch::User(_) | Branch::Site(_) => {
            push_keyset(sql, page, "drv.started_at", "drv.call_pk")
        }
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

/// The filter's conditions. Time, direction and disposition are read from `indexed` (`calls`,
/// or a party row `drv`, which keeps them too); the numbers, user and queue from the call.
fn push_filters(sql: &mut Sql, filter: &CallFilter, indexed: &str) {
    if let Some(since) = filter.since {
        sql.push(" AND ")
            .push(indexed)
            .push(".started_at >= ")
            .bind(since.0);
    }
    if let Some(until) = filter.until {
        sql.push(" AND ")
            .push(indexed)
            .push(".started_at < ")
            .bind(until.0);
    }
    if let Some(direction) = filter.direction {
        sql.push(" AND ")
            .push(indexed)
            .push(".direction = ")
            .bind(direction.as_str());
    }
    if let Some(disposition) = filter.disposition {
        if disposition != Disposition::Answered {
            // The condition of the `…_unanswered` indexes (of the parties, and of the queues'
            // calls), word for word: a planner uses a partial index only for a statement that
            // says its condition.
            sql.push(" AND ")
                .push(indexed)
                .push(".disposition <> 'answered'");
        }
        sql.push(" AND ")
            .push(indexed)
            .push(".disposition = ")
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
