//! Where an import's records come from: a CSV file, standard input, or ids given on the command
//! line (kept in memory: they never touch the filesystem).
//!
//! The input is read once. The check pass reads the file (or standard input) and copies every
//! byte to an unnamed temporary file (the spool, removed by the OS when jcbulk exits, however it
//! exits); the send pass reads the spool. So a file edited, truncated or appended to during the
//! import changes nothing: what is sent is exactly what was checked. The check pass also takes
//! the content's fingerprint, which binds a journal to this input.

use crate::csv::{CsvFile, Duplicates, Kind, Problem, Row};
use crate::exit::{CliError, CliResult};
use crate::keys::{KeyPlan, MatchBy, Resolved};
use crate::tracked::Limits;
use jc_models::Validate;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Problems printed at most; the count of the rest is printed.
const SHOWN: usize = 200;

/// Where the records come from.
#[derive(Debug)]
pub enum Source {
    /// A CSV file.
    File(PathBuf),
    /// Standard input (`--csv -`).
    Stdin,
    /// Ids from the command line.
    Ids(Vec<String>),
}

/// The input of an import, and its spool once checked.
#[derive(Debug)]
pub struct Input {
    source: Source,
    spool: Option<File>,
    fingerprint: Option<(u64, u64)>,
    /// Which column names the user (update, expire, unlock), once the header was read.
    key: Option<KeyPlan>,
}

impl Input {
    /// The input of `--csv PATH` (`-` is standard input).
    pub fn csv(path: &Path) -> Self {
        let source = if path.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(path.to_owned())
        };
        Self::from(source)
    }

    /// The input of `--ids` (or `--user-ids`): trimmed, empty ones dropped.
    ///
    /// # Errors
    /// No id at all (exit 2).
    pub fn ids(flag: &str, ids: &[String]) -> CliResult<Self> {
        let ids: Vec<String> = ids
            .iter()
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .collect();
        if ids.is_empty() {
            return Err(CliError::invalid(format!("{flag} holds no id")));
        }
        Ok(Self::from(Source::Ids(ids)))
    }

    /// The name in messages: the path, `<stdin>` or `--ids`.
    pub fn name(&self) -> String {
        match &self.source {
            Source::File(path) => path.display().to_string(),
            Source::Stdin => "<stdin>".into(),
            Source::Ids(_) => "--ids".into(),
        }
    }

    /// The file read, when the input is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(path) => Some(path),
            _ => None,
        }
    }

    /// The content hash and size of what the check pass read.
    pub fn fingerprint(&self) -> Option<(u64, u64)> {
        self.fingerprint
    }

    /// A pass over the rows: the spool once checked, else the source itself (read once).
    ///
    /// # Errors
    /// The input cannot be opened, or its header is wrong (exit 2).
    pub fn rows(&self, kind: Kind) -> CliResult<Rows> {
        let located = |problems: Vec<Problem>| located(&self.name(), &problems, 0);
        let name = PathBuf::from(self.name());
        let limits = Limits::default();
        let file = match (&self.spool, &self.source) {
            (_, Source::Ids(ids)) => return Ok(Rows::Ids(ids.clone().into_iter(), 0)),
            (Some(spool), _) => {
                let mut copy = spool.try_clone()?;
                copy.seek(SeekFrom::Start(0))?;
                CsvFile::from_reader(&name, Box::new(copy), kind, None, limits)
            }
            (None, Source::File(path)) => CsvFile::open(path, kind),
            (None, Source::Stdin) => {
                let stdin = Box::new(std::io::stdin());
                CsvFile::from_reader(&name, stdin, kind, None, limits)
            }
        };
        let mut file = file.map_err(located)?;
        if let Some(plan) = &self.key {
            file.set_key(plan.clone());
        }
        Ok(Rows::Csv(Box::new(file)))
    }

    /// Names resolved to ids (`names` lowercased): the send pass puts them into the rows.
    pub fn resolved(&mut self, ids: HashMap<String, Resolved>) {
        if let Some(plan) = &mut self.key {
            plan.ids = Some(std::sync::Arc::new(ids));
        }
    }

    /// The key column's position, once the header was read (update, expire, unlock).
    pub fn key_column(&self) -> Option<usize> {
        self.key.as_ref().map(|plan| plan.column)
    }

    /// The key column's kind, once the header was read (update, expire, unlock).
    pub fn key_by(&self) -> Option<MatchBy> {
        self.key.as_ref().map(|plan| plan.by)
    }

    /// The key column, when rows name their users by username or e-mail.
    pub fn name_key(&self) -> Option<MatchBy> {
        self.key
            .as_ref()
            .map(|plan| plan.by)
            .filter(|by| *by != MatchBy::Id)
    }

    /// The check pass: reads the source once, spooling it, and returns what it found.
    fn first_pass(&mut self, kind: Kind, match_by: Option<MatchBy>) -> CliResult<Rows> {
        let name = PathBuf::from(self.name());
        let reader: Box<dyn std::io::Read + Send> = match &self.source {
            Source::Ids(_) => return self.rows(kind),
            Source::File(path) => Box::new(
                File::open(path)
                    .map_err(|e| CliError::invalid(format!("--csv {}: {e}", path.display())))?,
            ),
            Source::Stdin => Box::new(std::io::stdin()),
        };
        let spool = tempfile::tempfile()
            .map_err(|e| CliError::other(format!("cannot create the input's spool file: {e}")))?;
        let writer = Box::new(std::io::BufWriter::new(spool.try_clone()?));
        let mut file = CsvFile::from_reader(&name, reader, kind, Some(writer), Limits::default())
            .map_err(|problems| located(&self.name(), &problems, 0))?;
        if kind != Kind::Create {
            let plan = crate::keys::plan(file.header().names(), match_by)
                .map_err(|e| CliError::invalid(format!("{}: {e}", self.name())))?;
            file.set_key(plan.clone());
            self.key = Some(plan);
        }
        self.spool = Some(spool);
        Ok(Rows::Csv(Box::new(file)))
    }
}

