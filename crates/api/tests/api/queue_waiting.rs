//! Callers waiting in a queue, as the switches say it, read by the wallboard through
//! `GET …/call-queues/waiting` (cut to the reader's queues). Kamailio here; FreeSWITCH's
//! `member-queue-start` in switch_freeswitch_esl.rs, Asterisk's `QueueCallerJoin` in
//! switch_asterisk_ami.rs.

use crate::common::*;
use crate::switch::{SECRET, queue_660, queue_call, route, with_switch};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const WAITING: &str = "/api/v1/domains/~/call-queues/waiting";

/// The reader's view of one queue: (callers waiting, seconds the longest has).
pub async fn waiting_in(s: &TestServer, login: &str, queue: &str) -> Option<(u64, Option<i64>)> {
    let (st, body) = s.get(login, WAITING).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .find(|q| q["extension"] == queue)
        .map(|q| {
            (
                q["waiting"].as_u64().unwrap(),
                q["longest_wait_seconds"].as_i64(),
            )
        })
}

/// Ask until the queue has `n` callers waiting (the switch's word arrives on its own time).
pub async fn waiting_becomes(s: &TestServer, login: &str, queue: &str, n: u64) {
    let mut seen = None;
    for _ in 0..250 {
        seen = waiting_in(s, login, queue).await;
        if seen.is_some_and(|(w, _)| w == n) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{queue}: {n} callers waiting expected, saw {seen:?}");
}

async fn post(s: &TestServer, path: &str, body: Value) -> StatusCode {
    s.client
        .post(s.url(path))
        .basic_auth("switch", Some(SECRET))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_kamailio_caller_waits_while_the_queue_rings_and_not_after() {
    for s in with_switch().await {
        let om = "101@acme.example";
        queue_660(&s).await;
        assert_eq!(waiting_in(&s, om, "660").await, Some((0, None)));

        // Two calls reach the queue's first stage: both wait, the longest since the first.
        for call in ["q-1", "q-2"] {
            let (st, body) = route(&s, &queue_call(call, 0)).await;
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        let (waiting, longest) = waiting_in(&s, om, "660").await.unwrap();
        assert_eq!(waiting, 2);
        assert!(longest.is_some_and(|l| (0..5).contains(&l)), "{longest:?}");
        // The next agent's turn (the same queue) keeps the caller waiting, once.
        let (st, _) = route(&s, &queue_call("q-1", 1)).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(waiting_in(&s, om, "660").await.unwrap().0, 2);

        // Answered: no longer waiting. The other gives up: its record ends the wait.
        assert_eq!(
            post(&s, "/switch/kamailio/answered", json!({"callid": "q-1"})).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(waiting_in(&s, om, "660").await.unwrap().0, 1);
        let record = json!({"callid": "q-2", "from": "sip:107-1@acme.example", "to": "sip:660@acme.example",
            "created": 1_796_000_000, "end": 1_796_000_020, "code": 487, "ended_by": "failed"});
        assert_eq!(
            post(&s, "/switch/kamailio/cdr", record).await,
            StatusCode::OK
        );
        assert_eq!(waiting_in(&s, om, "660").await.unwrap().0, 0);

        // A call that is no queue's does not wait anywhere; an answer for an unknown call
        // changes nothing.
        assert_eq!(
            post(&s, "/switch/kamailio/answered", json!({"callid": "nobody"})).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            post(&s, "/switch/kamailio/answered", json!({"call": "x"}))
                .await
                .as_u16()
                / 100,
            4
        );

        // Cut to the reader: the supervisor reads its own queues only; another domain's
        // manager reads none of acme's; a basic user reads no queue.
        let (_, sup) = s.get("104@acme.example", WAITING).await;
        let sup: Vec<&str> = sup
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["extension"].as_str().unwrap())
            .collect();
        assert!(!sup.contains(&"660") && sup.contains(&"600"), "{sup:?}");
        let (st, _) = s
            .get(
                "101@globex.example",
                "/api/v1/domains/acme.example/call-queues/waiting",
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("107@acme.example", WAITING).await;
        assert!(
            st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND,
            "{st}"
        );
        s.stop().await;
    }
}
