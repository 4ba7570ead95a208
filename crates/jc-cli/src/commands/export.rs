//! `jcbulk users export`: every matching user, in the import's column convention (CONTRACT.md
//! section 23), so that export -> edit -> `users update --csv` round-trips every field
//! `bulk-user-update` accepts. Pages stream from the API into an unnamed spool file while the
//! set of columns (`attributes.NAME`, `phoneNumbers.TYPE`, `addresses.TYPE.FIELD`) is learnt;
//! the CSV is then written from the spool: memory stays bounded whatever the org's size.

use crate::cli::{ExportArgs, Format, Global};
use crate::config::{client, format};
use crate::csv_input::{Kind, Ty};
use crate::exit::{CliError, CliResult, Exit};
use futures::TryStreamExt;
use jc_bulk::CallOptions;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

/// Update columns that are not exported: never readable, or not round-trippable (section 23).
const NOT_EXPORTED: [&str; 5] = [
    "id",
    "password",
    "ssh_keys",
    "restrictedFields",
    "organization",
];

/// Read-only v1 fields, exported only with `--all-fields` (and ignored on import).
pub const READ_ONLY: [&str; 11] = [
    "activated",
    "created",
    "creationSource",
    "password_expired",
    "password_expiration_date",
    "password_date",
    "account_locked_date",
    "badLoginAttempts",
    "totp_enabled",
    "recoveryEmail.address",
    "recoveryEmail.verified",
];

/// A cell's text: strings as they are, other scalars as JSON, arrays and objects as JSON text.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The dotted cells of a user's attributes, phone numbers and addresses.
fn dotted(user: &Map<String, Value>) -> Vec<(String, String)> {
    let items = |key: &str| {
        user.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut cells = Vec::new();
    for attribute in items("attributes") {
        if let Some(name) = attribute["name"].as_str() {
            cells.push((format!("attributes.{name}"), text(&attribute["value"])));
        }
    }
    for phone in items("phoneNumbers") {
        if let Some(kind) = phone["type"].as_str() {
            cells.push((format!("phoneNumbers.{kind}"), text(&phone["number"])));
        }
    }
    for address in items("addresses") {
        let Some(kind) = address["type"].as_str() else {
            continue;
        };
        for (field, value) in address.as_object().into_iter().flatten() {
            if field != "type" && field != "id" && !value.is_null() {
                cells.push((format!("addresses.{kind}.{field}"), text(value)));
            }
        }
    }
    cells
}

/// Every cell of one user, by column name.
fn cells(user: &Map<String, Value>, all_fields: bool) -> Vec<(String, String)> {
    let mut cells = vec![("id".to_owned(), text(&user["_id"]))];
    for (field, ty) in Kind::Update.fields() {
        if NOT_EXPORTED.contains(&field)
            || matches!(field, "attributes" | "phoneNumbers" | "addresses")
        {
            continue;
        }
        match user.get(field) {
            Some(Value::Null) | None => {}
            Some(value) if ty == Ty::Json || !value.is_object() => {
                cells.push((field.to_owned(), text(value)))
            }
            Some(_) => {}
        }
    }
    cells.extend(dotted(user));
    if all_fields {
        for field in READ_ONLY {
            let value = match field.split_once('.') {
                Some((object, key)) => user.get(object).and_then(|o| o.get(key)),
                None => user.get(field),
            };
            if let Some(value) = value.filter(|v| !v.is_null()) {
                cells.push((field.to_owned(), text(value)));
            }
        }
    }
    cells
}

/// The column order: `id`, the plain update fields in the import's order, then the dotted
/// columns and the read-only ones, sorted.
fn order(seen: BTreeSet<String>) -> Vec<String> {
    let plain: Vec<String> = Kind::Update
        .fields()
        .into_iter()
        .map(|(field, _)| field.to_owned())
        .filter(|field| seen.contains(field))
        .collect();
    let mut columns = vec!["id".to_owned()];
    columns.extend(plain.iter().filter(|f| *f != "id").cloned());
    columns.extend(seen.into_iter().filter(|c| c != "id" && !plain.contains(c)));
    columns
}

/// Runs `users export`.
///
/// # Errors
/// A failed read, a bad filter (exit 2), or a write error.
pub async fn run(global: &Global, args: &ExportArgs) -> CliResult {
    let filters: Vec<String> = args
        .filter
        .iter()
        .map(|f| filter(f))
        .collect::<CliResult<_>>()?;
    let client = client(global)?;
    let call = CallOptions::new();
    let pages = client.users(&call).list(&filters, None);
    futures::pin_mut!(pages);
    let format = format(global);
    if format != Format::Csv && format != Format::Table {
        let mut out = crate::output::Streamed::new(format, &[]);
        let mut count = 0;
        while let Some(page) = pages.try_next().await? {
            for user in page {
                out.item(&serde_json::to_value(user).unwrap_or_default())?;
                count += 1;
            }
        }
        out.end()?;
        return done(global, count);
    }
    let mut spool = BufWriter::new(
        tempfile::tempfile()
            .map_err(|e| CliError::other(format!("cannot create the export's spool file: {e}")))?,
    );
    let mut seen = BTreeSet::new();
    let mut count = 0;
    while let Some(page) = pages.try_next().await? {
        for user in page {
            let object = match serde_json::to_value(user) {
                Ok(Value::Object(object)) => object,
                _ => continue,
            };
            let row = cells(&object, args.all_fields);
            seen.extend(row.iter().map(|(column, _)| column.clone()));
            serde_json::to_writer(&mut spool, &row).map_err(std::io::Error::from)?;
            spool.write_all(b"\n")?;
            count += 1;
        }
    }
    let columns = order(seen);
    write_csv(
        spool
            .into_inner()
            .map_err(|e| CliError::other(e.to_string()))?,
        &columns,
    )?;
    done(global, count)
}

/// Writes the spooled rows as CSV under `columns`.
fn write_csv(mut spool: std::fs::File, columns: &[String]) -> CliResult<()> {
    spool.seek(SeekFrom::Start(0))?;
    let stdout = std::io::stdout();
    let mut writer = csv::Writer::from_writer(stdout.lock());
    writer
        .write_record(columns)
        .map_err(std::io::Error::other)?;
    for line in BufReader::new(spool).lines() {
        let row: Vec<(String, String)> = serde_json::from_str(&line?).unwrap_or_default();
        let cells: Vec<String> = columns
            .iter()
            .map(|column| {
                // Written as is, not neutralized like a report: the file is for `users update`.
                row.iter()
                    .find(|(c, _)| c == column)
                    .map_or(String::new(), |(_, v)| v.clone())
            })
            .collect();
        writer.write_record(cells).map_err(std::io::Error::other)?;
    }
    writer.flush()?;
    Ok(())
}

fn done(global: &Global, count: u64) -> CliResult {
    if !global.quiet {
        eprintln!("exported {count} users");
    }
    Ok(Exit::Ok)
}

/// `field:op:value` (op `eq ne gt gte lt lte`, with or without `$`) as the v1 filter.
fn filter(text: &str) -> CliResult<String> {
    let parts: Vec<&str> = text.splitn(3, ':').collect();
    match parts.as_slice() {
        [field, op, value]
            if !field.is_empty()
                && ["eq", "ne", "gt", "gte", "lt", "lte"].contains(&op.trim_start_matches('$')) =>
        {
            Ok(format!("{field}:${}:{value}", op.trim_start_matches('$')))
        }
        _ => Err(CliError::invalid(format!(
            "--filter `{text}` must be field:op:value with op eq, ne, gt, gte, lt or lte"
        ))),
    }
}
