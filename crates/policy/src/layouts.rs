//! The portal's layouts and tabs (DESIGN §3), as data. Each tab names the resource it shows, so a
//! test can check that no scope gets a tab onto something it cannot read.

use crate::matrix::Resource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::Scope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    MyAccount,
    ManageOrganization,
    ManageCallCenter,
    AccountPreferences,
    Global,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::MyAccount,
        Layout::ManageOrganization,
        Layout::ManageCallCenter,
        Layout::AccountPreferences,
        Layout::Global,
    ];

    /// The name stored and sent in JSON (`manage_organization`).
    pub fn name(self) -> &'static str {
        match self {
            Layout::MyAccount => "my_account",
            Layout::ManageOrganization => "manage_organization",
            Layout::ManageCallCenter => "manage_call_center",
            Layout::AccountPreferences => "account_preferences",
            Layout::Global => "global",
        }
    }

    /// From its name, or its name in a portal address (`manage-organization`).
    pub fn parse(s: &str) -> Option<Layout> {
        Layout::ALL
            .into_iter()
            .find(|l| l.name() == s || l.name().replace('_', "-") == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Layout::MyAccount => "My Account",
            Layout::ManageOrganization => "Manage Organization",
            Layout::ManageCallCenter => "Manage Call Center",
            Layout::AccountPreferences => "Account Preferences",
            Layout::Global => "Global",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Home,
    CallCenter,
    Messages,
    Contacts,
    AnsweringRules,
    TimeFrames,
    Phones,
    CallHistory,
    Users,
    Conferences,
    AutoAttendants,
    CallQueues,
    MusicOnHold,
    Inventory,
    Agents,
    Reports,
    Invoices,
    EmergencyAddresses,
    AuthorizedContacts,
    Domains,
    AuditLog,
}

impl Tab {
    pub const ALL: [Tab; 21] = [
        Home,
        CallCenter,
        Messages,
        Contacts,
        AnsweringRules,
        TimeFrames,
        Phones,
        CallHistory,
        Users,
        Conferences,
        AutoAttendants,
        CallQueues,
        MusicOnHold,
        Inventory,
        Agents,
        Reports,
        Invoices,
        EmergencyAddresses,
        AuthorizedContacts,
        Domains,
        AuditLog,
    ];

    /// The name stored and sent in JSON (`answering_rules`).
    pub fn name(self) -> &'static str {
        match self {
            Home => "home",
            CallCenter => "call_center",
            Messages => "messages",
            Contacts => "contacts",
            AnsweringRules => "answering_rules",
            TimeFrames => "time_frames",
            Phones => "phones",
            CallHistory => "call_history",
            Users => "users",
            Conferences => "conferences",
            AutoAttendants => "auto_attendants",
            CallQueues => "call_queues",
            MusicOnHold => "music_on_hold",
            Inventory => "inventory",
            Agents => "agents",
            Reports => "reports",
            Invoices => "invoices",
            EmergencyAddresses => "emergency_addresses",
            AuthorizedContacts => "authorized_contacts",
            Domains => "domains",
            AuditLog => "audit_log",
        }
    }

    /// From its name, or its name in a portal address (`answering-rules`).
    pub fn parse(s: &str) -> Option<Tab> {
        Tab::ALL
            .into_iter()
            .find(|t| t.name() == s || t.name().replace('_', "-") == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Home => "Home",
            Tab::CallCenter => "Call Center",
            Tab::Messages => "Messages",
            Tab::Contacts => "Contacts",
            Tab::AnsweringRules => "Answering Rules",
            Tab::TimeFrames => "Time Frames",
            Tab::Phones => "Phones",
            Tab::CallHistory => "Call History",
            Tab::Users => "Users",
            Tab::Conferences => "Conferences",
            Tab::AutoAttendants => "Auto Attendants",
            Tab::CallQueues => "Call Queues",
            Tab::MusicOnHold => "Music On Hold",
            Tab::Inventory => "Inventory",
            Tab::Agents => "Agents",
            Tab::Reports => "Reports",
            Tab::Invoices => "Invoices",
            Tab::EmergencyAddresses => "911 Addresses",
            Tab::AuthorizedContacts => "Authorized Contacts",
            Tab::Domains => "Domains",
            Tab::AuditLog => "Audit Log",
        }
    }

    /// The resource a tab shows; `None` for dashboards that combine several.
    pub fn resource(self) -> Option<Resource> {
        Some(match self {
            Tab::Home => return None,
            Tab::CallCenter => Resource::CallQueues,
            Tab::Messages => Resource::Voicemail,
            Tab::Contacts => Resource::ContactsShared, // the tab lists shared and personal contacts
            Tab::AnsweringRules => Resource::AnswerRules,
            Tab::TimeFrames => Resource::TimeFramesPersonal,
            Tab::Phones => Resource::Devices,
            Tab::CallHistory => Resource::CallHistory,
            Tab::Users => Resource::Users,
            Tab::Conferences => Resource::Conferences,
            Tab::AutoAttendants => Resource::AutoAttendants,
            Tab::CallQueues => Resource::CallQueues,
            Tab::MusicOnHold => Resource::MusicOnHold,
            Tab::Inventory => Resource::PhoneNumbers,
            Tab::Agents => Resource::QueueAgents,
            Tab::Reports => Resource::Reports,
            Tab::Invoices => Resource::Invoices,
            Tab::EmergencyAddresses => Resource::EmergencyAddresses,
            Tab::AuthorizedContacts => Resource::AuthorizedContacts,
            Tab::Domains => Resource::Domains,
            Tab::AuditLog => Resource::AuditLog,
        })
    }
}

