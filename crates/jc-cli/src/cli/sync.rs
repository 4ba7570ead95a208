//! The options of `jcbulk sync ...`.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `sync` commands.
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Show what a desired-state file would change in the org (nothing is sent)
    Plan(SyncPlanArgs),
    /// Apply a plan written by `sync plan --out`
    Apply(SyncApplyArgs),
    /// Plan and apply in one go (for scheduled jobs; needs --yes)
    Run(SyncRunArgs),
}

/// The key column of a desired-state file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncKeyArg {
    /// `username`
    Username,
    /// `email`
    Email,
    /// `employeeIdentifier`
    EmployeeIdentifier,
}

/// Options of `sync plan` (and `sync run`).
#[derive(Debug, Args, Clone)]
pub struct SyncPlanArgs {
    /// The desired-state CSV file (the import's columns, plus `state`, `manager` by name and `groups`)
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// The column that names each user
    #[arg(long, value_enum, default_value = "username")]
    pub key: SyncKeyArg,
    /// Only org users matching FIELD:$OP:VALUE are compared with the file (repeat: all must hold); others are never touched
    #[arg(long, value_name = "FILTER")]
    pub scope: Vec<String>,
    /// Suspend scoped active users the file does not name
    #[arg(long)]
    pub suspend_missing: bool,
    /// Schedule the state changes at this time (RFC 3339 or local `YYYY-MM-DD HH:MM`) instead of now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The groups whose membership the file manages (names or ids) [default: the groups the `groups` column names]
    #[arg(long, value_delimiter = ',', value_name = "G1,G2")]
    pub manage_groups: Vec<String>,
    /// Refuse a plan that suspends more users than this: a count, or a percentage of the scoped active users
    #[arg(long, default_value = "5%", value_name = "N|P%")]
    pub max_suspend: String,
    /// Refuse a plan that removes more memberships than this: a count, or a percentage of the managed groups' members
    #[arg(long, default_value = "10%", value_name = "N|P%")]
    pub max_remove: String,
    /// Write the plan to this file (for `sync apply`)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 4 when the plan has changes (0 when it is empty), for jobs that watch for drift
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Leave out the rows with problems (a manager or group that does not resolve) instead of stopping
    #[arg(long)]
    pub skip_invalid: bool,
}

/// How a plan is applied.
#[derive(Debug, Args, Clone, Default)]
pub struct SyncApplyRunArgs {
    /// Write one row per planned change: action, line, key, user_id, group, outcome, reason
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Record the bulk jobs in FILE.create, FILE.update and FILE.managers, to resume after an interruption
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Continue an apply interrupted with --journal: nothing is sent twice
    #[arg(long, requires = "journal")]
    pub resume: bool,
    /// Check the plan against the org and print it; send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `sync apply`.
#[derive(Debug, Args, Clone)]
pub struct SyncApplyArgs {
    /// The plan file
    pub plan: PathBuf,
    /// How to apply.
    #[command(flatten)]
    pub run: SyncApplyRunArgs,
}

/// Options of `sync run`.
#[derive(Debug, Args, Clone)]
pub struct SyncRunArgs {
    /// How to plan.
    #[command(flatten)]
    pub plan: SyncPlanArgs,
    /// How to apply.
    #[command(flatten)]
    pub run: SyncApplyRunArgs,
    /// Apply without a separate review (scheduled jobs); without it, exit 2
    #[arg(long)]
    pub yes: bool,
}
