//! Security checks (issue 7): the API key never shows in any output at any verbosity or in any
//! error; TLS verification cannot be turned off, and an untrusted certificate fails unless its
//! CA is given explicitly.

use jc_mock::{Admin, MockConfig, MockServer, DEFAULT_ORG_ID};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "SECRET-0ddba11-KEY";

/// Runs jcbulk against `base_url` with the test key: its code, and stdout then stderr.
async fn run(args: &[&str], base_url: &str) -> (i32, String) {
    let mut command = crate::common::command(None, args, &[]);
    command.env("JC_API_KEY", KEY).env("JC_BASE_URL", base_url);
    let run =
        crate::common::finish(command.stdin(std::process::Stdio::null()).spawn().unwrap()).await;
    (run.code, format!("{}{}", run.stdout, run.stderr))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_key_never_appears_at_any_verbosity_or_in_any_error() {
    let mock =
        MockServer::start(MockConfig::default().admins(vec![Admin::single(KEY, DEFAULT_ORG_ID)]))
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "username,email\nada,ada@example.com\n").unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "username,email,sudo\nada,ada@example.com,maybe\n").unwrap();
    let report = dir.path().join("report.json");
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/api/v2", listener.local_addr().unwrap())
    };
    let base = mock.base_url();
    let scenarios: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "users",
                "create",
                "--csv",
                good.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ],
            base.as_str(),
        ),
        (
            vec!["users", "create", "--csv", bad.to_str().unwrap()],
            base.as_str(),
        ),
        (
            vec!["jobs", "get", "ffffffffffffffffffffffff"],
            base.as_str(),
        ),
        (vec!["userstates", "list", "--all"], base.as_str()),
        (
            vec!["userstates", "list", "--max-retries", "0"],
            dead.as_str(),
        ),
        (
            vec!["jobs", "get", "x", "--api-key", "OTHER-SECRET-99"],
            base.as_str(),
        ),
        (
            vec!["jobs", "get", "x"],
            "https://jumpcloud.invalid:1/api/v2",
        ),
    ];
    for verbosity in [None, Some("-v"), Some("-vv")] {
        for (args, url) in &scenarios {
            let mut all: Vec<&str> = verbosity.into_iter().collect();
            all.extend(args.iter().copied());
            let (_, text) = run(&all, url).await;
            assert!(!text.contains(KEY), "{all:?}: the key leaked:\n{text}");
            assert!(
                !text.contains("OTHER-SECRET-99"),
                "{all:?}: the key leaked:\n{text}"
            );
        }
    }
    assert!(!std::fs::read_to_string(&report).unwrap().contains(KEY));
}

#[tokio::test]
async fn no_option_turns_tls_verification_off() {
    let commands: &[&[&str]] = &[
        &["--help"],
        &["users", "create", "--help"],
        &["users", "update", "--help"],
        &["users", "expire", "--help"],
        &["jobs", "results", "--help"],
        &["userstates", "schedule", "--help"],
        &["userstates", "list", "--help"],
        &["mock", "--help"],
    ];
    for args in commands {
        let (_, help) = run(args, "http://127.0.0.1:1").await;
        let help = help.to_lowercase();
        for word in [
            "insecure-tls",
            "no-verify",
            "skip-verify",
            "danger",
            "accept-invalid",
            "tls-verify",
        ] {
            assert!(!help.contains(word), "{args:?} offers `{word}`");
        }
    }
}

