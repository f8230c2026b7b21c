//! A user's own phone settings: the Messages, Answering Rules, Time Frames (also the
//! organization's shared ones) and Phones tabs.

use super::home::describe_action;
use super::*;
use crate::html::{button_form, checkbox, csrf, field, seconds, table};
use switchboard_api::api::settings_extra::{AtQuery, NamedUploadQuery};
use switchboard_api::api::sip::{SipLogin, SipLoginPatch};
use switchboard_policy::{Action, Resource};

/// Each folder: its value in the API, its name on the page.
const FOLDERS: [(Folder, &str, &str); 3] = [
    (Folder::New, "new", "new-2"),
    (Folder::Saved, "saved", "saved-2"),
    (Folder::Trash, "trash", "trash"),
];

fn folder_label(folder: Folder) -> &'static str {
    FOLDERS
        .iter()
        .find(|(f, _, _)| *f == folder)
        .map_or("", |(_, _, label)| t(label))
}

pub(super) async fn messages(ctx: &Ctx, rest: &[&str], sub: Option<&Submitted>) -> R<View> {
    match rest {
        [id, "audio"] => return file(ctx, endpoints::voicemail_audio(MINE, id)).await,
        ["greetings", id, "audio"] => return file(ctx, endpoints::greeting_audio(MINE, id)).await,
        _ => {}
    }
    let items = ctx
        .api()
        .call(settings::list_of_user::<VoicemailMessage>(
            MINE,
            MINE,
            &first(200),
        ))
        .await?
        .items;
    let csrf_token = &ctx.s.csrf;
    let rows = items
        .iter()
        .map(|m| {
            let id = m.id.get().to_string();
            let at = |what: &str| format!("{}/{id}/{what}", ctx.base());
            let (read_label, read_value) = if m.body.read {
                (t("mark-unread"), "false")
            } else {
                (t("mark-read"), "true")
            };
            html! { tr.(if m.body.read { "" } else { "unread" }) {
                td { (when(ctx, m.body.received_at)) }
                td { (text(&m.body.caller_name)) " " (m.body.caller_number) }
                td { (folder_label(m.body.folder)) @if !m.body.read { " · " strong { (t("unread-badge")) } } }
                td { audio controls preload="none" src=(at("audio")) {} }
                td { div.row-actions {
                    (button_form(&at("read"), csrf_token, read_label, "secondary", &[("read", read_value)]))
                    form.inline method="post" action=(at("move")) {
                        (csrf(csrf_token))
                        select name="folder" aria-label=(t("folder-to-move-the-message-to")) {
                            @for (folder, value, label) in FOLDERS.map(|(f, v, l)| (f, v, t(l))) {
                                @if folder != m.body.folder { option value=(value) { (label) } }
                            }
                        }
                        " "
                        button.secondary type="submit" { (t("move")) }
                    }
                    (delete_link(ctx, &id))
                } }
            } }
        })
        .collect();
    let greetings = greetings(ctx, sub).await?;
    let pin_set = ctx.s.me.user.voicemail_pin_set;
    let pin_action = format!("{}/pin", ctx.base());
    page(
        t("messages"),
        html! {
            (table(&[t("received"), t("from"), t("folder"), t("listen"), t("actions")], rows, t("no-voicemail-messages")))
            (super::voicemail_pin::section(ctx, sub, &pin_action, pin_set))
            (greetings)
        },
    )
}

