//! The organization's own things: the Conferences, Auto Attendants, Music On Hold and Inventory
//! tabs.

use super::*;
use crate::client::with_query;
use crate::form::tagged;
use crate::html::{button_form, field, pager, seconds, table};
use std::collections::BTreeMap;
use switchboard_api::api::settings_extra::NamedUploadQuery;
use switchboard_policy::{Action, Resource};

pub(super) async fn conferences(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let list = ctx
        .api()
        .call(settings::list::<Conference>(MINE, &search(ctx)))
        .await?;
    let sites = site_options(ctx).await?;
    let rows = list.items.iter().map(|c| html! { tr {
        td { (c.body.extension) } td { (c.body.name) } td { (or_dash(&text(&c.body.pin))) } td { (c.body.max_participants) }
        td { (delete_link(ctx, &c.id.get().to_string())) }
    } }).collect();
    page(
        "Conferences",
        html! {
            (search_form(ctx, "Search conferences"))
            (table(&["Extension", "Name", "PIN", "Participants", ""], rows, "No conference bridges."))
            (pager(&ctx.url, list.next_cursor.as_deref()))
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

/// What pressing a key does, in words.
fn describe_target(target: &MenuTarget) -> String {
    match target {
        MenuTarget::User(e) => format!("user {e}"),
        MenuTarget::CallQueue(e) => format!("call queue {e}"),
        MenuTarget::Conference(e) => format!("conference {e}"),
        MenuTarget::AutoAttendant(e) => format!("auto attendant {e}"),
        MenuTarget::Voicemail(e) => format!("voicemail {e}"),
        MenuTarget::External(n) => format!("external {n}"),
        MenuTarget::Repeat => "repeat the menu".into(),
    }
}

pub(super) async fn auto_attendants(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let list = ctx
        .api()
        .call(settings::list::<AutoAttendant>(MINE, &search(ctx)))
        .await?;
    let sites = site_options(ctx).await?;
    let may_write = can(ctx, Resource::AutoAttendants, Action::Create);
    let key_kinds = options(&KEY_KINDS);
    let rows = list
        .items
        .iter()
        .map(|a| {
            let keys = a
                .body
                .menus
                .last()
                .map(|m| {
                    m.options
                        .iter()
                        .map(|(k, t)| format!("{k}: {}", describe_target(t)))
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .unwrap_or_default();
            html! { tr {
                td { (a.body.extension) } td { (a.body.name) } td { (keys) }
                td { @if may_write { (delete_link(ctx, &a.id.get().to_string())) } }
            } }
        })
        .collect();
    page(
        "Auto Attendants",
        html! {
            (search_form(ctx, "Search auto attendants"))
            (table(&["Extension", "Name", "Keys", ""], rows, "No auto attendants."))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if may_write {
                form.card method="post" action=(ctx.base()) {
                    h2 { "New auto attendant" }
                    (csrf(&ctx.s.csrf)) (form_error(sub))
                    (field_with(sub, "name", "Name", Input::Text, "", true))
                    (field_with(sub, "extension", "Extension", Input::Text, "", true))
                    (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                    fieldset {
                        legend { "What the caller's keys do" }
                        @for k in ["0", "1", "2", "3"] {
                            div.key-choice {
                                (field(sub, &format!("key{k}_kind"), &format!("Key {k}"), Input::Select(&key_kinds), ""))
                                (field(sub, &format!("key{k}"), &format!("Key {k}: extension or number"), Input::Text, ""))
                            }
                        }
                    }
                    button.primary type="submit" { "Create auto attendant" }
                }
            }
        },
    )
}

pub(super) async fn music_on_hold(ctx: &Ctx, rest: &[&str], sub: Option<&Submitted>) -> R<View> {
    if let [id, "audio"] = rest {
        return file(ctx, endpoints::hold_music_audio(MINE, id)).await;
    }
    let items = hold_music_in_order(ctx).await?;
    let may_write = can(ctx, Resource::MusicOnHold, Action::Delete);
    let last = items.len().saturating_sub(1);
    let csrf_token = &ctx.s.csrf;
    let rows = items.iter().enumerate().map(|(at, m)| {
        let id = m.id.get().to_string();
        let order = format!("{}/{id}/order", ctx.base());
        html! { tr {
            td { (at + 1) } td { (m.body.name) } td { (seconds(Some(m.body.audio.duration_ms as f64 / 1000.0))) }
            td { audio controls preload="none" src={ (ctx.base()) "/" (id) "/audio" } {} }
            td { @if may_write { div.row-actions {
                @if at > 0 { (button_form(&order, csrf_token, "Move up", "secondary", &[("to", "up")])) }
                @if at < last { (button_form(&order, csrf_token, "Move down", "secondary", &[("to", "down")])) }
                (delete_link(ctx, &id))
            } } }
        } }
    }).collect();
    page(
        "Music On Hold",
        html! {
            p { "Callers waiting in a queue hear these in this order." }
            (table(&["Order", "Name", "Length", "Listen", ""], rows, "No hold music uploaded."))
            @if may_write {
                (upload_form(ctx, sub, html! { h2 { "Add hold music" } }))
            }
        },
    )
}

/// The domain's hold music in play order.
async fn hold_music_in_order(ctx: &Ctx) -> R<Vec<Setting<MusicOnHold>>> {
    let mut items = ctx
        .api()
        .call(settings::list::<MusicOnHold>(MINE, &first(200)))
        .await?
        .items;
    items.sort_by_key(|m| (m.body.position, m.id));
    Ok(items)
}

const ROUTE_KINDS: &[(&str, &str)] = &[
    ("none", "Not routed"),
    ("user", "User"),
    ("call_queue", "Call queue"),
    ("auto_attendant", "Auto attendant"),
    ("conference", "Conference"),
    ("external", "External number"),
];

/// A route's kind and target, as the form shows them.
fn route_parts(route: &Route) -> (&'static str, String) {
    match route {
        Route::None => ("none", String::new()),
        Route::User(e) => ("user", e.to_string()),
        Route::CallQueue(e) => ("call_queue", e.to_string()),
        Route::AutoAttendant(e) => ("auto_attendant", e.to_string()),
        Route::Conference(e) => ("conference", e.to_string()),
        Route::External(n) => ("external", n.to_string()),
    }
}

pub(super) async fn inventory(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let domain = domain_param(ctx).await?;
    let list = ctx
        .api()
        .call(settings::list::<PhoneNumber>(&domain, &search(ctx)))
        .await?;
    let may_route = can(ctx, Resource::PhoneNumbers, Action::Route)
        || can(ctx, Resource::PhoneNumbers, Action::Update);
    let picker = domain_picker(ctx, &domain).await?;
    let rows = list.items.iter().map(|n| {
        let id = n.id.get().to_string();
        let number = n.body.number.to_string();
        let (kind, target) = route_parts(&n.body.route);
        let this = sub.filter(|_| ctx.rest.first() == Some(&id));
        html! { tr {
            td { (number) }
            td { (ROUTE_KINDS.iter().find(|(k, _)| *k == kind).map_or("", |(_, l)| *l)) " " (target) }
            td { @if may_route {
                form.inline method="post" action=(with_query(&format!("{}/{}/route", ctx.base(), id), &[("domain", &domain)])) {
                    (csrf(&ctx.s.csrf))
                    (form_error(this))
                    label.sr-only for={ "kind-" (id) } { "Route " (number) " to" }
                    select id={ "kind-" (id) } name="kind" { @for (v, l) in ROUTE_KINDS { option value=(v) selected[*v == kind] { (l) } } }
                    label.sr-only for={ "target-" (id) } { "Target of " (number) }
                    input id={ "target-" (id) } name="target" size="8" value=(target) placeholder="extension";
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
            (pager(&ctx.url, list.next_cursor.as_deref()))
        },
    )
}

/// What a key of an attendant may do, as the API names it and as a person reads it.
const KEY_KINDS: [(&str, &str); 8] = [
    ("", "Nothing"),
    ("user", "Ring a user"),
    ("call_queue", "A call queue"),
    ("voicemail", "A user's voicemail"),
    ("conference", "A conference"),
    ("auto_attendant", "Another auto attendant"),
    ("external", "An outside number"),
    ("repeat", "Repeat the menu"),
];

/// An attendant's keys 0–3 from its form: what each does, and the extension or number.
fn menu_options(form: &Form<'_>) -> R<BTreeMap<String, MenuTarget>> {
    let mut options = BTreeMap::new();
    for key in ["0", "1", "2", "3"] {
        let field = format!("key{key}");
        let kind = form.text(&format!("{field}_kind"));
        let target = form.text(&field).trim();
        match (kind, target) {
            ("", "") => continue,
            ("", _) => {
                return Err(Failure::invalid(
                    &format!("{field}_kind"),
                    "choose what this key does",
                ));
            }
            (kind, target) => {
                options.insert(key.to_owned(), tagged(kind, target, &field)?);
            }
        }
    }
    Ok(options)
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    let api = ctx.api();
    let site_id = || form.number("site_id", "Site").map(|s| s.map(SiteId));
    match (ctx.tab, rest) {
        (Tab::MusicOnHold, ["upload"]) => {
            let (name, wav) = uploaded(ctx, form)?;
            let query = NamedUploadQuery {
                name,
                // Played after what is there already.
                position: Some(
                    hold_music_in_order(ctx)
                        .await?
                        .last()
                        .map_or(0, |m| m.body.position + 1),
                ),
            };
            api.call(settings::upload::<MusicOnHold>(MINE, None, &query, wav))
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::MusicOnHold, [id, "order"]) => {
            let items = hold_music_in_order(ctx).await?;
            let positions: Vec<u32> = items.iter().map(|m| m.body.position).collect();
            let at = items.iter().position(|m| m.id.get().to_string() == *id);
            for (i, position) in swap_with_neighbour(&positions, at, form.text("to"))? {
                let patch = serde_json::json!({ "position": position });
                let id = items[i].id.get().to_string();
                api.call(settings::patch::<MusicOnHold>(MINE, &id, &patch))
                    .await?;
            }
            Ok(done(ctx, "saved"))
        }
        (Tab::Conferences, []) => {
            let bridge = Conference {
                name: form.required("name", "Name")?,
                extension: form.required("extension", "Extension")?,
                pin: form.value("pin")?,
                max_participants: form
                    .number("max_participants", "Maximum participants")?
                    .unwrap_or(10),
                site_id: site_id()?,
            };
            api.call(settings::create(MINE, &bridge)).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AutoAttendants, []) => {
            let attendant = AutoAttendant {
                name: form.required("name", "Name")?,
                extension: form.required("extension", "Extension")?,
                site_id: site_id()?,
                menus: vec![Menu {
                    time_frame_id: None,
                    options: menu_options(form)?,
                }],
                greeting: None,
            };
            api.call(settings::create(MINE, &attendant)).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::Inventory, [id, "route"]) => {
            let route: Route = tagged(form.text("kind"), form.text("target"), "target")?;
            let domain = domain_param(ctx).await?;
            api.call(endpoints::route_number(&domain, id, &route))
                .await?;
            Ok(with_query(
                &ctx.base(),
                &[("domain", &domain), ("notice", "saved")],
            ))
        }
        _ => Err(Failure::not_found()),
    }
}
