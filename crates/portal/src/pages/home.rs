//! The Home tabs: a user's day, an organization's figures, the platform's latest changes, and
//! the domain's hidden portal tabs.

use super::*;
use crate::html::{checkbox, tab_href};
use switchboard_api::api::audit::AuditQuery;
use switchboard_api::api::calls::CallQuery;
use switchboard_api::api::me::{HiddenTabView, PortalTabs};
use switchboard_api::api::queues::QueueQuery;
use switchboard_api::api::settings_extra::AtQuery;
use switchboard_api::api::users::UserQuery;
use switchboard_policy::{Action, Resource};

/// What an answering rule does, in words.
pub(super) fn describe_action(a: &RuleAction) -> String {
    let list = |d: &[Destination]| {
        d.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match a {
        RuleAction::DoNotDisturb => t("do-not-disturb").into(),
        RuleAction::SendToVoicemail => t("send-to-voicemail").into(),
        RuleAction::ForwardAlways { to } => tf("rule-forward-always", &[("to", arg(to))]),
        RuleAction::ForwardConditional {
            no_answer, busy, ..
        } => tf(
            "rule-forward-conditional",
            &[
                ("no_answer", arg(or_dash(&text(no_answer)))),
                ("busy", arg(or_dash(&text(busy)))),
            ],
        ),
        RuleAction::SimultaneousRing { numbers, .. } => {
            tf("rule-simultaneous-ring", &[("numbers", arg(list(numbers)))])
        }
    }
}

fn calls(since: &str, user: Option<String>, disposition: Option<Disposition>) -> CallQuery {
    CallQuery {
        since: some(since),
        user,
        disposition,
        ..CallQuery::default()
    }
}

pub(super) async fn user_home(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let me = &ctx.s.me;
    let since = day_start(ctx, "", 0)?;
    let ext = me.extension();
    let messages = api
        .call(settings::list_of_user::<VoicemailMessage>(
            MINE,
            MINE,
            &first(500),
        ))
        .await?;
    let new = messages
        .items
        .iter()
        .filter(|m| m.body.folder == Folder::New)
        .count();
    let missed = api
        .call(endpoints::count_calls(
            MINE,
            &calls(&since, Some(ext.clone()), Some(Disposition::Missed)),
        ))
        .await?;
    let today = api
        .call(endpoints::count_calls(
            MINE,
            &calls(&since, Some(ext), None),
        ))
        .await?;
    let has_rules = me.has_tab(Layout::MyAccount, Tab::AnsweringRules);
    let active = if has_rules {
        api.call(endpoints::active_rule(MINE, MINE, &AtQuery { at: None }))
            .await
            .ok()
            .and_then(|a| a.rule)
    } else {
        None
    };
    let history = tab_href(Layout::MyAccount, Tab::CallHistory);
    let messages_tab = me
        .has_tab(Layout::MyAccount, Tab::Messages)
        .then(|| tab_href(Layout::MyAccount, Tab::Messages));
    page(
        tf("welcome", &[("name", arg(me.name()))]),
        html! {
            div.stats {
                (stat(t("new-voicemails"), new, messages_tab))
                (stat(t("missed-calls-today"), missed, Some(crate::client::with_query(&history, &[("disposition", "missed"), ("since", &since)]))))
                (stat(t("calls-today"), today, Some(history.clone())))
            }
            @if has_rules {
                section.card {
                    h2 { (t("answering-rule-in-force-now")) }
                    @match &active {
                        Some(rule) => p.active-rule { (describe_action(&rule.body.action)) },
                        None => p { (t("no-rule-applies-calls-ring-your")) },
                    }
                    a href=(tab_href(Layout::MyAccount, Tab::AnsweringRules)) { (t("change-answering-rules")) }
                }
            }
        },
    )
}

pub(super) async fn org_home(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let since = day_start(ctx, "", 0)?;
    let me = &ctx.s.me;
    let l = Layout::ManageOrganization;
    let shows = |tab| me.has_tab(l, tab);
    let everything = SettingQuery::default();
    let mut counts = Vec::new();
    if shows(Tab::Users) {
        let n = api
            .call(endpoints::count_users(MINE, &UserQuery::default()))
            .await?;
        counts.push((t("stat-users"), n.count, Tab::Users));
    }
    if shows(Tab::CallQueues) {
        let n = api
            .call(endpoints::count_queues(MINE, &QueueQuery::default()))
            .await?;
        counts.push((t("call-queues-3"), n.count, Tab::CallQueues));
    }
    if shows(Tab::AutoAttendants) {
        let n = api
            .call(settings::count::<AutoAttendant>(MINE, &everything))
            .await?;
        counts.push((t("auto-attendants-3"), n.count, Tab::AutoAttendants));
    }
    if shows(Tab::Conferences) || me.scope == Scope::OfficeManager {
        let n = api
            .call(settings::count::<Conference>(MINE, &everything))
            .await?;
        counts.push((t("stat-conferences"), n.count, Tab::Conferences));
    }
    if shows(Tab::Inventory) {
        let n = api
            .call(settings::count::<PhoneNumber>(MINE, &everything))
            .await?;
        counts.push((t("phone-numbers-2"), n.count, Tab::Inventory));
    }
    let mut today = Vec::new();
    for (label, disposition) in [
        (t("calls-today"), None),
        (t("answered-2"), Some(Disposition::Answered)),
        (t("missed-2"), Some(Disposition::Missed)),
        (t("abandoned-2"), Some(Disposition::Abandoned)),
        (t("voicemail-2"), Some(Disposition::Voicemail)),
    ] {
        let n = api
            .call(endpoints::count_calls(
                MINE,
                &calls(&since, None, disposition),
            ))
            .await?;
        today.push((label, n, disposition.map_or("", Disposition::as_str)));
    }
    let history = tab_href(l, Tab::CallHistory);
    let tabs_settings = api.call(endpoints::portal_tabs(MINE)).await.is_ok()
        && me.may_now(Resource::PortalTabSettings, Action::Update);
    let whose = if me.scope == Scope::SiteManager {
        t("your-site")
    } else {
        t("organization")
    };
    page(
        format!("{} — {whose}", me.domain.name),
        html! {
            div.stats {
                @for (label, n, tab) in &counts { (stat(label, n, Some(tab_href(l, *tab)))) }
            }
            h2 { (t("today")) }
            div.stats {
                @for (label, n, disposition) in &today {
                    (stat(label, n, Some(crate::client::with_query(&history, &[("since", &since), ("disposition", disposition)]))))
                }
            }
            @if tabs_settings {
                p { a href={ (tab_href(l, Tab::Home)) "/portal-tabs" } { (t("portal-tabs-hide-tabs-from-users")) } }
            }
        },
    )
}

pub(super) async fn global_home(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let domains = api
        .call(endpoints::count_domains(&DomainQuery::default()))
        .await?;
    let latest = AuditQuery {
        limit: Some(10),
        ..AuditQuery::default()
    };
    let audit = api.call(endpoints::audit_log(&latest)).await?;
    page(
        t("platform"),
        html! {
            div.stats {
                (stat(t("stat-domains"), domains.count, Some(tab_href(Layout::Global, Tab::Domains))))
            }
            h2 { (t("latest-changes")) }
            (provider::audit_table(ctx, &audit.items))
        },
    )
}

pub(super) async fn portal_tabs(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let current = ctx.api().call(endpoints::portal_tabs(MINE)).await?;
    let is_hidden = |scope: Scope, layout: Layout, tab: Tab| {
        current
            .hidden
            .iter()
            .any(|h| h.scope == scope && h.layout == layout && h.tab == tab)
    };
    page(
        t("portal-tabs"),
        html! {
            p { (t("hide-tabs-your-users-do-not")) }
            form method="post" {
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                // The scopes of a domain's people who log in.
                @for scope in Scope::ALL.into_iter().filter(|s| *s < Scope::Reseller && s.can_log_in()) {
                    fieldset {
                        legend { (scope_label(scope)) }
                        @for (layout, tabs) in switchboard_policy::layouts_for(scope) {
                            div.tabset {
                                strong { (layout_label(*layout)) ": " }
                                @for tab in tabs.iter().skip(1) {
                                    @let value = format!("{}/{}/{}", scope.as_str(), layout.name(), tab.name());
                                    (checkbox(sub, "hide", &value, &tf("hide-tab", &[("tab", arg(tab_label(*tab)))]), is_hidden(scope, *layout, *tab)))
                                }
                            }
                        }
                    }
                }
                button.primary type="submit" { (t("save")) }
            }
        },
    )
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    if rest != ["portal-tabs"] {
        return Err(Failure::not_found());
    }
    let hidden = form
        .all("hide")
        .iter()
        .filter_map(|v| {
            let mut parts = v.splitn(3, '/');
            Some(HiddenTabView {
                scope: Scope::parse(parts.next()?)?,
                layout: Layout::parse(parts.next()?)?,
                tab: Tab::parse(parts.next()?)?,
            })
        })
        .collect();
    ctx.api()
        .call(endpoints::set_portal_tabs(MINE, &PortalTabs { hidden }))
        .await?;
    Ok(format!("{}/portal-tabs?notice=saved", ctx.base()))
}