/// One's voicemail greetings: which one callers hear, another chosen, a new one recorded.
async fn greetings(ctx: &Ctx, sub: Option<&Submitted>) -> R<Markup> {
    let items = ctx
        .api()
        .call(settings::list_of_user::<Greeting>(MINE, MINE, &first(100)))
        .await?
        .items;
    let csrf_token = &ctx.s.csrf;
    let rows = items
        .iter()
        .map(|g| {
            let at = format!("{}/greetings/{}", ctx.base(), g.id.get());
            html! { tr {
                td { (g.body.name) }
                td { (seconds(Some(g.body.audio.duration_ms as f64 / 1000.0))) }
                td { audio controls preload="none" src={ (at) "/audio" } {} }
                td { @if g.body.active { strong { (t("callers-hear-this-one")) } } @else {
                    (button_form(&format!("{at}/activate"), csrf_token, t("use-this-greeting"), "secondary", &[]))
                } }
            } }
        })
        .collect();
    Ok(html! {
        h2 { (t("greetings-2")) }
        (table(&[t("name"), t("length"), t("listen"), ""], rows, t("no-greeting-recorded-callers-hear-the")))
        (upload_form(ctx, sub, html! { h3 { (t("add-a-greeting")) } }))
    })
}

const RULE_ACTIONS: &[(&str, &str)] = &[
    ("forward_always", "forward-every-call"),
    ("forward_conditional", "ring-me-then-forward-if-unanswered"),
    ("simultaneous_ring", "ring-my-phones-and-another-number"),
    ("send_to_voicemail", "send-to-voicemail"),
    ("do_not_disturb", "do-not-disturb"),
];

/// How long a forwarded or shared call rings first, as the API's default.
const RING_SECONDS: u32 = 25;

/// The time frames a user's rules may name: its own and the domain's shared ones.
async fn frames(ctx: &Ctx, owner: &str) -> R<Vec<Setting<TimeFrame>>> {
    let api = ctx.api();
    let mut out = api
        .call(settings::list_of_user::<TimeFrame>(
            MINE,
            owner,
            &first(200),
        ))
        .await?
        .items;
    let shared = SettingQuery {
        shared: Some(true),
        ..first(200)
    };
    out.extend(
        api.call(settings::list::<TimeFrame>(MINE, &shared))
            .await?
            .items,
    );
    Ok(out)
}

/// The choices of a rule's "When": always, or one of these frames.
fn frame_options(frames: &[Setting<TimeFrame>]) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), t("always-no-time-frame").to_owned())];
    options.extend(
        frames
            .iter()
            .map(|f| (f.id.get().to_string(), f.body.name.to_string())),
    );
    options
}

/// The name of a rule's time frame ("Always" without one).
fn frame_name(frames: &[Setting<TimeFrame>], id: Option<Id<TimeFrame>>) -> String {
    frames
        .iter()
        .find(|f| Some(f.id) == id)
        .map_or_else(|| t("always").to_owned(), |f| f.body.name.to_string())
}

/// The rule of a user (`owner`: an extension, or `~`) that decides its calls now, if any.
async fn rule_in_force_now(ctx: &Ctx, owner: &str) -> Option<Id<AnswerRule>> {
    ctx.api()
        .call(endpoints::active_rule(MINE, owner, &AtQuery { at: None }))
        .await
        .ok()
        .and_then(|a| a.rule)
        .map(|r| r.id)
}

/// A user's rules (`owner`: an extension, or `~`) in the order they are tried.
async fn rules_in_order(ctx: &Ctx, owner: &str) -> R<Vec<Setting<AnswerRule>>> {
    let mut rules = ctx
        .api()
        .call(settings::list_of_user::<AnswerRule>(
            MINE,
            owner,
            &first(200),
        ))
        .await?
        .items;
    rules.sort_by_key(|r| (r.body.position, r.id.get()));
    Ok(rules)
}

