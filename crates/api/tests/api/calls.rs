//! Call records: ingestion (idempotent, all or none, errors naming the line and field) and call
//! history cut to every scope exactly as the matrix says, with filters, pages, count and CSV.

use crate::common::{TestServer, on_each_database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use switchboard_domain::{Scope, UserId};
use switchboard_policy::{Action, Reach, Resource, rules_for};

const SU: &str = "100@platform.example";
const RESELLER: &str = "100@voiceco.example";

/// A call; `parties` holds its users, queue and agent (`{"users": [..], "queue": .., "agent": ..}`).
fn call(
    id: &str,
    direction: &str,
    from: &str,
    to: &str,
    start: &str,
    disposition: &str,
    parties: Value,
) -> Value {
    let answered = (disposition == "answered").then(|| format!("{start}:10Z"));
    let mut c = json!({
        "call_id": id, "direction": direction, "from": from, "to": to,
        "started_at": format!("{start}:00Z"), "answered_at": answered, "ended_at": format!("{start}:59Z"),
        "disposition": disposition,
    });
    for (k, v) in parties.as_object().into_iter().flatten() {
        c[k] = v.clone();
    }
    c
}

/// A small, hand-made history touching every kind of party.
fn acme_calls() -> Vec<Value> {
    vec![
        call(
            "c1",
            "internal",
            "107",
            "108",
            "2026-03-02T09:00",
            "answered",
            json!({"users": ["107", "108"]}),
        ),
        call(
            "c2",
            "inbound",
            "+15550000001",
            "600",
            "2026-03-02T09:05",
            "answered",
            json!({"queue": "600", "agent": "105"}),
        ),
        call(
            "c3",
            "inbound",
            "+15550000002",
            "601",
            "2026-03-02T09:10",
            "abandoned",
            json!({"queue": "601"}),
        ),
        call(
            "c4",
            "inbound",
            "+15550000003",
            "602",
            "2026-03-02T09:15",
            "answered",
            json!({"queue": "602", "agent": "105"}),
        ),
        call(
            "c5",
            "outbound",
            "109",
            "+15550000004",
            "2026-03-02T09:20",
            "answered",
            json!({"users": ["109"]}),
        ),
        call(
            "c6",
            "inbound",
            "+15550000005",
            "101",
            "2026-03-02T09:25",
            "missed",
            json!({"users": ["101"]}),
        ),
        call(
            "c7",
            "inbound",
            "+15550000006",
            "+15550000007",
            "2026-03-02T09:30",
            "failed",
            json!({}),
        ),
        call(
            "c8",
            "inbound",
            "+15550000008",
            "106",
            "2026-03-02T09:35",
            "voicemail",
            json!({"users": ["106"]}),
        ),
    ]
}

async fn count(s: &TestServer) -> i64 {
    s.get(SU, "/api/v1/domains/acme.example/calls/count")
        .await
        .1["count"]
        .as_i64()
        .unwrap()
}

async fn ingest(
    s: &TestServer,
    login: &str,
    domain: &str,
    calls: Vec<Value>,
) -> (StatusCode, Value) {
    s.send(
        login,
        Method::POST,
        &format!("/api/v1/domains/{domain}/calls"),
        Some(json!({ "calls": calls })),
    )
    .await
}

#[tokio::test]
async fn ingestion_is_idempotent_all_or_none_and_names_the_line() {
    on_each_database(|s| async move {
        let (st, body) = ingest(&s, RESELLER, "acme.example", acme_calls()).await;
        assert_eq!(
            (st, body["inserted"].as_u64()),
            (StatusCode::OK, Some(8)),
            "{body}"
        );
        let (st, body) = ingest(&s, RESELLER, "acme.example", acme_calls()).await;
        assert_eq!(
            (st, body["inserted"].as_u64(), body["duplicates"].as_u64()),
            (StatusCode::OK, Some(0), Some(8))
        );
        assert_eq!(count(&s).await, 8);
        // One bad call spoils the batch: nothing of it is stored.
        let mut batch = vec![call(
            "n1",
            "internal",
            "107",
            "108",
            "2026-03-03T10:00",
            "answered",
            json!({"users": ["107"]}),
        )];
        for (field, bad) in [
            ("calls[1].started_at", json!({"started_at": "yesterday"})),
            ("calls[1].users[1]", json!({"users": ["107", "999"]})),
            ("calls[1].queue", json!({"queue": "699"})),
            ("calls[1].answered_at", json!({"disposition": "missed"})),
            (
                "calls[1].ended_at",
                json!({"ended_at": "2026-03-03T09:00:00Z"}),
            ),
            ("calls[1].from", json!({"from": ""})),
        ] {
            let mut second = call(
                "n2",
                "internal",
                "107",
                "108",
                "2026-03-03T10:05",
                "answered",
                json!({"users": ["107"]}),
            );
            for (k, v) in bad.as_object().unwrap() {
                second[k] = v.clone();
            }
            batch.truncate(1);
            batch.push(second);
            let (st, body) = ingest(&s, RESELLER, "acme.example", batch.clone()).await;
            assert_eq!(
                (st, body["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{body}"
            );
        }
        let (st, body) = ingest(
            &s,
            RESELLER,
            "acme.example",
            vec![json!({"call_id": "x", "direction": "sideways"})],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(count(&s).await, 8, "no failed batch left anything behind");
        // The same call twice in one batch is stored once.
        let twice = vec![
            call(
                "t1",
                "internal",
                "107",
                "108",
                "2026-03-04T09:00",
                "missed",
                json!({"users": ["107"]}),
            ),
            call(
                "t1",
                "internal",
                "107",
                "108",
                "2026-03-04T09:00",
                "missed",
                json!({"users": ["107"]}),
            ),
        ];
        let (st, body) = ingest(&s, RESELLER, "acme.example", twice).await;
        assert_eq!(
            (st, body["inserted"].as_u64(), body["duplicates"].as_u64()),
            (StatusCode::OK, Some(1), Some(1))
        );
        assert_eq!(count(&s).await, 9);
        // Customers read call history; only the provider ingests it.
        let (st, _) = ingest(&s, "101@acme.example", "acme.example", acme_calls()).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = ingest(&s, RESELLER, "initech.example", acme_calls()).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "another reseller's domain");
        let (_, audit) = s.get(SU, "/api/v1/audit-log?action=calls.ingest").await;
        assert_eq!(audit["items"].as_array().unwrap().len(), 3);
        s
    })
    .await;
}

/// What the matrix's rules for call history say one actor sees.
fn visible(
    s_scope: Scope,
    rules_actor: &Actor,
    call: &Value,
    agents: &std::collections::HashMap<i64, Vec<i64>>,
) -> bool {
    rules_for(s_scope, Resource::CallHistory)
        .iter()
        .filter(|r| r.allows(Action::Read))
        .any(|r| {
            let users: Vec<i64> = call["user_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_i64().unwrap())
                .collect();
            let sites: Vec<i64> = call["site_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_i64().unwrap())
                .collect();
            let same_domain = call["domain_id"].as_i64() == Some(rules_actor.domain);
            match r.reach {
                Reach::Platform => true,
                Reach::Reseller => rules_actor
                    .reseller_domains
                    .contains(&call["domain_id"].as_i64().unwrap()),
                Reach::Domain => same_domain,
                Reach::Site => {
                    same_domain && rules_actor.site.is_some_and(|site| sites.contains(&site))
                }
                Reach::Queues => {
                    same_domain
                        && (call["queue_id"]
                            .as_i64()
                            .is_some_and(|q| rules_actor.supervised.contains(&q))
                            || users.iter().any(|u| {
                                agents.get(u).is_some_and(|qs| {
                                    qs.iter().any(|q| rules_actor.supervised.contains(q))
                                })
                            }))
                }
                Reach::Own => users.contains(&rules_actor.user),
                Reach::AgentQueues | Reach::Shared => false,
            }
        })
}

struct Actor {
    user: i64,
    domain: i64,
    site: Option<i64>,
    supervised: Vec<i64>,
    reseller_domains: Vec<i64>,
}

#[tokio::test]
async fn call_history_is_cut_to_every_scope() {
    on_each_database(|s| async move {
        assert_eq!(
            ingest(&s, RESELLER, "acme.example", acme_calls()).await.0,
            StatusCode::OK
        );
        let globex = vec![call(
            "g1",
            "internal",
            "107",
            "108",
            "2026-03-02T10:00",
            "answered",
            json!({"users": ["107", "108"]}),
        )];
        assert_eq!(
            ingest(&s, RESELLER, "globex.example", globex).await.0,
            StatusCode::OK
        );
        let all: Vec<Value> = [
            s.list_all(SU, "/api/v1/domains/acme.example/calls")
                .await
                .unwrap(),
            s.list_all(SU, "/api/v1/domains/globex.example/calls")
                .await
                .unwrap(),
        ]
        .concat();
        assert_eq!(all.len(), 9);
        let mut agents = std::collections::HashMap::new();
        for c in &all {
            for u in c["user_ids"].as_array().unwrap() {
                let id = u.as_i64().unwrap();
                agents.insert(
                    id,
                    s.state
                        .store
                        .agent_queues(UserId(id))
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|q| q.get())
                        .collect::<Vec<_>>(),
                );
            }
        }
        let reseller_domains: Vec<i64> = s
            .list_all(RESELLER, "/api/v1/domains")
            .await
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect();
        let mut checked = 0;
        for login in [
            SU,
            RESELLER,
            "101@acme.example",
            "102@acme.example",
            "103@acme.example",
            "104@acme.example",
            "105@acme.example",
            "106@acme.example",
            "107@acme.example",
            "108@acme.example",
            "109@acme.example",
        ] {
            let (_, me) = s.get(login, "/api/v1/me").await;
            let scope = Scope::parse(me["scope"].as_str().unwrap()).unwrap();
            let user = me["user"]["id"].as_i64().unwrap();
            let actor = Actor {
                user,
                domain: me["domain"]["id"].as_i64().unwrap(),
                site: me["site_id"].as_i64(),
                supervised: s
                    .state
                    .store
                    .supervision(UserId(user))
                    .await
                    .unwrap()
                    .0
                    .into_iter()
                    .map(|q| q.get())
                    .collect(),
                reseller_domains: if scope == Scope::Reseller {
                    reseller_domains.clone()
                } else {
                    vec![]
                },
            };
            for domain in ["acme.example", "globex.example"] {
                let expected: BTreeSet<String> = all
                    .iter()
                    .filter(|c| visible(scope, &actor, c, &agents))
                    .filter(|c| {
                        let d = c["domain_id"].as_i64().unwrap();
                        all.iter().any(|x| x["domain_id"].as_i64() == Some(d))
                            && (domain == "acme.example")
                                == (c["call_id"].as_str().unwrap() != "g1")
                    })
                    .map(|c| c["call_id"].as_str().unwrap().to_owned())
                    .collect();
                let path = format!("/api/v1/domains/{domain}/calls");
                match s.list_all(login, &path).await {
                    Ok(items) => {
                        let got: BTreeSet<String> = items
                            .iter()
                            .map(|c| c["call_id"].as_str().unwrap().to_owned())
                            .collect();
                        assert_eq!(got, expected, "{login} in {domain}");
                        let (_, n) = s.get(login, &format!("{path}/count")).await;
                        assert_eq!(
                            n["count"].as_u64(),
                            Some(expected.len() as u64),
                            "{login} counts {domain}"
                        );
                        // And with a filter, through the same index-driven count.
                        let answered = all
                            .iter()
                            .filter(|c| expected.contains(c["call_id"].as_str().unwrap()))
                            .filter(|c| c["disposition"] == "answered")
                            .count();
                        let (_, n) = s
                            .get(login, &format!("{path}/count?disposition=answered"))
                            .await;
                        assert_eq!(
                            n["count"].as_u64(),
                            Some(answered as u64),
                            "{login} counts answered calls in {domain}"
                        );
                        let csv = s
                            .client
                            .get(s.url(&format!("{path}/export.csv")))
                            .bearer_auth(s.token(login).await)
                            .send()
                            .await
                            .unwrap()
                            .text()
                            .await
                            .unwrap();
                        assert_eq!(
                            csv.lines().count(),
                            expected.len() + 1,
                            "{login} exports {domain}:\n{csv}"
                        );
                        for c in &all {
                            let id = c["call_id"].as_str().unwrap();
                            if !expected.contains(id) {
                                let (st, _) = s.get(login, &format!("{path}/{id}")).await;
                                assert_eq!(
                                    st,
                                    StatusCode::NOT_FOUND,
                                    "{login} reads {id} in {domain}"
                                );
                            }
                        }
                    }
                    Err(status) => {
                        assert_eq!(status, StatusCode::NOT_FOUND, "{login} in {domain}");
                        assert!(
                            expected.is_empty(),
                            "{login} should see {expected:?} in {domain}"
                        );
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 22);
        // Spot checks of the design's words: a site manager sees the calls touching its site…
        let hq: BTreeSet<String> = s
            .list_all("102@acme.example", "/api/v1/domains/~/calls")
            .await
            .unwrap()
            .iter()
            .map(|c| c["call_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(hq, ["c1", "c2", "c4", "c6"].map(String::from).into());
        // …a supervisor those through its queues or with its agents (c4: Billing, answered by 105)…
        let sup: BTreeSet<String> = s
            .list_all("104@acme.example", "/api/v1/domains/~/calls")
            .await
            .unwrap()
            .iter()
            .map(|c| c["call_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(sup, ["c2", "c3", "c4", "c8"].map(String::from).into());
        // …a basic user its own.
        let own: BTreeSet<String> = s
            .list_all("107@acme.example", "/api/v1/domains/~/calls")
            .await
            .unwrap()
            .iter()
            .map(|c| c["call_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(own, ["c1"].map(String::from).into());
        s
    })
    .await;
}

#[tokio::test]
async fn filters_pages_and_csv() {
    on_each_database(|s| async move {
        assert_eq!(ingest(&s, RESELLER, "acme.example", acme_calls()).await.0, StatusCode::OK);
        let om = "101@acme.example";
        let ids = |items: Vec<Value>| items.iter().map(|c| c["call_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        let all = ids(s.list_all(om, "/api/v1/domains/~/calls").await.unwrap());
        assert_eq!(all, ["c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1"], "newest first");
        for (query, expected) in [
            ("direction=outbound", vec!["c5"]),
            ("disposition=abandoned", vec!["c3"]),
            ("queue=600", vec!["c2"]),
            ("user=105", vec!["c4", "c2"]),
            ("number=0000007", vec!["c7"]),
            ("since=2026-03-02T09:20:00Z&until=2026-03-02T09:30:00Z", vec!["c6", "c5"]),
            ("user=999", vec![]),
        ] {
            let got = ids(s.list_all(om, &format!("/api/v1/domains/~/calls?{query}")).await.unwrap());
            assert_eq!(got, expected, "{query}");
            let (_, n) = s.get(om, &format!("/api/v1/domains/~/calls/count?{query}")).await;
            assert_eq!(n["count"].as_u64(), Some(expected.len() as u64), "count {query}");
        }
        // Pages of 3 cover everything once.
        let (_, first) = s.get(om, "/api/v1/domains/~/calls?limit=3").await;
        let cursor = first["next_cursor"].as_str().unwrap();
        let (_, second) = s.get(om, &format!("/api/v1/domains/~/calls?limit=3&cursor={cursor}")).await;
        assert_eq!(ids(second["items"].as_array().unwrap().clone()), ["c5", "c4", "c3"]);
        let (st, body) = s.get(om, "/api/v1/domains/~/calls?cursor=bogus").await;
        assert_eq!((st, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor")));
        let (st, body) = s.get(om, "/api/v1/domains/~/calls?disposition=lost").await;
        assert_eq!((st, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("disposition")), "{body}");
        // The CSV opens in a spreadsheet: a header, one line per call, extensions not ids.
        let r = s.client.get(s.url("/api/v1/domains/~/calls/export.csv?queue=600")).bearer_auth(s.token(om).await).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("calls-acme.example.csv"));
        let csv = r.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("call_id,direction,from,to,started_at"));
        assert_eq!(lines[1], "c2,inbound,+15550000001,600,2026-03-02T09:05:00Z,2026-03-02T09:05:10Z,2026-03-02T09:05:59Z,10,49,answered,600,105,105");
        s
    })
    .await;
}

/// A call told again with more parties (a later source names the agent and the queue) is
/// merged, and a narrow reach filtered by a new party finds it: its new party set is recorded.
#[tokio::test]
async fn a_merged_call_is_found_by_the_parties_it_gained() {
    on_each_database(|s| async move {
        let first = call(
            "m1",
            "inbound",
            "+15550000009",
            "107",
            "2026-03-02T11:00",
            "answered",
            json!({"users": ["107"]}),
        );
        let mut second = first.clone();
        second["queue"] = json!("600");
        second["agent"] = json!("105");
        for calls in [vec![first], vec![second]] {
            let (st, body) = ingest(&s, RESELLER, "acme.example", calls).await;
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        for query in ["user=105", "queue=600", "user=107"] {
            let (_, n) = s
                .get(
                    "107@acme.example",
                    &format!("/api/v1/domains/~/calls/count?{query}"),
                )
                .await;
            let listed = s
                .list_all(
                    "107@acme.example",
                    &format!("/api/v1/domains/~/calls?{query}"),
                )
                .await
                .unwrap();
            let ids: Vec<&str> = listed
                .iter()
                .filter_map(|c| c["call_id"].as_str())
                .collect();
            assert_eq!((n["count"].as_i64(), ids), (Some(1), vec!["m1"]), "{query}");
        }
        s
    })
    .await;
}

/// A party in more sets shared with the reach than a union takes (here 107 in 84: conference
/// calls with two others in one of three queues) is read the slow way, and still exactly.
#[tokio::test]
async fn a_party_in_many_shared_sets_is_still_counted_exactly() {
    on_each_database(|s| async move {
        let others = ["101", "102", "103", "104", "105", "106", "108", "109"];
        let mut calls = Vec::new();
        for (n, a) in others.iter().enumerate() {
            for b in &others[n + 1..] {
                for queue in ["600", "601", "602"] {
                    calls.push(call(
                        &format!("many-{a}-{b}-{queue}"),
                        "inbound",
                        "+15550000010",
                        queue,
                        "2026-03-02T12:00",
                        "answered",
                        json!({"users": ["107", a, b], "queue": queue}),
                    ));
                }
            }
        }
        assert_eq!(calls.len(), 84);
        let (st, body) = ingest(&s, RESELLER, "acme.example", calls).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let everyone = s
            .list_all("101@acme.example", "/api/v1/domains/~/calls?user=107")
            .await
            .unwrap();
        assert_eq!(everyone.len(), 84);
        // Every narrow reach: its count is what it lists.
        for login in ["102@acme.example", "104@acme.example", "105@acme.example"] {
            let listed = s
                .list_all(login, "/api/v1/domains/~/calls?user=107")
                .await
                .unwrap();
            let (_, n) = s.get(login, "/api/v1/domains/~/calls/count?user=107").await;
            assert_eq!(n["count"].as_i64(), Some(listed.len() as i64), "{login}");
        }
        // The site manager's: the calls touching its site, worked out from the calls themselves.
        let (_, manager) = s
            .get("101@acme.example", "/api/v1/domains/~/users/102")
            .await;
        let site = &manager["site_id"];
        assert!(site.is_i64(), "{manager}");
        let expected = everyone
            .iter()
            .filter(|c| {
                c["site_ids"]
                    .as_array()
                    .is_some_and(|ids| ids.contains(site))
            })
            .count();
        let listed = s
            .list_all("102@acme.example", "/api/v1/domains/~/calls?user=107")
            .await
            .unwrap();
        assert!(expected > 0, "{expected}");
        assert_eq!(listed.len(), expected);
        s
    })
    .await;
}
