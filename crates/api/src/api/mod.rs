//! The REST API, one module per resource. Each module holds its request and response types, its
//! service functions (which the portal will call too) and thin handlers.

pub mod audit;
pub mod auth;
pub mod calls;
pub mod contacts_io;
pub mod directory;
pub mod keys;
pub mod me;
pub mod ops;
pub mod queue_waiting;
pub mod queues;
pub mod recycle;
pub mod reports;
pub mod settings;
pub mod settings_extra;
pub mod sip;
pub mod two_factor;
pub mod users;
pub mod voicemail_pin;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use base64::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Denied, Resource, Target, Visibility, visibility};
use switchboard_store::{Page, PageRequest, UserRecord};

/// Every route of the API, in the order of the documentation.
pub fn routes() -> Vec<crate::routes::Route> {
    let mut all = vec![
        crate::routes::route(
            axum::http::Method::GET,
            "/api/v1/openapi.json",
            crate::routes::Access::Public,
            "meta",
            "This API's OpenAPI 3.1 description",
        )
        .returns::<serde_json::Value>()
        .to(openapi_document),
    ];
    all.extend(ops::routes());
    all.extend(auth::routes());
    all.extend(me::routes());
    all.extend(directory::routes());
    all.extend(users::routes());
    all.extend(recycle::routes());
    all.extend(queue_waiting::routes());
    all.extend(voicemail_pin::routes());
    all.extend(queues::routes());
    all.extend(calls::routes());
    all.extend(reports::routes());
    all.extend(settings::routes());
    all.extend(settings_extra::routes());
    all.extend(contacts_io::routes());
    all.extend(sip::routes());
    all.extend(two_factor::routes());
    all.extend(crate::switch::routes());
    all.extend(keys::routes());
    all.extend(audit::routes());
    all
}

async fn openapi_document(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(state.openapi().clone())
}

/// A page of a list.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> ListResponse<T> {
    pub fn from_page<U>(page: Page<U>, map: impl FnMut(U) -> T) -> ListResponse<T> {
        ListResponse {
            items: page.items.into_iter().map(map).collect(),
            next_cursor: page.next_after.map(encode_cursor),
        }
    }
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct CountResponse {
    pub count: i64,
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

fn encode_cursor(after: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("after:{after}"))
}

/// Turn `cursor` and `limit` into a page request, naming the field when one is wrong.
pub fn page_request(cursor: Option<&str>, limit: Option<u32>) -> ApiResult<PageRequest> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("limit is between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = match cursor {
        None | Some("") => None,
        Some(raw) => {
            let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(raw)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("after:").and_then(|n| n.parse::<i64>().ok()));
            Some(decoded.ok_or_else(|| {
                ApiError::malformed(
                    "cursor is not one this server gave out; start again without it",
                )
                .with_field("cursor")
            })?)
        }
    };
    Ok(PageRequest { after, limit })
}

/// The visibility for reading a resource's single objects: no read right at all means the
/// object is out of reach (404), not forbidden.
pub fn visibility_for_lookup(caller: &Caller, resource: Resource) -> ApiResult<Visibility> {
    visibility(&caller.actor, resource).map_err(|denied| match denied {
        Denied::Forbidden(switchboard_policy::Why::ReauthRequired) => ApiError::from(denied),
        _ => ApiError::not_found(),
    })
}

/// The visibility for a list: a scope with no read right at all is told so (403).
pub fn visibility_for_list(caller: &Caller, resource: Resource) -> ApiResult<Visibility> {
    Ok(visibility(&caller.actor, resource)?)
}

/// Resolve `{domain}` (a name, or `~` for the caller's own) to a domain the caller can see.
pub async fn resolve_domain(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<Domain> {
    if raw == "~" || raw == caller.domain.name.as_str() {
        // Loaded with the caller already; the policy still judges it.
        let own = &caller.domain;
        switchboard_policy::authorize(
            &caller.actor,
            switchboard_policy::Action::Read,
            Resource::Domains,
            &Target::domain(own.reseller_id, own.id),
        )?;
        return Ok(own.clone());
    }
    let name = DomainName::parse(raw).map_err(|_| ApiError::not_found())?;
    let vis = visibility_for_lookup(caller, Resource::Domains)?;
    Ok(state.store.get_domain_by_name(&vis, &name).await?)
}

/// Resolve `{user}` (an extension, or `~` for the caller) inside a resolved domain.
pub async fn resolve_user(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    raw: &str,
) -> ApiResult<UserRecord> {
    let extension = if raw == "~" {
        if domain.id != caller.user.user.domain_id {
            return Err(ApiError::not_found());
        }
        caller.user.user.extension.clone()
    } else {
        Extension::parse(raw).map_err(|_| ApiError::not_found())?
    };
    let vis = visibility_for_lookup(caller, Resource::Users)?;
    Ok(state.store.get_user(&vis, domain.id, &extension).await?)
}

/// The policy's view of a user.
pub fn user_target(record: &UserRecord) -> Target<'_> {
    Target::domain(record.reseller_id, record.user.domain_id)
        .in_sites(record.user.site_id.as_slice())
        .owned_by(record.user.id)
        .in_queues(&record.agent_queues)
        .with_user_scope(record.user.scope)
}

/// The policy's permit to act on a user (`Resource::Users`), or the refusal.
pub fn user_permit(
    caller: &Caller,
    action: switchboard_policy::Action,
    record: &UserRecord,
) -> ApiResult<switchboard_policy::Permit> {
    Ok(switchboard_policy::authorize(
        &caller.actor,
        action,
        switchboard_policy::Resource::Users,
        &user_target(record),
    )?)
}

/// Deleting something phone numbers route to.
#[derive(serde::Deserialize, serde::Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    /// Re-route the numbers that lead here, then delete: `none`, `user:105`, `call_queue:600`,
    /// `auto_attendant:700`, `conference:800` or `external:+15551234567`. Without it, a delete
    /// of something numbers lead to is refused (409) naming the numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reroute_numbers_to: Option<String>,
}

impl DeleteQuery {
    pub fn reroute(&self) -> ApiResult<Option<Route>> {
        field(
            "reroute_numbers_to",
            self.reroute_numbers_to.as_deref(),
            Route::parse_short,
        )
    }
}

/// Parse an optional field with the value's parser, naming the field on failure.
pub fn field<T>(
    name: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
) -> ApiResult<Option<T>> {
    raw.map(|r| parse(r).map_err(|e| ApiError::invalid(name, format!("{name}: {e}"))))
        .transpose()
}

/// Parse a required field.
pub fn required<T>(
    name: &str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
) -> ApiResult<T> {
    parse(raw).map_err(|e| ApiError::invalid(name, format!("{name}: {e}")))
}

/// Parse a nullable PATCH field: absent, cleared (`null`), or a new value.
pub fn nullable<T>(
    name: &str,
    raw: Option<Option<&str>>,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
) -> ApiResult<Option<Option<T>>> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(r)) => Ok(Some(Some(required(name, r, parse)?))),
    }
}
