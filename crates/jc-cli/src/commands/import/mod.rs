//! The one import pipeline of every bulk command (`users create|update|expire|unlock`, the
//! demo): check every row first, then stream the rows into the SDK's import and consume its
//! event stream in one loop that writes the progress, the report, the failed rows and the
//! summary. `--no-wait` is the same pipeline told not to wait for results.

mod groups;
mod input;
mod managers;
mod names;
mod outputs;
mod paths;
mod signals;
mod stream;
mod update;

pub use input::{check, located, Checked, Input};
pub use names::resolve as resolve_names;
pub use outputs::Run;

use crate::cli::{Format, Global, RunArgs};
use crate::csv::Kind;
use crate::exit::{CliError, CliResult, Exit};
use crate::journal::{Binding, FileJournal};
use crate::keys::MatchBy;
use crate::progress::Progress;
use jc_bulk::{BulkRecord, Client, ImportOptions, WaitOptions};
use jc_models::CreationSource;
use outputs::Outputs;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// One bulk command's import: its input and options.
#[derive(Debug)]
pub struct Job<'a> {
    /// Where the records come from.
    pub input: Input,
    /// The options every bulk command shares.
    pub run: &'a RunArgs,
    /// `--creation-source` (create only).
    pub creation_source: Option<&'a str>,
    /// `--suppress-email` (create and update).
    pub suppress_email: bool,
    /// `--match-by` (update, expire, unlock).
    pub match_by: Option<MatchBy>,
    /// `--allow-dynamic-groups` (create and update: the `groups` column).
    pub allow_dynamic_groups: bool,
}

/// Runs an import of `job` as `R` records; `client` overrides the one of the global options.
///
/// # Errors
/// Invalid input (exit 2) or an I/O or client error (exit 1).
pub async fn run<R>(
    global: &Global,
    mut job: Job<'_>,
    kind: Kind,
    client: Option<Client>,
) -> CliResult<(Exit, Run)>
where
    R: BulkRecord + DeserializeOwned + Send + 'static,
{
    let args = job.run;
    let name = job.input.name();
    paths::refuse_clobbering(job.input.path(), args)?;
    let mut checked = check::<R>(&mut job.input, kind, job.match_by)?;
    let named = job.input.name_key();
    // An update reads every row's user before sending (a dry run too); other commands read
    // only to resolve names.
    let reads = kind == Kind::Update || named.is_some() || !checked.groups.is_empty();
    let client = match (client, args.dry_run && !reads) {
        (_, true) => None,
        (Some(client), false) => Some(client),
        (None, false) => Some(crate::config::client(global)?),
    };
    let before = match &client {
        Some(client) => read_first::<R>(client, &mut job.input, &mut checked, kind).await?,
        None => Before::default(),
    };
    refuse_invalid(global, &name, &checked, args.skip_invalid)?;
    let Some(client) = client.filter(|_| !args.dry_run) else {
        return plan::<R>(global, &name, &checked, args, before.counts, before.tally);
    };
    let deferred = before
        .managers
        .as_ref()
        .map(|m| m.deferred().clone())
        .unwrap_or_default();
    let row_groups = before.groups.clone();
    refuse_no_wait(&name, args, row_groups.is_some(), deferred.len())?;
    let options = options::<R>(&job, &name)?;
    let rows = job.input.rows(kind)?;
    let header = rows.header();
    // An update's progress counts the rows it sends (the unchanged ones are done already).
    let valid = before.tally.as_ref().map_or(checked.valid(), |t| t.change);
    let keep_raw = args.failed_rows.is_some() || named.is_some() || kind == Kind::Update;
    let buffer = args.chunk_size as usize * 2;
    let (records, side) = stream::stream::<R>(rows, checked, keep_raw, buffer, before.shaper);
    let progress = Progress::new(valid, global.quiet);
    let report = args.report.as_deref();
    let failed = args.failed_rows.as_deref();
    let mut outputs = Outputs::create(report, failed, &header, side, progress)?;
    if args.no_wait {
        outputs.print_jobs(crate::config::format(global));
    }
    outputs.defer(deferred);
    if let Some(groups) = &row_groups {
        outputs.hold_groups(groups.names_by_line());
    }
    let import = client.import(records, &options);
    let interrupted = signals::drive(import, &mut outputs, args.wait_timeout).await;
    let interrupted =
        after_import(global, &job, &client, &mut outputs, row_groups, interrupted).await?;
    let run = match outputs.finish() {
        Ok(run) => run,
        Err(failure) => return Err(files_failed(&name, *failure)),
    };
    // A closed stdout pipe does not change what became of the records.
    match print_summary(global, &name, args, &run) {
        Err(error) if !error.is_broken_pipe() => return Err(error),
        _ => {}
    }
    if interrupted {
        signals::report_interruption(&run);
        return Ok((Exit::Interrupted, run));
    }
    Ok((exit_code(&run, args.no_wait), run))
}

