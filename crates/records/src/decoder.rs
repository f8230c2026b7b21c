//! A file's lines in, finished calls out.

use crate::CallInput;
use crate::csv_line::LineSplitter;
use crate::formats::{Extensions, FORMAT_NAMES, Format};
use std::collections::{BTreeMap, HashMap};
use switchboard_domain::Direction;

/// What a file held besides its calls, for the import's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// queue_log lines that are steps of a call or agent and queue events (not calls).
    pub events: u64,
    /// Calls whose first events are in an earlier file (a rotated queue_log), rebuilt from
    /// their last event's hold and talk times.
    pub partial: u64,
    /// queue_log events this reader does not know, by name, and how many of each.
    pub unknown_events: BTreeMap<String, u64>,
}

/// Reads one file: the format is named or found from its first line that is not blank.
pub struct Decoder {
    format: Option<Format>,
    pub(crate) extensions: Extensions,
    pub(crate) csv: LineSplitter,
    /// The switch's zone, for CSV files' local times.
    pub(crate) tz: jiff::tz::TimeZone,
    /// queue_log: calls in progress by unique id.
    pub(crate) waiting: HashMap<String, CallInput>,
    /// Master.csv: the call of the last rows, until a row of another call (or the end) comes.
    pub(crate) pending: Option<CallInput>,
    pub(crate) tally: Tally,
    started: bool,
}

impl Decoder {
    pub fn new(format: Option<Format>, tz: jiff::tz::TimeZone, extensions: Extensions) -> Decoder {
        Decoder {
            format,
            extensions,
            csv: LineSplitter::new(),
            tz,
            waiting: HashMap::new(),
            pending: None,
            tally: Tally::default(),
            started: false,
        }
    }

    /// The file ended: the call of its last rows, if one is still held.
    pub fn finish(&mut self) -> Option<CallInput> {
        self.pending.take()
    }

    /// What the file held besides calls, so far.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The file's format, once it is known.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// One line: the call it finishes, `None` for a line that is not a call (a blank line, a
    /// queue_log agent event, a queue call still in progress), or why it cannot be read.
    pub fn line(&mut self, line: &str) -> Result<Option<CallInput>, String> {
        // A byte-order mark before the first line is how some editors save UTF-8.
        let line = if self.started {
            line
        } else {
            line.trim_start_matches('\u{feff}')
        };
        if line.trim().is_empty() {
            return Ok(None);
        }
        self.started = true;
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
            Format::JsonLines => serde_json::from_str::<CallInput>(line)
                .map(Some)
                .map_err(|e| e.to_string()),
            Format::AsteriskCsv => self.asterisk_csv(line),
            Format::FreeswitchCsv => self.freeswitch_csv(line),
            Format::AsteriskQueueLog => self.queue_log(line),
        }
    }

    /// queue_log calls that had not ended when the file did.
    pub fn unfinished(&self) -> usize {
        self.waiting.len()
    }

    pub(crate) fn user(&self, ext: &str) -> bool {
        self.extensions.is_user(ext)
    }

    pub(crate) fn direction(&self, from: &str, to: &str) -> Direction {
        match (
            self.user(from),
            self.user(to) || self.extensions.is_queue(to),
        ) {
            (true, true) => Direction::Internal,
            (true, false) => Direction::Outbound,
            _ => Direction::Inbound,
        }
    }

    pub(crate) fn parties(&self, from: &str, to: &str) -> (Vec<String>, Option<String>) {
        let users = [from, to]
            .into_iter()
            .filter(|e| self.user(e))
            .map(str::to_owned)
            .collect();
        let queue = self.extensions.is_queue(to).then(|| to.to_owned());
        (users, queue)
    }
}
