//! The scope matrix of DESIGN §2, encoded once. Every check, list filter, tab and documentation
//! table is derived from `MATRIX`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::Scope;

/// Everything the API and portal protect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Resellers,
    Domains,
    Sites,
    Users,
    UserScope,
    Devices,
    PhoneNumbers,
    AnswerRules,
    Voicemail,
    TimeFramesShared,
    TimeFramesPersonal,
    ContactsShared,
    ContactsPersonal,
    CallQueues,
    QueueAgents,
    AgentAvailability,
    SupervisorSettings,
    AutoAttendants,
    Conferences,
    MusicOnHold,
    CallHistory,
    Reports,
    EmergencyAddresses,
    Invoices,
    AuthorizedContacts,
    AuditLog,
    PortalTabSettings,
    ApiKeys,
    Sessions,
    TwoFactor,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        MATRIX[self as usize].name
    }
    pub fn label(self) -> &'static str {
        MATRIX[self as usize].label
    }
    pub fn all() -> impl Iterator<Item = Resource> {
        MATRIX.iter().map(|row| row.resource)
    }
}

/// What an actor does to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    /// Point a phone number at a user, queue, attendant or conference.
    Route,
    /// Submit a payment for an invoice.
    Pay,
    /// Act as another user.
    Impersonate,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Route,
        Action::Pay,
        Action::Impersonate,
    ];
    const fn bit(self) -> u8 {
        1 << self as u8
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Route => "route",
            Action::Pay => "pay",
            Action::Impersonate => "impersonate",
        }
    }
}

/// How far a rule reaches (the reach codes of DESIGN §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Reach {
    /// P: the whole platform.
    Platform,
    /// R: the reseller's domains (and the reseller itself).
    Reseller,
    /// D: the actor's domain.
    Domain,
    /// S: the actor's site.
    Site,
    /// Q: the queues the actor supervises, and their agents.
    Queues,
    /// A: the queues the actor is an agent in.
    AgentQueues,
    /// O: the actor's own objects (or itself).
    Own,
    /// sh: the domain's shared items.
    Shared,
}

impl Reach {
    pub fn code(self) -> &'static str {
        match self {
            Reach::Platform => "P",
            Reach::Reseller => "R",
            Reach::Domain => "D",
            Reach::Site => "S",
            Reach::Queues => "Q",
            Reach::AgentQueues => "A",
            Reach::Own => "O",
            Reach::Shared => "sh",
        }
    }
}

/// A condition a rule needs besides its reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum When {
    Always,
    /// The domain policy `office_managers_manage_users` is on.
    PolicyAllowsUserManagement,
    /// The supervisor's settings allow it to edit its queues.
    QueueEditAllowed,
    /// The password was asked again within the last few minutes (Account Preferences).
    Reauthenticated,
}

impl When {
    pub fn suffix(self) -> &'static str {
        match self {
            When::Always => "",
            When::PolicyAllowsUserManagement => " if policy allows",
            When::QueueEditAllowed => " if allowed",
            When::Reauthenticated => " (re-auth)",
        }
    }
}

/// One grant: these actions, within this reach, when the condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    actions: u8,
    pub reach: Reach,
    pub when: When,
}

impl Rule {
    pub fn allows(&self, action: Action) -> bool {
        self.actions & action.bit() != 0
    }
    /// What the rule lets one do: its actions, and routing a number for whoever may update it
    /// (routing is the part of a number's update that Office and Site Managers get alone).
    pub fn grants(&self, action: Action) -> bool {
        self.allows(action) || (action == Action::Route && self.allows(Action::Update))
    }
    pub fn actions(&self) -> impl Iterator<Item = Action> + '_ {
        Action::ALL.into_iter().filter(|a| self.allows(*a))
    }
    const fn when(self, when: When) -> Rule {
        Rule { when, ..self }
    }
}

const R: u8 = Action::Read.bit();
const C: u8 = Action::Create.bit();
const U: u8 = Action::Update.bit();
const D: u8 = Action::Delete.bit();
const W: u8 = C | U | D;
const ROUTE: u8 = Action::Route.bit();
const PAY: u8 = Action::Pay.bit();
const IMP: u8 = Action::Impersonate.bit();

