//! Queue and agent statistics in the domain's time zone, cut to the caller's reach.

use super::queues::resolve_queue;
use super::{resolve_domain, visibility_for_list};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::routes::{Access, Route, route};
use axum::extract::{Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};
/// The service levels whose counts are kept per slot (others are read from the calls).
pub use switchboard_store::KEPT_SERVICE_LEVELS;
use switchboard_store::{QueueSlot, ReportRange, SLOT_SECONDS, SlotBins};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Hour,
    #[default]
    Day,
    Month,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// RFC 3339 (default: the start of the local day 29 days ago).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// RFC 3339 (default: now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// hour, day (default) or month, in `timezone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    /// The IANA time zone whose hours, days and months the intervals are (default: the
    /// domain's), e.g. the viewer's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// One call queue's extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Answered within this many seconds counts toward the service level (default 20, at most
    /// 3600). The thresholds 5, 10, 15, 20, 25, 30, 45, 60, 90, 120, 180 and 300 are read from
    /// per-slot sums; any other from the nearest of them, corrected by the calls whose waits lie
    /// between (a little slower).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_level_seconds: Option<u32>,
}

/// The figures of a queue (or of all queues) over an interval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueueStats {
    pub offered: i64,
    pub answered: i64,
    pub abandoned: i64,
    /// Left unanswered without hanging up: timed out, queue full, no agents.
    pub timed_out: i64,
    pub answered_within_threshold: i64,
    /// Answered within the threshold, per hundred calls offered.
    pub service_level_percent: Option<f64>,
    /// Average wait of answered calls (speed of answer).
    pub average_wait_seconds: Option<f64>,
    /// The longest wait of any call offered.
    pub longest_wait_seconds: i64,
    /// Average talk time of answered calls.
    pub average_talk_seconds: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct QueueStatsRow {
    pub queue_id: QueueId,
    pub queue_extension: Option<String>,
    pub queue_name: Option<String>,
    /// Local start of the interval, e.g. 2026-03-02T00:00:00-05:00; absent in totals.
    pub interval_start: Option<String>,
    #[serde(flatten)]
    pub stats: QueueStats,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct QueueReport {
    pub timezone: TimeZoneName,
    pub interval: Interval,
    pub since: Timestamp,
    pub until: Timestamp,
    pub service_level_seconds: u32,
    /// Per queue and interval, in queue then time order.
    pub rows: Vec<QueueStatsRow>,
    /// Per queue over the whole range.
    pub queue_totals: Vec<QueueStatsRow>,
    /// All queues over the whole range.
    pub total: QueueStats,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct AgentStatsRow {
    pub user_id: UserId,
    pub extension: Option<String>,
    /// First and last name.
    pub name: Option<String>,
    pub calls_answered: i64,
    pub talk_seconds: i64,
    /// Talk time per answered call (the records carry no hold or wrap-up times).
    pub average_handling_seconds: Option<f64>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct AgentReport {
    pub since: Timestamp,
    pub until: Timestamp,
    pub rows: Vec<AgentStatsRow>,
}

pub fn routes() -> Vec<Route> {
    let access = Access::Guarded(Resource::Reports, Action::Read);
    let m = |method: Method, path, summary| route(method, path, access, "reports", summary);
    vec![
        m(
            Method::GET,
            "/api/v1/domains/{domain}/reports/queues",
            "Queue statistics per interval, per queue and in total",
        )
        .query::<ReportQuery>()
        .returns::<QueueReport>()
        .to(queues_json),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/reports/queues.csv",
            "Queue statistics as CSV",
        )
        .query::<ReportQuery>()
        .csv()
        .to(queues_csv),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/reports/agents",
            "Agent statistics: calls answered, talk time, handling time",
        )
        .query::<ReportQuery>()
        .returns::<AgentReport>()
        .to(agents_json),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/reports/agents.csv",
            "Agent statistics as CSV",
        )
        .query::<ReportQuery>()
        .csv()
        .to(agents_csv),
    ]
}

