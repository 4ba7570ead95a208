//! `jcbulk sync apply` resumed from its journal, and managers the same plan creates (issue 22).

use super::sync::{counts, org, user};
use crate::common::{jcbulk, s, write};

#[tokio::test]
async fn a_resumed_apply_sends_nothing_twice() {
    let mock = org().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "desired.csv", "username,email,department\nnew1,new1@example.com,Ops\nuser00001,user00001@example.com,Research\n");
    let plan_file = dir.path().join("plan.json");
    assert_eq!(
        jcbulk(
            Some(&mock),
            &["sync", "plan", "--csv", s(&csv), "--out", s(&plan_file)]
        )
        .await
        .code,
        0
    );
    let journal = dir.path().join("apply.journal");
    let first = jcbulk(
        Some(&mock),
        &["sync", "apply", s(&plan_file), "--journal", s(&journal)],
    )
    .await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let jobs = mock.jobs(&mock.default_org()).len();
    assert_eq!(jobs, 2, "one create job, one update job");
    let resumed = jcbulk(
        Some(&mock),
        &[
            "sync",
            "apply",
            s(&plan_file),
            "--journal",
            s(&journal),
            "--resume",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert_eq!(
        mock.jobs(&mock.default_org()).len(),
        jobs,
        "the journal re-attached both jobs"
    );
}

/// `kill -9` while the create job is pending: the resumed apply re-attaches to that job (its
/// id is in the journal) instead of creating again, then sends the rest.
#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_apply_resumes_from_its_journal() {
    use std::time::Duration;
    let mock = org().await;
    let org_id = mock.default_org();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "desired.csv",
        "username,email,department\nnew1,new1@example.com,Ops\nnew2,new2@example.com,Ops\nuser00001,user00001@example.com,Research\n",
    );
    let plan_file = dir.path().join("plan.json");
    assert_eq!(
        jcbulk(
            Some(&mock),
            &["sync", "plan", "--csv", s(&csv), "--out", s(&plan_file)]
        )
        .await
        .code,
        0
    );
    let journal = dir.path().join("apply.journal");
    mock.pause_jobs();
    let mut child = crate::common::spawn(
        Some(&mock),
        &["sync", "apply", s(&plan_file), "--journal", s(&journal)],
    );
    let creates = dir.path().join("apply.journal.create");
    let mut job = String::new();
    for _ in 0..2000 {
        if let Some(first) = mock.jobs(&org_id).first() {
            job = first.id.clone();
            if std::fs::read_to_string(&creates)
                .unwrap_or_default()
                .contains(&job)
            {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!job.is_empty(), "the create job was submitted");
    child.kill().await.unwrap();
    mock.resume_jobs();
    let resumed = jcbulk(
        Some(&mock),
        &[
            "sync",
            "apply",
            s(&plan_file),
            "--journal",
            s(&journal),
            "--resume",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let jobs = mock.jobs(&org_id);
    assert_eq!(jobs.len(), 2, "the create job re-attached, one update job");
    assert_eq!(jobs.iter().filter(|j| j.id == job).count(), 1);
    assert_eq!(mock.users(&org_id).len(), 12, "each new user created once");
    assert_eq!(user(&mock, "user00001").fields["department"], "Research");
}

/// A manager the same file creates (CONTRACT.md section 37): set once the creates settled, and
/// the next plan is empty; a manager that is neither in the org nor in the file leaves its row
/// out.
#[tokio::test]
async fn a_manager_created_by_the_same_plan_is_set_after_the_creates() {
    let mock = org().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "desired.csv",
        "username,email,manager\nlead,lead@example.com,\nnew1,new1@example.com,lead\nuser00003,user00003@example.com,LEAD@example.com\n",
    );
    let plan = jcbulk(
        Some(&mock),
        &["sync", "plan", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(counts(&plan)["manager"], 2);
    let plan_file = dir.path().join("plan.json");
    assert_eq!(
        jcbulk(
            Some(&mock),
            &["sync", "plan", "--csv", s(&csv), "--out", s(&plan_file)]
        )
        .await
        .code,
        0
    );
    let apply = jcbulk(Some(&mock), &["sync", "apply", s(&plan_file), "-o", "json"]).await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let lead = user(&mock, "lead").id;
    assert_eq!(user(&mock, "new1").fields["manager"], lead.as_str());
    assert_eq!(user(&mock, "user00003").fields["manager"], lead.as_str());
    let again = jcbulk(
        Some(&mock),
        &["sync", "plan", "--csv", s(&csv), "--detailed-exitcode"],
    )
    .await;
    assert_eq!(again.code, 0, "converged: {}", again.stdout);
    let stray = write(
        dir.path(),
        "stray.csv",
        "username,email,department,manager\nuser00004,user00004@example.com,Ops,nobody\n",
    );
    let refused = jcbulk(Some(&mock), &["sync", "plan", "--csv", s(&stray)]).await;
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("no user with username `nobody` for its manager"),
        "{}",
        refused.stderr
    );
}
