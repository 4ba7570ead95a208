//! Usage: exit codes and help, a missing API key, and no key in verbose output (issue 6).

use crate::common::{jcbulk, s, write};
use jc_mock::{MockConfig, MockServer};

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

/// Issue 18 point 7: connection options belong to the commands that talk to JumpCloud. They are
/// taken at any level after the command group; before it, or with `mock` or `demo`, they are a
/// usage error with a hint; `mock --help` does not list them.
#[tokio::test(flavor = "multi_thread")]
async fn connection_options_belong_to_the_commands_that_talk_to_jumpcloud() {
    for args in [
        &["users", "--region", "eu", "template", "create"][..],
        &["users", "template", "create", "--region", "eu"],
    ] {
        let run = jcbulk(None, args).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let before = jcbulk(None, &["--region", "eu", "users", "template", "create"]).await;
    assert_eq!(before.code, 2, "{}", before.stderr);
    assert!(
        before
            .stderr
            .contains("hint: --region is an option of the commands that talk to JumpCloud"),
        "{}",
        before.stderr
    );
    let mock = jcbulk(None, &["mock", "--max-rps", "5"]).await;
    assert_eq!(mock.code, 2, "{}", mock.stderr);
    assert!(mock.stderr.contains("hint: --max-rps"), "{}", mock.stderr);
    let help = jcbulk(None, &["mock", "--help"]).await;
    assert_eq!(help.code, 0);
    for flag in [
        "--region",
        "--profile",
        "--base-url",
        "--max-rps",
        "--org-id",
        "--output",
    ] {
        assert!(!help.stdout.contains(flag), "mock --help lists {flag}");
    }
    let demo = jcbulk(None, &["demo", "--help"]).await;
    assert!(!demo.stdout.contains("--client-id"), "{}", demo.stdout);
    let users = jcbulk(None, &["users", "create", "--help"]).await;
    for flag in [
        "--region",
        "--profile",
        "--base-url",
        "--max-rps",
        "--api-key",
    ] {
        assert!(
            users.stdout.contains(flag),
            "users create --help lacks {flag}"
        );
    }
}
