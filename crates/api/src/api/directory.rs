//! Resellers, domains and sites.

use super::users::{NewUserBody, create_user};
use super::{
    CountResponse, ListResponse, field, nullable, page_request, required, resolve_domain,
    visibility_for_list, visibility_for_lookup,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams, double_option};
use crate::routes::{Access, Route, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, Target, authorize, authorize_create};
use switchboard_store::{
    DomainChanges, NewDomain, NewReseller, NewSite, ResellerChanges, SiteChanges,
};

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Contains-search on names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DomainQuery {
    /// Contains-search on name and description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only this reseller's domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reseller_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResellerBody {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// Where its domains' calls leave and are served, unless a domain names its own.
    #[serde(default)]
    pub switch: SwitchRoutes,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ResellerPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<Option<String>>,
    /// Replaces both addresses (an absent one is then inherited from the installation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch: Option<SwitchRoutes>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDomainBody {
    /// DNS-style name used in logins, e.g. `acme.example`.
    pub name: String,
    pub description: String,
    /// IANA time zone, e.g. `America/New_York`.
    pub timezone: String,
    /// The owning reseller; defaults to yours (a super user must name one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reseller_id: Option<i64>,
    #[serde(default)]
    pub policy: DomainPolicy,
    /// Where its calls leave and are served; empty: its reseller's, else the installation's.
    #[serde(default)]
    pub switch: SwitchRoutes,
    /// The domain's first Office Manager, created with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_manager: Option<NewUserBody>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DomainPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Replaces the whole policy (flags and limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<DomainPolicy>,
    /// Replaces both addresses (an absent one is then inherited from the reseller).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch: Option<SwitchRoutes>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct CreatedDomain {
    #[serde(flatten)]
    pub domain: Domain,
    /// The first Office Manager, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_manager: Option<User>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSiteBody {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Option<String>>,
}

pub fn routes() -> Vec<Route> {
    use Access::Guarded;
    use Action::*;
    use Resource::{Domains, Resellers, Sites};
    let m = |method: Method, path, access, summary| {
        route(method, path, access, "organisation", summary)
    };
    vec![
        m(
            Method::GET,
            "/api/v1/resellers",
            Guarded(Resellers, Read),
            "List resellers",
        )
        .query::<SearchQuery>()
        .returns::<ListResponse<Reseller>>()
        .to(list_resellers),
        m(
            Method::GET,
            "/api/v1/resellers/count",
            Guarded(Resellers, Read),
            "Count resellers",
        )
        .query::<SearchQuery>()
        .returns::<CountResponse>()
        .to(count_resellers),
        m(
            Method::POST,
            "/api/v1/resellers",
            Guarded(Resellers, Create),
            "Create a reseller",
        )
        .body::<NewResellerBody>()
        .created::<Reseller>()
        .to(create_reseller),
        m(
            Method::GET,
            "/api/v1/resellers/{reseller}",
            Guarded(Resellers, Read),
            "Get a reseller",
        )
        .returns::<Reseller>()
        .to(get_reseller),
        m(
            Method::PATCH,
            "/api/v1/resellers/{reseller}",
            Guarded(Resellers, Update),
            "Update a reseller",
        )
        .body::<ResellerPatch>()
        .returns::<Reseller>()
        .to(update_reseller),
        m(
            Method::DELETE,
            "/api/v1/resellers/{reseller}",
            Guarded(Resellers, Delete),
            "Delete a reseller without domains",
        )
        .no_content()
        .to(delete_reseller),
        m(
            Method::GET,
            "/api/v1/domains",
            Guarded(Domains, Read),
            "List domains",
        )
        .query::<DomainQuery>()
        .returns::<ListResponse<Domain>>()
        .to(list_domains),
        m(
            Method::GET,
            "/api/v1/domains/count",
            Guarded(Domains, Read),
            "Count domains",
        )
        .query::<DomainQuery>()
        .returns::<CountResponse>()
        .to(count_domains),
        m(
            Method::POST,
            "/api/v1/domains",
            Guarded(Domains, Create),
            "Create a domain, optionally with its first Office Manager",
        )
        .body::<NewDomainBody>()
        .created::<CreatedDomain>()
        .to(create_domain),
        m(
            Method::GET,
            "/api/v1/domains/{domain}",
            Guarded(Domains, Read),
            "Get a domain (profile, policy, limits)",
        )
        .returns::<Domain>()
        .to(get_domain),
        m(
            Method::PATCH,
            "/api/v1/domains/{domain}",
            Guarded(Domains, Update),
            "Update a domain's profile, policy or limits",
        )
        .body::<DomainPatch>()
        .returns::<Domain>()
        .to(update_domain),
        m(
            Method::DELETE,
            "/api/v1/domains/{domain}",
            Guarded(Domains, Delete),
            "Delete a domain and everything in it",
        )
        .no_content()
        .to(delete_domain),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/sites",
            Guarded(Sites, Read),
            "List sites",
        )
        .query::<SearchQuery>()
        .returns::<ListResponse<Site>>()
        .to(list_sites),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/sites/count",
            Guarded(Sites, Read),
            "Count sites",
        )
        .query::<SearchQuery>()
        .returns::<CountResponse>()
        .to(count_sites),
        m(
            Method::POST,
            "/api/v1/domains/{domain}/sites",
            Guarded(Sites, Create),
            "Create a site",
        )
        .body::<NewSiteBody>()
        .created::<Site>()
        .to(create_site),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/sites/{site}",
            Guarded(Sites, Read),
            "Get a site",
        )
        .returns::<Site>()
        .to(get_site),
        m(
            Method::PATCH,
            "/api/v1/domains/{domain}/sites/{site}",
            Guarded(Sites, Update),
            "Update a site",
        )
        .body::<SitePatch>()
        .returns::<Site>()
        .to(update_site),
        m(
            Method::DELETE,
            "/api/v1/domains/{domain}/sites/{site}",
            Guarded(Sites, Delete),
            "Delete an empty site",
        )
        .no_content()
        .to(delete_site),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

