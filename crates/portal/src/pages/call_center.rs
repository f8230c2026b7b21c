//! The Call Center tab (an agent's availability and queues, a supervisor's queues today, an
//! Office Manager's supervisors) and the Agents tab.

use super::*;
use crate::html::{button_form, checkbox, field, seconds, tab_href, table};
use switchboard_api::api::queues::{AvailabilityBody, LoginBody, QueueQuery};
use switchboard_api::api::reports::ReportQuery;
use switchboard_api::api::users::UserQuery;

const STATUSES: [AgentStatus; 3] = [
    AgentStatus::Available,
    AgentStatus::Unavailable,
    AgentStatus::OnBreak,
];

pub(super) fn status_label(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Available => t("available"),
        AgentStatus::Unavailable => t("unavailable"),
        AgentStatus::OnBreak => t("on-break"),
    }
}

/// Today, on the domain's clock, for a report.
/// Today on the viewer's clock, for the queue report.
fn today(ctx: &Ctx, interval: Option<switchboard_api::api::reports::Interval>) -> R<ReportQuery> {
    Ok(ReportQuery {
        since: Some(day_start(ctx, "", 0)?),
        until: Some(day_start(ctx, "", 1)?),
        interval,
        timezone: Some(ctx.s.me.timezone.to_string()),
        ..ReportQuery::default()
    })
}

fn queues_up_to(limit: u32) -> QueueQuery {
    QueueQuery {
        limit: Some(limit),
        ..QueueQuery::default()
    }
}

/// The live part of a page: rendered into it, then sent again over server-sent events
/// (`…/live`, `crate::live`) whenever something changes.
fn live(ctx: &Ctx, board: Markup) -> Markup {
    html! {
        div #live hx-ext="sse" sse-connect={ (ctx.base()) "/live" } sse-swap="board" aria-live="polite" {
            (board)
        }
    }
}

pub(super) async fn agent_center(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let base = ctx.base();
    let board = agent_board(ctx).await?;
    page(
        t("call-center"),
        html! {
            (live(ctx, board))
            form.card method="post" action=(base) {
                h2 { (t("take-a-break")) }
                (csrf(&ctx.s.csrf))
                input type="hidden" name="status" value=(AgentStatus::OnBreak.as_str());
                (form_error(sub))
                (field(sub, "reason", t("break-reason"), Input::Text, ""))
                button.secondary type="submit" { (t("take-a-break")) }
            }
        },
    )
}

/// An agent's own state, queues and day, as it is now.
pub(crate) async fn agent_board(ctx: &Ctx) -> R<Markup> {
    let api = ctx.api();
    let a = api.call(endpoints::availability(MINE, MINE)).await?;
    let range = today(ctx, None)?;
    let report = api.call(endpoints::agent_report(MINE, &range)).await?;
    let mine = report.rows.first();
    let next = if a.status == AgentStatus::Available {
        AgentStatus::Unavailable
    } else {
        AgentStatus::Available
    };
    let base = ctx.base();
    let csrf_token = &ctx.s.csrf;
    Ok(html! {
        section.card {
            h2 { (t("my-availability")) }
            p { (t("you-are")) strong id="availability" { (status_label(a.status)) } @if let Some(reason) = &a.reason { " (" (reason) ")" } "." }
            (button_form(&base, csrf_token, if next == AgentStatus::Available { t("become-available") } else { t("become-unavailable") }, "primary", &[("status", next.as_str())]))
        }
        h2 { (t("my-queues")) }
        (table(&[t("queue"), t("priority"), t("signed-in"), ""], a.queues.iter().map(|q| {
            let queue = q.queue_extension.to_string();
            html! { tr {
                td { (queue) }
                td { (q.priority) }
                td { @if q.logged_in { (t("yes")) } @else { (t("no")) } }
                td { (button_form(&base, csrf_token, if q.logged_in { t("sign-out-of-queue") } else { t("sign-in-to-queue") }, "secondary", &[("queue", &queue), ("logged_in", if q.logged_in { "false" } else { "true" })])) }
            } }
        }).collect(), t("you-are-not-an-agent-in")))
        h2 { (t("today")) }
        div.stats {
            (stat(t("calls-answered"), mine.map_or(0, |m| m.calls_answered), None))
            (stat(t("talk-time-2"), seconds(Some(mine.map_or(0, |m| m.talk_seconds) as f64)), None))
            (stat(t("average-handling-2"), seconds(mine.and_then(|m| m.average_handling_seconds)), None))
        }
    })
}

