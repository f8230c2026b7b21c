//! Two-factor login of one user: its state, enrolling an authenticator (the QR code, then a
//! first code back, then recovery codes shown once), new recovery codes, and turning it off —
//! by the user, or by an administrator above it who resets it.

use super::{resolve_domain, resolve_user, user_target};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::routes::{Access, Route, route};
use crate::two_factor::{
    SecondFactorCode, new_recovery_codes, new_secret, otpauth_uri, qr_svg, recovery_hash,
    recovery_hashes, totp_step,
};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Denied, Permit, Resource, Why, authorize};
use switchboard_store::{SecondFactorProof, TwoFactorRecord, UserRecord};

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct TwoFactorStatus {
    /// Codes are asked at login.
    pub enrolled: bool,
    pub enrolled_at: Option<Timestamp>,
    /// An authenticator was shown but its first code has not come back yet.
    pub enrolling: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
    /// The domain's policy or the platform's setting asks this user for a second factor.
    pub required: bool,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct TwoFactorEnrolment {
    /// The shared secret (base32), for typing into an app that cannot read the QR code.
    pub secret: String,
    /// The `otpauth://totp/…` address the QR code holds.
    pub otpauth_uri: String,
    /// The QR code, an SVG image.
    pub qr_svg: String,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The six digits the authenticator app shows now.
    pub code: String,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct RecoveryCodes {
    /// Each works once in place of a code; shown this once only, so keep them somewhere safe.
    pub recovery_codes: Vec<String>,
}

const PATH: &str = "/api/v1/domains/{domain}/users/{user}/two-factor";

pub fn routes() -> Vec<Route> {
    use Access::Guarded;
    use Resource::TwoFactor;
    vec![
        route(
            Method::GET,
            PATH,
            Guarded(TwoFactor, Action::Read),
            "two-factor",
            "Whether a user logs in with a second factor, and how many recovery codes are left",
        )
        .returns::<TwoFactorStatus>()
        .to(status),
        route(
            Method::POST,
            PATH,
            Guarded(TwoFactor, Action::Create),
            "two-factor",
            "Start enrolling your authenticator app: a new secret and its QR code (re-auth)",
        )
        .created::<TwoFactorEnrolment>()
        .to(begin),
        route(
            Method::POST,
            "/api/v1/domains/{domain}/users/{user}/two-factor/confirm",
            Guarded(TwoFactor, Action::Create),
            "two-factor",
            "Finish enrolling with the app's current code; answers the recovery codes, once (re-auth)",
        )
        .body::<CodeBody>()
        .returns::<RecoveryCodes>()
        .to(confirm),
        route(
            Method::POST,
            "/api/v1/domains/{domain}/users/{user}/two-factor/recovery-codes",
            Guarded(TwoFactor, Action::Update),
            "two-factor",
            "New recovery codes in place of all the old ones (re-auth)",
        )
        .returns::<RecoveryCodes>()
        .to(renew_codes),
        route(
            Method::DELETE,
            PATH,
            Guarded(TwoFactor, Action::Delete),
            "two-factor",
            "Turn two-factor login off: your own, or reset a user's below your scope (re-auth)",
        )
        .no_content()
        .to(remove),
    ]
}

/// Is a second factor asked of this user, by its domain's policy or the platform's setting?
pub fn required(state: &AppState, scope: Scope, domain: &Domain) -> bool {
    (scope.is_provider() && state.config.two_factor_for_providers)
        || (scope.is_domain_manager() && domain.policy.two_factor_for_managers)
}

/// The user in `{domain}/{user}` and a permit for `action` on its two-factor login. Whoever
/// may not even read it finds no such thing (404), as for every per-user setting.
async fn subject(
    state: &AppState,
    caller: &Caller,
    domain: &str,
    user: &str,
    action: Action,
) -> ApiResult<(Domain, UserRecord, Permit)> {
    let domain = resolve_domain(state, caller, domain).await?;
    let user = resolve_user(state, caller, &domain, user).await?;
    let target = user_target(&user);
    authorize(&caller.actor, Action::Read, Resource::TwoFactor, &target).map_err(|denied| {
        match denied {
            Denied::Forbidden(Why::ReauthRequired) => ApiError::from(denied),
            _ => ApiError::not_found(),
        }
    })?;
    let permit = authorize(&caller.actor, action, Resource::TwoFactor, &target)?;
    Ok((domain, user, permit))
}

async fn status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<Json<TwoFactorStatus>> {
    let (domain, user, _) = subject(&state, &caller, &domain, &user, Action::Read).await?;
    let record = state.store.two_factor(user.user.id).await?;
    Ok(Json(TwoFactorStatus {
        enrolled: record.as_ref().is_some_and(|r| r.enrolled()),
        enrolled_at: record.as_ref().and_then(|r| r.confirmed_at),
        enrolling: record.as_ref().is_some_and(|r| !r.enrolled()),
        recovery_codes_left: record.map_or(0, |r| r.recovery_codes_left),
        required: required(&state, user.user.scope, &domain),
    }))
}

fn account_name(user: &UserRecord, domain: &Domain) -> String {
    format!("{}@{}", user.user.extension, domain.name)
}

async fn begin(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<TwoFactorEnrolment>)> {
    let (domain, user, permit) = subject(&state, &caller, &domain, &user, Action::Create).await?;
    let secret = new_secret();
    let uri = otpauth_uri(
        &secret,
        &account_name(&user, &domain),
        &state.config.two_factor_issuer,
    )?;
    state
        .store
        .begin_two_factor(&permit, &user, &secret)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TwoFactorEnrolment {
            qr_svg: qr_svg(&uri)?,
            otpauth_uri: uri,
            secret,
        }),
    ))
}

