//! Every tab's page. Each reads through the API with the user's own session and shows what it
//! gets; each change is one API call whose refusal is shown next to the field it names.

use super::Ctx;
use super::client::{Failure, enc, with_query};
use super::html::{
    Input, Submitted, bar_chart, button_form, checkbox, csrf, field, field_with, form_error, pager,
    s, seconds, tab_href, table, when,
};
use super::session::Session;
use axum::body::Body;
use axum::http::Method;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Map, Value, json};
use switchboard_domain::Scope;
use switchboard_policy::{Layout, Tab};

pub enum View {
    Page(String, Markup),
    /// A file passed through from the API (CSV export, recording, printable invoice).
    File(Response),
}

type R<T> = Result<T, Failure>;
type Form = [(String, String)];

const D: &str = "/api/v1/domains/~";

fn page(title: impl Into<String>, body: Markup) -> R<View> {
    Ok(View::Page(title.into(), body))
}

fn get<'a>(form: &'a Form, key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

fn all<'a>(form: &'a Form, key: &str) -> Vec<&'a str> {
    form.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A JSON string, or nothing when the field was left empty.
fn opt(form: &Form, key: &str) -> Value {
    match get(form, key) {
        "" => Value::Null,
        v => Value::String(v.to_owned()),
    }
}

/// A whole number from a form field, or a clear error naming it.
fn num(form: &Form, key: &str, label: &str) -> R<Value> {
    match get(form, key) {
        "" => Ok(Value::Null),
        v => v
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| Failure::invalid(key, format!("{label} must be a whole number"))),
    }
}

fn without_nulls(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, x| !x.is_null());
    }
    v
}

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

fn done(ctx: &Ctx, notice: &str) -> String {
    format!("{}?notice={notice}", ctx.base())
}

/// The password form in front of Account Preferences.
pub fn reauth_form(s: &Session, next: &str, sub: Option<&Submitted>) -> Markup {
    html! {
        p { "Account Preferences hold billing and emergency details. Enter your password again to open them for a few minutes." }
        form.card method="post" action="/reauth" {
            (csrf(&s.csrf))
            input type="hidden" name="next" value=(next);
            (form_error(sub))
            (field_with(sub, "password", "Password", Input::Password, "", true))
            button.primary type="submit" { "Continue" }
        }
    }
}

pub async fn view(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let rest: Vec<&str> = ctx.rest.iter().map(String::as_str).collect();
    if let [id, "delete"] = rest[..] {
        return confirm_delete(ctx, id).await;
    }
    match (ctx.tab, ctx.layout) {
        (Tab::Home, Layout::MyAccount) => user_home(ctx).await,
        (Tab::Home, Layout::ManageOrganization) if rest == ["portal-tabs"] => {
            portal_tabs(ctx, sub).await
        }
        (Tab::Home, Layout::ManageOrganization) => org_home(ctx).await,
        (Tab::Home, _) => global_home(ctx).await,
        (Tab::CallCenter, Layout::ManageOrganization) => supervisor_settings(ctx, sub).await,
        (Tab::CallCenter, _) if ctx.s.me.scope == Scope::CallCenterAgent => {
            agent_center(ctx, sub).await
        }
        (Tab::CallCenter, _) => supervisor_center(ctx).await,
        (Tab::Messages, _) => messages(ctx, &rest).await,
        (Tab::Contacts, _) => contacts(ctx, sub).await,
        (Tab::AnsweringRules, _) => answering_rules(ctx, sub).await,
        (Tab::TimeFrames, _) => time_frames(ctx, sub).await,
        (Tab::Phones, _) => phones(ctx).await,
        (Tab::CallHistory, _) => call_history(ctx, &rest).await,
        (Tab::Users, _) => match rest.first() {
            Some(ext) => user_detail(ctx, ext, sub).await,
            None => users(ctx, sub).await,
        },
        (Tab::Conferences, _) => conferences(ctx, sub).await,
        (Tab::AutoAttendants, _) => auto_attendants(ctx, sub).await,
        (Tab::CallQueues, _) => match rest.first() {
            Some(ext) => queue_detail(ctx, ext, sub).await,
            None => queues(ctx, sub).await,
        },
        (Tab::MusicOnHold, _) => music_on_hold(ctx, &rest).await,
        (Tab::Inventory, _) => inventory(ctx, sub).await,
        (Tab::Agents, _) => agents(ctx).await,
        (Tab::Reports, _) => reports(ctx, &rest).await,
        (Tab::Invoices, _) => invoices(ctx, &rest, sub).await,
        (Tab::EmergencyAddresses, _) => emergency_addresses(ctx, sub).await,
        (Tab::AuthorizedContacts, _) => authorized_contacts(ctx, sub).await,
        (Tab::Domains, _) => domains(ctx, sub).await,
        (Tab::AuditLog, _) => audit_log(ctx).await,
    }
}

