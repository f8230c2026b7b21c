//! The demo's call history: reproducible, in business hours, with the shape of a real call center.

use crate::common::on_each_database;
use std::collections::BTreeMap;
use switchboard_demo::generate_calls;
use switchboard_domain::Timestamp;

/// Generated at noon, today's calls are spread over the morning, each ended an hour before
/// "now", none piled up at one second.
#[tokio::test]
async fn todays_calls_are_spread_over_the_hours_that_have_passed() {
    on_each_database(|s| async move {
        let domain = s.domain("acme.example").await;
        let noon = Timestamp(1_772_643_600); // 2026-03-04T12:00:00-05:00, a Wednesday
        generate_calls(&s.state.store, &domain, 2000, 3, noon, Some(3), |_| {})
            .await
            .unwrap();
        let calls = s
            .list_all(
                "101@acme.example",
                "/api/v1/domains/~/calls?since=2026-03-04T05:00:00Z",
            )
            .await
            .unwrap();
        let starts: std::collections::BTreeSet<i64> = calls
            .iter()
            .map(|c| {
                c["started_at"]
                    .as_str()
                    .unwrap()
                    .parse::<jiff::Timestamp>()
                    .unwrap()
                    .as_second()
            })
            .collect();
        assert!(
            calls.len() > 300,
            "today has its share of calls: {}",
            calls.len()
        );
        assert!(
            starts.len() * 10 > calls.len() * 9,
            "{} calls, {} distinct starts",
            calls.len(),
            starts.len()
        );
        let eight = 1_772_629_200; // 08:00 local
        assert!(
            starts.iter().all(|t| (eight..noon.0 - 3600).contains(t)),
            "{starts:?}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_seeded_history_is_reproducible_and_realistic() {
    on_each_database(|s| async move {
        let domain = s.domain("acme.example").await;
        let end = Timestamp(1_772_600_000);
        let first = generate_calls(&s.state.store, &domain, 3000, 7, end, None, |_| {})
            .await
            .unwrap();
        assert_eq!(first.inserted, 3000);
        let again = generate_calls(&s.state.store, &domain, 3000, 7, end, None, |_| {})
            .await
            .unwrap();
        assert_eq!(
            (again.inserted, again.duplicates),
            (0, 3000),
            "the same seed makes the same calls"
        );
        let calls = s
            .list_all("101@acme.example", "/api/v1/domains/~/calls")
            .await
            .unwrap();
        assert_eq!(calls.len(), 3000);
        let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let mut dispositions: BTreeMap<String, usize> = BTreeMap::new();
        for c in &calls {
            *dispositions
                .entry(c["disposition"].as_str().unwrap().to_owned())
                .or_default() += 1;
            let started: jiff::Timestamp = c["started_at"].as_str().unwrap().parse().unwrap();
            let hour = started.to_zoned(tz.clone()).hour();
            assert!((8..=17).contains(&hour), "business hours, local: {hour}");
            assert!(started.as_second() < end.0);
            if c["disposition"] == "answered" && !c["queue_id"].is_null() {
                assert!(
                    c["agent_user_id"].is_number(),
                    "an answered queue call has its agent"
                );
            }
        }
        for kind in ["answered", "abandoned", "missed", "voicemail", "busy"] {
            assert!(
                dispositions.get(kind).copied().unwrap_or(0) > 10,
                "{kind}: {dispositions:?}"
            );
        }
        let abandoned = dispositions["abandoned"] as f64 / 3000.0;
        assert!((0.02..0.2).contains(&abandoned), "abandon rate {abandoned}");
        // A different seed, a different history.
        let other = generate_calls(&s.state.store, &domain, 100, 8, end, None, |_| {})
            .await
            .unwrap();
        assert_eq!(other.inserted, 100);
        s
    })
    .await;
}
