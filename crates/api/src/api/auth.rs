//! Logging in and out, refreshing, re-authenticating and impersonating.

use super::two_factor;
use super::{resolve_domain, resolve_user, user_target};
use crate::AppState;
use crate::auth::{ACCESS_PREFIX, CHALLENGE_PREFIX, Caller, REFRESH_PREFIX, new_token, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::metrics::LoginOutcome;
use crate::routes::{Access, Route, client_addr, route};
use crate::two_factor::SecondFactorCode;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, extract::FromRequest};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, Target, authorize};
use switchboard_store::{NewSession, UserRecord};

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// `extension@domain`, e.g. `101@acme.example`.
    pub username: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: std::borrow::Cow<'static, str>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_expires_in: i64,
}

/// The first step of a login went through, and a code is due: send it to
/// `POST /api/v1/auth/second-factor` with this challenge.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct SecondFactorChallenge {
    pub challenge: String,
    /// Seconds the challenge waits for its code.
    pub expires_in: i64,
    /// What the code may be: `totp` (the authenticator app's six digits) or `recovery_code`.
    pub methods: Vec<std::borrow::Cow<'static, str>>,
}

// What a login answers: the tokens (200), or a challenge for the second factor (202). No doc
// comment: the schema is the route's two answers as they are (the endpoint contract checks).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(inline)]
pub enum LoginAnswer {
    Tokens(TokenResponse),
    SecondFactor(SecondFactorChallenge),
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorRequest {
    /// The challenge `POST /api/v1/auth/token` answered.
    pub challenge: String,
    /// Six digits from the authenticator app, or one of the recovery codes.
    pub code: String,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    /// Your password (the administrator's own while impersonating).
    pub password: String,
    /// With two-factor login on: the authenticator app's code, or a recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct ReauthResponse {
    /// Account Preferences stay open until then.
    pub reauthenticated_until: Timestamp,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpersonateRequest {
    /// The user to act as: `extension@domain`, or an extension in your own domain.
    pub user: String,
}

pub fn routes() -> Vec<Route> {
    use Access::*;
    vec![
        route(
            Method::POST,
            "/api/v1/auth/token",
            Public,
            "auth",
            "Log in with extension@domain and password; with two-factor login on, a challenge (202) for the second step",
        )
        .body::<TokenRequest>()
        .returns::<TokenResponse>()
        .or_returns::<SecondFactorChallenge>(202, "a second factor is due: POST /api/v1/auth/second-factor")
        .to(token),
        route(
            Method::POST,
            "/api/v1/auth/second-factor",
            Public,
            "auth",
            "The second step of a login: the challenge and a code from the authenticator app, or a recovery code",
        )
        .body::<SecondFactorRequest>()
        .returns::<TokenResponse>()
        .to(second_factor),
        route(
            Method::POST,
            "/api/v1/auth/refresh",
            Public,
            "auth",
            "Exchange a refresh token for a new token pair",
        )
        .body::<RefreshRequest>()
        .returns::<TokenResponse>()
        .to(refresh),
        route(
            Method::POST,
            "/api/v1/auth/logout",
            Guarded(Resource::Sessions, Action::Delete),
            "auth",
            "End the current session",
        )
        .no_content()
        .to(logout),
        route(
            Method::POST,
            "/api/v1/auth/reauth",
            Guarded(Resource::Sessions, Action::Update),
            "auth",
            "Enter the password (and the two-factor code, when on) again: opens Account Preferences and login changes for a few minutes",
        )
        .body::<ReauthRequest>()
        .returns::<ReauthResponse>()
        .to(reauth),
        route(
            Method::POST,
            "/api/v1/auth/impersonate",
            Guarded(Resource::Users, Action::Impersonate),
            "auth",
            "Act as a lower-scope user in your reach; audit records name both",
        )
        .body::<ImpersonateRequest>()
        .created::<TokenResponse>()
        .to(impersonate),
    ]
}

fn unauthorized_login() -> ApiError {
    ApiError::unauthenticated("wrong extension, domain or password")
}

fn too_many(until: Timestamp) -> ApiError {
    let wait = (until.0 - Timestamp::now().0).max(1);
    ApiError {
        retry_after: Some(wait),
        ..ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed logins; try again in {wait} seconds"),
        )
    }
}

/// Open a session for a user and hand out its tokens.
async fn open_session(
    state: &AppState,
    ctx: &switchboard_store::AuditContext,
    user: &UserRecord,
    impersonator: Option<UserId>,
    addr: Option<String>,
    reauth: bool,
) -> ApiResult<TokenResponse> {
    let now = Timestamp::now();
    let cfg = &state.config;
    let access = new_token(ACCESS_PREFIX);
    let refresh = new_token(REFRESH_PREFIX);
    state
        .store
        .create_session(
            ctx,
            user,
            NewSession {
                user_id: user.user.id,
                domain_id: user.user.domain_id,
                impersonator_id: impersonator,
                access_hash: token_hash(&access),
                refresh_hash: token_hash(&refresh),
                access_expires_at: now.plus_seconds(cfg.access_token_seconds),
                refresh_expires_at: now.plus_seconds(cfg.refresh_token_seconds),
                reauthenticated_at: reauth.then_some(now),
                client_addr: addr,
            },
        )
        .await?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: cfg.access_token_seconds,
        refresh_expires_in: cfg.refresh_token_seconds,
    })
}