const fn g(actions: u8, reach: Reach) -> Rule {
    Rule {
        actions,
        reach,
        when: When::Always,
    }
}

use Reach::{
    AgentQueues as RA, Domain as RD, Own as RO, Platform as RP, Queues as RQ, Reseller as RR,
    Shared as RSH, Site as RS,
};

/// One row of the matrix: a resource and its rules for the eight scopes that can log in, in the
/// order of `Scope::ALL` (`no_portal` has nothing anywhere).
pub struct Row {
    pub resource: Resource,
    pub name: &'static str,
    pub label: &'static str,
    pub cells: [&'static [Rule]; 8],
    /// Why this row departs from, or adds to, DESIGN §2 (shown in the documentation).
    pub note: Option<&'static str>,
}

const NONE: &[Rule] = &[];
const RW_P: &[Rule] = &[g(R | W, RP)];
const RW_R: &[Rule] = &[g(R | W, RR)];
const RW_D: &[Rule] = &[g(R | W, RD)];
const RW_S: &[Rule] = &[g(R | W, RS)];
const RW_O: &[Rule] = &[g(R | W, RO)];
const R_P: &[Rule] = &[g(R, RP)];
const R_R: &[Rule] = &[g(R, RR)];
const R_D: &[Rule] = &[g(R, RD)];
const R_S: &[Rule] = &[g(R, RS)];
const R_Q: &[Rule] = &[g(R, RQ)];
const R_O: &[Rule] = &[g(R, RO)];
const R_SH: &[Rule] = &[g(R, RSH)];
const RU_O: &[Rule] = &[g(R | U, RO)];
const TWO_FACTOR_OWN: &[Rule] = &[g(R, RO), g(W, RO).when(When::Reauthenticated)];

/// The matrix. Index = `Resource as usize` (checked by a test).
pub static MATRIX: [Row; 30] = [
    Row {
        resource: Resource::Resellers,
        name: "resellers",
        label: "resellers",
        note: None,
        cells: [RW_P, R_R, NONE, NONE, NONE, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::Domains,
        name: "domains",
        label: "domains (profile, policy, limits)",
        note: None,
        cells: [RW_P, RW_R, R_D, R_D, R_D, R_D, R_D, R_D],
    },
    Row {
        resource: Resource::Sites,
        name: "sites",
        label: "sites",
        note: None,
        cells: [RW_P, RW_R, RW_D, R_S, NONE, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::Users,
        name: "users",
        label: "users",
        note: Some(
            "impersonation (i) is the users row's own action: a reseller or Office Manager may act as a lower-scope user in its reach; a supervisor also reads and updates itself (ru O), like every user, for its My Account",
        ),
        cells: [
            &[g(R | W | IMP, RP)],
            &[g(R | W | IMP, RR)],
            &[
                g(R | U | IMP, RD),
                g(C | D, RD).when(When::PolicyAllowsUserManagement),
            ],
            &[g(R | U, RS)],
            &[g(R, RQ), g(R | U, RO)],
            RU_O,
            RU_O,
            RU_O,
        ],
    },
    Row {
        resource: Resource::UserScope,
        name: "user_scope",
        label: "user scope changes",
        note: Some(
            "which scopes may be given is the no-escalation rule: strictly below the actor's own, never office_manager by an Office Manager",
        ),
        cells: [
            &[g(U, RP)],
            &[g(U, RR)],
            &[g(U, RD)],
            NONE,
            NONE,
            NONE,
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::Devices,
        name: "devices",
        label: "devices (phones)",
        note: Some(
            "a supervisor keeps r O on its own phones: its My Account layout has the Phones tab",
        ),
        cells: [RW_P, RW_R, RW_D, RW_S, R_O, R_O, R_O, R_O],
    },
    Row {
        resource: Resource::PhoneNumbers,
        name: "phone_numbers",
        label: "phone numbers (inventory)",
        note: Some(
            "routing a number is part of updating it: whoever may update a number may route it; the destination must be in the router's reach too",
        ),
        cells: [
            RW_P,
            RW_R,
            &[g(R | ROUTE, RD)],
            &[g(R | ROUTE, RS)],
            NONE,
            NONE,
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::AnswerRules,
        name: "answer_rules",
        label: "answering rules",
        note: Some(
            "a supervisor keeps rw O on its own rules: its My Account layout has the Answering Rules tab",
        ),
        cells: [RW_P, RW_R, RW_D, RW_S, RW_O, RW_O, RW_O, NONE],
    },
    Row {
        resource: Resource::Voicemail,
        name: "voicemail",
        label: "voicemail, greetings",
        note: Some(
            "a supervisor keeps rw O on its own voicemail: its My Account layout has the Messages tab",
        ),
        cells: [RW_P, RW_R, RW_D, RW_S, RW_O, RW_O, RW_O, RW_O],
    },
    Row {
        resource: Resource::TimeFramesShared,
        name: "time_frames_shared",
        label: "time frames, shared",
        note: None,
        cells: [RW_P, RW_R, RW_D, RW_D, R_SH, R_SH, R_SH, NONE],
    },
    Row {
        resource: Resource::TimeFramesPersonal,
        name: "time_frames_personal",
        label: "time frames, personal",
        note: None,
        cells: [RW_P, RW_R, RW_D, RW_S, RW_O, RW_O, RW_O, NONE],
    },
    Row {
        resource: Resource::ContactsShared,
        name: "contacts_shared",
        label: "contacts, shared",
        note: None,
        cells: [RW_P, RW_R, RW_D, RW_D, RW_D, R_SH, R_SH, R_SH],
    },
    Row {
        resource: Resource::ContactsPersonal,
        name: "contacts_personal",
        label: "contacts, personal",
        note: None,
        cells: [NONE, NONE, RW_O, RW_O, RW_O, RW_O, RW_O, RW_O],
    },
    Row {
        resource: Resource::CallQueues,
        name: "call_queues",
        label: "call queues",
        note: None,
        cells: [
            RW_P,
            RW_R,
            RW_D,
            RW_S,
            &[g(R, RQ), g(U, RQ).when(When::QueueEditAllowed)],
            &[g(R, RA)],
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::QueueAgents,
        name: "queue_agents",
        label: "queue agents (membership)",
        note: None,
        cells: [
            RW_P,
            RW_R,
            RW_D,
            RW_S,
            &[g(R | W, RQ)],
            &[g(R, RA)],
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::AgentAvailability,
        name: "agent_availability",
        label: "agent availability",
        note: None,
        cells: [RW_P, RW_R, RW_D, RW_S, &[g(R | W, RQ)], RW_O, NONE, NONE],
    },
    Row {
        resource: Resource::SupervisorSettings,
        name: "supervisor_settings",
        label: "supervisor settings",
        note: None,
        cells: [RW_P, RW_R, RW_D, NONE, R_O, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::AutoAttendants,
        name: "auto_attendants",
        label: "auto attendants",
        note: None,
        cells: [RW_P, RW_R, RW_D, RW_S, NONE, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::Conferences,
        name: "conferences",
        label: "conferences",
        note: None,
        cells: [RW_P, RW_R, RW_D, RW_S, NONE, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::MusicOnHold,
        name: "music_on_hold",
        label: "music on hold",
        note: None,
        cells: [RW_P, RW_R, RW_D, R_D, R_D, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::CallHistory,
        name: "call_history",
        label: "call history (CDRs)",
        note: Some(
            "create (c) is ingestion of call records from the switch, by the provider (super user, reseller); nobody edits or deletes a call record; a supervisor also reads its own calls (r O): its My Account layout has the Call History tab",
        ),
        cells: [
            &[g(R | C, RP)],
            &[g(R | C, RR)],
            R_D,
            R_S,
            &[g(R, RQ), g(R, RO)],
            R_O,
            R_O,
            R_O,
        ],
    },
    Row {
        resource: Resource::Reports,
        name: "reports",
        label: "reports (queue and agent statistics)",
        note: None,
        cells: [R_P, R_R, R_D, R_S, R_Q, R_O, NONE, NONE],
    },
    Row {
        resource: Resource::EmergencyAddresses,
        name: "emergency_addresses",
        label: "911 addresses",
        note: None,
        cells: [
            RW_P,
            RW_R,
            &[g(R | W, RD).when(When::Reauthenticated)],
            R_S,
            NONE,
            NONE,
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::Invoices,
        name: "invoices",
        label: "invoices",
        note: None,
        cells: [
            RW_P,
            RW_R,
            &[g(R | PAY, RD).when(When::Reauthenticated)],
            NONE,
            NONE,
            NONE,
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::AuthorizedContacts,
        name: "authorized_contacts",
        label: "authorized contacts",
        note: None,
        cells: [
            RW_P,
            RW_R,
            &[g(R | W, RD).when(When::Reauthenticated)],
            NONE,
            NONE,
            NONE,
            NONE,
            NONE,
        ],
    },
    Row {
        resource: Resource::AuditLog,
        name: "audit_log",
        label: "audit log",
        note: None,
        cells: [R_P, R_R, R_D, R_S, NONE, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::PortalTabSettings,
        name: "portal_tab_settings",
        label: "portal tab settings",
        note: Some("settings only hide tabs; they never grant anything"),
        cells: [RW_P, RW_R, RW_D, NONE, NONE, NONE, NONE, NONE],
    },
    Row {
        resource: Resource::ApiKeys,
        name: "api_keys",
        label: "API keys",
        note: Some("a key's scope is never above its creator's"),
        cells: [RW_P, RW_R, RW_D, RW_O, RW_O, RW_O, RW_O, NONE],
    },
    Row {
        resource: Resource::Sessions,
        name: "sessions",
        label: "sessions (logins)",
        note: Some("not in DESIGN §2: everyone who can log in sees and ends its own sessions"),
        cells: [RW_P, RW_O, RW_O, RW_O, RW_O, RW_O, RW_O, RW_O],
    },
    Row {
        resource: Resource::TwoFactor,
        name: "two_factor",
        label: "two-factor login",
        note: Some(
            "not in DESIGN §2: everyone who can log in enrols its own authenticator; administrators reset (delete) it for users in reach, as with passwords, after the password is asked again",
        ),
        cells: [
            &[
                g(R, RP),
                g(C | U, RO).when(When::Reauthenticated),
                g(D, RP).when(When::Reauthenticated),
            ],
            &[
                g(R, RR),
                g(C | U, RO).when(When::Reauthenticated),
                g(D, RR).when(When::Reauthenticated),
            ],
            &[
                g(R, RD),
                g(C | U, RO).when(When::Reauthenticated),
                g(D, RD).when(When::Reauthenticated),
            ],
            &[
                g(R, RS),
                g(C | U, RO).when(When::Reauthenticated),
                g(D, RS).when(When::Reauthenticated),
            ],
            TWO_FACTOR_OWN,
            TWO_FACTOR_OWN,
            TWO_FACTOR_OWN,
            TWO_FACTOR_OWN,
        ],
    },
];

/// The scopes of the matrix's columns, in order (`no_portal` has nothing anywhere).
pub const COLUMNS: &[Scope] = Scope::ALL.split_at(8).0;

/// The rules one scope has on one resource.
pub fn rules_for(scope: Scope, resource: Resource) -> &'static [Rule] {
    match COLUMNS.iter().position(|s| *s == scope) {
        Some(column) => MATRIX[resource as usize].cells[column],
        None => NONE, // no_portal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_indexed_by_resource() {
        for (i, row) in MATRIX.iter().enumerate() {
            assert_eq!(row.resource as usize, i, "{}", row.name);
        }
    }

    #[test]
    fn no_portal_has_nothing() {
        for resource in Resource::all() {
            assert!(rules_for(Scope::NoPortal, resource).is_empty());
        }
    }

    #[test]
    fn every_write_rule_implies_read_of_the_same_reach() {
        // A rule that lets an actor change something it cannot see would leak through errors.
        for row in &MATRIX {
            for (column, rules) in row.cells.iter().enumerate() {
                for rule in rules.iter().filter(|r| !r.allows(Action::Read)) {
                    let readable = rules.iter().any(|r| {
                        r.allows(Action::Read)
                            && (r.reach == rule.reach
                                || r.reach == Reach::Platform
                                || r.reach == Reach::Domain && rule.reach != Reach::Platform
                                || matches!(r.reach, Reach::Reseller | Reach::Site)
                                    && rule.reach == Reach::Own)
                    });
                    let exempt = row.resource == Resource::UserScope;
                    assert!(readable || exempt, "{} column {column}", row.name);
                }
            }
        }
    }
}
