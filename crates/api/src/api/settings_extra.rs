//! The endpoints only some kinds of setting have: routing a number, recordings (upload, play,
//! choose the active greeting), the answering rule in force, invoice payment and print.
//! Contact import and export live in `contacts_io`.

use super::settings::{
    ApiKind, create_owned, create_shared, find_setting, read_visibilities, replace_setting,
};
use super::{resolve_domain, resolve_user};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams};
use crate::routes::{Access::Guarded, Route as ApiRoute, route};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, FromRequest, Path, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, authorize};
use switchboard_store::{PageRequest, SettingFilter};

type S = State<AppState>;
type C = Extension<Caller>;

/// The largest upload the router accepts; the configured limit is checked inside.
const UPLOAD_CEILING: usize = 64 * 1024 * 1024;

// ---------- recordings ----------

/// A WAV recording in the body (`Content-Type: audio/wav`), checked whole before anything is
/// stored.
pub struct WavUpload {
    pub bytes: Bytes,
    pub info: WavInfo,
}

impl FromRequest<AppState> for WavUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let media = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(
            media.as_str(),
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave"
        ) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the recording as a WAV file with Content-Type: audio/wav",
            )
            .with_field("audio"));
        }
        let limit = state.config.max_audio_bytes;
        let too_large = || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a recording is at most {} MiB", limit / (1024 * 1024)),
            )
            .with_field("audio")
        };
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::malformed(format!("the recording could not be read: {rejection}"))
            }
        })?;
        if bytes.len() > limit {
            return Err(too_large());
        }
        let info =
            parse_wav(&bytes).map_err(|e| ApiError::invalid("audio", format!("audio: {e}")))?;
        Ok(WavUpload { bytes, info })
    }
}

async fn store_audio(state: &AppState, upload: &WavUpload) -> ApiResult<Audio> {
    let blob = state.blobs.put(&upload.bytes).await.map_err(|e| {
        ApiError::internal(format!(
            "cannot store a recording in {}: {e}",
            state.blobs.dir().display()
        ))
    })?;
    Ok(Audio {
        blob,
        bytes: upload.bytes.len() as u64,
        duration_ms: upload.info.duration_ms,
        sample_rate: upload.info.sample_rate,
        channels: upload.info.channels,
    })
}

/// Remove a stored recording when what was to hold it was refused.
async fn undo_audio<T>(state: &AppState, audio: &Audio, result: ApiResult<T>) -> ApiResult<T> {
    if result.is_err() {
        state.blobs.delete(&audio.blob).await;
    }
    result
}

