//! [`CsvFile`]: a CSV input being read, header understood, rows converted on demand with
//! physical line numbers, and the input limits enforced.

use super::cells::row_object;
use super::columns::{Column, Kind};
use super::header::{parse_header, Header};
use super::problem::{problem, Problem};
use crate::keys::KeyPlan;
use crate::tracked::{Limits, Tracked, Tracker};
use jc_models::Validate;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A row read and converted.
#[derive(Debug)]
pub struct Row<R> {
    /// Its line number.
    pub line: u64,
    /// The record, or every problem of the row.
    pub record: Result<R, Vec<Problem>>,
    /// The cells as read (for `--failed-rows`).
    pub raw: ::csv::StringRecord,
}

/// A CSV file being read: header understood, rows on demand, physical line numbers, and the
/// limits (1 MiB a record, 10,000 columns) enforced.
pub struct CsvFile {
    path: PathBuf,
    kind: Kind,
    header: Header,
    reader: ::csv::Reader<Tracked<Box<dyn std::io::Read + Send>>>,
    tracker: Tracker,
    limits: Limits,
    fatal: Option<Problem>,
    key: Option<KeyPlan>,
}

impl CsvFile {
    /// Opens `path` and reads its header.
    ///
    /// # Errors
    /// An unreadable or empty file, or header problems.
    pub fn open(path: &Path, kind: Kind) -> Result<Self, Vec<Problem>> {
        let file = std::fs::File::open(path).map_err(|e| {
            vec![problem(
                0,
                None,
                format!("cannot open {}: {e}", path.display()),
            )]
        })?;
        Self::from_reader(path, Box::new(file), kind, None, Limits::default())
    }

    /// Reads the header of CSV text from `reader`, named `path` in messages; every byte read
    /// is copied to `spool` when one is given.
    ///
    /// # Errors
    /// An empty input, or header problems.
    pub fn from_reader(
        path: &Path,
        reader: Box<dyn std::io::Read + Send>,
        kind: Kind,
        spool: Option<Box<dyn std::io::Write + Send>>,
        limits: Limits,
    ) -> Result<Self, Vec<Problem>> {
        let tracked = Tracked::new(reader, spool, limits);
        let tracker = tracked.tracker();
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(tracked);
        let mut first = ::csv::StringRecord::new();
        match reader.read_record(&mut first) {
            Ok(true) => {}
            Ok(false) => {
                return Err(vec![problem(
                    1,
                    None,
                    "the file is empty: expected a header row",
                )])
            }
            Err(e) => return Err(vec![fatal_problem(&tracker, &e)]),
        }
        if first.len() > limits.max_columns {
            let line = tracker.seen().line_at(0);
            return Err(vec![too_many_columns(line, first.len(), limits)]);
        }
        let header = parse_header(kind, &first)?;
        Ok(Self {
            path: path.to_owned(),
            kind,
            header,
            reader,
            tracker,
            limits,
            fatal: None,
            key: None,
        })
    }

    /// Rows name their user by this key (update, expire, unlock): the id goes into each row,
    /// resolved from a name once the plan holds the resolved ids.
    pub fn set_key(&mut self, plan: KeyPlan) {
        self.key = Some(plan);
    }

    /// The key plan, if any.
    pub fn key(&self) -> Option<&KeyPlan> {
        self.key.as_ref()
    }

    /// Why reading stopped before the end: a record over the size limit, too many columns, or a
    /// quoted field never closed. Rows after it were not read.
    pub fn fatal(&self) -> Option<&Problem> {
        self.fatal.as_ref()
    }

