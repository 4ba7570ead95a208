//! The real `jcbulk` binary against jc-mock over HTTP (issue 6): every command, every output
//! format, reports, exit codes, and line-numbered errors for bad CSVs.

use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs jcbulk with the mock's URL and key in the environment.
async fn jcbulk(mock: Option<&MockServer>, args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"));
    command
        .args(args)
        .env_remove("JC_API_KEY")
        .env_remove("JC_BASE_URL")
        .env_remove("JC_ORG_ID")
        .env_remove("RUST_LOG")
        .env_remove("JC_CLIENT_ID")
        .env_remove("JC_CLIENT_SECRET")
        .env_remove("JC_PROFILE")
        .env_remove("JC_V1_BASE_URL")
        .env("JCBULK_CONFIG", "/nonexistent/jcbulk-test-config.toml");
    if let Some(mock) = mock {
        command
            .env("JC_BASE_URL", mock.base_url())
            .env("JC_API_KEY", mock.api_key());
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().await.unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn create_with_report_and_failed_rows_then_update() {
    let mock = mock().await;
    let org = mock.default_org();
    mock.insert_user(&org, &BulkUserCreate::new("taken", "taken@example.com"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "users.csv", "\u{feff}Username,EMAIL,firstname,sudo,unix_uid,attributes.costCenter,phoneNumbers.work,addresses.home.locality\n\
        ada,ada@example.com,Ada,yes,1001,CC-1,+1 555,London\n\
        bob,taken@example.com,Bob,no,,,,\n\
        cy,cy@example.com,=cmd(),0,1003,,,\n");
    let report = dir.path().join("report.csv");
    let failed = dir.path().join("failed.csv");
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
            "--output",
            "json",
            "--creation-source",
            "jumpcloud:scim",
            "--suppress-email",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "partial failure: {}", run.stderr);
    let summary = run.json();
    assert_eq!(
        (
            summary["read"].as_u64(),
            summary["applied"].as_u64(),
            summary["failed"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    let report = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        "line,username,email,outcome,user_id,job_id,reason"
    );
    assert!(
        lines[1].starts_with("2,ada,ada@example.com,applied,a1"),
        "{report}"
    );
    assert!(
        lines[2].starts_with("3,bob,taken@example.com,failed,,"),
        "{report}"
    );
    assert!(lines[2].contains("already exists"));
    assert_eq!(lines.len(), 4);
    // The failed row, in the input's own columns, ready to fix and re-run.
    let failed = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(failed, "Username,EMAIL,firstname,sudo,unix_uid,attributes.costCenter,phoneNumbers.work,addresses.home.locality\nbob,taken@example.com,Bob,no,,,,\n");
    // What the mock stored: typed cells, nested columns, creation source.
    let ada = mock.user_by_username(&org, "ada").unwrap();
    assert_eq!(ada.fields["sudo"], true);
    assert_eq!(ada.fields["unix_uid"], 1001);
    assert_eq!(
        ada.fields["attributes"],
        serde_json::json!([{"name": "costCenter", "value": "CC-1"}])
    );
    assert_eq!(
        ada.fields["phoneNumbers"],
        serde_json::json!([{"type": "work", "number": "+1 555"}])
    );
    assert_eq!(
        ada.fields["addresses"],
        serde_json::json!([{"type": "home", "locality": "London"}])
    );
    let job = &mock.jobs(&org)[0];
    assert_eq!(
        (job.creation_source.as_deref(), job.suppress_email),
        (Some("jumpcloud:scim"), Some(true))
    );

    // Update the created users by id; JSON report by extension.
    let ada_id = ada.id.clone();
    let update = write(
        dir.path(),
        "update.csv",
        &format!("id,department,state\n{ada_id},Finance,SUSPENDED\n"),
    );
    let json_report = dir.path().join("update.json");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&update),
            "--report",
            s(&json_report),
            "-o",
            "table",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 rows: 1 applied"), "{}", run.stdout);
    let rows: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_report).unwrap()).unwrap();
    assert_eq!(rows[0]["outcome"], "applied");
    assert_eq!(rows[0]["user_id"], ada_id.as_str());
    let ada = mock.user(&org, &ada_id).unwrap();
    assert_eq!(
        (ada.fields["department"].as_str(), ada.state.as_str()),
        (Some("Finance"), "SUSPENDED")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn report_cells_that_look_like_formulas_are_neutralized() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "u.csv",
        "username,email\n=HYPERLINK(1),evil@example.com\n",
    );
    let report = dir.path().join("r.csv");
    let run = jcbulk(
        Some(&mock),
        &["users", "create", "--csv", s(&csv), "--report", s(&report)],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("'=HYPERLINK(1)"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_csvs_give_exact_line_numbered_errors_and_send_nothing() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "empty.csv",
            "",
            &["line 1: the file is empty: expected a header row"],
        ),
        (
            "noheader.csv",
            "ada,ada@example.com\n",
            &["line 1: no header row"],
        ),
        (
            "unknown.csv",
            "username,email,shoe_size\nada,ada@example.com,42\n",
            &["line 1: shoe_size: unknown column"],
        ),
        (
            "bool.csv",
            "username,email,sudo\nada,ada@example.com,maybe\n",
            &["line 2: sudo: `maybe` is not a boolean (true/false/yes/no/1/0)"],
        ),
        (
            "dup.csv",
            "username,email\nada,ada@example.com\nbob,ADA@example.com\nada,x@example.com\n",
            &[
                "line 3: email: duplicate row: the same email as line 2",
                "line 4: username: duplicate row: the same username as line 2",
            ],
        ),
        (
            "ragged.csv",
            "username,email,firstname\nada,ada@example.com\nbob,bob@example.com,Bob,extra\n",
            &[
                "line 2: 2 fields, but the header has 3",
                "line 3: 4 fields, but the header has 3",
            ],
        ),
        (
            "rules.csv",
            "username,email,unix_uid,state\n,not-an-email,0,ARCHIVED\n",
            &["line 2: state: unknown NewUserState value `ARCHIVED`"],
        ),
        (
            "rules2.csv",
            "username,email,unix_uid\n,not-an-email,0\n",
            &[
                "line 2: username: is required",
                "line 2: email: `not-an-email` is not an e-mail address",
                "line 2: unix_uid: is 0; it must be at least 1",
            ],
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, text);
        let run = jcbulk(Some(&mock), &["users", "create", "--csv", s(&path)]).await;
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        for line in *expected {
            let wanted = format!("jcbulk: {}: {line}", path.display());
            assert!(
                run.stderr.contains(&wanted),
                "{name}: expected `{wanted}` in:\n{}",
                run.stderr
            );
        }
    }
    // A BOM is not an error.
    let bom = write(
        dir.path(),
        "bom.csv",
        "\u{feff}username,email\nada,ada@example.com\n",
    );
    assert_eq!(
        jcbulk(
            Some(&mock),
            &["users", "create", "--csv", s(&bom), "--dry-run"]
        )
        .await
        .code,
        0
    );
    assert!(
        mock.jobs(&mock.default_org()).is_empty(),
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_invalid_sends_the_rest_and_reports_every_line() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "u.csv", "username,email,sudo\nada,ada@example.com,1\n,nobody@example.com,0\nbob,bob@example.com,perhaps\ncy,cy@example.com,\n");
    let report = dir.path().join("r.ndjson");
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
            "ndjson",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    let rows: Vec<Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<(u64, &str)> = rows
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (2, "applied"),
            (3, "not_submitted"),
            (4, "not_submitted"),
            (5, "applied")
        ]
    );
    assert!(rows[2]["reason"].as_str().unwrap().contains("sudo"));
    let summary: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(summary["not_submitted"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_plan_and_needs_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..1700)
        .map(|i| format!("u{i},u{i}@example.com\n"))
        .collect();
    let csv = write(dir.path(), "u.csv", &format!("username,email\n{rows}"));
    let run = jcbulk(
        None,
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--dry-run",
            "-o",
            "json",
            "--chunk-size",
            "500",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = run.json();
    assert_eq!(
        (
            plan["rows"].as_u64(),
            plan["jobs"].as_u64(),
            plan["sent"].as_bool()
        ),
        (Some(1700), Some(4), Some(false))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_api_key_is_one_line_that_says_how_to_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "u.csv", "username,email\nada,ada@example.com\n");
    let run = jcbulk(None, &["users", "create", "--csv", s(&csv)]).await;
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("--api-key") && run.stderr.contains("JC_API_KEY"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_wait_prints_job_ids() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..30)
        .map(|i| format!("u{i},u{i}@example.com\n"))
        .collect();
    let csv = write(dir.path(), "u.csv", &format!("username,email\n{rows}"));
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--no-wait",
            "--chunk-size",
            "10",
            "-o",
            "csv",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "job_id,records");
    assert_eq!(lines.len(), 4);
    assert_eq!(mock.jobs(&mock.default_org()).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn expire_unlock_jobs_and_templates() {
    let mock = mock().await;
    let org = mock.default_org();
    let id = mock
        .insert_user(&org, &BulkUserCreate::new("ada", "ada@example.com"))
        .unwrap();
    let run = jcbulk(
        Some(&mock),
        &["users", "expire", "--ids", &id, "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(mock.user(&org, &id).unwrap().password_expired);
    let dir = tempfile::tempdir().unwrap();
    let ids = write(
        dir.path(),
        "ids.csv",
        &format!("id\n{id}\nffffffffffffffffffffffff\n"),
    );
    let run = jcbulk(
        Some(&mock),
        &["users", "unlock", "--csv", s(&ids), "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 3, "one unknown id: {}", run.stderr);
    assert_eq!(run.json()["failed"], 1);

    let job = mock.jobs(&org)[0].id.clone();
    for format in ["table", "json", "ndjson", "csv"] {
        let run = jcbulk(
            Some(&mock),
            &["jobs", "results", &job, "--all", "-o", format],
        )
        .await;
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(run.stdout.contains("finished"), "{format}: {}", run.stdout);
    }
    let page = jcbulk(
        Some(&mock),
        &[
            "jobs", "results", &job, "--limit", "1", "--skip", "0", "-o", "json",
        ],
    )
    .await;
    assert_eq!(page.json().as_array().unwrap().len(), 1);
    let wait = jcbulk(
        Some(&mock),
        &["jobs", "wait", &job, "--expected", "1", "-o", "json"],
    )
    .await;
    assert_eq!(wait.code, 0);
    assert_eq!(wait.json()["finished"], 1);
    let get = jcbulk(Some(&mock), &["jobs", "get", &job, "-o", "json"]).await;
    assert_eq!(get.json()["status"], "finished");
    let missing = jcbulk(Some(&mock), &["jobs", "get", "ffffffffffffffffffffffff"]).await;
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("404"), "{}", missing.stderr);

    let template = jcbulk(None, &["users", "template", "create"]).await;
    assert!(template.stdout.starts_with("username,email,"));
    // The template is itself a valid input.
    let path = write(dir.path(), "t.csv", &template.stdout);
    assert_eq!(
        jcbulk(None, &["users", "create", "--csv", s(&path), "--dry-run"])
            .await
            .code,
        0
    );
    let template = jcbulk(None, &["users", "template", "update"]).await;
    let path = write(dir.path(), "t2.csv", &template.stdout);
    assert_eq!(
        jcbulk(None, &["users", "update", "--csv", s(&path), "--dry-run"])
            .await
            .code,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn userstates_schedule_list_next_cancel() {
    let mock = mock().await;
    let org = mock.default_org();
    let ids: Vec<String> = (0..3)
        .map(|i| {
            mock.insert_user(
                &org,
                &BulkUserCreate::new(format!("u{i}"), format!("u{i}@example.com")),
            )
            .unwrap()
        })
        .collect();
    let joined = ids.join(",");
    let run = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "schedule",
            "--state",
            "suspended",
            "--at",
            "2031-01-01 09:00",
            "--user-ids",
            &joined,
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    assert!(
        run.stderr.contains("(local)") && run.stderr.contains("(UTC)"),
        "{}",
        run.stderr
    );
    let bad = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "schedule",
            "--state",
            "SUSPENDED",
            "--at",
            "2031-01-01T09:00:00Z",
            "--user-ids",
            &joined,
            "--send-activation-emails",
        ],
    )
    .await;
    assert_eq!(
        bad.code, 2,
        "section 8 is checked before sending: {}",
        bad.stderr
    );

    for format in ["table", "json", "ndjson", "csv"] {
        let run = jcbulk(
            Some(&mock),
            &[
                "userstates",
                "list",
                "--filter",
                "state:eq:SUSPENDED",
                "--all",
                "-o",
                format,
            ],
        )
        .await;
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert_eq!(
            run.stdout.matches("SUSPENDED").count(),
            3,
            "{format}: {}",
            run.stdout
        );
    }
    let one = jcbulk(
        Some(&mock),
        &["userstates", "list", "--user-id", &ids[0], "-o", "json"],
    )
    .await;
    assert_eq!(one.json().as_array().unwrap().len(), 1);
    let bad_filter = jcbulk(Some(&mock), &["userstates", "list", "--filter", "state"]).await;
    assert_eq!(bad_filter.code, 2);

    let next = jcbulk(
        Some(&mock),
        &["userstates", "next", "--user-ids", &joined, "-o", "json"],
    )
    .await;
    let events = next.json();
    assert_eq!(events.as_array().unwrap().len(), 3);
    let scheduled = events[0]["scheduledJobId"].as_str().unwrap().to_owned();
    let cancel = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "cancel",
            &scheduled,
            "ffffffffffffffffffffffff",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(cancel.code, 3);
    assert_eq!(cancel.json()[0]["outcome"], "cancelled");
    assert_eq!(mock.scheduled(&org).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_output_never_contains_the_api_key() {
    let mock = MockServer::start(MockConfig::default().admins(vec![jc_mock::Admin::single(
        "SECRET-KEY-7f3a9",
        jc_mock::DEFAULT_ORG_ID,
    )]))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "u.csv", "username,email\nada,ada@example.com\n");
    let report = dir.path().join("r.csv");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"));
    command.args([
        "-vv",
        "users",
        "create",
        "--csv",
        s(&csv),
        "--report",
        s(&report),
    ]);
    command
        .env("JC_BASE_URL", mock.base_url())
        .env("JC_API_KEY", "SECRET-KEY-7f3a9")
        .env_remove("RUST_LOG")
        .env_remove("JC_CLIENT_ID")
        .env_remove("JC_CLIENT_SECRET")
        .env_remove("JC_PROFILE")
        .env_remove("JC_V1_BASE_URL")
        .env("JCBULK_CONFIG", "/nonexistent/jcbulk-test-config.toml");
    let output = command.output().await.unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(
        all.contains("http_request"),
        "-vv shows request spans: {all}"
    );
    assert!(!all.contains("SECRET-KEY-7f3a9"), "{all}");
    assert!(!std::fs::read_to_string(&report)
        .unwrap()
        .contains("SECRET-KEY-7f3a9"));
    // A wrong key: the error names the problem, not the key.
    let wrong = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args(["-vv", "jobs", "get", "x"])
        .env("JC_BASE_URL", mock.base_url())
        .env("JC_API_KEY", "WRONG-KEY-11aa")
        .output()
        .await
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&wrong.stdout),
        String::from_utf8_lossy(&wrong.stderr)
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        all.contains("401") && !all.contains("WRONG-KEY-11aa"),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let run = jcbulk(None, &["demo", "--users", "300", "--dir", s(dir.path())]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("demo ok: 297 of 300 users imported, 1 rejected by JumpCloud, 2 not sent (invalid), 5 suspensions scheduled"), "{}", run.stdout);
    assert!(dir.path().join("report.csv").exists() && dir.path().join("failed.csv").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mock_command_prints_its_url_and_key_first() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args(["mock", "--addr", "127.0.0.1:0", "--api-key", "my-key", "-q"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let (base, key) = first.split_once(' ').unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v2"),
        "{first}"
    );
    assert_eq!(key, "my-key");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args(["userstates", "list", "-o", "json"])
        .env("JC_BASE_URL", base)
        .env("JC_API_KEY", "my-key")
        .output()
        .await
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "[]");
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_are_exit_2_and_help_documents_exit_codes() {
    let help = jcbulk(None, &["--help"]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes:") && help.stdout.contains("3  partial failure"));
    assert_eq!(jcbulk(None, &["users", "create"]).await.code, 2);
    assert_eq!(jcbulk(None, &["nonsense"]).await.code, 2);
    let insecure = jcbulk(
        None,
        &[
            "jobs",
            "get",
            "x",
            "--api-key",
            "k",
            "--base-url",
            "http://jumpcloud.example/api/v2",
        ],
    )
    .await;
    // Issue 12: refused before anything is sent, so a usage error (it was 1).
    assert_eq!(insecure.code, 2);
    assert!(
        insecure.stderr.contains("not a loopback address"),
        "{}",
        insecure.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_column_and_its_nested_columns_that_conflict_are_a_row_error() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "u.csv",
        "username,email,mfa,mfa.configured\nada,ada@example.com,[1],true\n",
    );
    let run = jcbulk(None, &["users", "create", "--csv", s(&csv), "--dry-run"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("line 2: mfa.configured: conflicts with the `mfa` column"),
        "{}",
        run.stderr
    );
}

/// Issue 18 point 9: a harness that reads the URL and drops the pipe must not kill the mock.
/// The pipe is closed before the mock starts, so every write to stdout fails; the mock still
/// serves, and its stderr still names the URL.
#[tokio::test(flavor = "multi_thread")]
async fn the_mock_keeps_serving_when_its_stdout_is_closed() {
    use tokio::io::AsyncBufReadExt;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args(["mock", "--addr", "127.0.0.1:0", "--api-key", "my-key"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("the mock says where it serves")
            .unwrap()
            .expect("the mock is still running");
        if let Some(rest) = line.trim().strip_prefix("JC_BASE_URL=") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    for _ in 0..3 {
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
            .args(["userstates", "list", "-o", "json"])
            .env("JC_BASE_URL", &base)
            .env("JC_API_KEY", "my-key")
            .env("JCBULK_CONFIG", "/nonexistent/jcbulk-test-config.toml")
            .output()
            .await
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{run:?}");
        assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "[]");
    }
    assert!(child.try_wait().unwrap().is_none(), "the mock is still up");
    child.kill().await.unwrap();
}
