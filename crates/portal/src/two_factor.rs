//! Two-factor login in the portal: the code asked after the password, and the page where a user
//! turns it on (QR code, first code, recovery codes shown once), renews its recovery codes or
//! turns it off. Every step is the API's; changes need the password asked again, as the API
//! says.

use super::client::{self, Failure};
use super::html::{self, Input, Submitted, button_form, csrf, field_with, form_error};
use super::session::{Session, is_https, token_cookies};
use super::{
    Addr, Portal, Posted, addr, first, form_pairs, html_response, is_safe_next, refused, render,
    safe_next, to_login,
};
use crate::i18n::t;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use switchboard_api::api::auth::SecondFactorRequest;
use switchboard_api::api::two_factor::{CodeBody, RecoveryCodes, TwoFactorStatus};
use switchboard_api::endpoints;

pub const PAGE: &str = "/two-factor";
const TITLE: &str = "two-factor-login";

/// The second step of a login: the code from the authenticator app, or a recovery code.
pub fn code_form(challenge: &str, next: &str, error: Option<&str>) -> Markup {
    html::bare(
        t("enter-your-code"),
        html! {
            form.card method="post" action="/login/code" {
                input type="hidden" name="challenge" value=(challenge);
                input type="hidden" name="next" value=(next);
                @if let Some(e) = error { div.alert role="alert" { (e) } }
                div.field {
                    label for="code" { (t("code")) }
                    input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                    p.hint { (t("the-six-digits-your-authenticator-app")) }
                }
                button.primary type="submit" { (t("log-in")) }
            }
            p { a href="/login" { (t("start-again")) } }
        },
    )
}

/// `POST /login/code`: finish a login with its second factor.
pub async fn login_code(
    State(p): State<Portal>,
    headers: HeaderMap,
    a: Addr,
    body: axum::body::Bytes,
) -> Response {
    if !super::session::same_origin(&headers) {
        return refused();
    }
    let form = form_pairs(&body);
    let challenge = first(&form, "challenge").unwrap_or("").to_owned();
    let asked = first(&form, "next").unwrap_or("/");
    let next = if is_safe_next(asked) { asked } else { "/" };
    let anonymous = client::Api::new(p.api.clone(), String::new(), addr(&a));
    let request = SecondFactorRequest {
        challenge: challenge.clone(),
        code: first(&form, "code").unwrap_or("").to_owned(),
    };
    match anonymous.call(endpoints::second_factor(&request)).await {
        Ok(tokens) => {
            let mut r = Redirect::to(next).into_response();
            for c in token_cookies(&tokens, is_https(&headers)) {
                r.headers_mut().append(header::SET_COOKIE, c);
            }
            r
        }
        // The challenge is gone (expired, used): only a new login helps.
        Err(f) if f.field.as_deref() == Some("challenge") => html_response(
            f.status,
            super::login_form(next, Some(&f.text()), "", None),
            &[],
        ),
        Err(f) => html_response(f.status, code_form(&challenge, next, Some(&f.text())), &[]),
    }
}

/// The password (and the code, once two-factor login is on) asked again before a change.
pub fn reauth_form(s: &Session, next: &str, intro: &str, sub: Option<&Submitted>) -> Markup {
    html! {
        p { (intro) }
        form.card method="post" action="/reauth" {
            (csrf(&s.csrf))
            input type="hidden" name="next" value=(next);
            (form_error(sub))
            (field_with(sub, "password", t("password"), Input::Password, "", true))
            (field_with(sub, "code", t("code-from-your-authenticator-app-if"), Input::Text, "", false))
            button.primary type="submit" { (t("continue")) }
        }
    }
}

async fn status(s: &Session) -> Result<TwoFactorStatus, Failure> {
    s.api.call(endpoints::two_factor("~", "~")).await
}

fn summary(st: &TwoFactorStatus) -> Markup {
    html! {
        @if st.enrolled {
            p { strong { (t("on-2")) } (t("each-login-asks-for-the-code")) }
            p { (t("recovery-codes-left")) strong { (st.recovery_codes_left) } ". " (t("recovery-codes-hint")) }
        } @else if st.required {
            p.alert role="alert" { (t("your-organisation-requires-two-factor-login")) }
        } @else {
            p { strong { (t("off-3")) } (t("with-it-on-a-stolen-password")) }
        }
    }
}

fn page(s: &Session, body: Markup, status: StatusCode) -> Response {
    render(s, None, None, t(TITLE), None, body, status)
}

/// `GET /two-factor`.
pub async fn show(State(p): State<Portal>, headers: HeaderMap, a: Addr) -> Response {
    let Some(s) = super::session::open(&p.api, &headers, addr(&a)).await else {
        return to_login(PAGE);
    };
    let st = match status(&s).await {
        Ok(st) => st,
        Err(f) => return super::failure_page(&s, None, &f),
    };
    page(&s, overview(&s, &st), StatusCode::OK)
}

