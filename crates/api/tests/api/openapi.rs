//! The OpenAPI document matches the server: every route is in it, every operation declares its
//! access, and every guarded operation refuses an anonymous caller.

use crate::common::on_each_database;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn every_route_is_documented_and_declares_its_access() {
    on_each_database(|s| async move {
        let r = s
            .client
            .get(s.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let routes = switchboard_api::api::routes();
        let paths = doc["paths"].as_object().unwrap();
        let mut operations = 0;
        for route in &routes {
            let op = &paths[route.path][route.method.as_str().to_lowercase()];
            assert!(
                op.is_object(),
                "{} {} is not in the document",
                route.method,
                route.path
            );
            operations += 1;
            // A body can be refused for its size, its type or stalling; no body, none of those.
            let responses = &op["responses"];
            for status in ["408", "413", "415"] {
                assert_eq!(
                    responses.get(status).is_some(),
                    route.body.is_some(),
                    "{} {}: {status}",
                    route.method,
                    route.path
                );
            }
            if route.method == reqwest::Method::PATCH && route.body.is_some() {
                assert!(
                    op["requestBody"]["content"]["application/merge-patch+json"].is_object(),
                    "{} takes a merge patch",
                    route.path
                );
            }
        }
        assert!(paths["/api/v1/auth/token"]["post"]["responses"]["415"].is_object());
        let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(
            documented, operations,
            "the document has operations the router does not"
        );
        for (path, methods) in paths {
            for (method, op) in methods.as_object().unwrap() {
                let access = &op["x-switchboard-access"];
                let declared = access == "public"
                    || (access["resource"].is_string() && access["action"].is_string());
                assert!(declared, "{method} {path} declares no (resource, action)");
                for (status, response) in op["responses"].as_object().unwrap() {
                    if let Some(schema) = response
                        .pointer("/content/application~1json/schema/$ref")
                        .and_then(Value::as_str)
                    {
                        let name = schema.rsplit('/').next().unwrap();
                        assert!(
                            doc["components"]["schemas"].get(name).is_some(),
                            "{method} {path} {status} refers to a missing schema {name}"
                        );
                    }
                }
                // Deny by default: without credentials a guarded operation answers 401, and the
                // route exists (never the router's own 404).
                let concrete = path
                    .replace("{domain}", "acme.example")
                    .replace("{user}", "107")
                    .replace("{site}", "1")
                    .replace("{reseller}", "1")
                    .replace("{key}", "1")
                    .replace("{session}", "1");
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let r = s
                    .client
                    .request(m, s.url(&concrete))
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                assert_ne!(
                    body["error"]["code"], "no_route",
                    "{method} {path} is documented but not routed"
                );
                if access != "public" {
                    assert_eq!(
                        status,
                        StatusCode::UNAUTHORIZED,
                        "{method} {path} without credentials"
                    );
                }
            }
        }
        assert!(operations >= 40, "only {operations} operations");
        s
    })
    .await;
}
