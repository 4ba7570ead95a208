//! `jcbulk sync plan|apply|run` against jc-mock (issue 22, CONTRACT.md section 38).

use crate::common::{jcbulk, s, write};
use jc_mock::{MockConfig, MockServer, SeedGroup};
use serde_json::Value;

pub(crate) async fn org() -> MockServer {
    let config = MockConfig::default()
        .seed_users(10)
        .seed_groups(vec![SeedGroup::new("Eng", ["user00000", "user00001"])]);
    MockServer::start(config).await.unwrap()
}

/// user00000 unchanged (and already in Eng); user00001 moves to Research and leaves Eng;
/// user00002 is suspended, gets a manager and joins Eng; newbie is created into Eng.
const DESIRED: &str = "username,email,department,state,manager,groups
user00000,user00000@example.com,Engineering,,,Eng
user00001,user00001@example.com,Research,,,
user00002,user00002@example.com,Sales,SUSPENDED,user00000,eng
newbie,newbie@example.com,Ops,,user00000@example.com,Eng
";

pub(crate) fn counts(run: &crate::common::Run) -> Value {
    run.json()["counts"].clone()
}

pub(crate) fn user(mock: &MockServer, name: &str) -> jc_mock::MockUser {
    mock.user_by_username(&mock.default_org(), name).unwrap()
}

