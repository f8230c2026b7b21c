//! The one API error type: every layer's error becomes a status and
//! `{"error": {"code", "message", "field"}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_policy::Denied;
use switchboard_store::StoreError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<i64>,
    /// Why it failed on our side (a 5xx): logged with the request, never sent to the client.
    pub cause: Option<String>,
}

/// The error body, as documented in the OpenAPI file.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// A stable code, e.g. `not_found`, `invalid_value`, `limit_reached`.
    pub code: String,
    /// What went wrong and what to do next.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            cause: None,
        }
    }
    /// The field at fault; an empty name is none (the error is about the whole body).
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such object")
    }
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }
    pub fn malformed(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed", message)
    }
    /// A value that parsed but is not acceptable.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", message).with_field(field)
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }
    /// A failure on our side; `cause` is logged with the request, the client sees only that it
    /// happened.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; the error is logged",
        );
        e.cause = Some(cause.to_string());
        e
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> ApiError {
        match denied {
            Denied::NotFound => ApiError::not_found(),
            Denied::Forbidden(why) => ApiError::forbidden(why.code(), why.message()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict { field, message } => {
                let e = ApiError::conflict("conflict", message);
                match field {
                    Some(f) => e.with_field(f),
                    None => e,
                }
            }
            StoreError::LimitReached { limit, max } => ApiError::conflict(
                "limit_reached",
                format!(
                    "the domain's limit {limit} ({max}) is reached; ask your provider to raise it"
                ),
            )
            .with_field(limit),
            StoreError::InvalidReference { field, message } => ApiError::invalid(&field, message),
            other if other.is_unique_violation() => {
                ApiError::conflict("conflict", "this conflicts with an existing object")
            }
            other => ApiError::internal(format!("store: {other}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let cause = self.status.is_server_error().then(|| {
            self.cause
                .unwrap_or_else(|| format!("{}: {}", self.code, self.message))
        });
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(cause) = cause {
            response
                .extensions_mut()
                .insert(crate::observe::FailureCause(cause));
        }
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
