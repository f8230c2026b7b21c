//! The Users tab: the list with its filters, a new user, and one user's details.

use super::*;
use crate::html::{button_form, checkbox, field, pager, table};
use switchboard_api::api::auth::ReauthRequest;
use switchboard_api::api::recycle::RecycleBody;
use switchboard_api::api::users::{NewUserBody, ScopeBody, UserPatch, UserQuery};
use switchboard_policy::{Action, Resource};

fn site_name(sites: &[(String, String)], id: Option<SiteId>) -> String {
    let id = text(&id);
    sites
        .iter()
        .find(|(k, _)| !k.is_empty() && *k == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

fn scope_options(scopes: &[Scope]) -> Vec<(String, String)> {
    scopes
        .iter()
        .map(|sc| (sc.as_str().to_owned(), scope_label(*sc).to_owned()))
        .collect()
}

pub(super) async fn users(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let sites = site_options(ctx).await?;
    let query = UserQuery {
        q: some(ctx.q("q")),
        site_id: ctx.q("site_id").parse().ok(),
        scope: Scope::parse(ctx.q("scope")),
        cursor: some(ctx.q("cursor")),
        limit: None,
    };
    let list = ctx.api().call(endpoints::list_users(MINE, &query)).await?;
    let rows = list
        .items
        .iter()
        .map(|u| {
            let ext = u.extension.to_string();
            html! { tr {
                td { a href={ (ctx.base()) "/" (enc(&ext)) } { (ext) } }
                td { (u.first_name) " " (u.last_name) }
                td { (scope_label(u.scope)) }
                td { (site_name(&sites, u.site_id)) }
                td { (text(&u.email)) }
            } }
        })
        .collect();
    let me = &ctx.s.me;
    // Offered only where it would be allowed: not where the domain's policy keeps user
    // management from its Office Managers.
    let can_create = me.may_now(Resource::Users, Action::Create) && me.scope != Scope::SiteManager;
    let scopes = scope_options(&me.assignable_scopes);
    let mut scope_filter = vec![(String::new(), t("any-scope").to_owned())];
    let below_reseller: Vec<Scope> = Scope::ALL
        .iter()
        .copied()
        .filter(|s| *s < Scope::Reseller)
        .collect();
    scope_filter.extend(scope_options(&below_reseller));
    let mut site_filter = sites.clone();
    site_filter[0].1 = t("any-site").into();
    page(
        t("users"),
        html! {
            form.search method="get" action=(ctx.base()) role="search" {
                label for="q" { (t("search-users")) }
                input id="q" name="q" type="search" value=(ctx.q("q"));
                label for="site_id" { (t("site")) }
                select id="site_id" name="site_id" { @for (v, l) in &site_filter { option value=(v) selected[v == ctx.q("site_id")] { (l) } } }
                label for="scope" { (t("scope")) }
                select id="scope" name="scope" { @for (v, l) in &scope_filter { option value=(v) selected[v == ctx.q("scope")] { (l) } } }
                button.secondary type="submit" { (t("filter")) }
            }
            (table(&[t("extension"), t("name"), t("scope"), t("site"), t("email")], rows, t("no-users-match")))
            (pager(&ctx.url, list.next_cursor.as_deref()))
            @if can_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { (t("new-user")) }
                    (csrf(&ctx.s.csrf))
                    (form_error(sub))
                    (field_with(sub, "extension", t("extension"), Input::Text, "", true))
                    (field_with(sub, "first_name", t("first-name"), Input::Text, "", true))
                    (field_with(sub, "last_name", t("last-name"), Input::Text, "", true))
                    (field(sub, "email", t("email"), Input::Email, ""))
                    (field(sub, "scope", t("scope"), Input::Select(&scopes), "basic_user"))
                    (field(sub, "site_id", t("site"), Input::Select(&sites), ""))
                    (field(sub, "password", t("password-optional"), Input::Password, ""))
                    button.primary type="submit" { (t("create-user")) }
                }
            }
        },
    )
}

