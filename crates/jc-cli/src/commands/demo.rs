//! `jcbulk demo`: the main job end to end on the embedded mock.

use crate::cli::{Connection, DemoArgs, Format, Global, RunArgs};
use crate::commands::import::{self, Input, Job};
use crate::csv::Kind;
use crate::exit::{CliError, CliResult, Exit};
use jc_bulk::{CallOptions, Client, Filter, ListScheduledOptions, Page};
use jc_mock::{MockConfig, MockServer};
use jc_models::{BulkScheduledStatechangeCreate, BulkUserCreate, StateChange, Timestamp};
use std::fmt::Write as _;
use std::path::PathBuf;

const FIRST: [&str; 12] = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "John",
    "Katherine",
    "Linus",
    "Margaret",
    "Niklaus",
];
const LAST: [&str; 12] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Johnson",
    "Torvalds", "Hamilton", "Wirth",
];
const DEPARTMENTS: [&str; 6] = [
    "Engineering",
    "Finance",
    "Sales",
    "Support",
    "Legal",
    "Operations",
];
const CITIES: [&str; 5] = ["London", "Berlin", "Denver", "Pune", "Toronto"];

fn names(i: usize) -> (&'static str, &'static str, String) {
    let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
    (
        first,
        last,
        format!("{}.{}{i}", first.to_lowercase(), last.to_lowercase()),
    )
}

/// The sample CSV: `users` rows, three of them deliberately bad (rows 10, 21 and 30).
pub fn sample_csv(users: usize) -> String {
    let mut csv = String::from("username,email,firstname,lastname,department,jobTitle,employeeIdentifier,phoneNumbers.work,addresses.work.locality,attributes.costCenter\n");
    for i in 0..users {
        let (first, last, username) = names(i);
        let email = match i {
            // Deliberately bad: this e-mail belongs to a user the org already has.
            10 => "taken@example.com".to_owned(),
            // Deliberately bad: repeats row 20's e-mail.
            21 => format!("{}@example.com", names(20).2),
            _ => format!("{username}@example.com"),
        };
        // Deliberately bad: no username.
        let username = if i == 30 { String::new() } else { username };
        let _ = writeln!(
            csv,
            "{username},{email},{first},{last},{},Analyst,E-{:05},+1 555 {:04},{},CC-{}",
            DEPARTMENTS[i % DEPARTMENTS.len()],
            i,
            i % 10_000,
            CITIES[i % CITIES.len()],
            100 + i % 7
        );
    }
    csv
}

fn demo_global(global: &Global, server: &MockServer) -> Global {
    let connection = Connection {
        api_key: Some(server.api_key().into()),
        // Everything set here, so that no profile of the user's config file can leak in.
        client_id: None,
        client_secret_file: None,
        token_url: None,
        profile: None,
        org_id: Some(server.default_org()),
        orgs: None,
        org_concurrency: 1,
        base_url: Some(server.base_url()),
        v1_base_url: None,
        region: None,
        output: Some(Format::Table),
        timeout: global.timeout,
        max_retries: global.max_retries,
        max_rps: 1000.0,
        ca_cert: Vec::new(),
        allow_insecure_http: false,
    };
    Global {
        connection,
        ..global.clone()
    }
}

