//! The command line, declared with clap.

mod connection;
mod groups;
mod sync;

pub use connection::{
    Connection, Global, Logging, Remote, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RPS, DEFAULT_TIMEOUT_SECS,
};
pub use groups::{GroupChangeArgs, GroupRunArgs, GroupSyncArgs, GroupUsersArgs, GroupsCommand};
pub use sync::{
    SyncApplyArgs, SyncApplyRunArgs, SyncCommand, SyncKeyArg, SyncPlanArgs, SyncRunArgs,
};

use crate::exit::EXIT_CODES_HELP;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// JumpCloud bulk user jobs from the command line: CSV in, reports out.
#[derive(Debug, Parser)]
#[command(name = "jcbulk", version, about, after_help = EXIT_CODES_HELP, propagate_version = true)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub logging: Logging,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// CSV with a header row.
    Csv,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, update, expire and unlock users as bulk jobs
    Users(Remote<UsersCommand>),
    /// Read bulk jobs
    Jobs(Remote<JobsCommand>),
    /// Schedule, list and cancel user state changes (suspend / activate)
    Userstates(Remote<UserstatesCommand>),
    /// Read user groups and their members; add, remove and sync members (one request per real change)
    Groups(Remote<GroupsCommand>),
    /// Desired state: plan what a file would change in the org, apply it, or both
    Sync(Remote<SyncCommand>),
    /// The orgs the credential can act in
    Orgs(Remote<OrgsCommand>),
    /// Run the local mock JumpCloud in the foreground
    Mock(MockArgs),
    /// The main job, end to end, against the embedded mock: import, report, schedule
    Demo(DemoArgs),
    /// Named profiles of the config file
    Profiles(Remote<ProfilesCommand>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `orgs` commands.
#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// List the orgs (id and name); never sent with x-org-id
    List {
        /// List the orgs of this provider (GET /providers/{id}/organizations) instead
        #[arg(long, value_name = "ID")]
        provider_id: Option<String>,
    },
}

/// `profiles` commands.
#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List the profiles (never a secret)
    List,
    /// Make one authenticated read with a profile and say whether its credentials, org and region work
    Check {
        /// The profile (default: --profile, JC_PROFILE, or `default`)
        name: Option<String>,
    },
}

/// `users` commands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create users from a CSV file
    Create(CreateArgs),
    /// Update users from a CSV file (an `id`, `username` or `email` column names each user)
    Update(UpdateArgs),
    /// Expire users' passwords
    Expire(TargetArgs),
    /// Unlock users
    Unlock(TargetArgs),
    /// Write every matching user in the import's columns (`-o csv`, the default on a terminal too) or as JSON
    Export(ExportArgs),
    /// Print one user (by id, username or e-mail) as the v1 API returns it
    Get(GetArgs),
    /// Print a CSV template
    Template {
        /// Which template
        #[arg(value_enum)]
        kind: TemplateKind,
    },
}

/// Options of `users get`: the user, and what kind of key it is (guessed from the text when
/// no flag says: 24 hex digits are an id, text with `@` an e-mail, anything else a username).
#[derive(Debug, Args, Clone)]
#[group(id = "user_key", required = true, multiple = false)]
pub struct GetArgs {
    /// An id (24 hex digits), an e-mail (with `@`) or a username: the kind is guessed
    #[arg(group = "user_key")]
    pub user: Option<String>,
    /// The user with this id
    #[arg(long, group = "user_key")]
    pub id: Option<String>,
    /// The user with this username (even one of 24 hex digits, or with `@`)
    #[arg(long, group = "user_key")]
    pub username: Option<String>,
    /// The user with this e-mail
    #[arg(long, group = "user_key")]
    pub email: Option<String>,
}

/// Options of `users export`.
#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    /// FIELD:OP:VALUE (ops: eq ne gt gte lt lte); repeat to require all
    #[arg(long)]
    pub filter: Vec<String>,
    /// Add the read-only fields (created, activated, password_expired ...); `users update` ignores them
    #[arg(long, conflicts_with = "for_update")]
    pub all_fields: bool,
    /// Exactly the columns `users update --csv` accepts, `id` first, and a trailing `jcbulk_base`
    /// column recording what each row held, so that `users update` sends only the cells you
    /// change and never undoes a change made in JumpCloud since the export
    #[arg(long = "for", value_name = "COMMAND", value_parser = ["update"])]
    pub for_update: Option<String>,
    /// Prefix with ' every cell a spreadsheet would run as a formula (starting with = + - @,
    /// tab or CR) or that starts with '; `users update` removes the prefix (implies --for update)
    #[arg(long, conflicts_with = "all_fields")]
    pub spreadsheet_safe: bool,
    /// Add a `groups` column: each user's groups (names, or ids where a name is ambiguous or holds `;`), `;`-separated; each group's members are read once. `users update` adds the groups of this column (it never removes: use `groups sync`)
    #[arg(long)]
    pub with_groups: bool,
}

