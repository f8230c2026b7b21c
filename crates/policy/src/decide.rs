//! Decisions: `authorize` for one object, `visibility` for lists. Both read the same rules.

use crate::actor::{Actor, Target};
use crate::escalation::outranks;
use crate::matrix::{Action, Reach, Resource, Rule, When, rules_for};
use std::sync::Arc;
use switchboard_domain::{DomainId, QueueId, ResellerId, Scope, SiteId, UserId};

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Out of reach: answered exactly like a missing object.
    NotFound,
    /// Visible, but this action is not allowed.
    Forbidden(Why),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The scope has no such right here.
    NotAllowed,
    /// The API key is read-only.
    ReadOnlyKey,
    /// Account Preferences: ask for the password again.
    ReauthRequired,
    /// The target user's scope is equal to or above the actor's.
    Escalation,
    /// The domain policy does not let Office Managers create or delete users.
    DomainPolicy,
    /// A supervisor whose settings do not allow editing queue settings.
    QueueEditNotAllowed,
    /// Nested impersonation.
    AlreadyImpersonating,
}

impl Why {
    pub fn code(self) -> &'static str {
        match self {
            Why::NotAllowed => "forbidden",
            Why::ReadOnlyKey => "read_only_key",
            Why::ReauthRequired => "reauth_required",
            Why::Escalation => "scope_too_high",
            Why::DomainPolicy => "domain_policy",
            Why::QueueEditNotAllowed => "queue_edit_not_allowed",
            Why::AlreadyImpersonating => "already_impersonating",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            Why::NotAllowed => "your user scope does not allow this",
            Why::ReadOnlyKey => "this API key is read-only",
            Why::ReauthRequired => {
                "enter your password again first (POST /api/v1/auth/reauth): Account Preferences and changes to how you log in ask for it"
            }
            Why::Escalation => "you can only act on users whose scope is below yours",
            Why::DomainPolicy => {
                "the domain policy does not let Office Managers create or delete users; ask your provider"
            }
            Why::QueueEditNotAllowed => {
                "your supervisor settings do not allow changing queue settings"
            }
            Why::AlreadyImpersonating => {
                "not while acting as another user: return to your own account first"
            }
        }
    }
}

/// Proof that the policy allowed `action` on `resource`. Only this module can make one; store
/// methods that write demand it.
#[derive(Debug)]
pub struct Permit {
    resource: Resource,
    action: Action,
}

impl Permit {
    pub fn resource(&self) -> Resource {
        self.resource
    }
    pub fn action(&self) -> Action {
        self.action
    }
}

/// One way a row can be visible. A predicate is a union of atoms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Atom {
    All,
    Reseller(ResellerId),
    Domain(DomainId),
    Site(DomainId, SiteId),
    /// Rows of these queues (for users: agents of these queues).
    Queues(DomainId, Arc<[QueueId]>),
    Owner(UserId),
    Shared(DomainId),
}

/// A backend-neutral filter: the rows matching any atom. Empty means nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predicate(pub Vec<Atom>);

impl Predicate {
    pub fn is_nothing(&self) -> bool {
        self.0.is_empty()
    }
}

/// Permission to list a resource, with the predicate that cuts the list. Only this module can
/// make one; store methods that read lists demand it.
#[derive(Debug, Clone)]
pub struct Visibility {
    resource: Resource,
    predicate: Predicate,
}

impl Visibility {
    pub fn resource(&self) -> Resource {
        self.resource
    }
    pub fn predicate(&self) -> &Predicate {
        &self.predicate
    }
}

fn reaches(actor: &Actor, reach: Reach, target: &Target) -> bool {
    let same_domain = target.domain_id == Some(actor.domain_id);
    match reach {
        Reach::Platform => true,
        Reach::Reseller => target.reseller_id == Some(actor.reseller_id),
        Reach::Domain => same_domain,
        Reach::Site => {
            same_domain
                && actor
                    .site_id
                    .is_some_and(|site| target.site_ids.contains(&site))
        }
        Reach::Queues => {
            same_domain
                && target
                    .queues
                    .iter()
                    .any(|q| actor.supervised_queues.contains(q))
        }
        Reach::AgentQueues => {
            same_domain && target.queues.iter().any(|q| actor.agent_queues.contains(q))
        }
        Reach::Own => target.owner == Some(actor.user_id),
        Reach::Shared => same_domain && target.shared,
    }
}

