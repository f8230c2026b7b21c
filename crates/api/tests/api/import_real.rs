//! Files as switches really write them: queue calls nobody answered (abandoned or timed out,
//! from Master.csv alone), a call across the fall-back hour, `unanswered=yes` rows, a Latin-1
//! byte, a byte-order mark, an empty destination, and a queue_log with transfers, events this
//! reader knows and does not, a rotated start and a member who is no user. Figures worked out
//! by hand below; every line is counted once.

use crate::common::on_each_database;
use serde_json::Value;
use switchboard_api::import::{ImportOptions, ImportReport, import_calls};

const SU: &str = "100@platform.example";

async fn import(s: &crate::common::TestServer, file: &[u8]) -> ImportReport {
    let domain = s.domain("acme.example").await;
    let options = ImportOptions {
        format: None,
        batch_size: 3,
        dry_run: false,
        timezone: None,
    };
    let report = import_calls(&s.state.store, &domain, file, &options, |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report.lines,
        report.call_lines + report.events + report.skipped,
        "every line is counted once: {report:?}"
    );
    report
}

async fn call(s: &crate::common::TestServer, id: &str) -> Value {
    let all = s
        .list_all(SU, "/api/v1/domains/acme.example/calls")
        .await
        .unwrap();
    all.into_iter()
        .find(|c| c["call_id"] == id)
        .unwrap_or_else(|| panic!("no call {id}"))
}

async fn user_id(s: &crate::common::TestServer, ext: &str) -> Value {
    let (_, user) = s
        .get(SU, &format!("/api/v1/domains/acme.example/users/{ext}"))
        .await;
    user["id"].clone()
}

fn figures(c: &Value) -> (String, u64, u64) {
    (
        c["disposition"].as_str().unwrap().to_owned(),
        c["wait_seconds"].as_u64().unwrap(),
        c["talk_seconds"].as_u64().unwrap(),
    )
}

// acme.example keeps America/New_York time; 600 is its Sales queue, 105 and 106 agents.
// Queue() answers the caller to play music, so these rows say ANSWERED with no agent's channel:
// q1 hung up after 25 s of the queue's 60, q2 stayed the whole 60 (the queue timed out).
const QUEUE_ROWS: &str = r#""","+15550001001","600","from-trunk","+15550001001","PJSIP/trunk-0101","","Queue","600,t,,,60","2026-03-03 09:00:00","2026-03-03 09:00:00","2026-03-03 09:00:25",25,25,"ANSWERED","DOCUMENTATION","q1"
"","+15550001002","600","from-trunk","+15550001002","PJSIP/trunk-0102","","Queue","600,t,,,60","2026-03-03 09:05:00","2026-03-03 09:05:00","2026-03-03 09:06:00",60,60,"ANSWERED","DOCUMENTATION","q2"
"#;

#[tokio::test]
async fn master_csv_tells_abandoned_from_timed_out() {
    on_each_database(|s| async move {
        let r = import(&s, QUEUE_ROWS.as_bytes()).await;
        assert_eq!((r.calls, r.inserted, r.call_lines), (2, 2, 2));
        assert_eq!(figures(&call(&s, "q1").await), ("abandoned".into(), 25, 0));
        assert_eq!(figures(&call(&s, "q2").await), ("missed".into(), 60, 0));
        s
    })
    .await;
}

// 1 November 2026, 02:00 EDT becomes 01:00 EST: a call from 01:59:30 (EDT, 05:59:30Z) to
// "01:00:40" (EST, 06:00:40Z) lasted 70 s, answered after 5 (billsec 65).
const FALL_BACK: &str = r#""","107","108","from-internal","""Ben"" <107>","PJSIP/107-0001","PJSIP/108-0002","Dial","PJSIP/108","2026-11-01 01:59:30","2026-11-01 01:59:35","2026-11-01 01:00:40",70,65,"ANSWERED","DOCUMENTATION","dst1"
"#;

#[tokio::test]
async fn the_duration_columns_are_the_truth_across_a_clock_change() {
    on_each_database(|s| async move {
        let r = import(&s, FALL_BACK.as_bytes()).await;
        assert_eq!(r.inserted, 1);
        let c = call(&s, "dst1").await;
        assert_eq!(
            (c["started_at"].as_str(), c["ended_at"].as_str()),
            (Some("2026-11-01T05:59:30Z"), Some("2026-11-01T06:00:40Z"))
        );
        assert_eq!(figures(&c), ("answered".into(), 5, 65));
        s
    })
    .await;
}

