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
    let rows = list.items.iter().map(|d| {
        let name = d.name.to_string();
        html! { tr {
            td { (name) } td { (d.description) } td { (d.timezone) }
            td { a href=(with_query(&tab_href(Layout::Global, Tab::CallHistory), &[("domain", &name)])) { "Calls" } " · " a href=(with_query(&tab_href(Layout::Global, Tab::Inventory), &[("domain", &name)])) { "Numbers" } }
        } }
    }).collect();
    page(
        "Domains",
        html! {
            (search_form(ctx, "Search domains"))
            (table(&["Domain", "Description", "Time zone", ""], rows, "No domains yet."))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if may_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { "New domain" }
                    (csrf(&ctx.s.csrf)) (form_error(sub))
                    (field_with(sub, "name", "Domain name", Input::Text, "", true))
                    (field_with(sub, "description", "Description", Input::Text, "", true))
                    (field_with(sub, "timezone", "Time zone", Input::Text, "America/New_York", true))
                    fieldset {
                        legend { "Policy" }
                        (checkbox(sub, "office_managers_manage_users", "on", "Office Managers may create and delete users", false))
                        (checkbox(sub, "two_factor_for_managers", "on", "Managers (Office and Site Managers, supervisors) must log in with two-factor login", false))
                    }
                    fieldset {
                        legend { "Switch (optional: empty uses the reseller's, else the installation's)" }
                        (field(sub, "gateway", "Outside calls leave through (SIP URI with {number})", Input::Text, ""))
                        (field(sub, "media_server", "Voicemail, attendants and conferences at (SIP URI with {service})", Input::Text, ""))
                    }
                    fieldset {
                        legend { "First Office Manager (optional)" }
                        (field(sub, "om_extension", "Extension", Input::Text, ""))
                        (field(sub, "om_first_name", "First name", Input::Text, ""))
                        (field(sub, "om_last_name", "Last name", Input::Text, ""))
                        (field(sub, "om_email", "Email", Input::Email, ""))
                        (field(sub, "om_password", "Password", Input::Password, ""))
                    }
                    button.primary type="submit" { "Create domain" }
                }
            }
        },
    )
}

pub(super) fn audit_table(items: &[AuditEntry]) -> Markup {
    let rows = items
        .iter()
        .map(|a| {
            html! { tr {
                td { (when(a.at)) }
                td { (a.actor_login) @if let Some(who) = &a.on_behalf_of_login { " as " (who) } }
                td { code { (a.action) } }
                td { (a.object) }
                td { (text(&a.client_addr)) }
            } }
        })
        .collect();
    table(
        &["When", "Who", "What", "Object", "From"],
        rows,
        "Nothing recorded yet.",
    )
}

pub(super) async fn audit_log(ctx: &Ctx) -> R<View> {
    let query = AuditQuery {
        cursor: some(ctx.q("cursor")),
        ..AuditQuery::default()
    };
    let list = ctx.api().call(endpoints::audit_log(&query)).await?;
    page(
        "Audit Log",
        html! {
            (audit_table(&list.items))
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
