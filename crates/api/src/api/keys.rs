//! API keys and login sessions.

use super::{
    CountResponse, ListResponse, field, page_request, required, visibility_for_list,
    visibility_for_lookup,
};
use crate::AppState;
use crate::auth::{API_KEY_PREFIX, Caller, new_token, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams};
use crate::routes::{Access, Route, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, Target, authorize, authorize_create};
use switchboard_store::{NewApiKey, UserRecord};

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKeyBody {
    /// What the key is for, e.g. "CRM integration".
    pub name: String,
    /// Defaults to your own scope; never above it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// A read-only key can never change anything.
    #[serde(default)]
    pub read_only: bool,
    /// RFC 3339; the key stops working then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The key itself. It is shown only now: store it safely.
    pub secret: String,
}

pub fn routes() -> Vec<Route> {
    use Access::Guarded;
    use Action::*;
    use Resource::{ApiKeys, Sessions};
    let m = |method: Method, path, access, summary| route(method, path, access, "access", summary);
    vec![
        m(
            Method::GET,
            "/api/v1/api-keys",
            Guarded(ApiKeys, Read),
            "List API keys",
        )
        .query::<PageQuery>()
        .returns::<ListResponse<ApiKey>>()
        .to(list_keys),
        m(
            Method::GET,
            "/api/v1/api-keys/count",
            Guarded(ApiKeys, Read),
            "Count API keys",
        )
        .returns::<CountResponse>()
        .to(count_keys),
        m(
            Method::POST,
            "/api/v1/api-keys",
            Guarded(ApiKeys, Create),
            "Create an API key for yourself (shown once)",
        )
        .body::<NewApiKeyBody>()
        .created::<CreatedApiKey>()
        .to(create_key),
        m(
            Method::GET,
            "/api/v1/api-keys/{key}",
            Guarded(ApiKeys, Read),
            "Get an API key (never its secret)",
        )
        .returns::<ApiKey>()
        .to(get_key),
        m(
            Method::DELETE,
            "/api/v1/api-keys/{key}",
            Guarded(ApiKeys, Delete),
            "Revoke an API key",
        )
        .no_content()
        .to(delete_key),
        m(
            Method::GET,
            "/api/v1/sessions",
            Guarded(Sessions, Read),
            "List login sessions",
        )
        .query::<PageQuery>()
        .returns::<ListResponse<Session>>()
        .to(list_sessions),
        m(
            Method::DELETE,
            "/api/v1/sessions/{session}",
            Guarded(Sessions, Delete),
            "End a login session",
        )
        .no_content()
        .to(delete_session),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

fn owner_target(owner: &UserRecord) -> Target<'_> {
    Target::domain(owner.reseller_id, owner.user.domain_id)
        .in_sites(owner.user.site_id.as_slice())
        .owned_by(owner.user.id)
}

async fn list_keys(
    State(state): S,
    Extension(caller): C,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<ListResponse<ApiKey>>> {
    let vis = visibility_for_list(&caller, Resource::ApiKeys)?;
    let page = state
        .store
        .list_api_keys(&vis, page_request(q.cursor.as_deref(), q.limit)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, |k| k)))
}

async fn count_keys(State(state): S, Extension(caller): C) -> ApiResult<Json<CountResponse>> {
    let vis = visibility_for_list(&caller, Resource::ApiKeys)?;
    Ok(Json(CountResponse {
        count: state.store.count_api_keys(&vis).await?,
    }))
}

/// Create a key for the caller; its secret is returned once and stored only as a hash.
pub async fn create_api_key(
    state: &AppState,
    caller: &Caller,
    body: NewApiKeyBody,
) -> ApiResult<CreatedApiKey> {
    let scope = body.scope.unwrap_or(caller.actor.scope);
    let target = owner_target(&caller.user).with_user_scope(scope);
    let permit = authorize_create(&caller.actor, Resource::ApiKeys, &target)
        .map_err(|d| ApiError::from(d).with_field("scope"))?;
    let expires_at = field(
        "expires_at",
        body.expires_at.as_deref(),
        Timestamp::parse_rfc3339,
    )?;
    if expires_at.is_some_and(|t| t <= Timestamp::now()) {
        return Err(ApiError::invalid(
            "expires_at",
            "expires_at: choose a time in the future",
        ));
    }
    let secret = new_token(API_KEY_PREFIX);
    let new = NewApiKey {
        user_id: caller.user.user.id,
        domain_id: caller.user.user.domain_id,
        name: required("name", &body.name, Label::parse)?,
        scope,
        read_only: body.read_only || caller.actor.read_only,
        prefix: secret.chars().take(API_KEY_PREFIX.len() + 6).collect(),
        secret_hash: token_hash(&secret),
        expires_at,
    };
    let key = state
        .store
        .create_api_key(&permit, &caller.audit(), &caller.user, new)
        .await?;
    Ok(CreatedApiKey { key, secret })
}

async fn create_key(
    State(state): S,
    Extension(caller): C,
    JsonBody(body): JsonBody<NewApiKeyBody>,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_api_key(&state, &caller, body).await?),
    ))
}

async fn key_by_path(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<ApiKey> {
    let id = raw.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let vis = visibility_for_lookup(caller, Resource::ApiKeys)?;
    Ok(state.store.get_api_key(&vis, ApiKeyId(id)).await?)
}

async fn get_key(
    State(state): S,
    Extension(caller): C,
    Path(key): Path<String>,
) -> ApiResult<Json<ApiKey>> {
    Ok(Json(key_by_path(&state, &caller, &key).await?))
}

async fn delete_key(
    State(state): S,
    Extension(caller): C,
    Path(key): Path<String>,
) -> ApiResult<StatusCode> {
    let key = key_by_path(&state, &caller, &key).await?;
    let owner = state.store.user_for_actor(key.user_id).await?;
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        Resource::ApiKeys,
        &owner_target(&owner).with_user_scope(key.scope),
    )?;
    state
        .store
        .delete_api_key(&permit, &caller.audit(), &owner, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_sessions(
    State(state): S,
    Extension(caller): C,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<ListResponse<Session>>> {
    let vis = visibility_for_list(&caller, Resource::Sessions)?;
    let page = state
        .store
        .list_sessions(&vis, page_request(q.cursor.as_deref(), q.limit)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, |s| s)))
}

async fn delete_session(
    State(state): S,
    Extension(caller): C,
    Path(session): Path<String>,
) -> ApiResult<StatusCode> {
    let id = session.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let vis = visibility_for_lookup(&caller, Resource::Sessions)?;
    let session = state.store.get_session(&vis, SessionId(id)).await?;
    let owner = state.store.user_for_actor(session.user_id).await?;
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        Resource::Sessions,
        &owner_target(&owner),
    )?;
    state
        .store
        .delete_session(&permit, &caller.audit(), &owner, session.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
