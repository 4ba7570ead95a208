//! `jcbulk groups ...`: read groups and members; add, remove and sync members at one request
//! per real change (CONTRACT.md sections 25-31). Group names are resolved against one listing
//! of the org's groups; a name that matches none or several is invalid input (exit 2).

mod change;
pub mod engine;
pub mod report;
mod users_in;

use crate::cli::{Global, GroupsCommand};
use crate::config::{client, format};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{collect_until_error, items, list_end};
use futures::TryStreamExt;
use jc_bulk::groups::GroupDirectory;
use jc_bulk::{CallOptions, Client, Lookup, UserId, UserKey};
use jc_models::UserGroup;
use serde_json::{json, Value};

/// Runs a `groups` command.
///
/// # Errors
/// See the commands.
pub async fn run(global: &Global, command: &GroupsCommand) -> CliResult {
    match command {
        GroupsCommand::List { filter } => list(global, filter).await,
        GroupsCommand::Members { group } => members(global, group).await,
        GroupsCommand::Of { user } => of(global, user).await,
        GroupsCommand::Add(args) => change::add_or_remove(global, args, true).await,
        GroupsCommand::Remove(args) => change::add_or_remove(global, args, false).await,
        GroupsCommand::Sync(args) => change::sync(global, args).await,
    }
}

fn group_json(group: &UserGroup) -> Value {
    json!({
        "id": group.id,
        "name": group.name,
        "membershipMethod": group.method().as_str(),
        "description": group.description,
    })
}

async fn list(global: &Global, filters: &[String]) -> CliResult {
    let client = client(global)?;
    let call = CallOptions::new();
    let (groups, error) = collect_until_error(client.groups(&call).list(filters)).await;
    let values: Vec<Value> = groups.iter().map(group_json).collect();
    items(format(global), &["id", "name", "membershipMethod"], &values)?;
    list_end(values.len(), error)
}

/// The org's groups (one listing) and the one group `reference` names.
///
/// # Errors
/// A failed listing (exit 1), or a reference that names none or several (exit 2).
pub async fn group_named(
    client: &Client,
    reference: &str,
) -> CliResult<(GroupDirectory, UserGroup)> {
    let call = CallOptions::new();
    let directory = client.groups(&call).directory().await?;
    let group = directory
        .resolve(reference)
        .map_err(|e| CliError::invalid(format!("{e}; nothing was sent")))?
        .clone();
    Ok((directory, group))
}

/// The usernames and e-mails of `ids`, in order (one search per 100 ids).
///
/// # Errors
/// A failed read.
pub async fn names_of(client: &Client, ids: &[String]) -> CliResult<Vec<(String, String)>> {
    let call = CallOptions::new();
    let keys: Vec<UserKey> = ids.iter().map(|id| UserKey::Id(UserId::new(id))).collect();
    let read = client.users(&call).read(&keys, &[]).await?;
    Ok(read
        .into_iter()
        .map(|lookup| match lookup {
            Lookup::Found(user) => {
                let fields = user.fields();
                let text = |name: &str| {
                    fields
                        .get(name)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                (text("username"), text("email"))
            }
            _ => (String::new(), String::new()),
        })
        .collect())
}

async fn members(global: &Global, reference: &str) -> CliResult {
    let client = client(global)?;
    let (_, group) = group_named(&client, reference).await?;
    let call = CallOptions::new();
    let id = group.id.clone().unwrap_or_default();
    let ids: Vec<String> = client.groups(&call).members(&id).try_collect().await?;
    let names = names_of(&client, &ids).await?;
    let values: Vec<Value> = ids
        .iter()
        .zip(names)
        .map(|(id, (username, email))| json!({"id": id, "username": username, "email": email}))
        .collect();
    items(format(global), &["id", "username", "email"], &values)?;
    Ok(Exit::Ok)
}

async fn of(global: &Global, user: &str) -> CliResult {
    let client = client(global)?;
    let key = users_in::guessed(user);
    let named = users_in::resolve(&client, vec![users_in::Wanted { line: 1, key }]).await?;
    let id = match named.into_iter().next().map(|n| n.user) {
        Some(Ok(id)) => id,
        Some(Err(why)) => return Err(CliError::other(why)),
        None => return Err(CliError::other(format!("no user `{user}`"))),
    };
    let call = CallOptions::new();
    let groups = client.groups(&call);
    let (entries, error) = collect_until_error(groups.member_of(&id)).await;
    if let Some(error) = error {
        return list_end(0, Some(error));
    }
    let directory = groups.directory().await?;
    let values: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let gid = entry.id.clone().unwrap_or_default();
            let name = directory.by_id(&gid).and_then(|g| g.name.clone());
            json!({"id": gid, "name": name, "direct": entry.is_direct()})
        })
        .collect();
    items(format(global), &["id", "name", "direct"], &values)?;
    Ok(Exit::Ok)
}
