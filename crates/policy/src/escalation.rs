//! No escalation (DESIGN §1.1, invariant 2): which scopes an actor may give, and which fields of a
//! user it may change.

use crate::actor::Actor;
use switchboard_domain::{Scope, UserId};

/// May a user of scope `actor` act on (modify, reset, impersonate) a user of scope `target`?
/// Strictly below, except that a super user may act on anyone.
pub fn outranks(actor: Scope, target: Scope) -> bool {
    actor == Scope::SuperUser || target < actor
}

/// May the actor give a user this scope (on create or on a scope change)?
pub fn may_assign_scope(actor: &Actor, scope: Scope) -> bool {
    match actor.scope {
        Scope::SuperUser => true,
        Scope::Reseller => scope < Scope::Reseller,
        Scope::OfficeManager => scope < Scope::OfficeManager,
        _ => false,
    }
}

/// The scopes the actor may give, most powerful first.
pub fn assignable_scopes(actor: &Actor) -> Vec<Scope> {
    Scope::ALL
        .into_iter()
        .filter(|s| may_assign_scope(actor, *s))
        .collect()
}

/// Groups of user fields, for the field limits of DESIGN §2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserFields {
    /// Names, email, password, language, time zone, voicemail PIN.
    pub personal: bool,
    /// Extension and caller ID.
    pub administrative: bool,
    /// The user's site.
    pub site: bool,
}

/// Which fields the actor may change on `target`, once `authorize` allowed the update.
pub fn user_update_allowance(actor: &Actor, target: UserId) -> UserFields {
    if target == actor.user_id {
        return UserFields {
            personal: true,
            administrative: false,
            site: false,
        };
    }
    match actor.scope {
        Scope::SuperUser | Scope::Reseller | Scope::OfficeManager => UserFields {
            personal: true,
            administrative: true,
            site: true,
        },
        Scope::SiteManager => UserFields {
            personal: true,
            administrative: true,
            site: false,
        },
        _ => UserFields {
            personal: false,
            administrative: false,
            site: false,
        },
    }
}

/// Groups of call-queue fields, for the field limits of queue updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFields {
    /// Name and extension.
    pub identity: bool,
    /// The site the queue is designated for.
    pub site: bool,
    /// Ring strategy, waits, callers, wrap-up, overflow.
    pub behaviour: bool,
}

/// Which queue fields the actor may change, once `authorize` allowed the update: a supervisor
/// changes queue behaviour only; a Site Manager never moves a queue to another site.
pub fn queue_update_allowance(actor: &Actor) -> QueueFields {
    match actor.scope {
        Scope::SuperUser | Scope::Reseller | Scope::OfficeManager => QueueFields {
            identity: true,
            site: true,
            behaviour: true,
        },
        Scope::SiteManager => QueueFields {
            identity: true,
            site: false,
            behaviour: true,
        },
        Scope::CallCenterSupervisor => QueueFields {
            identity: false,
            site: false,
            behaviour: true,
        },
        _ => QueueFields {
            identity: false,
            site: false,
            behaviour: false,
        },
    }
}
