//! Imports from CSV: check every row first, then stream the rows into chunked jobs and write the
//! report as outcomes arrive (`users create`, `users update`, `users expire|unlock --csv`).

use crate::cli::{Format, Global, ImportArgs};
use crate::csv_input::{CsvFile, Duplicates, Kind, Problem};
use crate::exit::{CliError, CliResult, Exit};
use crate::progress::Progress;
use crate::report::{FailedRows, ReportRow, ReportWriter};
use futures::StreamExt;
use jc_bulk::{
    BulkRecord, Client, ImportOptions, ImportSummary, InputRecord, Outcome, RecordOutcome,
    WaitOptions,
};
use jc_models::{CreationSource, Validate};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Problems printed at most; the count of the rest is printed.
const SHOWN: usize = 200;

/// What the first pass found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Data rows.
    pub rows: u64,
    /// Rows with problems, by line, with their problems (all lines; problems text kept).
    pub invalid: BTreeMap<u64, Vec<Problem>>,
}

impl Checked {
    /// Rows without problems.
    pub fn valid(&self) -> u64 {
        self.rows - self.invalid.len() as u64
    }
}

/// Reads every row once, collecting every problem (types, rules, duplicates) by line.
///
/// # Errors
/// A file that cannot be read or whose header is wrong (exit 2).
pub fn check<R: DeserializeOwned + Validate>(path: &Path, kind: Kind) -> CliResult<Checked> {
    let mut file = CsvFile::open(path, kind).map_err(|problems| located(path, &problems))?;
    let mut checked = Checked::default();
    let mut duplicates = Duplicates::default();
    while let Some(row) = file.next_row::<R>() {
        checked.rows += 1;
        duplicates.add(row.line, file.identity(&row.raw));
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
            path.display()
        )));
    }
    Ok(checked)
}

/// Every problem, each on its own line, prefixed with the file.
pub fn located(path: &Path, problems: &[Problem]) -> CliError {
    let mut lines: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("{}: {p}", path.display()))
        .collect();
    if problems.len() > SHOWN {
        lines.push(format!("... and {} more problems", problems.len() - SHOWN));
    }
    CliError::invalid(lines.join("\n"))
}

fn all_problems(checked: &Checked) -> Vec<Problem> {
    checked.invalid.values().flatten().cloned().collect()
}

/// The outcome of an import run.
#[derive(Debug, Default)]
pub struct Run {
    /// The counts.
    pub summary: ImportSummary,
    /// Up to 20 user ids that were applied (for the demo).
    pub applied_sample: Vec<String>,
    /// Failed input rows written.
    pub failed_rows: u64,
}

/// A message from the reader thread.
enum Read<R> {
    Record(InputRecord<R>, csv::StringRecord),
    Rejected(u64, csv::StringRecord, String),
}

/// The report sinks, kept in line order.
struct Sinks {
    report: Option<ReportWriter>,
    failed: Option<FailedRows>,
    username_col: Option<usize>,
    email_col: Option<usize>,
    raw: HashMap<u64, csv::StringRecord>,
    rejected: BTreeMap<u64, (csv::StringRecord, String)>,
    run: Run,
    error: Option<std::io::Error>,
}

impl Sinks {
    fn cell(&self, raw: &csv::StringRecord, column: Option<usize>) -> Option<String> {
        column
            .and_then(|i| raw.get(i))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    }

    fn write(&mut self, row: ReportRow, raw: Option<&csv::StringRecord>, failed: bool) {
        let result = (|| {
            if let Some(report) = &mut self.report {
                report.write(&row)?;
            }
            if let (true, Some(writer), Some(raw)) = (failed, &mut self.failed, raw) {
                writer.write(raw)?;
            }
            Ok::<(), std::io::Error>(())
        })();
        if let Err(error) = result {
            self.error.get_or_insert(error);
        }
    }

