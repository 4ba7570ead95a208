//! Managers named by username or e-mail (issue 20, defect 6; CONTRACT.md section 37).

use super::{ada, empty_mock, fields, seed, sent};
use crate::common::{jcbulk, s, write};
use serde_json::json;

/// Defect 6: a manager named by username or e-mail is resolved in the checking pass; one that
/// names the row's own user, or no one, is a row error.
#[tokio::test(flavor = "multi_thread")]
async fn d6_managers_by_username_and_email() {
    let mock = empty_mock().await;
    let ids = seed(
        &mock,
        vec![
            ada(),
            json!({"username": "bob", "email": "bob@example.com"}),
            json!({"username": "cy", "email": "cy@example.com"}),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "username,manager\nbob,ADA\ncy,Ada@Example.com\nada,ada\n",
    );
    // The row naming its own user as its manager is a row error: nothing is sent without
    // --skip-invalid.
    let refused = jcbulk(Some(&mock), &["users", "update", "--csv", s(&csv)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("line 4: manager: `ada` is this row's own user"),
        "{}",
        refused.stderr
    );
    assert!(sent(&mock).is_empty());
    let report = dir.path().join("r.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "--report",
            s(&report),
            "-q",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        (&run.json()["applied"], &run.json()["not_submitted"]),
        (&json!(2), &json!(1))
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(
        report.contains("invalid: manager: `ada` is this row's own user"),
        "{report}"
    );
    assert_eq!(fields(&mock, "bob")["manager"], json!(ids[0]));
    assert_eq!(fields(&mock, "cy")["manager"], json!(ids[0]));
    assert!(!fields(&mock, "ada").contains_key("manager"));
    // A manager that names no one: a row error with its line.
    let ghost = write(dir.path(), "g.csv", "username,manager\nbob,ghost\n");
    let run = jcbulk(Some(&mock), &["users", "update", "--csv", s(&ghost)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("line 2: manager: no user with username `ghost`"),
        "{}",
        run.stderr
    );
    // The manager is compared like any field: naming the current one changes nothing.
    let again = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "-q",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(again.json()["unchanged"], 2, "{}", again.stdout);
}

/// Defect 6 in `users create`: a manager named by username or e-mail, including one created by
/// the same file (set by a second job once the creates settle; the row's report says so).
#[tokio::test(flavor = "multi_thread")]
async fn d6_create_resolves_managers_and_sets_those_it_creates_in_a_second_job() {
    let mock = empty_mock().await;
    let ids = seed(&mock, vec![ada()]);
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        "username,email,manager\nbob,bob@example.com,Cy\ncy,cy@example.com,ADA@example.com\ndan,dan@example.com,dan@example.com\n",
    );
    let refused = jcbulk(Some(&mock), &["users", "create", "--csv", s(&csv)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("line 4: manager: `dan@example.com` is this row's own user"),
        "{}",
        refused.stderr
    );
    let no_wait = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "--no-wait",
        ],
    )
    .await;
    assert_eq!(no_wait.code, 2, "{}", no_wait.stderr);
    assert!(no_wait.stderr.contains("second job"), "{}", no_wait.stderr);
    assert!(sent(&mock).is_empty(), "nothing was sent");
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
            "-q",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        (&run.json()["applied"], &run.json()["not_submitted"]),
        (&json!(2), &json!(1))
    );
    let org = mock.default_org();
    let bob = mock.user_by_username(&org, "bob").unwrap();
    let cy = mock.user_by_username(&org, "cy").unwrap();
    assert_eq!(
        cy.fields["manager"],
        json!(ids[0]),
        "an existing manager, by e-mail"
    );
    assert_eq!(
        bob.fields["manager"],
        json!(cy.id),
        "a manager the same file created"
    );
    assert!(mock.user_by_username(&org, "dan").is_none());
    let report = std::fs::read_to_string(&report).unwrap();
    let bob_row = report.lines().find(|l| l.starts_with("2,")).unwrap();
    assert!(
        bob_row.contains("applied") && bob_row.contains("set by a second job"),
        "{report}"
    );
    let dan_row = report.lines().find(|l| l.starts_with("4,")).unwrap();
    assert!(
        dan_row.contains("invalid: manager: `dan@example.com` is this row's own user"),
        "{report}"
    );
    // Two jobs: the creates, then the manager this file created.
    let jobs = mock.jobs(&org);
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1].results.len(), 1);
}
