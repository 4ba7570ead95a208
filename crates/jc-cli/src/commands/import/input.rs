//! Where an import's records come from: a CSV file, standard input (spooled to an anonymous
//! temporary file, so that it can be checked and then sent), or ids given on the command line
//! (kept in memory: they never touch the filesystem). Every source is read as rows: checked in
//! a first pass, then streamed to the SDK by a reader thread in a second.

use crate::csv_input::{CsvFile, Duplicates, Kind, Problem, Row};
use crate::exit::{CliError, CliResult};
use jc_bulk::InputRecord;
use jc_models::Validate;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Problems printed at most; the count of the rest is printed.
const SHOWN: usize = 200;

/// The input of an import.
#[derive(Debug)]
pub enum Input {
    /// A CSV file.
    File(PathBuf),
    /// Standard input, spooled to an unnamed temporary file (removed by the OS on exit).
    Spooled(std::fs::File),
    /// Ids from the command line.
    Ids(Vec<String>),
}

impl Input {
    /// The input of `--csv PATH` (`-` is standard input).
    ///
    /// # Errors
    /// Standard input cannot be spooled.
    pub fn csv(path: &Path) -> CliResult<Self> {
        if path.as_os_str() != "-" {
            return Ok(Self::File(path.to_owned()));
        }
        let mut spool = tempfile::tempfile()
            .map_err(|e| CliError::other(format!("--csv -: cannot spool standard input: {e}")))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut spool)
            .map_err(|e| CliError::other(format!("--csv -: cannot read standard input: {e}")))?;
        Ok(Self::Spooled(spool))
    }

    /// The input of `--ids` (or `--user-ids`): trimmed, empty ones dropped.
    ///
    /// # Errors
    /// No id at all (exit 2).
    pub fn ids(flag: &str, ids: &[String]) -> CliResult<Self> {
        let ids: Vec<String> = ids
            .iter()
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .collect();
        if ids.is_empty() {
            return Err(CliError::invalid(format!("{flag} holds no id")));
        }
        Ok(Self::Ids(ids))
    }

    /// The name in messages: the path, `<stdin>` or `--ids`.
    pub fn name(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Spooled(_) => "<stdin>".into(),
            Self::Ids(_) => "--ids".into(),
        }
    }

    /// A new pass over the rows.
    ///
    /// # Errors
    /// The file cannot be opened, or its header is wrong (exit 2).
    pub fn rows(&self, kind: Kind) -> CliResult<Rows> {
        let name = PathBuf::from(self.name());
        let file = match self {
            Self::File(path) => CsvFile::open(path, kind),
            Self::Spooled(spool) => {
                let mut copy = spool.try_clone()?;
                copy.seek(SeekFrom::Start(0))?;
                CsvFile::from_reader(&name, Box::new(copy), kind)
            }
            Self::Ids(ids) => return Ok(Rows::Ids(ids.clone().into_iter(), 0)),
        };
        file.map(Rows::Csv)
            .map_err(|problems| located(&self.name(), &problems))
    }
}

/// Rows of a source, one pass.
pub enum Rows {
    /// CSV rows.
    Csv(CsvFile),
    /// Ids, with the count handed out so far.
    Ids(std::vec::IntoIter<String>, u64),
}

impl Rows {
    /// The column names (the header of `--failed-rows`).
    pub fn header(&self) -> Vec<String> {
        match self {
            Self::Csv(file) => file.header().names().to_vec(),
            Self::Ids(..) => vec!["id".into()],
        }
    }

    /// The next row; an id's "line" is its place in the list, from 1.
    pub fn next_row<R: DeserializeOwned + Validate>(&mut self) -> Option<Row<R>> {
        match self {
            Self::Csv(file) => file.next_row(),
            Self::Ids(ids, count) => {
                let id = ids.next()?;
                *count += 1;
                let record = serde_json::from_value::<R>(serde_json::json!({ "id": id }))
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.validate().map(|()| r).map_err(|v| v.to_string()))
                    .map_err(|message| {
                        vec![Problem {
                            line: *count,
                            column: Some("id".into()),
                            message,
                        }]
                    });
                Some(Row {
                    line: *count,
                    record,
                    raw: csv::StringRecord::from(vec![id]),
                })
            }
        }
    }

    /// The identifying values of a row, for duplicate checks.
    pub fn identity(&self, raw: &csv::StringRecord) -> Vec<(&'static str, String)> {
        match self {
            Self::Csv(file) => file.identity(raw),
            Self::Ids(..) => raw
                .get(0)
                .map(|id| vec![("id", id.trim().to_lowercase())])
                .unwrap_or_default(),
        }
    }
}

