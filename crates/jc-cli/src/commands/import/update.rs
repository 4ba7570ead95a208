//! `users update` sends only the change the admin made (issue 20, CONTRACT.md sections 36-37).
//!
//! Before anything is sent, every row's user is read, with the fields of the file's columns: in
//! the lookup that resolves the rows' names (no extra request), or in one search per 100 ids.
//! Managers named by username or e-mail are resolved in the same read. Then each row becomes
//! the fields whose value differs ([`jc_bulk::partial::difference`]): list entries are merged,
//! `(clear)` clears, a row with no difference is `unchanged` and in no job.
//!
//! A file exported with `--for update` carries each row's base (`jcbulk_base`): only the cells
//! the admin changed since the export are considered, an emptied cell clears, and a cell that
//! changed both in the file and in JumpCloud since the export is a conflict (the row is not
//! submitted, both values in the reason).

use super::input::{Checked, Input, Rows};
use crate::csv::{can_clear, cell_edit, cells, Base, Column, Header, Problem, CLEAR};
use crate::exit::CliResult;
use crate::keys::{folded, MatchBy, Resolved};
use jc_bulk::partial::{difference, Edit};
use jc_bulk::{CallOptions, Client, CurrentUser, Lookup, UserKey};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What becomes of a valid row of an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Shaped {
    /// Send these fields (with the row's `id`).
    Send(Map<String, Value>),
    /// The user already holds what the row asks.
    Unchanged,
    /// Not sent: a change made both in the file and in JumpCloud since the export.
    NotSubmitted(String),
    /// A row error found against the user (a manager that names no one, an entry the user
    /// holds twice, a STAGED state to set): the row's column, and the problem.
    Invalid(Option<String>, String),
}

/// Why a row is not sent.
enum Refused {
    Invalid(Option<String>, String),
    Conflict(String),
}

fn invalid(column: &str, message: impl Into<String>) -> Refused {
    Refused::Invalid(Some(column.to_owned()), message.into())
}

/// Everything the rows of one update file are compared with: the header, and every row's user
/// and every named manager as read before sending.
#[derive(Debug)]
pub struct Plan {
    header: Header,
    /// The name key's column: it names the user, and is not itself sent (so a username
    /// spelled in another case is not rewritten).
    key_column: Option<usize>,
    /// Users by lowercased id.
    users: HashMap<String, Arc<CurrentUser>>,
    /// Managers named by username or e-mail (lowercased) in `manager` cells.
    managers: HashMap<String, Resolved>,
}

/// How the rows' users were read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Rows whose user was read.
    pub resolved: u64,
    /// Rows whose name or id matched no user.
    pub not_found: u64,
    /// Rows whose name matched several.
    pub ambiguous: u64,
}

/// The top-level fields the columns of `header` need read.
fn fields(header: &Header) -> Vec<&str> {
    let mut fields: Vec<&str> = header.columns().iter().filter_map(Column::field).collect();
    fields.sort_unstable();
    fields.dedup();
    fields
}

/// What a `manager` cell names, when it is not an id.
pub fn manager_key(text: &str) -> UserKey {
    crate::commands::lookup::key_of(text)
}

