//! Property tests of the invariants of DESIGN §1.1 at the policy level: tenant isolation, site
//! and queue isolation, no escalation, and the agreement of `authorize` with `visibility`.

use proptest::prelude::*;
use std::sync::Arc;
use switchboard_domain::{DomainId, QueueId, ResellerId, Scope, SiteId, UserId};
use switchboard_policy::decide::predicate_matches;
use switchboard_policy::{
    Action, Actor, Denied, Resource, Target, authorize, authorize_create, may_assign_scope,
    visibility,
};

fn scope() -> impl Strategy<Value = Scope> {
    prop::sample::select(Scope::ALL.to_vec())
}
fn resource() -> impl Strategy<Value = Resource> {
    prop::sample::select(Resource::all().collect::<Vec<_>>())
}
fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(Action::ALL.to_vec())
}

/// Small id spaces so that collisions (same domain, same site, shared queues) are common.
fn actor() -> impl Strategy<Value = Actor> {
    (
        scope(),
        1i64..4,
        1i64..3,
        prop::option::of(1i64..4),
        1i64..6,
        prop::collection::vec(1i64..5, 0..3),
        prop::collection::vec(1i64..5, 0..3),
        any::<[bool; 4]>(),
    )
        .prop_map(|(scope, domain, reseller, site, user, sup, agent, flags)| {
            let mut actor = Actor::new(
                UserId(user),
                scope,
                ResellerId(reseller),
                DomainId(domain * 10 + reseller),
                site.map(|s| SiteId(domain * 100 + s)),
            );
            actor.supervised_queues = Arc::from(sup.into_iter().map(QueueId).collect::<Vec<_>>());
            actor.agent_queues = Arc::from(agent.into_iter().map(QueueId).collect::<Vec<_>>());
            actor.may_edit_queue_settings = flags[0];
            actor.office_managers_manage_users = flags[1];
            actor.reauthenticated = flags[2];
            actor.read_only = flags[3];
            actor
        })
}

