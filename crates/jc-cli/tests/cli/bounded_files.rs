//! Issue 19 defect 11: the files jcbulk reads whole (the journal on `--resume`, the config file,
//! a secret file) must be regular files of a bounded size: a device, a FIFO or a directory is
//! exit 2 naming the flag, at once (it grew to 22.7 GB, or blocked forever); a secret file over
//! 8 KiB is refused; a UTF-8 byte-order mark is not part of the secret.

use crate::common::{jcbulk, jcbulk_with, s, write};
use std::path::Path;
use std::time::{Duration, Instant};

fn users_csv(dir: &Path) -> std::path::PathBuf {
    write(dir, "u.csv", "username,email\nada,ada@example.com\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_journal_that_is_a_device_or_a_directory_is_refused_at_once() {
    let mock = crate::common::mock().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = users_csv(dir.path());
    for journal in ["/dev/zero", dir.path().to_str().unwrap()] {
        let started = Instant::now();
        let run = jcbulk(
            Some(&mock),
            &[
                "users",
                "create",
                "--csv",
                s(&csv),
                "--journal",
                journal,
                "--resume",
            ],
        )
        .await;
        assert_eq!(run.code, 2, "{journal}: {}", run.stderr);
        assert!(run.stderr.contains("--journal"), "{}", run.stderr);
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    assert!(
        mock.jobs(&mock.default_org()).is_empty(),
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_file_that_is_a_device_is_refused() {
    let run = jcbulk_with(
        None,
        &["profiles", "list"],
        None,
        &[("JCBULK_CONFIG", Path::new("/dev/zero"))],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("config file"), "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_files_must_be_small_regular_files_and_lose_their_bom() {
    use std::os::unix::fs::PermissionsExt;
    let mock = jc_mock::MockServer::start(jc_mock::MockConfig::default().oauth_client(
        jc_mock::OAuthClient::new("svc", "s3cret", jc_mock::DEFAULT_API_KEY),
    ))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secret = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    };
    let list = |file: std::path::PathBuf| {
        let mock = &mock;
        async move {
            let mut command = crate::common::command(
                None,
                &[
                    "userstates",
                    "list",
                    "--client-id",
                    "svc",
                    "--client-secret-file",
                    s(&file),
                    "-o",
                    "json",
                ],
                &[],
            );
            command
                .env("JC_BASE_URL", mock.base_url())
                .env_remove("JC_API_KEY");
            crate::common::finish(command.spawn().unwrap()).await
        }
    };
    let bom = list(secret("bom", "\u{feff}s3cret\n".as_bytes())).await;
    assert_eq!(
        bom.code, 0,
        "the BOM is not part of the secret: {}",
        bom.stderr
    );
    let big = list(secret("big", &vec![b'a'; 50 << 20])).await;
    assert_eq!(big.code, 2, "{}", big.stderr);
    assert!(
        big.stderr.contains("--client-secret-file"),
        "{}",
        big.stderr
    );
    assert!(big.stderr.contains("larger than"), "{}", big.stderr);
    let fifo = dir.path().join("fifo");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let run = list(fifo).await;
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
    }
}
