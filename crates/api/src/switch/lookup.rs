//! What every switch connector looks up alike: a domain by the name a switch gives, the
//! `extension@domain` names queues and agents carry on FreeSWITCH and Asterisk, and every
//! domain's queues with their agents.

use crate::AppState;
use crate::error::ApiResult;
use switchboard_domain::{CallQueue, Domain, DomainName, Extension, QueueAgent};
use switchboard_policy::{Resource, operator_visibility};
use switchboard_store::PageRequest;

/// A domain by name, `None` when there is no such domain (or the name cannot be one).
pub async fn domain_named(state: &AppState, name: &str) -> ApiResult<Option<Domain>> {
    let Ok(name) = DomainName::parse(name) else {
        return Ok(None);
    };
    match state
        .store
        .get_domain_by_name(&operator_visibility(Resource::Domains), &name)
        .await
    {
        Ok(d) => Ok(Some(d)),
        Err(switchboard_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The domain the first of these names names (a switch says a call's domain in several
/// places, some of which may hold something else).
pub async fn first_domain_named<I>(state: &AppState, names: I) -> ApiResult<Option<Domain>>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    for name in names {
        if let Some(found) = domain_named(state, name.as_ref()).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A queue or an agent named as the switches name it (`extension@domain`), when the domain is
/// here and the extension is one.
pub async fn qualified(state: &AppState, name: &str) -> ApiResult<Option<(Extension, Domain)>> {
    let Some((extension, domain)) = name.split_once('@') else {
        return Ok(None);
    };
    let Ok(extension) = Extension::parse(extension) else {
        return Ok(None);
    };
    Ok(domain_named(state, domain).await?.map(|d| (extension, d)))
}

/// A queue's or an agent's name in a switch that serves many domains: `extension@domain`.
pub fn qualified_name(extension: &Extension, domain: &DomainName) -> String {
    format!("{extension}@{domain}")
}

/// Every page of a list, one after the other.
pub async fn every_page<T, F, Fut>(mut page: F) -> ApiResult<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = ApiResult<switchboard_store::Page<T>>>,
{
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let got = page(PageRequest { after, limit: 500 }).await?;
        all.extend(got.items);
        match got.next_after {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}

/// A domain's queues, without their agents.
pub async fn queues_in(state: &AppState, domain: &Domain) -> ApiResult<Vec<CallQueue>> {
    let vis = operator_visibility(Resource::CallQueues);
    let id = domain.id;
    every_page(|p| {
        let vis = &vis;
        async move { Ok(state.store.list_call_queues(vis, id, None, p).await?) }
    })
    .await
}

/// A domain's queues, with their agents.
pub async fn queues_of(
    state: &AppState,
    domain: &Domain,
) -> ApiResult<Vec<(Domain, CallQueue, Vec<QueueAgent>)>> {
    let agents_vis = operator_visibility(Resource::QueueAgents);
    let mut all = Vec::new();
    for queue in queues_in(state, domain).await? {
        let agents = state.store.list_queue_agents(&agents_vis, &queue).await?;
        all.push((domain.clone(), queue, agents));
    }
    Ok(all)
}

/// Every domain of the installation.
pub async fn all_domains(state: &AppState) -> ApiResult<Vec<Domain>> {
    let domains_vis = operator_visibility(Resource::Domains);
    every_page(|p| {
        let vis = &domains_vis;
        async move { Ok(state.store.list_domains(vis, None, None, p).await?) }
    })
    .await
}

/// Every queue of every domain, with its agents.
pub async fn all_queues(state: &AppState) -> ApiResult<Vec<(Domain, CallQueue, Vec<QueueAgent>)>> {
    let mut all = Vec::new();
    for domain in all_domains(state).await? {
        all.extend(queues_of(state, &domain).await?);
    }
    Ok(all)
}