/// A test CA and an HTTPS server on loopback with a certificate it signed, answering every
/// request with `[]`. Returns (base URL, CA PEM).
async fn https_server() -> (String, String) {
    use rustls_pki_types::pem::PemObject;
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let certs =
        vec![rustls_pki_types::CertificateDer::from_pem_slice(cert.pem().as_bytes()).unwrap()];
    let private =
        rustls_pki_types::PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, private)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buffer = vec![0u8; 4096];
                let _ = tls.read(&mut buffer).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (format!("https://localhost:{port}/api/v2"), ca.pem())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_fails_unless_its_ca_is_given() {
    let (url, ca_pem) = https_server().await;
    let (code, text) = run(&["userstates", "list", "-o", "json"], &url).await;
    assert_eq!(code, 1, "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    let (code, text) = run(
        &[
            "userstates",
            "list",
            "-o",
            "json",
            "--ca-cert",
            ca.to_str().unwrap(),
        ],
        &url,
    )
    .await;
    assert_eq!(code, 0, "{text}");
    assert_eq!(text.trim(), "[]");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_accounts_secret_and_tokens_never_appear() {
    const SECRET: &str = "S3CRET-client-0ddba11";
    let mock = MockServer::start(
        MockConfig::default().oauth_client(jc_mock::OAuthClient::new(
            "svc-client",
            SECRET,
            jc_mock::DEFAULT_API_KEY,
        )),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, "username,email\nsa,sa@example.com\nsb,not-an-email\n").unwrap();
    let mut seen = String::new();
    for verbosity in ["-q", "-v", "-vv"] {
        let (report, journal) = (
            dir.path().join(format!("r{verbosity}.csv")),
            dir.path().join(format!("j{verbosity}")),
        );
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
            .args([
                verbosity,
                "users",
                "create",
                "--csv",
                csv.to_str().unwrap(),
                "--skip-invalid",
                "--client-id",
                "svc-client",
                "--report",
                report.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
            ])
            .env_remove("JC_API_KEY")
            .env("JCBULK_CONFIG", "/nonexistent/jcbulk.toml")
            .env("JC_BASE_URL", mock.base_url())
            .env("JC_CLIENT_SECRET", SECRET)
            .env_remove("RUST_LOG")
            .output()
            .await
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        seen.push_str(&String::from_utf8_lossy(&output.stdout));
        seen.push_str(&String::from_utf8_lossy(&output.stderr));
        seen.push_str(&std::fs::read_to_string(&report).unwrap());
        seen.push_str(&std::fs::read_to_string(&journal).unwrap());
    }
    assert!(seen.contains("sa@example.com"), "the runs happened");
    assert!(!seen.contains(SECRET), "the secret leaked:\n{seen}");
    assert!(!seen.contains("jcmock-token-"), "a token leaked:\n{seen}");
    let credentials = jc_bulk::Credentials::service_account("svc-client", SECRET);
    let builder = jc_bulk::Client::builder().credentials(credentials.clone());
    for text in [format!("{credentials:?}"), format!("{builder:?}")] {
        assert!(!text.contains(SECRET), "{text}");
    }
}

/// Issue 19 defect 8: a token endpoint (or a proxy) that echoes the request into its error puts
/// `Basic base64(client_id:secret)` in the description; an API that echoes a bearer token does
/// the same in base64 and percent-encoded forms. None of these forms reaches stdout, stderr, the
/// report, the failed rows or the journal, at -q, -v or -vv; the token endpoint's failure is
/// worded as such, not as JumpCloud's answer.
#[tokio::test(flavor = "multi_thread")]
async fn no_secret_leaks_in_base64_or_percent_encoded_forms() {
    use crate::common::hostile::{serve, Answer};
    const SECRET: &str = "S3cret/with+odd=chars";
    let server = serve(|request| {
        let echoed: String = request
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}; "))
            .collect();
        let echoed = echoed.replace('"', "'");
        Answer::json(
            401,
            format!(r#"{{"error":"invalid_client","error_description":"bad credentials in {echoed} and {}"}}"#, "S3cret%2Fwith%2Bodd%3Dchars"),
        )
    })
    .await;
    let token_url = server.base.replace("/api/v2", "/oauth2/token");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, "username,email\nsa,sa@example.com\n").unwrap();
    let basic = "c3ZjLWNsaWVudDpTM2NyZXQvd2l0aCtvZGQ9Y2hhcnM"; // base64("svc-client:" + SECRET)
    let args = [
        "users",
        "create",
        "--csv",
        csv.to_str().unwrap(),
        "--client-id",
        "svc-client",
        "--token-url",
        &token_url,
    ];
    let env = [
        ("JC_BASE_URL", server.base.as_str()),
        ("JC_CLIENT_SECRET", SECRET),
    ];
    let (seen, runs) = at_every_verbosity(dir.path(), &args, &env).await;
    for (code, stderr) in runs {
        assert_ne!(code, Some(0), "{stderr}");
        assert!(
            stderr.contains("token endpoint"),
            "worded as the token endpoint's refusal: {stderr}"
        );
        assert!(
            !stderr.contains("JumpCloud answered"),
            "the API was never contacted: {stderr}"
        );
    }
    assert!(
        seen.contains("invalid_client"),
        "the runs happened:\n{seen}"
    );
    for form in [
        SECRET,
        basic,
        "S3cret%2Fwith%2Bodd%3Dchars",
        "UzNjcmV0L3dpdGgrb2RkPWNoYXJz",
    ] {
        assert!(!seen.contains(form), "`{form}` leaked:\n{seen}");
    }
}