pub async fn act(ctx: &Ctx, form: &Form) -> R<String> {
    let rest: Vec<&str> = ctx.rest.iter().map(String::as_str).collect();
    let api = ctx.api();
    if let [id, "delete"] = rest[..] {
        let path = item_api(ctx, id).ok_or_else(Failure::not_found)?;
        api.delete(&path).await?;
        return Ok(done(ctx, "deleted"));
    }
    match (ctx.tab, &rest[..]) {
        (Tab::Home, ["portal-tabs"]) => save_portal_tabs(ctx, form).await,
        (Tab::CallCenter, []) if ctx.layout == Layout::ManageOrganization => {
            let ext = get(form, "supervisor");
            let queues: Vec<i64> = all(form, "queue_ids")
                .iter()
                .filter_map(|q| q.parse().ok())
                .collect();
            let body = json!({ "queue_ids": queues, "may_edit_queue_settings": get(form, "may_edit") == "on" });
            api.send(
                Method::PUT,
                &format!("{D}/users/{}/supervisor-settings", enc(ext)),
                &body,
            )
            .await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::CallCenter | Tab::Agents, []) => {
            let who = match get(form, "user") {
                "" => "~".to_owned(),
                u => enc(u),
            };
            if let Some(queue) = form.iter().find(|(k, _)| k == "queue").map(|(_, v)| v) {
                let body = json!({ "logged_in": get(form, "logged_in") == "true" });
                api.send(
                    Method::PUT,
                    &format!("{D}/call-queues/{}/agents/{who}/login", enc(queue)),
                    &body,
                )
                .await?;
            } else {
                let body = without_nulls(
                    json!({ "status": get(form, "status"), "reason": opt(form, "reason") }),
                );
                api.send(Method::PUT, &format!("{D}/users/{who}/availability"), &body)
                    .await?;
            }
            Ok(done(ctx, "saved"))
        }
        (Tab::Contacts, []) => {
            let phones = match get(form, "number") {
                "" => json!([]),
                n => json!([{ "kind": get(form, "kind"), "number": n }]),
            };
            let body = without_nulls(json!({
                "first_name": opt(form, "first_name"), "last_name": opt(form, "last_name"),
                "company": opt(form, "company"), "email": opt(form, "email"), "phones": phones,
            }));
            let path = if get(form, "shared") == "on" {
                format!("{D}/contacts")
            } else {
                format!("{D}/users/~/contacts")
            };
            api.send(Method::POST, &path, &body).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AnsweringRules, []) => {
            let action = match get(form, "action.kind") {
                "forward_always" => {
                    json!({ "kind": "forward_always", "to": get(form, "action.to") })
                }
                "forward_conditional" => {
                    json!({ "kind": "forward_conditional", "no_answer": get(form, "action.to"), "busy": get(form, "action.to") })
                }
                "simultaneous_ring" => {
                    json!({ "kind": "simultaneous_ring", "numbers": [get(form, "action.to")] })
                }
                kind => json!({ "kind": kind }),
            };
            let body = without_nulls(json!({
                "time_frame_id": num(form, "time_frame_id", "Time frame")?,
                "position": num(form, "position", "Order")?,
                "enabled": true,
                "action": action,
            }));
            api.send(Method::POST, &format!("{D}/users/~/answer-rules"), &body)
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AnsweringRules, [id, "toggle"]) => {
            let body = json!({ "enabled": get(form, "enabled") == "true" });
            api.send(
                Method::PATCH,
                &format!("{D}/answer-rules/{}", enc(id)),
                &body,
            )
            .await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::TimeFrames, []) => {
            let schedule = match get(form, "schedule.kind") {
                "always" => json!({ "kind": "always" }),
                "dates" => {
                    json!({ "kind": "dates", "ranges": [{ "from": get(form, "schedule.from"), "to": get(form, "schedule.to") }] })
                }
                _ => json!({ "kind": "days_of_week", "spans": [{
                    "days": all(form, "schedule.days"),
                    "start": get(form, "schedule.start"), "end": get(form, "schedule.end") }] }),
            };
            let body = json!({ "name": get(form, "name"), "schedule": schedule });
            let path = if ctx.layout == Layout::MyAccount {
                format!("{D}/users/~/time-frames")
            } else {
                format!("{D}/time-frames")
            };
            api.send(Method::POST, &path, &body).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::Users, []) => {
            let body = without_nulls(json!({
                "extension": get(form, "extension"), "first_name": get(form, "first_name"),
                "last_name": get(form, "last_name"), "email": opt(form, "email"),
                "scope": opt(form, "scope"), "site_id": num(form, "site_id", "Site")?,
                "password": opt(form, "password"),
            }));
            api.send(Method::POST, &format!("{D}/users"), &body).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::Users, [ext]) => {
            let mut patch = Map::new();
            for key in ["first_name", "last_name", "email", "caller_id", "timezone"] {
                if form.iter().any(|(k, _)| k == key) {
                    patch.insert(key.into(), opt(form, key));
                }
            }
            if form.iter().any(|(k, _)| k == "site_id") {
                patch.insert("site_id".into(), num(form, "site_id", "Site")?);
            }
            let path = format!("{D}/users/{}", enc(ext));
            api.send(Method::PATCH, &path, &Value::Object(patch))
                .await?;
            if let Some(scope) = form.iter().find(|(k, _)| k == "scope").map(|(_, v)| v) {
                let current: Value = api.get(&path).await?;
                if current["scope"] != scope.as_str() {
                    api.send(
                        Method::PUT,
                        &format!("{path}/scope"),
                        &json!({ "scope": scope }),
                    )
                    .await?;
                }
            }
            Ok(format!("{}/{}?notice=saved", ctx.base(), enc(ext)))
        }
        (Tab::Conferences, []) => {
            let body = without_nulls(json!({
                "name": get(form, "name"), "extension": get(form, "extension"),
                "pin": opt(form, "pin"), "max_participants": num(form, "max_participants", "Maximum participants")?,
                "site_id": num(form, "site_id", "Site")?,
            }));
            api.send(Method::POST, &format!("{D}/conferences"), &body)
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AutoAttendants, []) => {
            let mut options = Map::new();
            for key in ["0", "1", "2", "3"] {
                let target = get(form, &format!("key{key}"));
                if !target.is_empty() {
                    let (kind, target) = target.split_once(':').unwrap_or(("user", target));
                    options.insert(key.into(), json!({ "kind": kind, "target": target }));
                }
            }
            let body = without_nulls(json!({
                "name": get(form, "name"), "extension": get(form, "extension"),
                "site_id": num(form, "site_id", "Site")?, "menus": [{ "options": options }],
            }));
            api.send(Method::POST, &format!("{D}/auto-attendants"), &body)
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::CallQueues, []) => {
            let body = without_nulls(json!({
                "name": get(form, "name"), "extension": get(form, "extension"),
                "site_id": num(form, "site_id", "Site")?, "ring_strategy": opt(form, "ring_strategy"),
            }));
            api.send(Method::POST, &format!("{D}/call-queues"), &body)
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::CallQueues, [queue]) => {
            let body = without_nulls(json!({
                "name": opt(form, "name"), "ring_strategy": opt(form, "ring_strategy"),
                "max_wait_seconds": num(form, "max_wait_seconds", "Maximum wait")?,
                "max_callers": num(form, "max_callers", "Maximum callers")?,
                "wrap_up_seconds": num(form, "wrap_up_seconds", "Wrap-up")?,
            }));
            api.send(
                Method::PATCH,
                &format!("{D}/call-queues/{}", enc(queue)),
                &body,
            )
            .await?;
            Ok(format!("{}/{}?notice=saved", ctx.base(), enc(queue)))
        }
        (Tab::CallQueues, [queue, "agents"]) => {
            let body = without_nulls(
                json!({ "user": get(form, "user"), "priority": num(form, "priority", "Priority")? }),
            );
            api.send(
                Method::POST,
                &format!("{D}/call-queues/{}/agents", enc(queue)),
                &body,
            )
            .await?;
            Ok(format!("{}/{}?notice=added", ctx.base(), enc(queue)))
        }
        (Tab::CallQueues, [queue, "agents", user, "remove"]) => {
            api.delete(&format!(
                "{D}/call-queues/{}/agents/{}",
                enc(queue),
                enc(user)
            ))
            .await?;
            Ok(format!("{}/{}?notice=removed", ctx.base(), enc(queue)))
        }
        (Tab::CallQueues, [queue, "agents", user, "login"]) => {
            let body = json!({ "logged_in": get(form, "logged_in") == "true" });
            api.send(
                Method::PUT,
                &format!("{D}/call-queues/{}/agents/{}/login", enc(queue), enc(user)),
                &body,
            )
            .await?;
            Ok(format!("{}/{}?notice=saved", ctx.base(), enc(queue)))
        }
        (Tab::Inventory, [id, "route"]) => {
            let body = match get(form, "kind") {
                "none" => json!({ "kind": "none" }),
                kind => json!({ "kind": kind, "target": get(form, "target") }),
            };
            let domain = domain_param(ctx).await?;
            api.send(
                Method::PUT,
                &format!(
                    "/api/v1/domains/{}/phone-numbers/{}/route",
                    enc(&domain),
                    enc(id)
                ),
                &body,
            )
            .await?;
            Ok(with_query(
                &ctx.base(),
                &[("domain", &domain), ("notice", "saved")],
            ))
        }
        (Tab::Invoices, [id, "pay"]) => {
            let cents = get(form, "amount")
                .parse::<f64>()
                .map(|a| (a * 100.0).round() as i64)
                .map_err(|_| Failure::invalid("amount", "the amount is a number, like 129.50"))?;
            let body = without_nulls(
                json!({ "amount_cents": cents, "method": get(form, "method"), "reference": opt(form, "reference") }),
            );
            api.send(
                Method::POST,
                &format!("{D}/invoices/{}/payment", enc(id)),
                &body,
            )
            .await?;
            Ok(done(ctx, "paid"))
        }
        (Tab::EmergencyAddresses, []) => {
            let body = without_nulls(json!({
                "caller_name": get(form, "caller_name"), "street": get(form, "street"), "city": get(form, "city"),
                "region": get(form, "region"), "postal_code": get(form, "postal_code"), "country": get(form, "country"),
                "callback_number": get(form, "callback_number"), "location": opt(form, "location"),
                "site_id": num(form, "site_id", "Site")?,
            }));
            api.send(Method::POST, &format!("{D}/emergency-addresses"), &body)
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AuthorizedContacts, []) => {
            let body = json!({ "name": get(form, "name"), "email": get(form, "email"), "phone": get(form, "phone"), "role": get(form, "role") });
            api.send(Method::POST, &format!("{D}/authorized-contacts"), &body)
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::Domains, []) => {
            let manager = match get(form, "om_extension") {
                "" => Value::Null,
                ext => without_nulls(json!({
                    "extension": ext, "first_name": get(form, "om_first_name"), "last_name": get(form, "om_last_name"),
                    "email": opt(form, "om_email"), "password": opt(form, "om_password"),
                })),
            };
            let body = without_nulls(json!({
                "name": get(form, "name"), "description": get(form, "description"),
                "timezone": get(form, "timezone"), "office_manager": manager,
            }));
            api.send(Method::POST, "/api/v1/domains", &body).await?;
            Ok(done(ctx, "created"))
        }
        _ => Err(Failure::not_found()),
    }
}

/// The API address of one item of a tab, for deleting it.
fn item_api(ctx: &Ctx, id: &str) -> Option<String> {
    let id = enc(id);
    let segment = match ctx.tab {
        Tab::Messages => "voicemail-messages",
        Tab::Contacts => "contacts",
        Tab::AnsweringRules => "answer-rules",
        Tab::TimeFrames => "time-frames",
        Tab::Users => "users",
        Tab::Conferences => "conferences",
        Tab::AutoAttendants => "auto-attendants",
        Tab::CallQueues => "call-queues",
        Tab::MusicOnHold => "music-on-hold",
        Tab::EmergencyAddresses => "emergency-addresses",
        Tab::AuthorizedContacts => "authorized-contacts",
        Tab::Domains => return Some(format!("/api/v1/domains/{id}")),
        _ => return None,
    };
    Some(format!("{D}/{segment}/{id}"))
}

async fn confirm_delete(ctx: &Ctx, id: &str) -> R<View> {
    let path = item_api(ctx, id).ok_or_else(Failure::not_found)?;
    // Reading it first: something out of reach is a missing page, not a question.
    let item: Value = ctx.api().get(&path).await?;
    let name = ["name", "number", "extension", "caller_number"]
        .iter()
        .map(|k| s(&item, k))
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| format!("#{id}"));
    page(
        format!("Delete {name}?"),
        html! {
            p { "This cannot be undone." }
            form.inline method="post" {
                (csrf(&ctx.s.csrf))
                button.danger type="submit" { "Delete " (name) }
            }
            " "
            a href=(ctx.base()) { "Cancel" }
        },
    )
}

fn delete_link(ctx: &Ctx, id: &str) -> Markup {
    html! { a.danger-link href={ (ctx.base()) "/" (enc(id)) "/delete" } { "Delete" } }
}

// ---------- dashboards ----------

async fn domain_timezone(ctx: &Ctx) -> R<String> {
    let d: Value = ctx.api().get(D).await?;
    Ok(s(&d, "timezone"))
}

