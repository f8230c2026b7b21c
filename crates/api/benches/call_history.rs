//! DESIGN §7: a call-history page (50 calls) for every scope, first and later page, counts with
//! and without filters (and the page of a filter naming another party), and a 30-day queue
//! report, on a database filled with `switchboard demo --calls N`.
//!
//!   ./target/release/switchboard demo --calls 10000000 --database-url sqlite:///tmp/calls.db
//!   SWITCHBOARD_BENCH_DATABASE_URL=sqlite:///tmp/calls.db cargo bench -p switchboard-api --bench call_history
//!
//! Prints each scope's query plan first: every scope's page must be served by an index.

use criterion::{Criterion, criterion_group, criterion_main};
use switchboard_api::api::calls::CALL_COUNT_LIMIT;
use switchboard_api::api::reports::{ReportQuery, queue_report};
use switchboard_api::auth::{Caller, actor_for};
use switchboard_api::{AppState, Config};
use switchboard_domain::{Direction, Disposition, Extension, Login, Timestamp};
use switchboard_policy::{Resource, visibility};
use switchboard_store::{CallFilter, CallPageRequest, Store};

const SCOPES: [(&str, &str); 7] = [
    ("super user", "100@platform.example"),
    ("reseller", "100@voiceco.example"),
    ("office manager", "101@acme.example"),
    ("site manager", "102@acme.example"),
    ("supervisor", "104@acme.example"),
    ("agent", "105@acme.example"),
    ("basic user", "107@acme.example"),
];

async fn caller(state: &AppState, login: &str) -> Caller {
    let login = Login::parse(login).unwrap();
    let (user, _) = state
        .store
        .find_login(&login)
        .await
        .unwrap()
        .expect("the demo logins (run switchboard demo first)");
    let (record, domain) = state.store.user_and_domain(user.id).await.unwrap().unwrap();
    let actor = actor_for(state, &record, &domain).await.unwrap();
    Caller {
        actor,
        user: record,
        domain,
        impersonator: None,
        session_id: None,
        api_key_id: None,
        client_addr: None,
        two_factor_due: false,
    }
}

