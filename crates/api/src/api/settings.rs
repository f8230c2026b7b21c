//! Phone-system settings over HTTP, written once for every kind: list, count, create, read,
//! update (JSON merge patch) and delete, for the domain's own settings and for a user's.
//! Kind-specific endpoints (routing a number, uploads, the active answering rule, payments,
//! contact import and export) live in `settings_extra.rs` and reuse these pieces.

use super::{CountResponse, DeleteQuery, ListResponse, page_request, resolve_domain, resolve_user};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams, parse_json};
use crate::routes::{Access::Guarded, Route, route};
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{Method, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{
    Action, Denied, Resource, Target, Visibility, Why, authorize, authorize_create, visibility,
};
use switchboard_store::{SettingFilter, SettingKind, UserRecord};

/// Where a kind's settings live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The domain's own (numbers, attendants, invoices, …).
    Domain,
    /// A user's own (phones, answering rules, voicemail).
    User,
    /// Both: shared settings of the domain and personal ones (time frames, contacts).
    Both,
}

/// How a kind appears in the API.
pub trait ApiKind: SettingKind + JsonSchema {
    const PLACEMENT: Placement;
    /// The kind's path segment: `/api/v1/domains/{domain}/{SEGMENT}`.
    const SEGMENT: &'static str;
    /// Fields the server sets (recordings, payments), which a PATCH may not name.
    const SERVER_FIELDS: &'static [&'static str] = &[];
    /// Recordings to remove with the setting.
    fn audio(&self) -> Option<&Audio> {
        None
    }
    /// Adjust a patched body (e.g. stamp a confirmation).
    fn after_patch(&mut self, _before: &Self) {}
}

impl ApiKind for Device {
    const SEGMENT: &'static str = "devices";
    const PLACEMENT: Placement = Placement::User;
}
impl ApiKind for PhoneNumber {
    const SEGMENT: &'static str = "phone-numbers";
    const PLACEMENT: Placement = Placement::Domain;
}
impl ApiKind for TimeFrame {
    const SEGMENT: &'static str = "time-frames";
    const PLACEMENT: Placement = Placement::Both;
}
impl ApiKind for AnswerRule {
    const SEGMENT: &'static str = "answer-rules";
    const PLACEMENT: Placement = Placement::User;
}
impl ApiKind for Contact {
    const SEGMENT: &'static str = "contacts";
    const PLACEMENT: Placement = Placement::Both;
}
impl ApiKind for VoicemailMessage {
    const SEGMENT: &'static str = "voicemail-messages";
    const PLACEMENT: Placement = Placement::User;
    const SERVER_FIELDS: &'static [&'static str] =
        &["audio", "caller_number", "caller_name", "received_at"];
    fn audio(&self) -> Option<&Audio> {
        Some(&self.audio)
    }
}
impl ApiKind for Greeting {
    const SEGMENT: &'static str = "greetings";
    const PLACEMENT: Placement = Placement::User;
    const SERVER_FIELDS: &'static [&'static str] = &["audio", "active"];
    fn audio(&self) -> Option<&Audio> {
        Some(&self.audio)
    }
}
impl ApiKind for MusicOnHold {
    const SEGMENT: &'static str = "music-on-hold";
    const PLACEMENT: Placement = Placement::Domain;
    const SERVER_FIELDS: &'static [&'static str] = &["audio"];
    fn audio(&self) -> Option<&Audio> {
        Some(&self.audio)
    }
}
impl ApiKind for AutoAttendant {
    const SEGMENT: &'static str = "auto-attendants";
    const PLACEMENT: Placement = Placement::Domain;
    const SERVER_FIELDS: &'static [&'static str] = &["greeting"];
    fn audio(&self) -> Option<&Audio> {
        self.greeting.as_ref()
    }
}
impl ApiKind for Conference {
    const SEGMENT: &'static str = "conferences";
    const PLACEMENT: Placement = Placement::Domain;
}
impl ApiKind for EmergencyAddress {
    const SEGMENT: &'static str = "emergency-addresses";
    const PLACEMENT: Placement = Placement::Both;
}
impl ApiKind for Invoice {
    const SEGMENT: &'static str = "invoices";
    const PLACEMENT: Placement = Placement::Domain;
    const SERVER_FIELDS: &'static [&'static str] = &["payment"];
    fn after_patch(&mut self, before: &Self) {
        // The reseller's billing system confirms a submitted payment by marking it paid.
        if self.status == InvoiceStatus::Paid
            && before.status != InvoiceStatus::Paid
            && let Some(payment) = &mut self.payment
        {
            payment.confirmed_at = Some(Timestamp::now());
        }
    }
}
impl ApiKind for AuthorizedContact {
    const SEGMENT: &'static str = "authorized-contacts";
    const PLACEMENT: Placement = Placement::Domain;
}

