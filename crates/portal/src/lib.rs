//! The web portal: server-rendered pages (maud, compiled into the binary) with htmx, every asset
//! embedded. Each page reads and writes through the REST API in-process with the session's own
//! token (`client.rs`), so the portal decides no access itself: a page out of the user's reach is
//! the API's 404, shown as the same "no such page" a mistyped address gets.
//!
//! Addresses follow the policy's layouts and tabs: `/{layout}/{tab}[/{item}[/{action}]]`, e.g.
//! `/manage-organization/users/105`. A tab the user's scope lacks, or its domain hides, is 404.

mod client;
mod form;
mod html;
mod i18n;
mod language;
mod live;
mod pages;
mod profile;
mod session;
mod two_factor;

use axum::Router;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use client::Failure;
use html::Submitted;
use i18n::t;
use maud::{Markup, html};
use session::{
    ADMIN_COOKIE, ADMIN_REFRESH_COOKIE, MeExt, REFRESH_COOKIE, SESSION_COOKIE, Session,
    clear_cookie, cookie, is_https, set_cookie, token_cookies,
};
use std::net::SocketAddr;
use switchboard_api::AppState;
use switchboard_api::api::auth::{ImpersonateRequest, LoginAnswer, ReauthRequest, TokenRequest};
use switchboard_api::endpoints;
use switchboard_policy::{Layout, Tab};

#[derive(Clone)]
struct Portal {
    api: Router,
    /// For the live views: what changed (an agent's availability, a queue), as the switch
    /// connectors hear it.
    state: AppState,
}

const HTMX: &str = include_str!("../assets/htmx-2.0.11.min.js");
/// htmx's server-sent events extension (htmx-ext-sse 2.2.4, BSD Zero Clause).
const HTMX_SSE: &str = include_str!("../assets/htmx-ext-sse-2.2.4.min.js");
const STYLE: &str = include_str!("../assets/style.css");

/// The portal's routes; `api` is the REST API router the pages talk to.
pub fn router(api: Router, state: &AppState) -> Router<AppState> {
    let portal = Portal {
        api,
        state: state.clone(),
    };
    Router::new()
        .route("/", get(root))
        .route("/login", get(login_page).post(login_submit))
        .route("/login/code", post(two_factor::login_code))
        .route("/two-factor", get(two_factor::show).post(two_factor::act))
        .route(profile::PAGE, get(profile::show).post(profile::act))
        .route(language::PAGE, get(language::choose).post(language::save))
        .route("/logout", post(logout))
        .route("/reauth", post(reauth))
        .route("/impersonate", post(impersonate))
        .route("/impersonate/end", post(end_impersonation))
        .route("/assets/{file}", get(asset))
        .route("/{layout}/{tab}", get(tab_get).post(tab_post))
        .route("/{layout}/{tab}/live", get(live::stream))
        .route(
            "/{layout}/{tab}/upload",
            post(upload_post).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BYTES)),
        )
        .route("/{layout}/{tab}/{*rest}", get(item_get).post(item_post))
        .with_state(portal)
        .layer(axum::middleware::from_fn(language::layer))
}

type Addr = axum::http::Extensions;

fn addr(a: &Addr) -> Option<SocketAddr> {
    a.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| *a)
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "sse.min.js" => (HTMX_SSE, "text/javascript; charset=utf-8"),
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        _ => return not_found_bare(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

fn html_response(status: StatusCode, markup: Markup, cookies: &[HeaderValue]) -> Response {
    let mut response = (status, axum::response::Html(markup.into_string())).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        headers.append(header::SET_COOKIE, c.clone());
    }
    response
}

fn not_found_bare() -> Response {
    html_response(
        StatusCode::NOT_FOUND,
        html::bare(
            t("no-such-page"),
            html! { p { (t("there-is-no-such-page-2")) a href="/" { (t("go-to-your-start-page")) } } },
        ),
        &[],
    )
}

