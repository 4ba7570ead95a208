//! `jcbulk mock`: the local JumpCloud in the foreground.

use crate::cli::{Global, MockArgs};
use crate::exit::{CliError, CliResult, Exit};
use jc_mock::{Admin, FaultConfig, MockConfig, MockServer, DEFAULT_API_KEY, DEFAULT_ORG_ID};
use std::io::Write;
use std::time::Duration;

/// Starts the mock, prints `BASE_URL API_KEY` on the first line of stdout, serves until ^C.
///
/// # Errors
/// The address cannot be bound.
pub async fn run(global: &Global, args: &MockArgs) -> CliResult {
    let key = global
        .api_key
        .as_ref()
        .map_or_else(|| DEFAULT_API_KEY.to_owned(), |k| k.expose().to_owned());
    let mut faults = FaultConfig::seeded(args.seed)
        .error_rate(args.fault_rate)
        .latency(Duration::from_millis(args.latency_ms), Duration::ZERO);
    faults.retry_after_secs = 1;
    let config = MockConfig::default()
        .addr(args.addr)
        .admins(vec![Admin::single(key.clone(), DEFAULT_ORG_ID)])
        .process_rate(args.process_rate)
        .faults(faults)
        .request_log_capacity(0);
    let server = MockServer::start(config)
        .await
        .map_err(|e| CliError::other(format!("cannot listen on {}: {e}", args.addr)))?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{} {}", server.base_url(), key)?;
    stdout.flush()?;
    if !global.quiet {
        eprintln!(
            "jc-mock serving org {DEFAULT_ORG_ID}; try:\n  JC_BASE_URL={} JC_API_KEY={key} jcbulk userstates list\npress Ctrl-C to stop",
            server.base_url()
        );
    }
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(Exit::Ok)
}
