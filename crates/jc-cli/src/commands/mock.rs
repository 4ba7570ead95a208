//! `jcbulk mock`: the local JumpCloud in the foreground.

use crate::cli::{Global, MockArgs};
use crate::csv::{CsvFile, Kind};
use crate::exit::{CliError, CliResult, Exit};
use jc_mock::{
    Admin, FaultConfig, MockConfig, MockServer, OAuthClient, DEFAULT_API_KEY, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID,
};
use jc_models::BulkUserCreate;
use std::io::Write;
use std::time::Duration;

/// The users of a `users create` CSV file; any problem stops (exit 2).
fn seed_rows(path: &std::path::Path) -> CliResult<Vec<BulkUserCreate>> {
    let mut file = CsvFile::open(path, Kind::Create).map_err(|problems| {
        crate::commands::import::located(&path.display().to_string(), &problems, 0)
    })?;
    let (mut users, mut problems) = (Vec::new(), Vec::new());
    while let Some(row) = file.next_row::<BulkUserCreate>() {
        match row.record {
            Ok(user) => users.push(user),
            Err(found) => problems.extend(found),
        }
    }
    problems.extend(file.fatal().cloned());
    if problems.is_empty() {
        Ok(users)
    } else {
        Err(crate::commands::import::located(
            &format!("--seed-csv {}", path.display()),
            &problems,
            0,
        ))
    }
}

/// Tells (on stderr) how to reach the mock's org, or its orgs.
fn say_how_to_reach(server: &MockServer, key: &str) {
    let base = server.base_url();
    let orgs: Vec<String> = server.config().admins[0].orgs.clone();
    let text = if server.config().admins[0].multi_tenant {
        format!(
            "jc-mock serving {} orgs for one multi-tenant key: {}\ntry:\n  JC_BASE_URL={base} JC_API_KEY={key} jcbulk orgs list\n  JC_BASE_URL={base} JC_API_KEY={key} jcbulk users --orgs all create --csv users.csv --report 'reports/{{org}}.csv'  (or --org-id {})\npress Ctrl-C to stop",
            orgs.len(),
            orgs.join(" "),
            orgs.first().cloned().unwrap_or_default()
        )
    } else {
        format!("jc-mock serving org {DEFAULT_ORG_ID}; try:\n  JC_BASE_URL={base} JC_API_KEY={key} jcbulk userstates list\npress Ctrl-C to stop")
    };
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Starts the mock, prints `BASE_URL API_KEY` on the first line of stdout, serves until ^C.
///
/// # Errors
/// The address cannot be bound.
pub async fn run(global: &Global, args: &MockArgs) -> CliResult {
    let key = args
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
        .seed_users(args.seed_users)
        .oauth_client(OAuthClient::new(
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
            key.clone(),
        ))
        .request_log_capacity(0);
    let config = if args.orgs > 0 {
        config.orgs(args.orgs)
    } else {
        config
    };
    let config = if args.no_total_count {
        config.quirks(jc_mock::Quirks::new().total_count(jc_mock::TotalCount::Absent))
    } else {
        config
    };
    let groups = match &args.seed_groups {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::invalid(format!("--seed-groups {}: {e}", path.display())))?;
            jc_mock::SeedGroup::parse_csv(&text)
                .map_err(|e| CliError::invalid(format!("--seed-groups {}: {e}", path.display())))?
        }
        None => Vec::new(),
    };
    let seed = match &args.seed_csv {
        Some(path) => seed_rows(path)?,
        None => Vec::new(),
    };
    let server = MockServer::start(config)
        .await
        .map_err(|e| CliError::other(format!("cannot listen on {}: {e}", args.addr)))?;
    server
        .seed_users(&server.default_org(), seed)
        .map_err(|e| CliError::invalid(format!("--seed-csv: {e}")))?;
    server
        .seed_groups(&server.default_org(), &groups)
        .map_err(|e| CliError::invalid(format!("--seed-groups: {e}")))?;
    // A reader that takes the first line and closes the pipe (`jcbulk mock | head -1`, a test
    // harness) must not stop the server: write failures on stdout and stderr are ignored.
    let lines = format!(
        "{} {key}\n{DEFAULT_CLIENT_ID} {DEFAULT_CLIENT_SECRET}\n",
        server.base_url()
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(lines.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    if !global.quiet {
        say_how_to_reach(&server, &key);
    }
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(Exit::Ok)
}
