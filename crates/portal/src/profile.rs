//! My profile: the signed-in user's own name, email, language and time zone, and its password.
//! Reached from the header on every page, whatever the scope's layouts.

use super::client::Failure;
use super::html::{Input, Submitted, csrf, field, form_error};
use super::session::Session;
use super::{Addr, Portal, Posted, addr, first, render, to_login};
use crate::i18n::{arg, t, tf};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use switchboard_api::api::users::{PasswordBody, UserPatch};
use switchboard_api::endpoints;

pub const PAGE: &str = "/profile";
const TITLE: &str = "my-profile";

/// The languages the portals of the source platform are offered in, each in its own words.
const LANGUAGES: [(&str, &str); 2] = [
    ("en-US", "English (United States)"),
    ("fr-CA", "Français (Canada)"),
];

/// `GET /profile`.
pub async fn show(
    State(p): State<Portal>,
    headers: HeaderMap,
    a: Addr,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some(s) = super::session::open(&p.api, &headers, addr(&a)).await else {
        return to_login(PAGE);
    };
    let notice = q.as_deref().and_then(|q| q.strip_prefix("notice="));
    let notice = match notice {
        Some("saved") => Some("saved"),
        _ => None,
    };
    page(&s, notice, None, None)
}

fn page(
    s: &Session,
    notice: Option<&str>,
    details: Option<&Submitted>,
    password: Option<&Submitted>,
) -> Response {
    let status = details
        .or(password)
        .map_or(StatusCode::OK, |sub| sub.failure.status);
    render(
        s,
        None,
        None,
        t(TITLE),
        notice,
        body(s, details, password),
        status,
    )
}

fn body(s: &Session, details: Option<&Submitted>, password: Option<&Submitted>) -> Markup {
    let user = &s.me.user;
    let zones: Vec<(String, String)> = std::iter::once((
        String::new(),
        tf("organisation-zone", &[("zone", arg(&s.me.domain.timezone))]),
    ))
    .chain(
        time_zones()
            .into_iter()
            .map(|z| (z.clone(), z.replace('_', " "))),
    )
    .collect();
    let languages: Vec<(String, String)> = std::iter::once(("", t("the-browsers")))
        .chain(LANGUAGES)
        .map(|(v, l)| (v.to_owned(), l.to_owned()))
        .collect();
    let own = |v: &Option<String>| v.clone().unwrap_or_default();
    html! {
        p { (t("extension-2")) strong { (user.extension) } " · " (s.me.login) (t("times-shown-on-the")) (s.me.timezone) (t("clock-2")) }
        form.card method="post" action=(PAGE) {
            h2 { (t("your-details")) }
            (csrf(&s.csrf))
            input type="hidden" name="action" value="details";
            (form_error(details))
            (field(details, "first_name", t("first-name"), Input::Text, user.first_name.as_str()))
            (field(details, "last_name", t("last-name"), Input::Text, user.last_name.as_str()))
            (field(details, "email", t("email"), Input::Email, &user.email.as_ref().map(ToString::to_string).unwrap_or_default()))
            (field(details, "language", t("language"), Input::Select(&languages), &own(&user.language)))
            (field(details, "timezone", t("time-zone"), Input::Select(&zones), &user.timezone.as_ref().map(ToString::to_string).unwrap_or_default()))
            button.primary type="submit" { (t("save")) }
        }
        form.card method="post" action=(PAGE) {
            h2 { (t("password")) }
            (csrf(&s.csrf))
            input type="hidden" name="action" value="password";
            (form_error(password))
            (field(password, "current_password", t("current-password"), Input::Password, ""))
            (field(password, "password", t("new-password-at-least-10-characters"), Input::Password, ""))
            (field(password, "repeat", t("new-password-again"), Input::Password, ""))
            button.primary type="submit" { (t("change-password")) }
        }
    }
}

/// Every zone of the time-zone database, by name.
fn time_zones() -> Vec<String> {
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.to_string())
        .filter(|name| name.contains('/') && !name.starts_with("Etc/"))
        .collect();
    zones.sort();
    zones
}

/// `POST /profile`: the details, or the password.
pub async fn act(Posted { s, form, headers }: Posted) -> Response {
    let value = |k: &str| first(&form, k).unwrap_or("").trim().to_owned();
    let optional = |k: &str| Some(Some(value(k)).filter(|v| !v.is_empty()));
    let outcome = match first(&form, "action").unwrap_or("") {
        "details" => {
            let patch = UserPatch {
                first_name: Some(value("first_name")),
                last_name: Some(value("last_name")),
                email: optional("email"),
                language: optional("language"),
                timezone: optional("timezone"),
                ..UserPatch::default()
            };
            s.api
                .call(endpoints::update_user("~", "~", &patch))
                .await
                .map(|_| "saved")
                .map_err(|f| (f, true))
        }
        "password" => {
            let new = first(&form, "password").unwrap_or("");
            if new != first(&form, "repeat").unwrap_or("") {
                Err((
                    Failure::invalid("repeat", t("the-two-new-passwords-differ")),
                    false,
                ))
            } else {
                let body = PasswordBody {
                    password: new.to_owned(),
                    current_password: Some(
                        first(&form, "current_password").unwrap_or("").to_owned(),
                    ),
                };
                s.api
                    .call(endpoints::set_password("~", "~", &body))
                    .await
                    .map(|()| "password")
                    .map_err(|f| (f, false))
            }
        }
        _ => Err((
            Failure::invalid("action", t("choose-what-to-do-on-the")),
            true,
        )),
    };
    // This browser keeps the user's language for pages without a session (the login page).
    let language = match outcome {
        Ok("saved") => first(&form, "language"),
        _ => s.me.user.language.as_deref(),
    };
    let remember = |mut response: Response| {
        super::language::remember(&mut response, language, &headers);
        response
    };
    match outcome {
        // A changed password has ended every session of the user, this one too.
        Ok("password") => {
            remember(Redirect::to(&format!("/login?password=changed&next={PAGE}")).into_response())
        }
        Ok(notice) => remember(Redirect::to(&format!("{PAGE}?notice={notice}")).into_response()),
        Err((f, _)) if f.status == StatusCode::UNAUTHORIZED => to_login(PAGE),
        Err((f, details)) => {
            let sub = Submitted::new(form.clone(), f);
            if details {
                page(&s, None, Some(&sub), None)
            } else {
                page(&s, None, None, Some(&sub))
            }
        }
    }
}
