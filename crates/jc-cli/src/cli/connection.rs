//! The options of the commands that talk to JumpCloud, the options of every command, and what a
//! command runs with.

use super::Format;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// A `--region` value: us, eu or in (the SDK's one `Region` type).
fn region(text: &str) -> Result<jc_bulk::Region, String> {
    text.parse()
}

/// Default of `--timeout`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// Default of `--max-retries`.
pub const DEFAULT_MAX_RETRIES: u32 = 4;
/// Default of `--max-rps`.
pub const DEFAULT_MAX_RPS: f64 = 20.0;

/// Options of the commands that talk to JumpCloud (`users`, `jobs`, `userstates`, `profiles`):
/// who, where, how, and the output format. Given after the command group, at any level
/// (`jcbulk users --profile acme create ...` or `jcbulk users create ... --profile acme`);
/// flags win over environment variables. `mock`, `demo` and `completions` do not take them.
#[derive(Debug, Args, Clone)]
pub struct Connection {
    /// JumpCloud API key (else JC_API_KEY, unless --profile names a profile with credentials)
    #[arg(long, global = true)]
    pub api_key: Option<jc_bulk::ApiKey>,
    /// Service account client id (else JC_CLIENT_ID; its secret: JC_CLIENT_SECRET or
    /// --client-secret-file, never a flag)
    #[arg(long, global = true)]
    pub client_id: Option<String>,
    /// File holding the service account's secret (readable by its owner only)
    #[arg(long, value_name = "FILE", global = true)]
    pub client_secret_file: Option<PathBuf>,
    /// Token endpoint of the service account (default: the region's)
    #[arg(long, global = true)]
    pub token_url: Option<String>,
    /// Named profile of the config file ($JCBULK_CONFIG or ~/.config/jcbulk/config.toml)
    #[arg(long, env = "JC_PROFILE", global = true)]
    pub profile: Option<String>,
    /// Organization id (multi-tenant admins)
    #[arg(long, env = "JC_ORG_ID", global = true, conflicts_with = "orgs")]
    pub org_id: Option<String>,
    /// Run the command once per org: ids (ID,ID), @FILE (one id a line) or `all` (every org `jcbulk orgs list` shows); output paths need `{org}` or `{org_name}`
    #[arg(long, global = true, value_name = "ID,ID|@FILE|all")]
    pub orgs: Option<String>,
    /// Orgs run at once with --orgs (1-32)
    #[arg(long, default_value_t = 4, global = true, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub org_concurrency: u32,
    /// API base URL (default: the region's)
    #[arg(long, env = "JC_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// v1 API root for user lookups, when --base-url does not end in /v2 (default: the base URL without /v2)
    #[arg(long, env = "JC_V1_BASE_URL", global = true)]
    pub v1_base_url: Option<String>,
    /// JumpCloud region: us (console.jumpcloud.com), eu (console.eu.jumpcloud.com) or in
    /// (console.in.jumpcloud.com)
    #[arg(long, value_name = "us|eu|in", value_parser = region, global = true)]
    pub region: Option<jc_bulk::Region>,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, short = 'o', value_enum, global = true)]
    pub output: Option<Format>,
    /// Per-request timeout in seconds (1 to 86400)
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_SECS, global = true, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// Retries of a failed request, 0 to 99 (never for a job submission that may have reached JumpCloud)
    #[arg(long, default_value_t = DEFAULT_MAX_RETRIES, global = true, value_parser = clap::value_parser!(u32).range(0..=99))]
    pub max_retries: u32,
    /// Requests per second at most (0.001 to 1000000)
    #[arg(long, default_value_t = DEFAULT_MAX_RPS, global = true)]
    pub max_rps: f64,
    /// Extra CA certificate(s) to trust, PEM (corporate TLS proxies)
    #[arg(long, global = true)]
    pub ca_cert: Vec<PathBuf>,
    /// Allow plain http:// to hosts that are not loopback (the API key would travel unencrypted)
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
}

impl Default for Connection {
    /// No credentials, endpoint or profile; the default HTTP settings.
    fn default() -> Self {
        Self {
            api_key: None,
            client_id: None,
            client_secret_file: None,
            token_url: None,
            profile: None,
            org_id: None,
            orgs: None,
            org_concurrency: 4,
            base_url: None,
            v1_base_url: None,
            region: None,
            output: None,
            timeout: DEFAULT_TIMEOUT_SECS,
            max_retries: DEFAULT_MAX_RETRIES,
            max_rps: DEFAULT_MAX_RPS,
            ca_cert: Vec::new(),
            allow_insecure_http: false,
        }
    }
}

/// Options for every command: how much to say on stderr.
#[derive(Debug, Args, Clone, Default)]
pub struct Logging {
    /// More logs on stderr (-v info, -vv debug); the API key never appears
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// No progress bars or notes; results and errors only
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// A command group that talks to JumpCloud: its connection options, then its command.
#[derive(Debug, Args)]
pub struct Remote<C: Subcommand> {
    /// Who, where, how.
    #[command(flatten)]
    pub connection: Connection,
    /// The command.
    #[command(subcommand)]
    pub command: C,
}

/// What a command runs with: the connection options (defaults for the commands that take none)
/// and the logging options. Reads of the connection's fields go through `Deref`.
#[derive(Debug, Clone, Default)]
pub struct Global {
    /// The connection options.
    pub connection: Connection,
    /// -v count.
    pub verbose: u8,
    /// -q.
    pub quiet: bool,
}

impl Global {
    /// A command's settings from its connection options and the logging options.
    pub fn new(connection: &Connection, logging: &Logging) -> Self {
        Self {
            connection: connection.clone(),
            verbose: logging.verbose,
            quiet: logging.quiet,
        }
    }
}

impl std::ops::Deref for Global {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.connection
    }
}
