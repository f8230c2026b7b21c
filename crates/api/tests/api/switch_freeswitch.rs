//! FreeSWITCH's requests as it sends them — `mod_xml_curl`'s form fields, `mod_json_cdr`'s and
//! `mod_xml_cdr`'s posts in each encoding — answered by a real server, and the answers read
//! the way FreeSWITCH reads them (FreeSWITCH itself is not packaged here).

use crate::common::*;
use crate::switch::{SECRET, inbound_number_to_108, issue_password, registered_phone, with_switch};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const XML: &str = "/switch/freeswitch/xml";
const CDR: &str = "/switch/freeswitch/cdr";
const OM: &str = "101@acme.example";

/// Post an xml_curl lookup; answers the XML text (after checking it is a FreeSWITCH document).
async fn lookup(s: &TestServer, fields: &[(&str, &str)]) -> String {
    let r = s
        .client
        .post(s.url(XML))
        .basic_auth("switch", Some(SECRET))
        .form(fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{fields:?}");
    let content_type = r.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "document", "{text}");
    assert_eq!(root.attribute("type"), Some("freeswitch/xml"), "{text}");
    text
}

fn is_not_found(text: &str) -> bool {
    let doc = roxmltree::Document::parse(text).unwrap();
    let section = doc.root_element().first_element_child().unwrap();
    section.attribute("name") == Some("result")
        && section
            .first_element_child()
            .is_some_and(|r| r.attribute("status") == Some("not found"))
}

/// What mod_sofia asks when a phone answers a REGISTER or INVITE challenge.
fn sip_auth<'a>(user: &'a str, domain: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("hostname", "fs1"),
        ("section", "directory"),
        ("tag_name", "domain"),
        ("key_name", "name"),
        ("key_value", domain),
        ("Event-Name", "REQUEST_PARAMS"),
        ("Core-UUID", "0b7a4c2e-8d1f-4a55-9f0e-3c2d1b0a9f88"),
        ("action", "sip_auth"),
        ("sip_profile", "internal"),
        ("sip_user_agent", "Yealink SIP-T54W 96.86.0.30"),
        ("sip_auth_username", user),
        ("sip_auth_realm", domain),
        ("sip_auth_nonce", "2d0c6f5e-1b8a-4d3c-9e7f-5a4b3c2d1e0f"),
        ("sip_auth_uri", "sip:acme.example"),
        ("sip_contact_user", user),
        ("sip_contact_host", "192.0.2.10"),
        ("sip_to_user", user),
        ("sip_to_host", domain),
        ("sip_from_user", user),
        ("sip_from_host", domain),
        ("sip_request_host", domain),
        ("sip_auth_qop", "auth"),
        ("sip_auth_cnonce", "0a4f113b"),
        ("sip_auth_nc", "00000001"),
        ("sip_auth_response", "6629fae49393a05397450978507c4ef1"),
        ("sip_auth_method", "REGISTER"),
        ("key", "id"),
        ("user", user),
        ("domain", domain),
        ("ip", "192.0.2.10"),
    ]
}

/// The `a1-hash` FreeSWITCH gets for a login, with the path it sits on checked.
fn a1_hash(text: &str, user: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(text).unwrap();
    let found = doc
        .descendants()
        .find(|n| n.has_tag_name("user") && n.attribute("id") == Some(user))?;
    let path: Vec<&str> = found
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(
        path,
        [
            "user", "users", "group", "groups", "domain", "section", "document"
        ],
        "{text}"
    );
    found
        .descendants()
        .find(|n| n.has_tag_name("param") && n.attribute("name") == Some("a1-hash"))
        .and_then(|p| p.attribute("value"))
        .map(str::to_owned)
}

fn variable(text: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants()
        .find(|n| n.has_tag_name("variable") && n.attribute("name") == Some(name))
        .and_then(|n| n.attribute("value"))
        .map(str::to_owned)
}

