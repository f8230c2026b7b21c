//! Who acts, and what is acted on: the two inputs of every decision.

use std::sync::Arc;
use switchboard_domain::{DomainId, QueueId, ResellerId, Scope, SiteId, UserId};

/// The authenticated caller, as the policy sees it. Built by the server from a session or API
/// key; every field comes from the database, never from the request.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub scope: Scope,
    pub reseller_id: ResellerId,
    pub domain_id: DomainId,
    pub site_id: Option<SiteId>,
    /// Queues a supervisor manages (empty for everyone else).
    pub supervised_queues: Arc<[QueueId]>,
    pub may_edit_queue_settings: bool,
    /// Queues this user is an agent in.
    pub agent_queues: Arc<[QueueId]>,
    /// The domain policy `office_managers_manage_users` of the actor's domain.
    pub office_managers_manage_users: bool,
    /// An API key created read-only.
    pub read_only: bool,
    /// The password was asked again within the last few minutes.
    pub reauthenticated: bool,
    /// Set while an administrator acts as this user: the administrator.
    pub impersonator: Option<UserId>,
}

impl Actor {
    /// A plain actor with no queues and no special state; tests and builders start here.
    pub fn new(
        user_id: UserId,
        scope: Scope,
        reseller_id: ResellerId,
        domain_id: DomainId,
        site_id: Option<SiteId>,
    ) -> Actor {
        Actor {
            user_id,
            scope,
            reseller_id,
            domain_id,
            site_id,
            supervised_queues: Arc::from([]),
            may_edit_queue_settings: false,
            agent_queues: Arc::from([]),
            office_managers_manage_users: false,
            read_only: false,
            reauthenticated: false,
            impersonator: None,
        }
    }
}

/// What a decision is about: where the object lives and whom it belongs to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Target<'a> {
    pub reseller_id: Option<ResellerId>,
    pub domain_id: Option<DomainId>,
    /// The sites the object belongs to (a call can touch several).
    pub site_ids: &'a [SiteId],
    /// The user the object is, or belongs to.
    pub owner: Option<UserId>,
    /// The queues the object belongs to (for a user: the queues it is an agent in).
    pub queues: &'a [QueueId],
    /// A shared item of its domain (shared contacts, shared time frames).
    pub shared: bool,
    /// For users: the target user's scope, for the no-escalation rule.
    pub user_scope: Option<Scope>,
}

impl<'a> Target<'a> {
    pub fn reseller(reseller_id: ResellerId) -> Target<'a> {
        Target {
            reseller_id: Some(reseller_id),
            ..Target::default()
        }
    }
    pub fn domain(reseller_id: ResellerId, domain_id: DomainId) -> Target<'a> {
        Target {
            reseller_id: Some(reseller_id),
            domain_id: Some(domain_id),
            ..Target::default()
        }
    }
    pub fn in_sites(self, site_ids: &'a [SiteId]) -> Target<'a> {
        Target { site_ids, ..self }
    }
    pub fn owned_by(self, owner: UserId) -> Target<'a> {
        Target {
            owner: Some(owner),
            ..self
        }
    }
    pub fn in_queues(self, queues: &'a [QueueId]) -> Target<'a> {
        Target { queues, ..self }
    }
    pub fn with_user_scope(self, scope: Scope) -> Target<'a> {
        Target {
            user_scope: Some(scope),
            ..self
        }
    }
    pub fn shared(self, shared: bool) -> Target<'a> {
        Target { shared, ..self }
    }
}
