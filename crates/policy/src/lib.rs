//! The scope model of Switchboard, in one place and without I/O.
//!
//! - [`matrix`]: who may do what to which resource, as data (DESIGN §2).
//! - [`authorize`]: the single-object check, which hands out a [`Permit`].
//! - [`visibility`]: the list predicate, which the store turns into SQL.
//! - [`escalation`]: the no-escalation rules (DESIGN §1.1, invariant 2).
//! - [`layouts`]: the portal's layouts and tabs (DESIGN §3).
//! - [`docs`]: the documentation table, generated from the same data.

pub mod actor;
pub mod decide;
pub mod docs;
pub mod escalation;
pub mod layouts;
pub mod matrix;

pub use actor::{Actor, Target};
pub use decide::{
    Atom, Denied, Permit, Predicate, Visibility, Why, authorize, authorize_create, condition_met,
    operator_permit, operator_visibility, visibility,
};
pub use escalation::{
    QueueFields, UserFields, assignable_scopes, may_assign_scope, queue_update_allowance,
    user_update_allowance,
};
pub use layouts::{Layout, Tab, check_hide, landing_layout, layouts_for, visible_layouts};
pub use matrix::{Action, Reach, Resource, Rule, When, rules_for};