#[tokio::test]
async fn the_directory_gives_enabled_logins_their_ha1_and_nothing_else() {
    for s in with_switch().await {
        let (device, issued) = issue_password(&s, "105").await;
        let username = issued["username"].as_str().unwrap();
        let password = issued["password"].as_str().unwrap();
        let ha1 = switchboard_api::api::sip::ha1(username, "acme.example", password);

        // Without the secret: refused.
        let r = s
            .client
            .post(s.url(XML))
            .form(&sip_auth(username, "acme.example"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        let text = lookup(&s, &sip_auth(username, "acme.example")).await;
        assert_eq!(a1_hash(&text, username).as_deref(), Some(ha1.as_str()));
        assert!(!text.contains(password), "never the password");
        assert_eq!(
            variable(&text, "user_context").as_deref(),
            Some("acme.example")
        );
        assert_eq!(
            variable(&text, "effective_caller_id_number").as_deref(),
            Some("105")
        );
        // Dialling the login (user/105-1@acme.example) asks the same, as user_call.
        let mut call = sip_auth(username, "acme.example");
        call.retain(|(k, _)| !k.starts_with("sip_"));
        call.iter_mut()
            .filter(|(k, _)| *k == "action")
            .for_each(|f| f.1 = "user_call");
        let text = lookup(&s, &call).await;
        assert_eq!(a1_hash(&text, username).as_deref(), Some(ha1.as_str()));
        let doc = roxmltree::Document::parse(&text).unwrap();
        let dial_string = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("dial-string"))
            .and_then(|n| n.attribute("value"))
            .unwrap();
        assert!(dial_string.contains("sofia_contact("), "{dial_string}");

        // Unknown, in another domain, or in a domain that is not here: not found.
        for (user, domain) in [
            ("nobody-1", "acme.example"),
            (username, "globex.example"),
            (username, "nowhere.example"),
            (username, "not a domain"),
        ] {
            let text = lookup(&s, &sip_auth(user, domain)).await;
            assert!(is_not_found(&text), "{user}@{domain}: {text}");
        }
        // Answering a phone's own challenge needs the password, which is never kept.
        let mut reverse = sip_auth(username, "acme.example");
        reverse
            .iter_mut()
            .filter(|(k, _)| *k == "action")
            .for_each(|f| f.1 = "reverse-auth-lookup");
        assert!(is_not_found(&lookup(&s, &reverse).await));
        // Another section FreeSWITCH asks for: its own files answer.
        let text = lookup(
            &s,
            &[
                ("section", "configuration"),
                ("key_name", "name"),
                ("key_value", "sofia.conf"),
            ],
        )
        .await;
        assert!(is_not_found(&text), "{text}");

        // Disabled: not found, and found again once enabled.
        let sip = format!("/api/v1/domains/~/devices/{device}/sip");
        let (st, _) = s
            .send(OM, Method::PUT, &sip, Some(json!({"enabled": false})))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(is_not_found(
            &lookup(&s, &sip_auth(username, "acme.example")).await
        ));
        let (st, _) = s
            .send(OM, Method::PUT, &sip, Some(json!({"enabled": true})))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            a1_hash(
                &lookup(&s, &sip_auth(username, "acme.example")).await,
                username
            )
            .is_some()
        );

        // A lookup that cannot answer in time answers not found rather than hold FreeSWITCH.
        s.state
            .switch
            .set_lookup_deadline(Some(std::time::Duration::ZERO));
        assert!(is_not_found(
            &lookup(&s, &sip_auth(username, "acme.example")).await
        ));
        s.state.switch.set_lookup_deadline(None);

        // A request without a section names what is missing.
        let r = s
            .client
            .post(s.url(XML))
            .basic_auth("switch", Some(SECRET))
            .form(&[("action", "sip_auth")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "section", "{body}");
        s.stop().await;
    }
}

/// What mod_dialplan_xml's lookup carries for a call from a login to `dialled`.
fn dialplan<'a>(uuid: &'a str, caller: &'a str, dialled: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("hostname", "fs1"),
        ("section", "dialplan"),
        ("tag_name", ""),
        ("key_name", ""),
        ("key_value", ""),
        ("Event-Name", "REQUEST_PARAMS"),
        ("Channel-State", "CS_ROUTING"),
        ("Channel-Name", "sofia/internal/107-1@acme.example"),
        ("Unique-ID", uuid),
        ("Call-Direction", "inbound"),
        ("Caller-Username", caller),
        ("Caller-Caller-ID-Number", caller),
        ("Caller-Destination-Number", dialled),
        ("Caller-Context", "acme.example"),
        ("Hunt-Username", caller),
        ("Hunt-Destination-Number", dialled),
        ("Hunt-Context", "acme.example"),
        ("variable_uuid", uuid),
        ("variable_sip_from_user", caller),
        ("variable_sip_from_host", "acme.example"),
        ("variable_sip_to_user", dialled),
        ("variable_sip_to_host", "acme.example"),
        ("variable_sip_req_user", dialled),
        ("variable_sip_req_host", "acme.example"),
        ("variable_domain_name", "acme.example"),
        ("variable_user_context", "acme.example"),
    ]
}

