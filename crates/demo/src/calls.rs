//! A realistic, reproducible call history for the demo domains: business hours in the domain's
//! time zone, queue calls with waits, abandons and time-outs, direct, outbound and internal calls.
//! The same seed always gives the same history.

use switchboard_api::error::{ApiError, ApiResult};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, operator_permit, operator_visibility};
use switchboard_store::{AuditContext, NewCall, PageRequest, Store};

/// A small deterministic generator (PCG-style LCG), so no seed-dependent crate is needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
    /// An exponential draw with this mean.
    fn exp(&mut self, mean: f64) -> i64 {
        (-mean * (1.0 - self.unit()).max(1e-9).ln()) as i64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

struct QueueInfo {
    id: QueueId,
    extension: String,
    site: Option<SiteId>,
    max_wait: i64,
    agents: Vec<(UserId, Option<SiteId>)>,
}

/// Calls stored per transaction.
const BATCH: usize = 5_000;

/// Generate `count` calls for a domain, ending at `end`, in batches; `progress` gets the total so
/// far. They spread over `days` days, or by default about 400 a business day (at least 30 days).
pub async fn generate_calls(
    store: &Store,
    domain: &Domain,
    count: u64,
    seed: u64,
    end: Timestamp,
    days: Option<u64>,
    mut progress: impl FnMut(u64),
) -> ApiResult<IngestSummary> {
    let tz = jiff::tz::TimeZone::get(domain.timezone.as_str()).map_err(ApiError::internal)?;
    let dir = store.extension_directory(domain.id).await?;
    let users: Vec<(UserId, Option<SiteId>, String)> = dir
        .users
        .iter()
        .map(|(e, (id, site))| (*id, *site, e.clone()))
        .collect();
    let mut users = users;
    users.sort_by(|a, b| a.2.cmp(&b.2));
    let page = store
        .list_call_queues(
            &operator_visibility(Resource::CallQueues),
            domain.id,
            None,
            PageRequest {
                after: None,
                limit: 500,
            },
        )
        .await?;
    let mut queues = Vec::new();
    for q in page.items {
        let agents = store
            .list_queue_agents(&operator_visibility(Resource::QueueAgents), &q)
            .await?;
        let agents = agents
            .iter()
            .map(|a| {
                (
                    a.user_id,
                    dir.users.get(a.extension.as_str()).and_then(|(_, s)| *s),
                )
            })
            .collect();
        queues.push(QueueInfo {
            id: q.id,
            extension: q.extension.to_string(),
            site: q.site_id,
            max_wait: i64::from(q.max_wait_seconds),
            agents,
        });
    }
    if users.is_empty() {
        return Err(ApiError::conflict(
            "empty_domain",
            "the domain has no users to make calls",
        ));
    }
    // About 400 calls a business day, but never fewer than 30 days.
    let days = days.unwrap_or((count / 400).max(30)).max(1) as i64;
    let mut rng = Rng(seed ^ (domain.id.get() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let end_day = jiff::Timestamp::from_second(end.0)
        .map_err(ApiError::internal)?
        .to_zoned(tz.clone())
        .date();
    let ctx = AuditContext::operator("demo call history");
    let permit = operator_permit(Resource::CallHistory, Action::Create);
    let mut summary = IngestSummary::default();
    let mut batch = Vec::with_capacity(BATCH);
    // Calls go in oldest day first, so every time index grows at its end. Drawn at random times
    // instead, a history of millions re-read index pages for nearly every call (1,400 calls/s at
    // two million). A weekend day carries a tenth of a weekday's calls.
    let day_dates: Vec<jiff::civil::Date> = (0..days)
        .rev()
        .map(|back| end_day.checked_sub(jiff::Span::new().days(back)))
        .collect::<Result<_, _>>()
        .map_err(ApiError::internal)?;
    let mut reach = 0u64;
    let reach_by_day: Vec<u64> = day_dates
        .iter()
        .map(|d| {
            let weekend = matches!(
                d.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            );
            reach += if weekend { 1 } else { 10 };
            reach
        })
        .collect();
    let mut day = 0usize;
    for i in 0..count {
        // The day whose share of the weights holds the i-th call.
        let share = (u128::from(i) * u128::from(reach) / u128::from(count)) as u64;
        while reach_by_day[day] <= share {
            day += 1;
        }
        let date = day_dates[day];
        let hour = *rng
            .pick(&[
                8, 9, 9, 10, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 16, 17,
            ])
            .unwrap_or(&10);
        let time = jiff::civil::time(hour, rng.below(60) as i8, rng.below(60) as i8, 0);
        let Ok(zoned) = date.to_datetime(time).to_zoned(tz.clone()) else {
            continue;
        };
        let limit = end.0 - 3600;
        let mut started = zoned.timestamp().as_second();
        if started > limit {
            // Today's calls so far: spread over the business hours that have passed, not
            // piled up at their last second.
            let opening = date
                .to_datetime(jiff::civil::time(8, 0, 0, 0))
                .to_zoned(tz.clone())
                .map_or(limit, |z| z.timestamp().as_second());
            started = limit - rng.below((limit - opening).max(3600) as u64) as i64;
        }
        let outside = format!("+1555{:07}", rng.below(10_000_000));
        let (user, user_site, user_ext) =
            rng.pick(&users)
                .cloned()
                .unwrap_or((UserId(0), None, String::new()));
        let kind = rng.below(100);
        let talk = 30 + rng.exp(180.0).min(3600);
        let mut call = NewCall {
            call_id: format!("demo-{seed}-{}-{i}", domain.id),
            direction: Direction::Inbound,
            from: outside.clone(),
            to: user_ext.clone(),
            queue_id: None,
            agent_user_id: None,
            agent_name: None,
            started_at: Timestamp(started),
            answered_at: None,
            ended_at: Timestamp(started),
            disposition: Disposition::Missed,
            user_ids: vec![user],
            site_ids: user_site.into_iter().collect(),
        };
        match (kind, queues.is_empty()) {
            (0..=54, false) => {
                // A queue call: the caller waits; patience runs out, the queue times out, or an agent answers.
                let q = &queues[rng.below(queues.len() as u64) as usize];
                let wait = rng.exp(35.0);
                let patience = 20 + rng.exp(120.0);
                call.to = q.extension.clone();
                call.queue_id = Some(q.id);
                call.user_ids.clear();
                call.site_ids = q.site.into_iter().collect();
                if wait > patience.min(q.max_wait) || q.agents.is_empty() {
                    let gave_up = patience < q.max_wait;
                    call.disposition = if gave_up {
                        Disposition::Abandoned
                    } else {
                        Disposition::Missed
                    };
                    call.ended_at =
                        Timestamp(started + if gave_up { patience } else { q.max_wait });
                } else {
                    let (agent, agent_site) = q.agents[rng.below(q.agents.len() as u64) as usize];
                    call.agent_user_id = Some(agent);
                    call.user_ids = vec![agent];
                    call.site_ids.extend(agent_site);
                    call.answered_at = Some(Timestamp(started + wait));
                    call.ended_at = Timestamp(started + wait + talk);
                    call.disposition = Disposition::Answered;
                }
            }
            (55..=74, _) | (0..=54, true) => {
                // Straight to a user: answered, missed, voicemail or busy.
                let ring = 3 + rng.below(20) as i64;
                match rng.below(100) {
                    0..=69 => {
                        call.answered_at = Some(Timestamp(started + ring));
                        call.ended_at = Timestamp(started + ring + talk);
                        call.disposition = Disposition::Answered;
                    }
                    70..=84 => {
                        call.ended_at = Timestamp(started + 25);
                        call.disposition = Disposition::Missed;
                    }
                    85..=94 => {
                        call.ended_at = Timestamp(started + 25 + rng.below(60) as i64);
                        call.disposition = Disposition::Voicemail;
                    }
                    _ => {
                        call.ended_at = Timestamp(started + 1);
                        call.disposition = Disposition::Busy;
                    }
                }
            }
            (75..=89, _) => {
                call.direction = Direction::Outbound;
                call.from = user_ext.clone();
                call.to = outside;
                match rng.below(100) {
                    0..=74 => {
                        call.answered_at = Some(Timestamp(started + 8));
                        call.ended_at = Timestamp(started + 8 + talk);
                        call.disposition = Disposition::Answered;
                    }
                    75..=84 => {
                        (call.ended_at, call.disposition) =
                            (Timestamp(started + 2), Disposition::Busy)
                    }
                    85..=89 => {
                        (call.ended_at, call.disposition) =
                            (Timestamp(started + 1), Disposition::Failed)
                    }
                    _ => {
                        (call.ended_at, call.disposition) =
                            (Timestamp(started + 30), Disposition::Missed)
                    }
                }
            }
            _ => {
                let (peer, peer_site, peer_ext) =
                    rng.pick(&users)
                        .cloned()
                        .unwrap_or((UserId(0), None, String::new()));
                call.direction = Direction::Internal;
                call.from = user_ext.clone();
                call.to = peer_ext;
                call.user_ids.push(peer);
                call.site_ids.extend(peer_site);
                if rng.below(5) == 0 {
                    (call.ended_at, call.disposition) =
                        (Timestamp(started + 20), Disposition::Missed);
                } else {
                    call.answered_at = Some(Timestamp(started + 4));
                    call.ended_at = Timestamp(started + 4 + talk / 2);
                    call.disposition = Disposition::Answered;
                }
            }
        }
        batch.push(call);
        // Each batch goes in time order; the last one may be shorter.
        if batch.len() == BATCH || i + 1 == count {
            batch.sort_by_key(|c| c.started_at.0);
            let s = store
                .ingest_calls(
                    &permit,
                    &ctx,
                    domain.reseller_id,
                    domain.id,
                    std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                )
                .await?;
            summary.inserted += s.inserted;
            summary.duplicates += s.duplicates;
            summary.merged += s.merged;
            progress(i + 1);
        }
    }
    store.refresh_call_statistics().await?;
    Ok(summary)
}
