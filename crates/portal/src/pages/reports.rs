//! The Reports tab: queue and agent figures over days on the viewer's clock, with charts and
//! the CSV of each report.

use super::*;
use crate::client::with_query;
use crate::html::{bar_chart, seconds, table};
use std::collections::BTreeMap;
use switchboard_api::api::reports::{Interval, KEPT_SERVICE_LEVELS, ReportQuery};

/// Per interval, across the queues in reach.
#[derive(Default)]
struct Slot {
    offered: f64,
    answered: f64,
    within: f64,
    wait_sum: f64,
}

fn percent(p: Option<f64>) -> String {
    p.map(crate::i18n::percent).unwrap_or("—".into())
}

pub(super) async fn reports(ctx: &Ctx, rest: &[&str]) -> R<View> {
    let tz = ctx.s.me.timezone.to_string();
    let today = jiff::Timestamp::now().to_zoned(viewer_zone(ctx)).date();
    // Reports open on today; a range is chosen with the two days.
    let from = match ctx.q("from") {
        "" => today.to_string(),
        v => v.to_owned(),
    };
    let to = match ctx.q("to") {
        "" => today.to_string(),
        v => v.to_owned(),
    };
    let since = day_start(ctx, &from, 0)
        .map_err(|_| Failure::invalid("from", t("a-date-like-2026-11-24")))?;
    let until =
        day_start(ctx, &to, 1).map_err(|_| Failure::invalid("to", t("a-date-like-2026-11-24")))?;
    let filters = Form(&ctx.query);
    // One day reads best by the hour.
    let interval: Interval = filters.value("interval")?.unwrap_or(if from == to {
        Interval::Hour
    } else {
        Interval::Day
    });
    let sl: u32 = filters
        .number("service_level_seconds", t("answered-within"))?
        .unwrap_or(20);
    let queue_query = ReportQuery {
        since: Some(since.clone()),
        until: Some(until.clone()),
        interval: Some(interval),
        queue: some(ctx.q("queue")),
        service_level_seconds: Some(sl),
        timezone: Some(tz.clone()),
    };
    let agent_query = ReportQuery {
        since: Some(since),
        until: Some(until),
        ..ReportQuery::default()
    };
    match rest {
        ["queues.csv"] => return file(ctx, endpoints::queue_report_csv(MINE, &queue_query)).await,
        ["agents.csv"] => return file(ctx, endpoints::agent_report_csv(MINE, &agent_query)).await,
        [] => {}
        _ => return Err(Failure::not_found()),
    }
    let api = ctx.api();
    let report = api
        .call(endpoints::queue_report(MINE, &queue_query))
        .await?;
    let agents = api
        .call(endpoints::agent_report(MINE, &agent_query))
        .await?;
    let mut slots: BTreeMap<String, Slot> = BTreeMap::new();
    for r in &report.rows {
        let e = slots
            .entry(r.interval_start.clone().unwrap_or_default())
            .or_default();
        let answered = r.stats.answered as f64;
        e.offered += r.stats.offered as f64;
        e.answered += answered;
        e.within += r.stats.answered_within_threshold as f64;
        e.wait_sum += r.stats.average_wait_seconds.unwrap_or(0.0) * answered;
    }
    let label = |k: &str| match interval {
        Interval::Hour => k.get(5..16).unwrap_or(k).replace('T', " "),
        Interval::Month => k.get(..7).unwrap_or(k).to_owned(),
        Interval::Day => k.get(5..10).unwrap_or(k).to_owned(),
    };
    let series = |f: &dyn Fn(&Slot) -> f64| -> Vec<(String, f64)> {
        slots.iter().map(|(k, v)| (label(k), f(v))).collect()
    };
    let offered = series(&|v| v.offered);
    let level = series(&|v| {
        if v.offered > 0.0 {
            100.0 * v.within / v.offered
        } else {
            0.0
        }
    });
    let waits = series(&|v| {
        if v.answered > 0.0 {
            v.wait_sum / v.answered
        } else {
            0.0
        }
    });
    let total = &report.total;
    let interval_name = match interval {
        Interval::Hour => "hour",
        Interval::Day => "day",
        Interval::Month => "month",
    };
    let sl_text = sl.to_string();
    let csv_q: Vec<(&str, &str)> = [
        ("from", from.as_str()),
        ("to", to.as_str()),
        ("interval", interval_name),
        ("queue", ctx.q("queue")),
        ("service_level_seconds", sl_text.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let queue_rows = report.queue_totals.iter().map(|r| html! { tr {
        td { (text(&r.queue_extension)) " " (text(&r.queue_name)) } td { (r.stats.offered) } td { (r.stats.answered) } td { (r.stats.abandoned) } td { (r.stats.timed_out) }
        td { (percent(r.stats.service_level_percent)) }
        td { (seconds(r.stats.average_wait_seconds)) } td { (seconds(Some(r.stats.longest_wait_seconds as f64))) } td { (seconds(r.stats.average_talk_seconds)) }
    } }).collect();
    let agent_rows = agents.rows.iter().map(|r| html! { tr {
        td { (text(&r.extension)) " " (text(&r.name)) } td { (r.calls_answered) } td { (seconds(Some(r.talk_seconds as f64))) } td { (seconds(r.average_handling_seconds)) }
    } }).collect();
    page(
        t("reports"),
        html! {
            form.filters method="get" action=(ctx.base()) {
                div.field { label for="from" { (t("from-day")) } input id="from" name="from" type="date" value=(from); }
                div.field { label for="to" { (t("to-day")) } input id="to" name="to" type="date" value=(to); }
                div.field { label for="interval" { (t("interval")) } select id="interval" name="interval" {
                    @for (v, l) in [("hour", t("hour")), ("day", t("day")), ("month", t("month"))] { option value=(v) selected[v == interval_name] { (l) } }
                } }
                div.field { label for="queue" { (t("queue-extension")) } input id="queue" name="queue" size="6" value=(ctx.q("queue")); }
                div.field { label for="service_level_seconds" { (t("answered-within-s")) } input id="service_level_seconds" name="service_level_seconds" type="number" min="0" list="kept_service_levels" value=(sl);
                    // The thresholds the per-slot sums keep answer at once; any other is corrected from the calls.
                    datalist id="kept_service_levels" { @for level in KEPT_SERVICE_LEVELS { option value=(level) {} } } }
                button.secondary type="submit" { (t("show")) }
            }
            p { (t("on-the")) (tz) (t("clock-3")) a href=(with_query(&format!("{}/queues.csv", ctx.base()), &csv_q)) download { (t("queue-report-csv")) } " · " a href=(with_query(&format!("{}/agents.csv", ctx.base()), &csv_q)) download { (t("agent-report-csv")) } }
            div.stats {
                (stat(t("offered-2"), total.offered, None))
                (stat(t("answered-2"), total.answered, None))
                (stat(t("abandoned-2"), total.abandoned, None))
                (stat(t("service-level-2"), percent(total.service_level_percent), None))
                (stat(t("average-wait-2"), seconds(total.average_wait_seconds), None))
            }
            div.charts {
                (bar_chart(t("calls-offered-per-interval"), "", &offered, None))
                (bar_chart(&tf("service-level-within", &[("seconds", arg(sl))]), "%", &level, Some(100.0)))
                (bar_chart(t("average-wait-of-answered-calls"), "s", &waits, None))
            }
            h2 { (t("queues")) }
            (table(&[t("queue"), t("offered"), t("answered"), t("abandoned"), t("timed-out"), t("service-level"), t("average-wait"), t("longest-wait"), t("average-talk")], queue_rows, t("no-queue-calls-in-this-period")))
            h2 { (t("agents")) }
            (table(&[t("agent"), t("answered"), t("talk-time"), t("average-handling")], agent_rows, t("no-answered-queue-calls-in-this")))
        },
    )
}
