//! Unit tests of `wait`.

use super::poll::server_timing;
use super::*;
use crate::Client;
use jc_transport::test_util::ReplayTransport;
use std::sync::Arc;
use std::time::SystemTime;

#[test]
fn the_server_timestamps_of_settled_results_measure_the_rate() {
    let results: Vec<JobWorkresult> = serde_json::from_str(
        r#"[{"status":"finished","updatedAt":"2026-11-28T10:00:00.000Z"},
            {"status":"failed","updatedAt":"2026-11-28T10:00:00.250Z"},
            {"status":"finished","updatedAt":"2026-11-28T10:00:00.500Z"},
            {"status":"pending","updatedAt":"2026-11-28T10:00:09.000Z"},
            {"status":"finished"}]"#,
    )
    .unwrap();
    // Three settled results with times: two settlements over half a second; the pending
    // one and the one without a time do not count.
    assert_eq!(server_timing(results.iter(), None), Some((2, 0.5)));
    assert_eq!(
        server_timing(results[..1].iter(), None),
        None,
        "one time is no span"
    );
    assert_eq!(server_timing(results[3..].iter(), None), None);
}

/// Issue 19 defect 2: a settled result dated at Go's zero time or in 2999 is left out of the
/// rate (it would make the rate about zero and the next read centuries away).
#[test]
fn implausible_server_timestamps_are_left_out_of_the_rate() {
    let results: Vec<JobWorkresult> = serde_json::from_str(
        r#"[{"status":"finished","updatedAt":"2026-11-28T10:00:00.000Z"},
            {"status":"finished","updatedAt":"0001-01-01T00:00:00Z"},
            {"status":"finished","updatedAt":"2026-11-28T10:00:00.500Z"},
            {"status":"finished","updatedAt":"2999-01-01T00:00:00Z"},
            {"status":"finished","updatedAt":"2026-11-28T10:00:01.000Z"}]"#,
    )
    .unwrap();
    let at = |text: &str| {
        let parsed: jc_models::ApiTime = serde_json::from_value(serde_json::json!(text)).unwrap();
        SystemTime::from(parsed.instant().unwrap())
    };
    let window = Some((at("2026-11-28T09:59:59Z"), at("2026-11-28T10:00:02Z")));
    assert_eq!(server_timing(results.iter(), window), Some((2, 1.0)));
    let unbounded = server_timing(results.iter(), None).unwrap();
    assert!(unbounded.1 > 1e10, "without the window: {unbounded:?}");
}

/// With the shortest intervals the schedule allows (1 ms, not growing), every read is due
/// at once; the wait still ends at its deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_due_at_once_still_end_at_the_deadline() {
    let pending = jc_transport::test_util::FnTransport(|_| async {
        Ok(jc_transport::test_util::json_response(
            200,
            r#"[{"status":"pending","meta":{"index":0}}]"#,
        ))
    });
    let client = Client::builder()
        .api_key("k")
        .bare_transport(Arc::new(pending))
        .build()
        .unwrap();
    let options = WaitOptions::new()
        .with_intervals(Duration::from_millis(1), Duration::from_millis(1), 1.0)
        .unwrap()
        .with_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let waiter = client.wait_for_job(&JobId::new("j"), 1, &options);
    let ended = tokio::spawn(IntoFuture::into_future(waiter));
    let result = tokio::time::timeout(Duration::from_secs(5), ended)
        .await
        .expect("the wait ends at its deadline")
        .unwrap();
    assert!(
        matches!(result, Err(Error::Wait(WaitError::Timeout { .. }))),
        "{result:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_poll_does_not_end_the_wait() {
    let replay = Arc::new(
        ReplayTransport::new()
            .json(200, r#"[{"status":"pending","meta":{"index":0}}]"#)
            .json(500, r#"{"message":"flaky"}"#)
            .json(200, r#"[{"status":"finished","meta":{"index":0}}]"#),
    );
    let client = Client::builder()
        .api_key("k")
        .bare_transport(replay.clone())
        .build()
        .unwrap();
    let results = client
        .wait_for_job(&JobId::new("j"), 1, &WaitOptions::default())
        .await
        .unwrap();
    assert!(results[0].is_terminal());
    assert_eq!(replay.request_count(), 3);

    let failing = Arc::new(ReplayTransport::new().json(500, "{}").json(500, "{}"));
    let client = Client::builder()
        .api_key("k")
        .bare_transport(failing)
        .build()
        .unwrap();
    let options = WaitOptions::default().with_max_failed_polls(1).unwrap();
    assert!(
        client
            .wait_for_job(&JobId::new("j"), 1, &options)
            .await
            .is_err(),
        "gives up after the limit"
    );
}
