//! A voicemail PIN: set by its user or a manager in reach, never read back, refused when easy to
//! guess (naming the field, changing nothing), checked only by the media server through the
//! switch endpoint, which locks a mailbox after five wrong PINs.

use crate::common::*;
use crate::switch::{SECRET, with_switch};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PIN: &str = "/api/v1/domains/~/users/~/voicemail-pin";

async fn check(s: &TestServer, mailbox: &str, pin: &str) -> (StatusCode, String) {
    let r = s
        .client
        .post(s.url("/switch/voicemail/check"))
        .basic_auth("switch", Some(SECRET))
        .form(&[
            ("domain", "acme.example"),
            ("mailbox", mailbox),
            ("pin", pin),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_pin_is_set_checked_and_never_shown() {
    for s in with_switch().await {
        let me = "107@acme.example";
        let (st, user) = s.get(me, "/api/v1/domains/~/users/~").await;
        assert_eq!(
            (st, user["voicemail_pin_set"].as_bool()),
            (StatusCode::OK, Some(false))
        );
        assert_eq!(
            check(&s, "107", "4826").await,
            (StatusCode::OK, "none".into())
        );

        let (st, _) = s
            .send(me, Method::PUT, PIN, Some(json!({"pin": "4826"})))
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, user) = s.get(me, "/api/v1/domains/~/users/~").await;
        assert_eq!(user["voicemail_pin_set"], json!(true));
        assert!(
            !user.to_string().contains("4826"),
            "the PIN is never read back: {user}"
        );

        // Easy to guess, or not a PIN: refused, naming the field; the PIN stays as it was.
        for bad in ["12", "12345678901", "48a6", "7777", "107", ""] {
            let (st, body) = s
                .send(me, Method::PUT, PIN, Some(json!({"pin": bad})))
                .await;
            assert!(
                st == StatusCode::UNPROCESSABLE_ENTITY || st == StatusCode::BAD_REQUEST,
                "{bad}: {st} {body}"
            );
            assert_eq!(body["error"]["field"], json!("pin"), "{bad}: {body}");
        }
        assert_eq!(
            check(&s, "107", "4826").await,
            (StatusCode::OK, "ok".into())
        );
        assert_eq!(
            check(&s, "107", "4827").await,
            (StatusCode::OK, "wrong".into())
        );

        // Another basic user's PIN is out of reach: 404, and nothing changes.
        let (st, _) = s
            .send(
                me,
                Method::PUT,
                "/api/v1/domains/~/users/108/voicemail-pin",
                Some(json!({"pin": "5931"})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // Its Office Manager sets it.
        let (st, _) = s
            .send(
                "101@acme.example",
                Method::PUT,
                "/api/v1/domains/~/users/108/voicemail-pin",
                Some(json!({"pin": "5931"})),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assert_eq!(
            check(&s, "108", "5931").await,
            (StatusCode::OK, "ok".into())
        );

        // Five wrong PINs lock the mailbox: even the right one is refused for a while.
        for _ in 0..5 {
            assert_eq!(check(&s, "108", "0000").await.1, "wrong");
        }
        assert_eq!(check(&s, "108", "5931").await.1, "locked");
        // The other mailbox is not locked with it.
        assert_eq!(check(&s, "107", "4826").await.1, "ok");

        // Cleared: the media server hears there is none.
        let (st, _) = s.send(me, Method::DELETE, PIN, None).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assert_eq!(check(&s, "107", "4826").await.1, "none");

        // Bad input to the switch endpoint names its field.
        let r = s
            .client
            .post(s.url("/switch/voicemail/check"))
            .basic_auth("switch", Some(SECRET))
            .form(&[("domain", "acme.example"), ("pin", "1234")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("mailbox"));
        s.stop().await;
    }
}