    /// Writes the rejected rows that come before `line`.
    fn flush_rejected(&mut self, before: u64) {
        while let Some(entry) = self.rejected.first_entry() {
            if *entry.key() >= before {
                break;
            }
            let (line, (raw, reason)) = entry.remove_entry();
            self.run.summary.read += 1;
            self.run.summary.not_submitted += 1;
            let row = ReportRow {
                line,
                username: self.cell(&raw, self.username_col),
                email: self.cell(&raw, self.email_col),
                outcome: "not_submitted",
                user_id: None,
                job_id: None,
                reason: Some(reason),
            };
            self.write(row, Some(&raw), true);
        }
    }

    fn outcome(&mut self, outcome: RecordOutcome) {
        self.flush_rejected(outcome.position);
        let raw = self.raw.remove(&outcome.position);
        if let Outcome::Applied {
            user_id: Some(id), ..
        } = &outcome.outcome
        {
            if self.run.applied_sample.len() < 20 {
                self.run.applied_sample.push(id.clone());
            }
        }
        let failed = matches!(
            outcome.outcome,
            Outcome::Failed { .. } | Outcome::NotSubmitted { .. }
        );
        let row = ReportRow {
            line: outcome.position,
            username: outcome.key.username.clone(),
            email: outcome.key.email.clone(),
            outcome: outcome.outcome.name(),
            user_id: outcome
                .outcome
                .user_id()
                .map(str::to_owned)
                .or(outcome.key.id.clone()),
            job_id: outcome.outcome.job_id().map(str::to_owned),
            reason: outcome.outcome.reason().map(str::to_owned),
        };
        self.write(row, raw.as_ref(), failed);
    }
}

/// The options every import of `args` shares: chunking, concurrency, `creation-source` and
/// `suppressEmail`.
fn base_options(args: &ImportArgs) -> CliResult<ImportOptions> {
    let mut options = ImportOptions::new()
        .chunk_size(args.chunk_size as usize)
        .concurrency(args.concurrency as usize);
    if let Some(source) = &args.creation_source {
        let source = source
            .parse::<CreationSource>()
            .map_err(|e| CliError::invalid(e.to_string()))?;
        options = options.creation_source(source);
    }
    if args.suppress_email {
        options = options.suppress_email(true);
    }
    Ok(options)
}

