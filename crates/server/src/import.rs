//! `switchboard calls import`: call records from a switch's own files, streamed and batched.
//!
//! Every format becomes the API's `CallInput`, so imported calls are checked exactly like
//! ingested ones. Batches are stored whole; the first bad line stops the import and is named,
//! with what was stored before it. Call ids make a second run of the same file store nothing new.

use crate::api::calls::{CallInput, parse_call};
use crate::error::ApiError;
use std::collections::HashMap;
use std::io::BufRead;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, operator_permit};
use switchboard_store::{AuditContext, ExtensionDirectory, NewCall, Store};

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
        if pipe_fields.len() >= 5 && pipe_fields[0].bytes().all(|b| b.is_ascii_digit()) {
            return Some(Format::AsteriskQueueLog);
        }
        match csv_fields(line).map(|f| f.len()) {
            Some(16..=18) => Some(Format::AsteriskCsv),
            Some(13 | 15) => Some(Format::FreeswitchCsv),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub format: Option<Format>,
    pub batch_size: usize,
    pub dry_run: bool,
    /// The switch's local time zone for CSV timestamps (default: the domain's).
    pub timezone: Option<TimeZoneName>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub lines: u64,
    pub calls: u64,
    pub inserted: u64,
    pub duplicates: u64,
    /// Lines that are not calls (queue_log agent events, blank lines), and queue calls still
    /// waiting when the file ended.
    pub skipped: u64,
}

