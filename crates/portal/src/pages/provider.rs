//! The provider's tabs: Domains and the Audit Log.

use super::*;
use crate::client::with_query;
use crate::html::{checkbox, field, pager, tab_href, table};
use switchboard_api::api::audit::AuditQuery;
use switchboard_api::api::directory::NewDomainBody;
use switchboard_api::api::users::NewUserBody;
use switchboard_policy::{Action, Resource};

pub(super) async fn domains(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let query = DomainQuery {
        q: some(ctx.q("q")),
        cursor: some(ctx.q("cursor")),
        ..DomainQuery::default()
    };
    let list = ctx.api().call(endpoints::list_domains(&query)).await?;
    let may_create = can(ctx, Resource::Domains, Action::Create);
    let may_act_as = can(ctx, Resource::Users, Action::Impersonate);
    let rows = list.items.iter().map(|d| {
        let name = d.name.to_string();
        html! { tr {
            td { (name) } td { (d.description) } td { (d.timezone) }
            td { a href=(with_query(&tab_href(Layout::Global, Tab::CallHistory), &[("domain", &name)])) { (t("calls")) } " · " a href=(with_query(&tab_href(Layout::Global, Tab::Inventory), &[("domain", &name)])) { (t("numbers")) } }
            @if may_act_as {
                td {
                    // Acting as one of the domain's users: the API decides who may be acted as.
                    form.inline method="post" action="/impersonate" {
                        (csrf(&ctx.s.csrf))
                        input type="hidden" name="domain" value=(name);
                        input type="hidden" name="back" value=(ctx.url);
                        input name="user" size="5" placeholder="101" aria-label={ (t("act-as-user-of")) (name) } title=(t("the-users-extension"));
                        " "
                        button.secondary type="submit" { (t("act-as")) }
                    }
                }
            }
        } }
    }).collect();
    let headers: &[&str] = if may_act_as {
        &[
            t("domain"),
            t("description"),
            t("time-zone"),
            "",
            t("act-as-a-user"),
        ]
    } else {
        &[t("domain"), t("description"), t("time-zone"), ""]
    };
    page(
        t("domains"),
        html! {
            (search_form(ctx, t("search-domains")))
            (table(headers, rows, t("no-domains-yet")))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if may_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { (t("new-domain")) }
                    (csrf(&ctx.s.csrf)) (form_error(sub))
                    (field_with(sub, "name", t("domain-name"), Input::Text, "", true))
                    (field_with(sub, "description", t("description"), Input::Text, "", true))
                    (field_with(sub, "timezone", t("time-zone"), Input::Text, "America/New_York", true))
                    fieldset {
                        legend { (t("policy")) }
                        (checkbox(sub, "office_managers_manage_users", "on", t("office-managers-may-create-and-delete"), false))
                        (checkbox(sub, "two_factor_for_managers", "on", t("managers-office-and-site-managers-supervisors"), false))
                    }
                    fieldset {
                        legend { (t("switch-optional-empty-uses-the-resellers")) }
                        (field(sub, "gateway", t("gateway-field"), Input::Text, ""))
                        (field(sub, "media_server", t("media-server-field"), Input::Text, ""))
                    }
                    fieldset {
                        legend { (t("first-office-manager-optional")) }
                        (field(sub, "om_extension", t("extension"), Input::Text, ""))
                        (field(sub, "om_first_name", t("first-name"), Input::Text, ""))
                        (field(sub, "om_last_name", t("last-name"), Input::Text, ""))
                        (field(sub, "om_email", t("email"), Input::Email, ""))
                        (field(sub, "om_password", t("password"), Input::Password, ""))
                    }
                    button.primary type="submit" { (t("create-domain")) }
                }
            }
        },
    )
}

pub(super) fn audit_table(ctx: &Ctx, items: &[AuditEntry]) -> Markup {
    let rows = items
        .iter()
        .map(|a| {
            html! { tr {
                td { (when(ctx, a.at)) }
                td { (a.actor_login) @if let Some(who) = &a.on_behalf_of_login { (t("as")) (who) } }
                td { (action_label(&a.action)) br; small { code { (a.action) } } }
                td { (a.object) }
                td { (changes(a.before.as_ref(), a.after.as_ref())) }
                td { (text(&a.client_addr)) }
            } }
        })
        .collect();
    table(
        &[
            t("when"),
            t("who"),
            t("what"),
            t("object"),
            t("changes"),
            t("from"),
        ],
        rows,
        t("nothing-recorded"),
    )
}

/// An action code as a person says it: `user.update` → "User: updated". What the catalogue
/// does not name (a code added later) is shown as its words.
fn action_label(action: &str) -> String {
    let (thing, verb) = action.split_once('.').unwrap_or((action, ""));
    let words = |code: &str| code.replace('_', " ");
    let thing = crate::i18n::lookup(&format!("audit-thing-{thing}"))
        .map_or_else(|| words(thing), str::to_owned);
    let verb = crate::i18n::lookup(&format!("audit-verb-{verb}"))
        .map_or_else(|| words(verb), str::to_owned);
    tf(
        "audit-action",
        &[("thing", arg(thing)), ("verb", arg(verb))],
    )
}