#[derive(Default, Clone, Copy)]
struct Acc {
    offered: i64,
    answered: i64,
    abandoned: i64,
    timed_out: i64,
    within: i64,
    answered_wait: i64,
    longest: i64,
    talk: i64,
}

impl Acc {
    fn add(&mut self, s: &QueueSlot) {
        self.offered += s.offered;
        self.answered += s.answered;
        self.abandoned += s.abandoned;
        self.timed_out += s.timed_out;
        self.within += s.answered_within;
        self.answered_wait += s.answered_wait;
        self.longest = self.longest.max(s.longest_wait);
        self.talk += s.talk;
    }
    fn stats(&self) -> QueueStats {
        let per = |num: i64, den: i64| {
            (den > 0).then(|| (num as f64 / den as f64 * 100.0).round() / 100.0)
        };
        QueueStats {
            offered: self.offered,
            answered: self.answered,
            abandoned: self.abandoned,
            timed_out: self.timed_out,
            answered_within_threshold: self.within,
            service_level_percent: per(self.within * 100, self.offered),
            average_wait_seconds: per(self.answered_wait, self.answered),
            longest_wait_seconds: self.longest,
            average_talk_seconds: per(self.talk, self.answered),
        }
    }
}

/// The local start of the interval holding this instant.
pub fn interval_start(
    at: Timestamp,
    tz: &jiff::tz::TimeZone,
    interval: Interval,
) -> ApiResult<jiff::Zoned> {
    let zoned = jiff::Timestamp::from_second(at.0)
        .map_err(ApiError::internal)?
        .to_zoned(tz.clone());
    let start = match interval {
        Interval::Hour => zoned
            .with()
            .minute(0)
            .second(0)
            .subsec_nanosecond(0)
            .build(),
        Interval::Day => zoned.start_of_day(),
        Interval::Month => zoned.first_of_month().and_then(|z| z.start_of_day()),
    };
    start.map_err(ApiError::internal)
}

/// The report's intervals as bins of slots, so the store sums each interval itself.
fn interval_bins(p: &Prepared) -> ApiResult<SlotBins> {
    let step = match p.interval {
        Interval::Hour => jiff::Span::new().hours(1),
        Interval::Day => jiff::Span::new().days(1),
        Interval::Month => jiff::Span::new().months(1),
    };
    let slot_of = |z: &jiff::Zoned| z.timestamp().as_second().div_euclid(SLOT_SECONDS);
    let end = p.range.until.0.div_euclid(SLOT_SECONDS) + 1;
    let mut start = interval_start(p.range.since, &p.tz, p.interval)?;
    let mut starts = vec![slot_of(&start)];
    loop {
        let next = start.checked_add(step).map_err(ApiError::internal)?;
        let next = interval_start(Timestamp(next.timestamp().as_second()), &p.tz, p.interval)?;
        if next <= start {
            return Err(ApiError::internal("a report interval does not advance"));
        }
        if slot_of(&next) >= end {
            break;
        }
        starts.push(slot_of(&next));
        start = next;
    }
    Ok(SlotBins::starting_at(&starts, end))
}

