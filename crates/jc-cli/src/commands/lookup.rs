//! `jcbulk users get KEY`: one user by id, e-mail or username (CONTRACT.md sections 20-21).

use crate::cli::Global;
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use jc_bulk::{CallOptions, Resolution, ResolveOptions, UserId, UserKey};

/// What `text` names: 24 hex digits are an id, text with `@` an e-mail, anything else a username.
pub fn key_of(text: &str) -> UserKey {
    let text = text.trim();
    if text.len() == 24 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        UserKey::Id(UserId::new(text))
    } else if text.contains('@') {
        UserKey::Email(text.to_owned())
    } else {
        UserKey::Username(text.to_owned())
    }
}

/// Prints the user `text` names.
///
/// # Errors
/// No such user or several (exit 1), an empty key (exit 2), or a failed read.
pub async fn get(global: &Global, text: &str) -> CliResult {
    if text.trim().is_empty() {
        return Err(CliError::invalid(
            "users get: give an id, a username or an e-mail",
        ));
    }
    let client = client(global)?;
    let call = CallOptions::new();
    let users = client.users(&call);
    let key = key_of(text);
    let verify = ResolveOptions { verify_ids: true };
    let id = match users.resolve([key.clone()], &verify).await?.pop() {
        Some(Resolution::Found(id)) => id,
        Some(Resolution::Ambiguous(ids)) => {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            return Err(CliError::other(format!(
                "ambiguous: {} users match {} `{}`: {}",
                ids.len(),
                key.kind(),
                key.text(),
                ids.join(" ")
            )));
        }
        _ => {
            return Err(CliError::other(format!(
                "no user with {} `{}`",
                key.kind(),
                key.text()
            )))
        }
    };
    let user = users.get(&id).await?;
    let value = serde_json::to_value(user).unwrap_or_default();
    crate::output::object(format(global), &value)?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_emails_and_usernames_are_told_apart() {
        assert_eq!(key_of("5f9c1a2b3c4d5e6f7a8b9c0d").kind(), "id");
        assert_eq!(key_of(" ada@example.com ").kind(), "email");
        assert_eq!(key_of("ada").kind(), "username");
        assert_eq!(key_of("5f9c1a2b3c4d5e6f7a8b9c0").kind(), "username");
    }
}
