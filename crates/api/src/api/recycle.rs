//! Recycling a user: an Office Manager or Site Manager hands an extension to a new person in
//! one step (the Stratus knowledge base's "Recycle Old Users into New Users"). The extension,
//! its phones, queues and call history stay; the name, email and password are the new
//! person's, the phones get new SIP passwords (shown this once), and the old person's
//! voicemail, greetings, contacts and answering rules are cleared unless kept. One audited
//! change (`user.recycle`); the old person's sessions, API keys and second factor end.

use super::sip::{SipPassword, ha1, new_password};
use super::{Caller, field, required, resolve_domain, resolve_user, user_permit};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::routes::{Access, Route, route};
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::{Email, Label, Password, User};
use switchboard_policy::{Action, Resource, operator_visibility};
use switchboard_store::Recycling;

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecycleBody {
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The new person's password, at least 10 characters.
    pub password: String,
    /// Keep the old person's voicemail messages (default: cleared).
    #[serde(default)]
    pub keep_voicemail: bool,
    /// Keep the recorded greetings.
    #[serde(default)]
    pub keep_greetings: bool,
    /// Keep the personal contacts.
    #[serde(default)]
    pub keep_contacts: bool,
    /// Keep the answering rules and the time frames they use.
    #[serde(default)]
    pub keep_answering_rules: bool,
}

/// What was cleared.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default)]
pub struct ClearedCounts {
    pub voicemail_messages: u64,
    pub greetings: u64,
    pub contacts: u64,
    pub answering_rules: u64,
    pub time_frames: u64,
}

/// A phone's new SIP password, shown this once.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
pub struct PhonePassword {
    pub device_id: i64,
    pub login: SipPassword,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
pub struct Recycled {
    pub user: User,
    pub sip_passwords: Vec<PhonePassword>,
    pub cleared: ClearedCounts,
}

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::POST,
        "/api/v1/domains/{domain}/users/{user}/recycle",
        Access::Guarded(Resource::Users, Action::Update),
        "users",
        "Hand a user's extension to a new person: new name, email, password and SIP passwords; voicemail, greetings, contacts and answering rules cleared unless kept; call history kept",
    )
    .body::<RecycleBody>()
    .returns::<Recycled>()
    .to(recycle)]
}

async fn recycle(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<RecycleBody>,
) -> ApiResult<Json<Recycled>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    let permit = user_permit(&caller, Action::Update, &target)?;
    if target.user.id == caller.user.user.id {
        return Err(ApiError::conflict(
            "own_extension",
            "you cannot hand your own extension to someone else: ask another manager",
        ));
    }
    // Everything is checked before anything changes.
    let first_name = required("first_name", &body.first_name, Label::parse)?;
    let last_name = required("last_name", &body.last_name, Label::parse)?;
    let email = field("email", body.email.as_deref(), Email::parse)?;
    let password = required("password", &body.password, Password::parse)?;
    let password_hash = state.hasher.hash(&password).await?;
    let realm = domain.name.to_string();
    let devices = operator_visibility(Resource::Devices);
    let mut sip_passwords = Vec::new();
    let mut sip_ha1s = Vec::new();
    for login in state
        .store
        .sip_accounts_of_user(&devices, target.user.id)
        .await?
        .into_iter()
        .filter(|l| l.issued)
    {
        let password = new_password();
        sip_ha1s.push((
            login.device_id.get(),
            ha1(&login.username, &realm, &password),
        ));
        sip_passwords.push(PhonePassword {
            device_id: login.device_id.get(),
            login: SipPassword {
                username: login.username,
                realm: realm.clone(),
                password,
            },
        });
    }
    let (user, cleared) = state
        .store
        .recycle_user(
            &permit,
            &caller.audit(),
            &target,
            &Recycling {
                first_name,
                last_name,
                email,
                password_hash,
                sip_ha1s,
                keep_voicemail: body.keep_voicemail,
                keep_greetings: body.keep_greetings,
                keep_contacts: body.keep_contacts,
                keep_answering_rules: body.keep_answering_rules,
            },
        )
        .await?;
    for blob in &cleared.recordings {
        state.blobs.delete(blob).await;
    }
    // The switches hear of the new logins (Asterisk's members, FreeSWITCH's directory).
    state
        .switch
        .changed(crate::switch::SwitchChange::Agent(target.user.id));
    Ok(Json(Recycled {
        user,
        sip_passwords,
        cleared: ClearedCounts {
            voicemail_messages: cleared.voicemail_messages,
            greetings: cleared.greetings,
            contacts: cleared.contacts,
            answering_rules: cleared.answering_rules,
            time_frames: cleared.time_frames,
        },
    }))
}
