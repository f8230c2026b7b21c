//! A file's lines in, finished calls out.

use crate::CallInput;
use crate::csv_line::LineSplitter;
use crate::formats::{Extensions, FORMAT_NAMES, Format, channel_extension, local_time};
use std::collections::HashMap;
use switchboard_domain::{Direction, Disposition, Timestamp};

/// Reads one file: the format is named or found from its first line that is not blank.
pub struct Decoder {
    format: Option<Format>,
    extensions: Extensions,
    csv: LineSplitter,
    /// The switch's zone, for CSV files' local times.
    tz: jiff::tz::TimeZone,
    /// queue_log: calls in progress by unique id.
    waiting: HashMap<String, CallInput>,
}

impl Decoder {
    pub fn new(format: Option<Format>, tz: jiff::tz::TimeZone, extensions: Extensions) -> Decoder {
        Decoder {
            format,
            extensions,
            csv: LineSplitter::new(),
            tz,
            waiting: HashMap::new(),
        }
    }

    /// The file's format, once it is known.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// One line: the call it finishes, `None` for a line that is not a call (a blank line, a
    /// queue_log agent event, a queue call still in progress), or why it cannot be read.
    pub fn line(&mut self, line: &str) -> Result<Option<CallInput>, String> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let format = match self.format {
            Some(f) => f,
            None => {
                let f = Format::sniff(line).ok_or_else(|| {
                    format!("cannot tell the file's format; name it with --format ({FORMAT_NAMES})")
                })?;
                self.format = Some(f);
                f
            }
        };
        match format {
            Format::JsonLines => {
                serde_json::from_str::<CallInput>(line.trim_start_matches('\u{feff}'))
                    .map(Some)
                    .map_err(|e| e.to_string())
            }
            Format::AsteriskCsv => self.asterisk_csv(line),
            Format::FreeswitchCsv => self.freeswitch_csv(line),
            Format::AsteriskQueueLog => self.queue_log(line),
        }
    }

    /// queue_log calls that had not ended when the file did.
    pub fn unfinished(&self) -> usize {
        self.waiting.len()
    }

    fn user(&self, ext: &str) -> bool {
        self.extensions.is_user(ext)
    }

    fn direction(&self, from: &str, to: &str) -> Direction {
        match (
            self.user(from),
            self.user(to) || self.extensions.is_queue(to),
        ) {
            (true, true) => Direction::Internal,
            (true, false) => Direction::Outbound,
            _ => Direction::Inbound,
        }
    }

    fn parties(&self, from: &str, to: &str) -> (Vec<String>, Option<String>) {
        let users = [from, to]
            .into_iter()
            .filter(|e| self.user(e))
            .map(str::to_owned)
            .collect();
        let queue = self.extensions.is_queue(to).then(|| to.to_owned());
        (users, queue)
    }

    /// One line of Asterisk's Master.csv.
    pub(crate) fn asterisk_csv(&mut self, line: &str) -> Result<Option<CallInput>, String> {
        let f = self.csv.fields(line).ok_or("not a CSV line")?;
        if !(16..=18).contains(&f.len()) {
            return Err(format!(
                "Master.csv lines have 16 to 18 columns; this one has {}",
                f.len()
            ));
        }
        let (src, dst, dstchannel, lastapp) =
            (f[1].as_str(), f[2].as_str(), f[6].as_str(), f[7].as_str());
        let start = local_time(&f[9], &self.tz)?;
        let end = local_time(&f[11], &self.tz)?;
        let answered = if f[10].trim().is_empty() {
            None
        } else {
            Some(local_time(&f[10], &self.tz)?)
        };
        let mut disposition = match f[14].as_str() {
            "ANSWERED" => Disposition::Answered,
            "NO ANSWER" => Disposition::Missed,
            "BUSY" => Disposition::Busy,
            "FAILED" | "CONGESTION" => Disposition::Failed,
            other => {
                return Err(format!(
                    "unknown disposition '{other}' (ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION)"
                ));
            }
        };
        if disposition == Disposition::Answered && lastapp.eq_ignore_ascii_case("VoiceMail") {
            disposition = Disposition::Voicemail;
        }
        let (users, queue) = self.parties(src, dst);
        let agent = queue
            .as_ref()
            .and_then(|_| channel_extension(dstchannel))
            .filter(|e| self.user(e));
        let call_id = f
            .get(16)
            .filter(|u| !u.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("{}-{}-{}-{}", f[9], f[5], src, dst));
        Ok(Some(CallInput {
            call_id,
            direction: self.direction(src, dst),
            from: if src.is_empty() {
                "anonymous".into()
            } else {
                src.to_owned()
            },
            to: dst.to_owned(),
            started_at: start,
            answered_at: answered.filter(|_| disposition == Disposition::Answered),
            ended_at: end,
            disposition,
            users,
            queue,
            agent,
        }))
    }

    /// One line of FreeSWITCH's mod_cdr_csv default template.
    pub(crate) fn freeswitch_csv(&mut self, line: &str) -> Result<Option<CallInput>, String> {
        let f = self.csv.fields(line).ok_or("not a CSV line")?;
        if f.len() != 13 && f.len() != 15 {
            return Err(format!(
                "mod_cdr_csv default lines have 13 or 15 columns; this one has {}",
                f.len()
            ));
        }
        let (src, dst) = (f[1].as_str(), f[2].as_str());
        let start = local_time(&f[4], &self.tz)?;
        let end = local_time(&f[6], &self.tz)?;
        let answered = if f[5].trim().is_empty() {
            None
        } else {
            Some(local_time(&f[5], &self.tz)?)
        };
        let disposition = match (f[9].as_str(), &answered) {
            (_, Some(_)) => Disposition::Answered,
            ("NO_ANSWER" | "ORIGINATOR_CANCEL" | "NO_USER_RESPONSE" | "ALLOTTED_TIMEOUT", None) => {
                Disposition::Missed
            }
            ("USER_BUSY", None) => Disposition::Busy,
            _ => Disposition::Failed,
        };
        let (users, queue) = self.parties(src, dst);
        if f[10].trim().is_empty() {
            return Err("the uuid column is empty".into());
        }
        Ok(Some(CallInput {
            call_id: f[10].clone(),
            direction: self.direction(src, dst),
            from: if src.is_empty() {
                "anonymous".into()
            } else {
                src.to_owned()
            },
            to: dst.to_owned(),
            started_at: start,
            answered_at: answered,
            ended_at: end,
            disposition,
            users,
            queue,
            agent: None,
        }))
    }

    /// One queue_log event; a call comes out when its last event arrives.
    pub(crate) fn queue_log(&mut self, line: &str) -> Result<Option<CallInput>, String> {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() < 5 {
            return Err(format!(
                "queue_log lines have at least 5 fields separated by |; this one has {}",
                f.len()
            ));
        }
        let epoch: i64 = f[0]
            .parse()
            .map_err(|_| format!("'{}' is not a Unix time", f[0]))?;
        let at = Timestamp(epoch).to_rfc3339();
        let (call, queue_name, agent, event) = (f[1], f[2], f[3], f[4]);
        let data = |i: usize| f.get(5 + i).copied().unwrap_or("");
        if call == "NONE" || call.is_empty() {
            return Ok(None); // agent and queue events: log-ins, pauses, reloads
        }
        let queue_ext = self
            .extensions
            .queue_named(queue_name)
            .map(str::to_owned)
            .ok_or_else(|| {
                format!("no call queue named or numbered '{queue_name}' in this domain")
            })?;
        match event {
            "ENTERQUEUE" => {
                let from = if data(1).is_empty() {
                    "anonymous"
                } else {
                    data(1)
                };
                self.waiting.insert(
                    call.to_owned(),
                    CallInput {
                        call_id: call.to_owned(),
                        direction: Direction::Inbound,
                        from: from.to_owned(),
                        to: queue_ext.clone(),
                        started_at: at.clone(),
                        answered_at: None,
                        ended_at: at,
                        disposition: Disposition::Missed,
                        users: vec![],
                        queue: Some(queue_ext),
                        agent: None,
                    },
                );
                Ok(None)
            }
            "CONNECT" => {
                let waiting = self.waiting.get_mut(call).ok_or_else(|| {
                    format!("CONNECT for call {call}, which never entered the queue")
                })?;
                waiting.answered_at = Some(at);
                waiting.agent = channel_extension(agent).or_else(|| {
                    agent
                        .chars()
                        .all(|c| c.is_ascii_digit())
                        .then(|| agent.to_owned())
                });
                Ok(None)
            }
            "RINGNOANSWER" | "ENTERQUEUE_OTHER" | "INFO" => Ok(None),
            "COMPLETECALLER" | "COMPLETEAGENT" | "TRANSFER" | "ABANDON" | "EXITWITHTIMEOUT"
            | "EXITEMPTY" | "EXITWITHKEY" => {
                let mut done = self.waiting.remove(call).ok_or_else(|| {
                    format!("{event} for call {call}, which never entered the queue")
                })?;
                done.ended_at = at;
                done.disposition = match event {
                    "COMPLETECALLER" | "COMPLETEAGENT" | "TRANSFER" => Disposition::Answered,
                    "ABANDON" => Disposition::Abandoned,
                    _ => Disposition::Missed,
                };
                if done.disposition == Disposition::Answered && done.answered_at.is_none() {
                    return Err(format!(
                        "{event} for call {call}, which was never connected"
                    ));
                }
                if done.disposition != Disposition::Answered {
                    done.answered_at = None;
                }
                Ok(Some(done))
            }
            other => Err(format!("unknown queue_log event '{other}'")),
        }
    }
}