fn throttle_keys(state: &AppState, first: String, addr: Option<&str>) -> [(String, i64); 2] {
    let cfg = &state.config;
    [
        (first, cfg.account_max_failures),
        (
            format!("address:{}", addr.unwrap_or("unknown")),
            cfg.address_max_failures,
        ),
    ]
}

/// Count an attempt against each key before it is checked: of simultaneous attempts, no more
/// than the limit get that far. A good attempt takes its count back.
async fn count_attempt(state: &AppState, keys: &[(String, i64)]) -> ApiResult<()> {
    let cfg = &state.config;
    match state
        .store
        .count_login_attempt(
            keys,
            Timestamp::now(),
            cfg.login_window_seconds,
            cfg.lockout_seconds,
        )
        .await?
    {
        Some(until) => {
            state.metrics.login(LoginOutcome::Throttled);
            Err(too_many(until))
        }
        None => Ok(()),
    }
}

/// The attempt was good: the account's failures are forgotten, the address's attempt uncounted.
async fn attempt_was_good(state: &AppState, keys: &[(String, i64)]) -> ApiResult<()> {
    state.store.clear_login_failures(&keys[0].0).await?;
    state.store.uncount_login_attempt(&keys[1].0).await?;
    Ok(())
}

fn login_context(
    user: &UserRecord,
    login: String,
    addr: Option<String>,
) -> switchboard_store::AuditContext {
    switchboard_store::AuditContext {
        actor_id: Some(user.user.id),
        actor_login: login,
        on_behalf_of: None,
        client_addr: addr,
    }
}

/// Check a login; failures are counted per account and per client address in the database.
/// With two-factor login on, the answer is a challenge for the second step, not tokens.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    addr: Option<String>,
) -> ApiResult<(UserRecord, LoginAnswer)> {
    let login = Login::parse(username)
        .map_err(|e| ApiError::invalid("username", format!("username: {e}")))?;
    let keys = throttle_keys(state, format!("account:{login}"), addr.as_deref());
    count_attempt(state, &keys).await?;
    let found = state.store.find_login(&login).await?;
    let hash = found.as_ref().and_then(|(_, h)| h.as_deref());
    let ok = state.hasher.verify(password, hash).await;
    let Some((user, _)) = found.filter(|_| ok) else {
        state.metrics.login(LoginOutcome::Failure);
        return Err(unauthorized_login());
    };
    attempt_was_good(state, &keys).await?;
    if !user.scope.can_log_in() {
        return Err(ApiError::forbidden(
            "no_portal",
            "this user has a phone line only and cannot log in to the portal",
        ));
    }
    let record = state.store.user_for_actor(user.id).await?;
    if two_factor::enrolled(state, user.id).await?.is_some() {
        let challenge = new_token(CHALLENGE_PREFIX);
        let cfg = &state.config;
        state
            .store
            .create_login_challenge(
                &token_hash(&challenge),
                user.id,
                Timestamp::now().plus_seconds(cfg.login_challenge_seconds),
                addr,
            )
            .await?;
        let answer = LoginAnswer::SecondFactor(SecondFactorChallenge {
            challenge,
            expires_in: cfg.login_challenge_seconds,
            methods: vec!["totp".into(), "recovery_code".into()],
        });
        return Ok((record, answer));
    }
    state.metrics.login(LoginOutcome::Success);
    let ctx = login_context(&record, login.to_string(), addr.clone());
    let tokens = open_session(state, &ctx, &record, None, addr, false).await?;
    Ok((record, LoginAnswer::Tokens(tokens)))
}