fn id_from_path(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().map_err(|_| ApiError::not_found())
}

// ---------- resellers ----------

async fn reseller_by_path(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<Reseller> {
    let vis = visibility_for_lookup(caller, Resource::Resellers)?;
    Ok(state
        .store
        .get_reseller(&vis, ResellerId(id_from_path(raw)?))
        .await?)
}

async fn list_resellers(
    State(state): S,
    Extension(caller): C,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<ListResponse<Reseller>>> {
    let vis = visibility_for_list(&caller, Resource::Resellers)?;
    let page = state
        .store
        .list_resellers(
            &vis,
            q.q.as_deref(),
            page_request(q.cursor.as_deref(), q.limit)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(page, |r| r)))
}

async fn count_resellers(
    State(state): S,
    Extension(caller): C,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<CountResponse>> {
    let vis = visibility_for_list(&caller, Resource::Resellers)?;
    Ok(Json(CountResponse {
        count: state.store.count_resellers(&vis, q.q.as_deref()).await?,
    }))
}

async fn create_reseller(
    State(state): S,
    Extension(caller): C,
    JsonBody(body): JsonBody<NewResellerBody>,
) -> ApiResult<(StatusCode, Json<Reseller>)> {
    let permit = authorize_create(&caller.actor, Resource::Resellers, &Target::default())?;
    let new = NewReseller {
        name: required("name", &body.name, Label::parse)?,
        contact_email: field("contact_email", body.contact_email.as_deref(), Email::parse)?,
        switch: body.switch,
    };
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .store
                .create_reseller(&permit, &caller.audit(), new)
                .await?,
        ),
    ))
}

async fn get_reseller(
    State(state): S,
    Extension(caller): C,
    Path(id): Path<String>,
) -> ApiResult<Json<Reseller>> {
    Ok(Json(reseller_by_path(&state, &caller, &id).await?))
}

async fn update_reseller(
    State(state): S,
    Extension(caller): C,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ResellerPatch>,
) -> ApiResult<Json<Reseller>> {
    let before = reseller_by_path(&state, &caller, &id).await?;
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::Resellers,
        &Target::reseller(before.id),
    )?;
    let changes = ResellerChanges {
        name: field("name", body.name.as_deref(), Label::parse)?,
        contact_email: nullable(
            "contact_email",
            body.contact_email.as_ref().map(|o| o.as_deref()),
            Email::parse,
        )?,
        switch: body.switch,
    };
    Ok(Json(
        state
            .store
            .update_reseller(&permit, &caller.audit(), &before, changes)
            .await?,
    ))
}

