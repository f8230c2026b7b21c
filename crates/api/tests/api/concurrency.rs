//! Real concurrent clients against two instances of Switchboard on one database: limits,
//! extension uniqueness, login throttling and refresh-token rotation hold, whichever instance
//! each request reaches.

use crate::common::*;
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SU: &str = "100@platform.example";
const OM: &str = "101@acme.example";

/// The statuses of `n` requests sent at once, alternating between the two instances.
async fn at_once<F, Fut>(n: usize, request: F) -> Vec<StatusCode>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = StatusCode>,
{
    join_all((0..n).map(request)).await
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn races_have_one_winner_on_every_instance() {
    for db in switchboard_store::testing::TestDatabase::all().await {
        let a = TestServer::start(db, test_config()).await;
        let b = a.another_instance().await;
        let both = [&a, &b];
        // Both instances log the manager in first, so the races are only the creates.
        let tokens = [a.token(OM).await, b.token(OM).await];

        // One place left under max_users: of 12 simultaneous creates, one gets it.
        let (_, users) = a.get(OM, "/api/v1/domains/~/users/count").await;
        let used = users["count"].as_i64().unwrap();
        let (st, body) = a
            .send(
                SU,
                Method::PATCH,
                "/api/v1/domains/acme.example",
                Some(json!({"policy": {"office_managers_manage_users": true, "limits": {"max_users": used + 1}}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let statuses = at_once(12, |n| {
            let (server, token) = (both[n % 2], &tokens[n % 2]);
            async move {
                server
                    .send_token(
                        token,
                        Method::POST,
                        "/api/v1/domains/~/users",
                        Some(json!({"extension": format!("{}", 400 + n), "first_name": "Race", "last_name": "Winner"})),
                    )
                    .await
                    .0
            }
        })
        .await;
        assert_eq!(
            count(&statuses, StatusCode::CREATED),
            1,
            "{}: {statuses:?}",
            a.label
        );
        assert_eq!(count(&statuses, StatusCode::CONFLICT), 11, "{statuses:?}");

        // One extension, wanted at once by users and queues: one gets it.
        let (st, _) = a
            .send(
                SU,
                Method::PATCH,
                "/api/v1/domains/acme.example",
                Some(json!({"policy": {"office_managers_manage_users": true}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let statuses = at_once(12, |n| {
            let (server, token) = (both[n % 2], &tokens[n % 2]);
            async move {
                let (path, body) = if n % 3 == 0 {
                    (
                        "/api/v1/domains/~/call-queues",
                        json!({"extension": "499", "name": format!("Queue {n}")}),
                    )
                } else {
                    (
                        "/api/v1/domains/~/users",
                        json!({"extension": "499", "first_name": "Same", "last_name": "Extension"}),
                    )
                };
                server
                    .send_token(token, Method::POST, path, Some(body))
                    .await
                    .0
            }
        })
        .await;
        assert_eq!(count(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
        assert_eq!(count(&statuses, StatusCode::CONFLICT), 11, "{statuses:?}");

        // 30 wrong passwords at once: no more than the limit (5) are checked, the rest refused.
        let statuses = at_once(30, |n| {
            let server = both[n % 2];
            async move {
                server
                    .client
                    .post(server.url("/api/v1/auth/token"))
                    .json(&json!({"username": "108@acme.example", "password": "not-the-password"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        })
        .await;
        assert_eq!(
            count(&statuses, StatusCode::UNAUTHORIZED),
            5,
            "{statuses:?}"
        );
        assert_eq!(
            count(&statuses, StatusCode::TOO_MANY_REQUESTS),
            25,
            "{statuses:?}"
        );

        // Six refreshes of one token at once: one gets new tokens.
        let r = a
            .client
            .post(a.url("/api/v1/auth/token"))
            .json(&json!({"username": "107@acme.example", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let tokens: Value = r.json().await.unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        let refreshes = join_all((0..6).map(|n| {
            let server = both[n % 2];
            let refresh = refresh.clone();
            async move {
                let r = server
                    .client
                    .post(server.url("/api/v1/auth/refresh"))
                    .json(&json!({"refresh_token": refresh}))
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        }))
        .await;
        let won: Vec<_> = refreshes
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .collect();
        assert_eq!(won.len(), 1, "{refreshes:?}");
        // The old token used again (here: by the losers) ends every session of that login,
        // the winner's included.
        let winner = won[0].1["access_token"].as_str().unwrap();
        assert_eq!(
            a.send_token(winner, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            refreshes.iter().any(|(_, body)| body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("already used"))),
            "{refreshes:?}"
        );
        // And the sessions are gone for good: the token is unknown now.
        let r = b
            .client
            .post(b.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": refresh}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        b.stop().await;
        a.stop().await;
    }
}
