//! The page shell and the small pieces every page is made of: labelled fields with their
//! errors, tables, pagination, notices. Markup is maud, compiled into the binary.

use super::client::Failure;
use super::session::{Me, MeExt};
use crate::i18n::{arg, layout_label, scope_label, t, tab_label, tf};
use maud::{DOCTYPE, Markup, html};
use std::sync::atomic::{AtomicBool, Ordering};
use switchboard_policy::{Layout, Tab};

/// The address of a tab.
pub fn tab_href(layout: Layout, tab: Tab) -> String {
    format!(
        "/{}/{}",
        layout.name().replace('_', "-"),
        tab.name().replace('_', "-")
    )
}

/// What a form sent, kept to show it again with the API's complaint next to the field.
pub struct Submitted {
    pub values: Vec<(String, String)>,
    pub failure: Failure,
    shown: AtomicBool,
}

impl Submitted {
    pub fn new(values: Vec<(String, String)>, failure: Failure) -> Submitted {
        Submitted {
            values,
            failure,
            shown: AtomicBool::new(false),
        }
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    /// The error to show next to `name`: the field the API named, or the first field inside it.
    fn error_at(&self, name: &str) -> Option<&str> {
        let field = self.failure.field.as_deref()?;
        let here = name == field
            || name.starts_with(&format!("{field}."))
            || name.starts_with(&format!("{field}["));
        if here && !self.shown.swap(true, Ordering::Relaxed) {
            // Under its field the message need not name the field again.
            Some(self.failure.message_without_field())
        } else {
            None
        }
    }
}

pub enum Input<'a> {
    Text,
    Number,
    Password,
    Email,
    Date,
    Time,
    /// (value, label)
    Select(&'a [(String, String)]),
}

/// A labelled input; keeps what was sent and shows the API's error for it.
pub fn field(
    sub: Option<&Submitted>,
    name: &str,
    label: &str,
    input: Input,
    value: &str,
) -> Markup {
    field_with(sub, name, label, input, value, false)
}

/// The recording a form sends (the field `file`, a WAV), with the API's error for it.
pub fn upload_field(sub: Option<&Submitted>, label: &str) -> Markup {
    // The API names the recording `audio`.
    let error = sub.and_then(|s| s.error_at("file").or_else(|| s.error_at("audio")));
    html! {
        div.field.invalid[error.is_some()] {
            label for="f-file" { (label) }
            input id="f-file" name="file" type="file" accept="audio/wav,audio/x-wav,.wav" required
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "f-file-error")];
            @if let Some(e) = error {
                p.error id="f-file-error" { (e) }
            }
        }
    }
}

pub fn field_with(
    sub: Option<&Submitted>,
    name: &str,
    label: &str,
    input: Input,
    value: &str,
    required: bool,
) -> Markup {
    let id = format!("f-{}", name.replace(['.', '[', ']'], "-"));
    // A password sent is never written back into the page.
    let value = match input {
        Input::Password => value,
        _ => sub.and_then(|s| s.value(name)).unwrap_or(value),
    };
    let error = sub.and_then(|s| s.error_at(name));
    let err_id = format!("{id}-error");
    let kind = match input {
        Input::Number => "number",
        Input::Password => "password",
        Input::Email => "email",
        Input::Date => "date",
        Input::Time => "time",
        _ => "text",
    };
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            @if let Input::Select(options) = input {
                select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())] {
                    @for (v, l) in options {
                        option value=(v) selected[v == value] { (l) }
                    }
                }
            } @else {
                input id=(id) name=(name) type=(kind) value=(value) required[required]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())];
            }
            @if let Some(e) = error {
                p.error id=(err_id) { (e) }
            }
        }
    }
}

pub fn checkbox(
    sub: Option<&Submitted>,
    name: &str,
    value: &str,
    label: &str,
    checked: bool,
) -> Markup {
    let checked = match sub {
        Some(s) => s.has(name, value),
        None => checked,
    };
    let id = format!("f-{}-{}", name.replace(['.', '[', ']'], "-"), value);
    html! {
        label.check for=(id) {
            input id=(id) type="checkbox" name=(name) value=(value) checked[checked];
            " " (label)
        }
    }
}

/// The message of a failed change, at the top of its form.
pub fn form_error(sub: Option<&Submitted>) -> Markup {
    html! {
        @if let Some(s) = sub {
            div.alert role="alert" {
                strong { (t("not-saved")) } (s.failure.text())
            }
        }
    }
}

