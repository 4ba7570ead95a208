//! `jcbulk demo` and `jcbulk mock`: the demo runs end to end; the mock prints where it serves
//! and keeps serving when its standard output is closed (issue 18).

use crate::common::{jcbulk, s};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let run = jcbulk(None, &["demo", "--users", "300", "--dir", s(dir.path())]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("demo ok: 297 of 300 users imported, 1 rejected by JumpCloud, 2 not sent (invalid), 5 suspensions scheduled"), "{}", run.stdout);
    assert!(dir.path().join("report.csv").exists() && dir.path().join("failed.csv").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mock_command_prints_its_url_and_key_first() {
    let (mut child, mut lines) = crate::common::mock_process(&["--api-key", "my-key", "-q"]);
    let first = lines.next_line().await.unwrap().unwrap();
    let (base, key) = first.split_once(' ').unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v2"),
        "{first}"
    );
    assert_eq!(key, "my-key");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args(["userstates", "list", "-o", "json"])
        .env("JC_BASE_URL", base)
        .env("JC_API_KEY", "my-key")
        .output()
        .await
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "[]");
    child.kill().await.unwrap();
}

/// Issue 18 point 9: a harness that reads the URL and drops the pipe must not kill the mock.
/// The pipe is closed before the mock starts, so every write to stdout fails; the mock still
/// serves, and its stderr still names the URL.
#[tokio::test(flavor = "multi_thread")]
async fn the_mock_keeps_serving_when_its_stdout_is_closed() {
    use tokio::io::AsyncBufReadExt;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args(["mock", "--addr", "127.0.0.1:0", "--api-key", "my-key"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("the mock says where it serves")
            .unwrap()
            .expect("the mock is still running");
        if let Some(rest) = line.trim().strip_prefix("JC_BASE_URL=") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    for _ in 0..3 {
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
            .args(["userstates", "list", "-o", "json"])
            .env("JC_BASE_URL", &base)
            .env("JC_API_KEY", "my-key")
            .env("JCBULK_CONFIG", "/nonexistent/jcbulk-test-config.toml")
            .output()
            .await
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{run:?}");
        assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "[]");
    }
    assert!(child.try_wait().unwrap().is_none(), "the mock is still up");
    child.kill().await.unwrap();
}
