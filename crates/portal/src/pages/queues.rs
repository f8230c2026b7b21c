//! The Call Queues tab: the list, a new queue, and one queue with its agents and settings.

use super::call_center::status_label;
use super::*;
use crate::html::{button_form, field, pager, seconds, table};
use switchboard_api::api::queues::{LoginBody, NewAgentBody, NewQueueBody, QueuePatch, QueueQuery};
use switchboard_policy::{Action, Resource};

const RING: &[(&str, &str)] = &[
    ("ring_all", "ring-all"),
    ("round_robin", "round-robin"),
    ("longest_idle", "longest-idle"),
    ("linear", "linear"),
];

fn ring_label(strategy: RingStrategy) -> &'static str {
    label_of(RING, strategy.as_str())
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
        t("call-queues"),
        html! {
            (search_form(ctx, t("search-queues")))
            (table(&[t("extension"), t("name"), t("ring-strategy"), t("maximum-wait"), ""], rows, t("no-call-queues")))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if can_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { (t("new-call-queue")) }
                    (csrf(&ctx.s.csrf))
                    (form_error(sub))
                    (field_with(sub, "name", t("name"), Input::Text, "", true))
                    (field_with(sub, "extension", t("extension"), Input::Text, "", true))
                    (field(sub, "site_id", t("site"), Input::Select(&sites), ""))
                    (field(sub, "ring_strategy", t("ring-strategy"), Input::Select(&options(RING)), "ring_all"))
                    button.primary type="submit" { (t("create-queue")) }
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
                td { (button_form(&format!("{base}/agents/{user}/login"), &ctx.s.csrf, if a.logged_in { t("sign-out") } else { t("sign-in") }, "secondary", &[("logged_in", if a.logged_in { "false" } else { "true" })])) }
                td { (button_form(&format!("{base}/agents/{user}/remove"), &ctx.s.csrf, t("remove"), "danger", &[])) }
            } }
        })
        .collect();
    let adding = sub.filter(|s| s.value("user").is_some());
    let editing = sub.filter(|s| s.value("user").is_none());
    page(
        tf(
            "queue-title",
            &[("extension", arg(q.extension)), ("name", arg(&q.name))],
        ),
        html! {
            h2 { (t("agents")) }
            (table(&[t("agent"), t("priority"), t("availability"), t("queue-sign-in"), ""], rows, t("no-agents-yet")))
            form.card method="post" action={ (base) "/agents" } {
                h3 { (t("add-an-agent")) }
                (csrf(&ctx.s.csrf))
                (form_error(adding))
                (field_with(adding, "user", t("agents-extension"), Input::Text, "", true))
                (field(adding, "priority", t("priority-tier"), Input::Number, "1"))
                button.primary type="submit" { (t("add-agent")) }
            }
            h2 { (t("settings")) }
            @if may_edit {
                form.card method="post" action=(base) {
                    (csrf(&ctx.s.csrf))
                    (form_error(editing))
                    (field(editing, "name", t("name"), Input::Text, q.name.as_str()))
                    (field(editing, "ring_strategy", t("ring-strategy"), Input::Select(&options(RING)), q.ring_strategy.as_str()))
                    (field(editing, "max_wait_seconds", t("maximum-wait-seconds"), Input::Number, &q.max_wait_seconds.to_string()))
                    (field(editing, "max_callers", t("maximum-callers-waiting"), Input::Number, &q.max_callers.to_string()))
                    (field(editing, "wrap_up_seconds", t("wrap-up-seconds"), Input::Number, &q.wrap_up_seconds.to_string()))
                    button.primary type="submit" { (t("save-settings")) }
                }
            } @else {
                dl {
                    dt { (t("ring-strategy")) } dd { (ring_label(q.ring_strategy)) }
                    dt { (t("maximum-wait")) } dd { (seconds(Some(f64::from(q.max_wait_seconds)))) }
                    dt { (t("maximum-callers")) } dd { (q.max_callers) }
                    dt { (t("wrap-up")) } dd { (seconds(Some(f64::from(q.wrap_up_seconds)))) }
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
                site_id: form.number("site_id", t("site"))?,
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
                max_wait_seconds: form.number("max_wait_seconds", t("maximum-wait"))?,
                max_callers: form.number("max_callers", t("maximum-callers"))?,
                wrap_up_seconds: form.number("wrap_up_seconds", t("wrap-up"))?,
                ..QueuePatch::default()
            };
            api.call(endpoints::update_queue(MINE, queue, &patch))
                .await?;
            Ok(back(queue, "saved"))
        }
        [queue, "agents"] => {
            let body = NewAgentBody {
                user: form.text("user").to_owned(),
                priority: form.number("priority", t("priority"))?,
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
