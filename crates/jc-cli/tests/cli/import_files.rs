//! Exactly one outcome per row, whatever happens to the files (issue 11): one regression test
//! per defect found by trying jcbulk as a careful new user would, with ordinary accidents. The
//! numbers in the test names are the issue's.

use crate::common::{finish, jcbulk, mock_with_users, s, spawn, until_jobs, users_csv};
use jc_mock::{MockConfig, MockServer};
use std::time::Duration;

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn d01_a_file_truncated_during_the_import_is_sent_as_it_was_checked() {
    let mock = mock().await;
    mock.pause_jobs();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    let text = users_csv("tr", 3000);
    std::fs::write(&csv, &text).unwrap();
    let child = spawn(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--chunk-size",
            "100",
            "-o",
            "json",
        ],
    );
    until_jobs(&mock, 1).await;
    // Cut the file in the middle of row 664's e-mail, and add a duplicate row at the end.
    let cut = text.find("tr663@e").unwrap() + "tr663@e".len();
    std::fs::write(&csv, format!("{}\ntr1,tr1@example.com\n", &text[..cut])).unwrap();
    mock.resume_jobs();
    let run = finish(child).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.json();
    assert_eq!(
        (summary["read"].as_u64(), summary["applied"].as_u64()),
        (Some(3000), Some(3000))
    );
    let users = mock.users(&mock.default_org());
    assert_eq!(users.len(), 3000);
    assert!(
        users.iter().all(|u| u.email.ends_with("@example.com")),
        "no cut-off row was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn d02_resume_with_an_edited_input_is_refused_and_sends_nothing() {
    let mock = mock().await;
    let org = mock.default_org();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    let journal = dir.path().join("j.jsonl");
    std::fs::write(&csv, users_csv("ed", 30)).unwrap();
    let args = |resume: bool| {
        let mut args = vec!["users", "create", "--csv", s(&csv), "--chunk-size", "10"];
        args.extend(["--journal", s(&journal), "-o", "json"]);
        if resume {
            args.push("--resume");
        }
        args
    };
    let first = jcbulk(Some(&mock), &args(false)).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(mock.jobs(&org).len(), 3);
    // Delete row 2: every later chunk shifts.
    let edited: Vec<&str> = std::fs::read_to_string(&csv)
        .unwrap()
        .leak()
        .lines()
        .collect();
    let edited = [&edited[..1], &edited[2..]].concat().join("\n");
    std::fs::write(&csv, edited + "\n").unwrap();
    let resumed = jcbulk(Some(&mock), &args(true)).await;
    assert_eq!(resumed.code, 2, "{}", resumed.stderr);
    assert!(
        resumed.stderr.contains("changed"),
        "says what differs: {}",
        resumed.stderr
    );
    assert_eq!(mock.jobs(&org).len(), 3, "nothing re-sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn d03_two_runs_cannot_share_a_journal_and_a_damaged_header_is_refused() {
    let mock = mock().await;
    mock.pause_jobs();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    let journal = dir.path().join("j.jsonl");
    std::fs::write(&csv, users_csv("sh", 20)).unwrap();
    let args = [
        "users",
        "create",
        "--csv",
        s(&csv),
        "--chunk-size",
        "10",
        "--journal",
        s(&journal),
        "-o",
        "json",
        "--resume",
    ];
    let first = spawn(Some(&mock), &args[..10]);
    until_jobs(&mock, 1).await;
    let second = jcbulk(Some(&mock), &args).await;
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(second.stderr.contains("in use"), "{}", second.stderr);
    mock.resume_jobs();
    let first = finish(first).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(
        mock.jobs(&mock.default_org()).len(),
        2,
        "each chunk sent once"
    );

    let text = std::fs::read_to_string(&journal).unwrap();
    let damaged = text.replacen("\"operation\"", "\"operat", 1);
    std::fs::write(&journal, damaged).unwrap();
    let resumed = jcbulk(Some(&mock), &args).await;
    assert_eq!(resumed.code, 2, "{}", resumed.stderr);
    assert!(resumed.stderr.contains("first line"), "{}", resumed.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn d04_endless_or_enormous_input_is_refused_at_once() {
    let run = tokio::time::timeout(
        Duration::from_secs(20),
        jcbulk(
            None,
            &["users", "create", "--csv", "/dev/zero", "--dry-run"],
        ),
    )
    .await
    .expect("/dev/zero ends quickly");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 1") && run.stderr.contains("1 MiB"),
        "{}",
        run.stderr
    );

    let dir = tempfile::tempdir().unwrap();
    let wide = dir.path().join("wide.csv");
    let header: Vec<String> = (0..10_001).map(|i| format!("attributes.a{i}")).collect();
    std::fs::write(
        &wide,
        format!("username,email\na,a@example.com\n{}\n", header.join(",")),
    )
    .unwrap();
    let run = jcbulk(None, &["users", "create", "--csv", s(&wide), "--dry-run"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 3") && run.stderr.contains("10001 columns"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn d05_an_output_that_is_the_input_or_another_output_is_refused() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("same.csv");
    let text = users_csv("same", 5);
    std::fs::write(&csv, &text).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let respelled = dir.path().join("sub/../same.csv");
    let link = dir.path().join("link.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&csv, &link).unwrap();
    let other = dir.path().join("out.csv");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--report", s(&csv)],
        vec!["--failed-rows", s(&respelled)],
        vec!["--journal", s(&link)],
        vec!["--report", s(&other), "--failed-rows", s(&other)],
    ];
    for case in cases {
        let mut args = vec!["users", "create", "--csv", s(&csv)];
        args.extend(&case);
        let run = jcbulk(Some(&mock), &args).await;
        assert_eq!(run.code, 2, "{case:?}: {}", run.stderr);
        assert!(run.stderr.contains("same file"), "{case:?}: {}", run.stderr);
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), text, "{case:?}");
    }
    assert!(mock.jobs(&mock.default_org()).is_empty());
    assert!(!other.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn d06_line_numbers_are_the_lines_an_editor_shows() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "crlf.csv",
            "username,email\r\nok,ok@example.com\r\nbad,\r\n",
            3,
        ),
        (
            "blank.csv",
            "username,email\nok,ok@example.com\n\n\nbad,\n",
            5,
        ),
        (
            "blank-crlf.csv",
            "username,email\r\nok,ok@example.com\r\n\r\n\r\nbad,\r\n",
            5,
        ),
        (
            "quoted.csv",
            "username,email,description\nok,ok@example.com,\"two\nlines\"\nbad,,x\n",
            4,
        ),
    ];
    for (name, text, line) in cases {
        let csv = dir.path().join(name);
        std::fs::write(&csv, text).unwrap();
        let run = jcbulk(None, &["users", "create", "--csv", s(&csv), "--dry-run"]).await;
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("line {line}: email")),
            "{name}: line {line}: {}",
            run.stderr
        );
    }
    // The report's `line` column too.
    let mock = mock().await;
    let csv = dir.path().join("blank-crlf.csv");
    let report = dir.path().join("r.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(report.lines().any(|l| l.starts_with("2,ok,")), "{report}");
    assert!(report.lines().any(|l| l.starts_with("5,bad,")), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn d07_a_refused_rerun_leaves_the_previous_report_alone() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, users_csv("re", 10)).unwrap();
    let (journal, report) = (dir.path().join("j"), dir.path().join("r.csv"));
    let args = [
        "users",
        "create",
        "--csv",
        s(&csv),
        "--journal",
        s(&journal),
        "--report",
        s(&report),
    ];
    let first = jcbulk(Some(&mock), &args).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(written.lines().count(), 11);
    let again = jcbulk(Some(&mock), &args).await;
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), written);
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn d08_a_report_that_cannot_be_written_does_not_hide_the_import() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, users_csv("full", 20)).unwrap();
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--report",
            "/dev/full",
            "-o",
            "json",
        ],
    )
    .await;
    let job = mock.jobs(&mock.default_org())[0].id.clone();
    assert_eq!(run.code, 1, "every record was applied: {}", run.stderr);
    assert!(run.stderr.contains("/dev/full"), "{}", run.stderr);
    assert!(
        run.stderr.contains("20 applied") && run.stderr.contains(&job),
        "{}",
        run.stderr
    );
    assert_eq!(mock.users(&mock.default_org()).len(), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn d09_an_unclosed_quote_is_an_error_at_the_line_where_it_opens() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(
        &csv,
        "username,email,firstname\nsw0,sw0@example.com,Bo\nsw1,sw1@example.com,\"Ann\nsw2,sw2@example.com,Cy\n",
    )
    .unwrap();
    let run = jcbulk(Some(&mock), &["users", "create", "--csv", s(&csv)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 3") && run.stderr.contains("never closed"),
        "{}",
        run.stderr
    );
    assert!(mock.jobs(&mock.default_org()).is_empty());

    // A line break inside a username, e-mail or id is a row error.
    std::fs::write(
        &csv,
        "username,email\n\"sw\n3\",sw3@example.com\nsw4,sw4@example.com\n",
    )
    .unwrap();
    let run = jcbulk(
        Some(&mock),
        &["users", "create", "--csv", s(&csv), "--dry-run"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 2: username: holds a line break"),
        "{}",
        run.stderr
    );
}

// d10 (the check keeps no per-row reasons in memory) is a unit test beside the check:
// `commands::import::input::tests::d10_the_check_keeps_no_per_row_reasons_in_memory`.

#[tokio::test(flavor = "multi_thread")]
async fn d11_file_errors_name_the_flag_and_the_file_and_leave_nothing_behind() {
    let (mock, _) = mock_with_users(0).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, users_csv("fe", 3)).unwrap();
    let missing = dir.path().join("missing/r.csv");
    let run = jcbulk(
        Some(&mock),
        &["users", "create", "--csv", s(&csv), "--report", s(&missing)],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("--report {}", missing.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("No such file or directory"),
        "{}",
        run.stderr
    );

    let report = dir.path().join("r.csv");
    let failed = dir.path().join("missing/f.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--report",
            s(&report),
            "--failed-rows",
            s(&failed),
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--failed-rows"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["u.csv"], "no half-made report: {left:?}");
    assert!(mock.jobs(&mock.default_org()).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn d12_two_runs_cannot_write_the_same_report() {
    let mock = mock().await;
    mock.pause_jobs();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    std::fs::write(&a, users_csv("ra", 10)).unwrap();
    std::fs::write(&b, users_csv("rb", 10)).unwrap();
    let report = dir.path().join("r.csv");
    let first = spawn(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&a),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    );
    until_jobs(&mock, 1).await;
    let second = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&b),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(
        second.stderr.contains("another jcbulk run"),
        "{}",
        second.stderr
    );
    mock.resume_jobs();
    let first = finish(first).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        written.lines().filter(|l| l.contains(",applied,")).count(),
        10
    );
    assert_eq!(
        mock.jobs(&mock.default_org()).len(),
        1,
        "the second run sent nothing"
    );
}
