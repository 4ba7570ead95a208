//! The one runner of the CLI tests: the real `jcbulk` binary with a clean environment, against a
//! mock or any server, and the helpers every test module shares.
#![allow(dead_code)]

pub mod hostile;

use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

/// A finished run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The command, pointed at `mock`, with a clean environment and `env` added.
pub fn command(mock: Option<&MockServer>, args: &[&str], env: &[(&str, &Path)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jcbulk"));
    command
        .args(args)
        .env_remove("JC_API_KEY")
        .env_remove("JC_BASE_URL")
        .env_remove("JC_ORG_ID")
        .env_remove("RUST_LOG")
        .env_remove("JC_CLIENT_ID")
        .env_remove("JC_CLIENT_SECRET")
        .env_remove("JC_PROFILE")
        .env_remove("JC_V1_BASE_URL")
        .env("JCBULK_CONFIG", "/nonexistent/jcbulk-test-config.toml")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    if let Some(mock) = mock {
        command
            .env("JC_BASE_URL", mock.base_url())
            .env("JC_API_KEY", mock.api_key());
    }
    command
}

/// Starts jcbulk without waiting for it.
pub fn spawn(mock: Option<&MockServer>, args: &[&str]) -> Child {
    command(mock, args, &[])
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits for a started run.
pub async fn finish(child: Child) -> Run {
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("jcbulk ended within a minute")
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs jcbulk with `stdin` piped in and extra environment variables.
pub async fn jcbulk_with(
    mock: Option<&MockServer>,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &Path)],
) -> Run {
    let mut command = command(mock, args, env);
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = command.spawn().unwrap();
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).await.unwrap();
        drop(pipe);
    }
    finish(child).await
}

/// Runs jcbulk.
pub async fn jcbulk(mock: Option<&MockServer>, args: &[&str]) -> Run {
    jcbulk_with(mock, args, None, &[]).await
}

/// A mock whose default org holds `n` users `u0`..; their ids.
pub async fn mock_with_users(n: usize) -> (MockServer, Vec<String>) {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let org = mock.default_org();
    let ids = (0..n)
        .map(|i| {
            mock.insert_user(
                &org,
                &BulkUserCreate::new(format!("u{i}"), format!("u{i}@example.com")),
            )
            .unwrap()
        })
        .collect();
    (mock, ids)
}

/// Waits (a bounded time) until the mock has received at least `jobs` jobs.
pub async fn until_jobs(mock: &MockServer, jobs: usize) {
    let org = mock.default_org();
    for _ in 0..2000 {
        if mock.jobs(&org).len() >= jobs {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the mock never received {jobs} jobs");
}

/// A CSV of `n` users `{prefix}{i}`.
pub fn users_csv(prefix: &str, n: usize) -> String {
    let mut text = String::from("username,email\n");
    for i in 0..n {
        text.push_str(&format!("{prefix}{i},{prefix}{i}@example.com\n"));
    }
    text
}

/// The path as text.
pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A mock with the default configuration.
pub async fn mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

/// Writes `text` to `dir/name`; its path.
pub fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Lines of a child's standard output.
pub type StdoutLines = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>;

/// `jcbulk mock --addr 127.0.0.1:0` with `args` added, started (killed when dropped), and the
/// lines of its standard output (the first: `BASE_URL API_KEY`, the second: the client).
pub fn mock_process(args: &[&str]) -> (Child, StdoutLines) {
    use tokio::io::AsyncBufReadExt;
    let mut all = vec!["mock", "--addr", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut child = command(None, &all, &[])
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    (child, tokio::io::BufReader::new(stdout).lines())
}

/// The usernames of the direct members of the default org's group `name`, sorted (changes in
/// flight land in any order).
pub fn member_names(mock: &MockServer, name: &str) -> Vec<String> {
    let org = mock.default_org();
    let group = mock
        .groups(&org)
        .into_iter()
        .find(|g| g.name == name)
        .unwrap();
    let mut names: Vec<String> = group
        .members
        .iter()
        .map(|id| mock.user(&org, id).unwrap().username)
        .collect();
    names.sort();
    names
}
