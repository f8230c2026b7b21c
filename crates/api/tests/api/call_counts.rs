//! Counting call history stops at a limit (10,000 through the API): exact up to it, "more"
//! past it, for every scope and filter, so a count costs the same at any size of history.

use crate::common::{TestServer, on_each_database};
use serde_json::Value;
use switchboard_api::auth::actor_for;
use switchboard_demo::generate_calls;
use switchboard_domain::{Direction, Disposition, Login, QueueId, Timestamp, UserId};
use switchboard_policy::{Resource, Visibility, visibility};
use switchboard_store::{CallCount, CallFilter};

const END: Timestamp = Timestamp(1_772_600_000);

async fn visibility_of(s: &TestServer, login: &str) -> Visibility {
    let store = &s.state.store;
    let (user, _) = store
        .find_login(&Login::parse(login).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (record, domain) = store.user_and_domain(user.id).await.unwrap().unwrap();
    let actor = actor_for(&s.state, &record, &domain).await.unwrap();
    visibility(&actor, Resource::CallHistory).unwrap()
}

#[tokio::test]
async fn a_count_is_exact_up_to_its_limit_for_every_scope_and_filter() {
    on_each_database(|s| async move {
        let domain = s.domain("acme.example").await;
        generate_calls(&s.state.store, &domain, 400, 3, END, None, |_| {})
            .await
            .unwrap();
        let id_of = |path: &'static str| {
            let s = &s;
            async move {
                s.get("101@acme.example", path).await.1["id"]
                    .as_i64()
                    .unwrap()
            }
        };
        let (agent, manager, basic) = (
            id_of("/api/v1/domains/~/users/105").await,
            id_of("/api/v1/domains/~/users/101").await,
            id_of("/api/v1/domains/~/users/107").await,
        );
        let sales = id_of("/api/v1/domains/~/call-queues/600").await;
        let has_user = |c: &Value, id: i64| {
            c["user_ids"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u.as_i64() == Some(id))
        };
        let since = "2026-03-02T00:00:00Z".to_owned();
        // Each filter with what it keeps of the unfiltered history, worked out here. A user or
        // a queue named by the filter is read through its own index when all its calls are in
        // reach, else through the calls it shares with each party of the reach (`call_pairs`);
        // the other filters through the reach's indexes.
        type Keeps<'a> = Box<dyn Fn(&Value) -> bool + 'a>;
        let filters: Vec<(&str, Keeps, Option<CallFilter>)> = vec![
            (
                "user=105",
                Box::new(|c| has_user(c, agent)),
                Some(CallFilter {
                    user: Some(UserId(agent)),
                    ..CallFilter::default()
                }),
            ),
            (
                "user=107",
                Box::new(|c| has_user(c, basic)),
                Some(CallFilter {
                    user: Some(UserId(basic)),
                    ..CallFilter::default()
                }),
            ),
            (
                "queue=600",
                Box::new(|c| c["queue_id"] == sales),
                Some(CallFilter {
                    queue: Some(QueueId(sales)),
                    ..CallFilter::default()
                }),
            ),
            (
                "queue=600&disposition=answered",
                Box::new(|c| c["queue_id"] == sales && c["disposition"] == "answered"),
                None,
            ),
            (
                "user=101&direction=inbound",
                Box::new(|c| has_user(c, manager) && c["direction"] == "inbound"),
                None,
            ),
            (
                "user=105&disposition=missed",
                Box::new(|c| has_user(c, agent) && c["disposition"] == "missed"),
                None,
            ),
            ("", Box::new(|_| true), Some(CallFilter::default())),
            (
                // Read through the parties' indexes of calls not answered.
                "disposition=abandoned",
                Box::new(|c| c["disposition"] == "abandoned"),
                Some(CallFilter {
                    disposition: Some(Disposition::Abandoned),
                    ..CallFilter::default()
                }),
            ),
            (
                "disposition=answered",
                Box::new(|c| c["disposition"] == "answered"),
                Some(CallFilter {
                    disposition: Some(Disposition::Answered),
                    ..CallFilter::default()
                }),
            ),
            (
                "direction=inbound&since=2026-03-02T00:00:00Z",
                Box::new(|c| {
                    c["direction"] == "inbound"
                        && c["started_at"].as_str().unwrap() >= since.as_str()
                }),
                Some(CallFilter {
                    direction: Some(Direction::Inbound),
                    since: Some(Timestamp(1_772_409_600)),
                    ..CallFilter::default()
                }),
            ),
        ];
        let mut sizes = Vec::new();
        for ext in 101..=109 {
            let login = format!("{ext}@acme.example");
            let vis = visibility_of(&s, &login).await;
            let all = s.list_all(&login, "/api/v1/domains/~/calls").await.unwrap();
            for (query, keeps, filter) in &filters {
                let path = format!("/api/v1/domains/~/calls?{query}");
                let listed = s.list_all(&login, &path).await.unwrap();
                let full = all.iter().filter(|c| keeps(c)).count() as i64;
                assert_eq!(listed.len() as i64, full, "{login} lists {query}");
                sizes.push(full);
                let (_, n) = s
                    .get(&login, &format!("/api/v1/domains/~/calls/count?{query}"))
                    .await;
                assert_eq!(
                    (n["count"].as_i64(), n["exact"].as_bool()),
                    (Some(full), Some(true)),
                    "{login} {query}"
                );
                let Some(filter) = filter else { continue };
                let limits = [0, 1, full / 2, full - 1, full, full + 1, full + 50];
                for up_to in limits.into_iter().filter(|&l| l >= 0) {
                    let counted = s
                        .state
                        .store
                        .count_calls(&vis, domain.id, filter, up_to as u32)
                        .await
                        .unwrap();
                    assert_eq!(
                        counted,
                        CallCount {
                            count: full.min(up_to),
                            exact: full <= up_to,
                        },
                        "{login} {query} up to {up_to}"
                    );
                }
            }
        }
        assert!(
            sizes.iter().filter(|&&n| n > 20).count() > 20,
            "most scopes see calls: {sizes:?}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn past_ten_thousand_calls_a_count_says_more() {
    on_each_database(|s| async move {
        let domain = s.domain("acme.example").await;
        generate_calls(&s.state.store, &domain, 10_001, 5, END, None, |_| {})
            .await
            .unwrap();
        let (_, n) = s
            .get("101@acme.example", "/api/v1/domains/~/calls/count")
            .await;
        assert_eq!(n, serde_json::json!({"count": 10_000, "exact": false}));
        // The newest day is well under the limit: exact again.
        let day = s
            .list_all(
                "101@acme.example",
                "/api/v1/domains/~/calls?since=2026-03-03T00:00:00Z",
            )
            .await
            .unwrap()
            .len();
        assert!(day > 0 && day < 10_000, "{day}");
        let (_, n) = s
            .get(
                "101@acme.example",
                "/api/v1/domains/~/calls/count?since=2026-03-03T00:00:00Z",
            )
            .await;
        assert_eq!(n, serde_json::json!({"count": day, "exact": true}));
        s
    })
    .await;
}

/// A supervisor reads its queues' calls and its own (its My Account has a Call History tab):
/// every call of its own, as the office manager counts them, and no other user's outside its
/// queues.
#[tokio::test]
async fn a_supervisor_reads_its_own_calls_too() {
    on_each_database(|s| async move {
        let domain = s.domain("acme.example").await;
        generate_calls(&s.state.store, &domain, 400, 5, END, None, |_| {})
            .await
            .unwrap();
        let count = |login: &'static str, query: &'static str| {
            let s = &s;
            async move {
                let (st, body) = s
                    .get(login, &format!("/api/v1/domains/~/calls/count{query}"))
                    .await;
                assert_eq!(st, reqwest::StatusCode::OK, "{body}");
                body["count"].as_i64().unwrap()
            }
        };
        let own = count("101@acme.example", "?user=104").await;
        assert!(own > 0, "the demo gives the supervisor calls of its own");
        assert_eq!(count("104@acme.example", "?user=104").await, own);
        let listed = s
            .list_all("104@acme.example", "/api/v1/domains/~/calls?user=104")
            .await
            .unwrap();
        assert_eq!(listed.len() as i64, own);
        // 107 is no agent of its queues: only the calls 107 shares with the supervisor's reach.
        let shared = s
            .list_all("104@acme.example", "/api/v1/domains/~/calls?user=107")
            .await
            .unwrap();
        assert!(count("101@acme.example", "?user=107").await > shared.len() as i64);
        s
    })
    .await;
}
