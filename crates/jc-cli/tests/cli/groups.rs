//! `jcbulk groups ...` against jc-mock (issue 21): reads, add/remove/sync with their outcomes
//! and report, dynamic groups, the sync brake, invalid input, an interrupted add re-run that
//! adds nothing twice, and request counts from the mock.

use crate::common::{jcbulk, jcbulk_with, member_names, s, write};
use jc_mock::{MockConfig, MockServer, SeedGroup};

async fn mock_with(users: usize, groups: Vec<SeedGroup>) -> MockServer {
    MockServer::start(MockConfig::default().seed_users(users).seed_groups(groups))
        .await
        .unwrap()
}

#[tokio::test]
async fn list_members_and_of() {
    let mock = mock_with(
        3,
        vec![
            SeedGroup::new("Engineering", ["user00000", "user00001"]),
            SeedGroup::new("VPN", ["user00001"]).method("DYNAMIC_AUTOMATED"),
        ],
    )
    .await;
    let list = jcbulk(Some(&mock), &["groups", "list", "-o", "json"]).await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    let groups = list.json();
    assert_eq!(groups.as_array().unwrap().len(), 2);
    assert_eq!(groups[1]["membershipMethod"], "DYNAMIC_AUTOMATED");
    let filtered = jcbulk(
        Some(&mock),
        &["groups", "list", "--filter", "name:eq:VPN", "-o", "csv"],
    )
    .await;
    assert!(filtered.stdout.starts_with("id,name,membershipMethod\n"));
    assert_eq!(filtered.stdout.lines().count(), 2);
    let listed = jcbulk(
        Some(&mock),
        &["groups", "members", "engineering", "-o", "json"],
    )
    .await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let members = listed.json();
    assert_eq!(members[0]["username"], "user00000");
    assert_eq!(members[1]["email"], "user00001@example.com");
    let of = jcbulk(Some(&mock), &["groups", "of", "user00001", "-o", "json"]).await;
    assert_eq!(of.code, 0, "{}", of.stderr);
    let of = of.json();
    let names: Vec<&str> = of
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Engineering", "VPN"]);
    let unknown = jcbulk(Some(&mock), &["groups", "members", "Nope"]).await;
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no user group named `Nope`"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test]
async fn add_sends_only_needed_changes_and_reports_each_user() {
    let mock = mock_with(5, vec![SeedGroup::new("Eng", ["user00000"])]).await;
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "users.csv",
        "username\nuser00000\nuser00001\nUSER00002\nnobody\n",
    );
    let report = dir.path().join("report.csv");
    let refused = jcbulk(Some(&mock), &["groups", "add", "Eng", "--csv", s(&input)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("users.csv:5: no user with username `nobody`"),
        "{}",
        refused.stderr
    );
    assert_eq!(mock.edge_changes(), (0, 0), "nothing was sent");
    let before = mock.request_count();
    let run = jcbulk(
        Some(&mock),
        &[
            "groups",
            "add",
            "Eng",
            "--csv",
            s(&input),
            "--skip-invalid",
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(
        run.code, 3,
        "the unresolved user is not sent: {}",
        run.stderr
    );
    let summary = run.json();
    assert_eq!(
        (
            summary["added"].as_u64(),
            summary["already_member"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(summary["not_sent"], 1);
    // One group listing, one lookup, one member page, two changes.
    assert_eq!(mock.request_count() - before, 5);
    assert_eq!(
        member_names(&mock, "Eng"),
        ["user00000", "user00001", "user00002"]
    );
    let text = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "line,user_key,user_id,group,outcome,reason");
    assert!(
        lines[1].starts_with("2,user00000,") && lines[1].ends_with(",Eng,already_member,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].starts_with("4,USER00002,") && lines[3].contains(",added,"),
        "{}",
        lines[3]
    );
    assert_eq!(
        lines[4],
        "5,nobody,,Eng,not_sent,no user with username `nobody`"
    );
    // Run again: everything is already so, nothing is sent.
    let again = jcbulk(
        Some(&mock),
        &["groups", "add", "eng", "--usernames", "user00001,user00002"],
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(mock.edge_changes(), (2, 0));
}

#[tokio::test]
async fn remove_dry_run_and_dynamic_groups() {
    let mock = mock_with(
        4,
        vec![
            SeedGroup::new("Eng", ["user00000", "user00001"]),
            SeedGroup::new("Auto", ["user00000"]).method("DYNAMIC_AUTOMATED"),
        ],
    )
    .await;
    let plan = jcbulk(
        Some(&mock),
        &[
            "groups",
            "remove",
            "Eng",
            "--usernames",
            "user00000,user00003",
            "--dry-run",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan = plan.json();
    assert_eq!(
        (plan["removes"].as_u64(), plan["no_ops"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(plan["requests"], 1);
    assert!(plan["estimated_time"].is_string());
    assert_eq!(mock.edge_changes(), (0, 0), "a dry run sends nothing");
    let run = jcbulk(
        Some(&mock),
        &[
            "groups",
            "remove",
            "Eng",
            "--usernames",
            "user00000,user00003",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        (
            run.json()["removed"].as_u64(),
            run.json()["not_member"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(member_names(&mock, "Eng"), ["user00001"]);

    let refused = jcbulk(
        Some(&mock),
        &[
            "groups",
            "add",
            "Auto",
            "--usernames",
            "user00002",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(refused.code, 3);
    assert_eq!(refused.json()["not_sent"], 1);
    assert_eq!(member_names(&mock, "Auto"), ["user00000"]);
    let allowed = jcbulk(
        Some(&mock),
        &[
            "groups",
            "add",
            "Auto",
            "--usernames",
            "user00002",
            "--allow-dynamic-groups",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(member_names(&mock, "Auto"), ["user00000", "user00002"]);
}

#[tokio::test]
async fn sync_makes_the_membership_exact_and_brakes_large_removals() {
    let seeded: Vec<String> = (0..20).map(|i| format!("user{i:05}")).collect();
    let mock = mock_with(30, vec![SeedGroup::new("Team", seeded)]).await;
    let dir = tempfile::tempdir().unwrap();
    // Keep 18 of the 20, add 2: removes 2 (10% of 20), allowed by default.
    let mut text = String::from("email\n");
    for i in 2..22 {
        text.push_str(&format!("user{i:05}@example.com\n"));
    }
    let input = write(dir.path(), "team.csv", &text);
    let report = dir.path().join("sync.json");
    let run = jcbulk(
        Some(&mock),
        &[
            "groups",
            "sync",
            "Team",
            "--csv",
            s(&input),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.json();
    assert_eq!(
        (summary["added"].as_u64(), summary["removed"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(summary["already_member"], 18);
    let mut now = member_names(&mock, "Team");
    now.sort();
    let want: Vec<String> = (2..22).map(|i| format!("user{i:05}")).collect();
    assert_eq!(now, want);
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let removed: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "removed")
        .collect();
    assert_eq!(removed.len(), 2);
    assert!(removed[0]["line"].is_null());
    assert_eq!(
        removed[0]["user_key"], "user00000",
        "removed members are named"
    );

    // A file with 5 users would remove 15 of 20: refused, nothing changed.
    let small = write(
        dir.path(),
        "small.csv",
        "username\nuser00002\nuser00003\nuser00004\nuser00005\nuser00006\n",
    );
    let edges = mock.edge_changes();
    let braked = jcbulk(Some(&mock), &["groups", "sync", "Team", "--csv", s(&small)]).await;
    assert_eq!(braked.code, 2, "{}", braked.stderr);
    assert!(
        braked.stderr.contains("remove 15 of its 20 members"),
        "{}",
        braked.stderr
    );
    assert_eq!(mock.edge_changes(), edges, "nothing was changed");
    let allowed = jcbulk(
        Some(&mock),
        &[
            "groups",
            "sync",
            "Team",
            "--csv",
            s(&small),
            "--max-remove",
            "15",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(member_names(&mock, "Team").len(), 5);
}

#[tokio::test]
async fn users_come_from_standard_input_emails_and_ids() {
    let mock = mock_with(3, vec![SeedGroup::new("G", Vec::<String>::new())]).await;
    let org = mock.default_org();
    let id = mock.user_by_username(&org, "user00002").unwrap().id;
    let piped = jcbulk_with(
        Some(&mock),
        &["groups", "add", "G", "--csv", "-"],
        Some("email\nuser00000@example.com\n"),
        &[],
    )
    .await;
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let by_id = jcbulk(Some(&mock), &["groups", "add", "G", "--ids", &id]).await;
    assert_eq!(by_id.code, 0, "{}", by_id.stderr);
    let missing = jcbulk(
        Some(&mock),
        &["groups", "add", "G", "--ids", "ffffffffffffffffffffffff"],
    )
    .await;
    assert_eq!(missing.code, 2, "an id is checked before anything is sent");
    assert_eq!(member_names(&mock, "G"), ["user00000", "user00002"]);
}

/// Ctrl-C in the middle of `groups add`: what is in flight finishes, the rest is `not_sent`,
/// the report is complete and the exit code 130; the re-run reads and plans again and adds only
/// what is missing: the mock's edge count proves nothing was added twice (section 30).
#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_add_is_simply_run_again() {
    use std::time::Duration;
    let config = MockConfig::default()
        .seed_users(120)
        .seed_groups(vec![SeedGroup::new("Big", Vec::<String>::new())])
        .faults(jc_mock::FaultConfig::seeded(1).latency(Duration::from_millis(20), Duration::ZERO));
    let mock = MockServer::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("username\n");
    for i in 0..120 {
        text.push_str(&format!("user{i:05}\n"));
    }
    let input = write(dir.path(), "big.csv", &text);
    let report = dir.path().join("report.csv");
    let args = [
        "groups",
        "add",
        "Big",
        "--csv",
        s(&input),
        "--report",
        s(&report),
        "--edge-concurrency",
        "1",
    ];
    let child = crate::common::spawn(Some(&mock), &args);
    for _ in 0..2000 {
        if mock.edge_changes().0 >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let run = crate::common::finish(child).await;
    assert_eq!(run.code, 130, "{}", run.stderr);
    let added_first = mock.edge_changes().0;
    assert!(added_first < 120, "interrupted before the end");
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 121, "one row per user");
    let not_sent = text
        .lines()
        .filter(|l| l.contains(",not_sent,interrupted"))
        .count();
    let added = text.lines().filter(|l| l.contains(",added,")).count();
    assert_eq!(added as u64, added_first);
    assert_eq!(added + not_sent, 120);

    let again = jcbulk(
        Some(&mock),
        &[
            "groups",
            "--max-rps",
            "1000",
            "add",
            "Big",
            "--csv",
            s(&input),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["already_member"].as_u64(), Some(added_first));
    assert_eq!(
        mock.edge_changes(),
        (120, 0),
        "every user added exactly once"
    );
}
