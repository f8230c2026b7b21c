//! `GET /api/v1/me`: who the caller is, and everything its scope gives it.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::routes::{Access, Route, route};
use axum::extract::State;
use axum::http::Method;
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::Serialize;
use switchboard_domain::*;
use switchboard_policy::{
    Action, Layout, Reach, Resource, Tab, When, assignable_scopes, landing_layout, layouts_for,
    rules_for,
};

#[derive(Serialize, JsonSchema)]
pub struct MeResponse {
    pub user: User,
    /// `extension@domain`.
    pub login: String,
    pub scope: Scope,
    pub scope_label: &'static str,
    pub domain: DomainSummary,
    pub site_id: Option<SiteId>,
    pub reseller_id: ResellerId,
    /// The administrator acting as this user, while impersonating.
    pub impersonated_by: Option<String>,
    /// Authenticated with a read-only API key.
    pub read_only: bool,
    /// Account Preferences are open (the password was asked again recently).
    pub reauthenticated: bool,
    pub landing_layout: Option<Layout>,
    pub layouts: Vec<LayoutView>,
    /// What the scope may do, resource by resource, in the notation of docs/scopes.md.
    pub permissions: Vec<PermissionView>,
    /// The scopes this caller may give other users.
    pub assignable_scopes: Vec<Scope>,
}

#[derive(Serialize, JsonSchema)]
pub struct DomainSummary {
    pub id: DomainId,
    pub name: DomainName,
}

#[derive(Serialize, JsonSchema)]
pub struct LayoutView {
    pub layout: Layout,
    pub label: &'static str,
    pub tabs: Vec<TabView>,
}

#[derive(Serialize, JsonSchema)]
pub struct TabView {
    pub tab: Tab,
    pub label: &'static str,
}

#[derive(Serialize, JsonSchema)]
pub struct PermissionView {
    pub resource: Resource,
    pub grants: Vec<GrantView>,
}

#[derive(Serialize, JsonSchema)]
pub struct GrantView {
    pub actions: Vec<Action>,
    pub reach: Reach,
    pub when: When,
}

pub fn routes() -> Vec<Route> {
    vec![
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
pub fn describe(caller: &Caller) -> MeResponse {
    let scope = caller.actor.scope;
    let layouts = layouts_for(scope)
        .iter()
        .map(|(layout, tabs)| LayoutView {
            layout: *layout,
            label: layout.label(),
            tabs: tabs
                .iter()
                .map(|t| TabView {
                    tab: *t,
                    label: t.label(),
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
                    })
                    .collect(),
            })
        })
        .collect();
    MeResponse {
        user: caller.user.user.clone(),
        login: caller.login(),
        scope,
        scope_label: scope.label(),
        domain: DomainSummary {
            id: caller.actor.domain_id,
            name: caller.domain.name.clone(),
        },
        site_id: caller.actor.site_id,
        reseller_id: caller.actor.reseller_id,
        impersonated_by: caller.impersonator.as_ref().map(|(_, login)| login.clone()),
        read_only: caller.actor.read_only,
        reauthenticated: caller.actor.reauthenticated,
        landing_layout: landing_layout(scope),
        layouts,
        permissions,
        assignable_scopes: assignable_scopes(&caller.actor),
    }
}

async fn me(
    State(_): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<MeResponse>> {
    Ok(Json(describe(&caller)))
}
