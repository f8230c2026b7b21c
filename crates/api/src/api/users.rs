//! Users, their scope, password and supervisor settings.

use super::{
    CountResponse, ListResponse, field, nullable, page_request, required, resolve_domain,
    resolve_user, user_permit, user_target, visibility_for_list,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams, double_option};
use crate::routes::{Access, Route, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{
    Action, Resource, Target, authorize, authorize_create, may_assign_scope, user_update_allowance,
};
use switchboard_store::{NewUser, UserChanges, UserFilter, UserRecord};

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Contains-search over extension, names and email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Deserialize, Serialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// 2 to 10 digits, unique in the domain.
    pub extension: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Defaults to `basic_user`; only scopes below your own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<i64>,
    /// At least 10 characters; without one the user cannot log in until it is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_id: Option<String>,
}

impl NewUserBody {
    /// Check every field that needs no database, naming it (with `prefix`) when wrong.
    pub fn validate_shape(&self, prefix: &str) -> ApiResult<()> {
        let name = |f: &str| format!("{prefix}{f}");
        required(
            &name("extension"),
            &self.extension,
            switchboard_domain::Extension::parse,
        )?;
        required(&name("first_name"), &self.first_name, Label::parse)?;
        required(&name("last_name"), &self.last_name, Label::parse)?;
        field(&name("email"), self.email.as_deref(), Email::parse)?;
        field(&name("password"), self.password.as_deref(), Password::parse)?;
        field(
            &name("timezone"),
            self.timezone.as_deref(),
            TimeZoneName::parse,
        )?;
        field(&name("language"), self.language.as_deref(), parse_language)?;
        field(
            &name("caller_id"),
            self.caller_id.as_deref(),
            parse_caller_id,
        )?;
        Ok(())
    }
}

/// A language tag such as `en` or `en-US`.
fn parse_language(raw: &str) -> Result<String, InvalidValue> {
    let ok = (2..=12).contains(&raw.len())
        && raw
            .split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(InvalidValue("a language tag such as en or en-US".into()))
    }
}

/// A caller ID number: digits, optionally with a leading +, 3 to 16 digits.
fn parse_caller_id(raw: &str) -> Result<String, InvalidValue> {
    let digits = raw.strip_prefix('+').unwrap_or(raw);
    if (3..=16).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw.to_owned())
    } else {
        Err(InvalidValue("a number such as +15551234567".into()))
    }
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_id: Option<Option<String>>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeBody {
    pub scope: Scope,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// The new password, at least 10 characters.
    pub password: String,
    /// Required when changing your own password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
}

pub fn routes() -> Vec<Route> {
    use Access::Guarded;
    use Action::*;
    use Resource::{SupervisorSettings as Sup, UserScope, Users};
    let m = |method: Method, path, access, summary| route(method, path, access, "users", summary);
    vec![
        m(
            Method::GET,
            "/api/v1/domains/{domain}/users",
            Guarded(Users, Read),
            "List users",
        )
        .query::<UserQuery>()
        .returns::<ListResponse<User>>()
        .to(list),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/users/count",
            Guarded(Users, Read),
            "Count users",
        )
        .query::<UserQuery>()
        .returns::<CountResponse>()
        .to(count),
        m(
            Method::POST,
            "/api/v1/domains/{domain}/users",
            Guarded(Users, Create),
            "Create a user",
        )
        .body::<NewUserBody>()
        .created::<User>()
        .to(create),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/users/{user}",
            Guarded(Users, Read),
            "Get a user",
        )
        .returns::<User>()
        .to(get),
        m(
            Method::PATCH,
            "/api/v1/domains/{domain}/users/{user}",
            Guarded(Users, Update),
            "Update a user's profile",
        )
        .body::<UserPatch>()
        .returns::<User>()
        .to(update),
        m(
            Method::DELETE,
            "/api/v1/domains/{domain}/users/{user}",
            Guarded(Users, Delete),
            "Delete a user",
        )
        .query::<super::DeleteQuery>()
        .no_content()
        .to(delete),
        m(
            Method::PUT,
            "/api/v1/domains/{domain}/users/{user}/scope",
            Guarded(UserScope, Update),
            "Change a user's scope",
        )
        .body::<ScopeBody>()
        .returns::<User>()
        .to(set_scope),
        m(
            Method::POST,
            "/api/v1/domains/{domain}/users/{user}/password",
            Guarded(Users, Update),
            "Set or reset a user's password",
        )
        .body::<PasswordBody>()
        .no_content()
        .to(set_password),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/users/{user}/supervisor-settings",
            Guarded(Sup, Read),
            "A supervisor's queues and whether it may edit them",
        )
        .returns::<SupervisorSettings>()
        .to(get_supervisor),
        m(
            Method::PUT,
            "/api/v1/domains/{domain}/users/{user}/supervisor-settings",
            Guarded(Sup, Update),
            "Set a supervisor's queues and whether it may edit them",
        )
        .body::<SupervisorSettings>()
        .returns::<SupervisorSettings>()
        .to(put_supervisor),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

