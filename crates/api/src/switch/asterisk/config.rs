//! Asterisk's side of the connection, as `switchboard asterisk config` prints it: the files (or
//! the sections to add to them) that point the dialplan, `res_config_curl`, PJSIP's sorcery,
//! the manager interface and `cdr_manager` at this installation. Table and option names are those
//! Asterisk's readers take.
//!
//! Realtime rows come one of two ways: `res_config_curl` asks Switchboard over HTTP (any
//! database; the SQLite default's only way), or, when Switchboard's database is PostgreSQL,
//! `res_config_pgsql` reads the `asterisk` schema's views of it (migration 0018) and keeps the
//! phones' contacts in `asterisk.ps_contacts`, with no HTTP hop at each registration.

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
    pub realtime: Realtime,
}

/// Where Asterisk reads its realtime rows.
pub enum Realtime {
    /// From Switchboard, over HTTP (`res_config_curl`).
    Curl,
    /// From Switchboard's PostgreSQL database (`res_config_pgsql`), as this login.
    Postgres(PgLogin),
}

/// How Asterisk logs in to Switchboard's PostgreSQL database (`res_pgsql.conf`).
#[derive(Debug, PartialEq, Eq)]
pub struct PgLogin {
    pub host: String,
    pub port: u16,
    pub dbname: String,
    pub user: String,
    pub password: String,
}

impl PgLogin {
    /// From a `postgres://user:password@host:port/dbname?…` URL, with libpq's defaults (port
    /// 5432, the user's name as the database); a host left out or given as a socket folder is
    /// `localhost`, which res_config_pgsql reaches through its socket.
    pub fn from_url(url: &str) -> Result<PgLogin, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| format!("{url}: not a postgres:// URL"))?;
        let (rest, _query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("{url}: the port is not a number"))?,
            ),
            _ => (hostport, 5432),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let user = percent_decode(user);
        Ok(PgLogin {
            host: if host.is_empty() {
                "localhost".into()
            } else {
                percent_decode(host)
            },
            port,
            dbname: if path.is_empty() {
                user.clone()
            } else {
                percent_decode(path)
            },
            user,
            password: percent_decode(password),
        })
    }
}

/// `%XX` decoded (a URL's user, password and database name may carry them).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The schema of the realtime views and of Asterisk's contacts table.
pub const SCHEMA: &str = "asterisk";

impl Realtime {
    /// The modules these files need, loaded before PJSIP and app_queue read their objects.
    pub fn modules(&self) -> [&'static str; 4] {
        let driver = match self {
            Realtime::Curl => "res_config_curl.so",
            Realtime::Postgres(_) => "res_config_pgsql.so",
        };
        ["res_curl.so", "func_curl.so", driver, "cdr_manager.so"]
    }
}

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
    let mut extconfig = String::new();
    let mut sorcery = String::from(
        "; PJSIP's endpoints, auths and aors from realtime (extconfig.conf).\n\
         [res_pjsip]\n\
         endpoint=realtime,ps_endpoints\n\
         auth=realtime,ps_auths\n\
         aor=realtime,ps_aors\n",
    );
    let mut res_pgsql = None;
    match &p.realtime {
        Realtime::Curl => {
            extconfig.push_str(
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
            sorcery.push_str("; Contacts stay in Asterisk's own store (astdb).\n");
        }
        Realtime::Postgres(login) => {
            extconfig.push_str(
                "; Switchboard keeps these tables as views of its own PostgreSQL database\n\
                 ; (res_config_pgsql, res_pgsql.conf); Asterisk keeps its phones' contacts there.\n\
                 ; queue_members has no rows: Switchboard adds members over the manager interface.\n\
                 [settings]\n",
            );
            for (table, _) in TABLES {
                extconfig.push_str(&format!("{table} => pgsql,general,{SCHEMA}.{table}\n"));
            }
            extconfig.push_str(&format!(
                "ps_contacts => pgsql,general,{SCHEMA}.ps_contacts\n"
            ));
            sorcery.push_str("contact=realtime,ps_contacts\n");
            res_pgsql = Some(pgsql_conf(login));
        }
    }
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
    let mut files = vec![
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
    ];
    if let Some(text) = res_pgsql {
        files.push(ConfigFile {
            path: "res_pgsql.conf",
            text,
        });
    }
    files
}