/// Every problem, each on its own line, prefixed with the input's name.
pub fn located(name: &str, problems: &[Problem]) -> CliError {
    let mut lines: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("{name}: {p}"))
        .collect();
    if problems.len() > SHOWN {
        lines.push(format!("... and {} more problems", problems.len() - SHOWN));
    }
    CliError::invalid(lines.join("\n"))
}

/// What the first pass found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Data rows.
    pub rows: u64,
    /// Rows with problems, by line, with their problems.
    pub invalid: BTreeMap<u64, Vec<Problem>>,
}

impl Checked {
    /// Rows without problems.
    pub fn valid(&self) -> u64 {
        self.rows - self.invalid.len() as u64
    }

    /// Every problem, in line order.
    pub fn problems(&self) -> Vec<Problem> {
        self.invalid.values().flatten().cloned().collect()
    }

    /// The reason a row was found invalid, for the report.
    fn reason(&self, line: u64) -> String {
        let text: Vec<String> = self
            .invalid
            .get(&line)
            .into_iter()
            .flatten()
            .map(|p| match &p.column {
                Some(c) => format!("{c}: {}", p.message),
                None => p.message.clone(),
            })
            .collect();
        format!("invalid: {}", text.join("; "))
    }
}

/// Reads every row once, collecting every problem (types, rules, duplicates) by line.
///
/// # Errors
/// A source that cannot be read, whose header is wrong, or with no data row (exit 2).
pub fn check<R: DeserializeOwned + Validate>(input: &Input, kind: Kind) -> CliResult<Checked> {
    let mut rows = input.rows(kind)?;
    let mut checked = Checked::default();
    let mut duplicates = Duplicates::default();
    while let Some(row) = rows.next_row::<R>() {
        checked.rows += 1;
        duplicates.add(row.line, rows.identity(&row.raw));
        if let Err(problems) = row.record {
            checked
                .invalid
                .entry(row.line)
                .or_default()
                .extend(problems);
        }
    }
    for problem in duplicates.problems() {
        checked
            .invalid
            .entry(problem.line)
            .or_default()
            .push(problem);
    }
    if checked.rows == 0 {
        return Err(CliError::invalid(format!(
            "{}: no data rows after the header",
            input.name()
        )));
    }
    Ok(checked)
}

/// What the reader tells the import loop beside the records it hands the SDK, in line order.
#[derive(Debug)]
pub enum Side {
    /// A valid row's cells (only when `--failed-rows` needs them).
    Raw(u64, csv::StringRecord),
    /// An invalid row, never sent: its cells and why.
    Rejected(u64, csv::StringRecord, String),
}

/// The second pass, on a reader thread: valid records as a stream for the SDK, and the rest
/// (invalid rows, and the cells of valid ones when `keep_raw`) on the side channel.
pub fn stream<R>(
    mut rows: Rows,
    checked: Checked,
    keep_raw: bool,
    buffer: usize,
) -> (
    impl futures::Stream<Item = InputRecord<R>> + Send + 'static,
    mpsc::UnboundedReceiver<Side>,
)
where
    R: DeserializeOwned + Validate + Send + 'static,
{
    let (records, receiver) = mpsc::channel::<InputRecord<R>>(buffer.max(1));
    let (side, side_receiver) = mpsc::unbounded_channel();
    tokio::task::spawn_blocking(move || {
        while let Some(row) = rows.next_row::<R>() {
            let sent = match (checked.invalid.contains_key(&row.line), row.record) {
                (false, Ok(record)) => {
                    if keep_raw {
                        let _ = side.send(Side::Raw(row.line, row.raw));
                    }
                    let item = InputRecord {
                        position: row.line,
                        record,
                    };
                    records.blocking_send(item).is_ok()
                }
                (true, _) => {
                    let reason = checked.reason(row.line);
                    side.send(Side::Rejected(row.line, row.raw, reason)).is_ok()
                }
                (false, Err(problems)) => {
                    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
                    let reason = format!("invalid: {}", text.join("; "));
                    side.send(Side::Rejected(row.line, row.raw, reason)).is_ok()
                }
            };
            if !sent {
                break;
            }
        }
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    (stream, side_receiver)
}
