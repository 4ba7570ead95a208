//! Every bulk command runs the one import pipeline (issue 10): the same options for create,
//! update, expire and unlock; ids from the command line never touch the filesystem; standard
//! input as a CSV; `--no-wait` with a journal; long id lists from a file; extreme settings are
//! usage errors, never panics.

use crate::common::{jcbulk, jcbulk_with, mock_with_users};
use jc_mock::{MockConfig, MockServer};

/// An empty read-only directory. Root may write there all the same, so `TMPDIR` points at a
/// directory below it that does not exist: no temporary file can be created, whoever runs it.
#[cfg(unix)]
fn read_only_empty_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    dir
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn expire_ids_no_wait_prints_the_job_and_touches_no_file() {
    let (mock, ids) = mock_with_users(2).await;
    let tmp = read_only_empty_dir();
    let tmpdir = tmp.path().join("absent");
    let joined = ids.join(",");
    let run = jcbulk_with(
        Some(&mock),
        &[
            "users",
            "expire",
            "--ids",
            &joined,
            "--no-wait",
            "-o",
            "json",
        ],
        None,
        &[("TMPDIR", &tmpdir)],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let jobs = run.json();
    let job = mock.jobs(&mock.default_org())[0].id.clone();
    assert_eq!(jobs[0]["job_id"], job.as_str());
    assert_eq!(jobs[0]["records"], 2);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);

    // The same with waiting: both expired, and still no temporary file.
    let run = jcbulk_with(
        Some(&mock),
        &["users", "unlock", "--ids", &joined, "-o", "json"],
        None,
        &[("TMPDIR", &tmpdir)],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["applied"], 2);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn unlock_takes_every_import_option_and_dry_run_sends_nothing() {
    let (mock, ids) = mock_with_users(3).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ids.csv");
    std::fs::write(&csv, format!("id\n{}\n", ids.join("\n"))).unwrap();
    let report = dir.path().join("r.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "unlock",
            "--csv",
            csv.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--dry-run",
            "--chunk-size",
            "2",
            "--concurrency",
            "2",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = run.json();
    assert_eq!(
        (plan["rows"].as_u64(), plan["jobs"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(plan["operation"], "unlock");
    assert_eq!(plan["sent"], false);
    assert!(mock.jobs(&mock.default_org()).is_empty());
    assert!(!report.exists(), "a dry run writes no report");

    // For real, with a report and failed rows, like create and update.
    let failed = dir.path().join("f.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "expire",
            "--csv",
            csv.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--failed-rows",
            failed.to_str().unwrap(),
            "--wait-timeout",
            "60",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().filter(|l| l.contains(",applied,")).count(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn expire_reads_standard_input() {
    let (mock, ids) = mock_with_users(2).await;
    let run = jcbulk_with(
        Some(&mock),
        &["users", "expire", "--csv", "-", "-o", "json"],
        Some(&format!("id\n{}\n{}\n", ids[0], ids[1])),
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["applied"], 2);
    assert_eq!(run.json()["file"], "<stdin>");
    let org = mock.default_org();
    assert!(ids
        .iter()
        .all(|id| mock.user(&org, id).unwrap().password_expired));

    // A bad row of standard input is named by its line.
    let run = jcbulk_with(
        Some(&mock),
        &["users", "create", "--csv", "-"],
        Some("username,email\nada,ada@example.com\nbob,\n"),
        &[],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("<stdin>: line 3"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_wait_with_a_journal_resumes_without_sending_twice() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let org = mock.default_org();
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..25)
        .map(|i| format!("n{i},n{i}@example.com\n"))
        .collect();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, format!("username,email\n{rows}")).unwrap();
    let journal = dir.path().join("j.jsonl");
    let args = |resume: bool| {
        let mut args = vec![
            "users",
            "create",
            "--csv",
            csv.to_str().unwrap(),
            "--no-wait",
            "--chunk-size",
            "10",
            "--journal",
            journal.to_str().unwrap(),
            "-o",
            "json",
        ];
        if resume {
            args.push("--resume");
        }
        args
    };
    let run = jcbulk(Some(&mock), &args(false)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    assert_eq!(mock.jobs(&org).len(), 3);
    let written = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(written.matches("\"submitted\"").count(), 3, "{written}");

    let again = jcbulk(Some(&mock), &args(false)).await;
    assert_eq!(again.code, 2, "a journal that exists needs --resume");
    assert!(again.stderr.contains("--resume"), "{}", again.stderr);
    assert_eq!(mock.jobs(&org).len(), 3);

    let resumed = jcbulk(Some(&mock), &args(true)).await;
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let jobs: Vec<String> = resumed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(jobs.len(), 3, "re-attached to the recorded jobs");
    assert_eq!(mock.jobs(&org).len(), 3, "nothing submitted twice");
    let mut known: Vec<String> = mock.jobs(&org).into_iter().map(|j| j.id).collect();
    known.sort();
    let mut jobs = jobs;
    jobs.sort();
    assert_eq!(jobs, known);
}

#[tokio::test(flavor = "multi_thread")]
async fn userstates_next_reads_10000_ids_from_a_file() {
    let (mock, ids) = mock_with_users(3).await;
    // The ids to schedule come through standard input.
    let schedule = {
        jcbulk_with(
            Some(&mock),
            &[
                "userstates",
                "schedule",
                "--state",
                "SUSPENDED",
                "--at",
                "2099-01-01T00:00:00Z",
                "--csv",
                "-",
                "-o",
                "json",
            ],
            Some(&format!("id\n{}\n", ids.join("\n"))),
            &[],
        )
        .await
    };
    assert_eq!(schedule.code, 0, "{}", schedule.stderr);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ids.csv");
    let mut text = String::from("id\n");
    for i in 0..10_000 {
        text.push_str(&format!("{i:024x}\n"));
    }
    for id in &ids {
        text.push_str(id);
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    let run = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "next",
            "--csv",
            csv.to_str().unwrap(),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn extreme_settings_are_usage_errors() {
    let (mock, ids) = mock_with_users(1).await;
    let id = ids[0].as_str();
    let cases: &[&[&str]] = &[
        &["--max-rps", "1e-20"],
        &["--max-rps", "0"],
        &["--max-rps", "-5"],
        &["--max-rps", "NaN"],
        &["--max-rps", "inf"],
        &["--max-rps", "1e300"],
        &["--timeout", "0"],
        &["--timeout", "18446744073709551615"],
        &["--max-retries", "4294967295"],
        &["--wait-timeout", "0"],
        &["--wait-timeout", "18446744073709551615"],
        &["--chunk-size", "0"],
        &["--chunk-size", "801"],
        &["--concurrency", "0"],
    ];
    for extra in cases {
        let mut args = vec!["users", "expire", "--ids", id];
        args.extend_from_slice(extra);
        let run = jcbulk(Some(&mock), &args).await;
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("panicked"),
            "{extra:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.trim().is_empty(), "{extra:?}: says why");
    }
    assert!(
        mock.jobs(&mock.default_org()).is_empty(),
        "nothing was sent"
    );
}