pub(super) async fn answering_rules(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let rules = rules_in_order(ctx, MINE).await?;
    let frames = frames(ctx, MINE).await?;
    let frame_options = frame_options(&frames);
    let active = rule_in_force_now(ctx, MINE).await;
    // "Which rule applies at …", a local time on the viewer's clock.
    let asked = ctx.q("at");
    let tried = if asked.is_empty() {
        None
    } else {
        let at = local_instant(ctx, asked)?;
        let answer = api
            .call(endpoints::active_rule(
                MINE,
                MINE,
                &AtQuery { at: Some(at) },
            ))
            .await?;
        Some(answer)
    };
    let tried_rule = tried.as_ref().and_then(|t| t.rule.as_ref()).map(|r| r.id);
    let frame_name = |id: Option<Id<TimeFrame>>| frame_name(&frames, id);
    let last = rules.len().saturating_sub(1);
    let rows = rules
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let id = r.id.get().to_string();
            let enabled = r.body.enabled;
            let in_force = Some(r.id) == active;
            let at = |what: &str| format!("{}/{id}/{what}", ctx.base());
            html! { tr.(if in_force { "active" } else { "" }) {
                td { (n + 1) }
                td { (frame_name(r.body.time_frame_id)) @if !enabled { (t("off")) } }
                td {
                    (describe_action(&r.body.action))
                    @if in_force { " " span.badge { (t("in-force-now")) } }
                    @if Some(r.id) == tried_rule { " " span.badge { (t("applies-at-the-time-asked")) } }
                }
                td { div.row-actions {
                    @if n > 0 { (button_form(&at("order"), &ctx.s.csrf, t("move-up"), "secondary", &[("to", "up")])) }
                    @if n < last { (button_form(&at("order"), &ctx.s.csrf, t("move-down"), "secondary", &[("to", "down")])) }
                    a.button.secondary href={ (ctx.base()) "/" (id) } { (t("change")) }
                    (button_form(&at("toggle"), &ctx.s.csrf, if enabled { t("turn-off") } else { t("turn-on") }, "secondary", &[("enabled", if enabled { "false" } else { "true" })]))
                    (delete_link(ctx, &id))
                } }
            } }
        })
        .collect();
    page(
        t("answering-rules"),
        html! {
            p { (t("rules-are-tried-in-order-the")) }
            (table(&[t("order"), t("when"), t("what-happens"), t("actions")], rows, t("no-answering-rules-calls-ring-your")))
            form.filters method="get" action=(ctx.base()) {
                div.field { label for="at" { (t("which-rule-applies-at")) (ctx.s.me.timezone) ")" } input id="at" name="at" type="datetime-local" value=(asked); }
                button.secondary type="submit" { (t("try")) }
            }
            @if let Some(asked) = &tried {
                p role="status" {
                    (t("at")) (when(ctx, asked.at)) ": "
                    @match &asked.rule {
                        Some(r) => { strong { (frame_name(r.body.time_frame_id)) } " — " (describe_action(&r.body.action)) "." },
                        None => { (t("no-rule-applies-calls-ring-your-2")) },
                    }
                }
            }
            form.card method="post" action=(ctx.base()) {
                h2 { (t("new-answering-rule")) }
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (rule_fields(sub, None, &frame_options))
                (field(sub, "position", t("order"), Input::Number, &(rules.len() + 1).to_string()))
                button.primary type="submit" { (t("add-rule")) }
            }
        },
    )
}

/// A user's answering rules and voicemail as a manager reads them on the user's page; `None`
/// for a viewer the API keeps from them.
pub(super) async fn user_settings_summary(ctx: &Ctx, ext: &str) -> Option<Markup> {
    let rules = rules_in_order(ctx, ext).await.ok()?;
    let frames = frames(ctx, ext).await.unwrap_or_default();
    let active = rule_in_force_now(ctx, ext).await;
    let frame_name = |id: Option<Id<TimeFrame>>| frame_name(&frames, id);
    let rows = rules
        .iter()
        .enumerate()
        .map(|(n, r)| html! { tr.(if Some(r.id) == active { "active" } else { "" }) {
            td { (n + 1) }
            td { (frame_name(r.body.time_frame_id)) }
            td { (describe_action(&r.body.action)) @if Some(r.id) == active { " " span.badge { (t("in-force-now")) } } }
            td { @if r.body.enabled { (t("on")) } @else { (t("off-2")) } }
        } })
        .collect();
    let messages = ctx
        .api()
        .call(settings::list_of_user::<VoicemailMessage>(
            MINE,
            ext,
            &first(500),
        ))
        .await
        .map(|page| page.items)
        .unwrap_or_default();
    let count = |folder: Folder| messages.iter().filter(|m| m.body.folder == folder).count();
    let unread = messages.iter().filter(|m| !m.body.read).count();
    Some(html! {
        h2 { (t("answering-rules-2")) }
        (table(&[t("order"), t("when"), t("what-happens"), t("state")], rows, t("no-answering-rules-calls-ring-this")))
        h2 { (t("voicemail")) }
        p { (count(Folder::New)) (t("new")) (count(Folder::Saved)) (t("saved")) (count(Folder::Trash)) (t("in-the-trash")) (unread) (t("unread")) }
    })
}