/// A page shown without a filter it could not take: the complaint above it, naming the
/// filter by its label on the page (`<label for=…>`) and the value that was refused.
pub fn refused_filter(f: &Failure, value: &str, body: Markup) -> Markup {
    let field = f.field.as_deref().unwrap_or_default();
    let page = body.into_string();
    let label = page
        .split_once(&format!("for=\"{field}\">"))
        .and_then(|(_, after)| after.split_once('<'))
        .map_or(field, |(label, _)| label);
    html! {
        div.alert role="alert" {
            strong { (label) ": " }
            (tf("value-not-taken", &[("value", arg(value)), ("reason", arg(f.message_without_field()))]))
        }
        (maud::PreEscaped(page))
    }
}

pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token); }
}

/// A one-button form (delete, toggle, act as…).
pub fn button_form(
    action: &str,
    token: &str,
    label: &str,
    class: &str,
    hidden: &[(&str, &str)],
) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(token))
            @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
            button.(class) type="submit" { (label) }
        }
    }
}

pub fn table(headers: &[&str], rows: Vec<Markup>, empty: &str) -> Markup {
    html! {
        @if rows.is_empty() {
            p.empty { (empty) }
        } @else {
            div.table-wrap {
                table {
                    // A column of buttons has no title on screen; a screen reader still names it.
                    thead { tr { @for h in headers { th scope="col" {
                        @if h.is_empty() { span.sr-only { (t("actions")) } } @else { (h) }
                    } } } }
                    tbody { @for r in rows { (r) } }
                }
            }
        }
    }
}

/// "Next page" for keyset pagination; `base` already carries the filters.
pub fn pager(base: &str, next: Option<&str>) -> Markup {
    html! {
        nav.pager aria-label=(t("pages")) {
            @if base.contains("cursor=") || next.is_some() {
                a href=(strip_cursor(base)) { (t("first-page")) }
            }
            @if let Some(n) = next {
                @let sep = if strip_cursor(base).contains('?') { "&" } else { "?" };
                a rel="next" href={ (strip_cursor(base)) (sep) "cursor=" (super::client::enc(n)) } { (t("next-page")) }
            }
        }
    }
}

fn strip_cursor(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("cursor=") && !p.starts_with("notice="))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// A duration as h:mm:ss ("0:04:05"), "—" when there is none.
pub fn seconds(n: Option<f64>) -> String {
    match n {
        Some(n) if n.is_finite() && n >= 0.0 => {
            let total = n.round() as i64;
            format!("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60)
        }
        _ => "—".into(),
    }
}

const NOTICES: &[(&str, &str)] = &[
    ("saved", "saved-3"),
    ("created", "created"),
    ("deleted", "deleted"),
    ("added", "added"),
    ("removed", "removed"),
    ("paid", "payment-submitted-2"),
    ("reauth", "account-preferences-are-open-for-a"),
];

/// The whole page around a tab's content.
pub struct Shell<'a> {
    pub me: &'a Me,
    pub csrf: &'a str,
    pub layout: Option<Layout>,
    pub tab: Option<Tab>,
    pub title: &'a str,
    pub notice: Option<&'a str>,
}

pub fn page(shell: &Shell, body: Markup) -> Markup {
    let me = shell.me;
    let notice = shell
        .notice
        .and_then(|n| NOTICES.iter().find(|(k, _)| *k == n).map(|(_, id)| t(id)));
    let current = me.layouts.iter().find(|l| Some(l.layout) == shell.layout);
    let hx_headers = format!(r#"{{"X-CSRF-Token": "{}"}}"#, shell.csrf);
    html! {
        (DOCTYPE)
        html lang=(crate::i18n::current().tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (shell.title) (t("switchboard")) }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/htmx.min.js" defer {}
                script src="/assets/sse.min.js" defer {}
            }
            body hx-headers=(hx_headers) {
                a.skip href="#main" { (t("skip-to-content")) }
                @if let Some(admin) = &me.impersonated_by {
                    div.impersonating role="status" {
                        (tf("acting-as", &[("login", arg(&me.login)), ("scope", arg(scope_label(me.scope))), ("admin", arg(admin))])) " "
                        (button_form("/impersonate/end", shell.csrf, t("return-to-my-account"), "secondary", &[]))
                    }
                }
                header.top {
                    a.brand href="/" { "Switchboard" }
                    span.domain { (me.domain.name) }
                    @if me.layouts.len() > 1 {
                        nav.layouts aria-label=(t("layouts")) {
                            @for l in &me.layouts {
                                @if let Some(first) = l.tabs.first() {
                                    a href=(tab_href(l.layout, first.tab)) aria-current=[(Some(l.layout) == shell.layout).then_some("page")] { (layout_label(l.layout)) }
                                }
                            }
                        }
                    }
                    div.who {
                        span { (me.name()) " · " (me.login) " · " em.scope { (scope_label(me.scope)) } }
                        @if me.impersonated_by.is_none() {
                            a href="/profile" { (t("my-profile")) }
                            a href="/two-factor" { (t("two-factor-login")) }
                        }
                        (crate::language::form(shell.csrf))
                        form.inline method="post" action="/logout" {
                            (csrf(shell.csrf))
                            button.link type="submit" { (t("log-out")) }
                        }
                    }
                }
                @if let Some(l) = current {
                    nav.tabs aria-label=(tf("layout-tabs", &[("layout", arg(layout_label(l.layout)))])) {
                        @for item in &l.tabs {
                            a href=(tab_href(l.layout, item.tab)) aria-current=[(Some(item.tab) == shell.tab).then_some("page")] { (tab_label(item.tab)) }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (shell.title) }
                    @if let Some(n) = notice { p.notice role="status" { (n) } }
                    (body)
                }
            }
        }
    }
}