/// res_pgsql.conf: Switchboard's database, and a login that may read the views and write only
/// the contacts.
fn pgsql_conf(login: &PgLogin) -> String {
    format!(
        "; Switchboard's database. Better than Switchboard's own login: one for Asterisk alone,\n\
         ; which may read the realtime views and keep its contacts, and nothing else:\n\
         ;   CREATE ROLE asterisk LOGIN PASSWORD '…';\n\
         ;   GRANT USAGE ON SCHEMA {SCHEMA} TO asterisk;\n\
         ;   GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO asterisk;\n\
         ;   GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.ps_contacts TO asterisk;\n\
         [general]\n\
         hostname={}\n\
         port={}\n\
         dbname={}\n\
         user={}\n\
         password={}\n\
         appname=asterisk\n\
         requirements=warn\n",
        login.host, login.port, login.dbname, login.user, login.password
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample(manager: &str) -> Vec<ConfigFile> {
        sample_with(manager, Realtime::Curl)
    }

    fn sample_with(manager: &str, realtime: Realtime) -> Vec<ConfigFile> {
        files(&ConfigParams {
            switchboard: "http://127.0.0.1:8080/",
            secret: "s3cret",
            manager,
            manager_username: "switchboard",
            manager_secret: "amp111",
            realtime,
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

    #[test]
    fn on_postgresql_asterisk_reads_the_views_and_keeps_its_contacts() {
        let realtime = Realtime::Postgres(
            PgLogin::from_url("postgres://asterisk:pw@db.example:5433/switchboard").unwrap(),
        );
        assert!(realtime.modules().contains(&"res_config_pgsql.so"));
        assert!(!realtime.modules().contains(&"res_config_curl.so"));
        let files = sample_with("127.0.0.1:5038", realtime);
        let ext = sections(text_of(&files, "extconfig.conf"));
        for (table, _) in TABLES {
            assert!(
                ext["settings"]
                    .contains(&(table.into(), format!("pgsql,general,asterisk.{table}"))),
                "{table}"
            );
        }
        assert!(ext["settings"].contains(&(
            "ps_contacts".into(),
            "pgsql,general,asterisk.ps_contacts".into()
        )));
        let sorcery = sections(text_of(&files, "sorcery.conf"));
        assert!(sorcery["res_pjsip"].contains(&("contact".into(), "realtime,ps_contacts".into())));
        let pgsql = sections(text_of(&files, "res_pgsql.conf"));
        for (key, value) in [
            ("hostname", "db.example"),
            ("port", "5433"),
            ("dbname", "switchboard"),
            ("user", "asterisk"),
            ("password", "pw"),
        ] {
            assert!(
                pgsql["general"].contains(&(key.into(), value.into())),
                "{key}"
            );
        }
        // Over HTTP there is no res_pgsql.conf, and contacts stay Asterisk's.
        let curl = sample("127.0.0.1:5038");
        assert!(curl.iter().all(|f| f.path != "res_pgsql.conf"));
        assert!(!text_of(&curl, "sorcery.conf").contains("contact="));
    }

    #[test]
    fn a_database_url_gives_asterisk_its_login() {
        let login = |url| PgLogin::from_url(url).unwrap();
        let full = login("postgresql://sb%40x:p%3Aw@10.0.0.9:6432/switch%20board?sslmode=disable");
        assert_eq!(
            full,
            PgLogin {
                host: "10.0.0.9".into(),
                port: 6432,
                dbname: "switch board".into(),
                user: "sb@x".into(),
                password: "p:w".into(),
            }
        );
        let short = login("postgres://postgres@127.0.0.1/test");
        assert_eq!((short.port, short.password.as_str()), (5432, ""));
        let socket = login("postgres:///switchboard?host=/var/run/postgresql");
        assert_eq!(
            (socket.host.as_str(), socket.dbname.as_str()),
            ("localhost", "switchboard")
        );
        assert_eq!(login("postgres://[::1]:5433/db").host, "::1");
        assert!(PgLogin::from_url("sqlite://x.db").is_err());
        assert!(PgLogin::from_url("postgres://h:port/db").is_err());
    }
}
