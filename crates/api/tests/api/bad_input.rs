//! Bad input gets a clear error naming the field, and changes nothing.

use crate::common::{TestServer, on_each_database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OM: &str = "101@acme.example";

async fn user_count(s: &TestServer) -> i64 {
    s.get(OM, "/api/v1/domains/~/users/count").await.1["count"]
        .as_i64()
        .unwrap()
}

async fn audit_count(s: &TestServer) -> i64 {
    s.get(OM, "/api/v1/audit-log/count").await.1["count"]
        .as_i64()
        .unwrap()
}

async fn raw(
    s: &TestServer,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let token = s.token(OM).await;
    let r = s
        .client
        .request(method, s.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn error(body: &Value) -> (&str, Option<&str>) {
    (
        body["error"]["code"].as_str().unwrap_or(""),
        body["error"]["field"].as_str(),
    )
}

#[tokio::test]
async fn bad_bodies_name_the_field_and_change_nothing() {
    on_each_database(|s| async move {
        let users = user_count(&s).await;
        let audit = audit_count(&s).await;
        let path = "/api/v1/domains/~/users";
        let ok = json!({"extension": "300", "first_name": "Val", "last_name": "Id", "email": "val@acme.example"});

        let (st, body) = raw(&s, Method::POST, path, "application/json", b"{\"extension\": \"300\",".to_vec()).await;
        assert_eq!((st, error(&body).0), (StatusCode::BAD_REQUEST, "malformed"), "{body}");

        let (st, body) = raw(&s, Method::POST, path, "text/plain", serde_json::to_vec(&ok).unwrap()).await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");

        let mut unknown = ok.clone();
        unknown["colour"] = json!("blue");
        let (st, body) = s.send(OM, Method::POST, path, Some(unknown)).await;
        assert_eq!((st, error(&body).1), (StatusCode::BAD_REQUEST, Some("colour")), "{body}");

        for (field, value) in [("extension", json!("12a")), ("extension", json!("0123")), ("email", json!("not-an-email")), ("first_name", json!("")), ("password", json!("short")), ("timezone", json!("Mars/Base")), ("scope", json!("emperor")), ("extension", json!(12))] {
            let mut bad = ok.clone();
            bad[field] = value.clone();
            let (st, body) = s.send(OM, Method::POST, path, Some(bad)).await;
            assert_eq!((st, error(&body).1), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{field}={value}: {body}");
            assert!(!body["error"]["message"].as_str().unwrap().is_empty());
        }
        let mut missing = ok.clone();
        missing.as_object_mut().unwrap().remove("last_name");
        let (st, body) = s.send(OM, Method::POST, path, Some(missing)).await;
        assert_eq!((st, error(&body).1), (StatusCode::UNPROCESSABLE_ENTITY, Some("last_name")), "{body}");

        let mut dup = ok.clone();
        dup["extension"] = json!("107");
        let (st, body) = s.send(OM, Method::POST, path, Some(dup)).await;
        assert_eq!((st, error(&body).1), (StatusCode::CONFLICT, Some("extension")), "{body}");

        let mut bad_site = ok.clone();
        bad_site["site_id"] = json!(987654);
        let (st, body) = s.send(OM, Method::POST, path, Some(bad_site)).await;
        assert_eq!((st, error(&body).1), (StatusCode::UNPROCESSABLE_ENTITY, Some("site_id")), "{body}");

        let mut huge = ok.clone();
        huge["first_name"] = json!("x".repeat(200_000));
        let (st, body) = s.send(OM, Method::POST, path, Some(huge)).await;
        assert_eq!((st, error(&body).0), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"), "{body}");

        let (st, body) = s.send(OM, Method::PATCH, "/api/v1/domains/~/users/107", Some(json!({"scope": "office_manager"}))).await;
        assert_eq!((st, error(&body).1), (StatusCode::BAD_REQUEST, Some("scope")), "scope changes go through /scope: {body}");

        let (st, body) = s.send(OM, Method::PUT, "/api/v1/domains/~/users/104/supervisor-settings", Some(json!({"queue_ids": [999999], "may_edit_queue_settings": true}))).await;
        assert_eq!((st, error(&body).1), (StatusCode::UNPROCESSABLE_ENTITY, Some("queue_ids")), "{body}");

        assert_eq!(user_count(&s).await, users, "no user was created");
        assert_eq!(audit_count(&s).await, audit, "nothing was audited, because nothing changed");
        s
    })
    .await;
}

#[tokio::test]
async fn limits_answer_409_naming_the_limit() {
    on_each_database(|s| async move {
        let su = "100@platform.example";
        let (st, _) = s.send(su, Method::PATCH, "/api/v1/domains/acme.example", Some(json!({"policy": {"office_managers_manage_users": true, "limits": {"max_users": 13, "max_sites": 2}}}))).await;
        assert_eq!(st, StatusCode::OK);
        let before = user_count(&s).await;
        assert_eq!(before, 10);
        for ext in ["301", "302", "303"] {
            let (st, body) = s.send(OM, Method::POST, "/api/v1/domains/~/users", Some(json!({"extension": ext, "first_name": "A", "last_name": "B"}))).await;
            assert_eq!(st, StatusCode::CREATED, "{body}");
        }
        let (st, body) = s.send(OM, Method::POST, "/api/v1/domains/~/users", Some(json!({"extension": "304", "first_name": "A", "last_name": "B"}))).await;
        assert_eq!((st, error(&body)), (StatusCode::CONFLICT, ("limit_reached", Some("max_users"))), "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("max_users"));
        let (st, body) = s.send(OM, Method::POST, "/api/v1/domains/~/sites", Some(json!({"name": "Third"}))).await;
        assert_eq!((st, error(&body)), (StatusCode::CONFLICT, ("limit_reached", Some("max_sites"))), "{body}");
        assert_eq!(user_count(&s).await, 13);
        s
    })
    .await;
}

#[tokio::test]
async fn bad_queries_and_cursors() {
    on_each_database(|s| async move {
        let (st, body) = s.get(OM, "/api/v1/domains/~/users?limit=501").await;
        assert_eq!(
            (st, error(&body).1),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
        );
        let (st, body) = s.get(OM, "/api/v1/domains/~/users?limit=ten").await;
        assert_eq!(
            (st, error(&body).1),
            (StatusCode::BAD_REQUEST, Some("limit")),
            "{body}"
        );
        let (st, body) = s.get(OM, "/api/v1/domains/~/users?cursor=%%%").await;
        assert_eq!(
            (st, error(&body).1),
            (StatusCode::BAD_REQUEST, Some("cursor")),
            "{body}"
        );
        let (st, body) = s.get(OM, "/api/v1/domains/~/users?sort=name").await;
        assert_eq!(
            (st, error(&body).1),
            (StatusCode::BAD_REQUEST, Some("sort")),
            "{body}"
        );
        let (st, body) = s.get(OM, "/api/v1/audit-log?since=yesterday").await;
        assert_eq!(
            (st, error(&body).1),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("since")),
            "{body}"
        );
        let (st, body) = s.get(OM, "/api/v1/no-such-thing").await;
        assert_eq!((st, error(&body).0), (StatusCode::NOT_FOUND, "no_route"));
        let (st, _) = s.send(OM, Method::PUT, "/api/v1/me", None).await;
        assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
        s
    })
    .await;
}

/// A raw body, with its media type, as the OM.
async fn send_raw(
    s: &TestServer,
    method: Method,
    path: &str,
    media: &str,
    body: &str,
) -> (StatusCode, Value) {
    let r = s
        .client
        .request(method, s.url(path))
        .bearer_auth(s.token(OM).await)
        .header("content-type", media)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_change_is_a_merge_patch_and_says_each_key_once() {
    on_each_database(|s| async move {
        let path = "/api/v1/domains/~/users/107";
        let (_, before) = s.get(OM, path).await;
        // A key twice: which one was meant cannot be known; refused, naming it, nothing changed.
        for (method, target, body, field) in [
            (Method::PATCH, path, r#"{"first_name":"Ann","first_name":"Bob"}"#, "first_name"),
            (Method::POST, "/api/v1/domains/~/contacts", r#"{"last_name":"Lee","phones":[{"kind":"work","kind":"home","number":"+15550100"}]}"#, "phones[0].kind"),
        ] {
            let (st, body) = send_raw(&s, method, target, "application/json", body).await;
            assert_eq!((st, error(&body)), (StatusCode::BAD_REQUEST, ("malformed", Some(field))), "{body}");
        }
        assert_eq!(s.get(OM, path).await.1, before);
        // The merge patch media type is a change's own name.
        let (st, body) = send_raw(&s, Method::PATCH, path, "application/merge-patch+json", r#"{"first_name":"Merged"}"#).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["first_name"], "Merged");
        // Not for a creation, which is not a patch.
        let (st, _) = send_raw(&s, Method::POST, "/api/v1/domains/~/contacts", "application/merge-patch+json", r#"{"last_name":"Lee"}"#).await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // An error about the whole body names no field, rather than an empty one.
        let (st, body) = send_raw(&s, Method::PATCH, path, "application/json", "[1, 2]").await;
        assert!(st.is_client_error(), "{body}");
        assert!(body["error"].get("field").is_none_or(|f| f.as_str().is_some_and(|f| !f.is_empty())), "{body}");
        s
    })
    .await;
}
