//! FreeSWITCH's side of the connection, as `switchboard freeswitch config` prints it: the
//! `autoload_configs` files that point `mod_xml_curl`, `mod_json_cdr` and `mod_event_socket`
//! at this installation. Parameter names are those the modules' config readers take.

use super::LOOKUP_DEADLINE;
use super::xml::escape;

pub struct ConfigParams<'a> {
    /// Switchboard's address as FreeSWITCH reaches it (`http://127.0.0.1:8080`).
    pub switchboard: &'a str,
    pub secret: &'a str,
    /// Where `mod_event_socket` listens (`127.0.0.1:8021`); Switchboard connects there.
    pub event_socket: &'a str,
    pub event_socket_password: &'a str,
    /// Where `mod_json_cdr` writes a record it could not post, for
    /// `switchboard freeswitch import-spool`.
    pub spool_dir: &'a str,
}

pub use crate::switch::ConfigFile;

/// `<param name=… value=…/>` lines, each indented by `indent`.
fn params(indent: &str, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            format!(
                "{indent}<param name=\"{}\" value=\"{}\"/>\n",
                escape(name),
                escape(value)
            )
        })
        .collect()
}

/// The files, each whole.
pub fn files(p: &ConfigParams<'_>) -> Vec<ConfigFile> {
    let base = p.switchboard.trim_end_matches('/');
    let credentials = format!("switch:{}", p.secret);
    // Over Switchboard's own deadline, so Switchboard answers "not found" before it is cut off.
    let timeout = (LOOKUP_DEADLINE.as_secs() + 1).to_string();
    let (listen_ip, listen_port, loopback) = crate::switch::listen_address(p.event_socket, "8021");
    let mut socket = vec![
        ("nat-map", "false"),
        ("listen-ip", listen_ip),
        ("listen-port", listen_port),
        ("password", p.event_socket_password),
    ];
    if loopback {
        socket.push(("apply-inbound-acl", "loopback.auto"));
    }
    let xml_curl = format!(
        "<configuration name=\"xml_curl.conf\" description=\"Switchboard: who may register, where calls go, call queues\">\n  <bindings>\n    <binding name=\"switchboard\">\n      <param name=\"gateway-url\" value=\"{}\" bindings=\"directory|dialplan|configuration\"/>\n{}    </binding>\n  </bindings>\n</configuration>\n",
        escape(&format!("{base}/switch/freeswitch/xml")),
        params(
            "      ",
            &[
                ("gateway-credentials", &credentials),
                ("auth-scheme", "basic"),
                ("timeout", &timeout),
                ("disable-100-continue", "true"),
            ]
        ),
    );
    let cdr_url = format!("{base}/switch/freeswitch/cdr");
    let json_cdr = format!(
        "<configuration name=\"json_cdr.conf\" description=\"Switchboard: call history\">\n  <settings>\n{}  </settings>\n</configuration>\n",
        params(
            "    ",
            &[
                ("url", &cdr_url),
                ("auth-scheme", "basic"),
                ("cred", &credentials),
                // One record a call: the A leg's, which tells the call's whole course.
                ("log-b-leg", "false"),
                ("prefix-a-leg", "false"),
                ("encode", "false"),
                ("encode-values", "true"),
                ("timeout", "10"),
                ("retries", "2"),
                ("delay", "5"),
                ("disable-100-continue", "true"),
                // What still fails is written here, for `switchboard freeswitch import-spool`.
                ("log-errors-to-disk", "true"),
                ("log-http-and-disk", "false"),
                ("rotate", "false"),
                ("err-log-dir", p.spool_dir),
            ]
        ),
    );
    let event_socket = format!(
        "<configuration name=\"event_socket.conf\" description=\"Switchboard: agents' availability to mod_callcenter\">\n  <settings>\n{}  </settings>\n</configuration>\n",
        params("    ", &socket),
    );
    vec![
        ConfigFile {
            path: "autoload_configs/xml_curl.conf.xml",
            text: xml_curl,
        },
        ConfigFile {
            path: "autoload_configs/json_cdr.conf.xml",
            text: json_cdr,
        },
        ConfigFile {
            path: "autoload_configs/event_socket.conf.xml",
            text: event_socket,
        },
    ]
}