/// The policy's view of a setting.
pub fn setting_target<'a, K>(domain: &Domain, s: &Setting<K>, sites: &'a [SiteId]) -> Target<'a> {
    let target = Target::domain(domain.reseller_id, domain.id)
        .in_sites(sites)
        .shared(s.user_id.is_none());
    match s.user_id {
        Some(owner) => target.owned_by(owner),
        None => target,
    }
}

fn sites_of<K>(s: &Setting<K>) -> Vec<SiteId> {
    s.reach_site_id.into_iter().collect()
}

/// The resources of a kind, the shared one first.
fn resources<K: SettingKind>() -> Vec<Resource> {
    let mut out = vec![K::resource(false)];
    if K::resource(true) != K::resource(false) {
        out.push(K::resource(true));
    }
    out
}

/// The visibilities that cut a kind's lists (one per resource the caller may read). None at all
/// is 403 for a list, 404 for a lookup; a re-authentication need is always told.
pub fn read_visibilities<K: SettingKind>(
    caller: &Caller,
    lookup: bool,
) -> ApiResult<Vec<Visibility>> {
    let mut out = Vec::new();
    let mut refusal = None;
    for resource in resources::<K>() {
        match visibility(&caller.actor, resource) {
            Ok(v) => out.push(v),
            Err(denied) => refusal = Some(denied),
        }
    }
    match refusal {
        _ if !out.is_empty() => Ok(out),
        Some(Denied::Forbidden(Why::ReauthRequired)) => {
            Err(Denied::Forbidden(Why::ReauthRequired).into())
        }
        Some(denied) if !lookup => Err(denied.into()),
        _ => Err(ApiError::not_found()),
    }
}

fn refs(v: &[Visibility]) -> Vec<&Visibility> {
    v.iter().collect()
}

/// List filters.
#[derive(Deserialize, Serialize, JsonSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct SettingQuery {
    /// Contained in the name, number, email or other searchable fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only this user's (extension, or `~` for yourself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `true`: only the domain's shared settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Turn list parameters into a store filter, resolving `user` (404 when out of reach).
pub async fn setting_filter(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    q: &SettingQuery,
) -> ApiResult<SettingFilter> {
    let owner = match (&q.user, q.shared) {
        (Some(_), Some(true)) => {
            return Err(ApiError::invalid(
                "shared",
                "give either user or shared=true",
            ));
        }
        (Some(user), _) => Some(Some(
            resolve_user(state, caller, domain, user).await?.user.id,
        )),
        (None, Some(true)) => Some(None),
        (None, _) => None,
    };
    Ok(SettingFilter {
        owner,
        q: q.q.clone(),
        key: None,
    })
}

/// A list of settings. `of_a_user`: the list is one user's (`…/users/{user}/…`), which a
/// scope without the right to read it must find missing (404), like any user out of its reach.
pub async fn list_settings<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    q: &SettingQuery,
    of_a_user: bool,
) -> ApiResult<ListResponse<Setting<K>>> {
    let vis = read_visibilities::<K>(caller, of_a_user)?;
    let filter = setting_filter(state, caller, domain, q).await?;
    let page = state
        .store
        .list_settings::<K>(
            &refs(&vis),
            domain.id,
            &filter,
            page_request(q.cursor.as_deref(), q.limit)?,
        )
        .await?;
    Ok(ListResponse::from_page(page, |s| s))
}

/// One setting by id, if the caller can see it (404 otherwise).
pub async fn find_setting<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    raw_id: &str,
) -> ApiResult<Setting<K>> {
    let id = raw_id
        .parse::<i64>()
        .map(Id::new)
        .map_err(|_| ApiError::not_found())?;
    let vis = read_visibilities::<K>(caller, true)?;
    Ok(state
        .store
        .get_setting::<K>(&refs(&vis), domain.id, id)
        .await?)
}