/// Runs an import of `args.csv` as `R` records.
///
/// # Errors
/// Invalid input (exit 2) or an I/O or client error (exit 1).
pub async fn run<R>(
    global: &Global,
    args: &ImportArgs,
    kind: Kind,
    client: Option<Client>,
) -> CliResult<(Exit, Run)>
where
    R: BulkRecord + DeserializeOwned + Send + 'static,
{
    let checked = check::<R>(&args.csv, kind)?;
    if !checked.invalid.is_empty() && !args.skip_invalid {
        let mut error = located(&args.csv, &all_problems(&checked));
        error.message.push_str(&format!(
            "\n{} of {} rows have problems; nothing was sent (fix them, or pass --skip-invalid to send the others)",
            checked.invalid.len(),
            checked.rows
        ));
        return Err(error);
    }
    if !checked.invalid.is_empty() && !global.quiet {
        eprintln!("{}", located(&args.csv, &all_problems(&checked)).message);
        eprintln!(
            "skipping {} invalid rows (--skip-invalid)",
            checked.invalid.len()
        );
    }
    let chunk = args.chunk_size as u64;
    let jobs = checked.valid().div_ceil(chunk);
    if args.dry_run {
        let plan = json!({
            "file": args.csv.display().to_string(),
            "operation": R::OPERATION,
            "rows": checked.rows,
            "valid": checked.valid(),
            "invalid": checked.invalid.len(),
            "chunk_size": chunk,
            "jobs": jobs,
            "concurrency": args.concurrency,
            "sent": false,
        });
        crate::output::object(crate::config::format(global), &plan)?;
        return Ok((Exit::Ok, Run::default()));
    }
    if args.no_wait && (args.report.is_some() || args.failed_rows.is_some()) {
        return Err(CliError::invalid(
            "--no-wait cannot write --report or --failed-rows: there are no results yet",
        ));
    }
    let client = match client {
        Some(client) => client,
        None => crate::config::client(global)?,
    };
    if args.no_wait {
        return no_wait::<R>(global, args, kind, &client, &checked).await;
    }

    let file = CsvFile::open(&args.csv, kind).map_err(|problems| located(&args.csv, &problems))?;
    let header = file.header().names().to_vec();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let sinks = Arc::new(Mutex::new(Sinks {
        report: args
            .report
            .as_deref()
            .map(ReportWriter::create)
            .transpose()?,
        failed: args
            .failed_rows
            .as_deref()
            .map(|p| FailedRows::create(p, &header))
            .transpose()?,
        username_col: column("username"),
        email_col: column("email"),
        raw: HashMap::new(),
        rejected: BTreeMap::new(),
        run: Run::default(),
        error: None,
    }));
    let keep_raw = args.failed_rows.is_some();

    // Second pass: a reader thread streams rows; invalid ones become rejections.
    let invalid: HashSet<u64> = checked.invalid.keys().copied().collect();
    let reasons: HashMap<u64, String> = checked
        .invalid
        .iter()
        .map(|(line, problems)| {
            let text = problems.iter().map(|p| match &p.column {
                Some(c) => format!("{c}: {}", p.message),
                None => p.message.clone(),
            });
            (
                *line,
                format!("invalid: {}", text.collect::<Vec<_>>().join("; ")),
            )
        })
        .collect();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Read<R>>(args.chunk_size as usize * 2);
    let reader = tokio::task::spawn_blocking(move || {
        let mut file = file;
        while let Some(row) = file.next_row::<R>() {
            let message = match (invalid.contains(&row.line), row.record) {
                (false, Ok(record)) => Read::Record(
                    InputRecord {
                        position: row.line,
                        record,
                    },
                    row.raw,
                ),
                (_, Err(problems)) if !invalid.contains(&row.line) => {
                    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
                    Read::Rejected(row.line, row.raw, format!("invalid: {}", text.join("; ")))
                }
                _ => {
                    let reason = reasons
                        .get(&row.line)
                        .cloned()
                        .unwrap_or_else(|| "invalid".into());
                    Read::Rejected(row.line, row.raw, reason)
                }
            };
            if sender.blocking_send(message).is_err() {
                break;
            }
        }
    });
    let stream_sinks = sinks.clone();
    let input = tokio_stream(receiver).filter_map(move |message| {
        let sinks = stream_sinks.clone();
        async move {
            let mut sinks = sinks.lock().unwrap_or_else(|p| p.into_inner());
            match message {
                Read::Record(record, raw) => {
                    if keep_raw {
                        sinks.raw.insert(record.position, raw);
                    }
                    Some(record)
                }
                Read::Rejected(line, raw, reason) => {
                    sinks.rejected.insert(line, (raw, reason));
                    None
                }
            }
        }
    });

    let progress = Arc::new(Progress::new(checked.valid(), global.quiet));
    let bar = progress.clone();
    let mut options = base_options(args)?
        .validate(false)
        .wait(WaitOptions::new().timeout(Some(Duration::from_secs(args.wait_timeout))))
        .on_event(move |event| bar.on_event(event));
    if let Some(path) = &args.journal {
        let journal = crate::journal::FileJournal::open(
            path,
            args.resume,
            &args.csv,
            R::OPERATION,
            args.chunk_size,
        )?;
        options = options.journal(Arc::new(journal));
    }
    let sink_sinks = sinks.clone();
    let summary = client
        .import(input, &options, move |outcome| {
            sink_sinks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .outcome(outcome);
        })
        .await;
    progress.finish();
    let _ = reader.await;

    let mut sinks = Arc::try_unwrap(sinks)
        .map_err(|_| CliError::other("internal error: the report is still in use"))?
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    sinks.flush_rejected(u64::MAX);
    let mut run = std::mem::take(&mut sinks.run);
    run.summary.read += summary.read;
    run.summary.applied += summary.applied;
    run.summary.failed += summary.failed;
    run.summary.not_submitted += summary.not_submitted;
    run.summary.unknown += summary.unknown;
    run.summary.jobs = summary.jobs.clone();
    run.summary.stopped = summary.stopped.clone();
    if let Some(report) = sinks.report.take() {
        report.finish()?;
    }
    if let Some(failed) = sinks.failed.take() {
        run.failed_rows = failed.count();
        failed.finish()?;
    }
    if let Some(error) = sinks.error.take() {
        return Err(CliError::other(format!(
            "writing the report failed: {error}"
        )));
    }
    print_summary(global, args, &run)?;
    let exit = if let Some(stop) = &run.summary.stopped {
        eprintln!("jcbulk: {stop}");
        Exit::Error
    } else if run.summary.applied == run.summary.read {
        Exit::Ok
    } else {
        Exit::Partial
    };
    Ok((exit, run))
}