fn bench(c: &mut Criterion) {
    let Ok(url) = std::env::var("SWITCHBOARD_BENCH_DATABASE_URL") else {
        panic!(
            "set SWITCHBOARD_BENCH_DATABASE_URL to a database filled by `switchboard demo --calls N` (see the top of this file)"
        );
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        AppState::new(
            store,
            Config {
                argon2_memory_kib: 256,
                argon2_iterations: 1,
                ..Config::default()
            },
        )
        .unwrap()
    });
    let acme = rt.block_on(caller(&state, "101@acme.example")).domain;
    let total = rt
        .block_on(state.store.count_calls(
            &switchboard_policy::operator_visibility(Resource::CallHistory),
            acme.id,
            &CallFilter::default(),
            u32::MAX,
        ))
        .unwrap()
        .count;
    println!("acme.example holds {total} calls");
    let everything = CallFilter::default();
    let mut group = c.benchmark_group("call history page of 50");
    group.sample_size(20);
    for (name, login) in SCOPES {
        let who = rt.block_on(caller(&state, login));
        let vis = visibility(&who.actor, Resource::CallHistory).unwrap();
        let first = CallPageRequest {
            before: None,
            limit: 50,
        };
        let plan = rt
            .block_on(
                state
                    .store
                    .explain_calls(&vis, acme.id, &CallFilter::default(), first),
            )
            .unwrap();
        println!("\n{name}: plan\n  {}", plan.join("\n  "));
        // A later page: 20 pages in.
        let mut before = None;
        for _ in 0..20 {
            let page = rt
                .block_on(state.store.list_calls(
                    &vis,
                    acme.id,
                    &CallFilter::default(),
                    CallPageRequest { before, limit: 50 },
                ))
                .unwrap();
            match page.next_before {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        group.bench_function(format!("{name}: first page"), |b| {
            b.to_async(&rt)
                .iter(|| state.store.list_calls(&vis, acme.id, &everything, first))
        });
        let later = CallPageRequest { before, limit: 50 };
        group.bench_function(format!("{name}: page 21"), |b| {
            b.to_async(&rt)
                .iter(|| state.store.list_calls(&vis, acme.id, &everything, later))
        });
    }
    group.finish();
    // Counts stop at the API's limit; each scope's plan is printed, then timed without a filter,
    // with a rare outcome (abandoned calls), over the last seven days, and filtered by another
    // party: the agent 105, the queue 600.
    let week = Timestamp(Timestamp::now().0 - 7 * 86_400);
    let agent = rt.block_on(caller(&state, "105@acme.example")).user.user.id;
    let sales = rt
        .block_on(state.store.get_call_queue(
            &switchboard_policy::operator_visibility(Resource::CallQueues),
            acme.id,
            &Extension::parse("600").unwrap(),
        ))
        .unwrap()
        .id;
    let counted = [
        (
            "agent 105",
            CallFilter {
                user: Some(agent),
                ..CallFilter::default()
            },
        ),
        (
            "queue 600",
            CallFilter {
                queue: Some(sales),
                ..CallFilter::default()
            },
        ),
        ("all", CallFilter::default()),
        (
            "abandoned",
            CallFilter {
                disposition: Some(Disposition::Abandoned),
                ..CallFilter::default()
            },
        ),
        (
            "inbound, 7 days",
            CallFilter {
                direction: Some(Direction::Inbound),
                since: Some(week),
                ..CallFilter::default()
            },
        ),
    ];
    let mut counts = c.benchmark_group("call history count");
    counts.sample_size(20);
    for (name, login) in SCOPES {
        let who = rt.block_on(caller(&state, login));
        let vis = visibility(&who.actor, Resource::CallHistory).unwrap();
        for (what, filter) in &counted {
            let store = &state.store;
            let plan = rt
                .block_on(store.explain_count_calls(&vis, acme.id, filter, CALL_COUNT_LIMIT))
                .unwrap();
            let n = rt
                .block_on(store.count_calls(&vis, acme.id, filter, CALL_COUNT_LIMIT))
                .unwrap();
            println!(
                "\n{name}, {what}: {} calls{}; plan\n  {}",
                n.count,
                if n.exact { "" } else { " or more" },
                plan.join("\n  ")
            );
            counts.bench_function(format!("{name}: {what}"), |b| {
                b.to_async(&rt)
                    .iter(|| store.count_calls(&vis, acme.id, filter, CALL_COUNT_LIMIT))
            });
            // The page such a filter shows, read the same way as its count.
            if filter.user.is_some() || filter.queue.is_some() {
                let first = CallPageRequest {
                    before: None,
                    limit: 50,
                };
                counts.bench_function(format!("{name}: first page, {what}"), |b| {
                    b.to_async(&rt)
                        .iter(|| store.list_calls(&vis, acme.id, filter, first))
                });
            }
        }
    }
    counts.finish();
    let mut reports = c.benchmark_group("queue report");
    reports.sample_size(10);
    let om = rt.block_on(caller(&state, "101@acme.example"));
    let since = Timestamp(Timestamp::now().0 - 30 * 86_400).to_rfc3339();
    let query = ReportQuery {
        since: Some(since),
        ..ReportQuery::default()
    };
    reports.bench_function("office manager: 30 days, daily, all queues", |b| {
        b.to_async(&rt)
            .iter(|| queue_report(&state, &om, "acme.example", &query))
    });
    // A service level the per-slot sums do not keep is summed from the calls themselves.
    let unkept = ReportQuery {
        since: query.since.clone(),
        service_level_seconds: Some(37),
        ..ReportQuery::default()
    };
    reports.bench_function("office manager: 30 days, daily, service level 37 s", |b| {
        b.to_async(&rt)
            .iter(|| queue_report(&state, &om, "acme.example", &unkept))
    });
    let supervisor = rt.block_on(caller(&state, "104@acme.example"));
    reports.bench_function("supervisor: 30 days, daily, its queues", |b| {
        b.to_async(&rt)
            .iter(|| queue_report(&state, &supervisor, "acme.example", &query))
    });
    reports.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
