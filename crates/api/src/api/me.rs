//! `GET /api/v1/me`: who the caller is, and everything its scope gives it.

use super::resolve_domain;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::routes::{Access, Route, route};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{
    Action, Layout, Reach, Resource, Tab, Target, When, assignable_scopes, authorize, check_hide,
    condition_met, landing_layout, rules_for, visible_layouts,
};
use switchboard_store::HiddenTab;

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct MeResponse {
    pub user: User,
    /// `extension@domain`.
    pub login: String,
    pub scope: Scope,
    pub scope_label: std::borrow::Cow<'static, str>,
    pub domain: DomainSummary,
    /// The zone times are shown in to this user: its own, else its domain's.
    pub timezone: TimeZoneName,
    pub site_id: Option<SiteId>,
    pub reseller_id: ResellerId,
    /// The administrator acting as this user, while impersonating.
    pub impersonated_by: Option<String>,
    /// Authenticated with a read-only API key.
    pub read_only: bool,
    /// Account Preferences are open (the password was asked again recently).
    pub reauthenticated: bool,
    /// The domain's policy (or the platform) requires two-factor login of this user and it has
    /// not enrolled yet: until it does, only enrolling is open.
    pub two_factor_due: bool,
    pub landing_layout: Option<Layout>,
    pub layouts: Vec<LayoutView>,
    /// What the scope may do, resource by resource, in the notation of docs/scopes.md.
    pub permissions: Vec<PermissionView>,
    /// The scopes this caller may give other users.
    pub assignable_scopes: Vec<Scope>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct DomainSummary {
    pub id: DomainId,
    pub name: DomainName,
    pub timezone: TimeZoneName,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct LayoutView {
    pub layout: Layout,
    pub label: std::borrow::Cow<'static, str>,
    pub tabs: Vec<TabView>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct TabView {
    pub tab: Tab,
    pub label: std::borrow::Cow<'static, str>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct PermissionView {
    pub resource: Resource,
    pub grants: Vec<GrantView>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct GrantView {
    pub actions: Vec<Action>,
    pub reach: Reach,
    pub when: When,
    /// Whether `when` holds for the caller now (so a page offers only what would be allowed).
    pub holds: bool,
}

/// The tabs a domain hides from its scopes' portal.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalTabs {
    pub hidden: Vec<HiddenTabView>,
}

#[derive(Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HiddenTabView {
    pub scope: Scope,
    pub layout: Layout,
    pub tab: Tab,
}

impl PortalTabs {
    fn from_store(hidden: Vec<HiddenTab>) -> PortalTabs {
        PortalTabs {
            hidden: hidden
                .into_iter()
                .map(|(scope, layout, tab)| HiddenTabView { scope, layout, tab })
                .collect(),
        }
    }
}

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/domains/{domain}/portal-tabs",
            Access::Guarded(Resource::PortalTabSettings, Action::Read),
            "portal",
            "The tabs this domain hides from each scope's portal",
        )
        .returns::<PortalTabs>()
        .to(get_portal_tabs),
        route(
            Method::PUT,
            "/api/v1/domains/{domain}/portal-tabs",
            Access::Guarded(Resource::PortalTabSettings, Action::Update),
            "portal",
            "Replace the tabs this domain hides (hiding grants nothing and blocks no API call)",
        )
        .body::<PortalTabs>()
        .returns::<PortalTabs>()
        .to(put_portal_tabs),
        route(
            Method::GET,
            "/api/v1/me",
            Access::Guarded(Resource::Users, Action::Read),
            "me",
            "Who you are: scope, domain, site, layouts, tabs and permissions",
        )
        .returns::<MeResponse>()
        .to(me),
    ]
}

/// The caller's own view of itself; every scope that can log in may read itself.
/// `hidden` are the tabs the caller's domain hides.
pub fn describe(caller: &Caller, hidden: &[HiddenTab]) -> MeResponse {
    let scope = caller.actor.scope;
    let layouts = visible_layouts(scope, hidden)
        .into_iter()
        .map(|(layout, tabs)| LayoutView {
            layout,
            label: layout.label().into(),
            tabs: tabs
                .into_iter()
                .map(|t| TabView {
                    tab: t,
                    label: t.label().into(),
                })
                .collect(),
        })
        .collect();
    let permissions = Resource::all()
        .filter_map(|resource| {
            let rules = rules_for(scope, resource);
            (!rules.is_empty()).then(|| PermissionView {
                resource,
                grants: rules
                    .iter()
                    .map(|r| GrantView {
                        actions: r.actions().collect(),
                        reach: r.reach,
                        when: r.when,
                        holds: condition_met(&caller.actor, r.when),
                    })
                    .collect(),
            })
        })
        .collect();
    MeResponse {
        user: caller.user.user.clone(),
        login: caller.login(),
        scope,
        scope_label: scope.label().into(),
        domain: DomainSummary {
            id: caller.actor.domain_id,
            name: caller.domain.name.clone(),
            timezone: caller.domain.timezone.clone(),
        },
        timezone: caller
            .user
            .user
            .timezone
            .clone()
            .unwrap_or_else(|| caller.domain.timezone.clone()),
        site_id: caller.actor.site_id,
        reseller_id: caller.actor.reseller_id,
        impersonated_by: caller.impersonator.as_ref().map(|(_, login)| login.clone()),
        read_only: caller.actor.read_only,
        reauthenticated: caller.actor.reauthenticated,
        two_factor_due: caller.two_factor_due,
        landing_layout: landing_layout(scope),
        layouts,
        permissions,
        assignable_scopes: assignable_scopes(&caller.actor),
    }
}

async fn me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<MeResponse>> {
    let hidden = state.store.hidden_tabs(&caller.domain).await?;
    Ok(Json(describe(&caller, &hidden)))
}

fn tabs_target(domain: &Domain) -> Target<'static> {
    Target::domain(domain.reseller_id, domain.id)
}

async fn get_portal_tabs(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(domain): Path<String>,
) -> ApiResult<Json<PortalTabs>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    authorize(
        &caller.actor,
        Action::Read,
        Resource::PortalTabSettings,
        &tabs_target(&domain),
    )?;
    let hidden = state.store.hidden_tabs(&domain).await?;
    Ok(Json(PortalTabs::from_store(hidden)))
}

/// Replace what a domain hides; every entry must name a tab its scope has (not a layout's first).
pub async fn set_portal_tabs(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    body: PortalTabs,
) -> ApiResult<PortalTabs> {
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::PortalTabSettings,
        &tabs_target(domain),
    )?;
    let mut hidden = Vec::with_capacity(body.hidden.len());
    for (i, h) in body.hidden.iter().enumerate() {
        if !h.scope.can_log_in() || h.scope >= Scope::Reseller {
            return Err(ApiError::invalid(
                &format!("hidden[{i}].scope"),
                format!("{} has no portal tabs a domain can hide", h.scope.label()),
            ));
        }
        check_hide(h.scope, h.layout, h.tab)
            .map_err(|why| ApiError::invalid(&format!("hidden[{i}].tab"), why))?;
        hidden.push((h.scope, h.layout, h.tab));
    }
    let saved = state
        .store
        .set_hidden_tabs(&permit, &caller.audit(), domain, &hidden)
        .await?;
    Ok(PortalTabs::from_store(saved))
}

async fn put_portal_tabs(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<PortalTabs>,
) -> ApiResult<Json<PortalTabs>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(set_portal_tabs(&state, &caller, &domain, body).await?))
}