/// Check a body's own rules before asking the database (the store checks them again).
fn checked<K: ApiKind>(body: K) -> ApiResult<K> {
    body.check()
        .map_err(|e| ApiError::invalid(&e.field, format!("{}: {}", e.field, e.message)))?;
    Ok(body)
}

/// Create a domain-level (shared) setting.
pub async fn create_shared<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    body: K,
) -> ApiResult<Setting<K>> {
    create_shared_many(state, caller, domain, vec![body])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("the store created nothing"))
}

/// Create domain-level settings in one transaction (an import's batch: all or nothing).
pub async fn create_shared_many<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    bodies: Vec<K>,
) -> ApiResult<Vec<Setting<K>>> {
    let bodies = bodies
        .into_iter()
        .map(checked)
        .collect::<ApiResult<Vec<_>>>()?;
    let mut permit = None;
    // Each body's site decides; an empty batch needs no permission and stores nothing.
    for body in &bodies {
        let sites: Vec<SiteId> = body.site().into_iter().collect();
        let target = Target::domain(domain.reseller_id, domain.id)
            .in_sites(&sites)
            .shared(true);
        permit = Some(authorize_create(
            &caller.actor,
            K::resource(false),
            &target,
        )?);
    }
    let Some(permit) = permit else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .create_settings(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            domain.id,
            None,
            bodies,
        )
        .await?)
}

/// Create settings of a user (one, or an import's batch, all or nothing).
pub async fn create_owned<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    owner: &UserRecord,
    bodies: Vec<K>,
) -> ApiResult<Vec<Setting<K>>> {
    let bodies = bodies
        .into_iter()
        .map(checked)
        .collect::<ApiResult<Vec<_>>>()?;
    let target = super::user_target(owner);
    let permit = authorize_create(&caller.actor, K::resource(true), &target)?;
    Ok(state
        .store
        .create_settings(
            &permit,
            &caller.audit(),
            owner.reseller_id,
            owner.user.domain_id,
            Some(owner.user.id),
            bodies,
        )
        .await?)
}

/// Replace a setting's body after the policy allowed `action` on it.
pub async fn replace_setting<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    action: Action,
    before: &Setting<K>,
    body: K,
) -> ApiResult<Setting<K>> {
    let body = checked(body)?;
    let sites = sites_of(before);
    let owned = before.user_id.is_some();
    let permit = authorize(
        &caller.actor,
        action,
        K::resource(owned),
        &setting_target(domain, before, &sites),
    )?;
    // A site-placed setting moved to another site must land in the caller's reach too.
    if body.site() != before.body.site() {
        let new_sites: Vec<SiteId> = body.site().into_iter().collect();
        let moved = Target::domain(domain.reseller_id, domain.id)
            .in_sites(&new_sites)
            .shared(!owned);
        authorize_create(&caller.actor, K::resource(owned), &moved)?;
    }
    let mut updated = state
        .store
        .update_settings(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            vec![(before, body)],
        )
        .await?;
    updated
        .pop()
        .ok_or_else(|| ApiError::internal("the store updated nothing"))
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match patch {
        serde_json::Value::Object(fields) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(serde_json::Map::new());
            }
            if let serde_json::Value::Object(map) = target {
                for (key, value) in fields {
                    if value.is_null() {
                        map.remove(key);
                    } else {
                        merge_patch(
                            map.entry(key.clone()).or_insert(serde_json::Value::Null),
                            value,
                        );
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

pub async fn patch_setting<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    before: &Setting<K>,
    patch: serde_json::Value,
) -> ApiResult<Setting<K>> {
    let Some(fields) = patch.as_object() else {
        return Err(ApiError::malformed(
            "a patch is a JSON object of the fields to change",
        ));
    };
    if let Some(field) = K::SERVER_FIELDS.iter().find(|f| fields.contains_key(**f)) {
        return Err(ApiError::invalid(
            field,
            format!("{field} is set by the server and cannot be changed here"),
        ));
    }
    let mut doc = serde_json::to_value(&before.body).map_err(ApiError::internal)?;
    merge_patch(&mut doc, &patch);
    let bytes = serde_json::to_vec(&doc).map_err(ApiError::internal)?;
    let mut body: K = parse_json(&bytes)?;
    body.after_patch(&before.body);
    replace_setting(state, caller, domain, Action::Update, before, body).await
}

pub async fn delete_setting<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    before: &Setting<K>,
    reroute: Option<&switchboard_domain::Route>,
) -> ApiResult<()> {
    let sites = sites_of(before);
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        K::resource(before.user_id.is_some()),
        &setting_target(domain, before, &sites),
    )?;
    state
        .store
        .delete_setting(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            before,
            reroute,
        )
        .await?;
    if let Some(audio) = before.body.audio() {
        state.blobs.delete(&audio.blob).await;
    }
    Ok(())
}

// ---------- handlers ----------

type S = State<AppState>;
type C = Extension<Caller>;

async fn list_in_domain<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<SettingQuery>,
) -> ApiResult<Json<ListResponse<Setting<K>>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(
        list_settings::<K>(&state, &caller, &domain, &q, false).await?,
    ))
}