#[derive(Debug, Clone)]
struct OwnedTarget {
    reseller: i64,
    domain: i64,
    sites: Vec<SiteId>,
    owner: Option<UserId>,
    queues: Vec<QueueId>,
    shared: bool,
    user_scope: Option<Scope>,
}
impl OwnedTarget {
    fn view(&self) -> Target<'_> {
        Target {
            reseller_id: Some(ResellerId(self.reseller)),
            domain_id: Some(DomainId(self.domain * 10 + self.reseller)),
            site_ids: &self.sites,
            owner: self.owner,
            queues: &self.queues,
            shared: self.shared,
            user_scope: self.user_scope,
        }
    }
}
fn target() -> impl Strategy<Value = OwnedTarget> {
    (
        1i64..4,
        1i64..3,
        prop::collection::vec(1i64..4, 0..3),
        prop::option::of(1i64..6),
        prop::collection::vec(1i64..5, 0..3),
        any::<bool>(),
        prop::option::of(scope()),
    )
        .prop_map(
            |(domain, reseller, sites, owner, queues, shared, user_scope)| OwnedTarget {
                reseller,
                domain,
                sites: sites
                    .into_iter()
                    .map(|s| SiteId(domain * 100 + s))
                    .collect(),
                owner: owner.map(UserId),
                queues: queues.into_iter().map(QueueId).collect(),
                shared,
                user_scope,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Nothing below reseller reaches outside its domain; a reseller reaches only its domains.
    #[test]
    fn tenant_isolation(actor in actor(), target in target(), resource in resource(), action in action()) {
        let t = target.view();
        let allowed = authorize(&actor, action, resource, &t).is_ok();
        let outside_domain = t.domain_id != Some(actor.domain_id) && t.owner != Some(actor.user_id);
        if allowed && actor.scope < Scope::Reseller {
            prop_assert!(!outside_domain, "{:?} reached another domain", actor.scope);
        }
        if allowed && actor.scope == Scope::Reseller {
            prop_assert!(t.reseller_id == Some(actor.reseller_id) || t.owner == Some(actor.user_id));
        }
    }

    /// A site manager reaches nothing of another site, beyond what its whole domain shares.
    #[test]
    fn site_isolation(mut actor in actor(), target in target(), resource in resource(), action in action()) {
        actor.scope = Scope::SiteManager;
        let t = target.view();
        let domain_wide = matches!(resource, Resource::Domains | Resource::TimeFramesShared
            | Resource::ContactsShared | Resource::MusicOnHold);
        if !domain_wide && t.owner != Some(actor.user_id) && authorize(&actor, action, resource, &t).is_ok() {
            prop_assert!(actor.site_id.is_some_and(|s| t.site_ids.contains(&s)));
        }
    }

    /// A supervisor reaches queue resources only through the queues it supervises.
    #[test]
    fn queue_isolation(mut actor in actor(), target in target(), action in action()) {
        actor.scope = Scope::CallCenterSupervisor;
        let t = target.view();
        for resource in [Resource::CallQueues, Resource::QueueAgents, Resource::AgentAvailability,
                         Resource::CallHistory, Resource::Reports, Resource::Users] {
            if t.owner != Some(actor.user_id) && authorize(&actor, action, resource, &t).is_ok() {
                prop_assert!(t.queues.iter().any(|q| actor.supervised_queues.contains(q)), "{resource:?}");
            }
        }
    }

    /// No actor creates, promotes, changes or impersonates a user at or above its own scope.
    #[test]
    fn no_escalation(actor in actor(), target in target(), action in action(), new_scope in scope()) {
        let t = target.view();
        if actor.scope != Scope::SuperUser {
            if may_assign_scope(&actor, new_scope) {
                prop_assert!(new_scope < actor.scope);
                prop_assert!(new_scope != Scope::OfficeManager || actor.scope > Scope::OfficeManager);
            }
            let is_self_update = t.owner == Some(actor.user_id) && action == Action::Update;
            for resource in [Resource::Users, Resource::UserScope] {
                if !is_self_update && action != Action::Read && authorize(&actor, action, resource, &t).is_ok() {
                    prop_assert!(t.user_scope.is_some_and(|s| s < actor.scope));
                }
            }
        }
    }

    /// Lists and single reads agree: an object is in the list exactly when it can be read.
    #[test]
    fn lists_agree_with_reads(actor in actor(), target in target(), resource in resource()) {
        // A scope change has no list of its own: it is judged on the user it changes.
        prop_assume!(resource != Resource::UserScope);
        let t = target.view();
        let single = authorize(&actor, Action::Read, resource, &t);
        match visibility(&actor, resource) {
            Ok(v) => prop_assert_eq!(predicate_matches(v.predicate(), &t), single.is_ok(),
                "{:?} {:?}", resource, single),
            Err(_) => prop_assert!(single.is_err()),
        }
    }

    /// A read-only key never changes anything.
    #[test]
    fn read_only_keys_only_read(mut actor in actor(), target in target(), resource in resource(), action in action()) {
        actor.read_only = true;
        if action != Action::Read {
            prop_assert!(authorize(&actor, action, resource, &target.view()).is_err());
            prop_assert!(authorize_create(&actor, resource, &target.view()).is_err());
        }
    }

    /// Out of reach is always NotFound, never Forbidden: a refusal does not reveal existence.
    #[test]
    fn out_of_reach_is_not_found(actor in actor(), target in target(), resource in resource(), action in action()) {
        let t = target.view();
        if authorize(&actor, Action::Read, resource, &t).err() == Some(Denied::NotFound) {
            let read_resource = if resource == Resource::UserScope { Resource::Users } else { resource };
            if read_resource == resource {
                prop_assert_eq!(authorize(&actor, action, resource, &t).err(), Some(Denied::NotFound));
            }
        }
    }
}

#[test]
fn office_manager_never_assigns_office_manager() {
    let actor = Actor::new(
        UserId(1),
        Scope::OfficeManager,
        ResellerId(1),
        DomainId(1),
        None,
    );
    assert!(!may_assign_scope(&actor, Scope::OfficeManager));
    assert!(may_assign_scope(&actor, Scope::SiteManager));
    assert!(may_assign_scope(&actor, Scope::NoPortal));
    let site = Actor {
        scope: Scope::SiteManager,
        ..actor
    };
    assert!(Scope::ALL.iter().all(|s| !may_assign_scope(&site, *s)));
}
