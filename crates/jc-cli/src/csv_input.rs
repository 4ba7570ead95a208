//! CSV in: a header row of the bulk-user schemas' JSON field names (case-insensitive),
//! `attributes.NAME`, `phoneNumbers.TYPE`, `addresses.TYPE.FIELD`, `recoveryEmail.address`,
//! `mfa.FIELD`; JSON text in a column of an array or object field. Booleans take
//! true/false/yes/no/1/0; an empty cell leaves the field unset; a UTF-8 byte-order mark is
//! ignored. Rows stream: memory does not grow with the file.

use crate::keys::KeyPlan;
use crate::tracked::{Limits, Tracked, Tracker};
use jc_models::Validate;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The type of a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Text.
    Text,
    /// true/false/yes/no/1/0.
    Bool,
    /// A whole number.
    Int,
    /// JSON text (arrays and objects).
    Json,
}

use Ty::{Bool, Int, Json, Text};

/// Columns shared by create and update.
const SHARED: &[(&str, Ty)] = &[
    ("account_locked", Bool),
    ("addresses", Json),
    ("allow_public_key", Bool),
    ("alternateEmail", Text),
    ("attributes", Json),
    ("company", Text),
    ("costCenter", Text),
    ("delegatedAuthority", Json),
    ("department", Text),
    ("description", Text),
    ("disableDeviceMaxLoginAttempts", Bool),
    ("displayname", Text),
    ("email", Text),
    ("employeeIdentifier", Text),
    ("employeeType", Text),
    ("enable_managed_uid", Bool),
    ("enable_user_portal_multifactor", Bool),
    ("external_dn", Text),
    ("external_password_expiration_date", Text),
    ("external_source_type", Text),
    ("externally_managed", Bool),
    ("firstname", Text),
    ("jobTitle", Text),
    ("lastname", Text),
    ("ldap_binding_user", Bool),
    ("location", Text),
    ("managedAppleId", Text),
    ("manager", Text),
    ("mfa", Json),
    ("middlename", Text),
    ("password", Text),
    ("password_never_expires", Bool),
    ("passwordless_sudo", Bool),
    ("phoneNumbers", Json),
    ("public_key", Text),
    ("relationships", Json),
    ("restrictedFields", Json),
    ("samba_service_user", Bool),
    ("state", Text),
    ("sudo", Bool),
    ("suspended", Bool),
    ("unix_guid", Int),
    ("unix_uid", Int),
    ("username", Text),
];

/// Columns only create has.
pub const CREATE_ONLY: &[(&str, Ty)] = &[("activated", Bool), ("recoveryEmail", Json)];
/// Columns only update has.
pub const UPDATE_ONLY: &[(&str, Ty)] = &[("id", Text), ("organization", Text), ("ssh_keys", Json)];
/// Columns of expire, unlock and schedule files.
pub const TARGET: &[(&str, Ty)] = &[("id", Text), ("organization", Text), ("attributes", Json)];

const ADDRESS_FIELDS: &[&str] = &[
    "country",
    "extendedAddress",
    "locality",
    "poBox",
    "postalCode",
    "region",
    "streetAddress",
];
const NESTED: &[(&str, &str, Ty)] = &[
    ("recoveryEmail", "address", Text),
    ("mfa", "configured", Bool),
    ("mfa", "exclusion", Bool),
    ("mfa", "exclusionDays", Int),
    ("mfa", "exclusionUntil", Text),
];

/// Which schema a file feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `bulk-user-create`.
    Create,
    /// `bulk-user-update`.
    Update,
    /// `bulk-user-expire` / `bulk-user-unlock` / user ids for scheduling.
    Target,
}

impl Kind {
    /// Every plain column of the kind, with its type.
    pub fn fields(self) -> Vec<(&'static str, Ty)> {
        match self {
            Self::Create => SHARED.iter().chain(CREATE_ONLY).copied().collect(),
            Self::Update => UPDATE_ONLY.iter().chain(SHARED).copied().collect(),
            Self::Target => TARGET.to_vec(),
        }
    }

    fn has(self, name: &str) -> bool {
        self.fields().iter().any(|(n, _)| *n == name)
    }