async fn count_in_domain<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<SettingQuery>,
) -> ApiResult<Json<CountResponse>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = read_visibilities::<K>(&caller, false)?;
    let filter = setting_filter(&state, &caller, &domain, &q).await?;
    let count = state
        .store
        .count_settings::<K>(&refs(&vis), domain.id, &filter)
        .await?;
    Ok(Json(CountResponse { count }))
}

async fn list_of_user<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    QueryParams(mut q): QueryParams<SettingQuery>,
) -> ApiResult<Json<ListResponse<Setting<K>>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    if q.user.is_some() || q.shared.is_some() {
        return Err(ApiError::invalid(
            "user",
            "the user is given by the path here",
        ));
    }
    q.user = Some(user);
    Ok(Json(
        list_settings::<K>(&state, &caller, &domain, &q, true).await?,
    ))
}

async fn create_in_domain<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<K>,
) -> ApiResult<(StatusCode, Json<Setting<K>>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok((
        StatusCode::CREATED,
        Json(create_shared(&state, &caller, &domain, body).await?),
    ))
}

async fn create_for_user<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<K>,
) -> ApiResult<(StatusCode, Json<Setting<K>>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let owner = resolve_user(&state, &caller, &domain, &user).await?;
    let mut created = create_owned(&state, &caller, &owner, vec![body]).await?;
    let created = created
        .pop()
        .ok_or_else(|| ApiError::internal("the store created nothing"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn get_one<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult<Json<Setting<K>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(
        find_setting::<K>(&state, &caller, &domain, &id).await?,
    ))
}

async fn patch_one<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Setting<K>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = find_setting::<K>(&state, &caller, &domain, &id).await?;
    Ok(Json(
        patch_setting(&state, &caller, &domain, &before, patch).await?,
    ))
}

