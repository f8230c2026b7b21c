//! The scope matrix through the HTTP API, on every database: every scope × every resource of
//! the core × every action × a target in the own object / own site / other site / supervised
//! queue / other domain / other reseller. Expectations come from the matrix data
//! (`rules_for`) through a small oracle written here, independent of `authorize`:
//! out of reach → 404, visible but not allowed → 403, lists and counts hold exactly the
//! visible rows.

use crate::common::{TestServer, on_each_database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use switchboard_domain::{Scope, UserId};
use switchboard_policy::{Action, Reach, Resource, When, rules_for};

#[derive(Clone, Debug, Default)]
pub(crate) struct Obj {
    pub reseller: Option<i64>,
    pub domain: Option<i64>,
    pub site: Option<i64>,
    pub owner: Option<i64>,
    pub queues: Vec<i64>,
    /// For users: their scope; for API keys: the key's scope.
    pub rank: Option<Scope>,
    /// A shared item of its domain (shared contacts and time frames).
    pub shared: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ActorInfo {
    pub login: String,
    pub user: i64,
    pub scope: Scope,
    pub reseller: i64,
    pub domain: i64,
    pub site: Option<i64>,
    pub supervised: Vec<i64>,
    pub agent_of: Vec<i64>,
    pub may_edit: bool,
    pub manages_users: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    Allowed,
    Forbidden,
    NotFound,
}

pub(crate) fn reaches(a: &ActorInfo, reach: Reach, t: &Obj) -> bool {
    let same_domain = t.domain == Some(a.domain);
    match reach {
        Reach::Platform => true,
        Reach::Reseller => t.reseller == Some(a.reseller),
        Reach::Domain => same_domain,
        Reach::Site => same_domain && a.site.is_some() && t.site == a.site,
        Reach::Queues => same_domain && t.queues.iter().any(|q| a.supervised.contains(q)),
        Reach::AgentQueues => same_domain && t.queues.iter().any(|q| a.agent_of.contains(q)),
        Reach::Own => t.owner == Some(a.user),
        Reach::Shared => same_domain && t.shared,
    }
}

pub(crate) fn holds(a: &ActorInfo, when: When) -> bool {
    match when {
        When::Always => true,
        When::PolicyAllowsUserManagement => a.manages_users,
        When::QueueEditAllowed => a.may_edit,
        When::Reauthenticated => false,
    }
}

fn outranks(actor: Scope, target: Scope) -> bool {
    actor == Scope::SuperUser || target < actor
}

/// What the matrix says about one action on one object.
pub(crate) fn oracle(a: &ActorInfo, action: Action, resource: Resource, t: &Obj) -> Expect {
    let read_resource = if resource == Resource::UserScope {
        Resource::Users
    } else {
        resource
    };
    let visible = rules_for(a.scope, read_resource)
        .iter()
        .any(|r| r.allows(Action::Read) && reaches(a, r.reach, t));
    if !visible && action != Action::Create {
        return Expect::NotFound;
    }
    let granted = rules_for(a.scope, resource)
        .iter()
        .any(|r| r.grants(action) && reaches(a, r.reach, t) && holds(a, r.when));
    if !granted {
        return Expect::Forbidden;
    }
    if action == Action::Read {
        return Expect::Allowed; // rank limits changes, never reads
    }
    let rank = t.rank.unwrap_or(Scope::SuperUser);
    let own = t.owner == Some(a.user);
    let ranked = match resource {
        Resource::Users => (own && action == Action::Update) || outranks(a.scope, rank),
        Resource::UserScope => !own && outranks(a.scope, rank),
        Resource::ApiKeys if action == Action::Create => rank <= a.scope,
        Resource::ApiKeys => own || outranks(a.scope, rank),
        _ => true,
    };
    if ranked {
        Expect::Allowed
    } else {
        Expect::Forbidden
    }
}

/// May the actor see the domain a path names (the container of tenant resources)?
pub(crate) fn domain_visible(a: &ActorInfo, domain: &Obj) -> bool {
    oracle(a, Action::Read, Resource::Domains, domain) == Expect::Allowed
}

pub(crate) fn actual(status: StatusCode) -> Result<Expect, StatusCode> {
    match status.as_u16() {
        200 | 201 | 204 => Ok(Expect::Allowed),
        403 => Ok(Expect::Forbidden),
        404 => Ok(Expect::NotFound),
        _ => Err(status),
    }
}

pub(crate) struct World {
    pub domains: HashMap<String, Obj>,
    pub domain_ids: HashMap<String, i64>,
    /// users by "ext@domain"
    pub users: HashMap<String, (Obj, i64)>,
    pub sites: HashMap<&'static str, (String, i64)>,
    pub resellers: HashMap<&'static str, i64>,
    /// call queues by "ext@domain"
    pub queues: HashMap<String, Obj>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);
pub(crate) fn fresh(prefix: &str) -> String {
    format!("{prefix}{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
pub(crate) fn fresh_ext() -> String {
    (7000 + COUNTER.fetch_add(1, Ordering::Relaxed)).to_string()
}

pub(crate) const SU: &str = "100@platform.example";
pub(crate) const DOMAINS: [&str; 5] = [
    "platform.example",
    "voiceco.example",
    "acme.example",
    "globex.example",
    "initech.example",
];

pub(crate) async fn world(s: &TestServer) -> World {
    let mut w = World {
        domains: HashMap::new(),
        domain_ids: HashMap::new(),
        users: HashMap::new(),
        sites: HashMap::new(),
        resellers: HashMap::new(),
        queues: HashMap::new(),
    };
    for r in s.list_all(SU, "/api/v1/resellers").await.unwrap() {
        let name = r["name"].as_str().unwrap();
        let key = match name {
            "Platform" => "platform",
            "VoiceCo" => "voiceco",
            "OtherTel" => "othertel",
            _ => continue,
        };
        w.resellers.insert(key, r["id"].as_i64().unwrap());
    }
    for d in s.list_all(SU, "/api/v1/domains").await.unwrap() {
        let name = d["name"].as_str().unwrap().to_owned();
        let obj = Obj {
            reseller: d["reseller_id"].as_i64(),
            domain: d["id"].as_i64(),
            ..Obj::default()
        };
        w.domain_ids.insert(name.clone(), d["id"].as_i64().unwrap());
        w.domains.insert(name, obj);
    }
    for (key, domain, name) in [
        ("hq", "acme.example", "Headquarters"),
        ("branch", "acme.example", "Branch Office"),
        ("east", "globex.example", "East"),
        ("main", "initech.example", "Main"),
    ] {
        let sites = s
            .list_all(SU, &format!("/api/v1/domains/{domain}/sites"))
            .await
            .unwrap();
        let site = sites.iter().find(|x| x["name"] == name).unwrap();
        w.sites
            .insert(key, (domain.to_owned(), site["id"].as_i64().unwrap()));
    }
    // Targets: a basic user in each place (and a second one in globex, to add as an agent).
    s.create_user(
        SU,
        "globex.example",
        "151",
        "basic_user",
        Some(w.sites["east"].1),
    )
    .await;
    s.create_user(
        SU,
        "acme.example",
        "150",
        "basic_user",
        Some(w.sites["hq"].1),
    )
    .await;
    s.create_user(
        SU,
        "acme.example",
        "151",
        "basic_user",
        Some(w.sites["branch"].1),
    )
    .await;
    s.create_user(
        SU,
        "globex.example",
        "150",
        "basic_user",
        Some(w.sites["east"].1),
    )
    .await;
    for domain in DOMAINS {
        for u in s
            .list_all(SU, &format!("/api/v1/domains/{domain}/users"))
            .await
            .unwrap()
        {
            let id = u["id"].as_i64().unwrap();
            let queues = s
                .state
                .store
                .agent_queues(UserId(id))
                .await
                .unwrap()
                .into_iter()
                .map(|q| q.get())
                .collect();
            let obj = Obj {
                reseller: w.domains[domain].reseller,
                domain: u["domain_id"].as_i64(),
                site: u["site_id"].as_i64(),
                owner: Some(id),
                queues,
                rank: Scope::parse(u["scope"].as_str().unwrap()),
                shared: false,
            };
            w.users.insert(
                format!("{}@{domain}", u["extension"].as_str().unwrap()),
                (obj, id),
            );
        }
        for q in s
            .list_all(SU, &format!("/api/v1/domains/{domain}/call-queues"))
            .await
            .unwrap()
        {
            let obj = queue_obj(&w, domain, &q);
            w.queues.insert(
                format!("{}@{domain}", q["extension"].as_str().unwrap()),
                obj,
            );
        }
    }
    w
}

fn queue_obj(w: &World, domain: &str, q: &Value) -> Obj {
    Obj {
        reseller: w.domains[domain].reseller,
        domain: q["domain_id"].as_i64(),
        site: q["site_id"].as_i64(),
        queues: vec![q["id"].as_i64().unwrap()],
        ..Obj::default()
    }
}

pub(crate) async fn actor_info(s: &TestServer, login: &str) -> ActorInfo {
    let (st, me) = s.get(login, "/api/v1/me").await;
    assert_eq!(st, StatusCode::OK, "{login}: {me}");
    let user = me["user"]["id"].as_i64().unwrap();
    let (supervised, may_edit) = s.state.store.supervision(UserId(user)).await.unwrap();
    let (_, domain) = s.get(login, "/api/v1/domains/~").await;
    ActorInfo {
        login: login.to_owned(),
        user,
        scope: Scope::parse(me["scope"].as_str().unwrap()).unwrap(),
        reseller: me["reseller_id"].as_i64().unwrap(),
        domain: me["domain"]["id"].as_i64().unwrap(),
        site: me["site_id"].as_i64(),
        supervised: supervised.into_iter().map(|q| q.get()).collect(),
        agent_of: s
            .state
            .store
            .agent_queues(UserId(user))
            .await
            .unwrap()
            .into_iter()
            .map(|q| q.get())
            .collect(),
        may_edit,
        manages_users: domain["policy"]["office_managers_manage_users"]
            .as_bool()
            .unwrap(),
    }
}

#[derive(Default)]
pub(crate) struct Report {
    pub checked: usize,
    pub failures: Vec<String>,
}

impl Report {
    pub fn check(&mut self, what: String, expected: Expect, status: StatusCode, body: &Value) {
        self.checked += 1;
        match actual(status) {
            Ok(got) if got == expected => {}
            Ok(got) => self.failures.push(format!(
                "{what}: expected {expected:?}, got {got:?} ({status}) {body}"
            )),
            Err(status) => self.failures.push(format!(
                "{what}: expected {expected:?}, got {status} {body}"
            )),
        }
    }
    pub fn list(
        &mut self,
        what: String,
        expected: Result<BTreeSet<i64>, Expect>,
        got: Result<BTreeSet<i64>, StatusCode>,
    ) {
        self.checked += 1;
        let same = match (&expected, &got) {
            (Ok(e), Ok(g)) => e == g,
            (Err(e), Err(status)) => actual(*status).ok() == Some(*e),
            _ => false,
        };
        if !same {
            self.failures
                .push(format!("{what}: expected {expected:?}, got {got:?}"));
        }
    }
}

pub(crate) fn ids(items: &[Value]) -> BTreeSet<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

pub(crate) const ACTORS: [&str; 11] = [
    SU,
    "100@voiceco.example",
    "101@acme.example",
    "102@acme.example",
    "103@acme.example",
    "104@acme.example",
    "105@acme.example",
    "106@acme.example",
    "107@acme.example",
    "108@acme.example",
    "109@acme.example",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scope_every_resource_every_action() {
    on_each_database(|s| async move {
        let w = world(&s).await;
        let mut actors = Vec::new();
        for login in ACTORS {
            actors.push(actor_info(&s, login).await);
        }
        let target_logins = ["150@acme.example", "151@acme.example", "150@globex.example", "150@initech.example"];
        for login in target_logins {
            s.token(login).await;
        }
        // Every actor and target that may have an API key makes one for itself.
        let mut own_keys: HashMap<String, Option<i64>> = HashMap::new();
        let mut report = Report::default();
        for login in ACTORS.iter().chain(target_logins.iter()) {
            let (st, body) = s.send(login, Method::POST, "/api/v1/api-keys", Some(json!({"name": "mine"}))).await;
            own_keys.insert((*login).to_owned(), body["id"].as_i64());
            if let Some(a) = actors.iter().find(|a| a.login == *login) {
                let me = Obj { owner: Some(a.user), domain: Some(a.domain), reseller: Some(a.reseller), site: a.site, rank: Some(a.scope), ..Obj::default() };
                report.check(format!("{login} creates its API key"), oracle(a, Action::Create, Resource::ApiKeys, &me), st, &body);
            }
        }

        // ---------- lists and counts (no writes in this phase) ----------
        let all_users: Vec<(Obj, i64)> = w.users.values().cloned().collect();
        let all_sites: Vec<Value> = {
            let mut v = vec![];
            for d in DOMAINS {
                v.extend(s.list_all(SU, &format!("/api/v1/domains/{d}/sites")).await.unwrap());
            }
            v
        };
        let site_obj = |site: &Value| {
            let domain = site["domain_id"].as_i64();
            let reseller = w.domains.values().find(|d| d.domain == domain).and_then(|d| d.reseller);
            Obj { reseller, domain, site: site["id"].as_i64(), ..Obj::default() }
        };
        let user_by_id = |id: i64| w.users.values().find(|(_, uid)| *uid == id).map(|(o, _)| o.clone()).unwrap();
        let all_keys = s.list_all(SU, "/api/v1/api-keys").await.unwrap();
        let all_sessions = s.list_all(SU, "/api/v1/sessions").await.unwrap();
        let all_audit = s.list_all(SU, "/api/v1/audit-log").await.unwrap();
        let all_domains = s.list_all(SU, "/api/v1/domains").await.unwrap();
        let all_resellers = s.list_all(SU, "/api/v1/resellers").await.unwrap();
        for a in &actors {
            let readable = |resource: Resource| rules_for(a.scope, resource).iter().any(|r| r.allows(Action::Read) && holds(a, r.when));
            let expect_set = |resource: Resource, objs: Vec<(Obj, i64)>| -> Result<BTreeSet<i64>, Expect> {
                if !readable(resource) {
                    return Err(Expect::Forbidden);
                }
                Ok(objs.into_iter().filter(|(o, _)| oracle(a, Action::Read, resource, o) == Expect::Allowed).map(|(_, id)| id).collect())
            };
            for domain in ["acme.example", "globex.example", "initech.example"] {
                let in_domain: Vec<(Obj, i64)> = all_users.iter().filter(|(o, _)| o.domain == Some(w.domain_ids[domain])).cloned().collect();
                let expected = if domain_visible(a, &w.domains[domain]) { expect_set(Resource::Users, in_domain) } else { Err(Expect::NotFound) };
                let path = format!("/api/v1/domains/{domain}/users");
                let got = s.list_all(&a.login, &path).await.map(|v| ids(&v));
                report.list(format!("{} lists users of {domain}", a.login), expected.clone(), got);
                let (st, body) = s.get(&a.login, &format!("{path}/count")).await;
                if let Ok(set) = &expected {
                    report.checked += 1;
                    if st != StatusCode::OK || body["count"].as_i64() != Some(set.len() as i64) {
                        report.failures.push(format!("{} counts users of {domain}: expected {}, got {st} {body}", a.login, set.len()));
                    }
                }
                let sites: Vec<(Obj, i64)> = all_sites.iter().filter(|x| x["domain_id"].as_i64() == Some(w.domain_ids[domain])).map(|x| (site_obj(x), x["id"].as_i64().unwrap())).collect();
                let expected = if domain_visible(a, &w.domains[domain]) { expect_set(Resource::Sites, sites) } else { Err(Expect::NotFound) };
                let got = s.list_all(&a.login, &format!("/api/v1/domains/{domain}/sites")).await.map(|v| ids(&v));
                report.list(format!("{} lists sites of {domain}", a.login), expected, got);
            }
            let domains = all_domains.iter().map(|d| (Obj { reseller: d["reseller_id"].as_i64(), domain: d["id"].as_i64(), ..Obj::default() }, d["id"].as_i64().unwrap())).collect();
            report.list(format!("{} lists domains", a.login), expect_set(Resource::Domains, domains), s.list_all(&a.login, "/api/v1/domains").await.map(|v| ids(&v)));
            let resellers = all_resellers.iter().map(|r| (Obj { reseller: r["id"].as_i64(), ..Obj::default() }, r["id"].as_i64().unwrap())).collect();
            report.list(format!("{} lists resellers", a.login), expect_set(Resource::Resellers, resellers), s.list_all(&a.login, "/api/v1/resellers").await.map(|v| ids(&v)));
            let keys = all_keys.iter().map(|k| {
                let owner = user_by_id(k["user_id"].as_i64().unwrap());
                (Obj { rank: Scope::parse(k["scope"].as_str().unwrap()), ..owner }, k["id"].as_i64().unwrap())
            }).collect();
            report.list(format!("{} lists API keys", a.login), expect_set(Resource::ApiKeys, keys), s.list_all(&a.login, "/api/v1/api-keys").await.map(|v| ids(&v)));
            let sessions = all_sessions.iter().map(|x| (user_by_id(x["user_id"].as_i64().unwrap()), x["id"].as_i64().unwrap())).collect();
            report.list(format!("{} lists sessions", a.login), expect_set(Resource::Sessions, sessions), s.list_all(&a.login, "/api/v1/sessions").await.map(|v| ids(&v)));
            let audit = all_audit.iter().map(|e| (Obj { reseller: e["reseller_id"].as_i64(), domain: e["domain_id"].as_i64(), site: e["site_id"].as_i64(), ..Obj::default() }, e["id"].as_i64().unwrap())).collect();
            let expected = expect_set(Resource::AuditLog, audit);
            let got = s.list_all(&a.login, "/api/v1/audit-log").await.map(|v| ids(&v));
            report.list(format!("{} lists the audit log", a.login), expected.clone(), got);
            if let Ok(set) = expected {
                let (st, body) = s.get(&a.login, "/api/v1/audit-log/count").await;
                report.checked += 1;
                if st != StatusCode::OK || body["count"].as_i64() != Some(set.len() as i64) {
                    report.failures.push(format!("{} counts the audit log: expected {}, got {st} {body}", a.login, set.len()));
                }
            }
        }

        // ---------- single objects ----------
        for a in &actors {
            let site_key = if a.site == Some(w.sites["branch"].1) { "branch" } else { "hq" };
            let other_site_key = if site_key == "hq" { "branch" } else { "hq" };
            let own_site_user = if site_key == "hq" { "150@acme.example" } else { "151@acme.example" };
            let other_site_user = if site_key == "hq" { "151@acme.example" } else { "150@acme.example" };
            let self_login = a.login.clone();
            // Users: read and update.
            for target in [self_login.as_str(), own_site_user, other_site_user, "105@acme.example", "150@globex.example", "150@initech.example"] {
                let (obj, _) = w.users[target].clone();
                let (ext, domain) = target.split_once('@').unwrap();
                let path = format!("/api/v1/domains/{domain}/users/{ext}");
                let (st, body) = s.get(&a.login, &path).await;
                report.check(format!("{} reads user {target}", a.login), oracle(a, Action::Read, Resource::Users, &obj), st, &body);
                let (st, body) = s.send(&a.login, Method::PATCH, &path, Some(json!({"first_name": "Renamed"}))).await;
                report.check(format!("{} updates user {target}", a.login), oracle(a, Action::Update, Resource::Users, &obj), st, &body);
            }
            // Users: create, delete and re-scope, in each place.
            for (domain, site) in [("acme.example", Some(site_key)), ("acme.example", Some(other_site_key)), ("globex.example", Some("east")), ("initech.example", Some("main"))] {
                let site_id = site.map(|k| w.sites[k].1);
                let base = Obj { reseller: w.domains[domain].reseller, domain: Some(w.domain_ids[domain]), site: site_id, rank: Some(Scope::BasicUser), ..Obj::default() };
                let ext = fresh_ext();
                let (st, body) = s.send(&a.login, Method::POST, &format!("/api/v1/domains/{domain}/users"), Some(json!({"extension": ext, "first_name": "New", "last_name": "User", "site_id": site_id}))).await;
                let expected = if domain_visible(a, &w.domains[domain]) { oracle(a, Action::Create, Resource::Users, &base) } else { Expect::NotFound };
                report.check(format!("{} creates a user in {domain} site {site:?}", a.login), expected, st, &body);
                for (action, resource) in [(Action::Delete, Resource::Users), (Action::Update, Resource::UserScope)] {
                    let victim = s.create_user(SU, domain, &fresh_ext(), "basic_user", site_id).await;
                    let obj = Obj { owner: victim["id"].as_i64(), ..base.clone() };
                    let path = format!("/api/v1/domains/{domain}/users/{}", victim["extension"].as_str().unwrap());
                    let (st, body) = if action == Action::Delete {
                        s.send(&a.login, Method::DELETE, &path, None).await
                    } else {
                        s.send(&a.login, Method::PUT, &format!("{path}/scope"), Some(json!({"scope": "simple_user"}))).await
                    };
                    report.check(format!("{} {action:?}s {resource:?} of a user in {domain} site {site:?}", a.login), oracle(a, action, resource, &obj), st, &body);
                }
            }
            // Sites.
            for key in [site_key, other_site_key, "east", "main"] {
                let (domain, id) = w.sites[key].clone();
                let obj = Obj { reseller: w.domains[&domain].reseller, domain: Some(w.domain_ids[&domain]), site: Some(id), ..Obj::default() };
                let path = format!("/api/v1/domains/{domain}/sites/{id}");
                let (st, body) = s.get(&a.login, &path).await;
                report.check(format!("{} reads site {key}", a.login), oracle(a, Action::Read, Resource::Sites, &obj), st, &body);
                let (st, body) = s.send(&a.login, Method::PATCH, &path, Some(json!({"address": "1 Main Street"}))).await;
                report.check(format!("{} updates site {key}", a.login), oracle(a, Action::Update, Resource::Sites, &obj), st, &body);
            }
            for domain in ["acme.example", "globex.example", "initech.example"] {
                let container = Obj { reseller: w.domains[domain].reseller, domain: Some(w.domain_ids[domain]), ..Obj::default() };
                let (st, body) = s.send(&a.login, Method::POST, &format!("/api/v1/domains/{domain}/sites"), Some(json!({"name": fresh("Site ")}))).await;
                let expected = if domain_visible(a, &w.domains[domain]) { oracle(a, Action::Create, Resource::Sites, &container) } else { Expect::NotFound };
                report.check(format!("{} creates a site in {domain}", a.login), expected, st, &body);
                if st == StatusCode::CREATED {
                    s.send(SU, Method::DELETE, &format!("/api/v1/domains/{domain}/sites/{}", body["id"]), None).await;
                }
                let (_, victim) = s.send(SU, Method::POST, &format!("/api/v1/domains/{domain}/sites"), Some(json!({"name": fresh("Victim ")}))).await;
                let obj = Obj { site: victim["id"].as_i64(), ..container };
                let (st, body) = s.send(&a.login, Method::DELETE, &format!("/api/v1/domains/{domain}/sites/{}", victim["id"]), None).await;
                report.check(format!("{} deletes a site in {domain}", a.login), oracle(a, Action::Delete, Resource::Sites, &obj), st, &body);
                if st != StatusCode::NO_CONTENT {
                    s.send(SU, Method::DELETE, &format!("/api/v1/domains/{domain}/sites/{}", victim["id"]), None).await;
                }
            }
            // Domains.
            let own_domain = w.domain_ids.iter().find(|(_, id)| **id == a.domain).map(|(n, _)| n.clone()).unwrap();
            for domain in [own_domain.as_str(), "acme.example", "globex.example", "initech.example"] {
                let obj = w.domains[domain].clone();
                let path = format!("/api/v1/domains/{domain}");
                let (st, body) = s.get(&a.login, &path).await;
                report.check(format!("{} reads domain {domain}", a.login), oracle(a, Action::Read, Resource::Domains, &obj), st, &body);
                let (st, body) = s.send(&a.login, Method::PATCH, &path, Some(json!({"description": "Renamed"}))).await;
                report.check(format!("{} updates domain {domain}", a.login), oracle(a, Action::Update, Resource::Domains, &obj), st, &body);
            }
            for reseller in ["voiceco", "othertel"] {
                let rid = w.resellers[reseller];
                let name = format!("{}.example", fresh("victim"));
                let (st, victim) = s.send(SU, Method::POST, "/api/v1/domains", Some(json!({"name": name, "description": "Victim", "timezone": "UTC", "reseller_id": rid}))).await;
                assert_eq!(st, StatusCode::CREATED, "{victim}");
                let obj = Obj { reseller: Some(rid), domain: victim["id"].as_i64(), ..Obj::default() };
                let (st, body) = s.send(&a.login, Method::DELETE, &format!("/api/v1/domains/{name}"), None).await;
                report.check(format!("{} deletes a domain of {reseller}", a.login), oracle(a, Action::Delete, Resource::Domains, &obj), st, &body);
            }
            if a.scope != Scope::SuperUser {
                let name = format!("{}.example", fresh("new"));
                let (st, body) = s.send(&a.login, Method::POST, "/api/v1/domains", Some(json!({"name": name, "description": "New", "timezone": "UTC"}))).await;
                let obj = Obj { reseller: Some(a.reseller), ..Obj::default() };
                report.check(format!("{} creates a domain", a.login), oracle(a, Action::Create, Resource::Domains, &obj), st, &body);
            }
            // Resellers.
            for rid in [a.reseller, w.resellers["othertel"]] {
                let obj = Obj { reseller: Some(rid), ..Obj::default() };
                let path = format!("/api/v1/resellers/{rid}");
                let (st, body) = s.get(&a.login, &path).await;
                report.check(format!("{} reads reseller {rid}", a.login), oracle(a, Action::Read, Resource::Resellers, &obj), st, &body);
                let (st, body) = s.send(&a.login, Method::PATCH, &path, Some(json!({"contact_email": "ops@voice.example"}))).await;
                report.check(format!("{} updates reseller {rid}", a.login), oracle(a, Action::Update, Resource::Resellers, &obj), st, &body);
            }
            let (_, victim) = s.send(SU, Method::POST, "/api/v1/resellers", Some(json!({"name": fresh("Victim Reseller ")}))).await;
            let obj = Obj { reseller: victim["id"].as_i64(), ..Obj::default() };
            let (st, body) = s.send(&a.login, Method::DELETE, &format!("/api/v1/resellers/{}", victim["id"]), None).await;
            report.check(format!("{} deletes a reseller", a.login), oracle(a, Action::Delete, Resource::Resellers, &obj), st, &body);
            let (st, body) = s.send(&a.login, Method::POST, "/api/v1/resellers", Some(json!({"name": fresh("New Reseller ")}))).await;
            report.check(format!("{} creates a reseller", a.login), oracle(a, Action::Create, Resource::Resellers, &Obj::default()), st, &body);
            // Supervisor settings: reached through the user, judged on the settings.
            for target in ["104@acme.example", "104@globex.example"] {
                let (user_obj, _) = w.users[target].clone();
                let obj = Obj { queues: vec![], rank: None, ..user_obj.clone() };
                let (ext, domain) = target.split_once('@').unwrap();
                let path = format!("/api/v1/domains/{domain}/users/{ext}/supervisor-settings");
                let user_visible = oracle(a, Action::Read, Resource::Users, &user_obj) == Expect::Allowed;
                let (st, current) = s.get(&a.login, &path).await;
                let expected = if user_visible { oracle(a, Action::Read, Resource::SupervisorSettings, &obj) } else { Expect::NotFound };
                report.check(format!("{} reads supervisor settings of {target}", a.login), expected, st, &current);
                let (_, settings) = s.get(SU, &path).await;
                let (st, body) = s.send(&a.login, Method::PUT, &path, Some(settings)).await;
                let expected = if user_visible { oracle(a, Action::Update, Resource::SupervisorSettings, &obj) } else { Expect::NotFound };
                report.check(format!("{} updates supervisor settings of {target}", a.login), expected, st, &body);
            }
            // API keys: others' keys are read and deleted; fresh keys are made by their owners.
            for owner in [self_login.as_str(), own_site_user, other_site_user, "150@globex.example", "150@initech.example"] {
                let Some(Some(key)) = own_keys.get(owner).cloned() else { continue };
                let (user_obj, _) = if owner == self_login { (Obj { owner: Some(a.user), domain: Some(a.domain), reseller: Some(a.reseller), site: a.site, ..Obj::default() }, a.user) } else { w.users[owner].clone() };
                let key_scope = if owner == self_login { a.scope } else { Scope::BasicUser };
                let obj = Obj { rank: Some(key_scope), queues: vec![], ..user_obj };
                let (st, body) = s.get(&a.login, &format!("/api/v1/api-keys/{key}")).await;
                report.check(format!("{} reads the API key of {owner}", a.login), oracle(a, Action::Read, Resource::ApiKeys, &obj), st, &body);
                let (_, victim) = s.send(owner, Method::POST, "/api/v1/api-keys", Some(json!({"name": "victim"}))).await;
                let (st, body) = s.send(&a.login, Method::DELETE, &format!("/api/v1/api-keys/{}", victim["id"]), None).await;
                report.check(format!("{} deletes an API key of {owner}", a.login), oracle(a, Action::Delete, Resource::ApiKeys, &obj), st, &body);
            }
        }
        call_center_checks(&s, &w, &actors, &mut report).await;
        eprintln!("{}: {} matrix checks", s.label, report.checked);
        assert!(report.failures.is_empty(), "{} of {} checks failed on {}:\n{}", report.failures.len(), report.checked, s.label, report.failures.join("\n"));
        assert!(report.checked > 700, "the matrix test ran only {} checks", report.checked);
        s
    })
    .await;
}

/// Queues, memberships, queue log-in and availability, for every actor.
async fn call_center_checks(s: &TestServer, w: &World, actors: &[ActorInfo], report: &mut Report) {
    let all_queues: Vec<(String, Obj)> = w
        .queues
        .iter()
        .map(|(k, o)| (k.clone(), o.clone()))
        .collect();
    for a in actors {
        let readable = |resource: Resource| {
            rules_for(a.scope, resource)
                .iter()
                .any(|r| r.allows(Action::Read) && holds(a, r.when))
        };
        // Lists of queues.
        for domain in ["acme.example", "globex.example"] {
            let expected = if !domain_visible(a, &w.domains[domain]) {
                Err(Expect::NotFound)
            } else if !readable(Resource::CallQueues) {
                Err(Expect::Forbidden)
            } else {
                Ok(all_queues
                    .iter()
                    .filter(|(k, o)| {
                        k.ends_with(domain)
                            && oracle(a, Action::Read, Resource::CallQueues, o) == Expect::Allowed
                    })
                    .map(|(_, o)| o.queues[0])
                    .collect())
            };
            let got = s
                .list_all(&a.login, &format!("/api/v1/domains/{domain}/call-queues"))
                .await
                .map(|v| ids(&v));
            report.list(
                format!("{} lists call queues of {domain}", a.login),
                expected,
                got,
            );
        }
        for key in [
            "600@acme.example",
            "601@acme.example",
            "602@acme.example",
            "600@globex.example",
        ] {
            let obj = w.queues[key].clone();
            let (ext, domain) = key.split_once('@').unwrap();
            let path = format!("/api/v1/domains/{domain}/call-queues/{ext}");
            let queue_visible =
                oracle(a, Action::Read, Resource::CallQueues, &obj) == Expect::Allowed;
            let (st, body) = s.get(&a.login, &path).await;
            report.check(
                format!("{} reads call queue {key}", a.login),
                oracle(a, Action::Read, Resource::CallQueues, &obj),
                st,
                &body,
            );
            let (st, body) = s
                .send(
                    &a.login,
                    Method::PATCH,
                    &path,
                    Some(json!({"wrap_up_seconds": 20})),
                )
                .await;
            report.check(
                format!("{} changes call queue {key}", a.login),
                oracle(a, Action::Update, Resource::CallQueues, &obj),
                st,
                &body,
            );
            // Memberships of the queue: reached through the queue, judged on the membership.
            let through = |e: Expect| if queue_visible { e } else { Expect::NotFound };
            let (st, body) = s.get(&a.login, &format!("{path}/agents")).await;
            let expected = if !queue_visible {
                Expect::NotFound
            } else if readable(Resource::QueueAgents) {
                Expect::Allowed
            } else {
                Expect::Forbidden
            };
            report.check(
                format!("{} lists the agents of {key}", a.login),
                expected,
                st,
                &body,
            );
            if st == StatusCode::OK {
                let all = s.get(SU, &format!("{path}/agents")).await.1;
                let want: Vec<_> = all
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| {
                        oracle(
                            a,
                            Action::Read,
                            Resource::QueueAgents,
                            &Obj {
                                owner: m["user_id"].as_i64(),
                                ..obj.clone()
                            },
                        ) == Expect::Allowed
                    })
                    .map(|m| m["user_id"].clone())
                    .collect();
                let got: Vec<_> = body
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["user_id"].clone())
                    .collect();
                report.checked += 1;
                if want != got {
                    report.failures.push(format!(
                        "{} sees agents {got:?} of {key}, expected {want:?}",
                        a.login
                    ));
                }
            }
            let (st, body) = s
                .send(
                    &a.login,
                    Method::POST,
                    &format!("{path}/agents"),
                    Some(json!({"user": "150"})),
                )
                .await;
            report.check(
                format!("{} adds an agent to {key}", a.login),
                through(oracle(a, Action::Create, Resource::QueueAgents, &obj)),
                st,
                &body,
            );
            s.send(SU, Method::DELETE, &format!("{path}/agents/150"), None)
                .await;
            let (st, body) = s
                .send(
                    SU,
                    Method::POST,
                    &format!("{path}/agents"),
                    Some(json!({"user": "151"})),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{body}");
            let member = Obj {
                owner: body["user_id"].as_i64(),
                ..obj.clone()
            };
            let member_visible = queue_visible
                && oracle(a, Action::Read, Resource::QueueAgents, &member) == Expect::Allowed;
            let after_lookup = |e: Expect| if member_visible { e } else { Expect::NotFound };
            let (st, body) = s
                .send(
                    &a.login,
                    Method::PUT,
                    &format!("{path}/agents/151/login"),
                    Some(json!({"logged_in": false})),
                )
                .await;
            report.check(
                format!("{} logs agent 151 out of {key}", a.login),
                after_lookup(oracle(
                    a,
                    Action::Update,
                    Resource::AgentAvailability,
                    &member,
                )),
                st,
                &body,
            );
            let (st, body) = s
                .send(
                    &a.login,
                    Method::PATCH,
                    &format!("{path}/agents/151"),
                    Some(json!({"priority": 3})),
                )
                .await;
            report.check(
                format!("{} changes agent 151 of {key}", a.login),
                after_lookup(oracle(a, Action::Update, Resource::QueueAgents, &member)),
                st,
                &body,
            );
            let (st, body) = s
                .send(
                    &a.login,
                    Method::DELETE,
                    &format!("{path}/agents/151"),
                    None,
                )
                .await;
            report.check(
                format!("{} removes agent 151 from {key}", a.login),
                after_lookup(oracle(a, Action::Delete, Resource::QueueAgents, &member)),
                st,
                &body,
            );
            s.send(SU, Method::DELETE, &format!("{path}/agents/151"), None)
                .await;
        }
        // Creating and deleting queues.
        for (domain, site) in [
            ("acme.example", Some("hq")),
            ("acme.example", Some("branch")),
            ("globex.example", Some("east")),
        ] {
            let site_id = site.map(|k| w.sites[k].1);
            let container = Obj {
                reseller: w.domains[domain].reseller,
                domain: Some(w.domain_ids[domain]),
                site: site_id,
                ..Obj::default()
            };
            let ext = fresh_ext();
            let (st, body) = s
                .send(
                    &a.login,
                    Method::POST,
                    &format!("/api/v1/domains/{domain}/call-queues"),
                    Some(json!({"extension": ext, "name": "New queue", "site_id": site_id})),
                )
                .await;
            let expected = if domain_visible(a, &w.domains[domain]) {
                oracle(a, Action::Create, Resource::CallQueues, &container)
            } else {
                Expect::NotFound
            };
            report.check(
                format!("{} creates a call queue in {domain} site {site:?}", a.login),
                expected,
                st,
                &body,
            );
            if st == StatusCode::CREATED {
                s.send(
                    SU,
                    Method::DELETE,
                    &format!("/api/v1/domains/{domain}/call-queues/{ext}"),
                    None,
                )
                .await;
            }
            let ext = fresh_ext();
            let (st, victim) = s
                .send(
                    SU,
                    Method::POST,
                    &format!("/api/v1/domains/{domain}/call-queues"),
                    Some(json!({"extension": ext, "name": "Victim", "site_id": site_id})),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{victim}");
            let obj = queue_obj(w, domain, &victim);
            let (st, body) = s
                .send(
                    &a.login,
                    Method::DELETE,
                    &format!("/api/v1/domains/{domain}/call-queues/{ext}"),
                    None,
                )
                .await;
            report.check(
                format!("{} deletes a call queue in {domain} site {site:?}", a.login),
                oracle(a, Action::Delete, Resource::CallQueues, &obj),
                st,
                &body,
            );
            s.send(
                SU,
                Method::DELETE,
                &format!("/api/v1/domains/{domain}/call-queues/{ext}"),
                None,
            )
            .await;
        }
        // Availability of agents: reached through the user, judged on the agent.
        for target in ["105@acme.example", "106@acme.example", "105@globex.example"] {
            let (user_obj, _) = w.users[target].clone();
            let (ext, domain) = target.split_once('@').unwrap();
            let path = format!("/api/v1/domains/{domain}/users/{ext}/availability");
            let user_visible =
                oracle(a, Action::Read, Resource::Users, &user_obj) == Expect::Allowed;
            let through = |e: Expect| if user_visible { e } else { Expect::NotFound };
            let (st, body) = s.get(&a.login, &path).await;
            report.check(
                format!("{} reads the availability of {target}", a.login),
                through(oracle(
                    a,
                    Action::Read,
                    Resource::AgentAvailability,
                    &user_obj,
                )),
                st,
                &body,
            );
            let (st, body) = s
                .send(
                    &a.login,
                    Method::PUT,
                    &path,
                    Some(json!({"status": "on_break", "reason": "lunch"})),
                )
                .await;
            report.check(
                format!("{} sets the availability of {target}", a.login),
                through(oracle(
                    a,
                    Action::Update,
                    Resource::AgentAvailability,
                    &user_obj,
                )),
                st,
                &body,
            );
        }
    }
}