    /// The content hash and size of everything read so far (the whole input once every row
    /// was read).
    pub fn fingerprint(&self) -> (u64, u64) {
        self.tracker.seen().fingerprint()
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next row, converted into `R`; `None` at the end, or when reading cannot go on
    /// (see [`CsvFile::fatal`]).
    pub fn next_row<R: DeserializeOwned + Validate>(&mut self) -> Option<Row<R>> {
        if self.fatal.is_some() {
            return None;
        }
        let mut raw = ::csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut raw) {
                Ok(false) => {
                    let open = self.tracker.seen().unclosed_quote();
                    self.fatal = open.map(|line| problem(line, None, "a quoted field opens on this line and is never closed: every line after it would be read as part of it (close the quote)"));
                    return None;
                }
                Err(e) if self.tracker.seen().refused().is_some() => {
                    self.fatal = Some(fatal_problem(&self.tracker, &e));
                    return None;
                }
                Err(e) => {
                    let line = self.line_of(e.position());
                    return Some(Row {
                        line,
                        record: Err(vec![csv_problem(line, &e)]),
                        raw,
                    });
                }
                Ok(true) => {}
            }
            let line = self.line_of(raw.position());
            if raw.len() > self.limits.max_columns {
                self.fatal = Some(too_many_columns(line, raw.len(), self.limits));
                return None;
            }
            if raw.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            // A row of a spreadsheet-safe export: its cells lose the `'` the export added.
            if let Some(at) = self.header.base() {
                if raw.get(at).is_some_and(super::base::is_safe) {
                    raw = raw.iter().map(super::unprotect).collect();
                }
            }
            let record = self.convert(&raw, line);
            return Some(Row { line, record, raw });
        }
    }

    fn line_of(&self, position: Option<&::csv::Position>) -> u64 {
        self.tracker
            .seen()
            .line_at(position.map_or(0, ::csv::Position::byte))
    }

    fn convert<R: DeserializeOwned + Validate>(
        &self,
        raw: &::csv::StringRecord,
        line: u64,
    ) -> Result<R, Vec<Problem>> {
        let width = self.header.names.len();
        if raw.len() != width {
            return Err(vec![problem(
                line,
                None,
                format!("{} fields, but the header has {width}", raw.len()),
            )]);
        }
        let broken: Vec<Problem> = self
            .header
            .names
            .iter()
            .zip(&self.header.columns)
            .zip(raw.iter())
            .filter(|((_, column), cell)| {
                matches!(column, Column::Field("username" | "email" | "id", _))
                    && cell.contains(['\n', '\r'])
            })
            .map(|((name, _), _)| {
                problem(
                    line,
                    Some(name),
                    "holds a line break: is a quote in this row opened and closed in the wrong place?",
                )
            })
            .collect();
        if !broken.is_empty() {
            return Err(broken);
        }
        let mut object = row_object(&self.header, raw, line)?;
        if let Some(plan) = &self.key {
            crate::keys::apply(plan, raw, &mut object, line)?;
        }
        let record: R =
            serde_path_to_error::deserialize(Value::Object(object)).map_err(|error| {
                let path = error.path().to_string();
                vec![problem(line, Some(&path), error.into_inner().to_string())]
            })?;
        record.validate().map_err(|violations| {
            violations
                .iter()
                .map(|v| problem(line, Some(&v.field), v.problem.to_string()))
                .collect::<Vec<_>>()
        })?;
        Ok(record)
    }

    /// The values of the identifying columns of a raw row (lowercased), for duplicate checks.
    pub fn identity(&self, raw: &::csv::StringRecord) -> Vec<(&'static str, String)> {
        let named = self.key.as_ref().and_then(|plan| {
            let name = crate::keys::name_of(plan, raw)?;
            (!name.is_empty()).then(|| (plan.by.column(), crate::keys::folded(&name)))
        });
        self.kind
            .unique()
            .iter()
            .filter_map(|field| {
                let index = self
                    .header
                    .columns
                    .iter()
                    .position(|c| matches!(c, Column::Field(f, _) if f == field))?;
                let value = raw.get(index)?.trim().to_lowercase();
                (!value.is_empty()).then_some((*field, value))
            })
            .chain(named)
            .collect()
    }
}

fn csv_problem(line: u64, error: &::csv::Error) -> Problem {
    let message = match error.kind() {
        ::csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 (save the file as UTF-8)".to_owned(),
        _ => error.to_string(),
    };
    problem(line, None, message)
}

/// A problem that stops reading: the tracker's reason, else the CSV error's.
fn fatal_problem(tracker: &Tracker, error: &::csv::Error) -> Problem {
    match tracker.seen().refused() {
        Some((line, message)) => problem(*line, None, message.clone()),
        None => csv_problem(1, error),
    }
}

fn too_many_columns(line: u64, columns: usize, limits: Limits) -> Problem {
    problem(
        line,
        None,
        format!(
            "{columns} columns: more than {} (is this a CSV file?)",
            limits.max_columns
        ),
    )
}
