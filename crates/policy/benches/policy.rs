//! DESIGN §7: one authorization decision < 100 ns; building a list predicate < 200 ns.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use std::sync::Arc;
use switchboard_domain::{DomainId, QueueId, ResellerId, Scope, SiteId, UserId};
use switchboard_policy::{Action, Actor, Resource, Target, authorize, visibility};

fn bench(c: &mut Criterion) {
    let mut manager = Actor::new(
        UserId(7),
        Scope::SiteManager,
        ResellerId(1),
        DomainId(3),
        Some(SiteId(11)),
    );
    manager.reauthenticated = true;
    let sites = [SiteId(11)];
    let target = Target::domain(ResellerId(1), DomainId(3))
        .in_sites(&sites)
        .owned_by(UserId(99))
        .with_user_scope(Scope::BasicUser);
    c.bench_function("authorize: site manager updates a user of its site", |b| {
        b.iter(|| {
            authorize(
                black_box(&manager),
                Action::Update,
                Resource::Users,
                black_box(&target),
            )
        })
    });
    let mut supervisor = Actor::new(
        UserId(8),
        Scope::CallCenterSupervisor,
        ResellerId(1),
        DomainId(3),
        None,
    );
    supervisor.supervised_queues = Arc::from(vec![QueueId(1), QueueId(2), QueueId(3)]);
    c.bench_function("visibility: supervisor's call-history predicate", |b| {
        b.iter(|| visibility(black_box(&supervisor), Resource::CallHistory))
    });
    c.bench_function("visibility: office manager's users predicate", |b| {
        let om = Actor::new(
            UserId(9),
            Scope::OfficeManager,
            ResellerId(1),
            DomainId(3),
            None,
        );
        b.iter(|| visibility(black_box(&om), Resource::Users))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
