//! The records FreeSWITCH wrote to disk instead of posting: `mod_json_cdr` and `mod_xml_cdr`
//! write `<uuid>.cdr.json` / `<uuid>.cdr.xml` (`a_<uuid>…` for an A leg with `prefix-a-leg`)
//! to their `err-log-dir` when a post fails, and to `log-dir` when told to keep a copy.
//!
//! Each file is read as a post would be and then moved aside: into `imported/` once stored
//! (or already there), into `rejected/` when it can never be stored (not a record, no domain
//! of this installation), with the reason. A file that failed on Switchboard's side (the
//! database was away) stays where it is, for the next run.

use super::cdr::{Cdr, MAX_CDR_BYTES, ingest};
use crate::AppState;
use crate::error::ApiError;
use std::path::{Path, PathBuf};
use switchboard_domain::IngestSummary;

pub const IMPORTED: &str = "imported";
pub const REJECTED: &str = "rejected";

/// What one run did.
#[derive(Debug, Default)]
pub struct SpoolReport {
    pub files: usize,
    pub stored: IngestSummary,
    /// Moved to `rejected/`: the file and why.
    pub rejected: Vec<(PathBuf, String)>,
    /// Left in place, to be tried again: the file and why.
    pub kept: Vec<(PathBuf, String)>,
}

/// The record files in a folder (not below it), oldest name first.
pub fn record_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let path = entry.path();
        if uuid_of(&path).is_some() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// `a_1f2e….cdr.json` → `a_1f2e…` (the importer strips the `a_`, as for a post).
fn uuid_of(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let uuid = name
        .strip_suffix(".cdr.json")
        .or_else(|| name.strip_suffix(".cdr.xml"))?;
    (!uuid.is_empty()).then_some(uuid)
}

enum Outcome {
    Stored(IngestSummary),
    Rejected(String),
    Kept(String),
}

async fn import_file(state: &AppState, path: &Path) -> Outcome {
    let uuid = uuid_of(path);
    let text = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_CDR_BYTES as u64 => {
            return Outcome::Rejected(format!("larger than {MAX_CDR_BYTES} bytes"));
        }
        Ok(_) => match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => return Outcome::Kept(e.to_string()),
        },
        Err(e) => return Outcome::Kept(e.to_string()),
    };
    let stored = match Cdr::read(&text) {
        Ok(cdr) => ingest(state, &cdr, uuid).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(summary) => Outcome::Stored(summary),
        Err(e) if e.status.is_server_error() => Outcome::Kept(reason(e)),
        Err(e) => Outcome::Rejected(reason(e)),
    }
}

fn reason(e: ApiError) -> String {
    e.cause.unwrap_or(e.message)
}

/// Move a file into a folder beside it, created when missing.
fn move_into(path: &Path, folder: &str) -> std::io::Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(());
    };
    let target = dir.join(folder);
    std::fs::create_dir_all(&target)?;
    std::fs::rename(path, target.join(name))
}

/// Import every record file of `dir`; `progress` is told after each file (done, total).
pub async fn import(
    state: &AppState,
    dir: &Path,
    mut progress: impl FnMut(usize, usize),
) -> std::io::Result<SpoolReport> {
    let files = record_files(dir)?;
    let mut report = SpoolReport {
        files: files.len(),
        ..SpoolReport::default()
    };
    for (done, path) in files.iter().enumerate() {
        match import_file(state, path).await {
            Outcome::Stored(s) => {
                report.stored.inserted += s.inserted;
                report.stored.duplicates += s.duplicates;
                report.stored.merged += s.merged;
                move_into(path, IMPORTED)?;
            }
            Outcome::Rejected(why) => {
                move_into(path, REJECTED)?;
                report.rejected.push((path.clone(), why));
            }
            Outcome::Kept(why) => report.kept.push((path.clone(), why)),
        }
        progress(done + 1, files.len());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_files_are_named_by_their_uuid() {
        for (name, uuid) in [
            ("0b7a4c2e-8d1f.cdr.json", Some("0b7a4c2e-8d1f")),
            ("a_0b7a4c2e.cdr.xml", Some("a_0b7a4c2e")),
            (".cdr.json", None),
            ("notes.txt", None),
            ("x.cdr.json.tmp", None),
        ] {
            assert_eq!(uuid_of(Path::new(name)), uuid, "{name}");
        }
    }
}
