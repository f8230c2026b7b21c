//! DESIGN §2 through the HTTP API for every phone-system setting, on every database: every
//! scope × every kind × read, list, count, create, update, route and delete, on objects of the
//! domain (in each site and none), of users (in each site, and each actor's own), in another
//! domain and in another reseller's domain. Expectations come from the matrix data through the
//! oracle of `matrix.rs`.

use crate::common::{TestServer, on_each_database};
use crate::matrix::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use switchboard_policy::{Action, Resource, rules_for};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Placement {
    Domain,
    User,
    Both,
}

enum Make {
    Json(Value),
    /// A WAV upload with this query string.
    Wav(String),
}

struct Kind {
    segment: &'static str,
    shared: Resource,
    personal: Resource,
    placement: Placement,
    /// The body names a site.
    sited: bool,
    patch: fn() -> Value,
}

const KINDS: &[Kind] = &[
    Kind {
        segment: "devices",
        shared: Resource::Devices,
        personal: Resource::Devices,
        placement: Placement::User,
        sited: false,
        patch: || json!({"label": "Desk"}),
    },
    Kind {
        segment: "phone-numbers",
        shared: Resource::PhoneNumbers,
        personal: Resource::PhoneNumbers,
        placement: Placement::Domain,
        sited: false,
        patch: || json!({"label": "Main line"}),
    },
    Kind {
        segment: "time-frames",
        shared: Resource::TimeFramesShared,
        personal: Resource::TimeFramesPersonal,
        placement: Placement::Both,
        sited: false,
        patch: || json!({"name": "Renamed"}),
    },
    Kind {
        segment: "answer-rules",
        shared: Resource::AnswerRules,
        personal: Resource::AnswerRules,
        placement: Placement::User,
        sited: false,
        patch: || json!({"enabled": false}),
    },
    Kind {
        segment: "contacts",
        shared: Resource::ContactsShared,
        personal: Resource::ContactsPersonal,
        placement: Placement::Both,
        sited: false,
        patch: || json!({"company": "Initrode"}),
    },
    Kind {
        segment: "voicemail-messages",
        shared: Resource::Voicemail,
        personal: Resource::Voicemail,
        placement: Placement::User,
        sited: false,
        patch: || json!({"read": true, "folder": "saved"}),
    },
    Kind {
        segment: "greetings",
        shared: Resource::Voicemail,
        personal: Resource::Voicemail,
        placement: Placement::User,
        sited: false,
        patch: || json!({"name": "Away"}),
    },
    Kind {
        segment: "music-on-hold",
        shared: Resource::MusicOnHold,
        personal: Resource::MusicOnHold,
        placement: Placement::Domain,
        sited: false,
        patch: || json!({"position": 3}),
    },
    Kind {
        segment: "auto-attendants",
        shared: Resource::AutoAttendants,
        personal: Resource::AutoAttendants,
        placement: Placement::Domain,
        sited: true,
        patch: || json!({"name": "Night menu"}),
    },
    Kind {
        segment: "conferences",
        shared: Resource::Conferences,
        personal: Resource::Conferences,
        placement: Placement::Domain,
        sited: true,
        patch: || json!({"max_participants": 20}),
    },
    Kind {
        segment: "emergency-addresses",
        shared: Resource::EmergencyAddresses,
        personal: Resource::EmergencyAddresses,
        placement: Placement::Both,
        sited: true,
        patch: || json!({"location": "Floor 2"}),
    },
    Kind {
        segment: "invoices",
        shared: Resource::Invoices,
        personal: Resource::Invoices,
        placement: Placement::Domain,
        sited: false,
        patch: || json!({"status": "void"}),
    },
    Kind {
        segment: "authorized-contacts",
        shared: Resource::AuthorizedContacts,
        personal: Resource::AuthorizedContacts,
        placement: Placement::Domain,
        sited: false,
        patch: || json!({"role": "technical"}),
    },
];

/// A place for a domain-level object: its domain, site, and the user a number routes to.
struct Place {
    domain: &'static str,
    site: Option<&'static str>,
    route_to: Option<&'static str>,
}

