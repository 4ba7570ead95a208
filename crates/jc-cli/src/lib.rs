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
mod journal;
mod keys;
mod output;
mod output_file;
mod profiles;
mod progress;
mod report;
mod tracked;

pub use cli::{Cli, Command};
pub use config::init_logging;
pub use exit::{CliError, CliResult, Exit};

/// Global options each command without a server (or with its own) ignores, hidden from its help.
const IGNORED_BY: [(&str, &[&str]); 2] = [
    (
        "mock",
        &[
            "region",
            "output",
            "max_rps",
            "base_url",
            "org_id",
            "ca_cert",
            "allow_insecure_http",
            "client_id",
            "client_secret_file",
            "token_url",
            "profile",
            "v1_base_url",
            "timeout",
            "max_retries",
        ],
    ),
    (
        "demo",
        &[
            "region",
            "output",
            "max_rps",
            "base_url",
            "org_id",
            "ca_cert",
            "allow_insecure_http",
            "client_id",
            "client_secret_file",
            "token_url",
            "profile",
            "v1_base_url",
            "api_key",
        ],
    ),
];

/// The command line as clap sees it, with the global options a command ignores hidden from its
/// help.
pub fn command() -> clap::Command {
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    for (name, hidden) in IGNORED_BY {
        // In place (`mut_args`): the built command's lookup of options by name stays valid.
        command = command.mut_subcommand(name, |sub| {
            sub.mut_args(|arg| {
                let hide = hidden.contains(&arg.get_id().as_str()) || arg.is_hide_set();
                arg.hide(hide)
            })
        });
    }
    command
}

/// Runs a parsed command line.
///
/// # Errors
/// The command's error, with its exit code.
pub async fn run(cli: &Cli) -> CliResult {
    match &cli.command {
        Command::Users(command) => commands::users::run(&cli.global, command).await,
        Command::Jobs(command) => commands::jobs::run(&cli.global, command).await,
        Command::Userstates(command) => commands::userstates::run(&cli.global, command).await,
        Command::Mock(args) => commands::mock::run(&cli.global, args).await,
        Command::Demo(args) => commands::demo::run(&cli.global, args).await,
        Command::Profiles(command) => commands::profiles::run(&cli.global, command).await,
        Command::Completions { shell } => commands::profiles::completions(*shell),
    }
}

/// The exit code of a finished run.
pub fn exit_code(result: &CliResult) -> Exit {
    match result {
        Ok(exit) => *exit,
        Err(error) => error.exit,
    }
}