async fn delete_reseller(
    State(state): S,
    Extension(caller): C,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let before = reseller_by_path(&state, &caller, &id).await?;
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        Resource::Resellers,
        &Target::reseller(before.id),
    )?;
    if before.id == caller.actor.reseller_id {
        return Err(ApiError::conflict(
            "conflict",
            "you cannot delete the reseller you belong to",
        ));
    }
    state
        .store
        .delete_reseller(&permit, &caller.audit(), &before)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------- domains ----------

fn domain_target(domain: &Domain) -> Target<'static> {
    Target::domain(domain.reseller_id, domain.id)
}

async fn list_domains(
    State(state): S,
    Extension(caller): C,
    QueryParams(q): QueryParams<DomainQuery>,
) -> ApiResult<Json<ListResponse<Domain>>> {
    let vis = visibility_for_list(&caller, Resource::Domains)?;
    let page = state
        .store
        .list_domains(
            &vis,
            q.q.as_deref(),
            q.reseller_id.map(ResellerId),
            page_request(q.cursor.as_deref(), q.limit)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(page, |d| d)))
}

async fn count_domains(
    State(state): S,
    Extension(caller): C,
    QueryParams(q): QueryParams<DomainQuery>,
) -> ApiResult<Json<CountResponse>> {
    let vis = visibility_for_list(&caller, Resource::Domains)?;
    Ok(Json(CountResponse {
        count: state
            .store
            .count_domains(&vis, q.q.as_deref(), q.reseller_id.map(ResellerId))
            .await?,
    }))
}

/// Create a domain (and its first Office Manager when asked).
pub async fn create_domain_service(
    state: &AppState,
    caller: &Caller,
    body: NewDomainBody,
) -> ApiResult<CreatedDomain> {
    let reseller_id = match body.reseller_id {
        Some(id) => {
            let vis = visibility_for_lookup(caller, Resource::Resellers).map_err(|_| {
                ApiError::invalid("reseller_id", format!("no reseller with id {id}"))
            })?;
            state
                .store
                .get_reseller(&vis, ResellerId(id))
                .await
                .map_err(|_| ApiError::invalid("reseller_id", format!("no reseller with id {id}")))?
                .id
        }
        None if caller.actor.scope == Scope::SuperUser => {
            return Err(ApiError::invalid(
                "reseller_id",
                "reseller_id: name the reseller that owns the new domain",
            ));
        }
        None => caller.actor.reseller_id,
    };
    let permit = authorize_create(
        &caller.actor,
        Resource::Domains,
        &Target::reseller(reseller_id),
    )?;
    let new = NewDomain {
        reseller_id,
        name: required("name", &body.name, DomainName::parse)?,
        description: required("description", &body.description, Label::parse)?,
        timezone: required("timezone", &body.timezone, TimeZoneName::parse)?,
        policy: body.policy,
        switch: body.switch,
    };
    // Check the first Office Manager's fields before creating anything.
    if let Some(om) = &body.office_manager {
        om.validate_shape("office_manager.")?;
    }
    let domain = state
        .store
        .create_domain(&permit, &caller.audit(), new)
        .await?;
    let office_manager = match body.office_manager {
        Some(mut om) => {
            om.scope = Some(Scope::OfficeManager);
            Some(create_user(state, caller, &domain, om).await?)
        }
        None => None,
    };
    Ok(CreatedDomain {
        domain,
        office_manager,
    })
}

async fn create_domain(
    State(state): S,
    Extension(caller): C,
    JsonBody(body): JsonBody<NewDomainBody>,
) -> ApiResult<(StatusCode, Json<CreatedDomain>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_domain_service(&state, &caller, body).await?),
    ))
}

async fn get_domain(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
) -> ApiResult<Json<Domain>> {
    Ok(Json(resolve_domain(&state, &caller, &domain).await?))
}