/// Issue 19 defect 14: a plain-http token URL to a host that is not loopback is refused before
/// anything runs (exit 2, naming the client secret), not when the first token is fetched (exit 3
/// for an import, every row `not_submitted`, with a message about the API key).
#[tokio::test(flavor = "multi_thread")]
async fn a_plain_http_token_url_off_loopback_is_refused_before_anything_runs() {
    let mock = jc_mock::MockServer::start(jc_mock::MockConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, "username,email\nsa,sa@example.com\n").unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"))
        .args([
            "users",
            "create",
            "--csv",
            csv.to_str().unwrap(),
            "--client-id",
            "svc-client",
            "--token-url",
            "http://jumpcloud.invalid/oauth2/token",
        ])
        .env_remove("JC_API_KEY")
        .env("JCBULK_CONFIG", "/nonexistent/jcbulk.toml")
        .env("JC_BASE_URL", mock.base_url())
        .env("JC_CLIENT_SECRET", "s3cret")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("client secret"), "{stderr}");
    assert!(stderr.contains("token URL"), "{stderr}");
    assert!(!stderr.contains("API key"), "{stderr}");
    assert!(mock.jobs(&mock.default_org()).is_empty());
}

/// Issue 19 defect 8, the API key: a server (or proxy) that echoes the request's `x-api-key`
/// into a rejection, in base64 and percent-encoded forms, puts none of them into stdout,
/// stderr, the report, the failed rows or the journal, at -q, -v or -vv.
#[tokio::test(flavor = "multi_thread")]
async fn the_api_key_never_shows_in_base64_or_percent_encoded_forms() {
    use crate::common::hostile::{serve, Answer};
    const KEY_ODD: &str = "K3y/with+odd=chars";
    let server = serve(|request| {
        let key = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-api-key"))
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        let base64 = b64(key.as_bytes());
        let percent: String = key
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        Answer::json(
            400,
            format!(r#"{{"message":"rejected key {base64} ({percent}) and {key}"}}"#),
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("u.csv");
    std::fs::write(&csv, "username,email\nsa,sa@example.com\n").unwrap();
    let args = ["users", "create", "--csv", csv.to_str().unwrap()];
    let env = [
        ("JC_API_KEY", KEY_ODD),
        ("JC_BASE_URL", server.base.as_str()),
    ];
    let (seen, _) = at_every_verbosity(dir.path(), &args, &env).await;
    assert!(seen.contains("rejected key"), "the runs happened:\n{seen}");
    let forms = [
        KEY_ODD.to_owned(),
        b64(KEY_ODD.as_bytes()).trim_end_matches('=').to_owned(),
        "K3y%2Fwith%2Bodd%3Dchars".to_owned(),
    ];
    for form in forms {
        assert!(!seen.contains(&form), "`{form}` leaked:\n{seen}");
    }
}

/// Runs `jcbulk` with `args` at -q, -v and -vv (each with its own report, journal and failed
/// rows in `dir`) and `env` (no API key, no config, no `RUST_LOG` besides): everything the runs
/// wrote (stdout, stderr, the three files), and each run's exit code and stderr.
async fn at_every_verbosity(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (String, Vec<(Option<i32>, String)>) {
    let (mut seen, mut runs) = (String::new(), Vec::new());
    for verbosity in ["-q", "-v", "-vv"] {
        let files = [
            ("--report", dir.join(format!("r{verbosity}.csv"))),
            ("--journal", dir.join(format!("j{verbosity}"))),
            ("--failed-rows", dir.join(format!("f{verbosity}.csv"))),
        ];
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jcbulk"));
        command.arg(verbosity).args(args);
        for (flag, file) in &files {
            command.arg(flag).arg(file);
        }
        command
            .env_remove("JC_API_KEY")
            .env_remove("RUST_LOG")
            .env("JCBULK_CONFIG", "/nonexistent/jcbulk.toml")
            .envs(env.iter().copied());
        let output = command.output().await.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        seen.push_str(&String::from_utf8_lossy(&output.stdout));
        seen.push_str(&stderr);
        for (_, file) in &files {
            seen.push_str(&std::fs::read_to_string(file).unwrap_or_default());
        }
        runs.push((output.status.code(), stderr));
    }
    (seen, runs)
}

/// Base64 (standard, padded), for the echoing server.
fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
