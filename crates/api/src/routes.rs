//! The route table. Each route declares its method, path, access (public, or the resource and
//! action it acts on), and its schemas. The router and the OpenAPI document are both built from
//! this one table, so they cannot drift apart; a guarded route is authenticated before its
//! handler runs (deny by default).

use crate::AppState;
use crate::auth::authenticate;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::net::SocketAddr;
use switchboard_policy::{Action, Resource};

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone (logging in, the API description).
    Public,
    /// An authenticated caller; the handler's service asks the policy about this resource and action.
    Guarded(Resource, Action),
}

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub summary: std::borrow::Cow<'static, str>,
    pub tag: &'static str,
    pub query: Option<SchemaFn>,
    pub body: Option<SchemaFn>,
    /// The media type of the request body.
    pub body_type: &'static str,
    pub response: Option<SchemaFn>,
    pub success: u16,
    /// Another success it may answer: its status, what it means, and its JSON body.
    pub other_success: Option<(u16, &'static str, SchemaFn)>,
    /// The media type of a successful answer.
    pub content_type: &'static str,
    /// The largest body it takes, when not the server's `max_body_bytes` (uploads).
    pub body_limit: Option<usize>,
    pub(crate) handler: MethodRouter<AppState>,
}

/// Start describing a route.
pub fn route(
    method: Method,
    path: &'static str,
    access: Access,
    tag: &'static str,
    summary: impl Into<std::borrow::Cow<'static, str>>,
) -> RouteBuilder {
    RouteBuilder {
        method,
        path,
        access,
        summary: summary.into(),
        tag,
        query: None,
        body: None,
        body_type: "application/json",
        response: None,
        success: 200,
        other_success: None,
        content_type: "application/json",
        body_limit: None,
    }
}

pub struct RouteBuilder {
    method: Method,
    path: &'static str,
    access: Access,
    summary: std::borrow::Cow<'static, str>,
    tag: &'static str,
    query: Option<SchemaFn>,
    body: Option<SchemaFn>,
    body_type: &'static str,
    response: Option<SchemaFn>,
    success: u16,
    other_success: Option<(u16, &'static str, SchemaFn)>,
    content_type: &'static str,
    body_limit: Option<usize>,
}

impl RouteBuilder {
    /// The answer is CSV text (for spreadsheets), streamed.
    pub fn csv(mut self) -> Self {
        self.response = Some(schema_of::<String>);
        self.content_type = "text/csv";
        self
    }
    /// A larger body than the server's default limit (bulk uploads).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }
    /// The body is a file of this media type (a WAV recording, a CSV or vCard import).
    pub fn upload(mut self, media_type: &'static str, bytes: usize) -> Self {
        self.body = Some(schema_of::<String>);
        self.body_type = media_type;
        self.body_limit = Some(bytes);
        self
    }
    /// The answer is a file of this media type (a recording, a printable page).
    pub fn file(mut self, media_type: &'static str) -> Self {
        self.response = Some(schema_of::<String>);
        self.content_type = media_type;
        self
    }
    pub fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(schema_of::<T>);
        self
    }
    pub fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(schema_of::<T>);
        self
    }
    pub fn returns<T: JsonSchema>(mut self) -> Self {
        self.response = Some(schema_of::<T>);
        self
    }
    pub fn created<T: JsonSchema>(mut self) -> Self {
        self.response = Some(schema_of::<T>);
        self.success = 201;
        self
    }
    /// A second success status, with its own JSON answer.
    pub fn or_returns<T: JsonSchema>(mut self, status: u16, meaning: &'static str) -> Self {
        self.other_success = Some((status, meaning, schema_of::<T>));
        self
    }
    pub fn no_content(mut self) -> Self {
        self.response = None;
        self.success = 204;
        self
    }
    pub fn to<H, T>(self, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(self.method.clone()).unwrap_or(MethodFilter::GET);
        let handler = match self.body_limit {
            Some(bytes) => on(filter, handler).layer(axum::extract::DefaultBodyLimit::max(bytes)),
            None => on(filter, handler),
        };
        Route {
            method: self.method,
            path: self.path,
            access: self.access,
            summary: self.summary,
            tag: self.tag,
            query: self.query,
            body: self.body,
            body_type: self.body_type,
            response: self.response,
            success: self.success,
            other_success: self.other_success,
            content_type: self.content_type,
            body_limit: self.body_limit,
            handler,
        }
    }
}

/// The client's address as seen by this server.
pub fn client_addr(req: &Request) -> Option<String> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// Authenticate before a guarded handler; the handler receives the `Caller` as an extension.
/// A login that owes its second factor reaches only what enrolling needs (`open_while_due`).
async fn guard(
    State((state, open_while_due)): State<(AppState, bool)>,
    mut req: Request,
    next: Next,
) -> Response {
    let addr = client_addr(&req);
    match authenticate(&state, req.headers(), addr).await {
        Ok(caller) if caller.two_factor_due && !open_while_due => ApiError::forbidden(
            "two_factor_required",
            "this login must use two-factor login first: enrol an authenticator app \
             (POST /api/v1/auth/reauth, then POST /api/v1/domains/~/users/~/two-factor)",
        )
        .into_response(),
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(error) => error.into_response(),
    }
}

/// The router for a table of routes.
pub fn build_router(state: &AppState, routes: Vec<Route>) -> axum::Router<AppState> {
    let mut router = axum::Router::new();
    for route in routes {
        // A body declared larger than the route takes is refused before it is read.
        let limit = route.body_limit.unwrap_or(state.config.max_body_bytes);
        let route = Route {
            handler: route.handler.layer(axum::middleware::from_fn(
                move |req: Request, next: Next| crate::edge::declared_within(limit, req, next),
            )),
            ..route
        };
        let handler = match route.access {
            Access::Public => route.handler,
            Access::Guarded(resource, _) => {
                let open_while_due = matches!(resource, Resource::TwoFactor | Resource::Sessions)
                    || route.path == "/api/v1/me";
                route
                    .handler
                    .layer(from_fn_with_state((state.clone(), open_while_due), guard))
            }
        };
        router = router.route(route.path, handler);
    }
    router
}