const DAYS: &[(&str, &str)] = &[
    ("monday", "mon"),
    ("tuesday", "tue"),
    ("wednesday", "wed"),
    ("thursday", "thu"),
    ("friday", "fri"),
    ("saturday", "sat"),
    ("sunday", "sun"),
];

fn day_label(day: Weekday) -> &'static str {
    DAYS.get(usize::from(day.index())).map_or("", |(_, l)| t(l))
}

fn describe_schedule(schedule: &Schedule) -> String {
    let joined = |parts: Vec<String>, sep: &str| parts.join(sep);
    match schedule {
        Schedule::Always => t("always").into(),
        Schedule::DaysOfWeek { spans } => joined(
            spans
                .iter()
                .map(|sp| {
                    let days: Vec<&str> = sp.days.iter().map(|d| day_label(*d)).collect();
                    format!("{} {}–{}", days.join(" "), sp.start, sp.end)
                })
                .collect(),
            "; ",
        ),
        Schedule::Dates { ranges } => joined(
            ranges
                .iter()
                .map(|r| tf("date-range", &[("from", arg(&r.from)), ("to", arg(&r.to))]))
                .collect(),
            "; ",
        ),
        Schedule::Holidays { holidays } => {
            joined(holidays.iter().map(|h| h.name.to_string()).collect(), ", ")
        }
    }
}

pub(super) async fn time_frames(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let mine = ctx.layout == Layout::MyAccount;
    let personal = if mine {
        api.call(settings::list_of_user::<TimeFrame>(MINE, MINE, &first(200)))
            .await?
            .items
    } else {
        Vec::new()
    };
    let shared_only = SettingQuery {
        shared: Some(true),
        ..first(200)
    };
    let shared = api
        .call(settings::list::<TimeFrame>(MINE, &shared_only))
        .await?
        .items;
    let may_shared = !mine && can(ctx, Resource::TimeFramesShared, Action::Create);
    let row = |f: &Setting<TimeFrame>, deletable: bool| {
        html! { tr {
            td { (f.body.name) } td { (describe_schedule(&f.body.schedule)) }
            td { @if deletable { (delete_link(ctx, &f.id.get().to_string())) } }
        } }
    };
    let may_create = mine || may_shared;
    page(
        t("time-frames"),
        html! {
            @if mine {
                h2 { (t("my-time-frames")) }
                (table(&[t("name"), t("when"), ""], personal.iter().map(|f| row(f, true)).collect(), t("no-personal-time-frames")))
            }
            h2 { (t("shared-time-frames")) }
            (table(&[t("name"), t("when"), ""], shared.iter().map(|f| row(f, may_shared)).collect(), t("no-shared-time-frames")))
            @if may_create {
                form.card method="post" action=(ctx.base()) {
                    h2 { @if mine { (t("new-time-frame")) } @else { (t("new-shared-time-frame")) } }
                    (csrf(&ctx.s.csrf))
                    (form_error(sub))
                    (field_with(sub, "name", t("name"), Input::Text, "", true))
                    (field(sub, "schedule.kind", t("kind"), Input::Select(&options(&[("days_of_week", "days-of-the-week"), ("dates", "a-range-of-dates"), ("always", "always")])), "days_of_week"))
                    fieldset {
                        legend { (t("days-of-the-week")) }
                        @for (v, l) in DAYS { (checkbox(sub, "schedule.days", v, t(l), false)) }
                        (field(sub, "schedule.start", t("from"), Input::Time, "09:00"))
                        (field(sub, "schedule.end", t("to-2"), Input::Time, "17:00"))
                    }
                    fieldset {
                        legend { (t("a-range-of-dates")) }
                        (field(sub, "schedule.from", t("first-day"), Input::Date, ""))
                        (field(sub, "schedule.to", t("last-day"), Input::Date, ""))
                    }
                    button.primary type="submit" { (t("create-time-frame")) }
                }
            }
        },
    )
}

