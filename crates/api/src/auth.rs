//! Authentication: passwords (Argon2id, off the async threads), opaque tokens (only their SHA-256
//! is stored), API keys, and the `Caller` every guarded route receives.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::{HeaderMap, header};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use switchboard_domain::*;
use switchboard_policy::Actor;
use switchboard_store::{AuditContext, UserRecord};
use tokio::sync::Semaphore;

pub const ACCESS_PREFIX: &str = "sb_at_";
pub const REFRESH_PREFIX: &str = "sb_rt_";
pub const API_KEY_PREFIX: &str = "sb_key_";
/// A login waiting for its second factor.
pub const CHALLENGE_PREFIX: &str = "sb_2fa_";

/// Argon2id with a bound on how many hashes run at once (each takes its memory cost).
#[derive(Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the user does not exist, so that costs the same time.
    dummy_hash: Arc<String>,
}

impl Hasher {
    /// `memory_kib` and `iterations` are Argon2id's costs (OWASP minimum: 19456 KiB, 2).
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Hasher, String> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| format!("argon2 parameters: {e}"))?;
        let dummy = hash_blocking(&params, "switchboard-dummy-password")?;
        let parallel = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Ok(Hasher {
            params,
            permits: Arc::new(Semaphore::new(parallel)),
            dummy_hash: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &Password) -> ApiResult<String> {
        self.hash_secret(password.expose()).await
    }

    /// Any secret kept only as its hash (a password, a voicemail PIN).
    pub async fn hash_secret(&self, secret: &str) -> ApiResult<String> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let params = self.params.clone();
        let password = secret.to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&params, &password))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
    }

    /// Check a password against a stored hash; with no hash, burn the same time and fail.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let hash = stored.map_or_else(|| self.dummy_hash.as_str().to_owned(), str::to_owned);
        let real = stored.is_some();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let ok = PasswordHash::new(&hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            ok && real
        })
        .await
        .unwrap_or(false)
    }
}

fn hash_blocking(params: &Params, password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A new random token with a recognisable prefix (so secret scanners can find leaks).
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// What is stored for a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The authenticated caller of a guarded route.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    /// The user acted as (the impersonated user while impersonating).
    pub user: UserRecord,
    /// The caller's own domain, as loaded with it.
    pub domain: Domain,
    /// The administrator, while impersonating: id and login.
    pub impersonator: Option<(UserId, String)>,
    pub session_id: Option<SessionId>,
    pub api_key_id: Option<ApiKeyId>,
    pub client_addr: Option<String>,
    /// A second factor is required of this login and not enrolled yet: until it is, the
    /// session reaches only what enrolling needs (API keys are not held to it).
    pub two_factor_due: bool,
}

impl Caller {
    pub fn login(&self) -> String {
        format!("{}@{}", self.user.user.extension, self.domain.name)
    }

    /// Who to name in audit records: the administrator acts, on behalf of the impersonated user.
    pub fn audit(&self) -> AuditContext {
        match &self.impersonator {
            Some((id, login)) => AuditContext {
                actor_id: Some(*id),
                actor_login: login.clone(),
                on_behalf_of: Some((self.user.user.id, self.login())),
                client_addr: self.client_addr.clone(),
            },
            None => AuditContext {
                actor_id: Some(self.user.user.id),
                actor_login: self.login(),
                on_behalf_of: None,
                client_addr: self.client_addr.clone(),
            },
        }
    }
}

/// Build the policy's actor from what the database says about the user and its domain now.
pub async fn actor_for(state: &AppState, record: &UserRecord, domain: &Domain) -> ApiResult<Actor> {
    let user = &record.user;
    let mut actor = Actor::new(
        user.id,
        user.scope,
        domain.reseller_id,
        user.domain_id,
        user.site_id,
    );
    actor.office_managers_manage_users = domain.policy.office_managers_manage_users;
    actor.agent_queues = Arc::from(record.agent_queues.clone());
    if user.scope == Scope::CallCenterSupervisor {
        let (queues, may_edit) = state.store.supervision(user.id).await?;
        actor.supervised_queues = Arc::from(queues);
        actor.may_edit_queue_settings = may_edit;
    }
    Ok(actor)
}

/// A user who can no longer log in is refused, whatever token it holds.
fn must_log_in(record: &UserRecord) -> ApiResult<()> {
    if record.user.scope.can_log_in() {
        Ok(())
    } else {
        Err(ApiError::unauthenticated("this user can no longer log in"))
    }
}

fn bearer(headers: &HeaderMap) -> ApiResult<&str> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthenticated(
            "log in first: send Authorization: Bearer <token> (POST /api/v1/auth/token gives one)",
        )
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthenticated("the Authorization header must be 'Bearer <token>'")
        })
}

/// Authenticate a request by its bearer token (session access token or API key).
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    client_addr: Option<String>,
) -> ApiResult<Caller> {
    let token = bearer(headers)?;
    let now = Timestamp::now();
    if token.starts_with(API_KEY_PREFIX) {
        let key = state
            .store
            .api_key_by_hash(&token_hash(token))
            .await?
            .ok_or_else(|| ApiError::unauthenticated("unknown or revoked API key"))?;
        if key.expires_at.is_some_and(|t| t <= now) {
            return Err(ApiError::unauthenticated(
                "this API key has expired; create a new one",
            ));
        }
        let (record, domain) = state
            .store
            .user_and_domain(key.user_id)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the key's user no longer exists"))?;
        must_log_in(&record)?;
        let mut actor = actor_for(state, &record, &domain).await?;
        // A key never carries more than its creator has now.
        actor.scope = actor.scope.min(key.scope);
        actor.read_only = key.read_only;
        state.store.touch_api_key(key.id, now).await?;
        return Ok(Caller {
            actor,
            user: record,
            domain,
            impersonator: None,
            session_id: None,
            api_key_id: Some(key.id),
            client_addr,
            two_factor_due: false,
        });
    }
    let (session, record, domain) = state
        .store
        .session_for_access(&token_hash(token))
        .await?
        .ok_or_else(|| ApiError::unauthenticated("unknown or ended session; log in again"))?;
    if session.session.access_expires_at <= now {
        return Err(ApiError::unauthenticated(
            "the access token has expired; use your refresh token (POST /api/v1/auth/refresh)",
        ));
    }
    must_log_in(&record)?;
    let mut actor = actor_for(state, &record, &domain).await?;
    actor.reauthenticated = session
        .reauthenticated_at
        .is_some_and(|t| t.0 + state.config.reauth_seconds > now.0);
    // Impersonation rides on the administrator's own login, which passed its own checks.
    let two_factor_due = session.session.impersonator_id.is_none()
        && crate::api::two_factor::required(state, record.user.scope, &domain)
        && crate::api::two_factor::enrolled(state, record.user.id)
            .await?
            .is_none();
    let impersonator = match session.session.impersonator_id {
        Some(id) => {
            let (admin, admin_domain) =
                state.store.user_and_domain(id).await?.ok_or_else(|| {
                    ApiError::unauthenticated("the impersonating administrator no longer exists")
                })?;
            actor.impersonator = Some(id);
            Some((
                id,
                format!("{}@{}", admin.user.extension, admin_domain.name),
            ))
        }
        None => None,
    };
    Ok(Caller {
        actor,
        user: record,
        domain,
        impersonator,
        session_id: Some(session.session.id),
        api_key_id: None,
        client_addr,
        two_factor_due,
    })
}