/// Send someone without a session to the login page, and back here after it.
fn to_login(here: &str) -> Response {
    let next = if here.starts_with('/') && !here.starts_with("//") {
        here
    } else {
        "/"
    };
    let mut response = Redirect::to(&format!("/login?next={}", client::enc(next))).into_response();
    for c in [SESSION_COOKIE, REFRESH_COOKIE] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear_cookie(c));
    }
    response
}

fn here(path: &str, query: &Option<String>) -> String {
    match query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

fn query_pairs(query: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Where a scope lands: the first tab of its landing layout.
async fn root(State(p): State<Portal>, headers: HeaderMap, a: Addr) -> Response {
    let Some(s) = session::open(&p.api, &headers, addr(&a)).await else {
        return Redirect::to("/login").into_response();
    };
    let me = &s.me;
    if me.two_factor_due {
        return Redirect::to(two_factor::PAGE).into_response();
    }
    let target = me
        .landing_layout
        .and_then(|l| me.layouts.iter().find(|x| x.layout == l))
        .and_then(|l| l.tabs.first().map(|t| html::tab_href(l.layout, t.tab)));
    match target {
        Some(t) => {
            let mut r = Redirect::to(&t).into_response();
            for c in &s.cookies {
                r.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            r
        }
        None => to_login("/"),
    }
}

fn login_form(next: &str, error: Option<&str>, username: &str, notice: Option<&str>) -> Markup {
    html::bare(
        t("log-in"),
        html! {
            (language::links("/login", &Some(format!("next={}", client::enc(next)))))
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            form.card method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                @if let Some(e) = error { div.alert role="alert" { (e) } }
                div.field {
                    label for="username" { (t("login")) }
                    input id="username" name="username" type="text" autocomplete="username" placeholder="101@acme.example" value=(username) required autofocus;
                    p.hint { (t("your-extension-and-your-organisations-domain")) }
                }
                div.field {
                    label for="password" { (t("password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                button.primary type="submit" { (t("log-in")) }
            }
        },
    )
}

async fn login_page(RawQuery(q): RawQuery) -> Response {
    let pairs = query_pairs(&q);
    let next = safe_next(first(&pairs, "next").unwrap_or("/"));
    // A changed password ends every session of its user, this one too.
    let notice = (first(&pairs, "password") == Some("changed"))
        .then_some(t("your-password-is-changed-and-every"));
    html_response(StatusCode::OK, login_form(next, None, "", notice), &[])
}

/// A page of this portal to go to after logging in: a path on this site. Browsers skip tabs
/// and line breaks in addresses and read `\` as `/`, so `/\t/evil.example` is another site:
/// such characters anywhere make it not one.
fn is_safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

fn safe_next(next: &str) -> &str {
    if is_safe_next(next) { next } else { "/" }
}

async fn login_submit(
    State(p): State<Portal>,
    headers: HeaderMap,
    a: Addr,
    body: axum::body::Bytes,
) -> Response {
    if !session::same_origin(&headers) {
        return refused();
    }
    let form = form_pairs(&body);
    let username = first(&form, "username").unwrap_or("").trim();
    let password = first(&form, "password").unwrap_or("");
    let asked = first(&form, "next").unwrap_or("/");
    if !is_safe_next(asked) {
        // Refused before the password is checked: no session comes of it.
        let message = t("this-login-link-leads-off-this");
        return html_response(
            StatusCode::BAD_REQUEST,
            login_form("/", Some(message), username, None),
            &[],
        );
    }
    let next = asked.to_owned();
    let anonymous = client::Api::new(p.api.clone(), String::new(), addr(&a));
    let request = TokenRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    match anonymous.call(endpoints::log_in(&request)).await {
        Ok(LoginAnswer::SecondFactor(challenge)) => html_response(
            StatusCode::OK,
            two_factor::code_form(&challenge.challenge, &next, None),
            &[],
        ),
        Ok(LoginAnswer::Tokens(tokens)) => {
            let mut r = Redirect::to(&next).into_response();
            for c in token_cookies(&tokens, is_https(&headers)) {
                r.headers_mut().append(header::SET_COOKIE, c);
            }
            r
        }
        Err(f) => {
            let message = match f.status {
                StatusCode::UNAUTHORIZED => t("wrong-login-or-password").to_owned(),
                _ => f.text(),
            };
            html_response(
                f.status,
                login_form(&next, Some(&message), username, None),
                &[],
            )
        }
    }
}

fn refused() -> Response {
    html_response(
        StatusCode::FORBIDDEN,
        html::bare(
            t("request-refused"),
            html! { p { (t("this-form-did-not-come-from-2")) a href="/" { (t("go-to-your-start-page")) } } },
        ),
        &[],
    )
}

/// A POST from a logged-in user, checked (session, same origin, CSRF token), with its form.
/// Refused, it answers what to do instead (log in, or a 403 page).
pub(crate) struct Posted {
    pub s: Session,
    pub form: Vec<(String, String)>,
    pub headers: HeaderMap,
}

impl axum::extract::FromRequest<Portal> for Posted {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, p: &Portal) -> Result<Self, Response> {
        // The same limit as axum's own `Bytes` extractor.
        const LIMIT: usize = 2 * 1024 * 1024;
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, LIMIT)
            .await
            .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
        let form = form_pairs(&body);
        let s = change_session(p, &parts.headers, &parts.extensions, &form).await?;
        Ok(Posted {
            s,
            form,
            headers: parts.headers,
        })
    }
}

/// A POST from a logged-in user: session, same origin, CSRF token.
async fn change_session(
    p: &Portal,
    headers: &HeaderMap,
    a: &Addr,
    form: &[(String, String)],
) -> Result<Session, Response> {
    let Some(s) = session::open(&p.api, headers, addr(a)).await else {
        return Err(to_login("/"));
    };
    session::check_change(headers, &s, first(form, "_csrf")).map_err(|_| refused())?;
    Ok(s)
}

async fn logout(Posted { s, .. }: Posted) -> Response {
    // Ending the session server-side makes the cookie worthless even if it was copied.
    let _ = s.api.call(endpoints::log_out()).await;
    let mut r = Redirect::to("/login").into_response();
    for c in [
        SESSION_COOKIE,
        REFRESH_COOKIE,
        ADMIN_COOKIE,
        ADMIN_REFRESH_COOKIE,
    ] {
        r.headers_mut().append(header::SET_COOKIE, clear_cookie(c));
    }
    r
}

async fn reauth(Posted { s, form, .. }: Posted) -> Response {
    let next = safe_next(first(&form, "next").unwrap_or("/")).to_owned();
    let code = first(&form, "code").unwrap_or("").trim();
    let body = ReauthRequest {
        password: first(&form, "password").unwrap_or("").to_owned(),
        code: (!code.is_empty()).then(|| code.to_owned()),
    };
    match s.api.call(endpoints::reauthenticate(&body)).await {
        Ok(_) => Redirect::to(&next).into_response(),
        Err(f) => {
            let layout = Layout::AccountPreferences;
            let tab =
                s.me.layouts
                    .iter()
                    .find(|l| l.layout == layout)
                    .and_then(|l| l.tabs.first())
                    .map(|t| t.tab)
                    .unwrap_or(Tab::Invoices);
            let sub = Submitted::new(form.clone(), f);
            let intro = two_factor::reauth_intro(&next);
            let body = two_factor::reauth_form(&s, &next, intro, Some(&sub));
            if next.starts_with(two_factor::PAGE) {
                return render(
                    &s,
                    None,
                    None,
                    t("two-factor-login"),
                    None,
                    body,
                    sub.failure.status,
                );
            }
            render(
                &s,
                Some(layout),
                Some(tab),
                t("account-preferences"),
                None,
                body,
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

async fn impersonate(Posted { s, form, headers }: Posted) -> Response {
    let who = first(&form, "user").unwrap_or("").trim();
    // From a domain's row an extension alone names the user: the domain comes with it.
    let who = match first(&form, "domain") {
        Some(domain) if !who.contains('@') => format!("{who}@{domain}"),
        _ => who.to_owned(),
    };
    let back = safe_next(first(&form, "back").unwrap_or("/")).to_owned();
    let body = ImpersonateRequest { user: who };
    match s.api.call(endpoints::impersonate(&body)).await {
        Ok(tokens) => {
            let secure = is_https(&headers);
            let mut r = Redirect::to("/").into_response();
            let h = r.headers_mut();
            // Keep the administrator's own session to come back to.
            for (name, from) in [
                (ADMIN_COOKIE, SESSION_COOKIE),
                (ADMIN_REFRESH_COOKIE, REFRESH_COOKIE),
            ] {
                if let Some(v) = cookie(&headers, from) {
                    h.append(
                        header::SET_COOKIE,
                        set_cookie(name, v, tokens.refresh_expires_in, secure),
                    );
                }
            }
            for c in token_cookies(&tokens, secure) {
                h.append(header::SET_COOKIE, c);
            }
            r
        }
        Err(f) => html_response(
            f.status,
            html::bare(
                t("cannot-act-as-this-user"),
                html! { p { (f.text()) } p { a href=(back) { (t("back")) } } },
            ),
            &[],
        ),
    }
}

async fn end_impersonation(Posted { s, headers, .. }: Posted) -> Response {
    let _ = s.api.call(endpoints::log_out()).await;
    let secure = is_https(&headers);
    let mut r = Redirect::to("/").into_response();
    let h = r.headers_mut();
    for (from, to) in [
        (ADMIN_COOKIE, SESSION_COOKIE),
        (ADMIN_REFRESH_COOKIE, REFRESH_COOKIE),
    ] {
        match cookie(&headers, from) {
            Some(v) => h.append(
                header::SET_COOKIE,
                set_cookie(to, v, 30 * 24 * 3600, secure),
            ),
            None => h.append(header::SET_COOKIE, clear_cookie(to)),
        };
        h.append(header::SET_COOKIE, clear_cookie(from));
    }
    r
}

/// A tab page as the user asked for it.
pub(crate) struct Ctx {
    pub s: Session,
    pub layout: Layout,
    pub tab: Tab,
    /// What follows the tab in the address (an item, an action).
    pub rest: Vec<String>,
    pub query: Vec<(String, String)>,
    /// This page's address with its query.
    pub url: String,
    /// The file a form sent (`multipart/form-data`, to `…/upload`).
    pub upload: Option<Upload>,
}

/// A file sent with a form.
pub(crate) struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The largest file a form may send: the API's own limit for recordings.
const UPLOAD_BYTES: usize = 64 * 1024 * 1024;

impl Ctx {
    pub fn q(&self, key: &str) -> &str {
        first(&self.query, key).unwrap_or("")
    }
    pub fn base(&self) -> String {
        html::tab_href(self.layout, self.tab)
    }
    pub fn api(&self) -> &client::Api {
        &self.s.api
    }
}

/// The shell around a tab's content.
fn render(
    s: &Session,
    layout: Option<Layout>,
    tab: Option<Tab>,
    title: &str,
    notice: Option<&str>,
    body: Markup,
    status: StatusCode,
) -> Response {
    let shell = html::Shell {
        me: &s.me,
        csrf: &s.csrf,
        layout,
        tab,
        title,
        notice,
    };
    html_response(status, html::page(&shell, body), &s.cookies)
}

/// A failure as a page; inside a tab (`at`) it keeps the tab bar, so the way on is at hand.
fn failure_page(s: &Session, at: Option<(Layout, Tab)>, f: &Failure) -> Response {
    let (layout, tab) = (at.map(|(l, _)| l), at.map(|(_, t)| t));
    match f.status {
        StatusCode::UNAUTHORIZED => to_login("/"),
        StatusCode::NOT_FOUND => render(
            s,
            layout,
            tab,
            t("no-such-page"),
            None,
            html! { p { (t("there-is-no-such-page-or")) a href="/" { (t("go-to-your-start-page")) } } },
            StatusCode::NOT_FOUND,
        ),
        status => render(
            s,
            layout,
            tab,
            t("not-possible"),
            None,
            html! { p { (f.text()) } p { a href="/" { (t("go-to-your-start-page")) } } },
            status,
        ),
    }
}

/// Resolve the session and the tab; `Err` is the answer to give instead.
async fn enter(
    p: &Portal,
    headers: &HeaderMap,
    a: &Addr,
    layout: &str,
    tab: &str,
    rest: Option<String>,
    query: &Option<String>,
) -> Result<Ctx, Response> {
    let path = match &rest {
        Some(r) => format!("/{layout}/{tab}/{r}"),
        None => format!("/{layout}/{tab}"),
    };
    let url = here(&path, query);
    if layout == "api" {
        // An unknown API address is the API's JSON 404, not a portal page.
        return Err(switchboard_api::no_route().await.into_response());
    }
    let (Some(l), Some(t)) = (Layout::parse(layout), Tab::parse(tab)) else {
        return Err(not_found_bare());
    };
    let Some(s) = session::open(&p.api, headers, addr(a)).await else {
        return Err(to_login(&url));
    };
    if s.me.two_factor_due {
        return Err(Redirect::to(two_factor::PAGE).into_response());
    }
    if !s.me.has_tab(l, t) {
        return Err(failure_page(&s, None, &Failure::not_found()));
    }
    Ok(Ctx {
        s,
        layout: l,
        tab: t,
        rest: rest
            .map(|r| {
                r.split('/')
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        query: query_pairs(query),
        url,
        upload: None,
    })
}

async fn show(ctx: Ctx, sub: Option<Submitted>) -> Response {
    if ctx.layout == Layout::AccountPreferences && !ctx.s.me.reauthenticated {
        let intro = two_factor::reauth_intro(&ctx.url);
        let body = two_factor::reauth_form(&ctx.s, &ctx.url, intro, None);
        return render(
            &ctx.s,
            Some(ctx.layout),
            Some(ctx.tab),
            t("account-preferences"),
            None,
            body,
            StatusCode::OK,
        );
    }
    let status = sub.as_ref().map_or(StatusCode::OK, |s| s.failure.status);
    let mut ctx = ctx;
    let mut refused: Option<(Failure, String)> = None;
    let mut shown = pages::view(&ctx, sub.as_ref()).await;
    // A filter the page cannot take (a mistyped day, say): the page without it, the complaint
    // named above it, instead of an error page.
    if let Err(f) = &shown
        && f.status == StatusCode::UNPROCESSABLE_ENTITY
        && let Some(field) = f.field.clone()
        && let Some(value) = first(&ctx.query, &field).map(str::to_owned)
    {
        refused = Some((f.clone(), value));
        ctx.query.retain(|(k, _)| *k != field);
        shown = pages::view(&ctx, sub.as_ref()).await;
    }
    match shown {
        Ok(pages::View::Page(title, body)) => {
            let notice = first(&ctx.query, "notice");
            let (body, status) = match refused {
                Some((f, value)) => (html::refused_filter(&f, &value, body), f.status),
                None => (body, status),
            };
            render(
                &ctx.s,
                Some(ctx.layout),
                Some(ctx.tab),
                &title,
                notice,
                body,
                status,
            )
        }
        Ok(pages::View::File(response)) => response,
        Err(f) => failure_page(&ctx.s, Some((ctx.layout, ctx.tab)), &f),
    }
}

async fn tab_get(
    State(p): State<Portal>,
    Path((layout, tab)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    a: Addr,
) -> Response {
    match enter(&p, &headers, &a, &layout, &tab, None, &q).await {
        Ok(ctx) => show(ctx, None).await,
        Err(r) => r,
    }
}

async fn item_get(
    State(p): State<Portal>,
    Path((layout, tab, rest)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    a: Addr,
) -> Response {
    match enter(&p, &headers, &a, &layout, &tab, Some(rest), &q).await {
        Ok(ctx) => show(ctx, None).await,
        Err(r) => r,
    }
}

#[allow(clippy::too_many_arguments)] // the extractors of two routes, passed on
async fn change(
    p: Portal,
    layout: String,
    tab: String,
    rest: Option<String>,
    q: Option<String>,
    headers: HeaderMap,
    a: Addr,
    body: axum::body::Bytes,
) -> Response {
    let ctx = match enter(&p, &headers, &a, &layout, &tab, rest, &q).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let mut ctx = ctx;
    let form = match multipart_boundary(&headers) {
        Some(boundary) => match read_multipart(body, boundary).await {
            Ok((form, upload)) => {
                ctx.upload = upload;
                form
            }
            Err(f) => return failure_page(&ctx.s, Some((ctx.layout, ctx.tab)), &f),
        },
        None => form_pairs(&body),
    };
    if session::check_change(&headers, &ctx.s, first(&form, "_csrf")).is_err() {
        return refused();
    }
    if ctx.layout == Layout::AccountPreferences && !ctx.s.me.reauthenticated {
        return show(ctx, None).await;
    }
    match pages::act(&ctx, &form).await {
        Ok(pages::Next::Go(to)) => {
            let mut r = Redirect::to(&to).into_response();
            for c in &ctx.s.cookies {
                r.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            r
        }
        Ok(pages::Next::Show(pages::View::Page(title, body))) => render(
            &ctx.s,
            Some(ctx.layout),
            Some(ctx.tab),
            &title,
            None,
            body,
            StatusCode::OK,
        ),
        Ok(pages::Next::Show(pages::View::File(response))) => response,
        Err(f) if f.is_form_error() => show(ctx, Some(Submitted::new(form, f))).await,
        Err(f) => failure_page(&ctx.s, Some((ctx.layout, ctx.tab)), &f),
    }
}

async fn tab_post(
    State(p): State<Portal>,
    Path((layout, tab)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    a: Addr,
    body: axum::body::Bytes,
) -> Response {
    change(p, layout, tab, None, q, headers, a, body).await
}

async fn upload_post(
    State(p): State<Portal>,
    Path((layout, tab)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    a: Addr,
    body: axum::body::Bytes,
) -> Response {
    change(p, layout, tab, Some("upload".into()), q, headers, a, body).await
}

/// The boundary of a `multipart/form-data` body, if it is one.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let kind = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(kind).ok()
}

/// A multipart form: its text fields as pairs, and its file (the field named `file`).
async fn read_multipart(
    body: axum::body::Bytes,
    boundary: String,
) -> Result<(Vec<(String, String)>, Option<Upload>), Failure> {
    let unreadable = |e: multer::Error| {
        Failure::invalid(
            "file",
            i18n::tf("form-unreadable", &[("error", i18n::arg(e))]),
        )
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    let mut form = Vec::new();
    let mut upload = None;
    while let Some(field) = parts.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(unreadable)?.to_vec();
                // A file input left empty still sends an empty part.
                if !bytes.is_empty() {
                    upload = Some(Upload { file_name, bytes });
                }
            }
            None => form.push((name, field.text().await.map_err(unreadable)?)),
        }
    }
    Ok((form, upload))
}

async fn item_post(
    State(p): State<Portal>,
    Path((layout, tab, rest)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    a: Addr,
    body: axum::body::Bytes,
) -> Response {
    change(p, layout, tab, Some(rest), q, headers, a, body).await
}