async fn confirm(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<CodeBody>,
) -> ApiResult<Json<RecoveryCodes>> {
    let (_, user, permit) = subject(&state, &caller, &domain, &user, Action::Create).await?;
    let SecondFactorCode::Totp(code) = SecondFactorCode::from_field(&body.code)? else {
        return Err(ApiError::invalid(
            "code",
            "code: enter the six digits your authenticator app shows for Switchboard",
        ));
    };
    let pending = state
        .store
        .two_factor(user.user.id)
        .await?
        .filter(|r| !r.enrolled())
        .ok_or_else(|| {
            ApiError::conflict(
                "conflict",
                "there is no enrolment to finish: start one first (POST …/two-factor)",
            )
        })?;
    let Some(step) = totp_step(&pending.secret, &code, Timestamp::now().0)? else {
        return Err(ApiError::invalid(
            "code",
            "code: that is not the code the app shows now; check the phone's clock and try the next one",
        ));
    };
    let codes = new_recovery_codes();
    let confirmed = state
        .store
        .confirm_two_factor(
            &permit,
            &caller.audit(),
            &user,
            step,
            &recovery_hashes(&codes),
        )
        .await?;
    if !confirmed {
        return Err(ApiError::conflict(
            "conflict",
            "this enrolment was finished or replaced meanwhile",
        ));
    }
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

async fn renew_codes(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<Json<RecoveryCodes>> {
    let (_, user, permit) = subject(&state, &caller, &domain, &user, Action::Update).await?;
    let codes = new_recovery_codes();
    state
        .store
        .replace_recovery_codes(&permit, &caller.audit(), &user, &recovery_hashes(&codes))
        .await
        .map_err(|e| match e {
            switchboard_store::StoreError::NotFound => ApiError::conflict(
                "conflict",
                "two-factor login is off: enrol an authenticator first",
            ),
            other => other.into(),
        })?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (_, user, permit) = subject(&state, &caller, &domain, &user, Action::Delete).await?;
    state
        .store
        .remove_two_factor(&permit, &caller.audit(), &user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user's authenticator, when two-factor login is on for it.
pub async fn enrolled(state: &AppState, user: UserId) -> ApiResult<Option<TwoFactorRecord>> {
    Ok(state.store.two_factor(user).await?.filter(|r| r.enrolled()))
}

/// Check a second factor given at login or re-authentication against the user's enrolled
/// authenticator, and take it: a TOTP code of a step not taken before, or an unused recovery
/// code. Audited when taken.
pub async fn spend_code(
    state: &AppState,
    ctx: &switchboard_store::AuditContext,
    user: &UserRecord,
    record: &TwoFactorRecord,
    code: &SecondFactorCode,
) -> ApiResult<bool> {
    let proof_hash;
    let proof = match code {
        SecondFactorCode::Totp(digits) => {
            match totp_step(&record.secret, digits, Timestamp::now().0)? {
                Some(step) => SecondFactorProof::Step(step),
                None => return Ok(false),
            }
        }
        SecondFactorCode::Recovery(normalised) => {
            proof_hash = recovery_hash(normalised);
            SecondFactorProof::RecoveryCode(&proof_hash)
        }
    };
    Ok(state.store.spend_second_factor(ctx, user, proof).await?)
}