/// A page for someone not logged in (login, errors before login).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(crate::i18n::current().tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) (t("switchboard")) }
                link rel="stylesheet" href="/assets/style.css";
            }
            body.bare {
                main id="main" {
                    p.brand { "Switchboard" }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// An SVG bar chart drawn at its own size (so its text is 12 px on every screen; a narrow screen
/// scrolls it sideways): one bar per label, a labelled y axis, the value of each bar on hover,
/// and the same figures as a table for screen readers and for reading exact values.
pub fn bar_chart(title: &str, unit: &str, bars: &[(String, f64)], max_hint: Option<f64>) -> Markup {
    let (width, height, left, bottom, top) = (720.0, 240.0, 56.0, 40.0, 12.0);
    let max =
        nice_ceiling(max_hint.unwrap_or_else(|| bars.iter().map(|(_, v)| *v).fold(0.0, f64::max)));
    let n = bars.len().max(1) as f64;
    let slot = (width - left) / n;
    let bar = (slot * 0.7).max(1.0);
    // Bottom labels no closer than about 80 px apart.
    let every = ((80.0 / slot).ceil() as usize).max(1);
    let plot = height - bottom - top;
    let y = |v: f64| height - bottom - v / max * plot;
    let value = |v: f64| format!("{}{unit}", trim_number(v));
    html! {
        figure.chart {
            figcaption { (title) }
            div.plot {
                svg width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
                    @for i in 0..=4 {
                        @let v = max * f64::from(i) / 4.0;
                        line x1=(left) y1=(format!("{:.1}", y(v))) x2=(width) y2=(format!("{:.1}", y(v))) class=(if i == 0 { "axis" } else { "grid" }) {}
                        text x=(left - 6.0) y=(format!("{:.1}", y(v) + 4.0)) text-anchor="end" class="tick" { (value(v)) }
                    }
                    line x1=(left) y1=(top) x2=(left) y2=(height - bottom) class="axis" {}
                    @for (i, (label, v)) in bars.iter().enumerate() {
                        @let x = left + slot * i as f64 + (slot - bar) / 2.0;
                        rect x=(format!("{x:.1}")) y=(format!("{:.1}", y(*v))) width=(format!("{bar:.1}")) height=(format!("{:.1}", height - bottom - y(*v))) class="bar" {
                            title { (label) ": " (value(*v)) }
                        }
                        @if i % every == 0 {
                            text x=(format!("{:.1}", x + bar / 2.0)) y=(height - bottom + 18.0) text-anchor="middle" class="tick" { (label) }
                        }
                    }
                }
            }
            details {
                summary { (t("figures")) }
                table {
                    thead { tr { th scope="col" { (t("interval")) } th scope="col" { (title) } } }
                    tbody { @for (label, v) in bars { tr { td { (label) } td { (value(*v)) } } } }
                }
            }
        }
    }
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `v` (an axis's top).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|top| *top >= v)
        .unwrap_or(10.0 * power)
}

/// A figure without a useless fraction: 12, 12.5, 0.25.
fn trim_number(v: f64) -> String {
    let text = crate::i18n::decimal(v, 2);
    let text = text.trim_end_matches('0');
    text.trim_end_matches(['.', ',']).to_owned()
}