/// A `Stream` over a tokio receiver.
fn tokio_stream<T: Send + 'static>(
    receiver: tokio::sync::mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> + Send {
    futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
}

fn print_summary(global: &Global, args: &ImportArgs, run: &Run) -> CliResult<()> {
    let s = &run.summary;
    let value = json!({
        "file": args.csv.display().to_string(),
        "read": s.read,
        "applied": s.applied,
        "failed": s.failed,
        "not_submitted": s.not_submitted,
        "unknown": s.unknown,
        "jobs": s.jobs,
        "report": args.report.as_ref().map(|p| p.display().to_string()),
        "failed_rows": args.failed_rows.as_ref().map(|p| p.display().to_string()),
    });
    match crate::config::format(global) {
        Format::Table => {
            println!(
                "{}: {} rows: {} applied, {} failed, {} not submitted, {} unknown ({} jobs)",
                args.csv.display(),
                s.read,
                s.applied,
                s.failed,
                s.not_submitted,
                s.unknown,
                s.jobs.len()
            );
            if let Some(report) = &args.report {
                println!("report: {}", report.display());
            }
            if let Some(failed) = &args.failed_rows {
                println!("failed rows ({}): {}", run.failed_rows, failed.display());
            }
            if s.unknown > 0 {
                println!("note: {} records have an unknown outcome: check them in JumpCloud before sending them again", s.unknown);
            }
            Ok(())
        }
        format => Ok(crate::output::object(format, &value)?),
    }
}

/// `--no-wait`: submit the chunks one after another and print the job ids.
async fn no_wait<R>(
    global: &Global,
    args: &ImportArgs,
    kind: Kind,
    client: &Client,
    checked: &Checked,
) -> CliResult<(Exit, Run)>
where
    R: BulkRecord + DeserializeOwned + Send + 'static,
{
    let mut file =
        CsvFile::open(&args.csv, kind).map_err(|problems| located(&args.csv, &problems))?;
    let options = base_options(args)?;
    let mut jobs = Vec::new();
    let mut chunk: Vec<R> = Vec::new();
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    loop {
        let next = file.next_row::<R>();
        let done = next.is_none();
        if let Some(row) = next {
            if let (false, Ok(record)) = (checked.invalid.contains_key(&row.line), row.record) {
                chunk.push(record);
            }
        }
        if chunk.len() >= args.chunk_size as usize || (done && !chunk.is_empty()) {
            let request = R::submission(client.endpoint(), &chunk, &options)?;
            let records = chunk.len();
            chunk.clear();
            match client
                .send_raw(request)
                .await
                .and_then(|r| jc_bulk::response::decode_job_id(R::OPERATION, &r))
            {
                Ok(job) => {
                    rows.push(json!({"job_id": job, "records": records}));
                    jobs.push(job);
                }
                Err(error) => failures.push(format!("{records} records: {error}")),
            }
        }
        if done {
            break;
        }
    }
    crate::output::items(crate::config::format(global), &["job_id", "records"], &rows)?;
    for failure in &failures {
        eprintln!("jcbulk: submission failed: {failure}");
    }
    let mut run = Run::default();
    run.summary.jobs = jobs;
    Ok((
        if failures.is_empty() {
            Exit::Ok
        } else {
            Exit::Partial
        },
        run,
    ))
}
