//! `switchboard calls import`: call records from a switch's own files, streamed and batched.
//!
//! Every format becomes a neutral `CallInput` (the `switchboard-records` crate), checked
//! exactly like ingested ones. Batches are stored whole; what the readers can read past is counted
//! and reported, and the first line that is no call stops the import and is named, with what was
//! stored before it. Call ids make a second run of the same file store nothing new.

use crate::api::calls::parse_call;
use crate::error::ApiError;
use std::collections::VecDeque;
use std::io::BufRead;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource, operator_permit};
pub use switchboard_records::Format;
use switchboard_records::{Decoder, Extensions};
use switchboard_store::{AuditContext, NewCall, Store};

#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub format: Option<Format>,
    pub batch_size: usize,
    pub dry_run: bool,
    /// The switch's local time zone for CSV timestamps (default: the domain's).
    pub timezone: Option<TimeZoneName>,
}

/// What an import read and did. Every line is counted once: as a call record (`call_lines`),
/// a queue_log event (`events`, the ones that end calls included), or skipped (`skipped`:
/// blank lines, unknown events).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub lines: u64,
    /// Lines that are call records (with `unanswered=yes`, several rows of one call).
    pub call_lines: u64,
    /// Calls read: stored (or checked, in a dry run).
    pub calls: u64,
    pub inserted: u64,
    /// Calls the domain had already, with nothing new in this file's record of them.
    pub duplicates: u64,
    /// Calls the domain had already, to which this file's record added (a queue_log's agent to
    /// a Master.csv record, say): merged into the stored call.
    pub merged: u64,
    /// Lines that are neither calls nor events: blank lines and events of unknown kinds.
    pub skipped: u64,
    /// queue_log lines that are steps of calls or agent and queue events.
    pub events: u64,
    /// Calls whose beginning is in an earlier file (a rotated log), rebuilt from their end.
    pub partial: u64,
    /// Queue calls still waiting when the file ended (not stored).
    pub unfinished: u64,
    /// Unknown queue_log events, by name, and how many of each.
    pub unknown_events: std::collections::BTreeMap<String, u64>,
    /// Lines that were not UTF-8 and were read as Latin-1 (the first few line numbers) and
    /// how many there were.
    pub latin1_lines: Vec<u64>,
    pub latin1: u64,
}

/// How many line numbers a report lists for one kind of note.
const NOTED_LINES: usize = 10;

/// A line as text: UTF-8, or read as Latin-1 (ISO 8859-1, every byte a character) when it is
/// not, as files from older switches and spreadsheets are.
fn text_of(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.into(), false),
        Err(_) => (
            bytes
                .iter()
                .map(|b| char::from(*b))
                .collect::<String>()
                .into(),
            true,
        ),
    }
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

/// A reader of a domain's call records: local times in `timezone` (default: the domain's), its
/// users and queues known by extension (and queues by name); with the directory the calls are
/// checked against.
pub async fn decoder_for(
    store: &Store,
    domain: &Domain,
    format: Option<Format>,
    timezone: Option<TimeZoneName>,
) -> Result<(Decoder, switchboard_store::ExtensionDirectory), String> {
    let dir = store
        .extension_directory(domain.id)
        .await
        .map_err(|e| e.to_string())?;
    let tz_name = timezone.unwrap_or_else(|| domain.timezone.clone());
    let tz = jiff::tz::TimeZone::get(tz_name.as_str()).map_err(|e| e.to_string())?;
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
        .map_err(|e| e.to_string())?;
    let extensions = Extensions::new(
        dir.users.keys().cloned(),
        queues
            .items
            .into_iter()
            .map(|q| (q.extension.to_string(), q.name.as_str().to_owned())),
    );
    Ok((Decoder::new(format, tz, extensions), dir))
}

