//! Reading a desired-state file: the import's column convention (as for `users create`), plus
//! `state`, `manager` by id, username or e-mail, and `groups` (names or ids, `;`-separated).
//! Every row becomes a [`DesiredUser`]: the record that creates its user, and the edits that
//! bring an existing user to it (only the cells it holds; `password` only on create).

use crate::commands::import::located;
use crate::csv::{cell_edit, Column, CsvFile, Kind, Problem, GROUPS_COLUMN};
use crate::exit::{CliError, CliResult};
use jc_bulk::groups::GroupDirectory;
use jc_bulk::partial::Edit;
use jc_bulk::sync::{DesiredUser, SyncKey};
use jc_models::{BulkUserCreate, StateChange};
use std::path::Path;

/// The rows of a desired-state file and the fields the plan compares.
pub struct Desired {
    /// Every valid row.
    pub rows: Vec<DesiredUser>,
    /// The top-level fields the rows set.
    pub fields: Vec<String>,
}

/// Fields that are not compared with the org: set on create only, or handled apart.
const NOT_COMPARED: [&str; 5] = ["password", "ssh_keys", "state", "manager", "organization"];

fn edits_of(
    columns: &[Column],
    raw: &csv::StringRecord,
    key: SyncKey,
) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::new();
    for (column, cell) in columns.iter().zip(raw.iter()) {
        let field = column.field().unwrap_or_default();
        if cell.trim().is_empty() || NOT_COMPARED.contains(&field) || field == key.field() {
            continue;
        }
        if let Some(edit) = cell_edit(column, cell)? {
            edits.push(edit);
        }
    }
    Ok(edits)
}

fn cell<'a>(names: &[String], raw: &'a csv::StringRecord, name: &str) -> Option<&'a str> {
    names
        .iter()
        .position(|n| n.trim().eq_ignore_ascii_case(name))
        .and_then(|at| raw.get(at))
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// The group ids of a `groups` cell.
fn group_ids(directory: &GroupDirectory, text: Option<&str>) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for reference in text
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let group = directory.resolve(reference).map_err(|e| e.to_string())?;
        ids.extend(group.id.clone());
    }
    Ok(ids)
}

/// One row as a desired user, or its problem.
fn desired(
    record: Result<BulkUserCreate, String>,
    raw: &csv::StringRecord,
    file: &CsvFile,
    key: SyncKey,
    groups: Option<&GroupDirectory>,
) -> Result<DesiredUser, String> {
    let names = file.header().names();
    let key_text = cell(names, raw, key.field())
        .ok_or(format!("`{}` is empty", key.field()))?
        .to_owned();
    let state = match cell(names, raw, "state") {
        None => None,
        Some(text) if text.eq_ignore_ascii_case("SUSPENDED") => Some(StateChange::Suspended),
        Some(text) if text.eq_ignore_ascii_case("ACTIVATED") => Some(StateChange::Activated),
        Some(text) => {
            return Err(format!(
                "state `{text}`: a sync sets ACTIVATED or SUSPENDED"
            ))
        }
    };
    let edits = edits_of(file.header().columns(), raw, key)?;
    let groups = match groups {
        Some(directory) => Some(group_ids(directory, cell(names, raw, GROUPS_COLUMN))?),
        None => None,
    };
    let record = record.and_then(|mut record| {
        record.manager = None;
        DesiredUser::record_of(&record)
    });
    Ok(DesiredUser {
        line: 0,
        key: key_text,
        record,
        edits,
        state,
        manager: cell(names, raw, "manager").map(str::to_owned),
        groups,
    })
}

/// Whether the file at `path` has a `groups` column (its header only).
///
/// # Errors
/// An unreadable file or header.
pub fn has_groups(path: &Path) -> CliResult<bool> {
    let file = CsvFile::open(path, Kind::Create)
        .map_err(|problems| located(&path.display().to_string(), &problems, 0))?;
    Ok(file.header().columns().contains(&Column::Groups))
}

/// Reads `path`: every row checked; the rows with problems listed (exit 2 unless `skip`).
///
/// # Errors
/// An unreadable file or header, or rows with problems without `skip`.
pub fn read(
    path: &Path,
    key: SyncKey,
    groups: Option<&GroupDirectory>,
    skip: bool,
    quiet: bool,
) -> CliResult<Desired> {
    let name = path.display().to_string();
    let mut file =
        CsvFile::open(path, Kind::Create).map_err(|problems| located(&name, &problems, 0))?;
    let mut fields: Vec<String> = file
        .header()
        .columns()
        .iter()
        .filter_map(|c| c.field().map(str::to_owned))
        .filter(|f| !NOT_COMPARED.contains(&f.as_str()))
        .collect();
    fields.sort();
    fields.dedup();
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    while let Some(row) = file.next_row::<BulkUserCreate>() {
        let record = row.record.map_err(|found| {
            let messages: Vec<String> = found
                .into_iter()
                .map(|p| match p.column {
                    Some(column) => format!("{column}: {}", p.message),
                    None => p.message,
                })
                .collect();
            messages.join("; ")
        });
        let result = desired(record, &row.raw, &file, key, groups);
        match result {
            Ok(mut user) => {
                user.line = row.line;
                rows.push(user);
            }
            Err(message) => problems.push(Problem {
                line: row.line,
                column: None,
                message,
            }),
        }
    }
    problems.extend(file.fatal().cloned());
    if !problems.is_empty() {
        let error = located(&name, &problems, 0);
        if !skip {
            return Err(CliError::invalid(format!(
                "{}\n{} rows have problems; nothing was planned (fix them, or pass --skip-invalid to plan the others)",
                error.message,
                problems.len()
            )));
        }
        if !quiet {
            eprintln!(
                "{}\nleaving out {} rows with problems (--skip-invalid)",
                error.message,
                problems.len()
            );
        }
    }
    Ok(Desired { rows, fields })
}