use Tab::*;

const MY_ACCOUNT: &[Tab] = &[
    Home,
    Messages,
    Contacts,
    AnsweringRules,
    TimeFrames,
    Phones,
    CallHistory,
];
const MY_ACCOUNT_SIMPLE: &[Tab] = &[Home, Messages, Contacts, Phones, CallHistory];
const MY_ACCOUNT_AGENT: &[Tab] = &[CallCenter, Messages, CallHistory];
const MY_ACCOUNT_SUPERVISOR: &[Tab] = &[
    CallCenter,
    Messages,
    Contacts,
    AnsweringRules,
    TimeFrames,
    Phones,
    CallHistory,
];
const MANAGE_CALL_CENTER: &[Tab] = &[CallCenter, CallQueues, Agents, Reports, CallHistory];
const MANAGE_ORG_OFFICE: &[Tab] = &[
    Home,
    CallCenter,
    Users,
    Conferences,
    AutoAttendants,
    CallQueues,
    TimeFrames,
    MusicOnHold,
    CallHistory,
    Inventory,
];
const MANAGE_ORG_SITE: &[Tab] = &[
    Home,
    Users,
    AutoAttendants,
    CallQueues,
    CallHistory,
    Inventory,
];
const ACCOUNT_PREFERENCES: &[Tab] = &[Invoices, EmergencyAddresses, AuthorizedContacts];
const GLOBAL: &[Tab] = &[Home, Domains, Inventory, CallHistory, AuditLog];

/// The layouts a scope has, in the switcher's order, each with its tabs in order.
pub fn layouts_for(scope: Scope) -> &'static [(Layout, &'static [Tab])] {
    use Layout::*;
    match scope {
        Scope::SuperUser | Scope::Reseller => &[(Global, GLOBAL), (MyAccount, MY_ACCOUNT)],
        Scope::OfficeManager => &[
            (ManageOrganization, MANAGE_ORG_OFFICE),
            (MyAccount, MY_ACCOUNT),
            (AccountPreferences, ACCOUNT_PREFERENCES),
        ],
        Scope::SiteManager => &[
            (ManageOrganization, MANAGE_ORG_SITE),
            (MyAccount, MY_ACCOUNT),
        ],
        Scope::CallCenterSupervisor => &[
            (ManageCallCenter, MANAGE_CALL_CENTER),
            (MyAccount, MY_ACCOUNT_SUPERVISOR),
        ],
        Scope::CallCenterAgent => &[(MyAccount, MY_ACCOUNT_AGENT)],
        Scope::BasicUser => &[(MyAccount, MY_ACCOUNT)],
        Scope::SimpleUser => &[(MyAccount, MY_ACCOUNT_SIMPLE)],
        Scope::NoPortal => &[],
    }
}

/// Why a tab cannot be hidden for a scope, if it cannot. Hiding only removes a tab from the
/// portal; it never grants anything and never blocks the API. The first tab of a layout is where
/// the layout opens, so it stays.
pub fn check_hide(scope: Scope, layout: Layout, tab: Tab) -> Result<(), String> {
    let Some((_, tabs)) = layouts_for(scope).iter().find(|(l, _)| *l == layout) else {
        return Err(format!(
            "{} has no {} layout",
            scope.label(),
            layout.label()
        ));
    };
    match tabs.iter().position(|t| *t == tab) {
        None => Err(format!(
            "{} has no {} tab in {}",
            scope.label(),
            tab.label(),
            layout.label()
        )),
        Some(0) => Err(format!(
            "{} is where {} opens; it cannot be hidden",
            tab.label(),
            layout.label()
        )),
        Some(_) => Ok(()),
    }
}

