//! Asterisk's realtime rows through `res_config_curl` (extconfig.conf:
//! `ps_endpoints => curl,http://…/switch/asterisk/realtime/ps_endpoints`). Asterisk posts its
//! criteria form-encoded to `…/single` (one row), `…/multi` (every row) or `…/require` (may
//! these columns be used), each a `field=value` or a `field OP=value` (`id LIKE=%`); a row comes
//! back as `key=value&…`, URL-encoded, one row per line.
//!
//! The rows are computed from Switchboard's records, so they are always what Switchboard says:
//!
//! - `ps_endpoints`, `ps_auths`, `ps_aors`: one each per enabled login that has a password, id
//!   `login@domain`; the auth carries the HA1 (`auth_type=md5`, `md5_cred`), never a password;
//! - `queues`: every queue as `extension@domain`, with its strategy, wrap-up and length;
//! - `queue_members`: no rows. Members are added and paused over the manager interface
//!   (`ami`), which takes effect at once; a realtime member row would only be read at the
//!   queue's next reload, and app_queue would hold it beside the dynamic one.
//!
//! Writes (`update`, `store`, `destroy`) answer -1: these tables are Switchboard's, changed
//! through its API. Contacts stay in Asterisk's own store (sorcery's default, astdb).

use super::endpoint_id;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::switch::lookup::{all_domains, domain_named, qualified_name, queues_in};
use crate::switch::{FromSwitch, plain_text};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use switchboard_domain::{CallQueue, Domain, RingStrategy};
use switchboard_policy::{Resource, operator_visibility};
use switchboard_store::SipAccount;

/// The tables Switchboard answers, and the columns each row has.
pub const TABLES: [(&str, &[&str]); 5] = [
    (
        "ps_endpoints",
        &[
            "id",
            "aors",
            "auth",
            "context",
            "disallow",
            "allow",
            "direct_media",
            "rtp_symmetric",
            "force_rport",
            "rewrite_contact",
            "dtmf_mode",
            "from_domain",
            "accountcode",
            "callerid",
            "mailboxes",
        ],
    ),
    (
        "ps_auths",
        &["id", "auth_type", "username", "realm", "md5_cred"],
    ),
    (
        "ps_aors",
        &[
            "id",
            "max_contacts",
            "remove_existing",
            "qualify_frequency",
            "default_expiration",
            "maximum_expiration",
            "mailboxes",
        ],
    ),
    (
        "queues",
        &[
            "name",
            "strategy",
            "timeout",
            "wrapuptime",
            "maxlen",
            "musiconhold",
            "joinempty",
            "leavewhenempty",
            "ringinuse",
            "setinterfacevar",
        ],
    ),
    (
        "queue_members",
        &[
            "uniqueid",
            "queue_name",
            "interface",
            "membername",
            "state_interface",
            "penalty",
            "paused",
            "reason_paused",
        ],
    ),
];

/// One row: its columns in order.
pub type Row = Vec<(&'static str, String)>;

/// One criterion: a column, how it compares, and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub column: String,
    pub op: Op,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Like,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Criterion {
    /// `id`, `id LIKE`, `uniqueid >` … as Asterisk names them.
    pub fn parse(key: &str, value: &str) -> Result<Criterion, String> {
        let mut words = key.split_whitespace();
        let column = words.next().ok_or("a criterion without a column")?;
        let op = match words.next().map(str::to_ascii_uppercase).as_deref() {
            None | Some("=") => Op::Eq,
            Some("!=") | Some("<>") => Op::Ne,
            Some("LIKE") => Op::Like,
            Some("<") => Op::Lt,
            Some("<=") => Op::Le,
            Some(">") => Op::Gt,
            Some(">=") => Op::Ge,
            Some(other) => return Err(format!("{column}: unknown comparison '{other}'")),
        };
        Ok(Criterion {
            column: column.to_owned(),
            op,
            value: value.to_owned(),
        })
    }

    pub fn holds(&self, row: &Row) -> bool {
        let value = row
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(&self.column))
            .map_or("", |(_, v)| v.as_str());
        let numbers = value
            .parse::<f64>()
            .ok()
            .zip(self.value.parse::<f64>().ok());
        let order = match numbers {
            Some((a, b)) => a.partial_cmp(&b),
            None => Some(value.cmp(self.value.as_str())),
        };
        use std::cmp::Ordering::*;
        match self.op {
            Op::Eq => value == self.value,
            Op::Ne => value != self.value,
            Op::Like => like(value, &self.value),
            Op::Lt => order == Some(Less),
            Op::Le => matches!(order, Some(Less | Equal)),
            Op::Gt => order == Some(Greater),
            Op::Ge => matches!(order, Some(Greater | Equal)),
        }
    }
}

