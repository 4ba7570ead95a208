//! Issue 19 defect 6: v1 lists whose `totalCount` is absent (it is optional in the v1 schema) or
//! stale, or whose `results` are null. Paging never trusts a count to stop: it goes on to a short
//! or empty page, and a count that disagrees with the pages read is a warning; `results: null`
//! is an error for an export (exit 1, nothing written).

use crate::common::{jcbulk, s};
use jc_mock::{MockConfig, MockServer, Quirks, TotalCount};

async fn org_of(users: usize, quirks: Quirks) -> MockServer {
    MockServer::start(MockConfig::default().seed_users(users).quirks(quirks))
        .await
        .unwrap()
}

async fn exported(mock: &MockServer) -> crate::common::Run {
    jcbulk(Some(mock), &["users", "export", "-o", "csv"]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_without_a_total_count_reads_every_page() {
    let mock = org_of(1000, Quirks::new().total_count(TotalCount::Absent)).await;
    let run = exported(&mock).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1001, "a header and 1,000 users");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_total_count_is_a_warning_not_the_end_of_the_list() {
    let mock = org_of(1000, Quirks::new().total_count(TotalCount::Stale(100))).await;
    let run = exported(&mock).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1001, "{}", run.stderr);
    assert!(
        run.stderr.contains("totalCount"),
        "a warning: {}",
        run.stderr
    );

    // 150 names resolved against the same server: none is "not found".
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("names.csv");
    let mut text = String::from("username,department\n");
    for i in (0..1000).step_by(1000 / 150 + 1).take(150) {
        text.push_str(&format!("user{i:05},Research\n"));
    }
    std::fs::write(&csv, &text).unwrap();
    let dry = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--dry-run",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        !dry.stderr.contains("no user with username"),
        "{}",
        dry.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn results_null_fails_an_export_and_writes_nothing() {
    let mock = org_of(300, Quirks::new().null_results()).await;
    let run = exported(&mock).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "nothing half-written: {}",
        run.stdout
    );
    assert!(run.stderr.contains("results"), "{}", run.stderr);
}