fn filter_of(q: &UserQuery) -> UserFilter {
    UserFilter {
        q: q.q.clone(),
        site_id: q.site_id.map(SiteId),
        scope: q.scope,
    }
}

async fn list(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<UserQuery>,
) -> ApiResult<Json<ListResponse<User>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::Users)?;
    let page = state
        .store
        .list_users(
            &vis,
            domain.id,
            &filter_of(&q),
            page_request(q.cursor.as_deref(), q.limit)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(page, |u| u)))
}

async fn count(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<UserQuery>,
) -> ApiResult<Json<CountResponse>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::Users)?;
    Ok(Json(CountResponse {
        count: state
            .store
            .count_users(&vis, domain.id, &filter_of(&q))
            .await?,
    }))
}

/// Create a user in a domain the caller can see.
pub async fn create_user(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    body: NewUserBody,
) -> ApiResult<User> {
    body.validate_shape("")?;
    let scope = body.scope.unwrap_or(Scope::BasicUser);
    let site_id = body.site_id.map(SiteId);
    let sites: Vec<SiteId> = site_id.into_iter().collect();
    let target = Target::domain(domain.reseller_id, domain.id)
        .in_sites(&sites)
        .with_user_scope(scope);
    let permit = authorize_create(&caller.actor, Resource::Users, &target)?;
    if !may_assign_scope(&caller.actor, scope) {
        return Err(ApiError::forbidden(
            "scope_too_high",
            format!("you cannot give the scope {scope}; choose one below your own"),
        )
        .with_field("scope"));
    }
    let password_hash = match field("password", body.password.as_deref(), Password::parse)? {
        Some(password) => Some(state.hasher.hash(&password).await?),
        None => None,
    };
    let new = NewUser {
        domain_id: domain.id,
        site_id,
        extension: required(
            "extension",
            &body.extension,
            switchboard_domain::Extension::parse,
        )?,
        first_name: required("first_name", &body.first_name, Label::parse)?,
        last_name: required("last_name", &body.last_name, Label::parse)?,
        email: field("email", body.email.as_deref(), Email::parse)?,
        scope,
        language: field("language", body.language.as_deref(), parse_language)?,
        timezone: field("timezone", body.timezone.as_deref(), TimeZoneName::parse)?,
        caller_id: field("caller_id", body.caller_id.as_deref(), parse_caller_id)?,
        password_hash,
    };
    Ok(state
        .store
        .create_user(&permit, &caller.audit(), domain.reseller_id, new)
        .await?)
}

async fn create(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<NewUserBody>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok((
        StatusCode::CREATED,
        Json(create_user(&state, &caller, &domain, body).await?),
    ))
}

async fn get(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<Json<User>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(
        resolve_user(&state, &caller, &domain, &user).await?.user,
    ))
}

/// Update a user's profile within the caller's field limits.
pub async fn update_user(
    state: &AppState,
    caller: &Caller,
    before: &UserRecord,
    body: UserPatch,
) -> ApiResult<User> {
    let permit = user_permit(caller, Action::Update, before)?;
    let allowed = user_update_allowance(&caller.actor, before.user.id);
    let refuse = |f: &str| {
        ApiError::forbidden(
            "field_not_allowed",
            format!("your scope does not let you change {f} here"),
        )
        .with_field(f)
    };
    let personal = [
        ("first_name", body.first_name.is_some()),
        ("last_name", body.last_name.is_some()),
        ("email", body.email.is_some()),
        ("language", body.language.is_some()),
        ("timezone", body.timezone.is_some()),
    ];
    let administrative = [
        ("extension", body.extension.is_some()),
        ("caller_id", body.caller_id.is_some()),
    ];
    for (f, present) in personal {
        if present && !allowed.personal {
            return Err(refuse(f));
        }
    }
    for (f, present) in administrative {
        if present && !allowed.administrative {
            return Err(refuse(f));
        }
    }
    if body.site_id.is_some() && !allowed.site {
        return Err(refuse("site_id"));
    }
    let changes = UserChanges {
        site_id: body.site_id.map(|s| s.map(SiteId)),
        extension: field(
            "extension",
            body.extension.as_deref(),
            switchboard_domain::Extension::parse,
        )?,
        first_name: field("first_name", body.first_name.as_deref(), Label::parse)?,
        last_name: field("last_name", body.last_name.as_deref(), Label::parse)?,
        email: nullable(
            "email",
            body.email.as_ref().map(|o| o.as_deref()),
            Email::parse,
        )?,
        language: nullable(
            "language",
            body.language.as_ref().map(|o| o.as_deref()),
            parse_language,
        )?,
        timezone: nullable(
            "timezone",
            body.timezone.as_ref().map(|o| o.as_deref()),
            TimeZoneName::parse,
        )?,
        caller_id: nullable(
            "caller_id",
            body.caller_id.as_ref().map(|o| o.as_deref()),
            parse_caller_id,
        )?,
    };
    Ok(state
        .store
        .update_user(&permit, &caller.audit(), before, changes)
        .await?)
}

