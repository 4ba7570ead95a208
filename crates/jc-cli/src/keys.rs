//! Which column names the user a row acts on (`users update|expire|unlock`, CONTRACT.md
//! section 21): `id`, `username` or `email`. `--match-by` picks one when several are present;
//! otherwise `id`, then `username`, then `email`. A name key is resolved to the user's id before
//! anything is sent, and is not itself sent (so a username spelled in another case is not
//! rewritten): the row's `id` is the resolved one.

use crate::csv::Problem;
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

/// The problem of a row whose `id` cell names another user than its name key.
pub fn crossed(given: &str, column: &str, name: &str, id: &str) -> String {
    format!("the `id` column names user {given}, but {column} `{name}` is user {id}: which one is meant?")
}

/// A row's `id` cell, trimmed, when the header has an `id` column and the cell is not empty.
pub fn id_cell(names: &[String], raw: &csv::StringRecord) -> Option<String> {
    let column = names.iter().position(|n| n.eq_ignore_ascii_case("id"))?;
    Some(raw.get(column)?.trim().to_owned()).filter(|id| !id.is_empty())
}

/// Whether `text` is a user id: 24 hex digits.
pub fn is_user_id(text: &str) -> bool {
    text.len() == 24 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// The row's `id` cell, trimmed; a problem when it is not a user id (issue 19: `user00003`,
/// `abc` or ` a1000...05 ` were sent, and the job failed every record).
fn checked_id(object: &mut Map<String, Value>, line: u64) -> Result<Option<String>, Vec<Problem>> {
    let Some(Value::String(text)) = object.get("id") else {
        return Ok(None);
    };
    let id = text.trim().to_owned();
    if id.is_empty() {
        object.remove("id");
        return Ok(None);
    }
    if !is_user_id(&id) {
        return Err(vec![Problem {
            line,
            column: Some("id".into()),
            message: format!(
                "`{id}` is not a user id (24 hex digits); if the column holds usernames or e-mails, name it so or pass --match-by username (or email)"
            ),
        }]);
    }
    object.insert("id".into(), Value::String(id.clone()));
    Ok(Some(id))
}

/// Puts the row's user id into `object` (resolved from a name key), and takes the name key out;
/// checks (and trims) an `id` cell.
///
/// # Errors
/// An `id` that is not a user id, an empty key, a name that resolved to no user or to several,
/// or an `id` cell that names another user than the name key.
pub fn apply(
    plan: &KeyPlan,
    raw: &csv::StringRecord,
    object: &mut Map<String, Value>,
    line: u64,
) -> Result<(), Vec<Problem>> {
    let given_id = checked_id(object, line)?;
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
    if let Some(given) = given_id.filter(|_| plan.ids.is_some()) {
        if !given.eq_ignore_ascii_case(&id) {
            return Err(problem(crossed(&given, column, &name, &id)));
        }
    }
    object.insert("id".into(), Value::String(id));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_key_is_the_first_of_id_username_email_unless_match_by_says() {
        let header = names(&["Email", "department", "USERNAME"]);
        let found = plan(&header, None).unwrap();
        assert_eq!((found.by, found.column), (MatchBy::Username, 2));
        let by_email = plan(&header, Some(MatchBy::Email)).unwrap();
        assert_eq!((by_email.by, by_email.column), (MatchBy::Email, 0));
        let missing = plan(&header, Some(MatchBy::Id)).unwrap_err();
        assert!(missing.contains("no `id` column"), "{missing}");
        assert!(plan(&names(&["department"]), None).is_err());
    }

    #[test]
    fn a_name_key_becomes_the_resolved_id_and_is_not_sent() {
        let mut plan = plan(&names(&["username", "department"]), None).unwrap();
        let raw = csv::StringRecord::from(vec![" Ada ", "R&D"]);
        let mut object = Map::new();
        object.insert("username".into(), Value::from("Ada"));
        // Before resolution: a placeholder id, so the rest of the row is checked as sent.
        apply(&plan, &raw, &mut object.clone(), 2).unwrap();
        let ids = HashMap::from([
            ("ada".to_owned(), Resolved::Id("u1".into())),
            ("bob".to_owned(), Resolved::Ambiguous(2)),
        ]);
        plan.ids = Some(Arc::new(ids));
        apply(&plan, &raw, &mut object, 2).unwrap();
        assert_eq!(Value::Object(object), serde_json::json!({ "id": "u1" }));
        let bob = csv::StringRecord::from(vec!["BOB", ""]);
        let problems = apply(&plan, &bob, &mut Map::new(), 3).unwrap_err();
        assert!(
            problems[0].message.contains("ambiguous: 2 users"),
            "{problems:?}"
        );
        let nobody = csv::StringRecord::from(vec!["carol", ""]);
        let problems = apply(&plan, &nobody, &mut Map::new(), 4).unwrap_err();
        assert!(problems[0]
            .message
            .contains("no user with username `carol`"));
        let empty = csv::StringRecord::from(vec![" ", ""]);
        assert!(apply(&plan, &empty, &mut Map::new(), 5).is_err());
    }
}
