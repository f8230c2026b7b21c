//! A demo installation: a super user, a reseller, two customer domains with two sites each, a
//! user of every scope, call queues with agents, and filled supervisor settings. Everything
//! after the first super user is created through the same services (and policy) as the API.

use switchboard_api::AppState;
use switchboard_api::api::directory::{NewDomainBody, create_domain_service};
use switchboard_api::api::queues::{NewAgentBody as AddAgent, add_agent_service};
use switchboard_api::api::users::{NewUserBody, create_user, put_supervisor_settings};
use switchboard_api::auth::Caller;
use switchboard_api::bootstrap::{create_super_user, operator_caller};
use switchboard_api::error::{ApiError, ApiResult};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, operator_permit, operator_visibility};
mod calls;
mod settings;

pub use calls::generate_calls;

use switchboard_store::{NewQueue, NewReseller, QueueSettings, UserRecord};

pub const DEMO_PASSWORD: &str = "switchboard-demo";

/// One printed login.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    pub login: String,
    pub scope: Scope,
    pub note: &'static str,
}

fn person(
    ext: &str,
    first: &str,
    last: &str,
    scope: Scope,
    site: Option<SiteId>,
    domain: &str,
) -> NewUserBody {
    NewUserBody {
        extension: ext.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: Some(format!(
            "{}.{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase()
        )),
        scope: Some(scope),
        site_id: site.map(|s| s.get()),
        password: (scope != Scope::NoPortal).then(|| DEMO_PASSWORD.into()),
        language: Some("en".into()),
        timezone: None,
        caller_id: None,
    }
}