// unanswered=yes: one row per member the queue rang, each with the caller's uniqueid; 105 did
// not answer (rang 10 s), 106 did.
const MEMBER_ROWS: &str = r#""","+15550002001","600","from-trunk","+15550002001","PJSIP/trunk-0201","PJSIP/105-0202","Queue","600,t,,,120","2026-03-03 10:00:00","","2026-03-03 10:00:10",10,0,"NO ANSWER","DOCUMENTATION","m1"
"","+15550002001","600","from-trunk","+15550002001","PJSIP/trunk-0201","PJSIP/106-0203","Queue","600,t,,,120","2026-03-03 10:00:00","2026-03-03 10:00:12","2026-03-03 10:03:12",192,180,"ANSWERED","DOCUMENTATION","m1"
"#;

#[tokio::test]
async fn of_a_calls_member_rows_the_answered_one_names_the_agent() {
    on_each_database(|s| async move {
        let r = import(&s, MEMBER_ROWS.as_bytes()).await;
        assert_eq!((r.call_lines, r.calls, r.inserted), (2, 1, 1));
        let c = call(&s, "m1").await;
        assert_eq!(figures(&c), ("answered".into(), 12, 180));
        assert_eq!(c["agent_user_id"], user_id(&s, "106").await);
        s
    })
    .await;
}