async fn update_domain(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<DomainPatch>,
) -> ApiResult<Json<Domain>> {
    let before = resolve_domain(&state, &caller, &domain).await?;
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::Domains,
        &domain_target(&before),
    )?;
    let changes = DomainChanges {
        description: field("description", body.description.as_deref(), Label::parse)?,
        timezone: field("timezone", body.timezone.as_deref(), TimeZoneName::parse)?,
        policy: body.policy,
        switch: body.switch,
    };
    Ok(Json(
        state
            .store
            .update_domain(&permit, &caller.audit(), &before, changes)
            .await?,
    ))
}

async fn delete_domain(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
) -> ApiResult<StatusCode> {
    let before = resolve_domain(&state, &caller, &domain).await?;
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        Resource::Domains,
        &domain_target(&before),
    )?;
    if before.id == caller.actor.domain_id {
        return Err(ApiError::conflict(
            "conflict",
            "you cannot delete the domain you log in to",
        ));
    }
    let recordings = state
        .store
        .delete_domain(&permit, &caller.audit(), &before)
        .await?;
    for blob in recordings {
        state.blobs.delete(&blob).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------- sites ----------

async fn site_by_path(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    raw: &str,
) -> ApiResult<Site> {
    let vis = visibility_for_lookup(caller, Resource::Sites)?;
    Ok(state
        .store
        .get_site(&vis, domain.id, SiteId(id_from_path(raw)?))
        .await?)
}

async fn list_sites(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<ListResponse<Site>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::Sites)?;
    let page = state
        .store
        .list_sites(
            &vis,
            domain.id,
            q.q.as_deref(),
            page_request(q.cursor.as_deref(), q.limit)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(page, |s| s)))
}

async fn count_sites(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<CountResponse>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::Sites)?;
    Ok(Json(CountResponse {
        count: state
            .store
            .count_sites(&vis, domain.id, q.q.as_deref())
            .await?,
    }))
}

async fn create_site(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<NewSiteBody>,
) -> ApiResult<(StatusCode, Json<Site>)> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let permit = authorize_create(&caller.actor, Resource::Sites, &domain_target(&domain))?;
    let new = NewSite {
        domain_id: domain.id,
        name: required("name", &body.name, Label::parse)?,
        address: body.address.filter(|a| !a.trim().is_empty()),
        timezone: field("timezone", body.timezone.as_deref(), TimeZoneName::parse)?,
    };
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .store
                .create_site(&permit, &caller.audit(), domain.reseller_id, new)
                .await?,
        ),
    ))
}

async fn get_site(
    State(state): S,
    Extension(caller): C,
    Path((domain, site)): Path<(String, String)>,
) -> ApiResult<Json<Site>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(site_by_path(&state, &caller, &domain, &site).await?))
}

async fn update_site(
    State(state): S,
    Extension(caller): C,
    Path((domain, site)): Path<(String, String)>,
    JsonBody(body): JsonBody<SitePatch>,
) -> ApiResult<Json<Site>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = site_by_path(&state, &caller, &domain, &site).await?;
    let sites = [before.id];
    let permit = authorize(
        &caller.actor,
        Action::Update,
        Resource::Sites,
        &domain_target(&domain).in_sites(&sites),
    )?;
    let changes = SiteChanges {
        name: field("name", body.name.as_deref(), Label::parse)?,
        address: body.address,
        timezone: nullable(
            "timezone",
            body.timezone.as_ref().map(|o| o.as_deref()),
            TimeZoneName::parse,
        )?,
    };
    Ok(Json(
        state
            .store
            .update_site(
                &permit,
                &caller.audit(),
                domain.reseller_id,
                &before,
                changes,
            )
            .await?,
    ))
}

async fn delete_site(
    State(state): S,
    Extension(caller): C,
    Path((domain, site)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let before = site_by_path(&state, &caller, &domain, &site).await?;
    let sites = [before.id];
    let permit = authorize(
        &caller.actor,
        Action::Delete,
        Resource::Sites,
        &domain_target(&domain).in_sites(&sites),
    )?;
    state
        .store
        .delete_site(&permit, &caller.audit(), domain.reseller_id, &before)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
