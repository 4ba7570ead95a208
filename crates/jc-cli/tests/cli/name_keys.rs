//! Keys that name users (issue 19): names that resolve to one user schedule one change, and
//! `id` cells are trimmed, checked, and must agree with the name key.

use crate::common::{jcbulk, s, write};
use jc_mock::{MockConfig, MockServer};

/// Issue 19 defect 13: names that resolve to one user (`a,A`, `a,a`, `x@,X@`, or an id given
/// twice) schedule one change for that user, not two (two activation e-mails).
#[tokio::test(flavor = "multi_thread")]
async fn names_of_one_user_schedule_one_change() {
    let mock = MockServer::start(MockConfig::default().seed_users(10))
        .await
        .unwrap();
    let org = mock.default_org();
    for (flag, list) in [
        ("--usernames", "user00003,USER00003,user00003"),
        ("--emails", "user00003@example.com,USER00003@Example.com"),
    ] {
        let before = mock.scheduled(&org).len();
        let run = jcbulk(
            Some(&mock),
            &[
                "userstates",
                "schedule",
                "--state",
                "ACTIVATED",
                "--at",
                "2099-01-01T00:00:00Z",
                flag,
                list,
                "-o",
                "json",
            ],
        )
        .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            mock.scheduled(&org).len() - before,
            1,
            "{flag} {list}: {}",
            run.stdout
        );
        assert!(run.stderr.contains("once"), "says so: {}", run.stderr);
    }
}

/// Issue 19 defect 15: `id` cells are trimmed and must be 24 hex digits (else a row error with
/// the `--match-by` hint, and nothing is sent); with `--match-by username`, an `id` cell that
/// names another user is a row error, not silently ignored.
#[tokio::test(flavor = "multi_thread")]
async fn id_cells_are_trimmed_and_checked() {
    let mock = MockServer::start(MockConfig::default().seed_users(10))
        .await
        .unwrap();
    let org = mock.default_org();
    let id_of = |name: &str| {
        mock.users(&org)
            .into_iter()
            .find(|u| u.username == name)
            .unwrap()
            .id
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.csv", "id,department\nuser00003,R\nabc,R\n");
    let run = jcbulk(Some(&mock), &["users", "update", "--csv", s(&bad)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    for line in [2, 3] {
        assert!(
            run.stderr.contains(&format!("line {line}: id:")),
            "{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("--match-by username"), "{}", run.stderr);
    assert!(mock.jobs(&org).is_empty(), "nothing was sent");

    let padded = write(
        dir.path(),
        "padded.csv",
        &format!("id,department\n {} ,Research\n", id_of("user00003")),
    );
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&padded), "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "a padded id is trimmed: {}", run.stderr);

    let crossed = write(
        dir.path(),
        "crossed.csv",
        &format!(
            "id,username,department\n{},user00004,R\n",
            id_of("user00003")
        ),
    );
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&crossed),
            "--match-by",
            "username",
        ],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("which one is meant"), "{}", run.stderr);
}