impl From<Source> for Input {
    fn from(source: Source) -> Self {
        Self {
            source,
            spool: None,
            fingerprint: None,
            key: None,
        }
    }
}

/// FNV-1a 64 of the ids, one per line, and that text's size.
fn ids_fingerprint(ids: &[String]) -> (u64, u64) {
    let bytes = || ids.iter().flat_map(|id| id.bytes().chain([b'\n']));
    (crate::journal::fnv1a(bytes()), bytes().count() as u64)
}

/// Rows of a source, one pass.
pub enum Rows {
    /// CSV rows.
    Csv(Box<CsvFile>),
    /// Ids, with the count handed out so far.
    Ids(std::vec::IntoIter<String>, u64),
}

impl Rows {
    /// The column names (the header of `--failed-rows`).
    pub fn header(&self) -> Vec<String> {
        match self {
            Self::Csv(file) => file.header().names().to_vec(),
            Self::Ids(..) => vec!["id".into()],
        }
    }

    /// The next row; an id's "line" is its place in the list, from 1.
    pub fn next_row<R: DeserializeOwned + Validate>(&mut self) -> Option<Row<R>> {
        match self {
            Self::Csv(file) => file.next_row(),
            Self::Ids(ids, count) => {
                let id = ids.next()?;
                *count += 1;
                let record = serde_json::from_value::<R>(serde_json::json!({ "id": id }))
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.validate().map(|()| r).map_err(|v| v.to_string()))
                    .map_err(|message| {
                        vec![Problem {
                            line: *count,
                            column: Some("id".into()),
                            message,
                        }]
                    });
                Some(Row {
                    line: *count,
                    record,
                    raw: csv::StringRecord::from(vec![id]),
                })
            }
        }
    }

    /// Why reading stopped before the end (a record over the limits, an unclosed quote).
    pub fn fatal(&self) -> Option<&Problem> {
        match self {
            Self::Csv(file) => file.fatal(),
            Self::Ids(..) => None,
        }
    }

    /// The identifying values of a row, for duplicate checks.
    pub fn identity(&self, raw: &csv::StringRecord) -> Vec<(&'static str, String)> {
        match self {
            Self::Csv(file) => file.identity(raw),
            Self::Ids(..) => raw
                .get(0)
                .map(|id| vec![("id", id.trim().to_lowercase())])
                .unwrap_or_default(),
        }
    }
}

