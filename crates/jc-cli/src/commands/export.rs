//! `jcbulk users export`: every matching user, in the import's column convention (CONTRACT.md
//! section 23), so that export -> edit -> `users update --csv` round-trips every field
//! `bulk-user-update` accepts. Pages stream from the API into an unnamed spool file while the
//! set of columns (`attributes.NAME`, `phoneNumbers.TYPE`, `addresses.TYPE.FIELD`) is learnt;
//! the CSV is then written from the spool: memory stays bounded whatever the org's size.

use crate::cli::{ExportArgs, Format, Global};
use crate::config::{client, format};
use crate::csv::{cells, order, protect, Base, Marking, BASE_COLUMN, GROUPS_COLUMN};
use crate::exit::{CliError, CliResult, Exit};
use futures::{StreamExt, TryStreamExt};
use jc_bulk::CallOptions;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

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
    let memberships = match args.with_groups {
        true => Some(memberships(&client).await?),
        false => None,
    };
    let call = CallOptions::new();
    let pages = client.users(&call).list(&filters, None);
    futures::pin_mut!(pages);
    let format = format(global);
    if format != Format::Csv && format != Format::Table {
        let mut out = crate::output::Streamed::new(format, &[]);
        let mut count = 0;
        while let Some(page) = pages.try_next().await? {
            for user in page {
                let mut value = serde_json::to_value(&user).unwrap_or_default();
                if let (Some(groups), Some(id)) = (&memberships, user.id.as_deref()) {
                    value[GROUPS_COLUMN] = serde_json::json!(groups.of(id));
                }
                out.item(&value)?;
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
            let mut row = cells(&object, args.all_fields);
            let id = object
                .get("_id")
                .or(object.get("id"))
                .and_then(Value::as_str);
            if let (Some(groups), Some(id)) = (&memberships, id) {
                row.push((GROUPS_COLUMN.to_owned(), groups.of(id).join(";")));
            }
            seen.extend(row.iter().map(|(column, _)| column.clone()));
            serde_json::to_writer(&mut spool, &row).map_err(std::io::Error::from)?;
            spool.write_all(b"\n")?;
            count += 1;
        }
    }
    let columns = order(seen);
    let marking = match (args.spreadsheet_safe, args.for_update.is_some()) {
        (true, _) => Some(Marking::SpreadsheetSafe),
        (false, true) => Some(Marking::Plain),
        (false, false) => None,
    };
    write_csv(
        spool
            .into_inner()
            .map_err(|e| CliError::other(e.to_string()))?,
        &columns,
        marking,
    )?;
    done(global, count)
}

/// Writes the spooled rows as CSV under `columns`; with a `marking`, each row ends with its
/// base (`jcbulk_base`), and a spreadsheet-safe one protects its cells.
fn write_csv(
    mut spool: std::fs::File,
    columns: &[String],
    marking: Option<Marking>,
) -> CliResult<()> {
    spool.seek(SeekFrom::Start(0))?;
    let stdout = std::io::stdout();
    let mut writer = csv::Writer::from_writer(stdout.lock());
    let mut header = columns.to_vec();
    header.extend(marking.map(|_| BASE_COLUMN.to_owned()));
    writer
        .write_record(&header)
        .map_err(std::io::Error::other)?;
    for line in BufReader::new(spool).lines() {
        let row: Vec<(String, String)> = serde_json::from_str(&line?).unwrap_or_default();
        let by_name: std::collections::HashMap<&str, &str> =
            row.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
        let values: Vec<&str> = columns
            .iter()
            .map(|column| by_name.get(column.as_str()).copied().unwrap_or_default())
            .collect();
        let mut cells: Vec<String> = match marking {
            Some(Marking::SpreadsheetSafe) => {
                values.iter().map(|v| protect(v).into_owned()).collect()
            }
            // Written as is, not neutralized like a report: the file is for `users update`.
            _ => values.iter().map(|v| (*v).to_owned()).collect(),
        };
        if let Some(marking) = marking {
            // The groups column only adds: never compared with a base.
            let held = columns
                .iter()
                .map(String::as_str)
                .zip(values.iter().copied())
                .filter(|(column, _)| *column != GROUPS_COLUMN);
            cells.push(Base::of(held, marking).encode());
        }
        writer.write_record(cells).map_err(std::io::Error::other)?;
    }
    writer.flush()?;
    Ok(())
}

/// Every user's groups, read before the users: one listing of the groups, then each group's
/// members once (`sum ceil(members/100)` reads, four groups at a time).
struct Memberships {
    /// How each group is written: its name, or its id where the name would not come back as
    /// this group (ambiguous, or holding `;`).
    labels: Vec<String>,
    /// Group indexes by user id.
    of_user: HashMap<Box<str>, Vec<u32>>,
}

impl Memberships {
    fn of(&self, user: &str) -> Vec<&str> {
        self.of_user
            .get(user)
            .map(|groups| {
                groups
                    .iter()
                    .map(|g| self.labels[*g as usize].as_str())
                    .collect()
            })
            .unwrap_or_default()
    }
}

async fn memberships(client: &jc_bulk::Client) -> CliResult<Memberships> {
    let call = CallOptions::new();
    let groups = client.groups(&call);
    let directory = groups.directory().await?;
    let labels = directory
        .groups()
        .iter()
        .map(|group| {
            let id = group.id.clone().unwrap_or_default();
            let name = group.name.clone().unwrap_or_default();
            let returns = directory.resolve(&name).is_ok_and(|g| g.id == group.id);
            if returns && !name.contains(';') && name.trim() == name {
                name
            } else {
                id
            }
        })
        .collect();
    let reads = directory.groups().iter().enumerate().map(|(index, group)| {
        let members = groups.members(group.id.as_deref().unwrap_or_default());
        async move { Ok::<_, jc_bulk::Error>((index, members.try_collect::<Vec<String>>().await?)) }
    });
    let mut read = futures::stream::iter(reads).buffer_unordered(4);
    let mut of_user: HashMap<Box<str>, Vec<u32>> = HashMap::new();
    while let Some((index, members)) = read.try_next().await? {
        for member in members {
            of_user
                .entry(member.into_boxed_str())
                .or_default()
                .push(index as u32);
        }
    }
    for groups in of_user.values_mut() {
        groups.sort_unstable();
    }
    Ok(Memberships { labels, of_user })
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