/// Whether a phone is registered, and from where, in words.
fn registration(ctx: &Ctx, login: Option<&SipLogin>) -> String {
    match login {
        None => "—".into(),
        Some(l) if !l.issued => t("no-sip-password-issued-yet").into(),
        Some(l) if !l.enabled => t("login-disabled").into(),
        Some(SipLogin {
            registration: Some(r),
            ..
        }) => tf(
            "registered-from-until",
            &[
                ("source", arg(r.source.as_deref().unwrap_or(&r.contact))),
                ("until", arg(local_time(ctx, r.expires_at))),
                (
                    "agent",
                    arg(r
                        .user_agent
                        .as_deref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default()),
                ),
            ],
        ),
        Some(_) => t("not-registered").into(),
    }
}

/// A user's phones (`owner`: an extension, or `~`) with their SIP logins and registrations, and
/// the buttons the viewer may use; the buttons post under `base`.
pub(super) async fn phone_table(ctx: &Ctx, owner: &str, base: &str) -> R<Markup> {
    let api = ctx.api();
    let items = api
        .call(settings::list_of_user::<Device>(MINE, owner, &first(200)))
        .await?
        .items;
    let may_issue = can(ctx, Resource::Devices, Action::Read);
    let may_switch = can(ctx, Resource::Devices, Action::Update);
    let mut rows = Vec::new();
    for d in &items {
        let id = d.id.get().to_string();
        let login = api.call(endpoints::device_sip(MINE, &id)).await.ok();
        let action = format!("{base}/{}", enc(&id));
        let switchable = login.as_ref().filter(|l| l.issued && may_switch);
        rows.push(html! { tr {
            td { (text(&d.body.label)) } td { (d.body.model) } td { code { (d.body.mac) } } td { (d.body.line) }
            td { @if let Some(l) = &login { code { (l.username) "@" (l.realm) } } }
            td.registration { (registration(ctx, login.as_ref())) }
            td {
                @if may_issue {
                    @if login.as_ref().is_some_and(|l| l.issued) {
                        // It ends the password the phone has: asked first.
                        a.button.secondary href={ (action) "/sip-password" } { (t("new-sip-password")) }
                    } @else {
                        (button_form(&format!("{action}/sip-password"), &ctx.s.csrf, t("new-sip-password"), "secondary", &[]))
                    }
                }
                @if let Some(l) = switchable {
                    (button_form(&format!("{action}/sip-enabled"), &ctx.s.csrf, if l.enabled { t("turn-login-off") } else { t("turn-login-on") }, "secondary", &[("enabled", if l.enabled { "false" } else { "true" })]))
                }
            }
        } });
    }
    Ok(html! {
        (table(
            &[t("label"), t("model"), t("mac-address"), t("line"), t("sip-login"), t("registration"), ""],
            rows,
            t("no-phones"),
        ))
        p.hint { (t("a-phones-sip-password-is-shown")) }
    })
}

pub(super) async fn phones(ctx: &Ctx) -> R<View> {
    let base = ctx.base();
    page(t("phones"), phone_table(ctx, MINE, &base).await?)
}