/// Every problem, each on its own line, prefixed with the input's name; `more` problems were
/// not kept.
pub fn located(name: &str, problems: &[Problem], more: u64) -> CliError {
    let mut lines: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("{name}: {p}"))
        .collect();
    let more = more + problems.len().saturating_sub(SHOWN) as u64;
    if more > 0 {
        lines.push(format!("... and {more} more problems"));
    }
    CliError::invalid(lines.join("\n"))
}

/// What the check pass found. Memory stays small whatever the share of invalid rows: the line
/// numbers of invalid rows (8 bytes each), the first 200 problems, and the duplicates. The
/// reasons of the others are worked out again in the send pass and streamed to the report.
#[derive(Debug, Default)]
pub struct Checked {
    /// Data rows.
    pub rows: u64,
    /// Lines of the rows with problems, ascending.
    invalid: Vec<u64>,
    /// The first problems, in line order.
    shown: Vec<Problem>,
    /// Problems not kept in `shown`.
    more: u64,
    /// Rows that repeat an earlier row's username, e-mail or id, by line.
    duplicates: Vec<Problem>,
    /// The name key of each row keyed by username or e-mail, and its `id` cell if any:
    /// (line, name, id).
    pub names: Vec<(u64, String, Option<String>)>,
    /// An update's valid rows: the key of each (its id, username or e-mail), and its `id` cell
    /// when keyed by name. Every row's user is read before sending.
    pub keys: Vec<(u64, jc_bulk::UserKey, Option<String>)>,
    /// The `manager` cells of a create or an update that name a user by username or e-mail:
    /// (line, text).
    pub managers: Vec<(u64, String)>,
    /// The `groups` cells of a create's or an update's valid rows: (line, text).
    pub groups: Vec<(u64, String)>,
    /// The header, when the input is CSV.
    pub header: Option<crate::csv::Header>,
}

impl Checked {
    /// Rows with problems.
    pub fn invalid(&self) -> u64 {
        self.invalid.len() as u64
    }

    /// Rows without problems.
    pub fn valid(&self) -> u64 {
        self.rows - self.invalid()
    }

    /// The problems, as an error naming the input.
    pub fn error(&self, name: &str) -> CliError {
        located(name, &self.shown, self.more)
    }

    /// Whether the row of `line` has problems.
    pub fn is_invalid(&self, line: u64) -> bool {
        self.invalid.binary_search(&line).is_ok()
    }

    /// The duplicate problems of `line`.
    fn duplicates_of(&self, line: u64) -> impl Iterator<Item = &Problem> {
        let start = self.duplicates.partition_point(|p| p.line < line);
        self.duplicates[start..]
            .iter()
            .take_while(move |p| p.line == line)
    }

    /// The reason a row is not sent, for the report.
    pub(super) fn reason(&self, line: u64, problems: &[Problem]) -> String {
        let text: Vec<String> = problems
            .iter()
            .chain(self.duplicates_of(line))
            .map(|p| match &p.column {
                Some(c) => format!("{c}: {}", p.message),
                None => p.message.clone(),
            })
            .collect();
        format!("invalid: {}", text.join("; "))
    }

    /// Adds a problem found after the check pass (a name that resolved to no user).
    pub fn add(&mut self, problem: Problem) {
        if let Err(at) = self.invalid.binary_search(&problem.line) {
            self.invalid.insert(at, problem.line);
        }
        self.keep([problem]);
        self.shown.sort_by_key(|p| p.line);
    }

    fn keep(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for problem in problems {
            if self.shown.len() < SHOWN {
                self.shown.push(problem);
            } else {
                self.more += 1;
            }
        }
    }
}