async fn stream_audio(state: &AppState, audio: &Audio, name: &str) -> ApiResult<Response> {
    let file = state.blobs.open(&audio.blob).await.map_err(|e| {
        tracing::error!("recording {} is missing: {e}", audio.blob);
        ApiError::not_found()
    })?;
    let stream = tokio_util::io::ReaderStream::new(file);
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav".to_owned()),
            (header::CONTENT_LENGTH, audio.bytes.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.wav\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageUploadQuery {
    /// Who called.
    pub caller_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_name: Option<String>,
    /// When the message was left (default: now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
}

async fn upload_message(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    QueryParams(q): QueryParams<MessageUploadQuery>,
    upload: WavUpload,
) -> ApiResult<(StatusCode, Json<Setting<VoicemailMessage>>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let owner = resolve_user(&state, &caller, &domain, &user).await?;
    let caller_number = super::required("caller_number", &q.caller_number, DialString::parse)?;
    let caller_name = super::field("caller_name", q.caller_name.as_deref(), Label::parse)?;
    let received_at = super::field(
        "received_at",
        q.received_at.as_deref(),
        Timestamp::parse_rfc3339,
    )?
    .unwrap_or_else(Timestamp::now);
    let audio = store_audio(&state, &upload).await?;
    let message = VoicemailMessage {
        caller_number,
        caller_name,
        received_at,
        folder: Folder::New,
        read: false,
        audio: audio.clone(),
    };
    let created = create_owned(&state, &caller, &owner, vec![message]).await;
    let mut created = undo_audio(&state, &audio, created).await?;
    let created = created
        .pop()
        .ok_or_else(|| ApiError::internal("the store created nothing"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedUploadQuery {
    pub name: String,
    /// Play order (music on hold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

async fn upload_greeting(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    QueryParams(q): QueryParams<NamedUploadQuery>,
    upload: WavUpload,
) -> ApiResult<(StatusCode, Json<Setting<Greeting>>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let owner = resolve_user(&state, &caller, &domain, &user).await?;
    let name = super::required("name", &q.name, Label::parse)?;
    if q.position.is_some() {
        return Err(ApiError::invalid("position", "greetings have no position"));
    }
    let audio = store_audio(&state, &upload).await?;
    let greeting = Greeting {
        name,
        active: false,
        audio: audio.clone(),
    };
    let created = create_owned(&state, &caller, &owner, vec![greeting]).await;
    let mut created = undo_audio(&state, &audio, created).await?;
    let created = created
        .pop()
        .ok_or_else(|| ApiError::internal("the store created nothing"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn upload_music(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<NamedUploadQuery>,
    upload: WavUpload,
) -> ApiResult<(StatusCode, Json<Setting<MusicOnHold>>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let name = super::required("name", &q.name, Label::parse)?;
    let audio = store_audio(&state, &upload).await?;
    let music = MusicOnHold {
        name,
        position: q.position.unwrap_or(0),
        audio: audio.clone(),
    };
    let created = create_shared(&state, &caller, &domain, music).await;
    Ok((
        StatusCode::CREATED,
        Json(undo_audio(&state, &audio, created).await?),
    ))
}

async fn put_attendant_greeting(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
    upload: WavUpload,
) -> ApiResult<Json<Setting<AutoAttendant>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = find_setting::<AutoAttendant>(&state, &caller, &domain, &id).await?;
    let audio = store_audio(&state, &upload).await?;
    let mut body = before.body.clone();
    body.greeting = Some(audio.clone());
    let updated = replace_setting(&state, &caller, &domain, Action::Update, &before, body).await;
    let updated = undo_audio(&state, &audio, updated).await?;
    if let Some(old) = &before.body.greeting {
        state.blobs.delete(&old.blob).await;
    }
    Ok(Json(updated))
}

async fn play<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let found = find_setting::<K>(&state, &caller, &domain, &id).await?;
    let audio = found.body.audio().ok_or_else(ApiError::not_found)?;
    stream_audio(&state, audio, &format!("{}-{}", K::NOUN, found.id)).await
}

/// Make one greeting the one callers hear (the others stop being active), in one change.
pub async fn activate_greeting(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    chosen: &Setting<Greeting>,
) -> ApiResult<Setting<Greeting>> {
    let sites: Vec<SiteId> = chosen.reach_site_id.into_iter().collect();
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::Voicemail,
        &super::settings::setting_target(domain, chosen, &sites),
    )?;
    let vis = read_visibilities::<Greeting>(caller, true)?;
    let vis: Vec<_> = vis.iter().collect();
    let filter = SettingFilter {
        owner: Some(chosen.user_id),
        ..SettingFilter::default()
    };
    let all = state
        .store
        .list_settings::<Greeting>(
            &vis,
            domain.id,
            &filter,
            PageRequest {
                after: None,
                limit: 1000,
            },
        )
        .await?
        .items;
    let changes: Vec<(&Setting<Greeting>, Greeting)> = all
        .iter()
        .filter(|g| g.body.active != (g.id == chosen.id))
        .map(|g| {
            let mut body = g.body.clone();
            body.active = g.id == chosen.id;
            (g, body)
        })
        .collect();
    let updated = state
        .store
        .update_settings(&permit, &caller.audit(), domain.reseller_id, changes)
        .await?;
    Ok(updated
        .into_iter()
        .find(|g| g.id == chosen.id)
        .unwrap_or_else(|| chosen.clone()))
}

async fn activate(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult<Json<Setting<Greeting>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let chosen = find_setting::<Greeting>(&state, &caller, &domain, &id).await?;
    Ok(Json(
        activate_greeting(&state, &caller, &domain, &chosen).await?,
    ))
}

// ---------- numbers ----------

/// Point a number somewhere. The destination must be in the caller's reach too: a Site
/// Manager routes its site's numbers to its site.
pub async fn route_number(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    before: &Setting<PhoneNumber>,
    to: switchboard_domain::Route,
) -> ApiResult<Setting<PhoneNumber>> {
    let out_of_reach =
        |what: &str| ApiError::invalid("route", format!("route: no {what} in your reach"));
    match &to {
        switchboard_domain::Route::User(e) => {
            resolve_user(state, caller, domain, e.as_str())
                .await
                .map_err(|_| out_of_reach(&format!("user {e}")))?;
        }
        switchboard_domain::Route::CallQueue(e) => {
            let vis = super::visibility_for_lookup(caller, Resource::CallQueues)
                .map_err(|_| out_of_reach(&format!("call queue {e}")))?;
            state
                .store
                .get_call_queue(&vis, domain.id, e)
                .await
                .map_err(|_| out_of_reach(&format!("call queue {e}")))?;
        }
        switchboard_domain::Route::AutoAttendant(e) => {
            find_by_key::<AutoAttendant>(state, caller, domain, e.as_str())
                .await
                .map_err(|_| out_of_reach(&format!("auto attendant {e}")))?;
        }
        switchboard_domain::Route::Conference(e) => {
            find_by_key::<Conference>(state, caller, domain, e.as_str())
                .await
                .map_err(|_| out_of_reach(&format!("conference {e}")))?;
        }
        switchboard_domain::Route::None | switchboard_domain::Route::External(_) => {}
    }
    let mut body = before.body.clone();
    body.route = to;
    replace_setting(state, caller, domain, Action::Route, before, body).await
}

async fn find_by_key<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    key: &str,
) -> ApiResult<Setting<K>> {
    let vis = read_visibilities::<K>(caller, true)?;
    let vis: Vec<_> = vis.iter().collect();
    let filter = SettingFilter {
        key: Some(key.to_owned()),
        ..SettingFilter::default()
    };
    state
        .store
        .list_settings::<K>(
            &vis,
            domain.id,
            &filter,
            PageRequest {
                after: None,
                limit: 1,
            },
        )
        .await?
        .items
        .pop()
        .ok_or_else(ApiError::not_found)
}

async fn put_route(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
    JsonBody(to): JsonBody<switchboard_domain::Route>,
) -> ApiResult<Json<Setting<PhoneNumber>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = find_setting::<PhoneNumber>(&state, &caller, &domain, &id).await?;
    Ok(Json(
        route_number(&state, &caller, &domain, &before, to).await?,
    ))
}

// ---------- answering rules ----------

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AtQuery {
    /// The instant (RFC 3339); default now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The rule in force for a user at an instant, judged in the domain's time zone.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct ActiveRule {
    pub at: Timestamp,
    pub time_zone: String,
    /// Absent when no rule applies (calls ring the user's phones).
    pub rule: Option<Setting<AnswerRule>>,
}

pub async fn active_rule(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    owner: &switchboard_store::UserRecord,
    at: Timestamp,
) -> ApiResult<ActiveRule> {
    let vis = read_visibilities::<AnswerRule>(caller, false)?;
    let vis: Vec<_> = vis.iter().collect();
    let rule = rule_in_force(state, domain, owner.user.id, at, &vis).await?;
    Ok(ActiveRule {
        at,
        time_zone: domain.timezone.to_string(),
        rule,
    })
}

/// The first enabled rule of a user whose time frame is active at `at` on the domain's clock
/// (`vis`: what the asker may read of answering rules).
pub async fn rule_in_force(
    state: &AppState,
    domain: &Domain,
    owner: UserId,
    at: Timestamp,
    vis: &[&switchboard_policy::Visibility],
) -> ApiResult<Option<Setting<AnswerRule>>> {
    let filter = SettingFilter {
        owner: Some(Some(owner)),
        ..SettingFilter::default()
    };
    let all_pages = PageRequest {
        after: None,
        limit: 1000,
    };
    let mut rules = state
        .store
        .list_settings::<AnswerRule>(vis, domain.id, &filter, all_pages)
        .await?
        .items;
    rules.retain(|r| r.body.enabled);
    if rules.is_empty() {
        // Most users have no rule: no need to read the frames (every call asks this).
        return Ok(None);
    }
    rules.sort_by_key(|r| (r.body.position, r.id));
    // The frames the rules use: the domain's shared ones and the user's own.
    let frames = state
        .store
        .list_settings::<TimeFrame>(
            &[
                &switchboard_policy::operator_visibility(Resource::TimeFramesShared),
                &switchboard_policy::operator_visibility(Resource::TimeFramesPersonal),
            ],
            domain.id,
            &SettingFilter::default(),
            all_pages,
        )
        .await?
        .items;
    let tz = jiff::tz::TimeZone::get(domain.timezone.as_str()).map_err(ApiError::internal)?;
    let instant = jiff::Timestamp::from_second(at.0).map_err(ApiError::internal)?;
    Ok(rules.into_iter().find(|r| {
        r.body.enabled
            && match r.body.time_frame_id {
                None => true,
                Some(id) => frames
                    .iter()
                    .find(|f| f.id == id && (f.user_id.is_none() || f.user_id == Some(owner)))
                    .is_some_and(|f| f.body.schedule.is_active(instant, &tz)),
            }
    }))
}

async fn get_active_rule(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    QueryParams(q): QueryParams<AtQuery>,
) -> ApiResult<Json<ActiveRule>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let owner = resolve_user(&state, &caller, &domain, &user).await?;
    let at = super::field("at", q.at.as_deref(), Timestamp::parse_rfc3339)?
        .unwrap_or_else(Timestamp::now);
    Ok(Json(
        active_rule(&state, &caller, &domain, &owner, at).await?,
    ))
}

// ---------- invoices ----------

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    pub amount_cents: i64,
    /// How it was paid, e.g. "ACH" or "card ending 4242".
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

pub async fn submit_payment(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    before: &Setting<Invoice>,
    body: PaymentBody,
) -> ApiResult<Setting<Invoice>> {
    let method = super::required("method", &body.method, Label::parse)?;
    let reference = super::field("reference", body.reference.as_deref(), Label::parse)?;
    if body.amount_cents <= 0 {
        return Err(ApiError::invalid(
            "amount_cents",
            "a payment is more than 0",
        ));
    }
    if before.body.status != InvoiceStatus::Open {
        return Err(ApiError::conflict(
            "conflict",
            "this invoice is not open: a payment was already submitted, or it is paid or void",
        ));
    }
    let mut invoice = before.body.clone();
    invoice.status = InvoiceStatus::PaymentSubmitted;
    invoice.payment = Some(Payment {
        amount_cents: body.amount_cents,
        method,
        reference,
        submitted_at: Timestamp::now(),
        submitted_by: caller.user.user.id,
        confirmed_at: None,
    });
    replace_setting(state, caller, domain, Action::Pay, before, invoice).await
}

async fn pay(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<PaymentBody>,
) -> ApiResult<Json<Setting<Invoice>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = find_setting::<Invoice>(&state, &caller, &domain, &id).await?;
    Ok(Json(
        submit_payment(&state, &caller, &domain, &before, body).await?,
    ))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", c / 100, c % 100)
}

/// A self-contained page the browser can print (or save as PDF).
pub fn printable_invoice(domain: &Domain, invoice: &Setting<Invoice>) -> String {
    let i = &invoice.body;
    let cur = i.currency.as_str();
    let lines: String = i
        .lines
        .iter()
        .map(|l| {
            format!(
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                html_escape(l.description.as_str()),
                l.quantity,
                money(l.unit_price_cents, cur),
                money(
                    i64::from(l.quantity).saturating_mul(l.unit_price_cents),
                    cur
                )
            )
        })
        .collect();
    let status = match i.status {
        InvoiceStatus::Open => "Open".to_owned(),
        InvoiceStatus::PaymentSubmitted => "Payment submitted — awaiting confirmation".to_owned(),
        InvoiceStatus::Paid => "Paid".to_owned(),
        InvoiceStatus::Void => "Void".to_owned(),
    };
    format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Invoice {number}</title>\
<style>body{{font:14px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;color:#111}}\
table{{width:100%;border-collapse:collapse}}td,th{{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}}\
.n{{text-align:right}}tfoot td{{font-weight:bold}}@media print{{body{{margin:0}}}}</style>\
<h1>Invoice {number}</h1><p>{customer}<br>Issued {issued} · due {due}<br>Period {start} to {end}<br>Status: {status}</p>\
<table><thead><tr><th>Description</th><th class=n>Qty</th><th class=n>Unit price</th><th class=n>Amount</th></tr></thead>\
<tbody>{lines}</tbody><tfoot><tr><td colspan=3>Total</td><td class=n>{total}</td></tr></tfoot></table></html>",
        number = html_escape(i.number.as_str()),
        customer = html_escape(domain.name.as_str()),
        issued = i.issued_on,
        due = i.due_on,
        start = i.period_start,
        end = i.period_end,
        total = money(i.total_cents(), cur),
    )
}

async fn printable(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let invoice = find_setting::<Invoice>(&state, &caller, &domain, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // A page to print: its own inline style, nothing loaded, run or framed.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
            ),
        ],
        printable_invoice(&domain, &invoice),
    )
        .into_response())
}