pub(super) async fn supervisor_center(ctx: &Ctx) -> R<View> {
    let board = wallboard(ctx).await?;
    let reports_link = ctx.s.me.has_tab(Layout::ManageCallCenter, Tab::Reports);
    page(
        t("call-center"),
        html! {
            p { (t("your-queues-today-on-the")) (ctx.s.me.timezone) (t("clock-as-they-change")) }
            (live(ctx, board))
            @if reports_link { p { a href=(tab_href(Layout::ManageCallCenter, Tab::Reports)) { (t("reports")) } } }
        },
    )
}

/// A supervisor's wallboard: each of its queues' figures today and its agents' states now.
pub(crate) async fn wallboard(ctx: &Ctx) -> R<Markup> {
    let api = ctx.api();
    let queues = api
        .call(endpoints::list_queues(MINE, &queues_up_to(100)))
        .await?
        .items;
    let range = today(ctx, Some(switchboard_api::api::reports::Interval::Day))?;
    let report = api.call(endpoints::queue_report(MINE, &range)).await?;
    let waiting = api.call(endpoints::queues_waiting(MINE)).await?;
    let mut boards = Vec::new();
    for q in &queues {
        let ext = q.extension.to_string();
        let now_waiting = waiting.iter().find(|w| w.queue_id == q.id);
        let callers = now_waiting.map_or(0, |w| w.waiting);
        let longest = seconds(
            now_waiting
                .and_then(|w| w.longest_wait_seconds)
                .map(|s| s as f64),
        );
        let agents = api.call(endpoints::queue_agents(MINE, &ext)).await?;
        let available = agents
            .iter()
            .filter(|a| a.status == AgentStatus::Available && a.logged_in)
            .count();
        let totals = report
            .queue_totals
            .iter()
            .find(|t| t.queue_id == q.id)
            .map(|t| t.stats.clone())
            .unwrap_or_default();
        let level = totals
            .service_level_percent
            .map(crate::i18n::percent)
            .unwrap_or("—".into());
        let rows = agents
            .iter()
            .map(|a| {
                let state = if a.logged_in { status_label(a.status) } else { t("signed-out") };
                html! { tr data-agent=(a.extension) {
                    td { (a.extension) " " (a.first_name) " " (a.last_name) }
                    td.state { (state) @if let Some(reason) = a.status_reason.as_ref().filter(|_| a.logged_in && a.status != AgentStatus::Available) { " (" (reason) ")" } }
                } }
            })
            .collect();
        boards.push(html! {
            section.card.queue-board data-queue=(ext) {
                h2 { a href={ (tab_href(Layout::ManageCallCenter, Tab::CallQueues)) "/" (enc(&ext)) } { (ext) " " (q.name) } }
                div.stats {
                    (stat(t("calls-waiting"), callers, None))
                    (stat(t("longest-wait-now"), longest, None))
                    (stat(t("agents-available"), tf("n-of-m", &[("n", arg(available)), ("m", arg(agents.len()))]), None))
                    (stat(t("offered-2"), totals.offered, None))
                    (stat(t("answered-2"), totals.answered, None))
                    (stat(t("abandoned-2"), totals.abandoned, None))
                    (stat(t("service-level-2"), level, None))
                }
                (table(&[t("agent"), t("state")], rows, t("no-agents-in-this-queue")))
            }
        });
    }
    Ok(html! {
        @if boards.is_empty() {
            p.empty { (t("no-call-queues-are-assigned-to")) }
        }
        div.wallboard { @for b in boards { (b) } }
    })
}

