//! Asterisk's side of the connection, as `switchboard asterisk config` prints it: the files (or
//! the sections to add to them) that point the dialplan, `res_config_curl`, PJSIP's sorcery,
//! the manager interface and `cdr_manager` at this installation. Table and option names are those
//! Asterisk's readers take.

use super::dialplan::{CONTEXT, EXTERNAL_ENDPOINT, extensions_conf};
use super::realtime::TABLES;
use crate::switch::ConfigFile;

pub struct ConfigParams<'a> {
    /// Switchboard's address as Asterisk reaches it (`http://127.0.0.1:8080`).
    pub switchboard: &'a str,
    /// The switch secret (letters and digits: it travels inside the realtime URLs).
    pub secret: &'a str,
    /// Where the manager interface listens (`127.0.0.1:5038`); Switchboard connects there.
    pub manager: &'a str,
    pub manager_username: &'a str,
    pub manager_secret: &'a str,
}

/// The modules these files need, loaded before PJSIP and app_queue read their objects.
pub const MODULES: [&str; 4] = [
    "res_curl.so",
    "func_curl.so",
    "res_config_curl.so",
    "cdr_manager.so",
];

/// A URL of Switchboard's Asterisk endpoints with its secret as HTTP basic credentials inside
/// it, as libcurl sends a URL's user and password (res_config_curl and func_curl alike).
fn switch_url(switchboard: &str, secret: &str, path: &str) -> String {
    let base = switchboard.trim_end_matches('/');
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    format!("{scheme}://switch:{secret}@{rest}/switch/asterisk/{path}")
}

/// The realtime URL of a table; `res_config_curl` adds `/single`, `/multi`…
pub fn table_url(switchboard: &str, secret: &str, table: &str) -> String {
    switch_url(switchboard, secret, &format!("realtime/{table}"))
}

/// What the `[switchboard]` context asks where a call goes.
pub fn route_url(switchboard: &str, secret: &str) -> String {
    switch_url(switchboard, secret, "route")
}

