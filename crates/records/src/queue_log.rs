//! Asterisk's `queue_log`: `time|callid|queue|agent|event|data1|data2|…`, one event a line.
//! A queue call is the events of one callid, from ENTERQUEUE to the event that ends it; the
//! call comes out when that last event is read.
//!
//! What real logs hold besides: agent and queue events (`callid` NONE), events this reader does
//! not know (counted by name, not fatal), and, in a rotated log, calls whose first events are in
//! the previous file: such a call is rebuilt from its last event's hold and talk times and
//! counted as partial.

use crate::CallInput;
use crate::decoder::Decoder;
use crate::formats::channel_extension;
use switchboard_domain::{Direction, Disposition, Timestamp};

/// How a call ends, by the event that ends it.
fn ending(event: &str) -> Option<Disposition> {
    Some(match event {
        "COMPLETECALLER" | "COMPLETEAGENT" | "TRANSFER" | "BLINDTRANSFER" | "ATTENDEDTRANSFER" => {
            Disposition::Answered
        }
        // The agent answered, then dropped the caller during the announcement.
        "AGENTDUMP" => Disposition::Answered,
        "ABANDON" | "EXITWITHKEY" => Disposition::Abandoned,
        "EXITWITHTIMEOUT" | "EXITEMPTY" => Disposition::Missed,
        // Answered by an agent, then dropped: the channels could not talk.
        "SYSCOMPAT" => Disposition::Failed,
        _ => return None,
    })
}

/// Events of a call that change nothing of its record here.
const PASSING: &[&str] = &[
    "RINGNOANSWER",
    "RINGCANCELED",
    "ENTERQUEUE_OTHER",
    "INFO",
    "DID",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "UNPAUSE",
    "PAUSEALL",
    "UNPAUSEALL",
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF",
    "CONFIGRELOAD",
    "QUEUESTART",
];

fn field<'a>(fields: &[&'a str], i: usize) -> &'a str {
    fields.get(i).copied().unwrap_or("")
}

/// Seconds in a data field, or 0.
fn seconds(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(0).max(0)
}

/// The agent a member field names: the extension of `SIP/105`, `PJSIP/105-…`, `Local/105@…`,
/// or the field as it is (a member named "Alice Smith", an `Agent/…`).
fn agent_of(member: &str) -> Option<String> {
    let member = member.trim();
    if member.is_empty() || member == "NONE" {
        return None;
    }
    Some(channel_extension(member).unwrap_or_else(|| member.to_owned()))
}

