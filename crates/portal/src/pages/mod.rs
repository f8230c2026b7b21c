//! Every tab's page, one module per tab (or per tab family). Each reads through the API with the
//! user's own session, in the API's own types, and shows what it gets; each change is one typed
//! API call whose refusal is shown next to the field it names.

mod account;
pub(crate) mod call_center;
mod call_history;
mod contacts;
mod home;
mod my_settings;
mod organization;
mod provider;
mod queues;
mod reports;
mod users;
mod voicemail_pin;

use super::Ctx;
use super::client::{Failure, enc};
use super::form::{Form, R};
use super::html::{Input, Submitted, csrf, field_with, form_error};
use super::session::MeExt;
pub(crate) use crate::i18n::{arg, layout_label, scope_label, t, tab_label, tf};
use axum::response::Response;
use maud::{Markup, html};
use switchboard_api::api::DeleteQuery;
use switchboard_api::api::directory::DomainQuery;
use switchboard_api::api::settings::{ApiKind, SettingQuery};
use switchboard_api::endpoints::{self, Call, File, settings};
use switchboard_domain::*;
use switchboard_policy::{Layout, Tab};

pub enum View {
    Page(String, Markup),
    /// A file passed through from the API (CSV export, recording, printable invoice).
    File(Response),
}

/// The caller's own domain, or the caller itself, in an API path.
const MINE: &str = "~";

fn page(title: impl Into<String>, body: Markup) -> R<View> {
    Ok(View::Page(title.into(), body))
}

fn done(ctx: &Ctx, notice: &str) -> String {
    format!("{}?notice={notice}", ctx.base())
}

/// A code's label from a table of (code, catalogue id) pairs, in the viewer's language.
type Labels = [(&'static str, &'static str)];

fn options(pairs: &Labels) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, id)| ((*v).to_owned(), t(id).to_owned()))
        .collect()
}

/// The label of `code` in a table of (code, catalogue id) pairs ("" for a code not in it).
fn label_of(pairs: &Labels, code: &str) -> &'static str {
    pairs
        .iter()
        .find(|(k, _)| *k == code)
        .map_or("", |(_, id)| t(id))
}

fn or_dash(v: &str) -> &str {
    if v.is_empty() { "—" } else { v }
}

