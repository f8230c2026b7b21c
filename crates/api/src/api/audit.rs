//! The audit log: who changed what, on whose behalf, when and from where.

use super::{
    CountResponse, ListResponse, field, page_request, resolve_domain, visibility_for_list,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::QueryParams;
use crate::routes::{Access, Route, route};
use axum::extract::State;
use axum::http::Method;
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};
use switchboard_store::AuditFilter;

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this domain (its name, or ~).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Actions starting with this, e.g. `user.` or `session.impersonate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Only changes made by this login (`extension@domain`), or on its behalf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// RFC 3339; entries at or after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// RFC 3339; entries before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

pub fn routes() -> Vec<Route> {
    let access = Access::Guarded(Resource::AuditLog, Action::Read);
    vec![
        route(
            Method::GET,
            "/api/v1/audit-log",
            access,
            "audit",
            "List audit records, newest first",
        )
        .query::<AuditQuery>()
        .returns::<ListResponse<AuditEntry>>()
        .to(list),
        route(
            Method::GET,
            "/api/v1/audit-log/count",
            access,
            "audit",
            "Count audit records",
        )
        .query::<AuditQuery>()
        .returns::<CountResponse>()
        .to(count),
    ]
}

async fn filter_of(state: &AppState, caller: &Caller, q: &AuditQuery) -> ApiResult<AuditFilter> {
    let domain = match q.domain.as_deref() {
        Some(raw) => Some(resolve_domain(state, caller, raw).await?.id),
        None => None,
    };
    Ok(AuditFilter {
        domain,
        action_prefix: q.action.clone(),
        since: field("since", q.since.as_deref(), Timestamp::parse_rfc3339)?,
        until: field("until", q.until.as_deref(), Timestamp::parse_rfc3339)?,
        login: q.user.as_deref().map(|u| u.trim().to_lowercase()),
    })
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<ListResponse<AuditEntry>>> {
    let vis = visibility_for_list(&caller, Resource::AuditLog)?;
    let filter = filter_of(&state, &caller, &q).await?;
    let page = state
        .store
        .list_audit(&vis, &filter, page_request(q.cursor.as_deref(), q.limit)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, |e| e)))
}

async fn count(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<CountResponse>> {
    let vis = visibility_for_list(&caller, Resource::AuditLog)?;
    let filter = filter_of(&state, &caller, &q).await?;
    Ok(Json(CountResponse {
        count: state.store.count_audit(&vis, &filter).await?,
    }))
}