pub fn routes() -> Vec<ApiRoute> {
    use Action::*;
    use Resource::*;
    let m = |method: Method,
             path: &'static str,
             resource: Resource,
             action: Action,
             tag: &'static str,
             summary: &'static str| {
        route(method, path, Guarded(resource, action), tag, summary)
    };
    vec![
        m(Method::PUT, "/api/v1/domains/{domain}/phone-numbers/{id}/route", PhoneNumbers, Route, "inventory", "Route a number (to a user, queue, attendant, conference, an outside number, or nothing)")
            .body::<switchboard_domain::Route>()
            .returns::<Setting<PhoneNumber>>()
            .to(put_route),
        m(Method::POST, "/api/v1/domains/{domain}/users/{user}/voicemail-messages", Voicemail, Create, "voicemail", "Deposit a voicemail message (WAV)")
            .query::<MessageUploadQuery>()
            .upload("audio/wav", UPLOAD_CEILING)
            .created::<Setting<VoicemailMessage>>()
            .to(upload_message),
        m(Method::GET, "/api/v1/domains/{domain}/voicemail-messages/{id}/audio", Voicemail, Read, "voicemail", "Play a voicemail message")
            .file("audio/wav")
            .to(play::<VoicemailMessage>),
        m(Method::POST, "/api/v1/domains/{domain}/users/{user}/greetings", Voicemail, Create, "voicemail", "Upload a greeting (WAV)")
            .query::<NamedUploadQuery>()
            .upload("audio/wav", UPLOAD_CEILING)
            .created::<Setting<Greeting>>()
            .to(upload_greeting),
        m(Method::GET, "/api/v1/domains/{domain}/greetings/{id}/audio", Voicemail, Read, "voicemail", "Play a greeting")
            .file("audio/wav")
            .to(play::<Greeting>),
        m(Method::POST, "/api/v1/domains/{domain}/greetings/{id}/activate", Voicemail, Update, "voicemail", "Make this the greeting callers hear")
            .returns::<Setting<Greeting>>()
            .to(activate),
        m(Method::POST, "/api/v1/domains/{domain}/music-on-hold", MusicOnHold, Create, "music on hold", "Upload hold music (WAV)")
            .query::<NamedUploadQuery>()
            .upload("audio/wav", UPLOAD_CEILING)
            .created::<Setting<switchboard_domain::MusicOnHold>>()
            .to(upload_music),
        m(Method::GET, "/api/v1/domains/{domain}/music-on-hold/{id}/audio", MusicOnHold, Read, "music on hold", "Play hold music")
            .file("audio/wav")
            .to(play::<switchboard_domain::MusicOnHold>),
        m(Method::PUT, "/api/v1/domains/{domain}/auto-attendants/{id}/greeting", AutoAttendants, Update, "auto attendants", "Upload an attendant's greeting (WAV)")
            .upload("audio/wav", UPLOAD_CEILING)
            .returns::<Setting<AutoAttendant>>()
            .to(put_attendant_greeting),
        m(Method::GET, "/api/v1/domains/{domain}/auto-attendants/{id}/greeting", AutoAttendants, Read, "auto attendants", "Play an attendant's greeting")
            .file("audio/wav")
            .to(play::<AutoAttendant>),
        m(Method::GET, "/api/v1/domains/{domain}/users/{user}/answer-rules/active", AnswerRules, Read, "answering rules", "The answering rule in force at an instant")
            .query::<AtQuery>()
            .returns::<ActiveRule>()
            .to(get_active_rule),
        m(Method::POST, "/api/v1/domains/{domain}/invoices/{id}/payment", Invoices, Pay, "account preferences", "Submit a payment (it stays 'payment submitted' until the provider confirms)")
            .body::<PaymentBody>()
            .returns::<Setting<Invoice>>()
            .to(pay),
        m(Method::GET, "/api/v1/domains/{domain}/invoices/{id}/printable", Invoices, Read, "account preferences", "A printable invoice (HTML)")
            .file("text/html")
            .to(printable),
    ]
}
