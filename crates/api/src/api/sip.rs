//! A device's SIP login: its username, a password shown once when issued (only its HA1 is kept,
//! which is what a switch checks a digest login against), enabling and disabling it, and the
//! registration the switch last reported. Cut to the caller's reach like the device itself.

use super::resolve_domain;
use super::settings::{find_setting, setting_target};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::routes::{Access::Guarded, Route, route};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::Method;
use md5::{Digest, Md5};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, authorize, visibility};
use switchboard_store::{SettingKind, SipAccount};

/// Where a phone registered from, as the switch last reported it.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
pub struct RegistrationView {
    pub contact: String,
    pub user_agent: Option<String>,
    /// The address the registration came from.
    pub source: Option<String>,
    pub registered_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A device's SIP login, without its password.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
pub struct SipLogin {
    /// The digest username; the realm is the domain's name.
    pub username: String,
    pub realm: String,
    /// A password has been issued.
    pub issued: bool,
    pub enabled: bool,
    pub issued_at: Option<Timestamp>,
    /// Absent while the device is not registered.
    pub registration: Option<RegistrationView>,
}

/// A newly issued SIP password: shown this once, never again.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
pub struct SipPassword {
    pub username: String,
    pub realm: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SipLoginPatch {
    /// A disabled login cannot register or call.
    pub enabled: bool,
}

pub fn routes() -> Vec<Route> {
    let m = |method, path, action, summary| {
        route(
            method,
            path,
            Guarded(Resource::Devices, action),
            "phones",
            summary,
        )
    };
    vec![
        m(
            Method::GET,
            "/api/v1/domains/{domain}/devices/{id}/sip",
            Action::Read,
            "A device's SIP login and registration (never its password)",
        )
        .returns::<SipLogin>()
        .to(get_login),
        m(
            Method::PUT,
            "/api/v1/domains/{domain}/devices/{id}/sip",
            Action::Update,
            "Enable or disable a device's SIP login",
        )
        .body::<SipLoginPatch>()
        .returns::<SipLogin>()
        .to(put_login),
        m(
            Method::POST,
            "/api/v1/domains/{domain}/devices/{id}/sip/password",
            Action::Update,
            "Issue (or rotate) a device's SIP password; the answer is the only time it is shown",
        )
        .created::<SipPassword>()
        .to(issue_password),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

/// The HA1 a switch checks a digest login against: MD5 of `username:realm:password`.
pub fn ha1(username: &str, realm: &str, password: &str) -> String {
    hex::encode(Md5::digest(
        format!("{username}:{realm}:{password}").as_bytes(),
    ))
}

/// 24 random letters and digits (about 140 bits): easy to type into a phone's settings.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(24);
    while out.len() < 24 {
        let mut byte = [0u8; 1];
        OsRng.fill_bytes(&mut byte);
        // Rejection keeps every character equally likely.
        if let Some(c) = ALPHABET.get(usize::from(byte[0] & 63)) {
            out.push(char::from(*c));
        }
    }
    out
}

/// A device's SIP username: its owner's extension and the device's id (`105-3`).
fn username_for(device: &Setting<Device>, owner: Option<&str>) -> String {
    match owner {
        Some(ext) => format!("{ext}-{}", device.id.get()),
        None => format!("device-{}", device.id.get()),
    }
}

fn view(domain: &Domain, account: Option<SipAccount>, fallback_username: String) -> SipLogin {
    match account {
        Some(a) => SipLogin {
            username: a.username,
            realm: domain.name.to_string(),
            issued: a.issued,
            enabled: a.enabled,
            issued_at: a.issued_at,
            registration: a.registration.map(|r| RegistrationView {
                contact: r.contact,
                user_agent: r.user_agent,
                source: r.source,
                registered_at: r.registered_at,
                expires_at: r.expires_at,
            }),
        },
        None => SipLogin {
            username: fallback_username,
            realm: domain.name.to_string(),
            issued: false,
            enabled: false,
            issued_at: None,
            registration: None,
        },
    }
}

async fn owner_extension(state: &AppState, device: &Setting<Device>) -> ApiResult<Option<String>> {
    let Some(owner) = device.user_id else {
        return Ok(None);
    };
    let dir = state.store.extension_directory(device.domain_id).await?;
    Ok(dir.user_extension(owner).map(str::to_owned))
}

/// A device's SIP login as the caller may see it.
pub async fn sip_login(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    device: &Setting<Device>,
) -> ApiResult<SipLogin> {
    let vis = visibility(&caller.actor, Device::resource(true))?;
    let account = state.store.sip_account(&vis, device).await?;
    let fallback = username_for(device, owner_extension(state, device).await?.as_deref());
    Ok(view(domain, account, fallback))
}

async fn get_login(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult<Json<SipLogin>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let device = find_setting::<Device>(&state, &caller, &domain, &id).await?;
    Ok(Json(sip_login(&state, &caller, &domain, &device).await?))
}

fn device_permit(
    caller: &Caller,
    domain: &Domain,
    device: &Setting<Device>,
    action: Action,
) -> ApiResult<switchboard_policy::Permit> {
    let sites: Vec<SiteId> = device.reach_site_id.into_iter().collect();
    Ok(authorize(
        &caller.actor,
        action,
        Device::resource(device.user_id.is_some()),
        &setting_target(domain, device, &sites),
    )?)
}

async fn put_login(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<SipLoginPatch>,
) -> ApiResult<Json<SipLogin>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let device = find_setting::<Device>(&state, &caller, &domain, &id).await?;
    let permit = device_permit(&caller, &domain, &device, Action::Update)?;
    let account = state
        .store
        .set_sip_enabled(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            &device,
            body.enabled,
        )
        .await?;
    owner_changed(&state, &device);
    Ok(Json(view(&domain, Some(account), String::new())))
}

/// The owner's queue agent dials its logins: the switch hears of a login made or turned off.
fn owner_changed(state: &AppState, device: &Setting<Device>) {
    if let Some(owner) = device.user_id {
        state
            .switch
            .changed(crate::switch::SwitchChange::Agent(owner));
    }
}

/// Issue (or rotate) a device's SIP password. The password is shown only now, so whoever may
/// read the device (its owner, a manager who reaches it) may ask for a new one.
pub async fn issue_sip_password(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    device: &Setting<Device>,
) -> ApiResult<SipPassword> {
    let permit = device_permit(caller, domain, device, Action::Read)?;
    let username = username_for(device, owner_extension(state, device).await?.as_deref());
    let realm = domain.name.to_string();
    let password = new_password();
    state
        .store
        .issue_sip_password(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            device,
            &username,
            &ha1(&username, &realm, &password),
        )
        .await?;
    owner_changed(state, device);
    Ok(SipPassword {
        username,
        realm,
        password,
    })
}

async fn issue_password(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult<(axum::http::StatusCode, Json<SipPassword>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let device = find_setting::<Device>(&state, &caller, &domain, &id).await?;
    let issued = issue_sip_password(&state, &caller, &domain, &device).await?;
    Ok((axum::http::StatusCode::CREATED, Json(issued)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ha1_is_the_md5_of_user_realm_password() {
        // RFC 2617's example: Mufasa:testrealm@host.com:Circle Of Life.
        assert_eq!(
            ha1("Mufasa", "testrealm@host.com", "Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9"
        );
    }

    #[test]
    fn passwords_are_long_random_and_typeable() {
        let a = new_password();
        assert_eq!(a.len(), 24);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, new_password());
    }
}
