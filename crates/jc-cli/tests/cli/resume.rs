//! Resumable imports (issue 7): kill `jcbulk` with SIGKILL in the middle of an import, resume it
//! from its journal: no chunk is submitted twice, no user is created twice, every record is
//! accounted for.

use jc_mock::{MockConfig, MockServer};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const USERS: usize = 12_000;

fn submitted_lines(journal: &std::path::Path) -> usize {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"event\":\"submitted\""))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_import_resumes_without_sending_anything_twice() {
    // Slow processing keeps the first run busy long enough to be killed in the middle.
    let mock = MockServer::start(
        MockConfig::default()
            .process_rate(Some(4000.0))
            .request_log_capacity(0),
    )
    .await
    .unwrap();
    let org = mock.default_org();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("users.csv");
    let rows: String = (0..USERS)
        .map(|i| format!("k{i},k{i}@example.com\n"))
        .collect();
    std::fs::write(&csv, format!("username,email\n{rows}")).unwrap();
    let journal = dir.path().join("journal.jsonl");
    let command = |extra: &[&str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"));
        command
            .args([
                "users",
                "create",
                "--csv",
                csv.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
                "-o",
                "json",
                "-q",
            ])
            .args(extra)
            .env("JC_BASE_URL", mock.base_url())
            .env("JC_API_KEY", mock.api_key())
            .kill_on_drop(true);
        command
    };

    let mut first = command(&["--max-rps", "1000"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while submitted_lines(&journal) < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the first run never submitted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.start_kill().unwrap(); // SIGKILL
    let status = first.wait().await.unwrap();
    assert!(!status.success(), "killed, not finished");
    let jobs_before = mock.jobs(&org).len();
    assert!(
        jobs_before < USERS.div_ceil(800),
        "killed in the middle: {jobs_before} jobs"
    );

    // Without --resume, an existing journal is refused.
    let refused = command(&[]).output().await.unwrap();
    assert_eq!(refused.status.code(), Some(2));

    let report = dir.path().join("report.csv");
    let resumed = command(&[
        "--resume",
        "--max-rps",
        "1000",
        "--report",
        report.to_str().unwrap(),
    ])
    .output()
    .await
    .unwrap();
    let summary: Value = serde_json::from_slice(&resumed.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&resumed.stderr)));
    assert!(
        matches!(resumed.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );

    // Every record accounted for, once.
    let text = std::fs::read_to_string(&report).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.splitn(7, ',').collect())
        .collect();
    assert_eq!(rows.len(), USERS);
    let lines: HashSet<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(lines.len(), USERS);
    assert_eq!(summary["read"], USERS as u64);
    // Nothing was re-sent that had been applied: no "already exists", nothing failed.
    assert_eq!(summary["failed"], 0, "{text}");
    assert!(!text.contains("already exists"));
    // Issue 13: a chunk the kill caught between its journal entry and the server is settled by
    // looking its users up (present: applied; absent: sent again, journalled first), so nothing
    // is left unknown.
    let applied = summary["applied"].as_u64().unwrap();
    let unknown = summary["unknown"].as_u64().unwrap();
    assert_eq!((applied, unknown), (USERS as u64, 0), "{text}");
    let looked_up = rows
        .iter()
        .filter(|r| r[6].contains("confirmed by lookup"))
        .count();
    println!("records settled by lookup after the kill: {looked_up}");

    // No chunk was submitted twice, no user created twice.
    mock.wait_idle().await;
    let users = mock.users(&org);
    let mut names: HashMap<&str, usize> = HashMap::new();
    for user in &users {
        *names.entry(user.username.as_str()).or_default() += 1;
    }
    assert!(names.values().all(|n| *n == 1));
    assert_eq!(users.len(), USERS, "every user exactly once");
}