/// The modules the files configure, as `modules.conf.xml` loads them (`mod_callcenter` after
/// `mod_xml_curl`, so it reads its queues from Switchboard).
pub const MODULES: [&str; 5] = [
    "mod_xml_curl",
    "mod_event_socket",
    "mod_json_cdr",
    "mod_callcenter",
    "mod_sofia",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The names each module's config reader takes (its `strcasecmp(var, "…")` chain).
    const READ: [(&str, &[&str]); 3] = [
        (
            "xml_curl.conf",
            &[
                "gateway-url",
                "gateway-credentials",
                "auth-scheme",
                "timeout",
                "disable-100-continue",
            ],
        ),
        (
            "json_cdr.conf",
            &[
                "url",
                "cred",
                "auth-scheme",
                "log-b-leg",
                "prefix-a-leg",
                "encode",
                "encode-values",
                "timeout",
                "retries",
                "delay",
                "disable-100-continue",
                "log-errors-to-disk",
                "log-http-and-disk",
                "rotate",
                "err-log-dir",
                "log-dir",
            ],
        ),
        (
            "event_socket.conf",
            &[
                "nat-map",
                "listen-ip",
                "listen-port",
                "password",
                "apply-inbound-acl",
            ],
        ),
    ];

    fn params_of(text: &str) -> (String, HashMap<String, String>) {
        let doc = roxmltree::Document::parse(text).expect("well-formed XML");
        let name = doc
            .root_element()
            .attribute("name")
            .unwrap_or("")
            .to_owned();
        let params = doc
            .descendants()
            .filter(|n| n.has_tag_name("param"))
            .map(|n| {
                (
                    n.attribute("name").unwrap_or("").to_owned(),
                    n.attribute("value").unwrap_or("").to_owned(),
                )
            })
            .collect();
        (name, params)
    }

    fn sample(event_socket: &str) -> Vec<ConfigFile> {
        files(&ConfigParams {
            switchboard: "http://10.0.0.2:8080/",
            secret: "s3cret",
            event_socket,
            event_socket_password: "pa<ss",
            spool_dir: "/var/log/freeswitch/json_cdr",
        })
    }

    #[test]
    fn every_file_is_one_its_module_reads_whole() {
        let files = sample("127.0.0.1:8021");
        assert_eq!(files.len(), READ.len());
        for (file, (config, names)) in files.iter().zip(READ) {
            let (name, params) = params_of(&file.text);
            assert_eq!(name, config, "{}", file.path);
            assert!(file.path.ends_with(&format!("{config}.xml")));
            for param in params.keys() {
                assert!(
                    names.contains(&param.as_str()),
                    "{config}: {param} is not read"
                );
            }
        }
        let (_, curl) = params_of(&files[0].text);
        assert_eq!(
            curl["gateway-url"],
            "http://10.0.0.2:8080/switch/freeswitch/xml"
        );
        assert_eq!(curl["gateway-credentials"], "switch:s3cret");
        let timeout: u64 = curl["timeout"].parse().unwrap();
        assert!(
            timeout > LOOKUP_DEADLINE.as_secs(),
            "Switchboard answers first"
        );
        assert!(
            files[0]
                .text
                .contains("bindings=\"directory|dialplan|configuration\"")
        );
        let (_, cdr) = params_of(&files[1].text);
        assert_eq!(cdr["url"], "http://10.0.0.2:8080/switch/freeswitch/cdr");
        assert_eq!(cdr["log-b-leg"], "false", "one record a call");
        let (_, socket) = params_of(&files[2].text);
        assert_eq!(socket["listen-ip"], "127.0.0.1");
        assert_eq!(socket["listen-port"], "8021");
        assert_eq!(socket["password"], "pa<ss", "escaped, read back whole");
        assert_eq!(socket["apply-inbound-acl"], "loopback.auto");
    }

    #[test]
    fn an_event_socket_off_loopback_has_no_loopback_acl() {
        for address in ["10.0.0.3:8021", "[2001:db8::3]:8021"] {
            let (_, socket) = params_of(&sample(address)[2].text);
            assert!(!socket.contains_key("apply-inbound-acl"), "{address}");
            assert!(!socket["listen-ip"].contains('['), "{address}");
        }
    }
}