/// Does a rule's condition hold for this actor now (the domain's policy, its supervisor
/// settings, a recent password)?
pub fn condition_met(actor: &Actor, when: When) -> bool {
    condition_holds(actor, when).is_ok()
}

fn condition_holds(actor: &Actor, when: When) -> Result<(), Why> {
    match when {
        When::Always => Ok(()),
        When::PolicyAllowsUserManagement if actor.office_managers_manage_users => Ok(()),
        When::PolicyAllowsUserManagement => Err(Why::DomainPolicy),
        When::QueueEditAllowed if actor.may_edit_queue_settings => Ok(()),
        When::QueueEditAllowed => Err(Why::QueueEditNotAllowed),
        When::Reauthenticated if actor.reauthenticated => Ok(()),
        When::Reauthenticated => Err(Why::ReauthRequired),
    }
}

/// Can the actor see this object at all? Conditions of read rules (re-auth) are checked later,
/// so that a visible object answers 403, not 404.
fn visible(rules: &[Rule], actor: &Actor, target: &Target) -> Option<When> {
    rules
        .iter()
        .find(|r| r.allows(Action::Read) && reaches(actor, r.reach, target))
        .map(|r| r.when)
}

/// The single-object check. `NotFound` when the object is out of reach, `Forbidden` when the
/// actor may see it but not do this.
pub fn authorize(
    actor: &Actor,
    action: Action,
    resource: Resource,
    target: &Target,
) -> Result<Permit, Denied> {
    let rules = rules_for(actor.scope, resource);
    // A user scope change is judged on the user it changes: seeing the user is enough to be told no.
    let read_resource = if resource == Resource::UserScope {
        Resource::Users
    } else {
        resource
    };
    let read_when =
        visible(rules_for(actor.scope, read_resource), actor, target).ok_or(Denied::NotFound)?;
    if action == Action::Read {
        condition_holds(actor, read_when).map_err(Denied::Forbidden)?;
        return Ok(Permit { resource, action });
    }
    decide_change(actor, action, resource, target, rules)
}

/// The check for creating an object described by `target` inside a container the actor can see
/// (the caller has already resolved the container, answering 404 when it is out of reach).
pub fn authorize_create(
    actor: &Actor,
    resource: Resource,
    target: &Target,
) -> Result<Permit, Denied> {
    decide_change(
        actor,
        Action::Create,
        resource,
        target,
        rules_for(actor.scope, resource),
    )
}

fn decide_change(
    actor: &Actor,
    action: Action,
    resource: Resource,
    target: &Target,
    rules: &[Rule],
) -> Result<Permit, Denied> {
    let mut refusal = Why::NotAllowed;
    let granted = rules.iter().any(|rule| {
        if !rule.grants(action) || !reaches(actor, rule.reach, target) {
            return false;
        }
        match condition_holds(actor, rule.when) {
            Ok(()) => true,
            Err(why) => {
                refusal = why;
                false
            }
        }
    });
    if !granted {
        return Err(Denied::Forbidden(refusal));
    }
    if actor.read_only {
        return Err(Denied::Forbidden(Why::ReadOnlyKey));
    }
    match resource {
        Resource::Users | Resource::UserScope => check_user_rank(actor, action, resource, target)?,
        Resource::ApiKeys => check_key_rank(actor, action, target)?,
        Resource::TwoFactor if action != Action::Read => check_two_factor(actor, target)?,
        _ => {}
    }
    Ok(Permit { resource, action })
}

/// No escalation: changing, deleting, resetting, re-scoping or impersonating another user needs
/// a scope strictly above the target's; a user may update itself (field limits apply elsewhere).
fn check_user_rank(
    actor: &Actor,
    action: Action,
    resource: Resource,
    target: &Target,
) -> Result<(), Denied> {
    if action == Action::Impersonate && actor.impersonator.is_some() {
        return Err(Denied::Forbidden(Why::AlreadyImpersonating));
    }
    let is_self = target.owner == Some(actor.user_id);
    if is_self && action == Action::Update && resource == Resource::Users {
        return Ok(());
    }
    if is_self && action == Action::Impersonate {
        return Err(Denied::Forbidden(Why::NotAllowed));
    }
    let target_scope = target.user_scope.unwrap_or(Scope::SuperUser);
    if outranks(actor.scope, target_scope) {
        Ok(())
    } else {
        Err(Denied::Forbidden(Why::Escalation))
    }
}

