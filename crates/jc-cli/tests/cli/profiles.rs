//! Service accounts, profiles and shell integration from the command line (issue 14).

use crate::common::{command, s, users_csv, Run};
use jc_mock::{
    Admin, MockConfig, MockServer, OAuthClient, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
use std::path::Path;

/// Runs jcbulk against `mock` with `env` (no API key unless given).
async fn run(mock: Option<&MockServer>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = command(None, args, &[]);
    if let Some(mock) = mock {
        command.env("JC_BASE_URL", mock.base_url());
    }
    for (name, value) in env {
        command.env(name, value);
    }
    crate::common::finish(command.spawn().unwrap()).await
}

fn secret_env() -> [(&'static str, &'static str); 1] {
    [("JC_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_imports_and_a_bad_secret_sends_nothing() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, users_csv("svc", 30)).unwrap();
    let ok = run(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--client-id",
            DEFAULT_CLIENT_ID,
            "-o",
            "json",
            "-v",
        ],
        &secret_env(),
    )
    .await;
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(ok.json()["applied"], 30);
    assert!(
        ok.stderr.contains("service account jcmock-client"),
        "-v says which: {}",
        ok.stderr
    );
    assert!(mock.token_requests() >= 1);

    let before = mock.requests().len();
    let bad = run(
        Some(&mock),
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--client-id",
            DEFAULT_CLIENT_ID,
        ],
        &[("JC_CLIENT_SECRET", "not-the-secret-7")],
    )
    .await;
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("unknown client or wrong secret"),
        "error_description: {}",
        bad.stderr
    );
    let after: Vec<_> = mock.requests().into_iter().skip(before).collect();
    assert!(
        after.iter().all(|r| r.path == jc_mock::TOKEN_PATH),
        "nothing sent to the API: {after:?}"
    );

    let both = run(
        Some(&mock),
        &["userstates", "list", "--client-id", "x", "--api-key", "k"],
        &secret_env(),
    )
    .await;
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_secret_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{DEFAULT_CLIENT_SECRET}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let args = [
        "userstates",
        "list",
        "--client-id",
        DEFAULT_CLIENT_ID,
        "--client-secret-file",
        s(&file),
    ];
    let open = run(Some(&mock), &args, &[]).await;
    assert_eq!(open.code, 2, "{}", open.stderr);
    assert!(open.stderr.contains("chmod 600"), "{}", open.stderr);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let closed = run(Some(&mock), &args, &[]).await;
    assert_eq!(closed.code, 0, "{}", closed.stderr);
}

const ORG_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";
const ORG_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbb";

