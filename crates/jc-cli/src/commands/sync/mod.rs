//! `jcbulk sync plan|apply|run`: desired state (CONTRACT.md section 38). `plan` reads the file
//! and the org once and shows (or writes, `--out`) what would change; `apply` checks the plan
//! is for this org and base URL and applies it through the SDK's [`SyncPlan::apply`]; `run`
//! does both for scheduled jobs (`--yes`). Brakes refuse a plan as a whole before anything is
//! written.

mod apply;
mod desired;

use crate::cli::{Global, SyncCommand, SyncKeyArg, SyncPlanArgs};
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use jc_bulk::sync::{Limit, PlanOptions, ScopeFilter, SyncKey, SyncPlan};
use jc_bulk::{CallOptions, Client};
use serde_json::json;

/// Runs a `sync` command.
///
/// # Errors
/// See the commands.
pub async fn run(global: &Global, command: &SyncCommand) -> CliResult {
    match command {
        SyncCommand::Plan(args) => {
            let client = client(global)?;
            let plan = plan(global, &client, args).await?;
            show(global, &plan, args)
        }
        SyncCommand::Apply(args) => {
            let text = std::fs::read_to_string(&args.plan)
                .map_err(|e| CliError::invalid(format!("{}: {e}", args.plan.display())))?;
            let plan: SyncPlan = serde_json::from_str(&text).map_err(|e| {
                CliError::invalid(format!(
                    "{}: not a plan of `sync plan --out`: {e}",
                    args.plan.display()
                ))
            })?;
            apply::run(global, &plan, &args.plan, &text, &args.run).await
        }
        SyncCommand::Run(args) => {
            if !args.yes {
                return Err(CliError::invalid(
                    "sync run applies without a review: pass --yes (or review first with `sync plan --out plan.json`, then `sync apply plan.json`)",
                ));
            }
            let client = client(global)?;
            let plan = plan(global, &client, &args.plan).await?;
            let text = serde_json::to_string(&plan).unwrap_or_default();
            apply::run(global, &plan, &args.plan.csv, &text, &args.run).await
        }
    }
}

/// `5%` or `12`.
fn limit(flag: &str, text: &str) -> CliResult<Limit> {
    let bad = || {
        CliError::invalid(format!(
            "{flag} `{text}`: give a count (12) or a percentage (5%)"
        ))
    };
    match text.trim().strip_suffix('%') {
        Some(p) => p
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| (0.0..=100.0).contains(p))
            .map(Limit::Percent)
            .ok_or_else(bad),
        None => text
            .trim()
            .parse::<usize>()
            .map(Limit::Count)
            .map_err(|_| bad()),
    }
}

fn key(arg: SyncKeyArg) -> SyncKey {
    match arg {
        SyncKeyArg::Username => SyncKey::Username,
        SyncKeyArg::Email => SyncKey::Email,
        SyncKeyArg::EmployeeIdentifier => SyncKey::EmployeeIdentifier,
    }
}