fn local(z: &jiff::Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

struct Prepared {
    domain: Domain,
    zone: TimeZoneName,
    tz: jiff::tz::TimeZone,
    range: ReportRange,
    interval: Interval,
    service_level_seconds: u32,
}

async fn prepare(
    state: &AppState,
    caller: &Caller,
    raw_domain: &str,
    q: &ReportQuery,
) -> ApiResult<Prepared> {
    let domain = resolve_domain(state, caller, raw_domain).await?;
    let zone = match q.timezone.as_deref() {
        Some(raw) => TimeZoneName::parse(raw)
            .map_err(|e| ApiError::invalid("timezone", format!("timezone: {e}")))?,
        None => domain.timezone.clone(),
    };
    let tz = jiff::tz::TimeZone::get(zone.as_str()).map_err(ApiError::internal)?;
    let now = Timestamp::now();
    let until = q
        .until
        .as_deref()
        .map(Timestamp::parse_rfc3339)
        .transpose()
        .map_err(|e| ApiError::invalid("until", format!("until: {e}")))?
        .unwrap_or(now);
    let since = match q.since.as_deref() {
        Some(raw) => Timestamp::parse_rfc3339(raw)
            .map_err(|e| ApiError::invalid("since", format!("since: {e}")))?,
        None => Timestamp(
            interval_start(until.plus_seconds(-29 * 86_400), &tz, Interval::Day)?
                .timestamp()
                .as_second(),
        ),
    };
    let interval = q.interval.unwrap_or_default();
    if since >= until {
        return Err(ApiError::invalid("since", "since: before until"));
    }
    let max_days = if interval == Interval::Hour { 93 } else { 731 };
    if until.0 - since.0 > max_days * 86_400 {
        return Err(ApiError::invalid(
            "since",
            format!("since: at most {max_days} days of {interval:?} intervals at once")
                .to_lowercase(),
        ));
    }
    let service_level_seconds = q.service_level_seconds.unwrap_or(20);
    if service_level_seconds > 3600 {
        return Err(ApiError::invalid(
            "service_level_seconds",
            "service_level_seconds: at most 3600",
        ));
    }
    let queue = match &q.queue {
        Some(ext) => Some(resolve_queue(state, caller, &domain, ext).await?.id),
        None => None,
    };
    Ok(Prepared {
        domain,
        zone,
        tz,
        range: ReportRange {
            since,
            until,
            queue,
        },
        interval,
        service_level_seconds,
    })
}

/// The queue report for the caller.
pub async fn queue_report(
    state: &AppState,
    caller: &Caller,
    raw_domain: &str,
    q: &ReportQuery,
) -> ApiResult<QueueReport> {
    let p = prepare(state, caller, raw_domain, q).await?;
    let vis = visibility_for_list(caller, Resource::Reports)?;
    let bins = interval_bins(&p)?;
    let slots = state
        .store
        .queue_slots(&vis, p.domain.id, &p.range, p.service_level_seconds, &bins)
        .await?;
    let dir = state.store.extension_directory(p.domain.id).await?;
    let mut buckets: BTreeMap<(QueueId, i64), (String, Acc)> = BTreeMap::new();
    let mut per_queue: BTreeMap<QueueId, Acc> = BTreeMap::new();
    let mut total = Acc::default();
    let mut starts: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    for s in &slots {
        let (key, label) = match starts.get(&s.slot) {
            Some(found) => found.clone(),
            None => {
                let z = interval_start(Timestamp(s.slot * SLOT_SECONDS), &p.tz, p.interval)?;
                let found = (z.timestamp().as_second(), local(&z));
                starts.insert(s.slot, found.clone());
                found
            }
        };
        buckets
            .entry((s.queue_id, key))
            .or_insert_with(|| (label, Acc::default()))
            .1
            .add(s);
        per_queue.entry(s.queue_id).or_default().add(s);
        total.add(s);
    }
    let ext = |q: QueueId| dir.queue_extension(q).map(str::to_owned);
    let queue_name = |q: QueueId| dir.queue_name(q).map(str::to_owned);
    // In the order a person reads them: by queue extension, then time.
    let mut rows: Vec<(i64, QueueStatsRow)> = buckets
        .into_iter()
        .map(|((queue_id, key), (label, acc))| {
            (
                key,
                QueueStatsRow {
                    queue_id,
                    queue_extension: ext(queue_id),
                    queue_name: queue_name(queue_id),
                    interval_start: Some(label),
                    stats: acc.stats(),
                },
            )
        })
        .collect();
    rows.sort_by(|(ka, a), (kb, b)| (&a.queue_extension, ka).cmp(&(&b.queue_extension, kb)));
    let mut queue_totals: Vec<QueueStatsRow> = per_queue
        .into_iter()
        .map(|(queue_id, acc)| QueueStatsRow {
            queue_id,
            queue_extension: ext(queue_id),
            queue_name: queue_name(queue_id),
            interval_start: None,
            stats: acc.stats(),
        })
        .collect();
    queue_totals.sort_by(|a, b| a.queue_extension.cmp(&b.queue_extension));
    Ok(QueueReport {
        timezone: p.zone.clone(),
        interval: p.interval,
        since: p.range.since,
        until: p.range.until,
        service_level_seconds: p.service_level_seconds,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        queue_totals,
        total: total.stats(),
    })
}

/// The agent report for the caller.
pub async fn agent_report(
    state: &AppState,
    caller: &Caller,
    raw_domain: &str,
    q: &ReportQuery,
) -> ApiResult<AgentReport> {
    let p = prepare(state, caller, raw_domain, q).await?;
    let vis = visibility_for_list(caller, Resource::Reports)?;
    let sums = state.store.agent_sums(&vis, p.domain.id, &p.range).await?;
    let dir = state.store.extension_directory(p.domain.id).await?;
    let rows = sums
        .into_iter()
        .map(|a| AgentStatsRow {
            user_id: a.user_id,
            extension: dir.user_extension(a.user_id).map(str::to_owned),
            name: dir.user_name(a.user_id).map(str::to_owned),
            calls_answered: a.answered,
            talk_seconds: a.talk,
            average_handling_seconds: (a.answered > 0)
                .then(|| (a.talk as f64 / a.answered as f64 * 100.0).round() / 100.0),
        })
        .collect();
    Ok(AgentReport {
        since: p.range.since,
        until: p.range.until,
        rows,
    })
}

type S = State<AppState>;
type C = Extension<Caller>;

async fn queues_json(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Json<QueueReport>> {
    Ok(Json(queue_report(&state, &caller, &domain, &q).await?))
}

async fn agents_json(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Json<AgentReport>> {
    Ok(Json(agent_report(&state, &caller, &domain, &q).await?))
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn csv_response(name: String, lines: Vec<Vec<String>>) -> Response {
    let mut out = String::new();
    for line in lines {
        crate::spreadsheet::line(&mut out, &line);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response()
}

async fn queues_csv(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    let report = queue_report(&state, &caller, &domain, &q).await?;
    let header: Vec<String> = [
        "queue",
        "interval_start",
        "offered",
        "answered",
        "abandoned",
        "timed_out",
        "answered_within_threshold",
        "service_level_percent",
        "average_wait_seconds",
        "longest_wait_seconds",
        "average_talk_seconds",
        "queue_name",
    ]
    .map(String::from)
    .to_vec();
    // The name last, so the columns before it keep their places.
    let row = |queue: &str, start: &str, s: &QueueStats, name: &str| {
        vec![
            queue.to_owned(),
            start.to_owned(),
            s.offered.to_string(),
            s.answered.to_string(),
            s.abandoned.to_string(),
            s.timed_out.to_string(),
            s.answered_within_threshold.to_string(),
            opt(s.service_level_percent),
            opt(s.average_wait_seconds),
            s.longest_wait_seconds.to_string(),
            opt(s.average_talk_seconds),
            name.to_owned(),
        ]
    };
    let mut lines = vec![header];
    for r in report.rows.iter() {
        lines.push(row(
            r.queue_extension.as_deref().unwrap_or(""),
            r.interval_start.as_deref().unwrap_or(""),
            &r.stats,
            r.queue_name.as_deref().unwrap_or(""),
        ));
    }
    for r in report.queue_totals.iter() {
        lines.push(row(
            r.queue_extension.as_deref().unwrap_or(""),
            "total",
            &r.stats,
            r.queue_name.as_deref().unwrap_or(""),
        ));
    }
    lines.push(row("all", "total", &report.total, ""));
    Ok(csv_response(
        format!("queue-report-{domain}.csv").replace('~', "mine"),
        lines,
    ))
}

async fn agents_csv(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    let report = agent_report(&state, &caller, &domain, &q).await?;
    let mut lines = vec![
        [
            "agent",
            "calls_answered",
            "talk_seconds",
            "average_handling_seconds",
            "name",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in report.rows {
        lines.push(vec![
            r.extension.unwrap_or_default(),
            r.calls_answered.to_string(),
            r.talk_seconds.to_string(),
            opt(r.average_handling_seconds),
            r.name.unwrap_or_default(),
        ]);
    }
    Ok(csv_response(
        format!("agent-report-{domain}.csv").replace('~', "mine"),
        lines,
    ))
}
