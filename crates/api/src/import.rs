//! `switchboard calls import`: call records from a switch's own files, streamed and batched.
//!
//! Every format becomes a neutral `CallInput` (the `switchboard-records` crate), checked
//! exactly like ingested ones. Batches are stored whole; the first bad line stops the import and is named,
//! with what was stored before it. Call ids make a second run of the same file store nothing new.

use crate::api::calls::parse_call;
use crate::error::ApiError;
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
    let extensions = Extensions::new(
        dir.users.keys().cloned(),
        queues
            .items
            .into_iter()
            .map(|q| (q.extension.to_string(), q.name.as_str().to_owned())),
    );
    let mut decoder = Decoder::new(options.format, tz, extensions);
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
            let Some(input) = decoder
                .line(&line)
                .map_err(|m| fail(Some(number), m, report))?
            else {
                if decoder.format() != Some(Format::AsteriskQueueLog) {
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
    report.skipped += decoder.unfinished() as u64;
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