/// The `(application, data)` of every action, in order, with the extension's context checked.
fn actions(text: &str, dialled: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(text).unwrap();
    let context = doc
        .descendants()
        .find(|n| n.has_tag_name("context"))
        .unwrap_or_else(|| panic!("no context: {text}"));
    assert_eq!(context.attribute("name"), Some("acme.example"));
    let condition = context
        .descendants()
        .find(|n| n.has_tag_name("condition"))
        .unwrap();
    assert_eq!(condition.attribute("field"), Some("destination_number"));
    let expression = condition.attribute("expression").unwrap();
    let literal = expression
        .trim_start_matches('^')
        .trim_end_matches('$')
        .replace('\\', "");
    assert_eq!(literal, dialled, "{expression}");
    condition
        .children()
        .filter(|n| n.has_tag_name("action"))
        .map(|n| {
            (
                n.attribute("application").unwrap().to_owned(),
                n.attribute("data").unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The endpoints of each `bridge`, in order.
fn bridges(actions: &[(String, String)]) -> Vec<Vec<String>> {
    actions
        .iter()
        .filter(|(a, _)| a == "bridge")
        .map(|(_, d)| d.split(',').map(str::to_owned).collect())
        .collect()
}

async fn set_rule(s: &TestServer, ext: &str, action: Option<Value>) {
    let path = format!("/api/v1/domains/~/users/{ext}/answer-rules");
    let (_, rules) = s.get(OM, &path).await;
    for r in rules["items"].as_array().unwrap() {
        let (st, _) = s
            .send(
                OM,
                Method::DELETE,
                &format!("/api/v1/domains/~/answer-rules/{}", r["id"]),
                None,
            )
            .await;
        assert!(st.is_success());
    }
    if let Some(action) = action {
        let (st, body) = s
            .send(
                OM,
                Method::POST,
                &path,
                Some(json!({"position": 1, "action": action})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
}

#[tokio::test]
async fn the_dialplan_rings_what_the_plan_decides() {
    for s in with_switch().await {
        let mut login = std::collections::HashMap::new();
        for ext in ["105", "106", "107", "108"] {
            let (_, issued) = issue_password(&s, ext).await;
            let user = issued["username"].as_str().unwrap().to_owned();
            login.insert(ext, format!("user/{user}@acme.example"));
        }
        // FreeSWITCH tells Switchboard where phones registered (sofia::register, over the event
        // socket); a registered phone is what makes a busy or unanswered call go on.
        registered_phone(&s, "105", "sip:105-1@192.0.2.10:5060").await;
        let caller = login["107"]
            .trim_start_matches("user/")
            .split('@')
            .next()
            .unwrap()
            .to_owned();
        let call = |uuid: &'static str, dialled: &'static str| {
            let caller = caller.clone();
            let s = &s;
            async move {
                let fields = dialplan(uuid, &caller, dialled);
                let text = lookup(s, &fields).await;
                (text.clone(), actions(&text, dialled))
            }
        };

        // Plainly: 105's phone, with its ring time, going on when it fails.
        let (_, plain) = call("c-plain", "105").await;
        assert_eq!(plain[0], ("set".into(), "hangup_after_bridge=true".into()));
        assert_eq!(plain[1], ("set".into(), "continue_on_fail=true".into()));
        assert!(plain[2].1.starts_with("call_timeout="), "{plain:?}");
        assert!(bridges(&plain)[0].contains(&login["105"]), "{plain:?}");

        set_rule(&s, "105", Some(json!({"kind": "do_not_disturb"}))).await;
        let (_, dnd) = call("c-dnd", "105").await;
        assert_eq!(dnd, [("respond".into(), "486 Busy Here".into())]);

        set_rule(
            &s,
            "105",
            Some(json!({"kind": "forward_always", "to": "108"})),
        )
        .await;
        let (_, fwd) = call("c-fwd", "105").await;
        let rung = bridges(&fwd);
        assert!(rung.iter().flatten().any(|e| *e == login["108"]), "{fwd:?}");
        assert!(
            !rung.iter().flatten().any(|e| *e == login["105"]),
            "{fwd:?}"
        );

        // Busy and unanswered lead apart: the first stage, then a second lookup by outcome.
        set_rule(
            &s,
            "105",
            Some(json!({"kind": "forward_conditional", "busy": "106", "no_answer": "108", "ring_timeout_seconds": 5})),
        )
        .await;
        let (_, first) = call("c-busy", "105").await;
        assert_eq!(bridges(&first), [vec![login["105"].clone()]], "{first:?}");
        assert!(
            first.contains(&("set".into(), "call_timeout=5".into())),
            "{first:?}"
        );
        let transfer = &first.last().unwrap();
        assert_eq!(transfer.0, "transfer", "{first:?}");
        assert_eq!(
            transfer.1,
            "${cond(${originate_disposition} == USER_BUSY ? switchboard-busy : switchboard-next)} XML acme.example"
        );
        let (_, busy) = call("c-busy", "switchboard-busy").await;
        assert_eq!(bridges(&busy), [vec![login["106"].clone()]], "{busy:?}");
        let (_, first) = call("c-noanswer", "105").await;
        assert_eq!(bridges(&first).len(), 1);
        let (_, next) = call("c-noanswer", "switchboard-next").await;
        assert_eq!(bridges(&next), [vec![login["108"].clone()]], "{next:?}");
        // A second lookup for a call never planned: refused, not guessed.
        let (_, lost) = call("c-unknown", "switchboard-next").await;
        assert_eq!(lost[0].0, "respond", "{lost:?}");

        // A time frame: office hours forward to 108, outside them 105 rings.
        set_rule(&s, "105", None).await;
        let (st, frame) = s
            .send(
                OM,
                Method::POST,
                "/api/v1/domains/~/users/105/time-frames",
                Some(json!({"name": "Office", "schedule": {"kind": "days_of_week",
                    "spans": [{"days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "start": "09:00", "end": "17:00"}]}})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{frame}");
        let (st, _) = s
            .send(
                OM,
                Method::POST,
                "/api/v1/domains/~/users/105/answer-rules",
                Some(json!({"time_frame_id": frame["id"], "position": 1, "action": {"kind": "forward_always", "to": "108"}})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        // Wednesday 25 November 2026, 10:00 in New York; then Sunday 29 November, 10:00.
        s.state
            .switch
            .set_clock(Some(switchboard_domain::Timestamp(1_795_618_800)));
        let (_, inside) = call("c-frame-in", "105").await;
        s.state
            .switch
            .set_clock(Some(switchboard_domain::Timestamp(1_795_964_400)));
        let (_, outside) = call("c-frame-out", "105").await;
        s.state.switch.set_clock(None);
        assert_eq!(bridges(&inside)[0], [login["108"].clone()], "{inside:?}");
        assert!(bridges(&outside)[0].contains(&login["105"]), "{outside:?}");
        set_rule(&s, "105", None).await;

        // A queue goes to mod_callcenter, then to its overflow.
        let (st, body) = s
            .send(
                OM,
                Method::POST,
                "/api/v1/domains/~/call-queues",
                Some(
                    json!({"extension": "650", "name": "Sales line", "ring_strategy": "ring_all",
                    "max_wait_seconds": 10, "overflow": {"kind": "user", "target": "108"}}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        // Nobody available: straight to the overflow, mod_callcenter is not even asked.
        let (_, empty) = call("c-queue-empty", "650").await;
        assert!(!empty.iter().any(|a| a.0 == "callcenter"), "{empty:?}");
        assert_eq!(bridges(&empty), [vec![login["108"].clone()]], "{empty:?}");
        for (method, path, body) in [
            (
                Method::POST,
                "/api/v1/domains/~/call-queues/650/agents",
                json!({"user": "105"}),
            ),
            (
                Method::PUT,
                "/api/v1/domains/~/call-queues/650/agents/105/login",
                json!({"logged_in": true}),
            ),
            (
                Method::PUT,
                "/api/v1/domains/~/users/105/availability",
                json!({"status": "available"}),
            ),
        ] {
            let (st, body) = s.send(OM, method, path, Some(body)).await;
            assert!(st.is_success(), "{path}: {body}");
        }
        let (_, queued) = call("c-queue", "650").await;
        let at = queued
            .iter()
            .position(|a| a == &("callcenter".into(), "650@acme.example".into()))
            .unwrap_or_else(|| panic!("{queued:?}"));
        assert!(
            bridges(&queued[at..])
                .iter()
                .flatten()
                .any(|e| *e == login["108"]),
            "{queued:?}"
        );
        // The agent on a break: nobody to ring, straight to the overflow.
        let (st, body) = s
            .send(
                OM,
                Method::PUT,
                "/api/v1/domains/~/users/105/availability",
                Some(json!({"status": "on_break"})),
            )
            .await;
        assert!(st.is_success(), "{body}");
        let (_, on_break) = call("c-queue-break", "650").await;
        assert!(
            !on_break.iter().any(|a| a.0 == "callcenter"),
            "{on_break:?}"
        );
        assert_eq!(
            bridges(&on_break),
            [vec![login["108"].clone()]],
            "{on_break:?}"
        );

        // An inbound number from a carrier (the public context, a caller of no domain here)
        // reaches what the inventory routes it to.
        inbound_number_to_108(&s).await;
        let mut inbound = dialplan("c-did", "12125550000", "+12125550199");
        inbound.retain(|(k, _)| !matches!(*k, "variable_domain_name" | "variable_user_context"));
        for f in inbound.iter_mut() {
            match f.0 {
                "Caller-Context" | "Hunt-Context" => f.1 = "public",
                "variable_sip_from_host" => f.1 = "carrier.example",
                _ => {}
            }
        }
        let text = lookup(&s, &inbound).await;
        let doc = roxmltree::Document::parse(&text).unwrap();
        let context = doc
            .descendants()
            .find(|n| n.has_tag_name("context"))
            .unwrap();
        assert_eq!(context.attribute("name"), Some("public"), "{text}");
        let rung: Vec<String> = doc
            .descendants()
            .filter(|n| n.attribute("application") == Some("bridge"))
            .map(|n| n.attribute("data").unwrap().to_owned())
            .collect();
        assert_eq!(rung, [login["108"].clone()], "{text}");
        // From the carrier, an extension is not reachable.
        let mut to_extension = inbound.clone();
        for f in to_extension.iter_mut() {
            if matches!(f.0, "Caller-Destination-Number" | "Hunt-Destination-Number") {
                f.1 = "105";
            }
        }
        let refused = lookup(&s, &to_extension).await;
        assert!(refused.contains("403 Forbidden"), "{refused}");

        // Nothing there: 404; a domain that is not here: FreeSWITCH's own dialplan.
        let (_, none) = call("c-none", "999").await;
        assert_eq!(none, [("respond".into(), "404 Not Found".into())]);
        let mut elsewhere = dialplan("c-else", &caller, "105");
        for f in elsewhere.iter_mut() {
            if f.1 == "acme.example" {
                f.1 = "nowhere.example";
            }
        }
        assert!(is_not_found(&lookup(&s, &elsewhere).await));
        // No Unique-ID: named.
        let mut broken = dialplan("x", &caller, "105");
        broken.retain(|(k, _)| !matches!(*k, "Unique-ID" | "variable_uuid"));
        let r = s
            .client
            .post(s.url(XML))
            .basic_auth("switch", Some(SECRET))
            .form(&broken)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error());
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "Unique-ID", "{body}");
        s.stop().await;
    }
}

/// callcenter.conf's queue, agents and tiers for acme's queue 650.
struct Callcenter {
    queue: std::collections::HashMap<String, String>,
    agents: Vec<(String, String, String)>,
    tiers: Vec<(String, String)>,
}

async fn callcenter(s: &TestServer) -> Callcenter {
    let text = lookup(
        s,
        &[
            ("hostname", "fs1"),
            ("section", "configuration"),
            ("tag_name", "configuration"),
            ("key_name", "name"),
            ("key_value", "callcenter.conf"),
            ("Event-Name", "REQUEST_PARAMS"),
        ],
    )
    .await;
    let doc = roxmltree::Document::parse(&text).unwrap();
    let conf = doc
        .descendants()
        .find(|n| n.has_tag_name("configuration") && n.attribute("name") == Some("callcenter.conf"))
        .unwrap_or_else(|| panic!("{text}"));
    let queue = conf
        .descendants()
        .find(|n| n.has_tag_name("queue") && n.attribute("name") == Some("650@acme.example"))
        .unwrap_or_else(|| panic!("{text}"));
    let queue = queue
        .children()
        .filter(|n| n.has_tag_name("param"))
        .map(|p| {
            (
                p.attribute("name").unwrap().to_owned(),
                p.attribute("value").unwrap().to_owned(),
            )
        })
        .collect();
    let agents = conf
        .descendants()
        .filter(|n| n.has_tag_name("agent"))
        .filter(|n| n.attribute("name").unwrap().ends_with("@acme.example"))
        .map(|n| {
            let a = |k| n.attribute(k).unwrap().to_owned();
            (a("name"), a("status"), a("contact"))
        })
        .collect();
    let tiers = conf
        .descendants()
        .filter(|n| n.has_tag_name("tier") && n.attribute("queue") == Some("650@acme.example"))
        .map(|n| {
            (
                n.attribute("agent").unwrap().to_owned(),
                n.attribute("level").unwrap().to_owned(),
            )
        })
        .collect();
    Callcenter {
        queue,
        agents,
        tiers,
    }
}

#[tokio::test]
async fn callcenter_conf_holds_the_queues_agents_and_tiers() {
    for s in with_switch().await {
        let (_, issued) = issue_password(&s, "105").await;
        let login_105 = format!("user/{}@acme.example", issued["username"].as_str().unwrap());
        let (st, body) = s
            .send(
                OM,
                Method::POST,
                "/api/v1/domains/~/call-queues",
                Some(json!({"extension": "650", "name": "Sales line", "ring_strategy": "longest_idle",
                    "max_wait_seconds": 90, "overflow": {"kind": "hang_up"}})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        for ext in ["105", "106"] {
            for (method, path, body) in [
                (
                    Method::POST,
                    "/api/v1/domains/~/call-queues/650/agents".to_owned(),
                    json!({"user": ext}),
                ),
                (
                    Method::PUT,
                    format!("/api/v1/domains/~/call-queues/650/agents/{ext}/login"),
                    json!({"logged_in": true}),
                ),
                (
                    Method::PUT,
                    format!("/api/v1/domains/~/users/{ext}/availability"),
                    json!({"status": "available"}),
                ),
            ] {
                let (st, body) = s.send(OM, method, &path, Some(body)).await;
                assert!(st.is_success(), "{path}: {body}");
            }
        }
        let (st, _) = s
            .send(
                OM,
                Method::PUT,
                "/api/v1/domains/~/users/106/availability",
                Some(json!({"status": "on_break", "reason": "lunch"})),
            )
            .await;
        assert!(st.is_success());
        let conf = callcenter(&s).await;
        assert_eq!(conf.queue["strategy"], "longest-idle-agent");
        assert_eq!(conf.queue["max-wait-time"], "90");
        assert!(conf.queue["moh-sound"].starts_with("local_stream://"));
        let agent = |name: &str| {
            conf.agents
                .iter()
                .find(|a| a.0 == name)
                .unwrap_or_else(|| panic!("{name}: {:?}", conf.agents))
                .clone()
        };
        assert_eq!(agent("105@acme.example").1, "Available");
        assert_eq!(agent("105@acme.example").2, login_105);
        assert_eq!(agent("106@acme.example").1, "On Break");
        assert_eq!(agent("106@acme.example").2, "error/user_not_registered");
        let mut tiers = conf.tiers.clone();
        tiers.sort();
        assert_eq!(
            tiers.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
            ["105@acme.example", "106@acme.example"]
        );
        // Logged out of the queue: no tier, so mod_callcenter offers it no calls.
        let (st, _) = s
            .send(
                OM,
                Method::PUT,
                "/api/v1/domains/~/call-queues/650/agents/106/login",
                Some(json!({"logged_in": false})),
            )
            .await;
        assert!(st.is_success());
        let conf = callcenter(&s).await;
        assert_eq!(
            conf.tiers.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
            ["105@acme.example"]
        );
        s.stop().await;
    }
}

/// A finished call as mod_json_cdr writes it (values URL-encoded, as `encode-values` does).
fn json_record(uuid: &str, caller: &str, answerer: &str) -> Value {
    json!({
        "core-uuid": "0b7a4c2e-8d1f-4a55-9f0e-3c2d1b0a9f88",
        "switchname": "fs1",
        "channel_data": {"state": "CS_REPORTING", "direction": "inbound"},
        "variables": {
            "uuid": uuid,
            "direction": "inbound",
            "domain_name": "acme.example",
            "sip_from_user": caller,
            "sip_from_host": "acme.example",
            "sip_to_user": "105",
            "sip_to_host": "acme.example",
            "caller_id_name": "Front%20Desk",
            "destination_number": "105",
            "start_epoch": "1796000000",
            "answer_epoch": "1796000004",
            "bridge_epoch": "1796000004",
            "end_epoch": "1796000064",
            "bridge_channel": format!("sofia%2Finternal%2F{answerer}%40192.0.2.10%3A5060"),
            "hangup_cause": "NORMAL_CLEARING",
            "sip_term_status": "200"
        },
        "callflow": [{"profile_index": "1", "caller_profile": {"destination_number": "105"}}]
    })
}

fn xml_record(uuid: &str, caller: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<cdr core-uuid="0b7a4c2e-8d1f-4a55-9f0e-3c2d1b0a9f88" switchname="fs1">
  <channel_data><state>CS_REPORTING</state><direction>inbound</direction></channel_data>
  <variables>
    <uuid>{uuid}</uuid>
    <domain_name>acme.example</domain_name>
    <sip_from_user>{caller}</sip_from_user>
    <sip_from_host>acme.example</sip_from_host>
    <sip_to_user>105</sip_to_user>
    <start_epoch>1796000100</start_epoch>
    <answer_epoch>0</answer_epoch>
    <end_epoch>1796000120</end_epoch>
    <hangup_cause>USER_BUSY</hangup_cause>
    <sip_term_status>486</sip_term_status>
  </variables>
</cdr>"#
    )
}

async fn post_cdr(
    s: &TestServer,
    query: &str,
    content_type: &str,
    body: String,
) -> (StatusCode, Value) {
    let r = s
        .client
        .post(s.url(&format!("{CDR}{query}")))
        .basic_auth("switch", Some(SECRET))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn call_with_id(s: &TestServer, call_id: &str) -> Option<Value> {
    let calls = s.list_all(OM, "/api/v1/domains/~/calls").await.unwrap();
    calls.into_iter().find(|c| c["call_id"] == call_id)
}

#[tokio::test]
async fn call_records_arrive_in_every_encoding_once_each() {
    for s in with_switch().await {
        let (_, issued) = issue_password(&s, "107").await;
        let caller = issued["username"].as_str().unwrap().to_owned();
        let (_, issued) = issue_password(&s, "105").await;
        let answerer = issued["username"].as_str().unwrap().to_owned();
        let count =
            || async { s.get(OM, "/api/v1/domains/~/calls/count").await.1["count"].clone() };
        let before = count().await;

        // Refused, storing nothing, so FreeSWITCH posts again: not a record, no domain, no uuid.
        let mut elsewhere = json_record("fs-else", &caller, &answerer);
        elsewhere["variables"]["domain_name"] = json!("nowhere.example");
        elsewhere["variables"]["sip_to_host"] = json!("nowhere.example");
        elsewhere["variables"]["sip_from_host"] = json!("nowhere.example");
        let mut backwards = json_record("fs-back", &caller, &answerer);
        backwards["variables"]["end_epoch"] = json!("1795000000");
        let mut no_uuid = json_record("x", &caller, &answerer);
        no_uuid["variables"].as_object_mut().unwrap().remove("uuid");
        for (ct, body) in [
            ("application/json", "{\"variables\": ".to_owned()),
            (
                "application/x-www-form-urlencoded",
                "nothing=here".to_owned(),
            ),
            (
                "application/x-www-form-base64-encoded",
                "cdr=!!!".to_owned(),
            ),
            ("application/json", elsewhere.to_string()),
            ("application/json", backwards.to_string()),
            ("application/json", no_uuid.to_string()),
        ] {
            let (st, body) = post_cdr(&s, "", ct, body).await;
            assert!(st.is_client_error(), "{ct}: {st} {body}");
            assert_eq!(body["error"]["field"], "cdr", "{body}");
        }
        assert_eq!(count().await, before, "nothing stored");

        // Raw JSON (encode=false).
        let (st, body) = post_cdr(
            &s,
            "?uuid=fs-json",
            "application/json",
            json_record("fs-json", &caller, &answerer).to_string(),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["inserted"], 1);
        let call = call_with_id(&s, "fs-json").await.unwrap();
        assert_eq!(call["disposition"], "answered", "{call}");
        assert_eq!(call["talk_seconds"], 60, "{call}");
        assert_eq!(call["from"], "107", "{call}");
        let (_, u105) = s.get(OM, "/api/v1/domains/~/users/105").await;
        assert!(
            call["user_ids"].as_array().unwrap().contains(&u105["id"]),
            "{call}"
        );
        // Posted again (FreeSWITCH retrying after a lost answer): stored once.
        let (_, body) = post_cdr(
            &s,
            "?uuid=fs-json",
            "application/json",
            json_record("fs-json", &caller, &answerer).to_string(),
        )
        .await;
        assert_eq!(
            (body["inserted"].clone(), body["duplicates"].clone()),
            (json!(0), json!(1))
        );

        // Every other encoding: cdr= URL-encoded (encode=true), JSON and XML; base64
        // (encode=base64); plain XML (mod_xml_cdr, encode=false); and a record without its
        // uuid variable, which takes the URL's without the a_ prefix.
        let url =
            |text: String| -> String { form_urlencoded::byte_serialize(text.as_bytes()).collect() };
        let b64 = |text: String| base64::engine::general_purpose::STANDARD.encode(text);
        let mut bare = json_record("ignored", &caller, &answerer);
        bare["variables"].as_object_mut().unwrap().remove("uuid");
        let form = "application/x-www-form-urlencoded";
        for (query, content_type, body) in [
            (
                "",
                form,
                format!(
                    "cdr={}",
                    url(json_record("fs-form", &caller, &answerer).to_string())
                ),
            ),
            (
                "?uuid=a_fs-xml-form",
                form,
                format!("cdr={}", url(xml_record("fs-xml-form", &caller))),
            ),
            (
                "",
                "application/x-www-form-base64-encoded",
                format!("cdr={}", b64(xml_record("fs-b64", &caller))),
            ),
            (
                "",
                "application/x-www-form-plaintext",
                format!("cdr={}", xml_record("fs-plain", &caller)),
            ),
            ("?uuid=a_fs-prefixed", "application/json", bare.to_string()),
        ] {
            let (st, body) = post_cdr(&s, query, content_type, body).await;
            assert_eq!(
                (st, body["inserted"].clone()),
                (StatusCode::OK, json!(1)),
                "{content_type}: {body}"
            );
        }
        let busy = call_with_id(&s, "fs-xml-form").await.unwrap();
        assert_eq!(busy["disposition"], "busy", "{busy}");
        assert!(call_with_id(&s, "fs-prefixed").await.is_some());
        assert_eq!(
            count().await.as_i64().unwrap(),
            before.as_i64().unwrap() + 6
        );
        s.stop().await;
    }
}