    /// The columns that identify a row, for duplicate detection.
    fn unique(self) -> &'static [&'static str] {
        match self {
            Self::Create => &["username", "email"],
            Self::Update | Self::Target => &["id"],
        }
    }
}

/// What a column feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Field(&'static str, Ty),
    Attribute(String),
    Phone(String),
    Address(String, &'static str),
    Nested(&'static str, &'static str, Ty),
    /// Never sent: `username` / `email` in an expire, unlock or schedule file (a key only), and
    /// the read-only fields of an export in an update file (ignored).
    Key,
}

/// One problem of the input, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line number (1 is the header).
    pub line: u64,
    /// The column or field, when the problem has one.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}: {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

fn problem(line: u64, column: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        line,
        column: column.map(str::to_owned),
        message: message.into(),
    }
}

/// The header, understood.
#[derive(Debug, Clone)]
pub struct Header {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Header {
    /// The column names as written (BOM removed).
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

fn classify(kind: Kind, name: &str) -> Option<Column> {
    let lower = name.to_ascii_lowercase();
    if kind == Kind::Target && (lower == "username" || lower == "email") {
        return Some(Column::Key);
    }
    // Read-only fields of `users export --all-fields`: ignored (section 23).
    if kind == Kind::Update
        && crate::commands::export::READ_ONLY
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name))
    {
        return Some(Column::Key);
    }
    if let Some((field, ty)) = kind
        .fields()
        .into_iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(name))
    {
        return Some(Column::Field(field, ty));
    }
    let (head, rest) = name.split_once('.')?;
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    let head_lower = head.to_ascii_lowercase();
    match head_lower.as_str() {
        "attributes" if kind.has("attributes") => Some(Column::Attribute(rest.to_owned())),
        "phonenumbers" if kind.has("phoneNumbers") => Some(Column::Phone(rest.to_owned())),
        "addresses" if kind.has("addresses") => {
            let (kind_name, field) = rest.rsplit_once('.')?;
            let field = ADDRESS_FIELDS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(field))?;
            Some(Column::Address(kind_name.to_owned(), field))
        }
        _ => NESTED
            .iter()
            .find(|(object, field, _)| {
                kind.has(object) && lower == format!("{}.{}", object, field).to_ascii_lowercase()
            })
            .map(|(object, field, ty)| Column::Nested(object, field, *ty)),
    }
}