pub(super) async fn user_detail(ctx: &Ctx, ext: &str, sub: Option<&Submitted>) -> R<View> {
    let u = ctx.api().call(endpoints::get_user(MINE, ext)).await?;
    let me = &ctx.s.me;
    let sites = site_options(ctx).await?;
    let may_scope = me.assignable_scopes.contains(&u.scope);
    let scopes = scope_options(&me.assignable_scopes);
    let may_move = me.scope >= Scope::OfficeManager;
    let may_act_as = can(ctx, Resource::Users, Action::Impersonate)
        && u.scope < me.scope
        && u.scope.can_log_in();
    let may_delete = me.may_now(Resource::Users, Action::Delete) && me.scope != Scope::SiteManager;
    let may_recycle = me.may_now(Resource::Users, Action::Update) && ext != me.extension();
    let may_set_pin = me.may_now(Resource::Users, Action::Update);
    let site = text(&u.site_id);
    let phones_base = format!("{}/{}/phones", ctx.base(), enc(ext));
    // A scope that may not read the user's phones gets the page without them.
    let phones = super::my_settings::phone_table(ctx, ext, &phones_base)
        .await
        .ok();
    let settings = super::my_settings::user_settings_summary(ctx, ext).await;
    // Two-factor login, for an administrator who may reset it (out of reach: not shown).
    let two_factor = match ext != me.extension() && can(ctx, Resource::TwoFactor, Action::Delete) {
        true => ctx.api().call(endpoints::two_factor(MINE, ext)).await.ok(),
        false => None,
    };
    page(
        format!("{} {} ({})", u.first_name, u.last_name, u.extension),
        html! {
            form.card method="post" action={ (ctx.base()) "/" (enc(ext)) } {
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (field_with(sub, "first_name", t("first-name"), Input::Text, u.first_name.as_str(), true))
                (field_with(sub, "last_name", t("last-name"), Input::Text, u.last_name.as_str(), true))
                (field(sub, "email", t("email"), Input::Email, &text(&u.email)))
                (field(sub, "caller_id", t("caller-id"), Input::Text, &text(&u.caller_id)))
                @if may_move {
                    (field(sub, "site_id", t("site"), Input::Select(&sites), &site))
                } @else {
                    p { (t("site-2")) (or_dash(&site_name(&sites, u.site_id))) }
                }
                @if may_scope {
                    (field(sub, "scope", t("scope"), Input::Select(&scopes), u.scope.as_str()))
                } @else {
                    p { (t("scope-2")) (scope_label(u.scope)) }
                }
                button.primary type="submit" { (t("save")) }
            }
            div.actions {
                @if may_act_as {
                    (button_form("/impersonate", &ctx.s.csrf, t("act-as-this-user"), "secondary", &[("user", &format!("{}@{}", ext, me.domain.name)), ("back", &ctx.url)]))
                }
                @if may_recycle {
                    a.button.secondary href={ (ctx.base()) "/" (enc(ext)) "/recycle" } { (t("hand-to-a-new-person")) }
                }
                @if may_delete { (delete_link(ctx, ext)) }
            }
            @if let Some(st) = two_factor.filter(|st| st.enrolled && (u.scope < me.scope || me.scope == Scope::SuperUser)) {
                h2 { (t("two-factor-login")) }
                p { (t("on")) @if let Some(at) = st.enrolled_at { (t("since")) (when(ctx, at)) } ". " (t("reset-two-factor-hint")) }
                form.card method="post" action={ (ctx.base()) "/" (enc(ext)) "/two-factor" } {
                    (csrf(&ctx.s.csrf))
                    @if !me.reauthenticated {
                        p.hint { (t("your-own-password-first-and-your")) }
                        (field_with(None, "password", t("your-password"), Input::Password, "", true))
                        (field(None, "code", t("your-code-if-two-factor-login"), Input::Text, ""))
                    }
                    button.danger type="submit" { (t("reset-two-factor-login")) }
                }
            }
            @if let Some(phones) = phones {
                h2 { (t("phones")) }
                (phones)
            }
            @if let Some(settings) = settings { (settings) }
            @if may_set_pin {
                (super::voicemail_pin::section(ctx, sub, &format!("{}/{}/pin", ctx.base(), enc(ext)), u.voicemail_pin_set))
            }
        },
    )
}

/// Handing an extension to a new person: the form, which says what goes and what stays.
pub(super) async fn recycle_form(ctx: &Ctx, ext: &str, sub: Option<&Submitted>) -> R<View> {
    let u = ctx.api().call(endpoints::get_user(MINE, ext)).await?;
    let back = format!("{}/{}", ctx.base(), enc(ext));
    page(
        tf("hand-over-title", &[("ext", arg(ext))]),
        html! {
            p { (t("the-extension-stays-with-its-phones"))
                (tf("recycle-ends-sessions", &[("name", arg(format!("{} {}", u.first_name, u.last_name)))])) " "
                (t("each-phone-gets-a-new-sip")) }
            form.card method="post" action={ (back) "/recycle" } {
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (field_with(sub, "first_name", t("new-persons-first-name"), Input::Text, "", true))
                (field_with(sub, "last_name", t("new-persons-last-name"), Input::Text, "", true))
                (field(sub, "email", t("email"), Input::Email, ""))
                (field_with(sub, "password", t("their-password-at-least-10-characters"), Input::Password, "", true))
                fieldset {
                    legend { (t("keep-from")) (u.first_name) " " (u.last_name) (t("the-rest-is-deleted")) }
                    (checkbox(sub, "keep", "voicemail", t("voicemail-messages-2"), false))
                    (checkbox(sub, "keep", "greetings", t("voicemail-greetings"), false))
                    (checkbox(sub, "keep", "contacts", t("personal-contacts"), false))
                    (checkbox(sub, "keep", "answering_rules", t("answering-rules-and-their-time-frames"), false))
                }
                button.danger type="submit" { (t("hand-over-extension")) (ext) }
                " "
                a href=(back) { (t("cancel")) }
            }
        },
    )
}