async fn token(State(state): State<AppState>, req: Request) -> ApiResult<Response> {
    let addr = client_addr(&req);
    let JsonBody(body) = JsonBody::<TokenRequest>::from_request(req, &state).await?;
    Ok(
        match login(&state, &body.username, &body.password, addr).await?.1 {
            LoginAnswer::Tokens(tokens) => Json(tokens).into_response(),
            LoginAnswer::SecondFactor(challenge) => {
                (StatusCode::ACCEPTED, Json(challenge)).into_response()
            }
        },
    )
}

/// The second step of a login: a live challenge and a good code open the session. Wrong codes
/// count like wrong passwords, per user and per client address.
pub async fn finish_login(
    state: &AppState,
    challenge: &str,
    code: &str,
    addr: Option<String>,
) -> ApiResult<TokenResponse> {
    let code = SecondFactorCode::from_field(code)?;
    let hash = token_hash(challenge);
    let expired = || {
        ApiError::unauthenticated("this login step has expired or was used; log in again")
            .with_field("challenge")
    };
    let user_id = state
        .store
        .login_challenge(&hash, Timestamp::now())
        .await?
        .ok_or_else(expired)?;
    let keys = throttle_keys(state, format!("second-factor:{user_id}"), addr.as_deref());
    count_attempt(state, &keys).await?;
    let (record, domain) = state
        .store
        .user_and_domain(user_id)
        .await?
        .ok_or_else(expired)?;
    let login = format!("{}@{}", record.user.extension, domain.name);
    let ctx = login_context(&record, login, addr.clone());
    let taken = match two_factor::enrolled(state, user_id).await? {
        Some(authenticator) => {
            two_factor::spend_code(state, &ctx, &record, &authenticator, &code).await?
        }
        None => false,
    };
    if !taken {
        state.metrics.login(LoginOutcome::Failure);
        return Err(ApiError::unauthenticated(
            "wrong or already used code; enter the code the app shows now, or an unused recovery code",
        )
        .with_field("code"));
    }
    attempt_was_good(state, &keys).await?;
    if !state.store.end_login_challenge(&hash).await? {
        return Err(expired());
    }
    state.metrics.login(LoginOutcome::Success);
    open_session(state, &ctx, &record, None, addr, false).await
}

async fn second_factor(
    State(state): State<AppState>,
    req: Request,
) -> ApiResult<Json<TokenResponse>> {
    let addr = client_addr(&req);
    let JsonBody(body) = JsonBody::<SecondFactorRequest>::from_request(req, &state).await?;
    Ok(Json(
        finish_login(&state, &body.challenge, &body.code, addr).await?,
    ))
}

async fn refresh(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let now = Timestamp::now();
    let presented = token_hash(&body.refresh_token);
    // Rotated away already (or just now, by a simultaneous refresh): a copy is about.
    let reused = || {
        ApiError::unauthenticated(
            "this refresh token was already used, so every session of this login has ended; log in again",
        )
    };
    let Some(session) = state
        .store
        .session_by_refresh_hash(&presented)
        .await?
        .filter(|s| s.session.refresh_expires_at > now)
    else {
        if state.store.revoke_on_reused_refresh(&presented).await? {
            return Err(reused());
        }
        return Err(ApiError::unauthenticated(
            "unknown or expired refresh token; log in again",
        ));
    };
    let cfg = &state.config;
    let access = new_token(ACCESS_PREFIX);
    let refresh = new_token(REFRESH_PREFIX);
    let rotated = state
        .store
        .rotate_session(
            session.session.id,
            &presented,
            &token_hash(&access),
            &token_hash(&refresh),
            now.plus_seconds(cfg.access_token_seconds),
            now.plus_seconds(cfg.refresh_token_seconds),
        )
        .await?;
    if !rotated {
        state.store.revoke_on_reused_refresh(&presented).await?;
        return Err(reused());
    }
    Ok(Json(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: cfg.access_token_seconds,
        refresh_expires_in: cfg.refresh_token_seconds,
    }))
}