/// Before a new SIP password replaces the one a phone has: the question; Cancel goes `back`.
pub(super) async fn confirm_new_sip_password(ctx: &Ctx, id: &str, back: &str) -> R<View> {
    // Read first: a phone out of reach is a missing page, not a question.
    let phone = ctx
        .api()
        .call(settings::get::<Device>(MINE, id))
        .await?
        .body;
    let name = format!("{} ({})", text(&phone.label), phone.model);
    page(
        tf("new-sip-password-for", &[("name", arg(&name))]),
        html! {
            p { (t("the-phones-current-password-stops-working")) }
            form.inline method="post" {
                (csrf(&ctx.s.csrf))
                button.danger type="submit" { (t("issue-a-new-password")) }
            }
            " "
            a href=(back) { (t("cancel")) }
        },
    )
}

/// Issue a phone's SIP password and show it, this once; `back` is where the page links back to.
pub(super) async fn issue_sip_password(ctx: &Ctx, id: &str, back: &str) -> R<View> {
    let issued = ctx
        .api()
        .call(endpoints::issue_sip_password(MINE, id))
        .await?;
    page(
        t("new-sip-password"),
        html! {
            p { (t("enter-these-in-the-phones-sip")) }
            dl.sip-login {
                dt { (t("username")) } dd { code id="sip-username" { (issued.username) } }
                dt { (t("domain-realm")) } dd { code { (issued.realm) } }
                dt { (t("password")) } dd { code id="sip-password" { (issued.password) } }
            }
            p { a href=(back) { (t("back")) } }
        },
    )
}

/// Turn a phone's SIP login on or off.
pub(super) async fn set_sip_enabled(ctx: &Ctx, id: &str, form: &Form<'_>) -> R<()> {
    let body = SipLoginPatch {
        enabled: form.flag("enabled"),
    };
    ctx.api()
        .call(endpoints::set_device_sip(MINE, id, &body))
        .await
        .map(drop)
}

/// What a new answering rule does, from its form.
fn rule_action(form: &Form<'_>) -> R<RuleAction> {
    let to = || form.required::<Destination>("action.to", t("forward-to"));
    let ring = || -> R<u32> {
        Ok(form
            .number("action.ring_timeout_seconds", t("ring-time"))?
            .unwrap_or(RING_SECONDS))
    };
    Ok(match form.text("action.kind") {
        "forward_always" => RuleAction::ForwardAlways { to: to()? },
        "forward_conditional" => {
            let busy = form.value::<Destination>("action.busy")?;
            let no_answer = form.value::<Destination>("action.no_answer")?;
            let unreachable = form.value::<Destination>("action.unreachable")?;
            // One "forward to" serves both, as the short form of the rule.
            let (busy, no_answer) = match (busy, no_answer, unreachable.is_some()) {
                (None, None, false) => {
                    let to = to()?;
                    (Some(to.clone()), Some(to))
                }
                other => (other.0, other.1),
            };
            RuleAction::ForwardConditional {
                busy,
                no_answer,
                unreachable,
                ring_timeout_seconds: ring()?,
            }
        }
        "simultaneous_ring" => RuleAction::SimultaneousRing {
            numbers: form
                .text("action.to")
                .split([',', ';'])
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| {
                    Form(&[("n".to_owned(), n.to_owned())])
                        .required::<Destination>("n", t("number"))
                        .map_err(|e| Failure {
                            field: Some("action.to".into()),
                            ..e
                        })
                })
                .collect::<R<Vec<_>>>()?,
            ring_timeout_seconds: ring()?,
        },
        "send_to_voicemail" => RuleAction::SendToVoicemail,
        "do_not_disturb" => RuleAction::DoNotDisturb,
        _ => return Err(Failure::invalid("action.kind", t("choose-what-happens"))),
    })
}