/// `--no-wait` does not wait for what follows the jobs: a create's second job, the groups.
fn refuse_no_wait(name: &str, args: &RunArgs, groups: bool, deferred: usize) -> CliResult<()> {
    if args.no_wait && groups {
        return Err(CliError::invalid(format!(
            "{name}: the `groups` column adds each user to its groups once the user exists: --no-wait does not wait for that (drop --no-wait, or add the groups later with `users update` or `groups add`)"
        )));
    }
    if args.no_wait && deferred > 0 {
        return Err(CliError::invalid(format!(
            "{name}: {deferred} rows name a manager this file creates, which a second job sets once the creates settled: --no-wait does not wait for them (drop --no-wait, or set those managers with a later `users update`)"
        )));
    }
    Ok(())
}

/// What follows the import, unless it was interrupted: a create's second job (the managers it
/// created), then the `groups` column's memberships. True when interrupted.
async fn after_import(
    global: &Global,
    job: &Job<'_>,
    client: &Client,
    outputs: &mut Outputs,
    row_groups: Option<Arc<groups::RowGroups>>,
    interrupted: bool,
) -> CliResult<bool> {
    if interrupted {
        return Ok(true);
    }
    let second = second_options(job.run)?;
    managers::second_job(client, &second, outputs).await;
    let Some(groups) = row_groups else {
        return Ok(false);
    };
    let rows = outputs.group_rows();
    let allow = job.allow_dynamic_groups;
    let (results, stopped) = groups::add(client, &groups, rows, allow, global.quiet).await;
    outputs.groups_done(results);
    Ok(stopped)
}

/// What was read before sending: how the names resolved, an update's comparison and the
/// shaper of its rows, a create's managers.
#[derive(Default)]
struct Before {
    counts: Option<serde_json::Value>,
    tally: Option<update::Tally>,
    shaper: Option<stream::Shaper>,
    managers: Option<Arc<managers::Managers>>,
    groups: Option<Arc<groups::RowGroups>>,
}

/// Reads what the rows need before anything is sent: an update's users (and managers), the
/// names of other commands, a create's managers. Rows that do not resolve become invalid.
async fn read_first<R>(
    client: &Client,
    input: &mut Input,
    checked: &mut Checked,
    kind: Kind,
) -> CliResult<Before>
where
    R: BulkRecord + DeserializeOwned,
{
    let mut before = Before {
        groups: groups::read(client, checked).await?,
        ..Before::default()
    };
    if let Some(header) = checked.header.take() {
        let (counts, plan) = update::read(client, input, checked, header).await?;
        let plan = Arc::new(plan);
        before.counts = Some(serde_json::to_value(counts).unwrap_or_default());
        let started = std::time::Instant::now();
        let mut tally = update::compare::<R>(input.rows(kind)?, checked, &plan);
        tracing::debug!(
            unchanged = tally.unchanged,
            change = tally.change,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "compared every row with its user"
        );
        before.shaper = Some(plan.shaper(std::mem::take(&mut tally.unchanged_lines)));
        before.tally = Some(tally);
    } else if let Some(by) = input.name_key() {
        let counts = names::resolve(client, input, checked, by).await?;
        before.counts = Some(serde_json::to_value(counts).unwrap_or_default());
    }
    if kind == Kind::Create {
        before.managers = managers::read(client, input, checked).await?;
        before.shaper = before.managers.clone().map(managers::Managers::shaper);
    }
    Ok(before)
}

/// The options of a create's second job (the managers it created): chunking and waiting as
/// the first; no journal (it is the first job's).
fn second_options(args: &RunArgs) -> CliResult<ImportOptions> {
    let invalid = |e: jc_bulk::InvalidSetting| CliError::invalid(e.to_string());
    let wait = WaitOptions::new()
        .with_timeout(Some(Duration::from_secs(args.wait_timeout)))
        .map_err(invalid)?;
    Ok(ImportOptions::new()
        .with_chunk_size(args.chunk_size as usize)
        .and_then(|o| o.with_concurrency(args.concurrency as usize))
        .map_err(invalid)?
        .with_wait(wait)
        .with_resend_unknown(args.resend_unknown)
        .with_validation(false))
}

