//! Rows that name their user by username or e-mail: the names are resolved to ids in the
//! checking pass, before anything is sent (CONTRACT.md sections 21 and 22). A name that matches
//! no user, or several, makes its row invalid, with its line.

use super::input::{Checked, Input};
use crate::csv::Problem;
use crate::exit::CliResult;
use crate::keys::{folded, MatchBy, Resolved};
use jc_bulk::{CallOptions, Client, Resolution, ResolveOptions, UserKey};
use std::collections::HashMap;

/// How the rows' names resolved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Rows whose name matched one user.
    pub resolved: u64,
    /// Rows whose name matched none.
    pub not_found: u64,
    /// Rows whose name matched several.
    pub ambiguous: u64,
}

/// Resolves the names of `checked` (read only), tells `input` the ids, and adds a problem for
/// every row whose name did not resolve to exactly one user.
///
/// # Errors
/// A lookup that failed.
pub async fn resolve(
    client: &Client,
    input: &mut Input,
    checked: &mut Checked,
    by: MatchBy,
) -> CliResult<Counts> {
    let mut distinct: Vec<String> = checked.names.iter().map(|(_, n, _)| folded(n)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let keys = distinct.iter().map(|name| match by {
        MatchBy::Email => UserKey::Email(name.clone()),
        _ => UserKey::Username(name.clone()),
    });
    let call = CallOptions::new();
    let found = client
        .users(&call)
        .resolve(keys, &ResolveOptions::default())
        .await?;
    let ids: HashMap<String, Resolved> = distinct
        .into_iter()
        .zip(found)
        .map(|(name, resolution)| {
            let resolved = match resolution {
                Resolution::Found(id) => Resolved::Id(id.into_string()),
                Resolution::Ambiguous(ids) => Resolved::Ambiguous(ids.len()),
                _ => Resolved::Missing,
            };
            (name, resolved)
        })
        .collect();
    let mut counts = Counts::default();
    let column = by.column();
    for (line, name, given) in std::mem::take(&mut checked.names) {
        let message = match ids.get(&folded(&name)) {
            Some(Resolved::Id(id)) => match given.filter(|g| !g.eq_ignore_ascii_case(id)) {
                None => {
                    counts.resolved += 1;
                    continue;
                }
                Some(given) => crate::keys::crossed(&given, column, &name, id),
            },
            Some(Resolved::Ambiguous(n)) => {
                counts.ambiguous += 1;
                format!("ambiguous: {n} users match {column} `{name}`")
            }
            _ => {
                counts.not_found += 1;
                format!("no user with {column} `{name}`")
            }
        };
        checked.add(Problem {
            line,
            column: Some(column.to_owned()),
            message,
        });
    }
    input.resolved(ids);
    Ok(counts)
}