/// Reads every valid row's user (by name or id) and every manager a row names, in one lookup;
/// rows whose user matched no one, or several, become invalid.
///
/// # Errors
/// A read that failed.
pub async fn read(
    client: &Client,
    input: &mut Input,
    checked: &mut Checked,
    header: Header,
) -> CliResult<(Counts, Plan)> {
    let by = input.key_by().unwrap_or(MatchBy::Id);
    let rows: Vec<(u64, UserKey, Option<String>)> = std::mem::take(&mut checked.keys);
    let mut keys: Vec<UserKey> = rows.iter().map(|(_, key, _)| key.clone()).collect();
    let managers: Vec<(u64, String)> = std::mem::take(&mut checked.managers);
    keys.extend(managers.iter().map(|(_, name)| manager_key(name)));
    let call = CallOptions::new();
    let found = client.users(&call).read(&keys, &fields(&header)).await?;
    let (row_lookups, manager_lookups) = found.split_at(rows.len().min(found.len()));
    let mut counts = Counts::default();
    let mut users = HashMap::new();
    let mut names = HashMap::new();
    for ((line, key, given), lookup) in rows.iter().zip(row_lookups) {
        let column = by.column();
        let text = key.text();
        let message = match lookup {
            Lookup::Found(user) => {
                let id = user.id().as_str().to_owned();
                if by != MatchBy::Id {
                    names.insert(folded(text), Resolved::Id(id.clone()));
                }
                match given.as_deref().filter(|g| !g.eq_ignore_ascii_case(&id)) {
                    None => {
                        counts.resolved += 1;
                        users.insert(id.to_lowercase(), user.clone());
                        continue;
                    }
                    Some(given) => crate::keys::crossed(given, column, text, &id),
                }
            }
            Lookup::Ambiguous(ids) => {
                counts.ambiguous += 1;
                names.insert(folded(text), Resolved::Ambiguous(ids.len()));
                format!("ambiguous: {} users match {column} `{text}`", ids.len())
            }
            _ => {
                counts.not_found += 1;
                names.insert(folded(text), Resolved::Missing);
                format!("no user with {column} `{text}`")
            }
        };
        checked.add(Problem {
            line: *line,
            column: Some(column.to_owned()),
            message,
        });
    }
    if by != MatchBy::Id {
        input.resolved(names);
    }
    let mut resolved = HashMap::new();
    for ((_, name), lookup) in managers.iter().zip(manager_lookups) {
        let value = match lookup {
            Lookup::Found(user) => Resolved::Id(user.id().as_str().to_owned()),
            Lookup::Ambiguous(ids) => Resolved::Ambiguous(ids.len()),
            _ => Resolved::Missing,
        };
        resolved.insert(folded(name), value);
    }
    let plan = Plan {
        header,
        key_column: input.key_column().filter(|_| by != MatchBy::Id),
        users,
        managers: resolved,
    };
    Ok((counts, plan))
}

/// A cell's part in the row's change.
struct Changed<'a> {
    column: &'a Column,
    name: &'a str,
    /// The cell as the file holds it (`(clear)` for a cell the admin emptied).
    cell: &'a str,
    /// With a base: the column's value in JumpCloud now, when it changed since the export.
    moved: Option<String>,
}

impl Plan {
    /// The shaper of the send pass: each row's record becomes its difference, with its id. The
    /// rows the compare pass found `unchanged` (ascending lines) are not compared again.
    pub fn shaper(self: Arc<Self>, unchanged: Vec<u64>) -> super::stream::Shaper {
        Arc::new(move |line, raw, record| {
            if unchanged.binary_search(&line).is_ok() {
                return Shaped::Unchanged;
            }
            let id = record.get("id").and_then(Value::as_str).unwrap_or_default();
            match self.shape(raw, id) {
                Shaped::Send(mut changes) => {
                    changes.insert("id".into(), Value::String(id.to_owned()));
                    Shaped::Send(changes)
                }
                other => other,
            }
        })
    }

    /// What becomes of the valid row `raw` whose user is `id`.
    pub fn shape(&self, raw: &csv::StringRecord, id: &str) -> Shaped {
        self.assess(raw, id).0
    }

    /// What becomes of the row, and the columns that change its user (a dry run's figures).
    pub fn assess(&self, raw: &csv::StringRecord, id: &str) -> (Shaped, Vec<String>) {
        match self.shape_row(raw, id) {
            Ok(assessed) => assessed,
            Err(Refused::Conflict(reason)) => (Shaped::NotSubmitted(reason), Vec::new()),
            Err(Refused::Invalid(column, message)) => {
                (Shaped::Invalid(column, message), Vec::new())
            }
        }
    }

