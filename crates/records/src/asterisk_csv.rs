//! Asterisk's `Master.csv` (cdr_csv): accountcode, src, dst, dcontext, clid, channel,
//! dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
//! and optionally uniqueid and userfield.
//!
//! As real files have them: local times in the switch's zone, where `duration` and `billsec` are
//! the truth when the clock goes back (a call from 01:59:30 to "01:00:40" lasted 70 s); with
//! `unanswered=yes`, one row per member a call rang, all with the caller's uniqueid, of which the
//! answered one tells who took it; and queue calls nobody answered, told apart by the queue's
//! timeout (`Queue(name,options,URL,announce,timeout)`) against how long the caller stayed.

use crate::CallInput;
use crate::decoder::Decoder;
use crate::formats::{channel_extension, local_time};
use switchboard_domain::Disposition;

/// The queue's timeout in `Queue()`'s arguments, when it has one.
fn queue_timeout(lastdata: &str) -> Option<i64> {
    let args: Vec<&str> = lastdata.split([',', '|']).collect();
    args.get(4)?.trim().parse().ok().filter(|t| *t > 0)
}

fn plus(rfc3339: &str, seconds: i64) -> Option<String> {
    let t: jiff::Timestamp = rfc3339.parse().ok()?;
    let sum = t.as_second().checked_add(seconds)?;
    Some(jiff::Timestamp::from_second(sum).ok()?.to_string())
}

/// Of two rows of one call, the one that says more: an answered row over one that rang
/// unanswered; the call spans both.
fn better(kept: CallInput, row: CallInput) -> CallInput {
    let mut best =
        if row.disposition == Disposition::Answered && kept.disposition != Disposition::Answered {
            row.clone()
        } else {
            kept.clone()
        };
    best.started_at = kept.started_at.min(row.started_at);
    best.ended_at = kept.ended_at.max(row.ended_at);
    for user in kept.users.into_iter().chain(row.users) {
        if !best.users.contains(&user) {
            best.users.push(user);
        }
    }
    best
}

impl Decoder {
    /// One line of Master.csv; a call comes out when the next line is another call's (or the
    /// file ends: `Decoder::finish`).
    pub(crate) fn asterisk_csv(&mut self, line: &str) -> Result<Option<CallInput>, String> {
        let row = self.asterisk_row(line)?;
        Ok(match self.pending.take() {
            Some(kept) if kept.call_id == row.call_id => {
                self.pending = Some(better(kept, row));
                None
            }
            earlier => {
                self.pending = Some(row);
                earlier
            }
        })
    }

    fn asterisk_row(&mut self, line: &str) -> Result<CallInput, String> {
        let f = self.csv.fields(line).ok_or("not a CSV line")?;
        if !(16..=18).contains(&f.len()) {
            return Err(format!(
                "Master.csv lines have 16 to 18 columns; this one has {}",
                f.len()
            ));
        }
        let (src, dst, dstchannel, lastapp, lastdata) = (
            f[1].as_str(),
            f[2].as_str(),
            f[6].as_str(),
            f[7].as_str(),
            f[8].as_str(),
        );
        let start = local_time(&f[9], &self.tz)?;
        let duration: Option<i64> = f[12].trim().parse().ok().filter(|d| *d >= 0);
        let billsec: Option<i64> = f[13].trim().parse().ok().filter(|d| *d >= 0);
        // The duration columns are the truth across a clock change; the end column otherwise.
        let end = match duration.and_then(|d| plus(&start, d)) {
            Some(end) => end,
            None => local_time(&f[11], &self.tz)?,
        };
        let answered = if f[10].trim().is_empty() {
            None
        } else {
            match billsec.and_then(|b| plus(&end, -b)) {
                Some(at) => Some(at),
                None => Some(local_time(&f[10], &self.tz)?),
            }
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
        let member = channel_extension(dstchannel);
        let in_queue = queue.is_some() || lastapp.eq_ignore_ascii_case("Queue");
        if in_queue && member.is_none() && disposition != Disposition::Busy {
            // Queue() answers the caller to play music, so no agent is what says nobody took
            // it: the queue timed out if the caller stayed its whole timeout, else the caller
            // hung up first.
            let stayed = duration.unwrap_or(0);
            disposition = match queue_timeout(lastdata) {
                Some(timeout) if stayed >= timeout => Disposition::Missed,
                _ => Disposition::Abandoned,
            };
        }
        // An agent who is no user here is kept by what the channel names.
        let agent = queue.as_ref().and(member);
        let call_id = f
            .get(16)
            .filter(|u| !u.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("{}-{}-{}-{}", f[9], f[5], src, dst));
        Ok(CallInput {
            call_id,
            direction: self.direction(src, dst),
            from: if src.is_empty() {
                "anonymous".into()
            } else {
                src.to_owned()
            },
            // A call that never got a destination (failed early) has none in the file.
            to: if dst.is_empty() {
                "unknown".into()
            } else {
                dst.to_owned()
            },
            started_at: start,
            answered_at: answered.filter(|_| disposition == Disposition::Answered),
            ended_at: end,
            disposition,
            users,
            queue,
            agent: agent.filter(|_| disposition == Disposition::Answered),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_timeout_is_the_fifth_argument() {
        assert_eq!(queue_timeout("600,t,,,30"), Some(30));
        assert_eq!(queue_timeout("sales|tT|||120"), Some(120));
        assert_eq!(queue_timeout("600"), None);
        assert_eq!(queue_timeout("600,t,,,"), None);
    }
}