/// A rule's fields, as sent or as the rule has them (`None`: a new rule's defaults).
fn rule_fields(
    sub: Option<&Submitted>,
    rule: Option<&AnswerRule>,
    frame_options: &[(String, String)],
) -> Markup {
    let frame = rule
        .and_then(|r| r.time_frame_id)
        .map(|id| id.get().to_string())
        .unwrap_or_default();
    let (kind, to, busy, no_answer, unreachable, ring) = match rule.map(|r| &r.action) {
        None => (
            "forward_always",
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            RING_SECONDS,
        ),
        Some(RuleAction::ForwardAlways { to }) => (
            "forward_always",
            to.to_string(),
            String::new(),
            String::new(),
            String::new(),
            RING_SECONDS,
        ),
        Some(RuleAction::ForwardConditional {
            busy,
            no_answer,
            unreachable,
            ring_timeout_seconds,
        }) => (
            "forward_conditional",
            String::new(),
            text(busy),
            text(no_answer),
            text(unreachable),
            *ring_timeout_seconds,
        ),
        Some(RuleAction::SimultaneousRing {
            numbers,
            ring_timeout_seconds,
        }) => (
            "simultaneous_ring",
            numbers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            String::new(),
            String::new(),
            String::new(),
            *ring_timeout_seconds,
        ),
        Some(RuleAction::SendToVoicemail) => (
            "send_to_voicemail",
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            RING_SECONDS,
        ),
        Some(RuleAction::DoNotDisturb) => (
            "do_not_disturb",
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            RING_SECONDS,
        ),
    };
    html! {
        (field(sub, "time_frame_id", t("when"), Input::Select(frame_options), &frame))
        (field(sub, "action.kind", t("what-happens"), Input::Select(&options(RULE_ACTIONS)), kind))
        (field(sub, "action.to", t("forward-to-or-the-numbers-rung"), Input::Text, &to))
        fieldset {
            legend { (t("ring-me-first-then-extension-or")) }
            (field(sub, "action.no_answer", t("if-i-do-not-answer-forward"), Input::Text, &no_answer))
            (field(sub, "action.busy", t("if-i-am-busy-forward-to"), Input::Text, &busy))
            (field(sub, "action.unreachable", t("if-my-phones-are-offline-forward"), Input::Text, &unreachable))
        }
        (field(sub, "action.ring_timeout_seconds", t("ring-my-phones-for-seconds"), Input::Number, &ring.to_string()))
    }
}

/// The merge patch (RFC 7396) that makes a rule's action `new`: every key of the old action
/// that the new one lacks is removed, so one kind of action is replaced by another whole.
fn action_patch(old: &RuleAction, new: &RuleAction) -> serde_json::Value {
    let mut patch = serde_json::to_value(new).unwrap_or_default();
    if let (Some(fields), Ok(serde_json::Value::Object(before))) =
        (patch.as_object_mut(), serde_json::to_value(old))
    {
        for key in before.keys() {
            fields.entry(key.clone()).or_insert(serde_json::Value::Null);
        }
    }
    patch
}

/// One rule, to change.
pub(super) async fn rule_edit(ctx: &Ctx, id: &str, sub: Option<&Submitted>) -> R<View> {
    let rule = ctx
        .api()
        .call(settings::get::<AnswerRule>(MINE, id))
        .await?;
    let frames = frames(ctx, MINE).await?;
    let frame_options = frame_options(&frames);
    page(
        t("change-answering-rule"),
        html! {
            p { (t("now")) strong { (frame_name(&frames, rule.body.time_frame_id)) } " — " (describe_action(&rule.body.action)) "." }
            form.card method="post" action={ (ctx.base()) "/" (id) } {
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (rule_fields(sub, Some(&rule.body), &frame_options))
                button.primary type="submit" { (t("save")) }
                " "
                a href=(ctx.base()) { (t("cancel")) }
            }
        },
    )
}