#[tokio::test]
async fn a_latin1_byte_a_byte_order_mark_and_an_empty_destination_do_not_stop_a_file() {
    on_each_database(|s| async move {
        let mut file = "\u{feff}".as_bytes().to_vec();
        file.extend_from_slice(br#""","+15550003001","107","from-trunk","""Z"#);
        file.push(0xFC); // ü in Latin-1
        file.extend_from_slice(br#"rich Office"" <+15550003001>","PJSIP/trunk-0301","PJSIP/107-0302","Dial","PJSIP/107","2026-03-03 11:00:00","2026-03-03 11:00:04","2026-03-03 11:01:04",64,60,"ANSWERED","DOCUMENTATION","l1""#);
        file.extend_from_slice(b"\r\n");
        file.extend_from_slice(br#""","107","","from-internal","""Ben"" <107>","PJSIP/107-0303","","","","2026-03-03 11:05:00","","2026-03-03 11:05:01",1,0,"FAILED","DOCUMENTATION","e1""#);
        file.extend_from_slice(b"\r\n");
        let r = import(&s, &file).await;
        assert_eq!((r.calls, r.inserted), (2, 2));
        assert_eq!((r.latin1, r.latin1_lines.clone()), (1, vec![1]));
        assert_eq!(figures(&call(&s, "l1").await), ("answered".into(), 4, 60));
        let failed = call(&s, "e1").await;
        assert_eq!(
            (failed["to"].as_str(), failed["disposition"].as_str()),
            (Some("unknown"), Some("failed"))
        );
        s
    })
    .await;
}

// A rotated queue_log (times from 2026-03-03 15:00:00Z = 1772550000):
// - r0 began in the previous file: its COMPLETEAGENT says it waited 30 s and talked 90 s;
// - r1 answered by 105, then blind-transferred to 107 after 60 s of talk;
// - r2 answered by 106, then attended-transferred (Asterisk 13's BRIDGE form) after 45 s;
// - r3 rang 105 (RINGCANCELED when 106 took it), answered by a member who is no user (201);
// - r4 answered by 105, who dropped it during the announcement (AGENTDUMP);
// - r5 connected to 106 over channels that could not talk (SYSCOMPAT);
// - an event of a kind this reader does not know, and agent events.
const ROTATED_LOG: &str = "1772550000|NONE|Sales|PJSIP/105|UNPAUSE|
1772550010|r0|Sales|PJSIP/105|COMPLETEAGENT|30|90|1
1772550020|r1|Sales|NONE|ENTERQUEUE||+15550004001|1
1772550030|r1|Sales|PJSIP/105|CONNECT|10|r1.1|2
1772550090|r1|Sales|PJSIP/105|BLINDTRANSFER|107|from-internal|10|60|1
1772550100|r2|Sales|NONE|ENTERQUEUE||+15550004002|1
1772550105|r2|Sales|PJSIP/106|CONNECT|5|r2.1|1
1772550150|r2|Sales|PJSIP/106|ATTENDEDTRANSFER|BRIDGE|9d2c6b|5|45|1
1772550200|r3|Sales|NONE|ENTERQUEUE||+15550004003|1
1772550203|r3|Sales|PJSIP/105|RINGCANCELED|3000
1772550204|r3|Sales|PJSIP/201|CONNECT|4|r3.1|1
1772550264|r3|Sales|PJSIP/201|COMPLETECALLER|4|60|1
1772550300|r4|Sales|NONE|ENTERQUEUE||+15550004004|1
1772550306|r4|Sales|PJSIP/105|CONNECT|6|r4.1|1
1772550308|r4|Sales|PJSIP/105|AGENTDUMP|
1772550400|r5|Sales|NONE|ENTERQUEUE||+15550004005|1
1772550402|r5|Sales|PJSIP/106|CONNECT|2|r5.1|1
1772550402|r5|Sales|PJSIP/106|SYSCOMPAT|
1772550500|r6|Sales|PJSIP/106|QUEUEMEMBERSTATUSX|1|2
1772550600|NONE|Sales|PJSIP/106|PAUSE|lunch
";

#[tokio::test]
async fn a_rotated_queue_log_with_transfers_unknown_events_and_a_member_who_is_no_user() {
    on_each_database(|s| async move {
        let r = import(&s, ROTATED_LOG.as_bytes()).await;
        assert_eq!((r.lines, r.calls, r.inserted), (20, 6, 6));
        assert_eq!((r.events, r.skipped), (19, 1));
        assert_eq!(r.partial, 1);
        assert_eq!(r.unknown_events.get("QUEUEMEMBERSTATUSX"), Some(&1));
        let (agent_105, agent_106, user_107) = (
            user_id(&s, "105").await,
            user_id(&s, "106").await,
            user_id(&s, "107").await,
        );
        let r0 = call(&s, "r0").await;
        assert_eq!(figures(&r0), ("answered".into(), 30, 90));
        assert_eq!(r0["agent_user_id"], agent_105);
        let r1 = call(&s, "r1").await;
        assert_eq!(figures(&r1), ("answered".into(), 10, 60));
        assert_eq!(r1["agent_user_id"], agent_105);
        assert!(
            r1["user_ids"].as_array().unwrap().contains(&user_107),
            "the transfer's target has the call in its history: {r1}"
        );
        let r2 = call(&s, "r2").await;
        assert_eq!(figures(&r2), ("answered".into(), 5, 45));
        assert_eq!(r2["agent_user_id"], agent_106);
        let r3 = call(&s, "r3").await;
        assert_eq!(figures(&r3), ("answered".into(), 4, 60));
        assert_eq!(
            (&r3["agent_user_id"], r3["agent_name"].as_str()),
            (&Value::Null, Some("201"))
        );
        let r4 = call(&s, "r4").await;
        assert_eq!(figures(&r4), ("answered".into(), 6, 2));
        let r5 = call(&s, "r5").await;
        assert_eq!(r5["disposition"], "failed");
        s
    })
    .await;
}

// The same three queue calls as queue_log and as Master.csv write them (uniqueid = callid),
// 2026-03-04 from 15:00:00Z (10:00 in New York): x1 waited in the IVR 5 s before the queue, then
// 15 s, and talked 120 s with 105; x2's caller hung up after 40 s; x3's queue timed out after 60 s
// (its Queue() line names no timeout, so Master.csv alone would guess "abandoned").
const SAME_CALLS_QUEUE_LOG: &str = "1772636405|x1|Sales|NONE|ENTERQUEUE||+15550009001|1
1772636420|x1|Sales|PJSIP/105|CONNECT|15|x1.1|3
1772636540|x1|Sales|PJSIP/105|COMPLETECALLER|15|120|1
1772637000|x2|Sales|NONE|ENTERQUEUE||+15550009002|1
1772637040|x2|Sales|NONE|ABANDON|1|1|40
1772637600|x3|Sales|NONE|ENTERQUEUE||+15550009003|1
1772637660|x3|Sales|NONE|EXITWITHTIMEOUT|1|1|60
";
const SAME_CALLS_MASTER: &str = r#""","+15550009001","600","from-trunk","+15550009001","PJSIP/trunk-0901","PJSIP/105-0902","Queue","600,t,,,300","2026-03-04 10:00:00","2026-03-04 10:00:20","2026-03-04 10:02:20",140,120,"ANSWERED","DOCUMENTATION","x1"
"","+15550009002","600","from-trunk","+15550009002","PJSIP/trunk-0903","","Queue","600,t,,,300","2026-03-04 10:10:00","2026-03-04 10:10:00","2026-03-04 10:10:40",40,40,"ANSWERED","DOCUMENTATION","x2"
"","+15550009003","600","from-trunk","+15550009003","PJSIP/trunk-0904","","Queue","600","2026-03-04 10:20:00","2026-03-04 10:20:00","2026-03-04 10:21:00",60,60,"ANSWERED","DOCUMENTATION","x3"
"#;

async fn import_into(s: &crate::common::TestServer, domain: &str, file: &str) -> ImportReport {
    let domain = s.domain(domain).await;
    let options = ImportOptions {
        format: None,
        batch_size: 2,
        dry_run: false,
        timezone: Some(switchboard_domain::TimeZoneName::parse("America/New_York").unwrap()),
    };
    import_calls(
        &s.state.store,
        &domain,
        file.as_bytes(),
        &options,
        |_, _| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// What a call is, without the domain's own ids.
async fn calls_as_figures(s: &crate::common::TestServer, domain: &str) -> Vec<Value> {
    let mut out: Vec<Value> = s
        .list_all(SU, &format!("/api/v1/domains/{domain}/calls"))
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            serde_json::json!([
                c["call_id"],
                c["direction"],
                c["from"],
                c["to"],
                c["started_at"],
                c["answered_at"],
                c["ended_at"],
                c["wait_seconds"],
                c["talk_seconds"],
                c["disposition"],
                c["agent_user_id"].is_null(),
                c["user_ids"].as_array().unwrap().len()
            ])
        })
        .collect();
    out.sort_by_key(|v| v[0].as_str().unwrap().to_owned());
    out
}

#[tokio::test]
async fn queue_log_and_master_csv_of_the_same_calls_merge_in_either_order() {
    on_each_database(|s| async move {
        // acme: queue_log first; globex: Master.csv first. Both have a Sales queue 600 and 105.
        // What the second file adds: x1's IVR start (Master.csv after queue_log), x3's time-out
        // (queue_log after Master.csv); x2 is told alike by both.
        for (domain, files) in [
            ("acme.example", [SAME_CALLS_QUEUE_LOG, SAME_CALLS_MASTER]),
            ("globex.example", [SAME_CALLS_MASTER, SAME_CALLS_QUEUE_LOG]),
        ] {
            let first = import_into(&s, domain, files[0]).await;
            let second = import_into(&s, domain, files[1]).await;
            let counts = (
                first.inserted,
                second.inserted,
                second.merged,
                second.duplicates,
            );
            assert_eq!(counts, (3, 0, 1, 2), "{domain}");
        }
        let acme = calls_as_figures(&s, "acme.example").await;
        assert_eq!(acme, calls_as_figures(&s, "globex.example").await);
        let x = |id: &str| acme.iter().find(|c| c[0] == id).unwrap().clone();
        // x1: from the IVR's start (Master.csv) to the end; answered when the agent took it.
        assert_eq!(x("x1")[4], "2026-03-04T15:00:00Z");
        assert_eq!(
            (&x("x1")[7], &x("x1")[8], &x("x1")[9]),
            (
                &Value::from(20),
                &Value::from(120),
                &Value::from("answered")
            )
        );
        assert_eq!(x("x1")[10], false, "the agent is named");
        assert_eq!(
            (&x("x2")[9], &x("x2")[7]),
            (&Value::from("abandoned"), &Value::from(40))
        );
        assert_eq!(
            (&x("x3")[9], &x("x3")[7]),
            (&Value::from("missed"), &Value::from(60))
        );
        // The agent's own reach filtered by the queue reads the calls the two share
        // (`call_pairs`): the merged calls' rows moved with them, none left behind.
        for domain in ["acme.example", "globex.example"] {
            let agent = format!("105@{domain}");
            let path = format!("/api/v1/domains/{domain}/calls");
            let listed = s
                .list_all(&agent, &format!("{path}?queue=600"))
                .await
                .unwrap();
            let (_, counted) = s.get(&agent, &format!("{path}/count?queue=600")).await;
            let (_, everyone) = s.get(SU, &format!("{path}/count?queue=600&user=105")).await;
            assert_eq!(
                (counted["count"].as_i64(), everyone["count"].as_i64()),
                (Some(listed.len() as i64), Some(listed.len() as i64)),
                "{domain}"
            );
            assert!(!listed.is_empty(), "{domain}: 105 answered x1");
        }
        // A third import of either file changes nothing.
        let again = import_into(&s, "acme.example", SAME_CALLS_QUEUE_LOG).await;
        assert_eq!((again.inserted, again.merged, again.duplicates), (0, 0, 3));
        // The queue report's figures are the same in both domains.
        let range = "since=2026-03-04T00:00:00Z&until=2026-03-05T00:00:00Z&queue=600";
        let (_, a) = s
            .get(
                SU,
                &format!("/api/v1/domains/acme.example/reports/queues?{range}"),
            )
            .await;
        let (_, g) = s
            .get(
                SU,
                &format!("/api/v1/domains/globex.example/reports/queues?{range}"),
            )
            .await;
        assert_eq!(a["total"], g["total"]);
        assert_eq!(
            (
                a["total"]["offered"].as_i64(),
                a["total"]["answered"].as_i64(),
                a["total"]["abandoned"].as_i64()
            ),
            (Some(3), Some(1), Some(1)),
            "{a}"
        );
        s
    })
    .await;
}