fn overview(s: &Session, st: &TwoFactorStatus) -> Markup {
    if !s.me.reauthenticated {
        return html! {
            (summary(st))
            (reauth_form(s, PAGE, t("changing-how-you-log-in-needs"), None))
        };
    }
    html! {
        (summary(st))
        @if st.enrolled {
            div.actions {
                (button_form(PAGE, &s.csrf, t("new-recovery-codes"), "secondary", &[("action", "renew")]))
                @if !st.required {
                    (button_form(PAGE, &s.csrf, t("turn-two-factor-login-off"), "danger", &[("action", "remove")]))
                }
            }
        } @else {
            (button_form(PAGE, &s.csrf, t("set-up-an-authenticator-app"), "primary", &[("action", "begin")]))
        }
    }
}

/// The QR code and key to add to the app, then the first code back. Shown again after a wrong
/// code without the QR code (the app has the account already); starting over makes a new one.
fn enrolment(s: &Session, shown: Option<(&str, &str)>, sub: Option<&Submitted>) -> Markup {
    html! {
        @if let Some((qr, secret)) = shown {
            ol {
                li { (t("open-your-authenticator-app-and-add")) }
                li { (t("enter-the-six-digits-it-shows")) }
            }
            figure.qr role="img" aria-label=(t("qr-code-for-your-authenticator-app")) {
                (PreEscaped(qr))
            }
            p { (t("cannot-scan-it-enter-this-key")) code.secret { (secret) } }
        }
        form.card method="post" action=(PAGE) {
            (csrf(&s.csrf))
            input type="hidden" name="action" value="confirm";
            (form_error(sub))
            (field_with(sub, "code", t("code-from-the-app"), Input::Text, "", true))
            button.primary type="submit" { (t("turn-on")) }
        }
        @if shown.is_none() {
            (button_form(PAGE, &s.csrf, t("start-over-with-a-new-qr"), "secondary", &[("action", "begin")]))
        }
    }
}

fn recovery_codes(codes: &RecoveryCodes) -> Markup {
    html! {
        p.notice role="status" { (t("two-factor-login-is-on")) }
        h2 { (t("your-recovery-codes")) }
        p { (t("each-works-once-in-place-of")) }
        ul.codes { @for c in &codes.recovery_codes { li { code { (c) } } } }
        p { a href="/" { (t("continue-to-your-start-page")) } }
    }
}

/// `POST /two-factor`: begin, confirm, renew codes, remove.
pub async fn act(Posted { s, form, .. }: Posted) -> Response {
    let api = &s.api;
    let outcome = match first(&form, "action").unwrap_or("") {
        "begin" => match api.call(endpoints::begin_two_factor("~", "~")).await {
            Ok(e) => Ok(enrolment(&s, Some((&e.qr_svg, &e.secret)), None)),
            Err(f) => Err(f),
        },
        "confirm" => {
            let body = CodeBody {
                code: first(&form, "code").unwrap_or("").to_owned(),
            };
            match api
                .call(endpoints::confirm_two_factor("~", "~", &body))
                .await
            {
                Ok(codes) => Ok(recovery_codes(&codes)),
                Err(f) if f.status == StatusCode::UNPROCESSABLE_ENTITY => {
                    let sub = Submitted::new(form.clone(), f);
                    return page(&s, enrolment(&s, None, Some(&sub)), sub.failure.status);
                }
                Err(f) => Err(f),
            }
        }
        "renew" => match api.call(endpoints::renew_recovery_codes("~", "~")).await {
            Ok(codes) => Ok(recovery_codes(&codes)),
            Err(f) => Err(f),
        },
        "remove" => match api.call(endpoints::remove_two_factor("~", "~")).await {
            Ok(()) => return Redirect::to(PAGE).into_response(),
            Err(f) => Err(f),
        },
        _ => Err(Failure::invalid("action", t("choose-what-to-do-on-the"))),
    };
    match outcome {
        Ok(body) => page(&s, body, StatusCode::OK),
        Err(f) if f.status == StatusCode::UNAUTHORIZED => to_login(PAGE),
        Err(f) => {
            let st = status(&s).await.ok();
            let body = html! {
                div.alert role="alert" { strong { (t("not-done")) } (f.text()) }
                @if let Some(st) = &st { (overview(&s, st)) }
            };
            page(&s, body, f.status)
        }
    }
}

/// Where the reauth form sends a visitor back to, and what it said there.
pub fn reauth_intro(next: &str) -> &'static str {
    if safe_next(next).starts_with(PAGE) {
        t("changing-how-you-log-in-needs")
    } else {
        t("account-preferences-hold-billing-and-emergency")
    }
}