/// A new time frame's schedule, from its form.
fn schedule(form: &Form<'_>) -> R<Schedule> {
    Ok(match form.text("schedule.kind") {
        "always" => Schedule::Always,
        "dates" => Schedule::Dates {
            ranges: vec![DateRange {
                from: form.required("schedule.from", t("first-day"))?,
                to: form.required("schedule.to", t("last-day"))?,
                start: None,
                end: None,
            }],
        },
        _ => {
            let days = form
                .all("schedule.days")
                .iter()
                .map(|d| {
                    Form(&[("day".to_owned(), (*d).to_owned())])
                        .required::<Weekday>("day", t("day"))
                })
                .collect::<R<Vec<_>>>()
                .map_err(|e| Failure {
                    field: Some("schedule.days".into()),
                    ..e
                })?;
            Schedule::DaysOfWeek {
                spans: vec![WeeklySpan {
                    days,
                    start: form.required("schedule.start", t("from"))?,
                    end: form.required("schedule.end", t("to-2"))?,
                }],
            }
        }
    })
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    let api = ctx.api();
    match (ctx.tab, rest) {
        (Tab::Messages, ["upload"]) => {
            let (name, wav) = uploaded(ctx, form)?;
            let query = NamedUploadQuery {
                name,
                position: None,
            };
            api.call(settings::upload::<Greeting>(MINE, Some(MINE), &query, wav))
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::Messages, ["greetings", id, "activate"]) => {
            api.call(endpoints::activate_greeting(MINE, id)).await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::Messages, [id, "read"]) => {
            let patch = serde_json::json!({ "read": form.text("read") == "true" });
            api.call(settings::patch::<VoicemailMessage>(MINE, id, &patch))
                .await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::Messages, [id, "move"]) => {
            let folder: Folder = form
                .value("folder")?
                .ok_or_else(|| Failure::invalid("folder", t("choose-a-folder")))?;
            let patch = serde_json::json!({ "folder": folder });
            api.call(settings::patch::<VoicemailMessage>(MINE, id, &patch))
                .await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::AnsweringRules, []) => {
            let rule = AnswerRule {
                time_frame_id: form.number("time_frame_id", t("when"))?.map(Id::new),
                position: form.number("position", t("order"))?.unwrap_or(0),
                enabled: true,
                action: rule_action(form)?,
            };
            api.call(settings::create_for_user(MINE, MINE, &rule))
                .await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AnsweringRules, [id]) => {
            let before = api.call(settings::get::<AnswerRule>(MINE, id)).await?;
            let action = rule_action(form)?;
            let frame = form.number::<i64>("time_frame_id", t("when"))?;
            let patch = serde_json::json!({
                "time_frame_id": frame,
                "action": action_patch(&before.body.action, &action),
            });
            api.call(settings::patch::<AnswerRule>(MINE, id, &patch))
                .await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::AnsweringRules, [id, "order"]) => {
            let rules = rules_in_order(ctx, MINE).await?;
            let positions: Vec<u32> = rules.iter().map(|r| r.body.position).collect();
            let at = rules.iter().position(|r| r.id.get().to_string() == *id);
            for (i, position) in swap_with_neighbour(&positions, at, form.text("to"))? {
                let rule = &rules[i];
                let patch = serde_json::json!({ "position": position });
                api.call(settings::patch::<AnswerRule>(
                    MINE,
                    &rule.id.get().to_string(),
                    &patch,
                ))
                .await?;
            }
            Ok(done(ctx, "saved"))
        }
        (Tab::AnsweringRules, [id, "toggle"]) => {
            // A merge patch of the rule's body: the route takes any JSON object.
            let patch = serde_json::json!({ "enabled": form.flag("enabled") });
            api.call(settings::patch::<AnswerRule>(MINE, id, &patch))
                .await?;
            Ok(done(ctx, "saved"))
        }
        (Tab::TimeFrames, []) => {
            let frame = TimeFrame {
                name: form.required("name", t("name"))?,
                schedule: schedule(form)?,
            };
            let call = if ctx.layout == Layout::MyAccount {
                settings::create_for_user(MINE, MINE, &frame)
            } else {
                settings::create(MINE, &frame)
            };
            api.call(call).await?;
            Ok(done(ctx, "created"))
        }
        _ => Err(Failure::not_found()),
    }
}
