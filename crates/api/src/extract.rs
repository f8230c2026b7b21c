//! Extractors that parse at the edge and answer bad input with a clear error naming the field.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// A JSON body: `application/json` only (or, for a PATCH, which is a merge patch,
/// `application/merge-patch+json`), size-limited, unknown and repeated fields refused.
pub struct JsonBody<T>(pub T);

/// The media types a request's body may have.
fn accepted_media_type(method: &axum::http::Method, media_type: &str) -> bool {
    media_type.eq_ignore_ascii_case("application/json")
        || (method == axum::http::Method::PATCH
            && media_type.eq_ignore_ascii_case("application/merge-patch+json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let method = req.method().clone();
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| accepted_media_type(&method, m.trim()))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the request body is too large",
                )
            } else {
                ApiError::malformed(format!("the request body could not be read: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parse JSON, naming the field at fault. A key given twice in one object is refused: which of
/// the two was meant cannot be known (a typed body refuses it anyway; a merge patch would
/// silently take the last).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(path) = crate::json_keys::first_repeated_key(bytes) {
        return Err(
            ApiError::malformed(format!("the key '{path}' is given twice; give it once"))
                .with_field(path),
        );
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        if let Some(unknown) = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            let field = if path == "." || path.is_empty() {
                unknown.to_owned()
            } else {
                path.clone()
            };
            return ApiError::malformed(format!("unknown field '{unknown}'")).with_field(field);
        }
        let field = (path != "." && !path.is_empty()).then_some(path);
        match inner.classify() {
            serde_json::error::Category::Data => {
                let clean = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                let e = ApiError::invalid(field.as_deref().unwrap_or(""), clean.clone());
                let e = if let Some(f) = field {
                    e.with_field(f)
                } else {
                    ApiError {
                        field: missing_field(&clean),
                        ..e
                    }
                };
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..e
                }
            }
            _ => ApiError::malformed(format!("the body is not valid JSON: {message}")),
        }
    })
}

fn missing_field(message: &str) -> Option<String> {
    message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
        .map(str::to_owned)
}

/// Query parameters, parsed into `T`; unknown parameters refused.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(QueryParams)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                let field = message
                    .strip_prefix("unknown field `")
                    .and_then(|r| r.split('`').next())
                    .map(str::to_owned)
                    .or_else(|| (path != "." && !path.is_empty()).then_some(path))
                    .unwrap_or_default();
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!("query parameter: {message}"),
                )
                .with_field(field)
            })
    }
}

/// `Option<Option<T>>` for PATCH bodies: absent leaves a field, `null` clears it.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}
