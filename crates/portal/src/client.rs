//! The portal's way into the REST API: requests run in-process through the API router with the
//! session's own bearer token, so every page shows and changes exactly what the API allows that
//! user. The portal holds no access rule of its own.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

/// An API answer that was not a success: what the API said, for the page to show.
#[derive(Clone, Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

impl Failure {
    pub fn not_found() -> Failure {
        Failure {
            status: StatusCode::NOT_FOUND,
            message: "There is no such page.".into(),
            field: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
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

#[derive(Clone)]
pub struct Api {
    router: axum::Router,
    token: String,
    addr: Option<SocketAddr>,
}

/// Percent-encode one path segment or query value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
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

    /// Send a request and hand back the API's response as it is (files, CSV).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Body,
    ) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .unwrap_or_default();
        if let Some(addr) = self.addr {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        match self.router.clone().oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// Send JSON (or nothing) and read the JSON answer; a 204 reads as `null`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, Failure> {
        let body = match body {
            Some(v) => Body::from(serde_json::to_vec(v).unwrap_or_default()),
            None => Body::empty(),
        };
        let response = self.raw(method, path, "application/json", body).await;
        read_json(response).await
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Failure> {
        self.call(Method::GET, path, None).await
    }

    /// The items of a list (first page).
    pub async fn items(&self, path: &str) -> Result<Vec<Value>, Failure> {
        let page: Value = self.get(path).await?;
        // A list is a page (`{"items": …}`), or a plain array where it is never long (agents).
        Ok(match page {
            Value::Array(items) => items,
            page => page["items"].as_array().cloned().unwrap_or_default(),
        })
    }

    /// A list page: its items and the cursor of the next page.
    pub async fn page(&self, path: &str) -> Result<(Vec<Value>, Option<String>), Failure> {
        let page: Value = self.get(path).await?;
        Ok((
            page["items"].as_array().cloned().unwrap_or_default(),
            page["next_cursor"].as_str().map(str::to_owned),
        ))
    }

    pub async fn count(&self, path: &str) -> Result<i64, Failure> {
        let v: Value = self.get(path).await?;
        Ok(v["count"].as_i64().unwrap_or(0))
    }

    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Result<Value, Failure> {
        self.call(method, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<(), Failure> {
        self.call::<Value>(Method::DELETE, path, None)
            .await
            .map(drop)
    }
}

pub async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    if status.is_success() {
        let text = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        return serde_json::from_slice(text).map_err(|e| Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("the API answered something unexpected: {e}"),
            field: None,
        });
    }
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let e = &v["error"];
    Err(Failure {
        status,
        message: e["message"]
            .as_str()
            .unwrap_or("something went wrong")
            .to_owned(),
        field: e["field"].as_str().map(str::to_owned),
    })
}
