//! The `groups` column of `users create` and `users update` (issue 21, CONTRACT.md sections
//! 26-31): group names or ids separated by `;`, resolved against one listing of the org's groups
//! in the checking pass (a group that matches none or several is a row error), and added, never
//! removed, once the row's user exists: after the import (and, for creates, once their jobs
//! settled and the user ids are known). Each group's members are read once and only the
//! missing memberships are sent.

use super::input::Checked;
use crate::commands::groups::engine;
use crate::csv::{Problem, GROUPS_COLUMN};
use crate::exit::CliResult;
use jc_bulk::groups::{ChangeOptions, ChangeOutcome, MemberChange};
use jc_bulk::{CallOptions, Client};
use jc_models::UserGroup;
use std::collections::HashMap;
use std::sync::Arc;

/// The resolved `groups` column of a file.
#[derive(Debug, Default)]
pub struct RowGroups {
    /// Group ids per line (rows whose every group resolved).
    by_line: HashMap<u64, Vec<String>>,
    /// The groups named, once each.
    groups: Vec<UserGroup>,
}

impl RowGroups {
    fn name(&self, id: &str) -> String {
        self.groups
            .iter()
            .find(|g| g.id.as_deref() == Some(id))
            .and_then(|g| g.name.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    /// The group names of each row (for the report).
    pub fn names_by_line(&self) -> HashMap<u64, Vec<String>> {
        self.by_line
            .iter()
            .map(|(line, ids)| (*line, ids.iter().map(|id| self.name(id)).collect()))
            .collect()
    }
}

/// A row's `groups` cell, when not empty.
pub fn groups_cell(names: &[String], raw: &csv::StringRecord) -> Option<String> {
    names
        .iter()
        .position(|n| n.trim().eq_ignore_ascii_case(GROUPS_COLUMN))
        .and_then(|at| raw.get(at))
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
}

/// The report's cell: `Eng:added;VPN:already_member`.
pub fn cell<'a>(outcomes: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    outcomes
        .map(|(name, label)| format!("{name}:{label}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Resolves the `groups` cells the check pass found (one listing of the org's groups); rows
/// naming a group that matches none or several become invalid. `None` when no row names one.
///
/// # Errors
/// The listing failed.
pub async fn read(client: &Client, checked: &mut Checked) -> CliResult<Option<Arc<RowGroups>>> {
    let cells = std::mem::take(&mut checked.groups);
    if cells.is_empty() {
        return Ok(None);
    }
    let call = CallOptions::new();
    let directory = client.groups(&call).directory().await?;
    let mut resolved = RowGroups::default();
    for (line, text) in cells {
        let mut ids: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        for reference in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            match directory.resolve(reference) {
                Ok(group) => {
                    let id = group.id.clone().unwrap_or_default();
                    if !resolved.groups.iter().any(|g| g.id == group.id) {
                        resolved.groups.push(group.clone());
                    }
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                Err(error) => problems.push(error.to_string()),
            }
        }
        if problems.is_empty() {
            resolved.by_line.insert(line, ids);
        } else {
            checked.add(Problem {
                line,
                column: Some(GROUPS_COLUMN.to_owned()),
                message: problems.join("; "),
            });
        }
    }
    Ok(Some(Arc::new(resolved)))
}

/// What became of the groups of each row, and whether a signal stopped the sending.
pub type Added = (HashMap<u64, Vec<(String, ChangeOutcome)>>, bool);

/// Adds each row's user (`rows`: line, user id) to the row's groups: the groups' members are
/// read once, only missing memberships are sent. A failed read fails every change it would
/// have planned (the import itself stands).
pub async fn add(
    client: &Client,
    groups: &RowGroups,
    rows: Vec<(u64, String)>,
    allow_dynamic: bool,
    quiet: bool,
) -> Added {
    let call = CallOptions::new();
    let wanted: Vec<(u64, MemberChange)> = rows
        .iter()
        .flat_map(|(line, user)| {
            let ids = groups.by_line.get(line).cloned().unwrap_or_default();
            ids.into_iter()
                .map(move |gid| (*line, MemberChange::add(gid, user.clone())))
        })
        .collect();
    let named: Vec<UserGroup> = groups
        .groups
        .iter()
        .filter(|g| {
            wanted
                .iter()
                .any(|(_, c)| Some(&c.group_id) == g.id.as_ref())
        })
        .cloned()
        .collect();
    let applied = match client.groups(&call).snapshot(&named).await {
        Ok(snapshot) => {
            let plan = snapshot.plan(wanted.iter().map(|(_, c)| c.clone()), allow_dynamic);
            Ok(engine::apply(client, plan, &ChangeOptions::default(), quiet).await)
        }
        Err(error) => Err(format!("the group's members could not be read: {error}")),
    };
    let interrupted = applied.as_ref().is_ok_and(|a| a.interrupted);
    let outcome_of = |c: &MemberChange| match &applied {
        Ok(applied) => applied
            .outcome(&c.group_id, &c.user_id, c.op)
            .cloned()
            .unwrap_or(ChangeOutcome::NotSent {
                reason: "not in the plan".into(),
            }),
        Err(reason) => ChangeOutcome::Failed {
            reason: reason.clone(),
            status: None,
            request_id: None,
        },
    };
    let mut results: HashMap<u64, Vec<(String, ChangeOutcome)>> = HashMap::new();
    for (line, change) in &wanted {
        let name = groups.name(&change.group_id);
        results
            .entry(*line)
            .or_default()
            .push((name, outcome_of(change)));
    }
    (results, interrupted)
}