/// The report or failed rows could not be written: the import happened all the same, so the
/// summary and the job ids go to stderr, and the exit code says what became of the records.
fn files_failed(name: &str, (run, mut error): (Run, CliError)) -> CliError {
    let s = &run.summary;
    let jobs: Vec<String> = s.jobs.iter().map(ToString::to_string).collect();
    error.message.push_str(&format!(
        "\nthe import ran all the same: {name}: {} rows: {} applied, {} unchanged, {} failed, {} not submitted, {} unknown; jobs: {}",
        s.read,
        s.applied,
        run.unchanged,
        s.failed,
        s.not_submitted,
        s.unknown,
        if jobs.is_empty() { "none".to_owned() } else { jobs.join(" ") }
    ));
    error.exit = if s.read > 0 && s.applied + run.unchanged == s.read {
        Exit::Error
    } else {
        Exit::Partial
    };
    error
}

/// Stops on invalid rows, unless `--skip-invalid` (then lists them on stderr).
fn refuse_invalid(global: &Global, name: &str, checked: &Checked, skip: bool) -> CliResult<()> {
    if checked.invalid() == 0 {
        return Ok(());
    }
    let mut error = checked.error(name);
    if !skip {
        error.message.push_str(&format!(
            "\n{} of {} rows have problems; nothing was sent (fix them, or pass --skip-invalid to send the others)",
            checked.invalid(),
            checked.rows
        ));
        return Err(error);
    }
    if !global.quiet {
        eprintln!("{}", error.message);
        eprintln!(
            "skipping {} invalid rows (--skip-invalid)",
            checked.invalid()
        );
    }
    Ok(())
}

/// `--dry-run`: the plan, nothing sent. An update's plan says how many users change, by
/// column, and how many are unchanged.
fn plan<R: BulkRecord>(
    global: &Global,
    name: &str,
    checked: &Checked,
    args: &RunArgs,
    names: Option<serde_json::Value>,
    tally: Option<update::Tally>,
) -> CliResult<(Exit, Run)> {
    let chunk = u64::from(args.chunk_size);
    let sent = tally.as_ref().map_or(checked.valid(), |t| t.change);
    let mut plan = json!({
        "file": name,
        "operation": R::OPERATION,
        "rows": checked.rows,
        "valid": checked.valid(),
        "invalid": checked.invalid(),
        "chunk_size": chunk,
        "jobs": sent.div_ceil(chunk),
        "concurrency": args.concurrency,
        "wait": !args.no_wait,
        "sent": false,
    });
    if let Some(counts) = names {
        plan["names"] = counts;
    }
    let format = crate::config::format(global);
    if let Some(tally) = &tally {
        plan["change"] = json!(tally.change);
        plan["unchanged"] = json!(tally.unchanged);
        plan["not_submitted"] = json!(tally.not_submitted);
        plan["fields"] = json!(tally.fields);
    }
    if let (Some(tally), Format::Table) = (&tally, format) {
        let fields: Vec<String> = tally
            .fields
            .iter()
            .map(|(field, n)| format!("{field}: {n}"))
            .collect();
        crate::output::line(format_args!(
            "{name}: {} rows: {} users change, {} unchanged, {} not submitted, {} invalid (nothing sent)",
            checked.rows,
            tally.change,
            tally.unchanged,
            tally.not_submitted,
            checked.invalid()
        ))?;
        if !fields.is_empty() {
            crate::output::line(format_args!("changes by field: {}", fields.join(", ")))?;
        }
        return Ok((Exit::Ok, Run::default()));
    }
    crate::output::object(format, &plan)?;
    Ok((Exit::Ok, Run::default()))
}