pub(super) async fn supervisor_settings(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let query = UserQuery {
        scope: Some(Scope::CallCenterSupervisor),
        limit: Some(200),
        ..UserQuery::default()
    };
    let supervisors = api.call(endpoints::list_users(MINE, &query)).await?.items;
    let queues = api
        .call(endpoints::list_queues(MINE, &queues_up_to(200)))
        .await?
        .items;
    let mut cards = Vec::new();
    for sup in &supervisors {
        let ext = sup.extension.to_string();
        let settings = api.call(endpoints::supervisor_settings(MINE, &ext)).await?;
        let this_sub = sub.filter(|s| s.value("supervisor") == Some(ext.as_str()));
        cards.push(html! {
            form.card method="post" action=(ctx.base()) id={ "supervisor-" (ext) } {
                (csrf(&ctx.s.csrf))
                input type="hidden" name="supervisor" value=(ext);
                h2 { (sup.first_name) " " (sup.last_name) " (" (ext) ")" }
                (form_error(this_sub))
                fieldset {
                    legend { (t("queues-this-supervisor-manages")) }
                    @for q in &queues {
                        (checkbox(this_sub, "queue_ids", &q.id.to_string(), &format!("{} {}", q.extension, q.name), settings.queue_ids.contains(&q.id)))
                    }
                }
                (checkbox(this_sub, "may_edit", "on", t("may-change-queue-settings"), settings.may_edit_queue_settings))
                button.primary type="submit" { (t("save")) }
            }
        });
    }
    page(
        t("call-center-supervisors"),
        html! {
            p { (t("choose-the-queues-each-supervisor-manages")) }
            @if cards.is_empty() { p.empty { (t("no-user-has-the-call-center")) } }
            @for c in cards { (c) }
        },
    )
}

pub(super) async fn agents(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let queues = api
        .call(endpoints::list_queues(MINE, &queues_up_to(100)))
        .await?
        .items;
    let mut seen: std::collections::BTreeMap<String, (QueueAgent, Vec<String>)> =
        Default::default();
    for q in &queues {
        let ext = q.extension.to_string();
        for a in api.call(endpoints::queue_agents(MINE, &ext)).await? {
            seen.entry(a.extension.to_string())
                .or_insert_with(|| (a, Vec::new()))
                .1
                .push(ext.clone());
        }
    }
    let rows = seen
        .iter()
        .map(|(ext, (a, qs))| {
            html! { tr {
                td { (ext) " " (a.first_name) " " (a.last_name) }
                td { (qs.join(", ")) }
                td { (status_label(a.status)) }
                td {
                    form.inline method="post" action=(ctx.base()) {
                        (csrf(&ctx.s.csrf))
                        input type="hidden" name="user" value=(ext);
                        label.sr-only for={ "status-" (ext) } { (t("availability-of")) (ext) }
                        select id={ "status-" (ext) } name="status" {
                            @for status in STATUSES { option value=(status.as_str()) selected[status == a.status] { (status_label(status)) } }
                        }
                        button.secondary type="submit" { (t("set")) }
                    }
                }
            } }
        })
        .collect();
    page(
        t("agents"),
        table(
            &[t("agent"), t("queues"), t("availability"), t("change")],
            rows,
            t("your-queues-have-no-agents-yet"),
        ),
    )
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    if !rest.is_empty() {
        return Err(Failure::not_found());
    }
    let api = ctx.api();
    if ctx.tab == Tab::CallCenter && ctx.layout == Layout::ManageOrganization {
        let queue_ids = form
            .all("queue_ids")
            .iter()
            .filter_map(|q| q.parse().ok())
            .collect();
        let settings = SupervisorSettings {
            queue_ids,
            may_edit_queue_settings: form.flag("may_edit"),
        };
        let ext = form.text("supervisor");
        api.call(endpoints::set_supervisor_settings(MINE, ext, &settings))
            .await?;
        return Ok(done(ctx, "saved"));
    }
    let who = match form.text("user") {
        "" => MINE,
        user => user,
    };
    if form.has("queue") {
        let body = LoginBody {
            logged_in: form.flag("logged_in"),
        };
        api.call(endpoints::set_agent_login(
            MINE,
            form.text("queue"),
            who,
            &body,
        ))
        .await?;
    } else {
        let body = AvailabilityBody {
            status: form.required("status", t("availability"))?,
            reason: form.opt("reason"),
        };
        api.call(endpoints::set_availability(MINE, who, &body))
            .await?;
    }
    Ok(done(ctx, "saved"))
}