/// A scope's layouts without the tabs its domain hides (`hidden` lists (scope, layout, tab)).
pub fn visible_layouts(scope: Scope, hidden: &[(Scope, Layout, Tab)]) -> Vec<(Layout, Vec<Tab>)> {
    layouts_for(scope)
        .iter()
        .map(|(layout, tabs)| {
            let shown = tabs
                .iter()
                .copied()
                .filter(|tab| !hidden.contains(&(scope, *layout, *tab)))
                .collect();
            (*layout, shown)
        })
        .collect()
}

/// Where a scope lands after logging in: the first layout of its switcher.
pub fn landing_layout(scope: Scope) -> Option<Layout> {
    layouts_for(scope).first().map(|(layout, _)| *layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{Action, rules_for};

    fn tabs(scope: Scope, layout: Layout) -> Vec<&'static str> {
        layouts_for(scope)
            .iter()
            .find(|(l, _)| *l == layout)
            .map(|(_, tabs)| tabs.iter().map(|t| t.label()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn tab_counts_of_the_source_documents() {
        let basic = tabs(Scope::BasicUser, Layout::MyAccount);
        assert_eq!((basic.len(), basic[0]), (7, "Home"));
        assert_eq!(
            tabs(Scope::OfficeManager, Layout::ManageOrganization).len(),
            10
        );
        let site = tabs(Scope::SiteManager, Layout::ManageOrganization);
        assert_eq!((site.len(), site[0]), (6, "Home"));
        let agent = tabs(Scope::CallCenterAgent, Layout::MyAccount);
        assert_eq!((agent.len(), agent[0]), (3, "Call Center"));
        let supervisor = tabs(Scope::CallCenterSupervisor, Layout::MyAccount);
        assert_eq!((supervisor.len(), supervisor[0]), (7, "Call Center"));
        assert_eq!(tabs(Scope::SimpleUser, Layout::MyAccount).len(), 5);
    }

    #[test]
    fn names_parse_back() {
        for layout in Layout::ALL {
            assert_eq!(Layout::parse(layout.name()), Some(layout));
            assert_eq!(
                Layout::parse(&layout.name().replace('_', "-")),
                Some(layout)
            );
            let json = serde_json::to_value(layout).unwrap();
            assert_eq!(json, layout.name());
        }
        for tab in Tab::ALL {
            assert_eq!(Tab::parse(tab.name()), Some(tab));
            assert_eq!(serde_json::to_value(tab).unwrap(), tab.name());
        }
        assert_eq!(Tab::parse("nothing"), None);
    }

    #[test]
    fn hiding_keeps_the_first_tab_and_only_hides_what_exists() {
        use Layout::*;
        assert!(check_hide(Scope::BasicUser, MyAccount, Tab::Contacts).is_ok());
        assert!(check_hide(Scope::BasicUser, MyAccount, Tab::Home).is_err());
        assert!(check_hide(Scope::BasicUser, MyAccount, Tab::Users).is_err());
        assert!(check_hide(Scope::BasicUser, ManageOrganization, Tab::Users).is_err());
        let hidden = [(Scope::BasicUser, MyAccount, Tab::Contacts)];
        let basic = visible_layouts(Scope::BasicUser, &hidden);
        assert_eq!(basic[0].1.len(), 6);
        assert!(!basic[0].1.contains(&Tab::Contacts));
        // Another scope's hidden tab changes nothing here.
        let agent = visible_layouts(Scope::CallCenterSupervisor, &hidden);
        assert_eq!(agent[1].1.len(), 7);
    }

    #[test]
    fn landing_layouts() {
        assert_eq!(
            landing_layout(Scope::OfficeManager),
            Some(Layout::ManageOrganization)
        );
        assert_eq!(
            landing_layout(Scope::CallCenterSupervisor),
            Some(Layout::ManageCallCenter)
        );
        assert_eq!(landing_layout(Scope::BasicUser), Some(Layout::MyAccount));
        assert_eq!(
            landing_layout(Scope::CallCenterAgent),
            Some(Layout::MyAccount)
        );
        assert_eq!(landing_layout(Scope::NoPortal), None);
    }

    #[test]
    fn no_tab_shows_what_its_scope_cannot_read() {
        for scope in Scope::ALL {
            for (layout, tabs) in layouts_for(scope) {
                for tab in tabs.iter() {
                    let Some(resource) = tab.resource() else {
                        continue;
                    };
                    let readable = rules_for(scope, resource)
                        .iter()
                        .any(|r| r.allows(Action::Read));
                    assert!(
                        readable,
                        "{scope} has tab {:?} in {:?} but cannot read {resource:?}",
                        tab, layout
                    );
                }
            }
        }
    }
}
