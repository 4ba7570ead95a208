//! jcbulk against servers (or proxies) that misbehave (issue 12): every wait ends, with a
//! reason that names what happened; no echoed secret reaches any file or stream; a 401 while
//! polling stops the import; links are followed only on the same origin; odd answers and odd
//! arguments are errors, never hangs or panics. Each server is a small loopback server in
//! `common/hostile.rs`.

use crate::common::hostile::{finished, serve, Answer, Request};
use crate::common::{command, s, Run};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "SECRET-0ddba11-KEY";

/// Runs jcbulk against `base` with the test key.
async fn jcbulk(base: &str, args: &[&str]) -> Run {
    let mut command = command(None, args, &[]);
    command.env("JC_BASE_URL", base).env("JC_API_KEY", KEY);
    crate::common::finish(command.spawn().unwrap()).await
}

fn users(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let csv = dir.join("u.csv");
    std::fs::write(&csv, crate::common::users_csv("h", n)).unwrap();
    csv
}

/// A server that creates job `j1` on every POST and answers results with `results`.
fn job_server(
    results: impl Fn(&Request) -> Answer + Send + Sync + 'static,
) -> impl Fn(&Request) -> Answer + Send + Sync + 'static {
    move |request| {
        if request.method == "POST" {
            Answer::json(201, r#"{"jobId":"j1"}"#)
        } else {
            results(request)
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_results_endpoint_that_ignores_skip_ends_the_wait() {
    let server = serve(job_server(|_| Answer::json(200, finished(0, 100)))).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = users(dir.path(), 800);
    let report = dir.path().join("r.csv");
    let started = Instant::now();
    let run = jcbulk(
        &server.base,
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--wait-timeout",
            "5",
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["unknown"], 800);
    assert!(server.requests() < 10, "{} requests", server.requests());
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("same page"), "the reason names it: {text}");
    let wait = jcbulk(
        &server.base,
        &[
            "jobs",
            "wait",
            "j1",
            "--expected",
            "800",
            "--wait-timeout",
            "3",
        ],
    )
    .await;
    assert_eq!(wait.code, 1, "{}", wait.stderr);
    assert!(wait.stderr.contains("same page"), "{}", wait.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_results_endpoint_that_pages_on_forever_ends_the_wait() {
    let server = serve(job_server(|request| {
        let skip: usize = request
            .query("skip")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Answer::json(200, finished(skip, 100))
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = users(dir.path(), 800);
    let run = jcbulk(
        &server.base,
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--wait-timeout",
            "5",
            "-o",
            "json",
        ],
    )
    .await;
    // The eight pages hold the job's 800 records, all finished: the wait ends there and never
    // reads past them (one POST and eight reads), so an endless listing cannot hold it.
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["applied"], 800);
    assert!(
        server.requests() <= 9,
        "bounded: {} requests",
        server.requests()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_never_outlasts_the_wait_timeout_and_the_reason_says_why() {
    let server = serve(job_server(|_| {
        Answer::json(429, r#"{"message":"slow down"}"#).header("retry-after", "60")
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = users(dir.path(), 10);
    let report = dir.path().join("r.csv");
    let started = Instant::now();
    let run = jcbulk(
        &server.base,
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--wait-timeout",
            "3",
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert_eq!(run.code, 3, "{}", run.stderr);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("no results could be read"), "{text}");
    assert!(
        text.contains("429") && text.contains("Retry-After 60 s"),
        "{text}"
    );
    assert!(!text.contains("still pending"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_echoing_server_never_gets_the_key_into_any_file_or_stream() {
    let echo = |request: &Request| {
        let headers: Vec<String> = request
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        serde_json::to_string(&headers).unwrap()
    };
    let server = serve(move |request| match (request.method.as_str(), request.path()) {
        ("POST", _) if request.body.contains("echo0@") => Answer::json(201, r#"{"jobId":"j1"}"#),
        ("POST", _) => Answer::json(400, format!(r#"{{"message":{}}}"#, serde_json::to_string(&echo(request)).unwrap()))
            .header("x-echo", format!("key {KEY} back")),
        (_, path) if path.ends_with("/j1/results") => {
            let reason = serde_json::to_string(&echo(request)).unwrap();
            Answer::json(200, format!(r#"[{{"id":"r0","status":"failed","statusMsg":{reason},"meta":{{"index":0}}}}]"#))
        }
        _ => Answer::json(500, serde_json::to_string(&echo(request)).unwrap()),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (first, rest) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    std::fs::write(&first, "username,email\necho0,echo0@example.com\n").unwrap();
    std::fs::write(
        &rest,
        "username,email\necho1,echo1@example.com\necho2,echo2@example.com\n",
    )
    .unwrap();
    let mut seen = String::new();
    for verbosity in ["-q", "-v", "-vv"] {
        for csv in [&first, &rest] {
            let out = dir.path().join(format!(
                "{verbosity}-{}",
                csv.file_name().unwrap().to_string_lossy()
            ));
            let (report, failed, journal) = (
                out.with_extension("report.csv"),
                out.with_extension("failed.csv"),
                out.with_extension("journal"),
            );
            let run = jcbulk(
                &server.base,
                &[
                    verbosity,
                    "users",
                    "create",
                    "--csv",
                    s(csv),
                    "--report",
                    s(&report),
                    "--failed-rows",
                    s(&failed),
                    "--journal",
                    s(&journal),
                    "-o",
                    "json",
                ],
            )
            .await;
            assert_eq!(run.code, 3, "{}", run.stderr);
            seen.push_str(&run.stdout);
            seen.push_str(&run.stderr);
            for file in [&report, &failed, &journal] {
                seen.push_str(&std::fs::read_to_string(file).unwrap());
            }
        }
        let run = jcbulk(&server.base, &[verbosity, "jobs", "results", "j9", "--all"]).await;
        assert_eq!(run.code, 1, "{}", run.stderr);
        seen.push_str(&run.stdout);
        seen.push_str(&run.stderr);
    }
    assert!(seen.contains("<redacted>"), "the server did echo: {seen}");
    assert!(!seen.contains(KEY), "the key leaked:\n{seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_while_polling_stops_the_import_and_exits_1() {
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = posts.clone();
    let server = serve(move |request| {
        if request.method == "POST" {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            Answer::json(201, format!(r#"{{"jobId":"j{n}"}}"#))
        } else {
            Answer::json(401, r#"{"message":"Unauthorized"}"#)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = users(dir.path(), 3000);
    let report = dir.path().join("r.csv");
    let run = jcbulk(
        &server.base,
        &[
            "users",
            "create",
            "--csv",
            s(&csv),
            "--chunk-size",
            "100",
            "--concurrency",
            "2",
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(
        posts.load(Ordering::SeqCst) <= 3,
        "{} submissions",
        posts.load(Ordering::SeqCst)
    );
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 3001, "every row has its outcome");
}

#[tokio::test(flavor = "multi_thread")]
async fn links_are_resolved_and_a_foreign_one_ends_the_list_with_what_was_printed() {
    let item = |i: usize| {
        format!(
            r#"{{"scheduledJobId":"s{i}","systemUserId":"u{i}","state":"SUSPENDED","scheduledDate":"2030-01-01T00:00:00Z"}}"#
        )
    };
    let page = move |from: usize, count: usize| {
        format!(
            "[{}]",
            (from..from + count).map(item).collect::<Vec<_>>().join(",")
        )
    };
    let relative = serve(move |request| match request.query("cursor") {
        None => {
            Answer::json(200, page(0, 100)).header("link", r#"<?limit=100&cursor=2>; rel="next""#)
        }
        Some(_) => Answer::json(200, page(100, 5)),
    })
    .await;
    let run = jcbulk(
        &relative.base,
        &["userstates", "list", "--all", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json().as_array().unwrap().len(), 105);

    let foreign = serve(move |_| {
        Answer::json(200, page(0, 100)).header("link", r#"<http://evil.invalid/steal>; rel="next""#)
    })
    .await;
    let run = jcbulk(
        &foreign.base,
        &["userstates", "list", "--all", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.json().as_array().unwrap().len(),
        100,
        "the pages read are printed"
    );
    assert!(run.stderr.contains("another origin"), "{}", run.stderr);
    assert_eq!(foreign.requests(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn odd_answers_and_odd_arguments_are_errors_never_hangs() {
    // Escape sequences from the server are shown, not run, in a table.
    let server = serve(|_| {
        Answer::json(200, r#"[{"scheduledJobId":"s1","systemUserId":"u1","state":"\u001b[2JSUSPENDED","scheduledDate":"2030-01-01T00:00:00Z"}]"#)
    })
    .await;
    let run = jcbulk(&server.base, &["userstates", "list", "-o", "table"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains('\u{1b}') && run.stdout.contains("\\u{1b}[2J"),
        "{}",
        run.stdout
    );

    let bad_port = jcbulk("http://127.0.0.1:99999/api/v2", &["jobs", "get", "x"]).await;
    assert_eq!(bad_port.code, 2, "{}", bad_port.stderr);
    assert!(bad_port.stderr.contains("port"), "{}", bad_port.stderr);
    let empty = jcbulk(&server.base, &["userstates", "cancel", ""]).await;
    assert_eq!(empty.code, 2, "{}", empty.stderr);
    let faults = jcbulk(&server.base, &["mock", "--fault-rate", "2"]).await;
    assert_eq!(faults.code, 2, "{}", faults.stderr);
    let insecure = jcbulk(
        "http://jumpcloud.invalid/api/v2",
        &["users", "expire", "--ids", "a"],
    )
    .await;
    assert_eq!(insecure.code, 2, "nothing was sent: {}", insecure.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_pipe_ends_quietly_with_the_runs_own_code() {
    let mock = jc_mock::MockServer::start(jc_mock::MockConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = users(dir.path(), 20);
    for args in [
        vec!["users", "template", "create"],
        vec!["users", "create", "--csv", s(&csv), "-o", "table"],
    ] {
        let mut child = command(Some(&mock), &args, &[])
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader went away, as with `| head -0`
        let run = crate::common::finish(child).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
    assert_eq!(mock.users(&mock.default_org()).len(), 20);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn an_ambiguous_or_past_start_time_is_refused_with_the_reason() {
    let schedule = |at: &'static str, extra: &'static [&'static str]| async move {
        let mut args = vec![
            "userstates",
            "schedule",
            "--state",
            "SUSPENDED",
            "--at",
            at,
            "--user-ids",
            "u1",
        ];
        args.extend(extra);
        let mut command = command(None, &args, &[]);
        // The clocks of Berlin go back at 03:00 on 25 October 2026: 02:30 happens twice.
        command
            .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
            .env("JC_API_KEY", KEY);
        crate::common::finish(command.spawn().unwrap()).await
    };
    let ambiguous = schedule("2026-10-25 02:30", &[]).await;
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stderr);
    assert!(
        ambiguous.stderr.contains("2026-10-25T02:30:00+01:00")
            && ambiguous.stderr.contains("2026-10-25T02:30:00+02:00"),
        "both instants: {}",
        ambiguous.stderr
    );
    let past = schedule("2020-01-01T00:00:00Z", &[]).await;
    assert_eq!(past.code, 2, "{}", past.stderr);
    assert!(past.stderr.contains("--allow-past"), "{}", past.stderr);
}
