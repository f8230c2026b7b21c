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
        t("conferences"),
        html! {
            (search_form(ctx, t("search-conferences")))
            (table(&[t("extension"), t("name"), t("pin"), t("participants"), ""], rows, t("no-conference-bridges")))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            form.card method="post" action=(ctx.base()) {
                h2 { (t("new-conference-bridge")) }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "name", t("name"), Input::Text, "", true))
                (field_with(sub, "extension", t("extension"), Input::Text, "", true))
                (field(sub, "pin", t("pin-optional"), Input::Text, ""))
                (field(sub, "max_participants", t("maximum-participants"), Input::Number, "25"))
                (field(sub, "site_id", t("site"), Input::Select(&sites), ""))
                button.primary type="submit" { (t("create-bridge")) }
            }
        },
    )
}

/// What pressing a key does, in words.
fn describe_target(target: &MenuTarget) -> String {
    match target {
        MenuTarget::User(e) => tf("menu-user", &[("target", arg(e))]),
        MenuTarget::CallQueue(e) => tf("menu-call-queue", &[("target", arg(e))]),
        MenuTarget::Conference(e) => tf("menu-conference", &[("target", arg(e))]),
        MenuTarget::AutoAttendant(e) => tf("menu-auto-attendant", &[("target", arg(e))]),
        MenuTarget::Voicemail(e) => tf("menu-voicemail", &[("target", arg(e))]),
        MenuTarget::External(n) => tf("menu-external", &[("target", arg(n))]),
        MenuTarget::Repeat => t("repeat-the-menu-2").into(),
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
        t("auto-attendants"),
        html! {
            (search_form(ctx, t("search-auto-attendants")))
            (table(&[t("extension"), t("name"), t("keys"), ""], rows, t("no-auto-attendants")))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if may_write {
                form.card method="post" action=(ctx.base()) {
                    h2 { (t("new-auto-attendant")) }
                    (csrf(&ctx.s.csrf)) (form_error(sub))
                    (field_with(sub, "name", t("name"), Input::Text, "", true))
                    (field_with(sub, "extension", t("extension"), Input::Text, "", true))
                    (field(sub, "site_id", t("site"), Input::Select(&sites), ""))
                    fieldset {
                        legend { (t("what-the-callers-keys-do")) }
                        @for k in ["0", "1", "2", "3"] {
                            div.key-choice {
                                (field(sub, &format!("key{k}_kind"), &tf("key-n", &[("key", arg(k))]), Input::Select(&key_kinds), ""))
                                (field(sub, &format!("key{k}"), &tf("key-n-target", &[("key", arg(k))]), Input::Text, ""))
                            }
                        }
                    }
                    button.primary type="submit" { (t("create-auto-attendant")) }
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
                @if at > 0 { (button_form(&order, csrf_token, t("move-up"), "secondary", &[("to", "up")])) }
                @if at < last { (button_form(&order, csrf_token, t("move-down"), "secondary", &[("to", "down")])) }
                (delete_link(ctx, &id))
            } } }
        } }
    }).collect();
    page(
        t("music-on-hold"),
        html! {
            p { (t("callers-waiting-in-a-queue-hear")) }
            (table(&[t("order"), t("name"), t("length"), t("listen"), ""], rows, t("no-hold-music-uploaded")))
            @if may_write {
                (upload_form(ctx, sub, html! { h2 { (t("add-hold-music")) } }))
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
    ("none", "not-routed"),
    ("user", "user"),
    ("call_queue", "call-queue"),
    ("auto_attendant", "auto-attendant"),
    ("conference", "conference"),
    ("external", "external-number"),
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
            td { (label_of(ROUTE_KINDS, kind)) " " (target) }
            td { @if may_route {
                form.inline method="post" action=(with_query(&format!("{}/{}/route", ctx.base(), id), &[("domain", &domain)])) {
                    (csrf(&ctx.s.csrf))
                    (form_error(this))
                    label.sr-only for={ "kind-" (id) } { (t("route-2")) (number) (t("to")) }
                    select id={ "kind-" (id) } name="kind" { @for (v, l) in ROUTE_KINDS { option value=(v) selected[*v == kind] { (t(l)) } } }
                    label.sr-only for={ "target-" (id) } { (t("target-of")) (number) }
                    input id={ "target-" (id) } name="target" size="8" value=(target) placeholder=(t("extension-placeholder"));
                    button.secondary type="submit" { (t("route")) }
                }
            } }
        } }
    }).collect();
    page(
        t("inventory"),
        html! {
            (picker)
            (search_form(ctx, t("search-numbers")))
            (table(&[t("number"), t("routes-to"), ""], rows, t("no-numbers-in-this-inventory")))
            (pager(&ctx.url, list.next_cursor.as_deref()))
        },
    )
}

/// What a key of an attendant may do, as the API names it and as a person reads it.
const KEY_KINDS: [(&str, &str); 8] = [
    ("", "nothing"),
    ("user", "ring-a-user"),
    ("call_queue", "a-call-queue"),
    ("voicemail", "a-users-voicemail"),
    ("conference", "a-conference"),
    ("auto_attendant", "another-auto-attendant"),
    ("external", "an-outside-number"),
    ("repeat", "repeat-the-menu"),
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
                    t("choose-what-this-key-does"),
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
    let site_id = || form.number("site_id", t("site")).map(|s| s.map(SiteId));
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
                name: form.required("name", t("name"))?,
                extension: form.required("extension", t("extension"))?,
                pin: form.value("pin")?,
                max_participants: form
                    .number("max_participants", t("maximum-participants"))?
                    .unwrap_or(10),
                site_id: site_id()?,
            };
            api.call(settings::create(MINE, &bridge)).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AutoAttendants, []) => {
            let attendant = AutoAttendant {
                name: form.required("name", t("name"))?,
                extension: form.required("extension", t("extension"))?,
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
