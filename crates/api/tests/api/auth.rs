//! Authentication: tokens, refresh, logout, throttling, API keys, impersonation, re-authentication.

use crate::common::{PASSWORD, TestServer, on_each_database, test_config};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_api::Config;
use switchboard_store::testing::TestDatabase;

async fn login(
    s: &TestServer,
    username: &str,
    password: &str,
) -> (StatusCode, Value, Option<String>) {
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, r.json().await.unwrap_or(Value::Null), retry)
}

#[tokio::test]
async fn tokens_refresh_and_logout() {
    on_each_database(|s| async move {
        let (st, tokens, _) = login(&s, "107@acme.example", PASSWORD).await;
        assert_eq!(st, StatusCode::OK);
        let access = tokens["access_token"].as_str().unwrap().to_owned();
        let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        assert!(access.starts_with("sb_at_") && refresh.starts_with("sb_rt_"));
        assert_eq!(
            s.send_token(&access, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::OK
        );

        // Tokens are stored only as hashes.
        let stored = s.state.store.session_by_access_hash(&access).await.unwrap();
        assert!(
            stored.is_none(),
            "the raw token is not a key in the database"
        );

        // Refresh rotates both tokens; the old refresh token stops working.
        let r = s
            .client
            .post(s.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": refresh}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let rotated: Value = r.json().await.unwrap();
        assert_eq!(
            s.send_token(&access, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED,
            "the old access token is gone"
        );
        let rotated_access = rotated["access_token"].as_str().unwrap().to_owned();
        assert_eq!(
            s.send_token(&rotated_access, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::OK
        );
        // The old refresh token again: someone holds a copy, so the login's sessions end.
        let again = s
            .client
            .post(s.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": refresh}))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            s.send_token(&rotated_access, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED,
            "a reused refresh token ends every session of its user"
        );
        let (st, tokens, _) = login(&s, "107@acme.example", PASSWORD).await;
        assert_eq!(st, StatusCode::OK);
        let access = tokens["access_token"].as_str().unwrap().to_owned();

        // Logout revokes.
        assert_eq!(
            s.send_token(&access, Method::POST, "/api/v1/auth/logout", None)
                .await
                .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            s.send_token(&access, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );

        // Missing, malformed and unknown tokens.
        let r = s.client.get(s.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            s.send_token("sb_at_nonsense", Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );

        // Wrong password, unknown user and a no-portal line.
        assert_eq!(
            login(&s, "107@acme.example", "wrong-password!").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(&s, "999@acme.example", PASSWORD).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (st, body, _) = login(&s, "110@acme.example", PASSWORD).await;
        assert_eq!(
            st,
            StatusCode::UNAUTHORIZED,
            "a no-portal line has no password: {body}"
        );
        let (st, body, _) = login(&s, "not-a-login", PASSWORD).await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("username"))
        );
        s
    })
    .await;
}

#[tokio::test]
async fn failed_logins_are_throttled_in_the_database() {
    for db in TestDatabase::all().await {
        let config = Config {
            account_max_failures: 3,
            address_max_failures: 100,
            ..test_config()
        };
        let s = TestServer::start(db, config).await;
        for _ in 0..3 {
            assert_eq!(
                login(&s, "108@acme.example", "wrong-password!").await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        // Locked now, even with the right password; other accounts are not.
        let (st, body, retry) = login(&s, "108@acme.example", PASSWORD).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(retry.unwrap().parse::<i64>().unwrap() > 0);
        assert_eq!(
            login(&s, "107@acme.example", PASSWORD).await.0,
            StatusCode::OK
        );
        // The count lives in the database: a second server on the same database sees the lock.
        let second = switchboard_api::AppState::new(s.state.store.clone(), test_config()).unwrap();
        let err = switchboard_api::api::auth::login(
            &second,
            "108@acme.example",
            PASSWORD,
            Some("127.0.0.1".into()),
        )
        .await
        .err()
        .unwrap();
        assert_eq!(err.status.as_u16(), 429);
        s.stop().await;
    }
}

#[tokio::test]
async fn api_keys_are_shown_once_and_never_exceed_their_creator() {
    on_each_database(|s| async move {
        let om = "101@acme.example";
        let (st, key) = s
            .send(
                om,
                Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "CRM", "read_only": true})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{key}");
        let secret = key["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("sb_key_"));
        let (_, listed) = s.get(om, &format!("/api/v1/api-keys/{}", key["id"])).await;
        assert!(
            listed.get("secret").is_none(),
            "the secret is shown only once"
        );
        // The key authenticates, reads, and never writes.
        let (st, users) = s
            .send_token(&secret, Method::GET, "/api/v1/domains/~/users/count", None)
            .await;
        assert_eq!(
            (st, users["count"].as_i64().unwrap() > 5),
            (StatusCode::OK, true)
        );
        let (st, body) = s
            .send_token(
                &secret,
                Method::PATCH,
                "/api/v1/domains/~/users/107",
                Some(json!({"first_name": "Nope"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("read_only_key"))
        );
        // A key above its creator's scope is refused.
        let (st, body) = s
            .send(
                om,
                Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "x", "scope": "reseller"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::FORBIDDEN, Some("scope"))
        );
        // A lower-scope key acts with the lower scope.
        let (_, low) = s
            .send(
                om,
                Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "basic", "scope": "basic_user"})),
            )
            .await;
        let low = low["secret"].as_str().unwrap().to_owned();
        let (_, me) = s.send_token(&low, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["scope"], "basic_user");
        assert_eq!(
            s.send_token(&low, Method::GET, "/api/v1/domains/~/users/107", None)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        // Expired keys stop working; past expiry dates are refused.
        let (st, body) = s
            .send(
                om,
                Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "old", "expires_at": "2001-01-01T00:00:00Z"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_at"))
        );
        // Revoking works.
        let (st, _) = s
            .send(
                om,
                Method::DELETE,
                &format!("/api/v1/api-keys/{}", key["id"]),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assert_eq!(
            s.send_token(&secret, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
        s
    })
    .await;
}

#[tokio::test]
async fn impersonation_is_audited_with_both_names() {
    on_each_database(|s| async move {
        let om = "101@acme.example";
        let (st, tokens) = s
            .send(
                om,
                Method::POST,
                "/api/v1/auth/impersonate",
                Some(json!({"user": "107"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{tokens}");
        let acting = tokens["access_token"].as_str().unwrap().to_owned();
        let (_, me) = s.send_token(&acting, Method::GET, "/api/v1/me", None).await;
        assert_eq!(
            (me["login"].as_str(), me["impersonated_by"].as_str()),
            (Some("107@acme.example"), Some("101@acme.example"))
        );
        let (st, _) = s
            .send_token(
                &acting,
                Method::PATCH,
                "/api/v1/domains/~/users/~",
                Some(json!({"first_name": "Benjamin"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        // No nesting, and no keys made while acting as someone else.
        let (st, body) = s
            .send_token(
                &acting,
                Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "sneaky"})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
        let (_, entries) = s.get(om, "/api/v1/audit-log?action=user.update").await;
        let entry = entries["items"][0].clone();
        assert_eq!(entry["actor_login"], "101@acme.example");
        assert_eq!(entry["on_behalf_of_login"], "107@acme.example");
        assert_eq!(entry["before"]["first_name"], "Ben");
        assert_eq!(entry["after"]["first_name"], "Benjamin");
        // Newest first; by a login finds what it did and what was done on its behalf.
        let (_, all) = s.get(om, "/api/v1/audit-log").await;
        let ids: Vec<i64> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        let (_, by) = s.get(om, "/api/v1/audit-log?user=107@ACME.example").await;
        let by = by["items"].as_array().unwrap();
        assert!(
            !by.is_empty()
                && by.iter().all(|e| e["actor_login"] == "107@acme.example"
                    || e["on_behalf_of_login"] == "107@acme.example"),
            "{by:?}"
        );
        assert!(by.iter().any(|e| e["action"] == "user.update"));
        let (_, started) = s
            .get(om, "/api/v1/audit-log?action=session.impersonate")
            .await;
        assert_eq!(
            started["items"][0]["on_behalf_of_login"],
            "107@acme.example"
        );
        // Ending the impersonation session leaves the administrator's own session.
        assert_eq!(
            s.send_token(&acting, Method::POST, "/api/v1/auth/logout", None)
                .await
                .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(s.get(om, "/api/v1/me").await.0, StatusCode::OK);
        // Equal or higher scopes, and scopes without the right, are refused.
        let (st, _) = s
            .send(
                om,
                Method::POST,
                "/api/v1/auth/impersonate",
                Some(json!({"user": "101"})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .send(
                "102@acme.example",
                Method::POST,
                "/api/v1/auth/impersonate",
                Some(json!({"user": "107"})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .send(
                om,
                Method::POST,
                "/api/v1/auth/impersonate",
                Some(json!({"user": "107@globex.example"})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // A reseller may act as an Office Manager of its domains.
        let (st, _) = s
            .send(
                "100@voiceco.example",
                Method::POST,
                "/api/v1/auth/impersonate",
                Some(json!({"user": "101@acme.example"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        s
    })
    .await;
}

#[tokio::test]
async fn reauthentication_opens_account_preferences_for_a_while() {
    on_each_database(|s| async move {
        let om = "101@acme.example";
        assert_eq!(s.get(om, "/api/v1/me").await.1["reauthenticated"], false);
        let (st, body) = s
            .send(
                om,
                Method::POST,
                "/api/v1/auth/reauth",
                Some(json!({"password": "wrong-password!"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("password"))
        );
        let (st, body) = s
            .send(
                om,
                Method::POST,
                "/api/v1/auth/reauth",
                Some(json!({"password": PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(body["reauthenticated_until"].as_str().is_some());
        assert_eq!(s.get(om, "/api/v1/me").await.1["reauthenticated"], true);
        let (_, audit) = s.get(om, "/api/v1/audit-log?action=session.reauth").await;
        assert_eq!(audit["items"][0]["actor_login"], "101@acme.example");
        s
    })
    .await;
}

#[tokio::test]
async fn a_password_reset_ends_the_users_sessions() {
    on_each_database(|s| async move {
        let token = s.token("107@acme.example").await;
        let (st, body) = s
            .send(
                "101@acme.example",
                Method::POST,
                "/api/v1/domains/~/users/107/password",
                Some(json!({"password": "a-brand-new-password"})),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(
            s.send_token(&token, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(&s, "107@acme.example", "a-brand-new-password")
                .await
                .0,
            StatusCode::OK
        );
        // Changing one's own password needs the current one.
        let (st, body) = s
            .send(
                "108@acme.example",
                Method::POST,
                "/api/v1/domains/~/users/~/password",
                Some(json!({"password": "another-new-password"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password"))
        );
        let (st, _) = s
            .send(
                "108@acme.example",
                Method::POST,
                "/api/v1/domains/~/users/~/password",
                Some(json!({"password": "another-new-password", "current_password": PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        s
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_at_reauthentication_are_throttled_like_logins() {
    for db in TestDatabase::all().await {
        let config = Config {
            account_max_failures: 3,
            ..test_config()
        };
        let s = TestServer::start(db, config).await;
        let token = s.token("101@acme.example").await;
        let reauth = |password: &'static str| {
            s.send_token(
                &token,
                Method::POST,
                "/api/v1/auth/reauth",
                Some(json!({ "password": password })),
            )
        };
        for _ in 0..3 {
            assert_eq!(reauth("wrong-password!").await.0, StatusCode::UNAUTHORIZED);
        }
        let (st, body) = reauth(PASSWORD).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{body}");
        s.stop().await;
    }
}