/// Reads the file and the org once and makes the plan.
///
/// # Errors
/// Invalid input, a brake, rows with problems (exit 2), or a failed read (exit 1).
pub async fn plan(global: &Global, client: &Client, args: &SyncPlanArgs) -> CliResult<SyncPlan> {
    let scope: Vec<ScopeFilter> = args
        .scope
        .iter()
        .map(|s| ScopeFilter::parse(s).map_err(|e| CliError::invalid(format!("--scope: {e}"))))
        .collect::<CliResult<_>>()?;
    let at = match &args.at {
        Some(text) => Some(
            crate::commands::userstates::parse_at(text)?
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        None => None,
    };
    let options = PlanOptions {
        key: key(args.key),
        suspend_missing: args.suspend_missing,
        at,
        managed_groups: None,
        max_suspend: limit("--max-suspend", &args.max_suspend)?,
        max_remove: limit("--max-remove", &args.max_remove)?,
    };
    let call = CallOptions::new();
    let wants_groups = desired::has_groups(&args.csv)? || !args.manage_groups.is_empty();
    let directory = match wants_groups {
        true => Some(client.groups(&call).directory().await?),
        false => None,
    };
    let desired = desired::read(
        &args.csv,
        options.key,
        directory.as_ref(),
        args.skip_invalid,
        global.quiet,
    )?;
    let mut options = options;
    let (managed, groups) = managed_groups(directory.as_ref(), &args.manage_groups, &desired)?;
    options.managed_groups = managed;
    let org = client
        .read_org(&call, &desired.fields, &scope, &groups)
        .await?;
    let endpoint = client.endpoint();
    let target = (endpoint.base_url(), endpoint.org_id());
    let plan = SyncPlan::build(desired.rows, &org, &options, target)
        .map_err(|e| CliError::invalid(e.to_string()))?;
    refuse_problems(global, &plan, args)?;
    if let Some(path) = &args.out {
        let file = crate::output_file::OutputFile::create("--out", path)?;
        let text = serde_json::to_vec_pretty(&plan).unwrap_or_default();
        std::io::Write::write_all(&mut file.writer()?, &text)
            .map_err(|e| crate::output_file::file_error("--out", path, e))?;
        file.commit()?;
    }
    Ok(plan)
}

/// The managed groups (`--manage-groups`, resolved) and every group the plan reads: those and
/// the groups the rows name.
fn managed_groups(
    directory: Option<&jc_bulk::groups::GroupDirectory>,
    manage: &[String],
    desired: &desired::Desired,
) -> CliResult<(Option<Vec<String>>, Vec<jc_models::UserGroup>)> {
    let Some(directory) = directory else {
        return Ok((None, Vec::new()));
    };
    let mut involved: Vec<String> = Vec::new();
    let managed = if manage.is_empty() {
        None
    } else {
        let ids = manage
            .iter()
            .map(|g| {
                directory
                    .resolve(g)
                    .map(|g| g.id.clone().unwrap_or_default())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CliError::invalid(format!("--manage-groups: {e}")))?;
        involved.extend(ids.iter().cloned());
        Some(ids)
    };
    for id in desired.rows.iter().flat_map(|r| r.groups.iter().flatten()) {
        if !involved.contains(id) {
            involved.push(id.clone());
        }
    }
    let groups = directory
        .groups()
        .iter()
        .filter(|g| g.id.as_ref().is_some_and(|id| involved.contains(id)))
        .cloned()
        .collect();
    Ok((managed, groups))
}

/// Rows the plan left out: an error (exit 2) unless `--skip-invalid`.
fn refuse_problems(global: &Global, plan: &SyncPlan, args: &SyncPlanArgs) -> CliResult<()> {
    if plan.problems.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = plan
        .problems
        .iter()
        .map(|p| format!("{}:{}: {}", args.csv.display(), p.line, p.message))
        .collect();
    if !args.skip_invalid {
        return Err(CliError::invalid(format!(
            "{}\n{} rows have problems; nothing was planned (fix them, or pass --skip-invalid to plan the others)",
            lines.join("\n"),
            lines.len()
        )));
    }
    if !global.quiet {
        eprintln!(
            "{}\nleaving out {} rows (--skip-invalid)",
            lines.join("\n"),
            lines.len()
        );
    }
    Ok(())
}

fn show_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(nothing)".into(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Prints the plan: whole as JSON (`-o json`), or a line per change and the counts.
fn show(global: &Global, plan: &SyncPlan, args: &SyncPlanArgs) -> CliResult {
    let counts = jc_bulk::sync::counts(plan);
    match format(global) {
        crate::cli::Format::Table => {
            let mut lines = Vec::new();
            for c in &plan.creates {
                lines.push(format!("+ create  {} (line {})", c.key, c.line));
            }
            for u in &plan.updates {
                let changes: Vec<String> = u
                    .changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} -> {}",
                            c.field,
                            show_value(&c.old),
                            show_value(&c.new)
                        )
                    })
                    .collect();
                lines.push(format!("~ update  {}: {}", u.key, changes.join(", ")));
            }
            let when = plan
                .at
                .as_deref()
                .map_or("now".to_owned(), |at| format!("at {at}"));
            for s in &plan.states {
                lines.push(format!(
                    "! {}  {} ({} -> {}, {when})",
                    if s.to == jc_models::StateChange::Suspended {
                        "suspend "
                    } else {
                        "activate"
                    },
                    s.key,
                    s.from,
                    s.to.as_str()
                ));
            }
            for m in &plan.managers {
                lines.push(format!(
                    "~ manager {}: {} (created by this plan, line {})",
                    m.key, m.manager_key, m.manager_line
                ));
            }
            for m in &plan.memberships {
                let sign = if m.op == jc_bulk::groups::EdgeOp::Add {
                    "+ group   "
                } else {
                    "- group   "
                };
                lines.push(format!(
                    "{sign}{} {} {}",
                    m.key,
                    if m.op == jc_bulk::groups::EdgeOp::Add {
                        "to"
                    } else {
                        "from"
                    },
                    m.group
                ));
            }
            for line in lines {
                crate::output::line(line)?;
            }
            let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            crate::output::line(format_args!("plan: {}", summary.join(", ")))?;
        }
        other => {
            let value = json!({"plan": plan, "counts": counts});
            crate::output::object(other, &value)?;
        }
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        Exit::Changes
    } else {
        Exit::Ok
    })
}
