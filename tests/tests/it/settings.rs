//! Checked settings (issue 10): whatever a caller passes to the public setters of
//! `WaitOptions`, `ImportOptions`, `HttpSettings`, `RetryPolicy` and `RateLimitConfig`, the
//! setter either refuses it with an error that names the setting, or the options it returns
//! work: a retry loop, a rate limiter and a job wait run with them without panicking.

use jc_bulk::{Client, HttpSettings, ImportOptions, JobId, WaitOptions};
use jc_transport::test_util::{json_response, FnTransport, ReplayTransport};
use jc_transport::{RateLimit, RateLimitConfig, Retry, RetryPolicy, Transport};
use proptest::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// Numbers that have broken settings before, and any others (mostly plausible ones, so that
/// many cases get past the setters and are run).
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            -1.0,
            1e-20,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
        ]),
        1 => any::<f64>(),
        4 => 0.0..2_000_000.0f64,
        10 => 0.0..100.0f64,
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        1 => prop::sample::select(vec![Duration::ZERO, Duration::MAX, Duration::from_secs(u64::MAX)]),
        1 => any::<u64>().prop_map(Duration::from_secs),
        1 => any::<u64>().prop_map(Duration::from_nanos),
        12 => (0u64..5_000).prop_map(Duration::from_millis),
    ]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![
        1 => prop::sample::select(vec![0, 1, u32::MAX]),
        1 => any::<u32>(),
        8 => 0u32..200,
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

fn get() -> http::Request<bytes::Bytes> {
    http::Request::get("http://127.0.0.1/x")
        .body(bytes::Bytes::new())
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn wait_options_refuse_or_work(
        initial in duration(), max in duration(), factor in float(),
        timeout in duration(), polls in count(),
    ) {
        let options = WaitOptions::new()
            .with_intervals(initial, max, factor)
            .and_then(|o| o.with_timeout(Some(timeout)))
            .and_then(|o| o.with_max_failed_polls(polls));
        let Ok(options) = options else {
            let error = options.unwrap_err();
            prop_assert!(!error.setting.is_empty() && error.to_string().contains("must be"));
            return Ok(());
        };
        let (initial, max, factor) = options.intervals();
        prop_assert!(initial <= max && factor.is_finite() && factor >= 1.0);
        // Three polls of a pending job, then a finished one (or the timeout): never a panic.
        let replay = Arc::new(
            ReplayTransport::new()
                .json(200, r#"[{"status":"pending","meta":{"index":0}}]"#)
                .json(200, r#"[{"status":"pending","meta":{"index":0}}]"#)
                .json(200, r#"[{"status":"finished","meta":{"index":0}}]"#),
        );
        let client = Client::builder().api_key("k").bare_transport(replay).build().unwrap();
        let result = runtime().block_on(async {
            client.wait_for_job(&JobId::new("j"), 1, &options).await
        });
        let ended = result.is_ok() || matches!(
                result,
                Err(jc_bulk::Error::Wait(jc_bulk::WaitError::Timeout { .. }))
            );
        prop_assert!(ended, "{:?}", result.err());
    }

    #[test]
    fn retry_policies_refuse_or_work(
        attempts in count(), base in duration(), max in duration(), after in duration(),
    ) {
        let policy = RetryPolicy::default()
            .with_jitter_seed(1)
            .with_max_attempts(attempts)
            .and_then(|p| p.with_delays(base, max))
            .and_then(|p| p.with_max_retry_after(after));
        let Ok(policy) = policy else {
            prop_assert!(policy.unwrap_err().to_string().contains("must be"));
            return Ok(());
        };
        prop_assert!((1..=jc_transport::MAX_ATTEMPTS).contains(&policy.max_attempts()));
        prop_assert!(policy.base_delay() <= policy.max_delay());
        let replay = Arc::new(
            ReplayTransport::new()
                .json(503, "{}")
                .json(429, "{}")
                .json(200, "[]"),
        );
        let retry = Retry::new(replay, policy);
        let answer = runtime().block_on(retry.send(get()));
        prop_assert!(answer.is_ok());
    }

    #[test]
    fn rate_limits_refuse_or_work(
        rate in float(), burst in count(), concurrency in prop_oneof![any::<usize>(), 0usize..100],
        decrease in float(), min in float(), share in float(),
    ) {
        let config = RateLimitConfig::per_second(rate, burst)
            .and_then(|c| c.with_max_concurrency(concurrency))
            .and_then(|c| c.with_adaptation(decrease, min, share));
        let Ok(config) = config else {
            prop_assert!(config.unwrap_err().to_string().contains("must be"));
            return Ok(());
        };
        let limited = RateLimit::new(
            FnTransport(|_request| async { Ok(json_response(429, "{}")) }),
            config,
        );
        runtime().block_on(async {
            for _ in 0..3 {
                let _ = limited.send(get()).await;
            }
        });
        prop_assert!(limited.current_rate() > 0.0);
    }

    #[test]
    fn import_and_http_settings_refuse_or_hold(
        chunk in prop_oneof![any::<usize>(), 0usize..1000], jobs in prop_oneof![any::<usize>(), 0usize..100], rate in float(),
        timeout in duration(), attempts in count(), in_flight in prop_oneof![any::<usize>(), 0usize..100],
    ) {
        match ImportOptions::new().with_chunk_size(chunk).and_then(|o| o.with_concurrency(jobs)) {
            Ok(options) => prop_assert!(
                (1..=800).contains(&options.chunk_size()) && options.concurrency() >= 1
            ),
            Err(error) => prop_assert!(error.to_string().contains("must be")),
        }
        let settings = HttpSettings::new()
            .with_max_requests_per_second(rate)
            .and_then(|s| s.with_attempt_timeout(timeout))
            .and_then(|s| s.with_max_attempts(attempts))
            .and_then(|s| s.with_max_concurrency(in_flight));
        if let Ok(settings) = settings {
            // The default transport is built from them without a panic.
            let built = Client::builder()
                .api_key("k")
                .base_url("http://127.0.0.1:9/api/v2")
                .http(settings)
                .build();
            prop_assert!(built.is_ok());
        }
    }
}

#[test]
fn the_historic_panics_are_refusals() {
    let error = HttpSettings::new()
        .with_max_requests_per_second(1e-20)
        .unwrap_err();
    assert_eq!(error.setting, "requests per second");
    assert!(WaitOptions::new()
        .with_intervals(
            Duration::from_millis(1),
            Duration::from_secs(1),
            f64::INFINITY
        )
        .is_err());
    assert!(RateLimitConfig::per_second(f64::NAN, 1).is_err());
    assert!(RetryPolicy::default().with_max_attempts(0).is_err());
}