/// Reads every row once (spooling the input), collecting every problem (types, rules,
/// duplicates) by line.
///
/// # Errors
/// A source that cannot be read, whose header is wrong, over the limits, with a quote never
/// closed, or with no data row (exit 2).
pub fn check<R: DeserializeOwned + Validate>(
    input: &mut Input,
    kind: Kind,
    match_by: Option<MatchBy>,
) -> CliResult<Checked> {
    let mut rows = input.first_pass(kind, match_by)?;
    let mut checked = Checked::default();
    let mut duplicates = Duplicates::default();
    while let Some(row) = rows.next_row::<R>() {
        checked.rows += 1;
        if let Rows::Csv(file) = &rows {
            let name = file
                .key()
                .and_then(|plan| crate::keys::name_of(plan, &row.raw));
            // The row's `id` cell too: it must name the user its name resolves to.
            let id = crate::keys::id_cell(file.header().names(), &row.raw);
            if kind == Kind::Update && row.record.is_ok() {
                keep_update_keys(&mut checked, file, &row.raw, row.line, name.as_deref());
            }
            if kind == Kind::Create && row.record.is_ok() {
                let manager = manager_name(file.header().names(), &row.raw);
                checked.managers.extend(manager.map(|m| (row.line, m)));
            }
            if kind != Kind::Target && row.record.is_ok() {
                let groups = super::groups::groups_cell(file.header().names(), &row.raw);
                checked.groups.extend(groups.map(|g| (row.line, g)));
            }
            checked
                .names
                .extend(name.filter(|n| !n.is_empty()).map(|n| (row.line, n, id)));
        }
        duplicates.add(row.line, rows.identity(&row.raw));
        if let Err(problems) = row.record {
            checked.invalid.push(row.line);
            checked.keep(problems);
        }
    }
    if let Some(problem) = rows.fatal() {
        return Err(located(&input.name(), std::slice::from_ref(problem), 0));
    }
    input.fingerprint = Some(match (&rows, &input.source) {
        (Rows::Csv(file), _) => file.fingerprint(),
        (_, Source::Ids(ids)) => ids_fingerprint(ids),
        _ => (0, 0),
    });
    if let (Rows::Csv(file), Kind::Update) = (&rows, kind) {
        checked.header = Some(file.header().clone());
    }
    checked.duplicates = duplicates.problems();
    checked.duplicates.sort_by_key(|p| p.line);
    checked
        .invalid
        .extend(checked.duplicates.iter().map(|p| p.line));
    checked.invalid.sort_unstable();
    checked.invalid.dedup();
    let duplicates = checked.duplicates.clone();
    checked.keep(duplicates);
    checked.shown.sort_by_key(|p| p.line);
    if checked.rows == 0 {
        return Err(CliError::invalid(format!(
            "{}: no data rows after the header",
            input.name()
        )));
    }
    Ok(checked)
}

/// An update row's key, and the managers it names by username or e-mail.
fn keep_update_keys(
    checked: &mut Checked,
    file: &CsvFile,
    raw: &csv::StringRecord,
    line: u64,
    name: Option<&str>,
) {
    let names = file.header().names();
    let id = crate::keys::id_cell(names, raw);
    let key = match (file.key().map(|plan| plan.by), name) {
        (Some(MatchBy::Username), Some(name)) => jc_bulk::UserKey::Username(name.to_owned()),
        (Some(MatchBy::Email), Some(name)) => jc_bulk::UserKey::Email(name.to_owned()),
        _ => match &id {
            Some(id) => jc_bulk::UserKey::Id(jc_bulk::UserId::new(id.as_str())),
            None => return,
        },
    };
    let given = id.filter(|_| name.is_some());
    checked.keys.push((line, key, given));
    let manager = manager_name(names, raw);
    checked.managers.extend(manager.map(|m| (line, m)));
}

/// A row's `manager` cell when it names the manager by username or e-mail (not by id).
fn manager_name(names: &[String], raw: &csv::StringRecord) -> Option<String> {
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case("manager"))
        .and_then(|at| raw.get(at))
        .map(str::trim)
        .filter(|m| !m.is_empty() && *m != crate::csv::CLEAR && !crate::keys::is_user_id(m))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11 d10: 25,000 invalid rows keep at most 200 reasons in memory.
    #[test]
    fn d10_the_check_keeps_no_per_row_reasons_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("half.csv");
        let mut text = String::from("username,email\n");
        for i in 0..50_000 {
            if i % 2 == 0 {
                text.push_str(&format!("v{i},v{i}@example.com\n"));
            } else {
                text.push_str(&format!("i{i},not-an-email\n"));
            }
        }
        std::fs::write(&csv, text).unwrap();
        let mut input = Input::csv(&csv);
        let checked = check::<jc_models::BulkUserCreate>(&mut input, Kind::Create, None).unwrap();
        assert_eq!(checked.invalid(), 25_000);
        assert!(checked.shown.len() <= 200, "{}", checked.shown.len());
    }
}
