//! Fault injection over HTTP: deterministic from a seed (issue 4).

use super::start;
use http::Method;
use jc_mock::{FaultConfig, MockConfig};
use std::time::{Duration, Instant};

/// The statuses (or "error") a fixed sequence of requests gets from a mock with `faults`.
async fn fates(faults: FaultConfig) -> Vec<String> {
    let (_server, api) = start(MockConfig::default().faults(faults)).await;
    let mut fates = Vec::new();
    for i in 0..40 {
        let path = format!("/bulk/userstates?limit={}", 1 + i % 5);
        let fate = match api.send(Method::GET, &path, &[], None).await {
            Ok(answer) => answer.status.to_string(),
            Err(error) => format!("error: {}", error.kind()),
        };
        fates.push(fate);
    }
    fates
}

#[tokio::test]
async fn a_fixed_seed_injects_the_same_faults() {
    let faults = |seed| FaultConfig::seeded(seed).error_rate(0.4).truncate_rate(0.1);
    let first = fates(faults(7)).await;
    assert_eq!(first, fates(faults(7)).await);
    assert_ne!(first, fates(faults(8)).await);
    let injected = first.iter().filter(|f| *f != "200").count();
    assert!((6..=34).contains(&injected), "{first:?}");
    assert!(first.iter().any(|f| f == "200"));
}

#[tokio::test]
async fn an_injected_429_says_when_to_retry_and_creates_nothing() {
    let faults = FaultConfig::seeded(1).error_rate(1.0).statuses(vec![429]);
    let (server, api) = start(MockConfig::default().faults(faults)).await;
    let body = r#"[{"username":"a","email":"a@example.com"}]"#;
    let answer = api
        .send(Method::POST, "/bulk/users", &[], Some(body))
        .await
        .unwrap();
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers["retry-after"], "1");
    assert!(answer.json()["message"].is_string());
    assert!(server.jobs(&server.default_org()).is_empty());
}

#[tokio::test]
async fn a_dropped_connection_after_a_submission_leaves_the_job_created() {
    let (server, api) =
        start(MockConfig::default().faults(FaultConfig::seeded(1).drop_rate(1.0))).await;
    let body = r#"[{"username":"a","email":"a@example.com"}]"#;
    let error = api
        .send(Method::POST, "/bulk/users", &[], Some(body))
        .await
        .unwrap_err();
    assert!(error.may_have_been_sent(), "{error}");
    server.wait_idle().await;
    let jobs = server.jobs(&server.default_org());
    assert_eq!(
        jobs.len(),
        1,
        "the job exists although the client saw no answer"
    );
    assert_eq!(server.users(&server.default_org()).len(), 1);
}

#[tokio::test]
async fn a_truncated_body_fails_to_read() {
    let (_server, api) =
        start(MockConfig::default().faults(FaultConfig::seeded(1).truncate_rate(1.0))).await;
    let error = api
        .send(
            Method::GET,
            "/bulk/userstates/eventlist/next?users=aaaaaaaaaaaaaaaaaaaaaaaa",
            &[],
            None,
        )
        .await
        .unwrap_err();
    assert!(error.may_have_been_sent(), "{error}");
}

#[tokio::test]
async fn latency_is_added() {
    let faults =
        FaultConfig::seeded(1).latency(Duration::from_millis(60), Duration::from_millis(10));
    let (_server, api) = start(MockConfig::default().faults(faults)).await;
    let started = Instant::now();
    let answer = api.call(Method::GET, "/bulk/userstates", None).await;
    assert_eq!(answer.status, 200);
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(60), "{elapsed:?}");
}
