//! Users named by username or e-mail (issue 13): `users update|expire|unlock --csv` with a
//! `username` or `email` column, resolved before anything is sent, against a mock seeded with
//! 5,000 users.

use crate::common::{jcbulk, s};
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;

async fn seeded() -> MockServer {
    MockServer::start(MockConfig::default().seed_users(5000))
        .await
        .unwrap()
}

fn department(mock: &MockServer, username: &str) -> Option<String> {
    let org = mock.default_org();
    let user = mock
        .users(&org)
        .into_iter()
        .find(|u| u.username == username)?;
    user.fields
        .get("department")
        .and_then(|d| d.as_str())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread")]
async fn update_keyed_by_username_in_mixed_case_changes_exactly_those_users() {
    let mock = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("by-name.csv");
    let mut text = String::from("username,department\n");
    for i in (0..400).step_by(2) {
        let name = if i % 4 == 0 {
            format!("USER{i:05}")
        } else {
            format!("User{i:05}")
        };
        text.push_str(&format!("{name},Research\n"));
    }
    for ghost in ["ghost1", "ghost2", "ghost3"] {
        text.push_str(&format!("{ghost},Research\n"));
    }
    std::fs::write(&csv, &text).unwrap();

    let refused = jcbulk(Some(&mock), &["users", "update", "--csv", s(&csv)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    for line in [202, 203, 204] {
        assert!(
            refused
                .stderr
                .contains(&format!("line {line}: username: no user with username")),
            "{}",
            refused.stderr
        );
    }
    assert!(
        mock.jobs(&mock.default_org()).is_empty(),
        "nothing was sent"
    );

    let dry = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--dry-run",
            "--skip-invalid",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(dry.json()["names"]["resolved"], 200);
    assert_eq!(dry.json()["names"]["not_found"], 3);
    assert!(
        mock.jobs(&mock.default_org()).is_empty(),
        "a dry run only reads"
    );

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
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["applied"], 200);
    for i in 0..400 {
        let expected = if i % 2 == 0 {
            "Research".to_owned()
        } else {
            jc_mock::seed_user(i).department.unwrap()
        };
        assert_eq!(
            department(&mock, &format!("user{i:05}")),
            Some(expected),
            "user {i}"
        );
    }
    let org = mock.default_org();
    assert!(
        mock.users(&org)
            .iter()
            .all(|u| u.username == u.username.to_lowercase()),
        "usernames not rewritten"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    let line = report.lines().find(|l| l.starts_with("2,")).unwrap();
    let id = mock
        .users(&org)
        .into_iter()
        .find(|u| u.username == "user00000")
        .unwrap()
        .id;
    assert!(
        line.contains("USER00000") && line.contains(&id),
        "the key and the resolved id: {line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn update_keyed_by_email_reports_an_ambiguous_email_by_line() {
    let mock = seeded().await;
    let org = mock.default_org();
    mock.insert_user_unchecked(&org, &BulkUserCreate::new("twin", "user00010@example.com"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("by-email.csv");
    std::fs::write(
        &csv,
        "email,jobTitle\nUser00011@Example.com,Analyst\nuser00010@example.com,Analyst\nuser00012@example.com,Analyst\n",
    )
    .unwrap();
    let refused = jcbulk(Some(&mock), &["users", "update", "--csv", s(&csv)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("line 3: email: ambiguous: 2 users match email"),
        "{}",
        refused.stderr
    );
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.json()["applied"], 2, "{}", run.stderr);
    let title = |name: &str| {
        mock.users(&org)
            .into_iter()
            .find(|u| u.username == name)
            .unwrap()
            .fields
            .get("jobTitle")
            .cloned()
    };
    assert_eq!(title("user00011"), Some("Analyst".into()));
    assert_eq!(title("user00010"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn expire_keyed_by_username_and_match_by_picks_the_column() {
    let mock = seeded().await;
    let org = mock.default_org();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("expire.csv");
    std::fs::write(&csv, "id,username\n,user00001\n,USER00002\n").unwrap();
    let by_id = jcbulk(Some(&mock), &["users", "expire", "--csv", s(&csv)]).await;
    assert_eq!(
        by_id.code, 2,
        "the id column comes first, and is empty: {}",
        by_id.stderr
    );
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "expire",
            "--csv",
            s(&csv),
            "--match-by",
            "username",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expired: Vec<String> = mock
        .users(&org)
        .into_iter()
        .filter(|u| u.password_expired)
        .map(|u| u.username)
        .collect();
    assert_eq!(expired.len(), 2, "{expired:?}");
    assert!(expired.contains(&"user00001".to_owned()) && expired.contains(&"user00002".to_owned()));
    let missing = jcbulk(
        Some(&mock),
        &["users", "unlock", "--csv", s(&csv), "--match-by", "email"],
    )
    .await;
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no `email` column"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn userstates_and_get_take_names_too() {
    let mock = seeded().await;
    let org = mock.default_org();
    let id_of = |name: &str| {
        mock.users(&org)
            .into_iter()
            .find(|u| u.username == name)
            .unwrap()
            .id
    };
    let schedule = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "schedule",
            "--state",
            "SUSPENDED",
            "--at",
            "2099-01-01T00:00:00Z",
            "--usernames",
            "USER00003,user00004",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(schedule.code, 0, "{}", schedule.stderr);
    let scheduled: Vec<String> = schedule
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["systemUserId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(scheduled, [id_of("user00003"), id_of("user00004")]);
    let unknown = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "schedule",
            "--state",
            "SUSPENDED",
            "--at",
            "2099-01-01T00:00:00Z",
            "--emails",
            "nobody@example.com",
        ],
    )
    .await;
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains("no user with email `nobody@example.com`"),
        "{}",
        unknown.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("next.csv");
    std::fs::write(
        &csv,
        "email\nuser00003@example.com\nUSER00004@example.com\n",
    )
    .unwrap();
    let next = jcbulk(
        Some(&mock),
        &["userstates", "next", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(next.code, 0, "{}", next.stderr);
    assert_eq!(next.json().as_array().unwrap().len(), 2);

    for key in [
        "user00005",
        "USER00005@example.com",
        id_of("user00005").as_str(),
    ] {
        let got = jcbulk(Some(&mock), &["users", "get", key, "-o", "json"]).await;
        assert_eq!(got.code, 0, "{key}: {}", got.stderr);
        assert_eq!(got.json()["username"], "user00005");
        assert_eq!(got.json()["department"], "Engineering");
    }
    let missing = jcbulk(Some(&mock), &["users", "get", "ghost"]).await;
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no user with username `ghost`"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mock_command_can_start_with_seeded_users() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.csv");
    std::fs::write(
        &seed,
        "username,email,department\nada,ada@example.com,Math\n",
    )
    .unwrap();
    let (mut child, mut lines) =
        crate::common::mock_process(&["-q", "--seed-users", "30", "--seed-csv", s(&seed)]);
    let first = lines.next_line().await.unwrap().unwrap();
    let (base, key) = first.split_once(' ').unwrap();
    for (user, field, value) in [
        ("user00029", "department", "Legal"),
        ("ada", "department", "Math"),
    ] {
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
            .args(["users", "get", user, "-o", "json"])
            .env("JC_BASE_URL", base)
            .env("JC_API_KEY", key)
            .output()
            .await
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(json[field], value);
    }
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn export_for_update_edit_one_cell_and_update_changes_exactly_that() {
    let mock = MockServer::start(MockConfig::default().seed_users(250))
        .await
        .unwrap();
    let view = || async {
        let run = jcbulk(
            Some(&mock),
            &["users", "export", "--all-fields", "-o", "ndjson"],
        )
        .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let before = view().await;
    assert_eq!(before.len(), 250);
    let exported = jcbulk(
        Some(&mock),
        &["users", "export", "--for", "update", "-o", "csv"],
    )
    .await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let mut lines: Vec<String> = exported.stdout.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 251);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "id");
    for column in [
        "username",
        "email",
        "department",
        "attributes.costCenter",
        "phoneNumbers.work",
        "addresses.work.locality",
    ] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let target = lines
        .iter()
        .position(|l| l.contains(",user00042,"))
        .unwrap();
    let department = header.iter().position(|c| *c == "department").unwrap();
    let mut cells: Vec<String> = lines[target].split(',').map(str::to_owned).collect();
    assert_eq!(cells[department], "Sales");
    cells[department] = "Research".into();
    lines[target] = cells.join(",");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();

    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Only the row that changes is sent (issue 20); the others are unchanged, in no job.
    assert_eq!(run.json()["applied"], 1);
    assert_eq!(run.json()["unchanged"], 249);
    let after = view().await;
    assert_eq!(after.len(), before.len());
    for (old, new) in before.iter().zip(&after) {
        let mut expected = old.clone();
        if old["username"] == "user00042" {
            expected["department"] = "Research".into();
        }
        assert_eq!(
            new, &expected,
            "every other field of every user is unchanged"
        );
    }
    // With the read-only fields too: `users update` ignores them.
    let all = jcbulk(
        Some(&mock),
        &[
            "users",
            "export",
            "--all-fields",
            "--filter",
            "username:eq:user00001",
            "-o",
            "csv",
        ],
    )
    .await;
    assert!(
        all.stdout
            .lines()
            .next()
            .unwrap()
            .contains("password_expired"),
        "{}",
        all.stdout
    );
    let file = dir.path().join("all.csv");
    std::fs::write(&file, &all.stdout).unwrap();
    let again = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&file), "-o", "json"],
    )
    .await;
    assert_eq!(
        (
            again.code,
            again.json()["applied"].as_u64(),
            again.json()["unchanged"].as_u64()
        ),
        (0, Some(0), Some(1)),
        "{}",
        again.stderr
    );
}
