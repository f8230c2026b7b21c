//! A user's voicemail PIN (DESIGN §2: a personal field, like the password). It is written, never
//! read back: the API keeps only its hash, says whether one is set (`User.voicemail_pin_set`),
//! and answers the media server's question "is this the PIN of that mailbox?"
//! (`POST /switch/voicemail/check`, in `switch::voicemail`).

use super::{Caller, required, resolve_domain, resolve_user, user_permit};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::routes::{Access, Route, route};
use axum::extract::{Extension, Path, State};
use axum::http::{Method, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::VoicemailPin;
use switchboard_policy::{Action, Resource};

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VoicemailPinBody {
    /// 4 to 10 digits, not one digit repeated, not the extension itself.
    pub pin: String,
}

pub fn routes() -> Vec<Route> {
    let m = |method: Method, summary| {
        route(
            method,
            "/api/v1/domains/{domain}/users/{user}/voicemail-pin",
            Access::Guarded(Resource::Users, Action::Update),
            "users",
            summary,
        )
    };
    vec![
        m(Method::PUT, "Set a user's voicemail PIN")
            .body::<VoicemailPinBody>()
            .no_content()
            .to(set),
        m(Method::DELETE, "Clear a user's voicemail PIN")
            .no_content()
            .to(clear),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

async fn set(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<VoicemailPinBody>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    let permit = user_permit(&caller, Action::Update, &target)?;
    let pin = required("pin", &body.pin, VoicemailPin::parse)?;
    if pin.expose() == target.user.extension.as_str() {
        return Err(ApiError::invalid(
            "pin",
            "pin: a voicemail PIN is not the extension itself: choose one harder to guess",
        ));
    }
    let hash = state.hasher.hash_secret(pin.expose()).await?;
    state
        .store
        .set_voicemail_pin(&permit, &caller.audit(), &target, Some(&hash))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let target = resolve_user(&state, &caller, &domain, &user).await?;
    let permit = user_permit(&caller, Action::Update, &target)?;
    state
        .store
        .set_voicemail_pin(&permit, &caller.audit(), &target, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
