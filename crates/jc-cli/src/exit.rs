//! Exit codes and the CLI's error type.

use std::fmt;

/// The process exit codes (documented in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every record applied (or the command succeeded).
    Ok = 0,
    /// Any other error: network, server, I/O.
    Error = 1,
    /// Invalid input or usage: nothing was sent.
    Invalid = 2,
    /// Partial failure: some records failed, were not submitted, or have an unknown outcome.
    Partial = 3,
    /// `sync plan --detailed-exitcode`: the plan has changes (drift).
    Changes = 4,
    /// Interrupted (Ctrl-C, SIGTERM): the files and the summary are complete all the same.
    Interrupted = 130,
}

/// The text of `--help` about exit codes.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  success: every record applied
  1  any other error (network, server, file I/O)
  2  invalid input or usage: nothing was sent
  3  partial failure: some records failed, were not submitted, or have an unknown outcome
  4  sync plan --detailed-exitcode: the plan has changes
  130  interrupted (Ctrl-C): reports and summary complete, pending records unknown with job ids";

/// A failure that ends the command, with its exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// What to print (one line or more).
    pub message: String,
}

impl CliError {
    /// Invalid input or usage (exit 2).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Invalid,
            message: message.into(),
        }
    }

    /// Any other error (exit 1).
    pub fn other(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Error,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What to say after JumpCloud's "no organization selected" (a multi-tenant credential used
/// without an org).
pub const ORG_HINT: &str = "this credential acts in several orgs: pass --org-id ID (one org) or --orgs ID,ID|@FILE|all (each in turn); `jcbulk orgs list` shows them";

/// The hint for `text`, when it is JumpCloud's "no organization selected".
pub fn org_hint(text: &str) -> Option<&'static str> {
    text.to_lowercase()
        .contains("no organization selected")
        .then_some(ORG_HINT)
}

impl From<jc_bulk::Error> for CliError {
    fn from(error: jc_bulk::Error) -> Self {
        if let Some(hint) = org_hint(&error.to_string()) {
            return Self::other(format!("{error}\n{hint}"));
        }
        match &error {
            jc_bulk::Error::InvalidInput(_)
            | jc_bulk::Error::Config(_)
            | jc_bulk::Error::Setting(_) => Self::invalid(error.to_string()),
            _ => Self::other(error.to_string()),
        }
    }
}

impl From<std::io::Error> for CliError {
    /// A closed stdout pipe (`jcbulk ... | head`) ends the command quietly: exit 0 with no
    /// message (an import keeps its own code, see `commands::import`).
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Self {
                exit: Exit::Ok,
                message: String::new(),
            };
        }
        Self::other(error.to_string())
    }
}

impl CliError {
    /// True for the quiet end of a closed stdout pipe.
    pub fn is_broken_pipe(&self) -> bool {
        self.exit == Exit::Ok && self.message.is_empty()
    }
}

/// The result of a command.
pub type CliResult<T = Exit> = Result<T, CliError>;
