//! The options of `jcbulk groups ...`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `groups` commands.
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List the org's user groups (id, name, membershipMethod)
    List {
        /// FIELD:OP:VALUE on name, type or membershipMethod (ops: eq ne in search); repeat to require all
        #[arg(long)]
        filter: Vec<String>,
    },
    /// The direct members of a group (id, username, email); GROUP is a name or an id
    Members {
        /// The group's name or id
        group: String,
    },
    /// The groups a user belongs to; USER is an id, a username or an e-mail
    Of {
        /// The user
        user: String,
    },
    /// Add users to a group (only those not yet members are sent)
    Add(GroupChangeArgs),
    /// Remove users from a group (only those that are members are sent)
    Remove(GroupChangeArgs),
    /// Make a group's direct membership exactly the users of a file
    Sync(GroupSyncArgs),
}

/// The users a group command acts on: a CSV file or a list.
#[derive(Debug, Args, Clone, Default)]
#[group(id = "group_users", required = true, multiple = false)]
pub struct GroupUsersArgs {
    /// A CSV file with an `id`, `username` or `email` column, or - for standard input
    #[arg(long, value_name = "FILE", group = "group_users")]
    pub csv: Option<PathBuf>,
    /// Usernames, comma-separated
    #[arg(long, value_delimiter = ',', group = "group_users")]
    pub usernames: Vec<String>,
    /// E-mails, comma-separated
    #[arg(long, value_delimiter = ',', group = "group_users")]
    pub emails: Vec<String>,
    /// User ids, comma-separated (checked to exist before anything is sent)
    #[arg(long, value_delimiter = ',', group = "group_users")]
    pub ids: Vec<String>,
    /// The column of --csv that names each user, when several are present [default: id, then username, then email]
    #[arg(long, value_enum, requires = "csv")]
    pub match_by: Option<crate::keys::MatchBy>,
}

/// How a group command sends its changes.
#[derive(Debug, Args, Clone)]
pub struct GroupRunArgs {
    /// Print the plan (adds, removes, no-ops, estimated time) and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write one row per user and group: line, user_key, user_id, group, outcome, reason (CSV, or JSON for a .json path)
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Change DYNAMIC_AUTOMATED groups too (JumpCloud may undo the change when it re-evaluates the group)
    #[arg(long)]
    pub allow_dynamic_groups: bool,
    /// Send the changes of the users that resolved and report the others, instead of stopping
    #[arg(long)]
    pub skip_invalid: bool,
    /// Membership changes in flight at once (1-16)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub edge_concurrency: u32,
}

/// Options of `groups add` and `groups remove`.
#[derive(Debug, Args, Clone)]
pub struct GroupChangeArgs {
    /// The group's name or id
    pub group: String,
    /// The users.
    #[command(flatten)]
    pub users: GroupUsersArgs,
    /// How to send.
    #[command(flatten)]
    pub run: GroupRunArgs,
}

/// Options of `groups sync`.
#[derive(Debug, Args, Clone)]
pub struct GroupSyncArgs {
    /// The group's name or id
    pub group: String,
    /// A CSV file with an `id`, `username` or `email` column (or -): the group's members after the sync
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// The column of --csv that names each user [default: id, then username, then email]
    #[arg(long, value_enum)]
    pub match_by: Option<crate::keys::MatchBy>,
    /// Refuse (and change nothing) when the sync would remove more members than this [default: 10% of the current members, rounded up]
    #[arg(long, value_name = "N")]
    pub max_remove: Option<usize>,
    /// How to send.
    #[command(flatten)]
    pub run: GroupRunArgs,
}
