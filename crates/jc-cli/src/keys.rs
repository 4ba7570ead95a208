//! Which column names the user a row acts on (`users update|expire|unlock`, CONTRACT.md
//! section 21): `id`, `username` or `email`. `--match-by` picks one when several are present;
//! otherwise `id`, then `username`, then `email`. A name key is resolved to the user's id before
//! anything is sent, and is not itself sent (so a username spelled in another case is not
//! rewritten): the row's `id` is the resolved one.

use crate::csv_input::Problem;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The key column's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchBy {
    /// The user's object id.
    Id,
    /// The username (case-insensitive, exact).
    Username,
    /// The e-mail (case-insensitive, exact).
    Email,
}

impl MatchBy {
    /// The column's name.
    pub fn column(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Username => "username",
            Self::Email => "email",
        }
    }
}

/// What a name resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// This user id.
    Id(String),
    /// No user.
    Missing,
    /// This many users.
    Ambiguous(usize),
}

/// Placed in a row keyed by name during the check pass, before names are resolved, so that the
/// rest of the row is checked as it will be sent.
const PLACEHOLDER_ID: &str = "000000000000000000000000";

/// The key of a file.
#[derive(Debug, Clone)]
pub struct KeyPlan {
    /// By what.
    pub by: MatchBy,
    /// The column's position.
    pub column: usize,
    /// Resolved names (lowercased), once known.
    pub ids: Option<Arc<HashMap<String, Resolved>>>,
}

/// The plan for a header: `match_by` if given (its column must exist), else the first of `id`,
/// `username`, `email` present.
///
/// # Errors
/// No key column, or the `--match-by` column is missing.
pub fn plan(names: &[String], match_by: Option<MatchBy>) -> Result<KeyPlan, String> {
    let position = |by: MatchBy| {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(by.column()))
    };
    let candidates = match match_by {
        Some(by) => vec![by],
        None => vec![MatchBy::Id, MatchBy::Username, MatchBy::Email],
    };
    candidates
        .into_iter()
        .find_map(|by| {
            position(by).map(|column| KeyPlan {
                by,
                column,
                ids: None,
            })
        })
        .ok_or_else(|| match match_by {
            Some(by) => format!(
                "--match-by {}: the file has no `{}` column",
                by.column(),
                by.column()
            ),
            None => "no key column: give an `id`, `username` or `email` column".to_owned(),
        })
}

/// The key text of a row, when the plan matches by name.
pub fn name_of(plan: &KeyPlan, raw: &csv::StringRecord) -> Option<String> {
    (plan.by != MatchBy::Id).then(|| raw.get(plan.column).unwrap_or_default().trim().to_owned())
}

/// Lowercased, for lookups.
pub fn folded(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Puts the row's user id into `object` (resolved from a name key), and takes the name key out.
///
/// # Errors
/// An empty key, or a name that resolved to no user or to several.
pub fn apply(
    plan: &KeyPlan,
    raw: &csv::StringRecord,
    object: &mut Map<String, Value>,
    line: u64,
) -> Result<(), Vec<Problem>> {
    let Some(name) = name_of(plan, raw) else {
        return Ok(());
    };
    let column = plan.by.column();
    let problem = |message: String| {
        vec![Problem {
            line,
            column: Some(column.to_owned()),
            message,
        }]
    };
    if name.is_empty() {
        return Err(problem(format!("the key column `{column}` is empty")));
    }
    object.remove(column);
    let id = match plan.ids.as_ref().map(|ids| ids.get(&folded(&name))) {
        None => PLACEHOLDER_ID.to_owned(),
        Some(Some(Resolved::Id(id))) => id.clone(),
        Some(Some(Resolved::Ambiguous(n))) => {
            return Err(problem(format!(
                "ambiguous: {n} users match {column} `{name}`"
            )))
        }
        Some(Some(Resolved::Missing) | None) => {
            return Err(problem(format!("no user with {column} `{name}`")))
        }
    };
    object.insert("id".into(), Value::String(id));
    Ok(())
}
