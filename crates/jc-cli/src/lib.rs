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
mod csv_input;
mod exit;
mod journal;
mod keys;
mod output;
mod output_file;
mod progress;
mod report;
mod tracked;

pub use cli::{Cli, Command};
pub use config::init_logging;
pub use exit::{CliError, CliResult, Exit};

/// Internals that the benches and tests drive directly; not part of the API.
#[doc(hidden)]
pub mod testing {
    pub use crate::commands::import::Checked;
    pub use crate::csv_input::{CsvFile, Kind};
    pub use crate::journal::{Binding, FileJournal};

    /// The check pass of `users create --csv path`.
    ///
    /// # Errors
    /// As the command's.
    pub fn check_create(path: &std::path::Path) -> Result<Checked, crate::CliError> {
        let mut input = crate::commands::import::Input::csv(path);
        crate::commands::import::check::<jc_models::BulkUserCreate>(&mut input, Kind::Create, None)
    }
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
    }
}

/// The exit code of a finished run.
pub fn exit_code(result: &CliResult) -> Exit {
    match result {
        Ok(exit) => *exit,
        Err(error) => error.exit,
    }
}
