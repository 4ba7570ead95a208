//! `jcbulk profiles list|check` and `jcbulk completions SHELL`.

use crate::cli::{Global, ProfilesCommand};
use crate::config::{client_for, format, target};
use crate::exit::{CliError, CliResult, Exit};
use crate::profiles::{load, path, Profile};
use jc_bulk::{ListScheduledOptions, Page};
use serde_json::{json, Value};

/// What a profile holds, without a secret: references only.
fn describe(name: &str, profile: &Profile) -> Value {
    let credentials = match (&profile.api_key_env, &profile.client_id) {
        (Some(env), _) => format!("API key from ${env}"),
        (None, Some(client)) => match (&profile.client_secret_env, &profile.client_secret_file) {
            (Some(env), _) => format!("service account {client}, secret from ${env}"),
            (None, Some(file)) => format!("service account {client}, secret in {}", file.display()),
            (None, None) => format!("service account {client}"),
        },
        (None, None) => "(from flags or environment)".into(),
    };
    json!({
        "name": name,
        "region": profile.region.map(|r| format!("{r:?}").to_lowercase()),
        "base_url": profile.base_url,
        "org_id": profile.org_id,
        "credentials": credentials,
    })
}

/// Runs a `profiles` command.
///
/// # Errors
/// A bad config file (exit 2), or a failed check (exit 1).
pub async fn run(global: &Global, command: &ProfilesCommand) -> CliResult {
    match command {
        ProfilesCommand::List => {
            let Some(file) = path() else {
                return Err(CliError::invalid(
                    "no config directory on this system; set JCBULK_CONFIG",
                ));
            };
            let profiles = load(&file)?;
            // Listing reads every profile: a bad one is an error here (exit 2, with the line).
            let bad: Vec<&String> = profiles.values().filter_map(|p| p.as_ref().err()).collect();
            if !bad.is_empty() {
                let errors: Vec<&str> = bad.iter().map(|e| e.as_str()).collect();
                return Err(CliError::invalid(errors.join("\n")));
            }
            let rows: Vec<Value> = profiles
                .iter()
                .filter_map(|(name, profile)| Some(describe(name, profile.as_ref().ok()?)))
                .collect();
            crate::output::items(
                format(global),
                &["name", "region", "base_url", "org_id", "credentials"],
                &rows,
            )?;
            Ok(Exit::Ok)
        }
        ProfilesCommand::Check { name } => check(global, name.as_deref()).await,
    }
}

/// One authenticated read (`GET /bulk/userstates?limit=1`): says whether the credentials, the
/// org and the host work.
async fn check(global: &Global, name: Option<&str>) -> CliResult {
    let mut with_profile = global.clone();
    if let Some(name) = name {
        // Exactly that profile: no credentials from flags (the environment's yield to a named
        // profile anyway).
        with_profile.connection.profile = Some(name.to_owned());
        with_profile.connection.api_key = None;
        with_profile.connection.client_id = None;
    }
    let target = target(&with_profile)?;
    let label = target
        .profile
        .clone()
        .unwrap_or_else(|| "(flags and environment)".into());
    let (base, org) = (target.base_url.clone(), target.org_id.clone());
    let client = client_for(&with_profile, target)?;
    let page = Page::new(1, 0)?;
    match client
        .scheduled_states_page(&ListScheduledOptions::new(), page)
        .await
    {
        Ok(_) => {
            println_ok(&format!(
                "profile {label}: the credentials, the org and {base} work"
            ))?;
            Ok(Exit::Ok)
        }
        Err(error) => {
            let why = match (error.status().map(|s| s.as_u16()), &error) {
                (Some(401), e) if e.to_string().contains("organization") => {
                    format!("the org is not chosen or not one of these credentials' orgs: {error}")
                }
                (Some(401 | 403), _) => format!("the credentials are refused: {error}"),
                (Some(400 | 404), _) => {
                    format!("the org `{}` is wrong: {error}", org.unwrap_or_default())
                }
                (None, jc_bulk::Error::Transport(_)) => {
                    format!("{base} cannot be reached: {error}")
                }
                _ => error.to_string(),
            };
            Err(CliError::other(format!("profile {label}: {why}")))
        }
    }
}

fn println_ok(text: &str) -> CliResult<()> {
    Ok(crate::output::line(text)?)
}

/// Prints the completion script of `shell`.
///
/// # Errors
/// A write error on stdout.
pub fn completions(shell: clap_complete::Shell) -> CliResult {
    let mut command = crate::command();
    clap_complete::generate(shell, &mut command, "jcbulk", &mut std::io::stdout());
    Ok(Exit::Ok)
}
