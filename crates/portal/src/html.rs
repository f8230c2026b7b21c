//! The page shell and the small pieces every page is made of: labelled fields with their
//! errors, tables, pagination, notices. Markup is maud, compiled into the binary.

use super::client::Failure;
use super::session::{Me, MeExt};
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
            Some(&self.failure.message)
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

pub fn field_with(
    sub: Option<&Submitted>,
    name: &str,
    label: &str,
    input: Input,
    value: &str,
    required: bool,
) -> Markup {
    let id = format!("f-{}", name.replace(['.', '[', ']'], "-"));
    let value = sub.and_then(|s| s.value(name)).unwrap_or(value);
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
                strong { "Not saved. " } (s.failure.message)
            }
        }
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
                    thead { tr { @for h in headers { th scope="col" { (h) } } } }
                    tbody { @for r in rows { (r) } }
                }
            }
        }
    }
}

/// "Next page" for keyset pagination; `base` already carries the filters.
pub fn pager(base: &str, next: Option<&str>) -> Markup {
    html! {
        nav.pager aria-label="Pages" {
            @if base.contains("cursor=") || next.is_some() {
                a href=(strip_cursor(base)) { "First page" }
            }
            @if let Some(n) = next {
                @let sep = if strip_cursor(base).contains('?') { "&" } else { "?" };
                a rel="next" href={ (strip_cursor(base)) (sep) "cursor=" (super::client::enc(n)) } { "Next page →" }
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

pub fn seconds(n: Option<f64>) -> String {
    match n {
        None => "—".into(),
        Some(n) if n >= 60.0 => format!("{}m {:02}s", (n / 60.0).floor(), (n % 60.0).round()),
        Some(n) => format!("{n:.0}s"),
    }
}

const NOTICES: &[(&str, &str)] = &[
    ("saved", "Saved."),
    ("created", "Created."),
    ("deleted", "Deleted."),
    ("added", "Added."),
    ("removed", "Removed."),
    ("paid", "Payment submitted."),
    ("reauth", "Account Preferences are open for a few minutes."),
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
        .and_then(|n| NOTICES.iter().find(|(k, _)| *k == n).map(|(_, t)| *t));
    let current = me.layouts.iter().find(|l| Some(l.layout) == shell.layout);
    let hx_headers = format!(r#"{{"X-CSRF-Token": "{}"}}"#, shell.csrf);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (shell.title) " · Switchboard" }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/htmx.min.js" defer {}
            }
            body hx-headers=(hx_headers) {
                a.skip href="#main" { "Skip to content" }
                @if let Some(admin) = &me.impersonated_by {
                    div.impersonating role="status" {
                        "You are acting as " strong { (me.login) } " (" (me.scope_label) "), signed in as " (admin) ". Every change is recorded under both names. "
                        (button_form("/impersonate/end", shell.csrf, "Return to my account", "secondary", &[]))
                    }
                }
                header.top {
                    a.brand href="/" { "Switchboard" }
                    span.domain { (me.domain.name) }
                    @if me.layouts.len() > 1 {
                        nav.layouts aria-label="Layouts" {
                            @for l in &me.layouts {
                                @if let Some(first) = l.tabs.first() {
                                    a href=(tab_href(l.layout, first.tab)) aria-current=[(Some(l.layout) == shell.layout).then_some("page")] { (l.label) }
                                }
                            }
                        }
                    }
                    div.who {
                        span { (me.name()) " · " (me.login) " · " em.scope { (me.scope_label) } }
                        @if me.impersonated_by.is_none() {
                            a href="/two-factor" { "Two-factor login" }
                        }
                        form.inline method="post" action="/logout" {
                            (csrf(shell.csrf))
                            button.link type="submit" { "Log out" }
                        }
                    }
                }
                @if let Some(l) = current {
                    nav.tabs aria-label={ (l.label) " tabs" } {
                        @for t in &l.tabs {
                            a href=(tab_href(l.layout, t.tab)) aria-current=[(Some(t.tab) == shell.tab).then_some("page")] { (t.label) }
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
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Switchboard" }
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

/// A small SVG bar chart: one bar per label, values scaled to the largest.
pub fn bar_chart(title: &str, unit: &str, bars: &[(String, f64)], max_hint: Option<f64>) -> Markup {
    let width = 640.0;
    let height = 200.0;
    let left = 44.0;
    let bottom = 36.0;
    let max = max_hint
        .unwrap_or_else(|| bars.iter().map(|(_, v)| *v).fold(0.0, f64::max))
        .max(1.0);
    let n = bars.len().max(1) as f64;
    let slot = (width - left) / n;
    let bar = (slot * 0.7).max(1.0);
    let every = (bars.len() / 12).max(1);
    let desc: String = bars
        .iter()
        .map(|(l, v)| format!("{l}: {v:.0}{unit}"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        figure.chart {
            figcaption { (title) }
            svg viewBox={ "0 0 " (width) " " (height) } role="img" aria-label={ (title) ". " (desc) } xmlns="http://www.w3.org/2000/svg" {
                line x1=(left) y1="8" x2=(left) y2=(height - bottom) class="axis" {}
                line x1=(left) y1=(height - bottom) x2=(width) y2=(height - bottom) class="axis" {}
                text x=(left - 6.0) y="14" text-anchor="end" class="tick" { (format!("{max:.0}")) (unit) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" class="tick" { "0" }
                @for (i, (label, value)) in bars.iter().enumerate() {
                    @let h = (value / max) * (height - bottom - 10.0);
                    @let x = left + slot * i as f64 + (slot - bar) / 2.0;
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", height - bottom - h)) width=(format!("{bar:.1}")) height=(format!("{h:.1}")) class="bar" {
                        title { (label) ": " (format!("{value:.0}")) (unit) }
                    }
                    @if i % every == 0 {
                        text x=(format!("{:.1}", x + bar / 2.0)) y=(height - bottom + 14.0) text-anchor="middle" class="tick" { (label) }
                    }
                }
            }
        }
    }
}