const PLACES: &[Place] = &[
    Place {
        domain: "acme.example",
        site: Some("hq"),
        route_to: Some("150"),
    },
    Place {
        domain: "acme.example",
        site: Some("branch"),
        route_to: Some("151"),
    },
    Place {
        domain: "acme.example",
        site: None,
        route_to: None,
    },
    Place {
        domain: "globex.example",
        site: Some("east"),
        route_to: Some("150"),
    },
    Place {
        domain: "initech.example",
        site: Some("main"),
        route_to: Some("150"),
    },
];

const OWNERS: &[&str] = &[
    "150@acme.example",
    "151@acme.example",
    "150@globex.example",
    "150@initech.example",
];

struct Ctx<'a> {
    w: &'a World,
    /// Shared time frames per domain, handed out one per answering rule (one rule per frame).
    frames: HashMap<String, Vec<i64>>,
    next_frame: HashMap<String, usize>,
}

impl Ctx<'_> {
    /// A frame this owner has no rule for yet.
    fn frame(&mut self, domain: &str, owner: &str) -> i64 {
        let n = self.next_frame.entry(owner.to_owned()).or_default();
        *n += 1;
        self.frames[domain][*n - 1]
    }
}

fn make(
    kind: &Kind,
    ctx: &mut Ctx,
    domain: &str,
    site: Option<i64>,
    route_to: Option<&str>,
    owner: &str,
) -> Make {
    let n = fresh("");
    let digits: u64 = n.parse().unwrap();
    match kind.segment {
        "devices" => Make::Json(
            json!({"mac": format!("02:00:{:02x}:{:02x}:{:02x}:{:02x}", digits >> 24 & 255, digits >> 16 & 255, digits >> 8 & 255, digits & 255), "model": "Yealink T54W"}),
        ),
        "phone-numbers" => Make::Json(
            json!({"number": format!("+1555{:07}", digits), "route": match route_to { Some(u) => json!({"kind": "user", "target": u}), None => json!({"kind": "none"}) }}),
        ),
        "time-frames" => Make::Json(
            json!({"name": format!("Frame {n}"), "schedule": {"kind": "holidays", "holidays": [{"name": "New Year", "month": 1, "day": 1}]}}),
        ),
        "answer-rules" => Make::Json(
            json!({"time_frame_id": ctx.frame(domain, owner), "action": {"kind": "do_not_disturb"}}),
        ),
        "contacts" => Make::Json(
            json!({"first_name": "Pat", "last_name": format!("Lee {n}"), "phones": [{"kind": "work", "number": "+1 555 0100"}]}),
        ),
        "voicemail-messages" => Make::Wav("?caller_number=%2B15550100".into()),
        "greetings" => Make::Wav(format!("?name=Greeting%20{n}")),
        "music-on-hold" => Make::Wav(format!("?name=Song%20{n}")),
        "auto-attendants" => Make::Json(
            json!({"extension": fresh_ext(), "name": format!("Main menu {n}"), "site_id": site, "menus": [{"options": {"0": {"kind": "repeat"}}}]}),
        ),
        "conferences" => Make::Json(
            json!({"extension": fresh_ext(), "name": format!("Bridge {n}"), "site_id": site, "pin": "4321"}),
        ),
        "emergency-addresses" => Make::Json(
            json!({"site_id": site, "caller_name": "Acme", "street": "1 Main St", "city": "Springfield", "region": "IL", "postal_code": "62701", "country": "US", "callback_number": "+12175550100"}),
        ),
        "invoices" => Make::Json(
            json!({"number": format!("INV-{n}"), "issued_on": "2026-11-01", "due_on": "2026-11-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "USD", "lines": [{"description": "Seats", "quantity": 10, "unit_price_cents": 1500}]}),
        ),
        "authorized-contacts" => Make::Json(
            json!({"name": "Dana Admin", "email": "dana@acme.example", "phone": "+12175550101", "role": "billing"}),
        ),
        other => panic!("no maker for {other}"),
    }
}

async fn post(s: &TestServer, login: &str, path: &str, m: Make) -> (StatusCode, Value) {
    match m {
        Make::Json(body) => s.send(login, Method::POST, path, Some(body)).await,
        Make::Wav(query) => {
            s.send_file(
                login,
                Method::POST,
                &format!("{path}{query}"),
                "audio/wav",
                switchboard_domain::silent_wav(8000, 800),
            )
            .await
        }
    }
}

/// A stored object and what the policy sees of it.
struct Made {
    kind: usize,
    domain: String,
    id: i64,
    obj: Obj,
    /// The number's current route (to re-route it to the same place).
    route: Option<Value>,
}

fn resource_of(kind: &Kind, obj: &Obj) -> Resource {
    if obj.owner.is_some() {
        kind.personal
    } else {
        kind.shared
    }
}

/// Make a domain-level object as the super user.
async fn make_shared(s: &TestServer, ctx: &mut Ctx<'_>, k: usize, place: &Place) -> Option<Made> {
    let kind = &KINDS[k];
    if kind.placement == Placement::User {
        return None;
    }
    let site = place.site.map(|key| ctx.w.sites[key].1);
    let body = make(
        kind,
        ctx,
        place.domain,
        if kind.sited { site } else { None },
        place.route_to,
        "",
    );
    let (st, made) = post(
        s,
        SU,
        &format!("/api/v1/domains/{}/{}", place.domain, kind.segment),
        body,
    )
    .await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "{} in {}: {made}",
        kind.segment,
        place.domain
    );
    let d = &ctx.w.domains[place.domain];
    let obj_site = match kind.segment {
        "phone-numbers" => place
            .route_to
            .and_then(|u| ctx.w.users[&format!("{u}@{}", place.domain)].0.site),
        _ if kind.sited => site,
        _ => None,
    };
    assert_eq!(made["reach_site_id"].as_i64(), obj_site, "{made}");
    Some(Made {
        kind: k,
        domain: place.domain.to_owned(),
        id: made["id"].as_i64().unwrap(),
        obj: Obj {
            reseller: d.reseller,
            domain: d.domain,
            site: obj_site,
            shared: true,
            ..Obj::default()
        },
        route: made.get("route").cloned(),
    })
}

/// Make a user's object, as the super user or (personal contacts) as the owner itself.
async fn make_owned(s: &TestServer, ctx: &mut Ctx<'_>, k: usize, owner: &str) -> Option<Made> {
    let kind = &KINDS[k];
    if kind.placement == Placement::Domain {
        return None;
    }
    let (ext, domain) = owner.split_once('@').unwrap();
    let (user_obj, _) = ctx.w.users[owner].clone();
    let creator = if kind.personal == Resource::ContactsPersonal {
        owner
    } else {
        SU
    };
    let body = make(kind, ctx, domain, None, None, owner);
    let (st, made) = post(
        s,
        creator,
        &format!("/api/v1/domains/{domain}/users/{ext}/{}", kind.segment),
        body,
    )
    .await;
    if st == StatusCode::FORBIDDEN && creator == owner {
        return None; // a scope without personal contacts
    }
    assert_eq!(
        st,
        StatusCode::CREATED,
        "{} of {owner}: {made}",
        kind.segment
    );
    assert_eq!(made["user_id"].as_i64(), user_obj.owner);
    Some(Made {
        kind: k,
        domain: domain.to_owned(),
        id: made["id"].as_i64().unwrap(),
        obj: Obj {
            reseller: user_obj.reseller,
            domain: user_obj.domain,
            site: user_obj.site,
            owner: user_obj.owner,
            ..Obj::default()
        },
        route: None,
    })
}

fn list_expect(
    a: &ActorInfo,
    kind: &Kind,
    w: &World,
    domain: &str,
    made: &[Made],
    k: usize,
) -> Result<BTreeSet<i64>, Expect> {
    if !domain_visible(a, &w.domains[domain]) {
        return Err(Expect::NotFound);
    }
    let readable = [kind.shared, kind.personal].iter().any(|r| {
        rules_for(a.scope, *r)
            .iter()
            .any(|rule| rule.allows(Action::Read) && holds(a, rule.when))
    });
    if !readable {
        return Err(Expect::Forbidden);
    }
    Ok(made
        .iter()
        .filter(|m| m.kind == k && m.domain == domain)
        .filter(|m| oracle(a, Action::Read, resource_of(kind, &m.obj), &m.obj) == Expect::Allowed)
        .map(|m| m.id)
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scope_every_setting_every_action() {
    on_each_database(|s| async move {
        let w = world(&s).await;
        let mut actors = Vec::new();
        for login in ACTORS {
            actors.push(actor_info(&s, login).await);
        }
        // Room for the many attendants and conferences made here (limits have their own test).
        for domain in ["acme.example", "globex.example", "initech.example"] {
            let (_, d) = s.get(SU, &format!("/api/v1/domains/{domain}")).await;
            let mut policy = d["policy"].clone();
            policy["limits"]["max_auto_attendants"] = json!(null);
            policy["limits"]["max_conferences"] = json!(null);
            let (st, body) = s
                .send(
                    SU,
                    Method::PATCH,
                    &format!("/api/v1/domains/{domain}"),
                    Some(json!({"policy": policy})),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        let mut frames: HashMap<String, Vec<i64>> = HashMap::new();
        for domain in [
            "acme.example",
            "globex.example",
            "initech.example",
            "platform.example",
            "voiceco.example",
        ] {
            for i in 0..80 {
                let (st, f) = s
                    .send(
                        SU,
                        Method::POST,
                        &format!("/api/v1/domains/{domain}/time-frames"),
                        Some(json!({"name": format!("Pool {i}"), "schedule": {"kind": "always"}})),
                    )
                    .await;
                assert_eq!(st, StatusCode::CREATED, "{f}");
                frames
                    .entry(domain.to_owned())
                    .or_default()
                    .push(f["id"].as_i64().unwrap());
            }
        }
        let mut ctx = Ctx {
            w: &w,
            frames,
            next_frame: HashMap::new(),
        };
        let mut pre_existing: Vec<Made> = Vec::new();
        let owners: Vec<String> = OWNERS
            .iter()
            .map(|o| o.to_string())
            .chain(ACTORS.iter().map(|a| a.to_string()))
            .collect();

        // Personal contacts are their owners' alone: the super user cannot list them.
        let mut seen = BTreeSet::new();
        for login in OWNERS.iter().chain(ACTORS.iter()) {
            let domain = login.split_once('@').unwrap().1;
            let d = &w.domains[domain];
            for item in s
                .list_all(login, &format!("/api/v1/domains/{domain}/users/~/contacts"))
                .await
                .unwrap_or_default()
            {
                let id = item["id"].as_i64().unwrap();
                if item["user_id"].is_i64()
                    && seen.insert(id)
                    && ["acme.example", "globex.example", "initech.example"].contains(&domain)
                {
                    pre_existing.push(Made {
                        kind: 4,
                        domain: domain.to_owned(),
                        id,
                        obj: Obj {
                            reseller: d.reseller,
                            domain: d.domain,
                            site: item["reach_site_id"].as_i64(),
                            owner: item["user_id"].as_i64(),
                            ..Obj::default()
                        },
                        route: None,
                    });
                }
            }
        }
        // The objects every list is checked against: the demo's, then these.
        let mut made: Vec<Made> = pre_existing;
        for (k, kind) in KINDS.iter().enumerate() {
            for domain in ["acme.example", "globex.example", "initech.example"] {
                let d = &w.domains[domain];
                for item in s
                    .list_all(SU, &format!("/api/v1/domains/{domain}/{}", kind.segment))
                    .await
                    .unwrap()
                {
                    let owner = item["user_id"].as_i64();
                    made.push(Made {
                        kind: k,
                        domain: domain.to_owned(),
                        id: item["id"].as_i64().unwrap(),
                        obj: Obj {
                            reseller: d.reseller,
                            domain: d.domain,
                            site: item["reach_site_id"].as_i64(),
                            owner,
                            shared: owner.is_none(),
                            ..Obj::default()
                        },
                        route: item.get("route").cloned(),
                    });
                }
            }
        }
        for k in 0..KINDS.len() {
            for place in PLACES {
                made.extend(make_shared(&s, &mut ctx, k, place).await);
            }
            for owner in &owners {
                made.extend(make_owned(&s, &mut ctx, k, owner).await);
            }
        }
        // The pool's frames are shared time frames too.
        for (domain, ids) in &ctx.frames {
            let d = &w.domains[domain.as_str()];
            for id in ids {
                made.push(Made {
                    kind: 2,
                    domain: domain.clone(),
                    id: *id,
                    obj: Obj {
                        reseller: d.reseller,
                        domain: d.domain,
                        shared: true,
                        ..Obj::default()
                    },
                    route: None,
                });
            }
        }

        let mut report = Report::default();
        for a in &actors {
            for (k, kind) in KINDS.iter().enumerate() {
                for domain in ["acme.example", "globex.example", "initech.example"] {
                    let path = format!("/api/v1/domains/{domain}/{}", kind.segment);
                    let expected = list_expect(a, kind, &w, domain, &made, k);
                    let got = s.list_all(&a.login, &path).await.map(|v| ids(&v));
                    report.list(format!("{} lists {path}", a.login), expected.clone(), got);
                    // A search finds a part of what the list holds, never more.
                    let searched = s
                        .list_all(&a.login, &format!("{path}?q=e"))
                        .await
                        .map(|v| ids(&v));
                    let within = match (&expected, &searched) {
                        (Ok(all), Ok(found)) => Ok(found.intersection(all).copied().collect()),
                        (Err(e), _) => Err(*e),
                        (Ok(_), Err(_)) => Ok(BTreeSet::new()),
                    };
                    report.list(format!("{} searches {path}", a.login), within, searched);
                    let (st, n) = s.get(&a.login, &format!("{path}/count")).await;
                    report.list(
                        format!("{} counts {path}", a.login),
                        expected.map(|e| (0..e.len() as i64).collect()),
                        if st == StatusCode::OK {
                            Ok((0..n["count"].as_i64().unwrap()).collect())
                        } else {
                            Err(st)
                        },
                    );
                }
            }
        }
        // Read, update and (numbers) route every object.
        for a in &actors {
            for m in &made {
                let kind = &KINDS[m.kind];
                let resource = resource_of(kind, &m.obj);
                let path = format!("/api/v1/domains/{}/{}/{}", m.domain, kind.segment, m.id);
                let domain_seen = domain_visible(a, &w.domains[m.domain.as_str()]);
                let expect = |action| {
                    if domain_seen {
                        oracle(a, action, resource, &m.obj)
                    } else {
                        Expect::NotFound
                    }
                };
                let (st, body) = s.get(&a.login, &path).await;
                report.check(
                    format!("{} reads {path}", a.login),
                    expect(Action::Read),
                    st,
                    &body,
                );
                let (st, body) = s
                    .send(&a.login, Method::PATCH, &path, Some((kind.patch)()))
                    .await;
                report.check(
                    format!("{} updates {path}", a.login),
                    expect(Action::Update),
                    st,
                    &body,
                );
                if let Some(route) = &m.route {
                    let (st, body) = s
                        .send(
                            &a.login,
                            Method::PUT,
                            &format!("{path}/route"),
                            Some(route.clone()),
                        )
                        .await;
                    report.check(
                        format!("{} routes {path}", a.login),
                        expect(Action::Route),
                        st,
                        &body,
                    );
                }
            }
        }
        // Create and delete, in every place and for every owner.
        for a in &actors {
            for (k, kind) in KINDS.iter().enumerate() {
                if kind.placement != Placement::User {
                    for place in PLACES {
                        let site = place.site.map(|key| w.sites[key].1);
                        let d = &w.domains[place.domain];
                        let target = Obj {
                            reseller: d.reseller,
                            domain: d.domain,
                            site: if kind.sited { site } else { None },
                            shared: true,
                            ..Obj::default()
                        };
                        let expected = if !domain_visible(a, d) {
                            Expect::NotFound
                        } else {
                            oracle(a, Action::Create, kind.shared, &target)
                        };
                        let body = make(
                            kind,
                            &mut ctx,
                            place.domain,
                            if kind.sited { site } else { None },
                            place.route_to,
                            "",
                        );
                        let (st, body) = post(
                            &s,
                            &a.login,
                            &format!("/api/v1/domains/{}/{}", place.domain, kind.segment),
                            body,
                        )
                        .await;
                        report.check(
                            format!(
                                "{} creates {} in {}/{:?}",
                                a.login, kind.segment, place.domain, place.site
                            ),
                            expected,
                            st,
                            &body,
                        );
                        if let Some(fresh) = make_shared(&s, &mut ctx, k, place).await {
                            let path = format!(
                                "/api/v1/domains/{}/{}/{}",
                                place.domain, kind.segment, fresh.id
                            );
                            let expected = if !domain_visible(a, d) {
                                Expect::NotFound
                            } else {
                                oracle(a, Action::Delete, kind.shared, &fresh.obj)
                            };
                            let (st, body) = s.send(&a.login, Method::DELETE, &path, None).await;
                            report.check(
                                format!("{} deletes {path}", a.login),
                                expected,
                                st,
                                &body,
                            );
                        }
                    }
                }
                if kind.placement == Placement::Domain {
                    continue;
                }
                for owner in &owners {
                    let (ext, domain) = owner.split_once('@').unwrap();
                    let (user_obj, _) = w.users[owner.as_str()].clone();
                    let target = Obj {
                        owner: user_obj.owner,
                        queues: vec![],
                        rank: None,
                        ..user_obj.clone()
                    };
                    let user_in_reach = domain_visible(a, &w.domains[domain])
                        && oracle(a, Action::Read, Resource::Users, &user_obj) == Expect::Allowed;
                    // A user's list: missing (404) unless the user is in reach and the scope
                    // reads such settings at all, never 403 (invariant 5).
                    // (Account Preferences' settings may first ask for the password: 403.)
                    let reading = |now: bool| {
                        [kind.shared, kind.personal].iter().any(|r| {
                            rules_for(a.scope, *r)
                                .iter()
                                .any(|r| r.allows(Action::Read) && (!now || holds(a, r.when)))
                        })
                    };
                    let path = format!("/api/v1/domains/{domain}/users/{ext}/{}", kind.segment);
                    let (st, body) = s.get(&a.login, &path).await;
                    report.check(
                        format!("{} lists {path}", a.login),
                        match (user_in_reach && reading(false), reading(true)) {
                            (false, _) => Expect::NotFound,
                            (true, true) => Expect::Allowed,
                            (true, false) => Expect::Forbidden,
                        },
                        st,
                        &body,
                    );
                    let expected = if !user_in_reach {
                        Expect::NotFound
                    } else {
                        oracle(a, Action::Create, kind.personal, &target)
                    };
                    let body = make(kind, &mut ctx, domain, None, None, owner);
                    let (st, body) = post(
                        &s,
                        &a.login,
                        &format!("/api/v1/domains/{domain}/users/{ext}/{}", kind.segment),
                        body,
                    )
                    .await;
                    report.check(
                        format!("{} creates {} of {owner}", a.login, kind.segment),
                        expected,
                        st,
                        &body,
                    );
                    if let Some(fresh) = make_owned(&s, &mut ctx, k, owner).await {
                        let path =
                            format!("/api/v1/domains/{domain}/{}/{}", kind.segment, fresh.id);
                        let expected = if !domain_visible(a, &w.domains[domain]) {
                            Expect::NotFound
                        } else {
                            oracle(a, Action::Delete, kind.personal, &fresh.obj)
                        };
                        let (st, body) = s.send(&a.login, Method::DELETE, &path, None).await;
                        report.check(format!("{} deletes {path}", a.login), expected, st, &body);
                    }
                }
            }
        }
        assert!(
            report.failures.is_empty(),
            "{} of {} checks failed:\n{}",
            report.failures.len(),
            report.checked,
            report.failures.join("\n")
        );
        assert!(report.checked > 5000, "only {} checks", report.checked);
        eprintln!("{}: {} setting checks", s.label, report.checked);
        s
    })
    .await;
}
