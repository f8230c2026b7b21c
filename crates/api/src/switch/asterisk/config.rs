//! Asterisk's side of the connection, as `switchboard asterisk config` prints it: the files (or
//! the sections to add to them) that point `res_config_curl`, PJSIP's sorcery, the manager
//! interface and `cdr_manager` at this installation. Table and option names are those
//! Asterisk's readers take.

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

/// The realtime URL of a table: Switchboard's secret as HTTP basic credentials inside it (as
/// libcurl sends a URL's user and password), then `res_config_curl` adds `/single`, `/multi`…
pub fn table_url(switchboard: &str, secret: &str, table: &str) -> String {
    let base = switchboard.trim_end_matches('/');
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    format!("{scheme}://switch:{secret}@{rest}/switch/asterisk/realtime/{table}")
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
         ; Switchboard's manager user: it reads queue members' events (agent) and call records\n\
         ; (cdr), and adds, removes and pauses queue members (agent).\n\
         [{}]\nsecret = {}\nread = agent,cdr\nwrite = agent\n",
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
    vec![
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
        let ext = sections(&files[0].text);
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
        let sorcery = sections(&files[1].text);
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
        let manager = sections(&files[2].text);
        assert!(manager["general"].contains(&("enabled".into(), "yes".into())));
        assert!(manager["general"].contains(&("bindaddr".into(), "127.0.0.1".into())));
        let user = &manager["switchboard"];
        assert!(user.contains(&("secret".into(), "amp111".into())));
        let read = &user.iter().find(|(k, _)| k == "read").unwrap().1;
        for class in crate::switch::asterisk::ami::EVENTS.split(',') {
            assert!(read.split(',').any(|c| c == class), "{class} in {read}");
        }
        assert!(user.contains(&("permit".into(), "127.0.0.1/255.255.255.255".into())));
        let elsewhere = sections(&sample("10.0.0.3:5038")[2].text);
        assert!(!elsewhere["switchboard"].iter().any(|(k, _)| k == "permit"));
        let cdr = sections(&files[3].text);
        assert_eq!(cdr["general"], vec![("enabled".into(), "yes".into())]);
    }
}
