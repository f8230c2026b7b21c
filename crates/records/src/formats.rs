//! The formats a file can be in, how to tell them apart, and what their fields mean.

use crate::csv_line::LineSplitter;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, as the API takes them.
    JsonLines,
    /// Asterisk `Master.csv` (cdr_csv's default columns, optionally with uniqueid and userfield).
    AsteriskCsv,
    /// Asterisk `queue_log`: queue events become queue calls.
    AsteriskQueueLog,
    /// FreeSWITCH `mod_cdr_csv` with its default template.
    FreeswitchCsv,
}

/// The names `--format` takes, for messages.
pub const FORMAT_NAMES: &str = "jsonl, asterisk-csv, queue-log, freeswitch-csv";

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jsonl" | "json-lines" => Some(Format::JsonLines),
            "asterisk-csv" | "master-csv" => Some(Format::AsteriskCsv),
            "queue-log" | "asterisk-queue-log" => Some(Format::AsteriskQueueLog),
            "freeswitch-csv" => Some(Format::FreeswitchCsv),
            _ => None,
        }
    }

    /// Guess a file's format from its first line.
    pub fn sniff(first_line: &str) -> Option<Format> {
        let line = first_line.trim_start_matches('\u{feff}').trim();
        if line.starts_with('{') {
            return Some(Format::JsonLines);
        }
        let pipe_fields: Vec<&str> = line.split('|').collect();
        if pipe_fields.len() >= 5
            && !pipe_fields[0].is_empty()
            && pipe_fields[0].bytes().all(|b| b.is_ascii_digit())
        {
            return Some(Format::AsteriskQueueLog);
        }
        match LineSplitter::new().fields(line).map(|f| f.len()) {
            Some(16..=18) => Some(Format::AsteriskCsv),
            Some(13 | 15) => Some(Format::FreeswitchCsv),
            _ => None,
        }
    }
}

/// What the domain's extensions are, so that a record can say which parties are users and
/// which number is a queue.
#[derive(Clone, Debug, Default)]
pub struct Extensions {
    users: HashSet<String>,
    queues: HashSet<String>,
    /// A queue's extension by its extension or lower-cased name (queue_log names queues).
    queue_names: HashMap<String, String>,
}

impl Extensions {
    /// The users' extensions, and each queue's extension with its name.
    pub fn new(
        users: impl IntoIterator<Item = String>,
        queues: impl IntoIterator<Item = (String, String)>,
    ) -> Extensions {
        let mut ext = Extensions {
            users: users.into_iter().collect(),
            ..Extensions::default()
        };
        for (extension, name) in queues {
            ext.queue_names
                .insert(name.to_lowercase(), extension.clone());
            ext.queue_names.insert(extension.clone(), extension.clone());
            ext.queues.insert(extension);
        }
        ext
    }

    pub fn is_user(&self, ext: &str) -> bool {
        self.users.contains(ext)
    }

    pub fn is_queue(&self, ext: &str) -> bool {
        self.queues.contains(ext)
    }

    /// The queue a queue_log line names, by extension or by name.
    pub fn queue_named(&self, name: &str) -> Option<&str> {
        self.queue_names
            .get(&name.to_lowercase())
            .map(String::as_str)
    }
}

/// Local "YYYY-MM-DD HH:MM:SS" in the switch's zone, as RFC 3339.
pub(crate) fn local_time(raw: &str, tz: &jiff::tz::TimeZone) -> Result<String, String> {
    let dt: jiff::civil::DateTime = raw
        .trim()
        .parse()
        .map_err(|_| format!("'{raw}' is not a time like 2026-03-02 09:00:00"))?;
    let zoned = dt.to_zoned(tz.clone()).map_err(|e| e.to_string())?;
    Ok(zoned.timestamp().to_string())
}

/// The extension in a channel name: `SIP/105-0000002a`, `PJSIP/105`, `Local/105@queue/n`.
pub(crate) fn channel_extension(channel: &str) -> Option<String> {
    let after = channel.split_once('/').map_or(channel, |(_, rest)| rest);
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised() {
        assert_eq!(Format::sniff(r#"{"call_id":"a"}"#), Some(Format::JsonLines));
        assert_eq!(
            Format::sniff("1700000000|1700000000.1|sales|NONE|ENTERQUEUE||5551234"),
            Some(Format::AsteriskQueueLog)
        );
        let master = r#""","5551234","600","from-trunk","""Bob"" <5551234>","SIP/trunk-01","SIP/105-02","Queue","sales","2026-03-02 09:00:00","2026-03-02 09:00:10","2026-03-02 09:01:00",60,50,"ANSWERED","DOCUMENTATION""#;
        assert_eq!(Format::sniff(master), Some(Format::AsteriskCsv));
        let fs = r#""Bob","5551234","107","default","2026-03-02 09:00:00","2026-03-02 09:00:05","2026-03-02 09:01:00","60","55","NORMAL_CLEARING","a-uuid","","""#;
        assert_eq!(Format::sniff(fs), Some(Format::FreeswitchCsv));
        assert_eq!(Format::sniff("hello world"), None);
        assert_eq!(
            Format::sniff("||||"),
            None,
            "an empty time is not queue_log"
        );
    }

    #[test]
    fn channels_name_extensions() {
        assert_eq!(
            channel_extension("SIP/105-0000002a").as_deref(),
            Some("105")
        );
        assert_eq!(
            channel_extension("Local/105@from-queue/n").as_deref(),
            Some("105")
        );
        assert_eq!(channel_extension("PJSIP/trunk").as_deref(), None);
    }

    #[test]
    fn local_times_follow_the_zone_across_dst() {
        let ny = jiff::tz::TimeZone::get("America/New_York").unwrap();
        assert_eq!(
            local_time("2026-01-15 09:00:00", &ny).unwrap(),
            "2026-01-15T14:00:00Z"
        );
        assert_eq!(
            local_time("2026-07-15 09:00:00", &ny).unwrap(),
            "2026-07-15T13:00:00Z"
        );
        assert!(local_time("15/01/2026 9am", &ny).is_err());
    }

    #[test]
    fn queues_are_found_by_extension_or_name() {
        let ext = Extensions::new(["105".to_owned()], [("600".into(), "Sales".into())]);
        assert_eq!(ext.queue_named("sales"), Some("600"));
        assert_eq!(ext.queue_named("600"), Some("600"));
        assert!(ext.is_queue("600") && !ext.is_queue("Sales"));
        assert!(ext.is_user("105") && !ext.is_user("600"));
    }
}
