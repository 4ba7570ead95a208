//! `Retry`: re-sends failed attempts with capped exponential backoff and full jitter
//! ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 16).

use crate::error::TransportError;
use crate::request::{clone_request, Attempt, Deadline, Idempotency};
use crate::setting::{check_count, check_duration, InvalidSetting};
use crate::transport::Transport;
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Attempts in all per request, the first included, unless a policy says otherwise: the one
/// default of jc-transport and jc-bulk.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// When and how often [`Retry`] re-sends. Fields are private: the checked setters refuse values
/// that could make a wait overflow or a loop spin (`InvalidSetting`).

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    retry_statuses: Vec<StatusCode>,
    non_idempotent_retry_statuses: Vec<StatusCode>,
    jitter_seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            retry_statuses: vec![
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
                StatusCode::GATEWAY_TIMEOUT,
            ],
            non_idempotent_retry_statuses: vec![
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::SERVICE_UNAVAILABLE,
            ],
            jitter_seed: None,
        }
    }
}

/// Most attempts a policy allows.
pub const MAX_ATTEMPTS: u32 = 100;
/// Longest backoff or `Retry-After` a policy allows.
const MAX_WAIT: Duration = Duration::from_secs(3600);

impl RetryPolicy {
    /// The policy with `max_attempts` attempts in all (the first included), 1 to 100.
    /// Default 4.
    ///
    /// # Errors
    /// A count outside 1..=100.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Result<Self, InvalidSetting> {
        self.max_attempts = check_count("max_attempts", max_attempts, 1, MAX_ATTEMPTS)?;
        Ok(self)
    }

    /// Backoff before the second attempt (`base`, doubling each time) and the largest backoff
    /// (`max`). Defaults 250 ms and 20 s.
    ///
    /// # Errors
    /// `base` above `max`, or `max` above one hour.
    pub fn with_delays(mut self, base: Duration, max: Duration) -> Result<Self, InvalidSetting> {
        self.max_delay = check_duration("max_delay", max, Duration::ZERO, MAX_WAIT)?;
        self.base_delay = check_duration("base_delay", base, Duration::ZERO, max)?;
        Ok(self)
    }

    /// The largest wait a `Retry-After` header can ask for. Default 60 s.
    ///
    /// # Errors
    /// More than one hour.
    pub fn with_max_retry_after(mut self, max: Duration) -> Result<Self, InvalidSetting> {
        self.max_retry_after = check_duration("max_retry_after", max, Duration::ZERO, MAX_WAIT)?;
        Ok(self)
    }

    /// Statuses retried for idempotent requests. Default 429, 502, 503, 504.
    #[must_use]
    pub fn with_retry_statuses(mut self, statuses: Vec<StatusCode>) -> Self {
        self.retry_statuses = statuses;
        self
    }

    /// Statuses retried for non-idempotent requests: only those that say the request was not
    /// processed. Default 429 and 503; a 502 or 504 may come after the server acted.
    #[must_use]
    pub fn with_non_idempotent_retry_statuses(mut self, statuses: Vec<StatusCode>) -> Self {
        self.non_idempotent_retry_statuses = statuses;
        self
    }

    /// A fixed jitter seed, for reproducible delays; without one the OS seeds it.
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Backoff before the second attempt.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// Largest backoff.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// Largest wait a `Retry-After` header can ask for.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    fn retries_status(&self, status: StatusCode, idempotency: Idempotency) -> bool {
        match idempotency {
            Idempotency::Idempotent => self.retry_statuses.contains(&status),
            Idempotency::NonIdempotent => self.non_idempotent_retry_statuses.contains(&status),
        }
    }

    /// Full jitter: a uniform wait in `[0, min(max_delay, base_delay * 2^(retry-1))]`.
    fn backoff(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_delay);
        let nanos = u64::try_from(exp.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.u64(0..=nanos))
    }
}

/// The wait a `Retry-After` header asks for: whole seconds, or an HTTP date (relative to `now`).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A transport that retries its inner transport per a [`RetryPolicy`].
///
/// Retries: the statuses of the policy, and transient failures
/// ([`ErrorKind::is_transient`](crate::ErrorKind::is_transient):
/// never an insecure URL, an invalid request, a body over the cap or a TLS failure) whose request
/// was provably not sent, for every method. A request that may have reached the server is re-sent only when it is
/// idempotent ([`Idempotency`]); otherwise its error is returned as is, so that the caller can
/// report the outcome as unknown. Backoff sleeps use tokio time (pausable in tests) and end
/// when the returned future is dropped. The response carries an [`Attempt`] extension.
#[derive(Debug, Clone)]
pub struct Retry<T> {
    inner: T,
    policy: Arc<RetryPolicy>,
    rng: Arc<Mutex<fastrand::Rng>>,
}

impl<T> Retry<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, policy: RetryPolicy) -> Self {
        let rng = match policy.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Self {
            inner,
            policy: Arc::new(policy),
            rng: Arc::new(Mutex::new(rng)),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    fn backoff(&self, retry: u32) -> Duration {
        match self.rng.lock() {
            Ok(mut rng) => self.policy.backoff(retry, &mut rng),
            Err(poisoned) => self.policy.backoff(retry, &mut poisoned.into_inner()),
        }
    }
}

#[async_trait::async_trait]
impl<T: Transport> Transport for Retry<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let idempotency = Idempotency::of(&request);
        let max = self.policy.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let mut this_try = clone_request(&request);
            this_try.extensions_mut().insert(Attempt(attempt));
            let outcome = self.inner.send(this_try).await;
            let last = attempt >= max;
            let wait = match &outcome {
                Ok(response)
                    if !last && self.policy.retries_status(response.status(), idempotency) =>
                {
                    let backoff = self.backoff(attempt);
                    match retry_after(response.headers(), SystemTime::now()) {
                        Some(asked) => asked.min(self.policy.max_retry_after),
                        None => backoff,
                    }
                }
                Err(error)
                    if !last
                        && error.is_transient()
                        && (error.is_not_sent() || idempotency == Idempotency::Idempotent) =>
                {
                    self.backoff(attempt)
                }
                _ => {
                    return outcome.map(|mut response| {
                        response.extensions_mut().insert(Attempt(attempt));
                        response
                    });
                }
            };
            let deadline = request.extensions().get::<Deadline>().map(|d| d.0);
            if deadline.is_some_and(|d| tokio::time::Instant::now() + wait > d) {
                return outcome.map(|mut response| {
                    response.extensions_mut().insert(Attempt(attempt));
                    response
                });
            }
            tracing::debug!(
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                outcome = %match &outcome {
                    Ok(response) => response.status().to_string(),
                    Err(error) => error.to_string(),
                },
                "retrying request"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        headers.insert("retry-after", later.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        headers.insert("retry-after", past.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn backoff_is_full_jitter_under_an_exponential_cap() {
        let policy = RetryPolicy::default()
            .with_delays(Duration::from_millis(100), Duration::from_secs(1))
            .unwrap();
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 1..10 {
            let cap = Duration::from_millis(100 * 2u64.pow(retry - 1)).min(Duration::from_secs(1));
            for _ in 0..50 {
                assert!(policy.backoff(retry, &mut rng) <= cap);
            }
        }
    }
}