/// Hand the extension over, and show the phones' new SIP passwords this once.
pub(super) async fn recycle(ctx: &Ctx, ext: &str, form: &Form<'_>) -> R<View> {
    let keep = |what: &str| form.0.iter().any(|(k, v)| k == "keep" && v == what);
    let body = RecycleBody {
        first_name: form.text("first_name").to_owned(),
        last_name: form.text("last_name").to_owned(),
        email: form.opt("email"),
        password: form.text("password").to_owned(),
        keep_voicemail: keep("voicemail"),
        keep_greetings: keep("greetings"),
        keep_contacts: keep("contacts"),
        keep_answering_rules: keep("answering_rules"),
    };
    let done = ctx
        .api()
        .call(endpoints::recycle_user(MINE, ext, &body))
        .await?;
    let c = &done.cleared;
    let back = format!("{}/{}", ctx.base(), enc(ext));
    page(
        tf(
            "recycled-title",
            &[
                ("ext", arg(ext)),
                (
                    "name",
                    arg(format!("{} {}", done.user.first_name, done.user.last_name)),
                ),
            ],
        ),
        html! {
            p.notice { (t("cleared")) (c.voicemail_messages) (t("voicemail-messages")) (c.greetings) (t("greetings"))
                (c.contacts) (t("contacts")) (c.answering_rules) (t("answering-rules-and")) (c.time_frames) (t("time-frames-call-history-is-kept")) }
            @if done.sip_passwords.is_empty() {
                p { (t("no-phone-of-this-extension-has")) }
            } @else {
                h2 { (t("the-phones-new-sip-passwords")) }
                p { (t("enter-each-in-its-phones-sip")) }
                @for p in &done.sip_passwords {
                    dl.sip-login {
                        dt { (t("username")) } dd { code.sip-username { (p.login.username) } }
                        dt { (t("domain-realm")) } dd { code { (p.login.realm) } }
                        dt { (t("password")) } dd { code.sip-password { (p.login.password) } }
                    }
                }
            }
            p { a href=(back) { (t("back-to-the-user")) } }
        },
    )
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    let api = ctx.api();
    match rest {
        [] => {
            let body = NewUserBody {
                extension: form.text("extension").to_owned(),
                first_name: form.text("first_name").to_owned(),
                last_name: form.text("last_name").to_owned(),
                email: form.opt("email"),
                scope: form.value("scope")?,
                site_id: form.number("site_id", t("site"))?,
                password: form.opt("password"),
                language: None,
                timezone: None,
                caller_id: None,
            };
            api.call(endpoints::create_user(MINE, &body)).await?;
            Ok(done(ctx, "created"))
        }
        [ext] => {
            // Only what the form shows is changed; an emptied optional field is cleared.
            let cleared = |key: &str| form.has(key).then(|| form.opt(key));
            let patch = UserPatch {
                first_name: form.opt("first_name"),
                last_name: form.opt("last_name"),
                email: cleared("email"),
                caller_id: cleared("caller_id"),
                timezone: cleared("timezone"),
                site_id: match form.has("site_id") {
                    true => Some(form.number("site_id", t("site"))?),
                    false => None,
                },
                ..UserPatch::default()
            };
            let user = api.call(endpoints::update_user(MINE, ext, &patch)).await?;
            if let Some(scope) = form.value::<Scope>("scope")?
                && scope != user.scope
            {
                api.call(endpoints::set_scope(MINE, ext, &ScopeBody { scope }))
                    .await?;
            }
            Ok(format!("{}/{}?notice=saved", ctx.base(), enc(ext)))
        }
        [ext, "two-factor"] => {
            if !ctx.s.me.reauthenticated {
                let body = ReauthRequest {
                    password: form.text("password").to_owned(),
                    code: form.opt("code"),
                };
                api.call(endpoints::reauthenticate(&body)).await?;
            }
            api.call(endpoints::remove_two_factor(MINE, ext)).await?;
            Ok(format!("{}/{}?notice=removed", ctx.base(), enc(ext)))
        }
        _ => Err(Failure::not_found()),
    }
}
