//! `jcbulk users get KEY`: one user by id, e-mail or username (CONTRACT.md sections 20-21).

use crate::cli::{GetArgs, Global};
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use jc_bulk::{CallOptions, Resolution, ResolveOptions, UserId, UserKey};

/// What `text` names: 24 hex digits are an id, text with `@` an e-mail, anything else a username.
pub fn key_of(text: &str) -> UserKey {
    let text = text.trim();
    if crate::keys::is_user_id(text) {
        UserKey::Id(UserId::new(text))
    } else if text.contains('@') {
        UserKey::Email(text.to_owned())
    } else {
        UserKey::Username(text.to_owned())
    }
}

/// The key `args` give: `--id`, `--username` or `--email` as said, else guessed from the text.
pub fn key_of_args(args: &GetArgs) -> Option<UserKey> {
    fn given(text: &Option<String>) -> Option<&str> {
        text.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
    if let Some(id) = given(&args.id) {
        return Some(UserKey::Id(UserId::new(id)));
    }
    if let Some(name) = given(&args.username) {
        return Some(UserKey::Username(name.to_owned()));
    }
    if let Some(email) = given(&args.email) {
        return Some(UserKey::Email(email.to_owned()));
    }
    given(&args.user).map(key_of)
}

/// Prints the user `args` name.
///
/// # Errors
/// No such user or several (exit 1), an empty key (exit 2), or a failed read.
pub async fn get(global: &Global, args: &GetArgs) -> CliResult {
    let Some(key) = key_of_args(args) else {
        return Err(CliError::invalid(
            "users get: give an id, a username or an e-mail",
        ));
    };
    let client = client(global)?;
    let call = CallOptions::new();
    let users = client.users(&call);
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

    /// Issue 19 defect 16: a flag says what kind of key it is, for a username of 24 hex digits
    /// or with `@`.
    #[test]
    fn a_flag_says_the_kind_of_key() {
        let args = |user: Option<&str>, id: Option<&str>, username: Option<&str>| GetArgs {
            user: user.map(str::to_owned),
            id: id.map(str::to_owned),
            username: username.map(str::to_owned),
            email: None,
        };
        let hex = "5f9c1a2b3c4d5e6f7a8b9c0d";
        assert_eq!(
            key_of_args(&args(Some(hex), None, None)).unwrap().kind(),
            "id"
        );
        let named = key_of_args(&args(None, None, Some(hex))).unwrap();
        assert_eq!((named.kind(), named.text()), ("username", hex));
        let at = key_of_args(&args(None, None, Some("ops@team"))).unwrap();
        assert_eq!(at.kind(), "username");
        assert_eq!(
            key_of_args(&args(None, Some(hex), None)).unwrap().kind(),
            "id"
        );
        assert!(key_of_args(&args(Some("  "), None, None)).is_none());
    }
}