async fn delete_one<K: ApiKind>(
    State(state): S,
    Extension(caller): C,
    Path((domain, id)): Path<(String, String)>,
    QueryParams(q): QueryParams<DeleteQuery>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = find_setting::<K>(&state, &caller, &domain, &id).await?;
    delete_setting(&state, &caller, &domain, &before, q.reroute()?.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The paths of one kind: its domain collection, its user collection, one item.
pub struct Paths {
    pub domain: &'static str,
    pub count: &'static str,
    pub user: &'static str,
    pub item: &'static str,
    pub tag: &'static str,
    /// "a device", for summaries.
    pub noun: &'static str,
}

/// The standard routes of a kind. `json_create` is false for kinds made by upload.
pub fn standard_routes<K: ApiKind>(p: &Paths, json_create: bool) -> Vec<Route> {
    let shared = K::resource(false);
    let personal = K::resource(true);
    let m = |method: Method,
             path: &'static str,
             resource: Resource,
             action: Action,
             summary: String| {
        route(method, path, Guarded(resource, action), p.tag, summary)
    };
    let mut out = vec![
        m(
            Method::GET,
            p.domain,
            shared,
            Action::Read,
            format!("List {}s", p.noun),
        )
        .query::<SettingQuery>()
        .returns::<ListResponse<Setting<K>>>()
        .to(list_in_domain::<K>),
        m(
            Method::GET,
            p.count,
            shared,
            Action::Read,
            format!("Count {}s", p.noun),
        )
        .query::<SettingQuery>()
        .returns::<CountResponse>()
        .to(count_in_domain::<K>),
        m(
            Method::GET,
            p.item,
            shared,
            Action::Read,
            format!("Get a {}", p.noun),
        )
        .returns::<Setting<K>>()
        .to(get_one::<K>),
        m(
            Method::PATCH,
            p.item,
            shared,
            Action::Update,
            format!("Change a {} (JSON merge patch)", p.noun),
        )
        .body::<serde_json::Value>()
        .returns::<Setting<K>>()
        .to(patch_one::<K>),
        m(
            Method::DELETE,
            p.item,
            shared,
            Action::Delete,
            format!("Delete a {}", p.noun),
        )
        .query::<DeleteQuery>()
        .no_content()
        .to(delete_one::<K>),
    ];
    if K::PLACEMENT != Placement::Domain {
        out.push(
            m(
                Method::GET,
                p.user,
                personal,
                Action::Read,
                format!("List a user's {}s", p.noun),
            )
            .query::<SettingQuery>()
            .returns::<ListResponse<Setting<K>>>()
            .to(list_of_user::<K>),
        );
        if json_create {
            out.push(
                m(
                    Method::POST,
                    p.user,
                    personal,
                    Action::Create,
                    format!("Create a user's {}", p.noun),
                )
                .body::<K>()
                .created::<Setting<K>>()
                .to(create_for_user::<K>),
            );
        }
    }
    if K::PLACEMENT != Placement::User && json_create {
        let summary = if K::PLACEMENT == Placement::Both {
            format!("Create a shared {}", p.noun)
        } else {
            format!("Create a {}", p.noun)
        };
        out.push(
            m(Method::POST, p.domain, shared, Action::Create, summary)
                .body::<K>()
                .created::<Setting<K>>()
                .to(create_in_domain::<K>),
        );
    }
    out
}

macro_rules! paths {
    ($segment:literal, $tag:literal, $noun:literal) => {
        Paths {
            domain: concat!("/api/v1/domains/{domain}/", $segment),
            count: concat!("/api/v1/domains/{domain}/", $segment, "/count"),
            user: concat!("/api/v1/domains/{domain}/users/{user}/", $segment),
            item: concat!("/api/v1/domains/{domain}/", $segment, "/{id}"),
            tag: $tag,
            noun: $noun,
        }
    };
}

pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(standard_routes::<Device>(
        &paths!("devices", "phones", "device"),
        true,
    ));
    all.extend(standard_routes::<PhoneNumber>(
        &paths!("phone-numbers", "inventory", "phone number"),
        true,
    ));
    all.extend(standard_routes::<TimeFrame>(
        &paths!("time-frames", "time frames", "time frame"),
        true,
    ));
    all.extend(standard_routes::<AnswerRule>(
        &paths!("answer-rules", "answering rules", "answering rule"),
        true,
    ));
    all.extend(standard_routes::<Contact>(
        &paths!("contacts", "contacts", "contact"),
        true,
    ));
    all.extend(standard_routes::<VoicemailMessage>(
        &paths!("voicemail-messages", "voicemail", "voicemail message"),
        false,
    ));
    all.extend(standard_routes::<Greeting>(
        &paths!("greetings", "voicemail", "greeting"),
        false,
    ));
    all.extend(standard_routes::<MusicOnHold>(
        &paths!("music-on-hold", "music on hold", "music-on-hold file"),
        false,
    ));
    all.extend(standard_routes::<AutoAttendant>(
        &paths!("auto-attendants", "auto attendants", "auto attendant"),
        true,
    ));
    all.extend(standard_routes::<Conference>(
        &paths!("conferences", "conferences", "conference"),
        true,
    ));
    all.extend(standard_routes::<EmergencyAddress>(
        &paths!("emergency-addresses", "account preferences", "911 address"),
        true,
    ));
    all.extend(standard_routes::<Invoice>(
        &paths!("invoices", "account preferences", "invoice"),
        true,
    ));
    all.extend(standard_routes::<AuthorizedContact>(
        &paths!(
            "authorized-contacts",
            "account preferences",
            "authorized contact"
        ),
        true,
    ));
    all
}