/// What a change changed: each field whose value differs, before → after.
fn changes(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Markup {
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "—".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let empty = serde_json::Map::new();
    let fields = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::Object(map)) => map.clone(),
        _ => empty.clone(),
    };
    let (old, new) = (fields(before), fields(after));
    if old.is_empty() && new.is_empty() {
        return html! {};
    }
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let changed: Vec<(&String, String, String)> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| (k, show(old.get(k)), show(new.get(k))))
        .collect();
    html! {
        @if changed.is_empty() { "—" } @else {
            details {
                summary { (tf("n-fields", &[("count", changed.len().into())])) }
                dl.changes { @for (k, was, is) in &changed {
                    dt { (crate::i18n::field_label(k).map_or_else(|| k.replace('_', " "), str::to_owned)) }
                    dd { del { (was) } " → " ins { (is) } }
                } }
            }
        }
    }
}

pub(super) async fn audit_log(ctx: &Ctx) -> R<View> {
    let day = |key: &str, plus: i64| -> R<Option<String>> {
        match ctx.q(key) {
            "" => Ok(None),
            v => day_start(ctx, v, plus)
                .map(Some)
                .map_err(|_| Failure::invalid(key, t("a-date-like-2026-11-24"))),
        }
    };
    let query = AuditQuery {
        domain: some(ctx.q("domain")),
        action: some(ctx.q("action")),
        user: some(ctx.q("user")),
        since: day("since", 0)?,
        until: day("until", 1)?,
        cursor: some(ctx.q("cursor")),
        limit: None,
    };
    let list = ctx.api().call(endpoints::audit_log(&query)).await?;
    const ACTIONS: [(&str, &str); 19] = [
        ("", "any-change"),
        ("user.", "users"),
        ("site.", "sites"),
        ("domain.", "domains"),
        ("reseller.", "resellers"),
        ("call_queue.", "call-queues-2"),
        ("queue_agent.", "queue-agents"),
        ("agent.", "agent-availability-and-queue-log-in"),
        ("session.", "logins-and-sessions"),
        ("two_factor.", "two-factor-login"),
        ("api_key.", "api-keys"),
        ("device.", "phones"),
        ("phone_number.", "phone-numbers"),
        ("answer_rule.", "answering-rules-2"),
        ("time_frame.", "time-frames-2"),
        ("conference.", "conferences"),
        ("auto_attendant.", "auto-attendants-2"),
        ("calls.", "call-records"),
        ("portal_tabs.", "portal-tabs"),
    ];
    page(
        t("audit-log"),
        html! {
            form.filters method="get" action=(ctx.base()) {
                div.field { label for="action" { (t("change")) } select id="action" name="action" {
                    @for (v, l) in ACTIONS { option value=(v) selected[v == ctx.q("action")] { (t(l)) } }
                } }
                div.field { label for="user" { (t("by-extension-domain")) } input id="user" name="user" value=(ctx.q("user")); }
                div.field { label for="domain" { (t("domain")) } input id="domain" name="domain" value=(ctx.q("domain")); }
                div.field { label for="since" { (t("from-day")) } input id="since" name="since" type="date" value=(ctx.q("since")); }
                div.field { label for="until" { (t("to-day")) } input id="until" name="until" type="date" value=(ctx.q("until")); }
                button.secondary type="submit" { (t("filter")) }
            }
            p { (t("newest-first-days-and-times-on")) (ctx.s.me.timezone) (t("clock-2")) }
            (audit_table(ctx, &list.items))
            (pager(&ctx.url, list.next_cursor.as_deref()))
        },
    )
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    if !rest.is_empty() {
        return Err(Failure::not_found());
    }
    let office_manager = form.opt("om_extension").map(|extension| NewUserBody {
        extension,
        first_name: form.text("om_first_name").to_owned(),
        last_name: form.text("om_last_name").to_owned(),
        email: form.opt("om_email"),
        scope: None,
        site_id: None,
        password: form.opt("om_password"),
        language: None,
        timezone: None,
        caller_id: None,
    });
    let body = NewDomainBody {
        name: form.text("name").to_owned(),
        description: form.text("description").to_owned(),
        timezone: form.text("timezone").to_owned(),
        reseller_id: None,
        policy: DomainPolicy {
            office_managers_manage_users: form.flag("office_managers_manage_users"),
            two_factor_for_managers: form.flag("two_factor_for_managers"),
            ..DomainPolicy::default()
        },
        switch: SwitchRoutes {
            gateway: form.value("gateway")?,
            media_server: form.value("media_server")?,
        },
        office_manager,
    };
    ctx.api().call(endpoints::create_domain(&body)).await?;
    Ok(done(ctx, "created"))
}
