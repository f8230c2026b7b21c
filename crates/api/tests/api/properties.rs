//! Property tests through HTTP: no actor of one domain, site or supervisor queue set reads or
//! changes anything of another; no actor creates, promotes or impersonates to a scope at or
//! above its own.

use crate::common::TestServer;
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::json;
use switchboard_store::testing::TestDatabase;

/// Actors below reseller, with where they belong.
const ACTORS: [(&str, &str, Option<&str>); 9] = [
    ("101@acme.example", "office_manager", None),
    ("102@acme.example", "site_manager", Some("hq")),
    ("103@acme.example", "site_manager", Some("branch")),
    ("104@acme.example", "call_center_supervisor", Some("hq")),
    ("105@acme.example", "call_center_agent", Some("hq")),
    ("106@acme.example", "call_center_agent", Some("branch")),
    ("107@acme.example", "basic_user", Some("hq")),
    ("108@acme.example", "basic_user", Some("branch")),
    ("109@acme.example", "simple_user", Some("branch")),
];

/// Users of another domain, or of the other reseller.
const FOREIGN: [&str; 6] = [
    "101@globex.example",
    "104@globex.example",
    "107@globex.example",
    "150@initech.example",
    "101@initech.example",
    "105@globex.example",
];

#[derive(Clone, Debug)]
enum Op {
    ReadUser,
    UpdateUser,
    DeleteUser,
    ReadSettings,
    PutSettings,
    Rescope,
    ResetPassword,
    Impersonate,
    ListUsers,
    ListSites,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::ReadUser),
        Just(Op::UpdateUser),
        Just(Op::DeleteUser),
        Just(Op::ReadSettings),
        Just(Op::PutSettings),
        Just(Op::Rescope),
        Just(Op::ResetPassword),
        Just(Op::Impersonate),
        Just(Op::ListUsers),
        Just(Op::ListSites),
    ]
}

async fn attempt(s: &TestServer, actor: &str, target: &str, op: &Op) -> StatusCode {
    let (ext, domain) = target.split_once('@').unwrap();
    let user = format!("/api/v1/domains/{domain}/users/{ext}");
    let (status, _) = match op {
        Op::ReadUser => s.get(actor, &user).await,
        Op::UpdateUser => {
            s.send(
                actor,
                Method::PATCH,
                &user,
                Some(json!({"first_name": "Mallory"})),
            )
            .await
        }
        Op::DeleteUser => s.send(actor, Method::DELETE, &user, None).await,
        Op::ReadSettings => s.get(actor, &format!("{user}/supervisor-settings")).await,
        Op::PutSettings => {
            s.send(
                actor,
                Method::PUT,
                &format!("{user}/supervisor-settings"),
                Some(json!({"queue_ids": [], "may_edit_queue_settings": true})),
            )
            .await
        }
        Op::Rescope => {
            s.send(
                actor,
                Method::PUT,
                &format!("{user}/scope"),
                Some(json!({"scope": "basic_user"})),
            )
            .await
        }
        Op::ResetPassword => {
            s.send(
                actor,
                Method::POST,
                &format!("{user}/password"),
                Some(json!({"password": "owned-by-mallory"})),
            )
            .await
        }
        Op::Impersonate => {
            s.send(
                actor,
                Method::POST,
                "/api/v1/auth/impersonate",
                Some(json!({"user": target})),
            )
            .await
        }
        Op::ListUsers => {
            let (st, body) = s
                .get(actor, &format!("/api/v1/domains/{domain}/users"))
                .await;
            // A list may answer, but must not contain the foreign user.
            let leaked = body["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|u| u["extension"] == ext));
            (
                if leaked {
                    StatusCode::OK
                } else if st == StatusCode::OK {
                    StatusCode::NOT_FOUND
                } else {
                    st
                },
                body,
            )
        }
        Op::ListSites => {
            let (st, body) = s
                .get(actor, &format!("/api/v1/domains/{domain}/sites"))
                .await;
            let leaked = body["items"]
                .as_array()
                .is_some_and(|items| !items.is_empty());
            (
                if leaked {
                    StatusCode::OK
                } else if st == StatusCode::OK {
                    StatusCode::NOT_FOUND
                } else {
                    st
                },
                body,
            )
        }
    };
    status
}

fn run(
    cases: u32,
    strategy: impl Strategy<Value = (usize, usize, Op)>,
    check: impl Fn((usize, usize, Op)) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    });
    runner.run(&strategy, check).unwrap();
}