/// Template kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateKind {
    /// For `users create`
    Create,
    /// For `users update`
    Update,
}

/// Options of `users create`.
#[derive(Debug, Args, Clone)]
pub struct CreateArgs {
    /// The CSV file (header row of JSON field names), or - for standard input
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// creation-source header
    #[arg(long, value_parser = ["jumpcloud:gapps", "jumpcloud:o365", "jumpcloud:workday", "jumpcloud:scim", "jumpcloud:bulk", "jumpcloud:custom_integration"])]
    pub creation_source: Option<String>,
    /// Don't send the job results e-mail to the administrator
    #[arg(long)]
    pub suppress_email: bool,
    /// Add users to DYNAMIC_AUTOMATED groups of the `groups` column too (JumpCloud may undo it)
    #[arg(long)]
    pub allow_dynamic_groups: bool,
    /// Options every bulk command shares.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Options of `users update`.
#[derive(Debug, Args, Clone)]
pub struct UpdateArgs {
    /// The CSV file (header row of JSON field names), or - for standard input
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Don't send the job results e-mail to the administrator
    #[arg(long)]
    pub suppress_email: bool,
    /// The column that names each user, when several are present [default: id, then username, then email]
    #[arg(long, value_enum)]
    pub match_by: Option<crate::keys::MatchBy>,
    /// Add users to DYNAMIC_AUTOMATED groups of the `groups` column too (JumpCloud may undo it)
    #[arg(long)]
    pub allow_dynamic_groups: bool,
    /// Options every bulk command shares.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Options of `users expire` and `users unlock`: ids on the command line or in a CSV file.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// User ids, comma-separated (never written to a file)
    #[arg(
        long,
        value_delimiter = ',',
        conflicts_with = "csv",
        required_unless_present = "csv"
    )]
    pub ids: Vec<String>,
    /// A CSV file with an `id`, `username` or `email` column, or - for standard input
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// The column that names each user, when several are present [default: id, then username, then email]
    #[arg(long, value_enum)]
    pub match_by: Option<crate::keys::MatchBy>,
    /// Add users to DYNAMIC_AUTOMATED groups of the `groups` column too (JumpCloud may undo it)
    #[arg(long)]
    pub allow_dynamic_groups: bool,
    /// Options every bulk command shares.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Options every bulk command (`users create|update|expire|unlock`) shares.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Send the valid rows and report the invalid ones, instead of stopping
    #[arg(long)]
    pub skip_invalid: bool,
    /// Print the plan (rows, chunks, jobs) and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Records per job
    #[arg(long, default_value_t = 800, value_parser = clap::value_parser!(u32).range(1..=800))]
    pub chunk_size: u32,
    /// Jobs in flight at once
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub concurrency: u32,
    /// Submit and print the job ids without waiting for the results
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting for a job after this many seconds (1 to 2592000, 30 days)
    #[arg(long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=2_592_000))]
    pub wait_timeout: u64,
    /// Write one row per input line (CSV or JSON by extension)
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Write the failed and unsent input rows, in the input's columns, ready to fix and re-run
    #[arg(long)]
    pub failed_rows: Option<PathBuf>,
    /// Record each chunk's submission in this file, to resume after an interruption
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Continue the import of --journal: re-attach to submitted jobs, send only what never reached JumpCloud
    #[arg(long, requires = "journal")]
    pub resume: bool,
    /// Update, expire, unlock: send records whose outcome is unknown once more (repeating them has the same effect); creates are settled by looking the users up
    #[arg(long)]
    pub resend_unknown: bool,
}

impl Default for RunArgs {
    fn default() -> Self {
        Self {
            skip_invalid: false,
            dry_run: false,
            chunk_size: 800,
            concurrency: 4,
            no_wait: false,
            wait_timeout: 1800,
            report: None,
            failed_rows: None,
            journal: None,
            resume: false,
            resend_unknown: false,
        }
    }
}

/// `jobs` commands.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Results of a bulk job
    Results {
        /// The job id
        job_id: jc_bulk::JobId,
        /// Every result (pages through them)
        #[arg(long, conflicts_with_all = ["limit", "skip"])]
        all: bool,
        /// Results per page (1-100)
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
        /// Results to skip
        #[arg(long, default_value_t = 0)]
        skip: u64,
    },
    /// Wait until a job's records are all processed
    Wait {
        /// The job id
        job_id: jc_bulk::JobId,
        /// Records the job holds
        #[arg(long)]
        expected: usize,
        /// Give up after this many seconds (1 to 2592000, 30 days)
        #[arg(long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=2_592_000))]
        wait_timeout: u64,
    },
    /// A job's details (legacy /jobs/{id}, deprecated by JumpCloud)
    Get {
        /// The job id
        id: jc_bulk::JobId,
    },
}

