//! What an operator does from the command line: the platform's first super user, and acting
//! as a user without a session (the demo loader and the importers).

use crate::AppState;
use crate::auth::{Caller, actor_for};
use crate::error::{ApiError, ApiResult};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, operator_permit, operator_visibility};
use switchboard_store::{AuditContext, NewDomain, NewReseller, NewUser};

/// Create the platform's first super user (reseller "Platform", domain of the login).
pub async fn create_super_user(
    state: &AppState,
    login: &Login,
    password: &Password,
    first_name: &str,
    last_name: &str,
) -> ApiResult<User> {
    let ctx = AuditContext::operator("admin create-super-user");
    let store = &state.store;
    let resellers = operator_visibility(Resource::Resellers);
    let existing = store
        .list_resellers(
            &resellers,
            Some("Platform"),
            switchboard_store::PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await?;
    let reseller = match existing
        .items
        .into_iter()
        .find(|r| r.name.as_str() == "Platform")
    {
        Some(r) => r,
        None => {
            store
                .create_reseller(
                    &operator_permit(Resource::Resellers, Action::Create),
                    &ctx,
                    NewReseller {
                        name: Label::parse("Platform").map_err(ApiError::internal)?,
                        contact_email: None,
                        switch: SwitchRoutes::default(),
                    },
                )
                .await?
        }
    };
    let domain = match store
        .get_domain_by_name(&operator_visibility(Resource::Domains), &login.domain)
        .await
    {
        Ok(d) => d,
        Err(switchboard_store::StoreError::NotFound) => {
            store
                .create_domain(
                    &operator_permit(Resource::Domains, Action::Create),
                    &ctx,
                    NewDomain {
                        reseller_id: reseller.id,
                        name: login.domain.clone(),
                        description: Label::parse("Platform operators")
                            .map_err(ApiError::internal)?,
                        timezone: TimeZoneName::parse("UTC").map_err(ApiError::internal)?,
                        policy: DomainPolicy::default(),
                        switch: SwitchRoutes::default(),
                    },
                )
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let hash = state.hasher.hash(password).await?;
    let new = NewUser {
        domain_id: domain.id,
        site_id: None,
        extension: login.extension.clone(),
        first_name: Label::parse(first_name).map_err(|e| ApiError::invalid("first_name", e.0))?,
        last_name: Label::parse(last_name).map_err(|e| ApiError::invalid("last_name", e.0))?,
        email: None,
        scope: Scope::SuperUser,
        language: None,
        timezone: None,
        caller_id: None,
        password_hash: Some(hash),
    };
    Ok(store
        .create_user(
            &operator_permit(Resource::Users, Action::Create),
            &ctx,
            domain.reseller_id,
            new,
        )
        .await?)
}

/// Act as a user from the command line (the demo loader's administrator).
pub async fn operator_caller(state: &AppState, user: UserId) -> ApiResult<Caller> {
    let (record, domain) = state
        .store
        .user_and_domain(user)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let actor = actor_for(state, &record, &domain).await?;
    Ok(Caller {
        actor,
        user: record,
        domain,
        impersonator: None,
        session_id: None,
        api_key_id: None,
        client_addr: None,
        two_factor_due: false,
    })
}
