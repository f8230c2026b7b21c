//! FreeSWITCH's `mod_cdr_csv` with its default template: caller_id_name, caller_id_number,
//! destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec,
//! hangup_cause, uuid, bleg_uuid, accountcode (and read_codec, write_codec).

use crate::CallInput;
use crate::decoder::Decoder;
use crate::formats::local_time;
use switchboard_domain::Disposition;

impl Decoder {
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
}
