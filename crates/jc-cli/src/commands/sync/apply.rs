//! `sync apply` (and the apply of `sync run`): the plan is checked against this org and base
//! URL, applied through the SDK (creates, updates and managers, group changes, state changes),
//! every planned change reported once; `--journal` records the bulk jobs so that `--resume`
//! sends nothing twice; Ctrl-C stops sending (what is not sent is `not_submitted`, exit 130).

use crate::cli::{Global, SyncApplyRunArgs};
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use crate::interrupt::first_signal;
use crate::journal::{Binding, FileJournal};
use crate::output_file::{file_error, OutputFile};
use crate::report::neutralize;
use futures::StreamExt;
use jc_bulk::sync::{ApplyOptions, SyncOutcome, SyncPlan};
use jc_bulk::{ImportControl, ImportOptions};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The imports' options: a journal per operation beside `--journal`.
fn import_options(
    args: &SyncApplyRunArgs,
    source: &Path,
    text: &str,
    operation: &str,
) -> CliResult<ImportOptions> {
    let options = ImportOptions::new().with_validation(false);
    let Some(path) = &args.journal else {
        return Ok(options);
    };
    let binding = Binding {
        input: source.display().to_string(),
        input_hash: crate::journal::fnv1a(text.bytes()),
        input_bytes: text.len() as u64,
        operation: format!("sync-{operation}"),
        chunk_size: 800,
    };
    let journal = FileJournal::open(
        &with_suffix(path, &format!(".{operation}")),
        args.resume,
        &binding,
    )?;
    Ok(options.with_journal(Arc::new(journal)))
}

fn write_report(path: &Path, rows: &[SyncOutcome]) -> CliResult<()> {
    let file = OutputFile::create("--report", path)?;
    let fail = |e: &dyn std::fmt::Display| file_error("--report", path, e);
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let mut out = std::io::BufWriter::new(file.writer()?);
    if json {
        serde_json::to_writer_pretty(&mut out, rows).map_err(|e| fail(&e))?;
    } else {
        let mut csv = csv::Writer::from_writer(&mut out);
        csv.write_record([
            "action", "line", "key", "user_id", "group", "outcome", "reason",
        ])
        .map_err(|e| fail(&e))?;
        for row in rows {
            let action = serde_json::to_value(row.action).unwrap_or_default();
            let cells = [
                action.as_str().unwrap_or_default().to_owned(),
                row.line.map(|l| l.to_string()).unwrap_or_default(),
                row.key.clone(),
                row.user_id.clone().unwrap_or_default(),
                row.group.clone().unwrap_or_default(),
                row.outcome.clone(),
                row.reason.clone().unwrap_or_default(),
            ];
            csv.write_record(cells.iter().map(|c| neutralize(c).into_owned()))
                .map_err(|e| fail(&e))?;
        }
        csv.flush().map_err(|e| fail(&e))?;
    }
    std::io::Write::flush(&mut out).map_err(|e| fail(&e))?;
    drop(out);
    file.commit()
}

/// Applies `plan` (read from `source`, whose text is `text`).
///
/// # Errors
/// A plan for another org or base URL (exit 2), a journal or report that cannot be written.
pub async fn run(
    global: &Global,
    plan: &SyncPlan,
    source: &Path,
    text: &str,
    args: &SyncApplyRunArgs,
) -> CliResult {
    let client = client(global)?;
    plan.check_target(client.endpoint())
        .map_err(|e| CliError::invalid(e.to_string()))?;
    if args.dry_run {
        let counts = jc_bulk::sync::counts(plan);
        crate::output::object(format(global), &json!({"counts": counts, "sent": false}))?;
        return Ok(Exit::Ok);
    }
    let report = args.report.as_ref();
    let control = ImportControl::default();
    let options = ApplyOptions {
        creates: import_options(args, source, text, "create")?,
        updates: import_options(args, source, text, "update")?,
        managers: import_options(args, source, text, "managers")?,
        changes: Default::default(),
        control: control.clone(),
        resume: args.resume,
    };
    let mut stream = std::pin::pin!(client.apply_sync(plan, options));
    let mut rows = Vec::new();
    let mut interrupted = false;
    let mut signal = std::pin::pin!(first_signal());
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some(row) => rows.push(row),
                None => break,
            },
            () = &mut signal, if !interrupted => {
                interrupted = true;
                control.stop_submitting();
                if !global.quiet {
                    eprintln!("interrupted: sending nothing more; jobs already sent are waited for");
                }
            }
        }
    }
    if let Some(path) = report {
        write_report(path, &rows)?;
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &rows {
        *counts.entry(row.outcome.as_str()).or_default() += 1;
    }
    let value = json!({
        "planned": rows.len(),
        "outcomes": counts,
        "interrupted": interrupted,
        "report": report.map(|p| p.display().to_string()),
    });
    crate::output::object(format(global), &value)?;
    let bad = rows
        .iter()
        .any(|r| !matches!(r.outcome.as_str(), "applied" | "unchanged"));
    Ok(match (interrupted, bad) {
        (true, _) => Exit::Interrupted,
        (false, true) => Exit::Partial,
        (false, false) => Exit::Ok,
    })
}
