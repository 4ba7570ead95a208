//! `groups add`, `groups remove` and `groups sync`: resolve the group and the users, read the
//! group's members once, plan only the changes that are needed, and send them (or print the
//! plan with `--dry-run`). `sync` refuses, changing nothing, a plan that removes more members
//! than `--max-remove`. Every input user ends in the report with one outcome.

use super::engine::{self, Applied};
use super::report::{ReportFile, Row};
use super::users_in::{self, Named, Wanted};
use super::{group_named, names_of};
use crate::cli::{Global, GroupChangeArgs, GroupRunArgs, GroupSyncArgs};
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use jc_bulk::groups::{EdgeOp, MemberChange, MemberPlan};
use jc_bulk::{CallOptions, Client};
use jc_models::UserGroup;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// What the command asks.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Add,
    Remove,
    Sync { max_remove: Option<usize> },
}

/// `groups add` (`add`) or `groups remove`.
///
/// # Errors
/// Invalid input (exit 2) or a failed read (exit 1).
pub async fn add_or_remove(global: &Global, args: &GroupChangeArgs, add: bool) -> CliResult {
    let wanted = users_in::read(&args.users)?;
    let source = match &args.users.csv {
        Some(path) => path.display().to_string(),
        None => "users".to_owned(),
    };
    let mode = if add { Mode::Add } else { Mode::Remove };
    run(global, &args.group, wanted, &source, &args.run, mode).await
}

/// `groups sync`.
///
/// # Errors
/// Invalid input or the brake (exit 2), or a failed read (exit 1).
pub async fn sync(global: &Global, args: &GroupSyncArgs) -> CliResult {
    let wanted = users_in::read_csv(&args.csv, args.match_by)?;
    let source = args.csv.display().to_string();
    let mode = Mode::Sync {
        max_remove: args.max_remove,
    };
    run(global, &args.group, wanted, &source, &args.run, mode).await
}