/// SQL's LIKE: `%` any run, `_` any one character.
pub fn like(value: &str, pattern: &str) -> bool {
    let v: Vec<char> = value.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // The classic two-pointer match, backtracking to the last `%`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < v.len() {
        if j < p.len() && (p[j] == '_' || p[j] == v[i]) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '%' {
            star = Some((j, i));
            j += 1;
        } else if let Some((sj, si)) = star {
            j = sj + 1;
            i = si + 1;
            star = Some((sj, si + 1));
        } else {
            return false;
        }
    }
    p[j..].iter().all(|c| *c == '%')
}

/// URL-encoding as Asterisk decodes it (`ast_uri_http`): everything but the unreserved
/// characters as `%XX`, a space included (a `+` would stay a plus).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A row as a line of the answer.
pub fn line(row: &Row) -> String {
    row.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn answer(
    _: FromSwitch,
    State(state): State<AppState>,
    Path((table, operation)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let Some((table, columns)) = TABLES.iter().find(|(t, _)| *t == table) else {
        return Err(ApiError::invalid(
            "table",
            format!(
                "table: Switchboard keeps {}; map only those to it in extconfig.conf",
                TABLES.map(|(t, _)| t).join(", ")
            ),
        ));
    };
    let mut criteria = Vec::new();
    for (key, value) in form_urlencoded::parse(&body) {
        criteria.push(Criterion::parse(&key, &value).map_err(|m| ApiError::invalid(&key, m))?);
    }
    match operation.as_str() {
        "single" | "multi" => {
            let rows = rows(&state, table, &criteria).await?;
            let matching = rows.iter().filter(|r| criteria.iter().all(|c| c.holds(r)));
            let lines: Vec<String> = if operation == "single" {
                matching.take(1).map(line).collect()
            } else {
                matching.map(line).collect()
            };
            Ok(plain_text(StatusCode::OK, lines.join("\n")))
        }
        // Every column Asterisk may ask for is there (0), or one is not (-1).
        "require" => {
            let known = criteria
                .iter()
                .all(|c| columns.iter().any(|k| k.eq_ignore_ascii_case(&c.column)));
            Ok(plain_text(StatusCode::OK, if known { "0" } else { "-1" }))
        }
        "update" | "store" | "destroy" => {
            tracing::warn!(
                "Asterisk asked to {operation} {table} rows: they are Switchboard's, changed through its API"
            );
            Ok(plain_text(StatusCode::OK, "-1"))
        }
        _ => Err(ApiError::invalid(
            "operation",
            "operation: single, multi, require, update, store or destroy",
        )),
    }
}

/// The rows of a table that may match: one login's or queue's when the criteria name its id
/// exactly, else all of them.
async fn rows(state: &AppState, table: &str, criteria: &[Criterion]) -> ApiResult<Vec<Row>> {
    let exact = |column: &str| {
        criteria
            .iter()
            .find(|c| c.op == Op::Eq && c.column.eq_ignore_ascii_case(column))
            .map(|c| c.value.as_str())
    };
    match table {
        "queues" => {
            let domains = match exact("name") {
                Some(name) => match name.rsplit_once('@') {
                    Some((_, domain)) => domain_named(state, domain).await?.into_iter().collect(),
                    None => Vec::new(),
                },
                None => all_domains(state).await?,
            };
            // The queues alone: app_queue asks at each call that enters a queue.
            let mut rows = Vec::new();
            for domain in domains {
                for queue in queues_in(state, &domain).await? {
                    rows.push(queue_row(&domain, &queue));
                }
            }
            Ok(rows)
        }
        "queue_members" => Ok(Vec::new()),
        _ => {
            let mut rows = Vec::new();
            for (domain, login) in logins(state, exact("id")).await? {
                if let Some(row) = login_row(state, table, &domain, &login).await? {
                    rows.push(row);
                }
            }
            Ok(rows)
        }
    }
}

/// The enabled logins with a password: the one `id` names, or every one.
async fn logins(state: &AppState, id: Option<&str>) -> ApiResult<Vec<(Domain, SipAccount)>> {
    let vis = operator_visibility(Resource::Devices);
    let mut all = Vec::new();
    match id {
        Some(id) => {
            let Some((login, domain)) = id.rsplit_once('@') else {
                return Ok(all);
            };
            let Some(domain) = domain_named(state, domain).await? else {
                return Ok(all);
            };
            if let Some(account) = state.store.sip_login(&vis, domain.id, login).await?
                && account.enabled
                && account.issued
            {
                all.push((domain, account));
            }
        }
        None => {
            for domain in all_domains(state).await? {
                for account in state.store.enabled_sip_logins(&vis, domain.id).await? {
                    all.push((domain.clone(), account));
                }
            }
        }
    }
    Ok(all)
}

async fn login_row(
    state: &AppState,
    table: &str,
    domain: &Domain,
    login: &SipAccount,
) -> ApiResult<Option<Row>> {
    let id = endpoint_id(&login.username, &domain.name);
    let name = domain.name.to_string();
    if table == "ps_auths" {
        // Asked at every registration: the HA1 alone, not the login's owner.
        let vis = operator_visibility(Resource::Devices);
        let Some(ha1) = state
            .store
            .sip_ha1(&vis, domain.id, &login.username)
            .await?
        else {
            return Ok(None);
        };
        return Ok(Some(vec![
            ("id", id),
            ("auth_type", "md5".into()),
            ("username", login.username.clone()),
            ("realm", name),
            ("md5_cred", ha1),
        ]));
    }
    let owner = match login.owner_id {
        Some(user) => state
            .store
            .user_and_domain(user)
            .await?
            .map(|(u, _)| u.user),
        None => None,
    };
    let mailbox = owner
        .as_ref()
        .map(|u| format!("{}@{name}", u.extension))
        .unwrap_or_default();
    let row: Row = match table {
        "ps_endpoints" => {
            let callerid = owner
                .as_ref()
                .map(|u| {
                    let full = format!("{} {}", u.first_name, u.last_name);
                    format!("\"{}\" <{}>", full.trim().replace('"', ""), u.extension)
                })
                .unwrap_or_default();
            vec![
                ("id", id.clone()),
                ("aors", id.clone()),
                ("auth", id),
                ("context", super::dialplan::CONTEXT.into()),
                ("disallow", "all".into()),
                ("allow", "ulaw,alaw,g722".into()),
                ("direct_media", "no".into()),
                ("rtp_symmetric", "yes".into()),
                ("force_rport", "yes".into()),
                ("rewrite_contact", "yes".into()),
                ("dtmf_mode", "rfc4733".into()),
                ("from_domain", name.clone()),
                ("accountcode", name),
                ("callerid", callerid),
                ("mailboxes", mailbox),
            ]
        }
        "ps_aors" => vec![
            ("id", id),
            // One phone per login: a new registration replaces the old.
            ("max_contacts", "1".into()),
            ("remove_existing", "yes".into()),
            ("qualify_frequency", "60".into()),
            ("default_expiration", "3600".into()),
            // Switchboard keeps a contact this long after Asterisk last reported it.
            (
                "maximum_expiration",
                super::ami::MAX_CONTACT_SECONDS.to_string(),
            ),
            ("mailboxes", mailbox),
        ],
        _ => return Ok(None),
    };
    Ok(Some(row))
}

/// app_queue's strategy for a ring strategy.
pub fn strategy(s: RingStrategy) -> &'static str {
    match s {
        RingStrategy::RingAll => "ringall",
        RingStrategy::RoundRobin => "rrmemory",
        RingStrategy::LongestIdle => "leastrecent",
        RingStrategy::Linear => "linear",
    }
}

/// Callers do not join, and leave, a queue with nobody who could answer: they go on to its
/// overflow, as with every switch.
const NOBODY_TO_ANSWER: &str = "paused,unavailable,invalid,unknown";

fn queue_row(domain: &Domain, queue: &CallQueue) -> Row {
    vec![
        ("name", qualified_name(&queue.extension, &domain.name)),
        ("strategy", strategy(queue.ring_strategy).into()),
        // How long one agent rings before the next is tried.
        ("timeout", "15".into()),
        ("wrapuptime", queue.wrap_up_seconds.to_string()),
        ("maxlen", queue.max_callers.to_string()),
        ("musiconhold", "default".into()),
        ("joinempty", NOBODY_TO_ANSWER.into()),
        ("leavewhenempty", NOBODY_TO_ANSWER.into()),
        ("ringinuse", "no".into()),
        ("setinterfacevar", "yes".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn like_matches_as_sql_does() {
        assert!(like("105@acme.example", "%"));
        assert!(like("105@acme.example", "105@%"));
        assert!(like("105@acme.example", "%@acme.example"));
        assert!(like("105@acme.example", "1_5@%.example"));
        assert!(!like("105@acme.example", "106%"));
        assert!(!like("105@acme.example", "%@other.example"));
        assert!(like("", "%"));
        assert!(!like("", "_"));
    }

    #[test]
    fn criteria_read_as_asterisk_writes_them() {
        let c = Criterion::parse("id LIKE", "%").unwrap();
        assert_eq!((c.column.as_str(), c.op), ("id", Op::Like));
        assert_eq!(Criterion::parse("name", "600").unwrap().op, Op::Eq);
        assert_eq!(Criterion::parse("uniqueid >", "3").unwrap().op, Op::Gt);
        assert!(Criterion::parse("id REGEXP", "x").is_err());
        let row: Row = vec![("id", "105@acme.example".into()), ("penalty", "10".into())];
        assert!(Criterion::parse("penalty >", "9").unwrap().holds(&row));
        assert!(!Criterion::parse("penalty <", "9").unwrap().holds(&row));
        assert!(Criterion::parse("missing", "").unwrap().holds(&row));
    }

    #[test]
    fn values_are_encoded_as_asterisk_decodes_them() {
        assert_eq!(encode("\"Ann Lee\" <105>"), "%22Ann%20Lee%22%20%3C105%3E");
        let row: Row = vec![("id", "105@acme.example".into()), ("x", "a&b=c".into())];
        assert_eq!(line(&row), "id=105%40acme.example&x=a%26b%3Dc");
    }

    proptest! {
        #[test]
        fn a_value_is_its_own_pattern_and_percent_matches_anything(v in "[a-z0-9@.]{0,20}") {
            prop_assert!(like(&v, &v));
            prop_assert!(like(&v, "%"));
            let suffix = format!("%{v}");
            prop_assert!(like(&v, &suffix));
        }

        #[test]
        fn encoded_values_decode_back(v in "\\PC{0,30}") {
            let decoded: String = form_urlencoded::parse(format!("k={}", encode(&v)).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            prop_assert_eq!(decoded, v);
        }
    }
}
