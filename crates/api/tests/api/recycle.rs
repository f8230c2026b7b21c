//! Handing an extension to a new person (`POST …/users/{user}/recycle`), on both databases:
//! what goes, what stays, the old person's ways in ended, one audited change, bad input
//! changing nothing, and out of reach answered 404.

use crate::common::*;
use crate::switch::{issue_password, switch_ha1, with_switch};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OM: &str = "101@acme.example";
const D: &str = "/api/v1/domains/~";
const NEW_PASSWORD: &str = "fresh-start-2026";

async fn count(s: &TestServer, token: &str, path: &str) -> usize {
    let (st, body) = s.send_token(token, Method::GET, path, None).await;
    assert_eq!(st, StatusCode::OK, "{path}: {body}");
    body["items"].as_array().unwrap().len()
}

async fn log_in(s: &TestServer, password: &str) -> Option<String> {
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "105@acme.example", "password": password}))
        .send()
        .await
        .unwrap();
    if r.status() != StatusCode::OK {
        return None;
    }
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn an_extension_is_handed_to_a_new_person_in_one_step() {
    for s in with_switch().await {
        // The old person: a phone with a SIP login, contacts, a rule on a time frame, a
        // voicemail message and a greeting, and a session.
        let (device, _) = issue_password(&s, "105").await;
        let old = s.token("105@acme.example").await;
        let (st, body) = s
            .send_token(
                &old,
                Method::POST,
                &format!("{D}/users/~/contacts"),
                Some(json!({"last_name": "Lee", "first_name": "Ann"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let (st, frame) = s
            .send(OM, Method::POST, &format!("{D}/users/105/time-frames"), Some(json!({"name": "Lunch",
                "schedule": {"kind": "days_of_week", "spans": [{"days": ["monday"], "start": "12:00", "end": "13:00"}]}})))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{frame}");
        let (st, rule) = s
            .send(
                OM,
                Method::POST,
                &format!("{D}/users/105/answer-rules"),
                Some(json!({"time_frame_id": frame["id"],
                "position": 1, "action": {"kind": "forward_always", "to": "108"}})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{rule}");
        let wav = switchboard_domain::wav::silent_wav(8000, 800);
        let (st, body) = s
            .send_file(
                OM,
                Method::POST,
                &format!("{D}/users/105/voicemail-messages?caller_number=%2B15550100"),
                "audio/wav",
                wav.clone(),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let (st, body) = s
            .send_file(
                OM,
                Method::POST,
                &format!("{D}/users/105/greetings?name=Old"),
                "audio/wav",
                wav,
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let contacts = count(&s, &old, &format!("{D}/users/~/contacts")).await;
        let messages = count(&s, &old, &format!("{D}/users/~/voicemail-messages")).await;
        let greetings = count(&s, &old, &format!("{D}/users/~/greetings")).await;
        let rules = count(&s, &old, &format!("{D}/users/~/answer-rules")).await;
        let (_, calls_before) = s.get(OM, &format!("{D}/calls/count?user=105")).await;
        let (_, audit_before) = s.get(OM, "/api/v1/audit-log?action=user.recycle").await;

        // Bad input names its field and changes nothing.
        for (body, field) in [
            (
                json!({"first_name": "Nia", "last_name": "Obi", "password": "short"}),
                "password",
            ),
            (
                json!({"first_name": "", "last_name": "Obi", "password": NEW_PASSWORD}),
                "first_name",
            ),
            (
                json!({"first_name": "Nia", "last_name": "Obi", "email": "not-an-email", "password": NEW_PASSWORD}),
                "email",
            ),
        ] {
            let (st, err) = s
                .send(
                    OM,
                    Method::POST,
                    &format!("{D}/users/105/recycle"),
                    Some(body),
                )
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
            assert_eq!(err["error"]["field"], field, "{err}");
        }
        assert_eq!(
            s.send_token(&old, Method::GET, "/api/v1/me", None).await.0,
            StatusCode::OK
        );
        assert_eq!(
            count(&s, &old, &format!("{D}/users/~/answer-rules")).await,
            rules
        );

        // Out of reach: a basic user cannot, and another domain's manager sees no such user.
        let (st, _) = s
            .send(
                "107@acme.example",
                Method::POST,
                &format!("{D}/users/105/recycle"),
                Some(json!({"first_name": "Nia", "last_name": "Obi", "password": NEW_PASSWORD})),
            )
            .await;
        assert!(
            st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND,
            "{st}"
        );
        let (st, _) = s
            .send(
                "101@globex.example",
                Method::POST,
                "/api/v1/domains/acme.example/users/105/recycle",
                Some(json!({"first_name": "Nia", "last_name": "Obi", "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Not one's own extension.
        let (st, err) = s
            .send(
                OM,
                Method::POST,
                &format!("{D}/users/101/recycle"),
                Some(json!({"first_name": "Nia", "last_name": "Obi", "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{err}");

        // The hand-over, keeping the contacts.
        let (st, done) = s
            .send(OM, Method::POST, &format!("{D}/users/105/recycle"), Some(json!({"first_name": "Nia",
                "last_name": "Obi", "email": "nia.obi@acme.example", "password": NEW_PASSWORD, "keep_contacts": true})))
            .await;
        assert_eq!(st, StatusCode::OK, "{done}");
        assert_eq!(
            (
                done["user"]["first_name"].as_str(),
                done["user"]["last_name"].as_str()
            ),
            (Some("Nia"), Some("Obi"))
        );
        assert_eq!(done["user"]["extension"], "105");
        assert_eq!(done["cleared"]["voicemail_messages"], messages);
        assert_eq!(done["cleared"]["greetings"], greetings);
        assert_eq!(done["cleared"]["contacts"], 0);
        assert_eq!(done["cleared"]["answering_rules"], rules);
        assert!(
            done["cleared"]["time_frames"].as_u64().unwrap() >= 1,
            "{done}"
        );

        // The phone's login: same username, a new password that the switch now checks.
        let phones = done["sip_passwords"].as_array().unwrap();
        assert_eq!(phones.len(), 1, "{done}");
        assert_eq!(phones[0]["device_id"], device);
        let login = &phones[0]["login"];
        let username = login["username"].as_str().unwrap();
        let expected = {
            use md5::{Digest, Md5};
            let digest = Md5::digest(format!(
                "{username}:acme.example:{}",
                login["password"].as_str().unwrap()
            ));
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let ha1 = switch_ha1(&s, username).await;
        assert_eq!(ha1, expected);

        // The old person is out; the new one logs in and finds a clean extension.
        assert_eq!(
            s.send_token(&old, Method::GET, "/api/v1/me", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            log_in(&s, PASSWORD).await.is_none(),
            "the old password no longer works"
        );
        let new = log_in(&s, NEW_PASSWORD)
            .await
            .expect("the new person logs in");
        assert_eq!(
            count(&s, &new, &format!("{D}/users/~/contacts")).await,
            contacts,
            "kept"
        );
        assert_eq!(
            count(&s, &new, &format!("{D}/users/~/voicemail-messages")).await,
            0
        );
        assert_eq!(count(&s, &new, &format!("{D}/users/~/greetings")).await, 0);
        assert_eq!(
            count(&s, &new, &format!("{D}/users/~/answer-rules")).await,
            0
        );
        let (_, calls_after) = s.get(OM, &format!("{D}/calls/count?user=105")).await;
        assert_eq!(
            calls_after, calls_before,
            "call history stays with the extension"
        );

        // One audited change, with before and after.
        let (_, audit) = s.get(OM, "/api/v1/audit-log?action=user.recycle").await;
        let entries = audit["items"].as_array().unwrap();
        assert_eq!(
            entries.len(),
            audit_before["items"].as_array().unwrap().len() + 1,
            "{audit}"
        );
        let entry = &entries[0];
        assert_eq!(entry["before"]["first_name"], "Ava", "{entry}");
        assert_eq!(entry["after"]["first_name"], "Nia", "{entry}");
        s.stop().await;
    }
}
