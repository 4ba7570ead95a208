//! The users a group command acts on: a CSV file (any key column: `id`, `username`, `email`)
//! or `--usernames`, `--emails`, `--ids`; each resolved to one user id before anything is sent
//! (ids are checked to exist). A key that names no user, or several, is a problem of its line.

use crate::cli::GroupUsersArgs;
use crate::commands::lookup::key_of;
use crate::exit::{CliError, CliResult};
use crate::keys::MatchBy;
use jc_bulk::{CallOptions, Client, Resolution, ResolveOptions, UserId, UserKey};
use std::path::Path;

/// One user as the input names it.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The CSV line (1 is the header), or the position in a list flag (from 1).
    pub line: u64,
    /// The key.
    pub key: UserKey,
}

/// One input user and what it resolved to.
#[derive(Debug, Clone)]
pub struct Named {
    /// As given.
    pub wanted: Wanted,
    /// The user's id, or why there is none.
    pub user: Result<String, String>,
}

fn key(by: MatchBy, text: &str) -> UserKey {
    match by {
        MatchBy::Id => UserKey::Id(UserId::new(text)),
        MatchBy::Username => UserKey::Username(text.to_owned()),
        MatchBy::Email => UserKey::Email(text.to_owned()),
    }
}

/// The users of a CSV file (`-`: standard input), by its key column.
///
/// # Errors
/// The file cannot be read, has no key column, or a row has an empty key (exit 2).
pub fn read_csv(path: &Path, match_by: Option<MatchBy>) -> CliResult<Vec<Wanted>> {
    let name = path.display().to_string();
    let fail = |e: &dyn std::fmt::Display| CliError::invalid(format!("--csv {name}: {e}"));
    let reader: Box<dyn std::io::Read> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| fail(&e))?)
    };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| fail(&e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let plan = crate::keys::plan(&header, match_by).map_err(|e| fail(&e))?;
    let mut wanted = Vec::new();
    let mut problems = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| fail(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        let text = record.get(plan.column).unwrap_or_default().trim();
        if text.is_empty() {
            problems.push(format!("{name}:{line}: `{}` is empty", plan.by.column()));
            continue;
        }
        wanted.push(Wanted {
            line,
            key: key(plan.by, text),
        });
    }
    if !problems.is_empty() {
        return Err(CliError::invalid(format!(
            "{}\nnothing was sent",
            problems.join("\n")
        )));
    }
    Ok(wanted)
}

/// The users `args` name.
///
/// # Errors
/// As [`read_csv`], or an empty list.
pub fn read(args: &GroupUsersArgs) -> CliResult<Vec<Wanted>> {
    if let Some(path) = &args.csv {
        return read_csv(path, args.match_by);
    }
    let lists = [
        (MatchBy::Username, &args.usernames),
        (MatchBy::Email, &args.emails),
        (MatchBy::Id, &args.ids),
    ];
    let wanted: Vec<Wanted> = lists
        .iter()
        .flat_map(|(by, texts)| texts.iter().map(move |t| (*by, t.trim())))
        .filter(|(_, text)| !text.is_empty())
        .enumerate()
        .map(|(i, (by, text))| Wanted {
            line: i as u64 + 1,
            key: key(by, text),
        })
        .collect();
    if wanted.is_empty() {
        return Err(CliError::invalid(
            "no users: give --csv, --usernames, --emails or --ids",
        ));
    }
    Ok(wanted)
}

/// Each wanted user's id (ids checked to exist), with the requests of one lookup.
///
/// # Errors
/// A failed read.
pub async fn resolve(client: &Client, wanted: Vec<Wanted>) -> CliResult<Vec<Named>> {
    let call = CallOptions::new();
    let keys = wanted.iter().map(|w| w.key.clone());
    let verify = ResolveOptions { verify_ids: true };
    let found = client.users(&call).resolve(keys, &verify).await?;
    Ok(wanted
        .into_iter()
        .zip(found)
        .map(|(wanted, resolution)| {
            let (kind, text) = (wanted.key.kind(), wanted.key.text().to_owned());
            let user = match resolution {
                Resolution::Found(id) => Ok(id.into_string()),
                Resolution::Ambiguous(ids) => Err(format!(
                    "ambiguous: {} users match {kind} `{text}`",
                    ids.len()
                )),
                _ => Err(format!("no user with {kind} `{text}`")),
            };
            Named { wanted, user }
        })
        .collect())
}

/// The key of a user given on the command line (`groups of USER`).
pub fn guessed(text: &str) -> UserKey {
    key_of(text)
}
