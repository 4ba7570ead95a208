//! The layers on in-memory transports and paused tokio time (issue 3; CONTRACT.md section 16).

use bytes::Bytes;
use http::{Request, Response};
use jc_transport::test_util::{json_response, FnTransport, ReplayTransport};
use jc_transport::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

fn get() -> Request<Bytes> {
    Request::get("https://console.jumpcloud.com/api/v2/bulk/users/j1/results")
        .body(Bytes::new())
        .unwrap()
}

fn post() -> Request<Bytes> {
    Request::post("https://console.jumpcloud.com/api/v2/bulk/users")
        .body(Bytes::from_static(b"[]"))
        .unwrap()
}

fn with_header(status: u16, name: &str, value: &str) -> Response<Bytes> {
    let mut response = json_response(status, "{}");
    response.headers_mut().insert(
        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
        value.parse().unwrap(),
    );
    response
}

fn policy() -> RetryPolicy {
    RetryPolicy::default().with_jitter_seed(1)
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_is_retried_after_the_delay() {
    let replay = Arc::new(
        ReplayTransport::new()
            .respond(with_header(429, "retry-after", "1"))
            .json(200, "[]"),
    );
    let started = Instant::now();
    let response = Retry::new(replay.clone(), policy())
        .send(get())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert_eq!(replay.request_count(), 2);
    assert_eq!(response.extensions().get::<Attempt>(), Some(&Attempt(2)));
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped() {
    let replay = Arc::new(
        ReplayTransport::new()
            .respond(with_header(429, "retry-after", "3600"))
            .json(200, "[]"),
    );
    let capped = policy()
        .with_max_retry_after(Duration::from_secs(5))
        .unwrap();
    let started = Instant::now();
    Retry::new(replay, capped).send(get()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn two_503s_then_200_succeeds() {
    let replay = Arc::new(
        ReplayTransport::new()
            .json(503, "{}")
            .json(503, "{}")
            .json(200, "[]"),
    );
    let response = Retry::new(replay.clone(), policy())
        .send(get())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(replay.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_400_is_not_retried() {
    let replay = Arc::new(
        ReplayTransport::new()
            .json(400, r#"{"message":"bad"}"#)
            .json(200, "[]"),
    );
    let response = Retry::new(replay.clone(), policy())
        .send(post())
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(replay.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn permanent_failures_are_tried_once_transient_ones_again() {
    use jc_transport::{ErrorKind, TransportError};
    for kind in [
        ErrorKind::InsecureUrl,
        ErrorKind::InvalidRequest,
        ErrorKind::BodyTooLarge,
        ErrorKind::Tls,
    ] {
        let replay = Arc::new(
            ReplayTransport::new()
                .fail(TransportError::not_sent(kind, "refused"))
                .json(200, "[]"),
        );
        let error = Retry::new(replay.clone(), policy())
            .send(get())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), kind);
        assert_eq!(replay.request_count(), 1, "{kind} is not retried");
    }
    let replay = Arc::new(
        ReplayTransport::new()
            .fail(TransportError::not_sent(ErrorKind::Connect, "refused"))
            .json(200, "[]"),
    );
    let response = Retry::new(replay.clone(), policy()).send(get()).await;
    assert!(response.is_ok());
    assert_eq!(replay.request_count(), 2, "a connect failure is");
}

#[tokio::test(start_paused = true)]
async fn the_attempt_cap_holds() {
    let mut replay = ReplayTransport::new();
    for _ in 0..10 {
        replay = replay.json(503, "{}");
    }
    let replay = Arc::new(replay);
    let response = Retry::new(replay.clone(), policy().with_max_attempts(4).unwrap())
        .send(get())
        .await
        .unwrap();
    assert_eq!(response.status(), 503, "the last response is returned");
    assert_eq!(replay.request_count(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_post_is_retried_on_429_and_503_but_not_on_502_or_504() {
    for (status, retried) in [(429, true), (503, true), (502, false), (504, false)] {
        let replay = Arc::new(
            ReplayTransport::new()
                .json(status, "{}")
                .json(201, r#"{"jobId":"j"}"#),
        );
        let response = Retry::new(replay.clone(), policy())
            .send(post())
            .await
            .unwrap();
        assert_eq!(
            replay.request_count(),
            if retried { 2 } else { 1 },
            "{status}"
        );
        assert_eq!(response.status() == 201, retried, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn failures_are_retried_by_delivery_and_idempotency() {
    let not_sent = || TransportError::not_sent(ErrorKind::Connect, "refused");
    let maybe_sent = || TransportError::maybe_sent(ErrorKind::Io, "reset after writing");

    // Not sent: re-sent whatever the method.
    let replay = Arc::new(ReplayTransport::new().fail(not_sent()).json(201, "{}"));
    assert!(Retry::new(replay.clone(), policy())
        .send(post())
        .await
        .is_ok());
    assert_eq!(replay.request_count(), 2);

    // Maybe sent: a POST is not re-sent; the error says the outcome is unknown.
    let replay = Arc::new(ReplayTransport::new().fail(maybe_sent()).json(201, "{}"));
    let error = Retry::new(replay.clone(), policy())
        .send(post())
        .await
        .unwrap_err();
    assert!(error.may_have_been_sent());
    assert_eq!(replay.request_count(), 1);

    // Maybe sent: a GET is re-sent.
    let replay = Arc::new(ReplayTransport::new().fail(maybe_sent()).json(200, "[]"));
    assert!(Retry::new(replay.clone(), policy())
        .send(get())
        .await
        .is_ok());
    assert_eq!(replay.request_count(), 2);

    // A POST marked idempotent by the caller is re-sent.
    let replay = Arc::new(ReplayTransport::new().fail(maybe_sent()).json(201, "{}"));
    let mut marked = post();
    marked.extensions_mut().insert(Idempotency::Idempotent);
    assert!(Retry::new(replay.clone(), policy())
        .send(marked)
        .await
        .is_ok());
    assert_eq!(replay.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn attempts_carry_their_number_and_the_same_request() {
    let replay = Arc::new(ReplayTransport::new().json(503, "{}").json(200, "[]"));
    let mut request = post();
    request
        .headers_mut()
        .insert("x-org-id", "org1".parse().unwrap());
    request.extensions_mut().insert(Idempotency::Idempotent);
    Retry::new(replay.clone(), policy())
        .send(request)
        .await
        .unwrap();
    let seen = replay.requests();
    assert_eq!(seen.len(), 2);
    for (i, attempt) in seen.iter().enumerate() {
        assert_eq!(
            attempt.extensions().get::<Attempt>(),
            Some(&Attempt(i as u32 + 1))
        );
        assert_eq!(attempt.headers()["x-org-id"], "org1");
        assert_eq!(attempt.body().as_ref(), b"[]");
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_the_future_cancels_the_backoff_sleep() {
    let replay = Arc::new(ReplayTransport::new().respond(with_header(429, "retry-after", "60")));
    let retry = Retry::new(replay.clone(), policy());
    let outcome = tokio::time::timeout(Duration::from_secs(1), retry.send(get())).await;
    assert!(outcome.is_err(), "still sleeping when dropped");
    assert_eq!(replay.request_count(), 1);
}

/// What an always-200 transport returns.
type Answer = std::future::Ready<Result<Response<Bytes>, TransportError>>;

fn ok_transport() -> FnTransport<impl Fn(Request<Bytes>) -> Answer + Clone> {
    FnTransport(|_| std::future::ready(Ok(json_response(200, "[]"))))
}

#[tokio::test(start_paused = true)]
async fn a_50_per_second_bucket_paces_requests() {
    let limited = RateLimit::new(
        ok_transport(),
        RateLimitConfig::per_second(50.0, 1).unwrap(),
    );
    let started = Instant::now();
    for _ in 0..101 {
        limited.send(get()).await.unwrap();
    }
    // One token at start, then one every 20 ms: 100 waits.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1990) && elapsed <= Duration::from_millis(2010),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_burst_passes_at_once_and_clones_share_the_bucket() {
    let limited = RateLimit::new(
        ok_transport(),
        RateLimitConfig::per_second(10.0, 5).unwrap(),
    );
    let clone = limited.clone();
    let started = Instant::now();
    for i in 0..5 {
        if i % 2 == 0 {
            limited.send(get()).await.unwrap();
        } else {
            clone.send(get()).await.unwrap();
        }
    }
    assert_eq!(started.elapsed(), Duration::ZERO);
    clone.send(get()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn a_429_lowers_the_rate_and_successes_recover_it_slowly() {
    let statuses = Arc::new(Mutex::new(vec![429u16, 429]));
    let script = statuses.clone();
    let transport = FnTransport(move |_| {
        let status = script.lock().unwrap().pop().unwrap_or(200);
        std::future::ready(Ok(json_response(status, "{}")))
    });
    let limited = RateLimit::new(transport, RateLimitConfig::per_second(50.0, 1).unwrap());
    assert_eq!(limited.current_rate(), 50.0);
    limited.send(get()).await.unwrap();
    assert_eq!(limited.current_rate(), 25.0);
    limited.send(get()).await.unwrap();
    assert_eq!(limited.current_rate(), 12.5);
    limited.send(get()).await.unwrap();
    assert_eq!(
        limited.current_rate(),
        13.5,
        "additive increase of 2% of the ceiling"
    );
    for _ in 0..100 {
        limited.send(get()).await.unwrap();
    }
    assert_eq!(
        limited.current_rate(),
        50.0,
        "back at the ceiling, never above"
    );
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_cap_holds() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (now, max) = (in_flight.clone(), peak.clone());
    let transport = FnTransport(move |_| {
        let (now, max) = (now.clone(), max.clone());
        async move {
            let current = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(current, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            Ok(json_response(200, "[]"))
        }
    });
    let limited = Arc::new(RateLimit::new(
        transport,
        RateLimitConfig::unlimited()
            .with_max_concurrency(3)
            .unwrap(),
    ));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let limited = limited.clone();
            tokio::spawn(async move { limited.send(get()).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn timeout_is_per_attempt_and_backoff_is_not_counted() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let slow_then_fast = FnTransport(move |_| {
        let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first {
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            Ok(json_response(200, "[]"))
        }
    });
    let stack = Retry::new(
        Timeout::new(slow_then_fast, Duration::from_millis(500)),
        policy()
            .with_delays(Duration::from_secs(2), Duration::from_secs(2))
            .unwrap(),
    );
    let response = stack.send(get()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn mockall_mock_is_available_to_other_crates() {
    let mut mock = MockTransport::new();
    mock.expect_send()
        .withf(|request| {
            request.method() == http::Method::DELETE
                && request.uri().path() == "/bulk/userstates/s1"
        })
        .times(1)
        .returning(|_| {
            let mut response = Response::new(Bytes::new());
            *response.status_mut() = http::StatusCode::NO_CONTENT;
            Ok(response)
        });
    let transport: Arc<dyn Transport> = Arc::new(mock);
    let request = Request::delete("https://x/bulk/userstates/s1")
        .body(Bytes::new())
        .unwrap();
    assert_eq!(transport.send(request).await.unwrap().status(), 204);
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_records_the_request_but_never_secrets_or_bodies() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let replay = Arc::new(
        ReplayTransport::new()
            .respond(with_header(503, "x-request-id", "req-42"))
            .respond(with_header(201, "x-request-id", "req-43")),
    );
    let stack = Retry::new(
        Trace::new(replay),
        policy()
            .with_delays(Duration::from_millis(1), Duration::from_millis(1))
            .unwrap(),
    );
    let mut request =
        Request::post("https://console.jumpcloud.com/api/v2/bulk/users?suppressEmail=true")
            .header("x-api-key", "SECRET-API-KEY-123")
            .header("authorization", "Bearer SECRET-TOKEN")
            .body(Bytes::from_static(br#"[{"password":"SECRET-PASSWORD"}]"#))
            .unwrap();
    request.extensions_mut().insert(Idempotency::Idempotent);
    stack.send(request).await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "POST",
        "/api/v2/bulk/users",
        "attempt=1",
        "attempt=2",
        "status=503",
        "status=201",
        "req-43",
        "latency_ms",
    ] {
        assert!(logs.contains(expected), "missing {expected} in:\n{logs}");
    }
    for secret in [
        "SECRET-API-KEY-123",
        "SECRET-TOKEN",
        "SECRET-PASSWORD",
        "x-api-key",
        "suppressEmail",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into:\n{logs}");
    }
}
