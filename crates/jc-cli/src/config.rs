//! Turns the global options into a client, an output format, and logging.

use crate::cli::{Format, Global, RegionArg};
use crate::exit::CliError;
use jc_bulk::{Client, HttpSettings, Region};
use std::io::IsTerminal;
use std::time::Duration;

/// The output format: the flag, else a table on a terminal and JSON otherwise.
pub fn format(global: &Global) -> Format {
    global.output.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    })
}

/// Logs to stderr: warnings by default, info with -v, debug with -vv (never the API key: no layer
/// of the SDK records headers).
pub fn init_logging(global: &Global) {
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The API client from the global options.
///
/// # Errors
/// No API key (a one-line error that says how to set it), or a bad setting.
pub fn client(global: &Global) -> Result<Client, CliError> {
    let key = global
        .api_key
        .clone()
        .filter(|key| !key.expose().trim().is_empty())
        .ok_or_else(|| {
            CliError::invalid(
                "no API key: pass --api-key KEY or set JC_API_KEY (JumpCloud admin console > API Settings)",
            )
        })?;
    let base = match (&global.base_url, global.region) {
        (Some(url), _) => url.clone(),
        (None, Some(RegionArg::Eu)) => Region::Eu.base_url().to_owned(),
        (None, Some(RegionArg::In)) => Region::In.base_url().to_owned(),
        (None, _) => Region::Us.base_url().to_owned(),
    };
    let invalid = |flag: &str, e: jc_bulk::InvalidSetting| {
        CliError::invalid(format!(
            "{flag}: {}",
            e.to_string().replace(e.setting, "it")
        ))
    };
    let http = HttpSettings::new()
        .attempt_timeout(Duration::from_secs(global.timeout))
        .map_err(|e| invalid("--timeout", e))?
        .max_attempts(global.max_retries.saturating_add(1))
        .map_err(|e| invalid("--max-retries", e))?
        .max_requests_per_second(global.max_rps)
        .map_err(|e| invalid("--max-rps", e))?
        .ca_files(global.ca_cert.clone())
        .allow_insecure_http(global.allow_insecure_http);
    let mut builder = Client::builder().api_key(key).base_url(base).http(http);
    if let Some(v1) = global.v1_base_url.clone().filter(|u| !u.trim().is_empty()) {
        builder = builder.v1_base_url(v1);
    }
    if let Some(org) = global.org_id.clone().filter(|o| !o.trim().is_empty()) {
        builder = builder.org_id(org);
    }
    builder
        .build()
        .map_err(|e| CliError::invalid(e.to_string()))
}