#[derive(Debug)]
pub struct ImportError {
    /// The line at fault (1-based), when one is.
    pub line: Option<u64>,
    pub message: String,
    /// What was stored before the error.
    pub report: ImportReport,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Splits CSV lines into fields with one reader for the whole file (building a reader per line
/// was most of an import's time).
struct LineSplitter {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl LineSplitter {
    fn new() -> LineSplitter {
        LineSplitter {
            reader: csv_core::Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    fn fields(&mut self, line: &str) -> Option<Vec<String>> {
        use csv_core::ReadRecordResult::*;
        self.reader.reset();
        let (mut input, mut out_at, mut ends_at, mut finishing) = (line.as_bytes(), 0, 0, false);
        loop {
            let (result, read, wrote, ended) =
                self.reader
                    .read_record(input, &mut self.out[out_at..], &mut self.ends[ends_at..]);
            input = &input[read..];
            out_at += wrote;
            ends_at += ended;
            match result {
                InputEmpty if !finishing => finishing = true,
                InputEmpty => return None,
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => break,
                End => return None,
            }
        }
        let mut start = 0;
        let fields = self.ends[..ends_at]
            .iter()
            .map(|&end| {
                let field = String::from_utf8_lossy(&self.out[start..end]).into_owned();
                start = end;
                field
            })
            .collect();
        Some(fields)
    }
}

fn csv_fields(line: &str) -> Option<Vec<String>> {
    LineSplitter::new().fields(line)
}

/// Local "YYYY-MM-DD HH:MM:SS" in the switch's zone, as RFC 3339.
fn local_time(raw: &str, tz: &jiff::tz::TimeZone) -> Result<String, String> {
    let dt: jiff::civil::DateTime = raw
        .trim()
        .parse()
        .map_err(|_| format!("'{raw}' is not a time like 2026-03-02 09:00:00"))?;
    let zoned = dt.to_zoned(tz.clone()).map_err(|e| e.to_string())?;
    Ok(zoned.timestamp().to_string())
}

/// The extension in a channel name: `SIP/105-0000002a`, `PJSIP/105`, `Local/105@queue/n`.
fn channel_extension(channel: &str) -> Option<String> {
    let after = channel.split_once('/').map_or(channel, |(_, rest)| rest);
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

struct Converter<'a> {
    dir: &'a ExtensionDirectory,
    csv: LineSplitter,
    tz: jiff::tz::TimeZone,
    /// queue_log: calls in progress by unique id.
    waiting: HashMap<String, CallInput>,
    queue_names: HashMap<String, String>,
}

impl Converter<'_> {
    fn user(&self, ext: &str) -> bool {
        self.dir.users.contains_key(ext)
    }

    fn direction(&self, from: &str, to: &str) -> Direction {
        match (
            self.user(from),
            self.user(to) || self.dir.queues.contains_key(to),
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
        let queue = self.dir.queues.contains_key(to).then(|| to.to_owned());
        (users, queue)
    }

    /// One line of Asterisk's Master.csv.
    fn asterisk_csv(&mut self, line: &str) -> Result<Option<CallInput>, String> {
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
    fn freeswitch_csv(&mut self, line: &str) -> Result<Option<CallInput>, String> {
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
    fn queue_log(&mut self, line: &str) -> Result<Option<CallInput>, String> {
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
            .queue_names
            .get(&queue_name.to_lowercase())
            .cloned()
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

const UNKNOWN_FORMAT: &str = "cannot tell the file's format; name it with --format \
                              (jsonl, asterisk-csv, queue-log, freeswitch-csv)";

/// Import a file's calls into a domain.
pub async fn import_calls<R: BufRead>(
    store: &Store,
    domain: &Domain,
    reader: R,
    options: &ImportOptions,
    mut progress: impl FnMut(u64, &ImportReport),
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let fail = |line: Option<u64>, message: String, report: ImportReport| ImportError {
        line,
        message,
        report,
    };
    let dir = store
        .extension_directory(domain.id)
        .await
        .map_err(|e| fail(None, e.to_string(), report))?;
    let tz_name = options
        .timezone
        .clone()
        .unwrap_or_else(|| domain.timezone.clone());
    let tz =
        jiff::tz::TimeZone::get(tz_name.as_str()).map_err(|e| fail(None, e.to_string(), report))?;
    let mut queue_names = HashMap::new();
    let queues = store
        .list_call_queues(
            &switchboard_policy::operator_visibility(Resource::CallQueues),
            domain.id,
            None,
            switchboard_store::PageRequest {
                after: None,
                limit: 500,
            },
        )
        .await
        .map_err(|e| fail(None, e.to_string(), report))?;
    for q in queues.items {
        queue_names.insert(q.extension.to_string(), q.extension.to_string());
        queue_names.insert(q.name.as_str().to_lowercase(), q.extension.to_string());
    }
    let mut conv = Converter {
        dir: &dir,
        csv: LineSplitter::new(),
        tz,
        waiting: HashMap::new(),
        queue_names,
    };
    let mut format = options.format;
    let mut batch: Vec<NewCall> = Vec::with_capacity(options.batch_size);
    let mut writer = BatchWriter::new(store, domain, options.dry_run);
    let mut bytes = 0u64;
    let lines = reader.lines().enumerate();
    // Parsing stops at the first bad line, but the batch being stored still lands (or fails)
    // before the error is reported, so the report says what was stored.
    let parsed: Result<(), ImportError> = async {
        for (index, line) in lines {
            let number = index as u64 + 1;
            let line =
                line.map_err(|e| fail(Some(number), format!("cannot read the file: {e}"), report))?;
            bytes += line.len() as u64 + 1;
            report.lines = number;
            if line.trim().is_empty() {
                report.skipped += 1;
                continue;
            }
            let fmt = match format {
                Some(f) => f,
                None => {
                    let f = Format::sniff(&line)
                        .ok_or_else(|| fail(Some(number), UNKNOWN_FORMAT.into(), report))?;
                    format = Some(f);
                    f
                }
            };
            let parsed = match fmt {
                Format::JsonLines => serde_json::from_str::<CallInput>(&line)
                    .map(Some)
                    .map_err(|e| e.to_string()),
                Format::AsteriskCsv => conv.asterisk_csv(&line),
                Format::FreeswitchCsv => conv.freeswitch_csv(&line),
                Format::AsteriskQueueLog => conv.queue_log(&line),
            };
            let Some(input) = parsed.map_err(|m| fail(Some(number), m, report))? else {
                if fmt != Format::AsteriskQueueLog {
                    report.skipped += 1;
                }
                continue;
            };
            let call = parse_call(0, &input, &dir).map_err(|e: ApiError| {
                fail(Some(number), e.message.replacen("calls[0].", "", 1), report)
            })?;
            batch.push(call);
            if batch.len() >= options.batch_size {
                writer
                    .submit(std::mem::take(&mut batch), &mut report)
                    .await?;
                progress(bytes, &report);
            }
        }
        writer.submit(batch, &mut report).await
    }
    .await;
    let stored = writer.finish(&mut report).await;
    parsed.map_err(|e| ImportError { report, ..e })?;
    stored?;
    report.skipped += conv.waiting.len() as u64;
    progress(bytes, &report);
    Ok(report)
}

/// Stores batches one at a time, in the background: the next batch is parsed while the last one
/// is written: parsing (2.5 s a million lines) hides behind the storing.
struct BatchWriter {
    store: Store,
    reseller: ResellerId,
    domain: DomainId,
    dry_run: bool,
    ctx: AuditContext,
    in_flight: Option<(
        u64,
        tokio::task::JoinHandle<switchboard_store::Result<IngestSummary>>,
    )>,
}

impl BatchWriter {
    fn new(store: &Store, domain: &Domain, dry_run: bool) -> BatchWriter {
        BatchWriter {
            store: store.clone(),
            reseller: domain.reseller_id,
            domain: domain.id,
            dry_run,
            ctx: AuditContext::operator("calls import"),
            in_flight: None,
        }
    }

    /// Wait for the batch being stored, then start storing this one.
    async fn submit(
        &mut self,
        calls: Vec<NewCall>,
        report: &mut ImportReport,
    ) -> Result<(), ImportError> {
        self.finish(report).await?;
        if calls.is_empty() {
            return Ok(());
        }
        if self.dry_run {
            report.calls += calls.len() as u64;
            return Ok(());
        }
        let (store, ctx, reseller, domain) = (
            self.store.clone(),
            self.ctx.clone(),
            self.reseller,
            self.domain,
        );
        let count = calls.len() as u64;
        let task = tokio::spawn(async move {
            let permit = operator_permit(Resource::CallHistory, Action::Create);
            store
                .ingest_calls(&permit, &ctx, reseller, domain, &calls)
                .await
        });
        self.in_flight = Some((count, task));
        Ok(())
    }

    /// Wait for the batch being stored, and count it in the report.
    async fn finish(&mut self, report: &mut ImportReport) -> Result<(), ImportError> {
        let Some((count, task)) = self.in_flight.take() else {
            return Ok(());
        };
        let failed = |message: String, report: ImportReport| ImportError {
            line: None,
            message: format!("storing a batch failed, nothing of it was stored: {message}"),
            report,
        };
        match task.await {
            Ok(Ok(summary)) => {
                report.calls += count;
                report.inserted += summary.inserted;
                report.duplicates += summary.duplicates;
                Ok(())
            }
            Ok(Err(e)) => Err(failed(e.to_string(), *report)),
            Err(e) => Err(failed(e.to_string(), *report)),
        }
    }
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
    }

    #[test]
    fn csv_lines_split_like_csv() {
        let mut split = LineSplitter::new();
        assert_eq!(
            split.fields(r#""a","b ""c""",,3"#).unwrap(),
            ["a", r#"b "c""#, "", "3"]
        );
        assert_eq!(
            split.fields("x,y").unwrap(),
            ["x", "y"],
            "the reader is reused"
        );
        let long = vec!["field"; 200].join(",");
        assert_eq!(split.fields(&long).unwrap().len(), 200, "buffers grow");
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
}