async fn update(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<UserPatch>,
) -> ApiResult<Json<User>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = resolve_user(&state, &caller, &domain, &user).await?;
    Ok(Json(update_user(&state, &caller, &before, body).await?))
}

async fn delete(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    QueryParams(q): QueryParams<super::DeleteQuery>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = resolve_user(&state, &caller, &domain, &user).await?;
    if before.user.id == caller.user.user.id {
        return Err(ApiError::conflict("conflict", "you cannot delete yourself"));
    }
    let permit = user_permit(&caller, Action::Delete, &before)?;
    let recordings = state
        .store
        .delete_user(&permit, &caller.audit(), &before, q.reroute()?.as_ref())
        .await?;
    for blob in recordings {
        state.blobs.delete(&blob).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Change a user's scope: only to scopes below the caller's, only on users below it.
pub async fn change_scope(
    state: &AppState,
    caller: &Caller,
    before: &UserRecord,
    scope: Scope,
) -> ApiResult<User> {
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::UserScope,
        &user_target(before),
    )?;
    if !may_assign_scope(&caller.actor, scope) {
        return Err(ApiError::forbidden(
            "scope_too_high",
            format!("you cannot give the scope {scope}; choose one below your own"),
        )
        .with_field("scope"));
    }
    Ok(state
        .store
        .set_user_scope(&permit, &caller.audit(), before, scope)
        .await?)
}

async fn set_scope(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<ScopeBody>,
) -> ApiResult<Json<User>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = resolve_user(&state, &caller, &domain, &user).await?;
    Ok(Json(
        change_scope(&state, &caller, &before, body.scope).await?,
    ))
}

async fn set_password(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<PasswordBody>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    let permit = user_permit(&caller, Action::Update, &target)?;
    let password = required("password", &body.password, Password::parse)?;
    if target.user.id == caller.user.user.id {
        let current = body.current_password.as_deref().ok_or_else(|| {
            ApiError::invalid(
                "current_password",
                "current_password: give your current password to change it",
            )
        })?;
        let hash = state.store.password_hash(target.user.id).await?;
        if !state.hasher.verify(current, hash.as_deref()).await {
            return Err(ApiError::invalid(
                "current_password",
                "current_password: this is not your current password",
            ));
        }
    }
    let hash = state.hasher.hash(&password).await?;
    state
        .store
        .set_password(&permit, &caller.audit(), &target, &hash)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn settings_target(record: &UserRecord) -> Target<'_> {
    Target::domain(record.reseller_id, record.user.domain_id)
        .in_sites(record.user.site_id.as_slice())
        .owned_by(record.user.id)
}

fn must_be_supervisor(record: &UserRecord) -> ApiResult<()> {
    if record.user.scope == Scope::CallCenterSupervisor {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "not_a_supervisor",
            format!(
                "user {} is not a call center supervisor; change its scope first",
                record.user.extension
            ),
        ))
    }
}

async fn get_supervisor(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<Json<SupervisorSettings>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    authorize(
        &caller.actor,
        Action::Read,
        Resource::SupervisorSettings,
        &settings_target(&target),
    )?;
    must_be_supervisor(&target)?;
    let vis = super::visibility_for_lookup(&caller, Resource::SupervisorSettings)?;
    Ok(Json(
        state.store.get_supervisor_settings(&vis, &target).await?,
    ))
}

/// Set which queues a supervisor manages; its reach follows at its next request.
pub async fn put_supervisor_settings(
    state: &AppState,
    caller: &Caller,
    target: &UserRecord,
    settings: SupervisorSettings,
) -> ApiResult<SupervisorSettings> {
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::SupervisorSettings,
        &settings_target(target),
    )?;
    must_be_supervisor(target)?;
    Ok(state
        .store
        .put_supervisor_settings(&permit, &caller.audit(), target, &settings)
        .await?)
}

async fn put_supervisor(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<SupervisorSettings>,
) -> ApiResult<Json<SupervisorSettings>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    Ok(Json(
        put_supervisor_settings(&state, &caller, &target, body).await?,
    ))
}
