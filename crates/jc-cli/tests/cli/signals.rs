//! Ctrl-C and SIGTERM sent to the real binary in the middle of an import (issue 12): the first
//! Ctrl-C stops submitting and waits for what was submitted, a second one (or SIGTERM) stops
//! waiting; the report, the failed rows and the journal are complete either way, the summary
//! lists every job id, and the exit code is 130. `--no-wait` prints each job id as it exists.
#![cfg(unix)]

use crate::common::{s, until_jobs, users_csv};
use jc_mock::{FaultConfig, MockConfig, MockServer};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Child;

/// A running jcbulk whose stderr lines are collected as they come.
struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    fn start(mock: &MockServer, args: &[&str]) -> Self {
        let mut child = crate::common::command(Some(mock), args, &[])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let sink = stderr.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        Self { child, stderr }
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().unwrap().to_string();
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
    }

    async fn until_stderr(&self, text: &str) {
        for _ in 0..2000 {
            if self.stderr.lock().unwrap().contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!(
            "stderr never said {text:?}: {}",
            self.stderr.lock().unwrap()
        );
    }

    /// Waits for the end: (exit code, stdout, stderr).
    async fn end(mut self) -> (i32, String, String) {
        let mut stdout = String::new();
        let mut pipe = self.child.stdout.take().unwrap();
        let status = tokio::time::timeout(Duration::from_secs(60), async {
            pipe.read_to_string(&mut stdout).await.unwrap();
            self.child.wait().await.unwrap()
        })
        .await
        .expect("jcbulk ended within a minute");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code().unwrap_or(-1), stdout, stderr)
    }
}

struct Files {
    _dir: tempfile::TempDir,
    csv: std::path::PathBuf,
    report: std::path::PathBuf,
    failed: std::path::PathBuf,
    journal: std::path::PathBuf,
}

fn files(rows: usize) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, users_csv("sig", rows)).unwrap();
    Files {
        csv,
        report: dir.path().join("r.csv"),
        failed: dir.path().join("f.csv"),
        journal: dir.path().join("j.jsonl"),
        _dir: dir,
    }
}

fn import_args(f: &Files) -> Vec<&str> {
    vec![
        "users",
        "create",
        "--csv",
        s(&f.csv),
        "--chunk-size",
        "100",
        "--concurrency",
        "2",
        "--report",
        s(&f.report),
        "--failed-rows",
        s(&f.failed),
        "--journal",
        s(&f.journal),
        "-o",
        "json",
    ]
}

/// Outcome counts of a report.
fn outcomes(report: &Path) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    let text = std::fs::read_to_string(report).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for row in reader.records() {
        *counts.entry(row.unwrap()[3].to_owned()).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_ctrl_c_stops_submitting_and_waits_for_what_was_submitted() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    mock.pause_jobs();
    let f = files(1000);
    let run = Running::start(&mock, &import_args(&f));
    until_jobs(&mock, 2).await;
    run.signal("INT");
    run.until_stderr("stopping: waiting up to").await;
    mock.resume_jobs();
    let (code, stdout, stderr) = run.end().await;
    assert_eq!(code, 130, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["applied"], 200, "{stdout}");
    assert_eq!(summary["not_submitted"], 800);
    assert_eq!(summary["jobs"].as_array().unwrap().len(), 2);
    let counts = outcomes(&f.report);
    assert_eq!((counts["applied"], counts["not_submitted"]), (200, 800));
    let failed = std::fs::read_to_string(&f.failed).unwrap();
    assert_eq!(
        failed.lines().count(),
        801,
        "every unsent row, ready to re-run"
    );
    let journal = std::fs::read_to_string(&f.journal).unwrap();
    assert_eq!(journal.matches("\"submitted\"").count(), 2);
    assert!(journal.ends_with('\n'));
    assert_eq!(
        mock.jobs(&mock.default_org()).len(),
        2,
        "nothing submitted after Ctrl-C"
    );
    for job in mock.jobs(&mock.default_org()) {
        assert!(
            stderr.contains(&job.id),
            "every job id in the summary: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_ctrl_c_stops_waiting_and_still_writes_everything() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    mock.pause_jobs();
    let f = files(1000);
    let run = Running::start(&mock, &import_args(&f));
    until_jobs(&mock, 2).await;
    run.signal("INT");
    run.until_stderr("stopping: waiting up to").await;
    run.signal("INT");
    let (code, stdout, stderr) = run.end().await;
    assert_eq!(code, 130, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            summary["unknown"].as_u64(),
            summary["not_submitted"].as_u64()
        ),
        (Some(200), Some(800))
    );
    let report = std::fs::read_to_string(&f.report).unwrap();
    let unknown: Vec<&str> = report.lines().filter(|l| l.contains(",unknown,")).collect();
    assert_eq!(unknown.len(), 200);
    let jobs = mock.jobs(&mock.default_org());
    assert!(
        unknown
            .iter()
            .all(|l| jobs.iter().any(|j| l.contains(&j.id))),
        "with job ids"
    );
    assert_eq!(outcomes(&f.report).values().sum::<usize>(), 1000);
    mock.resume_jobs();

    // The journal settles them later: --resume re-attaches and sends nothing twice.
    mock.wait_idle().await;
    let mut args = import_args(&f);
    args.push("--resume");
    let resumed = crate::common::jcbulk(Some(&mock), &args).await;
    let summary = resumed.json();
    assert_eq!(summary["applied"], 1000, "{}", resumed.stderr);
    assert_eq!(mock.users(&mock.default_org()).len(), 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_at_once_like_a_second_ctrl_c() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    mock.pause_jobs();
    let f = files(500);
    let run = Running::start(&mock, &import_args(&f));
    until_jobs(&mock, 2).await;
    run.signal("TERM");
    let (code, stdout, stderr) = run.end().await;
    assert_eq!(code, 130, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            summary["unknown"].as_u64(),
            summary["not_submitted"].as_u64()
        ),
        (Some(200), Some(300))
    );
    assert_eq!(outcomes(&f.report).values().sum::<usize>(), 500);
    mock.resume_jobs();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_wait_prints_each_job_id_the_moment_it_exists() {
    let faults = FaultConfig::seeded(1).latency(Duration::from_millis(150), Duration::ZERO);
    let mock = MockServer::start(MockConfig::default().faults(faults))
        .await
        .unwrap();
    let f = files(2000);
    let args = [
        "users",
        "create",
        "--csv",
        s(&f.csv),
        "--chunk-size",
        "100",
        "--concurrency",
        "1",
        "--no-wait",
        "-o",
        "ndjson",
    ];
    let mut run = Running::start(&mock, &args);
    let mut stdout = BufReader::new(run.child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), stdout.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(first.contains("job_id"), "{first}");
    run.signal("INT");
    let mut printed = vec![first];
    while let Some(line) = stdout.next_line().await.unwrap() {
        printed.push(line);
    }
    let status = run.child.wait().await.unwrap();
    assert_eq!(status.code(), Some(130));
    let jobs = mock.jobs(&mock.default_org());
    assert!(jobs.len() < 20, "it stopped submitting");
    assert_eq!(
        printed.len(),
        jobs.len(),
        "every job created was printed: {printed:?}"
    );
}
