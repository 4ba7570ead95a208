//! Reports out: one row per input line (CSV or JSON by extension), and the failed input rows in
//! the input's own columns. Report cells that a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'`.

use serde::Serialize;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A cell safe to open in a spreadsheet.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReportRow {
    /// Line of the input file.
    pub line: u64,
    /// Username, when known.
    pub username: Option<String>,
    /// E-mail, when known.
    pub email: Option<String>,
    /// applied, failed, not_submitted, unknown.
    pub outcome: &'static str,
    /// The user created or changed.
    pub user_id: Option<String>,
    /// The job.
    pub job_id: Option<String>,
    /// Why it was not applied.
    pub reason: Option<String>,
    /// Each group of the row's `groups` column with its outcome (`Eng:added;VPN:already_member`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<String>,
}

const COLUMNS: [&str; 7] = [
    "line", "username", "email", "outcome", "user_id", "job_id", "reason",
];

enum Sink {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Json { out: BufWriter<File>, first: bool },
    Ndjson(BufWriter<File>),
}

/// Writes the report as rows arrive.
pub struct ReportWriter {
    sink: Sink,
    groups: bool,
}

impl ReportWriter {
    /// A report into `file`, in the format `path`'s extension names: `.json` a JSON array,
    /// `.ndjson`/`.jsonl` one object per line, else CSV.
    ///
    /// # Errors
    /// The header cannot be written.
    pub fn new(file: File, path: &Path, groups: bool) -> std::io::Result<Self> {
        let out = BufWriter::new(file);
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let sink = match extension.as_str() {
            "json" => Sink::Json { out, first: true },
            "ndjson" | "jsonl" => Sink::Ndjson(out),
            _ => {
                let mut writer = csv::Writer::from_writer(out);
                let extra = groups.then_some("groups");
                writer
                    .write_record(COLUMNS.iter().copied().chain(extra))
                    .map_err(std::io::Error::other)?;
                Sink::Csv(Box::new(writer))
            }
        };
        Ok(Self { sink, groups })
    }

    /// Adds a row.
    ///
    /// # Errors
    /// A write error.
    pub fn write(&mut self, row: &ReportRow) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Csv(writer) => {
                let line = row.line.to_string();
                let cells = [
                    Some(line.as_str()),
                    row.username.as_deref(),
                    row.email.as_deref(),
                    Some(row.outcome),
                    row.user_id.as_deref(),
                    row.job_id.as_deref(),
                    row.reason.as_deref(),
                ];
                let groups = self.groups.then_some(row.groups.as_deref());
                writer
                    .write_record(
                        cells
                            .iter()
                            .chain(groups.iter())
                            .map(|c| neutralize(c.unwrap_or_default()).into_owned()),
                    )
                    .map_err(std::io::Error::other)
            }
            Sink::Json { out, first } => {
                out.write_all(if *first { b"[\n" } else { b",\n" })?;
                *first = false;
                serde_json::to_writer(&mut *out, row)?;
                Ok(())
            }
            Sink::Ndjson(out) => {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")
            }
        }
    }

    /// Completes and flushes the file.
    ///
    /// # Errors
    /// A write error.
    pub fn finish(self) -> std::io::Result<()> {
        match self.sink {
            Sink::Csv(mut writer) => writer.flush(),
            Sink::Json { mut out, first } => {
                out.write_all(if first { b"[]\n" } else { b"\n]\n" })?;
                out.flush()
            }
            Sink::Ndjson(mut out) => out.flush(),
        }
    }
}

/// Writes failed input rows with the input's header, verbatim, ready to fix and re-run.
pub struct FailedRows {
    writer: csv::Writer<BufWriter<File>>,
    count: u64,
}

impl FailedRows {
    /// Failed rows into `file`, under the input's header.
    ///
    /// # Errors
    /// The header cannot be written.
    pub fn new(file: File, header: &[String]) -> std::io::Result<Self> {
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(header).map_err(std::io::Error::other)?;
        Ok(Self { writer, count: 0 })
    }

    /// Adds an input row.
    ///
    /// # Errors
    /// A write error.
    pub fn write(&mut self, raw: &csv::StringRecord) -> std::io::Result<()> {
        self.count += 1;
        self.writer.write_record(raw).map_err(std::io::Error::other)
    }

    /// Rows written.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flushes the file.
    ///
    /// # Errors
    /// A write error.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize(cell).starts_with('\''), "{cell}");
        }
        for cell in ["ada", "", "a=b", "1+1"] {
            assert_eq!(neutralize(cell), cell);
        }
    }
}
