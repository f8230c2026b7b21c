//! Importing a switch's own files: Asterisk Master.csv and queue_log, FreeSWITCH mod_cdr_csv,
//! JSON Lines. Expected records are worked out by hand from the files below.

use crate::common::on_each_database;
use serde_json::Value;
use switchboard_api::import::{Format, ImportOptions, import_calls};

const SU: &str = "100@platform.example";

fn options(format: Option<Format>, batch_size: usize, dry_run: bool) -> ImportOptions {
    ImportOptions {
        format,
        batch_size,
        dry_run,
        timezone: None,
    }
}

async fn acme(s: &crate::common::TestServer) -> switchboard_domain::Domain {
    s.domain("acme.example").await
}

async fn calls(s: &crate::common::TestServer) -> Vec<Value> {
    s.list_all(SU, "/api/v1/domains/acme.example/calls")
        .await
        .unwrap()
}

fn find<'a>(calls: &'a [Value], id: &str) -> &'a Value {
    calls
        .iter()
        .find(|c| c["call_id"] == id)
        .unwrap_or_else(|| panic!("no call {id}"))
}

// acme.example is in America/New_York: 09:00 local on 2 March 2026 is 14:00 UTC.
const MASTER_CSV: &str = r#""","+15550001111","600","from-trunk","""Bob"" <+15550001111>","SIP/trunk-0001","SIP/105-0002","Queue","600","2026-03-02 09:00:00","2026-03-02 09:00:12","2026-03-02 09:05:00",300,288,"ANSWERED","DOCUMENTATION","1772461200.1"
"","107","108","from-internal","""Ben Baker"" <107>","SIP/107-0003","SIP/108-0004","Dial","SIP/108","2026-03-02 09:10:00","2026-03-02 09:10:03","2026-03-02 09:12:03",123,120,"ANSWERED","DOCUMENTATION","1772461800.2"
"","+15550002222","101","from-trunk","+15550002222","SIP/trunk-0005","SIP/101-0006","Dial","SIP/101,20","2026-03-02 09:20:00","","2026-03-02 09:20:20",20,0,"NO ANSWER","DOCUMENTATION","1772462400.3"
"","+15550003333","107","from-trunk","+15550003333","SIP/trunk-0007","","VoiceMail","107@default","2026-03-02 09:30:00","2026-03-02 09:30:15","2026-03-02 09:31:00",60,45,"ANSWERED","DOCUMENTATION","1772463000.4"
"#;

#[tokio::test]
async fn asterisk_master_csv() {
    on_each_database(|s| async move {
        let domain = acme(&s).await;
        let report = import_calls(
            &s.state.store,
            &domain,
            MASTER_CSV.as_bytes(),
            &options(None, 100, false),
            |_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((report.calls, report.inserted), (4, 4));
        let all = calls(&s).await;
        let queue_call = find(&all, "1772461200.1");
        assert_eq!(queue_call["direction"], "inbound");
        assert_eq!(queue_call["started_at"], "2026-03-02T14:00:00Z");
        assert_eq!(
            (
                queue_call["wait_seconds"].as_u64(),
                queue_call["talk_seconds"].as_u64()
            ),
            (Some(12), Some(288))
        );
        assert!(queue_call["queue_id"].is_number() && queue_call["agent_user_id"].is_number());
        let internal = find(&all, "1772461800.2");
        assert_eq!(
            (
                internal["direction"].as_str(),
                internal["user_ids"].as_array().unwrap().len()
            ),
            (Some("internal"), 2)
        );
        let missed = find(&all, "1772462400.3");
        assert_eq!(
            (
                missed["disposition"].as_str(),
                missed["wait_seconds"].as_u64()
            ),
            (Some("missed"), Some(20))
        );
        assert_eq!(find(&all, "1772463000.4")["disposition"], "voicemail");
        // The same file again stores nothing new.
        let again = import_calls(
            &s.state.store,
            &domain,
            MASTER_CSV.as_bytes(),
            &options(None, 100, false),
            |_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((again.inserted, again.duplicates), (0, 4));
        s
    })
    .await;
}

// A queue_log: one answered call (waited 15 s, talked 120 s), one abandoned after 40 s, one that
// timed out after 180 s, agent events to skip, and a call still waiting when the file ends.
pub const QUEUE_LOG: &str = "1772461200|NONE|Sales|SIP/105|ADDMEMBER|
1772461200|1772461200.10|Sales|NONE|ENTERQUEUE||+15550004444|1
1772461210|1772461200.10|Sales|SIP/105|RINGNOANSWER|10000
1772461215|1772461200.10|Sales|SIP/105|CONNECT|15|1772461215.11|5
1772461335|1772461200.10|Sales|SIP/105|COMPLETECALLER|15|120|1
1772461300|1772461300.20|600|NONE|ENTERQUEUE||+15550005555|1
1772461340|1772461300.20|600|NONE|ABANDON|1|1|40
1772461400|1772461400.30|support|NONE|ENTERQUEUE||+15550006666|1
1772461580|1772461400.30|support|NONE|EXITWITHTIMEOUT|1|1|180
1772461600|1772461600.40|Sales|NONE|ENTERQUEUE||+15550007777|1
1772461601|NONE|Sales|SIP/105|PAUSE|lunch
";

#[tokio::test]
async fn asterisk_queue_log() {
    on_each_database(|s| async move {
        let domain = acme(&s).await;
        let report = import_calls(
            &s.state.store,
            &domain,
            QUEUE_LOG.as_bytes(),
            &options(None, 2, false),
            |_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((report.lines, report.calls, report.inserted), (11, 3, 3));
        assert_eq!(report.unfinished, 1, "the call still waiting at the end");
        // Every line is counted once: all eleven are queue events here.
        assert_eq!(
            (report.events, report.call_lines, report.skipped),
            (11, 0, 0)
        );
        let all = calls(&s).await;
        let answered = find(&all, "1772461200.10");
        assert_eq!(answered["disposition"], "answered");
        assert_eq!(
            (
                answered["wait_seconds"].as_u64(),
                answered["talk_seconds"].as_u64()
            ),
            (Some(15), Some(120))
        );
        let (_, agent) = s.get(SU, "/api/v1/domains/acme.example/users/105").await;
        assert_eq!(answered["agent_user_id"], agent["id"]);
        let (_, sales) = s
            .get(SU, "/api/v1/domains/acme.example/call-queues/600")
            .await;
        assert_eq!(answered["queue_id"], sales["id"]);
        let abandoned = find(&all, "1772461300.20");
        assert_eq!(
            (
                abandoned["disposition"].as_str(),
                abandoned["wait_seconds"].as_u64()
            ),
            (Some("abandoned"), Some(40))
        );
        let timed_out = find(&all, "1772461400.30");
        assert_eq!(
            (
                timed_out["disposition"].as_str(),
                timed_out["wait_seconds"].as_u64()
            ),
            (Some("missed"), Some(180))
        );
        // The supervisor of Sales and Support sees all three; the agent its own one.
        assert_eq!(
            s.list_all("104@acme.example", "/api/v1/domains/~/calls")
                .await
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            s.list_all("105@acme.example", "/api/v1/domains/~/calls")
                .await
                .unwrap()
                .len(),
            1
        );
        s
    })
    .await;
}

// The default template: 13 columns, or 15 with the codecs.
const FREESWITCH_CSV: &str = r#""Bob","+15550008888","107","public","2026-03-02 10:00:00","2026-03-02 10:00:04","2026-03-02 10:02:04","124","120","NORMAL_CLEARING","6f1c0c1e-1111-4d8e-9c1a-000000000001","",""
"Ann","108","+15550009999","default","2026-03-02 10:05:00","","2026-03-02 10:05:30","30","0","USER_BUSY","6f1c0c1e-1111-4d8e-9c1a-000000000002","","","PCMU","PCMU"
"#;

#[tokio::test]
async fn freeswitch_cdr_csv() {
    on_each_database(|s| async move {
        let domain = acme(&s).await;
        let report = import_calls(
            &s.state.store,
            &domain,
            FREESWITCH_CSV.as_bytes(),
            &options(Some(Format::FreeswitchCsv), 10, false),
            |_, _| {},
        )
        .await;
        let report = report.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.inserted, 2);
        let all = calls(&s).await;
        let inbound = find(&all, "6f1c0c1e-1111-4d8e-9c1a-000000000001");
        assert_eq!(
            (
                inbound["direction"].as_str(),
                inbound["disposition"].as_str(),
                inbound["talk_seconds"].as_u64()
            ),
            (Some("inbound"), Some("answered"), Some(120))
        );
        let busy = find(&all, "6f1c0c1e-1111-4d8e-9c1a-000000000002");
        assert_eq!(
            (busy["direction"].as_str(), busy["disposition"].as_str()),
            (Some("outbound"), Some("busy"))
        );
        s
    })
    .await;
}

#[tokio::test]
async fn bad_lines_stop_the_import_and_are_named() {
    on_each_database(|s| async move {
        let domain = acme(&s).await;
        let good = |n: u32| format!(r#"{{"call_id":"j{n}","direction":"internal","from":"107","to":"108","started_at":"2026-03-02T11:00:0{n}Z","ended_at":"2026-03-02T11:01:00Z","disposition":"missed","users":["107"]}}"#);
        // Batches of two: lines 1-2 are stored, the batch holding line 3 is not.
        let file = format!("{}\n{}\n{}\n{}\n", good(1), good(2), good(3), r#"{"call_id":"bad","direction":"internal","from":"107","to":"108","started_at":"2026-03-02T11:00:00Z","ended_at":"2026-03-02T11:01:00Z","disposition":"missed","users":["999"]}"#);
        let err = import_calls(&s.state.store, &domain, file.as_bytes(), &options(None, 2, false), |_, _| {}).await.unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(err.to_string().contains("999"), "{err}");
        assert_eq!(err.report.inserted, 2);
        assert_eq!(calls(&s).await.len(), 2, "only the whole first batch");
        // Wrong column count, bad time, unknown queue, unknown format: each names its line.
        for (format, text, line, words) in [
            (Some(Format::AsteriskCsv), "\"a\",\"b\",\"c\"\n", 1, "columns"),
            (Some(Format::AsteriskCsv), MASTER_CSV.replace("2026-03-02 09:10:00", "yesterday").as_str(), 2, "yesterday"),
            (Some(Format::AsteriskQueueLog), "1772461200|x.1|nosuchqueue|NONE|ENTERQUEUE||1|1\n", 1, "nosuchqueue"),
            (None, "\u{89}PNG\r\n\u{1a}\nbinary\n", 1, "format"),
        ] {
            let err = import_calls(&s.state.store, &domain, text.as_bytes(), &options(format, 100, false), |_, _| {}).await.unwrap_err();
            assert_eq!(err.line, Some(line), "{err}");
            assert!(err.to_string().contains(words), "{err}");
        }
        // A dry run checks everything and stores nothing.
        let report = import_calls(&s.state.store, &domain, MASTER_CSV.as_bytes(), &options(None, 100, true), |_, _| {}).await.unwrap();
        assert_eq!((report.calls, report.inserted), (4, 0));
        assert_eq!(calls(&s).await.len(), 2);
        s
    })
    .await;
}