impl Decoder {
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
            .trim()
            .parse()
            .map_err(|_| format!("'{}' is not a Unix time", f[0]))?;
        let (call, queue_name, member, event) = (f[1], f[2], f[3], f[4]);
        let fields = &f[5..];
        let data = |i: usize| field(fields, i);
        if call == "NONE" || call.is_empty() || PASSING.contains(&event) {
            // Agent and queue events (log-ins, pauses, reloads), and steps that change nothing.
            self.tally.events += 1;
            return Ok(None);
        }
        let queue_ext = self
            .extensions
            .queue_named(queue_name)
            .map(str::to_owned)
            .ok_or_else(|| {
                format!("no call queue named or numbered '{queue_name}' in this domain")
            })?;
        let at = Timestamp(epoch);
        match event {
            "ENTERQUEUE" => {
                self.tally.events += 1;
                let from = if data(1).is_empty() {
                    "anonymous"
                } else {
                    data(1)
                };
                let entered = waiting_call(call, from, &queue_ext, at, at);
                self.waiting.insert(call.to_owned(), entered);
                Ok(None)
            }
            "CONNECT" => {
                self.tally.events += 1;
                // CONNECT|holdtime|bridgedchanneluniqueid|ringtime
                let waiting = match self.waiting.get_mut(call) {
                    Some(w) => w,
                    None => {
                        // The log was rotated after this call entered the queue.
                        let start = Timestamp(epoch.saturating_sub(seconds(data(0))));
                        self.tally.partial += 1;
                        let rebuilt = waiting_call(call, "anonymous", &queue_ext, start, at);
                        self.waiting.entry(call.to_owned()).or_insert(rebuilt)
                    }
                };
                waiting.answered_at = Some(at.to_rfc3339());
                waiting.agent = agent_of(member);
                Ok(None)
            }
            other => match ending(other) {
                Some(disposition) => {
                    self.tally.events += 1;
                    let mut done = match self.waiting.remove(call) {
                        Some(done) => done,
                        None => self.rebuilt(call, &queue_ext, other, epoch, fields),
                    };
                    // A transfer to a user: the call is in that user's history too.
                    if other.ends_with("TRANSFER") && self.extensions.is_user(data(0)) {
                        done.users.push(data(0).to_owned());
                    }
                    Ok(Some(finish(done, disposition, member, at)))
                }
                None => {
                    *self
                        .tally
                        .unknown_events
                        .entry(other.to_owned())
                        .or_default() += 1;
                    Ok(None)
                }
            },
        }
    }

    /// A call whose earlier events are in the previous (rotated) file, from its last event:
    /// COMPLETE*/TRANSFER carry hold and talk seconds, ABANDON/EXIT* the wait.
    fn rebuilt(
        &mut self,
        call: &str,
        queue_ext: &str,
        event: &str,
        epoch: i64,
        fields: &[&str],
    ) -> CallInput {
        let data = |i: usize| field(fields, i);
        self.tally.partial += 1;
        let at = Timestamp(epoch);
        let (hold, talk) = match event {
            // COMPLETECALLER|holdtime|calltime|origposition
            "COMPLETECALLER" | "COMPLETEAGENT" => (seconds(data(0)), seconds(data(1))),
            // TRANSFER|extension|context|holdtime|calltime|origposition
            "TRANSFER" => (seconds(data(2)), seconds(data(3))),
            // BLINDTRANSFER|extension|context|holdtime|calltime|origposition
            "BLINDTRANSFER" => (seconds(data(2)), seconds(data(3))),
            // ATTENDEDTRANSFER|BRIDGE|id|… or |LINK|chan|chan|…, ending holdtime|calltime|origposition.
            "ATTENDEDTRANSFER" if fields.len() >= 3 => (
                seconds(fields[fields.len() - 3]),
                seconds(fields[fields.len() - 2]),
            ),
            // ABANDON|position|origposition|waittime, EXITWITHTIMEOUT|position|origposition|waittime
            "ABANDON" | "EXITWITHTIMEOUT" | "EXITWITHKEY" => (seconds(data(2)), 0),
            _ => (0, 0),
        };
        let connected = Timestamp(epoch.saturating_sub(talk));
        let start = Timestamp(connected.0.saturating_sub(hold));
        let mut call = waiting_call(call, "anonymous", queue_ext, start, at);
        if ending(event) == Some(Disposition::Answered) {
            call.answered_at = Some(connected.to_rfc3339());
        }
        call
    }
}

fn waiting_call(call: &str, from: &str, queue: &str, start: Timestamp, at: Timestamp) -> CallInput {
    CallInput {
        call_id: call.to_owned(),
        direction: Direction::Inbound,
        from: from.to_owned(),
        to: queue.to_owned(),
        started_at: start.to_rfc3339(),
        answered_at: None,
        ended_at: at.to_rfc3339(),
        disposition: Disposition::Missed,
        users: vec![],
        queue: Some(queue.to_owned()),
        agent: None,
    }
}

/// The call as its last event ends it. A transfer keeps the agent who answered (the legs after
/// it are the transfer target's); an answered end without a CONNECT in this file names the
/// agent from its own member field.
fn finish(mut done: CallInput, disposition: Disposition, member: &str, at: Timestamp) -> CallInput {
    done.ended_at = at.to_rfc3339();
    done.disposition = disposition;
    match disposition {
        Disposition::Answered | Disposition::Failed => {
            if done.agent.is_none() {
                done.agent = agent_of(member);
            }
            if done.answered_at.is_none() {
                done.answered_at = Some(at.to_rfc3339());
            }
            if disposition == Disposition::Failed {
                done.answered_at = None;
            }
        }
        _ => {
            done.answered_at = None;
            done.agent = None;
        }
    }
    done
}
