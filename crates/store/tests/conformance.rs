//! One conformance suite for the store, run on SQLite always and on PostgreSQL whenever
//! `SWITCHBOARD_TEST_POSTGRES_URL` is set.

use std::sync::Arc;
use switchboard_domain::*;
use switchboard_policy::{
    Action, Actor, Resource, operator_permit, operator_visibility, visibility,
};
use switchboard_store::testing::TestDatabase;
use switchboard_store::*;

fn ctx() -> AuditContext {
    AuditContext::operator("test")
}

struct World {
    reseller: Reseller,
    domain: Domain,
    other_domain: Domain,
    site_a: Site,
    site_b: Site,
}

async fn world(store: &Store) -> World {
    let reseller = store
        .create_reseller(
            &operator_permit(Resource::Resellers, Action::Create),
            &ctx(),
            NewReseller {
                name: Label::parse("VoiceCo").unwrap(),
                contact_email: None,
                switch: SwitchRoutes::default(),
            },
        )
        .await
        .unwrap();
    let mut domains = vec![];
    for name in ["acme.example", "globex.example"] {
        let policy = DomainPolicy {
            office_managers_manage_users: false,
            two_factor_for_managers: false,
            limits: Limits {
                max_users: Some(6),
                max_sites: Some(2),
                ..Limits::default()
            },
        };
        domains.push(
            store
                .create_domain(
                    &operator_permit(Resource::Domains, Action::Create),
                    &ctx(),
                    NewDomain {
                        reseller_id: reseller.id,
                        name: DomainName::parse(name).unwrap(),
                        description: Label::parse(name).unwrap(),
                        timezone: TimeZoneName::parse("America/New_York").unwrap(),
                        policy,
                        switch: SwitchRoutes::default(),
                    },
                )
                .await
                .unwrap(),
        );
    }
    let other_domain = domains.pop().unwrap();
    let domain = domains.pop().unwrap();
    let mut sites = vec![];
    for name in ["North", "South"] {
        sites.push(
            store
                .create_site(
                    &operator_permit(Resource::Sites, Action::Create),
                    &ctx(),
                    reseller.id,
                    NewSite {
                        domain_id: domain.id,
                        name: Label::parse(name).unwrap(),
                        address: None,
                        timezone: None,
                    },
                )
                .await
                .unwrap(),
        );
    }
    let site_b = sites.pop().unwrap();
    let site_a = sites.pop().unwrap();
    World {
        reseller,
        domain,
        other_domain,
        site_a,
        site_b,
    }
}

fn new_user(domain: DomainId, site: Option<SiteId>, ext: &str, scope: Scope) -> NewUser {
    NewUser {
        domain_id: domain,
        site_id: site,
        extension: Extension::parse(ext).unwrap(),
        first_name: Label::parse("Test").unwrap(),
        last_name: Label::parse(ext).unwrap(),
        email: None,
        scope,
        language: None,
        timezone: None,
        caller_id: None,
        password_hash: None,
    }
}

async fn add_user(
    store: &Store,
    w: &World,
    domain: DomainId,
    site: Option<SiteId>,
    ext: &str,
    scope: Scope,
) -> User {
    store
        .create_user(
            &operator_permit(Resource::Users, Action::Create),
            &ctx(),
            w.reseller.id,
            new_user(domain, site, ext, scope),
        )
        .await
        .unwrap()
}

const PAGE: PageRequest = PageRequest {
    after: None,
    limit: 50,
};