/// The SDK's options of `job`: chunking, concurrency, waiting, the job headers, the journal.
fn options<R: BulkRecord>(job: &Job<'_>, name: &str) -> CliResult<ImportOptions> {
    let args = job.run;
    let invalid = |e: jc_bulk::InvalidSetting| CliError::invalid(e.to_string());
    let wait = crate::shared_server::shared_server(
        WaitOptions::new(),
        crate::shared_server::orgs_at_once(),
    )
    .with_timeout(Some(Duration::from_secs(args.wait_timeout)))
    .map_err(invalid)?;
    let mut options = ImportOptions::new()
        .with_chunk_size(args.chunk_size as usize)
        .and_then(|o| o.with_concurrency(args.concurrency as usize))
        .map_err(invalid)?
        .with_wait(wait)
        .with_await_results(!args.no_wait)
        .with_resend_unknown(args.resend_unknown)
        .with_validation(false);
    if let Some(source) = job.creation_source {
        let source = source
            .parse::<CreationSource>()
            .map_err(|e| CliError::invalid(e.to_string()))?;
        options = options.with_creation_source(source);
    }
    if job.suppress_email {
        options = options.with_suppress_email(true);
    }
    if let Some(path) = &args.journal {
        let (input_hash, input_bytes) = job.input.fingerprint().unwrap_or_default();
        let binding = Binding {
            input: name.to_owned(),
            input_hash,
            input_bytes,
            operation: R::OPERATION.to_owned(),
            chunk_size: args.chunk_size,
        };
        let journal = FileJournal::open(path, args.resume, &binding)?;
        options = options.with_journal(Arc::new(journal));
    }
    Ok(options)
}

/// 0 when every record was applied (or, with `--no-wait`, submitted); 1 when the import
/// stopped; 3 otherwise.
fn exit_code(run: &Run, no_wait: bool) -> Exit {
    let s = &run.summary;
    if let Some(stop) = &s.stopped {
        eprintln!("jcbulk: {stop}");
        if let Some(hint) = crate::exit::org_hint(&stop.to_string()) {
            eprintln!("jcbulk: {hint}");
        }
        return Exit::Error;
    }
    let settled_as_hoped = if no_wait {
        s.failed == 0 && s.not_submitted == 0 && s.unknown == s.not_awaited
    } else {
        s.applied + run.unchanged == s.read && run.groups_partial == 0
    };
    if settled_as_hoped {
        Exit::Ok
    } else {
        Exit::Partial
    }
}

fn print_summary(global: &Global, name: &str, args: &RunArgs, run: &Run) -> CliResult<()> {
    let format = crate::config::format(global);
    if args.no_wait {
        return Ok(()); // the job ids were printed as the jobs were created
    }
    let s = &run.summary;
    let value = json!({
        "file": name,
        "read": s.read,
        "applied": s.applied,
        "unchanged": run.unchanged,
        "failed": s.failed,
        "not_submitted": s.not_submitted,
        "unknown": s.unknown,
        "jobs": s.jobs,
        "groups": run.group_outcomes,
        "groups_partial": run.groups_partial,
        "report": args.report.as_ref().map(|p| p.display().to_string()),
        "failed_rows": args.failed_rows.as_ref().map(|p| p.display().to_string()),
    });
    if format != Format::Table {
        return Ok(crate::output::object(format, &value)?);
    }
    let unchanged = match run.unchanged {
        0 => String::new(),
        n => format!(", {n} unchanged"),
    };
    crate::output::line(format_args!(
        "{name}: {} rows: {} applied{unchanged}, {} failed, {} not submitted, {} unknown ({} jobs)",
        s.read,
        s.applied,
        s.failed,
        s.not_submitted,
        s.unknown,
        s.jobs.len()
    ))?;
    if !run.group_outcomes.is_empty() {
        let counts: Vec<String> = run
            .group_outcomes
            .iter()
            .map(|(label, n)| format!("{n} {label}"))
            .collect();
        crate::output::line(format_args!(
            "groups: {}{}",
            counts.join(", "),
            match run.groups_partial {
                0 => String::new(),
                n => format!(" ({n} rows applied without every group: see the report)"),
            }
        ))?;
    }
    if let Some(report) = &args.report {
        crate::output::line(format_args!("report: {}", report.display()))?;
    }
    if let Some(failed) = &args.failed_rows {
        crate::output::line(format_args!(
            "failed rows ({}): {}",
            run.failed_rows,
            failed.display()
        ))?;
    }
    if s.unknown > 0 {
        crate::output::line(format_args!("note: {} records have an unknown outcome: check them in JumpCloud before sending them again", s.unknown))?;
        if !args.resend_unknown {
            crate::output::line("note: for updates, expiries and unlocks, --resend-unknown sends them once more (repeating them has the same effect)")?;
        }
    }
    Ok(())
}