/// The users that did not resolve: an error that stops the run, unless `--skip-invalid`.
fn refuse_invalid(named: &[Named], source: &str, run: &GroupRunArgs, quiet: bool) -> CliResult<()> {
    let problems: Vec<String> = named
        .iter()
        .filter_map(|n| {
            n.user
                .as_ref()
                .err()
                .map(|why| format!("{source}:{}: {why}", n.wanted.line))
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    if !run.skip_invalid {
        return Err(CliError::invalid(format!(
            "{}\n{} of {} users did not resolve; nothing was sent (fix them, or pass --skip-invalid to send the others)",
            problems.join("\n"),
            problems.len(),
            named.len()
        )));
    }
    if !quiet {
        eprintln!(
            "{}\nskipping {} users that did not resolve (--skip-invalid)",
            problems.join("\n"),
            problems.len()
        );
    }
    Ok(())
}

/// The changes the mode asks for, and the members a sync removes.
fn wanted_changes(
    mode: Mode,
    group: &str,
    named: &[Named],
    members: &[String],
) -> (Vec<MemberChange>, Vec<String>) {
    let ids: Vec<&str> = named
        .iter()
        .filter_map(|n| n.user.as_deref().ok())
        .collect();
    match mode {
        Mode::Add => (
            ids.iter().map(|u| MemberChange::add(group, *u)).collect(),
            Vec::new(),
        ),
        Mode::Remove => (
            ids.iter()
                .map(|u| MemberChange::remove(group, *u))
                .collect(),
            Vec::new(),
        ),
        Mode::Sync { .. } => {
            let keep: HashSet<&str> = ids.iter().copied().collect();
            let gone: Vec<String> = members
                .iter()
                .filter(|m| !keep.contains(m.as_str()))
                .cloned()
                .collect();
            let changes = ids
                .iter()
                .map(|u| MemberChange::add(group, *u))
                .chain(gone.iter().map(|u| MemberChange::remove(group, u)))
                .collect();
            (changes, gone)
        }
    }
}

/// The brake of `groups sync`: the most members it may remove.
fn removal_limit(max_remove: Option<usize>, members: usize) -> usize {
    max_remove.unwrap_or_else(|| (members * 10).div_ceil(100))
}

async fn run(
    global: &Global,
    reference: &str,
    wanted: Vec<Wanted>,
    source: &str,
    run: &GroupRunArgs,
    mode: Mode,
) -> CliResult {
    let client = client(global)?;
    let options = engine::options(run.edge_concurrency)?;
    let report = match (&run.report, run.dry_run) {
        (Some(path), false) => Some(ReportFile::open(path)?),
        _ => None,
    };
    let (_, group) = group_named(&client, reference).await?;
    let gid = group.id.clone().unwrap_or_default();
    let named = users_in::resolve(&client, wanted).await?;
    refuse_invalid(&named, source, run, global.quiet)?;
    let call = CallOptions::new();
    let snapshot = client
        .groups(&call)
        .snapshot(std::slice::from_ref(&group))
        .await?;
    let members = snapshot
        .group(&gid)
        .map(|g| g.members.clone())
        .unwrap_or_default();
    let (changes, gone) = wanted_changes(mode, &gid, &named, &members);
    if let Mode::Sync { max_remove } = mode {
        let limit = removal_limit(max_remove, members.len());
        if gone.len() > limit {
            return Err(CliError::invalid(format!(
                "refusing to sync `{}`: it would remove {} of its {} members, more than --max-remove {limit} (default 10% of the members); nothing was changed. Check the file, or pass --max-remove {} to allow it",
                group.name.as_deref().unwrap_or_default(),
                gone.len(),
                members.len(),
                gone.len()
            )));
        }
    }
    let plan = snapshot.plan(changes, run.allow_dynamic_groups);
    if run.dry_run {
        print_plan(global, &group, &plan, &named)?;
        return Ok(Exit::Ok);
    }
    let applied = engine::apply(&client, plan, &options, global.quiet).await;
    let mut rows = rows_of(&group, &named, &applied, mode);
    rows.extend(removed_rows(&client, &group, &gone, &applied).await);
    if let Some(report) = report {
        report.finish(&rows)?;
    }
    summary(global, &group, &rows, applied.interrupted)
}

fn group_name(group: &UserGroup) -> String {
    group.name.clone().unwrap_or_default()
}

fn row(
    line: Option<u64>,
    key: String,
    user_id: String,
    group: &UserGroup,
    outcome: &str,
    reason: String,
) -> Row {
    Row {
        line,
        user_key: key,
        user_id,
        group: group_name(group),
        outcome: outcome.to_owned(),
        reason,
    }
}

/// One row per input user: its change's outcome, or why it was not sent.
fn rows_of(group: &UserGroup, named: &[Named], applied: &Applied, mode: Mode) -> Vec<Row> {
    let gid = group.id.clone().unwrap_or_default();
    let op = match mode {
        Mode::Remove => EdgeOp::Remove,
        _ => EdgeOp::Add,
    };
    named
        .iter()
        .map(|n| {
            let key = n.wanted.key.text().to_owned();
            match &n.user {
                Err(why) => row(
                    Some(n.wanted.line),
                    key,
                    String::new(),
                    group,
                    "not_sent",
                    why.clone(),
                ),
                Ok(user) => match applied.outcome(&gid, user, op) {
                    Some(outcome) => row(
                        Some(n.wanted.line),
                        key,
                        user.clone(),
                        group,
                        outcome.label(),
                        outcome.reason().unwrap_or_default(),
                    ),
                    None => row(
                        Some(n.wanted.line),
                        key,
                        user.clone(),
                        group,
                        "not_sent",
                        "not in the plan".into(),
                    ),
                },
            }
        })
        .collect()
}

/// One row per member a sync removes, named by its username (one search per 100).
async fn removed_rows(
    client: &Client,
    group: &UserGroup,
    gone: &[String],
    applied: &Applied,
) -> Vec<Row> {
    if gone.is_empty() {
        return Vec::new();
    }
    let gid = group.id.clone().unwrap_or_default();
    let names = names_of(client, gone).await.unwrap_or_default();
    gone.iter()
        .enumerate()
        .map(|(i, user)| {
            let key = names
                .get(i)
                .map(|(u, _)| u.clone())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| user.clone());
            let outcome = applied.outcome(&gid, user, EdgeOp::Remove);
            let (label, reason) = outcome.map_or(("not_sent", "not in the plan".to_owned()), |o| {
                (o.label(), o.reason().unwrap_or_default())
            });
            row(None, key, user.clone(), group, label, reason)
        })
        .collect()
}

/// Prints the outcome counts; the exit code: 130 interrupted, 3 when a change failed or was not
/// sent, else 0.
fn summary(global: &Global, group: &UserGroup, rows: &[Row], interrupted: bool) -> CliResult {
    let mut counts: BTreeMap<&str, usize> = [
        "added",
        "removed",
        "already_member",
        "not_member",
        "failed",
        "not_sent",
    ]
    .into_iter()
    .map(|label| (label, 0))
    .collect();
    for row in rows {
        *counts.entry(row.outcome.as_str()).or_default() += 1;
    }
    let value = json!({
        "group": group_name(group),
        "group_id": group.id,
        "added": counts["added"],
        "removed": counts["removed"],
        "already_member": counts["already_member"],
        "not_member": counts["not_member"],
        "failed": counts["failed"],
        "not_sent": counts["not_sent"],
        "interrupted": interrupted,
    });
    crate::output::object(format(global), &value)?;
    Ok(if interrupted {
        Exit::Interrupted
    } else if counts["failed"] + counts["not_sent"] > 0 {
        Exit::Partial
    } else {
        Exit::Ok
    })
}

/// `--dry-run`: the plan, its request count and the time it takes at the current rate.
fn print_plan(
    global: &Global,
    group: &UserGroup,
    plan: &MemberPlan,
    named: &[Named],
) -> CliResult<()> {
    let (adds, removes) = plan.counts();
    let requests = plan.changes.len();
    let seconds = requests as f64 / global.max_rps.max(0.001);
    let value = json!({
        "group": group_name(group),
        "membershipMethod": group.method().as_str(),
        "adds": adds,
        "removes": removes,
        "no_ops": plan.no_ops.len(),
        "refused": plan.refused.len(),
        "users_not_resolved": named.iter().filter(|n| n.user.is_err()).count(),
        "requests": requests,
        "estimated_time": engine::duration(seconds),
        "max_rps": global.max_rps,
    });
    crate::output::object(format(global), &value)?;
    if let Some((_, reason)) = plan.refused.first() {
        eprintln!("refused: {reason}");
    }
    if adds > 1000 && !global.quiet {
        eprintln!(
            "{adds} adds to one group take {} at {} requests/s: a dynamic group (DYNAMIC_AUTOMATED) whose member query reads a user attribute, set by one bulk `users update`, does it in a few jobs",
            engine::duration(seconds),
            global.max_rps
        );
    }
    Ok(())
}