/// `userstates` commands.
#[derive(Debug, Subcommand)]
pub enum UserstatesCommand {
    /// Schedule a state change
    Schedule(ScheduleArgs),
    /// List scheduled changes
    List {
        /// FIELD:OP:VALUE (fields: state, systemUserId, scheduledDate, scheduledJobId; ops: eq ne gt ge lt le between search in)
        #[arg(long)]
        filter: Vec<String>,
        /// Only this user's changes
        #[arg(long)]
        user_id: Option<String>,
        /// Every change (pages through them)
        #[arg(long, conflicts_with_all = ["limit", "skip"])]
        all: bool,
        /// Changes per page (1-100)
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
        /// Changes to skip
        #[arg(long, default_value_t = 0)]
        skip: u64,
    },
    /// Cancel scheduled changes
    Cancel {
        /// Scheduled job ids
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// The next scheduled change of each state for users (any number of ids)
    Next {
        /// The users.
        #[command(flatten)]
        users: UserArgs,
    },
}

/// Options of `userstates schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The state to move the users to
    #[arg(long, value_parser = ["SUSPENDED", "ACTIVATED"], ignore_case = true)]
    pub state: String,
    /// When: RFC 3339 (2026-01-01T09:00:00Z) or a local date-time (2026-01-01 09:00)
    #[arg(long)]
    pub at: String,
    /// The users.
    #[command(flatten)]
    pub users: UserArgs,
    /// Accept a time in the past (JumpCloud then applies the change at once)
    #[arg(long)]
    pub allow_past: bool,
    /// Send activation e-mails (ACTIVATED only)
    #[arg(long)]
    pub send_activation_emails: bool,
    /// Send the activation e-mail to this address (ACTIVATED and one user only)
    #[arg(long)]
    pub activation_email_override: Option<String>,
}

/// Which users a `userstates` command acts on: exactly one of the four.
#[derive(Debug, Args, Clone)]
#[group(required = true, multiple = false)]
pub struct UserArgs {
    /// User ids, comma-separated
    #[arg(long, value_delimiter = ',')]
    pub user_ids: Vec<String>,
    /// Usernames, comma-separated (resolved to ids before anything is sent)
    #[arg(long, value_delimiter = ',')]
    pub usernames: Vec<String>,
    /// E-mails, comma-separated (resolved to ids before anything is sent)
    #[arg(long, value_delimiter = ',')]
    pub emails: Vec<String>,
    /// A CSV file with an `id`, `username` or `email` column, or - for standard input
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// The column of --csv that names each user, when several are present [default: id, then username, then email]
    #[arg(long, value_enum, requires = "csv")]
    pub match_by: Option<crate::keys::MatchBy>,
}

/// Options of `mock`.
#[derive(Debug, Args)]
pub struct MockArgs {
    /// The API key the mock accepts (default: its own test key, printed on the first line)
    #[arg(long, env = "JC_API_KEY", hide_env_values = true)]
    pub api_key: Option<jc_bulk::ApiKey>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Records processed per second (default: as fast as possible)
    #[arg(long)]
    pub process_rate: Option<f64>,
    /// Share of requests answered 429/500/502/503 (0.0-1.0)
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    pub fault_rate: f64,
    /// Added latency per request, milliseconds
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Seed of the injected faults
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Start with N users (user00000 ... with names, a department, an attribute, a phone and an address)
    #[arg(long, default_value_t = 0)]
    pub seed_users: usize,
    /// Start with the users of this CSV file (the `users create` columns)
    #[arg(long, value_name = "FILE")]
    pub seed_csv: Option<PathBuf>,
    /// Serve N orgs (`Org 01` ...) for one multi-tenant key, listed by `jcbulk orgs list` (every other request must name its org)
    #[arg(long, default_value_t = 0)]
    pub orgs: usize,
    /// Start with the user groups of this CSV file: `name,membershipMethod,members`, members as `;`-separated usernames of the seeded users
    #[arg(long, value_name = "FILE")]
    pub seed_groups: Option<PathBuf>,
    /// Lists answer without a total (no `totalCount` in v1 lists, no `x-total-count` header on v2 lists)
    #[arg(long)]
    pub no_total_count: bool,
}

/// A number from 0 to 1.
fn share(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a number from 0 to 1")),
    }
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Users in the sample CSV
    #[arg(long, default_value_t = 2000)]
    pub users: usize,
    /// Where to write the sample CSV and the report (default: a temporary directory)
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::Parser;

    #[test]
    fn debug_never_shows_the_api_key() {
        let cli = Cli::parse_from([
            "jcbulk",
            "users",
            "--api-key",
            "SECRET-KEY-42",
            "template",
            "create",
        ]);
        let text = format!("{cli:?}");
        assert!(!text.contains("SECRET-KEY-42"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}
