//! Two-factor login (TOTP, RFC 6238) through the API: enrolment, the second step of a login
//! with a code and with a recovery code, codes taken once, re-authentication asking for it,
//! API keys left alone, wrong codes throttled, the domain policy and the platform setting,
//! administrators' resets, and the audit log — on each database.

use crate::common::{PASSWORD, TestServer, on_each_database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_api::two_factor::totp_code;
use switchboard_domain::Timestamp;

const MINE: &str = "/api/v1/domains/~/users/~/two-factor";

async fn post(s: &TestServer, path: &str, body: Value) -> (StatusCode, Value) {
    let r = s.client.post(s.url(path)).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn first_step(s: &TestServer, login: &str) -> (StatusCode, Value) {
    post(
        s,
        "/api/v1/auth/token",
        json!({"username": login, "password": PASSWORD}),
    )
    .await
}

async fn second_step(s: &TestServer, challenge: &str, code: &str) -> (StatusCode, Value) {
    post(
        s,
        "/api/v1/auth/second-factor",
        json!({"challenge": challenge, "code": code}),
    )
    .await
}

/// The code the app shows `ahead` seconds from now (one step ahead is still accepted).
fn code(secret: &str, ahead: i64) -> String {
    totp_code(secret, Timestamp::now().0 + ahead).unwrap()
}

async fn reauth(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.send_token(token, Method::POST, "/api/v1/auth/reauth", Some(body))
        .await
}

/// Enrol a login's authenticator with a fresh session; answers (secret, recovery codes).
async fn enrol(s: &TestServer, login: &str) -> (String, Vec<String>) {
    let token = s.token(login).await;
    let (st, _) = reauth(s, &token, json!({"password": PASSWORD})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, enrolment) = s.send_token(&token, Method::POST, MINE, None).await;
    assert_eq!(st, StatusCode::CREATED, "{enrolment}");
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let (st, codes) = s
        .send_token(
            &token,
            Method::POST,
            &format!("{MINE}/confirm"),
            Some(json!({"code": code(&secret, 0)})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{codes}");
    let codes = codes["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

async fn actions(s: &TestServer, prefix: &str) -> Vec<Value> {
    s.list_all(
        "100@platform.example",
        &format!("/api/v1/audit-log?action={prefix}"),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn enrol_then_log_in_with_a_code_and_with_a_recovery_code() {
    on_each_database(|s| async move {
        let token = s.token("107@acme.example").await;
        let (st, status) = s.send_token(&token, Method::GET, MINE, None).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(status["enrolled"], false);
        assert_eq!(status["required"], false);

        // Enrolling changes how one logs in: the password is asked again first.
        let (st, body) = s.send_token(&token, Method::POST, MINE, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "reauth_required");
        assert_eq!(
            reauth(&s, &token, json!({"password": PASSWORD})).await.0,
            StatusCode::OK
        );
        let (st, enrolment) = s.send_token(&token, Method::POST, MINE, None).await;
        assert_eq!(st, StatusCode::CREATED);
        let secret = enrolment["secret"].as_str().unwrap().to_owned();
        assert!(
            enrolment["otpauth_uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/Switchboard:107%40acme.example?secret="),
            "{enrolment}"
        );
        let svg = enrolment["qr_svg"].as_str().unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // Not on until a code comes back: the login still gives tokens.
        assert_eq!(first_step(&s, "107@acme.example").await.0, StatusCode::OK);

        let confirm = format!("{MINE}/confirm");
        let wrong = code(&secret, -3600);
        let (st, body) = s
            .send_token(&token, Method::POST, &confirm, Some(json!({"code": wrong})))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "code");
        let (st, body) = s
            .send_token(
                &token,
                Method::POST,
                &confirm,
                Some(json!({"code": "12ab"})),
            )
            .await;
        assert_eq!(
            (st, &body["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("code"))
        );
        let (st, codes) = s
            .send_token(
                &token,
                Method::POST,
                &confirm,
                Some(json!({"code": code(&secret, 0)})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{codes}");
        let codes: Vec<String> = serde_json::from_value(codes["recovery_codes"].clone()).unwrap();
        assert_eq!(codes.len(), 10);
        let (st, _) = s
            .send_token(
                &token,
                Method::POST,
                &confirm,
                Some(json!({"code": code(&secret, 30)})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "nothing left to confirm");
        let (_, status) = s.send_token(&token, Method::GET, MINE, None).await;
        assert_eq!(
            (
                status["enrolled"].clone(),
                status["recovery_codes_left"].clone()
            ),
            (json!(true), json!(10))
        );

        // An API key made now is not held to the second factor.
        let (st, key) = s
            .send_token(
                &token,
                Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "script"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let key = key["secret"].as_str().unwrap().to_owned();

        // The password alone gives a challenge, no tokens.
        let (st, challenge) = first_step(&s, "107@acme.example").await;
        assert_eq!(st, StatusCode::ACCEPTED, "{challenge}");
        assert!(challenge.get("access_token").is_none());
        let c = challenge["challenge"].as_str().unwrap().to_owned();
        assert_eq!(challenge["methods"], json!(["totp", "recovery_code"]));
        let (st, body) = second_step(&s, &c, &wrong).await;
        assert_eq!(
            (st, &body["error"]["field"]),
            (StatusCode::UNAUTHORIZED, &json!("code"))
        );
        let (st, body) = second_step(&s, "sb_2fa_made-up", &code(&secret, 30)).await;
        assert_eq!(
            (st, &body["error"]["field"]),
            (StatusCode::UNAUTHORIZED, &json!("challenge"))
        );
        let next = code(&secret, 30);
        let (st, tokens) = second_step(&s, &c, &next).await;
        assert_eq!(st, StatusCode::OK, "{tokens}");
        let access = tokens["access_token"].as_str().unwrap().to_owned();
        assert_eq!(
            s.send_token(&access, Method::GET, "/api/v1/me", None)
                .await
                .0,
            StatusCode::OK
        );
        // A challenge opens one session; a code is taken once (RFC 6238 §5.2).
        assert_eq!(second_step(&s, &c, &next).await.0, StatusCode::UNAUTHORIZED);
        let (_, challenge) = first_step(&s, "107@acme.example").await;
        let c = challenge["challenge"].as_str().unwrap().to_owned();
        assert_eq!(second_step(&s, &c, &next).await.0, StatusCode::UNAUTHORIZED);

        // A recovery code, however it is typed, works once.
        let typed = codes[0].to_uppercase().replace('-', " ");
        let (st, tokens) = second_step(&s, &c, &typed).await;
        assert_eq!(st, StatusCode::OK, "{tokens}");
        let (_, challenge) = first_step(&s, "107@acme.example").await;
        let c = challenge["challenge"].as_str().unwrap().to_owned();
        assert_eq!(
            second_step(&s, &c, &codes[0]).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (_, status) = s.send_token(&access, Method::GET, MINE, None).await;
        assert_eq!(status["recovery_codes_left"], 9);

        // Re-authentication asks for the code too.
        let (st, body) = reauth(&s, &access, json!({"password": PASSWORD})).await;
        assert_eq!(
            (st, &body["error"]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("code"))
        );
        let (st, body) = reauth(&s, &access, json!({"password": PASSWORD, "code": wrong})).await;
        assert_eq!(
            (st, &body["error"]["field"]),
            (StatusCode::UNAUTHORIZED, &json!("code"))
        );
        let (st, body) = reauth(
            &s,
            &access,
            json!({"password": "wrong-password", "code": codes[1]}),
        )
        .await;
        assert_eq!(
            (st, &body["error"]["field"]),
            (StatusCode::UNAUTHORIZED, &json!("password"))
        );
        let (st, body) = reauth(&s, &access, json!({"password": PASSWORD, "code": codes[1]})).await;
        assert_eq!(st, StatusCode::OK, "{body}");

        // The key works without any code.
        assert_eq!(
            s.send_token(&key, Method::GET, "/api/v1/me", None).await.0,
            StatusCode::OK
        );

        // New recovery codes replace all the old ones.
        let (st, renewed) = s
            .send_token(
                &access,
                Method::POST,
                &format!("{MINE}/recovery-codes"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(renewed["recovery_codes"].as_array().unwrap().len(), 10);
        let (_, challenge) = first_step(&s, "107@acme.example").await;
        let c = challenge["challenge"].as_str().unwrap().to_owned();
        assert_eq!(
            second_step(&s, &c, &codes[2]).await.0,
            StatusCode::UNAUTHORIZED
        );

        // Turned off, the password alone logs in again.
        assert_eq!(
            s.send_token(&access, Method::DELETE, MINE, None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(first_step(&s, "107@acme.example").await.0, StatusCode::OK);

        // Every step is in the audit log, with how the second factor was given.
        let enrols = actions(&s, "two_factor.enrol").await;
        assert_eq!(enrols.len(), 1);
        assert_eq!(enrols[0]["object"], "two-factor login of user 107");
        let uses = actions(&s, "two_factor.use").await;
        let methods: Vec<&str> = uses
            .iter()
            .map(|u| u["after"]["method"].as_str().unwrap())
            .collect();
        assert_eq!(
            methods.iter().filter(|m| **m == "totp").count(),
            1,
            "{methods:?}"
        );
        assert_eq!(
            methods.iter().filter(|m| **m == "recovery_code").count(),
            2,
            "{methods:?}"
        );
        assert_eq!(actions(&s, "two_factor.recovery_codes").await.len(), 1);
        assert_eq!(actions(&s, "two_factor.remove").await.len(), 1);
        s
    })
    .await;
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    on_each_database(|s| async move {
        let (secret, _) = enrol(&s, "108@acme.example").await;
        let (_, challenge) = first_step(&s, "108@acme.example").await;
        let c = challenge["challenge"].as_str().unwrap().to_owned();
        let wrong = code(&secret, -3600);
        // Twelve at the same moment: no more than the limit (5) are checked.
        let tries = (0..12).map(|_| second_step(&s, &c, &wrong));
        let answers = futures_util::future::join_all(tries).await;
        let checked = answers
            .iter()
            .filter(|(st, _)| *st == StatusCode::UNAUTHORIZED)
            .count();
        let refused = answers
            .iter()
            .filter(|(st, _)| *st == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(checked + refused, 12, "{answers:?}");
        assert!(checked <= 5, "{checked} wrong codes were checked");
        // Locked: even the right code waits, on this challenge or a new one.
        let (st, _) = second_step(&s, &c, &code(&secret, 30)).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
        s
    })
    .await;
}

#[tokio::test]
async fn a_domain_policy_requires_it_of_managers_until_they_enrol() {
    on_each_database(|s| async move {
        let key_before = {
            let token = s.token("102@acme.example").await;
            let (_, key) = s
                .send_token(&token, Method::POST, "/api/v1/api-keys", Some(json!({"name": "sync"})))
                .await;
            key["secret"].as_str().unwrap().to_owned()
        };
        let on = json!({"policy": {"two_factor_for_managers": true, "limits": {"max_users": 100, "max_sites": 10, "max_call_queues": 10, "max_auto_attendants": 20, "max_conferences": 20}}});
        // The reseller sets it; the domain's own Office Manager cannot.
        let (st, _) = s.send("101@acme.example", Method::PATCH, "/api/v1/domains/acme.example", Some(on.clone())).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, domain) = s.send("100@voiceco.example", Method::PATCH, "/api/v1/domains/acme.example", Some(on)).await;
        assert_eq!(st, StatusCode::OK, "{domain}");
        assert_eq!(domain["policy"]["two_factor_for_managers"], true);

        // An Office Manager logs in with its password, and reaches only enrolment until done.
        let (st, tokens) = first_step(&s, "101@acme.example").await;
        assert_eq!(st, StatusCode::OK);
        let om = tokens["access_token"].as_str().unwrap().to_owned();
        let (_, me) = s.send_token(&om, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["two_factor_due"], true);
        let (st, body) = s.send_token(&om, Method::GET, "/api/v1/domains/~/users", None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "two_factor_required");
        let (st, _) = s.send_token(&om, Method::POST, "/api/v1/api-keys", Some(json!({"name": "escape"}))).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "no key made to get around it");
        let (_, status) = s.send_token(&om, Method::GET, MINE, None).await;
        assert_eq!(status["required"], true);
        assert_eq!(reauth(&s, &om, json!({"password": PASSWORD})).await.0, StatusCode::OK);
        let (_, enrolment) = s.send_token(&om, Method::POST, MINE, None).await;
        let secret = enrolment["secret"].as_str().unwrap();
        let (st, _) = s
            .send_token(&om, Method::POST, &format!("{MINE}/confirm"), Some(json!({"code": code(secret, 0)})))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(s.send_token(&om, Method::GET, "/api/v1/domains/~/users", None).await.0, StatusCode::OK);

        // Other managers too; not a basic user; API keys are not held to it.
        let (_, tokens) = first_step(&s, "104@acme.example").await;
        let supervisor = tokens["access_token"].as_str().unwrap().to_owned();
        let (_, me) = s.send_token(&supervisor, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["two_factor_due"], true);
        let (_, tokens) = first_step(&s, "107@acme.example").await;
        let basic = tokens["access_token"].as_str().unwrap().to_owned();
        let (_, me) = s.send_token(&basic, Method::GET, "/api/v1/me", None).await;
        assert_eq!(me["two_factor_due"], false);
        assert_eq!(s.send_token(&key_before, Method::GET, "/api/v1/domains/~/users", None).await.0, StatusCode::OK);
        // Another domain's managers are not affected.
        let (_, tokens) = first_step(&s, "101@globex.example").await;
        let other = tokens["access_token"].as_str().unwrap().to_owned();
        assert_eq!(s.send_token(&other, Method::GET, "/api/v1/domains/~/users", None).await.0, StatusCode::OK);
        s
    })
    .await;
}

#[tokio::test]
async fn the_platform_setting_requires_it_of_resellers_and_super_users() {
    on_each_database(|first| async move {
        let s = first
            .another_instance_with(|c| c.two_factor_for_providers = true)
            .await;
        for login in ["100@voiceco.example", "100@platform.example"] {
            let (_, tokens) = first_step(&s, login).await;
            let token = tokens["access_token"].as_str().unwrap().to_owned();
            let (st, body) = s
                .send_token(&token, Method::GET, "/api/v1/domains", None)
                .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{login}");
            assert_eq!(body["error"]["code"], "two_factor_required");
        }
        // A domain's managers follow their domain's policy, which is off.
        let (_, tokens) = first_step(&s, "101@acme.example").await;
        let om = tokens["access_token"].as_str().unwrap().to_owned();
        assert_eq!(
            s.send_token(&om, Method::GET, "/api/v1/domains/~/users", None)
                .await
                .0,
            StatusCode::OK
        );
        s.stop().await;
        first
    })
    .await;
}

#[tokio::test]
async fn administrators_reset_it_for_users_below_them_only() {
    on_each_database(|s| async move {
        enrol(&s, "107@acme.example").await;
        let theirs = "/api/v1/domains/acme.example/users/107/two-factor";
        // Out of reach looks missing; in reach, read.
        assert_eq!(
            s.get("108@acme.example", theirs).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.get(
                "101@globex.example",
                "/api/v1/domains/acme.example/users/107/two-factor"
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
        let (st, status) = s.get("101@acme.example", theirs).await;
        assert_eq!(
            (st, status["enrolled"].clone()),
            (StatusCode::OK, json!(true))
        );
        // Nobody enrols someone else's authenticator.
        let om = s.token("101@acme.example").await;
        assert_eq!(
            reauth(&s, &om, json!({"password": PASSWORD})).await.0,
            StatusCode::OK
        );
        assert_eq!(
            s.send_token(&om, Method::POST, theirs, None).await.0,
            StatusCode::FORBIDDEN
        );
        // A Site Manager cannot reset its Office Manager's.
        enrol(&s, "101@acme.example").await;
        let sm = s.token("102@acme.example").await;
        assert_eq!(
            reauth(&s, &sm, json!({"password": PASSWORD})).await.0,
            StatusCode::OK
        );
        let (st, _) = s
            .send_token(
                &sm,
                Method::DELETE,
                "/api/v1/domains/~/users/101/two-factor",
                None,
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // The Office Manager resets the basic user's (its session reauthenticated above, before
        // it enrolled: the reset needs no code).
        assert_eq!(
            s.send_token(&om, Method::DELETE, theirs, None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(first_step(&s, "107@acme.example").await.0, StatusCode::OK);
        assert_eq!(
            s.send_token(&om, Method::DELETE, theirs, None).await.0,
            StatusCode::NOT_FOUND
        );
        let removals = actions(&s, "two_factor.remove").await;
        assert_eq!(removals.len(), 1);
        assert_eq!(removals[0]["actor_login"], "101@acme.example");
        s
    })
    .await;
}