/// Midnight of a day (today when `date` is empty) on a time zone's clock, as RFC 3339.
fn day_start(tz: &str, date: &str, plus_days: i64) -> R<String> {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let day = if date.is_empty() {
        jiff::Timestamp::now().to_zoned(zone.clone()).date()
    } else {
        date.parse::<jiff::civil::Date>()
            .map_err(|_| Failure::invalid("since", "a date like 2026-11-24"))?
    };
    let day = day
        .checked_add(jiff::Span::new().days(plus_days))
        .map_err(|_| Failure::invalid("since", "a date too far away"))?;
    let start = day
        .to_zoned(zone)
        .map_err(|_| Failure::invalid("since", "no such day"))?;
    Ok(start.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn stat(label: &str, value: impl std::fmt::Display, href: Option<String>) -> Markup {
    html! {
        div.stat {
            @match href {
                Some(h) => a href=(h) { span.value { (value) } span.label { (label) } },
                None => { span.value { (value) } span.label { (label) } },
            }
        }
    }
}

fn describe_action(a: &Value) -> String {
    let to = |k: &str| s(a, k);
    match a["kind"].as_str().unwrap_or("") {
        "do_not_disturb" => "Do not disturb".into(),
        "send_to_voicemail" => "Send to voicemail".into(),
        "forward_always" => format!("Forward every call to {}", to("to")),
        "forward_conditional" => format!(
            "Ring me, then forward (no answer: {}, busy: {})",
            or_dash(&to("no_answer")),
            or_dash(&to("busy"))
        ),
        "simultaneous_ring" => format!(
            "Ring my phones and {} together",
            a["numbers"]
                .as_array()
                .map(|n| n
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        ),
        other => other.replace('_', " "),
    }
}

fn or_dash(v: &str) -> &str {
    if v.is_empty() { "—" } else { v }
}

async fn user_home(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let me = &ctx.s.me;
    let tz = domain_timezone(ctx).await?;
    let since = day_start(&tz, "", 0)?;
    let ext = me.extension();
    let messages = api
        .items(&format!("{D}/users/~/voicemail-messages?limit=500"))
        .await?;
    let new = messages.iter().filter(|m| m["folder"] == "new").count();
    let missed = api
        .count(&with_query(
            &format!("{D}/calls/count"),
            &[("user", &ext), ("disposition", "missed"), ("since", &since)],
        ))
        .await?;
    let today = api
        .count(&with_query(
            &format!("{D}/calls/count"),
            &[("user", &ext), ("since", &since)],
        ))
        .await?;
    let has_rules = me.has_tab(Layout::MyAccount, Tab::AnsweringRules);
    let active: Option<Value> = if has_rules {
        api.get::<Value>(&format!("{D}/users/~/answer-rules/active"))
            .await
            .ok()
    } else {
        None
    };
    let history = tab_href(Layout::MyAccount, Tab::CallHistory);
    page(
        format!("Welcome, {}", me.name()),
        html! {
            div.stats {
                (stat("new voicemails", new, me.has_tab(Layout::MyAccount, Tab::Messages).then(|| tab_href(Layout::MyAccount, Tab::Messages))))
                (stat("missed calls today", missed, Some(with_query(&history, &[("disposition", "missed"), ("since", &since)]))))
                (stat("calls today", today, Some(history.clone())))
            }
            @if has_rules {
                section.card {
                    h2 { "Answering rule in force now" }
                    @match active.as_ref().map(|a| &a["rule"]).filter(|r| !r.is_null()) {
                        Some(rule) => p.active-rule { (describe_action(&rule["action"])) },
                        None => p { "No rule applies: calls ring your phones." },
                    }
                    a href=(tab_href(Layout::MyAccount, Tab::AnsweringRules)) { "Change answering rules" }
                }
            }
        },
    )
}

async fn org_home(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let tz = domain_timezone(ctx).await?;
    let since = day_start(&tz, "", 0)?;
    let me = &ctx.s.me;
    let l = Layout::ManageOrganization;
    let mut counts = Vec::new();
    for (tab, label, path) in [
        (Tab::Users, "users", "users/count"),
        (Tab::CallQueues, "call queues", "call-queues/count"),
        (
            Tab::AutoAttendants,
            "auto attendants",
            "auto-attendants/count",
        ),
        (Tab::Conferences, "conferences", "conferences/count"),
        (Tab::Inventory, "phone numbers", "phone-numbers/count"),
    ] {
        if me.has_tab(l, tab) || tab == Tab::Conferences && me.scope == Scope::OfficeManager {
            let n = api.count(&format!("{D}/{path}")).await?;
            counts.push((label, n, tab_href(l, tab)));
        }
    }
    let calls = format!("{D}/calls/count");
    let mut today = Vec::new();
    for (label, disposition) in [
        ("calls today", ""),
        ("answered", "answered"),
        ("missed", "missed"),
        ("abandoned", "abandoned"),
        ("voicemail", "voicemail"),
    ] {
        let n = api
            .count(&with_query(
                &calls,
                &[("since", &since), ("disposition", disposition)],
            ))
            .await?;
        today.push((label, n, disposition));
    }
    let history = tab_href(l, Tab::CallHistory);
    let tabs_settings = api.get::<Value>(&format!("{D}/portal-tabs")).await.is_ok()
        && me.may("portal_tab_settings", "update");
    page(
        format!(
            "{} — {}",
            me.domain.name,
            if me.scope == Scope::SiteManager {
                "your site"
            } else {
                "organization"
            }
        ),
        html! {
            div.stats {
                @for (label, n, href) in &counts { (stat(label, n, Some(href.clone()))) }
            }
            h2 { "Today" }
            div.stats {
                @for (label, n, disposition) in &today {
                    (stat(label, n, Some(with_query(&history, &[("since", &since), ("disposition", disposition)]))))
                }
            }
            @if tabs_settings {
                p { a href={ (tab_href(l, Tab::Home)) "/portal-tabs" } { "Portal tabs: hide tabs from users of this domain" } }
            }
        },
    )
}

async fn global_home(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let domains = api.count("/api/v1/domains/count").await?;
    let (audit, _) = api.page("/api/v1/audit-log?limit=10").await?;
    page(
        "Platform",
        html! {
            div.stats {
                (stat("domains", domains, Some(tab_href(Layout::Global, Tab::Domains))))
            }
            h2 { "Latest changes" }
            (audit_table(&audit))
        },
    )
}

// ---------- portal tabs ----------

async fn portal_tabs(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let current: Value = ctx.api().get(&format!("{D}/portal-tabs")).await?;
    let hidden: Vec<(String, String, String)> = current["hidden"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| (s(h, "scope"), s(h, "layout"), s(h, "tab")))
        .collect();
    let scopes = [
        Scope::OfficeManager,
        Scope::SiteManager,
        Scope::CallCenterSupervisor,
        Scope::CallCenterAgent,
        Scope::BasicUser,
        Scope::SimpleUser,
    ];
    page(
        "Portal tabs",
        html! {
            p { "Hide tabs your users do not need. Hiding only tidies the portal: it takes no right away and gives none. The first tab of a layout always stays." }
            form method="post" {
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                @for scope in scopes {
                    fieldset {
                        legend { (scope.label()) }
                        @for (layout, tabs) in switchboard_policy::layouts_for(scope) {
                            div.tabset {
                                strong { (layout.label()) ": " }
                                @for tab in tabs.iter().skip(1) {
                                    @let value = format!("{}/{}/{}", scope.as_str(), layout.name(), tab.name());
                                    @let is_hidden = hidden.contains(&(scope.as_str().to_owned(), layout.name().to_owned(), tab.name().to_owned()));
                                    (checkbox(sub, "hide", &value, &format!("hide {}", tab.label()), is_hidden))
                                }
                            }
                        }
                    }
                }
                button.primary type="submit" { "Save" }
            }
        },
    )
}

async fn save_portal_tabs(ctx: &Ctx, form: &Form) -> R<String> {
    let hidden: Vec<Value> = all(form, "hide")
        .iter()
        .filter_map(|v| {
            let mut parts = v.splitn(3, '/');
            Some(json!({ "scope": parts.next()?, "layout": parts.next()?, "tab": parts.next()? }))
        })
        .collect();
    ctx.api()
        .send(
            Method::PUT,
            &format!("{D}/portal-tabs"),
            &json!({ "hidden": hidden }),
        )
        .await?;
    Ok(format!("{}/portal-tabs?notice=saved", ctx.base()))
}

// ---------- call center ----------

const STATUSES: &[(&str, &str)] = &[
    ("available", "Available"),
    ("unavailable", "Unavailable"),
    ("on_break", "On break"),
];

fn status_label(v: &str) -> &str {
    STATUSES
        .iter()
        .find(|(k, _)| *k == v)
        .map(|(_, l)| *l)
        .unwrap_or(v)
}

async fn agent_center(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let a: Value = api.get(&format!("{D}/users/~/availability")).await?;
    let tz = domain_timezone(ctx).await?;
    let since = day_start(&tz, "", 0)?;
    let until = day_start(&tz, "", 1)?;
    let report: Value = api
        .get(&with_query(
            &format!("{D}/reports/agents"),
            &[("since", &since), ("until", &until)],
        ))
        .await?;
    let mine = report["rows"]
        .as_array()
        .and_then(|r| r.first())
        .cloned()
        .unwrap_or(Value::Null);
    let status = s(&a, "status");
    let next = if status == "available" {
        "unavailable"
    } else {
        "available"
    };
    let queues = a["queues"].as_array().cloned().unwrap_or_default();
    page(
        "Call Center",
        html! {
            section.card {
                h2 { "My availability" }
                p { "You are " strong id="availability" { (status_label(&status)) } @if !s(&a, "reason").is_empty() { " (" (s(&a, "reason")) ")" } "." }
                (button_form(&ctx.base(), &ctx.s.csrf, if next == "available" { "Become available" } else { "Become unavailable" }, "primary", &[("status", next)]))
                form.inline method="post" action=(ctx.base()) {
                    (csrf(&ctx.s.csrf))
                    input type="hidden" name="status" value="on_break";
                    (form_error(sub))
                    (field(sub, "reason", "Break reason", Input::Text, ""))
                    button.secondary type="submit" { "Take a break" }
                }
            }
            h2 { "My queues" }
            (table(&["Queue", "Priority", "Signed in", ""], queues.iter().map(|q| {
                let logged = q["logged_in"] == true;
                html! { tr {
                    td { (s(q, "queue_extension")) }
                    td { (s(q, "priority")) }
                    td { @if logged { "Yes" } @else { "No" } }
                    td { (button_form(&ctx.base(), &ctx.s.csrf, if logged { "Sign out of queue" } else { "Sign in to queue" }, "secondary", &[("queue", &s(q, "queue_extension")), ("logged_in", if logged { "false" } else { "true" })])) }
                } }
            }).collect(), "You are not an agent in any queue."))
            h2 { "Today" }
            div.stats {
                (stat("calls answered", mine["calls_answered"].as_i64().unwrap_or(0), None))
                (stat("talk time", seconds(mine["talk_seconds"].as_f64().or(Some(0.0))), None))
                (stat("average handling", seconds(mine["average_handling_seconds"].as_f64()), None))
            }
        },
    )
}

async fn supervisor_center(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let queues = api.items(&format!("{D}/call-queues?limit=100")).await?;
    let tz = domain_timezone(ctx).await?;
    let since = day_start(&tz, "", 0)?;
    let until = day_start(&tz, "", 1)?;
    let report: Value = api
        .get(&with_query(
            &format!("{D}/reports/queues"),
            &[("since", &since), ("until", &until), ("interval", "day")],
        ))
        .await?;
    let totals = report["queue_totals"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut rows = Vec::new();
    for q in &queues {
        let ext = s(q, "extension");
        let agents = api
            .items(&format!("{D}/call-queues/{}/agents?limit=500", enc(&ext)))
            .await?;
        let available = agents
            .iter()
            .filter(|a| a["status"] == "available" && a["logged_in"] == true)
            .count();
        let t = totals
            .iter()
            .find(|t| t["queue_id"] == q["id"])
            .cloned()
            .unwrap_or(Value::Null);
        rows.push(html! { tr {
            td { a href={ (tab_href(Layout::ManageCallCenter, Tab::CallQueues)) "/" (enc(&ext)) } { (ext) " " (s(q, "name")) } }
            td { (available) " of " (agents.len()) }
            td { (t["offered"].as_i64().unwrap_or(0)) }
            td { (t["answered"].as_i64().unwrap_or(0)) }
            td { (t["abandoned"].as_i64().unwrap_or(0)) }
            td { (t["service_level_percent"].as_f64().map(|p| format!("{p:.0}%")).unwrap_or("—".into())) }
        } });
    }
    let queue_link = ctx.s.me.has_tab(Layout::ManageCallCenter, Tab::CallQueues);
    page(
        "Call Center",
        html! {
            p { "Your queues today, on the " (tz) " clock." }
            (table(&["Queue", "Agents available", "Offered", "Answered", "Abandoned", "Service level"], rows, "No call queues are assigned to you yet; an Office Manager assigns them."))
            @if queue_link { p { a href=(tab_href(Layout::ManageCallCenter, Tab::Reports)) { "Reports" } } }
        },
    )
}

async fn supervisor_settings(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let supervisors = api
        .items(&format!("{D}/users?scope=call_center_supervisor&limit=200"))
        .await?;
    let queues = api.items(&format!("{D}/call-queues?limit=200")).await?;
    let mut cards = Vec::new();
    for sup in &supervisors {
        let ext = s(sup, "extension");
        let settings: Value = api
            .get(&format!("{D}/users/{}/supervisor-settings", enc(&ext)))
            .await?;
        let assigned: Vec<i64> = settings["queue_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
            .collect();
        let this_sub = sub.filter(|s| s.value("supervisor") == Some(ext.as_str()));
        cards.push(html! {
            form.card method="post" action=(ctx.base()) id={ "supervisor-" (ext) } {
                (csrf(&ctx.s.csrf))
                input type="hidden" name="supervisor" value=(ext);
                h2 { (s(sup, "first_name")) " " (s(sup, "last_name")) " (" (ext) ")" }
                (form_error(this_sub))
                fieldset {
                    legend { "Queues this supervisor manages" }
                    @for q in &queues {
                        @let id = q["id"].as_i64().unwrap_or(0);
                        (checkbox(this_sub, "queue_ids", &id.to_string(), &format!("{} {}", s(q, "extension"), s(q, "name")), assigned.contains(&id)))
                    }
                }
                (checkbox(this_sub, "may_edit", "on", "May change queue settings", settings["may_edit_queue_settings"] == true))
                button.primary type="submit" { "Save" }
            }
        });
    }
    page(
        "Call Center supervisors",
        html! {
            p { "Choose the queues each supervisor manages. Its reach follows at once: queues, agents, call history and reports." }
            @if cards.is_empty() { p.empty { "No user has the Call Center Supervisor scope yet." } }
            @for c in cards { (c) }
        },
    )
}

async fn agents(ctx: &Ctx) -> R<View> {
    let api = ctx.api();
    let queues = api.items(&format!("{D}/call-queues?limit=100")).await?;
    let mut seen = std::collections::BTreeMap::new();
    for q in &queues {
        let ext = s(q, "extension");
        for a in api
            .items(&format!("{D}/call-queues/{}/agents?limit=500", enc(&ext)))
            .await?
        {
            seen.entry(s(&a, "extension"))
                .or_insert_with(|| (a.clone(), Vec::new()))
                .1
                .push(ext.clone());
        }
    }
    let rows = seen
        .iter()
        .map(|(ext, (a, qs))| {
            html! { tr {
                td { (ext) " " (s(a, "first_name")) " " (s(a, "last_name")) }
                td { (qs.join(", ")) }
                td { (status_label(&s(a, "status"))) }
                td {
                    form.inline method="post" action=(ctx.base()) {
                        (csrf(&ctx.s.csrf))
                        input type="hidden" name="user" value=(ext);
                        label.sr-only for={ "status-" (ext) } { "Availability of " (ext) }
                        select id={ "status-" (ext) } name="status" {
                            @for (v, l) in STATUSES { option value=(v) selected[*v == s(a, "status")] { (l) } }
                        }
                        button.secondary type="submit" { "Set" }
                    }
                }
            } }
        })
        .collect();
    page(
        "Agents",
        table(
            &["Agent", "Queues", "Availability", "Change"],
            rows,
            "Your queues have no agents yet.",
        ),
    )
}

async fn queues(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let q = ctx.q("q");
    let (items, next) = api
        .page(&with_query(
            &format!("{D}/call-queues"),
            &[("q", q), ("cursor", ctx.q("cursor"))],
        ))
        .await?;
    let can_create = ctx.s.me.may("call_queues", "create");
    let sites = if can_create {
        site_options(ctx).await?
    } else {
        Vec::new()
    };
    let rows = items
        .iter()
        .map(|x| {
            let ext = s(x, "extension");
            html! { tr {
                td { a href={ (ctx.base()) "/" (enc(&ext)) } { (ext) } }
                td { (s(x, "name")) }
                td { (s(x, "ring_strategy").replace('_', " ")) }
                td { (seconds(x["max_wait_seconds"].as_f64())) }
                td { @if can_create { (delete_link(ctx, &ext)) } }
            } }
        })
        .collect();
    page(
        "Call Queues",
        html! {
            (search_form(ctx, "Search queues"))
            (table(&["Extension", "Name", "Ring strategy", "Maximum wait", ""], rows, "No call queues."))
            (pager(&ctx.url, next.as_deref()))
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

const RING: &[(&str, &str)] = &[
    ("ring_all", "Ring all"),
    ("round_robin", "Round robin"),
    ("longest_idle", "Longest idle"),
    ("linear", "Linear"),
];

async fn site_options(ctx: &Ctx) -> R<Vec<(String, String)>> {
    let sites = ctx
        .api()
        .items(&format!("{D}/sites?limit=200"))
        .await
        .unwrap_or_default();
    let mut out = vec![(String::new(), "— none —".to_owned())];
    out.extend(sites.iter().map(|x| (s(x, "id"), s(x, "name"))));
    Ok(out)
}

async fn queue_detail(ctx: &Ctx, ext: &str, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let path = format!("{D}/call-queues/{}", enc(ext));
    let q: Value = api.get(&path).await?;
    let agents = api.items(&format!("{path}/agents?limit=500")).await?;
    let me = &ctx.s.me;
    let may_edit = me.may("call_queues", "update");
    let base = format!("{}/{}", ctx.base(), enc(ext));
    let rows = agents
        .iter()
        .map(|a| {
            let user = s(a, "extension");
            let logged = a["logged_in"] == true;
            html! { tr {
                td { (user) " " (s(a, "first_name")) " " (s(a, "last_name")) }
                td { (s(a, "priority")) }
                td { (status_label(&s(a, "status"))) }
                td { (button_form(&format!("{base}/agents/{}/login", enc(&user)), &ctx.s.csrf, if logged { "Sign out" } else { "Sign in" }, "secondary", &[("logged_in", if logged { "false" } else { "true" })])) }
                td { (button_form(&format!("{base}/agents/{}/remove", enc(&user)), &ctx.s.csrf, "Remove", "danger", &[])) }
            } }
        })
        .collect();
    let adding = sub.filter(|s| s.value("user").is_some());
    let editing = sub.filter(|s| s.value("user").is_none());
    page(
        format!("Queue {} {}", s(&q, "extension"), s(&q, "name")),
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
                    (field(editing, "name", "Name", Input::Text, &s(&q, "name")))
                    (field(editing, "ring_strategy", "Ring strategy", Input::Select(&options(RING)), &s(&q, "ring_strategy")))
                    (field(editing, "max_wait_seconds", "Maximum wait (seconds)", Input::Number, &s(&q, "max_wait_seconds")))
                    (field(editing, "max_callers", "Maximum callers waiting", Input::Number, &s(&q, "max_callers")))
                    (field(editing, "wrap_up_seconds", "Wrap-up (seconds)", Input::Number, &s(&q, "wrap_up_seconds")))
                    button.primary type="submit" { "Save settings" }
                }
            } @else {
                dl {
                    dt { "Ring strategy" } dd { (s(&q, "ring_strategy").replace('_', " ")) }
                    dt { "Maximum wait" } dd { (seconds(q["max_wait_seconds"].as_f64())) }
                    dt { "Maximum callers" } dd { (s(&q, "max_callers")) }
                    dt { "Wrap-up" } dd { (seconds(q["wrap_up_seconds"].as_f64())) }
                }
            }
        },
    )
}

// ---------- users ----------

fn search_form(ctx: &Ctx, label: &str) -> Markup {
    html! {
        form.search method="get" action=(ctx.base()) role="search" {
            label for="q" { (label) }
            input id="q" name="q" type="search" value=(ctx.q("q"))
                hx-get=(ctx.base()) hx-trigger="input changed delay:300ms" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true";
            button.secondary type="submit" { "Search" }
        }
    }
}

async fn users(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let sites = site_options(ctx).await?;
    let (items, next) = api
        .page(&with_query(
            &format!("{D}/users"),
            &[
                ("q", ctx.q("q")),
                ("site_id", ctx.q("site_id")),
                ("scope", ctx.q("scope")),
                ("cursor", ctx.q("cursor")),
            ],
        ))
        .await?;
    let site_name = |id: &Value| {
        sites
            .iter()
            .find(|(k, _)| *k == id.to_string().as_str())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let rows = items
        .iter()
        .map(|u| {
            let ext = s(u, "extension");
            html! { tr {
                td { a href={ (ctx.base()) "/" (enc(&ext)) } { (ext) } }
                td { (s(u, "first_name")) " " (s(u, "last_name")) }
                td { (Scope::parse(&s(u, "scope")).map(Scope::label).unwrap_or("")) }
                td { (site_name(&u["site_id"])) }
                td { (s(u, "email")) }
            } }
        })
        .collect();
    let can_create = ctx.s.me.may("users", "create") && ctx.s.me.scope != Scope::SiteManager;
    let scopes: Vec<(String, String)> = ctx
        .s
        .me
        .assignable_scopes
        .iter()
        .map(|sc| (sc.as_str().to_owned(), sc.label().to_owned()))
        .collect();
    let mut scope_filter = vec![(String::new(), "Any scope".to_owned())];
    scope_filter.extend(
        Scope::ALL
            .iter()
            .filter(|s| **s < Scope::Reseller)
            .map(|sc| (sc.as_str().to_owned(), sc.label().to_owned())),
    );
    let mut site_filter = sites.clone();
    site_filter[0].1 = "Any site".into();
    page(
        "Users",
        html! {
            form.search method="get" action=(ctx.base()) role="search" {
                label for="q" { "Search users" }
                input id="q" name="q" type="search" value=(ctx.q("q"));
                label for="site_id" { "Site" }
                select id="site_id" name="site_id" { @for (v, l) in &site_filter { option value=(v) selected[v == ctx.q("site_id")] { (l) } } }
                label for="scope" { "Scope" }
                select id="scope" name="scope" { @for (v, l) in &scope_filter { option value=(v) selected[v == ctx.q("scope")] { (l) } } }
                button.secondary type="submit" { "Filter" }
            }
            (table(&["Extension", "Name", "Scope", "Site", "Email"], rows, "No users match."))
            (pager(&ctx.url, next.as_deref()))
            @if can_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { "New user" }
                    (csrf(&ctx.s.csrf))
                    (form_error(sub))
                    (field_with(sub, "extension", "Extension", Input::Text, "", true))
                    (field_with(sub, "first_name", "First name", Input::Text, "", true))
                    (field_with(sub, "last_name", "Last name", Input::Text, "", true))
                    (field(sub, "email", "Email", Input::Email, ""))
                    (field(sub, "scope", "Scope", Input::Select(&scopes), "basic_user"))
                    (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                    (field(sub, "password", "Password (optional)", Input::Password, ""))
                    button.primary type="submit" { "Create user" }
                }
            }
        },
    )
}

async fn user_detail(ctx: &Ctx, ext: &str, sub: Option<&Submitted>) -> R<View> {
    let u: Value = ctx.api().get(&format!("{D}/users/{}", enc(ext))).await?;
    let me = &ctx.s.me;
    let sites = site_options(ctx).await?;
    let scope = Scope::parse(&s(&u, "scope")).unwrap_or(Scope::BasicUser);
    let may_scope = me.assignable_scopes.contains(&scope) && !me.assignable_scopes.is_empty();
    let scopes: Vec<(String, String)> = me
        .assignable_scopes
        .iter()
        .map(|sc| (sc.as_str().to_owned(), sc.label().to_owned()))
        .collect();
    let may_move = me.scope >= Scope::OfficeManager;
    let may_act_as = me.may("users", "impersonate") && scope < me.scope && scope.can_log_in();
    page(
        format!(
            "{} {} ({})",
            s(&u, "first_name"),
            s(&u, "last_name"),
            s(&u, "extension")
        ),
        html! {
            form.card method="post" action={ (ctx.base()) "/" (enc(ext)) } {
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (field_with(sub, "first_name", "First name", Input::Text, &s(&u, "first_name"), true))
                (field_with(sub, "last_name", "Last name", Input::Text, &s(&u, "last_name"), true))
                (field(sub, "email", "Email", Input::Email, &s(&u, "email")))
                (field(sub, "caller_id", "Caller ID", Input::Text, &s(&u, "caller_id")))
                @if may_move {
                    (field(sub, "site_id", "Site", Input::Select(&sites), &s(&u, "site_id")))
                } @else {
                    p { "Site: " (sites.iter().find(|(k, _)| *k == s(&u, "site_id")).map(|(_, n)| n.as_str()).unwrap_or("—")) }
                }
                @if may_scope {
                    (field(sub, "scope", "Scope", Input::Select(&scopes), scope.as_str()))
                } @else {
                    p { "Scope: " (scope.label()) }
                }
                button.primary type="submit" { "Save" }
            }
            div.actions {
                @if may_act_as {
                    (button_form("/impersonate", &ctx.s.csrf, "Act as this user", "secondary", &[("user", &format!("{}@{}", ext, me.domain.name)), ("back", &ctx.url)]))
                }
                @if me.may("users", "delete") && me.scope != Scope::SiteManager { (delete_link(ctx, ext)) }
            }
        },
    )
}

// ---------- settings of one user ----------

async fn messages(ctx: &Ctx, rest: &[&str]) -> R<View> {
    if let [id, "audio"] = rest {
        return proxy(ctx, &format!("{D}/voicemail-messages/{}/audio", enc(id))).await;
    }
    let items = ctx
        .api()
        .items(&format!("{D}/users/~/voicemail-messages?limit=200"))
        .await?;
    let rows = items
        .iter()
        .map(|m| {
            let id = s(m, "id");
            html! { tr.(if m["folder"] == "new" { "unread" } else { "" }) {
                td { (when(m, "received_at")) }
                td { (s(m, "caller_name")) " " (s(m, "caller_number")) }
                td { (s(m, "folder")) }
                td { audio controls preload="none" src={ (ctx.base()) "/" (id) "/audio" } {} }
                td { (delete_link(ctx, &id)) }
            } }
        })
        .collect();
    page(
        "Messages",
        table(
            &["Received", "From", "Folder", "Listen", ""],
            rows,
            "No voicemail messages.",
        ),
    )
}

fn contact_name(c: &Value) -> String {
    let name = format!("{} {}", s(c, "first_name"), s(c, "last_name"))
        .trim()
        .to_owned();
    if name.is_empty() {
        s(c, "company")
    } else {
        name
    }
}

async fn contacts(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let q = ctx.q("q");
    let personal = api
        .items(&with_query(
            &format!("{D}/users/~/contacts"),
            &[("q", q), ("limit", "200")],
        ))
        .await?;
    let shared = api
        .items(&with_query(
            &format!("{D}/contacts"),
            &[("q", q), ("shared", "true"), ("limit", "200")],
        ))
        .await?;
    let may_share = ctx.s.me.may("contacts_shared", "create");
    let row = |c: &Value, mine: bool| {
        let phones = c["phones"]
            .as_array()
            .map(|p| {
                p.iter()
                    .map(|x| format!("{} ({})", s(x, "number"), s(x, "kind")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        html! { tr {
            td { (contact_name(c)) }
            td { (s(c, "company")) }
            td { (phones) }
            td { (s(c, "email")) }
            td { @if mine || may_share { (delete_link(ctx, &s(c, "id"))) } }
        } }
    };
    page(
        "Contacts",
        html! {
            (search_form(ctx, "Search contacts"))
            h2 { "My contacts" }
            (table(&["Name", "Company", "Phones", "Email", ""], personal.iter().map(|c| row(c, true)).collect(), "No personal contacts."))
            h2 { "Shared contacts" }
            (table(&["Name", "Company", "Phones", "Email", ""], shared.iter().map(|c| row(c, false)).collect(), "No shared contacts."))
            form.card method="post" action=(ctx.base()) {
                h2 { "New contact" }
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (field(sub, "first_name", "First name", Input::Text, ""))
                (field(sub, "last_name", "Last name", Input::Text, ""))
                (field(sub, "company", "Company", Input::Text, ""))
                (field(sub, "email", "Email", Input::Email, ""))
                (field(sub, "number", "Phone number", Input::Text, ""))
                (field(sub, "kind", "Phone kind", Input::Select(&options(&[("work", "Work"), ("mobile", "Mobile"), ("home", "Home"), ("fax", "Fax"), ("other", "Other")])), "work"))
                @if may_share { (checkbox(sub, "shared", "on", "Share with everyone in the organization", false)) }
                button.primary type="submit" { "Add contact" }
            }
        },
    )
}

const RULE_ACTIONS: &[(&str, &str)] = &[
    ("forward_always", "Forward every call"),
    (
        "forward_conditional",
        "Ring me, then forward if unanswered or busy",
    ),
    (
        "simultaneous_ring",
        "Ring my phones and another number together",
    ),
    ("send_to_voicemail", "Send to voicemail"),
    ("do_not_disturb", "Do not disturb"),
];

async fn frame_options(ctx: &Ctx) -> R<Vec<(String, String)>> {
    let api = ctx.api();
    let mut out = vec![(String::new(), "Always (no time frame)".to_owned())];
    for path in [
        format!("{D}/users/~/time-frames?limit=200"),
        format!("{D}/time-frames?shared=true&limit=200"),
    ] {
        for f in api.items(&path).await? {
            out.push((s(&f, "id"), s(&f, "name")));
        }
    }
    Ok(out)
}

async fn answering_rules(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let rules = api
        .items(&format!("{D}/users/~/answer-rules?limit=200"))
        .await?;
    let frames = frame_options(ctx).await?;
    let active: Value = api
        .get(&format!("{D}/users/~/answer-rules/active"))
        .await
        .unwrap_or(Value::Null);
    let active_id = active["rule"]["id"].clone();
    let frame_name = |id: &Value| {
        frames
            .iter()
            .find(|(k, _)| *k == id.to_string().as_str())
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| "Always".into())
    };
    let rows = rules
        .iter()
        .map(|r| {
            let id = s(r, "id");
            let enabled = r["enabled"] == true;
            html! { tr.(if r["id"] == active_id { "active" } else { "" }) {
                td { (s(r, "position")) }
                td { (frame_name(&r["time_frame_id"])) }
                td { (describe_action(&r["action"])) @if r["id"] == active_id { " " span.badge { "in force now" } } }
                td { (button_form(&format!("{}/{}/toggle", ctx.base(), id), &ctx.s.csrf, if enabled { "Turn off" } else { "Turn on" }, "secondary", &[("enabled", if enabled { "false" } else { "true" })])) }
                td { (delete_link(ctx, &id)) }
            } }
        })
        .collect();
    page(
        "Answering Rules",
        html! {
            p { "Rules are tried in order; the first whose time frame is active decides what happens to your calls." }
            (table(&["Order", "When", "What happens", "", ""], rows, "No answering rules: calls ring your phones."))
            form.card method="post" action=(ctx.base()) {
                h2 { "New answering rule" }
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (field(sub, "time_frame_id", "When", Input::Select(&frames), ""))
                (field(sub, "action.kind", "What happens", Input::Select(&options(RULE_ACTIONS)), "forward_always"))
                (field(sub, "action.to", "Forward to (extension or number)", Input::Text, ""))
                (field(sub, "position", "Order", Input::Number, &(rules.len() + 1).to_string()))
                button.primary type="submit" { "Add rule" }
            }
        },
    )
}

const DAYS: &[(&str, &str)] = &[
    ("monday", "Mon"),
    ("tuesday", "Tue"),
    ("wednesday", "Wed"),
    ("thursday", "Thu"),
    ("friday", "Fri"),
    ("saturday", "Sat"),
    ("sunday", "Sun"),
];

fn describe_schedule(v: &Value) -> String {
    match v["kind"].as_str().unwrap_or("") {
        "always" => "Always".into(),
        "days_of_week" => v["spans"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|sp| {
                let days: Vec<String> = sp["days"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|d| d[..3].to_owned())
                    .collect();
                format!("{} {}–{}", days.join(" "), s(sp, "start"), s(sp, "end"))
            })
            .collect::<Vec<_>>()
            .join("; "),
        "dates" => v["ranges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{} to {}", s(r, "from"), s(r, "to")))
            .collect::<Vec<_>>()
            .join("; "),
        "holidays" => v["holidays"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| s(h, "name"))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.into(),
    }
}

async fn time_frames(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let mine = ctx.layout == Layout::MyAccount;
    let personal = if mine {
        api.items(&format!("{D}/users/~/time-frames?limit=200"))
            .await?
    } else {
        Vec::new()
    };
    let shared = api
        .items(&format!("{D}/time-frames?shared=true&limit=200"))
        .await?;
    let may_shared = !mine && ctx.s.me.may("time_frames_shared", "create");
    let row = |f: &Value, deletable: bool| {
        html! { tr {
            td { (s(f, "name")) } td { (describe_schedule(&f["schedule"])) }
            td { @if deletable { (delete_link(ctx, &s(f, "id"))) } }
        } }
    };
    let may_create = mine || may_shared;
    page(
        "Time Frames",
        html! {
            @if mine {
                h2 { "My time frames" }
                (table(&["Name", "When", ""], personal.iter().map(|f| row(f, true)).collect(), "No personal time frames."))
            }
            h2 { "Shared time frames" }
            (table(&["Name", "When", ""], shared.iter().map(|f| row(f, may_shared)).collect(), "No shared time frames."))
            @if may_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { @if mine { "New time frame" } @else { "New shared time frame" } }
                    (csrf(&ctx.s.csrf))
                    (form_error(sub))
                    (field_with(sub, "name", "Name", Input::Text, "", true))
                    (field(sub, "schedule.kind", "Kind", Input::Select(&options(&[("days_of_week", "Days of the week"), ("dates", "A range of dates"), ("always", "Always")])), "days_of_week"))
                    fieldset {
                        legend { "Days of the week" }
                        @for (v, l) in DAYS { (checkbox(sub, "schedule.days", v, l, false)) }
                        (field(sub, "schedule.start", "From", Input::Time, "09:00"))
                        (field(sub, "schedule.end", "To", Input::Time, "17:00"))
                    }
                    fieldset {
                        legend { "A range of dates" }
                        (field(sub, "schedule.from", "First day", Input::Date, ""))
                        (field(sub, "schedule.to", "Last day", Input::Date, ""))
                    }
                    button.primary type="submit" { "Create time frame" }
                }
            }
        },
    )
}

async fn phones(ctx: &Ctx) -> R<View> {
    let items = ctx
        .api()
        .items(&format!("{D}/users/~/devices?limit=200"))
        .await?;
    let rows = items
        .iter()
        .map(|d| html! { tr { td { (s(d, "label")) } td { (s(d, "model")) } td { code { (s(d, "mac")) } } td { (s(d, "line")) } } })
        .collect();
    page(
        "Phones",
        table(
            &["Label", "Model", "MAC address", "Line"],
            rows,
            "No phones are assigned to you.",
        ),
    )
}

// ---------- the organization's things ----------

async fn conferences(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let (items, next) = ctx
        .api()
        .page(&with_query(
            &format!("{D}/conferences"),
            &[("q", ctx.q("q")), ("cursor", ctx.q("cursor"))],
        ))
        .await?;
    let sites = site_options(ctx).await?;
    let rows = items.iter().map(|c| html! { tr {
        td { (s(c, "extension")) } td { (s(c, "name")) } td { (or_dash(&s(c, "pin"))) } td { (s(c, "max_participants")) }
        td { (delete_link(ctx, &s(c, "id"))) }
    } }).collect();
    page(
        "Conferences",
        html! {
            (search_form(ctx, "Search conferences"))
            (table(&["Extension", "Name", "PIN", "Participants", ""], rows, "No conference bridges."))
            (pager(&ctx.url, next.as_deref()))
            form.card method="post" action=(ctx.base()) {
                h2 { "New conference bridge" }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "name", "Name", Input::Text, "", true))
                (field_with(sub, "extension", "Extension", Input::Text, "", true))
                (field(sub, "pin", "PIN (optional)", Input::Text, ""))
                (field(sub, "max_participants", "Maximum participants", Input::Number, "25"))
                (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                button.primary type="submit" { "Create bridge" }
            }
        },
    )
}

async fn auto_attendants(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let (items, next) = ctx
        .api()
        .page(&with_query(
            &format!("{D}/auto-attendants"),
            &[("q", ctx.q("q")), ("cursor", ctx.q("cursor"))],
        ))
        .await?;
    let sites = site_options(ctx).await?;
    let may_write = ctx.s.me.may("auto_attendants", "create");
    let rows = items
        .iter()
        .map(|a| {
            let keys = a["menus"]
                .as_array()
                .and_then(|m| m.last())
                .and_then(|m| m["options"].as_object())
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            format!("{k}: {} {}", s(v, "kind").replace('_', " "), s(v, "target"))
                        })
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .unwrap_or_default();
            html! { tr {
                td { (s(a, "extension")) } td { (s(a, "name")) } td { (keys) }
                td { @if may_write { (delete_link(ctx, &s(a, "id"))) } }
            } }
        })
        .collect();
    page(
        "Auto Attendants",
        html! {
            (search_form(ctx, "Search auto attendants"))
            (table(&["Extension", "Name", "Keys", ""], rows, "No auto attendants."))
            (pager(&ctx.url, next.as_deref()))
            @if may_write {
                form.card method="post" action=(ctx.base()) {
                    h2 { "New auto attendant" }
                    (csrf(&ctx.s.csrf)) (form_error(sub))
                    (field_with(sub, "name", "Name", Input::Text, "", true))
                    (field_with(sub, "extension", "Extension", Input::Text, "", true))
                    (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                    p.hint { "Keys: an extension (a user), or call_queue:600, voicemail:101, conference:800." }
                    @for k in ["0", "1", "2", "3"] { (field(sub, &format!("key{k}"), &format!("Key {k}"), Input::Text, "")) }
                    button.primary type="submit" { "Create auto attendant" }
                }
            }
        },
    )
}

async fn music_on_hold(ctx: &Ctx, rest: &[&str]) -> R<View> {
    if let [id, "audio"] = rest {
        return proxy(ctx, &format!("{D}/music-on-hold/{}/audio", enc(id))).await;
    }
    let items = ctx
        .api()
        .items(&format!("{D}/music-on-hold?limit=200"))
        .await?;
    let may_write = ctx.s.me.may("music_on_hold", "delete");
    let rows = items.iter().map(|m| {
        let id = s(m, "id");
        html! { tr {
            td { (s(m, "name")) } td { (seconds(m["audio"]["duration_ms"].as_f64().map(|ms| ms / 1000.0))) }
            td { audio controls preload="none" src={ (ctx.base()) "/" (id) "/audio" } {} }
            td { @if may_write { (delete_link(ctx, &id)) } }
        } }
    }).collect();
    page(
        "Music On Hold",
        html! {
            (table(&["Name", "Length", "Listen", ""], rows, "No hold music uploaded."))
            @if may_write { p.hint { "New recordings (WAV) are uploaded through the API: POST /api/v1/domains/~/music-on-hold?name=…" } }
        },
    )
}

/// The domain a Global page looks at (`?domain=`), or the caller's own.
async fn domain_param(ctx: &Ctx) -> R<String> {
    Ok(match ctx.q("domain") {
        "" if ctx.layout == Layout::Global => {
            let first = ctx.api().items("/api/v1/domains?limit=1").await?;
            first
                .first()
                .map(|d| s(d, "name"))
                .unwrap_or_else(|| "~".into())
        }
        "" => "~".into(),
        d => d.to_owned(),
    })
}

async fn domain_picker(ctx: &Ctx, current: &str) -> R<Markup> {
    if ctx.layout != Layout::Global {
        return Ok(html! {});
    }
    let domains = ctx.api().items("/api/v1/domains?limit=500").await?;
    Ok(html! {
        form.search method="get" action=(ctx.base()) {
            label for="domain" { "Domain" }
            select id="domain" name="domain" { @for d in &domains { @let n = s(d, "name"); option value=(n) selected[n == current] { (n) } } }
            button.secondary type="submit" { "Show" }
        }
    })
}

const ROUTE_KINDS: &[(&str, &str)] = &[
    ("none", "Not routed"),
    ("user", "User"),
    ("call_queue", "Call queue"),
    ("auto_attendant", "Auto attendant"),
    ("conference", "Conference"),
    ("external", "External number"),
];

async fn inventory(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let domain = domain_param(ctx).await?;
    let (items, next) = ctx
        .api()
        .page(&with_query(
            &format!("/api/v1/domains/{}/phone-numbers", enc(&domain)),
            &[("q", ctx.q("q")), ("cursor", ctx.q("cursor"))],
        ))
        .await?;
    let may_route =
        ctx.s.me.may("phone_numbers", "route") || ctx.s.me.may("phone_numbers", "update");
    let picker = domain_picker(ctx, &domain).await?;
    let rows = items.iter().map(|n| {
        let id = s(n, "id");
        let this = sub.filter(|_| ctx.rest.first() == Some(&id));
        html! { tr {
            td { (s(n, "number")) }
            td { (ROUTE_KINDS.iter().find(|(k, _)| *k == s(&n["route"], "kind")).map(|(_, l)| *l).unwrap_or("")) " " (s(&n["route"], "target")) }
            td { @if may_route {
                form.inline method="post" action=(with_query(&format!("{}/{}/route", ctx.base(), id), &[("domain", &domain)])) {
                    (csrf(&ctx.s.csrf))
                    (form_error(this))
                    label.sr-only for={ "kind-" (id) } { "Route " (s(n, "number")) " to" }
                    select id={ "kind-" (id) } name="kind" { @for (v, l) in ROUTE_KINDS { option value=(v) selected[*v == s(&n["route"], "kind")] { (l) } } }
                    label.sr-only for={ "target-" (id) } { "Target of " (s(n, "number")) }
                    input id={ "target-" (id) } name="target" size="8" value=(s(&n["route"], "target")) placeholder="extension";
                    button.secondary type="submit" { "Route" }
                }
            } }
        } }
    }).collect();
    page(
        "Inventory",
        html! {
            (picker)
            (search_form(ctx, "Search numbers"))
            (table(&["Number", "Routes to", ""], rows, "No numbers in this inventory."))
            (pager(&ctx.url, next.as_deref()))
        },
    )
}

// ---------- call history and reports ----------

/// Pass a file from the API through (recordings, CSV, printable pages).
async fn proxy(ctx: &Ctx, path: &str) -> R<View> {
    let response = ctx
        .api()
        .raw(Method::GET, path, "application/json", Body::empty())
        .await;
    if response.status().is_success() {
        Ok(View::File(response))
    } else {
        Err(super::client::read_json::<Value>(response)
            .await
            .err()
            .unwrap_or_else(Failure::not_found))
    }
}

const DISPOSITIONS: &[(&str, &str)] = &[
    ("", "Any result"),
    ("answered", "Answered"),
    ("missed", "Missed"),
    ("abandoned", "Abandoned"),
    ("voicemail", "Voicemail"),
    ("busy", "Busy"),
    ("failed", "Failed"),
];

async fn call_history(ctx: &Ctx, rest: &[&str]) -> R<View> {
    let domain = domain_param(ctx).await?;
    let tz = domain_timezone(ctx).await?;
    // Dates in the filter are days on the domain's clock; RFC 3339 times pass as they are.
    let bound = |key: &str, plus: i64| -> R<String> {
        match ctx.q(key) {
            "" => Ok(String::new()),
            v if v.len() == 10 => {
                day_start(&tz, v, plus).map_err(|_| Failure::invalid(key, "a date like 2026-11-24"))
            }
            v => Ok(v.to_owned()),
        }
    };
    let since = bound("since", 0)?;
    let until = bound("until", 1)?;
    // In My Account the tab is one's own calls, whatever the scope reaches elsewhere.
    let own = if ctx.layout == Layout::MyAccount {
        ctx.s.me.extension()
    } else {
        ctx.q("user").to_owned()
    };
    let filters = [
        ("since", since.as_str()),
        ("until", until.as_str()),
        ("direction", ctx.q("direction")),
        ("number", ctx.q("number")),
        ("user", own.as_str()),
        ("queue", ctx.q("queue")),
        ("disposition", ctx.q("disposition")),
    ];
    let base = format!("/api/v1/domains/{}/calls", enc(&domain));
    if rest == ["export.csv"] {
        return proxy(ctx, &with_query(&format!("{base}/export.csv"), &filters)).await;
    }
    let mut with_cursor = filters.to_vec();
    with_cursor.push(("cursor", ctx.q("cursor")));
    let (calls, next) = ctx.api().page(&with_query(&base, &with_cursor)).await?;
    let total = ctx
        .api()
        .count(&with_query(&format!("{base}/count"), &filters))
        .await?;
    let picker = domain_picker(ctx, &domain).await?;
    let mut export_q: Vec<(&str, &str)> = ctx
        .query
        .iter()
        .filter(|(k, _)| k != "cursor" && k != "notice")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    export_q.retain(|(_, v)| !v.is_empty());
    let rows = calls
        .iter()
        .map(|c| {
            html! { tr.(s(c, "disposition")) {
                td { (when(c, "started_at")) }
                td { (s(c, "direction")) }
                td { (s(c, "from")) }
                td { (s(c, "to")) }
                td { (s(c, "queue_extension")) }
                td { (s(c, "disposition")) }
                td { (seconds(c["wait_seconds"].as_f64())) }
                td { (seconds(c["talk_seconds"].as_f64())) }
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
        "Call History",
        html! {
            (picker)
            form.filters method="get" action=(ctx.base()) {
                @if ctx.layout == Layout::Global { input type="hidden" name="domain" value=(domain); }
                div.field { label for="since" { "From day" } input id="since" name="since" type="date" value=(date_value("since")); }
                div.field { label for="until" { "To day" } input id="until" name="until" type="date" value=(date_value("until")); }
                div.field { label for="direction" { "Direction" } select id="direction" name="direction" {
                    @for (v, l) in [("", "Any"), ("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")] { option value=(v) selected[v == ctx.q("direction")] { (l) } }
                } }
                div.field { label for="number" { "Number contains" } input id="number" name="number" value=(ctx.q("number")); }
                @if ctx.layout != Layout::MyAccount {
                    div.field { label for="user" { "User (extension)" } input id="user" name="user" size="6" value=(ctx.q("user")); }
                    div.field { label for="queue" { "Queue (extension)" } input id="queue" name="queue" size="6" value=(ctx.q("queue")); }
                }
                div.field { label for="disposition" { "Result" } select id="disposition" name="disposition" {
                    @for (v, l) in DISPOSITIONS { option value=(v) selected[*v == ctx.q("disposition")] { (l) } }
                } }
                button.secondary type="submit" { "Filter" }
            }
            p { strong id="call-count" { (total) } " calls · " a href=(with_query(&format!("{}/export.csv", ctx.base()), &export_q)) download { "Download CSV" } }
            (table(&["Started", "Direction", "From", "To", "Queue", "Result", "Wait", "Talk"], rows, "No calls match."))
            (pager(&ctx.url, next.as_deref()))
        },
    )
}

async fn reports(ctx: &Ctx, rest: &[&str]) -> R<View> {
    let tz = domain_timezone(ctx).await?;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    let default_from = today
        .checked_sub(jiff::Span::new().days(6))
        .unwrap_or(today)
        .to_string();
    let from = match ctx.q("from") {
        "" => default_from,
        v => v.to_owned(),
    };
    let to = match ctx.q("to") {
        "" => today.to_string(),
        v => v.to_owned(),
    };
    let since =
        day_start(&tz, &from, 0).map_err(|_| Failure::invalid("from", "a date like 2026-11-24"))?;
    let until =
        day_start(&tz, &to, 1).map_err(|_| Failure::invalid("to", "a date like 2026-11-24"))?;
    let interval = match ctx.q("interval") {
        "" => "day",
        v => v,
    };
    let sl = match ctx.q("service_level_seconds") {
        "" => "20",
        v => v,
    };
    let q = [
        ("since", since.as_str()),
        ("until", until.as_str()),
        ("interval", interval),
        ("queue", ctx.q("queue")),
        ("service_level_seconds", sl),
    ];
    match rest {
        ["queues.csv"] => {
            return proxy(ctx, &with_query(&format!("{D}/reports/queues.csv"), &q)).await;
        }
        ["agents.csv"] => {
            return proxy(
                ctx,
                &with_query(&format!("{D}/reports/agents.csv"), &q[..2]),
            )
            .await;
        }
        [] => {}
        _ => return Err(Failure::not_found()),
    }
    let report: Value = ctx
        .api()
        .get(&with_query(&format!("{D}/reports/queues"), &q))
        .await?;
    let agents: Value = ctx
        .api()
        .get(&with_query(&format!("{D}/reports/agents"), &q[..2]))
        .await?;
    // Per interval, across the queues in reach.
    let mut slots: std::collections::BTreeMap<String, (f64, f64, f64, f64, f64)> =
        Default::default();
    for r in report["rows"].as_array().into_iter().flatten() {
        let e = slots.entry(s(r, "interval_start")).or_default();
        let answered = r["answered"].as_f64().unwrap_or(0.0);
        e.0 += r["offered"].as_f64().unwrap_or(0.0);
        e.1 += answered;
        e.2 += r["answered_within_threshold"].as_f64().unwrap_or(0.0);
        e.3 += r["average_wait_seconds"].as_f64().unwrap_or(0.0) * answered;
        e.4 = e.4.max(r["longest_wait_seconds"].as_f64().unwrap_or(0.0));
    }
    let label = |k: &str| match interval {
        "hour" => k.get(5..16).unwrap_or(k).replace('T', " "),
        "month" => k.get(..7).unwrap_or(k).to_owned(),
        _ => k.get(5..10).unwrap_or(k).to_owned(),
    };
    let offered: Vec<(String, f64)> = slots.iter().map(|(k, v)| (label(k), v.0)).collect();
    let level: Vec<(String, f64)> = slots
        .iter()
        .map(|(k, v)| (label(k), if v.0 > 0.0 { 100.0 * v.2 / v.0 } else { 0.0 }))
        .collect();
    let waits: Vec<(String, f64)> = slots
        .iter()
        .map(|(k, v)| (label(k), if v.1 > 0.0 { v.3 / v.1 } else { 0.0 }))
        .collect();
    let total = &report["total"];
    let csv_q: Vec<(&str, &str)> = [
        ("from", from.as_str()),
        ("to", to.as_str()),
        ("interval", interval),
        ("queue", ctx.q("queue")),
        ("service_level_seconds", sl),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let queue_rows = report["queue_totals"].as_array().cloned().unwrap_or_default().iter().map(|r| html! { tr {
        td { (s(r, "queue_extension")) } td { (s(r, "offered")) } td { (s(r, "answered")) } td { (s(r, "abandoned")) } td { (s(r, "timed_out")) }
        td { (r["service_level_percent"].as_f64().map(|p| format!("{p:.1}%")).unwrap_or("—".into())) }
        td { (seconds(r["average_wait_seconds"].as_f64())) } td { (seconds(r["longest_wait_seconds"].as_f64())) } td { (seconds(r["average_talk_seconds"].as_f64())) }
    } }).collect();
    let agent_rows = agents["rows"].as_array().cloned().unwrap_or_default().iter().map(|r| html! { tr {
        td { (s(r, "extension")) } td { (s(r, "calls_answered")) } td { (seconds(r["talk_seconds"].as_f64())) } td { (seconds(r["average_handling_seconds"].as_f64())) }
    } }).collect();
    page(
        "Reports",
        html! {
            form.filters method="get" action=(ctx.base()) {
                div.field { label for="from" { "From day" } input id="from" name="from" type="date" value=(from); }
                div.field { label for="to" { "To day" } input id="to" name="to" type="date" value=(to); }
                div.field { label for="interval" { "Interval" } select id="interval" name="interval" {
                    @for (v, l) in [("hour", "Hour"), ("day", "Day"), ("month", "Month")] { option value=(v) selected[v == interval] { (l) } }
                } }
                div.field { label for="queue" { "Queue (extension)" } input id="queue" name="queue" size="6" value=(ctx.q("queue")); }
                div.field { label for="service_level_seconds" { "Answered within (s)" } input id="service_level_seconds" name="service_level_seconds" type="number" min="0" list="kept_service_levels" value=(sl);
                    // The thresholds the per-slot sums keep answer at once; any other is corrected from the calls.
                    datalist id="kept_service_levels" { @for level in switchboard_api::api::reports::KEPT_SERVICE_LEVELS { option value=(level) {} } } }
                button.secondary type="submit" { "Show" }
            }
            p { "On the " (tz) " clock. " a href=(with_query(&format!("{}/queues.csv", ctx.base()), &csv_q)) download { "Queue report (CSV)" } " · " a href=(with_query(&format!("{}/agents.csv", ctx.base()), &csv_q)) download { "Agent report (CSV)" } }
            div.stats {
                (stat("offered", total["offered"].as_i64().unwrap_or(0), None))
                (stat("answered", total["answered"].as_i64().unwrap_or(0), None))
                (stat("abandoned", total["abandoned"].as_i64().unwrap_or(0), None))
                (stat("service level", total["service_level_percent"].as_f64().map(|p| format!("{p:.1}%")).unwrap_or("—".into()), None))
                (stat("average wait", seconds(total["average_wait_seconds"].as_f64()), None))
            }
            div.charts {
                (bar_chart("Calls offered per interval", "", &offered, None))
                (bar_chart(&format!("Service level (answered within {sl} s)"), "%", &level, Some(100.0)))
                (bar_chart("Average wait of answered calls", "s", &waits, None))
            }
            h2 { "Queues" }
            (table(&["Queue", "Offered", "Answered", "Abandoned", "Timed out", "Service level", "Average wait", "Longest wait", "Average talk"], queue_rows, "No queue calls in this period."))
            h2 { "Agents" }
            (table(&["Agent", "Answered", "Talk time", "Average handling"], agent_rows, "No answered queue calls in this period."))
        },
    )
}

// ---------- account preferences ----------

fn money(cents: i64, currency: &str) -> String {
    format!(
        "{}{}.{:02} {currency}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    )
}

async fn invoices(ctx: &Ctx, rest: &[&str], sub: Option<&Submitted>) -> R<View> {
    if let [id, "printable"] = rest {
        return proxy(ctx, &format!("{D}/invoices/{}/printable", enc(id))).await;
    }
    let items = ctx.api().items(&format!("{D}/invoices?limit=200")).await?;
    let rows = items.iter().map(|i| {
        let id = s(i, "id");
        let total: i64 = i["lines"].as_array().into_iter().flatten().map(|l| l["amount_cents"].as_i64().unwrap_or(0) * l["quantity"].as_i64().unwrap_or(1)).sum();
        let open = i["status"] == "open" || i["status"] == "overdue";
        let this = sub.filter(|_| ctx.rest.first() == Some(&id));
        html! { tr {
            td { (s(i, "number")) } td { (s(i, "period_start")) " – " (s(i, "period_end")) } td { (s(i, "due_on")) }
            td { (money(total, &s(i, "currency"))) } td { (s(i, "status").replace('_', " ")) }
            td { a href={ (ctx.base()) "/" (id) "/printable" } { "Printable" } }
            td { @if open {
                form.inline method="post" action={ (ctx.base()) "/" (id) "/pay" } {
                    (csrf(&ctx.s.csrf)) (form_error(this))
                    (field(this, "amount", "Amount", Input::Text, &format!("{}.{:02}", total / 100, total % 100)))
                    (field(this, "method", "Method", Input::Select(&options(&[("card", "Card"), ("bank_transfer", "Bank transfer"), ("check", "Check")])), "card"))
                    button.primary type="submit" { "Pay" }
                }
            } }
        } }
    }).collect();
    page(
        "Invoices",
        table(
            &["Invoice", "Period", "Due", "Total", "Status", "", ""],
            rows,
            "No invoices.",
        ),
    )
}

async fn emergency_addresses(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let items = ctx
        .api()
        .items(&format!("{D}/emergency-addresses?limit=200"))
        .await?;
    let sites = site_options(ctx).await?;
    let rows = items.iter().map(|a| html! { tr {
        td { (s(a, "caller_name")) } td { (s(a, "street")) ", " (s(a, "city")) ", " (s(a, "region")) " " (s(a, "postal_code")) " " (s(a, "country")) }
        td { (s(a, "location")) } td { (s(a, "callback_number")) } td { (delete_link(ctx, &s(a, "id"))) }
    } }).collect();
    page(
        "911 Addresses",
        html! {
            (table(&["Caller name", "Address", "Location", "Callback number", ""], rows, "No 911 addresses yet."))
            form.card method="post" action=(ctx.base()) {
                h2 { "New 911 address" }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "caller_name", "Caller name", Input::Text, "", true))
                (field_with(sub, "street", "Street", Input::Text, "", true))
                (field_with(sub, "city", "City", Input::Text, "", true))
                (field_with(sub, "region", "State or province", Input::Text, "", true))
                (field_with(sub, "postal_code", "Postal code", Input::Text, "", true))
                (field(sub, "country", "Country", Input::Select(&options(&[("US", "United States"), ("CA", "Canada")])), "US"))
                (field_with(sub, "callback_number", "Callback number (+1…)", Input::Text, "", true))
                (field(sub, "location", "Floor, suite (optional)", Input::Text, ""))
                (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                button.primary type="submit" { "Add address" }
            }
        },
    )
}

async fn authorized_contacts(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let items = ctx
        .api()
        .items(&format!("{D}/authorized-contacts?limit=200"))
        .await?;
    let rows = items.iter().map(|a| html! { tr {
        td { (s(a, "name")) } td { (s(a, "role")) } td { (s(a, "email")) } td { (s(a, "phone")) } td { (delete_link(ctx, &s(a, "id"))) }
    } }).collect();
    page(
        "Authorized Contacts",
        html! {
            p { "The people your provider may take instructions from about this account." }
            (table(&["Name", "Role", "Email", "Phone", ""], rows, "No authorized contacts."))
            form.card method="post" action=(ctx.base()) {
                h2 { "New authorized contact" }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "name", "Name", Input::Text, "", true))
                (field_with(sub, "email", "Email", Input::Email, "", true))
                (field_with(sub, "phone", "Phone (+1…)", Input::Text, "", true))
                (field(sub, "role", "Role", Input::Select(&options(&[("billing", "Billing"), ("technical", "Technical"), ("administrative", "Administrative"), ("emergency", "Emergency")])), "billing"))
                button.primary type="submit" { "Add contact" }
            }
        },
    )
}

// ---------- the provider ----------

async fn domains(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let (items, next) = ctx
        .api()
        .page(&with_query(
            "/api/v1/domains",
            &[("q", ctx.q("q")), ("cursor", ctx.q("cursor"))],
        ))
        .await?;
    let may_create = ctx.s.me.may("domains", "create");
    let rows = items.iter().map(|d| html! { tr {
        td { (s(d, "name")) } td { (s(d, "description")) } td { (s(d, "timezone")) }
        td { a href=(with_query(&tab_href(Layout::Global, Tab::CallHistory), &[("domain", &s(d, "name"))])) { "Calls" } " · " a href=(with_query(&tab_href(Layout::Global, Tab::Inventory), &[("domain", &s(d, "name"))])) { "Numbers" } }
    } }).collect();
    page(
        "Domains",
        html! {
            (search_form(ctx, "Search domains"))
            (table(&["Domain", "Description", "Time zone", ""], rows, "No domains yet."))
            (pager(&ctx.url, next.as_deref()))
            @if may_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { "New domain" }
                    (csrf(&ctx.s.csrf)) (form_error(sub))
                    (field_with(sub, "name", "Domain name", Input::Text, "", true))
                    (field_with(sub, "description", "Description", Input::Text, "", true))
                    (field_with(sub, "timezone", "Time zone", Input::Text, "America/New_York", true))
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

fn audit_table(items: &[Value]) -> Markup {
    let rows = items.iter().map(|a| html! { tr {
        td { (when(a, "at")) }
        td { (s(a, "actor_login")) @if !s(a, "on_behalf_of_login").is_empty() { " as " (s(a, "on_behalf_of_login")) } }
        td { code { (s(a, "action")) } }
        td { (s(a, "object")) }
        td { (s(a, "client_addr")) }
    } }).collect();
    table(
        &["When", "Who", "What", "Object", "From"],
        rows,
        "Nothing recorded yet.",
    )
}

async fn audit_log(ctx: &Ctx) -> R<View> {
    let (items, next) = ctx
        .api()
        .page(&with_query(
            "/api/v1/audit-log",
            &[("cursor", ctx.q("cursor"))],
        ))
        .await?;
    page(
        "Audit Log",
        html! {
            (audit_table(&items))
            (pager(&ctx.url, next.as_deref()))
        },
    )
}