/// Import a file's calls into a domain.
pub async fn import_calls<R: BufRead>(
    store: &Store,
    domain: &Domain,
    reader: R,
    options: &ImportOptions,
    mut progress: impl FnMut(u64, &ImportReport),
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    // Cloned into an error when one stops the import: what was done before it.
    let fail = |line: Option<u64>, message: String, report: ImportReport| ImportError {
        line,
        message,
        report,
    };
    let (mut decoder, dir) = decoder_for(store, domain, options.format, options.timezone.clone())
        .await
        .map_err(|m| fail(None, m, report.clone()))?;
    let mut batch: Vec<NewCall> = Vec::with_capacity(options.batch_size);
    let mut writer = BatchWriter::new(store, domain, options.dry_run);
    let mut bytes = 0u64;
    let lines = reader.split(b'\n').enumerate();
    // Parsing stops at the first bad line, but the batch being stored still lands (or fails)
    // before the error is reported, so the report says what was stored.
    let parsed: Result<(), ImportError> = async {
        for (index, raw) in lines {
            let number = index as u64 + 1;
            let raw = raw.map_err(|e| {
                fail(
                    Some(number),
                    format!("cannot read the file: {e}"),
                    report.clone(),
                )
            })?;
            bytes += raw.len() as u64 + 1;
            report.lines = number;
            // A UTF-8 byte-order mark is not part of the first line, whatever follows it.
            let raw = match number {
                1 => raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw),
                _ => &raw[..],
            };
            let (line, latin1) = text_of(raw);
            if latin1 {
                report.latin1 += 1;
                if report.latin1_lines.len() < NOTED_LINES {
                    report.latin1_lines.push(number);
                }
            }
            let events_before = decoder.tally().events;
            let decoded = decoder
                .line(&line)
                .map_err(|m| fail(Some(number), m, report.clone()))?;
            if decoder.tally().events > events_before {
                report.events += 1;
            } else if !line.trim().is_empty()
                && (decoded.is_some() || decoder.format() == Some(Format::AsteriskCsv))
            {
                // A Master.csv row is a call's whether it ends one or joins the next.
                report.call_lines += 1;
            } else {
                report.skipped += 1;
            }
            let Some(input) = decoded else { continue };
            let call = parse_call(0, &input, &dir).map_err(|e: ApiError| {
                fail(
                    Some(number),
                    e.message.replacen("calls[0].", "", 1),
                    report.clone(),
                )
            })?;
            batch.push(call);
            if batch.len() >= options.batch_size {
                // The next batch gets its room at once: grown call by call, each doubling
                // copied the calls so far into fresh pages.
                let full = std::mem::replace(&mut batch, Vec::with_capacity(options.batch_size));
                writer.submit(full, &mut report).await?;
                progress(bytes, &report);
            }
        }
        if let Some(input) = decoder.finish() {
            let call = parse_call(0, &input, &dir).map_err(|e: ApiError| {
                fail(
                    Some(report.lines),
                    e.message.replacen("calls[0].", "", 1),
                    report.clone(),
                )
            })?;
            batch.push(call);
        }
        writer.submit(batch, &mut report).await
    }
    .await;
    let stored = writer.finish(&mut report).await;
    let tally = decoder.tally();
    report.partial = tally.partial;
    report.unknown_events = tally.unknown_events.clone();
    report.unfinished = decoder.unfinished() as u64;
    parsed.map_err(|e| ImportError {
        report: report.clone(),
        ..e
    })?;
    stored?;
    if !options.dry_run && report.inserted > 0 {
        store
            .refresh_call_statistics()
            .await
            .map_err(|e| fail(None, e.to_string(), report.clone()))?;
    }
    progress(bytes, &report);
    Ok(report)
}

/// Stores batches in the background: the next batch is parsed while the last ones are written
/// (parsing, 2.5 s a million lines, hides behind the storing), as many at once as the store
/// takes (`Store::ingest_batches_at_once`).
struct BatchWriter {
    store: Store,
    reseller: ResellerId,
    domain: DomainId,
    dry_run: bool,
    ctx: AuditContext,
    in_flight: VecDeque<(
        u64,
        tokio::task::JoinHandle<switchboard_store::Result<IngestSummary>>,
    )>,
    at_once: usize,
}

impl BatchWriter {
    fn new(store: &Store, domain: &Domain, dry_run: bool) -> BatchWriter {
        BatchWriter {
            store: store.clone(),
            reseller: domain.reseller_id,
            domain: domain.id,
            dry_run,
            ctx: AuditContext::operator("calls import"),
            in_flight: VecDeque::new(),
            at_once: store.ingest_batches_at_once().max(1),
        }
    }

    /// Wait until the store takes another batch, then start storing this one.
    async fn submit(
        &mut self,
        calls: Vec<NewCall>,
        report: &mut ImportReport,
    ) -> Result<(), ImportError> {
        while self.in_flight.len() >= self.at_once {
            self.finish_oldest(report).await?;
        }
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
                .ingest_calls(&permit, &ctx, reseller, domain, calls)
                .await
        });
        self.in_flight.push_back((count, task));
        Ok(())
    }

    /// Wait for every batch being stored, counting each in the report; a failed one is reported
    /// after the others have finished, so the report says exactly what was stored.
    async fn finish(&mut self, report: &mut ImportReport) -> Result<(), ImportError> {
        let mut first_failure = None;
        while !self.in_flight.is_empty() {
            if let Err(e) = self.finish_oldest(report).await {
                first_failure.get_or_insert(e);
            }
        }
        match first_failure {
            Some(mut e) => {
                e.report = report.clone();
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// Wait for the oldest batch being stored, and count it in the report.
    async fn finish_oldest(&mut self, report: &mut ImportReport) -> Result<(), ImportError> {
        let Some((count, task)) = self.in_flight.pop_front() else {
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
                report.merged += summary.merged;
                Ok(())
            }
            Ok(Err(e)) => Err(failed(e.to_string(), report.clone())),
            Err(e) => Err(failed(e.to_string(), report.clone())),
        }
    }
}
