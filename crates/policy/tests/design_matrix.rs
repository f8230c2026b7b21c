//! The matrix, transcribed by hand from DESIGN §2 (in the notation of `docs/scopes.md`), checked
//! against the data the product runs on. A change to the rules must change this table too.

use switchboard_policy::docs::render_cell;
use switchboard_policy::matrix::COLUMNS;
use switchboard_policy::{Resource, rules_for};

#[rustfmt::skip]
const EXPECTED: &[(Resource, [&str; 8])] = &[
    (Resource::Resellers, ["rw P", "r R", "—", "—", "—", "—", "—", "—"]),
    (Resource::Domains, ["rw P", "rw R", "r D", "r D", "r D", "r D", "r D", "r D"]),
    (Resource::Sites, ["rw P", "rw R", "rw D", "r S", "—", "—", "—", "—"]),
    (Resource::Users, ["rw+i P", "rw+i R", "ru+i D, cd D if policy allows", "ru S", "r Q, ru O", "ru O", "ru O", "ru O"]),
    (Resource::UserScope, ["u P", "u R", "u D", "—", "—", "—", "—", "—"]),
    (Resource::Devices, ["rw P", "rw R", "rw D", "rw S", "r O", "r O", "r O", "r O"]),
    (Resource::PhoneNumbers, ["rw P", "rw R", "r+route D", "r+route S", "—", "—", "—", "—"]),
    (Resource::AnswerRules, ["rw P", "rw R", "rw D", "rw S", "rw O", "rw O", "rw O", "—"]),
    (Resource::Voicemail, ["rw P", "rw R", "rw D", "rw S", "rw O", "rw O", "rw O", "rw O"]),
    (Resource::TimeFramesShared, ["rw P", "rw R", "rw D", "rw D", "r sh", "r sh", "r sh", "—"]),
    (Resource::TimeFramesPersonal, ["rw P", "rw R", "rw D", "rw S", "rw O", "rw O", "rw O", "—"]),
    (Resource::ContactsShared, ["rw P", "rw R", "rw D", "rw D", "rw D", "r sh", "r sh", "r sh"]),
    (Resource::ContactsPersonal, ["—", "—", "rw O", "rw O", "rw O", "rw O", "rw O", "rw O"]),
    (Resource::CallQueues, ["rw P", "rw R", "rw D", "rw S", "r Q, u Q if allowed", "r A", "—", "—"]),
    (Resource::QueueAgents, ["rw P", "rw R", "rw D", "rw S", "rw Q", "r A", "—", "—"]),
    (Resource::AgentAvailability, ["rw P", "rw R", "rw D", "rw S", "rw Q", "rw O", "—", "—"]),
    (Resource::SupervisorSettings, ["rw P", "rw R", "rw D", "—", "r O", "—", "—", "—"]),
    (Resource::AutoAttendants, ["rw P", "rw R", "rw D", "rw S", "—", "—", "—", "—"]),
    (Resource::Conferences, ["rw P", "rw R", "rw D", "rw S", "—", "—", "—", "—"]),
    (Resource::MusicOnHold, ["rw P", "rw R", "rw D", "r D", "r D", "—", "—", "—"]),
    // DESIGN gives the supervisor `r Q`; its My Account layout has a Call History tab, so it also
    // reads its own calls (issue #19).
    (Resource::CallHistory, ["rc P", "rc R", "r D", "r S", "r Q, r O", "r O", "r O", "r O"]),
    (Resource::Reports, ["r P", "r R", "r D", "r S", "r Q", "r O", "—", "—"]),
    (Resource::EmergencyAddresses, ["rw P", "rw R", "rw D (re-auth)", "r S", "—", "—", "—", "—"]),
    (Resource::Invoices, ["rw P", "rw R", "r+pay D (re-auth)", "—", "—", "—", "—", "—"]),
    (Resource::AuthorizedContacts, ["rw P", "rw R", "rw D (re-auth)", "—", "—", "—", "—", "—"]),
    (Resource::AuditLog, ["r P", "r R", "r D", "r S", "—", "—", "—", "—"]),
    (Resource::PortalTabSettings, ["rw P", "rw R", "rw D", "—", "—", "—", "—", "—"]),
    (Resource::ApiKeys, ["rw P", "rw R", "rw D", "rw O", "rw O", "rw O", "rw O", "—"]),
    (Resource::Sessions, ["rw P", "rw O", "rw O", "rw O", "rw O", "rw O", "rw O", "rw O"]),
    (Resource::TwoFactor, [
        "r P, cu O (re-auth), d P (re-auth)", "r R, cu O (re-auth), d R (re-auth)",
        "r D, cu O (re-auth), d D (re-auth)", "r S, cu O (re-auth), d S (re-auth)",
        "r O, w O (re-auth)", "r O, w O (re-auth)", "r O, w O (re-auth)", "r O, w O (re-auth)",
    ]),
];

#[test]
fn the_matrix_is_the_design_matrix() {
    assert_eq!(
        EXPECTED.len(),
        Resource::all().count(),
        "every resource is transcribed"
    );
    for (resource, cells) in EXPECTED {
        for (scope, expected) in COLUMNS.iter().zip(cells) {
            assert_eq!(
                render_cell(rules_for(*scope, *resource)),
                *expected,
                "{resource:?} for {scope}"
            );
        }
    }
}

#[test]
fn the_documentation_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scopes.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == switchboard_policy::docs::render_markdown(),
        "docs/scopes.md is stale: run `cargo run -p switchboard -- scopes --markdown > docs/scopes.md`"
    );
}
