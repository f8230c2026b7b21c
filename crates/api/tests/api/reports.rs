//! Reports: checked on a hand-made queue_log whose figures are worked out below, and on a
//! generated history against an independent computation, across a daylight-saving change.

use crate::common::{TestServer, on_each_database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use switchboard_api::import::{ImportOptions, import_calls};

const OM: &str = "101@acme.example";

async fn import_queue_log(s: &TestServer) {
    let domain = s.domain("acme.example").await;
    let options = ImportOptions {
        format: None,
        batch_size: 100,
        dry_run: false,
        timezone: None,
    };
    import_calls(
        &s.state.store,
        &domain,
        crate::import::QUEUE_LOG.as_bytes(),
        &options,
        |_, _| {},
    )
    .await
    .unwrap();
}

fn by_queue(report: &Value, key: &str) -> BTreeMap<String, Value> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["queue_extension"].as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

#[tokio::test]
async fn the_hand_made_queue_log_adds_up() {
    on_each_database(|s| async move {
        import_queue_log(&s).await;
        // The calls entered between 14:20 and 14:25 UTC on 2 March 2026: 09:20 in New York.
        let q = "?since=2026-03-02T05:00:00Z&until=2026-03-03T05:00:00Z&interval=day&service_level_seconds=20";
        let (st, report) = s.get(OM, &format!("/api/v1/domains/~/reports/queues{q}")).await;
        assert_eq!(st, StatusCode::OK, "{report}");
        let rows = by_queue(&report, "rows");
        // Sales: one answered after 15 s (talk 120 s), one abandoned after 40 s.
        let sales = &rows["600"];
        assert_eq!(sales["interval_start"], "2026-03-02T00:00:00-05:00");
        assert_eq!((sales["offered"].as_i64(), sales["answered"].as_i64(), sales["abandoned"].as_i64(), sales["timed_out"].as_i64()), (Some(2), Some(1), Some(1), Some(0)));
        assert_eq!((sales["service_level_percent"].as_f64(), sales["average_wait_seconds"].as_f64()), (Some(50.0), Some(15.0)));
        assert_eq!((sales["longest_wait_seconds"].as_i64(), sales["average_talk_seconds"].as_f64()), (Some(40), Some(120.0)));
        // Support: one call that timed out after 180 s.
        let support = &rows["601"];
        assert_eq!((support["offered"].as_i64(), support["timed_out"].as_i64(), support["service_level_percent"].as_f64()), (Some(1), Some(1), Some(0.0)));
        assert_eq!((support["longest_wait_seconds"].as_i64(), support["average_wait_seconds"].clone()), (Some(180), Value::Null));
        let total = &report["total"];
        assert_eq!((total["offered"].as_i64(), total["answered"].as_i64(), total["service_level_percent"].as_f64()), (Some(3), Some(1), Some(33.33)));
        let (_, agents) = s.get(OM, &format!("/api/v1/domains/~/reports/agents{q}")).await;
        assert_eq!(agents["rows"], json!([{"user_id": agents["rows"][0]["user_id"], "extension": "105", "name": "Ava Adams", "calls_answered": 1, "talk_seconds": 120, "average_handling_seconds": 120.0}]));
        // Cut to each scope: a site manager its site's queue, the supervisor both, the agent its
        // own answered call, a basic user nothing.
        let queues_of = |report: &Value| report["queue_totals"].as_array().unwrap().iter().map(|r| r["queue_extension"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(queues_of(&s.get("102@acme.example", &format!("/api/v1/domains/~/reports/queues{q}")).await.1), ["600"]);
        assert_eq!(queues_of(&s.get("103@acme.example", &format!("/api/v1/domains/~/reports/queues{q}")).await.1), ["601"]);
        assert_eq!(queues_of(&s.get("104@acme.example", &format!("/api/v1/domains/~/reports/queues{q}")).await.1), ["600", "601"]);
        let (_, own) = s.get("105@acme.example", &format!("/api/v1/domains/~/reports/queues{q}")).await;
        assert_eq!((own["total"]["offered"].as_i64(), own["total"]["answered"].as_i64()), (Some(1), Some(1)));
        assert_eq!(s.get("107@acme.example", &format!("/api/v1/domains/~/reports/queues{q}")).await.0, StatusCode::FORBIDDEN);
        assert_eq!(s.get("101@globex.example", "/api/v1/domains/acme.example/reports/queues").await.0, StatusCode::NOT_FOUND);
        // CSV for spreadsheets.
        let csv = s.client.get(s.url(&format!("/api/v1/domains/~/reports/queues.csv{q}"))).bearer_auth(s.token(OM).await).send().await.unwrap().text().await.unwrap();
        assert!(csv.contains("600,2026-03-02T00:00:00-05:00,2,1,1,0,1,50,15,40,120,Sales\r\n"), "{csv}");
        assert!(csv.lines().last().unwrap().starts_with("all,total,3,1,1,1,1,33.33"), "{csv}");
        let agents_csv = s.client.get(s.url(&format!("/api/v1/domains/~/reports/agents.csv{q}"))).bearer_auth(s.token(OM).await).send().await.unwrap().text().await.unwrap();
        assert_eq!(agents_csv, "agent,calls_answered,talk_seconds,average_handling_seconds,name\r\n105,1,120,120,Ava Adams\r\n");
        // The same day on another clock (the viewer's): intervals start at its midnight.
        assert_eq!(by_queue(&report, "queue_totals")["600"]["queue_name"], "Sales");
        let (st, kolkata) = s.get(OM, "/api/v1/domains/~/reports/queues?since=2026-03-01T18:30:00Z&until=2026-03-03T18:30:00Z&interval=day&timezone=Asia/Kolkata").await;
        assert_eq!(st, StatusCode::OK, "{kolkata}");
        assert_eq!(kolkata["timezone"], "Asia/Kolkata");
        assert!(kolkata["rows"].as_array().unwrap().iter().all(|r| r["interval_start"].as_str().unwrap().ends_with("T00:00:00+05:30")), "{kolkata}");
        assert_eq!(kolkata["total"]["offered"], 3);
        // Bad ranges are named.
        for (query, field) in [("?since=2026-03-03T00:00:00Z&until=2026-03-02T00:00:00Z", "since"), ("?interval=week", "interval"), ("?since=2025-01-01T00:00:00Z&until=2026-03-01T00:00:00Z&interval=hour", "since"), ("?service_level_seconds=99999", "service_level_seconds"), ("?timezone=Mars/Olympus", "timezone")] {
            let (_, body) = s.get(OM, &format!("/api/v1/domains/~/reports/queues{query}")).await;
            assert_eq!(body["error"]["field"], field, "{query}: {body}");
        }
        s
    })
    .await;
}

/// A tiny deterministic generator, so both databases get the same history.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[tokio::test]
async fn generated_history_matches_an_independent_computation() {
    on_each_database(|s| async move {
        // 400 queue calls from 6 to 10 March 2026, across the switch to daylight time on the 8th.
        let mut rng = Lcg(42);
        let start = 1_772_773_200; // 2026-03-06T05:00:00Z, midnight in New York
        let mut calls = Vec::new();
        for i in 0..400 {
            let queue = ["600", "601", "602"][rng.next(3) as usize];
            let started = start + rng.next(4 * 86_400) as i64;
            let wait = rng.next(120) as i64;
            let kind = rng.next(10);
            let ts = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_string();
            let (disposition, answered, talk) = match kind {
                0..=6 => ("answered", Some(started + wait), 30 + rng.next(600) as i64),
                7 | 8 => ("abandoned", None, 0),
                _ => ("missed", None, 0),
            };
            let end = answered.map_or(started + wait, |a| a + talk);
            let agent = if queue == "601" { "106" } else { "105" };
            calls.push(json!({"call_id": format!("gen-{i}"), "direction": "inbound", "from": "+15550001234", "to": queue,
                "started_at": ts(started), "answered_at": answered.map(ts), "ended_at": ts(end), "disposition": disposition,
                "queue": queue, "agent": answered.map(|_| agent)}));
        }
        let (st, body) = s.send("100@voiceco.example", Method::POST, "/api/v1/domains/acme.example/calls", Some(json!({"calls": calls.clone()}))).await;
        assert_eq!(st, StatusCode::OK, "{body}");

        // Independently: bucket each call by its local hour in New York.
        let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let mut expected: BTreeMap<(String, String), [i64; 6]> = BTreeMap::new();
        for c in &calls {
            let started: jiff::Timestamp = c["started_at"].as_str().unwrap().parse().unwrap();
            let hour = started.to_zoned(tz.clone()).with().minute(0).second(0).build().unwrap();
            let key = (c["queue"].as_str().unwrap().to_owned(), hour.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
            let e = expected.entry(key).or_default();
            let wait = match c["answered_at"].as_str() {
                Some(a) => a.parse::<jiff::Timestamp>().unwrap().as_second() - started.as_second(),
                None => c["ended_at"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap().as_second() - started.as_second(),
            };
            e[0] += 1;
            match c["disposition"].as_str().unwrap() {
                "answered" => {
                    e[1] += 1;
                    e[4] += i64::from(wait <= 20);
                }
                "abandoned" => e[2] += 1,
                _ => e[3] += 1,
            }
            e[5] = e[5].max(wait);
        }
        let (st, report) = s.get(OM, "/api/v1/domains/~/reports/queues?since=2026-03-06T05:00:00Z&until=2026-03-10T05:00:00Z&interval=hour").await;
        assert_eq!(st, StatusCode::OK, "{report}");
        let got: BTreeMap<(String, String), [i64; 6]> = report["rows"].as_array().unwrap().iter().map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            ((r["queue_extension"].as_str().unwrap().to_owned(), r["interval_start"].as_str().unwrap().to_owned()),
             [n("offered"), n("answered"), n("abandoned"), n("timed_out"), n("answered_within_threshold"), n("longest_wait_seconds")])
        }).collect();
        assert_eq!(got, expected);
        // 02:00 to 03:00 does not exist on 8 March in New York.
        assert!(got.keys().all(|(_, h)| !h.starts_with("2026-03-08T02:")), "02:00 does not exist on 8 March in New York");
        let total: i64 = expected.values().map(|e| e[0]).sum();
        assert_eq!(report["total"]["offered"].as_i64(), Some(total));
        // Days: four local days, the third 23 hours long.
        let (_, days) = s.get(OM, "/api/v1/domains/~/reports/queues?since=2026-03-06T05:00:00Z&until=2026-03-10T04:00:00Z&interval=day").await;
        let starts: std::collections::BTreeSet<String> = days["rows"].as_array().unwrap().iter().map(|r| r["interval_start"].as_str().unwrap().to_owned()).collect();
        assert_eq!(starts.into_iter().collect::<Vec<_>>(), ["2026-03-06T00:00:00-05:00", "2026-03-07T00:00:00-05:00", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"]);
        s
    })
    .await;
}

/// Every login of the demo, in both domains: the report's totals are exactly the queue calls in
/// the login's reach (DESIGN §2's reports row: D, S = its site's queues, Q = its queues, O = the
/// calls it answered), 403 for scopes without reports, 404 for another customer's domain.
#[tokio::test]
async fn reports_are_cut_to_every_scope() {
    on_each_database(|s| async move {
        let mut rng = Lcg(7);
        let start = 1_772_773_200;
        // (domain, queue, agent extension or none)
        let mut made: Vec<(&str, &str, Option<&str>)> = Vec::new();
        for domain in ["acme.example", "globex.example"] {
            let mut calls = Vec::new();
            for i in 0..60 {
                let queue = ["600", "601", "602"][rng.next(3) as usize];
                let agent = ["105", "106"][rng.next(2) as usize];
                let started = start + rng.next(86_400) as i64;
                let answered = rng.next(3) > 0;
                let ts = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_string();
                calls.push(json!({"call_id": format!("{domain}-{i}"), "direction": "inbound", "from": "+15550001234", "to": queue,
                    "started_at": ts(started), "answered_at": answered.then(|| ts(started + 10)), "ended_at": ts(started + 70),
                    "disposition": if answered { "answered" } else { "abandoned" }, "queue": queue, "agent": answered.then_some(agent)}));
                made.push((domain, queue, answered.then_some(agent)));
            }
            let (st, body) = s.send("100@voiceco.example", Method::POST, &format!("/api/v1/domains/{domain}/calls"), Some(json!({"calls": calls}))).await;
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        // Each queue's site, by domain, as the super user sees it.
        let mut queue_site: BTreeMap<(String, String), Option<i64>> = BTreeMap::new();
        let mut queue_id: BTreeMap<(String, String), i64> = BTreeMap::new();
        for domain in ["acme.example", "globex.example"] {
            for q in s.list_all("100@platform.example", &format!("/api/v1/domains/{domain}/call-queues")).await.unwrap() {
                let key = (domain.to_owned(), q["extension"].as_str().unwrap().to_owned());
                queue_site.insert(key.clone(), q["site_id"].as_i64());
                queue_id.insert(key, q["id"].as_i64().unwrap());
            }
        }
        let range = "?since=2026-03-06T00:00:00Z&until=2026-03-08T00:00:00Z&interval=day";
        let mut logins = vec!["100@platform.example".to_owned(), "100@voiceco.example".to_owned()];
        for domain in ["acme.example", "globex.example"] {
            logins.extend((101..=109).map(|n| format!("{n}@{domain}")));
        }
        let mut checked = 0;
        for login in &logins {
            let (_, me) = s.get(login, "/api/v1/me").await;
            let scope = me["scope"].as_str().unwrap().to_owned();
            let home = me["domain"]["name"].as_str().unwrap().to_owned();
            let ext = me["user"]["extension"].as_str().unwrap().to_owned();
            let site = me["site_id"].as_i64();
            let supervised: Vec<i64> = s.state.store.supervision(switchboard_domain::UserId(me["user"]["id"].as_i64().unwrap())).await.unwrap().0.iter().map(|q| q.get()).collect();
            for domain in ["acme.example", "globex.example"] {
                let provider = matches!(scope.as_str(), "super_user" | "reseller");
                let (st, report) = s.get(login, &format!("/api/v1/domains/{domain}/reports/queues{range}")).await;
                if !provider && home != domain {
                    assert_eq!(st, StatusCode::NOT_FOUND, "{login} reads {domain}'s report");
                    continue;
                }
                let in_reach = |(d, q, agent): &(&str, &str, Option<&str>)| {
                    let key = (d.to_string(), q.to_string());
                    *d == domain
                        && match scope.as_str() {
                            "super_user" | "reseller" | "office_manager" => true,
                            "site_manager" => site.is_some() && queue_site[&key] == site,
                            "call_center_supervisor" => supervised.contains(&queue_id[&key]),
                            "call_center_agent" => *agent == Some(ext.as_str()),
                            _ => false,
                        }
                };
                if matches!(scope.as_str(), "basic_user" | "simple_user") {
                    assert_eq!(st, StatusCode::FORBIDDEN, "{login} reads {domain}'s report");
                    continue;
                }
                assert_eq!(st, StatusCode::OK, "{login} reads {domain}'s report: {report}");
                let offered = made.iter().filter(|c| in_reach(c)).count() as i64;
                let answered = made.iter().filter(|c| in_reach(c) && c.2.is_some()).count() as i64;
                assert_eq!(report["total"]["offered"].as_i64(), Some(offered), "{login} in {domain}");
                assert_eq!(report["total"]["answered"].as_i64(), Some(answered), "{login} in {domain}");
                let (_, agents) = s.get(login, &format!("/api/v1/domains/{domain}/reports/agents{range}")).await;
                let total: i64 = agents["rows"].as_array().unwrap().iter().map(|r| r["calls_answered"].as_i64().unwrap()).sum();
                assert_eq!(total, answered, "{login}'s agent report in {domain}");
                checked += 1;
            }
        }
        assert!(checked >= 12, "only {checked} reports were compared");
        s
    })
    .await;
}

/// Reports read whole 15-minute slots from the sums kept at ingestion and the partial slots at
/// either end from the calls; a threshold the sums do not keep corrects a kept one with the calls
/// whose waits lie between (below the lowest, above the highest, listed or as a range). Whatever
/// the path, the figures are those computed here from the calls sent, including after batches that
/// overlap (sent twice) and after the sums are rebuilt by migration 0007's backfill.
#[tokio::test]
async fn slot_sums_agree_with_the_calls_for_any_range_and_threshold() {
    on_each_database(|s| async move {
        let mut rng = Lcg(99);
        let start = 1_772_773_200; // 2026-03-06T05:00:00Z
        let ts = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_string();
        // (queue, agent, started, wait, talk, disposition)
        let mut made = Vec::new();
        let mut calls = Vec::new();
        for i in 0..300 {
            let queue = ["600", "601"][rng.next(2) as usize];
            let agent = ["105", "106"][rng.next(2) as usize];
            let started = start + rng.next(2 * 86_400) as i64;
            let wait = rng.next(500) as i64;
            let talk = 5 + rng.next(300) as i64;
            let disposition = ["answered", "answered", "answered", "abandoned", "missed"][rng.next(5) as usize];
            let answered = (disposition == "answered").then_some(started + wait);
            let end = answered.map_or(started + wait, |a| a + talk);
            calls.push(json!({"call_id": format!("slot-{i}"), "direction": "inbound", "from": "+15550001234", "to": queue,
                "started_at": ts(started), "answered_at": answered.map(ts), "ended_at": ts(end), "disposition": disposition,
                "queue": queue, "agent": answered.map(|_| agent)}));
            made.push((queue, answered.map(|_| agent), started, wait, if answered.is_some() { talk } else { 0 }, disposition));
        }
        // Four batches, the second sent twice and overlapping the third.
        for part in [&calls[0..100], &calls[100..180], &calls[100..180], &calls[150..300]] {
            let (st, body) = s.send("100@voiceco.example", Method::POST, "/api/v1/domains/acme.example/calls", Some(json!({"calls": part}))).await;
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        let check = |s: TestServer| {
            let made = made.clone();
            async move {
            for (since, until) in [(start, start + 2 * 86_400), (start + 437, start + 86_400 + 1_333), (start + 4_000, start + 4_500), (start + 100, start + 900)] {
                for threshold in [0, 3, 20, 23, 300, 301, 450] {
                    let mut expected: BTreeMap<&str, [i64; 7]> = BTreeMap::new();
                    let mut agents: BTreeMap<&str, [i64; 2]> = BTreeMap::new();
                    for (queue, agent, started, wait, talk, disposition) in &made {
                        if !(since..until).contains(started) {
                            continue;
                        }
                        let e = expected.entry(queue).or_default();
                        e[0] += 1;
                        match *disposition {
                            "answered" => {
                                e[1] += 1;
                                e[4] += i64::from(*wait <= threshold);
                                let a = agents.entry(agent.unwrap()).or_default();
                                a[0] += 1;
                                a[1] += talk;
                            }
                            "abandoned" => e[2] += 1,
                            _ => e[3] += 1,
                        }
                        e[5] = e[5].max(*wait);
                        e[6] += talk;
                    }
                    let range = format!("?since={}&until={}&interval=hour&service_level_seconds={threshold}", ts(since), ts(until));
                    let (st, report) = s.get(OM, &format!("/api/v1/domains/~/reports/queues{range}")).await;
                    assert_eq!(st, StatusCode::OK, "{report}");
                    let got: BTreeMap<String, [i64; 7]> = report["queue_totals"].as_array().unwrap().iter().map(|r| {
                        let n = |k: &str| r[k].as_i64().unwrap();
                        (r["queue_extension"].as_str().unwrap().to_owned(),
                         [n("offered"), n("answered"), n("abandoned"), n("timed_out"), n("answered_within_threshold"), n("longest_wait_seconds"),
                          (r["average_talk_seconds"].as_f64().unwrap_or(0.0) * 100.0).round() as i64])
                    }).collect();
                    // Talk is reported as an average over the answered calls, to two decimals.
                    let expected: BTreeMap<String, [i64; 7]> = expected.into_iter().map(|(k, mut v)| {
                        v[6] = if v[1] > 0 { (v[6] as f64 / v[1] as f64 * 100.0).round() as i64 } else { 0 };
                        (k.to_owned(), v)
                    }).collect();
                    assert_eq!(got, expected, "{range}");
                    // Per local hour, day and month: the intervals the statement sums itself.
                    let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
                    for interval in ["hour", "day", "month"] {
                        let mut per: BTreeMap<(String, String), [i64; 3]> = BTreeMap::new();
                        for (queue, _, started, wait, _, disposition) in &made {
                            if !(since..until).contains(started) {
                                continue;
                            }
                            let local = jiff::Timestamp::from_second(*started).unwrap().to_zoned(tz.clone());
                            let at = match interval {
                                "hour" => local.with().minute(0).second(0).build().unwrap(),
                                "day" => local.start_of_day().unwrap(),
                                _ => local.first_of_month().unwrap().start_of_day().unwrap(),
                            };
                            let e = per.entry((queue.to_string(), at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())).or_default();
                            e[0] += 1;
                            e[1] += i64::from(*disposition == "answered" && *wait <= threshold);
                            e[2] = e[2].max(*wait);
                        }
                        let url = format!("/api/v1/domains/~/reports/queues?since={}&until={}&interval={interval}&service_level_seconds={threshold}", ts(since), ts(until));
                        let (_, report) = s.get(OM, &url).await;
                        let got: BTreeMap<(String, String), [i64; 3]> = report["rows"].as_array().unwrap().iter().map(|r| {
                            let n = |k: &str| r[k].as_i64().unwrap();
                            ((r["queue_extension"].as_str().unwrap().to_owned(), r["interval_start"].as_str().unwrap().to_owned()),
                             [n("offered"), n("answered_within_threshold"), n("longest_wait_seconds")])
                        }).collect();
                        assert_eq!(got, per, "{url}");
                    }
                    let (_, report) = s.get(OM, &format!("/api/v1/domains/~/reports/agents{range}")).await;
                    let got: BTreeMap<String, [i64; 2]> = report["rows"].as_array().unwrap().iter().map(|r| {
                        (r["extension"].as_str().unwrap().to_owned(), [r["calls_answered"].as_i64().unwrap(), r["talk_seconds"].as_i64().unwrap()])
                    }).collect();
                    let agents: BTreeMap<String, [i64; 2]> = agents.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                    assert_eq!(got, agents, "agents {range}");
                }
            }
            s
        }};
        let s = check(s).await;
        // Rebuild the sums as the migration does for calls stored before it.
        let migration = include_str!("../../../store/migrations/sqlite/0007_queue_slot_stats.sql");
        let backfill = &migration[migration.find("INSERT INTO").unwrap()..];
        s.state.store.execute_raw("DELETE FROM queue_slot_stats").await.unwrap();
        s.state.store.execute_raw(backfill).await.unwrap();
        check(s).await
    })
    .await;
}
