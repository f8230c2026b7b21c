//! Call-center rules beyond the matrix: a supervisor's reach follows its settings at once,
//! edit rights and field limits on queues, overflow references, and agents' own availability.

use crate::common::on_each_database;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OM: &str = "101@acme.example";
const SUP: &str = "104@acme.example";
const AGENT: &str = "105@acme.example";

/// The supervisor's call ids, sorted.
async fn call_ids(s: &crate::common::TestServer) -> Vec<String> {
    let mut ids: Vec<String> = s
        .list_all(SUP, "/api/v1/domains/~/calls")
        .await
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The queues in the supervisor's report for 2 March 2026.
async fn report_queues(s: &crate::common::TestServer) -> Vec<String> {
    let (_, r) = s.get(SUP, "/api/v1/domains/~/reports/queues?since=2026-03-02T00:00:00Z&until=2026-03-03T00:00:00Z").await;
    r["queue_totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["queue_extension"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_supervisors_reach_follows_its_settings_at_once() {
    on_each_database(|s| async move {
        let settings = "/api/v1/domains/~/users/104/supervisor-settings";
        let (_, current) = s.get(OM, settings).await;
        // Two calls: one through Support, one answered in Sales.
        let calls = json!({"calls": [
            {"call_id": "via-support", "direction": "inbound", "from": "+15550000001", "to": "601", "started_at": "2026-03-02T14:00:00Z",
             "ended_at": "2026-03-02T14:01:00Z", "disposition": "abandoned", "queue": "601"},
            {"call_id": "via-sales", "direction": "inbound", "from": "+15550000002", "to": "600", "started_at": "2026-03-02T14:05:00Z",
             "answered_at": "2026-03-02T14:05:10Z", "ended_at": "2026-03-02T14:06:00Z", "disposition": "answered", "queue": "600", "agent": "105"},
        ]});
        let (st, body) = s.send("100@voiceco.example", Method::POST, "/api/v1/domains/acme.example/calls", Some(calls)).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(call_ids(&s).await, ["via-sales", "via-support"]);
        assert_eq!(report_queues(&s).await, ["600", "601"]);
        let sales = s.get(OM, "/api/v1/domains/~/call-queues/600").await.1["id"].clone();
        // Before: Sales and Support, with their agents 105 and 106.
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/call-queues/601").await.0,
            StatusCode::OK
        );
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/users/106").await.0,
            StatusCode::OK
        );
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/users/106/availability")
                .await
                .0,
            StatusCode::OK
        );
        // The Office Manager takes Support away: every answer changes on the next request.
        let (st, _) = s
            .send(
                OM,
                Method::PUT,
                settings,
                Some(json!({"queue_ids": [sales], "may_edit_queue_settings": true})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/call-queues/601").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/call-queues/601/agents")
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/users/106").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/users/106/availability")
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        let queues = s
            .list_all(SUP, "/api/v1/domains/~/call-queues")
            .await
            .unwrap();
        assert_eq!(
            queues
                .iter()
                .map(|q| q["extension"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["600"]
        );
        let users = s.list_all(SUP, "/api/v1/domains/~/users").await.unwrap();
        assert_eq!(
            users
                .iter()
                .map(|u| u["extension"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["104", "105"]
        );
        // And back.
        let (st, _) = s.send(OM, Method::PUT, settings, Some(current)).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            s.get(SUP, "/api/v1/domains/~/call-queues/601").await.0,
            StatusCode::OK
        );
        s
    })
    .await;
}

#[tokio::test]
async fn supervisors_change_queue_behaviour_only_when_allowed() {
    on_each_database(|s| async move {
        let sales = "/api/v1/domains/~/call-queues/600";
        let (st, body) = s
            .send(
                SUP,
                Method::PATCH,
                sales,
                Some(json!({"ring_strategy": "ring_all", "max_wait_seconds": 120})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(
            (
                body["ring_strategy"].as_str(),
                body["max_wait_seconds"].as_i64()
            ),
            (Some("ring_all"), Some(120))
        );
        let (st, body) = s
            .send(SUP, Method::PATCH, sales, Some(json!({"name": "Renamed"})))
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::FORBIDDEN, Some("name"))
        );
        // The Office Manager withdraws the edit right.
        let (_, mut settings) = s
            .get(OM, "/api/v1/domains/~/users/104/supervisor-settings")
            .await;
        settings["may_edit_queue_settings"] = json!(false);
        s.send(
            OM,
            Method::PUT,
            "/api/v1/domains/~/users/104/supervisor-settings",
            Some(settings),
        )
        .await;
        let (st, body) = s
            .send(
                SUP,
                Method::PATCH,
                sales,
                Some(json!({"max_wait_seconds": 90})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("queue_edit_not_allowed"))
        );
        // It still manages agents of its queues.
        let (st, body) = s
            .send(
                SUP,
                Method::POST,
                &format!("{sales}/agents"),
                Some(json!({"user": "107", "priority": 2})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let (st, _) = s
            .send(
                SUP,
                Method::POST,
                &format!("{sales}/agents"),
                Some(json!({"user": "107"})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "already an agent");
        let (st, body) = s
            .send(
                SUP,
                Method::POST,
                &format!("{sales}/agents"),
                Some(json!({"user": "999"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("user"))
        );
        // But not of a queue it does not supervise, which does not exist for it.
        let (st, _) = s
            .send(
                SUP,
                Method::POST,
                "/api/v1/domains/~/call-queues/602/agents",
                Some(json!({"user": "107"})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s
    })
    .await;
}

#[tokio::test]
async fn queue_input_is_checked_and_references_hold() {
    on_each_database(|s| async move {
        let base = "/api/v1/domains/~/call-queues";
        let ok = json!({"extension": "650", "name": "Returns", "overflow": {"kind": "voicemail", "target": "107"}});
        for (field, value, status) in [
            ("extension", json!("107"), StatusCode::CONFLICT),
            ("overflow", json!({"kind": "queue", "target": "699"}), StatusCode::UNPROCESSABLE_ENTITY),
            ("overflow", json!({"kind": "external", "target": "12345"}), StatusCode::UNPROCESSABLE_ENTITY),
            ("overflow", json!({"kind": "teleport"}), StatusCode::UNPROCESSABLE_ENTITY),
            ("max_wait_seconds", json!(5), StatusCode::UNPROCESSABLE_ENTITY),
            ("max_callers", json!(0), StatusCode::UNPROCESSABLE_ENTITY),
            ("ring_strategy", json!("random"), StatusCode::UNPROCESSABLE_ENTITY),
            ("site_id", json!(424242), StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let mut bad = ok.clone();
            bad[field] = value.clone();
            let (st, body) = s.send(OM, Method::POST, base, Some(bad)).await;
            // The field, or the part of it at fault (overflow.target).
            let named = body["error"]["field"].as_str().unwrap_or("");
            assert_eq!((st, named.split('.').next()), (status, Some(field)), "{field}={value}: {body}");
        }
        assert_eq!(s.get(OM, &format!("{base}/650")).await.0, StatusCode::NOT_FOUND, "nothing was created");
        let (st, body) = s.send(OM, Method::POST, base, Some(ok)).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        // Sales overflows into Support: Support cannot go while that holds.
        let (st, body) = s.send(OM, Method::DELETE, &format!("{base}/601"), None).await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("600"));
        let (st, _) = s.send(OM, Method::PATCH, &format!("{base}/600"), Some(json!({"overflow": {"kind": "hang_up"}}))).await;
        assert_eq!(st, StatusCode::OK);
        // The main attendant and numbers lead to it as well: named, then moved away.
        let (st, body) = s.send(OM, Method::DELETE, &format!("{base}/601"), None).await;
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(st == StatusCode::CONFLICT && message.contains("auto attendant Main menu") && message.contains("phone number"), "{body}");
        let (_, attendants) = s.get(OM, "/api/v1/domains/~/auto-attendants?q=700").await;
        let attendant = attendants["items"][0]["id"].as_i64().unwrap();
        let (st, body) = s.send(OM, Method::PATCH, &format!("/api/v1/domains/~/auto-attendants/{attendant}"), Some(json!({"menus": [{"options": {"0": {"kind": "repeat"}}}]}))).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let (st, _) = s.send(OM, Method::DELETE, &format!("{base}/601?reroute_numbers_to=call_queue:600"), None).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, numbers) = s.get(OM, "/api/v1/domains/~/phone-numbers").await;
        let routes: Vec<&Value> = numbers["items"].as_array().unwrap().iter().map(|n| &n["route"]).collect();
        assert!(!routes.contains(&&json!({"kind": "call_queue", "target": "601"})) && routes.contains(&&json!({"kind": "call_queue", "target": "600"})), "{numbers}");
        // Its supervisor loses it too.
        let (_, settings) = s.get(OM, "/api/v1/domains/~/users/104/supervisor-settings").await;
        assert_eq!(settings["queue_ids"].as_array().unwrap().len(), 1);
        // A site manager never moves a queue to another site.
        let (st, body) = s.send("102@acme.example", Method::PATCH, &format!("{base}/600"), Some(json!({"site_id": null}))).await;
        assert_eq!((st, body["error"]["field"].as_str()), (StatusCode::FORBIDDEN, Some("site_id")));
        s
    })
    .await;
}

#[tokio::test]
async fn agents_toggle_their_own_availability() {
    on_each_database(|s| async move {
        let own = "/api/v1/domains/~/users/~/availability";
        let (st, body) = s.get(AGENT, own).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let queues: Vec<_> = body["queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["queue_extension"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(queues, ["600", "602"]);
        let (st, body) = s
            .send(
                AGENT,
                Method::PUT,
                own,
                Some(json!({"status": "on_break", "reason": "lunch"})),
            )
            .await;
        assert_eq!(
            (st, body["status"].as_str(), body["reason"].as_str()),
            (StatusCode::OK, Some("on_break"), Some("lunch"))
        );
        let (st, body) = s
            .send(
                AGENT,
                Method::PUT,
                own,
                Some(json!({"status": "available", "reason": "back"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
        );
        let (st, body) = s
            .send(
                AGENT,
                Method::PUT,
                own,
                Some(json!({"status": "available"})),
            )
            .await;
        assert_eq!(
            (st, body["status"].as_str()),
            (StatusCode::OK, Some("available"))
        );
        // Log out of one queue; the supervisor sees it.
        let (st, body) = s
            .send(
                AGENT,
                Method::PUT,
                "/api/v1/domains/~/call-queues/600/agents/105/login",
                Some(json!({"logged_in": false})),
            )
            .await;
        assert_eq!(
            (st, body["logged_in"].as_bool()),
            (StatusCode::OK, Some(false))
        );
        let (_, agents) = s.get(SUP, "/api/v1/domains/~/call-queues/600/agents").await;
        let me = agents
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["extension"] == "105")
            .unwrap()
            .clone();
        assert_eq!(
            (me["logged_in"].as_bool(), me["status"].as_str()),
            (Some(false), Some("available"))
        );
        // An agent changes nobody else's, and cannot change its membership.
        let (st, _) = s
            .send(
                AGENT,
                Method::PUT,
                "/api/v1/domains/~/users/106/availability",
                Some(json!({"status": "available"})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .send(
                AGENT,
                Method::PATCH,
                "/api/v1/domains/~/call-queues/600/agents/105",
                Some(json!({"priority": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // A user in no queue has no availability to set.
        let (st, body) = s
            .send(
                OM,
                Method::PUT,
                "/api/v1/domains/~/users/107/availability",
                Some(json!({"status": "available"})),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("not_an_agent"))
        );
        // Everything above is in the audit log.
        let (_, audit) = s.get(OM, "/api/v1/audit-log/count?action=agent.").await;
        assert_eq!(
            audit["count"], 3,
            "on break, available, logged out; the refused change is not there"
        );
        s
    })
    .await;
}