#[tokio::test]
async fn plan_apply_converge_and_a_second_apply_changes_nothing() {
    let mock = org().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "desired.csv", DESIRED);
    let plan_file = dir.path().join("plan.json");
    let before = mock.request_count();
    let plan = jcbulk(
        Some(&mock),
        &[
            "sync",
            "plan",
            "--csv",
            s(&csv),
            "--max-remove",
            "1",
            "--out",
            s(&plan_file),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    // One group listing, one page of users, one page of Eng's members.
    assert_eq!(mock.request_count() - before, 3, "one read of the org");
    let c = counts(&plan);
    assert_eq!(
        (
            c["create"].as_u64(),
            c["update"].as_u64(),
            c["suspend"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(
        (c["group_add"].as_u64(), c["group_remove"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(c["unchanged"], 1);
    let whole = &plan.json()["plan"];
    let update = whole["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["key"] == "user00001")
        .unwrap();
    assert_eq!(update["changes"][0]["field"], "department");
    assert_eq!(update["changes"][0]["old"], "Finance");
    assert_eq!(update["changes"][0]["new"], "Research");
    let table = jcbulk(
        Some(&mock),
        &[
            "sync",
            "plan",
            "--csv",
            s(&csv),
            "--max-remove",
            "1",
            "-o",
            "table",
        ],
    )
    .await;
    assert!(
        table
            .stdout
            .contains("~ update  user00001: department: Finance -> Research"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("- group   user00001 from Eng"),
        "{}",
        table.stdout
    );
    let drift = jcbulk(
        Some(&mock),
        &[
            "sync",
            "plan",
            "--csv",
            s(&csv),
            "--max-remove",
            "1",
            "--detailed-exitcode",
        ],
    )
    .await;
    assert_eq!(drift.code, 4, "changes: the drift code");
    assert_eq!(
        mock.jobs(&mock.default_org()).len(),
        0,
        "a plan sends nothing"
    );

    let report = dir.path().join("apply.csv");
    let apply = jcbulk(
        Some(&mock),
        &[
            "sync",
            "apply",
            s(&plan_file),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(apply.json()["outcomes"]["applied"], 7);
    assert_eq!(user(&mock, "user00001").fields["department"], "Research");
    assert_eq!(user(&mock, "user00002").state, "SUSPENDED");
    let boss = user(&mock, "user00000").id;
    assert_eq!(user(&mock, "user00002").fields["manager"], boss.as_str());
    let newbie = user(&mock, "newbie");
    assert_eq!(newbie.fields["manager"], boss.as_str());
    let eng = &mock.groups(&mock.default_org())[0];
    let mut members = eng.members.clone();
    members.sort();
    let mut want = vec![boss.clone(), user(&mock, "user00002").id, newbie.id.clone()];
    want.sort();
    assert_eq!(members, want);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("action,line,key,user_id,group,outcome,reason\n"));
    assert_eq!(text.lines().count(), 8, "one row per planned change");

    let again = jcbulk(
        Some(&mock),
        &[
            "sync",
            "plan",
            "--csv",
            s(&csv),
            "--detailed-exitcode",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(again.code, 0, "converged: {}", again.stdout);
    assert_eq!(again.json()["counts"]["unchanged"], 4);

    let jobs = mock.jobs(&mock.default_org()).len();
    let edges = mock.edge_changes();
    let second = jcbulk(Some(&mock), &["sync", "apply", s(&plan_file), "-o", "json"]).await;
    assert_eq!(
        mock.jobs(&mock.default_org()).len(),
        jobs,
        "a second apply sends no job"
    );
    assert_eq!(mock.edge_changes(), edges, "nor any membership change");
    let outcomes = &second.json()["outcomes"];
    assert!(outcomes.get("applied").is_none(), "{outcomes}");
}

#[tokio::test]
async fn apply_refuses_users_changed_since_the_plan_and_other_orgs() {
    let mock = org().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "desired.csv",
        "username,department\nuser00001,Research\nuser00003,Support\n",
    );
    let plan_file = dir.path().join("plan.json");
    let plan = jcbulk(
        Some(&mock),
        &["sync", "plan", "--csv", s(&csv), "--out", s(&plan_file)],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    // Someone moves user00001 to Ops after the plan.
    let changed = write(
        dir.path(),
        "ops.csv",
        "username,department\nuser00001,Ops\n",
    );
    assert_eq!(
        jcbulk(Some(&mock), &["users", "update", "--csv", s(&changed)])
            .await
            .code,
        0
    );
    let report = dir.path().join("r.json");
    let apply = jcbulk(
        Some(&mock),
        &["sync", "apply", s(&plan_file), "--report", s(&report)],
    )
    .await;
    assert_eq!(apply.code, 3, "{}", apply.stderr);
    let rows: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let refused = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "user00001")
        .unwrap();
    assert_eq!(refused["outcome"], "not_submitted");
    assert_eq!(
        refused["reason"],
        "changed since the plan: department was Finance, is now Ops"
    );
    assert_eq!(
        user(&mock, "user00001").fields["department"],
        "Ops",
        "left alone"
    );
    assert_eq!(user(&mock, "user00003").fields["department"], "Support");

    let text = std::fs::read_to_string(&plan_file).unwrap();
    let other = write(
        dir.path(),
        "other.json",
        &text.replace(&mock.base_url(), "http://127.0.0.1:9/api/v2"),
    );
    let refused = jcbulk(Some(&mock), &["sync", "apply", s(&other)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("the plan was made for http://127.0.0.1:9/api/v2"),
        "{}",
        refused.stderr
    );
    let run = jcbulk(Some(&mock), &["sync", "run", "--csv", s(&csv)]).await;
    assert_eq!(run.code, 2, "run needs --yes");
}

#[tokio::test]
async fn scope_suspend_missing_brakes_and_at() {
    let mock = org().await;
    let dir = tempfile::tempdir().unwrap();
    // Only user00000 is described; the others are missing.
    let csv = write(
        dir.path(),
        "hr.csv",
        "username,department\nuser00000,Engineering\n",
    );
    let braked = jcbulk(
        Some(&mock),
        &["sync", "plan", "--csv", s(&csv), "--suspend-missing"],
    )
    .await;
    assert_eq!(braked.code, 2, "{}", braked.stderr);
    assert!(
        braked
            .stderr
            .contains("suspend users: 9 (more than the limit of 1, of 10 scoped active users"),
        "{}",
        braked.stderr
    );
    // The scope keeps the others out: only Legal (user00004, user00009) is compared.
    let scoped = jcbulk(
        Some(&mock),
        &[
            "sync",
            "plan",
            "--csv",
            s(&csv),
            "--suspend-missing",
            "--scope",
            "department:$eq:Legal",
            "--max-suspend",
            "2",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(scoped.code, 0, "{}", scoped.stderr);
    let states = scoped.json()["plan"]["states"].as_array().unwrap().clone();
    let keys: Vec<&str> = states.iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["user00004", "user00009"]);
    let at = "2030-01-01T09:00:00Z";
    let run = jcbulk(
        Some(&mock),
        &[
            "sync",
            "run",
            "--yes",
            "--csv",
            s(&csv),
            "--suspend-missing",
            "--scope",
            "department:$eq:Legal",
            "--max-suspend",
            "2",
            "--at",
            at,
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let scheduled = mock.scheduled(&mock.default_org());
    assert_eq!(scheduled.len(), 2);
    // Run again (as after an interruption): nothing is scheduled twice.
    let again = jcbulk(
        Some(&mock),
        &[
            "sync",
            "run",
            "--yes",
            "--csv",
            s(&csv),
            "--suspend-missing",
            "--scope",
            "department:$eq:Legal",
            "--max-suspend",
            "2",
            "--at",
            at,
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["outcomes"]["unchanged"], 2);
    assert_eq!(mock.scheduled(&mock.default_org()).len(), 2);
    assert_eq!(
        user(&mock, "user00004").state,
        "ACTIVATED",
        "suspended at the time, not now"
    );
    assert_eq!(
        user(&mock, "user00001").state,
        "ACTIVATED",
        "out of scope: untouched"
    );
}
