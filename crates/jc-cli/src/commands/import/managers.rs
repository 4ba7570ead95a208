//! Managers named by username or e-mail in `users create` (CONTRACT.md section 37). A `manager`
//! cell may hold an id, a username or an e-mail. Names are resolved in the checking pass: to a
//! user JumpCloud already has (the record carries its id), or to a row of the same file (the
//! record is created without it, and a second PATCH job sets it once the creates settled; the
//! row's report says so). A name that matches no one, several users, or the row's own user is a
//! row error. An update resolves its managers in its read ([`super::update`]).

use super::input::{Checked, Input, Rows};
use super::outputs::Outputs;
use super::stream::Shaper;
use super::update::Shaped;
use crate::csv::{Kind, Problem};
use crate::exit::CliResult;
use crate::keys::{folded, is_user_id};
use jc_bulk::{
    CallOptions, Client, ImportOptions, InputRecord, Outcome, Resolution, ResolveOptions,
};
use jc_models::BulkUserUpdate;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a manager name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A user JumpCloud has.
    Id(String),
    /// The user the row on this line of the file creates.
    Row(u64),
}

/// The managers of a create file, resolved.
#[derive(Debug, Default)]
pub struct Managers {
    /// By folded manager text.
    targets: HashMap<String, Target>,
    /// Rows whose manager this file creates: row line -> manager row line.
    deferred: HashMap<u64, u64>,
    /// Rows whose manager did not resolve, and why (their reasons in the report).
    refused: HashMap<u64, String>,
}

impl Managers {
    /// Rows whose manager is created by the same file: (row line, manager row line).
    pub fn deferred(&self) -> &HashMap<u64, u64> {
        &self.deferred
    }

    /// The shaper of the send pass: a manager name becomes its id, or is left out until the
    /// second job when this file creates the manager.
    pub fn shaper(self: Arc<Self>) -> Shaper {
        Arc::new(move |line, _, mut record| {
            if let Some(message) = self.refused.get(&line) {
                return Shaped::Invalid(Some("manager".into()), message.clone());
            }
            let text = record.get("manager").and_then(Value::as_str).map(str::trim);
            match text
                .filter(|t| !is_user_id(t))
                .map(|t| self.targets.get(&folded(t)))
            {
                Some(Some(Target::Id(id))) => {
                    record.insert("manager".into(), Value::String(id.clone()));
                }
                Some(_) => {
                    record.remove("manager");
                }
                None => {}
            }
            Shaped::Send(record)
        })
    }
}

/// The column positions of `names`: username, email, manager.
fn columns(names: &[String]) -> [Option<usize>; 3] {
    ["username", "email", "manager"].map(|c| names.iter().position(|n| n.eq_ignore_ascii_case(c)))
}

/// Resolves the managers the check pass found; rows whose manager does not resolve become
/// invalid. `None` when no row names a manager by name.
///
/// # Errors
/// A read that failed, or the spool that cannot be read again.
pub async fn read(
    client: &Client,
    input: &Input,
    checked: &mut Checked,
) -> CliResult<Option<Arc<Managers>>> {
    let named = std::mem::take(&mut checked.managers);
    if named.is_empty() {
        return Ok(None);
    }
    let mut distinct: Vec<String> = named.iter().map(|(_, text)| folded(text)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let keys = distinct.iter().map(|text| super::update::manager_key(text));
    let call = CallOptions::new();
    let found = client
        .users(&call)
        .resolve(keys, &ResolveOptions::default())
        .await?;
    let mut targets = HashMap::new();
    let mut ambiguous = HashMap::new();
    for (text, resolution) in distinct.iter().zip(found) {
        match resolution {
            Resolution::Found(id) => {
                targets.insert(text.clone(), Target::Id(id.into_string()));
            }
            Resolution::Ambiguous(ids) => {
                ambiguous.insert(text.clone(), ids.len());
            }
            _ => {}
        }
    }
    // Names JumpCloud does not have may be users this file creates.
    let missing: HashSet<&String> = distinct
        .iter()
        .filter(|t| !targets.contains_key(*t) && !ambiguous.contains_key(*t))
        .collect();
    if !missing.is_empty() {
        let rows = input.rows(Kind::Create)?;
        for (text, line) in rows_named(rows, checked, &missing) {
            targets.insert(text, Target::Row(line));
        }
    }
    let mut managers = Managers {
        targets,
        ..Managers::default()
    };
    for (line, text) in named {
        let key = folded(&text);
        let kind = super::update::manager_key(&text).kind();
        let message = match (managers.targets.get(&key), ambiguous.get(&key)) {
            (Some(Target::Row(at)), _) if *at == line => format!("`{text}` is this row's own user"),
            (Some(Target::Row(at)), _) => {
                managers.deferred.insert(line, *at);
                continue;
            }
            (Some(Target::Id(_)), _) => continue,
            (None, Some(n)) => format!("ambiguous: {n} users match {kind} `{text}`"),
            (None, None) => format!("no user with {kind} `{text}`, in JumpCloud or in this file"),
        };
        checked.add(Problem {
            line,
            column: Some("manager".into()),
            message: message.clone(),
        });
        managers.refused.insert(line, message);
    }
    Ok(Some(Arc::new(managers)))
}

/// The valid rows of the file whose username or e-mail is one of `wanted`: (name, line).
fn rows_named(mut rows: Rows, checked: &Checked, wanted: &HashSet<&String>) -> Vec<(String, u64)> {
    let [username, email, _] = columns(&rows.header());
    let mut found = Vec::new();
    while let Some(row) = rows.next_row::<jc_models::BulkUserCreate>() {
        if row.record.is_err() || checked.is_invalid(row.line) {
            continue;
        }
        for at in [username, email].into_iter().flatten() {
            let name = folded(row.raw.get(at).unwrap_or_default());
            if wanted.contains(&name) {
                found.push((name, row.line));
            }
        }
    }
    found
}

/// The second job of a create: sets the managers this file created, once the creates settled;
/// each deferred row's report says what became of it.
pub async fn second_job(client: &Client, options: &ImportOptions, outputs: &mut Outputs) {
    let records: Vec<InputRecord<BulkUserUpdate>> = outputs
        .managers_to_set()
        .into_iter()
        .map(|(line, user, manager)| InputRecord {
            position: line,
            record: BulkUserUpdate {
                manager: Some(manager),
                ..BulkUserUpdate::new(user)
            },
        })
        .collect();
    if records.is_empty() {
        return;
    }
    let report = client.import(futures::stream::iter(records), options).await;
    for record in report.outcomes {
        let outcome = &record.outcome;
        let job = outcome
            .job_id()
            .map(|job| format!(" (job {job})"))
            .unwrap_or_default();
        let result = match outcome {
            Outcome::Applied { .. } => Ok(outcome
                .job_id()
                .map(ToString::to_string)
                .unwrap_or_default()),
            other => {
                let reason = other.reason().map(ToString::to_string).unwrap_or_default();
                Err((other.name(), format!("{reason}{job}")))
            }
        };
        outputs.manager_set(record.position, result);
    }
}