/// End the caller's own session.
pub async fn end_own_session(state: &AppState, caller: &Caller) -> ApiResult<()> {
    let Some(session) = caller.session_id else {
        return Err(ApiError::malformed(
            "an API key has no session to end; delete the key instead",
        ));
    };
    let target = Target::domain(caller.actor.reseller_id, caller.actor.domain_id)
        .owned_by(caller.user.user.id);
    let permit = authorize(&caller.actor, Action::Delete, Resource::Sessions, &target)?;
    state
        .store
        .delete_session(&permit, &caller.audit(), &caller.user, session)
        .await?;
    Ok(())
}

async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<StatusCode> {
    end_own_session(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask the password again; the session may then open Account Preferences for a few minutes.
pub async fn reauthenticate(
    state: &AppState,
    caller: &Caller,
    password: &str,
    code: Option<&str>,
) -> ApiResult<Timestamp> {
    let Some(session) = caller.session_id else {
        return Err(ApiError::forbidden(
            "forbidden",
            "API keys cannot open Account Preferences; log in with a password",
        ));
    };
    let person = caller
        .impersonator
        .as_ref()
        .map_or(caller.user.user.id, |(id, _)| *id);
    // With two-factor login on, the code is asked too (before anything is counted or checked).
    let second = match two_factor::enrolled(state, person).await? {
        Some(record) => Some((record, SecondFactorCode::from_field(code.unwrap_or(""))?)),
        None => None,
    };
    // Throttled like a login: a stolen session cannot try passwords here without limit.
    let now = Timestamp::now();
    let cfg = &state.config;
    let key = format!("reauth:{person}");
    if let Some(until) = state
        .store
        .count_login_attempt(
            &[(key.clone(), cfg.account_max_failures)],
            now,
            cfg.login_window_seconds,
            cfg.lockout_seconds,
        )
        .await?
    {
        return Err(too_many(until));
    }
    let hash = state.store.password_hash(person).await?;
    if !state.hasher.verify(password, hash.as_deref()).await {
        return Err(ApiError::unauthenticated("wrong password").with_field("password"));
    }
    if let Some((authenticator, code)) = &second {
        let (record, _) = state
            .store
            .user_and_domain(person)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("this login no longer exists"))?;
        if !two_factor::spend_code(state, &caller.audit(), &record, authenticator, code).await? {
            return Err(ApiError::unauthenticated("wrong or already used code").with_field("code"));
        }
    }
    state.store.clear_login_failures(&key).await?;
    state
        .store
        .mark_reauthenticated(&caller.audit(), &caller.user, session, now)
        .await?;
    Ok(now.plus_seconds(state.config.reauth_seconds))
}

async fn reauth(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<ReauthRequest>,
) -> ApiResult<Json<ReauthResponse>> {
    let until = reauthenticate(&state, &caller, &body.password, body.code.as_deref()).await?;
    Ok(Json(ReauthResponse {
        reauthenticated_until: until,
    }))
}

/// Open a session as another user, for an administrator whose scope is above that user's.
pub async fn start_impersonation(
    state: &AppState,
    caller: &Caller,
    who: &str,
) -> ApiResult<TokenResponse> {
    if caller.api_key_id.is_some() {
        return Err(ApiError::forbidden(
            "forbidden",
            "impersonation needs a login session, not an API key",
        ));
    }
    let (domain_raw, ext) = match who.rsplit_once('@') {
        Some((ext, domain)) => (domain.to_owned(), ext.to_owned()),
        None => ("~".to_owned(), who.to_owned()),
    };
    let domain = resolve_domain(state, caller, &domain_raw).await?;
    let target = resolve_user(state, caller, &domain, &ext).await?;
    authorize(
        &caller.actor,
        Action::Impersonate,
        Resource::Users,
        &user_target(&target),
    )?;
    if !target.user.scope.can_log_in() {
        return Err(ApiError::conflict(
            "no_portal",
            "this user has a phone line only and cannot log in",
        ));
    }
    let ctx = switchboard_store::AuditContext {
        actor_id: Some(caller.user.user.id),
        actor_login: caller.login(),
        on_behalf_of: Some((
            target.user.id,
            format!("{}@{}", target.user.extension, domain.name),
        )),
        client_addr: caller.client_addr.clone(),
    };
    open_session(
        state,
        &ctx,
        &target,
        Some(caller.user.user.id),
        caller.client_addr.clone(),
        false,
    )
    .await
}

async fn impersonate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<ImpersonateRequest>,
) -> ApiResult<(StatusCode, Json<TokenResponse>)> {
    let tokens = start_impersonation(&state, &caller, &body.user).await?;
    Ok((StatusCode::CREATED, Json(tokens)))
}
