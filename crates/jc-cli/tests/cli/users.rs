//! `jcbulk users create|update|expire|unlock|template` against jc-mock (issue 6): reports,
//! failed rows, dry runs, line-numbered errors for bad CSVs, no-wait, and JSON columns.

use crate::common::{jcbulk, mock, s, write};
use jc_models::BulkUserCreate;
use serde_json::Value;

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
    // An update's dry run reads the users (issue 20): the template's only problem is that its
    // example id names no user of this org.
    let template = jcbulk(None, &["users", "template", "update"]).await;
    assert!(template.stderr.contains("`(clear)`"), "{}", template.stderr);
    let path = write(dir.path(), "t2.csv", &template.stdout);
    let dry = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&path), "--dry-run"],
    )
    .await;
    assert_eq!(dry.code, 2, "{}", dry.stderr);
    assert!(
        dry.stderr
            .contains("line 2: id: no user with id `5be9fb4ddb01290001e85109`"),
        "{}",
        dry.stderr
    );
    assert_eq!(dry.stderr.matches("line ").count(), 1, "{}", dry.stderr);
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
