//! `jcbulk`, the command-line tool of jc-bulk: CSV in, reports out, progress on long work,
//! machine-readable output and honest exit codes. The binary is a thin `main.rs` over this
//! library, which the tests drive too.
//!
//! ```
//! use clap::Parser;
//! let cli = jc_cli::cli::Cli::parse_from(["jcbulk", "users", "template", "create"]);
//! assert!(matches!(cli.command, jc_cli::cli::Command::Users(_)));
//! ```

pub mod cli;
mod commands;
mod config;
pub mod csv;
mod exit;
mod fanout;
mod interrupt;
mod journal;
mod keys;
mod output;
mod output_file;
mod profiles;
mod progress;
mod regular_file;
mod report;
mod shared_server;
mod tracked;

pub use cli::{Cli, Command};
pub use config::init_logging;
pub use exit::{CliError, CliResult, Exit};

/// The command line as clap sees it.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// A hint for a usage error: connection options given before the command group (`jcbulk
/// --profile acme users ...`) belong after it.
pub fn usage_hint(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if error.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(given)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let name = given.trim_start_matches('-').split('=').next()?;
    let connection = <cli::Connection as clap::Args>::augment_args(clap::Command::new("x"));
    let known = connection
        .get_arguments()
        .any(|arg| arg.get_long() == Some(name));
    known.then(|| {
        format!(
            "--{name} is an option of the commands that talk to JumpCloud: give it after the command group, e.g. `jcbulk users --{name} ... create ...` (`mock`, `demo` and `completions` do not take it)"
        )
    })
}

/// Runs a parsed command line.
///
/// # Errors
/// The command's error, with its exit code.
pub async fn run(cli: &Cli) -> CliResult {
    let with = |connection| cli::Global::new(connection, &cli.logging);
    let local = cli::Global::new(&cli::Connection::default(), &cli.logging);
    let fan_out = match &cli.command {
        Command::Users(group) => Some(&group.connection),
        Command::Userstates(group) => Some(&group.connection),
        Command::Groups(group) => Some(&group.connection),
        Command::Sync(group) => Some(&group.connection),
        _ => None,
    };
    if let Some(connection) = fan_out {
        let global = with(connection);
        if let Some(spec) = orgs_spec(&global)? {
            return fanout::run(&global, &spec).await;
        }
    }
    match &cli.command {
        Command::Users(group) => {
            commands::users::run(&with(&group.connection), &group.command).await
        }
        Command::Jobs(group) => commands::jobs::run(&with(&group.connection), &group.command).await,
        Command::Userstates(group) => {
            commands::userstates::run(&with(&group.connection), &group.command).await
        }
        Command::Groups(group) => {
            commands::groups::run(&with(&group.connection), &group.command).await
        }
        Command::Sync(group) => commands::sync::run(&with(&group.connection), &group.command).await,
        Command::Orgs(group) => commands::orgs::run(&with(&group.connection), &group.command).await,
        Command::Mock(args) => commands::mock::run(&local, args).await,
        Command::Demo(args) => commands::demo::run(&local, args).await,
        Command::Profiles(group) => {
            commands::profiles::run(&with(&group.connection), &group.command).await
        }
        Command::Completions { shell } => commands::profiles::completions(*shell),
    }
}

/// The orgs a command runs in, each in turn: `--orgs`, else the profile's `orgs` when no
/// `--org-id` is given.
fn orgs_spec(global: &cli::Global) -> CliResult<Option<String>> {
    if let Some(spec) = &global.orgs {
        return Ok(Some(spec.clone()));
    }
    if global.org_id.is_some() {
        return Ok(None);
    }
    // A profile that cannot be read is reported by the command itself, as without --orgs.
    let name = global.profile.as_deref().filter(|p| !p.trim().is_empty());
    Ok(profiles::select(name)
        .ok()
        .flatten()
        .and_then(|(_, profile)| profile.orgs.map(|orgs| orgs.spec())))
}

/// The exit code of a finished run.
pub fn exit_code(result: &CliResult) -> Exit {
    match result {
        Ok(exit) => *exit,
        Err(error) => error.exit,
    }
}