pub fn files(p: &ConfigParams<'_>) -> Vec<ConfigFile> {
    let mut extconfig = String::from(
        "; Switchboard keeps these tables: Asterisk asks it for their rows (res_config_curl).\n\
         ; queue_members has no rows: Switchboard adds members over the manager interface.\n\
         [settings]\n",
    );
    for (table, _) in TABLES {
        extconfig.push_str(&format!(
            "{table} => curl,{}\n",
            table_url(p.switchboard, p.secret, table)
        ));
    }
    let sorcery =
        "; PJSIP's endpoints, auths and aors from realtime (extconfig.conf); contacts stay\n\
         ; in Asterisk's own store.\n\
         [res_pjsip]\n\
         endpoint=realtime,ps_endpoints\n\
         auth=realtime,ps_auths\n\
         aor=realtime,ps_aors\n"
            .to_owned();
    let (host, port, loopback) = crate::switch::listen_address(p.manager, "5038");
    let mut manager = format!(
        "[general]\nenabled = yes\nport = {port}\nbindaddr = {host}\n\n\
         ; Switchboard's manager user: it reads queue members' events (agent), call records\n\
         ; (cdr) and phones' contacts (system), and adds, removes and pauses queue members\n\
         ; (agent).\n\
         [{}]\nsecret = {}\nread = agent,cdr,system\nwrite = agent\n",
        p.manager_username, p.manager_secret
    );
    if loopback {
        manager.push_str("deny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.255\n");
    } else {
        manager.push_str("; permit = <Switchboard's address>/255.255.255.255\n");
    }
    let cdr_manager =
        "; Every finished call as a Cdr event to the manager interface: Switchboard\n\
         ; stores it in call history.\n\
         [general]\n\
         enabled = yes\n"
            .to_owned();
    let pjsip = format!(
        "; Calls to the gateway and the media server leave through this endpoint (Switchboard\n\
         ; dials PJSIP/{EXTERNAL_ENDPOINT}/<their URI>). A trunk's inbound numbers reach\n\
         ; Switchboard as number@domain in the [{CONTEXT}] context: set context = {CONTEXT} on it.\n\
         ; The global option tells Switchboard of every re-registration (ContactStatus), so\n\
         ; the phones it shows registered are those that are; merge it into your [global].\n\
         [global]\n\
         type = global\n\
         send_contact_status_on_update_registration = yes\n\n\
         [{EXTERNAL_ENDPOINT}]\n\
         type = endpoint\n\
         context = {CONTEXT}\n\
         disallow = all\n\
         allow = ulaw,alaw,g722\n\
         direct_media = no\n"
    );
    vec![
        ConfigFile {
            path: "extensions.conf",
            text: extensions_conf(&route_url(p.switchboard, p.secret)),
        },
        ConfigFile {
            path: "pjsip.conf",
            text: pjsip,
        },
        ConfigFile {
            path: "extconfig.conf",
            text: extconfig,
        },
        ConfigFile {
            path: "sorcery.conf",
            text: sorcery,
        },
        ConfigFile {
            path: "manager.conf",
            text: manager,
        },
        ConfigFile {
            path: "cdr_manager.conf",
            text: cdr_manager,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample(manager: &str) -> Vec<ConfigFile> {
        files(&ConfigParams {
            switchboard: "http://127.0.0.1:8080/",
            secret: "s3cret",
            manager,
            manager_username: "switchboard",
            manager_secret: "amp111",
        })
    }

    fn text_of<'a>(files: &'a [ConfigFile], path: &str) -> &'a str {
        &files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .text
    }

    /// An Asterisk .conf as its config reader takes it: `[section]`, `key = value` or
    /// `key => value`, `;` comments.
    fn sections(text: &str) -> BTreeMap<String, Vec<(String, String)>> {
        let mut all: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let mut current = String::new();
        for line in text.lines() {
            let line = line.split(';').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = name.to_owned();
                all.entry(current.clone()).or_default();
                continue;
            }
            let (key, value) = line
                .split_once("=>")
                .or_else(|| line.split_once('='))
                .unwrap_or_else(|| panic!("not a key and value: {line}"));
            assert!(!current.is_empty(), "{line} outside a section");
            all.get_mut(&current)
                .unwrap()
                .push((key.trim().to_owned(), value.trim().to_owned()));
        }
        all
    }

    #[test]
    fn every_table_points_at_its_realtime_url_with_the_secret() {
        let files = sample("127.0.0.1:5038");
        let ext = sections(text_of(&files, "extconfig.conf"));
        let settings = &ext["settings"];
        assert_eq!(settings.len(), TABLES.len());
        for (table, _) in TABLES {
            let value = &settings.iter().find(|(k, _)| k == table).unwrap().1;
            assert_eq!(
                value,
                &format!(
                    "curl,http://switch:s3cret@127.0.0.1:8080/switch/asterisk/realtime/{table}"
                )
            );
        }
        let sorcery = sections(text_of(&files, "sorcery.conf"));
        for (object, table) in [
            ("endpoint", "ps_endpoints"),
            ("auth", "ps_auths"),
            ("aor", "ps_aors"),
        ] {
            assert!(sorcery["res_pjsip"].contains(&(object.into(), format!("realtime,{table}"))));
            assert!(settings.iter().any(|(k, _)| k == table));
        }
    }

    #[test]
    fn the_manager_user_reads_and_writes_what_switchboard_uses() {
        let files = sample("127.0.0.1:5038");
        let manager = sections(text_of(&files, "manager.conf"));
        assert!(manager["general"].contains(&("enabled".into(), "yes".into())));
        assert!(manager["general"].contains(&("bindaddr".into(), "127.0.0.1".into())));
        let user = &manager["switchboard"];
        assert!(user.contains(&("secret".into(), "amp111".into())));
        let read = &user.iter().find(|(k, _)| k == "read").unwrap().1;
        for class in crate::switch::asterisk::ami::EVENTS.split(',') {
            assert!(read.split(',').any(|c| c == class), "{class} in {read}");
        }
        assert!(user.contains(&("permit".into(), "127.0.0.1/255.255.255.255".into())));
        let elsewhere = sections(text_of(&sample("10.0.0.3:5038"), "manager.conf"));
        assert!(!elsewhere["switchboard"].iter().any(|(k, _)| k == "permit"));
        let cdr = sections(text_of(&files, "cdr_manager.conf"));
        assert_eq!(cdr["general"], vec![("enabled".into(), "yes".into())]);
    }

    #[test]
    fn calls_land_in_the_context_that_asks_switchboard() {
        let files = sample("127.0.0.1:5038");
        let dialplan = sections(text_of(&files, "extensions.conf"));
        let context = &dialplan[CONTEXT];
        assert_eq!(context[0].0, "exten");
        assert!(
            context[0].1.starts_with("_[+0-9*#].,1,"),
            "{:?}",
            context[0]
        );
        assert!(context[1..].iter().all(|(k, _)| k == "same"));
        let ask = &context
            .iter()
            .find(|(_, v)| v.starts_with("n(ask)"))
            .unwrap()
            .1;
        assert!(
            ask.contains("CURL(http://switch:s3cret@127.0.0.1:8080/switch/asterisk/route?"),
            "{ask}"
        );
        let pjsip = sections(text_of(&files, "pjsip.conf"));
        let external = &pjsip[EXTERNAL_ENDPOINT];
        assert!(external.contains(&("type".into(), "endpoint".into())));
        assert!(external.contains(&("context".into(), CONTEXT.into())));
    }
}