/// Text of an optional value ("" when absent).
fn text<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The zone the viewer reads times in: its own, else its domain's (as `/me` says).
fn viewer_zone(ctx: &Ctx) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(ctx.s.me.timezone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A time on the viewer's clock, in its language, with the zone's abbreviation:
/// "Dec 3, 2026, 1:21:05 PM EST" / "3 déc. 2026, 13 h 21 min 05 s EST".
fn local_time(ctx: &Ctx, t: Timestamp) -> String {
    match jiff::Timestamp::from_second(t.0) {
        Ok(at) => crate::i18n::date_time(&at.to_zoned(viewer_zone(ctx))),
        Err(_) => t.to_rfc3339(),
    }
}

/// `local_time` as a `time` element carrying the exact instant, the zone's name on hover.
fn when(ctx: &Ctx, t: Timestamp) -> Markup {
    html! { time datetime=(t.to_rfc3339()) title=(ctx.s.me.timezone) { (local_time(ctx, t)) } }
}

/// A non-empty filter value, for a query type's optional field.
fn some(v: &str) -> Option<String> {
    Some(v).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The list filters every searchable tab shares: the search text and the page.
fn search(ctx: &Ctx) -> SettingQuery {
    SettingQuery {
        q: some(ctx.q("q")),
        cursor: some(ctx.q("cursor")),
        ..SettingQuery::default()
    }
}

/// Up to `limit` of a list, no filter.
fn first(limit: u32) -> SettingQuery {
    SettingQuery {
        limit: Some(limit),
        ..SettingQuery::default()
    }
}

/// The password form in front of Account Preferences.
pub async fn view(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let rest: Vec<&str> = ctx.rest.iter().map(String::as_str).collect();
    if let [id, "delete"] = rest[..] {
        return confirm_delete(ctx, id, sub).await;
    }
    match (ctx.tab, &rest[..]) {
        (Tab::Phones, [id, "sip-password"]) => {
            return my_settings::confirm_new_sip_password(ctx, id, &ctx.base()).await;
        }
        (Tab::Users, [ext, "phones", id, "sip-password"]) => {
            let back = format!("{}/{}", ctx.base(), enc(ext));
            return my_settings::confirm_new_sip_password(ctx, id, &back).await;
        }
        (Tab::Users, [ext, "recycle"]) => return users::recycle_form(ctx, ext, sub).await,
        _ => {}
    }
    match (ctx.tab, ctx.layout) {
        (Tab::Home, Layout::MyAccount) => home::user_home(ctx).await,
        (Tab::Home, Layout::ManageOrganization) if rest == ["portal-tabs"] => {
            home::portal_tabs(ctx, sub).await
        }
        (Tab::Home, Layout::ManageOrganization) => home::org_home(ctx).await,
        (Tab::Home, _) => home::global_home(ctx).await,
        (Tab::CallCenter, Layout::ManageOrganization) => {
            call_center::supervisor_settings(ctx, sub).await
        }
        (Tab::CallCenter, _) if ctx.s.me.scope == Scope::CallCenterAgent => {
            call_center::agent_center(ctx, sub).await
        }
        (Tab::CallCenter, _) => call_center::supervisor_center(ctx).await,
        (Tab::Agents, _) => call_center::agents(ctx).await,
        (Tab::Messages, _) => my_settings::messages(ctx, &rest, sub).await,
        (Tab::Contacts, _) => contacts::contacts(ctx, sub).await,
        (Tab::AnsweringRules, _) => match rest[..] {
            [id] => my_settings::rule_edit(ctx, id, sub).await,
            _ => my_settings::answering_rules(ctx, sub).await,
        },
        (Tab::TimeFrames, _) => my_settings::time_frames(ctx, sub).await,
        (Tab::Phones, _) => my_settings::phones(ctx).await,
        (Tab::CallHistory, _) => call_history::call_history(ctx, &rest).await,
        (Tab::Users, _) => match rest.first() {
            Some(ext) => users::user_detail(ctx, ext, sub).await,
            None => users::users(ctx, sub).await,
        },
        (Tab::CallQueues, _) => match rest.first() {
            Some(ext) => queues::queue_detail(ctx, ext, sub).await,
            None => queues::queues(ctx, sub).await,
        },
        (Tab::Conferences, _) => organization::conferences(ctx, sub).await,
        (Tab::AutoAttendants, _) => organization::auto_attendants(ctx, sub).await,
        (Tab::MusicOnHold, _) => organization::music_on_hold(ctx, &rest, sub).await,
        (Tab::Inventory, _) => organization::inventory(ctx, sub).await,
        (Tab::Reports, _) => reports::reports(ctx, &rest).await,
        (Tab::Invoices, _) => account::invoices(ctx, &rest, sub).await,
        (Tab::EmergencyAddresses, _) => account::emergency_addresses(ctx, sub).await,
        (Tab::AuthorizedContacts, _) => account::authorized_contacts(ctx, sub).await,
        (Tab::Domains, _) => provider::domains(ctx, sub).await,
        (Tab::AuditLog, _) => provider::audit_log(ctx).await,
    }
}

/// What follows a change.
pub enum Next {
    /// Go there (the usual: a page that shows what changed).
    Go(String),
    /// Show this at once and never again (a password just issued: it must not travel in a URL).
    Show(View),
}

/// A change; answers what comes next.
pub async fn act(ctx: &Ctx, pairs: &[(String, String)]) -> R<Next> {
    let rest: Vec<&str> = ctx.rest.iter().map(String::as_str).collect();
    match (ctx.tab, &rest[..]) {
        (Tab::Phones, [id, "sip-password"]) => {
            let view = my_settings::issue_sip_password(ctx, id, &ctx.base()).await?;
            return Ok(Next::Show(view));
        }
        (Tab::Users, [ext, "phones", id, "sip-password"]) => {
            let back = format!("{}/{}", ctx.base(), enc(ext));
            let view = my_settings::issue_sip_password(ctx, id, &back).await?;
            return Ok(Next::Show(view));
        }
        (Tab::Users, [ext, "recycle"]) => {
            return Ok(Next::Show(users::recycle(ctx, ext, &Form(pairs)).await?));
        }
        (Tab::Messages, ["pin"]) => {
            voicemail_pin::act(ctx, MINE, &Form(pairs)).await?;
            return Ok(Next::Go(format!(
                "{}?notice=saved#voicemail-pin",
                ctx.base()
            )));
        }
        (Tab::Users, [ext, "pin"]) => {
            voicemail_pin::act(ctx, ext, &Form(pairs)).await?;
            return Ok(Next::Go(format!(
                "{}/{}?notice=saved#voicemail-pin",
                ctx.base(),
                enc(ext)
            )));
        }
        (Tab::Phones, [id, "sip-enabled"]) => {
            my_settings::set_sip_enabled(ctx, id, &Form(pairs)).await?;
            return Ok(Next::Go(done(ctx, "saved")));
        }
        (Tab::Users, [ext, "phones", id, "sip-enabled"]) => {
            my_settings::set_sip_enabled(ctx, id, &Form(pairs)).await?;
            return Ok(Next::Go(format!(
                "{}/{}?notice=saved",
                ctx.base(),
                enc(ext)
            )));
        }
        _ => {}
    }
    changes(ctx, pairs).await.map(Next::Go)
}

/// A change that ends on a page of its tab.
async fn changes(ctx: &Ctx, pairs: &[(String, String)]) -> R<String> {
    let rest: Vec<&str> = ctx.rest.iter().map(String::as_str).collect();
    let form = Form(pairs);
    if let [id, "delete"] = rest[..] {
        delete(ctx, id).await?;
        return Ok(done(ctx, "deleted"));
    }
    match ctx.tab {
        Tab::Home => home::act(ctx, &rest, &form).await,
        Tab::CallCenter | Tab::Agents => call_center::act(ctx, &rest, &form).await,
        Tab::Contacts => contacts::act(ctx, &rest, &form).await,
        Tab::Messages | Tab::AnsweringRules | Tab::TimeFrames => {
            my_settings::act(ctx, &rest, &form).await
        }
        Tab::Users => users::act(ctx, &rest, &form).await,
        Tab::CallQueues => queues::act(ctx, &rest, &form).await,
        Tab::Conferences | Tab::AutoAttendants | Tab::Inventory | Tab::MusicOnHold => {
            organization::act(ctx, &rest, &form).await
        }
        Tab::Invoices | Tab::EmergencyAddresses | Tab::AuthorizedContacts => {
            account::act(ctx, &rest, &form).await
        }
        Tab::Domains => provider::act(ctx, &rest, &form).await,
        _ => Err(Failure::not_found()),
    }
}

// ---------- deleting ----------

/// What the confirmation of a delete calls a setting.
trait Titled {
    fn title(&self) -> String;
}

impl Titled for VoicemailMessage {
    fn title(&self) -> String {
        tf("the-message-from", &[("number", arg(&self.caller_number))])
    }
}
impl Titled for Contact {
    fn title(&self) -> String {
        contacts::contact_name(self)
    }
}
impl Titled for AnswerRule {
    fn title(&self) -> String {
        tf("rule-number", &[("position", arg(self.position))])
    }
}
impl Titled for TimeFrame {
    fn title(&self) -> String {
        self.name.to_string()
    }
}
impl Titled for Conference {
    fn title(&self) -> String {
        self.name.to_string()
    }
}
impl Titled for AutoAttendant {
    fn title(&self) -> String {
        self.name.to_string()
    }
}
impl Titled for MusicOnHold {
    fn title(&self) -> String {
        self.name.to_string()
    }
}
impl Titled for EmergencyAddress {
    fn title(&self) -> String {
        self.caller_name.to_string()
    }
}
impl Titled for AuthorizedContact {
    fn title(&self) -> String {
        self.name.to_string()
    }
}

async fn title_of<K: ApiKind + Titled>(ctx: &Ctx, id: &str) -> R<String> {
    Ok(ctx
        .api()
        .call(settings::get::<K>(MINE, id))
        .await?
        .body
        .title())
}

fn no_reroute() -> DeleteQuery {
    DeleteQuery {
        reroute_numbers_to: None,
    }
}

async fn delete_setting<K: ApiKind>(ctx: &Ctx, id: &str) -> R<()> {
    ctx.api()
        .call(settings::delete::<K>(MINE, id, &no_reroute()))
        .await
}

/// A form that uploads a recording to this tab's `…/upload` (read back by `uploaded`).
fn upload_form(ctx: &Ctx, sub: Option<&Submitted>, heading: Markup) -> Markup {
    html! {
        form.card method="post" action={ (ctx.base()) "/upload" } enctype="multipart/form-data" {
            (heading)
            (csrf(&ctx.s.csrf))
            (form_error(sub))
            (crate::html::upload_field(sub, t("recording-wav")))
            (crate::html::field(sub, "name", t("name-the-files-name-if-left"), Input::Text, ""))
            button.primary type="submit" { (t("upload")) }
        }
    }
}

/// The recording the form sent (the API checks it is a WAV it can play), and its name: the
/// form's, else the file's own without its extension.
fn uploaded(ctx: &Ctx, form: &Form<'_>) -> R<(String, Vec<u8>)> {
    let upload = ctx
        .upload
        .as_ref()
        .ok_or_else(|| Failure::invalid("file", t("choose-a-recording-a-wav-file")))?;
    let name = match form.text("name").trim() {
        "" => upload
            .file_name
            .rsplit_once('.')
            .map_or(upload.file_name.as_str(), |(stem, _)| stem)
            .to_owned(),
        given => given.to_owned(),
    };
    Ok((name, upload.bytes.clone()))
}

/// Moving the item at `at` of a list in order (`positions`, sorted, ties broken by the list's
/// own order) `up` or `down`: the items whose position changes, with their new positions. Two
/// distinct positions trade places; among equal ones the list is numbered 1, 2, 3 … afresh in
/// its new order, since no two numbers would otherwise keep the others where they are.
fn swap_with_neighbour(positions: &[u32], at: Option<usize>, to: &str) -> R<Vec<(usize, u32)>> {
    let Some(at) = at else {
        return Err(Failure::not_found());
    };
    let other = match to {
        "up" if at > 0 => at - 1,
        "down" if at + 1 < positions.len() => at + 1,
        _ => return Err(Failure::invalid("to", t("nothing-to-swap-with-there"))),
    };
    let (a, b) = (positions[at], positions[other]);
    if a != b {
        return Ok(vec![(at, b), (other, a)]);
    }
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.swap(at, other);
    Ok(order
        .into_iter()
        .zip(1u32..)
        .filter(|&(i, n)| positions[i] != n)
        .collect())
}

async fn delete(ctx: &Ctx, id: &str) -> R<()> {
    let api = ctx.api();
    match ctx.tab {
        Tab::Messages => delete_setting::<VoicemailMessage>(ctx, id).await,
        Tab::Contacts => delete_setting::<Contact>(ctx, id).await,
        Tab::AnsweringRules => delete_setting::<AnswerRule>(ctx, id).await,
        Tab::TimeFrames => delete_setting::<TimeFrame>(ctx, id).await,
        Tab::Conferences => delete_setting::<Conference>(ctx, id).await,
        Tab::AutoAttendants => delete_setting::<AutoAttendant>(ctx, id).await,
        Tab::MusicOnHold => delete_setting::<MusicOnHold>(ctx, id).await,
        Tab::EmergencyAddresses => delete_setting::<EmergencyAddress>(ctx, id).await,
        Tab::AuthorizedContacts => delete_setting::<AuthorizedContact>(ctx, id).await,
        Tab::Users => {
            api.call(endpoints::delete_user(MINE, id, &no_reroute()))
                .await
        }
        Tab::CallQueues => {
            api.call(endpoints::delete_queue(MINE, id, &no_reroute()))
                .await
        }
        Tab::Domains => api.call(endpoints::delete_domain(id)).await,
        _ => Err(Failure::not_found()),
    }
}

async fn confirm_delete(ctx: &Ctx, id: &str, refused: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    // Reading it first: something out of reach is a missing page, not a question.
    let name = match ctx.tab {
        Tab::Messages => title_of::<VoicemailMessage>(ctx, id).await?,
        Tab::Contacts => title_of::<Contact>(ctx, id).await?,
        Tab::AnsweringRules => title_of::<AnswerRule>(ctx, id).await?,
        Tab::TimeFrames => title_of::<TimeFrame>(ctx, id).await?,
        Tab::Conferences => title_of::<Conference>(ctx, id).await?,
        Tab::AutoAttendants => title_of::<AutoAttendant>(ctx, id).await?,
        Tab::MusicOnHold => title_of::<MusicOnHold>(ctx, id).await?,
        Tab::EmergencyAddresses => title_of::<EmergencyAddress>(ctx, id).await?,
        Tab::AuthorizedContacts => title_of::<AuthorizedContact>(ctx, id).await?,
        Tab::Users => {
            let u = api.call(endpoints::get_user(MINE, id)).await?;
            format!("{} {} ({})", u.first_name, u.last_name, u.extension)
        }
        Tab::CallQueues => api
            .call(endpoints::get_queue(MINE, id))
            .await?
            .name
            .to_string(),
        Tab::Domains => api.call(endpoints::get_domain(id)).await?.name.to_string(),
        _ => return Err(Failure::not_found()),
    };
    page(
        tf("delete-what", &[("name", arg(&name))]),
        html! {
            @if let Some(r) = refused {
                div.alert role="alert" { strong { (t("not-deleted")) } (r.failure.text()) }
            }
            p { (t("this-cannot-be-undone")) }
            form.inline method="post" {
                (csrf(&ctx.s.csrf))
                button.danger type="submit" { (t("delete-2")) (name) }
            }
            " "
            a href=(ctx.base()) { (t("cancel")) }
        },
    )
}

fn delete_link(ctx: &Ctx, id: &str) -> Markup {
    html! { a.danger-link href={ (ctx.base()) "/" (enc(id)) "/delete" } { (t("delete")) } }
}

// ---------- pieces several tabs use ----------

/// A local date and time as a browser's `datetime-local` sends it ("2026-12-03T13:00"), on the
/// viewer's clock, as RFC 3339.
fn local_instant(ctx: &Ctx, local: &str) -> R<String> {
    let civil: jiff::civil::DateTime = local
        .parse()
        .map_err(|_| Failure::invalid("at", t("a-date-and-time-like-2026")))?;
    let zoned = civil
        .to_zoned(viewer_zone(ctx))
        .map_err(|_| Failure::invalid("at", t("no-such-time-on-this-clock")))?;
    Ok(zoned.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Midnight of a day (today when `date` is empty) on the viewer's clock, as RFC 3339.
fn day_start(ctx: &Ctx, date: &str, plus_days: i64) -> R<String> {
    let zone = viewer_zone(ctx);
    let day = if date.is_empty() {
        jiff::Timestamp::now().to_zoned(zone.clone()).date()
    } else {
        date.parse::<jiff::civil::Date>()
            .map_err(|_| Failure::invalid("since", t("a-date-like-2026-11-24")))?
    };
    let day = day
        .checked_add(jiff::Span::new().days(plus_days))
        .map_err(|_| Failure::invalid("since", t("a-date-too-far-away")))?;
    let start = day
        .to_zoned(zone)
        .map_err(|_| Failure::invalid("since", t("no-such-day")))?;
    Ok(start.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn stat(label: &str, value: impl std::fmt::Display, href: Option<String>) -> Markup {
    // A count is written as the viewer's language groups digits.
    let value = value.to_string();
    let value = value.parse::<i64>().map_or(value, crate::i18n::number);
    html! {
        div.stat {
            @match href {
                Some(h) => a href=(h) { span.value { (value) } span.label { (label) } },
                None => { span.value { (value) } span.label { (label) } },
            }
        }
    }
}

/// The sites to choose from, with "none" first.
async fn site_options(ctx: &Ctx) -> R<Vec<(String, String)>> {
    let query = switchboard_api::api::directory::SearchQuery {
        limit: Some(200),
        ..Default::default()
    };
    let sites = ctx
        .api()
        .call(endpoints::list_sites(MINE, &query))
        .await
        .map(|page| page.items)
        .unwrap_or_default();
    let mut out = vec![(String::new(), "— none —".to_owned())];
    out.extend(sites.iter().map(|x| (x.id.to_string(), x.name.to_string())));
    Ok(out)
}

fn search_form(ctx: &Ctx, label: &str) -> Markup {
    html! {
        form.search method="get" action=(ctx.base()) role="search" {
            label for="q" { (label) }
            input id="q" name="q" type="search" value=(ctx.q("q"))
                hx-get=(ctx.base()) hx-trigger="input changed delay:300ms" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true";
            button.secondary type="submit" { (t("search")) }
        }
    }
}

/// Pass a file from the API through (recordings, CSV, printable pages).
async fn file(ctx: &Ctx, call: Call<File>) -> R<View> {
    ctx.api().file(call).await.map(View::File)
}

/// The domain a Global page looks at (`?domain=`), or the caller's own.
async fn domain_param(ctx: &Ctx) -> R<String> {
    Ok(match ctx.q("domain") {
        "" if ctx.layout == Layout::Global => {
            let query = DomainQuery {
                limit: Some(1),
                ..DomainQuery::default()
            };
            let first = ctx.api().call(endpoints::list_domains(&query)).await?;
            first
                .items
                .first()
                .map(|d| d.name.to_string())
                .unwrap_or_else(|| MINE.into())
        }
        "" => MINE.into(),
        d => d.to_owned(),
    })
}

async fn domain_picker(ctx: &Ctx, current: &str) -> R<Markup> {
    if ctx.layout != Layout::Global {
        return Ok(html! {});
    }
    let query = DomainQuery {
        limit: Some(500),
        ..DomainQuery::default()
    };
    let domains = ctx.api().call(endpoints::list_domains(&query)).await?.items;
    Ok(html! {
        form.search method="get" action=(ctx.base()) {
            label for="domain" { (t("domain")) }
            select id="domain" name="domain" { @for d in &domains { @let n = d.name.to_string(); option value=(n) selected[n == current] { (n) } } }
            button.secondary type="submit" { (t("show")) }
        }
    })
}

fn can(
    ctx: &Ctx,
    resource: switchboard_policy::Resource,
    action: switchboard_policy::Action,
) -> bool {
    ctx.s.me.may_now(resource, action)
}

#[cfg(test)]
mod tests {
    use super::swap_with_neighbour;

    /// The list's order after moving the item at `at`: indexes sorted by (position, index).
    fn order_after(positions: &[u32], at: usize, to: &str) -> Vec<usize> {
        let mut now = positions.to_vec();
        for (i, p) in swap_with_neighbour(positions, Some(at), to).unwrap() {
            now[i] = p;
        }
        let mut order: Vec<usize> = (0..now.len()).collect();
        order.sort_by_key(|&i| (now[i], i));
        order
    }

    #[test]
    fn moving_an_item_swaps_it_with_its_neighbour_whatever_the_positions() {
        // Distinct, gapped and equal positions alike (rules made with the same order number).
        for positions in [vec![1, 2, 3], vec![0, 5, 9], vec![2, 2, 2], vec![1, 1, 4]] {
            for at in 0..positions.len() {
                if at > 0 {
                    let mut want: Vec<usize> = (0..positions.len()).collect();
                    want.swap(at, at - 1);
                    assert_eq!(
                        order_after(&positions, at, "up"),
                        want,
                        "{positions:?} {at} up"
                    );
                }
                if at + 1 < positions.len() {
                    let mut want: Vec<usize> = (0..positions.len()).collect();
                    want.swap(at, at + 1);
                    assert_eq!(
                        order_after(&positions, at, "down"),
                        want,
                        "{positions:?} {at} down"
                    );
                }
            }
        }
        // Past either end, or an item not in the list: refused, not guessed.
        assert!(swap_with_neighbour(&[1, 2], Some(0), "up").is_err());
        assert!(swap_with_neighbour(&[1, 2], Some(1), "down").is_err());
        assert!(swap_with_neighbour(&[1, 2], None, "up").is_err());
        assert!(swap_with_neighbour(&[1, 2], Some(0), "sideways").is_err());
    }
}
