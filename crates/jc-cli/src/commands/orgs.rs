//! `jcbulk orgs list`: the orgs the credential can act in (CONTRACT.md sections 32-33), by the
//! v1 route or, with `--provider-id`, the provider route; never sent with `x-org-id`.

use crate::cli::{Global, OrgsCommand};
use crate::config::{client, format};
use crate::exit::{CliResult, Exit};
use jc_bulk::CallOptions;
use serde_json::{json, Value};

/// Runs an `orgs` command.
///
/// # Errors
/// A failed read.
pub async fn run(global: &Global, command: &OrgsCommand) -> CliResult {
    match command {
        OrgsCommand::List { provider_id } => {
            let client = client(global)?;
            let call = CallOptions::new();
            let orgs = match provider_id {
                Some(id) => client.orgs(&call).of_provider(id).await?,
                None => client.orgs(&call).list().await?,
            };
            let values: Vec<Value> = orgs
                .iter()
                .map(|o| json!({"id": o.id, "name": o.name}))
                .collect();
            crate::output::items(format(global), &["id", "name"], &values)?;
            Ok(Exit::Ok)
        }
    }
}