async fn each_database<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        eprintln!("-- on {}", db.label);
        let store = db.store().await;
        test(store.clone()).await;
        store.close().await;
        db.drop_database().await;
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_the_same_on_both_engines() {
    each_database(|store| async move {
        assert_eq!(
            store.migrate().await.unwrap(),
            0,
            "a second run applies nothing"
        );
        assert!(store.is_empty().await.unwrap());
    })
    .await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let names = |engine: &str| {
        let mut v: Vec<_> = std::fs::read_dir(format!("{dir}/{engine}"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    for name in names("sqlite") {
        let lite =
            std::fs::read_to_string(format!("{dir}/sqlite/{}", name.to_string_lossy())).unwrap();
        let pg =
            std::fs::read_to_string(format!("{dir}/postgres/{}", name.to_string_lossy())).unwrap();
        // What only PostgreSQL needs follows this line, said so, at the end of its file.
        let pg = match pg.find("\n-- PostgreSQL alone:") {
            Some(at) => pg[..at].to_owned(),
            None => pg,
        };
        assert_eq!(
            // SQLite may keep a table keyed by its primary key alone (WITHOUT ROWID).
            lite.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "@ID@")
                .replace(") WITHOUT ROWID;", ");"),
            pg.replace(
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                "@ID@"
            ),
            "{name:?} differs between the engines beyond the id type"
        );
    }
}

#[tokio::test]
async fn lists_are_cut_by_the_predicate_in_sql() {
    each_database(|store| async move {
        let w = world(&store).await;
        let manager = add_user(
            &store,
            &w,
            w.domain.id,
            Some(w.site_a.id),
            "200",
            Scope::SiteManager,
        )
        .await;
        add_user(
            &store,
            &w,
            w.domain.id,
            Some(w.site_a.id),
            "201",
            Scope::BasicUser,
        )
        .await;
        add_user(
            &store,
            &w,
            w.domain.id,
            Some(w.site_b.id),
            "202",
            Scope::BasicUser,
        )
        .await;
        add_user(&store, &w, w.domain.id, None, "203", Scope::BasicUser).await;
        add_user(&store, &w, w.other_domain.id, None, "200", Scope::BasicUser).await;

        let actor = Actor::new(
            manager.id,
            Scope::SiteManager,
            w.reseller.id,
            w.domain.id,
            Some(w.site_a.id),
        );
        let vis = visibility(&actor, Resource::Users).unwrap();
        let page = store
            .list_users(&vis, w.domain.id, &UserFilter::default(), PAGE)
            .await
            .unwrap();
        let exts: Vec<_> = page.items.iter().map(|u| u.extension.as_str()).collect();
        assert_eq!(exts, ["200", "201"]);
        assert_eq!(
            store
                .count_users(&vis, w.domain.id, &UserFilter::default())
                .await
                .unwrap(),
            2
        );
        assert!(
            store
                .list_users(&vis, w.other_domain.id, &UserFilter::default(), PAGE)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(matches!(
            store
                .get_user(&vis, w.domain.id, &Extension::parse("202").unwrap())
                .await,
            Err(StoreError::NotFound)
        ));

        let basic = Actor::new(
            UserId(9999),
            Scope::BasicUser,
            w.reseller.id,
            w.domain.id,
            None,
        );
        let vis = visibility(&basic, Resource::Users).unwrap();
        assert_eq!(
            store
                .count_users(&vis, w.domain.id, &UserFilter::default())
                .await
                .unwrap(),
            0
        );

        let reseller = Actor::new(
            manager.id,
            Scope::Reseller,
            w.reseller.id,
            w.domain.id,
            None,
        );
        let vis = visibility(&reseller, Resource::Domains).unwrap();
        assert_eq!(store.count_domains(&vis, None, None).await.unwrap(), 2);
        let other = Actor::new(
            manager.id,
            Scope::Reseller,
            ResellerId(w.reseller.id.get() + 1),
            w.domain.id,
            None,
        );
        let vis = visibility(&other, Resource::Domains).unwrap();
        assert_eq!(store.count_domains(&vis, None, None).await.unwrap(), 0);

        // Search and filters narrow, never widen.
        let om = Actor::new(
            manager.id,
            Scope::OfficeManager,
            w.reseller.id,
            w.domain.id,
            None,
        );
        let vis = visibility(&om, Resource::Users).unwrap();
        let filter = UserFilter {
            q: Some("20%".into()),
            ..UserFilter::default()
        };
        assert_eq!(
            store.count_users(&vis, w.domain.id, &filter).await.unwrap(),
            0,
            "wildcards are literal"
        );
        let filter = UserFilter {
            q: Some("202".into()),
            ..UserFilter::default()
        };
        assert_eq!(
            store.count_users(&vis, w.domain.id, &filter).await.unwrap(),
            1
        );
        let filter = UserFilter {
            site_id: Some(w.site_b.id),
            ..UserFilter::default()
        };
        assert_eq!(
            store.count_users(&vis, w.domain.id, &filter).await.unwrap(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn keyset_pages_cover_everything_once() {
    each_database(|store| async move {
        let w = world(&store).await;
        for ext in 300..306 {
            add_user(
                &store,
                &w,
                w.domain.id,
                None,
                &ext.to_string(),
                Scope::BasicUser,
            )
            .await;
        }
        let vis = operator_visibility(Resource::Users);
        let mut seen = vec![];
        let mut after = None;
        loop {
            let page = store
                .list_users(
                    &vis,
                    w.domain.id,
                    &UserFilter::default(),
                    PageRequest { after, limit: 4 },
                )
                .await
                .unwrap();
            seen.extend(page.items.iter().map(|u| u.extension.to_string()));
            match page.next_after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, (300..306).map(|e| e.to_string()).collect::<Vec<_>>());
    })
    .await;
}

#[tokio::test]
async fn conflicts_and_limits_name_the_field() {
    each_database(|store| async move {
        let w = world(&store).await;
        add_user(&store, &w, w.domain.id, None, "100", Scope::BasicUser).await;
        let permit = operator_permit(Resource::Users, Action::Create);
        let dup = store
            .create_user(
                &permit,
                &ctx(),
                w.reseller.id,
                new_user(w.domain.id, None, "100", Scope::BasicUser),
            )
            .await;
        assert!(
            matches!(
                dup,
                Err(StoreError::Conflict {
                    field: Some("extension"),
                    ..
                })
            ),
            "{dup:?}"
        );
        let bad_site = store
            .create_user(
                &permit,
                &ctx(),
                w.reseller.id,
                new_user(
                    w.domain.id,
                    Some(SiteId(w.site_a.id.get() + 1000)),
                    "101",
                    Scope::BasicUser,
                ),
            )
            .await;
        assert!(matches!(
            bad_site,
            Err(StoreError::InvalidReference { ref field, .. }) if field == "site_id"
        ));
        for ext in 101..106 {
            add_user(
                &store,
                &w,
                w.domain.id,
                None,
                &ext.to_string(),
                Scope::BasicUser,
            )
            .await;
        }
        let over = store
            .create_user(
                &permit,
                &ctx(),
                w.reseller.id,
                new_user(w.domain.id, None, "199", Scope::BasicUser),
            )
            .await;
        assert!(
            matches!(
                over,
                Err(StoreError::LimitReached {
                    limit: "max_users",
                    max: 6
                })
            ),
            "{over:?}"
        );
        let site = store
            .create_site(
                &operator_permit(Resource::Sites, Action::Create),
                &ctx(),
                w.reseller.id,
                NewSite {
                    domain_id: w.domain.id,
                    name: Label::parse("West").unwrap(),
                    address: None,
                    timezone: None,
                },
            )
            .await;
        assert!(matches!(
            site,
            Err(StoreError::LimitReached {
                limit: "max_sites",
                ..
            })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_change_and_its_audit_record_commit_together() {
    each_database(|store| async move {
        let w = world(&store).await;
        let audit = operator_visibility(Resource::AuditLog);
        let before = store.count_audit(&audit, &AuditFilter::default()).await.unwrap();
        // Make the audit insert fail after the user row was written, inside the same transaction.
        let trigger = match store.backend() {
            Backend::Sqlite => "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log WHEN NEW.object = 'user 777' \
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END;".to_string(),
            Backend::Postgres => "CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN \
                IF NEW.object = 'user 777' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; \
                CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_audit();".to_string(),
        };
        store.execute_raw(&trigger).await.unwrap();
        let failed = store.create_user(&operator_permit(Resource::Users, Action::Create), &ctx(), w.reseller.id, new_user(w.domain.id, None, "777", Scope::BasicUser)).await;
        assert!(failed.is_err());
        let users = operator_visibility(Resource::Users);
        let filter = UserFilter { q: Some("777".into()), ..UserFilter::default() };
        assert_eq!(store.count_users(&users, w.domain.id, &filter).await.unwrap(), 0, "the user was rolled back");
        assert_eq!(store.count_audit(&audit, &AuditFilter::default()).await.unwrap(), before, "no audit record");
        add_user(&store, &w, w.domain.id, None, "778", Scope::BasicUser).await;
        let entries = store.list_audit(&audit, &AuditFilter { action_prefix: Some("user.".into()), ..AuditFilter::default() }, PAGE).await.unwrap();
        assert_eq!(entries.items.len(), 1);
        assert_eq!(entries.items[0].object, "user 778");
        assert_eq!(entries.items[0].domain_id, Some(w.domain.id));
    })
    .await;
}

#[tokio::test]
async fn supervisors_reach_agents_of_their_queues_only() {
    each_database(|store| async move {
        let w = world(&store).await;
        let sup = add_user(
            &store,
            &w,
            w.domain.id,
            None,
            "400",
            Scope::CallCenterSupervisor,
        )
        .await;
        let agent_1 = add_user(&store, &w, w.domain.id, None, "401", Scope::CallCenterAgent).await;
        let agent_2 = add_user(&store, &w, w.domain.id, None, "402", Scope::CallCenterAgent).await;
        let mk = |ext: &'static str| {
            let store = store.clone();
            let (reseller, domain) = (w.reseller.id, w.domain.id);
            async move {
                store
                    .create_call_queue(
                        &operator_permit(Resource::CallQueues, Action::Create),
                        &ctx(),
                        reseller,
                        NewQueue {
                            domain_id: domain,
                            site_id: None,
                            extension: Extension::parse(ext).unwrap(),
                            name: Label::parse(ext).unwrap(),
                            settings: QueueSettings::default(),
                        },
                    )
                    .await
                    .unwrap()
            }
        };
        let sales = mk("600").await;
        let support = mk("601").await;
        let agents = operator_permit(Resource::QueueAgents, Action::Create);
        store
            .add_queue_agent(
                &agents,
                &ctx(),
                w.reseller.id,
                &sales,
                &agent_1,
                Membership {
                    priority: 1,
                    wrap_up_seconds: None,
                },
            )
            .await
            .unwrap();
        store
            .add_queue_agent(
                &agents,
                &ctx(),
                w.reseller.id,
                &support,
                &agent_2,
                Membership {
                    priority: 1,
                    wrap_up_seconds: None,
                },
            )
            .await
            .unwrap();

        let settings = SupervisorSettings {
            queue_ids: vec![sales.id],
            may_edit_queue_settings: true,
        };
        let sup_record = store.user_for_actor(sup.id).await.unwrap();
        store
            .put_supervisor_settings(
                &operator_permit(Resource::SupervisorSettings, Action::Update),
                &ctx(),
                &sup_record,
                &settings,
            )
            .await
            .unwrap();
        let (queues, may_edit) = store.supervision(sup.id).await.unwrap();
        assert_eq!((queues.clone(), may_edit), (vec![sales.id], true));

        let mut actor = Actor::new(
            sup.id,
            Scope::CallCenterSupervisor,
            w.reseller.id,
            w.domain.id,
            None,
        );
        actor.supervised_queues = Arc::from(queues);
        let vis = visibility(&actor, Resource::Users).unwrap();
        let seen: Vec<_> = store
            .list_users(&vis, w.domain.id, &UserFilter::default(), PAGE)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(
            seen,
            vec![sup.id, agent_1.id],
            "itself and the agent of its queue, not the other agent"
        );

        let bad = SupervisorSettings {
            queue_ids: vec![QueueId(support.id.get() + 50)],
            may_edit_queue_settings: false,
        };
        let refused = store
            .put_supervisor_settings(
                &operator_permit(Resource::SupervisorSettings, Action::Update),
                &ctx(),
                &sup_record,
                &bad,
            )
            .await;
        assert!(matches!(
            refused,
            Err(StoreError::InvalidReference { ref field, .. }) if field == "queue_ids"
        ));
        assert_eq!(
            store.supervision(sup.id).await.unwrap().0,
            vec![sales.id],
            "nothing changed"
        );
    })
    .await;
}

#[tokio::test]
async fn login_attempts_lock_and_clear() {
    each_database(|store| async move {
        let now = Timestamp(1_800_000_000);
        let keys = vec![
            ("account:101@acme.example".to_string(), 5),
            ("addr:127.0.0.1".to_string(), 50),
        ];
        for _ in 0..5 {
            assert_eq!(
                store
                    .count_login_attempt(&keys, now, 900, 300)
                    .await
                    .unwrap(),
                None
            );
        }
        // The sixth within the window is refused, and locks the account.
        assert_eq!(
            store
                .count_login_attempt(&keys, now, 900, 300)
                .await
                .unwrap(),
            Some(Timestamp(now.0 + 300))
        );
        assert_eq!(
            store
                .count_login_attempt(&keys, now.plus_seconds(100), 900, 300)
                .await
                .unwrap(),
            Some(Timestamp(now.0 + 300)),
            "locked: nothing more counted, the lock stands"
        );
        let later = now.plus_seconds(1000);
        assert_eq!(
            store
                .count_login_attempt(&keys, later, 900, 300)
                .await
                .unwrap(),
            None,
            "after the lock and the window, counting starts again"
        );
        store.clear_login_failures(&keys[0].0).await.unwrap();
        store.uncount_login_attempt(&keys[1].0).await.unwrap();
        // Still locked: kept. A day later: purged.
        assert_eq!(store.purge_expired(now, 3600).await.unwrap(), 0);
        assert_eq!(
            store
                .purge_expired(now.plus_seconds(86_400), 3600)
                .await
                .unwrap(),
            1
        );
    })
    .await;
}

/// Simultaneous attempts are each counted, and no more than the limit pass.
#[tokio::test]
async fn simultaneous_login_attempts_are_all_counted() {
    each_database(|store| async move {
        let now = Timestamp(1_800_000_000);
        let keys = vec![("account:102@acme.example".to_string(), 5)];
        let attempts = (0..30).map(|_| {
            let store = store.clone();
            let keys = keys.clone();
            tokio::spawn(async move { store.count_login_attempt(&keys, now, 900, 300).await })
        });
        let mut passed = 0;
        for attempt in attempts {
            if attempt.await.unwrap().unwrap().is_none() {
                passed += 1;
            }
        }
        assert_eq!(passed, 5);
    })
    .await;
}

#[tokio::test]
async fn a_permit_for_something_else_is_refused() {
    each_database(|store| async move {
        let w = world(&store).await;
        let wrong = operator_permit(Resource::Sites, Action::Create);
        let r = store
            .create_user(
                &wrong,
                &ctx(),
                w.reseller.id,
                new_user(w.domain.id, None, "500", Scope::BasicUser),
            )
            .await;
        assert!(matches!(r, Err(StoreError::Internal(_))));
    })
    .await;
}

/// On a SQLite file bulk calls go through rusqlite (`native.rs`), on PostgreSQL through `COPY`
/// (`pg_copy.rs`), and on SQLite in memory through sqlx. All must store the same calls and
/// parties and count the same: a call twice in one batch, a batch sent again, a batch half new,
/// a call id holding every character `COPY`'s text format escapes.
/// An unanswered outside call to extension 201, the `n`th minute of the test's day.
fn missed_call(call_id: String, n: i64, site_ids: Vec<SiteId>) -> NewCall {
    NewCall {
        call_id,
        direction: Direction::Inbound,
        from: "+14155550100".into(),
        to: "201".into(),
        queue_id: None,
        agent_user_id: None,
        agent_name: None,
        started_at: Timestamp(1_767_600_000 + n * 60),
        answered_at: None,
        ended_at: Timestamp(1_767_600_000 + n * 60 + 30),
        disposition: Disposition::Missed,
        user_ids: vec![],
        site_ids,
    }
}

/// The domain's newest calls, as an operator sees them.
async fn all_calls(store: &Store, domain: DomainId, limit: u32) -> CallPage {
    store
        .list_calls(
            &operator_visibility(Resource::CallHistory),
            domain,
            &CallFilter::default(),
            CallPageRequest {
                before: None,
                limit,
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn both_ingestion_paths_store_the_same_calls() {
    let mut results = vec![];
    let mut paths = vec![
        ("native", TestDatabase::sqlite()),
        ("sqlx", TestDatabase::sqlite()),
    ];
    paths.extend(
        TestDatabase::all()
            .await
            .into_iter()
            .filter(|db| db.label == "postgres")
            .map(|db| ("copy", db)),
    );
    for (path, db) in paths {
        let store = if path == "sqlx" {
            db.store_without_native_ingest().await
        } else {
            db.store().await
        };
        let w = world(&store).await;
        let a = add_user(
            &store,
            &w,
            w.domain.id,
            Some(w.site_a.id),
            "201",
            Scope::BasicUser,
        )
        .await;
        let b = add_user(
            &store,
            &w,
            w.domain.id,
            Some(w.site_b.id),
            "202",
            Scope::BasicUser,
        )
        .await;
        let call = |n: i64| NewCall {
            // Characters COPY's text format escapes, in one call.
            call_id: if n == 5 {
                "call-5\t\\N\n\r\\".into()
            } else {
                format!("call-{n}")
            },
            direction: if n % 2 == 0 {
                Direction::Internal
            } else {
                Direction::Inbound
            },
            from: "201".into(),
            to: format!("+1415555{n:04}"),
            queue_id: None,
            agent_user_id: None,
            agent_name: None,
            started_at: Timestamp(1_767_600_000 + n * 60),
            answered_at: (n % 3 != 0).then_some(Timestamp(1_767_600_000 + n * 60 + 5)),
            ended_at: Timestamp(1_767_600_000 + n * 60 + 40),
            disposition: if n % 3 != 0 {
                Disposition::Answered
            } else {
                Disposition::Missed
            },
            // A party named twice is stored once.
            user_ids: if n % 2 == 0 {
                vec![a.id, b.id, a.id]
            } else {
                vec![a.id]
            },
            site_ids: if n % 2 == 0 {
                vec![w.site_a.id, w.site_b.id]
            } else {
                vec![w.site_a.id]
            },
        };
        let permit = operator_permit(Resource::CallHistory, Action::Create);
        let mut summaries = vec![];
        let mut first: Vec<NewCall> = (0..40).map(call).collect();
        first.push(call(7));
        for batch in [first.clone(), first, (20..60).map(call).collect()] {
            let s = store
                .ingest_calls(&permit, &ctx(), w.reseller.id, w.domain.id, batch)
                .await
                .unwrap();
            summaries.push((s.inserted, s.duplicates));
        }
        let page = all_calls(&store, w.domain.id, 100).await;
        // Keys are the database's own (PostgreSQL's sequence moves on past a conflict).
        let calls: Vec<CallRecord> = page
            .items
            .into_iter()
            .map(|c| CallRecord { id: CallId(0), ..c })
            .collect();
        results.push((path, summaries, calls));
        store.close().await;
        db.drop_database().await;
    }
    let (_, native_summaries, native_calls) = results[0].clone();
    assert_eq!(native_summaries, [(40, 1), (0, 41), (20, 20)]);
    assert_eq!(native_calls.len(), 60);
    assert!(
        native_calls
            .iter()
            .any(|c| c.call_id == "call-5\t\\N\n\r\\")
    );
    for (path, summaries, calls) in &results[1..] {
        assert_eq!(&native_summaries, summaries, "{path}");
        assert_eq!(&native_calls, calls, "{path}");
    }
    let even = native_calls.iter().find(|c| c.call_id == "call-8").unwrap();
    assert_eq!(even.user_ids.len(), 2);
    assert_eq!(even.site_ids.len(), 2);
}

/// Migration 0010 copies every stored call's users and sites onto its row and re-keys the party
/// tables by party: a database that held calls before it shows the same parties after it, and a
/// user's calls are still found through the re-keyed table.
#[tokio::test]
async fn migration_0010_keeps_the_parties_of_stored_calls() {
    use sqlx::Executor;
    for db in TestDatabase::all().await {
        eprintln!("-- on {}", db.label);
        Store::connect(&db.url).await.unwrap().close().await; // creates the file, installs drivers
        let all = if db.label == "sqlite" {
            sqlx::migrate!("./migrations/sqlite")
        } else {
            sqlx::migrate!("./migrations/postgres")
        };
        let before_0010 = sqlx::migrate::Migrator {
            migrations: all
                .migrations
                .iter()
                .filter(|m| m.version < 10)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..all
        };
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        before_0010.run(&pool).await.unwrap();
        pool.execute(
            "INSERT INTO resellers (name, created_at) VALUES ('VoiceCo', 0);
             INSERT INTO domains (reseller_id, name, description, timezone, created_at)
                 VALUES (1, 'acme.example', 'Acme', 'UTC', 0);",
        )
        .await
        .unwrap();
        // Call n has users 100 + n and (for even n) 200, and site 7 + n % 2.
        for n in 1..=6i64 {
            pool.execute(
                format!(
                    "INSERT INTO calls (domain_id, call_id, direction, from_number, to_number,
                         queue_id, agent_user_id, started_at, answered_at, ended_at,
                         wait_seconds, talk_seconds, disposition)
                     VALUES (1, 'c{n}', 'internal', '1', '2', NULL, NULL, {t}, NULL, {t}, 0, 0, 'missed');
                     INSERT INTO call_users (call_pk, domain_id, user_id, started_at)
                         VALUES ({n}, 1, {u}, {t});
                     INSERT INTO call_sites (call_pk, domain_id, site_id, started_at)
                         VALUES ({n}, 1, {s}, {t});",
                    t = 1_000 + n,
                    u = 100 + n,
                    s = 7 + n % 2
                )
                .as_str(),
            )
            .await
            .unwrap();
            if n % 2 == 0 {
                pool.execute(
                    format!(
                        "INSERT INTO call_users (call_pk, domain_id, user_id, started_at)
                             VALUES ({n}, 1, 200, {t})",
                        t = 1_000 + n
                    )
                    .as_str(),
                )
                .await
                .unwrap();
            }
        }
        pool.close().await;

        let store = db.store().await;
        let vis = operator_visibility(Resource::CallHistory);
        let domain = DomainId(1);
        for n in 1..=6i64 {
            let call = store
                .get_call(&vis, domain, &format!("c{n}"))
                .await
                .unwrap();
            let mut users = vec![UserId(100 + n)];
            if n % 2 == 0 {
                users.push(UserId(200));
            }
            assert_eq!(call.user_ids, users, "call c{n}");
            assert_eq!(call.site_ids, vec![SiteId(7 + n % 2)], "call c{n}");
        }
        let of_200 = store
            .list_calls(
                &vis,
                domain,
                &CallFilter {
                    user: Some(UserId(200)),
                    ..CallFilter::default()
                },
                CallPageRequest {
                    before: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        let ids: Vec<&str> = of_200.items.iter().map(|c| c.call_id.as_str()).collect();
        assert_eq!(ids, ["c6", "c4", "c2"]);
        store.close().await;
        db.drop_database().await;
    }
}

/// After a bulk load PostgreSQL has statistics for the new calls at once (its planner would
/// otherwise take the tables for empty until autovacuum comes): `reltuples` is set, and so is
/// the visibility map that index-only scans need.
#[tokio::test]
async fn call_statistics_are_current_after_a_bulk_load() {
    for db in TestDatabase::all().await {
        if !db.url.starts_with("postgres") {
            continue;
        }
        let store = db.store().await;
        let w = world(&store).await;
        let calls: Vec<NewCall> = (0..50)
            .map(|n| missed_call(format!("bulk-{n}"), n, vec![]))
            .collect();
        let permit = operator_permit(Resource::CallHistory, Action::Create);
        store
            .ingest_calls(&permit, &ctx(), w.reseller.id, w.domain.id, calls)
            .await
            .unwrap();
        let raw = sqlx::AnyPool::connect(&db.url).await.unwrap();
        // One number of `pg_class` about `calls`: `reltuples` (the row estimate) or
        // `relallvisible` (pages marked visible to all).
        let pg_class = |column: &'static str| {
            let raw = &raw;
            async move {
                let row = sqlx::query(&format!(
                    "SELECT CAST({column} AS BIGINT) AS n FROM pg_class WHERE relname = 'calls'"
                ))
                .fetch_one(raw)
                .await
                .unwrap();
                sqlx::Row::get::<i64, _>(&row, "n")
            }
        };
        let estimate = || pg_class("reltuples");
        let all_visible = || pg_class("relallvisible");
        assert_eq!(all_visible().await, 0);
        store.refresh_call_statistics().await.unwrap();
        assert_eq!(estimate().await, 50);
        // The pages are marked visible to all: counts can answer from the indexes alone.
        assert!(all_visible().await > 0);
        raw.close().await;
        store.close().await;
        db.drop_database().await;
    }
}

/// Two writers storing overlapping batches at the same moment (two imports of neighbouring
/// files, an import beside the switch's own records): every call is stored once, each writer
/// is told which of its calls were new, and the two answers add up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_overlapping_batches_store_each_call_once() {
    each_database(|store| async move {
        let w = world(&store).await;
        let call = |n: i64| missed_call(format!("overlap-{n}"), n, vec![w.site_a.id]);
        let permit = operator_permit(Resource::CallHistory, Action::Create);
        for round in 0..3i64 {
            let base = round * 1000;
            // The second writer's batch starts inside the first's, and also runs backwards.
            let first: Vec<NewCall> = (base..base + 400).map(call).collect();
            let second: Vec<NewCall> = (base + 200..base + 600).rev().map(call).collect();
            let ctx = ctx();
            let (a, b) = tokio::join!(
                store.ingest_calls(&permit, &ctx, w.reseller.id, w.domain.id, first),
                store.ingest_calls(&permit, &ctx, w.reseller.id, w.domain.id, second),
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            assert_eq!(a.inserted + b.inserted, 600, "round {round}: {a:?} {b:?}");
            assert_eq!(
                a.duplicates + b.duplicates,
                200,
                "round {round}: {a:?} {b:?}"
            );
        }
        let page = all_calls(&store, w.domain.id, 2000).await;
        let mut ids: Vec<&str> = page.items.iter().map(|c| c.call_id.as_str()).collect();
        assert_eq!(ids.len(), 1800);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 1800);
    })
    .await;
}
