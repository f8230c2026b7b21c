//! The Call Queues tab: the list, a new queue, and one queue with its agents and settings.

use super::call_center::status_label;
use super::*;
use crate::html::{button_form, field, pager, seconds, table};
use switchboard_api::api::queues::{LoginBody, NewAgentBody, NewQueueBody, QueuePatch, QueueQuery};
use switchboard_policy::{Action, Resource};

const RING: &[(&str, &str)] = &[
    ("ring_all", "Ring all"),
    ("round_robin", "Round robin"),
    ("longest_idle", "Longest idle"),
    ("linear", "Linear"),
];

fn ring_label(strategy: RingStrategy) -> &'static str {
    RING.iter()
        .find(|(k, _)| *k == strategy.as_str())
        .map_or("", |(_, l)| *l)
}

pub(super) async fn queues(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let query = QueueQuery {
        q: some(ctx.q("q")),
        cursor: some(ctx.q("cursor")),
        ..QueueQuery::default()
    };
    let list = ctx.api().call(endpoints::list_queues(MINE, &query)).await?;
    let can_create = can(ctx, Resource::CallQueues, Action::Create);
    let sites = if can_create {
        site_options(ctx).await?
    } else {
        Vec::new()
    };
    let rows = list
        .items
        .iter()
        .map(|x| {
            let ext = x.extension.to_string();
            html! { tr {
                td { a href={ (ctx.base()) "/" (enc(&ext)) } { (ext) } }
                td { (x.name) }
                td { (ring_label(x.ring_strategy)) }
                td { (seconds(Some(f64::from(x.max_wait_seconds)))) }
                td { @if can_create { (delete_link(ctx, &ext)) } }
            } }
        })
        .collect();
    page(
        "Call Queues",
        html! {
            (search_form(ctx, "Search queues"))
            (table(&["Extension", "Name", "Ring strategy", "Maximum wait", ""], rows, "No call queues."))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if can_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { "New call queue" }
                    (csrf(&ctx.s.csrf))
                    (form_error(sub))
                    (field_with(sub, "name", "Name", Input::Text, "", true))
                    (field_with(sub, "extension", "Extension", Input::Text, "", true))
                    (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                    (field(sub, "ring_strategy", "Ring strategy", Input::Select(&options(RING)), "ring_all"))
                    button.primary type="submit" { "Create queue" }
                }
            }
        },
    )
}

pub(super) async fn queue_detail(ctx: &Ctx, ext: &str, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let q = api.call(endpoints::get_queue(MINE, ext)).await?;
    let agents = api.call(endpoints::queue_agents(MINE, ext)).await?;
    let may_edit = can(ctx, Resource::CallQueues, Action::Update);
    let base = format!("{}/{}", ctx.base(), enc(ext));
    let rows = agents
        .iter()
        .map(|a| {
            let user = enc(a.extension.as_str());
            html! { tr {
                td { (a.extension) " " (a.first_name) " " (a.last_name) }
                td { (a.priority) }
                td { (status_label(a.status)) }
                td { (button_form(&format!("{base}/agents/{user}/login"), &ctx.s.csrf, if a.logged_in { "Sign out" } else { "Sign in" }, "secondary", &[("logged_in", if a.logged_in { "false" } else { "true" })])) }
                td { (button_form(&format!("{base}/agents/{user}/remove"), &ctx.s.csrf, "Remove", "danger", &[])) }
            } }
        })
        .collect();
    let adding = sub.filter(|s| s.value("user").is_some());
    let editing = sub.filter(|s| s.value("user").is_none());
    page(
        format!("Queue {} {}", q.extension, q.name),
        html! {
            h2 { "Agents" }
            (table(&["Agent", "Priority", "Availability", "Queue sign-in", ""], rows, "No agents yet."))
            form.card method="post" action={ (base) "/agents" } {
                h3 { "Add an agent" }
                (csrf(&ctx.s.csrf))
                (form_error(adding))
                (field_with(adding, "user", "Agent's extension", Input::Text, "", true))
                (field(adding, "priority", "Priority tier", Input::Number, "1"))
                button.primary type="submit" { "Add agent" }
            }
            h2 { "Settings" }
            @if may_edit {
                form.card method="post" action=(base) {
                    (csrf(&ctx.s.csrf))
                    (form_error(editing))
                    (field(editing, "name", "Name", Input::Text, q.name.as_str()))
                    (field(editing, "ring_strategy", "Ring strategy", Input::Select(&options(RING)), q.ring_strategy.as_str()))
                    (field(editing, "max_wait_seconds", "Maximum wait (seconds)", Input::Number, &q.max_wait_seconds.to_string()))
                    (field(editing, "max_callers", "Maximum callers waiting", Input::Number, &q.max_callers.to_string()))
                    (field(editing, "wrap_up_seconds", "Wrap-up (seconds)", Input::Number, &q.wrap_up_seconds.to_string()))
                    button.primary type="submit" { "Save settings" }
                }
            } @else {
                dl {
                    dt { "Ring strategy" } dd { (ring_label(q.ring_strategy)) }
                    dt { "Maximum wait" } dd { (seconds(Some(f64::from(q.max_wait_seconds)))) }
                    dt { "Maximum callers" } dd { (q.max_callers) }
                    dt { "Wrap-up" } dd { (seconds(Some(f64::from(q.wrap_up_seconds)))) }
                }
            }
        },
    )
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    let api = ctx.api();
    let back = |queue: &str, notice: &str| format!("{}/{}?notice={notice}", ctx.base(), enc(queue));
    match rest {
        [] => {
            let body = NewQueueBody {
                name: form.text("name").to_owned(),
                extension: form.text("extension").to_owned(),
                site_id: form.number("site_id", "Site")?,
                ring_strategy: form.value("ring_strategy")?,
                ..NewQueueBody::default()
            };
            api.call(endpoints::create_queue(MINE, &body)).await?;
            Ok(done(ctx, "created"))
        }
        [queue] => {
            let patch = QueuePatch {
                name: form.opt("name"),
                ring_strategy: form.value("ring_strategy")?,
                max_wait_seconds: form.number("max_wait_seconds", "Maximum wait")?,
                max_callers: form.number("max_callers", "Maximum callers")?,
                wrap_up_seconds: form.number("wrap_up_seconds", "Wrap-up")?,
                ..QueuePatch::default()
            };
            api.call(endpoints::update_queue(MINE, queue, &patch))
                .await?;
            Ok(back(queue, "saved"))
        }
        [queue, "agents"] => {
            let body = NewAgentBody {
                user: form.text("user").to_owned(),
                priority: form.number("priority", "Priority")?,
                ..NewAgentBody::default()
            };
            api.call(endpoints::add_agent(MINE, queue, &body)).await?;
            Ok(back(queue, "added"))
        }
        [queue, "agents", user, "remove"] => {
            api.call(endpoints::remove_agent(MINE, queue, user)).await?;
            Ok(back(queue, "removed"))
        }
        [queue, "agents", user, "login"] => {
            let body = LoginBody {
                logged_in: form.flag("logged_in"),
            };
            api.call(endpoints::set_agent_login(MINE, queue, user, &body))
                .await?;
            Ok(back(queue, "saved"))
        }
        _ => Err(Failure::not_found()),
    }
}
