//! The nine user scopes, ordered from least to most powerful.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A user scope. `Ord` follows power: `NoPortal < SimpleUser < … < SuperUser`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    NoPortal,
    SimpleUser,
    BasicUser,
    CallCenterAgent,
    CallCenterSupervisor,
    SiteManager,
    OfficeManager,
    Reseller,
    SuperUser,
}

impl Scope {
    /// Every scope, most powerful first (the order of the design's tables).
    pub const ALL: [Scope; 9] = [
        Scope::SuperUser,
        Scope::Reseller,
        Scope::OfficeManager,
        Scope::SiteManager,
        Scope::CallCenterSupervisor,
        Scope::CallCenterAgent,
        Scope::BasicUser,
        Scope::SimpleUser,
        Scope::NoPortal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SuperUser => "super_user",
            Scope::Reseller => "reseller",
            Scope::OfficeManager => "office_manager",
            Scope::SiteManager => "site_manager",
            Scope::CallCenterSupervisor => "call_center_supervisor",
            Scope::CallCenterAgent => "call_center_agent",
            Scope::BasicUser => "basic_user",
            Scope::SimpleUser => "simple_user",
            Scope::NoPortal => "no_portal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::SuperUser => "Super User",
            Scope::Reseller => "Reseller",
            Scope::OfficeManager => "Office Manager",
            Scope::SiteManager => "Site Manager",
            Scope::CallCenterSupervisor => "Call Center Supervisor",
            Scope::CallCenterAgent => "Call Center Agent",
            Scope::BasicUser => "Basic User",
            Scope::SimpleUser => "Simple User",
            Scope::NoPortal => "No Portal",
        }
    }

    /// Position in `ALL`; used to index the matrix.
    pub fn index(self) -> usize {
        Scope::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The scopes a domain's two-factor policy for managers covers.
    pub fn is_domain_manager(self) -> bool {
        matches!(
            self,
            Scope::OfficeManager | Scope::SiteManager | Scope::CallCenterSupervisor
        )
    }

    /// The provider's scopes (the platform's two-factor setting covers them).
    pub fn is_provider(self) -> bool {
        matches!(self, Scope::Reseller | Scope::SuperUser)
    }

    pub fn can_log_in(self) -> bool {
        self != Scope::NoPortal
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
