//! The report of a group command: one row per user and group (`line, user_key, user_id, group,
//! outcome, reason`), CSV, or JSON for a `.json` path. The file is opened (and locked) before
//! anything is sent and appears whole when the run ends.

use crate::exit::CliResult;
use crate::output_file::{file_error, OutputFile};
use crate::report::neutralize;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One user and group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Row {
    /// The input line (none for a member a sync removes).
    pub line: Option<u64>,
    /// The user as the input named it (or the member's username).
    pub user_key: String,
    /// The user's id, when known.
    pub user_id: String,
    /// The group's name.
    pub group: String,
    /// `added`, `removed`, `already_member`, `not_member`, `failed` or `not_sent`.
    pub outcome: String,
    /// Why it failed or was not sent, or a note.
    pub reason: String,
}

/// The report file, open while the run sends.
pub struct ReportFile(OutputFile);

impl ReportFile {
    /// Opens `path` for `--report`.
    ///
    /// # Errors
    /// Another run writes it, or its directory is missing.
    pub fn open(path: &Path) -> CliResult<Self> {
        OutputFile::create("--report", path).map(Self)
    }

    /// Writes `rows` and puts the file in place.
    ///
    /// # Errors
    /// A write error.
    pub fn finish(self, rows: &[Row]) -> CliResult<()> {
        let path = self.0.path().to_owned();
        let fail = |e: &dyn std::fmt::Display| file_error("--report", &path, e);
        let mut file = std::io::BufWriter::new(self.0.writer()?);
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json {
            serde_json::to_writer_pretty(&mut file, rows).map_err(|e| fail(&e))?;
            writeln!(file).map_err(|e| fail(&e))?;
        } else {
            let mut csv = csv::Writer::from_writer(&mut file);
            csv.write_record(["line", "user_key", "user_id", "group", "outcome", "reason"])
                .map_err(|e| fail(&e))?;
            for row in rows {
                let line = row.line.map(|l| l.to_string()).unwrap_or_default();
                let cells = [
                    &line,
                    &row.user_key,
                    &row.user_id,
                    &row.group,
                    &row.outcome,
                    &row.reason,
                ];
                csv.write_record(cells.iter().map(|c| neutralize(c).into_owned()))
                    .map_err(|e| fail(&e))?;
            }
            csv.flush().map_err(|e| fail(&e))?;
        }
        file.flush().map_err(|e| fail(&e))?;
        drop(file);
        self.0.commit()
    }
}