/// Runs the demo.
///
/// # Errors
/// The mock cannot start, or a step fails unexpectedly.
pub async fn run(global: &Global, args: &DemoArgs) -> CliResult {
    if args.users < 40 {
        return Err(CliError::invalid(
            "--users must be at least 40 (the sample's bad rows sit at rows 10, 21 and 30)",
        ));
    }
    let server = MockServer::start(MockConfig::default().request_log_capacity(0))
        .await
        .map_err(|e| CliError::other(format!("cannot start the mock: {e}")))?;
    let org = server.default_org();
    server
        .insert_user(&org, &BulkUserCreate::new("taken", "taken@example.com"))
        .map_err(CliError::other)?;
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("jcbulk-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let csv: PathBuf = dir.join("users.csv");
    std::fs::write(&csv, sample_csv(args.users))?;
    let mock_global = demo_global(global, &server);
    let say = |text: String| {
        if !global.quiet {
            let _ = crate::output::line(&text);
        }
    };
    say(format!(
        "== jcbulk demo: a local JumpCloud at {} (org {org})",
        server.base_url()
    ));
    say(format!(
        "== 1. importing {} users from {}",
        args.users,
        csv.display()
    ));
    say("   (three rows are bad on purpose: an e-mail the org already has, an e-mail repeated in the file, a row without username)".into());
    let run_args = RunArgs {
        skip_invalid: true,
        wait_timeout: 600,
        report: Some(dir.join("report.csv")),
        failed_rows: Some(dir.join("failed.csv")),
        ..RunArgs::default()
    };
    let job = Job {
        input: Input::csv(&csv),
        run: &run_args,
        creation_source: None,
        suppress_email: true,
        match_by: None,
        allow_dynamic_groups: false,
    };
    let (_, run) = import::run::<BulkUserCreate>(&mock_global, job, Kind::Create, None).await?;
    let expected_applied = args.users as u64 - 3;
    let s = &run.summary;
    say(format!(
        "   summary: {} read, {} applied, {} failed, {} not submitted, {} unknown",
        s.read, s.applied, s.failed, s.not_submitted, s.unknown
    ));
    if !global.quiet {
        let report = std::fs::read_to_string(dir.join("report.csv")).unwrap_or_default();
        crate::output::line(format_args!(
            "   the rows that were not applied (from {}):",
            dir.join("report.csv").display()
        ))?;
        for line in report.lines().filter(|l| !l.contains(",applied,")).skip(1) {
            crate::output::line(format_args!("     {line}"))?;
        }
    }

    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()?;
    let users: Vec<String> = run.applied_sample.iter().take(5).cloned().collect();
    let at = (chrono::Utc::now() + chrono::Duration::days(7))
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .map(|n| n.and_utc());
    let at = Timestamp::new(at.ok_or_else(|| CliError::other("no date a week from now"))?);
    say(format!(
        "== 2. scheduling a suspension of {} new users at {at}",
        users.len()
    ));
    let scheduled = client
        .schedule_state_change(
            &BulkScheduledStatechangeCreate::new(StateChange::Suspended, at, users.clone()),
            &CallOptions::new(),
        )
        .await?;
    say(format!("   {} scheduled changes created", scheduled.len()));
    say("== 3. userstates next (the next change of each user)".into());
    let next = client.next_scheduled(&users, &CallOptions::new()).await?;
    let format = if global.quiet {
        None
    } else {
        Some(Format::Table)
    };
    if let Some(format) = format {
        let rows: Vec<serde_json::Value> = next
            .results
            .unwrap_or_default()
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect();
        crate::output::items(
            format,
            &["systemUserId", "state", "scheduledDate", "scheduledJobId"],
            &rows,
        )?;
    }
    say("== 4. userstates list --filter state:eq:SUSPENDED".into());
    let listed = client
        .scheduled_states_page(
            &ListScheduledOptions {
                filters: vec![Filter::state(StateChange::Suspended)],
                ..ListScheduledOptions::default()
            },
            Page::first(),
        )
        .await?;
    if let Some(format) = format {
        let rows: Vec<serde_json::Value> = listed
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect();
        crate::output::items(
            format,
            &["scheduledJobId", "systemUserId", "state", "scheduledDate"],
            &rows,
        )?;
    }
    let ok = s.applied == expected_applied
        && s.failed == 1
        && s.not_submitted == 2
        && s.unknown == 0
        && listed.len() == users.len();
    crate::output::line(format_args!(
        "demo {}: {} of {} users imported, {} rejected by JumpCloud, {} not sent (invalid), {} suspensions scheduled; files in {}",
        if ok { "ok" } else { "FAILED" },
        s.applied,
        s.read,
        s.failed,
        s.not_submitted,
        listed.len(),
        dir.display()
    ))?;
    server.shutdown().await;
    Ok(if ok { Exit::Ok } else { Exit::Error })
}
