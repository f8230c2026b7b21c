//! The Call History tab: filters on the viewer's clock, a count, a page of calls, the CSV.

use super::*;
use crate::client::with_query;
use crate::html::{pager, seconds, table};
use std::collections::HashMap;
use switchboard_api::api::calls::CallQuery;
use switchboard_api::api::queues::QueueQuery;

const DISPOSITIONS: &[(&str, &str)] = &[
    ("", "any-result"),
    ("answered", "answered"),
    ("missed", "missed"),
    ("abandoned", "abandoned"),
    ("voicemail", "voicemail"),
    ("busy", "busy"),
    ("failed", "failed"),
];

const DIRECTIONS: &[(&str, &str)] = &[
    ("", "any"),
    ("inbound", "inbound"),
    ("outbound", "outbound"),
    ("internal", "internal"),
];

/// The filters of the page, as the API takes them. Dates are days on the viewer's clock;
/// RFC 3339 times pass as they are.
fn filters(ctx: &Ctx) -> R<CallQuery> {
    let bound = |key: &str, plus: i64| -> R<Option<String>> {
        match ctx.q(key) {
            "" => Ok(None),
            v if v.len() == 10 => day_start(ctx, v, plus)
                .map(Some)
                .map_err(|_| Failure::invalid(key, t("a-date-like-2026-11-24"))),
            v => Ok(Some(v.to_owned())),
        }
    };
    let choices = Form(&ctx.query);
    // In My Account the tab is one's own calls, whatever the scope reaches elsewhere.
    let user = if ctx.layout == Layout::MyAccount {
        Some(ctx.s.me.extension())
    } else {
        some(ctx.q("user"))
    };
    Ok(CallQuery {
        since: bound("since", 0)?,
        until: bound("until", 1)?,
        direction: choices.value("direction")?,
        number: some(ctx.q("number")),
        user,
        queue: some(ctx.q("queue")),
        disposition: choices.value("disposition")?,
        cursor: None,
        limit: None,
    })
}

/// Each queue's extension and name by id, to name the queue a call went through.
async fn queue_extensions(ctx: &Ctx, domain: &str) -> HashMap<QueueId, String> {
    let query = QueueQuery {
        limit: Some(500),
        ..QueueQuery::default()
    };
    ctx.api()
        .call(endpoints::list_queues(domain, &query))
        .await
        .map(|page| {
            page.items
                .into_iter()
                .map(|q| (q.id, format!("{} {}", q.extension, q.name)))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) async fn call_history(ctx: &Ctx, rest: &[&str]) -> R<View> {
    let domain = domain_param(ctx).await?;
    let query = filters(ctx)?;
    if rest == ["export.csv"] {
        return file(ctx, endpoints::calls_csv(&domain, &query)).await;
    }
    let api = ctx.api();
    let page_query = CallQuery {
        cursor: some(ctx.q("cursor")),
        ..query.clone()
    };
    let calls = api
        .call(endpoints::list_calls(&domain, &page_query))
        .await?;
    let total = api.call(endpoints::count_calls(&domain, &query)).await?;
    let queues = queue_extensions(ctx, &domain).await;
    let picker = domain_picker(ctx, &domain).await?;
    let export_q: Vec<(&str, &str)> = ctx
        .query
        .iter()
        .filter(|(k, v)| k != "cursor" && k != "notice" && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let rows = calls
        .items
        .iter()
        .map(|c| {
            let queue = c
                .queue_id
                .and_then(|q| queues.get(&q))
                .cloned()
                .unwrap_or_default();
            html! { tr.(c.disposition.as_str()) {
                td { (when(ctx, c.started_at)) }
                td { (label_of(DIRECTIONS, c.direction.as_str())) }
                td { (c.from) }
                td { (c.to) }
                td { (queue) }
                td { (label_of(DISPOSITIONS, c.disposition.as_str())) }
                td { (seconds(Some(f64::from(c.wait_seconds)))) }
                td { (seconds(Some(f64::from(c.talk_seconds)))) }
            } }
        })
        .collect();
    let date_value = |key: &str| {
        let v = ctx.q(key);
        if v.len() == 10 {
            v.to_owned()
        } else {
            String::new()
        }
    };
    page(
        t("call-history"),
        html! {
            (picker)
            form.filters method="get" action=(ctx.base()) {
                @if ctx.layout == Layout::Global { input type="hidden" name="domain" value=(domain); }
                div.field { label for="since" { (t("from-day")) } input id="since" name="since" type="date" value=(date_value("since")); }
                div.field { label for="until" { (t("to-day")) } input id="until" name="until" type="date" value=(date_value("until")); }
                div.field { label for="direction" { (t("direction")) } select id="direction" name="direction" {
                    @for (v, l) in DIRECTIONS { option value=(v) selected[*v == ctx.q("direction")] { (t(l)) } }
                } }
                div.field { label for="number" { (t("number-contains")) } input id="number" name="number" value=(ctx.q("number")); }
                @if ctx.layout != Layout::MyAccount {
                    div.field { label for="user" { (t("user-extension")) } input id="user" name="user" size="6" value=(ctx.q("user")); }
                    div.field { label for="queue" { (t("queue-extension")) } input id="queue" name="queue" size="6" value=(ctx.q("queue")); }
                }
                div.field { label for="disposition" { (t("result")) } select id="disposition" name="disposition" {
                    @for (v, l) in DISPOSITIONS { option value=(v) selected[*v == ctx.q("disposition")] { (t(l)) } }
                } }
                button.secondary type="submit" { (t("filter")) }
            }
            p { strong id="call-count" { (crate::i18n::number(total.count as i64)) } (t("calls-days-and-times-on-the")) (ctx.s.me.timezone) (t("clock")) a href=(with_query(&format!("{}/export.csv", ctx.base()), &export_q)) download { (t("download-csv")) } }
            (table(&[t("started"), t("direction"), t("from"), t("to-2"), t("queue"), t("result"), t("wait"), t("talk")], rows, t("no-calls-match")))
            (pager(&ctx.url, calls.next_cursor.as_deref()))
        },
    )
}
