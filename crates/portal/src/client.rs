//! The portal's way into the REST API: typed calls (`switchboard_api::endpoints`) run in-process
//! through the API router with the session's own bearer token, so every page shows and changes
//! exactly what the API allows that user, in the API's own request and answer types. The portal
//! holds no access rule of its own.

use crate::i18n::t;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use switchboard_api::endpoints::{Call, File};
use switchboard_api::error::ErrorBody;
use tower::ServiceExt;

/// An API answer that was not a success: what the API said, for the page to show.
#[derive(Clone, Debug)]
pub struct Failure {
    pub status: StatusCode,
    /// The API's stable code (`invalid_value`, `conflict`…); `portal` for the portal's own
    /// complaints, already in the viewer's language.
    pub code: String,
    /// The API's own words (US English), or the portal's.
    pub message: String,
    pub field: Option<String>,
}

/// The code of a complaint the portal makes itself.
pub const PORTAL: &str = "portal";

impl Failure {
    /// The API's message in the viewer's language: its own words in English; in another
    /// language, the catalogue's sentence for its code (the API speaks English only).
    fn translated(&self) -> Option<&'static str> {
        if self.code == PORTAL || crate::i18n::current() == crate::i18n::Lang::EnUs {
            return None;
        }
        // The catalogue may say it more precisely for one field ("not your current password").
        let field = self.field.as_deref().unwrap_or_default();
        crate::i18n::lookup(&format!("api-error-{}-{field}", self.code))
            .or_else(|| crate::i18n::lookup(&format!("api-error-{}", self.code)))
    }

    /// The message to show on its own: with the field's label in front when it names one.
    pub fn text(&self) -> String {
        match (self.translated(), &self.field) {
            (Some(text), Some(field)) => format!("{}{text}", field_prefix(field)),
            (Some(text), None) => text.to_owned(),
            (None, _) => self.message.clone(),
        }
    }

    /// The message without the leading name of the field it is about ("caller_id: …"), for a
    /// page that shows the field's own label beside it.
    pub fn message_without_field(&self) -> &str {
        if let Some(text) = self.translated() {
            return text;
        }
        match &self.field {
            Some(field) => self
                .message
                .strip_prefix(field.as_str())
                .and_then(|rest| rest.strip_prefix(": "))
                .unwrap_or(&self.message),
            None => &self.message,
        }
    }

    pub fn not_found() -> Failure {
        Failure {
            status: StatusCode::NOT_FOUND,
            code: "not_found".into(),
            message: t("there-is-no-such-page").into(),
            field: None,
        }
    }

    /// A value the API's own parser refused, in its words (English): shown as the API's
    /// `invalid_value` is, translated by its code.
    pub fn unparsed(field: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: "invalid_value".into(),
            ..Failure::invalid(field, message)
        }
    }

    /// The portal's own complaint about a field, already in the viewer's language.
    pub fn invalid(field: &str, message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: PORTAL.into(),
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// A failure the user can fix on the form it came from (as opposed to a missing page).
    pub fn is_form_error(&self) -> bool {
        matches!(
            self.status,
            StatusCode::BAD_REQUEST
                | StatusCode::UNPROCESSABLE_ENTITY
                | StatusCode::CONFLICT
                | StatusCode::FORBIDDEN
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::UNSUPPORTED_MEDIA_TYPE
                | StatusCode::TOO_MANY_REQUESTS
        )
    }
}

/// "Label: " for a field the API named, in the viewer's language (its name if not catalogued).
fn field_prefix(field: &str) -> String {
    let label = crate::i18n::field_label(field).unwrap_or(field);
    crate::i18n::tf("field-prefix", &[("field", crate::i18n::arg(label))])
}

#[derive(Clone)]
pub struct Api {
    router: axum::Router,
    token: String,
    addr: Option<SocketAddr>,
}

/// Percent-encode one path segment of a portal address.
pub fn enc(s: &str) -> String {
    switchboard_api::endpoints::segment(s)
}

/// `path?k=v&…` with the non-empty pairs, encoded.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
        any = true;
    }
    if any {
        format!("{path}?{}", q.finish())
    } else {
        path.to_owned()
    }
}

impl Api {
    pub fn new(router: axum::Router, token: String, addr: Option<SocketAddr>) -> Api {
        Api {
            router,
            token,
            addr,
        }
    }

    async fn send<A>(&self, call: Call<A>) -> Response {
        let mut builder = Request::builder()
            .method(call.method)
            .uri(&call.path)
            .header(header::CONTENT_TYPE, call.content_type);
        if !self.token.is_empty() {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        }
        let body = call.body.map(Body::from).unwrap_or_else(Body::empty);
        let mut req = builder.body(body).unwrap_or_default();
        if let Some(addr) = self.addr {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        match self.router.clone().oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// Make a call and read its answer (a 204 reads as `()`).
    pub async fn call<A: DeserializeOwned>(&self, call: Call<A>) -> Result<A, Failure> {
        read_json(self.send(call).await).await
    }

    /// Make a call whose answer is a file (CSV, a recording, a printable page), passed on as it is.
    pub async fn file(&self, call: Call<File>) -> Result<Response, Failure> {
        let response = self.send(call).await;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(failure(response).await)
        }
    }
}

async fn body_bytes(response: Response) -> axum::body::Bytes {
    axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap_or_default()
}

/// What a refusal said: its message and the field it names.
async fn failure(response: Response) -> Failure {
    let status = response.status();
    let bytes = body_bytes(response).await;
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Failure {
            status,
            code: body.error.code,
            message: body.error.message,
            field: body.error.field,
        },
        Err(_) => Failure {
            status,
            code: PORTAL.into(),
            message: t("something-went-wrong").into(),
            field: None,
        },
    }
}

pub async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    if !response.status().is_success() {
        return Err(failure(response).await);
    }
    let bytes = body_bytes(response).await;
    let text = if bytes.is_empty() {
        &b"null"[..]
    } else {
        &bytes[..]
    };
    serde_json::from_slice(text).map_err(|e| Failure {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: PORTAL.into(),
        message: crate::i18n::tf("api-unexpected", &[("error", crate::i18n::arg(e))]),
        field: None,
    })
}
