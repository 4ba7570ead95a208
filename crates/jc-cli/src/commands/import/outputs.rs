//! Everything an import writes, fed by its event stream in one place: the progress bar, the
//! report, the failed rows, the job list of `--no-wait`, and the counts of the summary.
//! Invalid rows (never handed to the SDK) come from the reader's side channel and are merged
//! in line order.

mod held;

use super::stream::Side;
use crate::exit::{CliError, CliResult};
use crate::output::Streamed;
use crate::output_file::{file_error, OutputFile};
use crate::progress::Progress;
use crate::report::{FailedRows, ReportRow, ReportWriter};
use jc_bulk::groups::ChangeOutcome;
use jc_bulk::{ImportEvent, ImportSummary, Outcome, RecordOutcome};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use tokio::sync::mpsc;

/// The outcome of an import run.
#[derive(Debug, Default)]
pub struct Run {
    /// The counts, invalid rows included.
    pub summary: ImportSummary,
    /// Up to 20 user ids that were applied (for the demo).
    pub applied_sample: Vec<String>,
    /// Failed input rows written.
    pub failed_rows: u64,
    /// The jobs submitted, with their record counts (`--no-wait` prints them).
    pub submitted: Vec<Value>,
    /// Rows of an update whose user already held what they ask (in no job; counted in
    /// `summary.read`).
    pub unchanged: u64,
    /// Rows whose user was applied (or unchanged) but one of whose groups failed or was not
    /// sent: a partial failure.
    pub groups_partial: u64,
    /// The outcomes of the `groups` column's memberships, by name (`added`, ...).
    pub group_outcomes: BTreeMap<&'static str, u64>,
}

/// The writers of one import.
pub struct Outputs {
    report: Option<(ReportWriter, OutputFile)>,
    failed: Option<(FailedRows, OutputFile)>,
    side: mpsc::UnboundedReceiver<Side>,
    /// Records handed to the SDK and not yet reported, by line, with their cells when kept.
    pending: BTreeMap<u64, Option<csv::StringRecord>>,
    /// Rows not sent, waiting for the records before them to be reported.
    waiting_side: VecDeque<Side>,
    /// `--no-wait`: the job list, printed as jobs are created.
    jobs: Option<Streamed>,
    columns: (Option<usize>, Option<usize>),
    progress: Progress,
    run: Run,
    error: Option<String>,
    /// Rows of a create whose manager the same file creates: their report rows wait for the
    /// second job (row line -> manager row line).
    deferred: HashMap<u64, u64>,
    /// The report rows waiting, with their cells.
    waiting: BTreeMap<u64, (ReportRow, Option<csv::StringRecord>)>,
    /// The users created by the rows `deferred` names, by line.
    created: HashMap<u64, String>,
    /// The groups (names) of each row whose `groups` column resolved.
    groups_of: HashMap<u64, Vec<String>>,
    /// Report rows whose user exists, waiting for their groups to be added.
    held: BTreeMap<u64, (ReportRow, Option<csv::StringRecord>, bool)>,
    /// Once set, rows are no longer held for their groups.
    groups_closed: bool,
}