/// Two-factor login: one's own authenticator, or another's reset by a scope above it; never
/// while impersonating (the administrator would hold the user's second factor).
fn check_two_factor(actor: &Actor, target: &Target) -> Result<(), Denied> {
    if actor.impersonator.is_some() {
        return Err(Denied::Forbidden(Why::AlreadyImpersonating));
    }
    let target_scope = target.user_scope.unwrap_or(Scope::SuperUser);
    if target.owner == Some(actor.user_id) || outranks(actor.scope, target_scope) {
        Ok(())
    } else {
        Err(Denied::Forbidden(Why::Escalation))
    }
}

/// API keys: a new key's scope is at most its creator's, and is not made while impersonating;
/// another user's key (`target.user_scope` = the key's scope) needs a scope above it.
fn check_key_rank(actor: &Actor, action: Action, target: &Target) -> Result<(), Denied> {
    let key_scope = target.user_scope.unwrap_or(Scope::SuperUser);
    if action == Action::Create {
        if actor.impersonator.is_some() {
            return Err(Denied::Forbidden(Why::AlreadyImpersonating));
        }
        return if key_scope <= actor.scope {
            Ok(())
        } else {
            Err(Denied::Forbidden(Why::Escalation))
        };
    }
    if target.owner == Some(actor.user_id) || outranks(actor.scope, key_scope) {
        Ok(())
    } else {
        Err(Denied::Forbidden(Why::Escalation))
    }
}

/// The list check: `Forbidden` when the scope cannot read this resource at all (or needs
/// re-authentication), otherwise the predicate that cuts every list, count and export.
pub fn visibility(actor: &Actor, resource: Resource) -> Result<Visibility, Denied> {
    let rules = rules_for(actor.scope, resource);
    let mut atoms = Vec::with_capacity(rules.len());
    let mut refusal = Why::NotAllowed;
    for rule in rules.iter().filter(|r| r.allows(Action::Read)) {
        if let Err(why) = condition_holds(actor, rule.when) {
            refusal = why;
            continue;
        }
        atoms.push(match rule.reach {
            Reach::Platform => Atom::All,
            Reach::Reseller => Atom::Reseller(actor.reseller_id),
            Reach::Domain => Atom::Domain(actor.domain_id),
            Reach::Site => match actor.site_id {
                Some(site) => Atom::Site(actor.domain_id, site),
                None => continue, // a site manager without a site sees nothing by site
            },
            Reach::Queues => Atom::Queues(actor.domain_id, actor.supervised_queues.clone()),
            Reach::AgentQueues => Atom::Queues(actor.domain_id, actor.agent_queues.clone()),
            Reach::Own => Atom::Owner(actor.user_id),
            Reach::Shared => Atom::Shared(actor.domain_id),
        });
    }
    let readable_at_all = rules.iter().any(|r| r.allows(Action::Read));
    if !readable_at_all || atoms.is_empty() && refusal != Why::NotAllowed {
        return Err(Denied::Forbidden(refusal));
    }
    Ok(Visibility {
        resource,
        predicate: Predicate(atoms),
    })
}

/// Does the predicate match this object? The in-memory twin of the SQL the store generates;
/// tests use it to check that lists and single-object reads agree.
pub fn predicate_matches(predicate: &Predicate, target: &Target) -> bool {
    predicate.0.iter().any(|atom| match atom {
        Atom::All => true,
        Atom::Reseller(r) => target.reseller_id == Some(*r),
        Atom::Domain(d) => target.domain_id == Some(*d),
        Atom::Site(d, s) => target.domain_id == Some(*d) && target.site_ids.contains(s),
        Atom::Queues(d, qs) => {
            target.domain_id == Some(*d) && target.queues.iter().any(|q| qs.contains(q))
        }
        Atom::Owner(u) => target.owner == Some(*u),
        Atom::Shared(d) => target.domain_id == Some(*d) && target.shared,
    })
}

/// The command line's permit. The operator runs `switchboard` against the database it holds
/// (first super user, demo data, imports), so there is no actor to judge; changes made with it
/// are audited as the operator's. The server never calls this.
pub fn operator_permit(resource: Resource, action: Action) -> Permit {
    Permit { resource, action }
}

/// The command line's view of a whole resource (see [`operator_permit`]).
pub fn operator_visibility(resource: Resource) -> Visibility {
    Visibility {
        resource,
        predicate: Predicate(vec![Atom::All]),
    }
}