fn config(dir: &Path, base: &str) -> std::path::PathBuf {
    let file = dir.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.acme]\nbase_url = \"{base}\"\norg_id = \"{ORG_A}\"\napi_key_env = \"ACME_KEY\"\n\n\
             [profiles.globex]\nbase_url = \"{base}\"\norg_id = \"{ORG_B}\"\nclient_id = \"msp-client\"\nclient_secret_env = \"GLOBEX_SECRET\"\n\n\
             [profiles.default]\nbase_url = \"http://127.0.0.1:9/api/v2\"\napi_key_env = \"NOPE_KEY\"\n"
        ),
    )
    .unwrap();
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_import_into_their_own_org_and_flags_win() {
    let mock = MockServer::start(
        MockConfig::default()
            .admin(Admin::multi_tenant("msp-key", [ORG_A, ORG_B]))
            .oauth_client(OAuthClient::new("msp-client", "msp-secret", "msp-key")),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = config(dir.path(), &mock.base_url());
    let config_path = s(&file).to_owned();
    let env = [
        ("JCBULK_CONFIG", config_path.as_str()),
        ("ACME_KEY", "msp-key"),
        ("GLOBEX_SECRET", "msp-secret"),
    ];
    for (profile, org, prefix) in [("acme", ORG_A, "a"), ("globex", ORG_B, "g")] {
        let csv = dir.path().join(format!("{prefix}.csv"));
        std::fs::write(&csv, users_csv(prefix, 5)).unwrap();
        let mut command = command(
            None,
            &[
                "users",
                "--profile",
                profile,
                "create",
                "--csv",
                s(&csv),
                "-o",
                "json",
            ],
            &[],
        );
        for (name, value) in env {
            command.env(name, value);
        }
        let run = crate::common::finish(command.spawn().unwrap()).await;
        assert_eq!(run.code, 0, "{profile}: {}", run.stderr);
        let users = mock.users(org);
        assert_eq!(users.len(), 5, "{profile} imports into {org}");
        assert!(users.iter().all(|u| u.username.starts_with(prefix)));
    }
    // The environment beats the profile, and a flag beats the environment.
    let listed = |extra: Vec<(&'static str, String)>, flags: Vec<String>| {
        let mut args: Vec<String> = vec!["userstates".into(), "--profile".into(), "acme".into()];
        args.extend(flags);
        args.extend(["list", "-o", "json"].map(String::from));
        let mut command = command(
            None,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &[],
        );
        for (name, value) in env {
            command.env(name, value);
        }
        for (name, value) in extra {
            command.env(name, value);
        }
        async move { crate::common::finish(command.spawn().unwrap()).await }
    };
    let env_org = listed(
        vec![("JC_ORG_ID", "cccccccccccccccccccccccc".into())],
        vec![],
    )
    .await;
    assert_eq!(
        env_org.code, 1,
        "the env's org (unknown to the admin) beats the profile's: {}",
        env_org.stderr
    );
    let flag_org = listed(
        vec![("JC_ORG_ID", "cccccccccccccccccccccccc".into())],
        vec!["--org-id".into(), ORG_B.into()],
    )
    .await;
    assert_eq!(
        flag_org.code, 0,
        "the flag beats the env: {}",
        flag_org.stderr
    );
    let env_url = listed(
        vec![("JC_BASE_URL", "http://127.0.0.1:9/api/v2".into())],
        vec![],
    )
    .await;
    assert_eq!(
        env_url.code, 1,
        "the env's base URL beats the profile's: {}",
        env_url.stderr
    );
    let flag_url = listed(
        vec![("JC_BASE_URL", "http://127.0.0.1:9/api/v2".into())],
        vec!["--base-url".into(), mock.base_url()],
    )
    .await;
    assert_eq!(flag_url.code, 0, "{}", flag_url.stderr);
    // Issue 19 defect 10: an explicit --profile uses its own credentials, whatever
    // JC_API_KEY / JC_CLIENT_ID say (it was the other way round: a stray key won silently).
    for stray in ["JC_API_KEY", "JC_CLIENT_ID"] {
        let env_key = listed(vec![(stray, "wrong".into())], vec!["-v".into()]).await;
        assert_eq!(
            env_key.code, 0,
            "the profile's key beats a stray {stray}: {}",
            env_key.stderr
        );
        assert!(
            env_key
                .stderr
                .contains("credentials_from=profile acme ($ACME_KEY)"),
            "-v says where the credentials came from: {}",
            env_key.stderr
        );
    }
    let flag_key = listed(
        vec![("JC_API_KEY", "wrong".into())],
        vec!["--api-key".into(), "msp-key".into()],
    )
    .await;
    assert_eq!(flag_key.code, 0, "{}", flag_key.stderr);
    let flag_client = listed(
        vec![("JC_CLIENT_SECRET", "msp-secret".into())],
        vec!["--client-id".into(), "msp-client".into()],
    )
    .await;
    assert_eq!(
        flag_client.code, 0,
        "a client id flag wins over the profile's API key: {}",
        flag_client.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_list_and_check_tell_what_is_wrong() {
    let mock =
        MockServer::start(MockConfig::default().admin(Admin::multi_tenant("msp-key", [ORG_A])))
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = config(dir.path(), &mock.base_url());
    let config_path = s(&file).to_owned();
    let go = |args: Vec<&'static str>, extra: Vec<(&'static str, &'static str)>| {
        let mut command = command(None, &args, &[]);
        command.env("JCBULK_CONFIG", &config_path);
        for (name, value) in extra {
            command.env(name, value);
        }
        async move { crate::common::finish(command.spawn().unwrap()).await }
    };
    let list = go(
        vec!["profiles", "list", "-o", "json"],
        vec![("ACME_KEY", "msp-key")],
    )
    .await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    let listed = list.json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme", "default", "globex"]);
    assert!(
        !list.stdout.contains("msp-key") && list.stdout.contains("$ACME_KEY"),
        "{}",
        list.stdout
    );

    let ok = go(
        vec!["profiles", "check", "acme"],
        vec![("ACME_KEY", "msp-key")],
    )
    .await;
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    // Issue 19 defect 10: `profiles check NAME` checks that profile's own key, not a working
    // JC_API_KEY from the environment.
    let shadowed = go(
        vec!["profiles", "check", "acme"],
        vec![("ACME_KEY", "wrong"), ("JC_API_KEY", "msp-key")],
    )
    .await;
    assert_ne!(
        shadowed.code, 0,
        "the profile's key is wrong: {}",
        shadowed.stdout
    );
    let wrong_key = go(
        vec!["profiles", "check", "acme"],
        vec![("ACME_KEY", "wrong")],
    )
    .await;
    assert_eq!(wrong_key.code, 1);
    assert!(
        wrong_key.stderr.contains("credentials are refused"),
        "{}",
        wrong_key.stderr
    );
    let wrong_org = go(
        vec!["profiles", "check", "acme"],
        vec![
            ("ACME_KEY", "msp-key"),
            ("JC_ORG_ID", "dddddddddddddddddddddddd"),
        ],
    )
    .await;
    assert_eq!(wrong_org.code, 1);
    assert!(wrong_org.stderr.contains("org"), "{}", wrong_org.stderr);
    let unreachable = go(vec!["profiles", "check"], vec![("NOPE_KEY", "k")]).await;
    assert_eq!(unreachable.code, 1);
    assert!(
        unreachable.stderr.contains("cannot be reached"),
        "{}",
        unreachable.stderr
    );
    let unknown = go(vec!["profiles", "check", "nope"], vec![]).await;
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);

    std::fs::write(
        &file,
        "[profiles.x]\nregion = \"eu\"\napi_key = \"inline\"\n",
    )
    .unwrap();
    let bad = go(vec!["profiles", "list"], vec![]).await;
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("config.toml:3:"),
        "the file and the line: {}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_for_every_shell_and_bash_parses_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = run(None, &["completions", shell], &[]).await;
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("jcbulk"), "{shell}");
        if shell == "bash" {
            let dir = tempfile::tempdir().unwrap();
            let script = dir.path().join("jcbulk.bash");
            std::fs::write(&script, &run.stdout).unwrap();
            let check = std::process::Command::new("bash")
                .arg("-n")
                .arg(&script)
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "{}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    let help = run(None, &["mock", "--help"], &[]).await;
    for ignored in ["--region", "--output", "--max-rps"] {
        assert!(
            !help.stdout.contains(ignored),
            "mock --help shows {ignored}"
        );
    }
    let help = run(None, &["demo", "--help"], &[]).await;
    assert!(!help.stdout.contains("--region"));
    let help = run(None, &["users", "create", "--help"], &[]).await;
    assert!(help.stdout.contains("--region") && help.stdout.contains("--client-id"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mock_prints_a_client_on_its_second_line() {
    let (mut child, mut lines) = crate::common::mock_process(&["-q"]);
    let first = lines.next_line().await.unwrap().unwrap();
    let second = lines.next_line().await.unwrap().unwrap();
    let (base, _) = first.split_once(' ').unwrap();
    let (client, secret) = second.split_once(' ').unwrap();
    let listed = run(
        None,
        &[
            "userstates",
            "list",
            "--base-url",
            base,
            "--client-id",
            client,
        ],
        &[("JC_CLIENT_SECRET", secret)],
    )
    .await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    child.kill().await.unwrap();
}

/// Issue 19 defect 16: one bad profile breaks only the commands that use it, and an empty
/// `JC_PROFILE=` is no profile (it was taken as a profile named "").
#[tokio::test(flavor = "multi_thread")]
async fn a_bad_profile_breaks_only_its_users_and_an_empty_jc_profile_is_unset() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[profiles.good]\norg_id = \"x\"\n\n[profiles.broken]\nregion = \"eu\"\napi_key = \"inline\"\n",
    )
    .unwrap();
    let go = |extra: Vec<&'static str>, env: Vec<(&'static str, &'static str)>| {
        let mut args = vec!["userstates", "list", "-o", "json"];
        args.extend(extra);
        let mut command = command(Some(&mock), &args, &[]);
        command.env("JCBULK_CONFIG", &file);
        for (name, value) in env {
            command.env(name, value);
        }
        async move { crate::common::finish(command.spawn().unwrap()).await }
    };
    let plain = go(vec![], vec![]).await;
    assert_eq!(plain.code, 0, "no profile used: {}", plain.stderr);
    let empty = go(vec![], vec![("JC_PROFILE", "")]).await;
    assert_eq!(empty.code, 0, "JC_PROFILE= is unset: {}", empty.stderr);
    let broken = go(vec!["--profile", "broken"], vec![]).await;
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    assert!(
        broken.stderr.contains("config.toml:6:"),
        "{}",
        broken.stderr
    );
}