impl Outputs {
    /// Prepares the report and failed-rows files (written beside their destinations, renamed
    /// into place at the end); `header` is the input's columns.
    ///
    /// # Errors
    /// A file that cannot be created (exit 1) or that another run writes (exit 2), named with
    /// its flag; nothing is left behind.
    pub fn create(
        report: Option<&Path>,
        failed_rows: Option<&Path>,
        header: &[String],
        side: mpsc::UnboundedReceiver<Side>,
        progress: Progress,
    ) -> CliResult<Self> {
        let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let with_groups = header
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(crate::csv::GROUPS_COLUMN));
        let report_file = report
            .map(|path| OutputFile::create("--report", path))
            .transpose()?;
        let failed_file = failed_rows
            .map(|path| OutputFile::create("--failed-rows", path))
            .transpose()?;
        let report = match report_file {
            Some(file) => {
                let writer = ReportWriter::new(file.writer()?, file.path(), with_groups)
                    .map_err(|e| file_error("--report", file.path(), e))?;
                Some((writer, file))
            }
            None => None,
        };
        let failed = match failed_file {
            Some(file) => {
                let writer = FailedRows::new(file.writer()?, header)
                    .map_err(|e| file_error("--failed-rows", file.path(), e))?;
                Some((writer, file))
            }
            None => None,
        };
        Ok(Self {
            report,
            failed,
            side,
            pending: BTreeMap::new(),
            waiting_side: VecDeque::new(),
            jobs: None,
            columns: (column("username"), column("email")),
            progress,
            run: Run::default(),
            error: None,
            deferred: HashMap::new(),
            waiting: BTreeMap::new(),
            created: HashMap::new(),
            groups_of: HashMap::new(),
            held: BTreeMap::new(),
            groups_closed: false,
        })
    }

    /// Prints each job id on stdout the moment it exists (`--no-wait`).
    pub fn print_jobs(&mut self, format: crate::cli::Format) {
        self.jobs = Some(Streamed::new(format, &["job_id", "records"]));
    }

    /// Takes one event of the import.
    pub fn take(&mut self, event: ImportEvent) {
        self.progress.on_event(&event);
        match event {
            ImportEvent::Submitted {
                job_id, records, ..
            } => {
                let job = json!({"job_id": job_id, "records": records});
                if let Some(list) = &mut self.jobs {
                    // Printed the moment the job exists; a closed pipe stops only the printing.
                    if list.item(&job).is_err() {
                        self.jobs = None;
                    }
                }
                self.run.submitted.push(job);
            }
            ImportEvent::Record(outcome) => self.record(outcome),
            ImportEvent::Settled { .. } => self.progress.counts(&self.run.summary),
            ImportEvent::Finished(summary) => self.finished(summary),
            _ => {}
        }
    }

    fn cell(raw: &csv::StringRecord, column: Option<usize>) -> Option<String> {
        column
            .and_then(|i| raw.get(i))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    }

    fn write(&mut self, mut row: ReportRow, raw: Option<&csv::StringRecord>, failed: bool) {
        if let Some(names) = self.groups_of.get(&row.line) {
            let exists = matches!(row.outcome, "applied" | "unchanged") && row.user_id.is_some();
            if exists && !self.groups_closed {
                self.held.insert(row.line, (row, raw.cloned(), failed));
                return;
            }
            if row.groups.is_none() {
                let not_sent = names.iter().map(|n| (n.as_str(), "not_sent"));
                row.groups = Some(super::groups::cell(not_sent));
            }
        }
        let result = (|| {
            if let Some((report, file)) = &mut self.report {
                report
                    .write(&row)
                    .map_err(|e| file_error("--report", file.path(), e))?;
            }
            if let (true, Some((writer, file)), Some(raw)) = (failed, &mut self.failed, raw) {
                writer
                    .write(raw)
                    .map_err(|e| file_error("--failed-rows", file.path(), e))?;
            }
            Ok::<(), CliError>(())
        })();
        if let Err(error) = result {
            self.error.get_or_insert(error.message);
        }
    }

    /// Takes what the reader has put on the side channel so far, and writes the rows that are
    /// not sent (invalid, unchanged) once every record before them was reported: the report
    /// stays in line order, and memory holds no more than the records in flight.
    pub fn pump(&mut self) {
        while let Ok(entry) = self.side.try_recv() {
            match entry {
                Side::Raw(at, raw) => {
                    self.pending.insert(at, Some(raw));
                }
                Side::Sent(at) => {
                    self.pending.insert(at, None);
                }
                other => self.waiting_side.push_back(other),
            }
        }
        self.flush_side(false);
    }

    /// Writes the waiting rows before the first record in flight (all of them at the end).
    fn flush_side(&mut self, all: bool) {
        while let Some(entry) = self.waiting_side.front() {
            let at = match entry {
                Side::Rejected(at, ..) | Side::Unchanged(at, ..) => *at,
                Side::Raw(at, _) | Side::Sent(at) => *at,
            };
            if !all && self.pending.keys().next().is_some_and(|first| *first < at) {
                return;
            }
            match self.waiting_side.pop_front() {
                Some(Side::Rejected(at, raw, reason)) => self.rejected(at, raw, reason),
                Some(Side::Unchanged(at, raw, id)) => self.unchanged(at, raw, id),
                _ => {}
            }
        }
    }

    /// The cells of the record of `line`, if the reader kept them; it is no longer in flight.
    fn side_of(&mut self, line: u64) -> Option<csv::StringRecord> {
        self.pump();
        self.pending.remove(&line).flatten()
    }

    fn rejected(&mut self, line: u64, raw: csv::StringRecord, reason: String) {
        self.run.summary.read += 1;
        self.run.summary.not_submitted += 1;
        let row = ReportRow {
            line,
            username: Self::cell(&raw, self.columns.0),
            email: Self::cell(&raw, self.columns.1),
            outcome: "not_submitted",
            user_id: None,
            job_id: None,
            reason: Some(reason),
            groups: None,
        };
        self.write(row, Some(&raw), true);
    }

    fn unchanged(&mut self, line: u64, raw: csv::StringRecord, id: String) {
        self.run.summary.read += 1;
        self.run.unchanged += 1;
        let row = ReportRow {
            line,
            username: Self::cell(&raw, self.columns.0),
            email: Self::cell(&raw, self.columns.1),
            outcome: "unchanged",
            user_id: Some(id),
            job_id: None,
            reason: None,
            groups: None,
        };
        self.write(row, Some(&raw), false);
    }

    fn record(&mut self, outcome: RecordOutcome) {
        let raw = self.side_of(outcome.position);
        if let (Some(id), true) = (
            outcome.outcome.user_id(),
            self.run.applied_sample.len() < 20,
        ) {
            self.run.applied_sample.push(id.to_string());
        }
        let failed = matches!(
            outcome.outcome,
            Outcome::Failed { .. } | Outcome::NotSubmitted { .. }
        );
        // A row keyed by a name does not send it: the report takes it from the input row.
        let from_input = |column| raw.as_ref().and_then(|raw| Self::cell(raw, column));
        let row = ReportRow {
            line: outcome.position,
            username: outcome
                .key
                .username
                .clone()
                .or_else(|| from_input(self.columns.0)),
            email: outcome
                .key
                .email
                .clone()
                .or_else(|| from_input(self.columns.1)),
            outcome: outcome.outcome.name(),
            user_id: outcome
                .outcome
                .user_id()
                .map(ToString::to_string)
                .or(outcome.key.id.clone()),
            job_id: outcome.outcome.job_id().map(ToString::to_string),
            reason: outcome.outcome.reason().map(ToString::to_string),
            groups: None,
        };
        let line = outcome.position;
        let watched =
            self.deferred.contains_key(&line) || self.deferred.values().any(|l| *l == line);
        if let (true, Some(id)) = (watched, outcome.outcome.user_id()) {
            self.created.insert(line, id.to_string());
        }
        if self.deferred.contains_key(&line) {
            self.waiting.insert(line, (row, raw));
            return;
        }
        self.write(row, raw.as_ref(), failed);
    }

    /// Rows whose manager the same file creates (row line -> manager row line): their report rows
    /// wait for [`Outputs::manager_set`].
    pub fn defer(&mut self, deferred: HashMap<u64, u64>) {
        self.deferred = deferred;
    }

    /// The deferred rows whose user and manager were both created: (row line, user id, manager
    /// id).
    pub fn managers_to_set(&self) -> Vec<(u64, String, String)> {
        self.deferred
            .iter()
            .filter_map(|(line, manager)| {
                let user = self.created.get(line)?;
                let manager = self.created.get(manager)?;
                Some((*line, user.clone(), manager.clone()))
            })
            .collect()
    }

    /// What became of a deferred row's manager: `Ok(job)` set, or the outcome name and reason.
    pub fn manager_set(&mut self, line: u64, result: Result<String, (&'static str, String)>) {
        let Some((mut row, raw)) = self.waiting.remove(&line) else {
            return;
        };
        if row.outcome == "applied" {
            let s = &mut self.run.summary;
            match result {
                Ok(job) => {
                    row.reason = Some(format!(
                        "its manager (created by this file) was set by a second job, {job}"
                    ));
                }
                Err((outcome, reason)) => {
                    s.applied = s.applied.saturating_sub(1);
                    match outcome {
                        "unknown" => s.unknown += 1,
                        _ => s.failed += 1,
                    }
                    row.reason = Some(format!(
                        "created as user {}, but its manager (created by this file) was not set: {reason}",
                        row.user_id.as_deref().unwrap_or("?")
                    ));
                    row.outcome = outcome;
                }
            }
        }
        let failed = row.outcome != "applied";
        self.write(row, raw.as_ref(), failed);
    }

    /// The SDK's counts join the invalid rows' (the rows after the last record are written now).
    fn finished(&mut self, summary: ImportSummary) {
        self.pump();
        self.pending.clear();
        self.flush_side(true);
        let s = &mut self.run.summary;
        s.read += summary.read;
        s.applied += summary.applied;
        s.failed += summary.failed;
        s.not_submitted += summary.not_submitted;
        s.unknown += summary.unknown;
        s.not_awaited += summary.not_awaited;
        s.jobs = summary.jobs;
        s.stopped = summary.stopped;
    }

    /// Completes the files and renames them into place (also after a write error: what was
    /// written is kept). On a write error, the run comes back with the error.
    ///
    /// # Errors
    /// A write error of the report or the failed rows, with the run's counts.
    pub fn finish(mut self) -> Result<Run, Box<(Run, CliError)>> {
        let waiting: Vec<u64> = self.waiting.keys().copied().collect();
        for line in waiting {
            let missing = match self
                .deferred
                .get(&line)
                .map(|m| self.created.contains_key(m))
            {
                Some(true) => "the run stopped before the second job",
                _ => "the manager's row was not created",
            };
            self.manager_set(line, Err(("failed", missing.to_owned())));
        }
        if !self.held.is_empty() {
            let reason = "the run stopped before the groups were added";
            let stopped = self
                .held
                .keys()
                .map(|line| {
                    let names = self.groups_of.get(line).cloned().unwrap_or_default();
                    let outcomes = names
                        .into_iter()
                        .map(|n| {
                            (
                                n,
                                ChangeOutcome::NotSent {
                                    reason: reason.into(),
                                },
                            )
                        })
                        .collect();
                    (*line, outcomes)
                })
                .collect();
            self.groups_done(stopped);
        }
        self.progress.finish();
        if let Some(list) = self.jobs.take() {
            let _ = list.end();
        }
        let mut errors = Vec::new();
        errors.extend(self.error.take());
        if let Some((report, file)) = self.report.take() {
            if let Err(e) = report.finish() {
                errors.push(file_error("--report", file.path(), e).message);
            }
            errors.extend(file.commit().err().map(|e| e.message));
        }
        if let Some((failed, file)) = self.failed.take() {
            self.run.failed_rows = failed.count();
            if let Err(e) = failed.finish() {
                errors.push(file_error("--failed-rows", file.path(), e).message);
            }
            errors.extend(file.commit().err().map(|e| e.message));
        }
        let run = std::mem::take(&mut self.run);
        if errors.is_empty() {
            Ok(run)
        } else {
            Err(Box::new((run, CliError::other(errors.join("\n")))))
        }
    }
}