/// Understands the header row: every column must be known.
///
/// # Errors
/// Every unknown column, or a first row that holds no column name at all (no header).
pub fn parse_header(kind: Kind, record: &csv::StringRecord) -> Result<Header, Vec<Problem>> {
    let names: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let n = if i == 0 {
                n.trim_start_matches('\u{feff}')
            } else {
                n
            };
            n.trim().to_owned()
        })
        .collect();
    let classified: Vec<Option<Column>> = names.iter().map(|n| classify(kind, n)).collect();
    if classified.iter().all(Option::is_none) {
        let example = match kind {
            Kind::Create => {
                "username,email,firstname,lastname (see `jcbulk users template create`)"
            }
            Kind::Update => "id,department (see `jcbulk users template update`)",
            Kind::Target => "id",
        };
        return Err(vec![problem(1, None, format!("no header row: the first line holds no column name; expected names such as {example}"))]);
    }
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, (name, column)) in names.iter().zip(&classified).enumerate() {
        if column.is_none() {
            problems.push(problem(1, Some(name), "unknown column"));
        }
        if let Some(first) = seen.insert(name.to_ascii_lowercase(), i) {
            problems.push(problem(
                1,
                Some(name),
                format!("repeats column {}", first + 1),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Header {
        names,
        columns: classified.into_iter().flatten().collect(),
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn typed(ty: Ty, text: &str) -> Result<Value, String> {
    match ty {
        Text => Ok(Value::String(text.to_owned())),
        Bool => parse_bool(text)
            .map(Value::Bool)
            .ok_or_else(|| format!("`{text}` is not a boolean (true/false/yes/no/1/0)")),
        Int => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{text}` is not a whole number")),
        Json => serde_json::from_str(text).map_err(|e| format!("not JSON ({e})")),
    }
}

fn push(object: &mut Map<String, Value>, key: &str, item: Value) {
    let entry = object
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = entry {
        items.push(item);
    }
}

/// The JSON object of one data row; problems name the column.
fn row_object(
    header: &Header,
    record: &csv::StringRecord,
    line: u64,
) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut object = Map::new();
    let mut problems = Vec::new();
    for ((name, column), cell) in header.names.iter().zip(&header.columns).zip(record.iter()) {
        if cell.trim().is_empty() {
            continue;
        }
        match column {
            Column::Key => {}
            Column::Field(field, ty) => match typed(*ty, cell) {
                Ok(Value::Array(items)) if object.get(*field).is_some_and(Value::is_array) => {
                    for item in items {
                        push(&mut object, field, item);
                    }
                }
                Ok(value) => {
                    object.insert((*field).to_owned(), value);
                }
                Err(message) => problems.push(problem(line, Some(name), message)),
            },
            Column::Attribute(attribute) => push(
                &mut object,
                "attributes",
                serde_json::json!({"name": attribute, "value": cell}),
            ),
            Column::Phone(kind) => push(
                &mut object,
                "phoneNumbers",
                serde_json::json!({"type": kind, "number": cell}),
            ),
            Column::Address(kind, field) => {
                let addresses = object
                    .entry("addresses")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = addresses {
                    let index = match items.iter().position(|a| a["type"] == kind.as_str()) {
                        Some(i) => i,
                        None => {
                            items.push(serde_json::json!({"type": kind}));
                            items.len() - 1
                        }
                    };
                    if let Some(Value::Object(address)) = items.get_mut(index) {
                        address.insert((*field).to_owned(), Value::String(cell.to_owned()));
                    }
                }
            }
            Column::Nested(object_name, field, ty) => match typed(*ty, cell) {
                Ok(value) => {
                    let nested = object
                        .entry(*object_name)
                        .or_insert_with(|| Value::Object(Map::new()));
                    match nested {
                        Value::Object(fields) => {
                            fields.insert((*field).to_owned(), value);
                        }
                        _ => problems.push(problem(
                            line,
                            Some(name),
                            format!("conflicts with the `{object_name}` column, whose value is not an object"),
                        )),
                    }
                }
                Err(message) => problems.push(problem(line, Some(name), message)),
            },
        }
    }
    if problems.is_empty() {
        Ok(object)
    } else {
        Err(problems)
    }
}

/// A row read and converted.
#[derive(Debug)]
pub struct Row<R> {
    /// Its line number.
    pub line: u64,
    /// The record, or every problem of the row.
    pub record: Result<R, Vec<Problem>>,
    /// The cells as read (for `--failed-rows`).
    pub raw: csv::StringRecord,
}

/// A CSV file being read: header understood, rows on demand, physical line numbers, and the
/// limits (1 MiB a record, 10,000 columns) enforced.
pub struct CsvFile {
    path: PathBuf,
    kind: Kind,
    header: Header,
    reader: csv::Reader<Tracked<Box<dyn std::io::Read + Send>>>,
    tracker: Tracker,
    limits: Limits,
    fatal: Option<Problem>,
    key: Option<KeyPlan>,
}

impl CsvFile {
    /// Opens `path` and reads its header.
    ///
    /// # Errors
    /// An unreadable or empty file, or header problems.
    pub fn open(path: &Path, kind: Kind) -> Result<Self, Vec<Problem>> {
        let file = std::fs::File::open(path).map_err(|e| {
            vec![problem(
                0,
                None,
                format!("cannot open {}: {e}", path.display()),
            )]
        })?;
        Self::from_reader(path, Box::new(file), kind, None, Limits::default())
    }

    /// Reads the header of CSV text from `reader`, named `path` in messages; every byte read
    /// is copied to `spool` when one is given.
    ///
    /// # Errors
    /// An empty input, or header problems.
    pub fn from_reader(
        path: &Path,
        reader: Box<dyn std::io::Read + Send>,
        kind: Kind,
        spool: Option<Box<dyn std::io::Write + Send>>,
        limits: Limits,
    ) -> Result<Self, Vec<Problem>> {
        let tracked = Tracked::new(reader, spool, limits);
        let tracker = tracked.tracker();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(tracked);
        let mut first = csv::StringRecord::new();
        match reader.read_record(&mut first) {
            Ok(true) => {}
            Ok(false) => {
                return Err(vec![problem(
                    1,
                    None,
                    "the file is empty: expected a header row",
                )])
            }
            Err(e) => return Err(vec![fatal_problem(&tracker, &e)]),
        }
        if first.len() > limits.max_columns {
            let line = tracker.seen().line_at(0);
            return Err(vec![too_many_columns(line, first.len(), limits)]);
        }
        let header = parse_header(kind, &first)?;
        Ok(Self {
            path: path.to_owned(),
            kind,
            header,
            reader,
            tracker,
            limits,
            fatal: None,
            key: None,
        })
    }

    /// Rows name their user by this key (update, expire, unlock): the id goes into each row,
    /// resolved from a name once the plan holds the resolved ids.
    pub fn set_key(&mut self, plan: KeyPlan) {
        self.key = Some(plan);
    }

    /// The key plan, if any.
    pub fn key(&self) -> Option<&KeyPlan> {
        self.key.as_ref()
    }

    /// Why reading stopped before the end: a record over the size limit, too many columns, or a
    /// quoted field never closed. Rows after it were not read.
    pub fn fatal(&self) -> Option<&Problem> {
        self.fatal.as_ref()
    }

    /// The content hash and size of everything read so far (the whole input once every row
    /// was read).
    pub fn fingerprint(&self) -> (u64, u64) {
        self.tracker.seen().fingerprint()
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next row, converted into `R`; `None` at the end, or when reading cannot go on
    /// (see [`CsvFile::fatal`]).
    pub fn next_row<R: DeserializeOwned + Validate>(&mut self) -> Option<Row<R>> {
        if self.fatal.is_some() {
            return None;
        }
        let mut raw = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut raw) {
                Ok(false) => {
                    let open = self.tracker.seen().unclosed_quote();
                    self.fatal = open.map(|line| problem(line, None, "a quoted field opens on this line and is never closed: every line after it would be read as part of it (close the quote)"));
                    return None;
                }
                Err(e) if self.tracker.seen().refused().is_some() => {
                    self.fatal = Some(fatal_problem(&self.tracker, &e));
                    return None;
                }
                Err(e) => {
                    let line = self.line_of(e.position());
                    return Some(Row {
                        line,
                        record: Err(vec![csv_problem(line, &e)]),
                        raw,
                    });
                }
                Ok(true) => {}
            }
            let line = self.line_of(raw.position());
            if raw.len() > self.limits.max_columns {
                self.fatal = Some(too_many_columns(line, raw.len(), self.limits));
                return None;
            }
            if raw.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            let record = self.convert(&raw, line);
            return Some(Row { line, record, raw });
        }
    }

    fn line_of(&self, position: Option<&csv::Position>) -> u64 {
        self.tracker
            .seen()
            .line_at(position.map_or(0, csv::Position::byte))
    }

    fn convert<R: DeserializeOwned + Validate>(
        &self,
        raw: &csv::StringRecord,
        line: u64,
    ) -> Result<R, Vec<Problem>> {
        let width = self.header.names.len();
        if raw.len() != width {
            return Err(vec![problem(
                line,
                None,
                format!("{} fields, but the header has {width}", raw.len()),
            )]);
        }
        let broken: Vec<Problem> = self
            .header
            .names
            .iter()
            .zip(&self.header.columns)
            .zip(raw.iter())
            .filter(|((_, column), cell)| {
                matches!(column, Column::Field("username" | "email" | "id", _))
                    && cell.contains(['\n', '\r'])
            })
            .map(|((name, _), _)| {
                problem(
                    line,
                    Some(name),
                    "holds a line break: is a quote in this row opened and closed in the wrong place?",
                )
            })
            .collect();
        if !broken.is_empty() {
            return Err(broken);
        }
        let mut object = row_object(&self.header, raw, line)?;
        if let Some(plan) = &self.key {
            crate::keys::apply(plan, raw, &mut object, line)?;
        }
        let record: R =
            serde_path_to_error::deserialize(Value::Object(object)).map_err(|error| {
                let path = error.path().to_string();
                vec![problem(line, Some(&path), error.into_inner().to_string())]
            })?;
        record.validate().map_err(|violations| {
            violations
                .iter()
                .map(|v| problem(line, Some(&v.field), v.problem.to_string()))
                .collect::<Vec<_>>()
        })?;
        Ok(record)
    }

    /// The values of the identifying columns of a raw row (lowercased), for duplicate checks.
    pub fn identity(&self, raw: &csv::StringRecord) -> Vec<(&'static str, String)> {
        let named = self.key.as_ref().and_then(|plan| {
            let name = crate::keys::name_of(plan, raw)?;
            (!name.is_empty()).then(|| (plan.by.column(), crate::keys::folded(&name)))
        });
        self.kind
            .unique()
            .iter()
            .filter_map(|field| {
                let index = self
                    .header
                    .columns
                    .iter()
                    .position(|c| matches!(c, Column::Field(f, _) if f == field))?;
                let value = raw.get(index)?.trim().to_lowercase();
                (!value.is_empty()).then_some((*field, value))
            })
            .chain(named)
            .collect()
    }
}

fn csv_problem(line: u64, error: &csv::Error) -> Problem {
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 (save the file as UTF-8)".to_owned(),
        _ => error.to_string(),
    };
    problem(line, None, message)
}

/// A problem that stops reading: the tracker's reason, else the CSV error's.
fn fatal_problem(tracker: &Tracker, error: &csv::Error) -> Problem {
    match tracker.seen().refused() {
        Some((line, message)) => problem(*line, None, message.clone()),
        None => csv_problem(1, error),
    }
}

fn too_many_columns(line: u64, columns: usize, limits: Limits) -> Problem {
    problem(
        line,
        None,
        format!(
            "{columns} columns: more than {} (is this a CSV file?)",
            limits.max_columns
        ),
    )
}

/// Finds rows that repeat an identifying value (username, e-mail, id) of an earlier row.
///
/// Keeps 16 bytes per value (a 64-bit hash of field and value, and the line), sorted once at the
/// end, so a million-row file costs about 32 MB during the check and nothing after it. Two
/// different values share a hash with a chance of about one in 10^8 for a million rows.
#[derive(Debug, Default)]
pub struct Duplicates {
    seen: Vec<u128>,
}

impl Duplicates {
    /// Notes the row's identifying values.
    pub fn add(&mut self, line: u64, identity: Vec<(&'static str, String)>) {
        for (field, value) in identity {
            let hash = fnv1a(&[field.as_bytes(), value.as_bytes()]);
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            self.seen.push(
                (u128::from(hash) << 64) | (u128::from(field_tag(field)) << 32) | u128::from(line),
            );
        }
    }

    /// A problem for every value seen on an earlier line.
    pub fn problems(mut self) -> Vec<Problem> {
        self.seen.sort_unstable();
        self.seen
            .windows(2)
            .filter(|pair| pair[0] >> 32 == pair[1] >> 32)
            .map(|pair| {
                let (first, line) = (pair[0] as u32, pair[1] as u32);
                let field = FIELD_TAGS[((pair[1] >> 32) as u32 as usize).min(FIELD_TAGS.len() - 1)];
                problem(
                    u64::from(line),
                    Some(field),
                    format!("duplicate row: the same {field} as line {first}"),
                )
            })
            .collect()
    }
}

/// FNV-1a (64 bit) of the parts, each followed by a separator byte.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|part| part.iter().chain([&0xff])) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

const FIELD_TAGS: [&str; 3] = ["username", "email", "id"];

fn field_tag(field: &str) -> u32 {
    FIELD_TAGS
        .iter()
        .position(|f| *f == field)
        .unwrap_or(FIELD_TAGS.len() - 1) as u32
}

/// The header row and an example line of a template.
pub fn template(kind: Kind) -> String {
    match kind {
        Kind::Create => "username,email,firstname,lastname,department,jobTitle,employeeIdentifier,state,phoneNumbers.work,addresses.work.locality,attributes.costCode\n\
ada.lovelace,ada@example.com,Ada,Lovelace,Engineering,Analyst,E-1001,ACTIVATED,+1 555 0100,London,CC-42\n".to_owned(),
        Kind::Update => "id,department,jobTitle,state,phoneNumbers.mobile,attributes.costCode\n\
5be9fb4ddb01290001e85109,Finance,Controller,SUSPENDED,+1 555 0101,CC-43\n".to_owned(),
        Kind::Target => "id\n5be9fb4ddb01290001e85109\n".to_owned(),
    }
}