    fn shape_row(
        &self,
        raw: &csv::StringRecord,
        id: &str,
    ) -> Result<(Shaped, Vec<String>), Refused> {
        let (current, changed) = self.changed(raw, id)?;
        let edits = self.edits(&changed, id)?;
        let diff =
            difference(&current, &edits).map_err(|e| Refused::Invalid(None, e.to_string()))?;
        let effective: Vec<&Changed<'_>> = changed
            .iter()
            .zip(&diff.effective)
            .filter(|(_, effective)| **effective)
            .map(|(c, _)| c)
            .collect();
        let conflicts: Vec<String> = effective
            .iter()
            .filter_map(|c| {
                let now = c.moved.as_ref()?;
                Some(format!(
                    "`{}` is `{}` in the file and `{now}` in JumpCloud",
                    c.name, c.cell
                ))
            })
            .collect();
        if !conflicts.is_empty() {
            return Err(Refused::Conflict(format!(
                "conflict: changed both in the file and in JumpCloud since the export: {} (export again, or edit the row to the value you want)",
                conflicts.join("; ")
            )));
        }
        if diff.is_empty() {
            return Ok((Shaped::Unchanged, Vec::new()));
        }
        if diff.changes.get("state").and_then(Value::as_str) == Some("STAGED") {
            return Err(invalid(
                "state",
                "`STAGED` cannot be set by a bulk update (CONTRACT.md section 23)",
            ));
        }
        let columns = effective.iter().map(|c| c.name.to_owned()).collect();
        Ok((Shaped::Send(diff.changes), columns))
    }

    /// The row's base, if the file has one: it must be the base of the row's user.
    fn base_of(
        &self,
        raw: &csv::StringRecord,
        user: &CurrentUser,
    ) -> Result<Option<Base>, Refused> {
        let base = match self.header.base() {
            Some(at) => Base::decode(raw.get(at).unwrap_or_default())
                .map_err(|e| invalid(crate::csv::BASE_COLUMN, e))?,
            None => None,
        };
        // The base records the row's `id`: a base copied or sorted onto another user's row
        // would compare that user with what another held.
        if base
            .as_ref()
            .is_some_and(|b| !b.held("id", user.id().as_str()))
        {
            return Err(invalid(
                crate::csv::BASE_COLUMN,
                format!("this row's base was exported for another user than {} (was the `id` cell, or the base, moved?); export again, or empty the base cell to compare with JumpCloud as it is", user.id().as_str()),
            ));
        }
        Ok(base)
    }

