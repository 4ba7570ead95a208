//! The `groups` column of `users create` and `users update` (issue 21): groups resolved in the
//! checking pass (unknown or ambiguous: row errors), added once the user exists (for creates,
//! after the job settled), never removed; the report's `groups` column; a row whose user was
//! applied but one of whose groups was not is a partial failure (exit 3) that says which.

use crate::common::{jcbulk, member_names, s, write};
use jc_mock::{MockConfig, MockServer, SeedGroup};

async fn mock_with(users: usize, groups: Vec<SeedGroup>) -> MockServer {
    MockServer::start(MockConfig::default().seed_users(users).seed_groups(groups))
        .await
        .unwrap()
}

#[tokio::test]
async fn create_adds_each_new_user_to_its_groups_after_the_job() {
    let mock = mock_with(
        1,
        vec![
            SeedGroup::new("Engineering", ["user00000"]),
            SeedGroup::new("VPN", Vec::<String>::new()),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "new.csv",
        "username,email,groups\nada,ada@example.com,Engineering;vpn\nbob,bob@example.com,\ncy,cy@example.com,VPN\n",
    );
    let report = dir.path().join("report.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary = run.json();
    assert_eq!(summary["applied"], 3);
    assert_eq!(summary["groups"]["added"], 3);
    assert_eq!(member_names(&mock, "Engineering"), ["ada", "user00000"]);
    assert_eq!(member_names(&mock, "VPN"), ["ada", "cy"]);
    let text = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "line,username,email,outcome,user_id,job_id,reason,groups"
    );
    let ada = lines.iter().find(|l| l.starts_with("2,ada,")).unwrap();
    assert!(ada.ends_with(",Engineering:added;VPN:added"), "{ada}");
    let bob = lines.iter().find(|l| l.starts_with("3,bob,")).unwrap();
    assert!(bob.ends_with(','), "no groups: an empty cell: {bob}");
    assert_eq!(lines.len(), 4);
}

#[tokio::test]
async fn unknown_or_ambiguous_groups_are_row_errors_before_anything_is_sent() {
    let mock = mock_with(
        0,
        vec![
            SeedGroup::new("Ops", Vec::<String>::new()),
            SeedGroup::new("OPS", Vec::<String>::new()),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "new.csv",
        "username,email,groups\nada,ada@example.com,Nope\nbob,bob@example.com,ops\n",
    );
    let run = jcbulk(Some(&mock), &["users", "create", "--csv", s(&csv)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no user group named `Nope`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("ambiguous: 2 user groups match `ops`"),
        "{}",
        run.stderr
    );
    assert!(
        mock.jobs(&mock.default_org()).is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn update_adds_groups_to_unchanged_users_and_reports_partial_failures() {
    let mock = mock_with(
        3,
        vec![
            SeedGroup::new("Eng", ["user00000"]),
            SeedGroup::new("Auto", Vec::<String>::new()).method("DYNAMIC_AUTOMATED"),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "update.csv",
        "username,department,groups\nuser00000,,Eng\nuser00001,Research,Eng\nuser00002,,Eng;Auto\n",
    );
    let report = dir.path().join("report.json");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "a group was refused: {}", run.stderr);
    let summary = run.json();
    assert_eq!(
        (summary["applied"].as_u64(), summary["unchanged"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(summary["groups_partial"], 1);
    assert_eq!(
        member_names(&mock, "Eng"),
        ["user00000", "user00001", "user00002"]
    );
    assert!(
        member_names(&mock, "Auto").is_empty(),
        "dynamic groups are refused"
    );
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let row = |line: u64| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["line"] == line)
            .unwrap()
            .clone()
    };
    assert_eq!(row(2)["groups"], "Eng:already_member");
    assert_eq!(row(2)["outcome"], "unchanged");
    assert_eq!(row(3)["groups"], "Eng:added");
    assert_eq!(row(4)["groups"], "Eng:added;Auto:not_sent");
    let reason = row(4)["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.contains("not every group: Auto: `Auto` is a DYNAMIC_AUTOMATED group"),
        "{reason}"
    );

    // Allowed, the same file adds the dynamic group too; nothing else is sent again.
    let edges = mock.edge_changes();
    let again = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--allow-dynamic-groups",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(mock.edge_changes().0, edges.0 + 1);
    assert_eq!(member_names(&mock, "Auto"), ["user00002"]);
}

/// `users export --with-groups` writes each user's groups; the unedited file sends nothing
/// (no job, no membership change); a group added to a cell is added, one removed from a cell
/// is left alone (adds only).
#[tokio::test]
async fn the_export_round_trips_groups() {
    let mock = mock_with(
        4,
        vec![
            SeedGroup::new("Eng", ["user00000", "user00001"]),
            SeedGroup::new("VPN", ["user00001"]),
            SeedGroup::new("a;b", ["user00002"]),
        ],
    )
    .await;
    let org = mock.default_org();
    let dir = tempfile::tempdir().unwrap();
    let export = jcbulk(
        Some(&mock),
        &[
            "users",
            "export",
            "--for",
            "update",
            "--with-groups",
            "-o",
            "csv",
        ],
    )
    .await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    let header: Vec<&str> = export.stdout.lines().next().unwrap().split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "groups")
        .expect("a groups column");
    let cell = |username: &str| -> String {
        let line = export
            .stdout
            .lines()
            .find(|l| l.contains(&format!("{username}@example.com")))
            .unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        reader.records().next().unwrap().unwrap()[at].to_owned()
    };
    assert_eq!(cell("user00000"), "Eng");
    assert_eq!(cell("user00001"), "Eng;VPN");
    let odd = mock.groups(&org)[2].id.clone();
    assert_eq!(
        cell("user00002"),
        odd,
        "a name holding `;` is written as its id"
    );
    assert_eq!(cell("user00003"), "");

    let file = write(dir.path(), "export.csv", &export.stdout);
    let before = mock.jobs(&org).len();
    let unedited = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&file), "-o", "json"],
    )
    .await;
    assert_eq!(unedited.code, 0, "{}", unedited.stderr);
    assert_eq!(unedited.json()["unchanged"], 4);
    assert_eq!(mock.jobs(&org).len(), before, "no job");
    assert_eq!(mock.edge_changes(), (0, 0), "no membership change");

    // user00001 moves from `Eng;VPN` to `VPN;a;b`... as ids and names: adds a;b, keeps Eng.
    let edited = export.stdout.replace("Eng;VPN", &format!("VPN;{odd}"));
    let file = write(dir.path(), "edited.csv", &edited);
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&file), "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mock.edge_changes(), (1, 0), "one add, never a removal");
    assert_eq!(member_names(&mock, "Eng"), ["user00000", "user00001"]);
    assert_eq!(member_names(&mock, "a;b"), ["user00001", "user00002"]);
}