#[test]
fn nothing_of_another_domain_site_or_queue_set_is_reached() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in rt.block_on(TestDatabase::all()) {
        let server = rt.block_on(TestServer::start(db, crate::common::test_config()));
        // Other domains and resellers.
        run(
            80,
            (0..ACTORS.len(), 0..FOREIGN.len(), op()),
            |(a, t, op)| {
                let status = rt.block_on(attempt(&server, ACTORS[a].0, FOREIGN[t], &op));
                prop_assert!(
                    status == StatusCode::NOT_FOUND,
                    "{} {:?} on {} answered {}",
                    ACTORS[a].0,
                    op,
                    FOREIGN[t],
                    status
                );
                Ok(())
            },
        );
        // Other sites: a site manager never reaches a user of the other site.
        let other_site = [
            (
                "102@acme.example",
                [
                    "103@acme.example",
                    "106@acme.example",
                    "108@acme.example",
                    "109@acme.example",
                ],
            ),
            (
                "103@acme.example",
                [
                    "102@acme.example",
                    "105@acme.example",
                    "107@acme.example",
                    "110@acme.example",
                ],
            ),
        ];
        run(40, (0..2usize, 0..4usize, op()), |(a, t, op)| {
            let (actor, targets) = other_site[a];
            if matches!(op, Op::ListSites | Op::ListUsers) {
                return Ok(());
            }
            let status = rt.block_on(attempt(&server, actor, targets[t], &op));
            prop_assert!(
                status == StatusCode::NOT_FOUND,
                "{} {:?} on {} answered {}",
                actor,
                op,
                targets[t],
                status
            );
            Ok(())
        });
        // Other queue sets: the supervisor (Sales, Support) never reaches a user outside them.
        run(40, (0..1usize, 0..4usize, op()), |(_, t, op)| {
            let outside = [
                "107@acme.example",
                "108@acme.example",
                "102@acme.example",
                "101@acme.example",
            ];
            if matches!(op, Op::ListSites | Op::ListUsers) {
                return Ok(());
            }
            let status = rt.block_on(attempt(&server, "104@acme.example", outside[t], &op));
            prop_assert!(
                status == StatusCode::NOT_FOUND,
                "supervisor {:?} on {} answered {}",
                op,
                outside[t],
                status
            );
            Ok(())
        });
        rt.block_on(server.stop());
    }
}

const SCOPES: [&str; 9] = [
    "no_portal",
    "simple_user",
    "basic_user",
    "call_center_agent",
    "call_center_supervisor",
    "site_manager",
    "office_manager",
    "reseller",
    "super_user",
];

#[test]
fn no_scope_at_or_above_ones_own_is_given() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in rt.block_on(TestDatabase::all()) {
        let server = rt.block_on(TestServer::start(db, crate::common::test_config()));
        let actors = [
            ("101@acme.example", "office_manager"),
            ("102@acme.example", "site_manager"),
            ("104@acme.example", "call_center_supervisor"),
            ("107@acme.example", "basic_user"),
            ("100@voiceco.example", "reseller"),
        ];
        let counter = std::sync::atomic::AtomicU32::new(0);
        run(
            60,
            (0..actors.len(), 0..SCOPES.len(), Just(Op::Rescope)),
            |(a, sc, _)| {
                let (actor, own) = actors[a];
                let own_rank = SCOPES.iter().position(|s| *s == own).unwrap();
                if sc < own_rank {
                    return Ok(()); // below: allowed or not by the matrix; not an escalation
                }
                let scope = SCOPES[sc];
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let ext = (8000 + n).to_string();
                // Create at that scope.
                let (st, body) = rt.block_on(server.send(actor, Method::POST, "/api/v1/domains/acme.example/users", Some(json!({"extension": ext, "first_name": "E", "last_name": "Scalate", "scope": scope}))));
                prop_assert!(!st.is_success(), "{actor} created a {scope}: {body}");
                // Promote a basic user to it.
                let victim = rt.block_on(server.create_user(
                    "100@platform.example",
                    "acme.example",
                    &(9000 + n).to_string(),
                    "basic_user",
                    None,
                ));
                let path = format!(
                    "/api/v1/domains/acme.example/users/{}/scope",
                    victim["extension"].as_str().unwrap()
                );
                let (st, body) = rt.block_on(server.send(
                    actor,
                    Method::PUT,
                    &path,
                    Some(json!({"scope": scope})),
                ));
                prop_assert!(
                    !st.is_success(),
                    "{actor} promoted a user to {scope}: {body}"
                );
                // Impersonate someone at that scope.
                let peer = match scope {
                    "office_manager" => Some("101@acme.example"),
                    "site_manager" => Some("103@acme.example"),
                    "call_center_supervisor" => Some("104@acme.example"),
                    "basic_user" => Some("108@acme.example"),
                    "reseller" => Some("100@voiceco.example"),
                    "super_user" => Some("100@platform.example"),
                    _ => None,
                };
                if let Some(peer) = peer {
                    let (st, body) = rt.block_on(server.send(
                        actor,
                        Method::POST,
                        "/api/v1/auth/impersonate",
                        Some(json!({"user": peer})),
                    ));
                    prop_assert!(
                        !st.is_success(),
                        "{actor} impersonated {peer} ({scope}): {body}"
                    );
                }
                Ok(())
            },
        );
        rt.block_on(server.stop());
    }
}