struct Org {
    domain: &'static str,
    description: &'static str,
    timezone: &'static str,
    sites: [&'static str; 2],
    manage_users: bool,
    people: [(&'static str, &'static str); 10],
}

const ORGS: [Org; 2] = [
    Org {
        domain: "acme.example",
        description: "Acme Corporation",
        timezone: "America/New_York",
        sites: ["Headquarters", "Branch Office"],
        manage_users: true,
        people: [
            ("Olivia", "Owens"),
            ("Sam", "Sato"),
            ("Sara", "Stone"),
            ("Carl", "Cruz"),
            ("Ava", "Adams"),
            ("Alex", "Alvarez"),
            ("Ben", "Baker"),
            ("Bea", "Brown"),
            ("Simon", "Sims"),
            ("Lobby", "Phone"),
        ],
    },
    Org {
        domain: "globex.example",
        description: "Globex Inc.",
        timezone: "Europe/Berlin",
        sites: ["East", "West"],
        manage_users: false,
        people: [
            ("Greta", "Gross"),
            ("Stefan", "Schulz"),
            ("Sophie", "Schmidt"),
            ("Clara", "Klein"),
            ("Anna", "Arnold"),
            ("Anton", "Abel"),
            ("Bruno", "Berg"),
            ("Birgit", "Bauer"),
            ("Sven", "Seidel"),
            ("Lobby", "Phone"),
        ],
    },
];

/// Load the demo installation (or, when it is there already, just list its logins).
pub async fn load(state: &AppState) -> ApiResult<Vec<DemoLogin>> {
    // One loader at a time, across processes (three `serve --demo` started at once on an
    // empty database): the others wait, then find the demo there.
    let permit = operator_permit(Resource::Domains, Action::Create);
    let holder = format!(
        "{}:{}:{}",
        std::process::id(),
        Timestamp::now().0,
        NEXT_HOLDER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let waited_from = std::time::Instant::now();
    while !state
        .store
        .try_lock(&permit, "demo", &holder, LOAD_LEASE_SECONDS)
        .await?
    {
        if waited_from.elapsed().as_secs() > LOAD_LEASE_SECONDS as u64 {
            return Err(ApiError::internal(
                "another process has been loading the demo for too long",
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let loaded = load_unlocked(state).await;
    state.store.unlock(&permit, "demo", &holder).await?;
    loaded
}

/// How long a loader may hold the demo lock before another takes over (it died).
const LOAD_LEASE_SECONDS: i64 = 600;
static NEXT_HOLDER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

async fn load_unlocked(state: &AppState) -> ApiResult<Vec<DemoLogin>> {
    let mut logins = Vec::new();
    let store = &state.store;
    let already = store
        .get_domain_by_name(
            &operator_visibility(Resource::Domains),
            &DomainName::parse("acme.example").map_err(ApiError::internal)?,
        )
        .await
        .is_ok();
    let scopes = [
        Scope::OfficeManager,
        Scope::SiteManager,
        Scope::SiteManager,
        Scope::CallCenterSupervisor,
        Scope::CallCenterAgent,
        Scope::CallCenterAgent,
        Scope::BasicUser,
        Scope::BasicUser,
        Scope::SimpleUser,
        Scope::NoPortal,
    ];
    let site_of = [0usize, 0, 1, 0, 0, 1, 0, 1, 1, 0];
    logins.push(DemoLogin {
        login: "100@platform.example".into(),
        scope: Scope::SuperUser,
        note: "the whole platform",
    });
    logins.push(DemoLogin {
        login: "100@voiceco.example".into(),
        scope: Scope::Reseller,
        note: "VoiceCo's domains",
    });
    for org in &ORGS {
        for (i, scope) in scopes.iter().enumerate() {
            let note = match (i, scope) {
                (_, Scope::NoPortal) => "phone line only: cannot log in",
                (1, _) | (3, _) | (4, _) | (6, _) => org.sites[0],
                (2, _) | (5, _) | (7, _) | (8, _) => org.sites[1],
                _ => "",
            };
            logins.push(DemoLogin {
                login: format!("{}@{}", 101 + i, org.domain),
                scope: *scope,
                note,
            });
        }
    }
    if already {
        return Ok(logins);
    }
    let root = create_super_user(
        state,
        &Login::parse("100@platform.example").map_err(ApiError::internal)?,
        &Password::parse(DEMO_PASSWORD).map_err(ApiError::internal)?,
        "Pat",
        "Platform",
    )
    .await?;
    let admin = operator_caller(state, root.id).await?;
    let reseller = store
        .create_reseller(
            &switchboard_policy::authorize_create(
                &admin.actor,
                Resource::Resellers,
                &Default::default(),
            )?,
            &admin.audit(),
            NewReseller {
                name: Label::parse("VoiceCo").map_err(ApiError::internal)?,
                contact_email: Email::parse("noc@voiceco.example").ok(),
                switch: SwitchRoutes::default(),
            },
        )
        .await?;
    let home = create_domain_service(
        state,
        &admin,
        NewDomainBody {
            name: "voiceco.example".into(),
            description: "VoiceCo (provider staff)".into(),
            timezone: "America/Chicago".into(),
            reseller_id: Some(reseller.id.get()),
            policy: DomainPolicy::default(),
            switch: SwitchRoutes::default(),
            office_manager: None,
        },
    )
    .await?;
    let reseller_user = create_user(
        state,
        &admin,
        &home.domain,
        person(
            "100",
            "Rita",
            "Reseller",
            Scope::Reseller,
            None,
            "voiceco.example",
        ),
    )
    .await?;
    let provider = operator_caller(state, reseller_user.id).await?;

    for (org_index, org) in ORGS.iter().enumerate() {
        let created = create_domain_service(
            state,
            &provider,
            NewDomainBody {
                name: org.domain.into(),
                description: org.description.into(),
                timezone: org.timezone.into(),
                reseller_id: None,
                policy: DomainPolicy {
                    office_managers_manage_users: org.manage_users,
                    two_factor_for_managers: false,
                    limits: Limits {
                        max_users: Some(100),
                        max_sites: Some(10),
                        max_call_queues: Some(MAX_DEMO_QUEUES),
                        max_auto_attendants: Some(20),
                        max_conferences: Some(20),
                    },
                },
                switch: SwitchRoutes::default(),
                office_manager: None,
            },
        )
        .await?;
        let domain = created.domain;
        let mut site_ids = Vec::new();
        for name in org.sites {
            let permit = switchboard_policy::authorize_create(
                &provider.actor,
                Resource::Sites,
                &switchboard_policy::Target::domain(domain.reseller_id, domain.id),
            )?;
            let site = store
                .create_site(
                    &permit,
                    &provider.audit(),
                    domain.reseller_id,
                    switchboard_store::NewSite {
                        domain_id: domain.id,
                        name: Label::parse(name).map_err(ApiError::internal)?,
                        address: None,
                        timezone: None,
                    },
                )
                .await?;
            site_ids.push(site.id);
        }
        let mut users = Vec::new();
        for (i, scope) in scopes.iter().enumerate() {
            let (first, last) = org.people[i];
            let ext = (101 + i).to_string();
            users.push(
                create_user(
                    state,
                    &provider,
                    &domain,
                    person(
                        &ext,
                        first,
                        last,
                        *scope,
                        Some(site_ids[site_of[i]]),
                        org.domain,
                    ),
                )
                .await?,
            );
        }
        // Queues and agents, made by the domain's Office Manager.
        let om = operator_caller(state, users[0].id).await?;
        let mut queues: Vec<CallQueue> = Vec::new();
        for (ext, name, site, strategy, overflow) in [
            // Support and Billing first: Sales overflows into Support.
            ("601", "Support", 1usize, RingStrategy::RoundRobin, "107"),
            ("602", "Billing", 0, RingStrategy::Linear, "107"),
            ("600", "Sales", 0, RingStrategy::LongestIdle, "601"),
        ] {
            let overflow = if ext == "600" {
                Overflow::Queue(Extension::parse(overflow).map_err(ApiError::internal)?)
            } else {
                Overflow::Voicemail(Extension::parse(overflow).map_err(ApiError::internal)?)
            };
            queues.push(
                create_queue(
                    state,
                    &om,
                    &domain,
                    site_ids[site],
                    ext,
                    name,
                    strategy,
                    overflow,
                )
                .await?,
            );
        }
        let (support, billing, sales) = (0usize, 1usize, 2usize);
        for (queue, user, priority) in [(sales, 4usize, 1u32), (billing, 4, 2), (support, 5, 1)] {
            let agent = users[user].extension.to_string();
            add_agent(state, &om, &domain, &queues[queue], agent, priority).await?;
        }
        let supervisor: UserRecord = store.user_for_actor(users[3].id).await?;
        put_supervisor_settings(
            state,
            &om,
            &supervisor,
            SupervisorSettings {
                queue_ids: vec![queues[sales].id, queues[support].id],
                may_edit_queue_settings: true,
            },
        )
        .await?;
        crate::settings::fill(state, &provider, &om, &domain, &users, &site_ids, org_index).await?;
    }
    Ok(logins)
}

/// One demo queue, made by the domain's Office Manager through the policy.
#[allow(clippy::too_many_arguments)]
async fn create_queue(
    state: &AppState,
    om: &Caller,
    domain: &Domain,
    site: SiteId,
    extension: &str,
    name: &str,
    ring_strategy: RingStrategy,
    overflow: Overflow,
) -> ApiResult<CallQueue> {
    let permit = switchboard_policy::authorize_create(
        &om.actor,
        Resource::CallQueues,
        &switchboard_policy::Target::domain(domain.reseller_id, domain.id),
    )?;
    let new = NewQueue {
        domain_id: domain.id,
        site_id: Some(site),
        extension: Extension::parse(extension).map_err(ApiError::internal)?,
        name: Label::parse(name).map_err(ApiError::internal)?,
        settings: QueueSettings {
            ring_strategy,
            max_wait_seconds: 180,
            max_callers: 15,
            wrap_up_seconds: 15,
            overflow,
            music_on_hold_id: None,
        },
    };
    Ok(state
        .store
        .create_call_queue(&permit, &om.audit(), domain.reseller_id, new)
        .await?)
}

/// Names of the queues `add_queues` makes beyond the demo's three.
const MORE_QUEUES: [&str; 17] = [
    "Renewals",
    "Returns",
    "Partners",
    "Escalations",
    "Onboarding",
    "Collections",
    "Technical",
    "Retention",
    "Spanish",
    "Priority",
    "Orders",
    "Shipping",
    "Warranty",
    "Accounts",
    "Events",
    "Training",
    "Feedback",
];

/// The most queues a demo domain may hold: its `max_call_queues` limit, and `--queues`'s bound.
pub const MAX_DEMO_QUEUES: u32 = 20;

/// Give each demo domain `wanted` call queues in all (`switchboard demo --queues N`): the three
/// of the demo and more from 603 on, on the sites of its two agents by turns, both agents
/// serving each, none assigned to the supervisor. Returns how many were made; calls generated
/// afterwards spread over all of them.
pub async fn add_queues(state: &AppState, wanted: usize) -> ApiResult<usize> {
    let store = &state.store;
    let mut made = 0;
    for name in DEMO_DOMAINS {
        let domain = store
            .get_domain_by_name(
                &operator_visibility(Resource::Domains),
                &DomainName::parse(name).map_err(ApiError::internal)?,
            )
            .await?;
        let dir = store.extension_directory(domain.id).await?;
        let user = |ext: &str| {
            dir.users
                .get(ext)
                .copied()
                .ok_or_else(|| ApiError::internal(format!("the demo has no user {ext}")))
        };
        let om = operator_caller(state, user("101")?.0).await?;
        let agents = [user("105")?, user("106")?];
        let mut next_extension = 603u32;
        for n in dir.queues.len()..wanted.min(MAX_DEMO_QUEUES as usize) {
            while dir.queues.contains_key(&next_extension.to_string()) {
                next_extension += 1;
            }
            let (_, site) = agents[n % 2];
            let site = site.ok_or_else(|| ApiError::internal("the demo domain has no site"))?;
            let queue = create_queue(
                state,
                &om,
                &domain,
                site,
                &next_extension.to_string(),
                MORE_QUEUES[n.saturating_sub(3) % MORE_QUEUES.len()],
                RingStrategy::RingAll,
                Overflow::Voicemail(Extension::parse("107").map_err(ApiError::internal)?),
            )
            .await?;
            next_extension += 1;
            for ext in ["105", "106"] {
                add_agent(state, &om, &domain, &queue, ext.to_string(), 1).await?;
            }
            made += 1;
        }
    }
    Ok(made)
}

/// The Office Manager makes the user with extension `agent` an agent of `queue`.
async fn add_agent(
    state: &AppState,
    om: &Caller,
    domain: &Domain,
    queue: &CallQueue,
    agent: String,
    priority: u32,
) -> ApiResult<()> {
    let body = AddAgent {
        user: agent,
        priority: Some(priority),
        wrap_up_seconds: None,
    };
    add_agent_service(state, om, domain, queue, body).await?;
    Ok(())
}

/// The demo's customer domains.
pub const DEMO_DOMAINS: [&str; 2] = ["acme.example", "globex.example"];

/// Give each demo domain a call history of `per_domain` calls (seeded: the same seed gives the
/// same calls, and running it again stores nothing twice). `progress` gets calls done so far.
pub async fn fill_call_history(
    state: &AppState,
    per_domain: u64,
    seed: u64,
    days: Option<u64>,
    mut progress: impl FnMut(u64),
) -> ApiResult<IngestSummary> {
    let mut total = IngestSummary::default();
    // On the hour: the calls of the last hour are drawn up to it, so a second run within the
    // hour makes exactly the same calls (later, the newest of them move, and merge).
    let now = Timestamp(Timestamp::now().0.div_euclid(3600) * 3600);
    for (n, name) in DEMO_DOMAINS.iter().enumerate() {
        let domain = state
            .store
            .get_domain_by_name(
                &operator_visibility(Resource::Domains),
                &DomainName::parse(name).map_err(ApiError::internal)?,
            )
            .await?;
        let done = n as u64 * per_domain;
        let s =
            crate::calls::generate_calls(&state.store, &domain, per_domain, seed, now, days, |k| {
                progress(done + k)
            })
            .await?;
        total.inserted += s.inserted;
        total.duplicates += s.duplicates;
        total.merged += s.merged;
    }
    Ok(total)
}

/// Does the demo already have a call history?
pub async fn has_call_history(state: &AppState) -> ApiResult<bool> {
    let domain = state
        .store
        .get_domain_by_name(
            &operator_visibility(Resource::Domains),
            &DomainName::parse(DEMO_DOMAINS[0]).map_err(ApiError::internal)?,
        )
        .await?;
    let n = state
        .store
        .count_calls(
            &operator_visibility(Resource::CallHistory),
            domain.id,
            &switchboard_store::CallFilter::default(),
            1,
        )
        .await?;
    Ok(n.count > 0)
}
