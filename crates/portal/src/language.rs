//! Choosing the language of a request, and the switcher that changes it.
//!
//! Before a session is known, the `sb_lang` cookie (set by the switcher) decides, else the
//! browser's `Accept-Language`. Once `/me` is read, the user's own setting wins (`session::open`).
//! The switcher on the login page only sets the cookie; the one in the header also saves the
//! choice as the user's language, so it follows them to every browser.

use super::i18n::{self, LANG_COOKIE, Lang};
use super::session::{cookie, is_https};
use super::{Posted, first, here, safe_next};
use axum::extract::{RawQuery, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use switchboard_api::api::users::UserPatch;
use switchboard_api::endpoints;

pub const PAGE: &str = "/language";

/// The language a request starts in.
pub fn of_request(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::EnUs)
}

/// Every portal request runs in its language; pages say which language they are in.
pub async fn layer(req: Request, next: Next) -> Response {
    let lang = of_request(req.headers());
    let mut response = i18n::scope(lang, async move {
        let mut response = next.run(req).await;
        // The language actually rendered (the user's setting may have changed it).
        if let Ok(v) = HeaderValue::from_str(i18n::current().tag()) {
            response.headers_mut().insert(header::CONTENT_LANGUAGE, v);
        }
        response
    })
    .await;
    response.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
    response
}

fn lang_cookie(lang: Lang, secure: bool) -> HeaderValue {
    // Kept a year: a choice of language outlives sessions.
    super::session::set_cookie(LANG_COOKIE, lang.tag(), 365 * 24 * 3600, secure)
}

/// Let this browser keep `language` (a tag; nothing for none or an unknown one) for the pages
/// it sees without a session.
pub fn remember(response: &mut Response, language: Option<&str>, headers: &HeaderMap) {
    if let Some(lang) = language.and_then(Lang::parse) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, lang_cookie(lang, is_https(headers)));
    }
}

/// `GET /language?set=fr-CA&next=/login`: the login page's switcher (no session to save it in).
pub async fn choose(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let pairs = super::query_pairs(&q);
    let next = safe_next(first(&pairs, "next").unwrap_or("/login")).to_owned();
    let mut response = Redirect::to(&next).into_response();
    remember(&mut response, first(&pairs, "set"), &headers);
    response
}

/// `POST /language` from the header: saves the language as the user's own, then goes back.
pub async fn save(Posted { s, form, headers }: Posted) -> Response {
    let next = safe_next(back_to(&headers)).to_owned();
    let Some(lang) = first(&form, "language").and_then(Lang::parse) else {
        return Redirect::to(&next).into_response();
    };
    let patch = UserPatch {
        language: Some(Some(lang.tag().to_owned())),
        ..UserPatch::default()
    };
    // A user who may not change its own profile (acting as someone, a read-only key) still
    // gets the language for this browser.
    let _ = s.api.call(endpoints::update_user("~", "~", &patch)).await;
    let mut response = Redirect::to(&next).into_response();
    remember(&mut response, Some(lang.tag()), &headers);
    for c in &s.cookies {
        response.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    response
}

/// The switcher for a page without a session: a link to each other language.
pub fn links(path: &str, query: &Option<String>) -> Markup {
    let back = super::client::enc(&here(path, query));
    html! {
        nav.languages aria-label=(i18n::t("language")) {
            @for lang in Lang::ALL.into_iter().filter(|l| *l != i18n::current()) {
                a href={ (PAGE) "?set=" (lang.tag()) "&next=" (back) } lang=(lang.tag()) hreflang=(lang.tag()) { (lang.own_name()) }
            }
        }
    }
}

/// The page the header's switcher was used on: the path of the `Referer` (same site only).
fn back_to(headers: &HeaderMap) -> &str {
    let Some(referer) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) else {
        return "/";
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    referer
        .split_once("://")
        .and_then(|(_, rest)| rest.strip_prefix(host))
        .filter(|path| !host.is_empty() && path.starts_with('/'))
        .unwrap_or("/")
}

/// The switcher in the header: a small form that saves the choice.
pub fn form(csrf: &str) -> Markup {
    html! {
        form.inline.languages method="post" action=(PAGE) {
            (super::html::csrf(csrf))
            @for lang in Lang::ALL.into_iter().filter(|l| *l != i18n::current()) {
                button.link type="submit" name="language" value=(lang.tag()) lang=(lang.tag()) { (lang.own_name()) }
            }
        }
    }
}
