//! The portal's layouts and tabs (DESIGN §3), as data. Each tab names the resource it shows, so a
//! test can check that no scope gets a tab onto something it cannot read.

use crate::matrix::Resource;
use schemars::JsonSchema;
use serde::Serialize;
use switchboard_domain::Scope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    MyAccount,
    ManageOrganization,
    ManageCallCenter,
    AccountPreferences,
    Global,
}

impl Layout {
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
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