    /// The user's current fields, and the row's cells that ask for something.
    fn changed<'a>(
        &'a self,
        raw: &'a csv::StringRecord,
        id: &str,
    ) -> Result<(Map<String, Value>, Vec<Changed<'a>>), Refused> {
        let user = self
            .users
            .get(&id.to_lowercase())
            .ok_or_else(|| invalid("id", format!("no user with id `{id}`")))?;
        // The user's fields are parsed, and what the export would write for them rendered, only
        // for a row that asks for something (most rows of a round trip ask for nothing).
        let mut current: Option<Map<String, Value>> = None;
        let base = self.base_of(raw, user)?;
        // What the export would write for the user now, by column: only with a base.
        let mut now: Option<HashMap<String, String>> = None;
        let mut changed = Vec::new();
        for (at, ((name, column), cell)) in self
            .header
            .names()
            .iter()
            .zip(self.header.columns())
            .zip(raw.iter())
            .enumerate()
        {
            let Some(export_name) = column.export_name() else {
                continue;
            };
            if matches!(column, Column::Field("id", _)) || self.key_column == Some(at) {
                continue;
            }
            let Some(base) = &base else {
                if !cell.trim().is_empty() {
                    changed.push(Changed {
                        column,
                        name,
                        cell,
                        moved: None,
                    });
                }
                continue;
            };
            if base.held(&export_name, cell) {
                continue; // not changed by the admin: left alone, whatever JumpCloud holds now
            }
            let cell = match (cell.trim().is_empty(), can_clear(column)) {
                (false, _) => cell,
                (true, true) => CLEAR,
                // An emptied boolean or number is left as it is (it cannot be cleared).
                (true, false) => continue,
            };
            let now = now.get_or_insert_with(|| {
                let current = current.get_or_insert_with(|| user.fields());
                cells(current, false).into_iter().collect()
            });
            let server = now.get(&export_name).map_or("", String::as_str);
            let moved = (!base.held(&export_name, server)).then(|| server.to_owned());
            changed.push(Changed {
                column,
                name,
                cell,
                moved,
            });
        }
        let current = match current {
            Some(current) => current,
            None if changed.is_empty() => Map::new(),
            None => user.fields(),
        };
        Ok((current, changed))
    }

    /// The edits of the changed cells; a manager named by username or e-mail becomes its id.
    fn edits(&self, changed: &[Changed<'_>], id: &str) -> Result<Vec<Edit>, Refused> {
        let mut edits = Vec::with_capacity(changed.len());
        for c in changed {
            let edit = match cell_edit(c.column, c.cell) {
                Ok(Some(edit)) => edit,
                Ok(None) => continue,
                Err(message) => return Err(invalid(c.name, message)),
            };
            edits.push(self.manager(edit, id)?);
        }
        Ok(edits)
    }

    fn manager(&self, edit: Edit, id: &str) -> Result<Edit, Refused> {
        let Edit::Set { field, value } = &edit else {
            return Ok(edit);
        };
        let Some(text) = value.as_str().filter(|_| field == "manager") else {
            return Ok(edit);
        };
        let text = text.trim();
        let key = manager_key(text);
        let manager = match key {
            UserKey::Id(id) => id.as_str().to_owned(),
            _ => match self.managers.get(&folded(text)) {
                Some(Resolved::Id(id)) => id.clone(),
                Some(Resolved::Ambiguous(n)) => {
                    return Err(invalid(
                        "manager",
                        format!("ambiguous: {n} users match {} `{text}`", key.kind()),
                    ))
                }
                _ => {
                    return Err(invalid(
                        "manager",
                        format!("no user with {} `{text}`", key.kind()),
                    ))
                }
            },
        };
        if manager.eq_ignore_ascii_case(id) {
            return Err(invalid(
                "manager",
                format!("`{text}` is this row's own user"),
            ));
        }
        Ok(Edit::Set {
            field: "manager".into(),
            value: Value::String(manager),
        })
    }
}

/// A dry run's figures: how many users change, by column, and how many are unchanged.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Tally {
    /// Users that change.
    pub change: u64,
    /// Users already as the file says.
    pub unchanged: u64,
    /// Rows not submitted (conflicts, entries that are not one).
    pub not_submitted: u64,
    /// Users that change, by column.
    pub fields: BTreeMap<String, u64>,
    /// The lines of the unchanged rows, ascending (the send pass does not compare them again).
    #[serde(skip)]
    pub unchanged_lines: Vec<u64>,
}

/// The pass between the read and the send: every valid row compared with its user. Rows that
/// fail against their user become invalid (with their line and column), and the figures of a
/// dry run are counted.
pub fn compare<R>(mut rows: Rows, checked: &mut Checked, plan: &Plan) -> Tally
where
    R: serde::de::DeserializeOwned + jc_bulk::BulkRecord,
{
    let mut tally = Tally::default();
    while let Some(row) = rows.next_row::<R>() {
        let Ok(record) = row.record else { continue };
        if checked.is_invalid(row.line) {
            continue;
        }
        let id = record.key().id.unwrap_or_default();
        let (shaped, columns) = plan.assess(&row.raw, &id);
        match shaped {
            Shaped::Unchanged => {
                tally.unchanged += 1;
                tally.unchanged_lines.push(row.line);
            }
            Shaped::NotSubmitted(_) => tally.not_submitted += 1,
            Shaped::Invalid(column, message) => checked.add(Problem {
                line: row.line,
                column,
                message,
            }),
            Shaped::Send(_) => {
                tally.change += 1;
                for column in columns {
                    *tally.fields.entry(column).or_default() += 1;
                }
            }
        }
    }
    tally
}
